/*
 * Guest: terminal settings and the line discipline on a pseudo-terminal
 * (termios(3), ioctl_tty(2), pty(7)). posix_openpt/grantpt/unlockpt/
 * ptsname as the libc does them; the slave's default termios; canonical
 * reads a line at a time with erase and kill; echo with ONLCR as the
 * master sees it; raw reads with VMIN and VTIME; FIONREAD; window size
 * through the master; a controlling terminal acquired by a session
 * leader's open and /dev/tty; the hangups of either side.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER 0x5441 /* _IO('T', 0x41), Linux 4.13 */
#endif

static int mfd, sfd;

/* Reads what the master has within ms milliseconds into buf (NUL-ended). */
static int master_take(char *buf, int len, int ms)
{
	struct pollfd p = { .fd = mfd, .events = POLLIN };
	int got = 0;

	while (got < len - 1 && poll(&p, 1, ms) == 1) {
		int n = (int)read(mfd, buf + got, (size_t)(len - 1 - got));

		if (n <= 0)
			break;
		got += n;
		ms = 50;
	}
	buf[got] = 0;
	return got;
}

static void show_bytes(const char *what, const char *s, int n)
{
	printf("%s: \"", what);
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\"\n");
}

static void defaults(void)
{
	struct termios t;

	EXPECT_OK("tcgetattr slave", tcgetattr(sfd, &t));
	printf("iflag %#lx oflag %#lx cflag %#lx lflag %#lx\n",
	       (unsigned long)t.c_iflag, (unsigned long)t.c_oflag,
	       (unsigned long)t.c_cflag, (unsigned long)t.c_lflag);
	printf("cc:");
	for (int i = VINTR; i <= VEOL2; i++)
		printf(" %d", t.c_cc[i]);
	printf("\n");
	printf("ospeed %s\n", cfgetospeed(&t) == B38400 ? "38400" : "other");
	CHECK("isatty master", isatty(mfd));
	CHECK("isatty slave", isatty(sfd));
	struct termios m;
	EXPECT_OK("tcgetattr master", tcgetattr(mfd, &m));
	CHECK("master reports the slave's lflag", m.c_lflag == t.c_lflag);
}

static void canonical(void)
{
	char buf[128];
	int n, v;

	EXPECT_OK("write 2 lines", write(mfd, "line1\nline2\n", 12));
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("read 1", buf, n);
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("read 2", buf, n);
	n = master_take(buf, sizeof(buf), 500);
	show_bytes("echo", buf, n);
	/* DEL erases, ^U kills, ^W erases a word. */
	EXPECT_OK("write edits", write(mfd,
				       "abX\x7f"
				       "c\n",
				       6));
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("erase", buf, n);
	EXPECT_OK("write kill", write(mfd, "junk\x15ok\n", 8));
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("kill", buf, n);
	EXPECT_OK("write werase", write(mfd, "one two\x17three\n", 14));
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("werase", buf, n);
	n = master_take(buf, sizeof(buf), 500);
	show_bytes("edit echo", buf, n);
	/* FIONREAD counts complete lines only. */
	EXPECT_OK("write partial", write(mfd, "part", 4));
	usleep(100000);
	EXPECT_OK("FIONREAD partial", ioctl(sfd, FIONREAD, &v));
	printf("inq %d\n", v);
	EXPECT_OK("write end", write(mfd, "\n", 1));
	usleep(100000);
	EXPECT_OK("FIONREAD line", ioctl(sfd, FIONREAD, &v));
	printf("inq %d\n", v);
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("line", buf, n);
	/* ^D: the line without it, then end of file. */
	EXPECT_OK("write eof", write(mfd, "xy\x04\x04", 4));
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("before eof", buf, n);
	SHOW("eof read", read(sfd, buf, sizeof(buf)));
	master_take(buf, sizeof(buf), 200);
	/* Output processing of the slave's writes. */
	EXPECT_OK("slave write", write(sfd, "a\nb\n", 4));
	n = master_take(buf, sizeof(buf), 500);
	show_bytes("onlcr", buf, n);
}

