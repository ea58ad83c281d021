/*
 * timerfd.c: timerfd_create(2), timerfd_settime and timerfd_gettime: a
 * timer whose expirations are counted and read as a 64-bit number. The
 * deadline is kept on the monotonic clock (CLOCK_BOOTTIME is the same
 * clock in Ember; an absolute CLOCK_REALTIME time is converted when set,
 * so a later change of the wall clock does not move it and
 * TFD_TIMER_CANCEL_ON_SET, accepted, never cancels). An interval timer
 * counts every period that passed, also those the kernel timer missed:
 * each look at the timer first catches up with the clock.
 * Layer: VFS (a file type); relies on kern/timer.h, anon.c, wait_hook.c.
 */
#include <kern/timer.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/eventfd.h>
#include <uapi/time.h>

#include "internal.h"

struct timerfd {
	struct file *file; /* its open file (not referenced) */
	int clockid;
	struct ktimer timer;
	bool armed;
	uint64_t deadline; /* monotonic, while armed */
	uint64_t interval; /* ns, 0: one-shot */
	uint64_t ticks;	   /* expirations not yet read */
	struct waitq rd_wait, poll_wq;
};

static const struct file_ops timerfd_fops;

static void tfd_fire(struct ktimer *kt);

/* Counts the expirations up to now and re-arms an interval timer. */
static void tfd_catch_up(struct timerfd *t)
{
	uint64_t now = time_monotonic_ns(), n;

	if (!t->armed || now < t->deadline)
		return;
	if (t->interval) {
		n = 1 + (now - t->deadline) / t->interval;
		t->ticks += n;
		t->deadline += n * t->interval;
		timer_arm(&t->timer, t->deadline, tfd_fire);
	} else {
		t->ticks++;
		t->armed = false;
		timer_cancel(&t->timer);
	}
	waitq_wake_all(&t->rd_wait);
	waitq_notify(&t->poll_wq, POLLIN | POLLRDNORM);
}

/* The timer runs outside any call on the file: the wake-ups may end a
 * task whose close is the file's last, so it holds a reference. */
static void tfd_fire(struct ktimer *kt)
{
	struct timerfd *t = container_of(kt, struct timerfd, timer);
	struct file *f = t->file;

	file_get(f);
	tfd_catch_up(t);
	file_put(f);
}

static long timerfd_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct timerfd *t = f->priv;

	if (len < sizeof(t->ticks))
		return -EINVAL;
	tfd_catch_up(t);
	if (!t->ticks) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (fs_signal_pending() || !current)
			return -EINTR;
		return sched_block(&t->rd_wait, 0);
	}
	memcpy(buf, &t->ticks, sizeof(t->ticks));
	t->ticks = 0;
	return sizeof(t->ticks);
}

static unsigned timerfd_poll(struct file *f, struct waitq **wq)
{
	struct timerfd *t = f->priv;

	if (wq)
		*wq = &t->poll_wq;
	tfd_catch_up(t);
	return t->ticks ? POLLIN | POLLRDNORM : 0;
}

static long timerfd_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct timerfd *t = f->priv;
	uint64_t v;

	if (cmd != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	if (copy_from_user(&v, arg, sizeof(v)))
		return -EFAULT;
	if (!v)
		return -EINVAL;
	t->ticks = v;
	waitq_wake_all(&t->rd_wait);
	waitq_notify(&t->poll_wq, POLLIN | POLLRDNORM);
	return 0;
}

static long timerfd_llseek(struct file *f, int64_t off, int whence)
{
	return (long)f->pos; /* Linux's noop_llseek */
}

static void timerfd_release(struct file *f)
{
	struct timerfd *t = f->priv;

	timer_cancel(&t->timer);
	waitq_wake_all(&t->rd_wait);
	waitq_notify(&t->poll_wq, POLLHUP);
	kfree(t);
}

static const struct file_ops timerfd_fops = {
	.read = timerfd_read,
	.llseek = timerfd_llseek,
	.ioctl = timerfd_ioctl,
	.poll = timerfd_poll,
	.release = timerfd_release,
};

long sys_timerfd_create(int clockid, unsigned long flags)
{
	struct timerfd *t;
	struct file *f;
	long fd;

	if (flags & ~(unsigned long)(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		break;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		/* CAP_WAKE_ALARM; Ember has no suspend, so they are the
		 * plain clocks. */
		if (!proc_capable())
			return -EPERM;
		break;
	default:
		return -EINVAL;
	}
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->clockid = clockid;
	waitq_init(&t->rd_wait);
	waitq_init(&t->poll_wq);
	f = anon_file_open("timerfd", &timerfd_fops, t,
			   O_RDWR | (unsigned)(flags & TFD_NONBLOCK));
	if (IS_ERR(f)) {
		kfree(t);
		return PTR_ERR(f);
	}
	t->file = f;
	fd = fd_install(f, 0, flags & TFD_CLOEXEC);
	file_put(f);
	return fd;
}

/* The timerfd behind fd (referenced into *fp), or -EBADF / -EINVAL. */
static long tfd_get(int fd, struct file **fp)
{
	struct file *f = fd_get_io(fd);

	if (!f)
		return -EBADF;
	if (f->ops != &timerfd_fops) {
		file_put(f);
		return -EINVAL;
	}
	*fp = f;
	return 0;
}

static struct linux_itimerspec tfd_value(struct timerfd *t)
{
	struct linux_itimerspec v;
	uint64_t now = time_monotonic_ns();

	tfd_catch_up(t);
	v.it_interval = ns_to_timespec(t->interval);
	v.it_value = ns_to_timespec(
		t->armed && t->deadline > now ? t->deadline - now : 0);
	return v;
}

long sys_timerfd_gettime(int fd, uaddr_t curr_value)
{
	struct linux_itimerspec v;
	struct file *f;
	long err = tfd_get(fd, &f);

	if (err < 0)
		return err;
	v = tfd_value(f->priv);
	file_put(f);
	return copy_to_user(curr_value, &v, sizeof(v));
}

long sys_timerfd_settime(int fd, unsigned long flags, uaddr_t new_value,
			 uaddr_t old_value)
{
	struct linux_itimerspec nv, ov;
	struct timerfd *t;
	struct file *f;
	uint64_t value;
	long err;

	if (flags &
	    ~(unsigned long)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (copy_from_user(&nv, new_value, sizeof(nv)))
		return -EFAULT;
	if (!timespec_valid(&nv.it_value) || !timespec_valid(&nv.it_interval))
		return -EINVAL;
	err = tfd_get(fd, &f);
	if (err < 0)
		return err;
	t = f->priv;
	ov = tfd_value(t);
	timer_cancel(&t->timer);
	t->armed = false;
	t->ticks = 0;
	t->interval = timespec_to_ns(&nv.it_interval);
	value = timespec_to_ns(&nv.it_value);
	if (value) {
		if (!(flags & TFD_TIMER_ABSTIME))
			t->deadline = time_deadline_after(value);
		else if (t->clockid == CLOCK_REALTIME ||
			 t->clockid == CLOCK_REALTIME_ALARM)
			t->deadline = time_deadline_realtime(value);
		else
			t->deadline = value;
		t->armed = true;
		timer_arm(&t->timer, t->deadline, tfd_fire);
	}
	file_put(f);
	if (old_value && copy_to_user(old_value, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}
