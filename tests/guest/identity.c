/*
 * Guest: who and where the process is. uname's sysname and machine (the
 * release, version and node name legitimately differ), pid/tid relations,
 * credentials consistent with each other, and RLIMIT_NOFILE, which the
 * runner sets to Linux's boot defaults (1024 soft, 4096 hard) for the
 * native run; Ember's first process starts with the same.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guest.h"

int main(void)
{
	struct utsname u;

	EXPECT_OK("uname", uname(&u));
	printf("sysname: %s\n", u.sysname);
	printf("machine: %s\n", u.machine);
	CHECK("nodename non-empty", u.nodename[0] != 0);
	CHECK("release non-empty", u.release[0] != 0);
	CHECK("release starts with a digit",
	      u.release[0] >= '0' && u.release[0] <= '9');

	pid_t pid = getpid();
	CHECK("getpid > 0", pid > 0);
	CHECK("getpid == gettid (single thread)",
	      pid == (pid_t)syscall(SYS_gettid));
	CHECK("getpid stable", getpid() == pid);
	pid_t ppid = getppid();
	CHECK("getppid >= 0", ppid >= 0);
	CHECK("getppid stable", getppid() == ppid);
	CHECK("getppid != getpid", ppid != pid);
	/* Inherited pgid and sid (0 for a kernel's first process). */
	CHECK("getpgrp >= 0", getpgrp() >= 0);
	CHECK("getpgid(0) == getpgrp()", getpgid(0) == getpgrp());
	CHECK("getsid(0) >= 0", getsid(0) >= 0);
	EXPECT_ERR("getpgid of no such process", getpgid(0x3fffffff), ESRCH);

	CHECK("getuid == geteuid", getuid() == geteuid());
	CHECK("getgid == getegid", getgid() == getegid());
	CHECK("raw getuid == getuid", (uid_t)syscall(SYS_getuid) == getuid());

	struct rlimit rl;
	EXPECT_OK("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &rl));
	printf("NOFILE soft %llu hard %llu\n", (unsigned long long)rl.rlim_cur,
	       (unsigned long long)rl.rlim_max);
	/* The soft limit bounds the descriptor numbers. */
	EXPECT_ERR("F_DUPFD from the soft limit",
		   fcntl(1, F_DUPFD, (long)rl.rlim_cur), EINVAL);
	EXPECT_ERR("dup2 to the soft limit", dup2(1, (int)rl.rlim_cur), EBADF);
	EXPECT_OK("getrlimit STACK", getrlimit(RLIMIT_STACK, &rl));
	CHECK("STACK soft <= hard", rl.rlim_cur <= rl.rlim_max);
	CHECK("STACK soft >= 128 KiB", rl.rlim_cur >= (128 << 10));
	EXPECT_OK("getrlimit AS", getrlimit(RLIMIT_AS, &rl));
	CHECK("AS soft <= hard", rl.rlim_cur <= rl.rlim_max);
	EXPECT_ERR("getrlimit bad resource", getrlimit(1000, &rl), EINVAL);

	/* Lowering and raising the soft NOFILE limit within the hard one. */
	EXPECT_OK("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &rl));
	struct rlimit lower = { .rlim_cur = 64, .rlim_max = rl.rlim_max };
	EXPECT_OK("setrlimit NOFILE soft 64", setrlimit(RLIMIT_NOFILE, &lower));
	EXPECT_ERR("dup2 to fd 64", dup2(1, 64), EBADF);
	EXPECT_OK("dup2 to fd 63", dup2(1, 63));
	close(63);
	struct rlimit bad = { .rlim_cur = rl.rlim_max + 1,
			      .rlim_max = rl.rlim_max };
	EXPECT_ERR("setrlimit soft > hard", setrlimit(RLIMIT_NOFILE, &bad),
		   EINVAL);
	EXPECT_OK("setrlimit NOFILE back", setrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_OK("dup2 to fd 64", dup2(1, 64));
	close(64);
	return guest_exit();
}
