/*
 * test_fcntl_lock.c: fcntl record locks (ranges merging and splitting,
 * OFD against POSIX owners, release at close, F_OFD_SETLKW waiting),
 * openat2's argument rules and RESOLVE_BENEATH, O_TMPFILE with linkat,
 * signalfd reads, and /proc's system files (layer: unit tests; relies on
 * ktest's boot helpers and the test HAL). Expected values come from
 * fcntl(2), openat2(2), open(2), signalfd(2) and proc(5).
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/flock.h>
#include <uapi/openat2.h>
#include <uapi/signal.h>
#include <uapi/signalfd.h>
#include <uapi/stat.h>

#include "ktest.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static uint64_t ubuf(size_t len)
{
	return ktest_umap(len, VM_READ | VM_WRITE);
}

static int open_path(const char *path, unsigned flags)
{
	return (int)ksys3(SYS_open, ktest_ustr(path), flags, 0644);
}

static long lk(int fd, int cmd, int type, int64_t start, int64_t len)
{
	struct linux_flock fl;
	uint64_t u = ubuf(sizeof(fl));

	memset(&fl, 0, sizeof(fl));
	fl.l_type = (int16_t)type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	ktest_put(u, &fl, sizeof(fl));
	return ksys3(SYS_fcntl, fd, cmd, u);
}

/* F_OFD_GETLK of a write lock on [start, start+len) through fd. */
static struct linux_flock getlk(int fd, int64_t start, int64_t len)
{
	struct linux_flock fl;
	uint64_t u = ubuf(sizeof(fl));

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	ktest_put(u, &fl, sizeof(fl));
	ck_assert_int_eq(ksys3(SYS_fcntl, fd, F_OFD_GETLK, u), 0);
	ktest_get(&fl, u, sizeof(fl));
	return fl;
}

static void trap_call(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		      uint64_t a2)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
	current = t;
}

START_TEST(ranges_merge_and_split)
{
	struct linux_flock fl;
	int a, b;

	ktest_boot();
	a = open_path("/tmp/lk", O_CREAT | O_RDWR);
	b = open_path("/tmp/lk", O_RDWR);
	/* a: WR [0,10) + WR [10,20) merge; unlocking [5,8) splits. */
	ck_assert_int_eq(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10), 0);
	ck_assert_int_eq(lk(a, F_OFD_SETLK, F_WRLCK, 10, 10), 0);
	ck_assert_int_eq(lk(a, F_OFD_SETLK, F_UNLCK, 5, 3), 0);
	fl = getlk(b, 0, 100);
	ck_assert_int_eq(fl.l_type, F_WRLCK);
	ck_assert_int_eq(fl.l_start, 0);
	ck_assert_int_eq(fl.l_len, 5);
	ck_assert_int_eq(fl.l_pid, -1);
	fl = getlk(b, 5, 3);
	ck_assert_int_eq(fl.l_type, F_UNLCK);
	fl = getlk(b, 5, 100);
	ck_assert_int_eq(fl.l_start, 8);
	ck_assert_int_eq(fl.l_len, 12);
	/* A read lock inside the write lock converts that part only. */
	ck_assert_int_eq(lk(a, F_OFD_SETLK, F_RDLCK, 12, 2), 0);
	fl = getlk(b, 12, 1);
	ck_assert_int_eq(fl.l_type, F_RDLCK);
	ck_assert_int_eq(fl.l_start, 12);
	ck_assert_int_eq(fl.l_len, 2);
	fl = getlk(b, 14, 100);
	ck_assert_int_eq(fl.l_type, F_WRLCK);
	ck_assert_int_eq(fl.l_start, 14);
	ck_assert_int_eq(fl.l_len, 6);
	/* Readers share; a to-EOF lock reports l_len 0. */
	ck_assert_int_eq(lk(b, F_OFD_SETLK, F_RDLCK, 12, 2), 0);
	ck_assert_int_eq(lk(b, F_OFD_SETLK, F_WRLCK, 12, 1), -EAGAIN);
	ck_assert_int_eq(lk(a, F_OFD_SETLK, F_RDLCK, 100, 0), 0);
	fl = getlk(b, 200, 1);
	ck_assert_int_eq(fl.l_start, 100);
	ck_assert_int_eq(fl.l_len, 0);
	/* The last close of a drops all of its locks. */
	ck_assert_int_eq(ksys1(SYS_close, a), 0);
	fl = getlk(b, 0, 0);
	ck_assert_int_eq(fl.l_type, F_UNLCK);
}
END_TEST

