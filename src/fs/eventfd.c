/*
 * eventfd.c: eventfd(2): a 64-bit counter as a file. A read takes the
 * whole count (or 1 with EFD_SEMAPHORE) and waits while it is 0; a write
 * adds to it and waits while the sum would reach 2^64 - 1.
 * Layer: VFS (a file type); relies on anon.c, wait_hook.c (poll) and the
 * sched.h protocol (no state survives a park, so re-runs just retry).
 */
#include <syscall_protos.h>
#include <uapi/eventfd.h>

#include "internal.h"

#define EVENTFD_MAX UINT64_MAX

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitq rd_wait, wr_wait; /* reads and writes that must wait */
	struct waitq poll_wq;	       /* poll/epoll */
};

static long eventfd_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	if (len < sizeof(v))
		return -EINVAL;
	if (e->count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (fs_signal_pending() || !current)
			return -EINTR;
		return sched_block(&e->rd_wait, 0);
	}
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, sizeof(v));
	waitq_wake_all(&e->wr_wait);
	waitq_notify(&e->poll_wq, POLLOUT | POLLWRNORM);
	return sizeof(v);
}

static long eventfd_write(struct file *f, const void *buf, size_t len,
			  uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	if (len < sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == EVENTFD_MAX)
		return -EINVAL;
	if (EVENTFD_MAX - e->count <= v) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (fs_signal_pending() || !current)
			return -EINTR;
		return sched_block(&e->wr_wait, 0);
	}
	e->count += v;
	/* Linux wakes even for 0: an edge-triggered watcher hears it. */
	waitq_wake_all(&e->rd_wait);
	waitq_notify(&e->poll_wq, POLLIN | POLLRDNORM);
	return sizeof(v);
}

static unsigned eventfd_poll(struct file *f, struct waitq **wq)
{
	struct eventfd *e = f->priv;
	unsigned mask = 0;

	if (wq)
		*wq = &e->poll_wq;
	if (e->count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (e->count == EVENTFD_MAX)
		mask |= POLLERR;
	if (EVENTFD_MAX - 1 > e->count)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static long eventfd_llseek(struct file *f, int64_t off, int whence)
{
	return (long)f->pos; /* Linux's noop_llseek */
}

static void eventfd_release(struct file *f)
{
	struct eventfd *e = f->priv;

	/* Parked calls re-run and find their fd gone. */
	waitq_wake_all(&e->rd_wait);
	waitq_wake_all(&e->wr_wait);
	waitq_notify(&e->poll_wq, POLLHUP);
	kfree(e);
}

static const struct file_ops eventfd_fops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.llseek = eventfd_llseek,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

long sys_eventfd2(unsigned int initval, unsigned long flags)
{
	struct eventfd *e;
	struct file *f;
	long fd;

	if (flags &
	    ~(unsigned long)(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	waitq_init(&e->rd_wait);
	waitq_init(&e->wr_wait);
	waitq_init(&e->poll_wq);
	f = anon_file_open("eventfd", &eventfd_fops, e,
			   O_RDWR | (unsigned)(flags & EFD_NONBLOCK));
	if (IS_ERR(f)) {
		kfree(e);
		return PTR_ERR(f);
	}
	fd = fd_install(f, 0, flags & EFD_CLOEXEC);
	file_put(f);
	return fd;
}

long sys_eventfd(unsigned int initval)
{
	return sys_eventfd2(initval, 0);
}
