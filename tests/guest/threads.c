/*
 * Guest: threads. 64 pthreads at once with their own TLS and stacks,
 * joined with their results; a mutex and condition variable under
 * contention (futex wait/wake, requeue); pthread_cancel of a thread
 * blocked in a cancellation point; a thread-directed signal (tgkill) and
 * per-thread masks; gettid distinct from getpid; a detached thread; a
 * process-shared mutex between processes; a robust mutex whose owner
 * thread dies; exit from one thread versus exit_group from another;
 * fork from a threaded process; and execve from a second thread.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define NTHREADS 64

static __thread int tls_value;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int counter, ready;
static pid_t tids[NTHREADS];

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	tls_value = id * 10;
	tids[id] = (pid_t)syscall(SYS_gettid);
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 100 == 0)
			sched_yield();
	}
	pthread_mutex_lock(&lock);
	while (!ready)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return (void *)(intptr_t)(tls_value + 1);
}

static void many_threads(void)
{
	pthread_t th[NTHREADS];
	int ok = 1, distinct = 1;

	tls_value = -1;
	for (int i = 0; i < NTHREADS; i++) {
		if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i)) {
			printf("pthread_create %d failed\n", i);
			guest_failures++;
			return;
		}
	}
	usleep(50000);
	pthread_mutex_lock(&lock);
	ready = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		if ((intptr_t)ret != i * 10 + 1)
			ok = 0;
	}
	for (int i = 0; i < NTHREADS; i++) {
		if (tids[i] == getpid() || tids[i] <= 0)
			distinct = 0;
		for (int j = 0; j < i; j++)
			if (tids[i] == tids[j])
				distinct = 0;
	}
	printf("%d threads joined, results ok: %d\n", NTHREADS, ok);
	printf("counter: %d\n", counter);
	printf("tids distinct and not the pid: %d\n", distinct);
	printf("main TLS untouched: %d\n", tls_value);
}

static volatile int cancel_reached;

static void cleanup(void *arg)
{
	cancel_reached = 1;
}

static void *sleeper(void *arg)
{
	pthread_cleanup_push(cleanup, NULL);
	for (;;)
		sleep(100);
	pthread_cleanup_pop(0);
	return NULL;
}

static void cancel(void)
{
	pthread_t th;
	void *ret;

	pthread_create(&th, NULL, sleeper, NULL);
	usleep(20000);
	EXPECT_OK("pthread_cancel", pthread_cancel(th));
	pthread_join(th, &ret);
	printf("canceled: %d cleanup ran: %d\n", ret == PTHREAD_CANCELED,
	       cancel_reached);
}

static volatile pid_t handled_by;
static volatile int usr1_hits;

static void on_usr1(int sig)
{
	handled_by = (pid_t)syscall(SYS_gettid);
	usr1_hits++;
}

static pid_t sig_tid;
static volatile int sig_stop;

static void *sig_target(void *arg)
{
	sig_tid = (pid_t)syscall(SYS_gettid);
	while (!sig_stop)
		usleep(1000);
	return NULL;
}

static void *blocks_usr1(void *arg)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	while (!sig_stop)
		usleep(1000);
	return NULL;
}

static void thread_signals(void)
{
	pthread_t a, b;
	sigset_t s;

	signal(SIGUSR1, on_usr1);
	pthread_create(&a, NULL, sig_target, NULL);
	while (!sig_tid)
		usleep(1000);
	syscall(SYS_tgkill, getpid(), sig_tid, SIGUSR1);
	while (!usr1_hits)
		usleep(1000);
	printf("tgkill ran the handler on that thread: %d\n",
	       handled_by == sig_tid);

	/* A process-wide signal blocked in main and in one thread goes to
	 * the thread that does not block it. */
	pthread_create(&b, NULL, blocks_usr1, NULL);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	usleep(20000);
	usr1_hits = 0;
	kill(getpid(), SIGUSR1);
	while (!usr1_hits)
		usleep(1000);
	printf("kill went to the unblocked thread: %d\n",
	       handled_by == sig_tid);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	sig_stop = 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	signal(SIGUSR1, SIG_DFL);
}

static volatile int detached_done;

static void *detached(void *arg)
{
	detached_done = 1;
	return NULL;
}

static void *robust_owner(void *arg)
{
	pthread_mutex_lock(arg);
	return NULL; /* dies holding it */
}