static void raw(void)
{
	struct termios t, saved;
	struct pollfd p = { .events = POLLIN };
	char buf[64];
	int n;

	tcgetattr(sfd, &saved);
	t = saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	EXPECT_OK("tcsetattr raw", tcsetattr(sfd, TCSANOW, &t));
	EXPECT_OK("write 2", write(mfd, "ab", 2));
	p.fd = sfd;
	SHOW("poll below VMIN", poll(&p, 1, 200));
	EXPECT_OK("write 1", write(mfd, "c", 1));
	SHOW("poll at VMIN", poll(&p, 1, 1000));
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("raw read", buf, n);
	/* VMIN 0, VTIME 2: nothing comes, the read gives 0. */
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 2;
	EXPECT_OK("tcsetattr vtime", tcsetattr(sfd, TCSANOW, &t));
	SHOW("timed read", read(sfd, buf, sizeof(buf)));
	/* VMIN 0 VTIME 0: a poll of the queue. */
	t.c_cc[VTIME] = 0;
	EXPECT_OK("tcsetattr poll", tcsetattr(sfd, TCSANOW, &t));
	SHOW("empty read", read(sfd, buf, sizeof(buf)));
	/* Control bytes pass as data; the echo stays off. */
	EXPECT_OK("write ctl", write(mfd, "\x01\x7f", 2));
	usleep(100000);
	n = (int)read(sfd, buf, sizeof(buf));
	show_bytes("raw ctl", buf, n);
	SHOW("no echo", master_take(buf, sizeof(buf), 200));
	/* TCSAFLUSH drops unread input. */
	EXPECT_OK("write junk", write(mfd, "junk", 4));
	usleep(100000);
	EXPECT_OK("tcsetattr flush", tcsetattr(sfd, TCSAFLUSH, &saved));
	int v = -1;
	ioctl(sfd, FIONREAD, &v);
	printf("after flush %d\n", v);
}

static void winsize(void)
{
	struct winsize ws = { 0 };

	EXPECT_OK("TIOCGWINSZ", ioctl(sfd, TIOCGWINSZ, &ws));
	printf("size %dx%d\n", ws.ws_row, ws.ws_col);
	ws.ws_row = 33;
	ws.ws_col = 111;
	EXPECT_OK("TIOCSWINSZ master", ioctl(mfd, TIOCSWINSZ, &ws));
	memset(&ws, 0, sizeof(ws));
	EXPECT_OK("TIOCGWINSZ slave", ioctl(sfd, TIOCGWINSZ, &ws));
	printf("size %dx%d\n", ws.ws_row, ws.ws_col);
}

/* In a new session: no controlling terminal, then the slave becomes one
 * when the leader opens it without O_NOCTTY. */
