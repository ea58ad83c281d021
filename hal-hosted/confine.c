/*
 * Confinement of the stubs. A stub runs in user, mount, network, IPC and
 * UTS namespaces of its own run (made once by a holder process and
 * joined by every stub, since making a network namespace costs about
 * 2 ms a fork) and a fresh PID namespace (when the host allows it; else
 * each stub makes all six, or none with a warning) and, before
 * it runs any guest code, loads a libseccomp allowlist of the few host
 * syscalls the kernel ever makes it execute: mmap of the memory file,
 * munmap, mprotect, clone of a thread, exit. Guest syscalls never run on
 * the host at all (PTRACE_SYSEMU stops them first); the filter is the
 * second wall should anything ever let one through.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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

/* The run's shared namespaces, joined in this order: the user namespace
 * last, so the stub holds no host privilege once it is in. */
static const int shared_ns_types[] = { CLONE_NEWNS, CLONE_NEWNET,
				       CLONE_NEWIPC, CLONE_NEWUTS,
				       CLONE_NEWUSER };
static const char *const shared_ns_names[] = { "mnt", "net", "ipc", "uts",
					       "user" };
#define NSHARED (sizeof(shared_ns_types) / sizeof(shared_ns_types[0]))
static int shared_ns_fds[NSHARED];
static bool shared_ns_ready;
static int stub_filter_compile(void);

/* In a new child: joins the run's namespaces. 0 or -1. */
static int join_shared_ns(void)
{
	for (size_t i = 0; i < NSHARED; i++)
		if (setns(shared_ns_fds[i], shared_ns_types[i]) < 0)
			return -1;
	return 0;
}

/*
 * Makes the holder: a child in new user/mount/net/IPC/UTS namespaces
 * that only waits for the kernel to die (PDEATHSIG), so the namespaces
 * live as long as the run. Then checks that a child can join them (the
 * host may allow making namespaces but not joining them); on any failure
 * confine_fork makes per-stub namespaces as before.
 */
