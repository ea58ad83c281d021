/*
 * The hosted console: the guest's console streams are the kernel's own
 * stdin, stdout and stderr. Input readiness is watched through a private
 * epoll set (so libuv never switches the shared tty to non-blocking mode
 * behind the guest's back); a regular file or /dev/null on stdin is
 * always ready.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/epoll.h>
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

void console_restore(void)
{
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
