/*
 * test_signal.c: signal delivery (layer: unit tests; relies on ktest's
 * boot helpers and the test HAL, where a "user thread" is its registers:
 * a syscall is played as a trap, and what the thread would run next is
 * read back from its uctx). Frame layouts and restart rules come from
 * the x86_64 psABI, sigaction(2), sigreturn(2) and signal(7); none of the
 * expected values is copied from Ember's own output.
 */
#include <string.h>
#include <sys/syscall.h>

#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/timer.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include <uapi/time.h>
#include <uapi/wait.h>

#include "ktest.h"

#define TEXT 0x401000ULL /* where the "program" makes its calls */
#define HANDLER 0x402000ULL
#define RESTORER 0x403000ULL
#define MS 1000000ULL
#define SIGBIT(s) (1ULL << ((s)-1))

static uint64_t stack_top;

/* Boots, gives init a stack, and puts it "in user mode" at TEXT. */
static struct thread *boot_user(void)
{
	struct thread *t;

	ktest_boot();
	t = current;
	stack_top = ktest_umap(256 << 10, VM_READ | VM_WRITE) + (256 << 10);
	t->uctx.rsp = stack_top - 256;
	t->uctx.rip = TEXT;
	return t;
}

/* A SYSCALL trap of t at TEXT (rip points after the instruction). */
static long tcall(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		  uint64_t a2, uint64_t a3)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->uctx.r10 = a3;
	t->uctx.rip = TEXT + 2;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
	return (long)t->uctx.rax;
}

static void set_handler(struct thread *t, int sig, uint64_t flags,
			uint64_t mask)
{
	uint64_t act[4] = { HANDLER, flags | SA_RESTORER, RESTORER, mask };
	uint64_t u = ktest_umap(sizeof(act), VM_READ | VM_WRITE);

	ktest_put(u, act, sizeof(act));
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, sig, u, 0, 8), 0);
}

static void read_frame(uint64_t rsp, struct linux_rt_sigframe *f)
{
	ktest_get(f, rsp, sizeof(*f));
}

START_TEST(handler_frame_layout)
{
	struct thread *t = boot_user();
	struct linux_rt_sigframe f;
	struct linux_fpstate fp;
	uint64_t old_rsp, r12 = 0x1212;

	set_handler(t, SIGUSR1, SA_SIGINFO, SIGBIT(SIGUSR2));
	t->uctx.r12 = r12;
	old_rsp = t->uctx.rsp;
	ck_assert_int_eq(tcall(t, SYS_tgkill, 1, 1, SIGUSR1, 0), 0);

	/* The thread now enters the handler as if called from nowhere:
	 * rsp % 16 == 8, the restorer as return address. */
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	ck_assert_uint_eq(t->uctx.rsp % 16, 8);
	ck_assert_uint_lt(t->uctx.rsp, old_rsp - 128);
	ck_assert_uint_eq(t->uctx.rdi, SIGUSR1);
	read_frame(t->uctx.rsp, &f);
	ck_assert_uint_eq(f.pretcode, RESTORER);
	ck_assert_uint_eq(t->uctx.rsi, t->uctx.rsp + 312);
	ck_assert_uint_eq(t->uctx.rdx, t->uctx.rsp + 8);
	ck_assert_int_eq(f.info.si_signo, SIGUSR1);
	ck_assert_int_eq(f.info.si_code, SI_TKILL);
	ck_assert_int_eq(f.info.f.kill.pid, 1);
	/* The interrupted context: the return of tgkill (0) at TEXT+2. */
	ck_assert_uint_eq(f.uc.uc_mcontext.rip, TEXT + 2);
	ck_assert_uint_eq(f.uc.uc_mcontext.rax, 0);
	ck_assert_uint_eq(f.uc.uc_mcontext.r12, r12);
	ck_assert_uint_eq(f.uc.uc_mcontext.rsp, old_rsp);
	ck_assert_uint_eq(f.uc.uc_sigmask, 0);
	ck_assert_int_eq(f.uc.uc_stack.ss_flags, SS_DISABLE);
	/* The FXSAVE image sits above the frame, 64-byte aligned. */
	ck_assert_uint_eq(f.uc.uc_mcontext.fpstate % 64, 0);
	ck_assert_uint_gt(f.uc.uc_mcontext.fpstate, t->uctx.rsp);
	/* Nothing of the frame in the interrupted code's red zone. */
	ck_assert_uint_le(f.uc.uc_mcontext.fpstate + 512, old_rsp - 128);
	ktest_get(&fp, f.uc.uc_mcontext.fpstate, sizeof(fp));
	ck_assert_uint_eq(fp.cwd, 0x37f);
	ck_assert_uint_eq(fp.mxcsr & 0xffbf, 0x1f80);
	/* During the handler: the signal itself and sa_mask are blocked,
	 * and the handler starts with a fresh FPU state. */
	ck_assert_uint_eq(t->sigmask, SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2));
	ck_assert(t->uctx.fpu_valid);
}
END_TEST

