/*
 * test_poll.c: readiness and event files (layer: unit tests; relies on
 * ktest's boot helpers and the test HAL's fake clock): poll, select and
 * epoll on pipes (level- and edge-triggered), eventfd counters and
 * timerfd expirations. Waits are played as real traps woken by a second
 * thread's call or by advancing the fake clock. Expected values come from
 * poll(2), select(2), epoll(7), eventfd(2) and timerfd_create(2).
 */
#include <string.h>
#include <sys/syscall.h>

#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/timer.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/epoll.h>
#include <uapi/errno.h>
#include <uapi/eventfd.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include <uapi/time.h>

#include "ktest.h"

#define MS 1000000ULL

static void trap_call(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->uctx.r10 = a3;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
	current = t;
}

static uint64_t ubuf(size_t len)
{
	return ktest_umap(len, VM_READ | VM_WRITE);
}

static void make_pipe(int fds[2], unsigned flags)
{
	uint64_t u = ubuf(8);

	ck_assert_int_eq(ksys2(SYS_pipe2, u, flags), 0);
	ktest_get(fds, u, 8);
}

static long put_write(int fd, const void *data, size_t len)
{
	uint64_t u = ubuf(len);

	ktest_put(u, data, len);
	return ksys3(SYS_write, fd, u, len);
}

static long drain(int fd, size_t len)
{
	return ksys3(SYS_read, fd, ubuf(len), len);
}

/* poll(2) on n fds with events; revents into out; returns the result. */
static long do_poll(const int *fd, const short *events, short *out, int n,
		    int timeout)
{
	struct linux_pollfd p[8];
	uint64_t u = ubuf(sizeof(p));
	long r;

	for (int i = 0; i < n; i++) {
		p[i].fd = fd[i];
		p[i].events = events[i];
		p[i].revents = -1;
	}
	ktest_put(u, p, sizeof(p));
	r = ksys3(SYS_poll, u, n, timeout);
	ktest_get(p, u, sizeof(p));
	for (int i = 0; i < n; i++)
		out[i] = p[i].revents;
	return r;
}

START_TEST(poll_pipe_states)
{
	int fds[2], fd[3];
	short ev[3], rev[3];

	ktest_boot();
	make_pipe(fds, 0);
	fd[0] = fds[0];
	fd[1] = fds[1];
	fd[2] = 99;
	ev[0] = POLLIN;
	ev[1] = POLLOUT;
	ev[2] = POLLIN;
	/* Empty: the write end is writable, the bad fd POLLNVAL. */
	ck_assert_int_eq(do_poll(fd, ev, rev, 3, 0), 2);
	ck_assert_int_eq(rev[0], 0);
	ck_assert_int_eq(rev[1], POLLOUT);
	ck_assert_int_eq(rev[2], POLLNVAL);
	ck_assert_int_eq(put_write(fds[1], "x", 1), 1);
	ck_assert_int_eq(do_poll(fd, ev, rev, 2, 0), 2);
	ck_assert_int_eq(rev[0], POLLIN);
	/* A negative fd is skipped. */
	fd[0] = -1;
	ck_assert_int_eq(do_poll(fd, ev, rev, 1, 0), 0);
	ck_assert_int_eq(rev[0], 0);
	fd[0] = fds[0];
	/* No writer left: POLLHUP, even when not asked for. */
	ck_assert_int_eq(ksys1(SYS_close, fds[1]), 0);
	ev[0] = POLLPRI;
	ck_assert_int_eq(do_poll(fd, ev, rev, 1, 0), 1);
	ck_assert_int_eq(rev[0], POLLHUP);
	/* No reader left: POLLERR on the write end. */
	make_pipe(fds, 0);
	ck_assert_int_eq(ksys1(SYS_close, fds[0]), 0);
	fd[0] = fds[1];
	ev[0] = POLLOUT;
	ck_assert_int_eq(do_poll(fd, ev, rev, 1, 0), 1);
	ck_assert_int_eq(rev[0], POLLOUT | POLLERR);
}
END_TEST

