/* Resource limits and usage (getrlimit(2), prlimit(2), getrusage(2)). */
#ifndef UAPI_RESOURCE_H
#define UAPI_RESOURCE_H

#include <stdint.h>

#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIMIT_NLIMITS 16

#define RLIM_INFINITY (~0ULL)

/* getrlimit/setrlimit (unsigned long fields) and prlimit64 share it. */
struct rlimit64 {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

struct rusage_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct rusage {
	struct rusage_timeval ru_utime;
	struct rusage_timeval ru_stime;
	int64_t ru_maxrss;
	int64_t ru_ixrss;
	int64_t ru_idrss;
	int64_t ru_isrss;
	int64_t ru_minflt;
	int64_t ru_majflt;
	int64_t ru_nswap;
	int64_t ru_inblock;
	int64_t ru_oublock;
	int64_t ru_msgsnd;
	int64_t ru_msgrcv;
	int64_t ru_nsignals;
	int64_t ru_nvcsw;
	int64_t ru_nivcsw;
};

/* getpriority(2)/setpriority(2) targets. */
#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2

/* times(2): clock ticks (clock_t is a long on x86_64). */
struct linux_tms {
	int64_t tms_utime;
	int64_t tms_stime;
	int64_t tms_cutime;
	int64_t tms_cstime;
};

_Static_assert(sizeof(struct rlimit64) == 16, "rlimit size");
_Static_assert(sizeof(struct linux_tms) == 32, "tms size");
_Static_assert(sizeof(struct rusage_timeval) == 16, "rusage timeval size");
_Static_assert(sizeof(struct rusage) == 144, "rusage size");
_Static_assert(__builtin_offsetof(struct rusage, ru_maxrss) == 32,
	       "ru_maxrss offset");

#endif
