/*
 * itimer.c: interval timers (setitimer, getitimer, alarm) and POSIX
 * timers (timer_create family) with their syscalls (layer: proc; relies
 * on kernel timers for the clock-driven ones, on the CPU time trap.c
 * charges for ITIMER_VIRTUAL/PROF, CPU-clock timers and RLIMIT_CPU, and
 * on signal_send_info for the expiry signals). Wall-clock deadlines are
 * converted to the monotonic clock when armed.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/resource.h>
#include <uapi/signal.h>
#include <uapi/time.h>

#include "proc_internal.h"

#define NSEC_PER_USEC 1000ULL
/* Linux's per-process bound on POSIX timers is RLIMIT_SIGPENDING; a
 * smaller fixed bound keeps a loop of timer_create from eating memory. */
#define PTIMER_MAX 4096

struct ptimer {
	struct list_head link; /* task->posix_timers */
	struct task *task;
	int id;
	int clockid;
	int notify; /* SIGEV_* */
	int signo;
	int tid; /* SIGEV_THREAD_ID */
	uint64_t value;
	struct ktimer timer; /* clock timers */
	uint64_t deadline;   /* monotonic deadline; 0: disarmed */
	uint64_t cpu_left;   /* CPU-clock timers: ns of CPU time left */
	uint64_t interval;
	int overrun;	  /* expiries merged into a signal not yet taken */
	int overrun_last; /* what timer_getoverrun reports */
};

static uint64_t tv_to_ns(const struct linux_timeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC +
	       (uint64_t)tv->tv_usec * NSEC_PER_USEC;
}

static struct linux_timeval ns_to_tv(uint64_t ns)
{
	struct linux_timeval tv = {
		.tv_sec = (int64_t)(ns / NSEC_PER_SEC),
		.tv_usec = (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC),
	};

	return tv;
}

