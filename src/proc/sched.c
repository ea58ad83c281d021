/*
 * sched.c: blocking and waking (layer: proc; relies on the timers, the
 * syscall dispatcher that re-runs a parked call, and the HAL's
 * hal_uctx_start). There is no run queue: the HAL runs every runnable
 * thread, so "scheduling" is starting a thread again after its trap or
 * wake-up. The protocol a blocking syscall follows is in kern/sched.h.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <uapi/errno.h>

static void thread_timeout(struct ktimer *timer)
{
	sched_wake(container_of(timer, struct thread, timeout), WAKE_TIMEOUT);
}

long sched_block(struct waitq *wq, uint64_t deadline_ns)
{
	struct thread *t = current;

	KASSERT(t && t->state != THREAD_DEAD);
	t->state = THREAD_BLOCKED;
	t->waiting_on = wq;
	if (wq)
		list_add_tail(&t->wait_link, &wq->waiters);
	if (deadline_ns)
		timer_arm(&t->timeout, deadline_ns, thread_timeout);
	return -EKBLOCK;
}

void sched_wake(struct thread *t, enum wake_reason why)
{
	struct thread *saved = current;

	if (t->state != THREAD_BLOCKED)
		return;
	timer_cancel(&t->timeout);
	list_del(&t->wait_link);
	t->waiting_on = NULL;
	t->wake_reason = why;
	t->resumed = true;
	t->state = THREAD_RUNNABLE;
	/* The woken call runs now, nested in whatever woke it; `current`
	 * is the woken thread only for that call. */
	syscall_handle(t);
	current = saved;
	if (t->state == THREAD_RUNNABLE)
		sched_run(t);
}

/*
 * The waiters move to a private list first: a woken call that must wait
 * again parks on wq anew and is not woken a second time by this loop.
 */
void waitq_wake_all(struct waitq *wq)
{
	struct list_head woken;

	if (list_empty(&wq->waiters))
		return;
	woken = wq->waiters;
	woken.next->prev = &woken;
	woken.prev->next = &woken;
	list_init(&wq->waiters);
	while (!list_empty(&woken)) {
		struct thread *t =
			list_first_entry(&woken, struct thread, wait_link);

		list_del(&t->wait_link);
		sched_wake(t, WAKE_EVENT);
	}
}

bool waitq_wake_one(struct waitq *wq)
{
	if (list_empty(&wq->waiters))
		return false;
	sched_wake(list_first_entry(&wq->waiters, struct thread, wait_link),
		   WAKE_EVENT);
	return true;
}

void sched_run(struct thread *t)
{
	KASSERT(t->state == THREAD_RUNNABLE && t->ht);
	t->state = THREAD_RUNNING;
	hal_uctx_start(t->ht);
}