START_TEST(posix_owner_and_close)
{
	struct linux_flock fl;
	int a, b, c;

	ktest_boot();
	a = open_path("/tmp/lk", O_CREAT | O_RDWR);
	b = open_path("/tmp/lk", O_RDWR);
	ck_assert_int_eq(lk(a, F_SETLK, F_WRLCK, 0, 10), 0);
	/* The same process through another fd: no conflict with itself. */
	ck_assert_int_eq(lk(b, F_SETLK, F_WRLCK, 5, 10), 0);
	/* An OFD lock is another owner. */
	ck_assert_int_eq(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1), -EAGAIN);
	fl = getlk(b, 0, 100);
	ck_assert_int_eq(fl.l_start, 0);
	ck_assert_int_eq(fl.l_len, 15);
	ck_assert_int_eq(fl.l_pid, current->task->pid);
	/* Closing any fd of the file drops the process's locks. */
	c = open_path("/tmp/lk", O_RDONLY);
	ck_assert_int_eq(ksys1(SYS_close, c), 0);
	fl = getlk(b, 0, 100);
	ck_assert_int_eq(fl.l_type, F_UNLCK);
	/* Argument errors. */
	c = open_path("/tmp/lk", O_RDONLY);
	ck_assert_int_eq(lk(c, F_SETLK, F_WRLCK, 0, 1), -EBADF);
	ck_assert_int_eq(lk(c, F_SETLK, 9, 0, 1), -EINVAL);
	ck_assert_int_eq(lk(c, F_SETLK, F_RDLCK, -1, 1), -EINVAL);
	ck_assert_int_eq(ksys3(SYS_fcntl, c, F_SETLK, 8), -EFAULT);
}
END_TEST

START_TEST(ofd_setlkw_waits)
{
	struct thread *t1, *t2;
	struct linux_flock fl;
	uint64_t u;
	int a, b;

	ktest_boot();
	t1 = current;
	a = open_path("/tmp/lk", O_CREAT | O_RDWR);
	b = open_path("/tmp/lk", O_RDWR);
	ck_assert_int_eq(lk(a, F_OFD_SETLK, F_WRLCK, 0, 1), 0);
	u = ubuf(sizeof(fl));
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_len = 1;
	ktest_put(u, &fl, sizeof(fl));
	trap_call(t1, SYS_fcntl, b, F_OFD_SETLKW, u);
	ck_assert_int_eq(t1->state, THREAD_BLOCKED);
	t2 = thread_create(t1->task);
	current = t2;
	ck_assert_int_eq(lk(a, F_OFD_SETLK, F_UNLCK, 0, 0), 0);
	ck_assert_int_eq(t1->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t1->uctx.rax, 0);
	ck_assert_int_eq(lk(a, F_OFD_SETLK, F_WRLCK, 0, 1), -EAGAIN);
}
END_TEST

static long openat2_call(int dirfd, const char *path, uint64_t flags,
			 uint64_t mode, uint64_t resolve, size_t size)
{
	uint64_t u = ubuf(64);
	uint8_t raw[64];
	struct open_how h = { flags, mode, resolve };

	memset(raw, 0, sizeof(raw));
	memcpy(raw, &h, sizeof(h));
	ktest_put(u, raw, sizeof(raw));
	return ksys4(SYS_openat2, dirfd, ktest_ustr(path), u, size);
}

