/*
 * futex.c: futex(2) and the robust futex list (layer: proc; relies on
 * the blocking protocol of kern/sched.h and on the vm: vm_find_vma to
 * tell shared mappings, vm_access for the kernel's pointer to a futex
 * word). Waiters park on one of a few hashed wait queues and carry their
 * key in their thread, so a wake picks exactly the threads of its word.
 * A key is (mm, address), except for a shared (non-PRIVATE) operation on
 * a MAP_SHARED page: there it is the page frame itself (the kernel's
 * pointer to the word), so processes mapping it meet on one key. Words
 * the kernel changes while other guest threads may run (FUTEX_WAKE_OP,
 * owner-died marks) are changed with atomic instructions.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <kern/vm.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/futex.h>
#include <uapi/time.h>

#include "proc_internal.h"

#define FUTEX_BUCKETS 64
/* Linux's ROBUST_LIST_LIMIT: a list longer than this is a loop. */
#define ROBUST_LIST_LIMIT 2048

/* FUTEX_WAKE_OP's encoded operation (futex(2)). */
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5

struct futex_key {
	struct mm *mm; /* NULL for a frame key */
	uint64_t addr; /* user address, or the kernel address of the word */
};

static struct waitq buckets[FUTEX_BUCKETS];
static bool buckets_ready;

static struct waitq *bucket_of(const struct futex_key *k)
{
	uint64_t h = ((uint64_t)(uintptr_t)k->mm >> 4) ^ (k->addr >> 2);

	if (!buckets_ready) {
		for (int i = 0; i < FUTEX_BUCKETS; i++)
			waitq_init(&buckets[i]);
		buckets_ready = true;
	}
	h *= 0x9e3779b97f4a7c15ULL;
	return &buckets[h >> 58];
}

static int grab_ptr(void *kptr, size_t len, void *arg)
{
	*(uint32_t **)arg = kptr;
	return 0;
}

/* The kernel's pointer to the aligned word at uaddr (faulting it in,
 * copy-on-write broken when write). */
static int word_ptr(struct mm *mm, uaddr_t uaddr, bool write, uint32_t **p)
{
	*p = NULL;
	return vm_access(mm, uaddr, sizeof(uint32_t), write, grab_ptr, p);
}

static int futex_key_of(struct mm *mm, uaddr_t uaddr, bool shared,
			struct futex_key *k)
{
	struct vma *vma;
	uint32_t *p;
	int err;

	if (uaddr & 3)
		return -EINVAL;
	k->mm = mm;
	k->addr = uaddr;
	if (!shared)
		return 0;
	vma = vm_find_vma(mm, uaddr);
	if (!vma)
		return -EFAULT;
	if (!(vma->flags & VMA_SHARED))
		return 0;
	err = word_ptr(mm, uaddr, false, &p);
	if (err)
		return err;
	k->mm = NULL;
	k->addr = (uint64_t)(uintptr_t)p;
	return 0;
}

static bool key_eq(const struct thread *t, const struct futex_key *k)
{
	return t->futex_mm == k->mm && t->futex_uaddr == k->addr;
}

static int wake_key(const struct futex_key *k, int nr, uint32_t bitset)
{
	struct waitq *wq = bucket_of(k);
	struct thread *t, *tmp;
	struct list_head woken;
	int n = 0;

	if (nr <= 0)
		return 0;
	/* Take the chosen waiters off first: each wake re-runs a call that
	 * may touch the bucket (a woken FUTEX_WAIT only returns, but a
	 * nested wake-up could park another thread here). */
	list_init(&woken);
	list_for_each_entry_safe(t, tmp, &wq->waiters, wait_link) {
		if (!key_eq(t, k) || !(t->futex_bitset & bitset))
			continue;
		list_del(&t->wait_link);
		list_add_tail(&t->wait_link, &woken);
		if (++n >= nr)
			break;
	}
	while (!list_empty(&woken)) {
		t = list_first_entry(&woken, struct thread, wait_link);
		list_del(&t->wait_link);
		list_init(&t->wait_link);
		t->futex_mm = NULL;
		t->futex_uaddr = 0;
		sched_wake(t, WAKE_EVENT);
	}
	return n;
}

