/*
 * proc_internal.h: what the files of src/proc share and nothing else
 * needs: task reaping, default signal actions and futex wake-ups.
 */
#ifndef PROC_INTERNAL_H
#define PROC_INTERNAL_H

#include <kern/proc.h>

/* Every task, in pid order (struct task.all_link). */
extern struct list_head task_list;

/* Ends every thread of task but keep (execve of a threaded process). */
void task_kill_other_threads(struct task *task, struct thread *keep);

/* Frees a zombie that wait4 collected (or that nobody will wait for). */
void task_reap(struct task *task);

/* Wait status of a task ended by signal sig (no core is ever dumped). */
static inline int wait_status_signal(int sig)
{
	return sig & 0x7f;
}

/* True for the signals whose default action is to do nothing. */
bool signal_default_ignored(int sig);

/*
 * Sends sig (1..NSIG) to task (to thread t when t is not NULL) with the
 * actions Ember can take so far: a signal the task ignores is dropped; a
 * blocked one, one with a handler, or a stop signal stays pending (no
 * delivery yet); otherwise the default action terminates the task.
 */
void signal_send(struct task *task, struct thread *t, int sig);

/* Acts on the pending signals of t that its mask no longer blocks. */
void signal_check_pending(struct thread *t);

/* Resets dispositions with handlers to SIG_DFL (execve keeps SIG_IGN). */
void signal_reset_on_exec(struct task *task);

/* Wakes up to nr threads waiting in FUTEX_WAIT on (mm, uaddr) whose bitset
 * meets bitset; returns how many woke. */
int futex_wake_addr(struct mm *mm, uaddr_t uaddr, int nr, uint32_t bitset);

#endif
