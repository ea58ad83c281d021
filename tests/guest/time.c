/*
 * Guest: clocks and sleeping. Only relations are printed (times differ
 * between runs): the monotonic clock never goes back and advances across a
 * sleep, nanosleep sleeps at least as long as asked, and the wall clocks
 * (clock_gettime, gettimeofday, time) agree with each other.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static int64_t ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ns(&t);
}

int main(void)
{
	struct timespec a, b, r;

	EXPECT_OK("clock_gettime MONOTONIC",
		  clock_gettime(CLOCK_MONOTONIC, &a));
	CHECK("tv_nsec in range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
	int back = 0;
	int64_t prev = ns(&a);
	for (int i = 0; i < 10000; i++) {
		int64_t now = mono_ns();
		back += now < prev;
		prev = now;
	}
	CHECK("monotonic never goes back (10000 reads)", back == 0);

	/* nanosleep 10 ms: at least 10 ms pass, and not absurdly more. */
	struct timespec req = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_OK("nanosleep 10 ms", nanosleep(&req, NULL));
	clock_gettime(CLOCK_MONOTONIC, &b);
	int64_t slept = ns(&b) - ns(&a);
	CHECK("nanosleep slept >= 10 ms", slept >= 10 * 1000 * 1000);
	CHECK("nanosleep slept < 5 s", slept < 5LL * 1000 * 1000 * 1000);
	CHECK("monotonic increased across the sleep", ns(&b) > ns(&a));

	req.tv_nsec = 20 * 1000 * 1000;
	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_OK("clock_nanosleep relative 20 ms",
		  clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("clock_nanosleep slept >= 20 ms",
	      ns(&b) - ns(&a) >= 20 * 1000 * 1000);

	/* An absolute deadline 15 ms ahead. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	int64_t deadline = ns(&a) + 15 * 1000 * 1000;
	struct timespec abs = { .tv_sec = deadline / 1000000000,
				.tv_nsec = deadline % 1000000000 };
	EXPECT_OK("clock_nanosleep TIMER_ABSTIME",
		  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
	CHECK("woke at or after the deadline", mono_ns() >= deadline);
	/* A deadline in the past returns at once. */
	abs.tv_sec = 0;
	abs.tv_nsec = 1;
	EXPECT_OK("clock_nanosleep past deadline",
		  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));

	req.tv_sec = 0;
	req.tv_nsec = 1000000000;
	EXPECT_ERR("nanosleep tv_nsec = 1e9", nanosleep(&req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	EXPECT_ERR("nanosleep negative tv_sec", nanosleep(&req, NULL), EINVAL);
	req.tv_sec = 0;
	EXPECT_OK("nanosleep 0", nanosleep(&req, NULL));
	EXPECT_ERR("clock_gettime bad clock", clock_gettime(12345, &a), EINVAL);
	/* The raw call: a vDSO would fault in user space instead. */
	EXPECT_ERR("clock_gettime bad pointer (raw)",
		   syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)1),
		   EFAULT);

	EXPECT_OK("clock_getres MONOTONIC", clock_getres(CLOCK_MONOTONIC, &r));
	CHECK("MONOTONIC resolution <= 1 ms",
	      r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000);
	EXPECT_OK("clock_getres REALTIME", clock_getres(CLOCK_REALTIME, &r));
	CHECK("REALTIME resolution <= 1 ms",
	      r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000);

	/* Wall clocks: clock_gettime, gettimeofday and time within a second. */
	struct timeval tv;
	EXPECT_OK("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &a));
	EXPECT_OK("gettimeofday", gettimeofday(&tv, NULL));
	time_t t = time(NULL);
	CHECK("tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK("gettimeofday and time agree within 1 s",
	      t - tv.tv_sec >= 0 && t - tv.tv_sec <= 1);
	CHECK("clock_gettime and gettimeofday agree within 1 s",
	      tv.tv_sec - a.tv_sec >= 0 && tv.tv_sec - a.tv_sec <= 1);
	CHECK("time is after 2020", t > 1577836800);
	time_t t2;
	CHECK("time(&t) stores its result", time(&t2) >= t && t2 >= t);
	/* Raw time and gettimeofday, past any vDSO. */
	long rt = syscall(SYS_time, NULL);
	CHECK("raw time agrees", rt >= t && rt - t <= 1);
	EXPECT_OK("raw gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
	CHECK("raw gettimeofday agrees", tv.tv_sec >= t && tv.tv_sec - t <= 1);

	EXPECT_OK("clock_gettime BOOTTIME", clock_gettime(CLOCK_BOOTTIME, &a));
	EXPECT_OK("clock_gettime MONOTONIC_COARSE",
		  clock_gettime(CLOCK_MONOTONIC_COARSE, &a));
	EXPECT_OK("clock_gettime REALTIME_COARSE",
		  clock_gettime(CLOCK_REALTIME_COARSE, &a));
	CHECK("REALTIME_COARSE agrees within 1 s",
	      a.tv_sec - t >= -1 && a.tv_sec - t <= 1);
	EXPECT_OK("clock_gettime PROCESS_CPUTIME_ID",
		  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a));
	EXPECT_OK("clock_gettime THREAD_CPUTIME_ID",
		  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a));
	return guest_exit();
}
