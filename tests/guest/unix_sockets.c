/*
 * Guest: AF_UNIX sockets in one process: socketpair stream, datagram and
 * seqpacket (message boundaries, MSG_PEEK/MSG_TRUNC/MSG_DONTWAIT, FIONREAD,
 * shutdown, EOF and EPIPE with MSG_NOSIGNAL and SIGPIPE), a path name
 * bound in /tmp with a non-blocking connect/accept, abstract names,
 * autobind, SCM_RIGHTS (an open file sent to ourselves), SCM_CREDENTIALS,
 * SO_PEERCRED and socket options, and poll readiness.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest.h"

#ifndef UNIX_PATH_MAX
#define UNIX_PATH_MAX 108
#endif

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	got_sigpipe = sig;
}

static void stream_pair(void)
{
	int sv[2], v = -1;
	char buf[64];

	EXPECT_OK("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	SHOW("write abc", write(sv[0], "abc", 3));
	SHOW("send defg", send(sv[0], "defg", 4, 0));
	SHOW("ioctl FIONREAD", ioctl(sv[1], FIONREAD, &v));
	printf("  queued %d\n", v);
	memset(buf, 0, sizeof(buf));
	SHOW("recv peek 2", recv(sv[1], buf, 2, MSG_PEEK));
	printf("  peeked '%s'\n", buf);
	memset(buf, 0, sizeof(buf));
	SHOW("read all", read(sv[1], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	EXPECT_ERR("recv empty DONTWAIT", recv(sv[1], buf, 8, MSG_DONTWAIT),
		   EAGAIN);
	SHOW("reply", write(sv[1], "pong", 4));
	memset(buf, 0, sizeof(buf));
	SHOW("read reply", read(sv[0], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);

	SHOW("shutdown WR", shutdown(sv[0], SHUT_WR));
	SHOW("read after peer SHUT_WR", read(sv[1], buf, 8));
	EXPECT_ERR("send after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL),
		   EPIPE);
	SHOW("other way still open", write(sv[1], "ok", 2));
	SHOW("read it", read(sv[0], buf, 8));

	SHOW("write before close", write(sv[1], "zz", 2));
	close(sv[1]);
	SHOW("read after close", read(sv[0], buf, 8));
	SHOW("read eof", read(sv[0], buf, 8));
	EXPECT_ERR("send to closed peer NOSIGNAL",
		   send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	signal(SIGPIPE, on_sigpipe);
	EXPECT_ERR("write to closed peer", write(sv[0], "x", 1), EPIPE);
	printf("  SIGPIPE caught: %d\n", got_sigpipe == SIGPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(sv[0]);
}

static void dgram_pair(int type, const char *name)
{
	int sv[2];
	char buf[64];
	struct iovec iov;
	struct msghdr mh;

	printf("-- %s pair\n", name);
	EXPECT_OK("socketpair", socketpair(AF_UNIX, type, 0, sv));
	SHOW("send one", send(sv[0], "one", 3, 0));
	SHOW("send three", send(sv[0], "three", 5, 0));
	SHOW("send empty", send(sv[0], "", 0, 0));
	SHOW("send four", send(sv[0], "four", 4, 0));
	memset(buf, 0, sizeof(buf));
	SHOW("recv big buffer", recv(sv[1], buf, sizeof(buf), 0));
	printf("  got '%s'\n", buf);
	memset(buf, 0, sizeof(buf));
	iov.iov_base = buf;
	iov.iov_len = 2;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	SHOW("recvmsg short buffer", recvmsg(sv[1], &mh, 0));
	printf("  got '%s' trunc %d\n", buf, !!(mh.msg_flags & MSG_TRUNC));
	SHOW("recv empty datagram", recv(sv[1], buf, sizeof(buf), 0));
	SHOW("recv MSG_TRUNC", recv(sv[1], buf, 1, MSG_TRUNC));
	EXPECT_ERR("recv nothing left", recv(sv[1], buf, 8, MSG_DONTWAIT),
		   EAGAIN);
	{
		/* read/write with a buffer across a page boundary still
		 * move one whole datagram. */
		static char pages[3 * 4096] __attribute__((aligned(4096)));
		char *p = pages + 4096 - 5;

		memcpy(p, "across-pages", 12);
		SHOW("write across pages", write(sv[0], p, 12));
		SHOW("write small", write(sv[0], "x", 1));
		memset(pages, 0, sizeof(pages));
		SHOW("read across pages", read(sv[1], p, 100));
		printf("  got '%s'\n", p);
		SHOW("read next", read(sv[1], p, 100));
	}
	{
		/* writev sends one datagram; readv scatters one. */
		char a[3] = { 0 }, b[3] = { 0 };
		struct iovec wv[2] = { { "ab", 2 }, { "cde", 3 } };
		struct iovec rv[2] = { { a, 2 }, { b, 3 } };

		SHOW("writev", writev(sv[0], wv, 2));
		SHOW("write", write(sv[0], "z", 1));
		SHOW("readv", readv(sv[1], rv, 2));
		printf("  got '%.2s' '%.3s'\n", a, b);
		SHOW("read the next datagram", read(sv[1], a, 3));
	}
	close(sv[0]);
	close(sv[1]);
}

