/*
 * Guest: TCP and UDP over the loopback interface in one process:
 * non-blocking connect (EINPROGRESS, EALREADY, completion) and accept,
 * names of both ends, a transfer larger than the socket buffers with
 * non-blocking sockets, shutdown, ECONNREFUSED on a closed port (blocking
 * and non-blocking), EADDRINUSE, SO_RCVTIMEO, UDP datagrams with their
 * sender, TCP over ::1, a dual-stack IPv6 listener, and edge-triggered
 * epoll on sockets.
 * GUEST_NEEDS: lwip
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

static struct sockaddr_in lo4(unsigned short port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* Repeats a non-blocking connect until it stops saying EALREADY. */
static int finish_connect(int fd, const void *addr, socklen_t len)
{
	for (int i = 0; i < 5000; i++) {
		errno = 0;
		int r = connect(fd, addr, len);
		if (r == 0 || errno != EALREADY)
			return r;
		nap();
	}
	return -1;
}

static int accept_retry(int fd)
{
	for (int i = 0; i < 5000; i++) {
		int r = accept4(fd, NULL, NULL, SOCK_NONBLOCK);
		if (r >= 0 || errno != EAGAIN)
			return r;
		nap();
	}
	return -1;
}

static unsigned short free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo4(0);
	socklen_t len = sizeof(a);

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

