/*
 * test_tty.c: the terminal layer (src/fs/tty.c, pty.c, console.c) through
 * the syscalls: canonical editing and echo, ISIG to the foreground group,
 * VMIN/VTIME on the fake clock, job control, controlling terminals, pty
 * hangups and the console as a tty. Expected bytes and errnos follow
 * termios(3), ioctl_tty(2), pty(7) and credentials(7).
 */
#include <stdio.h>
#include <string.h>

#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/tty.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include <uapi/signal.h>
#include <uapi/stat.h>
#include <uapi/termios.h>

#include "ktest.h"

#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_stat 4
#define NR_poll 7
#define NR_ioctl 16

#define UBUF_LEN (16 * 1024)
#define SIGBIT(s) (1ULL << ((s)-1))

static uint64_t ubuf;

static void boot(void)
{
	ktest_boot();
	ubuf = ktest_umap(UBUF_LEN, VM_READ | VM_WRITE);
}

static void trap_call(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		      uint64_t a2)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
}

/* Opens through a trap, as a guest would: the terminal looks at the
 * open call itself for O_NOCTTY. */
static long s_open(const char *path, int flags)
{
	struct thread *t = current;

	trap_call(t, NR_open, ktest_ustr(path), (uint64_t)flags, 0);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	return (long)t->uctx.rax;
}

static long s_write(int fd, const void *buf, size_t len)
{
	ktest_put(ubuf, buf, len);
	return ksys3(NR_write, fd, ubuf, len);
}

/* Reads into buf (NUL-terminated when it fits); the syscall's result. */
static long s_read(int fd, char *buf, size_t len)
{
	long n = ksys3(NR_read, fd, ubuf, len);

	if (n > 0) {
		ktest_get(buf, ubuf, (size_t)n);
		if ((size_t)n < len)
			buf[n] = 0;
	}
	return n;
}

static long s_ioctl_int(int fd, unsigned cmd, int *v)
{
	long r;

	ktest_put(ubuf, v, sizeof(*v));
	r = ksys3(NR_ioctl, fd, cmd, ubuf);
	ktest_get(v, ubuf, sizeof(*v));
	return r;
}

static void get_termios(int fd, struct termios *t)
{
	ck_assert_int_eq(ksys3(NR_ioctl, fd, TCGETS, ubuf), 0);
	ktest_get(t, ubuf, sizeof(*t));
}

static void set_termios(int fd, const struct termios *t)
{
	ktest_put(ubuf, t, sizeof(*t));
	ck_assert_int_eq(ksys3(NR_ioctl, fd, TCSETS, ubuf), 0);
}

/* A pty pair: *m the master, *s the slave (unlocked, opened O_NOCTTY
 * unless ctty). */
static void open_pty(int *m, int *s, bool ctty)
{
	int v = 0;
	char path[32];

	*m = (int)s_open("/dev/ptmx", O_RDWR);
	ck_assert_int_ge(*m, 0);
	ck_assert_int_eq(s_ioctl_int(*m, TIOCGPTN, &v), 0);
	snprintf(path, sizeof(path), "/dev/pts/%d", v);
	/* Locked until TIOCSPTLCK 0 (unlockpt). */
	ck_assert_int_eq(s_open(path, O_RDWR | O_NOCTTY), -EIO);
	v = 0;
	ck_assert_int_eq(s_ioctl_int(*m, TIOCSPTLCK, &v), 0);
	*s = (int)s_open(path, O_RDWR | (ctty ? 0 : O_NOCTTY));
	ck_assert_int_ge(*s, 0);
}

/* Everything the master can read now (the slave's output). */
static size_t drain_master(int m, char *buf, size_t len)
{
	size_t got = 0;
	int v = 0;

	ck_assert_int_eq(s_ioctl_int(m, FIONREAD, &v), 0);
	if (v == 0)
		return 0;
	got = (size_t)s_read(m, buf, len - 1);
	buf[got] = 0;
	return got;
}

static uint64_t pending(void)
{
	return current->sig_pending | current->task->sig_pending;
}

