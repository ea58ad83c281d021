/*
 * sys_rlimit.c: resource limits (layer: syscall adapters; relies on the
 * task's rlim array, whose defaults task_create sets as Linux's). Where
 * each limit is enforced: RLIMIT_NOFILE by the fd table, RLIMIT_NPROC by
 * clone, RLIMIT_AS by the mm (vm_map, through mm->as_limit), RLIMIT_STACK
 * by exec (the stack VMA and the argument area), RLIMIT_CPU by the CPU
 * time charge (itimer.c), RLIMIT_CORE in a fatal signal's wait status,
 * RLIMIT_SIGPENDING by the signal queue and RLIMIT_FSIZE by file writes
 * (proc_fsize_check).
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/resource.h>
#include <uapi/signal.h>

#include "proc_internal.h"

/* Linux's fs.nr_open: the ceiling of RLIMIT_NOFILE. */
#define NR_OPEN_MAX 1048576

_Static_assert(RLIM_NLIMITS == RLIMIT_NLIMITS, "one slot per limit");

static int check_new_limit(struct task *task, unsigned resource,
			   const struct rlimit64 *r)
{
	if (r->rlim_cur > r->rlim_max)
		return -EINVAL;
	if (resource == RLIMIT_NOFILE && r->rlim_max > NR_OPEN_MAX)
		return -EPERM;
	if (r->rlim_max > task->rlim[resource].max && !proc_capable())
		return -EPERM;
	return 0;
}

/* prlimit(2) on another process: root, or the same real, effective and
 * saved ids as the target's (prlimit(2)'s rule). */
static bool may_prlimit(const struct task *task)
{
	const struct creds *c = &current->task->cred, *tc = &task->cred;

	if (task == current->task || proc_capable())
		return true;
	return c->uid == tc->uid && c->uid == tc->euid && c->uid == tc->suid &&
	       c->gid == tc->gid && c->gid == tc->egid && c->gid == tc->sgid;
}

/*
 * Reads and optionally replaces one limit of task. The caller has been
 * checked: raising a hard limit takes CAP_SYS_RESOURCE (root).
 */
static void do_prlimit(struct task *task, unsigned resource,
		       const struct rlimit64 *new_lim, struct rlimit64 *old_lim)
{
	struct krlimit *k = &task->rlim[resource];

	if (old_lim) {
		old_lim->rlim_cur = k->cur;
		old_lim->rlim_max = k->max;
	}
	if (new_lim) {
		k->cur = new_lim->rlim_cur;
		k->max = new_lim->rlim_max;
		if (resource == RLIMIT_AS)
			proc_set_as_limit(task, task->mm);
	}
}

long sys_prlimit64(int pid, unsigned int resource, uaddr_t new_limit,
		   uaddr_t old_limit)
{
	struct rlimit64 nl, ol;
	struct task *task;
	int err;

	if (resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (new_limit && copy_from_user(&nl, new_limit, sizeof(nl)))
		return -EFAULT;
	task = pid ? task_find(pid) : current->task;
	if (!task || pid < 0 || task->state != TASK_ALIVE)
		return -ESRCH;
	if (!may_prlimit(task))
		return -EPERM;
	if (new_limit) {
		err = check_new_limit(task, resource, &nl);
		if (err)
			return err;
	}
	do_prlimit(task, resource, new_limit ? &nl : NULL,
		   old_limit ? &ol : NULL);
	if (old_limit && copy_to_user(old_limit, &ol, sizeof(ol)))
		return -EFAULT;
	return 0;
}

long sys_getrlimit(unsigned int resource, uaddr_t rlim)
{
	struct rlimit64 r;

	if (resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	do_prlimit(current->task, resource, NULL, &r);
	if (copy_to_user(rlim, &r, sizeof(r)))
		return -EFAULT;
	return 0;
}

long sys_setrlimit(unsigned int resource, uaddr_t rlim)
{
	struct rlimit64 r;
	int err;

	if (resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&r, rlim, sizeof(r)))
		return -EFAULT;
	err = check_new_limit(current->task, resource, &r);
	if (err)
		return err;
	do_prlimit(current->task, resource, &r, NULL);
	return 0;
}

int proc_fsize_check(uint64_t pos, size_t *len)
{
	uint64_t lim;

	if (!current || !current->task)
		return 0;
	lim = current->task->rlim[RLIMIT_FSIZE].cur;
	if (lim == RLIM_INFINITY || *len == 0)
		return 0;
	if (pos >= lim) {
		proc_signal_thread(current, SIGXFSZ);
		return -EFBIG;
	}
	if (*len > lim - pos)
		*len = (size_t)(lim - pos);
	return 0;
}
