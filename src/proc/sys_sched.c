/*
 * sys_sched.c: scheduling attributes: nice values, policies and
 * priorities, CPU affinity, sched_yield and getcpu (layer: syscall
 * adapters over the thread's recorded attributes; relies on the task and
 * thread lookups). The HAL, not the core, decides which thread runs, so
 * these are recorded and reported with Linux's checks; the machine
 * Ember shows has one CPU.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/resource.h>
#include <uapi/sched.h>
#include <uapi/time.h>

#include "proc_internal.h"

#define NICE_MIN (-20)
#define NICE_MAX 19
#define RT_PRIO_MAX 99
/* Linux's sched_rr_timeslice_ms default; CFS reports its slice, which
 * for a lone task is the scheduling latency (6 ms). */
#define RR_TIMESLICE_NS (100ULL * 1000000)
#define CFS_SLICE_NS (6ULL * 1000000)
#define ONE_CPU_MASK 1ULL

/* The thread a sched_* or PRIO_PROCESS pid names (0: the caller). */
static struct thread *target_thread(int pid)
{
	if (pid == 0)
		return current;
	if (pid < 0)
		return NULL;
	return thread_find(pid);
}

/* Changing another user's thread takes root or a matching euid. */
static bool may_change(const struct thread *t)
{
	const struct creds *c = &current->task->cred, *tc = &t->task->cred;

	return proc_capable() || c->euid == tc->uid || c->euid == tc->euid;
}

/* A lower nice value needs root or room under RLIMIT_NICE. */
static bool may_nice(const struct thread *t, int nice)
{
	uint64_t rlim = current->task->rlim[RLIMIT_NICE].cur;

	return nice >= t->nice || proc_capable() ||
	       (uint64_t)(20 - nice) <= rlim;
}

typedef int (*thread_fn)(struct thread *t, void *arg);

/* Runs fn on every live thread that which/who names; -ESRCH if none,
 * else fn's first error or 0. */
static long for_each_target(int which, int who, thread_fn fn, void *arg)
{
	struct task *task;
	struct thread *t;
	long err = 0;
	bool found = false;

	switch (which) {
	case PRIO_PROCESS:
		t = target_thread(who);
		if (!t || t->state == THREAD_DEAD)
			return -ESRCH;
		return fn(t, arg);
	case PRIO_PGRP:
		if (who == 0)
			who = current->task->pgid;
		break;
	case PRIO_USER:
		if (who == 0)
			who = (int)current->task->cred.uid;
		break;
	default:
		return -EINVAL;
	}
	list_for_each_entry(task, &task_list, all_link) {
		if (task->state != TASK_ALIVE)
			continue;
		if (which == PRIO_PGRP ? task->pgid != who :
					 task->cred.uid != (uint32_t)who)
			continue;
		list_for_each_entry(t, &task->threads, task_link) {
			long r = fn(t, arg);

			found = true;
			if (r && !err)
				err = r;
		}
	}
	return found ? err : -ESRCH;
}

static int lowest_nice(struct thread *t, void *arg)
{
	int *nice = arg;

	*nice = MIN(*nice, t->nice);
	return 0;
}

long sys_getpriority(int which, int who)
{
	int nice = NICE_MAX + 1;
	long err = for_each_target(which, who, lowest_nice, &nice);

	if (err)
		return err;
	/* The raw call answers 20 - nice (1..40) so no result is negative. */
	return 20 - nice;
}

static int set_nice(struct thread *t, void *arg)
{
	int nice = *(int *)arg;

	if (!may_change(t))
		return -EPERM;
	if (!may_nice(t, nice))
		return -EACCES;
	t->nice = nice;
	return 0;
}

long sys_setpriority(int which, int who, int prio)
{
	int nice = MAX(NICE_MIN, MIN(NICE_MAX, prio));

	return for_each_target(which, who, set_nice, &nice);
}

static bool valid_policy(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_FIFO ||
	       policy == SCHED_RR || policy == SCHED_BATCH ||
	       policy == SCHED_IDLE;
}

static bool rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/* Linux's checks of a policy and priority, then the change. */
static long set_sched(struct thread *t, int policy, int prio)
{
	if (!valid_policy(policy))
		return -EINVAL;
	if (rt_policy(policy) ? (prio < 1 || prio > RT_PRIO_MAX) : prio != 0)
		return -EINVAL;
	if (!may_change(t))
		return -EPERM;
	if (rt_policy(policy) && !proc_capable() &&
	    (uint64_t)prio > current->task->rlim[RLIMIT_RTPRIO].cur)
		return -EPERM;
	t->sched_policy = policy;
	t->sched_priority = prio;
	return 0;
}

long sys_sched_setscheduler(int pid, int policy, uaddr_t param)
{
	struct sched_param p;
	struct thread *t;

	if (pid < 0 || !param)
		return -EINVAL;
	if (copy_from_user(&p, param, sizeof(p)))
		return -EFAULT;
	t = target_thread(pid);
	if (!t)
		return -ESRCH;
	return set_sched(t, policy & ~SCHED_RESET_ON_FORK, p.sched_priority);
}

long sys_sched_getscheduler(int pid)
{
	struct thread *t;

	if (pid < 0)
		return -EINVAL;
	t = target_thread(pid);
	return t ? t->sched_policy : -ESRCH;
}

long sys_sched_setparam(int pid, uaddr_t param)
{
	struct sched_param p;
	struct thread *t;

	if (pid < 0 || !param)
		return -EINVAL;
	if (copy_from_user(&p, param, sizeof(p)))
		return -EFAULT;
	t = target_thread(pid);
	if (!t)
		return -ESRCH;
	return set_sched(t, t->sched_policy, p.sched_priority);
}

