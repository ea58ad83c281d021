/*
 * signal.c: what Ember does with a signal so far (layer: proc; relies on
 * task_exit). There is no handler delivery yet (no signal frames): a
 * signal is dropped when ignored, terminates the task when its default
 * action does, and otherwise stays pending in the thread or task for the
 * delivery code to come. Stop signals also stay pending (no job control).
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <uapi/signal.h>

#include "proc_internal.h"

_Static_assert(sizeof(struct ksigaction) == 32,
	       "rt_sigaction's struct: handler, flags, restorer, mask");

static uint64_t sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

bool signal_default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG ||
	       sig == SIGCONT;
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

static bool is_ignored(struct task *task, int sig)
{
	uint64_t handler = task->sigactions[sig - 1].handler;

	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	return handler == SIG_IGN ||
	       (handler == SIG_DFL && signal_default_ignored(sig));
}

/* Needs a handler to run or a stop: nothing Ember can do yet. */
static bool must_wait(struct task *task, int sig)
{
	if (sig == SIGKILL)
		return false;
	return task->sigactions[sig - 1].handler != SIG_DFL ||
	       is_stop_signal(sig);
}

static bool blocked_everywhere(struct task *task, int sig)
{
	struct thread *t;

	list_for_each_entry(t, &task->threads, task_link) {
		if (!(t->sigmask & sig_bit(sig)))
			return false;
	}
	return !list_empty(&task->threads);
}

void signal_send(struct task *task, struct thread *t, int sig)
{
	bool blocked;

	if (task->state != TASK_ALIVE)
		return;
	if (sig == SIGKILL || sig == SIGSTOP)
		blocked = false;
	else if (t)
		blocked = t->sigmask & sig_bit(sig);
	else
		blocked = blocked_everywhere(task, sig);
	/* A blocked signal is kept even when ignored now: the disposition
	 * may change before it is unblocked (as on Linux). */
	if (!blocked && is_ignored(task, sig))
		return;
	if (blocked || must_wait(task, sig)) {
		if (t)
			t->sig_pending |= sig_bit(sig);
		else
			task->sig_pending |= sig_bit(sig);
		if (!blocked)
			pr_debug("pid %d: signal %d stays pending (no delivery "
				 "yet)",
				 task->pid, sig);
		return;
	}
	task_exit(task, wait_status_signal(sig));
}

void signal_check_pending(struct thread *t)
{
	struct task *task = t->task;
	uint64_t pending = (t->sig_pending | task->sig_pending) & ~t->sigmask;

	for (int sig = 1; sig <= NSIG && pending; sig++) {
		if (!(pending & sig_bit(sig)))
			continue;
		pending &= ~sig_bit(sig);
		if (must_wait(task, sig) && !is_ignored(task, sig))
			continue;
		t->sig_pending &= ~sig_bit(sig);
		task->sig_pending &= ~sig_bit(sig);
		if (!is_ignored(task, sig)) {
			task_exit(task, wait_status_signal(sig));
			return;
		}
	}
}

void signal_reset_on_exec(struct task *task)
{
	for (int i = 0; i < NSIG; i++) {
		struct ksigaction *sa = &task->sigactions[i];

		if (sa->handler != SIG_IGN)
			sa->handler = SIG_DFL;
		sa->flags = 0;
		sa->restorer = 0;
		sa->mask = 0;
	}
}
