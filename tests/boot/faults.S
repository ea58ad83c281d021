/*
 * faults: a tiny static guest (no libc) that makes one CPU fault, chosen
 * by the first letter of argv[1], and exits 0 if it survives:
 *   null   read address 0          (SIGSEGV)
 *   write  write to its own code   (SIGSEGV)
 *   ud     ud2                     (SIGILL)
 *   div    divide by zero          (SIGFPE)
 *   bp     int3                    (SIGTRAP)
 *   gp     hlt in user mode        (SIGSEGV)
 *   kjump  jump into the kernel half (SIGSEGV)
 *   ok     no fault: exit(0)
 * Built with -nostdlib -static; runs the same on Linux and on Ember.
 */
	.text
	.globl _start
_start:
	mov (%rsp), %rcx		/* argc */
	cmp $2, %rcx
	jb do_null
	mov 16(%rsp), %rsi		/* argv[1] */
	movzbl (%rsi), %eax
	cmp $'n', %al
	je do_null
	cmp $'w', %al
	je do_write
	cmp $'u', %al
	je do_ud
	cmp $'d', %al
	je do_div
	cmp $'b', %al
	je do_bp
	cmp $'g', %al
	je do_gp
	cmp $'k', %al
	je do_kjump
	jmp do_exit

do_null:
	mov 0, %rax
	jmp do_exit
do_write:
	lea _start(%rip), %rdi
	movb $0x90, (%rdi)
	jmp do_exit
do_ud:
	ud2
do_div:
	xor %edx, %edx
	mov $1, %eax
	xor %ecx, %ecx
	div %ecx
	jmp do_exit
do_bp:
	int3
	jmp do_exit
do_gp:
	hlt
do_kjump:
	movabs $0xffffffff80100000, %rax
	jmp *%rax
do_exit:
	mov $60, %eax			/* exit(0) */
	xor %edi, %edi
	syscall
	ud2

	.section .note.GNU-stack, "", @progbits
