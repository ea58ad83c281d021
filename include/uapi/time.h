/* Clocks and time structures (clock_gettime(2), nanosleep(2),
 * gettimeofday(2), timer_create(2)). The structs carry a linux_ prefix so
 * that hosted code (unit tests) can include them next to libc's. */
#ifndef UAPI_TIME_H
#define UAPI_TIME_H

#include <stdint.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11

#define TIMER_ABSTIME 0x01

/* setitimer(2) timers. */
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct linux_timezone {
	int32_t tz_minuteswest;
	int32_t tz_dsttime;
};

struct linux_itimerspec {
	struct linux_timespec it_interval;
	struct linux_timespec it_value;
};

struct linux_itimerval {
	struct linux_timeval it_interval;
	struct linux_timeval it_value;
};

_Static_assert(sizeof(struct linux_timespec) == 16, "timespec size");
_Static_assert(sizeof(struct linux_timeval) == 16, "timeval size");
_Static_assert(sizeof(struct linux_timezone) == 8, "timezone size");
_Static_assert(sizeof(struct linux_itimerspec) == 32, "itimerspec size");
_Static_assert(__builtin_offsetof(struct linux_itimerspec, it_value) == 16,
	       "it_value offset");
_Static_assert(sizeof(struct linux_itimerval) == 32, "itimerval size");

#endif