static void options(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int v;
	socklen_t len;
	struct timeval tv;
	struct linger lg;
	struct stat st;

	printf("-- options\n");
	EXPECT_OK_QUIET("socket", fd);
	CHECK("fstat is a socket", fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK("cloexec", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	len = sizeof(v);
	SHOW("SO_TYPE", getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
	printf("  %d len %d\n", v, (int)len);
	len = sizeof(v);
	SHOW("SO_DOMAIN", getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len));
	printf("  %d\n", v);
	len = sizeof(v);
	SHOW("SO_ERROR", getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len));
	printf("  %d\n", v);
	v = 1;
	SHOW("SO_REUSEADDR on",
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	len = sizeof(v);
	SHOW("SO_REUSEADDR get",
	     getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len));
	printf("  %d\n", v);
	v = 1;
	SHOW("SO_KEEPALIVE",
	     setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)));
	v = 8192;
	SHOW("SO_SNDBUF", setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	len = sizeof(v);
	SHOW("SO_SNDBUF get", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len));
	printf("  %d\n", v);
	tv.tv_sec = 2;
	tv.tv_usec = 500000;
	SHOW("SO_RCVTIMEO",
	     setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	memset(&tv, 0, sizeof(tv));
	len = sizeof(tv);
	SHOW("SO_RCVTIMEO get",
	     getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
	printf("  %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	tv.tv_usec = 2000000;
	EXPECT_ERR("SO_SNDTIMEO bad usec",
		   setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)),
		   EDOM);
	lg.l_onoff = 1;
	lg.l_linger = 5;
	SHOW("SO_LINGER",
	     setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	memset(&lg, 0, sizeof(lg));
	len = sizeof(lg);
	SHOW("SO_LINGER get", getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len));
	printf("  %d %d\n", lg.l_onoff, lg.l_linger);
	EXPECT_ERR("unknown option",
		   setsockopt(fd, SOL_SOCKET, 9999, &v, sizeof(v)),
		   ENOPROTOOPT);
	EXPECT_ERR("short optlen",
		   setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, 1), EINVAL);
	EXPECT_ERR("listen unbound", listen(fd, 1), EINVAL);
	EXPECT_ERR("send unconnected", send(fd, "x", 1, MSG_NOSIGNAL),
		   ENOTCONN);
	len = sizeof(v);
	EXPECT_ERR("getpeername unconnected",
		   getpeername(fd, (struct sockaddr *)&st, &len), ENOTCONN);
	EXPECT_ERR("not a socket", listen(0, 1), ENOTSOCK);
	EXPECT_ERR("bad family", socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	EXPECT_ERR("bad type", socket(AF_UNIX, 9, 0), ESOCKTNOSUPPORT);
	EXPECT_ERR("bad protocol", socket(AF_UNIX, SOCK_STREAM, 7),
		   EPROTONOSUPPORT);
	close(fd);
}

static socklen_t path_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			   strlen(path) + 1);
}

