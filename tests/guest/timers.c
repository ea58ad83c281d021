/*
 * Guest: interval timers and POSIX timers. setitimer/getitimer with
 * ITIMER_REAL (periodic, waited for with sigsuspend), ITIMER_VIRTUAL and
 * ITIMER_PROF against CPU time burnt in a loop that makes syscalls,
 * alarm's rounding, and timer_create with SIGEV_SIGNAL (si_value,
 * SI_TIMER), SIGEV_THREAD_ID, SIGEV_NONE, absolute CLOCK_REALTIME
 * deadlines, overruns and the error cases.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

/* glibc 2.36 names the field only through the union. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static volatile int alrm, vtalrm, prof, rt_hits, rt_value, rt_code;
static volatile pid_t rt_tid;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	switch (sig) {
	case SIGALRM:
		alrm++;
		break;
	case SIGVTALRM:
		vtalrm++;
		break;
	case SIGPROF:
		prof++;
		break;
	default:
		rt_hits++;
		rt_value = si->si_value.sival_int;
		rt_code = si->si_code;
		rt_tid = (pid_t)syscall(SYS_gettid);
		break;
	}
}

static void install(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(sig, &sa, NULL);
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Burns CPU time, entering the kernel now and then. */
static void burn_until(volatile int *flag, int want)
{
	volatile unsigned long x = 0;

	for (long i = 0; i < 4000000000L && *flag < want; i++) {
		x += i;
		if (i % 100000 == 0)
			getppid();
	}
}

