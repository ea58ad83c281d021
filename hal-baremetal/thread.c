/*
 * thread.c: user threads on one CPU (layer: bare-metal HAL; relies on
 * mmu.c for address spaces, cpu.c for the FPU and entry.S to enter user
 * mode). hal_uctx_start only queues a thread; sched_loop, which runs once
 * kmain has returned and after every trap, hands the core its pending
 * timer, console and network events, then enters the next queued thread
 * with iretq, or halts the CPU until an interrupt when nothing is
 * runnable.
 * The FPU holds the state of the last thread that ran (its "owner") and
 * is saved only when another thread takes it.
 */
#include <kern/klib.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

#include "bm.h"

/* A thread that runs while others wait gets this long. */
#define SLICE_NS 10000000ULL

/* rflags bits user mode may own: CF PF AF ZF SF TF DF OF RF AC ID. */
#define USER_RFLAGS_MASK 0x250dd5ULL
#define RFLAGS_FIXED 0x202ULL /* IF and the always-one bit */

static struct hal_thread *runq_head, *runq_tail;
static struct hal_thread *cur;	     /* in user mode now */
static struct hal_thread *fpu_owner; /* whose registers the FPU holds */

static uint64_t read_fs_base(void)
{
	uint64_t v;

	if (!bm_features.fsgsbase)
		return rdmsr(MSR_FS_BASE);
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

static void write_fs_base(uint64_t v)
{
	if (bm_features.fsgsbase)
		__asm__ volatile("wrfsbase %0" : : "r"(v));
	else
		wrmsr(MSR_FS_BASE, v);
}

struct hal_thread *thread_current(void)
{
	return cur;
}

bool thread_runnable_waiting(void)
{
	return runq_head != NULL;
}

static void runq_remove(struct hal_thread *t)
{
	struct hal_thread **pp = &runq_head, *prev = NULL;

	if (!t->queued)
		return;
	for (; *pp; prev = *pp, pp = &(*pp)->run_next) {
		if (*pp == t) {
			*pp = t->run_next;
			if (runq_tail == t)
				runq_tail = prev;
			break;
		}
	}
	t->queued = false;
	t->run_next = NULL;
}

static struct hal_thread *runq_pop(void)
{
	struct hal_thread *t = runq_head;

	if (!t)
		return NULL;
	runq_head = t->run_next;
	if (!runq_head)
		runq_tail = NULL;
	t->run_next = NULL;
	t->queued = false;
	return t;
}

struct hal_thread *hal_thread_create(struct hal_as *as, struct hal_uctx *uctx)
{
	struct hal_thread *t;

	if (!as || !uctx)
		return NULL;
	t = bm_alloc(sizeof(*t));
	if (!t)
		return NULL;
	memcpy(t->fx, fpu_initial, sizeof(t->fx));
	t->as = as;
	t->uctx = uctx;
	t->as_next = as->threads;
	as->threads = t;
	return t;
}

void hal_thread_destroy(struct hal_thread *t)
{
	if (!t)
		return;
	runq_remove(t);
	if (cur == t)
		cur = NULL;
	if (fpu_owner == t)
		fpu_owner = NULL;
	for (struct hal_thread **pp = &t->as->threads; *pp;
	     pp = &(*pp)->as_next) {
		if (*pp == t) {
			*pp = t->as_next;
			break;
		}
	}
	bm_free(t, sizeof(*t));
}

void hal_uctx_start(struct hal_thread *t)
{
	if (t->queued || t->running)
		panic("hal_uctx_start: thread %p started twice", (void *)t);
	t->queued = true;
	if (runq_tail)
		runq_tail->run_next = t;
	else
		runq_head = t;
	runq_tail = t;
}

/* One CPU: while the core runs, no user thread executes; a thread that
 * is queued traps again within its time slice (the APIC timer reports
 * PREEMPTED), which is when the core delivers what it wanted to. */
void hal_thread_interrupt(struct hal_thread *t)
{
	(void)t;
}

int hal_uctx_fpu_sync(struct hal_thread *t)
{
	if (t->running)
		return -EIO;
	if (fpu_owner == t)
		fpu_save(t->fx);
	memcpy(t->uctx->fpu, t->fx, sizeof(t->fx));
	t->uctx->fpu_valid = true;
	return 0;
}

struct hal_uctx *thread_trap_save(struct trap_frame *f)
{
	struct hal_thread *t = cur;
	struct hal_uctx *u;

	if (!t)
		cpu_die("trap from user mode with no thread", f);
	u = t->uctx;
	memcpy(u, f, 15 * sizeof(uint64_t));
	u->orig_rax = f->vector == VEC_SYSCALL ? f->error : (uint64_t)-1;
	u->rip = f->rip;
	u->cs = f->cs;
	u->rflags = f->rflags;
	u->rsp = f->rsp;
	u->ss = f->ss;
	u->fs_base = read_fs_base();
	u->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	u->fpu_valid = false;
	t->running = false;
	cur = NULL;
	return u;
}

/* The core handed in an FPU image (sigreturn): take it, minus MXCSR bits
 * that would make fxrstor fault in the kernel. */
static void take_fpu_image(struct hal_thread *t)
{
	uint32_t mxcsr;

	memcpy(t->fx, t->uctx->fpu, sizeof(t->fx));
	memcpy(&mxcsr, t->fx + 24, 4);
	mxcsr &= fpu_mxcsr_mask;
	memcpy(t->fx + 24, &mxcsr, 4);
	t->uctx->fpu_valid = false;
	if (fpu_owner == t)
		fpu_owner = NULL;
}

/* Enters t in user mode; returns only when its registers cannot be
 * loaded (after reporting that to the core). */
static void run_thread(struct hal_thread *t)
{
	struct hal_uctx *u = t->uctx;
	struct trap_frame f;

	if (!is_canonical(u->rip) || !is_canonical(u->fs_base) ||
	    !is_canonical(u->gs_base)) {
		struct hal_trap trap = { .kind = HAL_TRAP_FAULT,
					 .signo = SIGSEGV,
					 .code = SI_KERNEL };
		kern_trap(u, &trap);
		return;
	}
	mmu_switch(t->as);
	if (u->fpu_valid)
		take_fpu_image(t);
	if (fpu_owner != t) {
		if (fpu_owner)
			fpu_save(fpu_owner->fx);
		fpu_restore(t->fx);
		fpu_owner = t;
	}
	write_fs_base(u->fs_base);
	wrmsr(MSR_KERNEL_GS_BASE, u->gs_base);

	memcpy(&f, u, 15 * sizeof(uint64_t));
	f.vector = 0;
	f.error = 0;
	f.rip = u->rip;
	f.cs = SEL_UCODE;
	f.rflags = (u->rflags & USER_RFLAGS_MASK) | RFLAGS_FIXED;
	f.rsp = u->rsp;
	f.ss = SEL_UDATA;
	time_program(runq_head ? hal_clock_monotonic_ns() + SLICE_NS : 0);
	cur = t;
	t->running = true;
	enter_user_frame(&f);
}

/* The core's network layer (and its console resize) may not be linked in
 * yet. */
extern void kern_net_event(int nic) __attribute__((weak));
extern void kern_console_resize(void) __attribute__((weak));

static void deliver_events(void)
{
	bool again;
	int nic;

	do {
		again = false;
		if (time_deadline_due()) {
			kern_timer_event();
			again = true;
		}
		if (serial_event_due()) {
			kern_console_event();
			again = true;
		}
		if (serial_resize_due() && kern_console_resize) {
			kern_console_resize();
			again = true;
		}
		if (vnet_event_due(&nic) && kern_net_event) {
			kern_net_event(nic);
			again = true;
		}
	} while (again);
}

void sched_loop(void)
{
	for (;;) {
		struct hal_thread *t;

		cli();
		deliver_events();
		t = runq_pop();
		if (t) {
			run_thread(t);
			continue;
		}
		/* Nothing to run: sleep until an interrupt (sti's one-
		 * instruction shadow makes the check-then-halt race-free). */
		time_program(vnet_poll_ns() ?
				     hal_clock_monotonic_ns() + vnet_poll_ns() :
				     0);
		__asm__ volatile("sti\n\thlt\n\tcli" : : : "memory");
	}
}
