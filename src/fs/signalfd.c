/*
 * signalfd.c: signalfd(2) and signalfd4(2): a file that reads the
 * caller's pending signals of its mask as struct signalfd_siginfo records
 * (its thread's first, then its process's), waits for one when none is
 * pending, and polls readable while one is. Who reads or polls decides
 * whose signals they are, as on Linux (a forked child reads its own).
 * Layer: VFS (a file type); relies on the proc signal API in kern/proc.h
 * (pending set, dequeue, the queue notified at every new signal), anon.c
 * and the sched.h protocol.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/signal.h>
#include <uapi/signalfd.h>

#include "internal.h"

struct signalfd_ctx {
	uint64_t mask; /* bit n-1 for signal n; never SIGKILL or SIGSTOP */
};

static const struct file_ops signalfd_fops;

static uint64_t sfd_bit(int sig)
{
	return 1ULL << (sig - 1);
}

/* Fills a record from a siginfo, by which union member the sender set. */
static void fill_record(struct signalfd_siginfo *r,
			const struct linux_siginfo *in)
{
	int sig = in->si_signo, code = in->si_code;

	memset(r, 0, sizeof(*r));
	r->ssi_signo = (uint32_t)sig;
	r->ssi_errno = in->si_errno;
	r->ssi_code = code;
	if (code == SI_TIMER) {
		r->ssi_tid = (uint32_t)in->f.timer.tid;
		r->ssi_overrun = (uint32_t)in->f.timer.overrun;
		r->ssi_int = (int32_t)in->f.timer.value;
		r->ssi_ptr = in->f.timer.value;
	} else if (code <= 0 || code == SI_KERNEL) {
		r->ssi_pid = (uint32_t)in->f.kill.pid;
		r->ssi_uid = in->f.kill.uid;
		r->ssi_int = (int32_t)in->f.kill.value;
		r->ssi_ptr = in->f.kill.value;
	} else if (sig == SIGCHLD) {
		r->ssi_pid = (uint32_t)in->f.chld.pid;
		r->ssi_uid = in->f.chld.uid;
		r->ssi_status = in->f.chld.status;
		r->ssi_utime = (uint64_t)in->f.chld.utime;
		r->ssi_stime = (uint64_t)in->f.chld.stime;
	} else if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
		   sig == SIGFPE || sig == SIGTRAP) {
		r->ssi_addr = in->f.fault.addr;
		r->ssi_addr_lsb = (uint16_t)in->f.fault.addr_lsb;
	} else if (sig == SIGIO) {
		r->ssi_band = (uint32_t)in->f.poll.band;
		r->ssi_fd = in->f.poll.fd;
	} else if (sig == SIGSYS) {
		r->ssi_call_addr = in->f.sys.call_addr;
		r->ssi_syscall = in->f.sys.syscall;
		r->ssi_arch = in->f.sys.arch;
	} else {
		r->ssi_pid = (uint32_t)in->f.kill.pid;
		r->ssi_uid = in->f.kill.uid;
	}
}

static long signalfd_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct signalfd_ctx *c = f->priv;
	struct signalfd_siginfo *out = buf;
	struct linux_siginfo info;
	size_t n = 0;

	(void)pos;
	if (len < sizeof(*out))
		return -EINVAL;
	if (!current)
		return -EAGAIN;
	while (n < len / sizeof(*out)) {
		memset(&info, 0, sizeof(info));
		int sig = proc_signal_dequeue(current, c->mask, &info);

		if (!sig)
			break;
		if (info.si_signo == 0)
			info.si_signo = sig;
		fill_record(&out[n++], &info);
	}
	if (n)
		return (long)(n * sizeof(*out));
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (current->wake_reason == WAKE_SIGNAL || fs_signal_pending())
		return -ERESTARTSYS;
	return sched_block(&proc_signal_queued_wq, 0);
}

static unsigned signalfd_poll(struct file *f, struct waitq **wq)
{
	struct signalfd_ctx *c = f->priv;

	if (wq)
		*wq = &proc_signal_queued_wq;
	if (current && (proc_signal_pending(current) & c->mask))
		return FS_POLLIN;
	return 0;
}

static void signalfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops signalfd_fops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.release = signalfd_release,
};

long sys_signalfd4(int fd, uaddr_t mask, size_t sizemask, unsigned long flags)
{
	struct signalfd_ctx *c;
	struct file *f;
	uint64_t set;
	long r;

	if (flags & ~(unsigned long)(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (sizemask != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, mask, sizeof(set)))
		return -EFAULT;
	/* SIGKILL and SIGSTOP are silently ignored (signalfd(2)). */
	set &= ~(sfd_bit(SIGKILL) | sfd_bit(SIGSTOP));
	if (fd != -1) {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_fops) {
			file_put(f);
			return -EINVAL;
		}
		c = f->priv;
		c->mask = set;
		file_put(f);
		/* Pollers re-check against the new mask. */
		waitq_notify(&proc_signal_queued_wq, 0);
		return fd;
	}
	c = kzalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->mask = set;
	f = anon_file_open("signalfd", &signalfd_fops, c,
			   O_RDWR | (unsigned)(flags & SFD_NONBLOCK));
	if (IS_ERR(f)) {
		kfree(c);
		return PTR_ERR(f);
	}
	r = fd_install(f, 0, flags & SFD_CLOEXEC);
	file_put(f);
	return r;
}

long sys_signalfd(int fd, uaddr_t mask, size_t sizemask)
{
	return sys_signalfd4(fd, mask, sizemask, 0);
}