int futex_wake_addr(struct mm *mm, uaddr_t uaddr, int nr, uint32_t bitset)
{
	struct futex_key k;

	if (futex_key_of(mm, uaddr, true, &k))
		return 0;
	return wake_key(&k, nr, bitset);
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

static long futex_wait(uaddr_t uaddr, bool shared, uint32_t val, uaddr_t utime,
		       uint32_t bitset, bool absolute, bool realtime)
{
	struct thread *t = current;
	struct linux_timespec ts;
	struct futex_key k;
	uint32_t cur;
	int err;

	if (t->resumed) {
		switch (t->wake_reason) {
		case WAKE_TIMEOUT:
			return -ETIMEDOUT;
		case WAKE_SIGNAL:
			/* Without a timeout SA_RESTART restarts the wait. */
			return utime ? -EINTR : -ERESTARTSYS;
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
	err = futex_key_of(t->task->mm, uaddr, shared, &k);
	if (err)
		return err;
	if (copy_from_user(&cur, uaddr, sizeof(cur)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	t->futex_mm = k.mm;
	t->futex_uaddr = k.addr;
	t->futex_bitset = bitset;
	if (utime && absolute && !realtime && timespec_to_ns(&ts) == 0)
		return -ETIMEDOUT;
	return sched_block(bucket_of(&k),
			   utime ? wait_deadline(&ts, absolute, realtime) : 0);
}

/* FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wake nr_wake waiters of uaddr and
 * move up to nr_requeue others to uaddr2. */
static long futex_requeue(uaddr_t uaddr, uaddr_t uaddr2, bool shared,
			  int nr_wake, int nr_requeue, bool cmp, uint32_t val3)
{
	struct mm *mm = current->task->mm;
	struct futex_key k1, k2;
	struct waitq *wq1, *wq2;
	struct thread *t, *tmp;
	int woken, moved = 0;
	int err;

	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	err = futex_key_of(mm, uaddr, shared, &k1);
	if (!err)
		err = futex_key_of(mm, uaddr2, shared, &k2);
	if (err)
		return err;
	if (cmp) {
		uint32_t cur;

		if (copy_from_user(&cur, uaddr, sizeof(cur)))
			return -EFAULT;
		if (cur != val3)
			return -EAGAIN;
	}
	woken = wake_key(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
	wq1 = bucket_of(&k1);
	wq2 = bucket_of(&k2);
	list_for_each_entry_safe(t, tmp, &wq1->waiters, wait_link) {
		if (moved >= nr_requeue)
			break;
		if (!key_eq(t, &k1))
			continue;
		list_del(&t->wait_link);
		list_add_tail(&t->wait_link, &wq2->waiters);
		t->waiting_on = wq2;
		t->futex_mm = k2.mm;
		t->futex_uaddr = k2.addr;
		moved++;
	}
	/* As on Linux: the woken and the requeued together. */
	return woken + moved;
}

static int32_t sign_extend12(uint32_t v)
{
	return (int32_t)(v << 20) >> 20;
}

static long futex_wake_op(uaddr_t uaddr, uaddr_t uaddr2, bool shared,
			  int nr_wake, int nr_wake2, uint32_t val3)
{
	struct mm *mm = current->task->mm;
	unsigned op = (val3 >> 28) & 0xf, cmp = (val3 >> 24) & 0xf;
	int32_t oparg = sign_extend12((val3 >> 12) & 0xfff);
	int32_t cmparg = sign_extend12(val3 & 0xfff);
	struct futex_key k1, k2;
	uint32_t *p, old;
	bool hit;
	int err, n;

	err = futex_key_of(mm, uaddr, shared, &k1);
	if (!err)
		err = futex_key_of(mm, uaddr2, shared, &k2);
	if (err)
		return err;
	if (op & FUTEX_OP_OPARG_SHIFT) {
		oparg = (int32_t)(1U << (oparg & 31));
		op &= ~(unsigned)FUTEX_OP_OPARG_SHIFT;
	}
	if (op > FUTEX_OP_XOR || cmp > FUTEX_OP_CMP_GE)
		return -ENOSYS;
	if (word_ptr(mm, uaddr2, true, &p) || !p)
		return -EFAULT;
	switch (op) {
	case FUTEX_OP_SET:
		old = __atomic_exchange_n(p, (uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_ADD:
		old = __atomic_fetch_add(p, (uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_OR:
		old = __atomic_fetch_or(p, (uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	case FUTEX_OP_ANDN:
		old = __atomic_fetch_and(p, ~(uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	default:
		old = __atomic_fetch_xor(p, (uint32_t)oparg, __ATOMIC_SEQ_CST);
		break;
	}
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		hit = (int32_t)old == cmparg;
		break;
	case FUTEX_OP_CMP_NE:
		hit = (int32_t)old != cmparg;
		break;
	case FUTEX_OP_CMP_LT:
		hit = (int32_t)old < cmparg;
		break;
	case FUTEX_OP_CMP_LE:
		hit = (int32_t)old <= cmparg;
		break;
	case FUTEX_OP_CMP_GT:
		hit = (int32_t)old > cmparg;
		break;
	default:
		hit = (int32_t)old >= cmparg;
		break;
	}
	n = wake_key(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
	if (hit)
		n += wake_key(&k2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
	return n;
}

/* partial: the priority-inheritance operations (LOCK_PI, UNLOCK_PI,
 * TRYLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2) return -ENOSYS. */
long sys_futex(uaddr_t uaddr, int futex_op, unsigned int val, uaddr_t timeout,
	       uaddr_t uaddr2, unsigned int val3)
{
	int cmd = futex_op & FUTEX_CMD_MASK;
	bool realtime = futex_op & FUTEX_CLOCK_REALTIME;
	bool shared = !(futex_op & FUTEX_PRIVATE_FLAG);
	/* REQUEUE and WAKE_OP pass a second count in the timeout slot. */
	int val2 = (int)(uint32_t)timeout;

	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, shared, val, timeout,
				  FUTEX_BITSET_MATCH_ANY, false, false);
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wait(uaddr, shared, val, timeout, val3, true,
				  realtime);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		struct futex_key k;
		uint32_t bits = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY :
						    val3;
		int err;

		if (!bits)
			return -EINVAL;
		err = futex_key_of(current->task->mm, uaddr, shared, &k);
		if (err)
			return err;
		return wake_key(&k, (int)val, bits);
	}
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, uaddr2, shared, (int)val, val2,
				     false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, uaddr2, shared, (int)val, val2,
				     true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, uaddr2, shared, (int)val, val2,
				     val3);
	default:
		return -ENOSYS;
	}
}

/* ---- thread exit: robust list and clear_child_tid ---- */

/* One robust futex of a dying owner: mark it OWNER_DIED (keeping the
 * WAITERS bit) and wake one waiter (futex(2), "robust futexes"). */
static void futex_owner_died(struct mm *mm, uaddr_t uaddr, uint32_t tid)
{
	uint32_t *p, old;

	if ((uaddr & 3) || word_ptr(mm, uaddr, true, &p) || !p)
		return;
	old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
	for (;;) {
		uint32_t newv;

		if ((old & FUTEX_TID_MASK) != tid)
			return;
		newv = (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (__atomic_compare_exchange_n(p, &old, newv, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			break;
	}
	if (old & FUTEX_WAITERS)
		futex_wake_addr(mm, uaddr, 1, FUTEX_BITSET_MATCH_ANY);
}

static void robust_list_exit(struct thread *t)
{
	struct mm *mm = t->task->mm;
	struct robust_list_head head;
	uint64_t entry, pending;
	uint32_t tid = (uint32_t)t->tid;

	if (!t->robust_list || vm_read(mm, &head, t->robust_list, sizeof(head)))
		return;
	/* Bit 0 of an entry flags a PI futex; Ember has none to release. */
	pending = head.list_op_pending & ~1ULL;
	entry = head.list;
	for (int n = 0; n < ROBUST_LIST_LIMIT && entry != t->robust_list; n++) {
		uint64_t next;
		uint64_t e = entry & ~1ULL;

		if (!e || vm_read(mm, &next, e, sizeof(next)))
			break;
		if (e != pending && !(entry & 1))
			futex_owner_died(mm, e + (uint64_t)head.futex_offset,
					 tid);
		entry = next;
	}
	if (pending && !(head.list_op_pending & 1))
		futex_owner_died(mm, pending + (uint64_t)head.futex_offset,
				 tid);
}

void futex_thread_exit(struct thread *t)
{
	struct task *task = t->task;
	struct mm *mm = task->mm;

	robust_list_exit(t);
	t->robust_list = 0;
	/* CLONE_CHILD_CLEARTID: zero the tid word and wake its futex, which
	 * is how pthread_join learns the thread is gone; only worth it when
	 * someone else still sees the memory. */
	if (t->clear_child_tid && (task->nthreads > 1 || mm->refcount > 1)) {
		uint32_t zero = 0;

		if (vm_write(mm, t->clear_child_tid, &zero, sizeof(zero),
			     false) == 0)
			futex_wake_addr(mm, t->clear_child_tid, 1,
					FUTEX_BITSET_MATCH_ANY);
	}
	t->clear_child_tid = 0;
}
