/*
 * sched.c: blocking, waking and returning to user mode (layer: proc;
 * relies on the timers, the syscall dispatcher that re-runs a parked
 * call, signal.c for what happens on the way back to user mode, and the
 * HAL's hal_uctx_start). There is no run queue: the HAL runs every
 * runnable thread, so "scheduling" is starting a thread again after its
 * trap or wake-up. The protocol a blocking syscall follows is in
 * kern/sched.h. CPU time is charged here: user time from a start to the
 * next trap (trap.c), system time while the core handles the trap.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <uapi/errno.h>

#include "proc_internal.h"

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
	t->usage.nvcsw++;
	return -EKBLOCK;
}

/* Woken threads whose call has not been re-run yet (via wait_link). */
static LIST_HEAD(wake_pending);

/*
 * A wake-up only queues the thread: its call is re-run by
 * sched_run_pending() when the event that woke it is over, never nested
 * inside the waker (which may be in the middle of freeing what the woken
 * call would look at: an exiting task reaped by its parent's wait4).
 */
void sched_wake(struct thread *t, enum wake_reason why)
{
	if (t->state != THREAD_BLOCKED || t->wake_queued)
		return;
	timer_cancel(&t->timeout);
	list_del(&t->wait_link);
	t->waiting_on = NULL;
	t->wake_reason = why;
	t->resumed = true;
	t->wake_queued = true;
	list_add_tail(&t->wait_link, &wake_pending);
}

void sched_run_pending(void)
{
	struct thread *saved = current;

	while (!list_empty(&wake_pending)) {
		struct thread *t =
			list_first_entry(&wake_pending, struct thread, wait_link);

		list_del(&t->wait_link);
		t->wake_queued = false;
		if (t->state != THREAD_BLOCKED)
			continue;
		t->state = THREAD_RUNNABLE;
		syscall_handle(t);
		if (t->state == THREAD_RUNNABLE) {
			t->syscall_returned = true;
			sched_run(t);
		}
	}
	current = saved;
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
		list_init(&t->wait_link);
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
	KASSERT(t->state == THREAD_RUNNABLE);
	if (!signal_user_return(t))
		return;
	KASSERT(t->ht);
	t->state = THREAD_RUNNING;
	t->run_start_ns = time_monotonic_ns();
	hal_uctx_start(t->ht);
}

void proc_usage_add(struct proc_usage *a, const struct proc_usage *b)
{
	a->utime_ns += b->utime_ns;
	a->stime_ns += b->stime_ns;
	a->minflt += b->minflt;
	a->majflt += b->majflt;
	a->nvcsw += b->nvcsw;
	a->nivcsw += b->nivcsw;
	a->maxrss_kb = MAX(a->maxrss_kb, b->maxrss_kb);
}

void proc_usage_task(struct task *task, struct proc_usage *u)
{
	struct thread *t;

	*u = task->usage;
	list_for_each_entry(t, &task->threads, task_link)
		proc_usage_add(u, &t->usage);
}
