/*
 * Guest: file times and the other file housekeeping calls: utimensat with
 * UTIME_OMIT and UTIME_NOW (by path, by fd, on a symlink itself), utimes,
 * utime, futimesat; chown to the caller's own ids; mknod of a FIFO;
 * fallocate; flock between two open files; sendfile and copy_file_range;
 * statfs on /proc; close_range.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "guest.h"

static char dir[64];

static void show_times(const char *what, const char *path, int flags)
{
	struct stat st;

	if (fstatat(AT_FDCWD, path, &st, flags) < 0) {
		printf("%s: stat %s\n", what, errname(errno));
		guest_failures++;
		return;
	}
	printf("%s: atime %lld.%09ld mtime %lld.%09ld\n", what,
	       (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void times_calls(void)
{
	char f[96], l[96];
	struct timespec ts[2];
	struct timeval tv[2];
	struct utimbuf ub;
	struct stat st;
	time_t before = time(NULL);
	int fd;

	snprintf(f, sizeof(f), "%s/file", dir);
	snprintf(l, sizeof(l), "%s/link", dir);
	fd = open(f, O_CREAT | O_RDWR, 0644);
	EXPECT_OK("create", fd >= 0 ? 0 : -1);

	ts[0].tv_sec = 1000000000;
	ts[0].tv_nsec = 123456789;
	ts[1].tv_sec = 1500000000;
	ts[1].tv_nsec = 5;
	EXPECT_OK("utimensat both", utimensat(AT_FDCWD, f, ts, 0));
	show_times("both set", f, 0);
	/* UTIME_OMIT leaves that time alone. */
	ts[0].tv_sec = 1200000000;
	ts[0].tv_nsec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	EXPECT_OK("utimensat mtime omitted", utimensat(AT_FDCWD, f, ts, 0));
	show_times("atime only", f, 0);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 1300000000;
	ts[1].tv_nsec = 42;
	EXPECT_OK("futimens atime omitted", futimens(fd, ts));
	show_times("mtime only", f, 0);
	/* Both omitted: Linux does not even look at the path. */
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
	EXPECT_OK("both omitted, missing path",
		  utimensat(AT_FDCWD, "/nonexistent/x", ts, 0));
	ts[0].tv_nsec = 1000000000;
	ts[1].tv_nsec = 0;
	EXPECT_ERR("bad nsec", utimensat(AT_FDCWD, f, ts, 0), EINVAL);
	EXPECT_ERR("bad flags", utimensat(AT_FDCWD, f, NULL, 0x4000), EINVAL);
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = UTIME_OMIT;
	EXPECT_OK("atime now", utimensat(AT_FDCWD, f, ts, 0));
	stat(f, &st);
	CHECK("atime is now", st.st_atim.tv_sec >= before);
	CHECK("mtime kept",
	      st.st_mtim.tv_sec == 1300000000 && st.st_mtim.tv_nsec == 42);
	EXPECT_OK("utimensat NULL", utimensat(AT_FDCWD, f, NULL, 0));
	stat(f, &st);
	CHECK("both now",
	      st.st_mtim.tv_sec >= before && st.st_atim.tv_sec >= before);

	tv[0].tv_sec = 1100000000;
	tv[0].tv_usec = 250000;
	tv[1].tv_sec = 1100000001;
	tv[1].tv_usec = 0;
	EXPECT_OK("utimes", utimes(f, tv));
	show_times("utimes", f, 0);
	tv[1].tv_usec = 1000000;
	EXPECT_ERR("utimes bad usec", utimes(f, tv), EINVAL);
	tv[1].tv_usec = 7;
	EXPECT_OK("futimesat", syscall(SYS_futimesat, AT_FDCWD, f, tv));
	show_times("futimesat", f, 0);
	ub.actime = 1111111111;
	ub.modtime = 1222222222;
	EXPECT_OK("utime", utime(f, &ub));
	show_times("utime", f, 0);
	EXPECT_ERR("utime missing", utime("/nonexistent/y", &ub), ENOENT);

	/* A symlink's own times (AT_SYMLINK_NOFOLLOW). */
	EXPECT_OK("symlink", symlink("file", l));
	ts[0].tv_sec = 1400000000;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = 1400000001;
	ts[1].tv_nsec = 0;
	EXPECT_OK("lutimens", utimensat(AT_FDCWD, l, ts, AT_SYMLINK_NOFOLLOW));
	show_times("link itself", l, AT_SYMLINK_NOFOLLOW);
	show_times("target unchanged", f, 0);
	close(fd);
}

