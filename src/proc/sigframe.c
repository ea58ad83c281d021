/*
 * sigframe.c: x86_64 signal frames as Linux lays them out (layer: proc;
 * relies on vm_read/vm_write of the thread's mm and on the HAL for the
 * FPU state: hal_uctx_fpu_sync to save it, uctx->fpu_valid to load it).
 * From the interrupted rsp (or the alternate stack) down: a 128-byte red
 * zone, the 512-byte FXSAVE image 64-byte aligned, then struct
 * linux_rt_sigframe with rsp % 16 == 8 at the handler's entry, as after
 * a call. rt_sigreturn finds the frame at rsp - 8 once the handler's
 * `ret` has popped pretcode.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

#include "proc_internal.h"

#define REDZONE 128
#define FPSTATE_SIZE 512
#define USER_CS 0x33
#define USER_SS 0x2b

/* The flags a frame may change (Linux's FIX_EFLAGS): CF PF AF ZF SF TF
 * DF OF, RF and AC. */
#define FIX_EFLAGS 0x50dd5ULL
#define EFLAGS_TF 0x100ULL
#define EFLAGS_DF 0x400ULL
#define EFLAGS_RF 0x10000ULL

/* MXCSR bits an FXRSTOR accepts (the rest are reserved, and set would
 * fault). */
#define MXCSR_VALID 0xffffU

_Static_assert(sizeof(struct linux_fpstate) == FPSTATE_SIZE, "FXSAVE image");

bool sigframe_on_altstack(const struct thread *t, uint64_t sp)
{
	return t->altstack_size && sp > t->altstack_sp &&
	       sp - t->altstack_sp <= t->altstack_size;
}

/* The FPU state a handler starts with (and a frame without fpstate
 * restores): x87 control 0x37f, MXCSR 0x1f80, everything else clear. */
static void fpu_init_image(uint8_t *img)
{
	struct linux_fpstate fp;

	memset(&fp, 0, sizeof(fp));
	fp.cwd = 0x37f;
	fp.mxcsr = 0x1f80;
	memcpy(img, &fp, sizeof(fp));
}

static void altstack_save(const struct thread *t, uint64_t sp,
			  struct linux_stack *st)
{
	st->ss_sp = t->altstack_sp;
	st->ss_size = t->altstack_size;
	st->pad = 0;
	if (!t->altstack_size)
		st->ss_flags = SS_DISABLE;
	else
		st->ss_flags = sigframe_on_altstack(t, sp) ? SS_ONSTACK : 0;
	st->ss_flags |= t->altstack_flags;
}

static void fill_sigcontext(const struct hal_uctx *u, const struct ksignal *ks,
			    uint64_t mask, uint64_t fpstate,
			    struct linux_sigcontext *sc)
{
	sc->r8 = u->r8;
	sc->r9 = u->r9;
	sc->r10 = u->r10;
	sc->r11 = u->r11;
	sc->r12 = u->r12;
	sc->r13 = u->r13;
	sc->r14 = u->r14;
	sc->r15 = u->r15;
	sc->rdi = u->rdi;
	sc->rsi = u->rsi;
	sc->rbp = u->rbp;
	sc->rbx = u->rbx;
	sc->rdx = u->rdx;
	sc->rax = u->rax;
	sc->rcx = u->rcx;
	sc->rsp = u->rsp;
	sc->rip = u->rip;
	sc->eflags = u->rflags;
	sc->cs = USER_CS;
	sc->ss = USER_SS;
	sc->err = ks->err;
	sc->trapno = ks->trapno;
	sc->oldmask = mask;
	sc->cr2 = ks->cr2;
	sc->fpstate = fpstate;
}