START_TEST(sigreturn_restores_everything)
{
	struct thread *t = boot_user();
	struct linux_rt_sigframe f;
	uint64_t frame;

	set_handler(t, SIGUSR1, SA_SIGINFO, 0);
	t->uctx.rbx = 0xb0b0;
	t->uctx.rflags = 0x202;
	tcall(t, SYS_tgkill, 1, 1, SIGUSR1, 0);
	frame = t->uctx.rsp;
	/* The handler changes the saved context: rax and a flag bit. */
	read_frame(frame, &f);
	f.uc.uc_mcontext.rax = 77;
	f.uc.uc_mcontext.eflags |= 0x1;	     /* CF, a flag it may change */
	f.uc.uc_mcontext.eflags |= 0x200000; /* ID: one it may not */
	ktest_put(frame, &f, sizeof(f));
	/* ret pops pretcode; the restorer's syscall is rt_sigreturn. */
	t->uctx.rsp = frame + 8;
	t->uctx.rbx = 0;
	ck_assert_int_eq(tcall(t, SYS_rt_sigreturn, 0, 0, 0, 0), 77);
	ck_assert_uint_eq(t->uctx.rip, TEXT + 2);
	ck_assert_uint_eq(t->uctx.rbx, 0xb0b0);
	ck_assert_uint_eq(t->uctx.rsp, stack_top - 256);
	ck_assert_uint_eq(t->uctx.rflags & 0x1, 0x1);
	ck_assert_uint_eq(t->uctx.rflags & 0x200000, 0);
	ck_assert_uint_eq(t->sigmask, 0);
	ck_assert(t->uctx.fpu_valid);
}
END_TEST

START_TEST(bad_sigreturn_frame_kills)
{
	struct thread *t = boot_user();

	t->uctx.rsp = 0x10000; /* nothing mapped there */
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 128 + SIGSEGV);
		return;
	}
	tcall(t, SYS_rt_sigreturn, 0, 0, 0, 0);
	ck_abort_msg("a bad frame did not end init");
}
END_TEST

START_TEST(no_restorer_is_a_bad_stack)
{
	struct thread *t = boot_user();
	uint64_t act[4] = { HANDLER, 0, 0, 0 };
	uint64_t u = ktest_umap(sizeof(act), VM_READ | VM_WRITE);

	ktest_put(u, act, sizeof(act));
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGUSR1, u, 0, 8), 0);
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 128 + SIGSEGV);
		return;
	}
	tcall(t, SYS_tgkill, 1, 1, SIGUSR1, 0);
	ck_abort_msg("x86_64 needs SA_RESTORER");
}
END_TEST

START_TEST(altstack_frame)
{
	struct thread *t = boot_user();
	uint64_t alt = ktest_umap(16384, VM_READ | VM_WRITE);
	struct linux_stack ss = { alt, 0, 0, 16384 };
	uint64_t uss = ktest_umap(sizeof(ss), VM_READ | VM_WRITE);
	struct linux_rt_sigframe f;

	ktest_put(uss, &ss, sizeof(ss));
	ck_assert_int_eq(ksys2(SYS_sigaltstack, uss, 0), 0);
	set_handler(t, SIGUSR2, SA_ONSTACK, 0);
	tcall(t, SYS_tgkill, 1, 1, SIGUSR2, 0);
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	ck_assert_uint_gt(t->uctx.rsp, alt);
	ck_assert_uint_lt(t->uctx.rsp, alt + 16384);
	read_frame(t->uctx.rsp, &f);
	ck_assert_uint_eq(f.uc.uc_stack.ss_sp, alt);
	ck_assert_int_eq(f.uc.uc_stack.ss_flags, 0);
	/* sigaltstack on the alternate stack: reported, and EPERM to
	 * change it. */
	ck_assert_int_eq(tcall(t, SYS_sigaltstack, uss, 0, 0, 0), -EPERM);
	ck_assert_int_eq(tcall(t, SYS_sigaltstack, 0, uss, 0, 0), 0);
	ktest_get(&ss, uss, sizeof(ss));
	ck_assert_int_eq(ss.ss_flags, SS_ONSTACK);
}
END_TEST

