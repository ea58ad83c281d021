/*
 * sys_rlimit.c: resource limits (layer: syscall adapters; relies on the
 * task's rlim array, whose defaults task_create sets as Linux's). The
 * limits are recorded and reported; RLIMIT_STACK sizes exec's argument
 * area, RLIMIT_NOFILE is the fd table's business.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/resource.h>

/* Linux's fs.nr_open: the ceiling of RLIMIT_NOFILE. */
#define NR_OPEN_MAX 1048576

_Static_assert(RLIM_NLIMITS == RLIMIT_NLIMITS, "one slot per limit");

static int check_new_limit(unsigned resource, const struct rlimit64 *r)
{
	if (r->rlim_cur > r->rlim_max)
		return -EINVAL;
	if (resource == RLIMIT_NOFILE && r->rlim_max > NR_OPEN_MAX)
		return -EPERM;
	return 0;
}

/*
 * Reads and optionally replaces one limit of task. Every task runs as
 * root, so raising a hard limit is allowed (CAP_SYS_RESOURCE).
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
	if (new_limit) {
		if (copy_from_user(&nl, new_limit, sizeof(nl)))
			return -EFAULT;
		err = check_new_limit(resource, &nl);
		if (err)
			return err;
	}
	task = pid ? task_find(pid) : current->task;
	if (!task || pid < 0 || task->state != TASK_ALIVE)
		return -ESRCH;
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

/* Not dispatched until the table marks setrlimit done. */
long sys_setrlimit(unsigned int resource, uaddr_t rlim);
long sys_setrlimit(unsigned int resource, uaddr_t rlim)
{
	struct rlimit64 r;
	int err;

	if (resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&r, rlim, sizeof(r)))
		return -EFAULT;
	err = check_new_limit(resource, &r);
	if (err)
		return err;
	do_prlimit(current->task, resource, &r, NULL);
	return 0;
}
