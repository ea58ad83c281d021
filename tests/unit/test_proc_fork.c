/*
 * test_proc_fork.c: fork, clone, vfork, wait, thread exit, futexes,
 * credentials, sessions and usage (layer: unit tests; relies on ktest's
 * boot helpers and the test HAL: a child's "user mode" is its uctx, and a
 * call it makes is played as a trap). Expected values come from the man
 * pages (clone(2), wait(2), futex(2), setresuid(2), setpgid(2), ...).
 */
#include <string.h>
#include <sys/syscall.h>

#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/timer.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/futex.h>
#include <uapi/prctl.h>
#include <uapi/resource.h>
#include <uapi/sched.h>
#include <uapi/signal.h>
#include <uapi/wait.h>

#include "ktest.h"

#define TEXT 0x401000ULL
#define MS 1000000ULL

static struct thread *boot_user(void)
{
	struct thread *t;

	ktest_boot();
	t = current;
	t->uctx.rsp = ktest_umap(64 << 10, VM_READ | VM_WRITE) + (60 << 10);
	t->uctx.rip = TEXT;
	return t;
}

static long tcall(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		  uint64_t a2, uint64_t a3, uint64_t a4)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->uctx.r10 = a3;
	t->uctx.r8 = a4;
	t->uctx.rip = TEXT + 2;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
	return (long)t->uctx.rax;
}
#define T0(t, nr) tcall(t, nr, 0, 0, 0, 0, 0)
#define T1(t, nr, a) tcall(t, nr, (uint64_t)(a), 0, 0, 0, 0)
#define T2(t, nr, a, b) tcall(t, nr, (uint64_t)(a), (uint64_t)(b), 0, 0, 0)
#define T3(t, nr, a, b, c)                                                     \
	tcall(t, nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0)
#define T4(t, nr, a, b, c, d)                                                  \
	tcall(t, nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c),              \
	      (uint64_t)(d), 0)

static struct thread *main_thread(int pid)
{
	struct task *task = task_find(pid);

	ck_assert_ptr_nonnull(task);
	return list_first_entry(&task->threads, struct thread, task_link);
}

/* ---- fork ---- */

START_TEST(fork_child_registers_and_cow)
{
	struct thread *t = boot_user(), *c;
	uint64_t buf = ktest_umap(8192, VM_READ | VM_WRITE);
	uint32_t v = 1, got;
	long pid;

	ktest_put(buf, &v, 4);
	t->uctx.rbx = 0x5555;
	pid = T0(t, SYS_fork);
	ck_assert_int_eq(pid, 2);
	c = main_thread(2);
	ck_assert_int_eq(c->tid, 2);
	ck_assert_ptr_eq(c->task->parent, t->task);
	/* The child resumes after the call with 0 and the same registers. */
	ck_assert_int_eq(c->state, THREAD_RUNNING);
	ck_assert_uint_eq(c->uctx.rax, 0);
	ck_assert_uint_eq(c->uctx.rip, TEXT + 2);
	ck_assert_uint_eq(c->uctx.rbx, 0x5555);
	ck_assert_uint_eq(c->uctx.rsp, t->uctx.rsp);
	ck_assert_ptr_ne(c->task->mm, t->task->mm);
	/* Copy-on-write: each side writes its own copy. */
	v = 2;
	ck_assert_int_eq(vm_write(c->task->mm, buf, &v, 4, false), 0);
	ck_assert_int_eq(vm_read(t->task->mm, &got, buf, 4), 0);
	ck_assert_uint_eq(got, 1);
	v = 3;
	ck_assert_int_eq(vm_write(t->task->mm, buf, &v, 4, false), 0);
	ck_assert_int_eq(vm_read(c->task->mm, &got, buf, 4), 0);
	ck_assert_uint_eq(got, 2);
	/* getppid in the child, the exit status back in the parent. */
	ck_assert_int_eq(T0(c, SYS_getppid), 1);
	T1(c, SYS_exit_group, 9);
	current = t;
	{
		uint64_t st = ktest_umap(4, VM_READ | VM_WRITE);
		int32_t status;

		ck_assert_int_eq(T4(t, SYS_wait4, -1, st, 0, 0), 2);
		ktest_get(&status, st, 4);
		ck_assert_int_eq(status, 9 << 8);
	}
}
END_TEST

