/*
 * Guest benchmark: the cost of a trapped syscall (getppid, answered by the
 * kernel without touching user memory), of a 4 KiB write to /dev/null
 * (copy_from_user path), of first-touch page faults, of fork+exit+wait
 * and of a thread's create+join. Prints one "name ns_per_op" line each.
 * Build static; run natively and under Ember.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *thread_fn(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	static char buf[4096];
	double t0 = now();
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
	double t1 = now();
	printf("getppid %.0f\n", (t1 - t0) / n);

	int fd = open("/dev/null", O_WRONLY);
	t0 = now();
	for (int i = 0; i < n; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			return 1;
	t1 = now();
	printf("write4k_devnull %.0f\n", (t1 - t0) / n);

	size_t pages = 4096;
	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t0 = now();
	for (size_t i = 0; i < pages; i++)
		p[i * 4096] = 1;
	t1 = now();
	printf("page_touch %.0f\n", (t1 - t0) / pages);

	int forks = n / 100 > 0 ? n / 100 : 1;
	t0 = now();
	for (int i = 0; i < forks; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return 1;
	}
	t1 = now();
	printf("fork_exit_wait %.0f\n", (t1 - t0) / forks);

	t0 = now();
	for (int i = 0; i < forks; i++) {
		pthread_t th;
		if (pthread_create(&th, NULL, thread_fn, NULL) ||
		    pthread_join(th, NULL))
			return 1;
	}
	t1 = now();
	printf("thread_create_join %.0f\n", (t1 - t0) / forks);
	return 0;
}
