/*
 * futex.c: futex(2) wait and wake (layer: proc; relies on the blocking
 * protocol of kern/sched.h and vm_read for the futex word). Waiters park
 * on one of a few hashed wait queues and carry their key (mm, address) in
 * their thread, so a wake picks exactly the threads of its word.
 * partial: a key is (mm, address) even for shared futexes, so a futex in
 * MAP_SHARED memory does not work across processes yet.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <kern/vm.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/futex.h>
#include <uapi/time.h>

#define FUTEX_BUCKETS 64

static struct waitq buckets[FUTEX_BUCKETS];
static bool buckets_ready;

static struct waitq *bucket_of(struct mm *mm, uaddr_t uaddr)
{
	uint64_t h = ((uint64_t)(uintptr_t)mm >> 4) ^ (uaddr >> 2);

	if (!buckets_ready) {
		for (int i = 0; i < FUTEX_BUCKETS; i++)
			waitq_init(&buckets[i]);
		buckets_ready = true;
	}
	h *= 0x9e3779b97f4a7c15ULL;
	return &buckets[h >> 58];
}

int futex_wake_addr(struct mm *mm, uaddr_t uaddr, int nr, uint32_t bitset)
{
	struct waitq *wq = bucket_of(mm, uaddr);
	struct thread *t, *tmp;
	struct list_head woken;
	int n = 0;

	/* Take the chosen waiters off first: each wake re-runs a call that
	 * may touch the bucket (a woken FUTEX_WAIT only returns, but a
	 * nested wake-up could park another thread here). */
	list_init(&woken);
	list_for_each_entry_safe(t, tmp, &wq->waiters, wait_link) {
		if (t->futex_mm != mm || t->futex_uaddr != uaddr ||
		    !(t->futex_bitset & bitset))
			continue;
		list_del(&t->wait_link);
		list_add_tail(&t->wait_link, &woken);
		/* Counted after the wake: nr <= 0 still wakes one, as on
		 * Linux. */
		if (++n >= nr)
			break;
	}
	while (!list_empty(&woken)) {
		t = list_first_entry(&woken, struct thread, wait_link);
		list_del(&t->wait_link);
		sched_wake(t, WAKE_EVENT);
	}
	return n;
}

/*
 * The monotonic deadline of a wait: FUTEX_WAIT's timeout is relative,
 * FUTEX_WAIT_BITSET's absolute on CLOCK_MONOTONIC or, with
 * FUTEX_CLOCK_REALTIME, on the wall clock.
 */
static uint64_t wait_deadline(const struct linux_timespec *ts, bool absolute,
			      bool realtime)
{
	uint64_t ns = timespec_to_ns(ts);

	if (!absolute)
		return time_deadline_after(ns);
	if (realtime)
		return time_deadline_realtime(ns);
	return ns ? ns : 1;
}

static long futex_wait(uaddr_t uaddr, uint32_t val, uaddr_t utime,
		       uint32_t bitset, bool absolute, bool realtime)
{
	struct thread *t = current;
	struct mm *mm = t->task->mm;
	struct linux_timespec ts;
	uint32_t cur;

	if (t->resumed) {
		switch (t->wake_reason) {
		case WAKE_TIMEOUT:
			return -ETIMEDOUT;
		case WAKE_SIGNAL:
			return -EINTR;
		default:
			return 0;
		}
	}
	if (utime) {
		if (copy_from_user(&ts, utime, sizeof(ts)))
			return -EFAULT;
		if (!timespec_valid(&ts))
			return -EINVAL;
	}
	if (copy_from_user(&cur, uaddr, sizeof(cur)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	t->futex_mm = mm;
	t->futex_uaddr = uaddr;
	t->futex_bitset = bitset;
	return sched_block(bucket_of(mm, uaddr),
			   utime ? wait_deadline(&ts, absolute, realtime) : 0);
}

/* partial: WAIT, WAKE and their BITSET forms; requeue, wake-op and the
 * priority-inheritance operations return -ENOSYS. */
long sys_futex(uaddr_t uaddr, int futex_op, unsigned int val, uaddr_t timeout,
	       uaddr_t uaddr2, unsigned int val3)
{
	int cmd = futex_op & FUTEX_CMD_MASK;
	bool realtime = futex_op & FUTEX_CLOCK_REALTIME;

	if (uaddr & 3)
		return -EINVAL;
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, val, timeout, FUTEX_BITSET_MATCH_ANY,
				  false, false);
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wait(uaddr, val, timeout, val3, true, realtime);
	case FUTEX_WAKE:
		return futex_wake_addr(current->task->mm, uaddr, (int)val,
				       FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake_addr(current->task->mm, uaddr, (int)val,
				       val3);
	default:
		return -ENOSYS;
	}
}
