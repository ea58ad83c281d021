/*
 * timer.c: kernel one-shot timers (layer: kern; relies on the HAL's
 * monotonic clock and its single one-shot timer). Armed timers sit in one
 * list sorted by deadline; the HAL timer always holds the earliest.
 */
#include <hal.h>
#include <kern/klib.h>
#include <kern/sched.h>
#include <kern/timer.h>
#include <uapi/time.h>

static LIST_HEAD(armed_timers);
static uint64_t boot_mono_ns;
/* Set while timer_run_expired walks the list: it reprograms the HAL once
 * at the end, so arming from a callback need not. */
static bool running_expired;

static void program_hal(void)
{
	if (running_expired)
		return;
	if (list_empty(&armed_timers)) {
		hal_timer_set(0);
		return;
	}
	struct ktimer *first =
		list_first_entry(&armed_timers, struct ktimer, link);
	/* 0 means "disarm" to the HAL: a deadline of 0 is already past. */
	hal_timer_set(first->deadline_ns ? first->deadline_ns : 1);
}

static void unlink_timer(struct ktimer *t)
{
	if (t->armed) {
		list_del(&t->link);
		t->armed = false;
	}
}

void timer_arm(struct ktimer *t, uint64_t deadline_ns,
	       void (*fn)(struct ktimer *))
{
	struct ktimer *pos;

	unlink_timer(t);
	t->deadline_ns = deadline_ns;
	t->fn = fn;
	t->armed = true;
	/* Equal deadlines keep arming order: insert after them. */
	list_for_each_entry(pos, &armed_timers, link) {
		if (pos->deadline_ns > deadline_ns)
			break;
	}
	list_add_tail(&t->link, &pos->link);
	program_hal();
}

void timer_cancel(struct ktimer *t)
{
	if (!t->armed)
		return;
	unlink_timer(t);
	program_hal();
}

void timer_run_expired(void)
{
	if (running_expired)
		return;
	running_expired = true;
	while (!list_empty(&armed_timers)) {
		struct ktimer *t =
			list_first_entry(&armed_timers, struct ktimer, link);

		if (t->deadline_ns > time_monotonic_ns())
			break;
		unlink_timer(t);
		t->fn(t);
	}
	running_expired = false;
	program_hal();
}

void kern_timer_event(void)
{
	timer_run_expired();
	sched_run_pending();
}

void timer_init(void)
{
	boot_mono_ns = hal_clock_monotonic_ns();
}

uint64_t time_monotonic_ns(void)
{
	return hal_clock_monotonic_ns();
}

uint64_t time_realtime_ns(void)
{
	return hal_clock_realtime_ns();
}

uint64_t time_boot_ns(void)
{
	return boot_mono_ns;
}

bool timespec_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 &&
	       (uint64_t)ts->tv_nsec < NSEC_PER_SEC;
}

uint64_t timespec_to_ns(const struct linux_timespec *ts)
{
	uint64_t ns;

	if (__builtin_mul_overflow((uint64_t)ts->tv_sec, NSEC_PER_SEC, &ns) ||
	    __builtin_add_overflow(ns, (uint64_t)ts->tv_nsec, &ns))
		return UINT64_MAX;
	return ns;
}

struct linux_timespec ns_to_timespec(uint64_t ns)
{
	struct linux_timespec ts = {
		.tv_sec = (int64_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (int64_t)(ns % NSEC_PER_SEC),
	};
	return ts;
}

uint64_t time_deadline_after(uint64_t ns)
{
	uint64_t d;

	if (__builtin_add_overflow(time_monotonic_ns(), ns, &d))
		return UINT64_MAX;
	return d;
}

uint64_t time_deadline_realtime(uint64_t realtime_ns)
{
	uint64_t now = time_realtime_ns();

	return time_deadline_after(realtime_ns > now ? realtime_ns - now : 0);
}
