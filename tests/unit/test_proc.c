/*
 * test_proc.c: processes, time, identity and exec (layer: unit tests;
 * relies on ktest's boot helpers and the test HAL's fake clock, thread
 * starts and halt). Blocking calls are played as real traps: the thread's
 * registers hold the call, kern_trap parks it, the fake clock or a wake
 * finishes it and the result lands in rax. Expected values come from the
 * Linux man pages and the x86_64 psABI, never from Ember's own output.
 */
#include <string.h>
#include <sys/syscall.h>

#include <kern/cmdline.h>
#include <kern/elf.h>
#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/timer.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/auxv.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/futex.h>
#include <uapi/prctl.h>
#include <uapi/resource.h>
#include <uapi/signal.h>
#include <uapi/time.h>
#include <uapi/utsname.h>
#include <uapi/wait.h>

#include "ktest.h"

#define MS 1000000ULL

/* Plays a SYSCALL trap of t: the call in its registers, then kern_trap. */
static void trap_call(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->uctx.r10 = a3;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
}

static uint64_t put_ts(int64_t sec, int64_t nsec)
{
	struct linux_timespec ts = { sec, nsec };
	uint64_t u = ktest_umap(sizeof(ts), VM_READ | VM_WRITE);

	ktest_put(u, &ts, sizeof(ts));
	return u;
}

static uint64_t mono_now(uint64_t buf)
{
	struct linux_timespec ts;

	ck_assert_int_eq(ksys2(SYS_clock_gettime, CLOCK_MONOTONIC, buf), 0);
	ktest_get(&ts, buf, sizeof(ts));
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ---- identity ---- */

START_TEST(uname_fields)
{
	struct new_utsname u;
	uint64_t buf;

	ktest_boot();
	buf = ktest_umap(sizeof(u), VM_READ | VM_WRITE);
	ck_assert_int_eq(ksys1(SYS_uname, buf), 0);
	ktest_get(&u, buf, sizeof(u));
	ck_assert_str_eq(u.sysname, "Linux");
	ck_assert_str_eq(u.nodename, "ember");
	ck_assert_str_eq(u.machine, "x86_64");
	ck_assert_str_eq(u.domainname, "(none)");
	/* glibc 2.36 wants at least 3.2.0; the release must parse as one. */
	ck_assert(u.release[0] >= '3' && u.release[0] <= '9');
	ck_assert_int_eq(ksys1(SYS_uname, 0), -EFAULT);
	ck_assert_int_eq(ksys1(SYS_uname, 0x10), -EFAULT);
}
END_TEST

START_TEST(ids_of_init)
{
	ktest_boot();
	ck_assert_int_eq(ksys0(SYS_getpid), 1);
	ck_assert_int_eq(ksys0(SYS_gettid), 1);
	ck_assert_int_eq(ksys0(SYS_getppid), 0);
	ck_assert_int_eq(ksys0(SYS_getuid), 0);
	ck_assert_int_eq(ksys0(SYS_geteuid), 0);
	ck_assert_int_eq(ksys0(SYS_getgid), 0);
	ck_assert_int_eq(ksys0(SYS_getegid), 0);
	ck_assert_int_eq(ksys0(SYS_getpgrp), 1);
	ck_assert_int_eq(ksys1(SYS_getpgid, 0), 1);
	ck_assert_int_eq(ksys1(SYS_getsid, 0), 1);
	ck_assert_int_eq(ksys1(SYS_getpgid, 4242), -ESRCH);
	ck_assert_int_eq(ksys1(SYS_getsid, -1), -ESRCH);
}
END_TEST

START_TEST(child_pids_and_threads)
{
	struct task *child;
	struct thread *t2;

	ktest_boot();
	child = task_create(current->task);
	ck_assert_ptr_nonnull(child);
	ck_assert_int_eq(child->pid, 2);
	ck_assert_ptr_eq(task_find(2), child);
	ck_assert_ptr_eq(task_next(2), child);
	t2 = thread_create(current->task);
	ck_assert_ptr_nonnull(t2);
	/* Tids come from the same number space as pids. */
	ck_assert_int_eq(t2->tid, 3);
	ck_assert_ptr_eq(thread_find(3), t2);
	ck_assert_ptr_null(task_find(3));
	current = t2;
	ck_assert_int_eq(ksys0(SYS_getpid), 1);
	ck_assert_int_eq(ksys0(SYS_gettid), 3);
}
END_TEST

START_TEST(set_tid_address_and_robust_list)
{
	uint64_t buf;
	uint64_t head, len;

	ktest_boot();
	buf = ktest_umap(16, VM_READ | VM_WRITE);
	ck_assert_int_eq(ksys1(SYS_set_tid_address, 0x1234), 1);
	ck_assert_uint_eq(current->clear_child_tid, 0x1234);
	ck_assert_int_eq(ksys2(SYS_set_robust_list, 0x5000, 23), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_set_robust_list, 0x5000, 24), 0);
	ck_assert_int_eq(ksys3(SYS_get_robust_list, 0, buf, buf + 8), 0);
	ktest_get(&head, buf, 8);
	ktest_get(&len, buf + 8, 8);
	ck_assert_uint_eq(head, 0x5000);
	ck_assert_uint_eq(len, 24);
	ck_assert_int_eq(ksys3(SYS_get_robust_list, 999, buf, buf + 8), -ESRCH);
}
END_TEST

START_TEST(prctl_name)
{
	char name[16];
	uint64_t in, out;

	ktest_boot();
	out = ktest_umap(16, VM_READ | VM_WRITE);
	in = ktest_ustr("a-very-long-thread-name");
	ck_assert_int_eq(ksys2(SYS_prctl, PR_SET_NAME, in), 0);
	ck_assert_int_eq(ksys2(SYS_prctl, PR_GET_NAME, out), 0);
	ktest_get(name, out, sizeof(name));
	/* Cut to 15 bytes and a NUL. */
	ck_assert_str_eq(name, "a-very-long-thr");
	in = ktest_ustr("short");
	ck_assert_int_eq(ksys2(SYS_prctl, PR_SET_NAME, in), 0);
	ck_assert_str_eq(current->task->comm, "short");
	ck_assert_int_eq(ksys2(SYS_prctl, PR_SET_NAME, 0), -EFAULT);
	ck_assert_int_eq(ksys2(SYS_prctl, 12345, 0), -EINVAL);
}
END_TEST

START_TEST(arch_prctl_round_trip)
{
	uint64_t buf, v;

	ktest_boot();
	buf = ktest_umap(8, VM_READ | VM_WRITE);
	ck_assert_int_eq(ksys2(SYS_arch_prctl, ARCH_SET_FS, 0x7f0012345000ULL),
			 0);
	ck_assert_uint_eq(current->uctx.fs_base, 0x7f0012345000ULL);
	ck_assert_int_eq(ksys2(SYS_arch_prctl, ARCH_GET_FS, buf), 0);
	ktest_get(&v, buf, 8);
	ck_assert_uint_eq(v, 0x7f0012345000ULL);
	ck_assert_int_eq(ksys2(SYS_arch_prctl, ARCH_SET_GS, 0x1000), 0);
	ck_assert_int_eq(ksys2(SYS_arch_prctl, ARCH_GET_GS, buf), 0);
	ktest_get(&v, buf, 8);
	ck_assert_uint_eq(v, 0x1000);
	/* Non-canonical and kernel addresses are refused. */
	ck_assert_int_eq(ksys2(SYS_arch_prctl, ARCH_SET_FS, 0x800000000000ULL),
			 -EPERM);
	ck_assert_int_eq(ksys2(SYS_arch_prctl, ARCH_SET_FS,
			       0xffffffff81000000ULL),
			 -EPERM);
	ck_assert_uint_eq(current->uctx.fs_base, 0x7f0012345000ULL);
	ck_assert_int_eq(ksys2(SYS_arch_prctl, ARCH_GET_FS, 0), -EFAULT);
	ck_assert_int_eq(ksys2(SYS_arch_prctl, 0x9999, buf), -EINVAL);
}
END_TEST

