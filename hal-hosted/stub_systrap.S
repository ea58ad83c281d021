/*
 * The systrap platform's stub code (systrap.c copies it to ST_BASE in
 * every stub; it runs only there, with no libc and no stack but the
 * slot's alternate signal stack). Three parts:
 *  - st_entry: unmaps the host's leftovers, starts the mapper thread and
 *    makes the first thread a guest thread (thread_init).
 *  - the mapper: the only thread whose seccomp filter lets mmap of the
 *    memory file, munmap, mprotect and clone through. Woken by a byte on
 *    the doorbell pipe, it executes the kernel's commands from the
 *    read-only command page and answers on the reply pipe; it keeps all
 *    state in registers.
 *  - st_handler: the signal handler of the guest threads (SIGSYS from
 *    the seccomp filter, faults, SIGURG for preemption). It saves the
 *    frame's registers in the thread's shared page, tells the kernel
 *    (eventfd), waits on a futex for the answer and returns through
 *    rt_sigreturn with the registers the kernel wrote.
 */
#include "systrap.h"

#define SYS_write 1
#define SYS_mmap 9
#define SYS_munmap 11
#define SYS_rt_sigprocmask 14
#define SYS_rt_sigreturn 15
#define SYS_getpid 39
#define SYS_clone 56
#define SYS_exit 60
#define SYS_sigaltstack 131
#define SYS_arch_prctl 158
#define SYS_gettid 186
#define SYS_futex 202
#define SYS_tgkill 234
#define SYS_exit_group 231
#define SYS_seccomp 317

	.section .rodata
	.globl st_code_start, st_code_end, st_entry_off, st_handler_off
	.globl st_restorer_off
	.balign 4096
st_code_start:
	/* A jump to the start of the stub traps (int3) at once. */
	.fill 256, 1, 0xcc

st_entry:
	/* rsp: top of slot 0's alternate stack. */
	mov	$SYS_munmap, %eax
	xor	%edi, %edi
	movabs	$ST_BASE, %rsi
	syscall
	mov	$SYS_munmap, %eax
	movabs	$ST_END, %rdi
	movabs	$(ST_HOST_END - ST_END), %rsi
	syscall
	mov	$SYS_clone, %eax
	mov	$ST_THREAD_FLAGS, %edi
	movabs	$ST_MSTACK_TOP, %rsi
	xor	%edx, %edx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	syscall
	test	%rax, %rax
	jz	mapper
	js	bad
	xor	%r15d, %r15d
	jmp	thread_init

/* ---- the mapper ---- */
mapper:
	/* No signal handler ever runs on the mapper (its stack is writable
	 * by the guest threads). */
	mov	$SYS_rt_sigprocmask, %eax
	mov	$2, %edi		/* SIG_SETMASK */
	lea	st_allsigs(%rip), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	syscall
	mov	$SYS_seccomp, %eax
	mov	$1, %edi		/* SECCOMP_SET_MODE_FILTER */
	xor	%esi, %esi
	movabs	$(ST_CFG + ST_CFG_MAPPER_PROG), %rdx
	syscall
	test	%rax, %rax
	jnz	bad
	movabs	$ST_CTL, %r12
	xor	%r14d, %r14d		/* last command done */
mloop:
	mov	CMD_SEQ(%r12), %eax
	cmp	%eax, %r14d
	jne	mcmd
	/* Sleep on the doorbell pipe: a pipe write wakes us as a "sync"
	 * wake-up, on the CPU of the kernel that then waits for us. */
	sub	$16, %rsp
	xor	%eax, %eax		/* SYS_read */
	mov	$ST_FD_DOOR, %edi
	mov	%rsp, %rsi
	mov	$16, %edx
	syscall
	add	$16, %rsp
	test	%rax, %rax
	jz	bad			/* the kernel closed it: the space is gone */
	jmp	mloop
