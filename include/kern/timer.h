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
void timer_arm(struct ktimer *t, uint64_t deadline_ns, void (*fn)(struct ktimer *));
/* Disarms t if armed; harmless otherwise. */
void timer_cancel(struct ktimer *t);
/* Runs every expired timer (called from kern_timer_event). */
void timer_run_expired(void);

uint64_t time_monotonic_ns(void);
uint64_t time_realtime_ns(void);
/* Boot time offset for CLOCK_BOOTTIME and /proc/uptime. */
uint64_t time_boot_ns(void);

#define NSEC_PER_SEC 1000000000ULL

#endif