START_TEST(poll_waits_on_several_pipes)
{
	struct thread *t1, *t2;
	int a[2], b[2];
	struct linux_pollfd p[2];
	uint64_t u;

	ktest_boot();
	t1 = current;
	make_pipe(a, 0);
	make_pipe(b, 0);
	p[0].fd = a[0];
	p[1].fd = b[0];
	p[0].events = p[1].events = POLLIN;
	p[0].revents = p[1].revents = 0;
	u = ubuf(sizeof(p));
	ktest_put(u, p, sizeof(p));
	trap_call(t1, SYS_poll, u, 2, -1, 0);
	ck_assert_int_eq(t1->state, THREAD_BLOCKED);

	t2 = thread_create(t1->task);
	current = t2;
	/* The second pipe: only a hook on its queue can wake the poller. */
	ck_assert_int_eq(put_write(b[1], "y", 1), 1);
	ck_assert_int_eq(t1->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t1->uctx.rax, 1);
	ktest_get(p, u, sizeof(p));
	ck_assert_int_eq(p[0].revents, 0);
	ck_assert_int_eq(p[1].revents, POLLIN);
	/* The poller left nothing behind: more writes are harmless. */
	ck_assert_int_eq(put_write(a[1], "z", 1), 1);
	ck_assert_int_eq(put_write(b[1], "z", 1), 1);
}
END_TEST

START_TEST(poll_timeout_on_fake_clock)
{
	struct thread *t;
	int fds[2], e;
	struct linux_pollfd p[2];
	uint64_t u;

	ktest_boot();
	t = current;
	make_pipe(fds, 0);
	e = (int)ksys2(SYS_eventfd2, 0, 0);
	p[0].fd = fds[0];
	p[1].fd = e;
	p[0].events = p[1].events = POLLIN;
	u = ubuf(sizeof(p));
	ktest_put(u, p, sizeof(p));
	trap_call(t, SYS_poll, u, 2, 50, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(49 * MS);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(1 * MS);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 0);
	/* The timer left with the wake-up. */
	ck_assert_uint_eq(hal_test_timer_deadline(), 0);
}
END_TEST

static void fd_set_bit(uint64_t *set, int fd)
{
	set[fd / 64] |= 1ULL << (fd % 64);
}

START_TEST(select_on_pipe)
{
	int fds[2];
	uint64_t rs[1] = { 0 }, ws[1] = { 0 }, urs, uws, utv;
	struct linux_timeval tv = { 5, 0 };

	ktest_boot();
	make_pipe(fds, 0);
	urs = ubuf(8);
	uws = ubuf(8);
	utv = ubuf(sizeof(tv));
	fd_set_bit(rs, fds[0]);
	fd_set_bit(ws, fds[1]);
	ktest_put(urs, rs, 8);
	ktest_put(uws, ws, 8);
	ktest_put(utv, &tv, sizeof(tv));
	ck_assert_int_eq(ksys6(SYS_select, fds[1] + 1, urs, uws, 0, utv, 0), 1);
	ktest_get(rs, urs, 8);
	ktest_get(ws, uws, 8);
	ck_assert_uint_eq(rs[0], 0);
	ck_assert_uint_eq(ws[0], 1ULL << fds[1]);
	/* Linux writes the time left back. */
	ktest_get(&tv, utv, sizeof(tv));
	ck_assert_int_eq(tv.tv_sec, 5);
	ck_assert_int_eq(tv.tv_usec, 0);

	ck_assert_int_eq(put_write(fds[1], "r", 1), 1);
	rs[0] = 0;
	fd_set_bit(rs, fds[0]);
	ktest_put(urs, rs, 8);
	ck_assert_int_eq(ksys6(SYS_select, fds[1] + 1, urs, 0, 0, 0, 0), 1);
	ktest_get(rs, urs, 8);
	ck_assert_uint_eq(rs[0], 1ULL << fds[0]);
	/* A closed fd in a set: EBADF. */
	rs[0] = 1ULL << 20;
	ktest_put(urs, rs, 8);
	ck_assert_int_eq(ksys6(SYS_select, 21, urs, 0, 0, 0, 0), -EBADF);
	tv.tv_sec = -1;
	ktest_put(utv, &tv, sizeof(tv));
	ck_assert_int_eq(ksys6(SYS_select, 0, 0, 0, 0, utv, 0), -EINVAL);
	ck_assert_int_eq(ksys6(SYS_select, -1, 0, 0, 0, 0, 0), -EINVAL);
}
END_TEST

/* ---- epoll ---- */

static long ep_ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct linux_epoll_event ev = { events, data };
	uint64_t u = ubuf(sizeof(ev));

	ktest_put(u, &ev, sizeof(ev));
	return ksys4(SYS_epoll_ctl, ep, op, fd, u);
}

