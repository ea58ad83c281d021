/*
 * The ptrace platform: every guest address space is a stub process traced
 * by the kernel; its threads run under PTRACE_SYSEMU, so every syscall a
 * guest makes stops the thread and becomes a SYSCALL trap for the core,
 * and never reaches the host. Faults arrive as signal stops. The kernel
 * changes a stub's mappings by pointing its rip at stub_syscall with the
 * registers of an mmap/munmap/mprotect and letting it run to the int3.
 * Relies on: phys.c (the memfd), loop.c (SIGCHLD wakes ptrace_reap).
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hosted.h"

extern const char stub_code_start[], stub_code_end[];
extern const uint64_t stub_syscall_off;

struct hal_as {
	pid_t pid;
	bool dead;   /* no thread of it can run again */
	bool reaped; /* the group leader's exit was collected: pid is free */
	struct hal_thread *threads; /* bound threads, via next_in_as */
	struct hal_as *next;     /* all address spaces, for kill_all */
};

struct hal_thread {
	struct hal_as *as;
	pid_t tid;
	struct hal_uctx *uctx;
	struct user_regs_struct regs; /* last registers read from the host */
	bool running;
	bool gone;
	bool deferred;          /* a trap waits in `deferred_trap` */
	struct hal_trap deferred_trap;
	struct hal_thread *next_deferred;
	struct hal_thread *next_in_as;
};

static struct hal_as *all_as;
static struct hal_thread *deferred_list;

static void die(const char *what)
{
	fprintf(stderr, "ember: %s: %s\n", what, strerror(errno));
	hal_halt(125);
}

/* ---------------------------------------------------------------- */
/* Creating a stub                                                   */
/* ---------------------------------------------------------------- */

/* Runs in the forked child: keep only the memfd, become traced, copy the
 * stub code to STUB_BASE and jump there on the stub's own stack. */
static __attribute__((noreturn)) void stub_child(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* glibc registered rseq in the kernel's TLS, which is about to be
	 * unmapped: the host would SIGSEGV the stub on its next resume. */
	if (__rseq_size > 0) {
		void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
		if (syscall(SYS_rseq, area, __rseq_size, 1, RSEQ_SIG) < 0)
			syscall(SYS_rseq, area, 32, 1, RSEQ_SIG);
	}
	setpgid(0, 0); /* terminal signals go to the kernel, not to stubs */
	if (dup2(phys_memfd, STUB_MEMFD) < 0)
		_exit(120);
	syscall(SYS_close_range, 0, STUB_MEMFD - 1, 0);
	syscall(SYS_close_range, STUB_MEMFD + 1, ~0U, 0);
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(121);
	void *p = mmap((void *)STUB_BASE, STUB_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)STUB_BASE)
		_exit(122);
	memcpy(p, stub_code_start, (size_t)(stub_code_end - stub_code_start));
	if (mprotect(p, STUB_CODE_SIZE, PROT_READ | PROT_EXEC) < 0)
		_exit(123);
	if (confine_stub_seccomp() < 0)
		_exit(124);
	uint64_t entry = STUB_BASE, stack = STUB_BASE + STUB_SIZE - 64;
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "jmp *%1"
			 :
			 : "r"(stack), "r"(entry), "D"(STUB_BASE),
			   "S"(STUB_BASE + STUB_SIZE), "d"(HOST_VA_END)
			 : "memory");
	__builtin_unreachable();
}

struct hal_as *hal_as_create(void)
{
	if (systrap_active) /* systrap hook */
		return systrap_as_create();
	struct hal_as *as = calloc(1, sizeof(*as));
	int status;

	if (!as)
		return NULL;
	pid_t pid = confine_fork();
	if (pid < 0) {
		free(as);
		return NULL;
	}
	if (pid == 0)
		stub_child();
	/* The stub announces itself with int3 once it has unmapped the host. */
	if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGTRAP) {
		fprintf(stderr, "ember: stub %d did not start (status %#x)\n",
			pid, status);
		kill(pid, SIGKILL);
		waitpid(pid, &status, __WALL);
		free(as);
		return NULL;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0,
		   PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD |
			   PTRACE_O_TRACECLONE) < 0)
		die("PTRACE_SETOPTIONS");
	as->pid = pid;
	as->next = all_as;
	all_as = as;
	return as;
}

