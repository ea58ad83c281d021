/*
 * Guest: splice(2), tee(2) and vmsplice(2) between files and pipes: the
 * bytes that arrive, the offsets that move (and the ones that must not),
 * and the errors Linux gives for the wrong kinds of fds and flags.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guest.h"

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, errname(errno));
	else
		printf("%s: %ld\n", what, r);
}

static long drain(int fd, char *buf, size_t len)
{
	long n = read(fd, buf, len);

	if (n >= 0)
		buf[n] = 0;
	return n;
}

int main(void)
{
	char buf[256];
	int p[2], q[2], fd;
	loff_t off;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open("splice.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("open", fd >= 0);
	CHECK("write", write(fd, "0123456789abcdef", 16) == 16);
	CHECK("pipe", pipe(p) == 0 && pipe(q) == 0);

	/* file -> pipe with an explicit offset: the file position stays. */
	off = 4;
	show("splice file->pipe", splice(fd, &off, p[1], NULL, 6, 0));
	printf("off now %lld, file pos %lld\n", (long long)off,
	       (long long)lseek(fd, 0, SEEK_CUR));

	/* tee copies without consuming. */
	show("tee p->q", tee(p[0], q[1], 100, 0));
	show("read q", drain(q[0], buf, sizeof(buf) - 1));
	printf("q had '%s'\n", buf);

	/* pipe -> file at the file position. */
	lseek(fd, 0, SEEK_END);
	show("splice pipe->file", splice(p[0], NULL, fd, NULL, 100, 0));
	CHECK("pread", pread(fd, buf, 22, 0) == 22);
	buf[22] = 0;
	printf("file now '%s'\n", buf);

	/* file -> pipe from the file position, which moves. */
	lseek(fd, 10, SEEK_SET);
	show("splice file->pipe (pos)", splice(fd, NULL, p[1], NULL, 3, 0));
	printf("file pos %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	show("read p", drain(p[0], buf, sizeof(buf) - 1));
	printf("p had '%s'\n", buf);

	/* Errors. */
	int fd2 = open("splice2.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	show("file->file", splice(fd, NULL, fd2, NULL, 4, 0));
	off = 0;
	show("offset on a pipe", splice(p[0], &off, fd, NULL, 4, 0));
	show("same pipe", splice(p[0], NULL, p[1], NULL, 4, 0));
	show("bad flags", splice(fd, NULL, p[1], NULL, 4, 0x100));
	show("empty, nonblock", splice(p[0], NULL, fd2, NULL, 4, SPLICE_F_NONBLOCK));
	show("tee on a file", tee(fd, p[1], 4, 0));
	show("bad fd", splice(-1, NULL, p[1], NULL, 4, 0));
	show("zero length", splice(fd, NULL, p[1], NULL, 0, 0));
	int wo = open("splice2.dat", O_WRONLY);
	show("write-only input", splice(wo, NULL, p[1], NULL, 4, 0));
	close(wo);

	/* vmsplice into the write end, then read it back. */
	struct iovec iov[2] = { { "vm", 2 }, { "splice", 6 } };
	show("vmsplice", vmsplice(p[1], iov, 2, 0));
	show("read p", drain(p[0], buf, sizeof(buf) - 1));
	printf("p had '%s'\n", buf);

	/* EOF: no writer left and nothing buffered. */
	close(p[1]);
	show("splice at EOF", splice(p[0], NULL, fd2, NULL, 4, 0));

	close(fd);
	close(fd2);
	unlink("splice.dat");
	unlink("splice2.dat");
	return guest_exit();
}
