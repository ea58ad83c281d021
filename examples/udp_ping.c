/*
 * udp_ping: UDP datagrams both ways, over IPv4 and IPv6 loopback.
 *
 *   udp_ping                 a child answers each datagram with its text
 *                            reversed; over 127.0.0.1, then ::1
 *   udp_ping server PORT     answer datagrams on PORT (any address)
 *
 * Build static and run on Ember (see README.md):
 *   musl-gcc -static -O2 -o udp_ping examples/udp_ping.c
 *   build/ember run ./udp_ping
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void answer(int s, int count)
{
	struct sockaddr_storage from;
	char buf[1500], out[1500];

	for (int i = 0; count < 0 || i < count; i++) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		for (ssize_t k = 0; k < n; k++)
			out[k] = buf[n - 1 - k];
		sendto(s, out, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
}

static int demo(int family, const char *name)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int s = socket(family, SOCK_DGRAM, 0), c;
	char buf[64];
	pid_t pid;
	ssize_t n;

	if (family == AF_INET) {
		struct sockaddr_in *a = (void *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (void *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	if (bind(s, (struct sockaddr *)&ss, len) < 0) {
		perror("udp_ping: bind");
		return 1;
	}
	getsockname(s, (struct sockaddr *)&ss, &len);
	pid = fork();
	if (pid == 0) {
		answer(s, 3);
		_exit(0);
	}
	close(s);
	c = socket(family, SOCK_DGRAM, 0);
	connect(c, (struct sockaddr *)&ss, len);
	for (int i = 1; i <= 3; i++) {
		char msg[32];

		snprintf(msg, sizeof(msg), "datagram %d", i);
		send(c, msg, strlen(msg), 0);
		n = recv(c, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = 0;
		printf("%s: sent \"%s\", got \"%s\"\n", name, msg, buf);
	}
	waitpid(pid, NULL, 0);
	close(c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server")) {
		struct sockaddr_in6 a = {
			.sin6_family = AF_INET6,
			.sin6_port = htons((unsigned short)atoi(argv[2]))
		};
		int s = socket(AF_INET6, SOCK_DGRAM, 0);

		if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("udp_ping: bind");
			return 1;
		}
		answer(s, -1);
		return 0;
	}
	return demo(AF_INET, "127.0.0.1") || demo(AF_INET6, "::1");
}
