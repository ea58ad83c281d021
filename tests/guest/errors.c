/*
 * Guest: error returns. Bad user pointers give EFAULT (never a crash),
 * bad descriptors EBADF, unknown system calls ENOSYS, bad names ENOENT or
 * ENAMETOOLONG. System calls whose libc wrapper might check or touch the
 * argument itself (or go through the vDSO) are made raw. No ESPIPE case:
 * the runner's stdin is /dev/null natively (seekable) but Ember's console
 * under Ember, and there are no pipes yet to make it deterministic.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guest.h"

/* Volatile: the compiler must not see (and warn about) the bad address. */
static void *volatile bad_ptr = (void *)1;
#define BAD bad_ptr

int main(void)
{
	char path[] = "/tmp/ember-errors-XXXXXX";
	int fd = mkstemp(path);
	char buf[64];

	if (fd < 0) {
		printf("mkstemp: %s\n", errname(errno));
		return 1;
	}
	if (write(fd, "0123456789abcdef", 16) != 16 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		printf("setup failed: %s\n", errname(errno));
		return 1;
	}

	printf("== EFAULT\n");
	EXPECT_ERR("write(1, 1, 10)", write(1, BAD, 10), EFAULT);
	EXPECT_ERR("write(file, 1, 10)", write(fd, BAD, 10), EFAULT);
	EXPECT_OK("write(1, 1, 0) copies nothing", write(1, BAD, 0));
	printf("\n");
	EXPECT_ERR("read(file, 1, 10)", read(fd, BAD, 10), EFAULT);
	EXPECT_OK("file offset unchanged", lseek(fd, 0, SEEK_CUR));
	int zfd = open("/dev/zero", O_RDONLY);
	EXPECT_ERR("read(/dev/zero, 1, 10)", read(zfd, BAD, 10), EFAULT);
	close(zfd);
	EXPECT_ERR("read into a kernel address",
		   read(fd, (void *)0xffff800000000000UL, 10), EFAULT);
	EXPECT_ERR("read into a non-canonical address",
		   read(fd, (void *)0x0000900000000000UL, 10), EFAULT);
	EXPECT_ERR("pread(file, 1, 10)", pread(fd, BAD, 10, 0), EFAULT);

	/* Reading into a read-only page is a fault too. */
	void *ro =
		mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_ERR("read into PROT_READ page", read(fd, ro, 10), EFAULT);
	munmap(ro, 4096);
	/* An unmapped page (just unmapped, so surely unmapped). */
	EXPECT_ERR("read into unmapped page", read(fd, ro, 10), EFAULT);
	EXPECT_ERR("write from unmapped page", write(fd, ro, 10), EFAULT);

	EXPECT_ERR("open(bad path pointer)", syscall(SYS_open, BAD, O_RDONLY),
		   EFAULT);
	EXPECT_ERR("openat(bad path pointer)",
		   syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY), EFAULT);
	EXPECT_ERR("stat(bad path pointer)", syscall(SYS_stat, BAD, buf),
		   EFAULT);
	EXPECT_ERR("stat(good path, bad buf)", syscall(SYS_stat, "/", BAD),
		   EFAULT);
	EXPECT_ERR("fstat(bad buf)", syscall(SYS_fstat, fd, BAD), EFAULT);
	EXPECT_ERR("uname(bad buf)", syscall(SYS_uname, BAD), EFAULT);
	EXPECT_ERR("getcwd(bad buf)", syscall(SYS_getcwd, BAD, 100), EFAULT);
	EXPECT_ERR("readv(bad iovec)", readv(fd, BAD, 1), EFAULT);
	struct iovec iov = { .iov_base = BAD, .iov_len = 10 };
	EXPECT_ERR("readv(iovec with bad base)", readv(fd, &iov, 1), EFAULT);
	EXPECT_ERR("mkdir(bad path)", syscall(SYS_mkdir, BAD, 0755), EFAULT);
	EXPECT_ERR("unlink(bad path)", syscall(SYS_unlink, BAD), EFAULT);
	EXPECT_ERR("chdir(bad path)", syscall(SYS_chdir, BAD), EFAULT);

	printf("== EBADF\n");
	EXPECT_ERR("read(-1)", read(-1, buf, 1), EBADF);
	EXPECT_ERR("write(-1)", write(-1, buf, 1), EBADF);
	EXPECT_ERR("read(1000)", read(1000, buf, 1), EBADF);
	EXPECT_ERR("close(-1)", close(-1), EBADF);
	EXPECT_ERR("close(1000)", close(1000), EBADF);
	EXPECT_ERR("close(INT_MAX)", close(INT_MAX), EBADF);
	EXPECT_ERR("fstat(1000)", syscall(SYS_fstat, 1000, buf), EBADF);
	EXPECT_ERR("lseek(1000)", lseek(1000, 0, SEEK_SET), EBADF);
	EXPECT_ERR("dup(-1)", dup(-1), EBADF);
	EXPECT_ERR("fcntl(-1, F_GETFD)", fcntl(-1, F_GETFD), EBADF);
	EXPECT_ERR("fchdir(1000)", fchdir(1000), EBADF);
	EXPECT_ERR("openat(bad dirfd, relative)", openat(1000, "x", O_RDONLY),
		   EBADF);
	EXPECT_ERR("ftruncate(1000)", ftruncate(1000, 0), EBADF);

	printf("== EINVAL\n");
	EXPECT_ERR("lseek bad whence", lseek(fd, 0, 7), EINVAL);
	EXPECT_ERR("fcntl unknown command", fcntl(fd, 0x7fff), EINVAL);
	EXPECT_ERR("ftruncate negative", ftruncate(fd, -1), EINVAL);
	EXPECT_ERR("read negative count as huge",
		   syscall(SYS_read, fd, buf, -1L), EFAULT);

	printf("== names\n");
	EXPECT_ERR("open(\"\")", open("", O_RDONLY), ENOENT);
	EXPECT_ERR("open /nonexistent/x", open("/nonexistent/x", O_RDONLY),
		   ENOENT);
	char *longname = malloc(300);
	memset(longname, 'n', 299);
	longname[299] = 0;
	EXPECT_ERR("open 299-byte component", open(longname, O_RDONLY),
		   ENAMETOOLONG);
	char *longpath = malloc(PATH_MAX + 10);
	for (int i = 0; i < PATH_MAX + 8; i++)
		longpath[i] = i % 2 ? '/' : 'a';
	longpath[PATH_MAX + 8] = 0;
	EXPECT_ERR("open path longer than PATH_MAX", open(longpath, O_RDONLY),
		   ENAMETOOLONG);
	free(longname);
	free(longpath);
	EXPECT_ERR("file as a directory", open("/dev/null/x", O_RDONLY),
		   ENOTDIR);

	printf("== ENOSYS\n");
	EXPECT_ERR("syscall 1000", syscall(1000), ENOSYS);
	EXPECT_ERR("syscall -1", syscall(-1L), ENOSYS);
	EXPECT_ERR("syscall 511", syscall(511), ENOSYS);

	printf("== still alive\n");
	EXPECT_OK("the file is intact", pread(fd, buf, 16, 0));
	printf("content: [%.16s]\n", buf);
	close(fd);
	unlink(path);
	return guest_exit();
}
