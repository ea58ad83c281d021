/*
 * Guest: pipes and readiness in one process: pipe2 flags, read/write,
 * EOF and EPIPE, non-blocking capacity and PIPE_BUF atomicity, FIONREAD
 * and F_SETPIPE_SZ, O_DIRECT packets, a FIFO, poll and select on a pipe,
 * epoll level- and edge-triggered, eventfd (counter and semaphore) and
 * timerfd expirations counted after sleeping.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static char big[70000];

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void basics(void)
{
	int fds[2], avail = -1;
	char buf[16] = { 0 };
	char link[64] = { 0 };
	struct stat st;

	EXPECT_OK("pipe", pipe(fds));
	printf("fds: %d %d\n", fds[0], fds[1]);
	SHOW("write", write(fds[1], "hello", 5));
	EXPECT_OK("FIONREAD", ioctl(fds[0], FIONREAD, &avail));
	printf("avail: %d\n", avail);
	SHOW("read", read(fds[0], buf, sizeof(buf)));
	printf("data: %s\n", buf);
	SHOW("F_GETFL read end", fcntl(fds[0], F_GETFL) & ~O_LARGEFILE);
	SHOW("F_GETFL write end", fcntl(fds[1], F_GETFL) & ~O_LARGEFILE);
	EXPECT_ERR("write to read end", write(fds[0], "x", 1), EBADF);
	EXPECT_ERR("lseek", lseek(fds[0], 0, SEEK_CUR), ESPIPE);
	EXPECT_OK("fstat", fstat(fds[0], &st));
	CHECK("S_ISFIFO", S_ISFIFO(st.st_mode));
	EXPECT_OK_QUIET("readlink fd", readlink("/proc/self/fd/3", link, 63));
	CHECK("link is pipe:[...]", strncmp(link, "pipe:[", 6) == 0);
	SHOW("F_GETPIPE_SZ", fcntl(fds[0], F_GETPIPE_SZ));
	SHOW("F_SETPIPE_SZ 5000", fcntl(fds[0], F_SETPIPE_SZ, 5000));
	SHOW("F_GETPIPE_SZ", fcntl(fds[1], F_GETPIPE_SZ));
	EXPECT_ERR("F_GETPIPE_SZ on stdin", fcntl(0, F_GETPIPE_SZ), EBADF);

	EXPECT_OK("close write end", close(fds[1]));
	SHOW("read at EOF", read(fds[0], buf, sizeof(buf)));
	close(fds[0]);

	EXPECT_OK("pipe", pipe(fds));
	signal(SIGPIPE, SIG_IGN);
	close(fds[0]);
	EXPECT_ERR("write without reader", write(fds[1], "x", 1), EPIPE);
	close(fds[1]);

	EXPECT_OK("pipe2 cloexec", pipe2(fds, O_CLOEXEC | O_NONBLOCK));
	SHOW("FD_CLOEXEC", fcntl(fds[0], F_GETFD));
	SHOW("O_NONBLOCK", (fcntl(fds[1], F_GETFL) & O_NONBLOCK) != 0);
	EXPECT_ERR("read empty nonblocking", read(fds[0], buf, 1), EAGAIN);
	close(fds[0]);
	close(fds[1]);
	EXPECT_ERR("pipe2 bad flags", pipe2(fds, O_APPEND), EINVAL);
}

static void capacity(void)
{
	int fds[2];
	long total = 0, n;

	pipe2(fds, O_NONBLOCK);
	while ((n = write(fds[1], big, 4096)) > 0)
		total += n;
	printf("capacity in pages: %ld (%s)\n", total, errname(errno));
	close(fds[0]);
	close(fds[1]);

	pipe2(fds, O_NONBLOCK);
	total = 0;
	while ((n = write(fds[1], big, 1000)) > 0)
		total += n;
	printf("capacity in 1000-byte writes: %ld\n", total);
	close(fds[0]);
	close(fds[1]);

	/* PIPE_BUF: a small write never lands in part. */
	pipe2(fds, O_NONBLOCK);
	SHOW("fill", write(fds[1], big, 15 * 4096 + 4000));
	EXPECT_ERR("200 more", write(fds[1], big, 200), EAGAIN);
	SHOW("96 more", write(fds[1], big, 96));
	SHOW("drain a page", read(fds[0], big, 4096));
	SHOW("5000 (partial)", write(fds[1], big, 5000));
	close(fds[0]);
	close(fds[1]);
}