static void itimers(void)
{
	struct itimerval it, old;
	struct timespec t0, t1;
	sigset_t none;

	install(SIGALRM);
	install(SIGVTALRM);
	install(SIGPROF);
	sigemptyset(&none);

	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 30000;
	it.it_interval.tv_usec = 20000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_OK("setitimer REAL", setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_OK("getitimer REAL", getitimer(ITIMER_REAL, &old));
	CHECK("  value counts down", old.it_value.tv_sec == 0 &&
					     old.it_value.tv_usec > 0 &&
					     old.it_value.tv_usec <= 30000);
	printf("  interval: %ld us\n", (long)old.it_interval.tv_usec);
	while (alrm < 3)
		sigsuspend(&none);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	memset(&it, 0, sizeof(it));
	EXPECT_OK("disarm with old value", setitimer(ITIMER_REAL, &it, &old));
	CHECK("  old interval reported", old.it_interval.tv_usec == 20000);
	long ms = ms_between(&t0, &t1);
	printf("3 SIGALRMs: %d, took >= 70 ms: %d, < 1 s: %d\n", alrm, ms >= 69,
	       ms < 1000);

	it.it_value.tv_usec = 20000;
	it.it_interval.tv_usec = 0;
	vtalrm = 0;
	EXPECT_OK("setitimer VIRTUAL", setitimer(ITIMER_VIRTUAL, &it, NULL));
	burn_until(&vtalrm, 1);
	printf("SIGVTALRM after CPU time: %d\n", vtalrm);
	prof = 0;
	EXPECT_OK("setitimer PROF", setitimer(ITIMER_PROF, &it, NULL));
	burn_until(&prof, 1);
	printf("SIGPROF after CPU time: %d\n", prof);

	it.it_value.tv_usec = 1000000;
	EXPECT_ERR("setitimer bad usec", setitimer(ITIMER_REAL, &it, NULL),
		   EINVAL);
	EXPECT_ERR("setitimer bad which", setitimer(7, &it, NULL), EINVAL);

	printf("alarm(5) first: %u\n", alarm(5));
	printf("alarm(0) returns the rest rounded: %u\n", alarm(0));
	alarm(0);
	printf("alarm(0) when none: %u\n", alarm(0));
	signal(SIGALRM, SIG_DFL);
}

static void *waiter_thread(void *arg)
{
	sigset_t none;

	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	sigemptyset(&none);
	while (!rt_hits)
		sigsuspend(&none);
	return NULL;
}

static void posix_timers(void)
{
	struct sigevent sev;
	struct itimerspec its, cur;
	timer_t t1, t2, t3;
	sigset_t block, none;
	int sig = SIGRTMIN + 2;

	install(sig);
	sigemptyset(&none);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_int = 99;
	EXPECT_OK("timer_create MONOTONIC",
		  timer_create(CLOCK_MONOTONIC, &sev, &t1));
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 20000000;
	EXPECT_OK("timer_settime", timer_settime(t1, 0, &its, NULL));
	EXPECT_OK("timer_gettime", timer_gettime(t1, &cur));
	CHECK("  armed, counting down",
	      cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
		      cur.it_value.tv_nsec <= 20000000);
	while (!rt_hits)
		sigsuspend(&none);
	printf("timer signal: hits %d value %d code %s\n", rt_hits, rt_value,
	       rt_code == SI_TIMER ? "SI_TIMER" : "other");
	EXPECT_OK("timer_gettime expired", timer_gettime(t1, &cur));
	printf("  disarmed after one shot: %d\n",
	       cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

	/* Overruns: a periodic timer whose signal stays blocked; taking
	 * the one queued signal reports the expiries it stands for. */
	siginfo_t si;
	sigemptyset(&block);
	sigaddset(&block, sig);
	sigprocmask(SIG_BLOCK, &block, NULL);
	its.it_value.tv_nsec = 5000000;
	its.it_interval.tv_nsec = 5000000;
	timer_settime(t1, 0, &its, NULL);
	usleep(60000);
	int got = sigwaitinfo(&block, &si);
	int ov = timer_getoverrun(t1);
	printf("periodic while blocked: signal %d, si_overrun > 3: %d, "
	       "timer_getoverrun agrees: %d\n",
	       got == sig, si.si_overrun > 3, ov == si.si_overrun);
	memset(&its, 0, sizeof(its));
	timer_settime(t1, 0, &its, NULL);
	/* A signal of a disarmed timer is not delivered. */
	rt_hits = 0;
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	printf("nothing left after disarming: %d\n", rt_hits == 0);
	EXPECT_OK("timer_delete", timer_delete(t1));
	/* (musl returns -EINVAL itself here rather than -1 and errno.) */
	printf("timer_delete again fails: %d\n", timer_delete(t1) != 0);

	/* SIGEV_THREAD_ID: the signal goes to that thread. */
	pthread_t th;
	pid_t tid = 0;
	sigprocmask(SIG_BLOCK, &block, NULL);
	pthread_create(&th, NULL, waiter_thread, &tid);
	while (!tid)
		usleep(1000);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = sig;
	sev.sigev_notify_thread_id = tid;
	rt_hits = 0;
	EXPECT_OK("timer_create THREAD_ID",
		  timer_create(CLOCK_REALTIME, &sev, &t2));
	clock_gettime(CLOCK_REALTIME, &its.it_value);
	its.it_value.tv_nsec += 20000000;
	if (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000;
	}
	its.it_interval.tv_sec = its.it_interval.tv_nsec = 0;
	EXPECT_OK("timer_settime ABSTIME",
		  timer_settime(t2, TIMER_ABSTIME, &its, NULL));
	pthread_join(th, NULL);
	printf("delivered to the chosen thread: %d\n", rt_tid == tid);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	timer_delete(t2);

	sev.sigev_notify = SIGEV_NONE;
	EXPECT_OK("timer_create SIGEV_NONE",
		  timer_create(CLOCK_MONOTONIC, &sev, &t3));
	its.it_value.tv_sec = 100;
	its.it_value.tv_nsec = 0;
	timer_settime(t3, 0, &its, NULL);
	timer_gettime(t3, &cur);
	printf("SIGEV_NONE timer counts: %d\n",
	       cur.it_value.tv_sec >= 99 && cur.it_value.tv_sec <= 100);
	timer_delete(t3);

	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = 0;
	EXPECT_ERR("timer_create signal 0",
		   timer_create(CLOCK_MONOTONIC, &sev, &t3), EINVAL);
	sev.sigev_signo = sig;
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_notify_thread_id = 0x3fffffff;
	EXPECT_ERR("timer_create foreign tid",
		   timer_create(CLOCK_MONOTONIC, &sev, &t3), EINVAL);
	EXPECT_ERR("timer_create bad clock",
		   syscall(SYS_timer_create, 99, NULL, &t3), EINVAL);
	its.it_value.tv_nsec = 2000000000;
	sev.sigev_notify = SIGEV_SIGNAL;
	timer_create(CLOCK_MONOTONIC, &sev, &t3);
	EXPECT_ERR("timer_settime bad nsec", timer_settime(t3, 0, &its, NULL),
		   EINVAL);
	timer_delete(t3);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	itimers();
	posix_timers();
	return guest_exit();
}
