/*
 * sys_pgrp.c: sessions and process groups (setsid, setpgid) and the job
 * control checks a terminal asks of proc (layer: syscall adapters and
 * helpers over the task list; relies on signal.c for orphaned groups and
 * group signals). The rules are setpgid(2)'s and setsid(2)'s; a
 * terminal's foreground group is the tty's own state (src/fs).
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

#include "proc_internal.h"

bool proc_pgrp_in_session(int pgid, int sid)
{
	struct task *task;

	/* A zombie still belongs to its group until it is reaped, as on
	 * Linux: a shell's tcsetpgrp for a pipeline that already exited
	 * (stty -a | head -1) must not fail with ESRCH. */
	list_for_each_entry(task, &task_list, all_link) {
		if (task->state != TASK_DEAD && task->pgid == pgid &&
		    task->sid == sid)
			return true;
	}
	return false;
}

long sys_setpgid(int pid, int pgid)
{
	struct task *self = current->task, *task;

	if (pgid < 0)
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;
	task = pid ? task_find(pid) : self;
	if (!task || task->state != TASK_ALIVE ||
	    (task != self && task->parent != self))
		return -ESRCH;
	if (!pgid)
		pgid = task->pid;
	if (task != self) {
		if (task->sid != self->sid)
			return -EPERM;
		if (task->did_exec)
			return -EACCES;
	}
	if (task->pid == task->sid)
		return -EPERM;
	if (pgid != task->pid && !proc_pgrp_in_session(pgid, self->sid))
		return -EPERM;
	task->pgid = pgid;
	return 0;
}

long sys_setsid(void)
{
	struct task *self = current->task, *task;

	/* A group leader, or anyone whose pid names a group, may not. */
	list_for_each_entry(task, &task_list, all_link) {
		if (task->state != TASK_DEAD && task->pgid == self->pid)
			return -EPERM;
	}
	self->sid = self->pgid = self->pid;
	return self->sid;
}

int proc_tty_access(int fg_pgrp, int sig)
{
	struct thread *t = current;
	struct task *task;
	bool blocked, ignored;

	if (!t || fg_pgrp <= 0)
		return 0;
	task = t->task;
	if (task->pgid == fg_pgrp || !proc_pgrp_in_session(fg_pgrp, task->sid))
		return 0;
	blocked = t->sigmask & sig_bit(sig);
	ignored = task->sigactions[sig - 1].handler == SIG_IGN;
	if (sig == SIGTTOU && (blocked || ignored))
		return 0;
	if (blocked || ignored || proc_pgrp_orphaned(task->pgid, NULL))
		return -EIO;
	proc_signal_pgrp(task->pgid, sig);
	return -ERESTARTSYS;
}
