/*
 * Guest: sockets between two processes (fork): a blocking reader woken by
 * the other process over a socketpair, a large blocking transfer with
 * flow control, MSG_WAITALL, a path-named AF_UNIX server with SO_PEERCRED
 * and an open file passed by SCM_RIGHTS from the child, datagrams to a
 * bound name, SIGPIPE killing a writer, and a blocking TCP accept/connect
 * on 127.0.0.1 with a large transfer.
 * GUEST_NEEDS: lwip
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

#define BIG (1 << 20)

static unsigned checksum(const unsigned char *p, size_t n)
{
	unsigned s = 0;

	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

static void fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 13 + i / 977);
}

static int write_all(int fd, const void *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = write(fd, (const char *)buf + off, n - off);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static size_t read_all(int fd, void *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t r = read(fd, (char *)buf + off, n - off);
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	return off;
}

static void report_child(pid_t pid)
{
	int st = 0;

	if (waitpid(pid, &st, 0) != pid) {
		printf("waitpid failed\n");
		guest_failures++;
		return;
	}
	if (WIFEXITED(st))
		printf("  child exit %d\n", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("  child killed by signal %d\n", WTERMSIG(st));
}

static void pair_between_processes(void)
{
	int sv[2];
	char buf[64];
	static unsigned char big[BIG], got[BIG];
	pid_t pid;

	printf("-- socketpair across fork\n");
	EXPECT_OK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		/* Let the parent block in read first. */
		usleep(20000);
		write(sv[1], "hello from child", 16);
		memset(buf, 0, sizeof(buf));
		read(sv[1], buf, sizeof(buf));
		fill(big, sizeof(big));
		if (strcmp(buf, "hi child") != 0 ||
		    write_all(sv[1], big, sizeof(big)) < 0)
			_exit(3);
		_exit(0);
	}
	close(sv[1]);
	memset(buf, 0, sizeof(buf));
	SHOW("blocking read", read(sv[0], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	SHOW("reply", write(sv[0], "hi child", 8));
	printf("big transfer: %zu bytes\n", read_all(sv[0], got, sizeof(got)));
	fill(big, sizeof(big));
	CHECK("big data intact",
	      checksum(got, sizeof(got)) == checksum(big, sizeof(big)));
	SHOW("EOF after child exits", read(sv[0], buf, sizeof(buf)));
	report_child(pid);
	close(sv[0]);
}

static void waitall(void)
{
	int sv[2];
	static unsigned char got[100000];
	pid_t pid;

	printf("-- MSG_WAITALL\n");
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		static unsigned char chunk[20000];

		close(sv[0]);
		memset(chunk, 'w', sizeof(chunk));
		for (int i = 0; i < 5; i++) {
			usleep(5000);
			if (write_all(sv[1], chunk, sizeof(chunk)) < 0)
				_exit(2);
		}
		_exit(0);
	}
	close(sv[1]);
	SHOW("recv MSG_WAITALL 100000",
	     recv(sv[0], got, sizeof(got), MSG_WAITALL));
	SHOW("then EOF", recv(sv[0], got, sizeof(got), MSG_WAITALL));
	report_child(pid);
	close(sv[0]);
}