START_TEST(canonical_editing_and_echo)
{
	char buf[256];
	int m, s;

	boot();
	open_pty(&m, &s, false);
	/* VERASE (DEL) with ECHOE: "\b \b" over the erased byte. */
	ck_assert_int_eq(s_write(m,
				 "ab\x7f"
				 "c\n",
				 5),
			 5);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "ac\n");
	drain_master(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ab\b \bc\r\n");
	/* VWERASE (^W) takes the word and the blanks after it. */
	s_write(m,
		"foo bar  \x17"
		"baz\n",
		14);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 8);
	ck_assert_str_eq(buf, "foo baz\n");
	drain_master(m, buf, sizeof(buf));
	/* VKILL (^U) with ECHOKE: the line is erased on the screen. */
	s_write(m,
		"xyz\x15"
		"ok\n",
		7);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "ok\n");
	drain_master(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "xyz\b \b\b \b\b \bok\r\n");
	/* A tab is erased by backing up to where it began (7 columns
	 * after "a"), as Linux does. */
	s_write(m, "a\t\x7f\x7f\n", 5);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 1);
	drain_master(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "a\t\b\b\b\b\b\b\b\b \b\r\n");
	/* One line per read, and a short buffer leaves the rest. */
	s_write(m, "one\ntwo\n", 8);
	ck_assert_int_eq(s_read(s, buf, 2), 2);
	ck_assert_int_eq(memcmp(buf, "on", 2), 0);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "e\n");
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "two\n");
	/* VEOF ends a line without itself; alone it reads as end of file. */
	s_write(m, "abc\x04", 4);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 3);
	ck_assert_int_eq(memcmp(buf, "abc", 3), 0);
	s_write(m, "\x04", 1);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 0);
	/* VEOL set by the program ends a line too. */
	struct termios t;
	get_termios(s, &t);
	t.c_cc[VEOL] = ';';
	set_termios(s, &t);
	s_write(m, "a;b", 3);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "a;");
	/* No complete line: a non-blocking read says EAGAIN. */
	ck_assert_int_eq(ksys3(72 /* fcntl */, s, F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), -EAGAIN);
}
END_TEST

START_TEST(echo_flags_and_input_mapping)
{
	struct termios t;
	char buf[256];
	int m, s;

	boot();
	open_pty(&m, &s, false);
	/* ECHOCTL shows control bytes as ^X; ICRNL maps CR to NL. */
	s_write(m, "\x01x\r", 3);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "\x01x\n");
	drain_master(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "^Ax\r\n");
	/* -ECHO +ECHONL: only the newline is echoed. */
	get_termios(s, &t);
	t.c_lflag &= ~(unsigned)ECHO;
	t.c_lflag |= ECHONL;
	set_termios(s, &t);
	s_write(m, "secret\r", 7);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 7);
	drain_master(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "\r\n");
	/* IGNCR drops CR; INLCR makes NL a CR (then no line ends). */
	t.c_lflag &= ~(unsigned)ECHONL;
	t.c_iflag |= IGNCR;
	set_termios(s, &t);
	s_write(m, "a\rb\n", 4);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "ab\n");
	/* -OPOST: output goes out as written; +OPOST ONLCR: NL is CR NL. */
	s_write(s, "x\n", 2);
	drain_master(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "x\r\n");
	t.c_oflag &= ~(unsigned)OPOST;
	set_termios(s, &t);
	s_write(s, "y\n", 2);
	drain_master(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "y\n");
	/* Defaults that glibc's and musl's cfmakeraw/stty rely on. */
	get_termios(m, &t);
	ck_assert_uint_eq(t.c_cc[VERASE], 0177);
	ck_assert_uint_eq(t.c_cc[VINTR], 3);
}
END_TEST

