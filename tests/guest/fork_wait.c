/*
 * Guest: fork, vfork, clone and the wait family. Copy-on-write isolation
 * of stack, data, heap and a large private mapping in both directions; a
 * MAP_SHARED mapping that stays shared; vfork's borrowed memory and
 * suspended parent; exit statuses and signal deaths as wait4 and waitid
 * report them; WNOHANG, WNOWAIT, ECHILD; zombies until reaped; orphans
 * adopted by someone else; clone with a stack and CLONE_PARENT_SETTID.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

static int data_var = 100;
static char bss_buf[8192];

/* Output must reach the file once: flush before every fork. */
static pid_t fork_flushed(void)
{
	fflush(stdout);
	return fork();
}

static void cow_isolation(void)
{
	int stack_var = 1;
	char *heap = malloc(64 << 10);
	size_t big_len = 4 << 20;
	char *big = mmap(NULL, big_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status;

	CHECK("malloc", heap != NULL);
	CHECK("mmap private", big != MAP_FAILED);
	CHECK("mmap shared", shared != MAP_FAILED);
	memset(heap, 'p', 64 << 10);
	memset(big, 'P', big_len);
	bss_buf[4000] = 'b';
	*shared = 0;

	pid_t pid = fork_flushed();
	if (pid == 0) {
		/* The child sees the parent's values... */
		int ok = stack_var == 1 && data_var == 100 &&
			 heap[100] == 'p' && big[big_len - 1] == 'P' &&
			 bss_buf[4000] == 'b';
		/* ...and changes only its own copies, except the shared
		 * page. */
		stack_var = 2;
		data_var = 200;
		memset(heap, 'c', 64 << 10);
		memset(big, 'C', big_len);
		bss_buf[4000] = 'c';
		*shared = ok ? 42 : 41;
		_exit(ok ? 0 : 1);
	}
	CHECK("fork returns the child's pid", pid > 0);
	CHECK("waitpid", waitpid(pid, &status, 0) == pid);
	CHECK("child saw the parent's memory",
	      WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("parent stack after child wrote: %d\n", stack_var);
	printf("parent data after child wrote: %d\n", data_var);
	CHECK("parent heap unchanged", heap[0] == 'p' && heap[65535] == 'p');
	CHECK("parent big mapping unchanged", big[0] == 'P' &&
						      big[big_len / 2] == 'P' &&
						      big[big_len - 1] == 'P');
	CHECK("parent bss unchanged", bss_buf[4000] == 'b');
	printf("shared page written by child: %d\n", *shared);

	/* The parent writes after the fork: the child keeps the old. */
	*shared = 0;
	pid = fork_flushed();
	if (pid == 0) {
		while (*shared == 0)
			sched_yield();
		_exit(data_var == 100 && big[10] == 'P' ? 5 : 6);
	}
	data_var = 300;
	big[10] = 'X';
	*shared = 1;
	CHECK("waitpid 2", waitpid(pid, &status, 0) == pid);
	printf("child kept its copy: exit %d\n", WEXITSTATUS(status));
	data_var = 100;
	munmap(big, big_len);
	munmap((void *)shared, 4096);
	free(heap);
}

static void vfork_shares(void)
{
	static volatile int flag;
	int status;

	flag = 0;
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		/* Borrowed memory: the parent sees this write. */
		flag = 7;
		_exit(3);
	}
	CHECK("vfork returns the child's pid", pid > 0);
	printf("vfork child wrote before the parent resumed: %d\n", flag);
	CHECK("waitpid vfork child", waitpid(pid, &status, 0) == pid);
	printf("vfork child exit: %d\n", WEXITSTATUS(status));

	/* vfork then exec: the parent resumes once the exec is done. */
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		/* busybox-static: a static program on every test host. */
		char *argv[] = { "true", NULL };
		execve("/bin/busybox", argv, environ);
		_exit(127);
	}
	CHECK("waitpid exec'd child", waitpid(pid, &status, 0) == pid);
	printf("exec'd vfork child: exited %d status %d\n", WIFEXITED(status),
	       WEXITSTATUS(status));
}

