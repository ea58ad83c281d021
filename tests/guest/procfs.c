/*
 * /proc in Linux's formats (proc(5)), checked by shape and by what the
 * process knows about itself, never by values that differ between
 * systems: /proc/self/stat has 52 fields whose pid, ppid, pgrp, session,
 * thread count and rss agree with the process; status, statm, limits,
 * stat, meminfo, loadavg, uptime, cpuinfo, version, filesystems and
 * /proc/sys/kernel parse as Linux's do.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static char text[65536];

static int slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n, off = 0;

	text[0] = '\0';
	if (fd < 0)
		return -1;
	while ((n = read(fd, text + off, sizeof(text) - 1 - off)) > 0)
		off += n;
	text[off] = '\0';
	close(fd);
	return (int)off;
}

/* The value after "key:" at the start of a line, or NULL. */
static const char *field(const char *key)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, k) == 0 && p[k] == ':')
			return p + k + 1;
	}
	return NULL;
}

static void stat_file(void)
{
	char *f[64];
	int n = 0;

	printf("== /proc/self/stat\n");
	slurp("/proc/self/stat");
	char *rp = strrchr(text, ')');
	CHECK("comm in parentheses", rp && strstr(text, " (") != NULL);
	if (!rp)
		return;
	for (char *tok = strtok(rp + 2, " \n"); tok && n < 64;
	     tok = strtok(NULL, " \n"))
		f[n++] = tok;
	printf("fields: %d\n", n + 2);
	if (n + 2 < 52)
		return;
		/* f[k] is field k + 3 (1-based, as in proc(5)). */
#define FLD(i) f[(i)-3]
	printf("state is R: %d\n", strcmp(FLD(3), "R") == 0);
	CHECK("ppid", atoi(FLD(4)) == getppid());
	CHECK("pgrp", atoi(FLD(5)) == getpgrp());
	CHECK("session", atoi(FLD(6)) == getsid(0));
	printf("num_threads: %s\n", FLD(20));
	CHECK("vsize > rss",
	      strtoull(FLD(23), NULL, 10) > strtoull(FLD(24), NULL, 10) * 4096);
	/* rss itself may read 0 on Linux for a tiny program (its counters
	 * are synced lazily): only its type is checked. */
	CHECK("rss is a number", FLD(24)[strspn(FLD(24), "0123456789")] == 0);
	printf("exit_signal: %s\n", FLD(38));
	CHECK("arg_start < arg_end",
	      strtoull(FLD(48), NULL, 10) < strtoull(FLD(49), NULL, 10));
	CHECK("env_start < env_end",
	      strtoull(FLD(50), NULL, 10) < strtoull(FLD(51), NULL, 10));
	/* starttime (ticks after boot) is not after now. */
	double up = 0;
	int fd = open("/proc/uptime", O_RDONLY);
	char ubuf[64] = "";
	if (fd >= 0) {
		ssize_t r = read(fd, ubuf, sizeof(ubuf) - 1);
		ubuf[r > 0 ? r : 0] = '\0';
		close(fd);
	}
	up = atof(ubuf);
	CHECK("starttime <= uptime",
	      strtoull(FLD(22), NULL, 10) <=
		      (unsigned long long)(up * 100) + 1);
}

static void status_file(void)
{
	static const char *const keys[] = {
		"Name",	  "Umask",  "State",   "Tgid",	 "Pid",
		"PPid",	  "Uid",    "Gid",     "FDSize", "Groups",
		"VmSize", "VmRSS",  "Threads", "SigQ",	 "SigPnd",
		"ShdPnd", "SigBlk", "SigIgn",  "SigCgt",
	};
	const char *prev = text;

	printf("== /proc/self/status\n");
	slurp("/proc/self/status");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = field(keys[i]);

		if (!v || v < prev) {
			printf("key %s: %s\n", keys[i],
			       v ? "out of order" : "missing");
			guest_failures++;
			continue;
		}
		prev = v;
	}
	printf("keys in order: checked\n");
	const char *v = field("Tgid");
	CHECK("Tgid", v && atoi(v) == getpid());
	v = field("PPid");
	CHECK("PPid", v && atoi(v) == getppid());
	v = field("Uid");
	CHECK("Uid", v && (uid_t)atoi(v) == getuid());
	v = field("Threads");
	printf("Threads:%.*s\n", v ? (int)strcspn(v, "\n") : 0, v ? v : "");
	v = field("State");
	printf("State:%.*s\n", v ? (int)strcspn(v, "\n") : 0, v ? v : "");
	v = field("SigBlk");
	printf("SigBlk:%.*s\n", v ? (int)strcspn(v, "\n") : 0, v ? v : "");
	v = field("VmRSS");
	CHECK("VmRSS kB", v && strstr(v, " kB"));
}

