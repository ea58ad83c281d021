/*
 * Hostile guest: ptrace is how the hosted kernel controls its guests; a
 * guest gets none of it: PTRACE_TRACEME, ATTACH and SEIZE give ENOSYS
 * (or EPERM), whoever the target.
 * HOSTILE_EXPECT: exit 0
 */
#define _GNU_SOURCE
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostile.h"

static long pt(long req, long pid)
{
	return syscall(SYS_ptrace, req, pid, 0, 0);
}

int main(void)
{
	char what[64];
	long pids[] = { getpid(), 1 };

	expect_errno("ptrace(PTRACE_TRACEME)", pt(PTRACE_TRACEME, 0), ENOSYS,
		     EPERM, 0);
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		snprintf(what, sizeof(what), "ptrace(PTRACE_ATTACH, %ld)",
			 pids[i]);
		expect_errno(what, pt(PTRACE_ATTACH, pids[i]), ENOSYS, EPERM,
			     0);
		snprintf(what, sizeof(what), "ptrace(PTRACE_SEIZE, %ld)",
			 pids[i]);
		expect_errno(what, pt(0x4206, pids[i]), ENOSYS, EPERM, 0);
	}
	expect_errno("ptrace(PTRACE_PEEKDATA, 1)",
		     syscall(SYS_ptrace, PTRACE_PEEKDATA, 1, 0x7fff00000000L,
			     0),
		     ENOSYS, EPERM, 0);
	return hostile_exit();
}