START_TEST(affinity_and_random)
{
	uint64_t buf;
	uint64_t mask[4];
	unsigned char rnd[64], zero[64];

	ktest_boot();
	buf = ktest_umap(sizeof(mask) + sizeof(rnd), VM_READ | VM_WRITE);
	ck_assert_int_eq(ksys3(SYS_sched_getaffinity, 0, 4, buf), -EINVAL);
	ck_assert_int_eq(ksys3(SYS_sched_getaffinity, 0, 12, buf), -EINVAL);
	memset(mask, 0xff, sizeof(mask));
	ktest_put(buf, mask, sizeof(mask));
	ck_assert_int_eq(ksys3(SYS_sched_getaffinity, 0, 32, buf), 8);
	ktest_get(mask, buf, sizeof(mask));
	ck_assert_uint_eq(mask[0], 1);
	ck_assert_int_eq(ksys3(SYS_sched_getaffinity, 77, 8, buf), -ESRCH);
	ck_assert_int_eq(ksys0(SYS_sched_yield), 0);

	ck_assert_int_eq(ksys3(SYS_getrandom, buf, 64, 8), -EINVAL);
	ck_assert_int_eq(ksys3(SYS_getrandom, buf, 64, 6), -EINVAL);
	ck_assert_int_eq(ksys3(SYS_getrandom, 0, 64, 0), -EFAULT);
	memset(zero, 0, sizeof(zero));
	ktest_put(buf, zero, sizeof(zero));
	ck_assert_int_eq(ksys3(SYS_getrandom, buf, 64, 1), 64);
	ktest_get(rnd, buf, sizeof(rnd));
	ck_assert(memcmp(rnd, zero, sizeof(rnd)) != 0);
}
END_TEST

/* ---- time ---- */

START_TEST(clock_monotonic_advances)
{
	struct linux_timespec ts;
	uint64_t buf, t1, t2;

	ktest_boot();
	buf = ktest_umap(64, VM_READ | VM_WRITE);
	t1 = mono_now(buf);
	t2 = mono_now(buf);
	ck_assert_uint_ge(t2, t1);
	hal_test_advance_ns(1500);
	t2 = mono_now(buf);
	ck_assert_uint_eq(t2 - t1, 1500);

	/* The test HAL's wall clock starts in November 2023. */
	ck_assert_int_eq(ksys2(SYS_clock_gettime, CLOCK_REALTIME, buf), 0);
	ktest_get(&ts, buf, sizeof(ts));
	ck_assert_int_ge(ts.tv_sec, 1700000000);
	ck_assert_int_lt(ts.tv_nsec, 1000000000);
	ck_assert_int_eq(ksys1(SYS_time, 0), ts.tv_sec);

	ck_assert_int_eq(ksys2(SYS_clock_gettime, CLOCK_BOOTTIME, buf), 0);
	ck_assert_int_eq(ksys2(SYS_clock_gettime, 99, buf), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_clock_gettime, CLOCK_MONOTONIC, 0), -EFAULT);
	ck_assert_int_eq(ksys2(SYS_clock_getres, CLOCK_MONOTONIC, buf), 0);
	ktest_get(&ts, buf, sizeof(ts));
	ck_assert_int_eq(ts.tv_sec, 0);
	ck_assert_int_eq(ts.tv_nsec, 1);
	ck_assert_int_eq(ksys2(SYS_clock_getres, CLOCK_MONOTONIC, 0), 0);
	ck_assert_int_eq(ksys2(SYS_clock_getres, -5, buf), -EINVAL);
}
END_TEST

START_TEST(gettimeofday_fields)
{
	struct linux_timeval tv;
	struct linux_timezone tz = { 5, 5 };
	uint64_t buf;

	ktest_boot();
	buf = ktest_umap(64, VM_READ | VM_WRITE);
	ktest_put(buf + 16, &tz, sizeof(tz));
	ck_assert_int_eq(ksys2(SYS_gettimeofday, buf, buf + 16), 0);
	ktest_get(&tv, buf, sizeof(tv));
	ktest_get(&tz, buf + 16, sizeof(tz));
	ck_assert_int_ge(tv.tv_sec, 1700000000);
	ck_assert_int_lt(tv.tv_usec, 1000000);
	ck_assert_int_eq(tz.tz_minuteswest, 0);
	ck_assert_int_eq(tz.tz_dsttime, 0);
	ck_assert_int_eq(ksys2(SYS_gettimeofday, 0, 0), 0);
}
END_TEST

START_TEST(nanosleep_blocks_until_deadline)
{
	struct thread *t;
	uint64_t req;
	unsigned long starts;

	ktest_boot();
	t = current;
	req = put_ts(0, 5 * MS);
	starts = hal_test_thread_starts();
	trap_call(t, SYS_nanosleep, req, 0, 0, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	ck_assert_uint_eq(hal_test_timer_deadline(),
			  time_monotonic_ns() + 5 * MS);
	ck_assert_uint_eq(hal_test_thread_starts(), starts);

	hal_test_advance_ns(4 * MS);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(1 * MS);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 0);
	ck_assert_uint_eq(hal_test_thread_starts(), starts + 1);
	ck_assert_ptr_eq(hal_test_last_started(), &t->uctx);
	ck_assert(!t->resumed);
}
END_TEST

START_TEST(nanosleep_interrupted_writes_rem)
{
	struct thread *t;
	struct linux_timespec rem;
	uint64_t req, urem;

	ktest_boot();
	t = current;
	req = put_ts(1, 0);
	urem = put_ts(-1, -1);
	trap_call(t, SYS_nanosleep, req, urem, 0, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(300 * MS);
	sched_wake(t, WAKE_SIGNAL);
	ck_assert_int_eq(t->state, THREAD_BLOCKED); /* queued, not nested */
	sched_run_pending();
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, -EINTR);
	ktest_get(&rem, urem, sizeof(rem));
	ck_assert_int_eq(rem.tv_sec, 0);
	ck_assert_int_eq(rem.tv_nsec, 700 * MS);
	/* The timer went with the wake-up. */
	ck_assert_uint_eq(hal_test_timer_deadline(), 0);
}
END_TEST

START_TEST(nanosleep_bad_args)
{
	ktest_boot();
	ck_assert_int_eq(ksys2(SYS_nanosleep, put_ts(0, 1000000000), 0),
			 -EINVAL);
	ck_assert_int_eq(ksys2(SYS_nanosleep, put_ts(-1, 0), 0), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_nanosleep, put_ts(0, -1), 0), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_nanosleep, 0, 0), -EFAULT);
	/* Zero time: done at once. */
	ck_assert_int_eq(ksys2(SYS_nanosleep, put_ts(0, 0), 0), 0);
	ck_assert_int_eq(current->state, THREAD_RUNNABLE);
}
END_TEST

