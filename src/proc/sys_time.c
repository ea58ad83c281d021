/*
 * sys_time.c: clocks and sleeping (layer: syscall adapters; relies on the
 * HAL clocks through kern/timer.h and on sched_block with a deadline).
 * All clocks come from two HAL clocks: wall time and monotonic time.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/time.h>

#include "proc_internal.h"

/* The resolution Linux reports for its coarse clocks at HZ=250. */
#define COARSE_RES_NS 4000000ULL

/* The value of clock clk in ns, or -EINVAL for a clock Ember lacks. */
static int clock_read(int clk, uint64_t *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		*ns = time_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = time_monotonic_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID: {
		struct proc_usage u;

		proc_usage_task(current->task, &u);
		*ns = u.utime_ns + u.stime_ns;
		return 0;
	}
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = current->usage.utime_ns + current->usage.stime_ns;
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(int clockid, uaddr_t tp)
{
	struct linux_timespec ts;
	uint64_t ns;
	int err = clock_read(clockid, &ns);

	if (err)
		return err;
	ts = ns_to_timespec(ns);
	if (copy_to_user(tp, &ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}

long sys_clock_getres(int clockid, uaddr_t res)
{
	struct linux_timespec ts;
	uint64_t ns;
	int err = clock_read(clockid, &ns);

	if (err)
		return err;
	if (clockid == CLOCK_REALTIME_COARSE ||
	    clockid == CLOCK_MONOTONIC_COARSE)
		ts = ns_to_timespec(COARSE_RES_NS);
	else
		ts = ns_to_timespec(1);
	if (res && copy_to_user(res, &ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}

long sys_gettimeofday(uaddr_t tv, uaddr_t tz)
{
	uint64_t ns = time_realtime_ns();

	if (tv) {
		struct linux_timeval v = {
			.tv_sec = (int64_t)(ns / NSEC_PER_SEC),
			.tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000),
		};
		if (copy_to_user(tv, &v, sizeof(v)))
			return -EFAULT;
	}
	if (tz) {
		struct linux_timezone z = { 0, 0 };

		if (copy_to_user(tz, &z, sizeof(z)))
			return -EFAULT;
	}
	return 0;
}

long sys_time(uaddr_t tloc)
{
	int64_t sec = (int64_t)(time_realtime_ns() / NSEC_PER_SEC);

	if (tloc && copy_to_user(tloc, &sec, sizeof(sec)))
		return -EFAULT;
	return sec;
}

/*
 * The common sleep. The first run parks until the monotonic deadline,
 * kept in current->block_deadline for the re-runs (sched.h), which finish
 * on the timeout, or write the time left to rem (when given) and fail
 * with -EINTR when a signal interrupts.
 */
static long sleep_until(uint64_t deadline)
{
	if (deadline <= time_monotonic_ns())
		return 0;
	current->block_deadline = deadline;
	return sched_block(NULL, deadline);
}

static long sleep_resume(uaddr_t rem)
{
	uint64_t deadline = current->block_deadline;
	uint64_t now = time_monotonic_ns();

	if (current->wake_reason == WAKE_SIGNAL) {
		if (rem) {
			struct linux_timespec left = ns_to_timespec(
				deadline > now ? deadline - now : 0);

			if (copy_to_user(rem, &left, sizeof(left)))
				return -EFAULT;
		}
		return -EINTR;
	}
	return sleep_until(deadline);
}

long sys_nanosleep(uaddr_t req, uaddr_t rem)
{
	struct linux_timespec ts;

	if (current->resumed)
		return sleep_resume(rem);
	if (copy_from_user(&ts, req, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	return sleep_until(time_deadline_after(timespec_to_ns(&ts)));
}

long sys_clock_nanosleep(int clockid, unsigned long flags, uaddr_t request,
			 uaddr_t remain)
{
	bool abs = flags & TIMER_ABSTIME;
	struct linux_timespec ts;
	uint64_t ns, deadline;

	/* An absolute sleep is never "left over": rem is not written. */
	if (current->resumed)
		return sleep_resume(abs ? 0 : remain);
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		break;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		/* Clocks Linux cannot sleep on either. */
		return -EOPNOTSUPP;
	default:
		/* partial: no sleeping on CPU-time or alarm clocks. */
		return -EINVAL;
	}
	if (copy_from_user(&ts, request, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	ns = timespec_to_ns(&ts);
	if (!abs)
		deadline = time_deadline_after(ns);
	else if (clockid == CLOCK_REALTIME || clockid == CLOCK_TAI)
		/* partial: a later change of the wall clock does not move
		 * the deadline. */
		deadline = time_deadline_realtime(ns);
	else
		deadline = ns;
	return sleep_until(deadline);
}