START_TEST(clone_flag_checks)
{
	struct thread *t = boot_user();
	struct clone_args ca;
	uint64_t u = ktest_umap(4096, VM_READ | VM_WRITE);

	ck_assert_int_eq(T2(t, SYS_clone, CLONE_SIGHAND | SIGCHLD, 0), -EINVAL);
	ck_assert_int_eq(T2(t, SYS_clone, CLONE_VM | CLONE_THREAD, 0), -EINVAL);
	ck_assert_int_eq(T2(t, SYS_clone, CLONE_NEWNS | SIGCHLD, 0), -EINVAL);
	ck_assert_int_eq(T2(t, SYS_clone, CLONE_PIDFD | SIGCHLD, 0), -EINVAL);
	/* Init has no parent for CLONE_PARENT. */
	ck_assert_int_eq(T2(t, SYS_clone, CLONE_PARENT | SIGCHLD, 0), -EINVAL);

	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	ktest_put(u, &ca, sizeof(ca));
	ck_assert_int_eq(T2(t, SYS_clone3, u, 32), -EINVAL);
	ck_assert_int_eq(T2(t, SYS_clone3, u, 8192), -E2BIG);
	/* A larger struct is fine when its unknown tail is zero. */
	ck_assert_int_gt(T2(t, SYS_clone3, u, 128), 1);
	ktest_put(u + 100, "x", 1);
	ck_assert_int_eq(T2(t, SYS_clone3, u, 128), -E2BIG);
	ca.stack = 0x10000;
	ktest_put(u, &ca, sizeof(ca));
	ck_assert_int_eq(T2(t, SYS_clone3, u, sizeof(ca)), -EINVAL);
	ca.stack = 0;
	ca.exit_signal = 65;
	ktest_put(u, &ca, sizeof(ca));
	ck_assert_int_eq(T2(t, SYS_clone3, u, sizeof(ca)), -EINVAL);
	ca.exit_signal = 0;
	ca.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	ca.exit_signal = SIGCHLD;
	ktest_put(u, &ca, sizeof(ca));
	ck_assert_int_eq(T2(t, SYS_clone3, u, sizeof(ca)), -EINVAL);
}
END_TEST

START_TEST(clone_thread_shares_and_settid)
{
	struct thread *t = boot_user(), *c;
	uint64_t words = ktest_umap(4096, VM_READ | VM_WRITE);
	uint64_t flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			 CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
			 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	uint32_t ptid, ctid;
	long tid;

	tid = tcall(t, SYS_clone, flags, words + 2048, words, words + 8,
		    0x7777000);
	ck_assert_int_eq(tid, 2);
	c = thread_find(2);
	ck_assert_ptr_eq(c->task, t->task);
	ck_assert_int_eq(t->task->nthreads, 2);
	ck_assert_uint_eq(c->uctx.rsp, words + 2048);
	ck_assert_uint_eq(c->uctx.fs_base, 0x7777000);
	ck_assert_uint_eq(c->clear_child_tid, words + 8);
	ktest_get(&ptid, words, 4);
	ck_assert_uint_eq(ptid, 2);
	ck_assert_int_eq(T0(c, SYS_getpid), 1);
	ck_assert_int_eq(T0(c, SYS_gettid), 2);
	/* pthread_join: the main thread waits on the tid word... */
	ctid = 2;
	ktest_put(words + 8, &ctid, 4);
	T4(t, SYS_futex, words + 8, FUTEX_WAIT, 2, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	/* ...which the thread's exit clears and wakes. */
	T1(c, SYS_exit, 0);
	ck_assert_int_eq(c->state, THREAD_DEAD);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 0);
	ktest_get(&ctid, words + 8, 4);
	ck_assert_uint_eq(ctid, 0);
	ck_assert_int_eq(t->task->nthreads, 1);
	ck_assert_int_eq(t->task->state, TASK_ALIVE);
}
END_TEST

START_TEST(exit_group_ends_every_thread)
{
	struct thread *t = boot_user(), *c;
	uint64_t flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			 CLONE_THREAD;
	long pid, tid;

	pid = T0(t, SYS_fork);
	c = main_thread((int)pid);
	tid = T2(c, SYS_clone, flags, 0);
	ck_assert_int_gt(tid, pid);
	ck_assert_int_eq(c->task->nthreads, 2);
	T1(thread_find((int)tid), SYS_exit_group, 4);
	ck_assert_int_eq(task_find((int)pid)->state, TASK_ZOMBIE);
	ck_assert_ptr_null(thread_find((int)pid));
	ck_assert_int_eq(T4(t, SYS_wait4, pid, 0, 0, 0), pid);
}
END_TEST