/* epoll_wait with timeout 0 for up to 4 events. */
static long ep_wait(int ep, struct linux_epoll_event *out)
{
	uint64_t u = ubuf(4 * sizeof(*out));
	long r = ksys4(SYS_epoll_wait, ep, u, 4, 0);

	if (r > 0)
		ktest_get(out, u, (size_t)r * sizeof(*out));
	return r;
}

START_TEST(epoll_level_triggered)
{
	struct linux_epoll_event ev[4];
	int fds[2], ep;

	ktest_boot();
	make_pipe(fds, 0);
	ep = (int)ksys1(SYS_epoll_create1, 0);
	ck_assert_int_ge(ep, 0);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, fds[0], EPOLLIN, 42), 0);
	ck_assert_int_eq(ep_wait(ep, ev), 0);
	ck_assert_int_eq(put_write(fds[1], "ab", 2), 2);
	/* Level-triggered: reported as long as data is there. */
	ck_assert_int_eq(ep_wait(ep, ev), 1);
	ck_assert_uint_eq(ev[0].events, EPOLLIN);
	ck_assert_uint_eq(ev[0].data, 42);
	ck_assert_int_eq(ep_wait(ep, ev), 1);
	ck_assert_int_eq(drain(fds[0], 2), 2);
	ck_assert_int_eq(ep_wait(ep, ev), 0);
	/* The epoll fd itself polls readable when an item is ready. */
	ck_assert_int_eq(put_write(fds[1], "c", 1), 1);
	{
		short rev, want = POLLIN;

		struct linux_pollfd p = { ep, POLLIN, 0 };
		uint64_t u = ubuf(sizeof(p));

		ktest_put(u, &p, sizeof(p));
		ck_assert_int_eq(ksys3(SYS_poll, u, 1, 0), 1);
		ktest_get(&p, u, sizeof(p));
		rev = p.revents;
		ck_assert_int_eq(rev, want);
	}
	/* Closing the watched file drops the watch. */
	ck_assert_int_eq(ksys1(SYS_close, fds[0]), 0);
	ck_assert_int_eq(ep_wait(ep, ev), 0);
}
END_TEST

START_TEST(epoll_edge_triggered)
{
	struct linux_epoll_event ev[4];
	int fds[2], ep;

	ktest_boot();
	make_pipe(fds, 0);
	ep = (int)ksys1(SYS_epoll_create, 1);
	ck_assert_int_ge(ep, 0);
	ck_assert_int_eq(
		ep_ctl(ep, EPOLL_CTL_ADD, fds[0], EPOLLIN | EPOLLET, 7), 0);
	ck_assert_int_eq(put_write(fds[1], "abc", 3), 3);
	/* One report per change, even though data is left. */
	ck_assert_int_eq(ep_wait(ep, ev), 1);
	ck_assert_uint_eq(ev[0].data, 7);
	ck_assert_int_eq(ep_wait(ep, ev), 0);
	/* A read is no new input for an EPOLLIN watcher. */
	ck_assert_int_eq(drain(fds[0], 1), 1);
	ck_assert_int_eq(ep_wait(ep, ev), 0);
	ck_assert_int_eq(put_write(fds[1], "d", 1), 1);
	ck_assert_int_eq(ep_wait(ep, ev), 1);
	ck_assert_int_eq(ep_wait(ep, ev), 0);
}
END_TEST

START_TEST(epoll_oneshot_and_mod)
{
	struct linux_epoll_event ev[4];
	int fds[2], ep;

	ktest_boot();
	make_pipe(fds, 0);
	ep = (int)ksys1(SYS_epoll_create1, EPOLL_CLOEXEC);
	ck_assert_int_eq(ksys2(SYS_fcntl, ep, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, fds[0],
				EPOLLIN | EPOLLONESHOT, 1),
			 0);
	ck_assert_int_eq(put_write(fds[1], "a", 1), 1);
	ck_assert_int_eq(ep_wait(ep, ev), 1);
	ck_assert_int_eq(put_write(fds[1], "b", 1), 1);
	ck_assert_int_eq(ep_wait(ep, ev), 0);
	/* EPOLL_CTL_MOD arms it again. */
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_MOD, fds[0], EPOLLIN, 2), 0);
	ck_assert_int_eq(ep_wait(ep, ev), 1);
	ck_assert_uint_eq(ev[0].data, 2);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_DEL, fds[0], 0, 0), 0);
	ck_assert_int_eq(ep_wait(ep, ev), 0);
}
END_TEST