static void misc_files(void)
{
	unsigned long a, b, c, d, e, f, g;
	char s1[32], s2[32], s3[32];
	int n, running, total, last;

	printf("== statm\n");
	slurp("/proc/self/statm");
	n = sscanf(text, "%lu %lu %lu %lu %lu %lu %lu", &a, &b, &c, &d, &e, &f,
		   &g);
	printf("fields: %d, size >= resident: %d\n", n, a >= b);

	printf("== limits\n");
	slurp("/proc/self/limits");
	n = 0;
	for (char *p = text; (p = strchr(p, '\n')); p++)
		n++;
	printf("lines: %d\n", n);
	printf("header: %.*s|\n", (int)strcspn(text, "\n"), text);
	{
		struct rlimit rl;
		char want[128], lim[32];

		getrlimit(RLIMIT_NOFILE, &rl);
		snprintf(lim, sizeof(lim), "%lu", (unsigned long)rl.rlim_cur);
		snprintf(want, sizeof(want),
			 "\nMax open files            %-20s ", lim);
		CHECK("Max open files soft", strstr(text, want) != NULL);
		printf("%s\n", strstr(text, "Max nice priority") ?
				       "has Max nice priority" :
				       "no Max nice priority");
	}

	printf("== stat\n");
	slurp("/proc/stat");
	n = sscanf(text, "cpu %lu %lu %lu %lu %lu %lu %lu %lu", &a, &b, &c, &d,
		   &e, &f, &g, &a);
	printf("cpu numbers: %d\n", n);
	printf("cpu0 line: %d\n", strstr(text, "\ncpu0 ") != NULL);
	static const char *const skeys[] = { "\nctxt ", "\nbtime ",
					     "\nprocesses ", "\nprocs_running ",
					     "\nprocs_blocked " };
	for (size_t i = 0; i < 5; i++)
		printf("%s: %d\n", skeys[i] + 1,
		       strstr(text, skeys[i]) != NULL);
	{
		const char *bt = strstr(text, "\nbtime ");
		long btime = bt ? atol(bt + 7) : 0;

		CHECK("btime before now",
		      btime > 1000000000 && btime <= (long)time(NULL));
	}

	printf("== meminfo\n");
	slurp("/proc/meminfo");
	static const char *const mkeys[] = { "MemTotal",     "MemFree",
					     "MemAvailable", "Buffers",
					     "Cached",	     "SwapTotal",
					     "SwapFree",     "Shmem" };
	for (size_t i = 0; i < sizeof(mkeys) / sizeof(mkeys[0]); i++) {
		const char *v = field(mkeys[i]);

		printf("%s: %s\n", mkeys[i],
		       v && strstr(v, " kB") ? "kB" : "missing");
	}
	printf("first line is MemTotal: %d\n",
	       strncmp(text, "MemTotal:", 9) == 0);

	printf("== loadavg\n");
	slurp("/proc/loadavg");
	n = sscanf(text, "%31s %31s %31s %d/%d %d", s1, s2, s3, &running,
		   &total, &last);
	printf("fields: %d, running <= total: %d, last > 0: %d\n", n,
	       running <= total, last > 0);
	printf("two decimals: %d\n",
	       strchr(s1, '.') && strlen(strchr(s1, '.')) == 3);

	printf("== uptime\n");
	slurp("/proc/uptime");
	{
		double up, idle;

		n = sscanf(text, "%lf %lf", &up, &idle);
		printf("fields: %d, non-negative: %d\n", n,
		       up >= 0 && idle >= 0);
	}

	printf("== cpuinfo\n");
	slurp("/proc/cpuinfo");
	printf("starts with processor: %d\n",
	       strncmp(text, "processor\t: 0\n", 14) == 0);
	static const char *const ckeys[] = {
		"\nvendor_id\t: ", "\nmodel name\t: ", "\nflags\t\t: ",
		"\ncpu family\t: "
	};
	for (size_t i = 0; i < 4; i++)
		printf("key %d: %d\n", (int)i, strstr(text, ckeys[i]) != NULL);

	printf("== version, filesystems, sys/kernel\n");
	slurp("/proc/version");
	printf("version: %d\n", strncmp(text, "Linux version ", 14) == 0);
	slurp("/proc/filesystems");
	printf("proc: %d tmpfs: %d\n", strstr(text, "nodev\tproc\n") != NULL,
	       strstr(text, "nodev\ttmpfs\n") != NULL);
	slurp("/proc/sys/kernel/ostype");
	printf("ostype: %s", text);
	slurp("/proc/sys/kernel/pid_max");
	printf("pid_max positive: %d\n", atoi(text) > 0);
	{
		char host[256] = "";

		gethostname(host, sizeof(host));
		slurp("/proc/sys/kernel/hostname");
		text[strcspn(text, "\n")] = '\0';
		CHECK("hostname matches", strcmp(text, host) == 0);
	}
	{
		struct utsname u;

		uname(&u);
		slurp("/proc/sys/kernel/osrelease");
		text[strcspn(text, "\n")] = '\0';
		CHECK("osrelease matches", strcmp(text, u.release) == 0);
	}
}

/* /proc/self/fdinfo/N: the position and flags of an open file. */
static void fdinfo_files(void)
{
	char path[64], buf[512];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int fd2 = open("fdinfo.tmp", O_RDWR | O_CREAT | O_APPEND, 0600);

	CHECK("open two files", fd >= 0 && fd2 >= 0);
	CHECK("read 7", read(fd, buf, 7) == 7);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", i ? fd2 : fd);
		int f = open(path, O_RDONLY);
		ssize_t n = f >= 0 ? read(f, buf, sizeof(buf) - 1) : -1;

		if (f >= 0)
			close(f);
		buf[n > 0 ? n : 0] = 0;
		/* mnt_id and ino differ between kernels: print pos and flags. */
		char *mnt = strstr(buf, "mnt_id:");
		if (mnt)
			*mnt = 0;
		printf("fdinfo %d:\n%s", i, buf);
	}
	close(fd);
	close(fd2);
	unlink("fdinfo.tmp");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	stat_file();
	status_file();
	misc_files();
	fdinfo_files();
	return guest_exit();
}