START_TEST(vfork_parent_waits)
{
	struct thread *t = boot_user(), *c;
	long pid;

	T0(t, SYS_vfork);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	c = main_thread(2);
	ck_assert_ptr_eq(c->task->mm, t->task->mm);
	/* The child's exit gives the parent its memory back. */
	T1(c, SYS_exit_group, 0);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	pid = (long)t->uctx.rax;
	ck_assert_int_eq(pid, 2);
	ck_assert_int_eq(T4(t, SYS_wait4, pid, 0, 0, 0), 2);
}
END_TEST

START_TEST(nproc_limit_for_users)
{
	struct thread *t = boot_user();
	struct rlimit64 r = { 1, 1 };
	uint64_t u = ktest_umap(sizeof(r), VM_READ | VM_WRITE);

	ktest_put(u, &r, sizeof(r));
	ck_assert_int_eq(T3(t, SYS_setresuid, 1000, 1000, 1000), 0);
	ck_assert_int_eq(T4(t, SYS_prlimit64, 0, RLIMIT_NPROC, u, 0), 0);
	ck_assert_int_eq(T0(t, SYS_fork), -EAGAIN);
	r.rlim_cur = r.rlim_max = 2;
	ktest_put(u, &r, sizeof(r));
	/* Raising the hard limit takes privilege. */
	ck_assert_int_eq(T4(t, SYS_prlimit64, 0, RLIMIT_NPROC, u, 0), -EPERM);
}
END_TEST

/* ---- wait ---- */

START_TEST(waitid_forms)
{
	struct thread *t = boot_user();
	struct linux_siginfo si;
	uint64_t u = ktest_umap(sizeof(si), VM_READ | VM_WRITE);
	long pid = T0(t, SYS_fork);

	memset(&si, 0x5a, sizeof(si));
	ktest_put(u, &si, sizeof(si));
	ck_assert_int_eq(
		tcall(t, SYS_waitid, P_PID, pid, u, WEXITED | WNOHANG, 0), 0);
	ktest_get(&si, u, sizeof(si));
	ck_assert_int_eq(si.si_signo, 0);
	ck_assert_int_eq(si.f.chld.pid, 0);
	ck_assert_int_eq(tcall(t, SYS_waitid, P_ALL, 0, u, 0, 0), -EINVAL);
	ck_assert_int_eq(tcall(t, SYS_waitid, P_PID, 0, u, WEXITED, 0),
			 -EINVAL);
	ck_assert_int_eq(tcall(t, SYS_waitid, P_PIDFD, 3, u, WEXITED, 0),
			 -EINVAL);
	T1(main_thread((int)pid), SYS_exit_group, 3);
	ck_assert_int_eq(
		tcall(t, SYS_waitid, P_PID, pid, u, WEXITED | WNOWAIT, 0), 0);
	ktest_get(&si, u, sizeof(si));
	ck_assert_int_eq(si.si_signo, SIGCHLD);
	ck_assert_int_eq(si.si_code, CLD_EXITED);
	ck_assert_int_eq(si.f.chld.status, 3);
	ck_assert_int_eq(si.f.chld.pid, pid);
	ck_assert_ptr_nonnull(task_find((int)pid));
	ck_assert_int_eq(tcall(t, SYS_waitid, P_ALL, 0, u, WEXITED, 0), 0);
	ck_assert_ptr_null(task_find((int)pid));
	ck_assert_int_eq(tcall(t, SYS_waitid, P_ALL, 0, u, WEXITED, 0),
			 -ECHILD);
}
END_TEST

START_TEST(wclone_and_wall)
{
	struct thread *t = boot_user();
	long a = T2(t, SYS_clone, SIGCHLD, 0);
	long b = T2(t, SYS_clone, SIGURG, 0);
	long c2 = T2(t, SYS_clone, 0, 0);

	T1(main_thread((int)b), SYS_exit_group, 0);
	T1(main_thread((int)c2), SYS_exit_group, 0);
	/* Without __WCLONE only SIGCHLD children count: a is running. */
	ck_assert_int_eq(T4(t, SYS_wait4, -1, 0, WNOHANG, 0), 0);
	ck_assert_int_eq(T4(t, SYS_wait4, -1, 0, __WCLONE, 0), b);
	ck_assert_int_eq(T4(t, SYS_wait4, -1, 0, __WALL, 0), c2);
	/* An options word sign-extended from int (musl) is still valid. */
	T1(main_thread((int)a), SYS_exit_group, 0);
	ck_assert_int_eq(T4(t, SYS_wait4, -1, 0,
			    (uint64_t)(int64_t)(int32_t)(__WALL | __WCLONE), 0),
			 a);
}
END_TEST

