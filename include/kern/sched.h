/*
 * sched: which thread runs, and how a syscall waits.
 *
 * The core never blocks. A syscall that must wait calls sched_block() and
 * returns its result (-EKBLOCK); the dispatcher parks the thread. When a
 * wait queue wakes it, its deadline passes, or a signal arrives, the
 * dispatcher calls the SAME handler again with the same arguments;
 * current->resumed is then true and current->wake_reason says why. A
 * handler therefore checks its condition first, every time:
 *
 *	if (!pipe_has_data(p)) {
 *		if (current->wake_reason == WAKE_SIGNAL) return -EINTR;
 *		return sched_block(&p->readers, 0);
 *	}
 */
#ifndef KERN_SCHED_H
#define KERN_SCHED_H

#include <kern/list.h>
#include <kern/timer.h>
#include <kern/types.h>

/* Internal: "this thread is now parked", never reaches a guest. */
#define EKBLOCK 1024

enum wake_reason {
	WAKE_NONE = 0, /* first run of the syscall */
	WAKE_EVENT,    /* a wait queue woke it */
	WAKE_TIMEOUT,  /* its deadline passed */
	WAKE_SIGNAL,   /* a signal is pending */
};

struct waitq {
	struct list_head waiters; /* struct thread.wait_link */
};

static inline void waitq_init(struct waitq *wq) { list_init(&wq->waiters); }

struct thread;

/* Wakes every thread parked on wq (each re-runs its syscall). */
void waitq_wake_all(struct waitq *wq);
/* Wakes the first thread parked on wq; returns true if there was one. */
bool waitq_wake_one(struct waitq *wq);

/*
 * Parks current on wq (may be NULL: only the deadline or a signal will
 * wake it) until deadline_ns on the monotonic clock (0: none). Returns
 * -EKBLOCK, which the handler returns as it is.
 */
long sched_block(struct waitq *wq, uint64_t deadline_ns);

/* Makes t runnable (used by wake-ups and signals). */
void sched_wake(struct thread *t, enum wake_reason why);

/* Starts a runnable thread on the HAL (hal_uctx_start). */
void sched_run(struct thread *t);

#endif