static void statuses(void)
{
	int status;
	pid_t pid;

	for (int code = 0; code < 300; code += 127) {
		pid = fork_flushed();
		if (pid == 0)
			_exit(code);
		waitpid(pid, &status, 0);
		printf("_exit(%d): exited %d status %d\n", code,
		       WIFEXITED(status), WEXITSTATUS(status));
	}

	pid = fork_flushed();
	if (pid == 0) {
		for (;;)
			pause();
	}
	EXPECT_OK("kill SIGTERM", kill(pid, SIGTERM));
	waitpid(pid, &status, 0);
	printf("SIGTERM: signaled %d sig %d core %d\n", WIFSIGNALED(status),
	       WTERMSIG(status), WCOREDUMP(status) ? 1 : 0);

	pid = fork_flushed();
	if (pid == 0) {
		raise(SIGKILL);
		_exit(1);
	}
	waitpid(pid, &status, 0);
	printf("raise SIGKILL: signaled %d sig %d\n", WIFSIGNALED(status),
	       WTERMSIG(status));

	/* A child blocked in a wait of its own is killed just the same. */
	pid = fork_flushed();
	if (pid == 0) {
		sleep(100);
		_exit(0);
	}
	usleep(10000);
	kill(pid, SIGUSR1);
	waitpid(pid, &status, 0);
	printf("SIGUSR1 while sleeping: signaled %d sig %d\n",
	       WIFSIGNALED(status), WTERMSIG(status));

	/* exit_group from a second process of the same parent. */
	pid = fork_flushed();
	if (pid == 0)
		exit(9);
	EXPECT_ERR("wait4 another pid", waitpid(pid + 100000, &status, 0),
		   ECHILD);
	CHECK("wait4 -1", wait4(-1, &status, 0, NULL) == pid);
	printf("exit(9): %d\n", WEXITSTATUS(status));
	EXPECT_ERR("wait with no children", wait(&status), ECHILD);
	EXPECT_ERR("waitpid WNOHANG with no children",
		   waitpid(-1, &status, WNOHANG), ECHILD);
	EXPECT_ERR("waitpid bad options", waitpid(-1, &status, 0x10000),
		   EINVAL);
}