START_TEST(clock_nanosleep_absolute)
{
	struct thread *t;
	uint64_t buf, now, req;

	ktest_boot();
	t = current;
	buf = ktest_umap(64, VM_READ | VM_WRITE);
	now = mono_now(buf);
	req = put_ts((int64_t)((now + 2 * NSEC_PER_SEC) / NSEC_PER_SEC),
		     (int64_t)((now + 2 * NSEC_PER_SEC) % NSEC_PER_SEC));
	trap_call(t, SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, req,
		  0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	ck_assert_uint_eq(hal_test_timer_deadline(), now + 2 * NSEC_PER_SEC);
	hal_test_advance_ns(2 * NSEC_PER_SEC);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 0);

	/* A deadline already past returns at once. */
	ck_assert_int_eq(ksys4(SYS_clock_nanosleep, CLOCK_MONOTONIC,
			       TIMER_ABSTIME, put_ts(0, 5), 0),
			 0);
	ck_assert_int_eq(ksys4(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0,
			       put_ts(0, 5), 0),
			 -EINVAL);
	ck_assert_int_eq(ksys4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0,
			       put_ts(0, 1000000000), 0),
			 -EINVAL);
}
END_TEST

static int fired[3], nfired;

static void record_fire(struct ktimer *t)
{
	fired[nfired++] = (int)t->deadline_ns;
}

START_TEST(timers_fire_in_order)
{
	struct ktimer a = { 0 }, b = { 0 }, c = { 0 };
	uint64_t now;

	ktest_boot_mem();
	now = time_monotonic_ns();
	nfired = 0;
	timer_arm(&a, now + 300, record_fire);
	timer_arm(&b, now + 100, record_fire);
	timer_arm(&c, now + 200, record_fire);
	ck_assert_uint_eq(hal_test_timer_deadline(), now + 100);
	timer_cancel(&b);
	ck_assert_uint_eq(hal_test_timer_deadline(), now + 200);
	hal_test_advance_ns(250);
	ck_assert_int_eq(nfired, 1);
	ck_assert_int_eq(fired[0], (int)(now + 200));
	ck_assert_uint_eq(hal_test_timer_deadline(), now + 300);
	/* Re-arming moves a timer. */
	timer_arm(&a, now + 400, record_fire);
	hal_test_advance_ns(100);
	ck_assert_int_eq(nfired, 1);
	hal_test_advance_ns(100);
	ck_assert_int_eq(nfired, 2);
	ck_assert_uint_eq(hal_test_timer_deadline(), 0);
	ck_assert(!a.armed && !b.armed && !c.armed);
}
END_TEST

/* ---- signals ---- */

START_TEST(rt_sigaction_errnos)
{
	struct ksigaction sa = { .handler = 0x401000,
				 .flags = SA_RESTORER | SA_RESTART,
				 .restorer = 0x402000,
				 .mask = ~0ULL },
			  old;
	uint64_t act, oact;

	ktest_boot();
	act = ktest_umap(sizeof(sa) * 2, VM_READ | VM_WRITE);
	oact = act + sizeof(sa);
	ktest_put(act, &sa, sizeof(sa));
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGUSR1, act, oact, 4),
			 -EINVAL);
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, 0, act, oact, 8), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, 65, act, oact, 8), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGKILL, act, 0, 8), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGSTOP, act, 0, 8), -EINVAL);
	/* Reading SIGKILL's action is fine. */
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGKILL, 0, oact, 8), 0);
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGUSR1, 0x10, 0, 8), -EFAULT);

	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGUSR1, act, oact, 8), 0);
	ktest_get(&old, oact, sizeof(old));
	ck_assert_uint_eq(old.handler, SIG_DFL);
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGUSR1, 0, oact, 8), 0);
	ktest_get(&old, oact, sizeof(old));
	ck_assert_uint_eq(old.handler, 0x401000);
	ck_assert_uint_eq(old.flags, SA_RESTORER | SA_RESTART);
	ck_assert_uint_eq(old.restorer, 0x402000);
	/* SIGKILL and SIGSTOP cannot be in a handler's mask. */
	ck_assert_uint_eq(old.mask, ~0ULL & ~(1ULL << (SIGKILL - 1)) &
					    ~(1ULL << (SIGSTOP - 1)));
}
END_TEST

START_TEST(rt_sigprocmask_rules)
{
	uint64_t set, oset, v;

	ktest_boot();
	set = ktest_umap(16, VM_READ | VM_WRITE);
	oset = set + 8;
	v = (1ULL << (SIGKILL - 1)) | (1ULL << (SIGUSR1 - 1));
	ktest_put(set, &v, 8);
	ck_assert_int_eq(ksys4(SYS_rt_sigprocmask, SIG_BLOCK, set, oset, 8), 0);
	ktest_get(&v, oset, 8);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(ksys4(SYS_rt_sigprocmask, SIG_BLOCK, 0, oset, 8), 0);
	ktest_get(&v, oset, 8);
	ck_assert_uint_eq(v, 1ULL << (SIGUSR1 - 1));
	ck_assert_int_eq(ksys4(SYS_rt_sigprocmask, 7, set, 0, 8), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_rt_sigprocmask, SIG_BLOCK, set, 0, 16),
			 -EINVAL);
	ck_assert_int_eq(ksys4(SYS_rt_sigprocmask, SIG_BLOCK, 0x10, 0, 8),
			 -EFAULT);
	ck_assert_int_eq(ksys4(SYS_rt_sigprocmask, SIG_UNBLOCK, set, 0, 8), 0);
	ck_assert_uint_eq(current->sigmask, 0);
}
END_TEST

START_TEST(sigaltstack_records)
{
	struct {
		uint64_t sp;
		int32_t flags, pad;
		uint64_t size;
	} st = { 0x500000, 0, 0, 1024 }, old;
	uint64_t uss, uold;

	ktest_boot();
	uss = ktest_umap(64, VM_READ | VM_WRITE);
	uold = uss + 32;
	ktest_put(uss, &st, sizeof(st));
	ck_assert_int_eq(ksys2(SYS_sigaltstack, uss, 0), -ENOMEM);
	st.size = 65536;
	st.flags = 77;
	ktest_put(uss, &st, sizeof(st));
	ck_assert_int_eq(ksys2(SYS_sigaltstack, uss, 0), -EINVAL);
	st.flags = 0;
	ktest_put(uss, &st, sizeof(st));
	ck_assert_int_eq(ksys2(SYS_sigaltstack, uss, uold), 0);
	ktest_get(&old, uold, sizeof(old));
	ck_assert_int_eq(old.flags, SS_DISABLE);
	ck_assert_int_eq(ksys2(SYS_sigaltstack, 0, uold), 0);
	ktest_get(&old, uold, sizeof(old));
	ck_assert_uint_eq(old.sp, 0x500000);
	ck_assert_uint_eq(old.size, 65536);
	ck_assert_int_eq(old.flags, 0);
}
END_TEST

