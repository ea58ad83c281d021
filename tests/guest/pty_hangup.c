/*
 * Guest: closing a pty master hangs up the slave. A child starts a
 * session with the slave as its controlling terminal and fds 0-2; when
 * the parent closes the master, the session leader gets SIGHUP (and dies
 * of it), and a second child that only holds the slave reads end of file
 * (0) and gets EIO on a write. Once, the leader's death inside the
 * master's release freed the pty under it (a kernel double free).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

int main(void)
{
	int mfd, s, ready[2], status;
	pid_t leader;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mfd = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK("posix_openpt", mfd >= 0);
	if (mfd < 0)
		return guest_exit();
	CHECK("grantpt", grantpt(mfd) == 0);
	CHECK("unlockpt", unlockpt(mfd) == 0);
	CHECK("pipe", pipe(ready) == 0);

	fflush(stdout);
	leader = fork();
	if (leader == 0) {
		close(ready[0]);
		if (setsid() < 0)
			_exit(10);
		s = open(ptsname(mfd), O_RDWR);
		if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
			_exit(11);
		close(mfd);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (s > 2)
			close(s);
		if (write(ready[1], "r", 1) != 1)
			_exit(12);
		for (;;)
			pause();
	}
	close(ready[1]);
	char c;
	CHECK("leader ready", read(ready[0], &c, 1) == 1);
	/* Drain anything the slave side wrote, then hang up. */
	CHECK("close master", close(mfd) == 0);
	CHECK("waitpid leader", waitpid(leader, &status, 0) == leader);
	printf("leader: %s %d\n", WIFSIGNALED(status) ? "killed by signal" : "exited",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));

	/* Closing the master with the leader's process exiting at the same
	 * time, again: the parent exits with the master still open. */
	mfd = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK("posix_openpt again", mfd >= 0 && grantpt(mfd) == 0 &&
					     unlockpt(mfd) == 0);
	CHECK("pipe again", pipe(ready) == 0);
	fflush(stdout);
	pid_t mid = fork();
	if (mid == 0) {
		/* This process holds the master and exits while its child,
		 * the session leader, still runs. */
		pid_t l = fork();
		if (l == 0) {
			close(ready[0]);
			setsid();
			s = open(ptsname(mfd), O_RDWR);
			if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
				_exit(11);
			close(mfd);
			dup2(s, 0);
			dup2(s, 1);
			dup2(s, 2);
			if (write(ready[1], "r", 1) != 1)
				_exit(12);
			for (;;)
				pause();
		}
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1)
			_exit(13);
		_exit(0);
	}
	close(mfd);
	close(ready[0]);
	close(ready[1]);
	CHECK("waitpid middle", waitpid(mid, &status, 0) == mid);
	printf("middle: exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return guest_exit();
}
