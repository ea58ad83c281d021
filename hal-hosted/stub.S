/*
 * The stub's code: one page copied into every stub process at STUB_BASE.
 * stub_entry runs once in the freshly forked child on the stub's own
 * stack: it unmaps everything of the host outside the stub range, then
 * traps (int3) so the kernel, its tracer, can take over. stub_syscall is
 * where the kernel points rip to make the stub execute a host syscall of
 * the kernel's choosing (mmap, munmap, mprotect); int3 hands it back.
 * Position independent: it runs at a different address than it is linked.
 */
	.section .rodata
	.globl stub_code_start, stub_code_end, stub_syscall_off
	.balign 4096
stub_code_start:
	/* rdi = STUB_BASE, rsi = stub end, rdx = host VA end */
	mov	%rdi, %r12
	mov	%rsi, %r13
	mov	%rdx, %r14
	mov	$11, %eax		/* munmap(0, STUB_BASE) */
	xor	%edi, %edi
	mov	%r12, %rsi
	syscall
	mov	$11, %eax		/* munmap(stub end, host end - stub end) */
	mov	%r13, %rdi
	mov	%r14, %rsi
	sub	%r13, %rsi
	syscall
	/* Hand over to the tracer: int3 stops us with SIGTRAP (a self-sent
	 * SIGSTOP would be ignored: the stub is init of its PID namespace). */
1:	int3
	jmp	1b
	.balign 64
stub_syscall:
	syscall
	int3
	.balign 64
stub_code_end:
	.balign 8
stub_syscall_off:
	.quad	stub_syscall - stub_code_start
	.section .note.GNU-stack,"",@progbits