static void as_unlink(struct hal_as *as)
{
	for (struct hal_as **pp = &all_as; *pp; pp = &(*pp)->next) {
		if (*pp == as) {
			*pp = as->next;
			return;
		}
	}
}

static void stub_kill(struct hal_as *as)
{
	int status;

	if (as->reaped)
		return;
	/* Even a space already "dead" may have live threads (its leader
	 * exited first): SIGKILL ends the whole group. */
	kill(as->pid, SIGKILL);
	/* Reap every thread of the stub in whatever order the host can
	 * deliver them: the stub is its own process group, and a leader
	 * that is init of its PID namespace waits in its own exit for its
	 * siblings to be reaped, so waiting for one tid at a time could
	 * deadlock. */
	for (;;) {
		pid_t r = waitpid(-as->pid, &status, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
	}
	as->dead = true;
	as->reaped = true;
}

void hal_as_destroy(struct hal_as *as)
{
	if (systrap_active) { /* systrap hook */
		systrap_as_destroy(as);
		return;
	}
	if (!as)
		return;
	stub_kill(as);
	as_unlink(as);
	for (struct hal_thread *t = as->threads; t; t = t->next_in_as)
		t->as = NULL;
	free(as);
}

void ptrace_kill_all(void)
{
	if (systrap_active) /* systrap hook */
		systrap_kill_all();
	for (struct hal_as *as = all_as; as; as = as->next)
		stub_kill(as);
}

/* ---------------------------------------------------------------- */
/* Running a host syscall inside a stopped stub                      */
/* ---------------------------------------------------------------- */

/* A thread of as that is stopped (the core changes an address space only
 * while handling a trap of one of its threads, or before any runs). */
static pid_t stopped_tid(struct hal_as *as)
{
	for (struct hal_thread *t = as->threads; t; t = t->next_in_as)
		if (!t->running && !t->gone)
			return t->tid;
	return as->threads ? -1 : as->pid;
}

/* Makes a stopped thread of as execute one host syscall at stub_syscall.
 * *event_msg receives PTRACE_GETEVENTMSG of a clone event, if any. */
static long stub_syscall_ev(struct hal_as *as, long nr, uint64_t a0,
			    uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			    uint64_t a5, unsigned long *event_msg)
{
	if (systrap_active) /* systrap hook */
		return systrap_as_syscall(as, nr, a0, a1, a2, a3, a4, a5);
	struct user_regs_struct r;
	int status;

	if (as->dead)
		return -ESRCH;
	pid_t pid = stopped_tid(as);
	if (pid < 0)
		return -EBUSY;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
		return -errno;
	r.rip = STUB_BASE + stub_syscall_off;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = a0;
	r.rsi = a1;
	r.rdx = a2;
	r.r10 = a3;
	r.r8 = a4;
	r.r9 = a5;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0)
		return -errno;
	for (;;) {
		if (ptrace(PTRACE_CONT, pid, 0, 0) < 0)
			return -errno;
		if (waitpid(pid, &status, __WALL) != pid)
			return -errno;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			as->dead = true;
			if (pid == as->pid)
				as->reaped = true;
			return -ESRCH;
		}
		if (WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_CLONE) {
			if (event_msg)
				ptrace(PTRACE_GETEVENTMSG, pid, 0, event_msg);
			continue;
		}
		if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP)
			break;
		/* Any other signal (a stray host signal) is dropped. */
	}
	if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
		return -errno;
	return (long)r.rax;
}

static long stub_syscall(struct hal_as *as, long nr, uint64_t a0, uint64_t a1,
			 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return stub_syscall_ev(as, nr, a0, a1, a2, a3, a4, a5, NULL);
}

static int host_prot(unsigned prot)
{
	int p = 0;

	if (prot & HAL_PROT_READ)
		p |= PROT_READ;
	if (prot & HAL_PROT_WRITE)
		p |= PROT_WRITE;
	if (prot & HAL_PROT_EXEC)
		p |= PROT_EXEC;
	return p;
}

static bool range_ok(uint64_t va, size_t npages)
{
	uint64_t len = (uint64_t)npages << 12;

	return (va & 0xfff) == 0 && va >= HAL_USER_VA_START &&
	       va < HAL_USER_VA_END && len <= HAL_USER_VA_END - va;
}

