/*
 * Guest: the standard character devices. /dev/null swallows writes and
 * reads empty, /dev/zero reads zeros, /dev/full fails writes with ENOSPC,
 * /dev/urandom and getrandom give the requested number of bytes; device
 * numbers are Linux's (1,3 1,5 1,7 1,8 1,9).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "guest.h"

static void show_dev(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		printf("stat %s: %s\n", path, errname(errno));
		guest_failures++;
		return;
	}
	printf("%s: chr %d dev %u,%u mode %04o\n", path, S_ISCHR(st.st_mode),
	       major(st.st_rdev), minor(st.st_rdev),
	       (unsigned)(st.st_mode & 07777));
}

int main(void)
{
	char buf[4096];
	int fd;

	show_dev("/dev/null");
	show_dev("/dev/zero");
	show_dev("/dev/full");
	show_dev("/dev/random");
	show_dev("/dev/urandom");

	printf("== /dev/null\n");
	EXPECT_OK("open /dev/null O_RDWR", fd = open("/dev/null", O_RDWR));
	EXPECT_OK("write 100", write(fd, buf, 100));
	EXPECT_OK("read", read(fd, buf, sizeof(buf)));
	EXPECT_OK("lseek", lseek(fd, 100, SEEK_SET));
	EXPECT_OK("read after lseek", read(fd, buf, sizeof(buf)));
	close(fd);

	printf("== /dev/zero\n");
	EXPECT_OK("open /dev/zero", fd = open("/dev/zero", O_RDWR));
	memset(buf, 0x33, sizeof(buf));
	EXPECT_OK("read 4096", read(fd, buf, sizeof(buf)));
	int nz = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		nz |= buf[i];
	CHECK("all zero", nz == 0);
	EXPECT_OK("write", write(fd, "x", 1));
	close(fd);

	printf("== /dev/full\n");
	EXPECT_OK("open /dev/full", fd = open("/dev/full", O_WRONLY));
	EXPECT_ERR("write", write(fd, "x", 1), ENOSPC);
	close(fd);
	EXPECT_OK("open /dev/full O_RDONLY", fd = open("/dev/full", O_RDONLY));
	memset(buf, 0x33, 64);
	EXPECT_OK("read 64", read(fd, buf, 64));
	nz = 0;
	for (int i = 0; i < 64; i++)
		nz |= buf[i];
	CHECK("reads zeros", nz == 0);
	close(fd);

	printf("== random\n");
	unsigned char a[100], b[100];
	EXPECT_OK("open /dev/urandom", fd = open("/dev/urandom", O_RDONLY));
	EXPECT_OK("read 100", read(fd, a, 100));
	EXPECT_OK("read 100", read(fd, b, 100));
	CHECK("two reads differ", memcmp(a, b, 100) != 0);
	close(fd);
	EXPECT_OK("open /dev/random", fd = open("/dev/random", O_RDONLY));
	EXPECT_OK("read 16", read(fd, a, 16));
	close(fd);
	EXPECT_OK("getrandom 32", getrandom(a, 32, 0));
	EXPECT_OK("getrandom 32 GRND_NONBLOCK",
		  getrandom(b, 32, GRND_NONBLOCK));
	CHECK("getrandom results differ", memcmp(a, b, 32) != 0);
	EXPECT_ERR("getrandom bad flags", getrandom(a, 1, 0x100), EINVAL);

	printf("== /dev/fd and friends\n");
	struct stat st;
	EXPECT_OK("lstat /dev/stdin", lstat("/dev/stdin", &st));
	CHECK("/dev/stdin is a symlink", S_ISLNK(st.st_mode));
	EXPECT_OK("stat /dev/null via /dev/fd",
		  fd = open("/dev/null", O_RDONLY));
	char link[64];
	snprintf(link, sizeof(link), "/dev/fd/%d", fd);
	CHECK("/dev/fd/N names the open file",
	      stat(link, &st) == 0 && S_ISCHR(st.st_mode) &&
		      major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
	close(fd);
	return guest_exit();
}
