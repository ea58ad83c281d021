/*
 * timer: one-shot kernel timers on the monotonic clock, multiplexed onto
 * the HAL's single one-shot timer (hal_timer_set / kern_timer_event).
 */
#ifndef KERN_TIMER_H
#define KERN_TIMER_H

#include <kern/list.h>
#include <kern/types.h>

struct ktimer {
	struct list_head link; /* sorted by deadline while armed */
	uint64_t deadline_ns;  /* monotonic */
	void (*fn)(struct ktimer *t);
	bool armed;
};

/* Arms t to call t->fn once at deadline_ns (re-arming moves it). */
void timer_arm(struct ktimer *t, uint64_t deadline_ns,
	       void (*fn)(struct ktimer *));
/* Disarms t if armed; harmless otherwise. */
void timer_cancel(struct ktimer *t);
/* Runs every expired timer (called from kern_timer_event). */
void timer_run_expired(void);

/* Records the boot instant (kmain calls it first thing). */
void timer_init(void);

/* The HAL's clocks: monotonic (the timers' clock) and wall-clock time. */
uint64_t time_monotonic_ns(void);
uint64_t time_realtime_ns(void);
/* Boot time offset for CLOCK_BOOTTIME and /proc/uptime: the monotonic
 * value when the core booted, so uptime = time_monotonic_ns() -
 * time_boot_ns(). 0 when timer_init was never called (unit tests). */
uint64_t time_boot_ns(void);

#define NSEC_PER_SEC 1000000000ULL

/* Guest timespecs (uapi/time.h) and deadlines. */
struct linux_timespec;
/* tv_sec >= 0 and 0 <= tv_nsec < 1e9 (else syscalls return -EINVAL). */
bool timespec_valid(const struct linux_timespec *ts);
/* A valid timespec in ns, saturating at UINT64_MAX. */
uint64_t timespec_to_ns(const struct linux_timespec *ts);
struct linux_timespec ns_to_timespec(uint64_t ns);
/* The monotonic deadline ns from now, saturating. */
uint64_t time_deadline_after(uint64_t ns);
/* The monotonic deadline of an absolute wall-clock time (converted now: a
 * later change of the wall clock does not move it). */
uint64_t time_deadline_realtime(uint64_t realtime_ns);

#endif
