/*
 * Guest: an interactive shell on a pseudo-terminal, as script(1) or an
 * ssh server runs one. The parent opens a pty pair (posix_openpt), forks
 * a child that starts a session, takes the slave as its controlling
 * terminal (TIOCSCTTY), makes it fds 0-2 and execs busybox sh; the
 * parent types commands on the master and checks what the shell prints:
 * arithmetic, stty's view of the terminal, ^C ending a foreground sleep
 * (SIGINT to the foreground group, status 130), and the exit status.
 * GUEST_ARGS: /bin/busybox
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static int mfd;
static char out[65536];
static size_t out_len;

/* Reads the master until needle shows up after offset from, or timeout
 * seconds pass; returns whether it was found. */
static int wait_for(const char *needle, size_t from, int timeout)
{
	struct pollfd p = { .fd = mfd, .events = POLLIN };
	time_t end = time(NULL) + timeout;

	for (;;) {
		out[out_len] = 0;
		if (from <= out_len && strstr(out + from, needle))
			return 1;
		if (time(NULL) > end || out_len + 1 >= sizeof(out))
			return 0;
		if (poll(&p, 1, 200) == 1) {
			ssize_t n = read(mfd, out + out_len,
					 sizeof(out) - 1 - out_len);

			if (n <= 0)
				return 0;
			out_len += (size_t)n;
		}
	}
}

static void type(const char *s)
{
	if (write(mfd, s, strlen(s)) != (ssize_t)strlen(s))
		printf("short write on the master\n");
}

/* The line of the transcript that holds needle (after from), without
 * its CR LF. */
static void show_line(const char *what, const char *needle, size_t from)
{
	char *p = strstr(out + from, needle), *e;

	if (!p) {
		printf("%s: (missing)\n", what);
		guest_failures++;
		return;
	}
	while (p > out && p[-1] != '\n')
		p--;
	e = strchr(p, '\r');
	if (!e)
		e = strchr(p, '\n');
	printf("%s: %.*s\n", what, e ? (int)(e - p) : (int)strlen(p), p);
}

int main(int argc, char **argv)
{
	const char *busybox = argc > 1 ? argv[1] : "/bin/busybox";
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	size_t mark;
	pid_t pid;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	mfd = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK("posix_openpt", mfd >= 0);
	CHECK("grantpt", grantpt(mfd) == 0);
	CHECK("unlockpt", unlockpt(mfd) == 0);
	CHECK("TIOCSWINSZ", ioctl(mfd, TIOCSWINSZ, &ws) == 0);
	char *name = ptsname(mfd);
	CHECK("ptsname", name != NULL);
	pid = fork();
	if (pid == 0) {
		int s;

		setsid();
		s = open(name, O_RDWR | O_NOCTTY);
		if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
			_exit(120);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (s > 2)
			close(s);
		close(mfd);
		char *env[] = { "PS1=$ ", "PATH=/bin:/usr/bin", "HOME=/",
				"TERM=dumb", NULL };
		execle(busybox, "sh", "-i", (char *)NULL, env);
		_exit(121);
	}
	CHECK("first prompt", wait_for("$ ", 0, 20));

	mark = out_len;
	type("echo $((6*7))\n");
	CHECK("arithmetic", wait_for("\r\n42\r\n", mark, 20));

	mark = out_len;
	type("stty -a | head -1\n");
	CHECK("stty", wait_for("speed ", mark, 20));
	wait_for("$ ", mark + 1, 5);
	show_line("stty -a", "speed ", mark);

	mark = out_len;
	type("stty size\n");
	CHECK("stty size", wait_for("24 80", mark, 20));

	/* ^C while sleep runs in the foreground. */
	mark = out_len;
	type("sleep 100\n");
	CHECK("sleep echoed", wait_for("sleep 100\r\n", mark, 20));
	usleep(1500000);
	type("\003");
	mark = out_len;
	type("echo st=$?\n");
	CHECK("sleep interrupted", wait_for("st=130", mark, 20));

	/* Line editing of the shell's own: typed with a DEL. */
	mark = out_len;
	type("echo abX\177c\n");
	CHECK("edited line", wait_for("\r\nabc\r\n", mark, 20));

	type("exit 5\n");
	waitpid(pid, &st, 0);
	printf("shell: %s %d\n", WIFEXITED(st) ? "exit" : "signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	/* The slave is gone: the master reads what is left, then EIO. */
	char buf[256];
	ssize_t n;
	while ((n = read(mfd, buf, sizeof(buf))) > 0)
		;
	printf("master at the end: %s\n", n < 0 ? errname(errno) : "EOF");
	return guest_exit();
}