int hal_as_map(struct hal_as *as, uint64_t va, uint64_t pa, size_t npages,
	       unsigned prot)
{
	if (!range_ok(va, npages))
		return -EINVAL;
	long r = stub_syscall(as, SYS_mmap, va, (uint64_t)npages << 12,
			      (uint64_t)host_prot(prot), MAP_SHARED | MAP_FIXED,
			      STUB_MEMFD, pa);
	if (r == -ESRCH)
		return -ESRCH; /* the stub is gone (killed from the host) */
	return r < 0 && r > -4096 ? -ENOMEM : 0;
}

int hal_as_unmap(struct hal_as *as, uint64_t va, size_t npages)
{
	if (!range_ok(va, npages))
		return -EINVAL;
	stub_syscall(as, SYS_munmap, va, (uint64_t)npages << 12, 0, 0, 0, 0);
	return 0;
}

int hal_as_protect(struct hal_as *as, uint64_t va, size_t npages,
		   unsigned prot)
{
	if (!range_ok(va, npages))
		return -EINVAL;
	long r = stub_syscall(as, SYS_mprotect, va, (uint64_t)npages << 12,
			      (uint64_t)host_prot(prot), 0, 0, 0);
	/* ENOMEM only means part of the range is not mapped in the stub yet
	 * (demand paging): the pages that are mapped changed. */
	return r == -ENOMEM || r >= 0 ? 0 : (int)r;
}

/* ---------------------------------------------------------------- */
/* Threads                                                           */
/* ---------------------------------------------------------------- */

static struct hal_thread *thread_bind(struct hal_as *as, pid_t tid,
				      struct hal_uctx *uctx)
{
	struct hal_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->as = as;
	t->tid = tid;
	t->uctx = uctx;
	if (ptrace(PTRACE_GETREGS, tid, 0, &t->regs) < 0) {
		free(t);
		return NULL;
	}
	t->next_in_as = as->threads;
	as->threads = t;
	return t;
}

/* A new host thread inside the stub: a stopped thread executes clone; the
 * child is auto-attached (PTRACE_O_TRACECLONE) and stops with SIGSTOP
 * before running a single instruction, so it needs no stack of its own. */
static pid_t stub_clone_thread(struct hal_as *as)
{
	unsigned long child = 0;
	int status;
	long r = stub_syscall_ev(as, SYS_clone, stub_thread_flags, 0, 0, 0, 0,
				 0, &child);
	if (r < 0)
		return (pid_t)r;
	if (!child)
		child = (unsigned long)r;
	if (waitpid((pid_t)child, &status, __WALL) != (pid_t)child ||
	    !WIFSTOPPED(status))
		return -ESRCH;
	return (pid_t)child;
}

struct hal_thread *hal_thread_create(struct hal_as *as, struct hal_uctx *uctx)
{
	if (systrap_active) /* systrap hook */
		return systrap_thread_create(as, uctx);
	if (!as || as->dead)
		return NULL;
	if (!as->threads)
		return thread_bind(as, as->pid, uctx);
	pid_t tid = stub_clone_thread(as);
	if (tid < 0)
		return NULL;
	struct hal_thread *t = thread_bind(as, tid, uctx);
	if (!t)
		syscall(SYS_tgkill, as->pid, tid, SIGKILL);
	return t;
}

static void thread_unlink(struct hal_thread *t)
{
	if (!t->as)
		return;
	for (struct hal_thread **pp = &t->as->threads; *pp;
	     pp = &(*pp)->next_in_as) {
		if (*pp == t) {
			*pp = t->next_in_as;
			break;
		}
	}
}

/* Ends one host thread of a live stub: a stopped thread executes exit(0),
 * which ends only that thread. A running thread is left to the address
 * space's destruction, which every path that ends a running thread takes
 * (exit_group, execve, a fatal signal). */
static void thread_end(struct hal_thread *t)
{
	struct user_regs_struct r = t->regs;

	if (!t->as || t->as->dead || t->gone || t->running)
		return;
	if (!t->as->threads) /* the last one: hal_as_destroy kills it */
		return;
	r.rip = STUB_BASE + stub_syscall_off;
	r.rax = SYS_exit;
	r.orig_rax = (uint64_t)-1;
	r.rdi = 0;
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &r) == 0)
		ptrace(PTRACE_CONT, t->tid, 0, 0);
	/* Its exit is reaped by ptrace_reap (an unknown tid is ignored). */
}

