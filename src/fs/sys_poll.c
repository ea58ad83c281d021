/*
 * sys_poll.c: readiness of many descriptors at once: poll, ppoll, select
 * and pselect6, plus vfs_poll, the one place that asks a file what it is
 * ready for. A call that must wait parks on every queue its files hand
 * out (wait_hook.c's poll table) and, when woken, runs again from scratch
 * as kern/sched.h prescribes; its monotonic deadline waits in
 * current->block_deadline meanwhile. The temporary signal mask of ppoll
 * and pselect6 uses the thread's saved_sigmask/restore_sigmask.
 * Layer: syscalls; relies on file_ops.poll, the fd table and uaccess.
 */
#include <kern/timer.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/resource.h>
#include <uapi/signal.h>
#include <uapi/time.h>

#include "internal.h"

/* Linux's DEFAULT_POLLMASK: files that cannot wait are always ready. */
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/* block_deadline of a call without a timeout. */
#define NO_DEADLINE UINT64_MAX

#define SIGSET_SIZE 8
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

unsigned vfs_poll(struct file *f, struct waitq **wq)
{
	unsigned mask;

	if (wq)
		*wq = NULL;
	if (!f->ops || !f->ops->poll)
		return DEFAULT_POLLMASK;
	mask = f->ops->poll(f, wq);
	if (mask & POLLIN)
		mask |= POLLRDNORM;
	if (mask & POLLOUT)
		mask |= POLLWRNORM;
	return mask;
}

bool fs_signal_pending(void)
{
	struct thread *t = current;
	uint64_t pending;

	if (!t)
		return false;
	if (t->resumed && t->wake_reason == WAKE_SIGNAL)
		return true;
	pending = t->sig_pending | (t->task ? t->task->sig_pending : 0);
	return (pending & ~t->sigmask) != 0;
}

struct file *fd_get_io(int fd)
{
	struct file *f = fd_get(fd);

