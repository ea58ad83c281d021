/*
 * Guest: RLIMIT_FSIZE (setrlimit(2)). Writes are cut at the limit, a
 * write that starts at it fails with EFBIG and raises SIGXFSZ (ignored
 * here, so the call returns), and the same holds for pwrite, writev,
 * sendfile, copy_file_range and a growing ftruncate; shrinking is fine.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guest.h"

static volatile sig_atomic_t xfsz;

static void on_xfsz(int sig)
{
	xfsz++;
}

static void show(const char *what, long r)
{
	printf("%s: %ld %s (SIGXFSZ so far %d)\n", what, r,
	       r < 0 ? errname(errno) : "", (int)xfsz);
}

int main(void)
{
	static char buf[4096];
	struct rlimit rl = { 1000, RLIM_INFINITY };
	struct stat st;
	int fd, src;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGXFSZ, on_xfsz);
	memset(buf, 'x', sizeof(buf));
	src = open("fsize.src", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("src", src >= 0 && write(src, buf, 3000) == 3000);
	fd = open("fsize.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("open", fd >= 0);
	CHECK("setrlimit", setrlimit(RLIMIT_FSIZE, &rl) == 0);

	show("write 1500", write(fd, buf, 1500));
	show("write at the limit", write(fd, buf, 10));
	show("pwrite at 990", pwrite(fd, buf, 100, 990));
	show("pwrite at 1000", pwrite(fd, buf, 100, 1000));
	struct iovec iov[2] = { { buf, 10 }, { buf, 10 } };
	lseek(fd, 1000, SEEK_SET);
	show("writev at the limit", writev(fd, iov, 2));
	off_t off = 0;
	lseek(fd, 1000, SEEK_SET);
	show("sendfile at the limit", sendfile(fd, src, &off, 100));
	loff_t in = 0, out = 995;
	show("copy_file_range at 995", copy_file_range(src, &in, fd, &out, 100, 0));
	show("ftruncate to 2000", ftruncate(fd, 2000));
	show("ftruncate to 1000", ftruncate(fd, 1000));
	show("ftruncate to 10", ftruncate(fd, 10));
	CHECK("fstat", fstat(fd, &st) == 0);
	printf("final size %lld\n", (long long)st.st_size);
	close(fd);
	close(src);
	unlink("fsize.dat");
	unlink("fsize.src");
	return guest_exit();
}
