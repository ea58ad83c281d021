/*
 * Guest: job control signals. SIGSTOP and SIGCONT of a child as waitpid
 * (WUNTRACED, WCONTINUED) and waitid (WSTOPPED, WNOWAIT) report them; the
 * parent's SIGCHLD with CLD_STOPPED, CLD_CONTINUED and CLD_EXITED, and
 * SA_NOCLDSTOP; a SIGTSTP handler running instead of the stop; SIGTSTP
 * discarded in an orphaned process group while SIGSTOP still stops; a
 * sleep that spans a stop; SIGKILL ending a stopped child; SIGCHLD set
 * to SIG_IGN reaping children at once.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static volatile int codes[16], ncodes;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	if (ncodes < 16)
		codes[ncodes++] = si->si_code;
}

static const char *code_name(int c)
{
	switch (c) {
	case CLD_EXITED:
		return "EXITED";
	case CLD_KILLED:
		return "KILLED";
	case CLD_DUMPED:
		return "DUMPED";
	case CLD_STOPPED:
		return "STOPPED";
	case CLD_CONTINUED:
		return "CONTINUED";
	default:
		return "?";
	}
}

/* Which kinds came: standard signals merge while pending, so how many
 * of each depends on timing. Waits for the last one (the death). */
static void show_codes(const char *what)
{
	int seen[8] = { 0 };

	for (int i = 0; i < 2000; i++) {
		int last = ncodes ? codes[ncodes - 1] : 0;

		if (last == CLD_KILLED || last == CLD_EXITED)
			break;
		usleep(1000);
	}
	for (int i = 0; i < ncodes; i++)
		if (codes[i] > 0 && codes[i] < 8)
			seen[codes[i]] = 1;
	printf("%s: stopped %d continued %d killed %d\n", what,
	       seen[CLD_STOPPED], seen[CLD_CONTINUED], seen[CLD_KILLED]);
	ncodes = 0;
}

static pid_t pausing_child(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void stop_continue(int nocldstop)
{
	struct sigaction sa;
	siginfo_t si;
	int status;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | (nocldstop ? SA_NOCLDSTOP : 0);
	sigaction(SIGCHLD, &sa, NULL);
	ncodes = 0;

	pid_t pid = pausing_child();
	kill(pid, SIGSTOP);
	CHECK("waitpid WUNTRACED", waitpid(pid, &status, WUNTRACED) == pid);
	printf("  stopped %d by %d\n", WIFSTOPPED(status), WSTOPSIG(status));
	EXPECT_OK("no second report",
		  waitpid(pid, &status, WUNTRACED | WNOHANG));
	memset(&si, 0, sizeof(si));
	kill(pid, SIGSTOP);
	kill(pid, SIGCONT);
	CHECK("waitpid WCONTINUED", waitpid(pid, &status, WCONTINUED) == pid);
	printf("  continued %d\n", WIFCONTINUED(status));
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof(si));
	EXPECT_OK("waitid WSTOPPED|WNOWAIT",
		  waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT));
	printf("  code %s status %d\n", code_name(si.si_code), si.si_status);
	CHECK("  still reportable", waitpid(pid, &status, WUNTRACED) == pid);
	/* SIGKILL ends a stopped process. */
	kill(pid, SIGKILL);
	CHECK("waitpid killed", waitpid(pid, &status, 0) == pid);
	printf("  signaled %d by %d\n", WIFSIGNALED(status), WTERMSIG(status));
	show_codes(nocldstop ? "SIGCHLD codes with SA_NOCLDSTOP" :
			       "SIGCHLD codes");
	signal(SIGCHLD, SIG_DFL);
}

static volatile int tstp_hits;

static void on_tstp(int sig)
{
	tstp_hits++;
}

static void tstp_handler(void)
{
	volatile int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status;

	*sh = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTSTP, on_tstp);
		*sh = 1;
		while (!tstp_hits)
			pause();
		_exit(tstp_hits);
	}
	while (!*sh)
		usleep(1000);
	kill(pid, SIGTSTP);
	waitpid(pid, &status, WUNTRACED);
	printf("SIGTSTP with a handler: exited %d (%d), not stopped\n",
	       WIFEXITED(status), WEXITSTATUS(status));

	/* An orphaned group: SIGTSTP is discarded, SIGSTOP is not. */
	*sh = 0;
	pid = fork();
	if (pid == 0) {
		setsid();
		*sh = 1;
		for (;;)
			pause();
	}
	while (!*sh)
		usleep(1000);
	kill(pid, SIGTSTP);
	usleep(20000);
	printf("SIGTSTP in an orphaned group stops it: %d\n",
	       waitpid(pid, &status, WUNTRACED | WNOHANG) == pid);
	kill(pid, SIGSTOP);
	printf("SIGSTOP does: %d\n",
	       waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	munmap((void *)sh, 4096);
}

static void sleep_across_stop(void)
{
	int status;

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec a, b, ts = { 0, 200000000 };

		clock_gettime(CLOCK_MONOTONIC, &a);
		int r = nanosleep(&ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
		long ms = (b.tv_sec - a.tv_sec) * 1000 +
			  (b.tv_nsec - a.tv_nsec) / 1000000;
		/* Back only after the continue, and the sleep was whole. */
		_exit(r == 0 && ms >= 280 ? 0 : 1);
	}
	usleep(50000);
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	usleep(300000);
	kill(pid, SIGCONT);
	waitpid(pid, &status, 0);
	printf("nanosleep across a stop: exit %d\n", WEXITSTATUS(status));
}

static void ignored_sigchld(void)
{
	int status;

	signal(SIGCHLD, SIG_IGN);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	/* No zombie: wait blocks until the child is gone, then ECHILD. */
	errno = 0;
	pid_t r = waitpid(pid, &status, 0);
	printf("waitpid with SIGCHLD ignored: %d %s\n", (int)(r < 0 ? -1 : r),
	       errname(errno));
	signal(SIGCHLD, SIG_DFL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	stop_continue(0);
	stop_continue(1);
	tstp_handler();
	sleep_across_stop();
	ignored_sigchld();
	return guest_exit();
}