static void path_socket(void)
{
	char dir[] = "/tmp/ember-unix-XXXXXX";
	char path[128];
	struct sockaddr_un sun, got;
	socklen_t len, glen;
	struct stat st;
	struct pollfd pfd;
	int srv, cli, acc, other;
	char buf[32];

	printf("-- path socket\n");
	if (!mkdtemp(dir)) {
		printf("mkdtemp failed\n");
		guest_failures++;
		return;
	}
	snprintf(path, sizeof(path), "%s/sock", dir);
	srv = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	cli = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	len = path_addr(&sun, path);
	EXPECT_ERR("connect before bind",
		   connect(cli, (struct sockaddr *)&sun, len), ENOENT);
	EXPECT_OK("bind", bind(srv, (struct sockaddr *)&sun, len));
	CHECK("node is a socket",
	      lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	EXPECT_ERR("connect to non-listener",
		   connect(cli, (struct sockaddr *)&sun, len), ECONNREFUSED);
	EXPECT_ERR("bind same path again",
		   bind(srv, (struct sockaddr *)&sun, len), EADDRINUSE);
	{
		struct sockaddr_un sun2;
		char path2[140];
		socklen_t len2;

		snprintf(path2, sizeof(path2), "%s/second", dir);
		len2 = path_addr(&sun2, path2);
		EXPECT_ERR("bind second name",
			   bind(srv, (struct sockaddr *)&sun2, len2), EINVAL);
		CHECK("second name not left behind",
		      lstat(path2, &st) < 0 && errno == ENOENT);
	}
	other = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERR("bind taken path", bind(other, (struct sockaddr *)&sun, len),
		   EADDRINUSE);
	close(other);
	EXPECT_OK("listen", listen(srv, 5));
	EXPECT_ERR("accept nothing", accept(srv, NULL, NULL), EAGAIN);
	pfd.fd = srv;
	pfd.events = POLLIN;
	SHOW("poll listener idle", poll(&pfd, 1, 0));
	EXPECT_OK("connect", connect(cli, (struct sockaddr *)&sun, len));
	EXPECT_ERR("connect again", connect(cli, (struct sockaddr *)&sun, len),
		   EISCONN);
	pfd.revents = 0;
	SHOW("poll listener ready", poll(&pfd, 1, 1000));
	printf("  revents %#x\n", pfd.revents);
	SHOW("send before accept", send(cli, "early", 5, 0));
	glen = sizeof(got);
	acc = accept4(srv, (struct sockaddr *)&got, &glen, SOCK_CLOEXEC);
	EXPECT_OK_QUIET("accept4", acc);
	printf("  peer address length %d\n", (int)glen);
	memset(buf, 0, sizeof(buf));
	SHOW("recv early data", recv(acc, buf, sizeof(buf), 0));
	printf("  got '%s'\n", buf);
	glen = sizeof(got);
	memset(&got, 0, sizeof(got));
	SHOW("getpeername of client",
	     getpeername(cli, (struct sockaddr *)&got, &glen));
	CHECK("peer is the path",
	      glen == len && strcmp(got.sun_path, path) == 0);
	glen = sizeof(got);
	SHOW("getsockname of accepted",
	     getsockname(acc, (struct sockaddr *)&got, &glen));
	CHECK("accepted has the path",
	      glen == len && strcmp(got.sun_path, path) == 0);
	{
		struct ucred uc;
		socklen_t ul = sizeof(uc);

		SHOW("SO_PEERCRED",
		     getsockopt(acc, SOL_SOCKET, SO_PEERCRED, &uc, &ul));
		CHECK("peer pid is ours", uc.pid == getpid() &&
						  uc.uid == geteuid() &&
						  uc.gid == getegid());
	}
	{
		int v;
		socklen_t vl = sizeof(v);

		SHOW("SO_ACCEPTCONN",
		     getsockopt(srv, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
		printf("  %d\n", v);
	}
	close(cli);
	SHOW("recv after client close", recv(acc, buf, sizeof(buf), 0));
	close(acc);
	close(srv);
	cli = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERR("connect after listener closed",
		   connect(cli, (struct sockaddr *)&sun, len), ECONNREFUSED);
	close(cli);
	SHOW("unlink", unlink(path));
	{
		/* A path filling all 108 bytes of sun_path, no NUL. */
		struct sockaddr_un full, out;
		char name[UNIX_PATH_MAX + 1];
		size_t dl = strlen(dir);
		socklen_t ol = sizeof(out) + 8;
		int s1 = socket(AF_UNIX, SOCK_STREAM, 0);
		int s2 = socket(AF_UNIX, SOCK_STREAM, 0);

		memset(name, 'n', sizeof(name));
		memcpy(name, dir, dl);
		name[dl] = '/';
		name[sizeof(full.sun_path)] = '\0';
		memset(&full, 0, sizeof(full));
		full.sun_family = AF_UNIX;
		memcpy(full.sun_path, name, sizeof(full.sun_path));
		SHOW("bind 108-byte path",
		     bind(s1, (struct sockaddr *)&full, sizeof(full)));
		CHECK("it exists", lstat(name, &st) == 0);
		SHOW("listen", listen(s1, 1));
		SHOW("connect 108-byte path",
		     connect(s2, (struct sockaddr *)&full, sizeof(full)));
		SHOW("getsockname",
		     getsockname(s1, (struct sockaddr *)&out, &ol));
		printf("  length %d\n", (int)ol);
		close(s1);
		close(s2);
		SHOW("unlink it", unlink(name));
	}
	SHOW("rmdir", rmdir(dir));
}

static void abstract_dgram(void)
{
	struct sockaddr_un a, b, from;
	socklen_t alen, blen, flen;
	int s1, s2;
	char buf[32];
	char name[64];

	printf("-- abstract datagram\n");
	snprintf(name, sizeof(name), "ember-test-%d", (int)getpid());
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path + 1, name, strlen(name));
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(name));
	s1 = socket(AF_UNIX, SOCK_DGRAM, 0);
	s2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	EXPECT_OK("bind abstract", bind(s1, (struct sockaddr *)&a, alen));
	EXPECT_ERR("bind taken", bind(s2, (struct sockaddr *)&a, alen),
		   EADDRINUSE);
	memset(&b, 0, sizeof(b));
	b.sun_family = AF_UNIX;
	EXPECT_OK("autobind",
		  bind(s2, (struct sockaddr *)&b, sizeof(sa_family_t)));
	blen = sizeof(b);
	SHOW("getsockname autobound",
	     getsockname(s2, (struct sockaddr *)&b, &blen));
	printf("  length %d abstract %d\n", (int)blen, b.sun_path[0] == 0);
	SHOW("sendto", sendto(s2, "hello", 5, 0, (struct sockaddr *)&a, alen));
	flen = sizeof(from);
	memset(buf, 0, sizeof(buf));
	SHOW("recvfrom", recvfrom(s1, buf, sizeof(buf), 0,
				  (struct sockaddr *)&from, &flen));
	CHECK("sender address", flen == blen && memcmp(&from, &b, blen) == 0);
	printf("  got '%s'\n", buf);
	EXPECT_ERR("send unconnected dgram", send(s1, "x", 1, 0), ENOTCONN);
	EXPECT_OK("connect dgram", connect(s1, (struct sockaddr *)&b, blen));
	SHOW("send connected", send(s1, "back", 4, 0));
	memset(buf, 0, sizeof(buf));
	SHOW("recv", recv(s2, buf, sizeof(buf), 0));
	printf("  got '%s'\n", buf);
	memcpy(a.sun_path + 1, "nobody-here", 11);
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 12);
	EXPECT_ERR("sendto nobody",
		   sendto(s2, "x", 1, 0, (struct sockaddr *)&a, alen),
		   ECONNREFUSED);
	close(s1);
	close(s2);
}