static void packets(void)
{
	int fds[2];
	char buf[16];

	EXPECT_OK("pipe2 O_DIRECT", pipe2(fds, O_DIRECT | O_NONBLOCK));
	write(fds[1], "ab", 2);
	write(fds[1], "cde", 3);
	SHOW("packet 1", read(fds[0], buf, sizeof(buf)));
	SHOW("short read of packet 2", read(fds[0], buf, 1));
	EXPECT_ERR("nothing left", read(fds[0], buf, 1), EAGAIN);
	close(fds[0]);
	close(fds[1]);
}

static void fifo(void)
{
	char path[64], buf[8];
	int r, w;

	snprintf(path, sizeof(path), "/tmp/guest-fifo-%d", (int)getpid());
	EXPECT_OK("mkfifo", mkfifo(path, 0600));
	EXPECT_ERR("lone nonblocking writer", open(path, O_WRONLY | O_NONBLOCK),
		   ENXIO);
	r = open(path, O_RDONLY | O_NONBLOCK);
	EXPECT_OK("nonblocking reader", r);
	w = open(path, O_WRONLY | O_NONBLOCK);
	EXPECT_OK("writer", w);
	SHOW("fifo write", write(w, "via", 3));
	SHOW("fifo read", read(r, buf, sizeof(buf)));
	close(w);
	SHOW("fifo EOF", read(r, buf, sizeof(buf)));
	close(r);
	unlink(path);
}

static void poll_select(void)
{
	int fds[2];
	struct pollfd p[2];
	fd_set rs, ws;
	struct timeval tv = { 0, 0 };

	pipe(fds);
	p[0].fd = fds[0];
	p[0].events = POLLIN;
	p[1].fd = fds[1];
	p[1].events = POLLOUT;
	SHOW("poll empty", poll(p, 2, 0));
	printf("revents: %#x %#x\n", p[0].revents, p[1].revents);
	write(fds[1], "z", 1);
	SHOW("poll data", poll(p, 2, 10));
	printf("revents: %#x %#x\n", p[0].revents, p[1].revents);
	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_SET(fds[0], &rs);
	FD_SET(fds[1], &ws);
	SHOW("select", select(fds[1] + 1, &rs, &ws, NULL, &tv));
	printf("readable %d writable %d\n", FD_ISSET(fds[0], &rs),
	       FD_ISSET(fds[1], &ws));
	read(fds[0], big, 1);
	FD_ZERO(&rs);
	FD_SET(fds[0], &rs);
	tv.tv_sec = 0;
	tv.tv_usec = 20000;
	SHOW("select times out", select(fds[0] + 1, &rs, NULL, NULL, &tv));
	printf("timeout left: %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	close(fds[1]);
	p[0].events = POLLIN;
	SHOW("poll after writer closed", poll(p, 1, 0));
	printf("revents: %#x\n", p[0].revents);
	close(fds[0]);
	p[0].fd = fds[0];
	SHOW("poll closed fd", poll(p, 1, 0));
	printf("revents: %#x\n", p[0].revents);
}

static void epolls(void)
{
	int fds[2], ep;
	struct epoll_event ev, out[4];

	pipe(fds);
	ep = epoll_create1(EPOLL_CLOEXEC);
	EXPECT_OK("epoll_create1", ep >= 0 ? 0 : -1);
	ev.events = EPOLLIN;
	ev.data.u64 = 11;
	EXPECT_OK("add level", epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	EXPECT_ERR("add again", epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev),
		   EEXIST);
	SHOW("wait empty", epoll_wait(ep, out, 4, 0));
	write(fds[1], "ab", 2);
	SHOW("wait level 1", epoll_wait(ep, out, 4, 0));
	printf("event %#x data %llu\n", out[0].events,
	       (unsigned long long)out[0].data.u64);
	SHOW("wait level 2", epoll_wait(ep, out, 4, 0));
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 12;
	EXPECT_OK("mod edge", epoll_ctl(ep, EPOLL_CTL_MOD, fds[0], &ev));
	SHOW("wait edge 1", epoll_wait(ep, out, 4, 0));
	SHOW("wait edge 2", epoll_wait(ep, out, 4, 0));
	write(fds[1], "c", 1);
	SHOW("wait edge after write", epoll_wait(ep, out, 4, 10));
	printf("data %llu\n", (unsigned long long)out[0].data.u64);
	ev.events = EPOLLOUT;
	ev.data.u64 = 13;
	EXPECT_OK("add write end", epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev));
	SHOW("wait both", epoll_wait(ep, out, 4, 0));
	EXPECT_OK("del", epoll_ctl(ep, EPOLL_CTL_DEL, fds[1], NULL));
	close(fds[1]);
	SHOW("wait after writer closed", epoll_wait(ep, out, 4, 0));
	printf("event %#x\n", out[0].events);
	close(fds[0]);
	close(ep);
}