static void mutexes(void)
{
	pthread_attr_t attr;
	pthread_t th;
	pthread_mutexattr_t ma;
	pthread_mutex_t robust;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_create(&th, &attr, detached, NULL);
	for (int i = 0; i < 1000 && !detached_done; i++)
		usleep(1000);
	printf("detached thread ran: %d\n", detached_done);

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &ma);
	pthread_create(&th, NULL, robust_owner, &robust);
	pthread_join(th, NULL);
	int r = pthread_mutex_lock(&robust);
	printf("robust mutex after its owner died: %s\n",
	       r == EOWNERDEAD ? "EOWNERDEAD" : errname(r));
	if (r == EOWNERDEAD)
		pthread_mutex_consistent(&robust);
	pthread_mutex_unlock(&robust);

	/* A process-shared mutex and condition in shared memory. */
	struct shared {
		pthread_mutex_t m;
		pthread_cond_t c;
		int flag;
	} *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_condattr_t ca;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->m, &ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&sh->c, &ca);
	sh->flag = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(&sh->m);
		while (!sh->flag)
			pthread_cond_wait(&sh->c, &sh->m);
		sh->flag = 2;
		pthread_cond_signal(&sh->c);
		pthread_mutex_unlock(&sh->m);
		_exit(0);
	}
	usleep(20000);
	pthread_mutex_lock(&sh->m);
	sh->flag = 1;
	pthread_cond_signal(&sh->c);
	while (sh->flag != 2)
		pthread_cond_wait(&sh->c, &sh->m);
	pthread_mutex_unlock(&sh->m);
	int status;
	waitpid(pid, &status, 0);
	printf("process-shared condvar handshake: %d exit %d\n", sh->flag,
	       WEXITSTATUS(status));
	munmap(sh, sizeof(*sh));
}

static void *forker(void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* Only the forking thread exists in the child. */
		_exit(21);
	}
	waitpid(pid, &status, 0);
	return (void *)(intptr_t)WEXITSTATUS(status);
}

static void *exits_group(void *arg)
{
	usleep(20000);
	exit(17);
}

static void *spins(void *arg)
{
	for (;;)
		usleep(1000);
	return NULL;
}

static void exits(void)
{
	pthread_t th;
	void *ret;
	int status;

	pthread_create(&th, NULL, forker, NULL);
	pthread_join(th, &ret);
	printf("fork from a thread: child exit %d\n", (int)(intptr_t)ret);

	/* exit() in one thread ends every thread of the process. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t1, t2;

		pthread_create(&t1, NULL, spins, NULL);
		pthread_create(&t2, NULL, exits_group, NULL);
		for (;;)
			pause();
	}
	waitpid(pid, &status, 0);
	printf("exit_group from a thread: %d\n", WEXITSTATUS(status));

	/* The main thread leaving with pthread_exit: the process lives on
	 * until its last thread. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pthread_t t1;

		pthread_create(&t1, NULL, exits_group, NULL);
		pthread_exit(NULL);
	}
	waitpid(pid, &status, 0);
	printf("main thread exited first: %d\n", WEXITSTATUS(status));
}

static char *self;
static char pidbuf[16];

/* The image a second thread exec'd: alone, with the process's pid. */
static int thread_report(int argc, char **argv)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	char *th;

	buf[n > 0 ? n : 0] = 0;
	th = strstr(buf, "Threads:");
	printf("[thread exec] pid unchanged: %d\n",
	       argc > 2 && atoi(argv[2]) == getpid());
	printf("[thread exec] tid is the pid: %d\n",
	       (pid_t)syscall(SYS_gettid) == getpid());
	printf("[thread exec] %.10s\n", th ? th : "no Threads line");
	fflush(stdout);
	return 8;
}

static void *exec_from_thread(void *arg)
{
	char *argv[] = { self, "child-thread", pidbuf, NULL };

	execve(self, argv, environ);
	return NULL;
}

/* execve from a second thread: the others end, the pid stays. */
static void thread_exec(void)
{
	pthread_t a, b;
	int status;

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		pthread_create(&a, NULL, spins, NULL);
		pthread_create(&b, NULL, exec_from_thread, NULL);
		for (;;)
			pause();
	}
	waitpid(pid, &status, 0);
	printf("exec from a thread: exit %d\n", WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child-thread") == 0)
		return thread_report(argc, argv);
	self = argv[0];
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	many_threads();
	cancel();
	thread_signals();
	mutexes();
	exits();
	thread_exec();
	return guest_exit();
}