mcmd:
	mov	%eax, %r14d
	mov	CMD_NR(%r12), %rax
	mov	CMD_ARGS(%r12), %rdi
	mov	CMD_ARGS+8(%r12), %rsi
	mov	CMD_ARGS+16(%r12), %rdx
	mov	CMD_ARGS+24(%r12), %r10
	mov	CMD_ARGS+32(%r12), %r8
	mov	CMD_ARGS+40(%r12), %r9
	cmp	$CMD_CLONE, %rax
	je	mclone
	cmp	$CMD_TGKILL, %rax
	je	mtgkill
	syscall
	jmp	mreply
mclone:
	/* a0 slot (kept in r15 for the child), a1 stack, a2 ctid word */
	mov	%rdi, %r15
	mov	%rdx, %r10
	xor	%edx, %edx
	xor	%r8d, %r8d
	mov	$(ST_THREAD_FLAGS | ST_CLONE_TIDS), %edi
	mov	$SYS_clone, %eax
	syscall
	test	%rax, %rax
	jz	thread_init
	jmp	mreply
mtgkill:
	/* Only threads of this very process: tgkill(getpid(), tid, sig). */
	mov	%rsi, %rdx
	mov	%rdi, %rsi
	mov	$SYS_getpid, %eax
	syscall
	mov	%rax, %rdi
	mov	$SYS_tgkill, %eax
	syscall
mreply:
	push	%rax
	push	%r14
	mov	$SYS_write, %eax
	mov	$ST_FD_REPLY, %edi
	mov	%rsp, %rsi
	mov	$16, %edx
	syscall
	add	$16, %rsp
	jmp	mloop

/* ---- a new guest thread: r15 = slot, rsp = top of its alt stack ---- */
thread_init:
	/* A clone of the mapper starts with every signal blocked. */
	mov	$SYS_rt_sigprocmask, %eax
	mov	$2, %edi
	lea	st_nosigs(%rip), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	syscall
	lea	1(%r15), %rbx
	shl	$12, %rbx
	movabs	$ST_CTL, %rax
	add	%rax, %rbx
	mov	$SYS_gettid, %eax
	syscall
	mov	%eax, PG_TID(%rbx)
	mov	%r15, %rax
	shl	$ST_ALT_SHIFT, %rax
	movabs	$ST_ALT, %rcx
	add	%rcx, %rax
	push	$ST_ALT_SIZE
	push	$0
	push	%rax
	mov	$SYS_sigaltstack, %eax
	mov	%rsp, %rdi
	xor	%esi, %esi
	syscall
	add	$24, %rsp
	test	%rax, %rax
	jnz	bad
	mov	$SYS_seccomp, %eax
	mov	$1, %edi
	xor	%esi, %esi
	movabs	$(ST_CFG + ST_CFG_GUEST_PROG), %rdx
	syscall
	test	%rax, %rax
	jnz	bad
	/* The first stop: the handler sees this SIGILL, marks the thread
	 * ST_STOPPED and waits for its first registers. */
st_init_ud2:
	ud2

bad:
	mov	$SYS_exit_group, %eax
	mov	$126, %edi
	syscall
	ud2

/* ---- the signal handler: edi signo, rsi siginfo, rdx ucontext ---- */
st_handler:
	mov	%rsp, %rax
	movabs	$ST_ALT, %rcx
	sub	%rcx, %rax
	jb	bad
	shr	$ST_ALT_SHIFT, %rax
	cmp	$ST_SLOTS, %rax
	jae	bad
	lea	1(%rax), %rbx
	shl	$12, %rbx
	movabs	$ST_CTL, %rax
	add	%rax, %rbx		/* rbx: the thread's page */
	mov	%rdx, %r12		/* r12: ucontext */
	mov	%edi, %r14d
	mov	%rsi, %r15
	xor	%r13d, %r13d		/* r13: 1 for the first stop */
	cmp	$4, %edi		/* SIGILL */
	jne	1f
	lea	st_init_ud2(%rip), %rax
	cmp	40+16*8(%r12), %rax	/* uc_mcontext.rip */
	jne	1f
	mov	$1, %r13d
