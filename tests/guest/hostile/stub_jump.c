/*
 * Hostile guest: jumps into the stub's own code at 0x7fff00000000, to
 * the `syscall; int3` the hosted HAL uses for its host syscalls, with the
 * registers of mkdir(argv[1]), a host path outside --root. Under ptrace
 * SYSEMU every syscall instruction traps into Ember, whoever's code it
 * is: the mkdir is the guest's, resolved inside --root (ENOENT), and the
 * int3 after it (or a fault, if the stub is not executable from here)
 * kills the guest. run-hostile.sh checks that the directory does not
 * exist on the host.
 * HOSTILE_EXPECT: signal TRAP SEGV ILL BUS
 * HOSTILE_ARGS: @OUTSIDE@/made-by-stub-jump
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostile.h"

#define STUB 0x7fff00000000ULL
/* stub_syscall: the second 64-byte block of the stub's code page. */
#define STUB_SYSCALL (STUB + 0x40)

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/nonexistent/made-by-stub";

	expect_errno("mkdir of the host path through libc", mkdir(path, 0700),
		     ENOENT, 0);
	pass("jumping to the stub's syscall at %#llx",
	     (unsigned long long)STUB_SYSCALL);
	fflush(stdout);
	__asm__ volatile("mov %0, %%rdi\n\t"
			 "mov $0700, %%esi\n\t"
			 "mov %1, %%eax\n\t"
			 "jmp *%2\n\t"
			 :
			 : "r"(path), "i"(SYS_mkdir), "r"(STUB_SYSCALL)
			 : "rdi", "rsi", "rax", "memory");
	failf("the jump came back");
	return hostile_exit();
}