static void session(const char *slave)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int fd, v;

		setsid();
		EXPECT_ERR("/dev/tty without ctty", open("/dev/tty", O_RDWR),
			   ENXIO);
		EXPECT_ERR("TIOCGPGRP not ctty", ioctl(sfd, TIOCGPGRP, &v),
			   ENOTTY);
		fd = open(slave, O_RDWR | O_NOCTTY);
		EXPECT_ERR("O_NOCTTY open leaves no ctty",
			   open("/dev/tty", O_RDWR), ENXIO);
		close(fd);
		fd = open(slave, O_RDWR);
		CHECK("open slave", fd >= 0);
		v = -1;
		EXPECT_OK("TIOCGSID", ioctl(fd, TIOCGSID, &v));
		CHECK("sid is ours", v == getpid());
		CHECK("tcgetpgrp is ours", tcgetpgrp(fd) == getpgrp());
		fd = open("/dev/tty", O_RDWR);
		CHECK("/dev/tty opens", fd >= 0);
		EXPECT_OK("write /dev/tty", write(fd, "T\n", 2));
		fflush(stdout);
		_exit(guest_failures);
	}
	waitpid(pid, &st, 0);
	CHECK("child ok", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char buf[64];
	int n = master_take(buf, sizeof(buf), 500);
	show_bytes("via /dev/tty", buf, n);
	/* Not a session leader (a child: this process may lead a session,
	 * as init does under Ember): TIOCSCTTY fails. */
	pid = fork();
	if (pid == 0) {
		EXPECT_ERR("TIOCSCTTY non-leader", ioctl(sfd, TIOCSCTTY, 0),
			   EPERM);
		_exit(guest_failures);
	}
	waitpid(pid, &st, 0);
	CHECK("child 2 ok", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* TIOCPKT: data comes with a 0 byte in front, events as one status byte. */
static void packet(void)
{
	unsigned char buf[64];
	int on = 1, n;

	EXPECT_OK("TIOCPKT on", ioctl(mfd, TIOCPKT, &on));
	EXPECT_OK("slave write", write(sfd, "pk", 2));
	n = (int)read(mfd, buf, sizeof(buf));
	show_bytes("packet data", (char *)buf, n);
	EXPECT_OK("tcflush slave input", tcflush(sfd, TCIFLUSH));
	n = (int)read(mfd, buf, sizeof(buf));
	show_bytes("packet flush", (char *)buf, n);
	EXPECT_OK("type ^S", write(mfd, "\023", 1));
	n = master_take((char *)buf, sizeof(buf), 500);
	show_bytes("packet stop", (char *)buf, n);
	EXPECT_OK("type ^Q", write(mfd, "\021", 1));
	n = master_take((char *)buf, sizeof(buf), 500);
	show_bytes("packet start", (char *)buf, n);
	on = 0;
	EXPECT_OK("TIOCPKT off", ioctl(mfd, TIOCPKT, &on));
}

/* A background group of the terminal's session: a read stops it with
 * SIGTTIN, a write with TOSTOP set stops it with SIGTTOU, a write without
 * TOSTOP goes through; in the foreground its read proceeds. */
static void job_control(const char *slave)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct termios t;
		char c[8];
		int fd;
		pid_t bg;

		setsid();
		fd = open(slave, O_RDWR);
		signal(SIGTTOU, SIG_IGN); /* tcsetpgrp from the background */
		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			_exit((int)read(fd, c, sizeof(c)));
		}
		setpgid(bg, bg);
		waitpid(bg, &st, WUNTRACED);
		CHECK("background read stops with SIGTTIN",
		      WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN);
		EXPECT_OK("tcsetpgrp to it", tcsetpgrp(fd, bg));
		kill(bg, SIGCONT);
		EXPECT_OK("type a line", write(mfd, "fg\n", 3));
		waitpid(bg, &st, 0);
		CHECK("in the foreground it reads the line",
		      WIFEXITED(st) && WEXITSTATUS(st) == 3);
		EXPECT_OK("tcsetpgrp back", tcsetpgrp(fd, getpgrp()));

		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			_exit((int)write(fd, "bg\n", 3));
		}
		setpgid(bg, bg);
		waitpid(bg, &st, WUNTRACED);
		CHECK("background write without TOSTOP",
		      WIFEXITED(st) && WEXITSTATUS(st) == 3);
		tcgetattr(fd, &t);
		t.c_lflag |= TOSTOP;
		tcsetattr(fd, TCSANOW, &t);
		bg = fork();
		if (bg == 0) {
			signal(SIGTTOU, SIG_DFL);
			setpgid(0, 0);
			_exit((int)write(fd, "no\n", 3));
		}
		setpgid(bg, bg);
		waitpid(bg, &st, WUNTRACED);
		CHECK("background write with TOSTOP stops with SIGTTOU",
		      WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
		kill(bg, SIGKILL);
		waitpid(bg, &st, 0);
		t.c_lflag &= ~(tcflag_t)TOSTOP;
		tcsetattr(fd, TCSANOW, &t);
		_exit(guest_failures);
	}
	waitpid(pid, &st, 0);
	CHECK("job control child ok", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char buf[128];
	int n = master_take(buf, sizeof(buf), 500);
	show_bytes("job control output", buf, n);
}

int main(void)
{
	char *name;
	char buf[64];
	struct stat st;

	setvbuf(stdout, NULL, _IONBF, 0);
	mfd = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK("posix_openpt", mfd >= 0);
	EXPECT_OK("grantpt", grantpt(mfd));
	name = ptsname(mfd);
	CHECK("ptsname", name && strncmp(name, "/dev/pts/", 9) == 0);
	EXPECT_ERR("open locked slave", open(name, O_RDWR | O_NOCTTY), EIO);
	EXPECT_OK("unlockpt", unlockpt(mfd));
	EXPECT_OK("stat slave", stat(name, &st));
	CHECK("slave is a char device", S_ISCHR(st.st_mode));
	sfd = open(name, O_RDWR | O_NOCTTY);
	CHECK("open slave", sfd >= 0);
	CHECK("ttyname", ttyname(sfd) && strcmp(ttyname(sfd), name) == 0);
	/* TIOCGPTPEER: the slave opened from the master itself. */
	int peer = ioctl(mfd, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	CHECK("TIOCGPTPEER", peer >= 0);
	CHECK("peer is the slave",
	      peer >= 0 && ttyname(peer) && strcmp(ttyname(peer), name) == 0);
	close(peer);
	defaults();
	canonical();
	raw();
	winsize();
	session(name);
	packet();
	job_control(name);
	/* Slave side closed everywhere: the master reads EIO. */
	close(sfd);
	EXPECT_ERR("master read after slave close", read(mfd, buf, 1), EIO);
	/* Master closed: the slave hung up. */
	sfd = open(name, O_RDWR | O_NOCTTY);
	CHECK("reopen slave", sfd >= 0);
	close(mfd);
	SHOW("slave read after hangup", read(sfd, buf, 1));
	EXPECT_ERR("slave write after hangup", write(sfd, "x", 1), EIO);
	close(sfd);
	return guest_exit();
}