START_TEST(kill_checks)
{
	ktest_boot();
	ck_assert_int_eq(ksys2(SYS_kill, 1, 0), 0);
	ck_assert_int_eq(ksys2(SYS_kill, 555, 0), -ESRCH);
	ck_assert_int_eq(ksys2(SYS_kill, 1, 65), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_kill, 1, -1), -EINVAL);
	/* Ignored by default: nothing happens. */
	ck_assert_int_eq(ksys2(SYS_kill, 1, SIGCHLD), 0);
	ck_assert_int_eq(ksys2(SYS_kill, 1, SIGWINCH), 0);
	ck_assert_int_eq(current->task->state, TASK_ALIVE);
	ck_assert_int_eq(ksys2(SYS_tkill, 0, 0), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_tkill, 1, 0), 0);
	ck_assert_int_eq(ksys3(SYS_tgkill, 2, 1, 0), -ESRCH);
	ck_assert_int_eq(ksys3(SYS_tgkill, 0, 1, 0), -EINVAL);
	ck_assert_int_eq(ksys3(SYS_tgkill, 1, 1, 0), 0);
	/* pid -1 reaches everyone but init and the caller: nobody here. */
	ck_assert_int_eq(ksys2(SYS_kill, -1, SIGTERM), -ESRCH);
}
END_TEST

START_TEST(kill_child_default_action)
{
	struct task *child;
	uint64_t st;
	int32_t status;
	int pid;

	ktest_boot();
	child = task_create(current->task);
	pid = child->pid;
	ck_assert_int_eq(ksys2(SYS_kill, child->pid, SIGTERM), 0);
	ck_assert_int_eq(child->state, TASK_ZOMBIE);
	st = ktest_umap(4, VM_READ | VM_WRITE);
	ck_assert_int_eq(ksys4(SYS_wait4, -1, st, 0, 0), pid);
	ktest_get(&status, st, 4);
	/* WIFSIGNALED with WTERMSIG == SIGTERM. */
	ck_assert_int_eq(status, SIGTERM);
}
END_TEST

START_TEST(blocked_signal_stays_pending)
{
	uint64_t set, v;

	ktest_boot();
	set = ktest_umap(8, VM_READ | VM_WRITE);
	v = 1ULL << (SIGUSR1 - 1);
	ktest_put(set, &v, 8);
	ck_assert_int_eq(ksys4(SYS_rt_sigprocmask, SIG_BLOCK, set, 0, 8), 0);
	ck_assert_int_eq(ksys3(SYS_tgkill, 1, 1, SIGUSR1), 0);
	ck_assert_int_eq(current->task->state, TASK_ALIVE);
	ck_assert_uint_eq(current->sig_pending, v);
	/* Unblocking takes the default action on the way back to user
	 * mode: init ends with 128+10. */
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 128 + SIGUSR1);
		return;
	}
	trap_call(current, SYS_rt_sigprocmask, SIG_UNBLOCK, set, 0, 8);
	ck_abort_msg("init survived its SIGUSR1");
}
END_TEST

/* ---- exit and wait ---- */

START_TEST(exit_group_of_init_halts)
{
	ktest_boot();
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 3);
		return;
	}
	ksys1(SYS_exit_group, 0x103);
	ck_abort_msg("exit_group returned");
}
END_TEST

START_TEST(init_killed_halts_128_plus_signal)
{
	ktest_boot();
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 128 + SIGTERM);
		return;
	}
	ksys2(SYS_kill, 1, SIGTERM);
	ck_abort_msg("init survived SIGTERM");
}
END_TEST

START_TEST(wait4_no_children)
{
	ktest_boot();
	ck_assert_int_eq(ksys4(SYS_wait4, -1, 0, 0, 0), -ECHILD);
	ck_assert_int_eq(ksys4(SYS_wait4, -1, 0, WNOHANG, 0), -ECHILD);
	ck_assert_int_eq(ksys4(SYS_wait4, -1, 0, 0x100, 0), -EINVAL);
}
END_TEST

START_TEST(wait4_reaps_zombie)
{
	struct task *child;
	struct rusage ru;
	uint64_t st, uru;
	int32_t status;
	int pid;

	ktest_boot();
	child = task_create(current->task);
	pid = child->pid;
	st = ktest_umap(4 + sizeof(ru), VM_READ | VM_WRITE);
	uru = st + 8;
	ck_assert_int_eq(ksys4(SYS_wait4, -1, st, WNOHANG, 0), 0);
	ck_assert_int_eq(ksys4(SYS_wait4, pid + 1, st, WNOHANG, 0), -ECHILD);
	task_exit(child, W_EXITCODE(7));
	ck_assert_int_eq(ksys4(SYS_wait4, pid, st, 0, uru), pid);
	ktest_get(&status, st, 4);
	ck_assert_int_eq(status, 0x700);
	ck_assert_ptr_null(task_find(pid));
	ck_assert_int_eq(ksys4(SYS_wait4, -1, st, 0, 0), -ECHILD);
}
END_TEST

START_TEST(wait4_blocks_until_child_exits)
{
	struct thread *t;
	struct task *child;
	uint64_t st;
	int32_t status;

	ktest_boot();
	t = current;
	child = task_create(t->task);
	st = ktest_umap(4, VM_READ | VM_WRITE);
	trap_call(t, SYS_wait4, (uint64_t)-1, st, 0, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	task_exit(child, W_EXITCODE(42));
	sched_run_pending();
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 2);
	ktest_get(&status, st, 4);
	ck_assert_int_eq(status, 42 << 8);
}
END_TEST

START_TEST(orphans_go_to_init)
{
	struct task *a, *b;

	ktest_boot();
	a = task_create(current->task);
	b = task_create(a);
	ck_assert_ptr_eq(b->parent, a);
	task_exit(a, 0);
	ck_assert_ptr_eq(b->parent, current->task);
	ck_assert_int_eq(ksys4(SYS_wait4, -1, 0, 0, 0), a->pid);
	task_exit(b, 0);
	ck_assert_int_eq(ksys4(SYS_wait4, -1, 0, 0, 0), b->pid);
}
END_TEST

START_TEST(exit_of_one_thread)
{
	struct thread *t1, *t2;
	uint64_t tidw;
	uint32_t v = 3;

	ktest_boot();
	t1 = current;
	t2 = thread_create(t1->task);
	tidw = ktest_umap(4, VM_READ | VM_WRITE);
	ktest_put(tidw, &v, 4);
	t2->clear_child_tid = tidw;
	current = t2;
	ksys1(SYS_exit, 0);
	ck_assert_int_eq(t2->state, THREAD_DEAD);
	ck_assert_int_eq(t1->task->nthreads, 1);
	ck_assert_int_eq(t1->task->state, TASK_ALIVE);
	current = t1;
	/* CLONE_CHILD_CLEARTID: the tid word is zeroed. */
	ktest_get(&v, tidw, 4);
	ck_assert_uint_eq(v, 0);
	ck_assert_ptr_null(thread_find(t2->tid));
}
END_TEST

/* ---- traps ---- */

static void trap_kind(struct thread *t, enum hal_trap_kind kind, uint64_t addr,
		      int signo)
{
	struct hal_trap trap = { .kind = kind, .addr = addr, .signo = signo };

	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
}

START_TEST(trap_fault_resolves_or_kills)
{
	struct thread *t;
	uint64_t a;
	unsigned long starts;

	ktest_boot();
	t = current;
	a = ktest_umap(4096, VM_READ | VM_WRITE);
	starts = hal_test_thread_starts();
	trap_kind(t, HAL_TRAP_PAGE_FAULT, a + 8, 0);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_uint_eq(hal_test_thread_starts(), starts + 1);
	trap_kind(t, HAL_TRAP_PREEMPTED, 0, 0);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_uint_eq(hal_test_thread_starts(), starts + 2);
	if (hal_test_expect_halt()) {
		/* Killed by SIGSEGV: a shell's 128 + 11. */
		ck_assert_int_eq(hal_test_halt_status(), 139);
		return;
	}
	trap_kind(t, HAL_TRAP_PAGE_FAULT, 0x20000, 0);
	ck_abort_msg("init survived a fault outside its VMAs");
}
END_TEST