static void waitid_forms(void)
{
	siginfo_t si;
	struct rusage ru;
	int status;
	pid_t pid;

	pid = fork_flushed();
	if (pid == 0) {
		usleep(20000);
		_exit(12);
	}
	memset(&si, 0xff, sizeof(si));
	EXPECT_OK("waitid WNOHANG nothing yet",
		  waitid(P_PID, pid, &si, WEXITED | WNOHANG));
	printf("  si_pid %d si_signo %d\n", si.si_pid, si.si_signo);

	memset(&si, 0, sizeof(si));
	EXPECT_OK("waitid WNOWAIT", waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK("  si_pid is the child", si.si_pid == pid);
	printf("  signo %d code %d status %d\n", si.si_signo, si.si_code,
	       si.si_status);
	/* Still there: WNOWAIT left it a zombie. */
	CHECK("zombie still signalable", kill(pid, 0) == 0);
	memset(&si, 0, sizeof(si));
	EXPECT_OK("waitid P_ALL reaps", waitid(P_ALL, 0, &si, WEXITED));
	printf("  code %d status %d\n", si.si_code, si.si_status);
	EXPECT_ERR("kill reaped pid", kill(pid, 0), ESRCH);
	EXPECT_ERR("waitid without options", waitid(P_ALL, 0, &si, 0), EINVAL);
	EXPECT_ERR("waitid P_PID 0", waitid(P_PID, 0, &si, WEXITED), EINVAL);
	EXPECT_ERR("waitid no children", waitid(P_ALL, 0, &si, WEXITED),
		   ECHILD);

	pid = fork_flushed();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	EXPECT_OK("waitid killed child", waitid(P_PID, pid, &si, WEXITED));
	printf("  code %s status %d\n",
	       si.si_code == CLD_KILLED ? "CLD_KILLED" : "other", si.si_status);

	/* wait4's rusage of a child that burnt some CPU. */
	pid = fork_flushed();
	if (pid == 0) {
		volatile unsigned long x = 0;
		for (unsigned long i = 0; i < 20000000; i++)
			x += i;
		_exit(0);
	}
	memset(&ru, 0, sizeof(ru));
	CHECK("wait4 with rusage", wait4(pid, &status, 0, &ru) == pid);
	CHECK("  child used CPU time", ru.ru_utime.tv_sec > 0 ||
					       ru.ru_utime.tv_usec > 0 ||
					       ru.ru_stime.tv_usec > 0);
	memset(&ru, 0, sizeof(ru));
	EXPECT_OK("getrusage children", getrusage(RUSAGE_CHILDREN, &ru));
	CHECK("  children CPU time",
	      ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec > 0);
}

static void zombie_and_orphan(void)
{
	volatile int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char path[64], buf[256];
	int status;
	pid_t me = getpid();

	pid_t pid = fork_flushed();
	if (pid == 0)
		_exit(0);
	/* Wait for the exit without reaping (a fixed sleep lost the race on
	 * a loaded machine, natively too). */
	siginfo_t zi;
	waitid(P_PID, (id_t)pid, &zi, WEXITED | WNOWAIT);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *rp = strrchr(buf, ')');
	printf("unreaped child state: %c\n", rp ? rp[2] : '?');
	CHECK("reap it", waitpid(pid, &status, 0) == pid);
	EXPECT_ERR("gone after reaping", kill(pid, 0), ESRCH);

	/* A grandchild outlives its parent: someone else adopts it. */
	sh[0] = sh[1] = sh[2] = 0;
	pid = fork_flushed();
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0) {
			pid_t before = getppid();
			sh[2] = 1;
			while (sh[0] == 0)
				usleep(1000);
			usleep(20000);
			sh[1] = (before != me && getppid() != before) ? 1 : 2;
			_exit(0);
		}
		/* Exit only once the grandchild knows its first parent. */
		while (sh[2] == 0)
			usleep(1000);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	sh[0] = 1;
	for (int i = 0; i < 2000 && sh[1] == 0; i++)
		usleep(1000);
	printf("orphan adopted: %s\n", sh[1] == 1 ? "yes" : "no");
	munmap((void *)sh, 4096);
}

static int clone_fn(void *arg)
{
	*(volatile int *)arg = 77;
	return 4;
}

static void raw_clone(void)
{
	size_t sz = 64 << 10;
	char *stack = malloc(sz);
	static volatile int shared_var;
	pid_t ptid = 0;
	int status;

	shared_var = 0;
	fflush(stdout);
	/* A process sharing memory (CLONE_VM) with its own stack. */
	pid_t pid = clone(clone_fn, stack + sz,
			  CLONE_VM | CLONE_PARENT_SETTID | SIGCHLD,
			  (void *)&shared_var, &ptid);
	CHECK("clone CLONE_VM", pid > 0);
	CHECK("parent_tid written", ptid == pid);
	CHECK("waitpid clone child", waitpid(pid, &status, 0) == pid);
	printf("clone child: exit %d wrote %d\n", WEXITSTATUS(status),
	       shared_var);

	/* A child with another exit signal is a "clone" child. */
	pid = clone(clone_fn, stack + sz, CLONE_VM, (void *)&shared_var);
	CHECK("clone without SIGCHLD", pid > 0);
	usleep(20000);
	EXPECT_ERR("waitpid skips clone children",
		   waitpid(pid, &status, WNOHANG), ECHILD);
	CHECK("waitpid __WCLONE", waitpid(pid, &status, __WCLONE) == pid);
	printf("clone child via __WCLONE: %d\n", WEXITSTATUS(status));

	EXPECT_ERR("clone CLONE_SIGHAND without CLONE_VM",
		   syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0),
		   EINVAL);
	EXPECT_ERR("clone CLONE_THREAD without CLONE_SIGHAND",
		   syscall(SYS_clone, CLONE_VM | CLONE_THREAD, 0, 0, 0, 0),
		   EINVAL);
	free(stack);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	cow_isolation();
	vfork_shares();
	statuses();
	waitid_forms();
	zombie_and_orphan();
	raw_clone();
	return guest_exit();
}