START_TEST(isig_signals_the_foreground_group)
{
	struct task *other;
	char buf[64];
	int m, s, v;

	boot();
	/* Init leads its session: an open without O_NOCTTY makes the slave
	 * its controlling terminal, with init's group in the foreground. */
	open_pty(&m, &s, true);
	ck_assert_int_eq(s_ioctl_int(s, TIOCGPGRP, &v), 0);
	ck_assert_int_eq(v, current->task->pgid);
	ck_assert_int_eq(s_ioctl_int(s, TIOCGSID, &v), 0);
	ck_assert_int_eq(v, current->task->sid);
	/* A task of another group in the session gets nothing. */
	other = task_create(current->task);
	ck_assert_ptr_nonnull(other);
	other->pgid = other->pid;
	/* SIGWINCH is ignored by default: a handler makes it stay. */
	other->sigactions[SIGWINCH - 1].handler = 0x1000;
	current->sigmask |= SIGBIT(SIGINT) | SIGBIT(SIGQUIT) | SIGBIT(SIGTSTP) |
			    SIGBIT(SIGWINCH);
	s_write(m, "abc", 3);
	s_write(m, "\x03", 1);
	ck_assert(pending() & SIGBIT(SIGINT));
	ck_assert(!(other->sig_pending & SIGBIT(SIGINT)));
	/* The partial line was flushed; ^C was echoed. */
	ck_assert_int_eq(s_ioctl_int(s, FIONREAD, &v), 0);
	s_write(m, "\n", 1);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 1);
	drain_master(m, buf, sizeof(buf));
	ck_assert(strstr(buf, "^C") != NULL);
	/* ^\ and ^Z; with NOFLSH the input stays. */
	struct termios t;
	get_termios(s, &t);
	t.c_lflag |= NOFLSH;
	set_termios(s, &t);
	s_write(m, "xy\x1c", 3);
	ck_assert(pending() & SIGBIT(SIGQUIT));
	s_write(m, "\x1a\n", 2);
	ck_assert(pending() & SIGBIT(SIGTSTP));
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "xy\n");
	/* -ISIG: ^C is a plain byte. */
	t.c_lflag &= ~(unsigned)ISIG;
	set_termios(s, &t);
	current->task->sig_pending = current->sig_pending = 0;
	s_write(m, "\x03\n", 2);
	ck_assert(!(pending() & SIGBIT(SIGINT)));
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 2);
	ck_assert_int_eq(buf[0], 3);
	/* The foreground group moves to the other group: SIGWINCH from the
	 * master's TIOCSWINSZ goes there, and only when the size changes. */
	v = other->pgid;
	ck_assert_int_eq(s_ioctl_int(s, TIOCSPGRP, &v), 0);
	struct winsize ws = { 30, 100, 0, 0 };
	ktest_put(ubuf, &ws, sizeof(ws));
	ck_assert_int_eq(ksys3(NR_ioctl, m, TIOCSWINSZ, ubuf), 0);
	ck_assert(other->sig_pending & SIGBIT(SIGWINCH));
	ck_assert(!(pending() & SIGBIT(SIGWINCH)));
	other->sig_pending = 0;
	ck_assert_int_eq(ksys3(NR_ioctl, m, TIOCSWINSZ, ubuf), 0);
	ck_assert(!(other->sig_pending & SIGBIT(SIGWINCH)));
	memset(&ws, 0, sizeof(ws));
	ktest_put(ubuf, &ws, sizeof(ws));
	ck_assert_int_eq(ksys3(NR_ioctl, s, TIOCGWINSZ, ubuf), 0);
	ktest_get(&ws, ubuf, sizeof(ws));
	ck_assert_uint_eq(ws.ws_row, 30);
	ck_assert_uint_eq(ws.ws_col, 100);
	/* Errors of TIOCSPGRP (now from the background: SIGTTOU blocked,
	 * else init's orphaned group would get ENOTTY). */
	current->sigmask |= SIGBIT(SIGTTOU);
	v = -1;
	ck_assert_int_eq(s_ioctl_int(s, TIOCSPGRP, &v), -EINVAL);
	v = 99999;
	ck_assert_int_eq(s_ioctl_int(s, TIOCSPGRP, &v), -ESRCH);
}
END_TEST

START_TEST(background_read_gets_sigttin)
{
	struct task *other;
	char buf[16];
	int m, s, v;

	boot();
	open_pty(&m, &s, true);
	other = task_create(current->task);
	other->pgid = other->pid;
	v = other->pgid;
	ck_assert_int_eq(s_ioctl_int(s, TIOCSPGRP, &v), 0);
	/* SIGTTIN blocked: the background read fails with EIO. */
	current->sigmask |= SIGBIT(SIGTTIN);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), -EIO);
	/* With SIGTTOU blocked a background task may change the settings,
	 * and with TOSTOP write. */
	struct termios t;
	current->sigmask |= SIGBIT(SIGTTOU);
	get_termios(s, &t);
	t.c_lflag |= TOSTOP;
	set_termios(s, &t);
	ck_assert_int_eq(s_write(s, "w", 1), 1);
	/* Unblocked: current's group is orphaned here (init's), so EIO. */
	current->sigmask &= ~SIGBIT(SIGTTOU);
	ck_assert_int_eq(s_write(s, "w", 1), -EIO);
	/* Outside the terminal's session nothing applies: a master. */
	ck_assert_int_eq(s_ioctl_int(m, TIOCGPGRP, &v), 0);
	ck_assert_int_eq(v, other->pgid);
}
END_TEST