START_TEST(trap_signal_fault_kills)
{
	ktest_boot();
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 128 + SIGILL);
		return;
	}
	trap_kind(current, HAL_TRAP_FAULT, 0x401000, SIGILL);
	ck_abort_msg("init survived SIGILL");
}
END_TEST

/* A host signal reaches the guest like a terminal's: init's group gets
 * it, and the default action ends init (and so the run). */
START_TEST(host_signal_default_ends_init)
{
	ktest_boot();
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 128 + SIGTERM);
		return;
	}
	kern_host_signal(SIGTERM);
	ck_abort_msg("kern_host_signal left init running");
}
END_TEST

/* A guest that catches the signal keeps running (Go's os/signal). */
START_TEST(host_signal_caught_by_guest)
{
	struct task *init;

	ktest_boot();
	init = current->task;
	init->sigactions[SIGINT - 1].handler = 0x401000;
	kern_host_signal(SIGINT);
	ck_assert_int_eq(init->state, TASK_ALIVE);
	ck_assert(((init->sig_pending | current->sig_pending) >> (SIGINT - 1)) & 1);
}
END_TEST

/* A guest that ignores it cannot keep Ember alive: the third host
 * signal ends every process. */
START_TEST(host_signal_third_ends_everything)
{
	struct task *child;

	ktest_boot();
	current->task->sigactions[SIGTERM - 1].handler = SIG_IGN;
	child = task_create(current->task);
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 128 + SIGTERM);
		ck_assert_int_eq(child->state, TASK_ZOMBIE);
		return;
	}
	kern_host_signal(SIGTERM);
	kern_host_signal(SIGTERM);
	ck_assert_int_eq(current->task->state, TASK_ALIVE);
	kern_host_signal(SIGTERM);
	ck_abort_msg("the third host signal left init running");
}
END_TEST

/* ---- limits ---- */

START_TEST(prlimit64_round_trip)
{
	struct rlimit64 r = { 100, 200 }, o;
	uint64_t un, uo;

	ktest_boot();
	un = ktest_umap(32, VM_READ | VM_WRITE);
	uo = un + 16;
	ck_assert_int_eq(ksys4(SYS_prlimit64, 0, RLIMIT_STACK, 0, uo), 0);
	ktest_get(&o, uo, sizeof(o));
	ck_assert_uint_eq(o.rlim_cur, 8ULL << 20);
	ck_assert_uint_eq(o.rlim_max, RLIM_INFINITY);

	ktest_put(un, &r, sizeof(r));
	ck_assert_int_eq(ksys4(SYS_prlimit64, 0, RLIMIT_NOFILE, un, uo), 0);
	ktest_get(&o, uo, sizeof(o));
	ck_assert_uint_eq(o.rlim_cur, 1024);
	ck_assert_uint_ge(o.rlim_max, 4096);
	ck_assert_int_eq(ksys4(SYS_prlimit64, 1, RLIMIT_NOFILE, 0, uo), 0);
	ktest_get(&o, uo, sizeof(o));
	ck_assert_uint_eq(o.rlim_cur, 100);
	ck_assert_uint_eq(o.rlim_max, 200);
	ck_assert_int_eq(ksys2(SYS_getrlimit, RLIMIT_NOFILE, uo), 0);
	ktest_get(&o, uo, sizeof(o));
	ck_assert_uint_eq(o.rlim_cur, 100);

	r.rlim_cur = 300;
	ktest_put(un, &r, sizeof(r));
	ck_assert_int_eq(ksys4(SYS_prlimit64, 0, RLIMIT_NOFILE, un, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys4(SYS_prlimit64, 0, RLIMIT_NLIMITS, 0, uo),
			 -EINVAL);
	ck_assert_int_eq(ksys4(SYS_prlimit64, 4242, RLIMIT_CPU, 0, uo), -ESRCH);
	ck_assert_int_eq(ksys4(SYS_prlimit64, 0, RLIMIT_CPU, 0x10, 0), -EFAULT);
	ck_assert_int_eq(ksys2(SYS_getrlimit, 99, uo), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_getrlimit, RLIMIT_CORE, uo), 0);
	ktest_get(&o, uo, sizeof(o));
	ck_assert_uint_eq(o.rlim_cur, 0);
}
END_TEST

/* ---- futex ---- */

START_TEST(futex_wrong_value_and_errors)
{
	uint64_t w;
	uint32_t v = 5;

	ktest_boot();
	w = ktest_umap(8, VM_READ | VM_WRITE);
	ktest_put(w, &v, 4);
	ck_assert_int_eq(ksys4(SYS_futex, w, FUTEX_WAIT, 6, 0), -EAGAIN);
	ck_assert_int_eq(ksys4(SYS_futex, w, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 6,
			       0),
			 -EAGAIN);
	ck_assert_int_eq(ksys4(SYS_futex, w + 1, FUTEX_WAIT, 5, 0), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_futex, 0x10, FUTEX_WAIT, 5, 0), -EFAULT);
	ck_assert_int_eq(ksys4(SYS_futex, w, FUTEX_WAIT, 5, put_ts(0, -5)),
			 -EINVAL);
	ck_assert_int_eq(ksys4(SYS_futex, w, FUTEX_WAKE, 1, 0), 0);
	ck_assert_int_eq(ksys6(SYS_futex, w, FUTEX_WAIT_BITSET, 5, 0, 0, 0),
			 -EINVAL);
	/* A requeue to a bad second address; PI operations are missing. */
	ck_assert_int_eq(ksys4(SYS_futex, w, FUTEX_CMP_REQUEUE, 1, 0), -EFAULT);
	ck_assert_int_eq(ksys4(SYS_futex, w, FUTEX_LOCK_PI, 1, 0), -ENOSYS);
}
END_TEST

START_TEST(futex_wait_and_wake)
{
	struct thread *t1, *t2, *t3;
	uint64_t w;
	uint32_t v = 5;

	ktest_boot();
	t1 = current;
	t2 = thread_create(t1->task);
	t3 = thread_create(t1->task);
	w = ktest_umap(8, VM_READ | VM_WRITE);
	ktest_put(w, &v, 4);
	trap_call(t2, SYS_futex, w, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, 0);
	ck_assert_int_eq(t2->state, THREAD_BLOCKED);
	/* A waiter on the next word is not woken by this one's wake. */
	trap_call(t3, SYS_futex, w + 4, FUTEX_WAIT, 0, 0);
	ck_assert_int_eq(t3->state, THREAD_BLOCKED);

	current = t1;
	ck_assert_int_eq(
		ksys4(SYS_futex, w, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 10, 0), 1);
	ck_assert_int_eq(t2->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t2->uctx.rax, 0);
	ck_assert_int_eq(t3->state, THREAD_BLOCKED);
	ck_assert_ptr_eq(current, t1);
	ck_assert_int_eq(ksys4(SYS_futex, w, FUTEX_WAKE, 10, 0), 0);
	ck_assert_int_eq(ksys4(SYS_futex, w + 4, FUTEX_WAKE, 10, 0), 1);
	ck_assert_int_eq(t3->state, THREAD_RUNNING);
}
END_TEST