static void tcp4(void)
{
	struct sockaddr_in a = lo4(0), b, c;
	socklen_t len;
	int srv, cli, acc, v;
	static char out[300000], in[300000];
	size_t sent = 0, got = 0;

	printf("-- tcp over 127.0.0.1\n");
	srv = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	EXPECT_OK_QUIET("socket", srv);
	v = 1;
	SHOW("SO_REUSEADDR",
	     setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	SHOW("bind 127.0.0.1:0", bind(srv, (struct sockaddr *)&a, sizeof(a)));
	len = sizeof(a);
	SHOW("getsockname", getsockname(srv, (struct sockaddr *)&a, &len));
	CHECK("an ephemeral port",
	      len == sizeof(a) && ntohs(a.sin_port) != 0 &&
		      a.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	SHOW("listen", listen(srv, 8));
	EXPECT_ERR("accept with nobody", accept(srv, NULL, NULL), EAGAIN);
	{
		int other = socket(AF_INET, SOCK_STREAM, 0);

		EXPECT_ERR("bind the same port",
			   bind(other, (struct sockaddr *)&a, sizeof(a)),
			   EADDRINUSE);
		close(other);
	}

	cli = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	EXPECT_ERR("non-blocking connect",
		   connect(cli, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	{
		struct pollfd p = { cli, POLLOUT, 0 };

		SHOW("poll for the connection", poll(&p, 1, 5000));
		printf("  revents %#x\n", p.revents);
	}
	SHOW("connect completes", finish_connect(cli, &a, sizeof(a)));
	EXPECT_ERR("connect again",
		   connect(cli, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	{
		struct pollfd p = { srv, POLLIN, 0 };

		SHOW("poll listener", poll(&p, 1, 5000));
		printf("  revents %#x\n", p.revents);
	}
	acc = accept_retry(srv);
	EXPECT_OK_QUIET("accept", acc);
	len = sizeof(b);
	getsockname(cli, (struct sockaddr *)&b, &len);
	len = sizeof(c);
	SHOW("getpeername of accepted",
	     getpeername(acc, (struct sockaddr *)&c, &len));
	CHECK("accepted peer is the client",
	      len == sizeof(c) && c.sin_port == b.sin_port &&
		      c.sin_addr.s_addr == b.sin_addr.s_addr);
	len = sizeof(c);
	getpeername(cli, (struct sockaddr *)&c, &len);
	CHECK("client peer is the server", c.sin_port == a.sin_port);
	v = 1;
	SHOW("TCP_NODELAY",
	     setsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)));
	len = sizeof(v);
	v = 0;
	SHOW("TCP_NODELAY get",
	     getsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &v, &len));
	printf("  %d\n", v != 0);
	len = sizeof(v);
	SHOW("SO_ACCEPTCONN",
	     getsockopt(srv, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
	printf("  %d\n", v);

	/* More than the buffers hold: both ends non-blocking. */
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 251);
	for (int spins = 0; got < sizeof(out) && spins < 100000; spins++) {
		if (sent < sizeof(out)) {
			ssize_t n = send(cli, out + sent, sizeof(out) - sent,
					 MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (errno != EAGAIN)
				break;
		}
		ssize_t n = recv(acc, in + got, sizeof(in) - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || errno != EAGAIN)
			break;
		else
			nap();
	}
	printf("transfer: sent %zu got %zu\n", sent, got);
	CHECK("bytes arrive in order",
	      got == sizeof(out) && memcmp(in, out, got) == 0);
	EXPECT_ERR("nothing more", recv(acc, in, 10, 0), EAGAIN);

	SHOW("reply", send(acc, "pong", 4, 0));
	memset(in, 0, 8);
	for (int i = 0; i < 5000 && recv(cli, in, 8, MSG_PEEK) < 0; i++)
		nap();
	SHOW("recv reply", recv(cli, in, 8, 0));
	printf("  got '%s'\n", in);

	SHOW("shutdown WR", shutdown(cli, SHUT_WR));
	{
		ssize_t n = -1;

		for (int i = 0; i < 5000; i++) {
			n = recv(acc, in, 8, 0);
			if (n >= 0 || errno != EAGAIN)
				break;
			nap();
		}
		SHOW("server sees EOF", n);
	}
	EXPECT_ERR("send after SHUT_WR", send(cli, "x", 1, MSG_NOSIGNAL),
		   EPIPE);
	close(acc);
	close(cli);
	close(srv);
}

static void refused(void)
{
	unsigned short port = free_port();
	struct sockaddr_in a = lo4(port);
	int fd, v = -1;
	socklen_t len = sizeof(v);

	printf("-- refused\n");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_ERR("blocking connect to a closed port",
		   connect(fd, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	EXPECT_ERR("non-blocking connect",
		   connect(fd, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	{
		struct pollfd p = { fd, POLLOUT, 0 };

		SHOW("poll", poll(&p, 1, 5000));
		printf("  revents %#x\n", p.revents);
	}
	len = sizeof(v);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len);
	printf("SO_ERROR: %s\n", errname(v));
	len = sizeof(v);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len);
	printf("SO_ERROR again: %s\n", errname(v));
	close(fd);
}

static void timeout(void)
{
	struct sockaddr_in a = lo4(0);
	struct timeval tv = { 0, 50000 };
	int s1;
	char c;

	printf("-- receive timeout\n");
	s1 = socket(AF_INET, SOCK_DGRAM, 0);
	bind(s1, (struct sockaddr *)&a, sizeof(a));
	SHOW("SO_RCVTIMEO",
	     setsockopt(s1, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	EXPECT_ERR("recv times out", recv(s1, &c, 1, 0), EAGAIN);
	close(s1);
}

static void udp4(void)
{
	struct sockaddr_in a = lo4(0), b = lo4(0), from;
	socklen_t len;
	int s1, s2;
	char buf[64];

	printf("-- udp over 127.0.0.1\n");
	s1 = socket(AF_INET, SOCK_DGRAM, 0);
	s2 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	SHOW("bind s1", bind(s1, (struct sockaddr *)&a, sizeof(a)));
	SHOW("bind s2", bind(s2, (struct sockaddr *)&b, sizeof(b)));
	len = sizeof(a);
	getsockname(s1, (struct sockaddr *)&a, &len);
	len = sizeof(b);
	getsockname(s2, (struct sockaddr *)&b, &len);
	SHOW("sendto",
	     sendto(s2, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)));
	SHOW("sendto again",
	     sendto(s2, "second", 6, 0, (struct sockaddr *)&a, sizeof(a)));
	len = sizeof(from);
	memset(buf, 0, sizeof(buf));
	SHOW("recvfrom",
	     recvfrom(s1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len));
	printf("  got '%s'\n", buf);
	CHECK("from s2", len == sizeof(from) && from.sin_port == b.sin_port);
	SHOW("recv truncated", recv(s1, buf, 3, MSG_TRUNC));
	EXPECT_ERR("send unconnected", send(s1, "x", 1, 0), EDESTADDRREQ);
	SHOW("connect", connect(s1, (struct sockaddr *)&b, sizeof(b)));
	SHOW("send connected", send(s1, "back", 4, 0));
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 5000 && recv(s2, buf, sizeof(buf), MSG_PEEK) < 0;
	     i++)
		nap();
	SHOW("recv", recv(s2, buf, sizeof(buf), 0));
	printf("  got '%s'\n", buf);
	EXPECT_ERR("empty", recv(s2, buf, sizeof(buf), 0), EAGAIN);
	close(s1);
	close(s2);
}

static void tcp6(void)
{
	struct sockaddr_in6 a;
	socklen_t len;
	int srv, cli, acc;
	char buf[16];

	printf("-- tcp over ::1\n");
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	srv = socket(AF_INET6, SOCK_STREAM, 0);
	EXPECT_OK_QUIET("socket", srv);
	SHOW("bind ::1", bind(srv, (struct sockaddr *)&a, sizeof(a)));
	SHOW("listen", listen(srv, 1));
	len = sizeof(a);
	getsockname(srv, (struct sockaddr *)&a, &len);
	CHECK("v6 name", len == sizeof(a) && a.sin6_family == AF_INET6 &&
				 ntohs(a.sin6_port) != 0);
	cli = socket(AF_INET6, SOCK_STREAM, 0);
	SHOW("blocking connect",
	     connect(cli, (struct sockaddr *)&a, sizeof(a)));
	acc = accept(srv, NULL, NULL);
	EXPECT_OK_QUIET("accept", acc);
	SHOW("send", send(cli, "six", 3, 0));
	memset(buf, 0, sizeof(buf));
	SHOW("recv", recv(acc, buf, sizeof(buf), 0));
	printf("  got '%s'\n", buf);
	close(cli);
	SHOW("recv EOF", recv(acc, buf, sizeof(buf), 0));
	close(acc);
	close(srv);
}

static void dual_stack(void)
{
	struct sockaddr_in6 a6, p6;
	struct sockaddr_in a4;
	socklen_t len;
	int srv, cli, acc, v = -1;
	char text[64];

	printf("-- IPv4 client, IPv6 wildcard server\n");
	memset(&a6, 0, sizeof(a6));
	a6.sin6_family = AF_INET6;
	a6.sin6_addr = in6addr_any;
	srv = socket(AF_INET6, SOCK_STREAM, 0);
	len = sizeof(v);
	SHOW("IPV6_V6ONLY",
	     getsockopt(srv, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len));
	printf("  %d\n", v);
	SHOW("bind [::]:0", bind(srv, (struct sockaddr *)&a6, sizeof(a6)));
	SHOW("listen", listen(srv, 1));
	len = sizeof(a6);
	getsockname(srv, (struct sockaddr *)&a6, &len);
	inet_ntop(AF_INET6, &a6.sin6_addr, text, sizeof(text));
	printf("  bound to %s\n", text);
	a4 = lo4(ntohs(a6.sin6_port));
	cli = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("connect 127.0.0.1",
	     connect(cli, (struct sockaddr *)&a4, sizeof(a4)));
	acc = accept(srv, NULL, NULL);
	EXPECT_OK_QUIET("accept", acc);
	len = sizeof(p6);
	SHOW("getpeername", getpeername(acc, (struct sockaddr *)&p6, &len));
	inet_ntop(AF_INET6, &p6.sin6_addr, text, sizeof(text));
	printf("  family %d peer %s len %d\n", p6.sin6_family, text, (int)len);
	SHOW("send", send(cli, "4to6", 4, 0));
	memset(text, 0, sizeof(text));
	SHOW("recv", recv(acc, text, sizeof(text), 0));
	printf("  got '%s'\n", text);
	close(acc);
	close(cli);
	/* An IPv6 socket connecting to a v4-mapped address. */
	cli = socket(AF_INET6, SOCK_STREAM, 0);
	memset(&p6, 0, sizeof(p6));
	p6.sin6_family = AF_INET6;
	p6.sin6_port = a6.sin6_port;
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &p6.sin6_addr);
	SHOW("connect ::ffff:127.0.0.1",
	     connect(cli, (struct sockaddr *)&p6, sizeof(p6)));
	acc = accept(srv, NULL, NULL);
	EXPECT_OK_QUIET("accept", acc);
	len = sizeof(p6);
	getsockname(cli, (struct sockaddr *)&p6, &len);
	inet_ntop(AF_INET6, &p6.sin6_addr, text, sizeof(text));
	printf("  client name %s\n", text);
	close(acc);
	close(cli);
	close(srv);
}

/* A connection that idles across lwIP's periodic timers (delayed ACKs,
 * reassembly, neighbour discovery) still works afterwards. */
static void idle_connection(void)
{
	struct sockaddr_in a = lo4(0);
	socklen_t len = sizeof(a);
	struct timespec ts = { 1, 200000000 };
	int srv, cli, acc;
	char buf[8];

	printf("-- idle connection\n");
	srv = socket(AF_INET, SOCK_STREAM, 0);
	bind(srv, (struct sockaddr *)&a, sizeof(a));
	listen(srv, 1);
	getsockname(srv, (struct sockaddr *)&a, &len);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("connect", connect(cli, (struct sockaddr *)&a, sizeof(a)));
	acc = accept(srv, NULL, NULL);
	SHOW("send", send(cli, "a", 1, 0));
	nanosleep(&ts, NULL);
	SHOW("send after idling", send(cli, "b", 1, 0));
	memset(buf, 0, sizeof(buf));
	SHOW("recv", recv(acc, buf, 1, 0));
	SHOW("recv", recv(acc, buf + 1, 1, MSG_WAITALL));
	printf("  got '%s'\n", buf);
	close(acc);
	close(cli);
	close(srv);
}

/* A server restarted on its port while the old connection lingers in
 * TIME_WAIT: SO_REUSEADDR lets it bind again. */
static void restart_server(void)
{
	struct sockaddr_in a = lo4(0);
	socklen_t len = sizeof(a);
	int srv, cli, acc, one = 1;
	char c;

	printf("-- server restart with SO_REUSEADDR\n");
	srv = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	bind(srv, (struct sockaddr *)&a, sizeof(a));
	listen(srv, 1);
	getsockname(srv, (struct sockaddr *)&a, &len);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("connect", connect(cli, (struct sockaddr *)&a, sizeof(a)));
	acc = accept(srv, NULL, NULL);
	/* The server closes first, so its side waits in TIME_WAIT. */
	close(acc);
	close(srv);
	SHOW("client sees EOF", read(cli, &c, 1));
	close(cli);
	srv = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_ERR("bind without SO_REUSEADDR",
		   bind(srv, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	close(srv);
	srv = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	SHOW("bind with SO_REUSEADDR",
	     bind(srv, (struct sockaddr *)&a, sizeof(a)));
	SHOW("listen again", listen(srv, 1));
	cli = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("connect again", connect(cli, (struct sockaddr *)&a, sizeof(a)));
	close(cli);
	close(srv);
}

/* Edge-triggered epoll learns of data and of the peer's close, on TCP
 * and on an AF_UNIX pair (the pattern of Go's runtime). */
static void epoll_edges(void)
{
	struct sockaddr_in a = lo4(0);
	socklen_t len = sizeof(a);
	struct epoll_event ev, got[4];
	int srv, cli, acc, ep, sv[2];
	char buf[16];

	printf("-- epoll, edge-triggered\n");
	ep = epoll_create1(EPOLL_CLOEXEC);
	srv = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	bind(srv, (struct sockaddr *)&a, sizeof(a));
	listen(srv, 1);
	getsockname(srv, (struct sockaddr *)&a, &len);
	ev.events = EPOLLIN;
	ev.data.fd = srv;
	SHOW("watch listener", epoll_ctl(ep, EPOLL_CTL_ADD, srv, &ev));
	cli = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("connect", connect(cli, (struct sockaddr *)&a, sizeof(a)));
	SHOW("listener ready", epoll_wait(ep, got, 4, 1000));
	acc = accept4(srv, NULL, NULL, SOCK_NONBLOCK);
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.fd = acc;
	SHOW("watch accepted", epoll_ctl(ep, EPOLL_CTL_ADD, acc, &ev));
	EXPECT_ERR("nothing to read", read(acc, buf, sizeof(buf)), EAGAIN);
	SHOW("first wait", epoll_wait(ep, got, 4, 1000));
	printf("  events %#x\n", got[0].events);
	SHOW("idle wait", epoll_wait(ep, got, 4, 0));
	SHOW("send", send(cli, "edge", 4, 0));
	SHOW("wait for data", epoll_wait(ep, got, 4, 1000));
	printf("  events %#x\n", got[0].events);
	SHOW("read", read(acc, buf, sizeof(buf)));
	close(cli);
	SHOW("wait for the close", epoll_wait(ep, got, 4, 1000));
	printf("  events %#x\n", got[0].events & (EPOLLIN | EPOLLRDHUP));
	close(acc);
	close(srv);

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = sv[1];
	SHOW("watch unix", epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
	SHOW("unix idle", epoll_wait(ep, got, 4, 0));
	SHOW("unix write", write(sv[0], "u", 1));
	SHOW("unix ready", epoll_wait(ep, got, 4, 1000));
	printf("  events %#x\n", got[0].events);
	close(sv[0]);
	close(sv[1]);
	close(ep);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	tcp4();
	refused();
	timeout();
	udp4();
	tcp6();
	dual_stack();
	idle_connection();
	restart_server();
	epoll_edges();
	return guest_exit();
}