START_TEST(vmin_vtime)
{
	struct thread *t;
	struct termios tio;
	char buf[16];
	int m, s;

	boot();
	t = current;
	open_pty(&m, &s, false);
	get_termios(s, &tio);
	tio.c_lflag &= ~(unsigned)(ICANON | ECHO);
	/* MIN 0, TIME 0: a poll, 0 when nothing is there. */
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	set_termios(s, &tio);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 0);
	s_write(m, "ab", 2);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 2);
	/* MIN 0, TIME 5: 0 after half a second without input. */
	tio.c_cc[VTIME] = 5;
	set_termios(s, &tio);
	trap_call(t, NR_read, (uint64_t)s, ubuf, 8);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(400000000ULL);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(100000000ULL);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 0);
	/* ... or the first byte at once. */
	trap_call(t, NR_read, (uint64_t)s, ubuf, 8);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	s_write(m, "z", 1);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 1);
	/* MIN 3, TIME 0: waits for three bytes. */
	tio.c_cc[VMIN] = 3;
	tio.c_cc[VTIME] = 0;
	set_termios(s, &tio);
	trap_call(t, NR_read, (uint64_t)s, ubuf, 8);
	s_write(m, "12", 2);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	s_write(m, "3", 1);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 3);
	ktest_get(buf, ubuf, 3);
	ck_assert_int_eq(memcmp(buf, "123", 3), 0);
	/* A read asking less than MIN returns when that much is there. */
	s_write(m, "45", 2);
	ck_assert_int_eq(s_read(s, buf, 2), 2);
	/* MIN 5, TIME 2: an inter-byte timer started by the first byte. */
	tio.c_cc[VMIN] = 5;
	tio.c_cc[VTIME] = 2;
	set_termios(s, &tio);
	trap_call(t, NR_read, (uint64_t)s, ubuf, 8);
	hal_test_advance_ns(1000000000ULL); /* no byte: no timer */
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	s_write(m, "xy", 2);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(200000000ULL);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 2);
}
END_TEST