static void path_server(void)
{
	char dir[] = "/tmp/ember-fork-XXXXXX";
	struct sockaddr_un sun;
	socklen_t len;
	int srv, acc;
	pid_t pid;

	printf("-- path server, SCM_RIGHTS from a child\n");
	if (!mkdtemp(dir)) {
		guest_failures++;
		return;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/srv", dir);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			  strlen(sun.sun_path) + 1);
	srv = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_OK("bind", bind(srv, (struct sockaddr *)&sun, len));
	EXPECT_OK("listen", listen(srv, 1));
	pid = fork();
	if (pid == 0) {
		char path[128];
		int c = socket(AF_UNIX, SOCK_STREAM, 0), fd;
		struct msghdr mh;
		struct iovec iov = { "X", 1 };
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr a;
		} ctl;
		struct cmsghdr *cm;

		close(srv);
		usleep(20000);
		if (connect(c, (struct sockaddr *)&sun, len) < 0)
			_exit(4);
		snprintf(path, sizeof(path), "%s/data", dir);
		fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
		write(fd, "file from the child", 19);
		lseek(fd, 0, SEEK_SET);
		memset(&mh, 0, sizeof(mh));
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		if (sendmsg(c, &mh, 0) != 1)
			_exit(5);
		close(fd);
		unlink(path);
		/* Wait for the parent's goodbye. */
		char b[8];
		read(c, b, sizeof(b));
		_exit(0);
	}
	acc = accept(srv, NULL, NULL);
	EXPECT_OK_QUIET("blocking accept", acc);
	{
		struct ucred uc;
		socklen_t ul = sizeof(uc);

		SHOW("SO_PEERCRED",
		     getsockopt(acc, SOL_SOCKET, SO_PEERCRED, &uc, &ul));
		CHECK("peer is the child", uc.pid == pid);
	}
	{
		struct msghdr mh;
		char b[4], data[32];
		struct iovec iov = { b, sizeof(b) };
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr a;
		} ctl;
		struct cmsghdr *cm;
		int fd = -1;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		SHOW("recvmsg", recvmsg(acc, &mh, 0));
		cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		CHECK("got a descriptor", fd >= 0);
		memset(data, 0, sizeof(data));
		SHOW("read through it", read(fd, data, sizeof(data)));
		printf("  got '%s'\n", data);
		close(fd);
	}
	SHOW("goodbye", write(acc, "bye", 3));
	report_child(pid);
	close(acc);
	close(srv);
	unlink(sun.sun_path);
	rmdir(dir);
}

static void dgram_to_name(void)
{
	struct sockaddr_un sun;
	socklen_t len;
	int s;
	pid_t pid;
	char buf[32];

	printf("-- datagrams to an abstract name\n");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "ember-fork-%d",
		 (int)getpid());
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  strlen(sun.sun_path + 1));
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	EXPECT_OK("bind", bind(s, (struct sockaddr *)&sun, len));
	pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_DGRAM, 0);

		usleep(20000);
		for (int i = 0; i < 3; i++) {
			char m[16];
			int n = snprintf(m, sizeof(m), "msg %d", i);

			if (sendto(c, m, (size_t)n, 0, (struct sockaddr *)&sun,
				   len) != n)
				_exit(6);
		}
		_exit(0);
	}
	for (int i = 0; i < 3; i++) {
		memset(buf, 0, sizeof(buf));
		SHOW("blocking recv", recv(s, buf, sizeof(buf), 0));
		printf("  got '%s'\n", buf);
	}
	report_child(pid);
	close(s);
}

static void sigpipe_kills(void)
{
	int sv[2];
	pid_t pid;

	printf("-- SIGPIPE\n");
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(sv[0], "x", 1);
		_exit(0);
	}
	report_child(pid);
	close(sv[0]);
}

static void tcp_between_processes(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	static unsigned char big[BIG], got[BIG];
	int srv, acc;
	pid_t pid;

	printf("-- TCP across fork\n");
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_OK("bind", bind(srv, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_OK("listen", listen(srv, 4));
	getsockname(srv, (struct sockaddr *)&a, &len);
	pid = fork();
	if (pid == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		close(srv);
		usleep(20000);
		if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
			_exit(7);
		fill(big, sizeof(big));
		if (write_all(c, big, sizeof(big)) < 0)
			_exit(8);
		shutdown(c, SHUT_WR);
		char b[8];
		if (read(c, b, sizeof(b)) != 2)
			_exit(9);
		_exit(0);
	}
	acc = accept(srv, NULL, NULL);
	EXPECT_OK_QUIET("blocking accept", acc);
	printf("received: %zu bytes\n", read_all(acc, got, sizeof(got)));
	fill(big, sizeof(big));
	CHECK("data intact",
	      checksum(got, sizeof(got)) == checksum(big, sizeof(big)));
	SHOW("EOF", read(acc, got, 16));
	SHOW("reply", write(acc, "ok", 2));
	report_child(pid);
	close(acc);
	close(srv);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pair_between_processes();
	waitall();
	path_server();
	dgram_to_name();
	sigpipe_kills();
	tcp_between_processes();
	return guest_exit();
}