START_TEST(epoll_ctl_errors)
{
	int fds[2], ep, ep2, reg;

	ktest_boot();
	make_pipe(fds, 0);
	ep = (int)ksys1(SYS_epoll_create1, 0);
	ep2 = (int)ksys1(SYS_epoll_create1, 0);
	reg = (int)ksys3(SYS_open, ktest_ustr("/tmp/reg"), O_CREAT | O_RDWR,
			 0644);
	ck_assert_int_ge(reg, 0);
	ck_assert_int_eq(ksys1(SYS_epoll_create, 0), -EINVAL);
	ck_assert_int_eq(ksys1(SYS_epoll_create1, 1), -EINVAL);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, fds[0], EPOLLIN, 0), 0);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, fds[0], EPOLLIN, 0),
			 -EEXIST);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_MOD, fds[1], EPOLLOUT, 0),
			 -ENOENT);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_DEL, fds[1], 0, 0), -ENOENT);
	/* Regular files cannot be watched. */
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, reg, EPOLLIN, 0), -EPERM);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0), -EINVAL);
	ck_assert_int_eq(ep_ctl(fds[0], EPOLL_CTL_ADD, fds[1], EPOLLIN, 0),
			 -EINVAL);
	ck_assert_int_eq(ep_ctl(ep, 99, fds[1], EPOLLIN, 0), -EINVAL);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, 77, EPOLLIN, 0), -EBADF);
	/* EPOLLEXCLUSIVE: not with EPOLLONESHOT, never with MOD. */
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, fds[1],
				EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 0),
			 -EINVAL);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, fds[1],
				EPOLLOUT | EPOLLEXCLUSIVE, 0),
			 0);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_MOD, fds[1], EPOLLOUT, 0),
			 -EINVAL);
	/* Nested epolls: a loop is refused. */
	ck_assert_int_eq(ep_ctl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN, 0), 0);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN, 0), -ELOOP);
	ck_assert_int_eq(ksys4(SYS_epoll_wait, ep, ubuf(12), 0, 0), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_epoll_wait, fds[0], ubuf(12), 1, 0),
			 -EINVAL);
}
END_TEST

START_TEST(epoll_wait_blocks_until_write)
{
	struct thread *t1, *t2;
	struct linux_epoll_event ev;
	int fds[2], ep;
	uint64_t u;

	ktest_boot();
	t1 = current;
	make_pipe(fds, 0);
	ep = (int)ksys1(SYS_epoll_create1, 0);
	ck_assert_int_eq(ep_ctl(ep, EPOLL_CTL_ADD, fds[0], EPOLLIN, 5), 0);
	u = ubuf(sizeof(ev));
	trap_call(t1, SYS_epoll_wait, ep, u, 1, -1);
	ck_assert_int_eq(t1->state, THREAD_BLOCKED);
	t2 = thread_create(t1->task);
	current = t2;
	ck_assert_int_eq(put_write(fds[1], "q", 1), 1);
	ck_assert_int_eq(t1->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t1->uctx.rax, 1);
	ktest_get(&ev, u, sizeof(ev));
	ck_assert_uint_eq(ev.events, EPOLLIN);
	ck_assert_uint_eq(ev.data, 5);
}
END_TEST

/* ---- eventfd ---- */

static long ev_read(int fd, uint64_t *v)
{
	uint64_t u = ubuf(8);
	long r = ksys3(SYS_read, fd, u, 8);

	if (r == 8)
		ktest_get(v, u, 8);
	return r;
}

static long ev_write(int fd, uint64_t v)
{
	return put_write(fd, &v, 8);
}

