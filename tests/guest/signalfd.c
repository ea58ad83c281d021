/*
 * signalfd(2): records of blocked pending signals (thread-directed ones
 * first, then process-wide), SFD_NONBLOCK and SFD_CLOEXEC, poll and epoll
 * readiness, a changed mask on an existing fd, queued real-time signals
 * with their values, SIGCHLD's status, a blocking read woken by another
 * process's kill, and the argument errors.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static void show_rec(const char *what, const struct signalfd_siginfo *r,
		     pid_t pid)
{
	/* SIGRTMIN differs between libcs (34 glibc, 35 musl). */
	char name[16];

	if ((int)r->ssi_signo >= SIGRTMIN)
		snprintf(name, sizeof(name), "RTMIN+%d",
			 (int)r->ssi_signo - SIGRTMIN);
	else
		snprintf(name, sizeof(name), "%u", r->ssi_signo);
	printf("%s: signo %s code %d pid-match %d int %d status %d\n", what,
	       name, r->ssi_code, (pid_t)r->ssi_pid == pid, r->ssi_int,
	       r->ssi_status);
}

static int poll_in(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int n = poll(&p, 1, 0);

	return n < 0 ? -1 : (p.revents & POLLIN) ? 1 : 0;
}

int main(void)
{
	struct signalfd_siginfo rec[4];
	sigset_t mask, blockall;
	int sfd, ep;
	long n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&blockall);
	sigaddset(&blockall, SIGUSR1);
	sigaddset(&blockall, SIGUSR2);
	sigaddset(&blockall, SIGRTMIN);
	sigaddset(&blockall, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blockall, NULL);

	printf("== basics\n");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	EXPECT_OK_QUIET("signalfd", sfd);
	printf("cloexec %d nonblock %d\n", fcntl(sfd, F_GETFD) & FD_CLOEXEC,
	       !!(fcntl(sfd, F_GETFL) & O_NONBLOCK));
	EXPECT_ERR("read empty", read(sfd, rec, sizeof(rec)), EAGAIN);
	EXPECT_ERR("read short buffer", read(sfd, rec, 100), EINVAL);
	printf("poll empty: %d\n", poll_in(sfd));
	kill(getpid(), SIGUSR2);
	printf("poll after SIGUSR2 (not in mask): %d\n", poll_in(sfd));
	kill(getpid(), SIGUSR1);
	raise(SIGUSR1);
	printf("poll after SIGUSR1: %d\n", poll_in(sfd));
	n = read(sfd, rec, sizeof(rec));
	printf("read: %ld\n", n);
	for (long i = 0; i < n / (long)sizeof(rec[0]); i++)
		show_rec("  rec", &rec[i], getpid());
	printf("poll after read: %d\n", poll_in(sfd));

	printf("== mask update, queued real-time signals\n");
	sigaddset(&mask, SIGRTMIN);
	sigaddset(&mask, SIGKILL); /* silently ignored */
	n = signalfd(sfd, &mask, 0);
	printf("update returns same fd: %d\n", n == sfd);
	for (int v = 42; v < 45; v++) {
		union sigval sv = { .sival_int = v };

		EXPECT_OK("sigqueue", sigqueue(getpid(), SIGRTMIN, sv));
	}
	n = read(sfd, rec, 2 * sizeof(rec[0]));
	printf("read 2 slots: %ld\n", n);
	for (long i = 0; i < n / (long)sizeof(rec[0]); i++)
		show_rec("  rec", &rec[i], getpid());
	n = read(sfd, rec, sizeof(rec));
	printf("read rest: %ld\n", n);
	for (long i = 0; i < n / (long)sizeof(rec[0]); i++)
		show_rec("  rec", &rec[i], getpid());

	printf("== epoll\n");
	ep = epoll_create1(0);
	{
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
		struct epoll_event out[2];

		EXPECT_OK("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev));
		printf("epoll_wait idle: %d\n", epoll_wait(ep, out, 2, 0));
		kill(getpid(), SIGUSR1);
		n = epoll_wait(ep, out, 2, 1000);
		printf("epoll_wait after kill: %ld data %u\n", n,
		       n > 0 ? out[0].data.u32 : 0);
		n = read(sfd, rec, sizeof(rec));
		printf("read: %ld\n", n);
		printf("epoll_wait drained: %d\n", epoll_wait(ep, out, 2, 0));
	}

	printf("== SIGCHLD\n");
	{
		sigset_t cm;
		pid_t pid;
		int cfd, st;

		sigemptyset(&cm);
		sigaddset(&cm, SIGCHLD);
		cfd = signalfd(-1, &cm, 0);
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(7);
		n = read(cfd, rec, sizeof(rec));
		printf("read: %ld\n", n);
		if (n > 0)
			show_rec("  rec", &rec[0], pid);
		printf("code is CLD_EXITED: %d\n",
		       rec[0].ssi_code == CLD_EXITED);
		waitpid(pid, &st, 0);
		printf("child exit %d\n", WEXITSTATUS(st));
		close(cfd);
	}

	printf("== blocking read in a child\n");
	{
		int bfd, go[2], st;
		pid_t pid;

		sigemptyset(&mask);
		sigaddset(&mask, SIGUSR1);
		bfd = signalfd(-1, &mask, 0);
		if (pipe(go) < 0)
			return 2;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			char c = 'r';

			if (write(go[1], &c, 1) != 1)
				_exit(3);
			n = read(bfd, rec, sizeof(rec));
			printf("child read: %ld\n", n);
			if (n > 0)
				show_rec("  child rec", &rec[0], getppid());
			_exit(0);
		}
		char c;
		if (read(go[0], &c, 1) != 1)
			return 2;
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
		kill(pid, SIGUSR1);
		waitpid(pid, &st, 0);
		printf("child exit %d\n", WEXITSTATUS(st));
		close(bfd);
	}

	printf("== errors\n");
	sigemptyset(&mask);
	EXPECT_ERR("bad flags", signalfd(-1, &mask, 0x1), EINVAL);
	EXPECT_ERR("bad sizemask", syscall(SYS_signalfd4, -1, &mask, 4, 0),
		   EINVAL);
	EXPECT_ERR("fd not a signalfd", signalfd(0, &mask, 0), EINVAL);
	EXPECT_ERR("bad fd", signalfd(99, &mask, 0), EBADF);
	EXPECT_ERR("bad mask pointer",
		   syscall(SYS_signalfd4, -1, (void *)8, 8, 0), EFAULT);
	return guest_exit();
}
