/*
 * Guest: MAP_SHARED of a file in /dev/shm (tmpfs). The mapping and
 * read(2)/write(2) see the same bytes, a forked child's stores reach the
 * parent, a second mapping of the same file shares the pages, access past
 * the end of the file is SIGBUS, and msync and POSIX semaphores (glibc
 * and musl put them in /dev/shm and map them shared) work across fork.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

int main(void)
{
	char name[64], buf[32];
	int fd, status;
	char *p, *q;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(name, sizeof(name), "/dev/shm/ember-shm-test");
	unlink(name);
	fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK("open /dev/shm file", fd >= 0);
	CHECK("ftruncate", ftruncate(fd, 5000) == 0);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mmap shared", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return guest_exit();

	memcpy(p, "through the map", 15);
	CHECK("pread sees the store", pread(fd, buf, 15, 0) == 15 &&
					      memcmp(buf, "through the map", 15) == 0);
	CHECK("pwrite", pwrite(fd, "by write", 8, 100) == 8);
	printf("map sees the write: %.8s\n", p + 100);

	q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
	CHECK("second mapping at offset 4096", q != MAP_FAILED);
	p[4096 + 7] = 'Z';
	printf("second mapping sees it: %c\n", q != MAP_FAILED ? q[7] : '?');

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		memcpy(p + 200, "from the child", 14);
		_exit(0);
	}
	CHECK("waitpid", waitpid(pid, &status, 0) == pid);
	printf("parent sees the child's store: %.14s\n", p + 200);

	CHECK("msync MS_SYNC", msync(p, 8192, MS_SYNC) == 0);
	printf("msync both flags: %s\n",
	       msync(p, 4096, MS_SYNC | MS_ASYNC) < 0 ? errname(errno) : "0");
	printf("msync unaligned: %s\n",
	       msync(p + 1, 4096, MS_SYNC) < 0 ? errname(errno) : "0");

	/* The second page holds bytes 4096..4999 of the 5000-byte file:
	 * valid. A third page would be past the end: SIGBUS. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *r = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);

		if (r == MAP_FAILED)
			_exit(3);
		if (r[4096 + 903] != 0)
			_exit(4);
		(void)*(volatile char *)(r + 2 * 4096);
		_exit(5);
	}
	CHECK("waitpid", waitpid(pid, &status, 0) == pid);
	printf("past the end: %s\n",
	       WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS ? "SIGBUS" :
	       WIFEXITED(status) ? "exited" : "other signal");

	int ro = open(name, O_RDONLY);
	void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	printf("writable shared map of a read-only fd: %s\n",
	       w == MAP_FAILED ? errname(errno) : "mapped");
	close(ro);

	munmap(p, 8192);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	printf("after remapping: %.15s\n", p != MAP_FAILED ? p : "?");
	close(fd);
	unlink(name);

	/* A process-shared semaphore in /dev/shm, posted by a child. */
	sem_unlink("/ember-sem-test");
	sem_t *s = sem_open("/ember-sem-test", O_CREAT | O_EXCL, 0600, 0);
	CHECK("sem_open", s != SEM_FAILED);
	if (s != SEM_FAILED) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			sem_post(s);
			sem_post(s);
			_exit(0);
		}
		CHECK("sem_wait", sem_wait(s) == 0);
		CHECK("waitpid", waitpid(pid, &status, 0) == pid);
		int v = -1;
		sem_getvalue(s, &v);
		printf("semaphore value after one wait: %d\n", v);
		sem_close(s);
		sem_unlink("/ember-sem-test");
	}
	return guest_exit();
}