static void shared_ns_setup(void)
{
	int status, n = 0;
	char path[64];
	pid_t holder, probe, parent = getpid();

	holder = (pid_t)syscall(SYS_clone, SIGCHLD | CLONE_NEWUSER |
						   CLONE_NEWNS | CLONE_NEWNET |
						   CLONE_NEWIPC | CLONE_NEWUTS,
				0, 0, 0, 0);
	if (holder < 0)
		return;
	if (holder == 0) {
		/* No fd at all: a holder keeping ember's stdout open would
		 * keep whoever reads it waiting. And if ember died before
		 * PDEATHSIG was set, the signal never comes: leave now. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		syscall(SYS_close_range, 0, ~0U, 0);
		if (getppid() != parent)
			_exit(0);
		for (;;)
			pause();
	}
	for (; n < (int)NSHARED; n++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", holder,
			 shared_ns_names[n]);
		shared_ns_fds[n] = open(path, O_RDONLY | O_CLOEXEC);
		if (shared_ns_fds[n] < 0)
			break;
	}
	if (n == (int)NSHARED) {
		probe = (pid_t)syscall(SYS_clone, SIGCHLD | CLONE_NEWPID, 0, 0,
				       0, 0);
		if (probe == 0)
			_exit(join_shared_ns() == 0 ? 0 : 1);
		if (probe > 0 && waitpid(probe, &status, 0) == probe &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			shared_ns_ready = true;
			return;
		}
	}
	while (n-- > 0)
		close(shared_ns_fds[n]);
	kill(holder, SIGKILL);
	waitpid(holder, &status, 0);
}

pid_t confine_fork(void)
{
	static bool setup_done;

	if (!setup_done) {
		setup_done = true;
		shared_ns_setup();
		if (stub_filter_compile() < 0)
			fprintf(stderr, "ember: cannot compile the stub's seccomp "
					"filter\n");
	}
	if (shared_ns_ready) {
		long pid = syscall(SYS_clone, SIGCHLD | CLONE_NEWPID, 0, 0, 0, 0);

		if (pid == 0 && join_shared_ns() < 0)
			_exit(127);
		if (pid >= 0)
			return (pid_t)pid;
	}
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

static int stub_filter_build(scmp_filter_ctx ctx)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 2,
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
	return rc;
}

/*
 * The stub's filter is compiled once, in the kernel process, into a BPF
 * program; a new stub only hands that program to seccomp(2). Loading it
 * with libseccomp inside the stub would free libseccomp's buffers after
 * the filter is on, and a free that returns memory to the host (madvise,
 * brk: ASan's quarantine did, about once in a few thousand forks) is a
 * syscall the filter kills the stub for.
 */
static struct sock_filter *stub_bpf;
static unsigned short stub_bpf_len;

static int stub_filter_compile(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int fd = -1, rc = -ENOMEM;
	off_t size;

	if (!ctx)
		return rc;
	rc = stub_filter_build(ctx);
	if (!rc) {
		fd = memfd_create("stub-bpf", MFD_CLOEXEC);
		rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	}
	seccomp_release(ctx);
	if (rc)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	rc = -EINVAL;
	if (size <= 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > 0xffff)
		goto out;
	stub_bpf = malloc((size_t)size);
	rc = -ENOMEM;
	if (!stub_bpf)
		goto out;
	rc = -EIO;
	if (pread(fd, stub_bpf, (size_t)size, 0) != size)
		goto out;
	stub_bpf_len = (unsigned short)(size / sizeof(struct sock_filter));
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int confine_stub_seccomp(void)
{
	struct sock_fprog prog;

	if (!stub_bpf)
		return -EINVAL;
	prog.len = stub_bpf_len;
	prog.filter = stub_bpf;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}

/*
 * The kernel process's own allowlist, loaded once start-up is over: what
 * the hosted HAL, libuv, glibc and the stubs' start-up need, and nothing
 * else. Anything outside it fails with EPERM rather than killing the
 * kernel, so an unforeseen libc path degrades instead of losing every
 * guest's state. Sanitizer builds skip it (their runtimes need ptrace of
 * the kernel itself, /proc parsing and more).
 */
int confine_kernel(void)
{
#ifdef EMBER_SANITIZED
	return 0;
#else
	static const int allowed[] = {
		/* memory and process basics (glibc, libuv) */
		SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv),
		SCMP_SYS(writev), SCMP_SYS(close), SCMP_SYS(mmap),
		SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(madvise),
		SCMP_SYS(brk), SCMP_SYS(futex), SCMP_SYS(getpid),
		SCMP_SYS(gettid), SCMP_SYS(getrandom), SCMP_SYS(clock_gettime),
		SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
		SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
		SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(fcntl),
		SCMP_SYS(ioctl), SCMP_SYS(prlimit64), SCMP_SYS(sched_yield),
		SCMP_SYS(lseek), SCMP_SYS(dup), SCMP_SYS(dup3),
		/* the event loop */
		SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl),
		SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(poll),
		SCMP_SYS(ppoll), SCMP_SYS(pipe2), SCMP_SYS(eventfd2),
		SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
		SCMP_SYS(signalfd4),
		/* stubs: creating, tracing, ending them */
		SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(ptrace),
		SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(kill),
		SCMP_SYS(tgkill), SCMP_SYS(prctl), SCMP_SYS(setpgid),
		SCMP_SYS(dup2), SCMP_SYS(close_range), SCMP_SYS(seccomp),
		SCMP_SYS(rseq), SCMP_SYS(set_robust_list), SCMP_SYS(setns),
		/* systrap stubs inherit this filter: their handler sets the
		 * guest's fs/gs base where wrfsbase is missing */
		SCMP_SYS(arch_prctl),
		/* hostfs: *at() calls on handles under --root */
		SCMP_SYS(openat), SCMP_SYS(newfstatat), SCMP_SYS(fstat),
		SCMP_SYS(statx), SCMP_SYS(pread64), SCMP_SYS(pwrite64),
		SCMP_SYS(getdents64), SCMP_SYS(readlinkat), SCMP_SYS(mkdirat),
		SCMP_SYS(unlinkat), SCMP_SYS(renameat2), SCMP_SYS(symlinkat),
		SCMP_SYS(linkat), SCMP_SYS(ftruncate), SCMP_SYS(fchmod),
		SCMP_SYS(chmod), SCMP_SYS(fchmodat), SCMP_SYS(fchownat),
		SCMP_SYS(utimensat), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
		SCMP_SYS(mknodat), SCMP_SYS(fallocate),
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc = 0;

	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && !rc; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
#endif
}