static void chown_mknod(void)
{
	char f[96], p[96];
	struct stat st;

	snprintf(f, sizeof(f), "%s/file", dir);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	EXPECT_OK("chown to self", chown(f, getuid(), getgid()));
	EXPECT_OK("chown -1 -1", chown(f, -1, -1));
	EXPECT_OK("lchown", lchown(f, getuid(), -1));
	EXPECT_OK("fchownat", fchownat(AT_FDCWD, f, -1, getgid(), 0));
	EXPECT_ERR("fchownat bad flags", fchownat(AT_FDCWD, f, -1, -1, 0x2),
		   EINVAL);
	EXPECT_ERR("chown missing", chown("/nonexistent/z", 0, 0), ENOENT);
	EXPECT_OK("chmod setuid", chmod(f, 04755));
	EXPECT_OK("chown drops setuid", chown(f, -1, -1));
	stat(f, &st);
	printf("mode after chown: %o\n", st.st_mode & 07777);

	EXPECT_OK("mknod fifo", mknod(p, S_IFIFO | 0640, 0));
	stat(p, &st);
	printf("fifo mode: %o\n", st.st_mode);
	EXPECT_ERR("mknod exists", mknod(p, S_IFIFO | 0640, 0), EEXIST);
	EXPECT_ERR("mknod dir", mknod(p, S_IFDIR | 0755, 0), EPERM);
	EXPECT_ERR("mknodat bad type", mknodat(AT_FDCWD, p, 0170000 | 0644, 0),
		   EINVAL);
}

