/*
 * Guest: credentials, limits, sessions and process attributes. The
 * set*id permission rules (run as root, then as ordinary users in forked
 * children), capget, supplementary groups, RLIMIT_NPROC for a non-root
 * user, setsid and setpgid rules, nice values, scheduling policies,
 * PR_SET_NAME, PR_SET_PDEATHSIG and PR_SET_CHILD_SUBREAPER. Needs to run
 * as root natively (the test runner does).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

struct cap_hdr {
	uint32_t version;
	int pid;
};
struct cap_dat {
	uint32_t effective, permitted, inheritable;
};

static void show_ids(const char *what)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%s: uid %u %u %u gid %u %u %u\n", what, r, e, s, gr, ge, gs);
}

/* Runs fn in a child and prints its exit status. */
static void in_child(const char *what, void (*fn)(void))
{
	int status;

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(guest_failures ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	printf("%s: child exit %d\n", what, WEXITSTATUS(status));
	if (WEXITSTATUS(status))
		guest_failures++;
}

static void uid_rules(void)
{
	struct cap_hdr h = { 0x20080522, 0 };
	struct cap_dat d[2];

	EXPECT_OK("capget as root", syscall(SYS_capget, &h, d));
	/* (A container's root may lack some capabilities: look at one.) */
	printf("  root has CAP_SETUID: %d\n", (d[0].effective >> 7) & 1);
	EXPECT_OK("setresuid 1000 1000 0", setresuid(1000, 1000, 0));
	show_ids("  after");
	EXPECT_OK("capget as 1000", syscall(SYS_capget, &h, d));
	printf("  effective: %#x\n", d[0].effective);
	EXPECT_ERR("setuid 2000 unprivileged", setuid(2000), EPERM);
	EXPECT_OK("seteuid back to the saved 0", seteuid(0));
	show_ids("  after");
	EXPECT_OK("setuid 2000 privileged", setuid(2000));
	show_ids("  after");
	EXPECT_ERR("setuid 0 after dropping all", setuid(0), EPERM);
	EXPECT_ERR("setresuid to a foreign id", setresuid(-1, 5, -1), EPERM);
	EXPECT_OK("setresuid with ids we hold", setresuid(-1, 2000, -1));
	printf("  setfsuid(7) returns the old fsuid: %d\n", setfsuid(7));
	printf("  refused, still: %d\n", setfsuid(-1));
	EXPECT_ERR("setgroups unprivileged", setgroups(0, NULL), EPERM);
}

static void reuid_rules(void)
{
	EXPECT_OK("setregid 10 20", setregid(10, 20));
	EXPECT_OK("setreuid 100 200", setreuid(100, 200));
	show_ids("  after");
	/* The real id may become the effective one; the saved id follows
	 * the effective id when the real id is set. */
	EXPECT_OK("setreuid 200 -1", setreuid(200, -1));
	show_ids("  after");
	EXPECT_ERR("setreuid 300 -1", setreuid(300, -1), EPERM);
	EXPECT_ERR("setregid 30 -1", setregid(30, -1), EPERM);
	EXPECT_OK("setgid to the real gid", setgid(20));
	show_ids("  after");
}

static void groups(void)
{
	gid_t list[4] = { 5, 6, 7 }, got[8];

	EXPECT_OK("setgroups", setgroups(3, list));
	printf("  getgroups count: %d\n", getgroups(0, NULL));
	int n = getgroups(8, got);
	printf("  groups: %d %d %d\n", got[0], got[1], got[2]);
	CHECK("  count", n == 3);
	EXPECT_ERR("getgroups too small", getgroups(1, got), EINVAL);
	EXPECT_OK("setgroups none", setgroups(0, NULL));
}

static void nproc_limit(void)
{
	struct rlimit rl = { 1, 1 };

	EXPECT_OK("become uid 54321", setresuid(54321, 54321, 54321));
	EXPECT_OK("RLIMIT_NPROC 1", setrlimit(RLIMIT_NPROC, &rl));
	errno = 0;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	printf("  fork over RLIMIT_NPROC: %ld %s\n", (long)(pid < 0 ? -1 : 0),
	       errname(errno));
	if (pid > 0)
		waitpid(pid, NULL, 0);
	rl.rlim_max = 2;
	EXPECT_ERR("raise the hard limit unprivileged",
		   setrlimit(RLIMIT_NPROC, &rl), EPERM);
}

static void as_limit(void)
{
	/* Soft limit only: raising a hard limit needs CAP_SYS_RESOURCE,
	 * which a container's root may lack. */
	struct rlimit rl = { 64 << 20, RLIM_INFINITY };

	EXPECT_OK("RLIMIT_AS 64 MiB", setrlimit(RLIMIT_AS, &rl));
	void *a = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("  mmap 32 MiB: %s\n", a == MAP_FAILED ? errname(errno) : "ok");
	errno = 0;
	void *b = mmap(NULL, 100 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("  mmap 100 MiB: %s\n", b == MAP_FAILED ? errname(errno) : "ok");
	if (a != MAP_FAILED)
		munmap(a, 32 << 20);
	errno = 0;
	b = mmap(NULL, 48 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("  48 MiB after unmapping the 32: %s\n",
	       b == MAP_FAILED ? errname(errno) : "ok");
	rl.rlim_cur = RLIM_INFINITY;
	EXPECT_OK("raise the soft limit back", setrlimit(RLIMIT_AS, &rl));
	b = mmap(NULL, 100 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("  mmap 100 MiB now: %s\n",
	       b == MAP_FAILED ? errname(errno) : "ok");
}

static void session_rules(void)
{
	int status;

	/* A new session: we lead it and its one group. */
	pid_t sid = setsid();
	CHECK("setsid returns our pid", sid == getpid());
	CHECK("getsid(0)", getsid(0) == getpid());
	CHECK("getpgrp", getpgrp() == getpid());
	EXPECT_ERR("setsid again (group leader)", setsid(), EPERM);
	EXPECT_ERR("setpgid of a session leader", setpgid(0, 0), EPERM);

	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	EXPECT_OK("setpgid(child, child)", setpgid(c, c));
	CHECK("  child leads a new group", getpgid(c) == c);
	EXPECT_OK("setpgid(child, our group)", setpgid(c, getpgrp()));
	EXPECT_ERR("setpgid to a group not in the session",
		   setpgid(c, 0x3ffffff0), EPERM);
	EXPECT_ERR("setpgid negative", setpgid(c, -1), EINVAL);
	EXPECT_ERR("setpgid of a stranger", setpgid(1, 1), ESRCH);
	kill(c, SIGKILL);
	waitpid(c, &status, 0);

	c = fork();
	if (c == 0) {
		char *argv[] = { "sleep", "1", NULL };
		execve("/bin/busybox", argv, environ);
		_exit(127);
	}
	usleep(100000);
	EXPECT_ERR("setpgid after the child's exec", setpgid(c, c), EACCES);
	kill(c, SIGKILL);
	waitpid(c, &status, 0);
}

static void nice_and_sched(void)
{
	struct sched_param sp = { 0 };

	errno = 0;
	printf("getpriority: %d\n", getpriority(PRIO_PROCESS, 0));
	EXPECT_OK("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
	printf("  now: %d\n", getpriority(PRIO_PROCESS, 0));
	EXPECT_OK("nice clamps at 19", setpriority(PRIO_PROCESS, 0, 50));
	printf("  now: %d\n", getpriority(PRIO_PROCESS, 0));
	EXPECT_OK("back to 0 as root", setpriority(PRIO_PROCESS, 0, 0));
	EXPECT_ERR("setpriority bad which", setpriority(9, 0, 0), EINVAL);
	EXPECT_ERR("getpriority no such pid",
		   getpriority(PRIO_PROCESS, 0x3ffffff0), ESRCH);
	/* Raw calls: musl's wrappers refuse these with ENOSYS. */
	printf("scheduler: %ld\n", syscall(SYS_sched_getscheduler, 0));
	EXPECT_OK("sched_getparam", syscall(SYS_sched_getparam, 0, &sp));
	printf("  priority %d\n", sp.sched_priority);
	printf("FIFO max %ld min %ld, OTHER max %ld\n",
	       syscall(SYS_sched_get_priority_max, SCHED_FIFO),
	       syscall(SYS_sched_get_priority_min, SCHED_FIFO),
	       syscall(SYS_sched_get_priority_max, SCHED_OTHER));
	sp.sched_priority = 5;
	EXPECT_ERR("SCHED_OTHER with priority 5",
		   syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp),
		   EINVAL);
	sp.sched_priority = 0;
	EXPECT_ERR("bad policy", syscall(SYS_sched_setscheduler, 0, 77, &sp),
		   EINVAL);
	EXPECT_OK("SCHED_BATCH",
		  syscall(SYS_sched_setscheduler, 0, SCHED_BATCH, &sp));
	printf("  scheduler now: %ld\n", syscall(SYS_sched_getscheduler, 0));
	cpu_set_t set;
	EXPECT_OK("sched_getaffinity", sched_getaffinity(0, sizeof(set), &set));
	CHECK("  CPU 0 in the mask", CPU_ISSET(0, &set));
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	EXPECT_OK("sched_setaffinity CPU 0",
		  sched_setaffinity(0, sizeof(set), &set));
}

static void unprivileged_nice(void)
{
	setpriority(PRIO_PROCESS, 0, 10);
	EXPECT_OK("become 1000", setresuid(1000, 1000, 1000));
	EXPECT_OK("raise nice further", setpriority(PRIO_PROCESS, 0, 15));
	EXPECT_ERR("lower nice unprivileged", setpriority(PRIO_PROCESS, 0, 5),
		   EACCES);
}

static volatile int *shared;

static void on_usr2(int sig)
{
	shared[0] = 1;
}

static void prctls(void)
{
	char name[16] = { 0 };
	int status;

	EXPECT_OK("PR_SET_NAME", prctl(PR_SET_NAME, "a-very-long-thread-name"));
	EXPECT_OK("PR_GET_NAME", prctl(PR_GET_NAME, name));
	printf("  name: %s\n", name);

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared[0] = shared[1] = shared[2] = 0;
	fflush(stdout);
	pid_t a = fork();
	if (a == 0) {
		pid_t b = fork();
		if (b == 0) {
			int sig = 0;

			signal(SIGUSR2, on_usr2);
			prctl(PR_SET_PDEATHSIG, SIGUSR2);
			prctl(PR_GET_PDEATHSIG, &sig);
			shared[2] = getpid();
			shared[1] = sig;
			while (!shared[0])
				usleep(1000);
			_exit(0);
		}
		while (!shared[1])
			usleep(1000);
		_exit(0);
	}
	waitpid(a, &status, 0);
	for (int i = 0; i < 2000 && !shared[0]; i++)
		usleep(1000);
	printf("PR_SET_PDEATHSIG: signal %d reached the orphan: %d\n",
	       shared[1], shared[0]);
	/* Where we are init (as under `ember run`), the orphan became our
	 * child: collect it quietly. */
	waitpid(shared[2], &status, 0);

	/* A subreaper adopts its orphaned descendants. */
	EXPECT_OK("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1));
	shared[0] = shared[1] = shared[2] = 0;
	fflush(stdout);
	a = fork();
	if (a == 0) {
		if (fork() == 0) {
			shared[2] = getpid();
			while (!shared[0])
				usleep(1000);
			shared[1] = getppid();
			_exit(5);
		}
		while (!shared[2])
			usleep(1000);
		_exit(0);
	}
	waitpid(a, &status, 0);
	shared[0] = 1;
	pid_t g = waitpid(shared[2], &status, 0);
	printf("orphan adopted by the subreaper: %d, reaped with %d\n",
	       shared[1] == getpid(), WEXITSTATUS(status));
	CHECK("reaped the grandchild", g > 0);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	munmap((void *)shared, 4096);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (getuid() != 0) {
		printf("not root\n");
		return 0;
	}
	in_child("uid rules", uid_rules);
	in_child("setreuid rules", reuid_rules);
	in_child("groups", groups);
	in_child("RLIMIT_NPROC", nproc_limit);
	in_child("RLIMIT_AS", as_limit);
	in_child("sessions", session_rules);
	in_child("nice and scheduling", nice_and_sched);
	in_child("unprivileged nice", unprivileged_nice);
	prctls();
	return guest_exit();
}