START_TEST(futex_wait_times_out)
{
	struct thread *t;
	uint64_t w, ts;
	uint32_t v = 1;

	ktest_boot();
	t = current;
	w = ktest_umap(8, VM_READ | VM_WRITE);
	ktest_put(w, &v, 4);
	ts = put_ts(0, 10 * MS);
	trap_call(t, SYS_futex, w, FUTEX_WAIT, 1, ts);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(10 * MS);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, -ETIMEDOUT);
	/* It left the wait queue: a wake finds nobody. */
	ck_assert_int_eq(ksys4(SYS_futex, w, FUTEX_WAKE, 1, 0), 0);
}
END_TEST

/* ---- exec ---- */

#define TEXT_VA 0x400000ULL
#define DATA_VA 0x401200ULL
#define ENTRY_OFF 0x100

/* A tiny static ELF: text (headers and code) at 0x400000, 16 bytes of
 * data with bss at 0x401200. dyn: the same linked at 0 as ET_DYN. */
static size_t make_elf(unsigned char *buf, bool dyn)
{
	struct elf64_ehdr eh = { 0 };
	struct elf64_phdr ph[2] = { { 0 } };
	uint64_t base = dyn ? 0 : TEXT_VA;

	memset(buf, 0, 0x210);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = dyn ? ET_DYN : ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = base + ENTRY_OFF;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(struct elf64_phdr);
	eh.e_phnum = 2;
	ph[0] = (struct elf64_phdr){ PT_LOAD, PF_R | PF_X, 0,	  base,
				     base,    0x200,	   0x200, 0x1000 };
	ph[1] = (struct elf64_phdr){ PT_LOAD,
				     PF_R | PF_W,
				     0x200,
				     base + (DATA_VA - TEXT_VA),
				     base + (DATA_VA - TEXT_VA),
				     0x10,
				     0x2000,
				     0x1000 };
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
	/* The "code": syscall; hlt. */
	memcpy(buf + ENTRY_OFF, "\x0f\x05\xf4", 3);
	memcpy(buf + 0x200, "DATA-SEGMENT-OK", 16);
	return 0x210;
}

static void write_file(const char *path, const void *data, size_t len,
		       unsigned mode)
{
	struct file *f =
		vfs_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_msg(!IS_ERR(f), "create %s: %ld", path, PTR_ERR(f));
	ck_assert_int_eq(vfs_write(f, data, len), (long)len);
	file_put(f);
}

static uint64_t uread64(struct mm *mm, uint64_t a)
{
	uint64_t v;

	ck_assert_int_eq(vm_read(mm, &v, a, 8), 0);
	return v;
}

static void ustr_eq(struct mm *mm, uint64_t a, const char *want)
{
	char got[256];

	ck_assert_int_eq(vm_read(mm, got, a, strlen(want) + 1), 0);
	ck_assert_str_eq(got, want);
}

/* The auxv value of type, or fails the test. */
static uint64_t auxv_get(struct mm *mm, uint64_t auxv, uint64_t type,
			 bool *found)
{
	for (int i = 0; i < 64; i++) {
		uint64_t k = uread64(mm, auxv + 16 * (uint64_t)i);

		if (k == type) {
			*found = true;
			return uread64(mm, auxv + 16 * (uint64_t)i + 8);
		}
		if (k == AT_NULL)
			break;
	}
	*found = false;
	return 0;
}

START_TEST(exec_builds_stack)
{
	static unsigned char img[0x210];
	char *const argv[] = { "/tmp/prog", "hello", NULL };
	char *const envp[] = { "A=1", "PATH=/bin", NULL };
	struct thread *t;
	struct mm *old, *mm;
	uint64_t sp, p, auxv;
	unsigned char code[3], data[32];
	bool found;

	ktest_boot();
	t = current;
	old = t->task->mm;
	write_file("/tmp/prog", img, make_elf(img, false), 0755);
	ck_assert_int_eq(proc_execve(t, "/tmp/prog", argv, envp), 0);
	mm = t->task->mm;
	ck_assert_ptr_ne(mm, old);

	ck_assert_uint_eq(t->uctx.rip, TEXT_VA + ENTRY_OFF);
	ck_assert_uint_eq(t->uctx.cs, 0x33);
	ck_assert_uint_eq(t->uctx.ss, 0x2b);
	ck_assert_uint_eq(t->uctx.rflags, 0x202);
	ck_assert_uint_eq(t->uctx.rax, 0);
	ck_assert_uint_eq(t->uctx.fs_base, 0);
	sp = t->uctx.rsp;
	ck_assert_uint_eq(sp % 16, 0);
	ck_assert_uint_lt(sp, HAL_USER_VA_END);

	/* argc, argv, envp. */
	ck_assert_uint_eq(uread64(mm, sp), 2);
	ustr_eq(mm, uread64(mm, sp + 8), "/tmp/prog");
	ustr_eq(mm, uread64(mm, sp + 16), "hello");
	ck_assert_uint_eq(uread64(mm, sp + 24), 0);
	ustr_eq(mm, uread64(mm, sp + 32), "A=1");
	ustr_eq(mm, uread64(mm, sp + 40), "PATH=/bin");
	ck_assert_uint_eq(uread64(mm, sp + 48), 0);
	auxv = sp + 56;

	ck_assert_uint_eq(auxv_get(mm, auxv, AT_PAGESZ, &found), 4096);
	ck_assert(found);
	ck_assert_uint_eq(auxv_get(mm, auxv, AT_ENTRY, &found),
			  TEXT_VA + ENTRY_OFF);
	ck_assert_uint_eq(auxv_get(mm, auxv, AT_PHDR, &found), TEXT_VA + 64);
	ck_assert_uint_eq(auxv_get(mm, auxv, AT_PHENT, &found), 56);
	ck_assert_uint_eq(auxv_get(mm, auxv, AT_PHNUM, &found), 2);
	ck_assert_uint_eq(auxv_get(mm, auxv, AT_BASE, &found), 0);
	ck_assert(found);
	ck_assert_uint_eq(auxv_get(mm, auxv, AT_SECURE, &found), 0);
	ck_assert(found);
	ck_assert_uint_eq(auxv_get(mm, auxv, AT_CLKTCK, &found), 100);
	ck_assert_uint_eq(auxv_get(mm, auxv, AT_UID, &found), 0);
	ck_assert(found);
	p = auxv_get(mm, auxv, AT_RANDOM, &found);
	ck_assert(found);
	ck_assert_uint_eq(vm_read(mm, data, p, 16), 0);
	ustr_eq(mm, auxv_get(mm, auxv, AT_EXECFN, &found), "/tmp/prog");
	ustr_eq(mm, auxv_get(mm, auxv, AT_PLATFORM, &found), "x86_64");
	auxv_get(mm, auxv, AT_SYSINFO_EHDR, &found);
	ck_assert(!found);

	/* The image: code at the entry, data, zeroed bss. */
	ck_assert_int_eq(vm_read(mm, code, TEXT_VA + ENTRY_OFF, 3), 0);
	ck_assert(memcmp(code, "\x0f\x05\xf4", 3) == 0);
	ck_assert_int_eq(vm_read(mm, data, DATA_VA, 32), 0);
	ck_assert_str_eq((char *)data, "DATA-SEGMENT-OK");
	for (int i = 16; i < 32; i++)
		ck_assert_uint_eq(data[i], 0);
	ck_assert_int_eq(vm_read(mm, data, DATA_VA + 0x1000, 32), 0);
	ck_assert_uint_eq(data[0], 0);
	ck_assert_ptr_nonnull(vm_find_vma(mm, TEXT_VA));
	ck_assert_uint_eq(vm_find_vma(mm, TEXT_VA)->prot, VM_READ | VM_EXEC);
	ck_assert_uint_eq(vm_find_vma(mm, DATA_VA)->prot, VM_READ | VM_WRITE);
	/* The data VMA ends at the page after data + bss (0x403200). */
	ck_assert_ptr_nonnull(vm_find_vma(mm, 0x403fff));
	ck_assert_ptr_null(vm_find_vma(mm, 0x404000));
	ck_assert_uint_eq(mm->brk_start, 0x404000);

	/* Bookkeeping for /proc. */
	ck_assert_str_eq(t->task->comm, "prog");
	ck_assert_str_eq(t->task->exe_path, "/tmp/prog");
	ustr_eq(mm, mm->arg_start, "/tmp/prog");
	ck_assert_uint_eq(mm->arg_end - mm->arg_start, 16);
	ustr_eq(mm, mm->env_start, "A=1");
	ck_assert_uint_eq(mm->env_end - mm->env_start, 14);
}
END_TEST