START_TEST(eventfd_counter_and_semaphore)
{
	uint64_t v = 0;
	int e, s;

	ktest_boot();
	e = (int)ksys2(SYS_eventfd2, 0, EFD_NONBLOCK);
	ck_assert_int_ge(e, 0);
	ck_assert_int_eq(ev_read(e, &v), -EAGAIN);
	ck_assert_int_eq(ev_write(e, 5), 8);
	ck_assert_int_eq(ev_write(e, 2), 8);
	ck_assert_int_eq(ev_read(e, &v), 8);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(ev_read(e, &v), -EAGAIN);
	/* The largest count is 2^64 - 2; a write past it waits. */
	ck_assert_int_eq(ev_write(e, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(ev_write(e, UINT64_MAX - 1), 8);
	ck_assert_int_eq(ev_write(e, 1), -EAGAIN);
	ck_assert_int_eq(ksys3(SYS_read, e, ubuf(4), 4), -EINVAL);

	s = (int)ksys2(SYS_eventfd2, 3, EFD_SEMAPHORE | EFD_NONBLOCK);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(ev_read(s, &v), 8);
		ck_assert_uint_eq(v, 1);
	}
	ck_assert_int_eq(ev_read(s, &v), -EAGAIN);
	ck_assert_int_eq(ksys2(SYS_eventfd2, 0, 0x8), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_fcntl, s, F_GETFL), O_RDWR | O_NONBLOCK);
}
END_TEST

START_TEST(eventfd_blocking_read)
{
	struct thread *t1, *t2;
	uint64_t u, v;
	int e;

	ktest_boot();
	t1 = current;
	e = (int)ksys1(SYS_eventfd, 0);
	u = ubuf(8);
	trap_call(t1, SYS_read, e, u, 8, 0);
	ck_assert_int_eq(t1->state, THREAD_BLOCKED);
	t2 = thread_create(t1->task);
	current = t2;
	ck_assert_int_eq(ev_write(e, 9), 8);
	ck_assert_int_eq(t1->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t1->uctx.rax, 8);
	ktest_get(&v, u, 8);
	ck_assert_uint_eq(v, 9);
}
END_TEST

/* ---- timerfd ---- */

static long tfd_set(int fd, int flags, uint64_t value_ns, uint64_t interval_ns,
		    struct linux_itimerspec *old)
{
	struct linux_itimerspec its = { ns_to_timespec(interval_ns),
					ns_to_timespec(value_ns) };
	uint64_t u = ubuf(sizeof(its)), uo = old ? ubuf(sizeof(*old)) : 0;
	long r;

	ktest_put(u, &its, sizeof(its));
	r = ksys4(SYS_timerfd_settime, fd, flags, u, uo);
	if (old && r == 0)
		ktest_get(old, uo, sizeof(*old));
	return r;
}

START_TEST(timerfd_counts_expirations)
{
	struct linux_itimerspec cur;
	uint64_t v = 0, u;
	int t;

	ktest_boot();
	t = (int)ksys2(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_NONBLOCK);
	ck_assert_int_ge(t, 0);
	ck_assert_int_eq(ev_read(t, &v), -EAGAIN);
	ck_assert_int_eq(tfd_set(t, 0, 10 * MS, 10 * MS, NULL), 0);
	hal_test_advance_ns(35 * MS);
	ck_assert_int_eq(ev_read(t, &v), 8);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(ev_read(t, &v), -EAGAIN);
	/* The next expiry is at 40 ms: 5 ms left. */
	u = ubuf(sizeof(cur));
	ck_assert_int_eq(ksys2(SYS_timerfd_gettime, t, u), 0);
	ktest_get(&cur, u, sizeof(cur));
	ck_assert_int_eq(cur.it_value.tv_sec, 0);
	ck_assert_int_eq(cur.it_value.tv_nsec, 5 * MS);
	ck_assert_int_eq(cur.it_interval.tv_nsec, 10 * MS);
	/* Disarming returns the old setting. */
	ck_assert_int_eq(tfd_set(t, 0, 0, 0, &cur), 0);
	ck_assert_int_eq(cur.it_value.tv_nsec, 5 * MS);
	hal_test_advance_ns(100 * MS);
	ck_assert_int_eq(ev_read(t, &v), -EAGAIN);

	/* One-shot at an absolute monotonic time. */
	ck_assert_int_eq(tfd_set(t, TFD_TIMER_ABSTIME,
				 time_monotonic_ns() + 20 * MS, 0, NULL),
			 0);
	hal_test_advance_ns(19 * MS);
	ck_assert_int_eq(ev_read(t, &v), -EAGAIN);
	hal_test_advance_ns(1 * MS);
	ck_assert_int_eq(ev_read(t, &v), 8);
	ck_assert_uint_eq(v, 1);
	hal_test_advance_ns(100 * MS);
	ck_assert_int_eq(ev_read(t, &v), -EAGAIN);

	ck_assert_int_eq(ksys2(SYS_timerfd_create, 12345, 0), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_timerfd_create, CLOCK_MONOTONIC, 0x10),
			 -EINVAL);
	ck_assert_int_eq(tfd_set(t, 0x100, 1, 0, NULL), -EINVAL);
	ck_assert_int_eq(tfd_set(0, 0, 1, 0, NULL), -EINVAL);
	ck_assert_int_eq(ksys3(SYS_write, t, ubuf(8), 8), -EINVAL);
}
END_TEST