static void scm_rights(void)
{
	char dir[] = "/tmp/ember-scm-XXXXXX";
	char path[128], buf[32];
	int sv[2], fd, nfd = -1;
	struct msghdr mh;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct cmsghdr *cm;

	printf("-- SCM_RIGHTS\n");
	if (!mkdtemp(dir)) {
		guest_failures++;
		return;
	}
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	SHOW("write file", write(fd, "passed-contents", 15));
	SHOW("lseek", lseek(fd, 7, SEEK_SET));
	EXPECT_OK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));

	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = "F";
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	SHOW("sendmsg with fd", sendmsg(sv[0], &mh, 0));
	close(fd);

	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	SHOW("recvmsg", recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC));
	cm = CMSG_FIRSTHDR(&mh);
	CHECK("one SCM_RIGHTS", cm && cm->cmsg_level == SOL_SOCKET &&
					cm->cmsg_type == SCM_RIGHTS &&
					cm->cmsg_len == CMSG_LEN(sizeof(int)));
	if (cm)
		memcpy(&nfd, CMSG_DATA(cm), sizeof(int));
	printf("  controllen %d flags %#x\n", (int)mh.msg_controllen,
	       mh.msg_flags);
	CHECK("new fd cloexec", fcntl(nfd, F_GETFD) == FD_CLOEXEC);
	memset(buf, 0, sizeof(buf));
	SHOW("read through passed fd (shared offset)",
	     read(nfd, buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	close(nfd);

	/* No room for the fd: MSG_CTRUNC and the file is dropped. */
	fd = open(path, O_RDONLY);
	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = "G";
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	SHOW("sendmsg second fd", sendmsg(sv[0], &mh, 0));
	close(fd);
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	SHOW("recvmsg without control", recvmsg(sv[1], &mh, 0));
	printf("  ctrunc %d\n", !!(mh.msg_flags & MSG_CTRUNC));

	/* Bad descriptors are refused. */
	fd = 999;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = "H";
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	EXPECT_ERR("sendmsg bad fd", sendmsg(sv[0], &mh, 0), EBADF);

	close(sv[0]);
	close(sv[1]);
	unlink(path);
	rmdir(dir);
}

static void scm_credentials(void)
{
	int sv[2], on = 1;
	struct msghdr mh;
	struct iovec iov;
	char buf[8];
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct cmsghdr *cm;
	struct ucred uc;

	printf("-- SCM_CREDENTIALS\n");
	EXPECT_OK("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	SHOW("SO_PASSCRED",
	     setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	SHOW("send", send(sv[0], "c", 1, 0));
	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	SHOW("recvmsg", recvmsg(sv[1], &mh, 0));
	cm = CMSG_FIRSTHDR(&mh);
	CHECK("SCM_CREDENTIALS",
	      cm && cm->cmsg_type == SCM_CREDENTIALS &&
		      cm->cmsg_len == CMSG_LEN(sizeof(struct ucred)));
	if (cm) {
		memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
		CHECK("credentials are ours", uc.pid == getpid() &&
						      uc.uid == geteuid() &&
						      uc.gid == getegid());
	}
	close(sv[0]);
	close(sv[1]);
}

static void poll_pair(void)
{
	int sv[2];
	struct pollfd p[2];
	char c;

	printf("-- poll\n");
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	p[0].fd = sv[0];
	p[0].events = POLLIN | POLLOUT;
	p[1].fd = sv[1];
	p[1].events = POLLIN;
	SHOW("poll idle", poll(p, 2, 0));
	printf("  %#x %#x\n", p[0].revents, p[1].revents);
	write(sv[0], "!", 1);
	SHOW("poll data", poll(p, 2, 0));
	printf("  %#x %#x\n", p[0].revents, p[1].revents);
	read(sv[1], &c, 1);
	close(sv[0]);
	p[1].events = POLLIN | POLLRDHUP;
	SHOW("poll after close", poll(&p[1], 1, 0));
	printf("  %#x\n", p[1].revents);
	close(sv[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	stream_pair();
	dgram_pair(SOCK_DGRAM, "datagram");
	dgram_pair(SOCK_SEQPACKET, "seqpacket");
	options();
	path_socket();
	abstract_dgram();
	scm_rights();
	scm_credentials();
	poll_pair();
	return guest_exit();
}
