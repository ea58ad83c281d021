/*
 * Guest: two processes (parent and a forked child) talking over TCP and
 * UDP on 127.0.0.1 and on ::1: the child connects (or sends), the parent
 * answers; a blocking send of 1 MiB + 12345 bytes (beyond the socket
 * buffer and the kernel's 256 KiB bounce buffer)
 * returns the whole length, as Linux's does, and the peer receives every
 * byte in order.
 * GUEST_NEEDS: lwip
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

#define BIG (1048576 + 12345)

static socklen_t make_addr(int family, unsigned short port,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (void *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a6 = (void *)ss;

	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(port);
	a6->sin6_addr = in6addr_loopback;
	return sizeof(*a6);
}

static unsigned short port_of(int s)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	getsockname(s, (struct sockaddr *)&ss, &l);
	return ntohs(ss.ss_family == AF_INET ?
			     ((struct sockaddr_in *)&ss)->sin_port :
			     ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int child_status(pid_t pid)
{
	int st = 0;

	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void tcp_pair(int family, const char *name)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, 0, &ss);
	int srv = socket(family, SOCK_STREAM, 0), c;
	unsigned short port;
	char buf[64];
	pid_t pid;

	printf("-- tcp over %s\n", name);
	EXPECT_OK("bind", bind(srv, (struct sockaddr *)&ss, len));
	EXPECT_OK("listen", listen(srv, 4));
	port = port_of(srv);
	pid = fork();
	if (pid == 0) {
		int s = socket(family, SOCK_STREAM, 0);
		char *big = malloc(BIG);
		ssize_t n;

		close(srv);
		len = make_addr(family, port, &ss);
		if (connect(s, (struct sockaddr *)&ss, len) < 0)
			_exit(10);
		if (write(s, "ping", 4) != 4)
			_exit(11);
		if (read(s, buf, sizeof(buf)) != 4 || memcmp(buf, "pong", 4))
			_exit(12);
		for (int i = 0; i < BIG; i++)
			big[i] = (char)(i * 7 + i / 251);
		n = send(s, big, BIG, 0);
		if (n != BIG)
			_exit(13);
		close(s);
		_exit(0);
	}
	c = accept(srv, NULL, NULL);
	CHECK("accepted", c >= 0);
	SHOW("read ping", read(c, buf, 4));
	printf("got: %.4s\n", buf);
	SHOW("write pong", write(c, "pong", 4));
	{
		char *got = malloc(BIG);
		size_t have = 0;
		ssize_t n;
		int same = 1;

		while (have < BIG && (n = read(c, got + have, BIG - have)) > 0)
			have += (size_t)n;
		printf("big transfer: %zu bytes\n", have);
		for (size_t i = 0; i < have; i++)
			if (got[i] != (char)(i * 7 + i / 251))
				same = 0;
		CHECK("bytes in order", same);
		SHOW("read at end", read(c, buf, sizeof(buf)));
		free(got);
	}
	printf("child status: %d\n", child_status(pid));
	close(c);
	close(srv);
}

static void udp_pair(int family, const char *name)
{
	struct sockaddr_storage ss, from;
	socklen_t len = make_addr(family, 0, &ss), fl = sizeof(from);
	int s = socket(family, SOCK_DGRAM, 0);
	unsigned short port;
	char buf[64];
	pid_t pid;
	ssize_t n;

	printf("-- udp over %s\n", name);
	EXPECT_OK("bind", bind(s, (struct sockaddr *)&ss, len));
	port = port_of(s);
	pid = fork();
	if (pid == 0) {
		int c = socket(family, SOCK_DGRAM, 0);

		len = make_addr(family, port, &ss);
		if (sendto(c, "hello", 5, 0, (struct sockaddr *)&ss, len) != 5)
			_exit(10);
		if (recv(c, buf, sizeof(buf), 0) != 3 || memcmp(buf, "ack", 3))
			_exit(11);
		_exit(0);
	}
	n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	printf("datagram: %zd %.5s from family %d\n", n, buf,
	       from.ss_family == family);
	SHOW("reply", sendto(s, "ack", 3, 0, (struct sockaddr *)&from, fl));
	printf("child status: %d\n", child_status(pid));
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	tcp_pair(AF_INET, "127.0.0.1");
	tcp_pair(AF_INET6, "::1");
	udp_pair(AF_INET, "127.0.0.1");
	udp_pair(AF_INET6, "::1");
	return guest_exit();
}
