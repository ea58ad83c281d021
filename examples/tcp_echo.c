/*
 * tcp_echo: a TCP echo server and its client in one small program.
 *
 *   tcp_echo server PORT          echo every connection's bytes back
 *   tcp_echo client HOST PORT MSG send MSG, print the echo
 *   tcp_echo demo                 both over 127.0.0.1 in two processes
 *
 * Build static and run on Ember (see README.md):
 *   musl-gcc -static -O2 -o tcp_echo examples/tcp_echo.c
 *   build/ember run ./tcp_echo demo
 * Over a tap (docs/NETWORKING.md): `ember run --net tap:tap0,ip=... \
 *   ./tcp_echo server 7000` in the guest, `nc GUEST_IP 7000` on the host.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int serve_one(int c)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write(c, buf, (size_t)n) != n)
			return -1;
	return 0;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s, 16) < 0) {
		perror("tcp_echo: bind/listen");
		exit(1);
	}
	return s;
}

static void server(int s, int count)
{
	/* count < 0: forever, one child per connection. */
	for (int i = 0; count < 0 || i < count; i++) {
		int c = accept(s, NULL, NULL);

		if (c < 0) {
			perror("tcp_echo: accept");
			exit(1);
		}
		if (count < 0 && fork() == 0) {
			close(s);
			_exit(serve_one(c) ? 1 : 0);
		}
		if (count >= 0)
			serve_one(c);
		close(c);
	}
}

static int client(const char *host, const char *port, const char *msg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	size_t len = strlen(msg), got = 0;
	char buf[4096];
	int s;

	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		fprintf(stderr, "tcp_echo: cannot resolve %s\n", host);
		return 1;
	}
	s = socket(ai->ai_family, SOCK_STREAM, 0);
	if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0) {
		perror("tcp_echo: connect");
		return 1;
	}
	freeaddrinfo(ai);
	if (write(s, msg, len) != (ssize_t)len)
		return 1;
	shutdown(s, SHUT_WR);
	while (got < sizeof(buf) - 1) {
		ssize_t n = read(s, buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = 0;
	printf("echo: %s\n", buf);
	close(s);
	return got == len ? 0 : 1;
}

int main(int argc, char **argv)
{
	signal(SIGCHLD, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "server")) {
		server(listen_on(atoi(argv[2])), -1);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], argv[4]);
	if (argc == 2 && !strcmp(argv[1], "demo")) {
		int s = listen_on(0), st = 0;
		struct sockaddr_in a;
		socklen_t l = sizeof(a);
		char port[16];
		pid_t pid;

		getsockname(s, (struct sockaddr *)&a, &l);
		snprintf(port, sizeof(port), "%d", ntohs(a.sin_port));
		signal(SIGCHLD, SIG_DFL);
		pid = fork();
		if (pid == 0) {
			server(s, 1);
			_exit(0);
		}
		close(s);
		st = client("127.0.0.1", port, "hello over TCP");
		waitpid(pid, NULL, 0);
		return st;
	}
	fprintf(stderr,
		"usage: tcp_echo server PORT | client HOST PORT MSG | demo\n");
	return 2;
}