void hal_thread_destroy(struct hal_thread *t)
{
	if (systrap_active) { /* systrap hook */
		systrap_thread_destroy(t);
		return;
	}
	if (!t)
		return;
	for (struct hal_thread **pp = &deferred_list; *pp;
	     pp = &(*pp)->next_deferred) {
		if (*pp == t) {
			*pp = t->next_deferred;
			break;
		}
	}
	thread_unlink(t);
	thread_end(t);
	free(t);
}

static void uctx_to_regs(const struct hal_uctx *u, struct user_regs_struct *r)
{
	r->r15 = u->r15;
	r->r14 = u->r14;
	r->r13 = u->r13;
	r->r12 = u->r12;
	r->rbp = u->rbp;
	r->rbx = u->rbx;
	r->r11 = u->r11;
	r->r10 = u->r10;
	r->r9 = u->r9;
	r->r8 = u->r8;
	r->rax = u->rax;
	r->rcx = u->rcx;
	r->rdx = u->rdx;
	r->rsi = u->rsi;
	r->rdi = u->rdi;
	r->orig_rax = (uint64_t)-1; /* never let the host restart anything */
	r->rip = u->rip;
	r->eflags = u->rflags;
	r->rsp = u->rsp;
	r->fs_base = u->fs_base;
	r->gs_base = u->gs_base;
	/* cs, ss, ds, es, fs, gs stay the host's (user segments). */
}

static void regs_to_uctx(const struct user_regs_struct *r, struct hal_uctx *u)
{
	u->r15 = r->r15;
	u->r14 = r->r14;
	u->r13 = r->r13;
	u->r12 = r->r12;
	u->rbp = r->rbp;
	u->rbx = r->rbx;
	u->r11 = r->r11;
	u->r10 = r->r10;
	u->r9 = r->r9;
	u->r8 = r->r8;
	u->rax = r->rax;
	u->rcx = r->rcx;
	u->rdx = r->rdx;
	u->rsi = r->rsi;
	u->rdi = r->rdi;
	u->orig_rax = r->orig_rax;
	u->rip = r->rip;
	u->cs = r->cs;
	u->rflags = r->eflags;
	u->rsp = r->rsp;
	u->ss = r->ss;
	u->fs_base = r->fs_base;
	u->gs_base = r->gs_base;
	u->fpu_valid = false;
}

static void report_gone(struct hal_thread *t)
{
	struct hal_trap trap = { .kind = HAL_TRAP_GONE };

	t->gone = true;
	t->running = false;
	if (t->as)
		t->as->dead = true;
	kern_trap(t->uctx, &trap);
}

/* hal_uctx_start cannot call the core back: queue the trap. */
static void defer_trap(struct hal_thread *t, const struct hal_trap *trap)
{
	t->deferred_trap = *trap;
	if (!t->deferred) {
		t->deferred = true;
		t->next_deferred = deferred_list;
		deferred_list = t;
	}
	loop_defer();
}

void ptrace_deferred(void)
{
	while (deferred_list) {
		struct hal_thread *t = deferred_list;
		deferred_list = t->next_deferred;
		t->deferred = false;
		struct hal_trap trap = t->deferred_trap;
		if (trap.kind == HAL_TRAP_GONE) {
			t->gone = true;
			if (t->as)
				t->as->dead = true;
		}
		kern_trap(t->uctx, &trap);
	}
}

