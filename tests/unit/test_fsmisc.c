/*
 * test_fsmisc.c: flock, the utime and chown permission rules, fallocate,
 * statfs, sendfile/copy_file_range and close_range (layer: unit tests;
 * relies on ktest's boot helpers and the test HAL). Expected values come
 * from flock(2), utimensat(2), chown(2), fallocate(2), sendfile(2),
 * copy_file_range(2) and close_range(2).
 */
#include <string.h>
#include <sys/syscall.h>

#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>
#include <uapi/statfs.h>
#include <uapi/time.h>

#include "ktest.h"

static void trap_call(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->uctx.r10 = a3;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
	current = t;
}

static uint64_t ubuf(size_t len)
{
	return ktest_umap(len, VM_READ | VM_WRITE);
}

static int open_path(const char *path, unsigned flags)
{
	return (int)ksys3(SYS_open, ktest_ustr(path), flags, 0644);
}

static struct stat stat_of(const char *path)
{
	struct stat st;
	uint64_t u = ubuf(sizeof(st));

	ck_assert_int_eq(ksys2(SYS_stat, ktest_ustr(path), u), 0);
	ktest_get(&st, u, sizeof(st));
	return st;
}

START_TEST(flock_blocks_until_unlock)
{
	struct thread *t1, *t2;
	int a, b;

	ktest_boot();
	t1 = current;
	a = open_path("/tmp/lock", O_CREAT | O_RDWR);
	b = open_path("/tmp/lock", O_RDONLY);
	ck_assert_int_eq(ksys2(SYS_flock, a, LOCK_EX), 0);
	ck_assert_int_eq(ksys2(SYS_flock, b, LOCK_SH | LOCK_NB), -EWOULDBLOCK);
	trap_call(t1, SYS_flock, b, LOCK_SH, 0, 0);
	ck_assert_int_eq(t1->state, THREAD_BLOCKED);
	t2 = thread_create(t1->task);
	current = t2;
	ck_assert_int_eq(ksys2(SYS_flock, a, LOCK_UN), 0);
	ck_assert_int_eq(t1->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t1->uctx.rax, 0);
	/* b holds it shared now: a may share, not take it whole. */
	ck_assert_int_eq(ksys2(SYS_flock, a, LOCK_EX | LOCK_NB), -EWOULDBLOCK);
	ck_assert_int_eq(ksys2(SYS_flock, a, LOCK_SH | LOCK_NB), 0);
	/* The last close of b drops its lock; a dup keeps it. */
	ck_assert_int_eq(ksys2(SYS_flock, a, LOCK_UN), 0);
	{
		int c = (int)ksys1(SYS_dup, b);

		ck_assert_int_eq(ksys1(SYS_close, b), 0);
		ck_assert_int_eq(ksys2(SYS_flock, a, LOCK_EX | LOCK_NB),
				 -EWOULDBLOCK);
		ck_assert_int_eq(ksys1(SYS_close, c), 0);
	}
	ck_assert_int_eq(ksys2(SYS_flock, a, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(ksys2(SYS_flock, a, 3), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_flock, 99, LOCK_SH), -EBADF);
}
END_TEST

START_TEST(utimes_permissions)
{
	struct linux_timespec ts[2] = { { 100, 0 }, { 200, UTIME_OMIT } };
	uint64_t uts;
	struct stat st;
	int fd;

	ktest_boot();
	uts = ubuf(sizeof(ts));
	fd = open_path("/tmp/t", O_CREAT | O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys2(SYS_fchmod, fd, 0666), 0);
	ktest_put(uts, ts, sizeof(ts));
	ck_assert_int_eq(ksys4(SYS_utimensat, AT_FDCWD, ktest_ustr("/tmp/t"),
			       uts, 0),
			 0);
	st = stat_of("/tmp/t");
	ck_assert_int_eq(st.st_atime_sec, 100);
	ck_assert_int_ne(st.st_mtime_sec, 200);
	/* Another user: "now" needs write permission, explicit times need
	 * ownership. */
	current->task->cred.fsuid = 1000;
	ck_assert_int_eq(
		ksys4(SYS_utimensat, AT_FDCWD, ktest_ustr("/tmp/t"), 0, 0), 0);
	ck_assert_int_eq(ksys4(SYS_utimensat, AT_FDCWD, ktest_ustr("/tmp/t"),
			       uts, 0),
			 -EPERM);
	current->task->cred.fsuid = 0;
	ck_assert_int_eq(ksys2(SYS_fchmod, fd, 0644), 0);
	current->task->cred.fsuid = 1000;
	ck_assert_int_eq(ksys4(SYS_utimensat, AT_FDCWD, ktest_ustr("/tmp/t"), 0,
			       0),
			 -EACCES);
	/* chown: only root gives a file away. */
	ck_assert_int_eq(ksys3(SYS_chown, ktest_ustr("/tmp/t"), 1000, -1),
			 -EPERM);
	current->task->cred.fsuid = 0;
	ck_assert_int_eq(ksys3(SYS_chown, ktest_ustr("/tmp/t"), 1000, 50), 0);
	st = stat_of("/tmp/t");
	ck_assert_int_eq(st.st_uid, 1000);
	ck_assert_int_eq(st.st_gid, 50);
	/* The owner may set a group it is in, not another one. */
	current->task->cred.fsuid = 1000;
	current->task->cred.fsgid = 60;
	ck_assert_int_eq(ksys3(SYS_fchown, fd, -1, 60), 0);
	ck_assert_int_eq(ksys3(SYS_fchown, fd, -1, 70), -EPERM);
	ck_assert_int_eq(ksys3(SYS_fchown, fd, 1001, -1), -EPERM);
	/* Bad arguments. */
	current->task->cred.fsuid = 0;
	ts[1].tv_nsec = -5;
	ktest_put(uts, ts, sizeof(ts));
	ck_assert_int_eq(ksys4(SYS_utimensat, AT_FDCWD, ktest_ustr("/tmp/t"),
			       uts, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys4(SYS_utimensat, fd, 0, 0, AT_SYMLINK_NOFOLLOW),
			 -EINVAL);
	ck_assert_int_eq(ksys4(SYS_utimensat, fd, 0, 0, 0), 0);
}
END_TEST

START_TEST(fallocate_and_statfs)
{
	struct statfs sfs;
	uint64_t u;
	int fd, dir;

	ktest_boot();
	fd = open_path("/tmp/f", O_CREAT | O_RDWR);
	dir = open_path("/tmp", O_RDONLY);
	ck_assert_int_eq(ksys4(SYS_fallocate, fd, 0, 4096, 100), 0);
	ck_assert_int_eq(stat_of("/tmp/f").st_size, 4196);
	ck_assert_int_eq(ksys4(SYS_fallocate, fd, FALLOC_FL_KEEP_SIZE, 0, 9000),
			 0);
	ck_assert_int_eq(stat_of("/tmp/f").st_size, 4196);
	ck_assert_int_eq(ksys4(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE, 0, 1),
			 -EOPNOTSUPP);
	ck_assert_int_eq(ksys4(SYS_fallocate, fd, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(ksys4(SYS_fallocate, dir, 0, 0, 1), -EBADF);
	ck_assert_int_eq(ksys4(SYS_fallocate, fd, 0, INT64_MAX, 2), -EFBIG);

	u = ubuf(sizeof(sfs));
	ck_assert_int_eq(ksys2(SYS_statfs, ktest_ustr("/tmp"), u), 0);
	ktest_get(&sfs, u, sizeof(sfs));
	ck_assert_int_eq(sfs.f_type, TMPFS_MAGIC);
	ck_assert_int_eq(sfs.f_bsize, 4096);
	ck_assert_int_eq(sfs.f_namelen, 255);
	ck_assert_int_gt((long)sfs.f_blocks, 0);
	ck_assert_int_eq(ksys2(SYS_fstatfs, fd, u), 0);
	ck_assert_int_eq(ksys2(SYS_statfs, ktest_ustr("/proc"), u), 0);
	ktest_get(&sfs, u, sizeof(sfs));
	ck_assert_int_eq(sfs.f_type, PROC_SUPER_MAGIC);
	ck_assert_int_eq(ksys2(SYS_fstatfs, 77, u), -EBADF);
}
END_TEST

START_TEST(sendfile_and_copy_file_range)
{
	int in, out, fds[2];
	uint64_t u, uoff;
	int64_t off;
	char buf[16] = { 0 };

	ktest_boot();
	in = open_path("/tmp/in", O_CREAT | O_RDWR);
	out = open_path("/tmp/out", O_CREAT | O_RDWR);
	u = ubuf(64);
	ktest_put(u, "0123456789", 10);
	ck_assert_int_eq(ksys3(SYS_write, in, u, 10), 10);
	uoff = ubuf(8);
	off = 2;
	ktest_put(uoff, &off, 8);
	ck_assert_int_eq(ksys4(SYS_sendfile, out, in, uoff, 5), 5);
	ktest_get(&off, uoff, 8);
	ck_assert_int_eq(off, 7);
	ck_assert_int_eq(ksys4(SYS_pread64, out, u, 16, 0), 5);
	ktest_get(buf, u, 5);
	ck_assert_str_eq(buf, "23456");
	/* Without an offset the file position moves (it is at 10). */
	ck_assert_int_eq(ksys3(SYS_lseek, in, 8, SEEK_SET), 8);
	ck_assert_int_eq(ksys4(SYS_sendfile, out, in, 0, 100), 2);
	ck_assert_int_eq(ksys3(SYS_lseek, in, 0, SEEK_CUR), 10);

	/* Into a full non-blocking pipe: EAGAIN, and nothing is consumed. */
	ck_assert_int_eq(ksys2(SYS_pipe2, u, O_NONBLOCK), 0);
	ktest_get(fds, u, 8);
	ck_assert_int_eq(ksys3(SYS_fcntl, fds[1], F_SETPIPE_SZ, 4096), 4096);
	ck_assert_int_eq(ksys3(SYS_lseek, in, 0, SEEK_SET), 0);
	ck_assert_int_eq(ksys4(SYS_sendfile, fds[1], in, 0, 100), 10);
	ck_assert_int_eq(ksys3(SYS_lseek, in, 0, SEEK_SET), 0);
	ck_assert_int_eq(ksys4(SYS_sendfile, fds[1], in, 0, 100), -EAGAIN);
	ck_assert_int_eq(ksys3(SYS_lseek, in, 0, SEEK_CUR), 0);

	/* copy_file_range: up to the end of the input, positions move. */
	ck_assert_int_eq(ksys3(SYS_lseek, in, 6, SEEK_SET), 6);
	ck_assert_int_eq(ksys6(SYS_copy_file_range, in, 0, out, 0, 100, 0), 4);
	ck_assert_int_eq(ksys3(SYS_lseek, in, 0, SEEK_CUR), 10);
	ck_assert_int_eq(ksys6(SYS_copy_file_range, in, 0, out, 0, 100, 0), 0);
	ck_assert_int_eq(ksys6(SYS_copy_file_range, in, 0, out, 0, 1, 1),
			 -EINVAL);
	ck_assert_int_eq(ksys6(SYS_copy_file_range, fds[0], 0, out, 0, 1, 0),
			 -EINVAL);
	/* Overlapping ranges of one file: [0, 5) onto [2, 7). */
	off = 0;
	ktest_put(uoff, &off, 8);
	ck_assert_int_eq(ksys3(SYS_lseek, in, 2, SEEK_SET), 2);
	ck_assert_int_eq(ksys6(SYS_copy_file_range, in, uoff, in, 0, 5, 0),
			 -EINVAL);
}
END_TEST

START_TEST(close_range_flags)
{
	int a, b, c;

	ktest_boot();
	a = (int)ksys1(SYS_dup, 1);
	b = (int)ksys1(SYS_dup, 1);
	c = (int)ksys1(SYS_dup, 1);
	ck_assert_int_eq(ksys3(SYS_close_range, b, c, CLOSE_RANGE_CLOEXEC), 0);
	ck_assert_int_eq(ksys2(SYS_fcntl, a, F_GETFD), 0);
	ck_assert_int_eq(ksys2(SYS_fcntl, c, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(ksys3(SYS_close_range, a, ~0U, 0), 0);
	ck_assert_int_eq(ksys2(SYS_fcntl, a, F_GETFD), -EBADF);
	ck_assert_int_eq(ksys2(SYS_fcntl, c, F_GETFD), -EBADF);
	ck_assert_int_eq(ksys2(SYS_fcntl, 2, F_GETFD), 0);
	ck_assert_int_eq(ksys3(SYS_close_range, 4, 3, 0), -EINVAL);
	ck_assert_int_eq(ksys3(SYS_close_range, 3, 4, 1), -EINVAL);
	ck_assert_int_eq(ksys3(SYS_close_range, 3, 4, CLOSE_RANGE_UNSHARE), 0);
}
END_TEST

KTEST_SUITE(fsmisc_suite)
{
	Suite *s = suite_create("fsmisc");
	TCase *tc = tcase_create("fsmisc");

	tcase_add_test(tc, flock_blocks_until_unlock);
	tcase_add_test(tc, utimes_permissions);
	tcase_add_test(tc, fallocate_and_statfs);
	tcase_add_test(tc, sendfile_and_copy_file_range);
	tcase_add_test(tc, close_range_flags);
	suite_add_tcase(s, tc);
	return s;
}