static bool tv_valid(const struct linux_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

/* ---- setitimer(2) ---- */

static void itimer_real_fire(struct ktimer *kt)
{
	struct itimer *it = container_of(kt, struct itimer, timer);
	struct task *task = container_of(it, struct task, itimers[ITIMER_REAL]);

	it->value_ns = 0;
	if (it->interval_ns) {
		uint64_t next = kt->deadline_ns + it->interval_ns;
		uint64_t now = time_monotonic_ns();

		/* Late: skip the periods already gone, as Linux's
		 * hrtimer_forward does. */
		if (next <= now)
			next = now + it->interval_ns -
			       (now - kt->deadline_ns) % it->interval_ns;
		it->value_ns = next;
		timer_arm(kt, next, itimer_real_fire);
	}
	signal_send(task, NULL, SIGALRM);
}

static void itimer_read(struct task *task, int which, uint64_t *value,
			uint64_t *interval)
{
	struct itimer *it = &task->itimers[which];
	uint64_t now = time_monotonic_ns();

	*interval = it->interval_ns;
	*value = 0;
	if (which == ITIMER_REAL) {
		if (it->value_ns)
			/* Armed timers never read as 0: at least 1 us. */
			*value = it->value_ns > now ? it->value_ns - now :
						      NSEC_PER_USEC;
	} else {
		*value = it->value_ns;
	}
}

static void itimer_write(struct task *task, int which, uint64_t value,
			 uint64_t interval)
{
	struct itimer *it = &task->itimers[which];

	it->interval_ns = interval;
	if (which == ITIMER_REAL) {
		timer_cancel(&it->timer);
		it->value_ns = 0;
		if (value) {
			it->value_ns = time_deadline_after(value);
			timer_arm(&it->timer, it->value_ns, itimer_real_fire);
		}
	} else {
		it->value_ns = value;
	}
}

long sys_getitimer(int which, uaddr_t curr_value)
{
	struct linux_itimerval v;
	uint64_t value, interval;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	itimer_read(current->task, which, &value, &interval);
	v.it_value = ns_to_tv(value);
	v.it_interval = ns_to_tv(interval);
	if (copy_to_user(curr_value, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

long sys_setitimer(int which, uaddr_t new_value, uaddr_t old_value)
{
	struct linux_itimerval nv, ov;
	uint64_t value, interval;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	memset(&nv, 0, sizeof(nv));
	/* A NULL new value disarms: a Linux misfeature programs rely on. */
	if (new_value && copy_from_user(&nv, new_value, sizeof(nv)))
		return -EFAULT;
	if (!tv_valid(&nv.it_value) || !tv_valid(&nv.it_interval))
		return -EINVAL;
	itimer_read(current->task, which, &value, &interval);
	itimer_write(current->task, which, tv_to_ns(&nv.it_value),
		     tv_to_ns(&nv.it_interval));
	if (old_value) {
		ov.it_value = ns_to_tv(value);
		ov.it_interval = ns_to_tv(interval);
		if (copy_to_user(old_value, &ov, sizeof(ov)))
			return -EFAULT;
	}
	return 0;
}

long sys_alarm(unsigned int seconds)
{
	uint64_t value, interval;
	struct linux_timeval left;

	itimer_read(current->task, ITIMER_REAL, &value, &interval);
	itimer_write(current->task, ITIMER_REAL,
		     (uint64_t)seconds * NSEC_PER_SEC, 0);
	/* alarm(2) rounds the old value to whole seconds, never to 0. */
	left = ns_to_tv(value);
	if ((!left.tv_sec && left.tv_usec) || left.tv_usec >= 500000)
		left.tv_sec++;
	return left.tv_sec;
}

/* ---- POSIX timers ---- */

static bool cpu_clock(int clockid)
{
	return clockid == CLOCK_PROCESS_CPUTIME_ID;
}

static void ptimer_expire(struct ptimer *pt)
{
	struct task *task = pt->task;
	struct thread *t = NULL;
	struct linux_siginfo info;
	struct ksignal *ks;
	struct list_head *q;

	if (pt->notify == SIGEV_NONE || task->state != TASK_ALIVE)
		return;
	if (pt->notify & SIGEV_THREAD_ID) {
		t = thread_find(pt->tid);
		if (!t || t->task != task)
			return;
	}
	/* The signal of an earlier expiry is still queued: count an
	 * overrun instead of queueing another. */
	q = t ? &t->sig_queue : &task->sig_queue;
	list_for_each_entry(ks, q, link) {
		if (ks->info.si_code == SI_TIMER &&
		    ks->info.f.timer.tid == pt->id &&
		    ks->info.si_signo == pt->signo) {
			pt->overrun++;
			ks->info.f.timer.overrun = pt->overrun;
			return;
		}
	}
	pt->overrun = 0;
	memset(&info, 0, sizeof(info));
	info.si_signo = pt->signo;
	info.si_code = SI_TIMER;
	info.f.timer.tid = pt->id;
	info.f.timer.value = pt->value;
	signal_send_info(task, t, pt->signo, &info);
}

static void ptimer_fire(struct ktimer *kt)
{
	struct ptimer *pt = container_of(kt, struct ptimer, timer);
	uint64_t now = time_monotonic_ns();

	pt->deadline = 0;
	if (pt->interval) {
		uint64_t next = kt->deadline_ns + pt->interval;

		if (next <= now) {
			uint64_t missed =
				(now - kt->deadline_ns) / pt->interval;

			pt->overrun +=
				(int)MIN(missed, (uint64_t)INT32_MAX / 2);
			next = kt->deadline_ns + (missed + 1) * pt->interval;
		}
		pt->deadline = next;
		timer_arm(kt, next, ptimer_fire);
	}
	ptimer_expire(pt);
}

static struct ptimer *ptimer_find(struct task *task, int id)
{
	struct ptimer *pt;

	list_for_each_entry(pt, &task->posix_timers, link) {
		if (pt->id == id)
			return pt;
	}
	return NULL;
}

static void ptimer_free(struct ptimer *pt)
{
	if (pt->notify != SIGEV_NONE)
		signal_drop_timer(pt->task, pt->signo, pt->id);
	timer_cancel(&pt->timer);
	list_del(&pt->link);
	kfree(pt);
}

long sys_timer_create(int clockid, uaddr_t sevp, uaddr_t timerid)
{
	struct task *task = current->task;
	struct linux_sigevent ev;
	struct ptimer *pt;
	int32_t id = 0, n = 0;

	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
	case CLOCK_PROCESS_CPUTIME_ID:
		break;
	default:
		/* partial: no per-thread CPU clock or alarm clock timers. */
		return -EINVAL;
	}
	memset(&ev, 0, sizeof(ev));
	if (sevp) {
		if (copy_from_user(&ev, sevp, sizeof(ev)))
			return -EFAULT;
	} else {
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = SIGALRM;
	}
	switch (ev.sigev_notify) {
	case SIGEV_NONE:
		break;
	case SIGEV_THREAD_ID: {
		struct thread *t = thread_find(ev.u.tid);

		if (!t || t->task != task)
			return -EINVAL;
	}
		__attribute__((fallthrough));
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		if (ev.sigev_signo < 1 || ev.sigev_signo > NSIG)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	/* The lowest free id, as Linux hands them out. */
	list_for_each_entry(pt, &task->posix_timers, link)
		n++;
	if (n >= PTIMER_MAX)
		return -EAGAIN;
	while (ptimer_find(task, id))
		id++;
	pt = kzalloc(sizeof(*pt));
	if (!pt)
		return -EAGAIN;
	pt->task = task;
	pt->id = id;
	pt->clockid = clockid;
	pt->notify = ev.sigev_notify;
	pt->signo = ev.sigev_signo;
	pt->tid = ev.u.tid;
	pt->value = sevp ? ev.sigev_value : (uint64_t)id;
	if (copy_to_user(timerid, &id, sizeof(id))) {
		kfree(pt);
		return -EFAULT;
	}
	list_add_tail(&pt->link, &task->posix_timers);
	return 0;
}

static void ptimer_read(const struct ptimer *pt, struct linux_itimerspec *v)
{
	uint64_t now = time_monotonic_ns(), left = 0;

	if (cpu_clock(pt->clockid))
		left = pt->cpu_left;
	else if (pt->deadline)
		left = pt->deadline > now ? pt->deadline - now : 1;
	v->it_value = ns_to_timespec(left);
	v->it_interval = ns_to_timespec(pt->interval);
}

long sys_timer_settime(int timerid, unsigned long flags, uaddr_t new_value,
		       uaddr_t old_value)
{
	struct ptimer *pt = ptimer_find(current->task, timerid);
	struct linux_itimerspec nv, ov;
	uint64_t value;

	if (!pt)
		return -EINVAL;
	if (copy_from_user(&nv, new_value, sizeof(nv)))
		return -EFAULT;
	if (!timespec_valid(&nv.it_value) || !timespec_valid(&nv.it_interval))
		return -EINVAL;
	ptimer_read(pt, &ov);
	timer_cancel(&pt->timer);
	if (pt->notify != SIGEV_NONE)
		signal_drop_timer(pt->task, pt->signo, pt->id);
	pt->deadline = 0;
	pt->cpu_left = 0;
	pt->overrun = 0;
	pt->interval = timespec_to_ns(&nv.it_interval);
	value = timespec_to_ns(&nv.it_value);
	if (value) {
		if (cpu_clock(pt->clockid)) {
			/* partial: an absolute CPU time counts from now. */
			pt->cpu_left = value;
		} else {
			uint64_t deadline;

			if (!(flags & TIMER_ABSTIME))
				deadline = time_deadline_after(value);
			else if (pt->clockid == CLOCK_REALTIME ||
				 pt->clockid == CLOCK_TAI)
				deadline = time_deadline_realtime(value);
			else
				deadline = value;
			pt->deadline = deadline ? deadline : 1;
			timer_arm(&pt->timer, pt->deadline, ptimer_fire);
		}
	}
	if (old_value && copy_to_user(old_value, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

long sys_timer_gettime(int timerid, uaddr_t curr_value)
{
	struct ptimer *pt = ptimer_find(current->task, timerid);
	struct linux_itimerspec v;

	if (!pt)
		return -EINVAL;
	ptimer_read(pt, &v);
	if (copy_to_user(curr_value, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

long sys_timer_getoverrun(int timerid)
{
	struct ptimer *pt = ptimer_find(current->task, timerid);

	if (!pt)
		return -EINVAL;
	return pt->overrun_last;
}

long sys_timer_delete(int timerid)
{
	struct ptimer *pt = ptimer_find(current->task, timerid);

	if (!pt)
		return -EINVAL;
	ptimer_free(pt);
	return 0;
}

void itimer_delivered(struct task *task, const struct linux_siginfo *info)
{
	struct ptimer *pt = ptimer_find(task, info->f.timer.tid);

	if (pt && pt->signo == info->si_signo) {
		pt->overrun_last = info->f.timer.overrun;
		pt->overrun = 0;
	}
}

/* ---- CPU time ---- */

/* Counts a CPU timer down; true when it expired (then reloaded). */
static bool cpu_countdown(uint64_t *left, uint64_t interval, uint64_t ns)
{
	if (!*left)
		return false;
	if (ns < *left) {
		*left -= ns;
		return false;
	}
	*left = interval;
	return true;
}

static void rlimit_cpu_check(struct task *task)
{
	uint64_t soft = task->rlim[RLIMIT_CPU].cur;
	uint64_t hard = task->rlim[RLIMIT_CPU].max;
	struct proc_usage u;
	uint64_t secs;

	if (soft == RLIM_INFINITY && hard == RLIM_INFINITY)
		return;
	proc_usage_task(task, &u);
	secs = (u.utime_ns + u.stime_ns) / NSEC_PER_SEC;
	if (hard != RLIM_INFINITY && secs >= hard) {
		signal_send(task, NULL, SIGKILL);
		return;
	}
	if (soft != RLIM_INFINITY && secs >= soft) {
		/* Then once a second past the soft limit, as Linux does. */
		if (soft < hard)
			task->rlim[RLIMIT_CPU].cur = soft + 1;
		signal_send(task, NULL, SIGXCPU);
	}
}

void itimer_charge(struct task *task, uint64_t user_ns, uint64_t sys_ns)
{
	struct itimer *v = &task->itimers[ITIMER_VIRTUAL];
	struct itimer *p = &task->itimers[ITIMER_PROF];
	struct ptimer *pt, *tmp;

	if (task->state != TASK_ALIVE)
		return;
	if (user_ns && cpu_countdown(&v->value_ns, v->interval_ns, user_ns))
		signal_send(task, NULL, SIGVTALRM);
	if (cpu_countdown(&p->value_ns, p->interval_ns, user_ns + sys_ns))
		signal_send(task, NULL, SIGPROF);
	list_for_each_entry_safe(pt, tmp, &task->posix_timers, link) {
		if (cpu_clock(pt->clockid) &&
		    cpu_countdown(&pt->cpu_left, pt->interval,
				  user_ns + sys_ns)) {
			ptimer_expire(pt);
			/* A fatal signal freed the timers. */
			if (task->state != TASK_ALIVE)
				return;
		}
	}
	if (task->state == TASK_ALIVE)
		rlimit_cpu_check(task);
}

void itimer_exec(struct task *task)
{
	while (!list_empty(&task->posix_timers))
		ptimer_free(list_first_entry(&task->posix_timers, struct ptimer,
					     link));
}

void itimer_task_exit(struct task *task)
{
	itimer_exec(task);
	timer_cancel(&task->itimers[ITIMER_REAL].timer);
	for (int i = 0; i < 3; i++) {
		task->itimers[i].value_ns = 0;
		task->itimers[i].interval_ns = 0;
	}
}
