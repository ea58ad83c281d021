/*
 * Hostile guest: the host fds of the ember process (run-hostile.sh opens
 * 5, 7 and 9 on the canary outside --root before starting it) are not
 * the guest's: every fd from 3 to 1023 is EBADF to fcntl, read, fstat,
 * dup and close, and /proc/self/fd lists only 0, 1 and 2.
 * HOSTILE_EXPECT: exit 0
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostile.h"

int main(void)
{
	int bad = 0;
	char buf[16];
	struct stat st;

	for (int fd = 3; fd < 1024; fd++) {
		errno = 0;
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			bad++, printf("fd %d: fcntl %s\n", fd, strerror(errno));
		errno = 0;
		if (read(fd, buf, sizeof(buf)) != -1 || errno != EBADF)
			bad++, printf("fd %d: read %s\n", fd, strerror(errno));
		errno = 0;
		if (fstat(fd, &st) != -1 || errno != EBADF)
			bad++, printf("fd %d: fstat %s\n", fd, strerror(errno));
		errno = 0;
		if (dup(fd) != -1 || errno != EBADF)
			bad++, printf("fd %d: dup %s\n", fd, strerror(errno));
		errno = 0;
		if (close(fd) != -1 || errno != EBADF)
			bad++, printf("fd %d: close %s\n", fd, strerror(errno));
	}
	if (bad)
		failf("%d operations on fds 3..1023 did not give EBADF", bad);
	else
		pass("fds 3..1023: fcntl, read, fstat, dup, close all EBADF");

	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		failf("opendir(/proc/self/fd): %s", strerror(errno));
	} else {
		int extra = 0, self = dirfd(d);
		struct dirent *e;

		while ((e = readdir(d))) {
			int n = atoi(e->d_name);

			if (e->d_name[0] == '.' || n <= 2 || n == self)
				continue;
			extra++;
			printf("unexpected fd %s\n", e->d_name);
		}
		closedir(d);
		if (extra)
			failf("/proc/self/fd lists %d fds besides 0-2", extra);
		else
			pass("/proc/self/fd lists only 0, 1 and 2");
	}
	return hostile_exit();
}