START_TEST(timerfd_wakes_blocked_reader_and_poll)
{
	struct thread *th;
	struct linux_pollfd p[2];
	uint64_t u, v;
	int t, fds[2];

	ktest_boot();
	th = current;
	t = (int)ksys2(SYS_timerfd_create, CLOCK_BOOTTIME, 0);
	ck_assert_int_eq(tfd_set(t, 0, 30 * MS, 0, NULL), 0);
	u = ubuf(8);
	trap_call(th, SYS_read, t, u, 8, 0);
	ck_assert_int_eq(th->state, THREAD_BLOCKED);
	hal_test_advance_ns(30 * MS);
	ck_assert_int_eq(th->state, THREAD_RUNNING);
	ck_assert_int_eq((long)th->uctx.rax, 8);
	ktest_get(&v, u, 8);
	ck_assert_uint_eq(v, 1);

	/* poll on a pipe and the timer: the timer's queue wakes it. */
	make_pipe(fds, 0);
	ck_assert_int_eq(tfd_set(t, 0, 10 * MS, 0, NULL), 0);
	p[0].fd = fds[0];
	p[1].fd = t;
	p[0].events = p[1].events = POLLIN;
	u = ubuf(sizeof(p));
	ktest_put(u, p, sizeof(p));
	trap_call(th, SYS_poll, u, 2, 1000, 0);
	ck_assert_int_eq(th->state, THREAD_BLOCKED);
	hal_test_advance_ns(10 * MS);
	ck_assert_int_eq(th->state, THREAD_RUNNING);
	ck_assert_int_eq((long)th->uctx.rax, 1);
	ktest_get(p, u, sizeof(p));
	ck_assert_int_eq(p[0].revents, 0);
	ck_assert_int_eq(p[1].revents, POLLIN);
}
END_TEST

START_TEST(poll_console_and_pipe)
{
	struct thread *t;
	struct linux_pollfd p[2];
	int fds[2];
	uint64_t u;

	ktest_boot();
	t = current;
	make_pipe(fds, 0);
	p[0].fd = fds[0];
	p[1].fd = 0; /* the console */
	p[0].events = p[1].events = POLLIN;
	p[0].revents = p[1].revents = 0;
	u = ubuf(sizeof(p));
	ktest_put(u, p, sizeof(p));
	trap_call(t, SYS_poll, u, 2, -1, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	/* Console input arrives: kern_console_event reaches the poller. */
	hal_test_console_feed("k\n", 2);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 1);
	ktest_get(p, u, sizeof(p));
	ck_assert_int_eq(p[0].revents, 0);
	ck_assert_int_eq(p[1].revents, POLLIN);
}
END_TEST

KTEST_SUITE(poll_suite)
{
	Suite *s = suite_create("poll");
	TCase *p = tcase_create("poll");
	TCase *e = tcase_create("epoll");
	TCase *f = tcase_create("eventfd_timerfd");

	tcase_add_test(p, poll_pipe_states);
	tcase_add_test(p, poll_waits_on_several_pipes);
	tcase_add_test(p, poll_timeout_on_fake_clock);
	tcase_add_test(p, select_on_pipe);
	tcase_add_test(p, poll_console_and_pipe);
	suite_add_tcase(s, p);
	tcase_add_test(e, epoll_level_triggered);
	tcase_add_test(e, epoll_edge_triggered);
	tcase_add_test(e, epoll_oneshot_and_mod);
	tcase_add_test(e, epoll_ctl_errors);
	tcase_add_test(e, epoll_wait_blocks_until_write);
	suite_add_tcase(s, e);
	tcase_add_test(f, eventfd_counter_and_semaphore);
	tcase_add_test(f, eventfd_blocking_read);
	tcase_add_test(f, timerfd_counts_expirations);
	tcase_add_test(f, timerfd_wakes_blocked_reader_and_poll);
	suite_add_tcase(s, f);
	return s;
}
