/*
 * Hostile guest: every `syscall` instruction (bytes 0f 05, at any offset,
 * aligned or not) in the first two pages of the hosted stub's code at
 * 0x7fff00000000 is jumped to from a forked child with the registers of
 * an attack: mmap(MAP_SHARED|MAP_FIXED) of fd 3 (the kernel's memory
 * file inside a stub) over a page of the child's, and mkdir of a host
 * path outside --root. Whatever stub code runs after the jump, the child
 * ends in a signal handler (a fault or its 0.3 s timer) that checks that the
 * page still holds what the child wrote: a host mmap would have replaced
 * it. run-hostile.sh checks that the directory was not made. Under ptrace
 * every syscall instruction traps into Ember; under systrap the filter
 * of a guest thread lets only harmless calls through from the stub.
 * HOSTILE_EXPECT: exit 0
 * HOSTILE_ARGS: @OUTSIDE@/made-by-stub-syscalls
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

#define STUB 0x7fff00000000ULL
#define SCAN 0x2000

static volatile unsigned char *target;
static volatile int *report; /* shared with the parent: 1 intact, 2 replaced */

static void check(int sig)
{
	*report = (target[0] == 0xab && target[4095] == 0xab) ? 1 : 2;
	_exit(0);
}

static __attribute__((noreturn)) void attack(uint64_t at, int kind,
					     const char *path)
{
	static char altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa = { .sa_handler = check,
				.sa_flags = SA_ONSTACK | SA_NODEFER };
	static const int sigs[] = { SIGSEGV, SIGILL, SIGTRAP, SIGBUS,
				    SIGFPE,  SIGSYS, SIGALRM };

	sigaltstack(&ss, NULL);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	close(3);
	struct itimerval it = { .it_value = { 0, 300 * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	long nr = kind ? SYS_mkdir : SYS_mmap;
	long a0 = kind ? (long)path : (long)target;
	long a1 = kind ? 0700 : 4096;
	long a2 = PROT_READ | PROT_WRITE;
	register long r10 __asm__("r10") = MAP_SHARED | MAP_FIXED;
	register long r8 __asm__("r8") = 3;
	register long r9 __asm__("r9") = 0;
	__asm__ volatile("jmp *%[t]"
			 :
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10),
			   "r"(r8), "r"(r9), [t] "b"(at)
			 : "memory");
	__builtin_unreachable();
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/nonexistent/made-by-stub";
	const unsigned char *code = (const unsigned char *)STUB;
	int candidates = 0, replaced = 0, hung = 0;

	target = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	report = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (target == MAP_FAILED || report == MAP_FAILED) {
		failf("mmap of the test pages");
		return hostile_exit();
	}
	memset((void *)target, 0xab, 4096);
	for (uint64_t off = 0; off + 1 < SCAN; off++) {
		if (code[off] != 0x0f || code[off + 1] != 0x05)
			continue;
		candidates++;
		for (int kind = 0; kind < 2; kind++) {
			*report = 0;
			pid_t pid = fork();
			if (pid == 0)
				attack(STUB + off, kind, path);
			int status, waited = 0;
			while (waitpid(pid, &status, WNOHANG) == 0) {
				struct timespec ts = { 0, 10 * 1000 * 1000 };
				if (++waited == 500) {
					kill(pid, SIGKILL);
					hung++;
				}
				nanosleep(&ts, NULL);
			}
			if (*report == 2) {
				failf("a host mmap ran from the stub's syscall at %#llx",
				      (unsigned long long)(STUB + off));
				replaced++;
			}
		}
	}
	if (candidates == 0)
		failf("no syscall instruction found in the stub's code");
	else if (!replaced)
		pass("none of the stub's %d syscall instructions mapped the memory file for the guest",
		     candidates);
	if (hung)
		failf("%d attacks hung (killed after 5 s)", hung);
	struct stat st;
	if (stat(path, &st) == 0)
		failf("the directory outside the root was made");
	else
		pass("mkdir through the stub's syscalls made nothing outside the root");
	return hostile_exit();
}
