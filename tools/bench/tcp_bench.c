/*
 * tcp_bench: TCP throughput (a benchmark, never a test).
 *
 *   tcp_bench loop MIB            a forked child sends MIB MiB to its
 *                                 parent over 127.0.0.1
 *   tcp_bench recv PORT           accept one connection, read to EOF
 *   tcp_bench send HOST PORT MIB  connect and send MIB MiB
 *
 * Each prints "<name> <MB/s>" (MB = 10^6 bytes) for tools/bench/net.sh.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void send_all(int s, long long bytes)
{
	static char buf[CHUNK];

	memset(buf, 'e', sizeof(buf));
	while (bytes > 0) {
		ssize_t n =
			write(s, buf, bytes < CHUNK ? (size_t)bytes : CHUNK);

		if (n <= 0) {
			perror("tcp_bench: write");
			exit(1);
		}
		bytes -= n;
	}
}

static long long recv_all(int s)
{
	static char buf[CHUNK];
	long long total = 0;
	ssize_t n;

	while ((n = read(s, buf, sizeof(buf))) > 0)
		total += n;
	return total;
}

static int listener(int port, int *out_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port) };
	socklen_t l = sizeof(a);
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("tcp_bench: bind");
		exit(1);
	}
	getsockname(s, (struct sockaddr *)&a, &l);
	*out_port = ntohs(a.sin_port);
	return s;
}

static int connect_to(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, host, &a.sin_addr);
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("tcp_bench: connect");
		exit(1);
	}
	return s;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "loop")) {
		long long bytes = atoll(argv[2]) << 20;
		int port, l = listener(0, &port), c;
		double t0;

		if (fork() == 0) {
			close(l);
			int s = connect_to("127.0.0.1", port);

			send_all(s, bytes);
			close(s);
			_exit(0);
		}
		c = accept(l, NULL, NULL);
		t0 = now();
		long long got = recv_all(c);
		double dt = now() - t0;

		wait(NULL);
		printf("tcp_loopback_MBps %.1f\n", got / dt / 1e6);
		return got == bytes ? 0 : 1;
	}
	if (argc == 3 && !strcmp(argv[1], "recv")) {
		int port, l = listener(atoi(argv[2]), &port);
		int c = accept(l, NULL, NULL);
		double t0 = now();
		long long got = recv_all(c);

		printf("tcp_recv_MBps %.1f (%lld bytes)\n",
		       got / (now() - t0) / 1e6, got);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "send")) {
		long long bytes = atoll(argv[4]) << 20;
		int s = connect_to(argv[2], atoi(argv[3]));
		double t0 = now();

		send_all(s, bytes);
		shutdown(s, SHUT_WR);
		recv_all(s);
		printf("tcp_send_MBps %.1f\n", bytes / (now() - t0) / 1e6);
		return 0;
	}
	fprintf(stderr,
		"usage: tcp_bench loop MIB | recv PORT | send HOST PORT MIB\n");
	return 2;
}