1:	mov	%r14, PG_SIGNO(%rbx)
	movslq	8(%r15), %rax
	mov	%rax, PG_CODE(%rbx)
	mov	16(%r15), %rax
	mov	%rax, PG_ADDR(%rbx)
	mov	24(%r15), %rax
	mov	%rax, PG_SYSNR(%rbx)
	lea	40(%r12), %rsi
	lea	PG_GREGS(%rbx), %rdi
	mov	$23, %ecx
	rep movsq
	mov	40+23*8(%r12), %rsi	/* fpstate */
	test	%rsi, %rsi
	jz	2f
	lea	PG_FPU(%rbx), %rdi
	mov	$64, %ecx
	rep movsq
2:	movabs	$ST_CFG, %rax
	cmpq	$0, ST_CFG_FSGSBASE(%rax)
	je	3f
	rdfsbase %rax
	mov	%rax, PG_FS(%rbx)
	rdgsbase %rax
	mov	%rax, PG_GS(%rbx)
3:	test	%r13d, %r13d
	jnz	4f
	movl	$ST_TRAPPED, PG_STATE(%rbx)
	mov	$SYS_write, %eax
	mov	$ST_FD_EVENT, %edi
	lea	st_one(%rip), %rsi
	mov	$8, %edx
	syscall
	jmp	wait
4:	movl	$ST_STOPPED, PG_STATE(%rbx)
	mov	$SYS_futex, %eax
	lea	PG_STATE(%rbx), %rdi
	mov	$1, %esi		/* FUTEX_WAKE */
	mov	$1, %edx
	syscall
wait:
	mov	PG_STATE(%rbx), %edx
	cmp	$ST_RESUME, %edx
	je	resume
	cmp	$ST_EXIT, %edx
	je	do_exit
	mov	$SYS_futex, %eax
	lea	PG_STATE(%rbx), %rdi
	xor	%esi, %esi		/* FUTEX_WAIT */
	xor	%r10d, %r10d
	syscall
	jmp	wait
resume:
	/* r8 .. eflags: the first 18 qwords of the sigcontext */
	lea	PG_GREGS(%rbx), %rsi
	lea	40(%r12), %rdi
	mov	$18, %ecx
	rep movsq
	mov	PG_FLAGS(%rbx), %r13d
	test	$PGF_FPU, %r13d
	jz	5f
	mov	40+23*8(%r12), %rdi
	test	%rdi, %rdi
	jz	5f
	mov	%rdi, %r14
	lea	PG_FPU(%rbx), %rsi
	mov	$64, %ecx
	rep movsq
	/* An XSAVE frame: mark x87 and SSE as present in XSTATE_BV. */
	cmpl	$0x46505853, 464(%r14)
	jne	5f
	orq	$3, 512(%r14)
5:	test	$PGF_FSGS, %r13d
	jz	7f
	movabs	$ST_CFG, %rax
	cmpq	$0, ST_CFG_FSGSBASE(%rax)
	je	6f
	mov	PG_FS(%rbx), %rax
	wrfsbase %rax
	mov	PG_GS(%rbx), %rax
	wrgsbase %rax
	jmp	7f
6:	mov	$SYS_arch_prctl, %eax
	mov	$0x1002, %edi		/* ARCH_SET_FS */
	mov	PG_FS(%rbx), %rsi
	syscall
	mov	$SYS_arch_prctl, %eax
	mov	$0x1001, %edi		/* ARCH_SET_GS */
	mov	PG_GS(%rbx), %rsi
	syscall
7:	movl	$ST_RUNNING, PG_STATE(%rbx)
	ret
do_exit:
	mov	$SYS_exit, %eax
	xor	%edi, %edi
	syscall
	ud2

st_restorer:
	mov	$SYS_rt_sigreturn, %eax
	syscall
	ud2

	.balign 8
st_one:
	.quad	1
st_allsigs:
	.quad	-1
st_nosigs:
	.quad	0
st_code_end:
	.balign 8
st_entry_off:
	.quad	st_entry - st_code_start
st_handler_off:
	.quad	st_handler - st_code_start
st_restorer_off:
	.quad	st_restorer - st_code_start
	.section .note.GNU-stack,"",@progbits
