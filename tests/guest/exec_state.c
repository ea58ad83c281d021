/*
 * Guest: what execve keeps and what it resets. The program re-executes
 * itself (argv[0]) in a forked child and the new image reports: argv and
 * envp, close-on-exec descriptors closed and others kept, handled signals
 * reset to SIG_DFL while SIG_IGN stays, the signal mask and a pending
 * signal kept, the alternate stack gone, the pid kept; #! scripts; execveat
 * with AT_EMPTY_PATH (fexecve) and AT_SYMLINK_NOFOLLOW; E2BIG, ENOENT,
 * EACCES and ENOEXEC.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

static char *self;

static void on_usr1(int sig)
{
}

/* The re-executed image: report what it inherited. */
static int child_report(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t mask, pend;
	stack_t ss;

	printf("[exec] argc %d argv[1] %s\n", argc, argv[1]);
	printf("[exec] env EXEC_TEST=%s\n",
	       getenv("EXEC_TEST") ? getenv("EXEC_TEST") : "(unset)");
	printf("[exec] fd 10 (close-on-exec) open: %d\n",
	       fcntl(10, F_GETFD) != -1);
	printf("[exec] fd 11 (kept) open: %d\n", fcntl(11, F_GETFD) != -1);
	sigaction(SIGUSR1, NULL, &sa);
	printf("[exec] SIGUSR1 handler reset: %d\n", sa.sa_handler == SIG_DFL);
	sigaction(SIGUSR2, NULL, &sa);
	printf("[exec] SIGUSR2 still ignored: %d\n", sa.sa_handler == SIG_IGN);
	sigprocmask(SIG_SETMASK, NULL, &mask);
	printf("[exec] SIGHUP still blocked: %d\n", sigismember(&mask, SIGHUP));
	sigpending(&pend);
	printf("[exec] SIGHUP still pending: %d\n", sigismember(&pend, SIGHUP));
	sigaltstack(NULL, &ss);
	printf("[exec] alternate stack gone: %d\n", ss.ss_flags == SS_DISABLE);
	printf("[exec] pid unchanged: %d\n",
	       argc > 2 && atoi(argv[2]) == getpid());
	fflush(stdout);
	return 7;
}

static int run_child(void (*prep)(void), char *const argv[])
{
	int status;

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		prep();
		char *envp[] = { "EXEC_TEST=yes", NULL };
		execve(argv[0], argv, envp);
		printf("execve failed: %s\n", errname(errno));
		_exit(99);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char pidbuf[16];

static void prep_state(void)
{
	struct sigaction sa;
	sigset_t set;
	stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 };

	dup2(1, 10);
	fcntl(10, F_SETFD, FD_CLOEXEC);
	dup2(1, 11);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGHUP);
	sigaltstack(&ss, NULL);
	snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
}

static void scripts_and_errors(void)
{
	int status, fd;
	pid_t pid;

	fd = open("script.sh", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	dprintf(fd, "#!/bin/busybox sh\necho \"script: $0 $1\" | "
		    "/bin/busybox sed 's|.*/||'\nexit 3\n");
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "./script.sh", "arg1", NULL };

		execve("./script.sh", argv, environ);
		_exit(99);
	}
	waitpid(pid, &status, 0);
	printf("script exit: %d\n", WEXITSTATUS(status));

	/* fexecve: the file an fd names. */
	fd = open("/bin/busybox", O_RDONLY | O_CLOEXEC);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "echo", "fexecve works", NULL };

		syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
		_exit(99);
	}
	waitpid(pid, &status, 0);
	printf("execveat AT_EMPTY_PATH exit: %d\n", WEXITSTATUS(status));
	close(fd);

	unlink("link-to-busybox");
	symlink("/bin/busybox", "link-to-busybox");
	char *argv[] = { "true", NULL };
	EXPECT_ERR("execveat AT_SYMLINK_NOFOLLOW on a symlink",
		   syscall(SYS_execveat, AT_FDCWD, "link-to-busybox", argv,
			   environ, AT_SYMLINK_NOFOLLOW),
		   ELOOP);
	EXPECT_ERR("execveat bad flags",
		   syscall(SYS_execveat, AT_FDCWD, "/bin/busybox", argv,
			   environ, 0x4),
		   EINVAL);
	EXPECT_ERR("execve missing", execve("./no-such-program", argv, environ),
		   ENOENT);
	/* (The native and the Ember run share this directory.) */
	unlink("not-exec");
	fd = open("not-exec", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	EXPECT_ERR("execve without x permission",
		   execve("./not-exec", argv, environ), EACCES);
	chmod("not-exec", 0755);
	fd = open("not-exec", O_WRONLY | O_TRUNC);
	write(fd, "garbage garbage garbage\n", 24);
	close(fd);
	EXPECT_ERR("execve garbage", execve("./not-exec", argv, environ),
		   ENOEXEC);
	EXPECT_ERR("execve a directory", execve("/", argv, environ), EACCES);

	/* E2BIG: far beyond a quarter of an 8 MiB stack. */
	size_t n = 3 << 20;
	char *big = malloc(n + 1);
	memset(big, 'x', n);
	big[n] = 0;
	char *bargv[] = { "true", big, big, NULL };
	EXPECT_ERR("execve E2BIG", execve("/bin/busybox", bargv, environ),
		   E2BIG);
	free(big);
	/* A single string over 32 pages is E2BIG too (MAX_ARG_STRLEN). */
	n = 200000;
	big = malloc(n + 1);
	memset(big, 'y', n);
	big[n] = 0;
	char *sargv[] = { "true", big, NULL };
	EXPECT_ERR("execve one huge string",
		   execve("/bin/busybox", sargv, environ), E2BIG);
	free(big);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child-report") == 0)
		return child_report(argc, argv);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	self = argv[0];

	char *a1[] = { self, "child-report", pidbuf, NULL };
	printf("exit of the new image: %d\n", run_child(prep_state, a1));

	scripts_and_errors();
	return guest_exit();
}