START_TEST(default_ignore_and_ignored)
{
	struct thread *t = boot_user();
	uint64_t act[4] = { SIG_IGN, 0, 0, 0 };
	uint64_t u = ktest_umap(sizeof(act), VM_READ | VM_WRITE);

	/* SIGCHLD, SIGWINCH, SIGURG: ignored by default. */
	ck_assert_int_eq(tcall(t, SYS_kill, 1, SIGWINCH, 0, 0), 0);
	ck_assert_int_eq(t->task->state, TASK_ALIVE);
	ck_assert_uint_eq(t->uctx.rip, TEXT + 2);
	ktest_put(u, act, sizeof(act));
	ck_assert_int_eq(ksys4(SYS_rt_sigaction, SIGTERM, u, 0, 8), 0);
	ck_assert_int_eq(tcall(t, SYS_kill, 1, SIGTERM, 0, 0), 0);
	ck_assert_int_eq(t->task->state, TASK_ALIVE);
	ck_assert_uint_eq(t->task->sig_pending, 0);
}
END_TEST

/* A thread blocked in wait4 (a restartable call) meets a handler. */
static void restart_case(bool sa_restart)
{
	struct thread *t = boot_user();
	struct task *child = task_create(t->task);
	struct thread *other;

	set_handler(t, SIGUSR1, sa_restart ? SA_RESTART : 0, 0);
	tcall(t, SYS_wait4, (uint64_t)-1, 0, 0, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	/* Another process signals init. */
	other = thread_create(child);
	ck_assert_ptr_nonnull(other);
	current = other;
	ck_assert_int_eq(ksys2(SYS_kill, 1, SIGUSR1), 0);
	current = t;
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	{
		struct linux_rt_sigframe f;

		read_frame(t->uctx.rsp, &f);
		if (sa_restart) {
			/* Back at the syscall instruction with its number. */
			ck_assert_uint_eq(f.uc.uc_mcontext.rip, TEXT);
			ck_assert_uint_eq(f.uc.uc_mcontext.rax, SYS_wait4);
		} else {
			ck_assert_uint_eq(f.uc.uc_mcontext.rip, TEXT + 2);
			ck_assert_int_eq((long)f.uc.uc_mcontext.rax, -EINTR);
		}
	}
}

START_TEST(wait4_restarts_with_sa_restart)
{
	restart_case(true);
}
END_TEST

START_TEST(wait4_eintr_without_sa_restart)
{
	restart_case(false);
}
END_TEST

START_TEST(nanosleep_never_restarts)
{
	struct thread *t = boot_user();
	struct linux_timespec ts = { 10, 0 };
	uint64_t u = ktest_umap(32, VM_READ | VM_WRITE);
	struct linux_rt_sigframe f;
	struct task *other = task_create(t->task);
	struct thread *ot;

	ktest_put(u, &ts, sizeof(ts));
	set_handler(t, SIGUSR1, SA_RESTART, 0);
	tcall(t, SYS_nanosleep, u, u + 16, 0, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(3000 * MS);
	ot = thread_create(other);
	current = ot;
	ksys2(SYS_kill, 1, SIGUSR1);
	current = t;
	read_frame(t->uctx.rsp, &f);
	ck_assert_int_eq((long)f.uc.uc_mcontext.rax, -EINTR);
	ktest_get(&ts, u + 16, sizeof(ts));
	ck_assert_int_eq(ts.tv_sec, 7);
}
END_TEST

START_TEST(sigsuspend_mask_and_eintr)
{
	struct thread *t = boot_user();
	uint64_t block = SIGBIT(SIGUSR1), empty = 0;
	uint64_t u = ktest_umap(16, VM_READ | VM_WRITE);
	struct linux_rt_sigframe f;
	struct task *other = task_create(t->task);

	set_handler(t, SIGUSR1, 0, 0);
	ktest_put(u, &block, 8);
	ktest_put(u + 8, &empty, 8);
	ck_assert_int_eq(tcall(t, SYS_rt_sigprocmask, SIG_BLOCK, u, 0, 8), 0);
	tcall(t, SYS_rt_sigsuspend, u + 8, 8, 0, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	current = thread_create(other);
	ksys2(SYS_kill, 1, SIGUSR1);
	current = t;
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	read_frame(t->uctx.rsp, &f);
	/* The frame restores the mask from before sigsuspend. */
	ck_assert_uint_eq(f.uc.uc_sigmask, block);
	ck_assert_int_eq((long)f.uc.uc_mcontext.rax, -EINTR);
	ck_assert_uint_eq(f.uc.uc_mcontext.rip, TEXT + 2);
}
END_TEST

START_TEST(sigsuspend_already_pending)
{
	struct thread *t = boot_user();
	uint64_t block = SIGBIT(SIGUSR2), empty = 0;
	uint64_t u = ktest_umap(16, VM_READ | VM_WRITE);

	set_handler(t, SIGUSR2, 0, 0);
	ktest_put(u, &block, 8);
	ktest_put(u + 8, &empty, 8);
	tcall(t, SYS_rt_sigprocmask, SIG_BLOCK, u, 0, 8);
	tcall(t, SYS_kill, 1, SIGUSR2, 0, 0);
	ck_assert_uint_eq(t->uctx.rip, TEXT + 2); /* still blocked */
	tcall(t, SYS_rt_sigsuspend, u + 8, 8, 0, 0);
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	ck_assert_uint_eq(t->sigmask, SIGBIT(SIGUSR2));
}
END_TEST

START_TEST(pending_and_timedwait)
{
	struct thread *t = boot_user();
	uint64_t set = SIGBIT(SIGUSR1) | SIGBIT(SIGRTMIN + 1), got;
	struct linux_siginfo si;
	struct linux_timespec ts = { 0, 5 * MS };
	uint64_t u = ktest_umap(256, VM_READ | VM_WRITE);

	ktest_put(u, &set, 8);
	ktest_put(u + 16, &ts, sizeof(ts));
	tcall(t, SYS_rt_sigprocmask, SIG_BLOCK, u, 0, 8);
	tcall(t, SYS_kill, 1, SIGUSR1, 0, 0);
	tcall(t, SYS_kill, 1, SIGUSR1, 0, 0);
	tcall(t, SYS_kill, 1, SIGRTMIN + 1, 0, 0);
	tcall(t, SYS_kill, 1, SIGRTMIN + 1, 0, 0);
	ck_assert_int_eq(tcall(t, SYS_rt_sigpending, u + 8, 8, 0, 0), 0);
	ktest_get(&got, u + 8, 8);
	ck_assert_uint_eq(got, set);
	/* One SIGUSR1 (standard signals merge), two SIGRTMIN+1 (queued). */
	ck_assert_int_eq(tcall(t, SYS_rt_sigtimedwait, u, u + 64, u + 16, 8),
			 SIGUSR1);
	ktest_get(&si, u + 64, sizeof(si));
	ck_assert_int_eq(si.si_code, SI_USER);
	ck_assert_int_eq(tcall(t, SYS_rt_sigtimedwait, u, 0, u + 16, 8),
			 SIGRTMIN + 1);
	ck_assert_int_eq(tcall(t, SYS_rt_sigtimedwait, u, 0, u + 16, 8),
			 SIGRTMIN + 1);
	tcall(t, SYS_rt_sigtimedwait, u, 0, u + 16, 8);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(6 * MS);
	ck_assert_int_eq((long)t->uctx.rax, -EAGAIN);
	ck_assert_uint_eq(t->sigmask, set);
}
END_TEST

START_TEST(sigqueueinfo_rules)
{
	struct thread *t = boot_user();
	struct linux_siginfo si;
	uint64_t u = ktest_umap(sizeof(si), VM_READ | VM_WRITE);
	struct task *child = task_create(t->task);

	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	si.f.kill.value = 0xabc;
	ktest_put(u, &si, sizeof(si));
	set_handler(t, SIGRTMIN, SA_SIGINFO, 0);
	ck_assert_int_eq(tcall(t, SYS_rt_sigqueueinfo, 1, SIGRTMIN, u, 0), 0);
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	ktest_get(&si, t->uctx.rsi, sizeof(si));
	ck_assert_int_eq(si.si_signo, SIGRTMIN);
	ck_assert_uint_eq(si.f.kill.value, 0xabc);
	/* Posing as the kernel or kill() to someone else: EPERM. */
	si.si_code = SI_USER;
	ktest_put(u, &si, sizeof(si));
	ck_assert_int_eq(ksys3(SYS_rt_sigqueueinfo, child->pid, SIGUSR1, u),
			 -EPERM);
}
END_TEST

START_TEST(fault_with_handler)
{
	struct thread *t = boot_user();
	struct hal_trap trap = { .kind = HAL_TRAP_PAGE_FAULT,
				 .addr = 0x7000,
				 .access = HAL_ACC_WRITE };
	struct linux_rt_sigframe f;

	set_handler(t, SIGSEGV, SA_SIGINFO, 0);
	t->state = THREAD_RUNNING;
	t->uctx.rip = 0x401234;
	kern_trap(&t->uctx, &trap);
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	read_frame(t->uctx.rsp, &f);
	ck_assert_int_eq(f.info.si_signo, SIGSEGV);
	ck_assert_int_eq(f.info.si_code, SEGV_MAPERR);
	ck_assert_uint_eq(f.info.f.fault.addr, 0x7000);
	ck_assert_uint_eq(f.uc.uc_mcontext.cr2, 0x7000);
	ck_assert_uint_eq(f.uc.uc_mcontext.trapno, 14);
	ck_assert_uint_eq(f.uc.uc_mcontext.err & 2, 2);
	ck_assert_uint_eq(f.uc.uc_mcontext.rip, 0x401234);
}
END_TEST

START_TEST(blocked_fault_is_forced)
{
	struct thread *t = boot_user();
	struct hal_trap trap = { .kind = HAL_TRAP_FAULT,
				 .signo = SIGFPE,
				 .code = FPE_INTDIV,
				 .addr = 0x401000 };
	uint64_t set = SIGBIT(SIGFPE);
	uint64_t u = ktest_umap(8, VM_READ | VM_WRITE);

	ktest_put(u, &set, 8);
	set_handler(t, SIGFPE, 0, 0);
	tcall(t, SYS_rt_sigprocmask, SIG_BLOCK, u, 0, 8);
	t->state = THREAD_RUNNING;
	if (hal_test_expect_halt()) {
		/* Blocked: Linux resets it to the default action. */
		ck_assert_int_eq(hal_test_halt_status(), 128 + SIGFPE);
		return;
	}
	kern_trap(&t->uctx, &trap);
	ck_abort_msg("a blocked SIGFPE was not forced");
}
END_TEST

START_TEST(resethand_and_nodefer)
{
	struct thread *t = boot_user();

	set_handler(t, SIGUSR1, SA_RESETHAND | SA_NODEFER, 0);
	tcall(t, SYS_tgkill, 1, 1, SIGUSR1, 0);
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	ck_assert_uint_eq(t->sigmask, 0);
	ck_assert_uint_eq(t->task->sigactions[SIGUSR1 - 1].handler, SIG_DFL);
}
END_TEST

START_TEST(stop_and_continue_child)
{
	struct thread *t = boot_user();
	struct task *child;
	struct thread *ct;
	uint64_t st = ktest_umap(8, VM_READ | VM_WRITE);
	int32_t status;
	long pid;

	pid = tcall(t, SYS_fork, 0, 0, 0, 0);
	ck_assert_int_gt(pid, 1);
	child = task_find((int)pid);
	ct = list_first_entry(&child->threads, struct thread, task_link);
	ck_assert_int_eq(ct->state, THREAD_RUNNING);
	ck_assert_int_eq(tcall(t, SYS_kill, pid, SIGSTOP, 0, 0), 0);
	ck_assert(child->stopped);
	/* Its next trap parks it. */
	current = ct;
	tcall(ct, SYS_getpid, 0, 0, 0, 0);
	ck_assert_int_eq(ct->state, THREAD_STOPPED);
	current = t;
	ck_assert_int_eq(tcall(t, SYS_wait4, pid, st, WUNTRACED, 0), pid);
	ktest_get(&status, st, 4);
	ck_assert_int_eq(status, (SIGSTOP << 8) | 0x7f);
	ck_assert_int_eq(tcall(t, SYS_wait4, pid, st, WUNTRACED | WNOHANG, 0),
			 0);
	ck_assert_int_eq(tcall(t, SYS_kill, pid, SIGCONT, 0, 0), 0);
	ck_assert(!child->stopped);
	ck_assert_int_eq(ct->state, THREAD_RUNNING);
	ck_assert_int_eq((long)ct->uctx.rax, pid);
	ck_assert_int_eq(tcall(t, SYS_wait4, pid, st, WCONTINUED, 0), pid);
	ktest_get(&status, st, 4);
	ck_assert_int_eq(status, 0xffff);
}
END_TEST

START_TEST(sigchld_on_stop_respects_nocldstop)
{
	struct thread *t = boot_user();
	long pid;

	set_handler(t, SIGCHLD, SA_NOCLDSTOP, 0);
	pid = tcall(t, SYS_fork, 0, 0, 0, 0);
	tcall(t, SYS_kill, pid, SIGSTOP, 0, 0);
	ck_assert_uint_eq(t->uctx.rip, TEXT + 2);
	ck_assert_uint_eq(t->task->sig_pending & SIGBIT(SIGCHLD), 0);
	tcall(t, SYS_kill, pid, SIGKILL, 0, 0);
	/* Its death is reported even with SA_NOCLDSTOP. */
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
}
END_TEST

START_TEST(tstp_in_orphaned_group_is_discarded)
{
	struct thread *t = boot_user();
	struct task *child;
	long pid;

	pid = tcall(t, SYS_fork, 0, 0, 0, 0);
	child = task_find((int)pid);
	/* A child in a new session: its group has no parent outside it in
	 * the same session. */
	current = list_first_entry(&child->threads, struct thread, task_link);
	ck_assert_int_eq(ksys0(SYS_setsid), pid);
	current = t;
	tcall(t, SYS_kill, pid, SIGTSTP, 0, 0);
	ck_assert(!child->stopped);
	tcall(t, SYS_kill, pid, SIGSTOP, 0, 0);
	ck_assert(child->stopped);
}
END_TEST

START_TEST(itimer_real_and_alarm)
{
	struct thread *t = boot_user();
	struct linux_itimerval it = { { 0, 10000 }, { 0, 20000 } }, old;
	uint64_t u = ktest_umap(64, VM_READ | VM_WRITE);

	set_handler(t, SIGALRM, 0, 0);
	ktest_put(u, &it, sizeof(it));
	ck_assert_int_eq(tcall(t, SYS_setitimer, ITIMER_REAL, u, 0, 0), 0);
	tcall(t, SYS_pause, 0, 0, 0, 0);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(19 * MS);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_advance_ns(1 * MS);
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
	/* Periodic: the next one is 10 ms on. */
	ck_assert_int_eq(ksys2(SYS_getitimer, ITIMER_REAL, u + 32), 0);
	ktest_get(&old, u + 32, sizeof(old));
	ck_assert_int_eq(old.it_value.tv_usec, 10000);
	ck_assert_int_eq(old.it_interval.tv_usec, 10000);
	/* alarm: the old value in whole seconds, rounded, never 0. */
	ck_assert_int_eq(ksys1(SYS_alarm, 3), 1);
	hal_test_advance_ns(1500 * MS);
	ck_assert_int_eq(ksys1(SYS_alarm, 0), 2);
	ck_assert_int_eq(ksys1(SYS_alarm, 0), 0);
}
END_TEST

START_TEST(posix_timer_signal_and_overrun)
{
	struct thread *t = boot_user();
	struct linux_sigevent ev;
	struct linux_itimerspec its = { { 0, 2 * MS }, { 0, 2 * MS } };
	uint64_t u = ktest_umap(256, VM_READ | VM_WRITE);
	uint64_t set = SIGBIT(SIGRTMIN);
	struct linux_siginfo si;
	int32_t id;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN;
	ev.sigev_value = 55;
	ktest_put(u, &ev, sizeof(ev));
	ktest_put(u + 64, &its, sizeof(its));
	ktest_put(u + 128, &set, 8);
	ck_assert_int_eq(ksys3(SYS_timer_create, CLOCK_MONOTONIC, u, u + 96),
			 0);
	ktest_get(&id, u + 96, 4);
	ck_assert_int_eq(id, 0);
	tcall(t, SYS_rt_sigprocmask, SIG_BLOCK, u + 128, 0, 8);
	ck_assert_int_eq(ksys4(SYS_timer_settime, id, 0, u + 64, 0), 0);
	for (int i = 0; i < 5; i++)
		hal_test_advance_ns(2 * MS);
	/* Five expiries, one signal: four overruns. */
	ck_assert_int_eq(tcall(t, SYS_rt_sigtimedwait, u + 128, u + 160, 0, 8),
			 SIGRTMIN);
	ktest_get(&si, u + 160, sizeof(si));
	ck_assert_int_eq(si.si_code, SI_TIMER);
	ck_assert_int_eq(si.f.timer.tid, id);
	ck_assert_int_eq(si.f.timer.overrun, 4);
	ck_assert_uint_eq(si.f.timer.value, 55);
	ck_assert_int_eq(ksys1(SYS_timer_getoverrun, id), 4);
	ck_assert_int_eq(ksys1(SYS_timer_delete, id), 0);
	ck_assert_int_eq(ksys1(SYS_timer_delete, id), -EINVAL);
}
END_TEST

START_TEST(vtalrm_counts_user_time)
{
	struct thread *t = boot_user();
	struct linux_itimerval it = { { 0, 0 }, { 0, 5000 } };
	uint64_t u = ktest_umap(64, VM_READ | VM_WRITE);
	struct hal_trap pre = { .kind = HAL_TRAP_PREEMPTED };

	set_handler(t, SIGVTALRM, 0, 0);
	ktest_put(u, &it, sizeof(it));
	ck_assert_int_eq(tcall(t, SYS_setitimer, ITIMER_VIRTUAL, u, 0, 0), 0);
	/* 3 ms of user time, then 3 more: the timer runs out. */
	hal_test_advance_ns(3 * MS);
	kern_trap(&t->uctx, &pre);
	ck_assert_uint_eq(t->uctx.rip, TEXT + 2);
	hal_test_advance_ns(3 * MS);
	kern_trap(&t->uctx, &pre);
	ck_assert_uint_eq(t->uctx.rip, HANDLER);
}
END_TEST

KTEST_SUITE(signal_suite)
{
	Suite *s = suite_create("signal");
	TCase *d = tcase_create("delivery");
	TCase *r = tcase_create("restart");
	TCase *j = tcase_create("job control");
	TCase *tm = tcase_create("timers");

	tcase_add_test(d, handler_frame_layout);
	tcase_add_test(d, sigreturn_restores_everything);
	tcase_add_test(d, bad_sigreturn_frame_kills);
	tcase_add_test(d, no_restorer_is_a_bad_stack);
	tcase_add_test(d, altstack_frame);
	tcase_add_test(d, default_ignore_and_ignored);
	tcase_add_test(d, pending_and_timedwait);
	tcase_add_test(d, sigqueueinfo_rules);
	tcase_add_test(d, fault_with_handler);
	tcase_add_test(d, blocked_fault_is_forced);
	tcase_add_test(d, resethand_and_nodefer);
	suite_add_tcase(s, d);
	tcase_add_test(r, wait4_restarts_with_sa_restart);
	tcase_add_test(r, wait4_eintr_without_sa_restart);
	tcase_add_test(r, nanosleep_never_restarts);
	tcase_add_test(r, sigsuspend_mask_and_eintr);
	tcase_add_test(r, sigsuspend_already_pending);
	suite_add_tcase(s, r);
	tcase_add_test(j, stop_and_continue_child);
	tcase_add_test(j, sigchld_on_stop_respects_nocldstop);
	tcase_add_test(j, tstp_in_orphaned_group_is_discarded);
	suite_add_tcase(s, j);
	tcase_add_test(tm, itimer_real_and_alarm);
	tcase_add_test(tm, posix_timer_signal_and_overrun);
	tcase_add_test(tm, vtalrm_counts_user_time);
	suite_add_tcase(s, tm);
	return s;
}