START_TEST(wait_interrupted_restarts)
{
	struct thread *t = boot_user();
	long pid = T0(t, SYS_fork);

	T4(t, SYS_wait4, -1, 0, 0, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	/* A signal without a handler that is not fatal wakes nobody. */
	current = main_thread((int)pid);
	ksys2(SYS_kill, 1, SIGCHLD);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	T1(main_thread((int)pid), SYS_exit_group, 0);
	ck_assert_int_eq((long)t->uctx.rax, pid);
}
END_TEST

START_TEST(subreaper_and_pdeathsig)
{
	struct thread *t = boot_user(), *a, *g;
	long apid, gpid;

	apid = T0(t, SYS_fork);
	a = main_thread((int)apid);
	ck_assert_int_eq(T2(a, SYS_prctl, PR_SET_CHILD_SUBREAPER, 1), 0);
	{
		long mid = T0(a, SYS_fork);
		struct thread *m = main_thread((int)mid);

		gpid = T0(m, SYS_fork);
		g = main_thread((int)gpid);
		ck_assert_int_eq(T2(g, SYS_prctl, PR_SET_PDEATHSIG, SIGHUP), 0);
		T1(m, SYS_exit_group, 0);
	}
	/* The grandchild goes to the subreaper, not init, and its parent's
	 * death signal (SIGHUP, default: terminate) ends it. */
	ck_assert_ptr_eq(task_find((int)gpid)->parent, a->task);
	ck_assert_int_eq(task_find((int)gpid)->state, TASK_ZOMBIE);
	ck_assert_int_eq(task_find((int)gpid)->exit_code, SIGHUP);
}
END_TEST

/* ---- sessions and groups ---- */

START_TEST(setsid_and_setpgid)
{
	struct thread *t = boot_user(), *c;
	long pid;

	ck_assert_int_eq(T0(t, SYS_setsid), -EPERM); /* init leads */
	pid = T0(t, SYS_fork);
	c = main_thread((int)pid);
	ck_assert_int_eq(T2(t, SYS_setpgid, pid, pid), 0);
	ck_assert_int_eq(T1(c, SYS_getpgid, 0), pid);
	ck_assert_int_eq(T2(t, SYS_setpgid, pid, 1), 0);
	ck_assert_int_eq(T2(t, SYS_setpgid, pid, 999), -EPERM);
	ck_assert_int_eq(T2(t, SYS_setpgid, pid, -1), -EINVAL);
	ck_assert_int_eq(T2(t, SYS_setpgid, 999, 0), -ESRCH);
	ck_assert_int_eq(T2(c, SYS_setpgid, 1, 1), -ESRCH);
	ck_assert_int_eq(T0(c, SYS_setsid), pid);
	ck_assert_int_eq(T1(c, SYS_getsid, 0), pid);
	ck_assert_int_eq(T0(c, SYS_setsid), -EPERM);
	/* Another session now: the parent may not move it. */
	ck_assert_int_eq(T2(t, SYS_setpgid, pid, pid), -EPERM);
}
END_TEST

/* ---- futex ---- */

START_TEST(futex_requeue_and_wake_op)
{
	struct thread *t = boot_user(), *w[3];
	uint64_t a = ktest_umap(4096, VM_READ | VM_WRITE), b = a + 64;
	uint32_t va = 1, vb = 5;
	uint64_t flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			 CLONE_THREAD;

	ktest_put(a, &va, 4);
	ktest_put(b, &vb, 4);
	for (int i = 0; i < 3; i++) {
		w[i] = thread_find((int)T2(t, SYS_clone, flags, 0));
		T4(w[i], SYS_futex, a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 1, 0);
		ck_assert_int_eq(w[i]->state, THREAD_BLOCKED);
	}
	/* CMP_REQUEUE with the wrong value: nothing moves. */
	ck_assert_int_eq(tcall(t, SYS_futex, a,
			       FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 2, b),
			 -EAGAIN);
	/* Wake one, move the other two to b. */
	t->uctx.r9 = 1;
	ck_assert_int_eq(tcall(t, SYS_futex, a,
			       FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 2, b),
			 3);
	ck_assert_int_eq(w[0]->state, THREAD_RUNNING);
	ck_assert_int_eq(
		T3(t, SYS_futex, a, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 10), 0);
	/* WAKE_OP: b += 1, wake none on a, and one on b when the old value
	 * was > 4 (it was 5); then again with > 10, which fails. */
	t->uctx.r9 = (1u << 28) | (4u << 24) | (1u << 12) | 4u;
	ck_assert_int_eq(tcall(t, SYS_futex, a,
			       FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 0, 1, b),
			 1);
	ck_assert_int_eq(w[1]->state, THREAD_RUNNING);
	ck_assert_int_eq(w[2]->state, THREAD_BLOCKED);
	t->uctx.r9 = (1u << 28) | (4u << 24) | (1u << 12) | 10u;
	ck_assert_int_eq(tcall(t, SYS_futex, a,
			       FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 0, 1, b),
			 0);
	ck_assert_int_eq(w[2]->state, THREAD_BLOCKED);
	ktest_get(&vb, b, 4);
	ck_assert_uint_eq(vb, 7);
}
END_TEST

START_TEST(robust_list_owner_died)
{
	struct thread *t = boot_user(), *c;
	uint64_t m = ktest_umap(4096, VM_READ | VM_WRITE);
	uint64_t flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			 CLONE_THREAD;
	struct robust_list_head head;
	uint64_t entry = m + 64, word = entry + 16;
	uint32_t v;
	long tid;

	tid = T2(t, SYS_clone, flags, 0);
	c = thread_find((int)tid);
	/* The thread owns a robust mutex (its tid in the word, waiters). */
	head.list = entry;
	head.futex_offset = 16;
	head.list_op_pending = 0;
	ktest_put(m, &head, sizeof(head));
	ktest_put(entry, &m, 8); /* entry->next = &head */
	v = (uint32_t)tid | FUTEX_WAITERS;
	ktest_put(word, &v, 4);
	ck_assert_int_eq(T2(c, SYS_set_robust_list, m, 24), 0);
	T4(t, SYS_futex, word, FUTEX_WAIT, v, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	T1(c, SYS_exit, 0);
	ktest_get(&v, word, 4);
	ck_assert_uint_eq(v, FUTEX_OWNER_DIED | FUTEX_WAITERS);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
}
END_TEST

START_TEST(futex_shared_mapping_across_processes)
{
	struct thread *t = boot_user(), *c;
	uint64_t sh = ktest_umap(4096, VM_READ | VM_WRITE);
	uint32_t v = 0;
	long pid;

	/* Make it a MAP_SHARED page before the fork. */
	ck_assert_int_eq(vm_set_flags(t->task->mm, sh, 4096, VMA_SHARED, 0), 0);
	ktest_put(sh, &v, 4);
	pid = T0(t, SYS_fork);
	c = main_thread((int)pid);
	T4(c, SYS_futex, sh, FUTEX_WAIT, 0, 0);
	ck_assert_int_eq(c->state, THREAD_BLOCKED);
	/* A private wake keys on the address space: not the child's. */
	ck_assert_int_eq(
		T3(t, SYS_futex, sh, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1), 0);
	ck_assert_int_eq(T3(t, SYS_futex, sh, FUTEX_WAKE, 1), 1);
	ck_assert_int_eq(c->state, THREAD_RUNNING);
}
END_TEST

/* ---- credentials and usage ---- */

START_TEST(setuid_rules_and_capget)
{
	struct thread *t = boot_user();
	uint64_t u = ktest_umap(64, VM_READ | VM_WRITE);
	uint32_t hdr[2] = { 0x20080522, 0 }, data[6], ids[3];

	ktest_put(u, hdr, 8);
	ck_assert_int_eq(T2(t, SYS_capget, u, u + 8), 0);
	ktest_get(data, u + 8, 24);
	ck_assert_uint_eq(data[0], 0xffffffff);
	ck_assert_uint_eq(data[1], 0xffffffff);
	ck_assert_uint_eq(data[3], 0x1ff);
	ck_assert_int_eq(T3(t, SYS_setresuid, 10, 20, 0), 0);
	ck_assert_int_eq(T1(t, SYS_setuid, 30), -EPERM);
	ck_assert_int_eq(T1(t, SYS_setuid, 10), 0);
	ck_assert_int_eq(T3(t, SYS_getresuid, u, u + 4, u + 8), 0);
	ktest_get(ids, u, 12);
	ck_assert_uint_eq(ids[0], 10);
	ck_assert_uint_eq(ids[1], 10);
	ck_assert_uint_eq(ids[2], 0);
	ktest_put(u, hdr, 8);
	ck_assert_int_eq(T2(t, SYS_capget, u, u + 8), 0);
	ktest_get(data, u + 8, 24);
	ck_assert_uint_eq(data[0], 0);
	ck_assert_int_eq(T1(t, SYS_setfsuid, 99), 10);
	ck_assert_int_eq(T1(t, SYS_setfsuid, -1), 10);
	ck_assert_int_eq(T2(t, SYS_setgroups, 0, 0), -EPERM);
	/* The saved 0 lets it back. */
	ck_assert_int_eq(T3(t, SYS_setresuid, -1, 0, -1), 0);
	ck_assert_int_eq(T1(t, SYS_setuid, 0), 0);
	hdr[0] = 0x1234;
	ktest_put(u, hdr, 8);
	ck_assert_int_eq(T2(t, SYS_capget, u, u + 8), -EINVAL);
	ktest_get(hdr, u, 4);
	ck_assert_uint_eq(hdr[0], 0x20080522);
}
END_TEST

START_TEST(rusage_of_children)
{
	struct thread *t = boot_user(), *c;
	struct hal_trap pre = { .kind = HAL_TRAP_PREEMPTED };
	struct rusage ru;
	struct linux_tms tms;
	uint64_t u = ktest_umap(256, VM_READ | VM_WRITE);
	long pid = T0(t, SYS_fork);

	c = main_thread((int)pid);
	hal_test_advance_ns(30 * MS); /* 30 ms in user mode */
	kern_trap(&c->uctx, &pre);
	T1(c, SYS_exit_group, 0);
	ck_assert_int_eq(T4(t, SYS_wait4, pid, 0, 0, u), pid);
	ktest_get(&ru, u, sizeof(ru));
	ck_assert_int_ge(ru.ru_utime.tv_usec, 30000);
	ck_assert_int_eq(T2(t, SYS_getrusage, RUSAGE_CHILDREN, u), 0);
	ktest_get(&ru, u, sizeof(ru));
	ck_assert_int_ge(ru.ru_utime.tv_usec, 30000);
	ck_assert_int_ge(T1(t, SYS_times, u), 0);
	ktest_get(&tms, u, sizeof(tms));
	ck_assert_int_ge(tms.tms_cutime, 3);
	ck_assert_int_eq(T2(t, SYS_getrusage, 7, u), -EINVAL);
}
END_TEST

START_TEST(as_limit_refuses_mappings)
{
	struct thread *t = boot_user();
	struct rlimit64 r = { 0, ~0ULL };
	uint64_t u = ktest_umap(sizeof(r), VM_READ | VM_WRITE);

	r.rlim_cur = vm_total_bytes(t->task->mm) + (1 << 20);
	ktest_put(u, &r, sizeof(r));
	ck_assert_int_eq(T4(t, SYS_prlimit64, 0, RLIMIT_AS, u, 0), 0);
	ck_assert_int_gt(tcall(t, SYS_mmap, 0, 512 << 10, 3, 0x22, -1), 0);
	ck_assert_int_eq(tcall(t, SYS_mmap, 0, 1 << 20, 3, 0x22, -1), -ENOMEM);
}
END_TEST

KTEST_SUITE(proc_fork_suite)
{
	Suite *s = suite_create("proc fork");
	TCase *f = tcase_create("fork and clone");
	TCase *w = tcase_create("wait");
	TCase *x = tcase_create("futex");
	TCase *c = tcase_create("creds, groups, usage");

	tcase_add_test(f, fork_child_registers_and_cow);
	tcase_add_test(f, clone_flag_checks);
	tcase_add_test(f, clone_thread_shares_and_settid);
	tcase_add_test(f, exit_group_ends_every_thread);
	tcase_add_test(f, vfork_parent_waits);
	tcase_add_test(f, nproc_limit_for_users);
	suite_add_tcase(s, f);
	tcase_add_test(w, waitid_forms);
	tcase_add_test(w, wclone_and_wall);
	tcase_add_test(w, wait_interrupted_restarts);
	tcase_add_test(w, subreaper_and_pdeathsig);
	suite_add_tcase(s, w);
	tcase_add_test(x, futex_requeue_and_wake_op);
	tcase_add_test(x, robust_list_owner_died);
	tcase_add_test(x, futex_shared_mapping_across_processes);
	suite_add_tcase(s, x);
	tcase_add_test(c, setsid_and_setpgid);
	tcase_add_test(c, setuid_rules_and_capget);
	tcase_add_test(c, rusage_of_children);
	tcase_add_test(c, as_limit_refuses_mappings);
	suite_add_tcase(s, c);
	return s;
}