void hal_uctx_start(struct hal_thread *t)
{
	if (systrap_active) { /* systrap hook */
		systrap_uctx_start(t);
		return;
	}
	if (t->running) {
		fprintf(stderr, "ember: core bug: thread %d started twice\n",
			t->tid);
		abort();
	}
	struct hal_trap gone = { .kind = HAL_TRAP_GONE };
	if (t->gone || !t->as || t->as->dead) {
		defer_trap(t, &gone);
		return;
	}
	uctx_to_regs(t->uctx, &t->regs);
	if (t->uctx->fpu_valid) {
		/* The core changed the FPU image (sigreturn): load it. A
		 * refused image (bad MXCSR bits) leaves the old state. */
		ptrace(PTRACE_SETFPREGS, t->tid, 0, t->uctx->fpu);
		t->uctx->fpu_valid = false;
	}
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs) < 0 ||
	    ptrace(PTRACE_SYSEMU, t->tid, 0, 0) < 0) {
		if (errno == ESRCH) {
			defer_trap(t, &gone);
			return;
		}
		/* EIO: registers the host refused (a bad fs_base, say). */
		struct hal_trap trap = { .kind = HAL_TRAP_FAULT,
					 .signo = SIGSEGV,
					 .code = 0x80 /* SI_KERNEL */ };
		defer_trap(t, &trap);
		return;
	}
	t->running = true;
}

/* Any host signal makes a traced thread stop (signal-delivery-stop);
 * handle_stop drops it and reports PREEMPTED. */
void hal_thread_interrupt(struct hal_thread *t)
{
	if (systrap_active) { /* systrap hook */
		systrap_thread_interrupt(t);
		return;
	}
	if (t->running && t->as && !t->as->dead)
		syscall(SYS_tgkill, t->as->pid, t->tid, SIGURG);
}

int hal_uctx_fpu_sync(struct hal_thread *t)
{
	struct user_fpregs_struct fp;

	_Static_assert(sizeof(fp) == 512, "FXSAVE image is 512 bytes");
	if (systrap_active) /* systrap hook */
		return systrap_uctx_fpu_sync(t);
	if (t->running || ptrace(PTRACE_GETFPREGS, t->tid, 0, &fp) < 0)
		return -EIO;
	memcpy(t->uctx->fpu, &fp, sizeof(fp));
	t->uctx->fpu_valid = true;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Stops                                                             */
/* ---------------------------------------------------------------- */

static struct hal_thread *thread_by_tid(pid_t tid)
{
	for (struct hal_as *as = all_as; as; as = as->next)
		for (struct hal_thread *t = as->threads; t; t = t->next_in_as)
			if (t->tid == tid)
				return t;
	return NULL;
}

static void handle_stop(struct hal_thread *t, int status)
{
	struct hal_trap trap = { 0 };
	siginfo_t si;

	t->running = false;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		report_gone(t);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &t->regs) < 0) {
		report_gone(t);
		return;
	}
	regs_to_uctx(&t->regs, t->uctx);
	int sig = WSTOPSIG(status);
	if (sig == (SIGTRAP | 0x80)) {
		trap.kind = HAL_TRAP_SYSCALL;
		kern_trap(t->uctx, &trap);
		return;
	}
	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0) {
		report_gone(t);
		return;
	}
	switch (sig) {
	case SIGSEGV:
		if (si.si_code == SEGV_MAPERR || si.si_code == SEGV_ACCERR) {
			trap.kind = HAL_TRAP_PAGE_FAULT;
			trap.addr = (uint64_t)si.si_addr;
			trap.access = HAL_ACC_UNKNOWN;
			if (si.si_code == SEGV_ACCERR)
				trap.access |= HAL_ACC_PRESENT;
			break;
		}
		/* #GP and friends: a plain fault */
		__attribute__((fallthrough));
	case SIGILL:
	case SIGFPE:
	case SIGBUS:
	case SIGTRAP:
		trap.kind = HAL_TRAP_FAULT;
		trap.signo = sig;
		trap.code = si.si_code;
		trap.addr = (uint64_t)si.si_addr;
		break;
	default:
		/* A host signal aimed at the stub (it has no business with
		 * one): drop it and let the core resume the thread. */
		trap.kind = HAL_TRAP_PREEMPTED;
		break;
	}
	kern_trap(t->uctx, &trap);
}

void ptrace_reap(void)
{
	int status;
	pid_t tid;

	while ((tid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			for (struct hal_as *as = all_as; as; as = as->next)
				if (as->pid == tid)
					as->reaped = true;
			if (systrap_active) /* systrap hook */
				systrap_reaped(tid);
		}
		struct hal_thread *t = thread_by_tid(tid);
		if (!t) {
			/* A stub with no thread yet, or a thread already
			 * destroyed (its exit after thread_end). */
			continue;
		}
		handle_stop(t, status);
	}
}