static void eventfds(void)
{
	uint64_t v = 0;
	int e, s;

	e = eventfd(0, EFD_NONBLOCK);
	EXPECT_OK("eventfd", e >= 0 ? 0 : -1);
	EXPECT_ERR("read zero", read(e, &v, 8), EAGAIN);
	v = 5;
	SHOW("write 5", write(e, &v, 8));
	v = 2;
	SHOW("write 2", write(e, &v, 8));
	SHOW("read", read(e, &v, 8));
	printf("count: %llu\n", (unsigned long long)v);
	EXPECT_ERR("short read", read(e, &v, 4), EINVAL);
	v = UINT64_MAX;
	EXPECT_ERR("write max", write(e, &v, 8), EINVAL);
	close(e);

	s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	SHOW("sem read", read(s, &v, 8));
	printf("value: %llu\n", (unsigned long long)v);
	SHOW("sem read", read(s, &v, 8));
	printf("value: %llu\n", (unsigned long long)v);
	EXPECT_ERR("sem empty", read(s, &v, 8), EAGAIN);
	close(s);
}

static void timerfds(void)
{
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } }, cur;
	uint64_t ticks = 0;
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	struct pollfd p = { t, POLLIN, 0 };

	EXPECT_OK("timerfd_create", t >= 0 ? 0 : -1);
	SHOW("poll disarmed", poll(&p, 1, 0));
	EXPECT_OK("settime 20ms interval", timerfd_settime(t, 0, &its, NULL));
	sleep_ms(110);
	SHOW("read", read(t, &ticks, 8));
	/* 5 periods passed; a loaded machine may see one more. */
	CHECK("expirations after 110 ms", ticks >= 5 && ticks <= 6);
	EXPECT_OK("gettime", timerfd_gettime(t, &cur));
	CHECK("interval kept", cur.it_interval.tv_nsec == 20000000);
	CHECK("next expiry within a period",
	      cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 20000000);
	its.it_interval.tv_nsec = 0;
	its.it_value.tv_nsec = 1000000;
	EXPECT_OK("settime one-shot", timerfd_settime(t, 0, &its, NULL));
	SHOW("poll blocks until expiry", poll(&p, 1, 1000));
	sleep_ms(30);
	SHOW("read one-shot", read(t, &ticks, 8));
	printf("ticks: %llu\n", (unsigned long long)ticks);
	fcntl(t, F_SETFL, O_NONBLOCK);
	EXPECT_ERR("read again", read(t, &ticks, 8), EAGAIN);
	EXPECT_ERR("bad clock", timerfd_create(12345, 0), EINVAL);
	close(t);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	basics();
	capacity();
	packets();
	fifo();
	poll_select();
	epolls();
	eventfds();
	timerfds();
	return guest_exit();
}
