/*
 * entry.S: the machine-level edges of the bare-metal HAL. The PVH note and
 * 32-bit entry QEMU jumps to, the switch to long mode on boot page tables
 * (identity, direct map and the higher-half image, all with 2 MiB pages),
 * the exception/interrupt stubs and the `syscall` entry (both build a
 * struct trap_frame on the kernel stack and call trap_entry), and the way
 * back to user mode (iretq). Relies on linker.ld's section placement.
 */
#define KERNEL_VMA 0xffffffff80000000
#define SEL_KCODE 0x10
#define SEL_KDATA 0x18
#define SEL_UDATA 0x2b
#define SEL_UCODE 0x33
#define VEC_SYSCALL 0x100

/* ------------------------------------------------------------------ */
/* PVH: XEN_ELFNOTE_PHYS32_ENTRY (18), the 32-bit physical entry.       */
	.section .note.Xen, "a", @note
	.p2align 2
	.long 4		/* name size: "Xen\0" */
	.long 8		/* descriptor size */
	.long 18	/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.p2align 2
	.quad pvh_entry
	.p2align 2

/* ------------------------------------------------------------------ */
/* 32-bit protected mode, paging off, %ebx = start info (physical).     */
	.section .boot.text, "ax"
	.code32
	.globl pvh_entry
pvh_entry:
	cli
	cld
	mov %ebx, %esi

	/* Long mode is required; with nothing to print on, just stop. */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode
	mov %edx, %ebp		/* bit 20: NX */

	/* The boot page tables live in .boot.bss, which nobody zeroed. */
	mov $boot_tables, %edi
	mov $(boot_tables_end - boot_tables) / 4, %ecx
	xor %eax, %eax
	rep stosl

	/* Four page directories: 2 MiB pages over the first 4 GiB. */
	mov $boot_pd, %edi
	mov $0x83, %eax		/* present, writable, 2 MiB */
	xor %edx, %edx
	mov $2048, %ecx
1:	mov %eax, (%edi)
	mov %edx, 4(%edi)
	add $0x200000, %eax
	adc $0, %edx
	add $8, %edi
	loop 1b

	/* PDPT for the identity map and the direct map: 4 GiB. */
	mov $boot_pdpt, %edi
	mov $boot_pd + 3, %eax
	mov %eax, 0(%edi)
	add $4096, %eax
	mov %eax, 8(%edi)
	add $4096, %eax
	mov %eax, 16(%edi)
	add $4096, %eax
	mov %eax, 24(%edi)

	/* PDPT for the top 2 GiB: the image at KERNEL_VMA = phys 0. */
	mov $boot_pdpt_hi, %edi
	mov $boot_pd + 3, %eax
	mov %eax, 510 * 8(%edi)
	add $4096, %eax
	mov %eax, 511 * 8(%edi)

	mov $boot_pml4, %edi
	mov $boot_pdpt + 3, %eax
	mov %eax, 0(%edi)		/* identity, until the jump up */
	mov %eax, 256 * 8(%edi)		/* direct map at DMAP_BASE */
	mov $boot_pdpt_hi + 3, %eax
	mov %eax, 511 * 8(%edi)
	mov %edi, %cr3

	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4

	mov $0xc0000080, %ecx		/* EFER */
	rdmsr
	or $0x100, %eax			/* LME */
	bt $20, %ebp
	jnc 2f
	or $0x800, %eax			/* NXE */
2:	wrmsr

	mov %cr0, %eax
	or $0x80010001, %eax		/* PG, WP, PE */
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $SEL_KCODE, $start64_low

no_long_mode:
	hlt
	jmp no_long_mode

	.code64
start64_low:
	mov $SEL_KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov %esi, %r12d			/* start info, zero-extended */
	movabs $start64, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.p2align 3
boot_gdt:
	.quad 0
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x10: kernel code, 64-bit */
	.quad 0x00cf92000000ffff	/* 0x18: kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .boot.bss, "aw", @nobits
	.p2align 12
boot_tables:
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pdpt_hi:	.skip 4096
boot_pd:	.skip 4 * 4096
boot_tables_end:

/* ------------------------------------------------------------------ */
/* 64-bit, higher half.                                                 */
	.text
start64:
	/* QEMU's loader zero-fills .bss, but do not count on a loader. */
	lea __bss_start(%rip), %rdi
	lea __bss_end(%rip), %rcx
	sub %rdi, %rcx
	shr $3, %rcx
	xor %eax, %eax
	rep stosq

	lea bm_kstack_top(%rip), %rsp
	xor %ebp, %ebp
	mov %r12, %rdi
	call hal_start
1:	hlt
	jmp 1b

/* ------------------------------------------------------------------ */
/* Exception and interrupt stubs: one per vector. Each                  */
/* pushes an error code (the CPU's, or 0) and its vector; isr_table     */
/* holds their addresses.                                               */
#define HAS_ERROR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || \
		      (v) == 13 || (v) == 14 || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)

	.section .rodata
	.p2align 3
	.globl isr_table
isr_table:
	.text
	.set vec, 0
	.rept 256
	.p2align 4
1:
	.if HAS_ERROR(vec) == 0
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.pushsection .rodata
	.quad 1b
	.popsection
	.set vec, vec + 1
	.endr

#define PUSH_GPRS \
	push %rdi; push %rsi; push %rdx; push %rcx; push %rax; \
	push %r8; push %r9; push %r10; push %r11; push %rbx; \
	push %rbp; push %r12; push %r13; push %r14; push %r15

#define POP_GPRS \
	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; \
	pop %rbx; pop %r11; pop %r10; pop %r9; pop %r8; \
	pop %rax; pop %rcx; pop %rdx; pop %rsi; pop %rdi

/* Stack: vector, error, rip, cs, rflags, rsp, ss. */
isr_common:
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	PUSH_GPRS
	cld
	mov %rsp, %rdi
	/* rsp is 16-byte aligned here: the CPU aligned it before its 5
	 * words, and we pushed 17 more. */
	call trap_entry
	/* Only traps taken in kernel mode come back here. */
	POP_GPRS
	add $16, %rsp
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

/* ------------------------------------------------------------------ */
/* syscall: rcx = user rip, r11 = user rflags, rsp still the user's,    */
/* IF/TF/DF/AC cleared by SFMASK.                                       */
	.globl syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:8
	mov %gs:0, %rsp
	pushq $SEL_UDATA		/* ss */
	pushq %gs:8			/* rsp */
	push %r11			/* rflags */
	pushq $SEL_UCODE		/* cs */
	push %rcx			/* rip */
	push %rax			/* error slot: orig_rax */
	pushq $VEC_SYSCALL
	PUSH_GPRS
	mov %rsp, %rdi
	call trap_entry
	ud2

/* ------------------------------------------------------------------ */
/* void enter_user_frame(struct trap_frame *f): loads every register    */
/* from f (cs, ss and rflags already checked by the caller) and iretqs. */
/* MSR_KERNEL_GS_BASE already holds the user's gs base.                 */
	.globl enter_user_frame
enter_user_frame:
	mov %rdi, %rsp
	POP_GPRS
	add $16, %rsp
	swapgs
	iretq

/* ------------------------------------------------------------------ */
	.bss
	.p2align 12
	.globl bm_kstack_guard, bm_kstack_top
bm_kstack_guard:
	.skip 4096			/* unmapped by mmu_init */
	.skip 64 * 1024
bm_kstack_top:

	.section .note.GNU-stack, "", @progbits