long sys_sched_getparam(int pid, uaddr_t param)
{
	struct sched_param p;
	struct thread *t;

	if (pid < 0 || !param)
		return -EINVAL;
	t = target_thread(pid);
	if (!t)
		return -ESRCH;
	p.sched_priority = t->sched_priority;
	if (copy_to_user(param, &p, sizeof(p)))
		return -EFAULT;
	return 0;
}

long sys_sched_get_priority_max(int policy)
{
	if (rt_policy(policy))
		return RT_PRIO_MAX;
	if (valid_policy(policy) || policy == SCHED_DEADLINE)
		return 0;
	return -EINVAL;
}

long sys_sched_get_priority_min(int policy)
{
	if (rt_policy(policy))
		return 1;
	if (valid_policy(policy) || policy == SCHED_DEADLINE)
		return 0;
	return -EINVAL;
}

/* partial: SCHED_OTHER reports a fixed 6 ms, where Linux computes the
 * CFS slice of the moment. */
long sys_sched_rr_get_interval(int pid, uaddr_t tp)
{
	struct linux_timespec ts;
	struct thread *t;

	if (pid < 0)
		return -EINVAL;
	t = target_thread(pid);
	if (!t)
		return -ESRCH;
	if (t->sched_policy == SCHED_FIFO)
		ts = ns_to_timespec(0);
	else if (t->sched_policy == SCHED_RR)
		ts = ns_to_timespec(RR_TIMESLICE_NS);
	else
		ts = ns_to_timespec(CFS_SLICE_NS);
	if (copy_to_user(tp, &ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}

/* partial: SCHED_DEADLINE and utilization clamps are refused. */
long sys_sched_setattr(int pid, uaddr_t attr, unsigned long flags)
{
	struct sched_attr a;
	uint32_t size;
	struct thread *t;
	long err;

	if (pid < 0 || !attr || flags)
		return -EINVAL;
	if (copy_from_user(&size, attr, sizeof(size)))
		return -EFAULT;
	if (size == 0)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE)
		goto e2big;
	memset(&a, 0, sizeof(a));
	if (copy_from_user(&a, attr, MIN(size, sizeof(a))))
		return -EFAULT;
	if (size > sizeof(a)) {
		uint8_t b;

		for (uint32_t i = sizeof(a); i < size; i++) {
			if (copy_from_user(&b, attr + i, 1))
				return -EFAULT;
			if (b)
				goto e2big;
		}
	}
	if (a.sched_flags)
		return -EINVAL;
	t = target_thread(pid);
	if (!t)
		return -ESRCH;
	if (a.sched_policy != SCHED_OTHER && a.sched_policy != SCHED_BATCH &&
	    !rt_policy((int)a.sched_policy) && a.sched_policy != SCHED_IDLE)
		return -EINVAL;
	if (!rt_policy((int)a.sched_policy)) {
		int nice = MAX(NICE_MIN, MIN(NICE_MAX, a.sched_nice));

		err = set_nice(t, &nice);
		if (err)
			return err;
	}
	return set_sched(t, (int)a.sched_policy, (int)a.sched_priority);

e2big : {
	uint32_t want = sizeof(a);

	if (copy_to_user(attr, &want, sizeof(want)))
		return -EFAULT;
	return -E2BIG;
}
}

long sys_sched_getattr(int pid, uaddr_t attr, unsigned int size,
		       unsigned long flags)
{
	struct sched_attr a;
	struct thread *t;

	if (pid < 0 || !attr || flags || size < SCHED_ATTR_SIZE_VER0 ||
	    size > PAGE_SIZE)
		return -EINVAL;
	t = target_thread(pid);
	if (!t)
		return -ESRCH;
	memset(&a, 0, sizeof(a));
	a.size = (uint32_t)MIN(size, sizeof(a));
	a.sched_policy = (uint32_t)t->sched_policy;
	a.sched_nice = t->nice;
	a.sched_priority = (uint32_t)t->sched_priority;
	if (copy_to_user(attr, &a, a.size))
		return -EFAULT;
	return 0;
}

long sys_sched_getaffinity(int pid, size_t cpusetsize, uaddr_t mask)
{
	struct thread *t;
	uint64_t set;

	if (cpusetsize < sizeof(set) || (cpusetsize & (sizeof(set) - 1)))
		return -EINVAL;
	t = target_thread(pid);
	if (!t)
		return -ESRCH;
	set = t->cpu_affinity & ONE_CPU_MASK;
	if (copy_to_user(mask, &set, sizeof(set)))
		return -EFAULT;
	/* The raw call returns the size of the kernel's mask. */
	return sizeof(set);
}

long sys_sched_setaffinity(int pid, size_t cpusetsize, uaddr_t mask)
{
	struct thread *t;
	uint64_t set = 0;

	if (copy_from_user(&set, mask, MIN(cpusetsize, sizeof(set))))
		return -EFAULT;
	t = target_thread(pid);
	if (!t)
		return -ESRCH;
	if (!may_change(t))
		return -EPERM;
	/* No CPU of the machine left in the mask. */
	if (!(set & ONE_CPU_MASK))
		return -EINVAL;
	t->cpu_affinity = set & ONE_CPU_MASK;
	return 0;
}

/* The HAL runs every runnable thread: there is nobody to yield to. */
long sys_sched_yield(void)
{
	return 0;
}

long sys_getcpu(uaddr_t cpu, uaddr_t node, uaddr_t tcache)
{
	uint32_t zero = 0;

	if (cpu && copy_to_user(cpu, &zero, sizeof(zero)))
		return -EFAULT;
	if (node && copy_to_user(node, &zero, sizeof(zero)))
		return -EFAULT;
	return 0;
}
