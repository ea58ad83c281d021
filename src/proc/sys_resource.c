/*
 * sys_resource.c: CPU time and usage counts (getrusage, times) (layer:
 * syscall adapters; relies on the usage that sched.c and trap.c charge
 * to threads and that task.c folds into tasks and parents).
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/resource.h>

#include "proc_internal.h"

/* USER_HZ: the unit of clock_t for times(2) and /proc. */
#define USER_HZ 100

static int64_t ns_to_clock_t(uint64_t ns)
{
	return (int64_t)(ns / (NSEC_PER_SEC / USER_HZ));
}

long sys_getrusage(int who, uaddr_t usage)
{
	struct task *task = current->task;
	struct proc_usage u;
	struct rusage ru;

	switch (who) {
	case RUSAGE_SELF:
		proc_usage_task(task, &u);
		break;
	case RUSAGE_CHILDREN:
		u = task->cusage;
		break;
	case RUSAGE_THREAD:
		u = current->usage;
		break;
	default:
		return -EINVAL;
	}
	proc_fill_rusage(&u, &ru);
	if (copy_to_user(usage, &ru, sizeof(ru)))
		return -EFAULT;
	return 0;
}

long sys_times(uaddr_t buf)
{
	struct task *task = current->task;
	struct proc_usage u;
	struct linux_tms tms;

	if (buf) {
		proc_usage_task(task, &u);
		tms.tms_utime = ns_to_clock_t(u.utime_ns);
		tms.tms_stime = ns_to_clock_t(u.stime_ns);
		tms.tms_cutime = ns_to_clock_t(task->cusage.utime_ns);
		tms.tms_cstime = ns_to_clock_t(task->cusage.stime_ns);
		if (copy_to_user(buf, &tms, sizeof(tms)))
			return -EFAULT;
	}
	return ns_to_clock_t(time_monotonic_ns() - time_boot_ns());
}