START_TEST(exec_shared_page_segments)
{
	static unsigned char img[0x210];
	char *const argv[] = { "p", NULL };
	struct elf64_phdr ph;
	unsigned char b[16];
	struct mm *mm;

	ktest_boot();
	make_elf(img, false);
	/* Data right after the text, in the same page. */
	memcpy(&ph, img + 64 + 56, sizeof(ph));
	ph.p_vaddr = ph.p_paddr = TEXT_VA + 0x200;
	memcpy(img + 64 + 56, &ph, sizeof(ph));
	write_file("/tmp/p", img, 0x210, 0755);
	ck_assert_int_eq(proc_execve(current, "/tmp/p", argv, NULL), 0);
	mm = current->task->mm;
	ck_assert_int_eq(vm_read(mm, b, TEXT_VA + ENTRY_OFF, 3), 0);
	ck_assert(memcmp(b, "\x0f\x05\xf4", 3) == 0);
	ck_assert_int_eq(vm_read(mm, b, TEXT_VA + 0x200, 16), 0);
	ck_assert_str_eq((char *)b, "DATA-SEGMENT-OK");
	ck_assert_uint_eq(vm_find_vma(mm, TEXT_VA)->prot,
			  VM_READ | VM_WRITE | VM_EXEC);
	ck_assert_uint_eq(vm_find_vma(mm, TEXT_VA + 0x1000)->prot,
			  VM_READ | VM_WRITE);
}
END_TEST

START_TEST(exec_static_pie_at_base)
{
	static unsigned char img[0x210];
	char *const argv[] = { "pie", NULL };
	struct thread *t;
	bool found;
	uint64_t auxv;

	ktest_boot();
	t = current;
	write_file("/tmp/pie", img, make_elf(img, true), 0700);
	ck_assert_int_eq(proc_execve(t, "/tmp/pie", argv, NULL), 0);
	ck_assert_uint_eq(t->uctx.rip, ELF_DYN_BASE + ENTRY_OFF);
	auxv = t->uctx.rsp + 8 * 4; /* argc, argv[0], NULL, NULL */
	ck_assert_uint_eq(auxv_get(t->task->mm, auxv, AT_PHDR, &found),
			  ELF_DYN_BASE + 64);
	ck_assert_uint_eq(uread64(t->task->mm, t->uctx.rsp), 1);
}
END_TEST

START_TEST(exec_failures_keep_caller)
{
	static unsigned char img[0x210];
	char *const argv[] = { "x", NULL };
	struct thread *t;
	struct mm *old;

	ktest_boot();
	t = current;
	old = t->task->mm;
	t->uctx.rip = 0x1234;
	write_file("/tmp/noexec", img, make_elf(img, false), 0644);
	write_file("/tmp/text", "hello world\n", 12, 0755);
	img[4] = ELFCLASS32;
	write_file("/tmp/elf32", img, 0x210, 0755);

	ck_assert_int_eq(proc_execve(t, "/tmp/noexec", argv, NULL), -EACCES);
	ck_assert_int_eq(proc_execve(t, "/tmp/missing", argv, NULL), -ENOENT);
	ck_assert_int_eq(proc_execve(t, "/tmp", argv, NULL), -EACCES);
	ck_assert_int_eq(proc_execve(t, "/tmp/text", argv, NULL), -ENOEXEC);
	ck_assert_str_eq(proc_exec_reason(), "not an ELF file");
	ck_assert_int_eq(proc_execve(t, "/tmp/elf32", argv, NULL), -ENOEXEC);
	ck_assert_str_eq(proc_exec_reason(), "32-bit ELF");
	ck_assert_ptr_eq(t->task->mm, old);
	ck_assert_uint_eq(t->uctx.rip, 0x1234);
}
END_TEST

START_TEST(exec_too_many_args)
{
	static unsigned char img[0x210];
	static char big[100000];
	char *envp[40];
	char *const argv[] = { "p", NULL };

	ktest_boot();
	write_file("/tmp/p", img, make_elf(img, false), 0755);
	memset(big, 'x', sizeof(big) - 1);
	for (int i = 0; i < 39; i++)
		envp[i] = big;
	envp[39] = NULL;
	/* 3.9 MB of environment: over a quarter of the 8 MiB stack. */
	ck_assert_int_eq(proc_execve(current, "/tmp/p", argv, envp), -E2BIG);
	envp[10] = NULL;
	ck_assert_int_eq(proc_execve(current, "/tmp/p", argv, envp), 0);
	ck_assert_uint_eq(current->task->mm->env_end -
				  current->task->mm->env_start,
			  10 * sizeof(big));
}
END_TEST

START_TEST(exec_script)
{
	static unsigned char img[0x210];
	static const char script[] = "#!/tmp/interp  -x  \necho hi\n";
	char *const argv[] = { "script", "arg1", NULL };
	struct thread *t;
	struct mm *mm;
	uint64_t sp;

	ktest_boot();
	t = current;
	write_file("/tmp/interp", img, make_elf(img, false), 0755);
	write_file("/tmp/script", script, sizeof(script) - 1, 0755);
	ck_assert_int_eq(proc_execve(t, "/tmp/script", argv, NULL), 0);
	mm = t->task->mm;
	sp = t->uctx.rsp;
	ck_assert_uint_eq(uread64(mm, sp), 4);
	ustr_eq(mm, uread64(mm, sp + 8), "/tmp/interp");
	ustr_eq(mm, uread64(mm, sp + 16), "-x");
	ustr_eq(mm, uread64(mm, sp + 24), "/tmp/script");
	ustr_eq(mm, uread64(mm, sp + 32), "arg1");
	ck_assert_uint_eq(uread64(mm, sp + 40), 0);
	ck_assert_str_eq(t->task->comm, "script");
	ck_assert_str_eq(t->task->exe_path, "/tmp/interp");
}
END_TEST

