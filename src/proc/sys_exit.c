/*
 * sys_exit.c: ending threads and processes and collecting children
 * (layer: syscall adapters over task.c; relies on the child_exit wait
 * queue that task_exit wakes, and the sched.h blocking protocol).
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/resource.h>
#include <uapi/signal.h>
#include <uapi/wait.h>

#include "proc_internal.h"

long sys_exit(int status)
{
	thread_exit(current, W_EXITCODE(status));
	return 0;
}

long sys_exit_group(int status)
{
	task_exit(current->task, W_EXITCODE(status));
	return 0;
}

static bool wait_matches(const struct task *child, int pid,
			 const struct task *self)
{
	if (pid > 0)
		return child->pid == pid;
	if (pid == -1)
		return true;
	if (pid == 0)
		return child->pgid == self->pgid;
	return child->pgid == -pid;
}

/* partial: no stopped or continued children exist yet (no job control),
 * and rusage reports zeros (no accounting). */
long sys_wait4(int pid, uaddr_t wstatus, unsigned long options, uaddr_t rusage)
{
	struct task *self = current->task, *child, *zombie = NULL;
	bool any = false;

	if (options & ~(unsigned long)(WNOHANG | WUNTRACED | WCONTINUED |
				       __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	list_for_each_entry(child, &self->children, sibling) {
		if (!wait_matches(child, pid, self))
			continue;
		any = true;
		if (child->state == TASK_ZOMBIE) {
			zombie = child;
			break;
		}
	}
	if (!any)
		return -ECHILD;
	if (!zombie) {
		if (options & WNOHANG)
			return 0;
		if (current->wake_reason == WAKE_SIGNAL)
			return -EINTR;
		return sched_block(&self->child_exit, 0);
	}
	if (wstatus) {
		int32_t st = zombie->exit_code;

		if (copy_to_user(wstatus, &st, sizeof(st)))
			return -EFAULT;
	}
	if (rusage) {
		struct rusage ru;

		memset(&ru, 0, sizeof(ru));
		if (copy_to_user(rusage, &ru, sizeof(ru)))
			return -EFAULT;
	}
	pid = zombie->pid;
	task_reap(zombie);
	return pid;
}
