/*
 * The hosted console: the guest's console streams are the kernel's own
 * stdin, stdout and stderr. Input readiness is watched through a private
 * epoll set (so libuv never switches the shared tty to non-blocking mode
 * behind the guest's back); a regular file or /dev/null on stdin is
 * always ready. When the core runs the terminal itself (a terminal on
 * stdin), the host terminal is raw while Ember runs; its settings come
 * back at exit, on a fatal signal, and through a guardian process even
 * when the kernel is killed with SIGKILL.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hosted.h"

static int epfd = -1;
static bool in_always_ready; /* stdin cannot be polled: a file */
static bool in_armed;
static bool in_closed;

void console_init(void)
{
	struct epoll_event ev = { .events = 0 };

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		perror("ember: epoll_create1");
		hal_halt(125);
	}
	if (fcntl(STDIN_FILENO, F_GETFL) < 0) {
		in_closed = true;
		return;
	}
	/* Only a probe: the fd is in the set only while the core waits for
	 * input (a hung-up pipe would otherwise report EPOLLHUP forever). */
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev) < 0)
		in_always_ready = true;
	else
		epoll_ctl(epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
}

int console_epoll_fd(void)
{
	return epfd;
}

/* ---- raw mode and its guardian ---- */

static struct termios saved_tio;
static bool saved_valid, raw_on;
static int guard_fd = -1; /* write end: a byte says "already restored" */

/*
 * The guardian: a grandchild in its own session holding the saved
 * settings and the read end of a pipe whose only writer is the kernel.
 * EOF on it (the kernel died, whatever killed it) makes the guardian
 * restore the terminal; a byte means the kernel restored it itself.
 */
static void guardian_run(int rfd)
{
	char c;
	ssize_t n;

	setsid();
	signal(SIGTTOU, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	for (int fd = 0; fd < 1024; fd++)
		if (fd != rfd && fd != STDIN_FILENO)
			close(fd);
	do
		n = read(rfd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	_exit(0);
}

static void guardian_start(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		/* Not the kernel's child: ptrace.c reaps every child. */
		if (fork() == 0)
			guardian_run(p[0]);
		_exit(0);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return;
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	guard_fd = p[1];
}

/* Async-signal-safe: also the fatal-signal path. */
static void raw_restore(void)
{
	if (!raw_on)
		return;
	raw_on = false;
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	if (guard_fd >= 0) {
		ssize_t r = write(guard_fd, "x", 1);

		(void)r;
	}
}

static void on_fatal(int sig)
{
	raw_restore();
	/* SA_RESETHAND: the default action runs when the fault repeats
	 * (or at once for a raised signal). */
	raise(sig);
}

static void catch_fatal_signals(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL,
				    SIGFPE,  SIGABRT, SIGQUIT };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa, old;

		/* Leave a sanitizer's handler alone. */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal;
		sa.sa_flags = SA_RESETHAND | SA_NODEFER;
		sigaction(sigs[i], &sa, NULL);
	}
}

int hal_console_termios(uint32_t flags[4], uint8_t cc[17])
{
	struct termios t;

	if (saved_valid)
		t = saved_tio;
	else if (isatty(STDIN_FILENO) != 1 || tcgetattr(STDIN_FILENO, &t) < 0)
		return -ENOTTY;
	flags[0] = t.c_iflag;
	flags[1] = t.c_oflag;
	flags[2] = t.c_cflag;
	flags[3] = t.c_lflag;
	/* glibc's c_cc has the kernel's indices for VINTR..VEOL2. */
	for (int i = 0; i < 17; i++)
		cc[i] = t.c_cc[i];
	return 0;
}

bool console_raw_active(void)
{
	return raw_on;
}

int hal_console_set_raw(bool on)
{
	struct termios t;

	if (isatty(STDIN_FILENO) != 1)
		return -ENOTTY;
	if (!on) {
		raw_restore();
		return 0;
	}
	if (raw_on)
		return 0;
	if (!saved_valid) {
		if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
			return -errno;
		saved_valid = true;
		guardian_start();
		catch_fatal_signals();
	}
	t = saved_tio;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return -errno;
	raw_on = true;
	return 0;
}

void console_restore(void)
{
	raw_restore();
}

void hal_console_poll(void)
{
	if (in_always_ready || in_closed) {
		/* Readable at once; tell the core from the loop. */
		loop_defer_console_event();
		return;
	}
	if (in_armed)
		return;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev) == 0)
		in_armed = true;
}

void console_event_ready(void)
{
	if (!in_armed)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
	in_armed = false;
	kern_console_event();
}

long hal_console_read(void *buf, size_t len)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	if (in_closed)
		return 0;
	if (!in_always_ready) {
		int r = poll(&p, 1, 0);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EAGAIN;
	}
	ssize_t n = read(STDIN_FILENO, buf, len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -EAGAIN;
	return host_ret(n);
}

long hal_console_write(int stream, const void *buf, size_t len)
{
	int fd = stream == HAL_CON_ERR ? STDERR_FILENO : STDOUT_FILENO;
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { .fd = fd, .events = POLLOUT };
				poll(&pf, 1, -1);
				continue;
			}
			if (done)
				break;
			return errno == EPIPE ? -EPIPE : -EIO;
		}
		done += (size_t)n;
	}
	return (long)done;
}

bool hal_console_isatty(int stream)
{
	int fd = stream == HAL_CON_IN ? STDIN_FILENO :
		 stream == HAL_CON_ERR ? STDERR_FILENO : STDOUT_FILENO;
	return isatty(fd) == 1;
}

int hal_console_winsize(unsigned short *rows, unsigned short *cols)
{
	struct winsize ws;
	int fds[] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (ioctl(fds[i], TIOCGWINSZ, &ws) == 0) {
			*rows = ws.ws_row;
			*cols = ws.ws_col;
			return 0;
		}
	}
	return -ENOTTY;
}