START_TEST(sys_execve_from_user)
{
	static unsigned char img[0x210];
	struct thread *t;
	uint64_t path, a0, a1, argv, envp;
	uint64_t vec[3];
	struct mm *mm;

	ktest_boot();
	t = current;
	write_file("/tmp/prog", img, make_elf(img, false), 0755);
	path = ktest_ustr("/tmp/prog");
	a0 = ktest_ustr("prog");
	a1 = ktest_ustr("two");
	argv = ktest_umap(64, VM_READ | VM_WRITE);
	envp = argv + 32;
	vec[0] = a0;
	vec[1] = a1;
	vec[2] = 0;
	ktest_put(argv, vec, sizeof(vec));
	vec[0] = 0;
	ktest_put(envp, vec, 8);
	ck_assert_int_eq(ksys3(SYS_execve, path, argv, 0x10), -EFAULT);
	ck_assert_int_eq(ksys3(SYS_execve, 0x10, argv, envp), -EFAULT);
	ck_assert_int_eq(ksys3(SYS_execve, path, argv, envp), 0);
	mm = t->task->mm;
	ck_assert_uint_eq(uread64(mm, t->uctx.rsp), 2);
	ustr_eq(mm, uread64(mm, t->uctx.rsp + 16), "two");
	ck_assert_uint_eq(uread64(mm, t->uctx.rsp + 32), 0);
}
END_TEST

/* ---- boot ---- */

START_TEST(cmdline_words)
{
	struct cmdline cl;

	cmdline_parse("  quiet loglevel=7 init=/bin/sh -c 'echo' x ", &cl);
	ck_assert(cl.quiet);
	ck_assert_int_eq(cl.loglevel, 7);
	ck_assert_str_eq(cl.init, "/bin/sh");
	ck_assert_str_eq(cl.init_argv[0], "/bin/sh");
	ck_assert_str_eq(cl.init_argv[1], "-c");
	ck_assert_str_eq(cl.init_argv[2],
			 "echo"); /* single quotes group words */
	ck_assert_str_eq(cl.init_argv[3], "x");
	ck_assert_ptr_null(cl.init_argv[4]);
	cmdline_parse("", &cl);
	ck_assert(!cl.quiet);
	ck_assert_int_eq(cl.loglevel, -1);
	ck_assert_ptr_null(cl.init);
	cmdline_parse(NULL, &cl);
	ck_assert_ptr_null(cl.init_argv[0]);
	cmdline_parse("mem=512M console=ttyS0,115200 stats", &cl);
	ck_assert_uint_eq(cl.mem, 512ULL << 20);
	ck_assert_str_eq(cl.console, "ttyS0,115200");
	ck_assert(cl.stats);
	cmdline_parse("mem=2G", &cl);
	ck_assert_uint_eq(cl.mem, 2ULL << 30);
	cmdline_parse("mem=12x mem=", &cl);
	ck_assert_uint_eq(cl.mem, 0);
	/* After init=, everything is init's: mem= there is an argument. */
	cmdline_parse("init=/bin/free mem=64M", &cl);
	ck_assert_uint_eq(cl.mem, 0);
	ck_assert_str_eq(cl.init_argv[1], "mem=64M");
}
END_TEST

static struct boot_info boot_bi(const char *cmdline, const char *init)
{
	struct boot_info bi;
	uint64_t bytes = 64ULL << 20;

	memset(&bi, 0, sizeof(bi));
	bi.mem_start = hal_test_mem_init(bytes);
	bi.mem_bytes = bytes;
	bi.cmdline = cmdline;
	bi.init_path = init;
	return bi;
}

START_TEST(kmain_missing_init_halts_127)
{
	struct boot_info bi = boot_bi("", "/nonexistent");
	const char *log;

	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 127);
		log = hal_test_log_out(NULL);
		ck_assert_ptr_nonnull(strstr(log, "cannot run /nonexistent"));
		return;
	}
	kmain(&bi);
	ck_abort_msg("kmain started a missing init");
}
END_TEST

START_TEST(kmain_cmdline_init_searches_path)
{
	struct boot_info bi = boot_bi("quiet init=nosuchprog a b", NULL);

	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 127);
		ck_assert_ptr_nonnull(strstr(hal_test_log_out(NULL),
					     "cannot run nosuchprog"));
		return;
	}
	kmain(&bi);
	ck_abort_msg("kmain started a missing init");
}
END_TEST

KTEST_SUITE(proc_suite)
{
	Suite *s = suite_create("proc");
	TCase *id = tcase_create("identity");
	TCase *tm = tcase_create("time");
	TCase *sig = tcase_create("signals");
	TCase *ex = tcase_create("exit");
	TCase *lim = tcase_create("limits");
	TCase *fx = tcase_create("futex");
	TCase *exe = tcase_create("exec");
	TCase *boot = tcase_create("boot");

	tcase_add_test(id, uname_fields);
	tcase_add_test(id, ids_of_init);
	tcase_add_test(id, child_pids_and_threads);
	tcase_add_test(id, set_tid_address_and_robust_list);
	tcase_add_test(id, prctl_name);
	tcase_add_test(id, arch_prctl_round_trip);
	tcase_add_test(id, affinity_and_random);
	suite_add_tcase(s, id);

	tcase_add_test(tm, clock_monotonic_advances);
	tcase_add_test(tm, gettimeofday_fields);
	tcase_add_test(tm, nanosleep_blocks_until_deadline);
	tcase_add_test(tm, nanosleep_interrupted_writes_rem);
	tcase_add_test(tm, nanosleep_bad_args);
	tcase_add_test(tm, clock_nanosleep_absolute);
	tcase_add_test(tm, timers_fire_in_order);
	suite_add_tcase(s, tm);

	tcase_add_test(sig, rt_sigaction_errnos);
	tcase_add_test(sig, rt_sigprocmask_rules);
	tcase_add_test(sig, sigaltstack_records);
	tcase_add_test(sig, kill_checks);
	tcase_add_test(sig, kill_child_default_action);
	tcase_add_test(sig, blocked_signal_stays_pending);
	suite_add_tcase(s, sig);

	tcase_add_test(ex, exit_group_of_init_halts);
	tcase_add_test(ex, init_killed_halts_128_plus_signal);
	tcase_add_test(ex, wait4_no_children);
	tcase_add_test(ex, wait4_reaps_zombie);
	tcase_add_test(ex, wait4_blocks_until_child_exits);
	tcase_add_test(ex, orphans_go_to_init);
	tcase_add_test(ex, exit_of_one_thread);
	suite_add_tcase(s, ex);

	tcase_add_test(ex, trap_fault_resolves_or_kills);
	tcase_add_test(ex, trap_signal_fault_kills);
	tcase_add_test(ex, host_signal_default_ends_init);
	tcase_add_test(ex, host_signal_caught_by_guest);
	tcase_add_test(ex, host_signal_third_ends_everything);

	tcase_add_test(lim, prlimit64_round_trip);
	suite_add_tcase(s, lim);

	tcase_add_test(fx, futex_wrong_value_and_errors);
	tcase_add_test(fx, futex_wait_and_wake);
	tcase_add_test(fx, futex_wait_times_out);
	suite_add_tcase(s, fx);

	tcase_add_test(exe, exec_builds_stack);
	tcase_add_test(exe, exec_shared_page_segments);
	tcase_add_test(exe, exec_static_pie_at_base);
	tcase_add_test(exe, exec_failures_keep_caller);
	tcase_add_test(exe, exec_too_many_args);
	tcase_add_test(exe, exec_script);
	tcase_add_test(exe, sys_execve_from_user);
	suite_add_tcase(s, exe);

	tcase_add_test(boot, cmdline_words);
	tcase_add_test(boot, kmain_missing_init_halts_127);
	tcase_add_test(boot, kmain_cmdline_init_searches_path);
	suite_add_tcase(s, boot);
	return s;
}