START_TEST(openat2_rules)
{
	int d, fd;

	ktest_boot();
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/tmp/d"), 0755), 0);
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/tmp/d/s"), 0755), 0);
	fd = open_path("/tmp/d/s/f", O_CREAT | O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys2(SYS_symlink, ktest_ustr("/tmp/d/s/f"),
			       ktest_ustr("/tmp/d/abs")),
			 0);
	d = open_path("/tmp/d", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(
		openat2_call(d, "s/f", O_RDONLY, 0, RESOLVE_BENEATH, 24), 0);
	ck_assert_int_eq(openat2_call(d, "../d/s/f", O_RDONLY, 0,
				      RESOLVE_BENEATH, 24),
			 -EXDEV);
	ck_assert_int_eq(openat2_call(d, "abs", O_RDONLY, 0, RESOLVE_BENEATH,
				      24),
			 -EXDEV);
	ck_assert_int_eq(openat2_call(d, "abs", O_RDONLY, 0,
				      RESOLVE_NO_SYMLINKS, 24),
			 -ELOOP);
	/* IN_ROOT: "/tmp/d/s/f" is looked up under d. */
	ck_assert_int_eq(openat2_call(d, "abs", O_RDONLY, 0, RESOLVE_IN_ROOT,
				      24),
			 -ENOENT);
	ck_assert_int_ge(
		openat2_call(d, "/s/f", O_RDONLY, 0, RESOLVE_IN_ROOT, 24), 0);
	/* The flags do not leak into the next walk. */
	ck_assert_int_ge(open_path("/tmp/d/abs", O_RDONLY), 0);
	ck_assert_int_eq(openat2_call(d, "s/f", O_RDONLY, 0, 0, 16), -EINVAL);
	ck_assert_int_ge(openat2_call(d, "s/f", O_RDONLY, 0, 0, 64), 0);
	ck_assert_int_eq(openat2_call(d, "s/f", O_RDONLY, 0, 0, 8192), -E2BIG);
	ck_assert_int_eq(openat2_call(d, "s/f", O_RDONLY, 0644, 0, 24),
			 -EINVAL);
	ck_assert_int_eq(openat2_call(d, "s/f", O_RDONLY, 0, 0x400, 24),
			 -EINVAL);
	ck_assert_int_eq(openat2_call(d, "s/f", O_RDONLY, 0,
				      RESOLVE_BENEATH | RESOLVE_IN_ROOT, 24),
			 -EINVAL);
}
END_TEST

START_TEST(tmpfile_and_linkat)
{
	struct stat st;
	char link[64];
	uint64_t u;
	int fd;

	ktest_boot();
	u = ubuf(sizeof(st));
	fd = open_path("/tmp", O_TMPFILE | O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys2(SYS_fstat, fd, u), 0);
	ktest_get(&st, u, sizeof(st));
	ck_assert_int_eq(st.st_nlink, 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ck_assert_int_eq(ksys6(SYS_linkat, AT_FDCWD, ktest_ustr(link), AT_FDCWD,
			       ktest_ustr("/tmp/named"), AT_SYMLINK_FOLLOW, 0),
			 0);
	ck_assert_int_eq(ksys2(SYS_stat, ktest_ustr("/tmp/named"), u), 0);
	ktest_get(&st, u, sizeof(st));
	ck_assert_int_eq(st.st_nlink, 1);
	ck_assert_int_eq(open_path("/tmp", O_TMPFILE | O_RDONLY), -EINVAL);
	ck_assert_int_eq(open_path("/dev", O_TMPFILE | O_RDWR), -EOPNOTSUPP);
	fd = open_path("/tmp", O_TMPFILE | O_RDWR | O_EXCL);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ck_assert_int_eq(ksys6(SYS_linkat, AT_FDCWD, ktest_ustr(link), AT_FDCWD,
			       ktest_ustr("/tmp/named2"), AT_SYMLINK_FOLLOW, 0),
			 -ENOENT);
}
END_TEST

START_TEST(signalfd_reads)
{
	struct signalfd_siginfo rec[2];
	uint64_t mask = 1ULL << (SIGUSR1 - 1), um, buf;
	int fd;

	ktest_boot();
	um = ubuf(8);
	buf = ubuf(sizeof(rec));
	current->sigmask = mask;
	ktest_put(um, &mask, 8);
	fd = (int)ksys4(SYS_signalfd4, -1, um, 8, SFD_NONBLOCK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys3(SYS_read, fd, buf, sizeof(rec)), -EAGAIN);
	proc_signal_task(current->task, SIGUSR1);
	proc_signal_thread(current, SIGUSR1);
	ck_assert_int_eq(ksys3(SYS_read, fd, buf, sizeof(rec)),
			 2 * sizeof(rec[0]));
	ktest_get(rec, buf, sizeof(rec));
	ck_assert_uint_eq(rec[0].ssi_signo, SIGUSR1);
	ck_assert_int_eq(rec[0].ssi_code, SI_KERNEL);
	ck_assert_uint_eq(rec[1].ssi_signo, SIGUSR1);
	ck_assert_int_eq(ksys3(SYS_read, fd, buf, 64), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_signalfd4, -1, um, 4, 0), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_signalfd4, 0, um, 8, 0), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_signalfd4, fd, um, 8, 0), fd);
}
END_TEST