int sigframe_setup(struct thread *t, int sig, const struct ksigaction *sa,
		   const struct ksignal *ks, uint64_t saved_mask)
{
	struct hal_uctx *u = &t->uctx;
	struct mm *mm = t->task->mm;
	struct linux_rt_sigframe f;
	uint8_t fpimg[FPSTATE_SIZE];
	uint64_t sp = u->rsp - REDZONE, fp, frame;
	bool on_alt = sigframe_on_altstack(t, u->rsp);

	/* x86_64 has no kernel-provided trampoline: libc's restorer it is. */
	if (!mm || !(sa->flags & SA_RESTORER))
		return -EFAULT;
	if ((sa->flags & SA_ONSTACK) && t->altstack_size && !on_alt) {
		sp = t->altstack_sp + t->altstack_size;
		on_alt = true;
	}
	fp = ALIGN_DOWN(sp - FPSTATE_SIZE, 64);
	frame = ALIGN_DOWN(fp - sizeof(f), 16) - 8;
	/* A frame that overflows the alternate stack is a bad stack. */
	if (on_alt && !sigframe_on_altstack(t, frame))
		return -EFAULT;

	/* A state the HAL is still to load (a sigreturn or another frame
	 * in this same return) is the thread's; otherwise ask the HAL. */
	if (!u->fpu_valid && (!t->ht || hal_uctx_fpu_sync(t->ht) != 0))
		fpu_init_image(u->fpu);
	memcpy(fpimg, u->fpu, sizeof(fpimg));
	/* The software-reserved words carry XSAVE magic on Linux; this
	 * frame is plain FXSAVE, so they must not look like it. */
	memset(fpimg + offsetof(struct linux_fpstate, sw_reserved), 0,
	       sizeof(((struct linux_fpstate *)0)->sw_reserved));

	memset(&f, 0, sizeof(f));
	f.pretcode = sa->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	altstack_save(t, u->rsp, &f.uc.uc_stack);
	fill_sigcontext(u, ks, saved_mask, fp, &f.uc.uc_mcontext);
	f.uc.uc_sigmask = saved_mask;
	if (sa->flags & SA_SIGINFO)
		f.info = ks->info;

	if (vm_write(mm, fp, fpimg, sizeof(fpimg), false) ||
	    vm_write(mm, frame, &f, sizeof(f), false))
		return -EFAULT;

	u->rdi = (uint64_t)sig;
	u->rsi = frame + offsetof(struct linux_rt_sigframe, info);
	u->rdx = frame + offsetof(struct linux_rt_sigframe, uc);
	u->rax = 0;
	u->rsp = frame;
	u->rip = sa->handler;
	u->rflags &= ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	u->orig_rax = (uint64_t)-1;
	fpu_init_image(u->fpu);
	u->fpu_valid = true;
	if (t->altstack_flags & SS_AUTODISARM) {
		t->altstack_sp = 0;
		t->altstack_size = 0;
		t->altstack_flags = 0;
	}
	return 0;
}

/* sigaltstack(2)'s rules, for the stack a frame restores; errors are
 * ignored there as on Linux. */
static void altstack_restore(struct thread *t, const struct linux_stack *st)
{
	int mode = st->ss_flags & ~(int32_t)SS_AUTODISARM;

	if (sigframe_on_altstack(t, t->uctx.rsp))
		return;
	if (mode == SS_DISABLE) {
		t->altstack_sp = 0;
		t->altstack_size = 0;
		t->altstack_flags = 0;
		return;
	}
	if ((mode != 0 && mode != SS_ONSTACK) || st->ss_size < MINSIGSTKSZ)
		return;
	t->altstack_sp = st->ss_sp;
	t->altstack_size = st->ss_size;
	t->altstack_flags = st->ss_flags & (int32_t)SS_AUTODISARM;
}

int sigframe_return(struct thread *t)
{
	struct hal_uctx *u = &t->uctx;
	struct mm *mm = t->task->mm;
	struct linux_rt_sigframe f;
	struct linux_sigcontext *sc = &f.uc.uc_mcontext;
	struct linux_fpstate fp;

	if (!mm || vm_read(mm, &f, u->rsp - 8, sizeof(f)))
		return -EFAULT;
	if (sc->fpstate) {
		if (vm_read(mm, &fp, sc->fpstate, sizeof(fp)))
			return -EFAULT;
		fp.mxcsr &= MXCSR_VALID;
		memcpy(u->fpu, &fp, sizeof(fp));
	} else {
		fpu_init_image(u->fpu);
	}
	u->fpu_valid = true;

	u->r8 = sc->r8;
	u->r9 = sc->r9;
	u->r10 = sc->r10;
	u->r11 = sc->r11;
	u->r12 = sc->r12;
	u->r13 = sc->r13;
	u->r14 = sc->r14;
	u->r15 = sc->r15;
	u->rdi = sc->rdi;
	u->rsi = sc->rsi;
	u->rbp = sc->rbp;
	u->rbx = sc->rbx;
	u->rdx = sc->rdx;
	u->rax = sc->rax;
	u->rcx = sc->rcx;
	u->rsp = sc->rsp;
	u->rip = sc->rip;
	u->rflags = (u->rflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	u->orig_rax = (uint64_t)-1;

	t->sigmask = f.uc.uc_sigmask & ~SIG_UNBLOCKABLE;
	signal_mask_changed(t);
	altstack_restore(t, &f.uc.uc_stack);
	return 0;
}