static void data_calls(void)
{
	char a[96], b[96], buf[64] = { 0 };
	int fa, fb, fa2, fds[2];
	off_t off;
	struct stat st;
	struct statfs sfs;

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	fa = open(a, O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fa, "0123456789abcdef", 16);

	/* fallocate mode 0 extends; KEEP_SIZE does not. */
	EXPECT_OK("fallocate", fallocate(fa, 0, 0, 100));
	fstat(fa, &st);
	printf("size after fallocate: %lld\n", (long long)st.st_size);
	EXPECT_OK("fallocate inside", fallocate(fa, 0, 10, 20));
	fstat(fa, &st);
	printf("size still: %lld\n", (long long)st.st_size);
	EXPECT_ERR("fallocate len 0", fallocate(fa, 0, 0, 0), EINVAL);
	EXPECT_ERR("fallocate negative", fallocate(fa, 0, -1, 10), EINVAL);
	ftruncate(fa, 16);

	/* flock between two open file descriptions of one file. */
	fa2 = open(a, O_RDONLY);
	EXPECT_OK("flock ex", flock(fa, LOCK_EX));
	EXPECT_ERR("flock ex other", flock(fa2, LOCK_EX | LOCK_NB),
		   EWOULDBLOCK);
	EXPECT_ERR("flock sh other", flock(fa2, LOCK_SH | LOCK_NB),
		   EWOULDBLOCK);
	EXPECT_OK("flock ex again (same file)", flock(fa, LOCK_EX | LOCK_NB));
	EXPECT_OK("flock downgrade", flock(fa, LOCK_SH));
	EXPECT_OK("flock sh other", flock(fa2, LOCK_SH | LOCK_NB));
	EXPECT_ERR("flock ex while shared", flock(fa, LOCK_EX | LOCK_NB),
		   EWOULDBLOCK);
	EXPECT_OK("unlock other", flock(fa2, LOCK_UN));
	EXPECT_OK("flock ex now", flock(fa, LOCK_EX | LOCK_NB));
	close(fa);
	EXPECT_OK("lock gone with the close", flock(fa2, LOCK_EX | LOCK_NB));
	EXPECT_ERR("flock bad op", flock(fa2, 0), EINVAL);
	close(fa2);

	/* sendfile into a pipe, with and without an offset. */
	fa = open(a, O_RDONLY);
	pipe(fds);
	off = 4;
	SHOW("sendfile with offset", sendfile(fds[1], fa, &off, 6));
	printf("offset now: %lld\n", (long long)off);
	SHOW("file position kept", lseek(fa, 0, SEEK_CUR));
	SHOW("sendfile", sendfile(fds[1], fa, NULL, 3));
	SHOW("file position moved", lseek(fa, 0, SEEK_CUR));
	SHOW("read pipe", read(fds[0], buf, sizeof(buf)));
	printf("pipe data: %s\n", buf);
	EXPECT_ERR("sendfile from pipe with offset",
		   sendfile(fds[1], fds[0], &off, 1), ESPIPE);
	close(fds[0]);
	close(fds[1]);

	/* copy_file_range within one filesystem. */
	fb = open(b, O_CREAT | O_RDWR | O_TRUNC, 0644);
	off = 10;
	SHOW("copy_file_range", copy_file_range(fa, &off, fb, NULL, 100, 0));
	printf("in offset: %lld\n", (long long)off);
	memset(buf, 0, sizeof(buf));
	pread(fb, buf, sizeof(buf), 0);
	printf("copied: %s\n", buf);
	SHOW("copy past end", copy_file_range(fa, &off, fb, NULL, 100, 0));
	EXPECT_ERR("copy_file_range flags",
		   copy_file_range(fa, NULL, fb, NULL, 1, 1), EINVAL);
	close(fa);
	close(fb);

	EXPECT_OK("statfs /proc", statfs("/proc", &sfs));
	printf("proc f_type: %#lx\n", (unsigned long)sfs.f_type);
	EXPECT_ERR("statfs missing", statfs("/nonexistent", &sfs), ENOENT);
	sync();
	fa = open(a, O_RDONLY);
	EXPECT_OK("syncfs", syncfs(fa));
	close(fa);
	EXPECT_ERR("syncfs bad fd", syncfs(99), EBADF);
}

static void close_ranges(void)
{
	int a = dup(1), b = dup(1), c = dup(1);

	printf("dups: %d %d %d\n", a, b, c);
	EXPECT_OK("close_range cloexec",
		  syscall(SYS_close_range, b, c, 4 /* CLOSE_RANGE_CLOEXEC */));
	SHOW("cloexec set", fcntl(c, F_GETFD));
	EXPECT_OK("close_range", syscall(SYS_close_range, a, ~0U, 0));
	EXPECT_ERR("closed", fcntl(a, F_GETFD), EBADF);
	EXPECT_ERR("closed too", fcntl(c, F_GETFD), EBADF);
	EXPECT_ERR("first > last", syscall(SYS_close_range, 5, 4, 0), EINVAL);
	EXPECT_ERR("bad flags", syscall(SYS_close_range, 5, 6, 1), EINVAL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(dir, sizeof(dir), "/tmp/guest-times-%d", (int)getpid());
	if (mkdir(dir, 0755) < 0) {
		printf("mkdir: %s\n", errname(errno));
		return 1;
	}
	times_calls();
	chown_mknod();
	data_calls();
	close_ranges();
	/* Clean up (the names are fixed above). */
	{
		const char *names[] = { "file", "link", "fifo", "a", "b" };
		char p[128];

		for (unsigned i = 0; i < 5; i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return guest_exit();
}
