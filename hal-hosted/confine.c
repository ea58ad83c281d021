/*
 * Confinement of the stubs. A stub is created in fresh user, PID, mount,
 * network, IPC and UTS namespaces (when the host allows it) and, before
 * it runs any guest code, loads a libseccomp allowlist of the few host
 * syscalls the kernel ever makes it execute: mmap of the memory file,
 * munmap, mprotect, clone of a thread, exit. Guest syscalls never run on
 * the host at all (PTRACE_SYSEMU stops them first); the filter is the
 * second wall should anything ever let one through.
 */
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hosted.h"

const unsigned long stub_thread_flags = CLONE_VM | CLONE_FS | CLONE_FILES |
					CLONE_SIGHAND | CLONE_THREAD |
					CLONE_SYSVSEM;

static const unsigned long ns_flags = CLONE_NEWUSER | CLONE_NEWPID |
				      CLONE_NEWNS | CLONE_NEWNET |
				      CLONE_NEWIPC | CLONE_NEWUTS;
static bool ns_unavailable;

pid_t confine_fork(void)
{
	if (!ns_unavailable) {
		long pid = syscall(SYS_clone, SIGCHLD | ns_flags, 0, 0, 0, 0);
		if (pid >= 0)
			return (pid_t)pid;
		ns_unavailable = true;
		fprintf(stderr,
			"ember: warning: no namespaces for guest stubs (%m); "
			"they run in the kernel's namespaces\n");
	}
	return fork();
}

int confine_stub_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = -ENOMEM;

	if (!ctx)
		return rc;
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 2,
			      SCMP_A3(SCMP_CMP_EQ, MAP_SHARED | MAP_FIXED),
			      SCMP_A4(SCMP_CMP_EQ, STUB_MEMFD));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(munmap), 0);
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 0);
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_EQ, stub_thread_flags));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}