START_TEST(pty_hangup_and_nodes)
{
	struct stat st;
	char buf[16];
	int m, s, m2, s2, v;

	boot();
	open_pty(&m, &s, false);
	ck_assert_int_eq(s_ioctl_int(m, TIOCGPTN, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(ksys2(NR_stat, ktest_ustr("/dev/pts/0"), ubuf), 0);
	ktest_get(&st, ubuf, sizeof(st));
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_uint_eq(st.st_rdev, uapi_makedev(136, 0));
	/* A second pair is pts 1; the slave has no TIOCGPTN. */
	open_pty(&m2, &s2, false);
	ck_assert_int_eq(s_ioctl_int(m2, TIOCGPTN, &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(s_ioctl_int(s2, TIOCGPTN, &v), -ENOTTY);
	/* Slave output stays readable after its last close; then EIO. */
	s_write(s2, "bye", 3);
	ck_assert_int_eq(ksys1(NR_close, s2), 0);
	ck_assert_int_eq(s_read(m2, buf, sizeof(buf)), 3);
	ck_assert_int_eq(s_read(m2, buf, sizeof(buf)), -EIO);
	/* The master's close hangs the slave up and removes the node. */
	ck_assert_int_eq(ksys1(NR_close, m), 0);
	ck_assert_int_eq(s_read(s, buf, sizeof(buf)), 0);
	ck_assert_int_eq(s_write(s, "x", 1), -EIO);
	ck_assert_int_eq(ksys2(NR_stat, ktest_ustr("/dev/pts/0"), ubuf),
			 -ENOENT);
	ck_assert_int_eq(ksys1(NR_close, s), 0);
	/* pts 0 is free again. */
	ck_assert_int_eq(s_open("/dev/pts/0", O_RDWR), -ENOENT);
	m = (int)s_open("/dev/ptmx", O_RDWR);
	ck_assert_int_eq(s_ioctl_int(m, TIOCGPTN, &v), 0);
	ck_assert_int_eq(v, 0);
}
END_TEST

START_TEST(controlling_terminal)
{
	struct linux_pollfd p;
	char buf[16];
	int m, s, v, fd;

	boot();
	/* No controlling terminal yet (the test console is not a tty). */
	ck_assert_int_eq(s_open("/dev/tty", O_RDWR), -ENXIO);
	open_pty(&m, &s, false);
	ck_assert_int_eq(s_ioctl_int(s, TIOCGPGRP, &v), -ENOTTY);
	ck_assert_int_eq(ksys3(NR_ioctl, s, TIOCSCTTY, 0), 0);
	ck_assert_int_eq(s_ioctl_int(s, TIOCGSID, &v), 0);
	ck_assert_int_eq(v, current->task->sid);
	/* /dev/tty is now the slave. */
	fd = (int)s_open("/dev/tty", O_RDWR);
	ck_assert_int_ge(fd, 0);
	s_write(fd, "via tty\n", 8);
	drain_master(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "via tty\r\n");
	/* poll: a complete line makes the slave readable. */
	p.fd = s;
	p.events = POLLIN | POLLOUT;
	p.revents = 0;
	ktest_put(ubuf, &p, sizeof(p));
	ck_assert_int_eq(ksys3(NR_poll, ubuf, 1, 0), 1);
	ktest_get(&p, ubuf, sizeof(p));
	ck_assert_int_eq(p.revents, POLLOUT);
	s_write(m, "l\n", 2);
	ktest_put(ubuf, &p, sizeof(p));
	ck_assert_int_eq(ksys3(NR_poll, ubuf, 1, 0), 1);
	ktest_get(&p, ubuf, sizeof(p));
	ck_assert_int_eq(p.revents, POLLIN | POLLOUT);
	/* The session leader's exit hook: the session loses the terminal. */
	current->sigmask |= SIGBIT(SIGHUP);
	tty_session_leader_exit(current->task->sid);
	ck_assert(pending() & SIGBIT(SIGHUP));
	ck_assert_int_eq(s_ioctl_int(s, TIOCGPGRP, &v), -ENOTTY);
	ck_assert_int_eq(s_open("/dev/tty", O_RDWR), -ENXIO);
	/* TIOCNOTTY on a terminal that is not ours. */
	ck_assert_int_eq(ksys3(NR_ioctl, s, TIOCNOTTY, 0), -ENOTTY);
}
END_TEST

START_TEST(console_is_a_tty)
{
	struct termios t;
	char buf[64];
	const char *out;
	size_t len;
	int v;

	hal_test_console_set_tty(true);
	boot();
	/* The core runs the line discipline: the host side is raw. */
	ck_assert(hal_test_console_raw());
	ck_assert_int_eq(s_ioctl_int(0, TIOCGPGRP, &v), 0);
	ck_assert_int_eq(v, current->task->pgid);
	hal_test_console_feed("hi\x7f\x7fok\r", 7);
	ck_assert_int_eq(s_read(0, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "ok\n");
	out = hal_test_console_out(&len);
	ck_assert(memmem(out, len, "hi\b \b\b \bok\r\n", 12) != NULL);
	/* Output processing: NL becomes CR NL. */
	ck_assert_int_eq(s_write(1, "a\n", 2), 2);
	out = hal_test_console_out(&len);
	ck_assert(len >= 3 && memcmp(out + len - 3, "a\r\n", 3) == 0);
	/* ^C reaches the foreground group while nobody reads. */
	current->sigmask |= SIGBIT(SIGINT) | SIGBIT(SIGWINCH);
	hal_test_console_feed("\x03", 1);
	ck_assert(pending() & SIGBIT(SIGINT));
	/* A resize on the host: SIGWINCH and the new size. */
	hal_test_console_set_winsize(50, 132);
	kern_console_resize();
	ck_assert(pending() & SIGBIT(SIGWINCH));
	ck_assert_int_eq(ksys3(NR_ioctl, 1, TIOCGWINSZ, ubuf), 0);
	struct winsize ws;
	ktest_get(&ws, ubuf, sizeof(ws));
	ck_assert_uint_eq(ws.ws_row, 50);
	ck_assert_uint_eq(ws.ws_col, 132);
	/* /dev/tty is the console. */
	ck_assert_int_ge(s_open("/dev/tty", O_RDWR), 0);
	get_termios(2, &t);
	ck_assert(t.c_lflag & ICANON);
	/* End of host input: reads return 0. */
	hal_test_console_eof();
	ck_assert_int_eq(s_read(0, buf, sizeof(buf)), 0);
}
END_TEST

KTEST_SUITE(tty_suite)
{
	Suite *s = suite_create("tty");
	TCase *c = tcase_create("tty");

	tcase_add_test(c, canonical_editing_and_echo);
	tcase_add_test(c, echo_flags_and_input_mapping);
	tcase_add_test(c, isig_signals_the_foreground_group);
	tcase_add_test(c, background_read_gets_sigttin);
	tcase_add_test(c, vmin_vtime);
	tcase_add_test(c, pty_hangup_and_nodes);
	tcase_add_test(c, controlling_terminal);
	tcase_add_test(c, console_is_a_tty);
	suite_add_tcase(s, c);
	return s;
}
