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

/*
 * Callback waiters, for waiting on several queues at once (poll, select,
 * epoll; implemented in src/fs/wait_hook.c). A hook is not a thread:
 * waitq_wake_all/waitq_wake_one never see it. waitq_notify(wq, key) wakes
 * the threads parked on wq (waitq_wake_all) and then calls every hook
 * registered on wq. So whoever changes what a file_ops.poll reports calls
 * waitq_notify on the queue that poll hands out, never waitq_wake_all
 * alone. key: the POLL* bits that may have become ready (0: unknown);
 * hooks use it only to skip wake-ups that cannot concern them. A hook
 * stays registered until waitq_hook_del, also while its fn runs; fn may
 * delete or free any hook, its own included, and may wake threads.
 */
struct waitq_hook {
	struct list_head link; /* private to wait_hook.c */
	struct waitq *wq;
	void (*fn)(struct waitq_hook *h, unsigned key);
};
/* Registers h on wq: h->fn will run at every waitq_notify(wq). */
void waitq_hook_add(struct waitq *wq, struct waitq_hook *h,
		    void (*fn)(struct waitq_hook *h, unsigned key));
/* Unregisters h (harmless when it is not registered). */
void waitq_hook_del(struct waitq_hook *h);
/* Wakes wq's threads, then runs its hooks (see above). */
void waitq_notify(struct waitq *wq, unsigned key);

/* Makes t runnable (used by wake-ups and signals): queues the re-run of
 * its call for sched_run_pending. */
void sched_wake(struct thread *t, enum wake_reason why);

/* Re-runs the calls of every thread woken since the last time (each
 * kern_* entry point calls it before returning to the HAL). */
void sched_run_pending(void);

/* Starts a runnable thread on the HAL (hal_uctx_start). */
void sched_run(struct thread *t);

#endif