	if (f && (f->flags & O_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

/* ---- timeouts and signal masks shared with epoll ---- */

/* The deadline for a relative timeout, kept for the re-runs. */
uint64_t poll_deadline_first(uint64_t timeout_ns, bool infinite)
{
	uint64_t d = infinite ? NO_DEADLINE : time_deadline_after(timeout_ns);

	if (d == NO_DEADLINE && !infinite)
		d--;
	current->block_deadline = d;
	return d;
}

bool poll_timed_out(uint64_t deadline)
{
	return deadline != NO_DEADLINE && time_monotonic_ns() >= deadline;
}

long poll_block(struct waitq *const *wqs, size_t n, uint64_t deadline)
{
	return poll_table_block(wqs, n, deadline == NO_DEADLINE ? 0 : deadline);
}

/* Applies a call's temporary signal mask at its first run (re-runs find
 * it in place). 0, -EINVAL for a bad size or -EFAULT. */
int poll_sigmask_set(uaddr_t umask, size_t size)
{
	struct thread *t = current;
	uint64_t mask;

	if (!umask || t->resumed)
		return 0;
	if (size != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->sigmask = mask & ~UNBLOCKABLE;
	t->restore_sigmask = true;
	return 0;
}

/* The end of a call that set a mask: Linux puts the old mask back at once
 * unless a signal interrupted it (then the handler frame saves the old
 * one and it returns with sigreturn). */
long poll_sigmask_done(long ret)
{
	struct thread *t = current;

	if (ret == -EKBLOCK || ret == -EINTR || ret == -ERESTARTNOHAND)
		return ret;
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	return ret;
}

/* The time left until deadline, for the timeout select/ppoll write back. */
static struct linux_timespec time_left(uint64_t deadline)
{
	uint64_t now = time_monotonic_ns();

	return ns_to_timespec(deadline > now ? deadline - now : 0);
}

/* ---- poll ---- */

static int nofile_limit(void)
{
	struct task *t = cur_task();
	uint64_t lim = t ? t->rlim[RLIMIT_NOFILE].cur : 1024;

	return lim > 0x7fffffff ? 0x7fffffff : (int)lim;
}

static long do_poll(uaddr_t ufds, unsigned nfds, uint64_t deadline,
		    long interrupted)
{
	struct linux_pollfd *fds = NULL;
	struct waitq **wqs = NULL;
	long ret;
	int count = 0;

	if (nfds > (unsigned)nofile_limit())
		return -EINVAL;
	if (nfds) {
		fds = kmalloc(nfds * sizeof(*fds));
		wqs = kmalloc(nfds * sizeof(*wqs));
		if (!fds || !wqs) {
			ret = -ENOMEM;
			goto out;
		}
		if (copy_from_user(fds, ufds, nfds * sizeof(*fds))) {
			ret = -EFAULT;
			goto out;
		}
	}
	for (unsigned i = 0; i < nfds; i++) {
		struct linux_pollfd *pfd = &fds[i];
		unsigned mask = 0;

		wqs[i] = NULL;
		if (pfd->fd >= 0) {
			struct file *f = fd_get_io(pfd->fd);

			mask = POLLNVAL;
			if (f) {
				mask = vfs_poll(f, &wqs[i]) &
				       ((uint16_t)pfd->events | POLLERR |
					POLLHUP);
				file_put(f);
			}
		}
		pfd->revents = (int16_t)mask;
		if (mask)
			count++;
	}
	if (!count && !poll_timed_out(deadline)) {
		if (!fs_signal_pending()) {
			ret = poll_block(wqs, nfds, deadline);
			goto out;
		}
		count = (int)interrupted;
	}
	ret = count;
	for (unsigned i = 0; i < nfds; i++) {
		if (copy_to_user(ufds + i * sizeof(*fds) +
					 offsetof(struct linux_pollfd, revents),
				 &fds[i].revents, sizeof(fds[i].revents))) {
			ret = -EFAULT;
			break;
		}
	}
out:
	kfree(fds);
	kfree(wqs);
	return ret;
}

long sys_poll(uaddr_t fds, unsigned int nfds, int timeout)
{
	uint64_t deadline;

	poll_table_clear();
	if (current->resumed)
		deadline = current->block_deadline;
	else
		deadline = poll_deadline_first(
			timeout > 0 ? (uint64_t)timeout * 1000000ULL : 0,
			timeout < 0);
	/* Ember keeps no restart block: restarted, poll waits anew. */
	return do_poll(fds, nfds, deadline, -ERESTART_RESTARTBLOCK);
}

long sys_ppoll(uaddr_t fds, unsigned int nfds, uaddr_t tmo_p, uaddr_t sigmask,
	       size_t sigsetsize)
{
	struct linux_timespec ts;
	uint64_t deadline;
	long ret;

	poll_table_clear();
	if (current->resumed) {
		deadline = current->block_deadline;
	} else {
		if (tmo_p) {
			if (copy_from_user(&ts, tmo_p, sizeof(ts)))
				return -EFAULT;
			if (!timespec_valid(&ts))
				return -EINVAL;
		}
		ret = poll_sigmask_set(sigmask, sigsetsize);
		if (ret < 0)
			return ret;
		deadline = poll_deadline_first(tmo_p ? timespec_to_ns(&ts) : 0,
					       !tmo_p);
	}
	ret = do_poll(fds, nfds, deadline, -ERESTARTNOHAND);
	if (ret != -EKBLOCK && tmo_p && deadline != NO_DEADLINE) {
		/* Linux writes the time left back (not for a zero timeout,
		 * and a fault there does not undo the call). */
		if (copy_from_user(&ts, tmo_p, sizeof(ts)) == 0 &&
		    (ts.tv_sec || ts.tv_nsec)) {
			ts = time_left(deadline);
			if (copy_to_user(tmo_p, &ts, sizeof(ts)) &&
			    ret == -ERESTARTNOHAND)
				ret = -EINTR;
		}
	}
	return poll_sigmask_done(ret);
}

/* ---- select ---- */

#define SEL_IN (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define SEL_EX (POLLPRI)

struct fdsets {
	uint64_t *in, *out, *ex;    /* what the caller asked */
	uint64_t *rin, *rout, *rex; /* what is ready */
};

static bool bit_of(const uint64_t *set, int fd)
{
	return set && (set[fd / 64] >> (fd % 64)) & 1;
}

static void set_bit_of(uint64_t *set, int fd)
{
	set[fd / 64] |= 1ULL << (fd % 64);
}

static long do_select(int n, uaddr_t uin, uaddr_t uout, uaddr_t uex,
		      uint64_t deadline)
{
	uaddr_t user[3] = { uin, uout, uex };
	uint64_t *mem = NULL, *sets[6] = { 0 };
	struct waitq **wqs = NULL;
	size_t words, bytes;
	int count = 0, table;
	long ret;

	if (n < 0)
		return -EINVAL;
	/* Linux looks no further than its descriptor table. */
	table = fd_table_size();
	if (n > table)
		n = table;
	words = ((size_t)n + 63) / 64;
	bytes = words * sizeof(uint64_t);
	if (n) {
		mem = kzalloc(6 * bytes);
		wqs = kzalloc((size_t)n * sizeof(*wqs));
		if (!mem || !wqs) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (!user[i] || !n)
			continue;
		sets[i] = mem + (size_t)i * words;
		sets[i + 3] = mem + (size_t)(i + 3) * words;
		if (copy_from_user(sets[i], user[i], bytes)) {
			ret = -EFAULT;
			goto out;
		}
	}
	for (int fd = 0; fd < n; fd++) {
		bool in = bit_of(sets[0], fd), out = bit_of(sets[1], fd),
		     ex = bit_of(sets[2], fd);
		struct file *f;
		unsigned mask = POLLNVAL;

		if (!in && !out && !ex)
			continue;
		f = fd_get(fd);
		if (!f) {
			ret = -EBADF;
			goto out;
		}
		if (!(f->flags & O_PATH))
			mask = vfs_poll(f, &wqs[fd]);
		file_put(f);
		if (in && (mask & SEL_IN)) {
			set_bit_of(sets[3], fd);
			count++;
		}
		if (out && (mask & SEL_OUT)) {
			set_bit_of(sets[4], fd);
			count++;
		}
		if (ex && (mask & SEL_EX)) {
			set_bit_of(sets[5], fd);
			count++;
		}
	}
	if (!count && !poll_timed_out(deadline)) {
		ret = fs_signal_pending() ?
			      -ERESTARTNOHAND :
			      poll_block(wqs, (size_t)n, deadline);
		goto out;
	}
	ret = count;
	for (int i = 0; i < 3; i++) {
		if (sets[i] && copy_to_user(user[i], sets[i + 3], bytes)) {
			ret = -EFAULT;
			break;
		}
	}
out:
	kfree(mem);
	kfree(wqs);
	return ret;
}

/* select and pselect6 write the time left back, in their own format. */
static long select_finish(long ret, uaddr_t utmo, bool timeval,
			  uint64_t deadline, bool zero)
{
	struct linux_timespec ts;
	int err;

	if (ret == -EKBLOCK || !utmo || deadline == NO_DEADLINE || zero)
		return ret;
	ts = time_left(deadline);
	if (timeval) {
		struct linux_timeval tv = { ts.tv_sec, ts.tv_nsec / 1000 };

		err = copy_to_user(utmo, &tv, sizeof(tv));
	} else {
		err = copy_to_user(utmo, &ts, sizeof(ts));
	}
	/* A restart would wait the whole time again: give EINTR. */
	if (err && ret == -ERESTARTNOHAND)
		ret = -EINTR;
	return ret;
}

long sys_select(int nfds, uaddr_t readfds, uaddr_t writefds, uaddr_t exceptfds,
		uaddr_t timeout)
{
	struct linux_timeval tv = { 0, 0 };
	uint64_t deadline;
	long ret;

	poll_table_clear();
	if (timeout && copy_from_user(&tv, timeout, sizeof(tv)))
		return -EFAULT;
	if (current->resumed) {
		deadline = current->block_deadline;
	} else {
		/* select folds whole seconds out of tv_usec. */
		struct linux_timespec ts = {
			tv.tv_sec + tv.tv_usec / 1000000,
			(tv.tv_usec % 1000000) * 1000,
		};

		if (timeout && !timespec_valid(&ts))
			return -EINVAL;
		deadline = poll_deadline_first(
			timeout ? timespec_to_ns(&ts) : 0, !timeout);
	}
	ret = do_select(nfds, readfds, writefds, exceptfds, deadline);
	return select_finish(ret, timeout, true, deadline,
			     !tv.tv_sec && !tv.tv_usec);
}

long sys_pselect6(int nfds, uaddr_t readfds, uaddr_t writefds,
		  uaddr_t exceptfds, uaddr_t timeout, uaddr_t sigmask)
{
	struct linux_timespec ts = { 0, 0 };
	uint64_t deadline;
	long ret;

	poll_table_clear();
	if (timeout && copy_from_user(&ts, timeout, sizeof(ts)))
		return -EFAULT;
	if (current->resumed) {
		deadline = current->block_deadline;
	} else {
		struct linux_pselect_sigmask sm = { 0, 0 };

		if (timeout && !timespec_valid(&ts))
			return -EINVAL;
		if (sigmask && copy_from_user(&sm, sigmask, sizeof(sm)))
			return -EFAULT;
		ret = poll_sigmask_set(sm.ss, sm.ss_len);
		if (ret < 0)
			return ret;
		deadline = poll_deadline_first(
			timeout ? timespec_to_ns(&ts) : 0, !timeout);
	}
	ret = do_select(nfds, readfds, writefds, exceptfds, deadline);
	ret = select_finish(ret, timeout, false, deadline,
			    !ts.tv_sec && !ts.tv_nsec);
	return poll_sigmask_done(ret);
}