/* The whole text of a /proc file. */
static long read_proc(const char *path, char *out, size_t len)
{
	uint64_t u = ubuf(len);
	int fd = open_path(path, O_RDONLY);
	long n;

	ck_assert_int_ge(fd, 0);
	n = ksys3(SYS_read, fd, u, len - 1);
	ck_assert_int_ge(n, 0);
	ktest_get(out, u, (size_t)n);
	out[n] = '\0';
	ksys1(SYS_close, fd);
	return n;
}

START_TEST(proc_system_files)
{
	static char text[8192];

	ktest_boot();
	read_proc("/proc/loadavg", text, sizeof(text));
	ck_assert_msg(strncmp(text, "0.00 0.00 0.00 ", 15) == 0, "%s", text);
	read_proc("/proc/stat", text, sizeof(text));
	ck_assert_msg(strncmp(text, "cpu  ", 5) == 0, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\nbtime "));
	ck_assert_ptr_nonnull(strstr(text, "\nprocesses "));
	ck_assert_ptr_nonnull(strstr(text, "\nprocs_running "));
	read_proc("/proc/cpuinfo", text, sizeof(text));
	ck_assert_msg(strncmp(text, "processor\t: 0\n", 14) == 0, "%s", text);
	read_proc("/proc/sys/kernel/ostype", text, sizeof(text));
	ck_assert_str_eq(text, "Linux\n");
	read_proc("/proc/sys/kernel/pid_max", text, sizeof(text));
	ck_assert_str_eq(text, "32768\n");
	read_proc("/proc/self/limits", text, sizeof(text));
	ck_assert_ptr_nonnull(
		strstr(text, "\nMax open files            1024 "));
	read_proc("/proc/self/stat", text, sizeof(text));
	{
		/* 52 fields. */
		int fields = 2;

		for (char *p = strchr(text, ')'); *p; p++)
			fields += *p == ' ';
		ck_assert_int_eq(fields, 52);
	}
	read_proc("/proc/self/statm", text, sizeof(text));
	ck_assert_ptr_nonnull(strchr(text, '\n'));
	read_proc("/proc/meminfo", text, sizeof(text));
	ck_assert_msg(strncmp(text, "MemTotal:", 9) == 0, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\nMemAvailable:"));
}
END_TEST

KTEST_SUITE(fcntl_lock_suite)
{
	Suite *s = suite_create("fcntl_lock");
	TCase *tc = tcase_create("fcntl_lock");

	tcase_add_test(tc, ranges_merge_and_split);
	tcase_add_test(tc, posix_owner_and_close);
	tcase_add_test(tc, ofd_setlkw_waits);
	tcase_add_test(tc, openat2_rules);
	tcase_add_test(tc, tmpfile_and_linkat);
	tcase_add_test(tc, signalfd_reads);
	tcase_add_test(tc, proc_system_files);
	suite_add_tcase(s, tc);
	return s;
}
