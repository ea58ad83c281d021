/*
 * fcntl(2) record locks between processes, on the host-backed cwd and on
 * /tmp: F_GETLK sees the other process's lock (its pid is checked, not
 * printed), conflicts fail with EAGAIN, ranges merge and split, a close of
 * ANY descriptor of the file drops the process's locks, F_SETLKW waits
 * and is woken by an unlock, two processes waiting for each other get
 * EDEADLK, a signal interrupts a wait (EINTR), OFD locks belong to the
 * open file, and flock(2) locks do not interact with fcntl locks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static int to_child[2], to_parent[2];

static void send_byte(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		_exit(90);
}

static char recv_byte(int fd)
{
	char c = 0;

	if (read(fd, &c, 1) != 1)
		return 0;
	return c;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	return fcntl(fd, cmd, &fl);
}

static const char *tname(short t)
{
	return t == F_RDLCK ? "RD" :
	       t == F_WRLCK ? "WR" :
	       t == F_UNLCK ? "UN" :
			      "?";
}

/* F_GETLK (or F_OFD_GETLK) for a write lock on [start, start+len): what
 * blocks it, with whether l_pid is want_pid (printed as a flag). */
static void show_getlk(const char *what, int fd, int cmd, off_t start,
		       off_t len, pid_t want_pid)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	if (fcntl(fd, cmd, &fl) < 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	if (fl.l_type == F_UNLCK) {
		printf("%s: UN\n", what);
		return;
	}
	printf("%s: %s start %ld len %ld pid-match %d\n", what,
	       tname(fl.l_type), (long)fl.l_start, (long)fl.l_len,
	       fl.l_pid == want_pid);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* The child side of run(): steps driven by the parent's bytes. */
static void child(const char *path, pid_t parent)
{
	int fd = open(path, O_RDWR);
	char c;

	if (fd < 0)
		_exit(91);
	while ((c = recv_byte(to_child[0])) != 0) {
		switch (c) {
		case 'g': /* the parent holds WR [0,10) */
			show_getlk("child getlk [0,100)", fd, F_GETLK, 0, 100,
				   parent);
			SHOW("child setlk WR [5,6)",
			     lk(fd, F_SETLK, F_WRLCK, 5, 1));
			SHOW("child setlk RD [5,6)",
			     lk(fd, F_SETLK, F_RDLCK, 5, 1));
			SHOW("child setlk RD [20,30)",
			     lk(fd, F_SETLK, F_RDLCK, 20, 10));
			break;
		case 'c': { /* drop our locks by closing another fd */
			int fd2 = open(path, O_RDONLY);

			close(fd2);
			break;
		}
		case 'm': /* merge/split view of the parent's locks */
			show_getlk("child view [0,1)", fd, F_GETLK, 0, 1,
				   parent);
			show_getlk("child view [0,100)", fd, F_GETLK, 0, 100,
				   parent);
			show_getlk("child view [5,8)", fd, F_GETLK, 5, 3,
				   parent);
			show_getlk("child view [5,100)", fd, F_GETLK, 5, 95,
				   parent);
			show_getlk("child view [25,26)", fd, F_GETLK, 25, 1,
				   parent);
			show_getlk("child view [40,EOF)", fd, F_GETLK, 40, 0,
				   parent);
			break;
		case 'w': /* wait for the parent's lock on [0,1) */
			send_byte(to_parent[1], 'r');
			SHOW("child setlkw WR [0,1)",
			     lk(fd, F_SETLKW, F_WRLCK, 0, 1));
			SHOW("child unlock [0,1)",
			     lk(fd, F_SETLK, F_UNLCK, 0, 1));
			break;
		case 'd': /* deadlock: we hold [1,2) and wait for [0,1) */
			SHOW("child setlk WR [1,2)",
			     lk(fd, F_SETLK, F_WRLCK, 1, 1));
			send_byte(to_parent[1], 'r');
			SHOW("child setlkw WR [0,1)",
			     lk(fd, F_SETLKW, F_WRLCK, 0, 1));
			SHOW("child unlock all",
			     lk(fd, F_SETLK, F_UNLCK, 0, 0));
			break;
		case 'i': { /* a signal interrupts the wait */
			struct sigaction sa;
			struct itimerval it = { { 0, 0 }, { 0, 100000 } };

			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = on_alarm;
			sigaction(SIGALRM, &sa, NULL);
			setitimer(ITIMER_REAL, &it, NULL);
			SHOW("child setlkw interrupted",
			     lk(fd, F_SETLKW, F_WRLCK, 0, 1));
			break;
		}
		case 'f': /* flock and fcntl locks are independent */
			SHOW("child setlk WR over flock",
			     lk(fd, F_SETLK, F_WRLCK, 0, 0));
			SHOW("child flock LOCK_EX|LOCK_NB",
			     flock(fd, LOCK_EX | LOCK_NB));
			SHOW("child unlock all",
			     lk(fd, F_SETLK, F_UNLCK, 0, 0));
			break;
		case 'o': /* the parent holds an OFD lock on [0,10) */
			show_getlk("child getlk sees OFD", fd, F_GETLK, 0, 1,
				   -1);
			show_getlk("child ofd_getlk sees OFD", fd, F_OFD_GETLK,
				   0, 1, -1);
			break;
		}
		send_byte(to_parent[1], 'k');
	}
	_exit(0);
}

static void wait_ack(void)
{
	fflush(stdout);
	if (recv_byte(to_parent[0]) != 'k')
		printf("lost the child\n");
}

static void step(char c)
{
	fflush(stdout);
	send_byte(to_child[1], c);
	wait_ack();
}

static void run(const char *dir)
{
	char path[256];
	char buf[100];
	int fd, fd3, r;
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "%s/locks.file", dir);
	printf("== %s\n", dir[0] == '/' ? "tmp" : "cwd");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	EXPECT_OK_QUIET("open", fd);
	memset(buf, 'x', sizeof(buf));
	EXPECT_OK("write", write(fd, buf, sizeof(buf)));
	if (pipe(to_child) < 0 || pipe(to_parent) < 0)
		exit(2);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		close(fd);
		child(path, getppid());
	}
	close(to_child[0]);
	close(to_parent[1]);

	/* Conflicts and F_GETLK across processes. */
	EXPECT_OK("setlk WR [0,10)", lk(fd, F_SETLK, F_WRLCK, 0, 10));
	step('g');
	show_getlk("parent getlk [0,100)", fd, F_GETLK, 0, 100, pid);
	show_getlk("parent getlk [20,30)", fd, F_GETLK, 20, 10, pid);
	step('c');
	show_getlk("after child closed an fd", fd, F_GETLK, 0, 100, pid);

	/* Our own locks: merge, split, convert. */
	EXPECT_OK("setlk WR [10,20)", lk(fd, F_SETLK, F_WRLCK, 10, 10));
	EXPECT_OK("setlk WR [20,30)", lk(fd, F_SETLK, F_WRLCK, 20, 10));
	EXPECT_OK("unlock [5,8)", lk(fd, F_SETLK, F_UNLCK, 5, 3));
	EXPECT_OK("setlk RD [24,27)", lk(fd, F_SETLK, F_RDLCK, 24, 3));
	EXPECT_OK("setlk RD [50,EOF)", lk(fd, F_SETLK, F_RDLCK, 50, 0));
	step('m');
	EXPECT_OK("unlock all", lk(fd, F_SETLK, F_UNLCK, 0, 0));

	/* Closing ANY descriptor of the file drops the process's locks. */
	EXPECT_OK("setlk WR [0,1)", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	fd3 = open(path, O_RDONLY);
	close(fd3);
	step('m');

	/* F_SETLKW waits for our unlock. */
	EXPECT_OK("setlk WR [0,1)", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	fflush(stdout);
	send_byte(to_child[1], 'w');
	recv_byte(to_parent[0]);
	msleep(200);
	printf("parent unlocks\n");
	fflush(stdout);
	r = lk(fd, F_SETLK, F_UNLCK, 0, 1);
	wait_ack();
	EXPECT_OK("unlock [0,1)", r);

	/* Deadlock between the two. */
	EXPECT_OK("setlk WR [0,1)", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	fflush(stdout);
	send_byte(to_child[1], 'd');
	recv_byte(to_parent[0]);
	msleep(200);
	EXPECT_ERR("setlkw WR [1,2) deadlocks", lk(fd, F_SETLKW, F_WRLCK, 1, 1),
		   EDEADLK);
	fflush(stdout);
	r = lk(fd, F_SETLK, F_UNLCK, 0, 1);
	wait_ack();
	EXPECT_OK("unlock [0,1)", r);

	/* A signal interrupts F_SETLKW. */
	EXPECT_OK("setlk WR [0,1)", lk(fd, F_SETLK, F_WRLCK, 0, 1));
	step('i');
	EXPECT_OK("unlock all", lk(fd, F_SETLK, F_UNLCK, 0, 0));

	/* flock(2) does not interact with fcntl locks. */
	EXPECT_OK("flock LOCK_EX", flock(fd, LOCK_EX));
	step('f');
	EXPECT_OK("flock LOCK_UN", flock(fd, LOCK_UN));

	/* OFD locks: owned by the open file description. */
	{
		int a = open(path, O_RDWR), b = open(path, O_RDWR);
		struct flock fl;

		EXPECT_OK("ofd setlk WR [0,10) on a",
			  lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
		EXPECT_ERR("ofd setlk WR [5,6) on b",
			   lk(b, F_OFD_SETLK, F_WRLCK, 5, 1), EAGAIN);
		EXPECT_ERR("posix setlk WR [5,6) on b",
			   lk(b, F_SETLK, F_WRLCK, 5, 1), EAGAIN);
		show_getlk("ofd getlk on b", b, F_OFD_GETLK, 0, 100, -1);
		step('o');
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_RDLCK;
		fl.l_pid = 1;
		EXPECT_ERR("ofd setlk with l_pid", fcntl(b, F_OFD_SETLK, &fl),
			   EINVAL);
		close(a);
		EXPECT_OK("ofd setlk on b after close a",
			  lk(b, F_OFD_SETLK, F_WRLCK, 5, 1));
		close(b);
	}

	/* Argument checks. */
	{
		int ro = open(path, O_RDONLY);
		struct flock fl;

		EXPECT_ERR("WR on O_RDONLY", lk(ro, F_SETLK, F_WRLCK, 0, 1),
			   EBADF);
		EXPECT_ERR("bad l_type", lk(ro, F_SETLK, 7, 0, 1), EINVAL);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_RDLCK;
		fl.l_whence = 9;
		EXPECT_ERR("bad l_whence", fcntl(ro, F_SETLK, &fl), EINVAL);
		EXPECT_ERR("negative start", lk(ro, F_SETLK, F_RDLCK, -5, 1),
			   EINVAL);
		EXPECT_OK("negative len", lk(ro, F_SETLK, F_RDLCK, 10, -5));
		close(ro);
	}

	close(to_child[1]);
	waitpid(pid, &st, 0);
	printf("child status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	close(to_parent[0]);
	close(fd);
	unlink(path);
}

int main(void)
{
	char tmp[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	run(".");
	snprintf(tmp, sizeof(tmp), "/tmp/locks.%d", (int)getpid());
	if (mkdir(tmp, 0700) == 0) {
		run(tmp);
		rmdir(tmp);
	}
	return guest_exit();
}
