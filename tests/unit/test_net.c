/*
 * test_net.c: the socket layer and AF_UNIX through the socket syscalls
 * (layer: unit tests of src/net; relies on ktest_boot's tmpfs root with
 * /tmp). Expected values come from socket(2), socketpair(2), unix(7),
 * socket(7), send(2), recv(2), cmsg(3) and getsockopt(2).
 */
#include <string.h>

#include <kern/proc.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/in.h>
#include <uapi/socket.h>
#include <uapi/stat.h>
#include <uapi/termios.h>

#include "ktest.h"

#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_fstat 5
#define NR_lstat 6
#define NR_ioctl 16
#define NR_socket 41
#define NR_connect 42
#define NR_accept 43
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_shutdown 48
#define NR_bind 49
#define NR_listen 50
#define NR_getsockname 51
#define NR_getpeername 52
#define NR_socketpair 53
#define NR_setsockopt 54
#define NR_getsockopt 55
#define NR_accept4 288

#define UBUF_LEN (64 * 1024)

static uint64_t ubuf, uaux;

static void boot(void)
{
	ktest_boot();
	ubuf = ktest_umap(UBUF_LEN, VM_READ | VM_WRITE);
	uaux = ktest_umap(UBUF_LEN, VM_READ | VM_WRITE);
}

static void pair(int type, int sv[2])
{
	ck_assert_int_eq(ksys4(NR_socketpair, AF_UNIX, type, 0, uaux), 0);
	ktest_get(sv, uaux, 2 * sizeof(int));
}

static long s_send(int fd, const char *s, unsigned flags)
{
	size_t n = strlen(s);

	ktest_put(ubuf, s, n);
	return ksys6(NR_sendto, fd, ubuf, n, flags, 0, 0);
}

static long s_recv(int fd, char *out, size_t len, unsigned flags)
{
	long n = ksys6(NR_recvfrom, fd, ubuf, len, flags, 0, 0);

	if (n > 0)
		ktest_get(out, ubuf, (size_t)MIN((size_t)n, len));
	out[n > 0 ? MIN((size_t)n, len) : 0] = '\0';
	return n;
}

/* A sockaddr_un for path (abstract when path[0] is '@'); its length. */
static unsigned mk_addr(struct sockaddr_un *sun, const char *path)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n);
	if (path[0] == '@') {
		sun->sun_path[0] = '\0';
		return (unsigned)(2 + n);
	}
	return (unsigned)(2 + n + 1);
}

static long s_bind(int fd, const char *path)
{
	struct sockaddr_un sun;
	unsigned len = mk_addr(&sun, path);

	ktest_put(uaux, &sun, sizeof(sun));
	return ksys3(NR_bind, fd, uaux, len);
}

static long s_connect(int fd, const char *path)
{
	struct sockaddr_un sun;
	unsigned len = mk_addr(&sun, path);

	ktest_put(uaux, &sun, sizeof(sun));
	return ksys3(NR_connect, fd, uaux, len);
}

static unsigned poll_of(int fd)
{
	struct file *f = fd_get(fd);
	unsigned m;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(f->ops->poll);
	m = f->ops->poll(f, NULL);
	file_put(f);
	return m;
}

START_TEST(socketpair_stream_bytes_merge)
{
	char buf[64];
	int sv[2];

	boot();
	pair(SOCK_STREAM, sv);
	ck_assert_int_eq(s_send(sv[0], "abc", 0), 3);
	ck_assert_int_eq(s_send(sv[0], "defg", 0), 4);
	/* A stream has no boundaries. */
	ck_assert_int_eq(s_recv(sv[1], buf, sizeof(buf), 0), 7);
	ck_assert_str_eq(buf, "abcdefg");
	/* And is bidirectional. */
	ck_assert_int_eq(s_send(sv[1], "xy", 0), 2);
	ck_assert_int_eq(s_recv(sv[0], buf, 1, 0), 1);
	ck_assert_str_eq(buf, "x");
	ck_assert_int_eq(s_recv(sv[0], buf, 8, 0), 1);
	ck_assert_str_eq(buf, "y");
	ck_assert_int_eq(s_recv(sv[0], buf, 8, MSG_DONTWAIT), -EAGAIN);
}
END_TEST

START_TEST(socketpair_dgram_keeps_boundaries)
{
	char buf[64];
	int sv[2];

	boot();
	pair(SOCK_DGRAM, sv);
	ck_assert_int_eq(s_send(sv[0], "one", 0), 3);
	ck_assert_int_eq(s_send(sv[0], "three", 0), 5);
	ck_assert_int_eq(s_recv(sv[1], buf, sizeof(buf), 0), 3);
	ck_assert_str_eq(buf, "one");
	/* A short buffer truncates; MSG_TRUNC reports the real size. */
	ck_assert_int_eq(s_send(sv[0], "four", 0), 4);
	ck_assert_int_eq(s_recv(sv[1], buf, 2, 0), 2);
	ck_assert_str_eq(buf, "th");
	ck_assert_int_eq(s_recv(sv[1], buf, 2, MSG_TRUNC), 4);
	ck_assert_int_eq(s_recv(sv[1], buf, 8, MSG_DONTWAIT), -EAGAIN);
}
END_TEST

START_TEST(seqpacket_boundaries_and_eor)
{
	struct user_msghdr h;
	struct iovec {
		uint64_t base, len;
	} iov;
	int sv[2];

	boot();
	iov.base = ubuf;
	iov.len = 3;
	pair(SOCK_SEQPACKET, sv);
	ck_assert_int_eq(s_send(sv[0], "hello", 0), 5);
	ck_assert_int_eq(s_send(sv[0], "hi", 0), 2);
	memset(&h, 0, sizeof(h));
	ktest_put(uaux + 256, &iov, sizeof(iov));
	h.msg_iov = uaux + 256;
	h.msg_iovlen = 1;
	ktest_put(uaux, &h, sizeof(h));
	ck_assert_int_eq(ksys3(NR_recvmsg, sv[1], uaux, 0), 3);
	ktest_get(&h, uaux, sizeof(h));
	ck_assert(h.msg_flags & MSG_TRUNC);
	ck_assert_int_eq(ksys3(NR_recvmsg, sv[1], uaux, 0), 2);
	ktest_get(&h, uaux, sizeof(h));
	ck_assert(!(h.msg_flags & MSG_TRUNC));
}
END_TEST

START_TEST(peer_close_gives_eof_and_epipe)
{
	char buf[8];
	int sv[2];

	boot();
	pair(SOCK_STREAM, sv);
	ck_assert_int_eq(s_send(sv[0], "z", 0), 1);
	ck_assert_int_eq(ksys1(NR_close, sv[0]), 0);
	/* Queued data first, then end of file. */
	ck_assert_int_eq(s_recv(sv[1], buf, 8, 0), 1);
	ck_assert_int_eq(s_recv(sv[1], buf, 8, 0), 0);
	ck_assert_uint_ne(poll_of(sv[1]) & 0x10 /* POLLHUP */, 0);
	ck_assert_int_eq(s_send(sv[1], "q", MSG_NOSIGNAL), -EPIPE);
}
END_TEST

START_TEST(shutdown_wr_is_eof_for_peer)
{
	char buf[8];
	int sv[2];

	boot();
	pair(SOCK_STREAM, sv);
	ck_assert_int_eq(ksys2(NR_shutdown, sv[0], SHUT_WR), 0);
	ck_assert_int_eq(s_recv(sv[1], buf, 8, 0), 0);
	ck_assert_int_eq(s_send(sv[0], "q", MSG_NOSIGNAL), -EPIPE);
	/* The other direction still works. */
	ck_assert_int_eq(s_send(sv[1], "ok", 0), 2);
	ck_assert_int_eq(s_recv(sv[0], buf, 8, 0), 2);
	ck_assert_int_eq(ksys2(NR_shutdown, sv[0], 7), -EINVAL);
}
END_TEST

START_TEST(peek_fionread_and_poll)
{
	char buf[16];
	int sv[2], v = -1;

	boot();
	pair(SOCK_STREAM, sv);
	ck_assert_uint_eq(poll_of(sv[1]) & 1, 0);
	ck_assert_uint_ne(poll_of(sv[1]) & 4, 0); /* POLLOUT */
	ck_assert_int_eq(s_send(sv[0], "peekaboo", 0), 8);
	ck_assert_uint_ne(poll_of(sv[1]) & 1, 0); /* POLLIN */
	ck_assert_int_eq(ksys3(NR_ioctl, sv[1], FIONREAD, uaux), 0);
	ktest_get(&v, uaux, sizeof(v));
	ck_assert_int_eq(v, 8);
	ck_assert_int_eq(s_recv(sv[1], buf, 4, MSG_PEEK), 4);
	ck_assert_str_eq(buf, "peek");
	ck_assert_int_eq(s_recv(sv[1], buf, 16, 0), 8);
	ck_assert_str_eq(buf, "peekaboo");
}
END_TEST

START_TEST(errors_of_socket_calls)
{
	int fd, len;

	boot();
	ck_assert_int_eq(ksys3(NR_socket, 45, SOCK_STREAM, 0), -EAFNOSUPPORT);
	ck_assert_int_eq(ksys3(NR_socket, AF_UNIX, 9, 0), -ESOCKTNOSUPPORT);
	ck_assert_int_eq(ksys3(NR_socket, AF_UNIX, SOCK_STREAM | 0x100, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys3(NR_socket, AF_UNIX, SOCK_STREAM, 6),
			 -EPROTONOSUPPORT);
	/* A file that is not a socket. */
	ck_assert_int_eq(ksys3(NR_listen, 0, 1, 0), -ENOTSOCK);
	ck_assert_int_eq(ksys3(NR_listen, 99, 1, 0), -EBADF);
	fd = (int)ksys3(NR_socket, AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	/* Listening needs a name. */
	ck_assert_int_eq(ksys2(NR_listen, fd, 1), -EINVAL);
	ck_assert_int_eq(s_send(fd, "x", MSG_NOSIGNAL), -ENOTCONN);
	len = 16;
	ktest_put(uaux, &len, sizeof(len));
	ck_assert_int_eq(ksys3(NR_getpeername, fd, ubuf, uaux), -ENOTCONN);
	ck_assert_int_eq(ksys3(NR_getsockname, fd, ubuf, 0x10), -EFAULT);
}
END_TEST

START_TEST(fstat_says_socket)
{
	struct stat st;
	int fd;

	boot();
	fd = (int)ksys3(NR_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys2(NR_fstat, fd, ubuf), 0);
	ktest_get(&st, ubuf, sizeof(st));
	ck_assert(S_ISSOCK(st.st_mode));
}
END_TEST

START_TEST(path_bind_listen_connect_accept)
{
	struct sockaddr_un sun;
	struct stat st;
	char buf[16];
	int srv, cli, acc, len;

	boot();
	srv = (int)ksys3(NR_socket, AF_UNIX, SOCK_STREAM, 0);
	cli = (int)ksys3(NR_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(srv, 0);
	ck_assert_int_ge(cli, 0);
	ck_assert_int_eq(s_connect(cli, "/tmp/sock"), -ENOENT);
	ck_assert_int_eq(s_bind(srv, "/tmp/sock"), 0);
	/* The name is a socket node in the filesystem. */
	ck_assert_int_eq(ksys2(NR_lstat, ktest_ustr("/tmp/sock"), ubuf), 0);
	ktest_get(&st, ubuf, sizeof(st));
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(s_bind(srv, "/tmp/other"), -EINVAL);
	/* Bound but not listening: refused. */
	ck_assert_int_eq(s_connect(cli, "/tmp/sock"), -ECONNREFUSED);
	ck_assert_int_eq(ksys2(NR_listen, srv, 4), 0);
	ck_assert_int_eq(ksys4(NR_accept4, srv, 0, 0, 0x1), -EINVAL);
	ck_assert_int_eq(s_connect(cli, "/tmp/sock"), 0);
	ck_assert_int_eq(s_connect(cli, "/tmp/sock"), -EISCONN);
	ck_assert_uint_ne(poll_of(srv) & 1, 0);
	len = sizeof(sun);
	ktest_put(uaux + 512, &len, sizeof(len));
	acc = (int)ksys3(NR_accept, srv, uaux + 256, uaux + 512);
	ck_assert_int_ge(acc, 0);
	ktest_get(&len, uaux + 512, sizeof(len));
	ck_assert_int_eq(len, 2); /* the client is unnamed */
	ck_assert_int_eq(s_send(cli, "ping", 0), 4);
	ck_assert_int_eq(s_recv(acc, buf, 16, 0), 4);
	ck_assert_str_eq(buf, "ping");
	/* Names: the client's peer is the server's path. */
	len = sizeof(sun);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(ksys3(NR_getpeername, cli, uaux + 256, uaux + 512), 0);
	ktest_get(&len, uaux + 512, sizeof(len));
	ktest_get(&sun, uaux + 256, sizeof(sun));
	ck_assert_int_eq(len, 2 + 9 + 1);
	ck_assert_str_eq(sun.sun_path, "/tmp/sock");
	/* A second bind of the same path. */
	ck_assert_int_eq(s_bind((int)ksys3(NR_socket, AF_UNIX, SOCK_STREAM, 0),
				"/tmp/sock"),
			 -EADDRINUSE);
	/* Closing the listener refuses new connections. */
	ck_assert_int_eq(ksys1(NR_close, srv), 0);
	ck_assert_int_eq(
		s_connect((int)ksys3(NR_socket, AF_UNIX, SOCK_STREAM, 0),
			  "/tmp/sock"),
		-ECONNREFUSED);
}
END_TEST

START_TEST(abstract_and_autobind)
{
	struct sockaddr_un sun;
	char buf[16];
	int a, b, len;

	boot();
	a = (int)ksys3(NR_socket, AF_UNIX, SOCK_DGRAM, 0);
	b = (int)ksys3(NR_socket, AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_eq(s_bind(a, "@ember-test"), 0);
	ck_assert_int_eq(s_bind(b, "@ember-test"), -EADDRINUSE);
	/* Autobind: a bare family gives a 5-hex-digit abstract name. */
	sun.sun_family = AF_UNIX;
	ktest_put(uaux, &sun, 2);
	ck_assert_int_eq(ksys3(NR_bind, b, uaux, 2), 0);
	len = sizeof(sun);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(ksys3(NR_getsockname, b, uaux + 256, uaux + 512), 0);
	ktest_get(&len, uaux + 512, sizeof(len));
	ck_assert_int_eq(len, 2 + 6);
	ktest_get(&sun, uaux + 256, sizeof(sun));
	ck_assert_int_eq(sun.sun_path[0], 0);
	/* sendto an abstract name; recvfrom reports the sender. */
	mk_addr(&sun, "@ember-test");
	ktest_put(uaux, &sun, sizeof(sun));
	ktest_put(ubuf, "dg", 2);
	ck_assert_int_eq(ksys6(NR_sendto, b, ubuf, 2, 0, uaux, 2 + 11), 2);
	len = sizeof(sun);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(
		ksys6(NR_recvfrom, a, ubuf, 16, 0, uaux + 256, uaux + 512), 2);
	ktest_get(&len, uaux + 512, sizeof(len));
	ck_assert_int_eq(len, 8);
	ktest_get(buf, ubuf, 2);
	ck_assert_int_eq(memcmp(buf, "dg", 2), 0);
	/* Nobody at this name. */
	mk_addr(&sun, "@nobody");
	ktest_put(uaux, &sun, sizeof(sun));
	ck_assert_int_eq(ksys6(NR_sendto, b, ubuf, 2, 0, uaux, 2 + 7),
			 -ECONNREFUSED);
}
END_TEST

START_TEST(scm_rights_passes_an_open_file)
{
	struct {
		struct cmsghdr h;
		int fd;
		int pad;
	} cm;
	struct user_msghdr h;
	uint64_t iov[2];
	char buf[16];
	int sv[2], fd, nfd;

	boot();
	pair(SOCK_DGRAM, sv);
	fd = (int)ksys3(NR_open, ktest_ustr("/tmp/passed"), O_CREAT | O_RDWR,
			0644);
	ck_assert_int_ge(fd, 0);
	ktest_put(ubuf, "contents", 8);
	ck_assert_int_eq(ksys3(NR_write, fd, ubuf, 8), 8);
	cm.h.cmsg_len = sizeof(struct cmsghdr) + sizeof(int);
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_RIGHTS;
	cm.fd = fd;
	cm.pad = 0;
	ktest_put(uaux + 1024, &cm, sizeof(cm));
	iov[0] = ubuf;
	iov[1] = 1;
	ktest_put(uaux + 512, iov, sizeof(iov));
	memset(&h, 0, sizeof(h));
	h.msg_iov = uaux + 512;
	h.msg_iovlen = 1;
	h.msg_control = uaux + 1024;
	h.msg_controllen = sizeof(cm);
	ktest_put(uaux, &h, sizeof(h));
	ck_assert_int_eq(ksys3(NR_sendmsg, sv[0], uaux, 0), 1);
	/* The sender's fd may go: the message holds the file. */
	ck_assert_int_eq(ksys1(NR_close, fd), 0);
	memset(&cm, 0, sizeof(cm));
	ktest_put(uaux + 1024, &cm, sizeof(cm));
	ck_assert_int_eq(ksys3(NR_recvmsg, sv[1], uaux, 0), 1);
	ktest_get(&h, uaux, sizeof(h));
	ck_assert_uint_eq(h.msg_controllen, sizeof(cm));
	ktest_get(&cm, uaux + 1024, sizeof(cm));
	ck_assert_int_eq(cm.h.cmsg_type, SCM_RIGHTS);
	nfd = cm.fd;
	ck_assert_int_ge(nfd, 0);
	/* The offset is shared with the sent file: at its end. */
	ck_assert_int_eq(ksys3(NR_read, nfd, ubuf, 16), 0);
	ck_assert_int_eq(ksys4(17 /* pread64 */, nfd, ubuf, 16, 0), 8);
	ktest_get(buf, ubuf, 8);
	ck_assert_int_eq(memcmp(buf, "contents", 8), 0);
	/* A bad fd in SCM_RIGHTS. */
	cm.h.cmsg_len = sizeof(struct cmsghdr) + sizeof(int);
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_RIGHTS;
	cm.fd = 77;
	ktest_put(uaux + 1024, &cm, sizeof(cm));
	h.msg_controllen = sizeof(cm);
	ktest_put(uaux, &h, sizeof(h));
	ck_assert_int_eq(ksys3(NR_sendmsg, sv[0], uaux, 0), -EBADF);
}
END_TEST

START_TEST(peercred_and_options)
{
	struct ucred uc;
	int sv[2], v, len;

	boot();
	pair(SOCK_STREAM, sv);
	len = sizeof(uc);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(ksys6(NR_getsockopt, sv[0], SOL_SOCKET, SO_PEERCRED,
			       uaux, uaux + 512, 0),
			 0);
	ktest_get(&uc, uaux, sizeof(uc));
	ck_assert_int_eq(uc.pid, current->task->pid);
	ck_assert_uint_eq(uc.uid, current->task->cred.euid);
	len = sizeof(v);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(ksys6(NR_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, uaux,
			       uaux + 512, 0),
			 0);
	ktest_get(&v, uaux, sizeof(v));
	ck_assert_int_eq(v, SOCK_STREAM);
	ck_assert_int_eq(ksys6(NR_getsockopt, sv[0], SOL_SOCKET, SO_RCVBUF,
			       uaux, uaux + 512, 0),
			 0);
	ktest_get(&v, uaux, sizeof(v));
	ck_assert_int_eq(v, 212992);
	v = 1000;
	ktest_put(uaux, &v, sizeof(v));
	ck_assert_int_eq(ksys6(NR_setsockopt, sv[0], SOL_SOCKET, SO_RCVBUF,
			       uaux, sizeof(v), 0),
			 0);
	ck_assert_int_eq(ksys6(NR_getsockopt, sv[0], SOL_SOCKET, SO_RCVBUF,
			       uaux, uaux + 512, 0),
			 0);
	ktest_get(&v, uaux, sizeof(v));
	ck_assert_int_eq(v, 2304);
	v = 1;
	ktest_put(uaux, &v, sizeof(v));
	ck_assert_int_eq(ksys6(NR_setsockopt, sv[0], SOL_SOCKET, SO_REUSEADDR,
			       uaux, 2, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys6(NR_setsockopt, sv[0], SOL_SOCKET, 9999, uaux,
			       sizeof(v), 0),
			 -ENOPROTOOPT);
	ck_assert_int_eq(ksys6(NR_setsockopt, sv[0], IPPROTO_TCP, TCP_NODELAY,
			       uaux, sizeof(v), 0),
			 -EOPNOTSUPP);
}
END_TEST

/* ---- AF_INET over lwIP (skipped in a core built without it) ---- */

static bool have_inet(void)
{
	long fd = ksys3(NR_socket, AF_INET, SOCK_STREAM, 0);

	if (fd == -EAFNOSUPPORT)
		return false;
	ck_assert_int_ge(fd, 0);
	ksys1(NR_close, fd);
	return true;
}

static struct sockaddr_in lo4(uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = uapi_htons(port);
	a.sin_addr.s_addr = uapi_htonl(INADDR_LOOPBACK);
	return a;
}

static long s_inet(long nr, int fd, const struct sockaddr_in *a)
{
	ktest_put(uaux, a, sizeof(*a));
	return ksys3(nr, fd, uaux, sizeof(*a));
}

START_TEST(tcp_loopback_nonblocking)
{
	struct sockaddr_in a = lo4(0);
	int srv, cli, acc, len;
	char buf[16];

	boot();
	if (!have_inet())
		return;
	srv = (int)ksys3(NR_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	cli = (int)ksys3(NR_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(s_inet(NR_bind, srv, &a), 0);
	len = sizeof(a);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(ksys3(NR_getsockname, srv, uaux, uaux + 512), 0);
	ktest_get(&a, uaux, sizeof(a));
	ck_assert_uint_ne(a.sin_port, 0);
	ck_assert_int_eq(ksys2(NR_listen, srv, 4), 0);
	ck_assert_int_eq(ksys3(NR_accept, srv, 0, 0), -EAGAIN);
	ck_assert_int_eq(s_inet(NR_connect, cli, &a), -EINPROGRESS);
	/* The loopback handshake has run: the next connect reports it. */
	ck_assert_int_eq(s_inet(NR_connect, cli, &a), 0);
	ck_assert_int_eq(s_inet(NR_connect, cli, &a), -EISCONN);
	acc = (int)ksys3(NR_accept, srv, 0, 0);
	ck_assert_int_ge(acc, 0);
	ck_assert_int_eq(s_send(cli, "over tcp", 0), 8);
	ck_assert_int_eq(s_recv(acc, buf, sizeof(buf), MSG_PEEK), 8);
	ck_assert_int_eq(s_recv(acc, buf, 4, 0), 4);
	ck_assert_str_eq(buf, "over");
	ck_assert_int_eq(s_recv(acc, buf, sizeof(buf), 0), 4);
	ck_assert_str_eq(buf, " tcp");
	/* accept does not pass O_NONBLOCK on. */
	ck_assert_int_eq(s_recv(acc, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
	ck_assert_uint_ne(poll_of(cli) & 4, 0);
	ck_assert_int_eq(ksys2(NR_shutdown, cli, SHUT_WR), 0);
	ck_assert_int_eq(s_recv(acc, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(s_send(cli, "x", MSG_NOSIGNAL), -EPIPE);
}
END_TEST

START_TEST(tcp_refused_and_addr_errors)
{
	struct sockaddr_in a = lo4(0), b;
	int s1, s2, v = 0, len;

	boot();
	if (!have_inet())
		return;
	s1 = (int)ksys3(NR_socket, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(s_inet(NR_bind, s1, &a), 0);
	len = sizeof(a);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(ksys3(NR_getsockname, s1, uaux, uaux + 512), 0);
	ktest_get(&b, uaux, sizeof(b));
	s2 = (int)ksys3(NR_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(s_inet(NR_bind, s2, &b), -EADDRINUSE);
	/* Bound but not listening: the SYN meets a reset. */
	ck_assert_int_eq(s_inet(NR_connect, s2, &b), -EINPROGRESS);
	len = sizeof(v);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(ksys6(NR_getsockopt, s2, SOL_SOCKET, SO_ERROR, uaux,
			       uaux + 512, 0),
			 0);
	ktest_get(&v, uaux, sizeof(v));
	ck_assert_int_eq(v, ECONNREFUSED);
	a = lo4(0);
	a.sin_addr.s_addr = uapi_htonl(0x0a000001); /* not ours */
	ck_assert_int_eq(s_inet(NR_bind,
				(int)ksys3(NR_socket, AF_INET, SOCK_STREAM, 0),
				&a),
			 -EADDRNOTAVAIL);
	a.sin_family = AF_UNIX;
	ck_assert_int_eq(s_inet(NR_bind,
				(int)ksys3(NR_socket, AF_INET, SOCK_DGRAM, 0),
				&a),
			 -EAFNOSUPPORT);
	ck_assert_int_eq(ksys3(NR_socket, AF_INET, SOCK_STREAM, IPPROTO_UDP),
			 -EPROTONOSUPPORT);
}
END_TEST

START_TEST(udp_loopback_datagrams)
{
	struct sockaddr_in a = lo4(0), b = lo4(0), from;
	int s1, s2, len;
	char buf[16];

	boot();
	if (!have_inet())
		return;
	s1 = (int)ksys3(NR_socket, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	s2 = (int)ksys3(NR_socket, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_eq(s_inet(NR_bind, s1, &a), 0);
	ck_assert_int_eq(s_inet(NR_bind, s2, &b), 0);
	len = sizeof(a);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(ksys3(NR_getsockname, s1, uaux, uaux + 512), 0);
	ktest_get(&a, uaux, sizeof(a));
	ck_assert_int_eq(s_send(s2, "x", 0), -EDESTADDRREQ);
	ktest_put(uaux, &a, sizeof(a));
	ktest_put(ubuf, "first", 5);
	ck_assert_int_eq(ksys6(NR_sendto, s2, ubuf, 5, 0, uaux, sizeof(a)), 5);
	ktest_put(ubuf, "second", 6);
	ck_assert_int_eq(ksys6(NR_sendto, s2, ubuf, 6, 0, uaux, sizeof(a)), 6);
	len = sizeof(from);
	ktest_put(uaux + 512, &len, sizeof(len));
	ck_assert_int_eq(
		ksys6(NR_recvfrom, s1, ubuf, 16, 0, uaux + 256, uaux + 512), 5);
	ktest_get(&from, uaux + 256, sizeof(from));
	ck_assert_uint_eq(from.sin_addr.s_addr, uapi_htonl(INADDR_LOOPBACK));
	ck_assert_int_eq(s_recv(s1, buf, 3, 0), 3);
	ck_assert_str_eq(buf, "sec");
	ck_assert_int_eq(s_recv(s1, buf, 3, 0), -EAGAIN);
}
END_TEST

/* ---- a deterministic storm of operations on non-blocking sockets ---- */

static uint64_t storm_rng;

static unsigned storm_next(unsigned n)
{
	storm_rng ^= storm_rng << 13;
	storm_rng ^= storm_rng >> 7;
	storm_rng ^= storm_rng << 17;
	return (unsigned)(storm_rng % n);
}

static void storm_addr(int fd, long nr)
{
	static const char *const names[] = { "@s0", "@s1", "/tmp/s0",
					     "/tmp/s1" };
	struct sockaddr_in a = lo4((uint16_t)(storm_next(3) ? 5000 : 0) +
				   (uint16_t)storm_next(2));
	struct sockaddr_un sun;
	unsigned len;

	if (storm_next(2)) {
		len = mk_addr(&sun, names[storm_next(4)]);
		ktest_put(uaux, &sun, sizeof(sun));
	} else {
		ktest_put(uaux, &a, sizeof(a));
		len = sizeof(a);
	}
	(void)ksys3(nr, fd, uaux, len);
}

/* Every result is a count or an errno; nothing may park the caller
 * (all sockets are non-blocking) and ASan watches the memory. */
static void storm(uint64_t seed, int steps)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	int fds[12];
	int nfds = 0;

	storm_rng = seed;
	for (int i = 0; i < steps; i++) {
		int fd = nfds ? fds[storm_next((unsigned)nfds)] : -1;
		long r = 0;

		switch (storm_next(12)) {
		case 0:
		case 1:
			if (nfds >= 10)
				break;
			if (storm_next(2)) {
				int sv[2];

				r = ksys4(NR_socketpair, AF_UNIX,
					  types[storm_next(3)] | SOCK_NONBLOCK,
					  0, uaux);
				if (r == 0) {
					ktest_get(sv, uaux, sizeof(sv));
					fds[nfds++] = sv[0];
					fds[nfds++] = sv[1];
				}
			} else {
				r = ksys3(NR_socket,
					  storm_next(2) ? AF_UNIX : AF_INET,
					  types[storm_next(2)] | SOCK_NONBLOCK,
					  0);
				if (r >= 0)
					fds[nfds++] = (int)r;
			}
			break;
		case 2:
			storm_addr(fd, NR_bind);
			break;
		case 3:
			storm_addr(fd, NR_connect);
			break;
		case 4:
			r = ksys2(NR_listen, fd, (int)storm_next(3));
			break;
		case 5:
			r = ksys4(NR_accept4, fd, 0, 0, SOCK_NONBLOCK);
			if (r >= 0 && nfds < 12)
				fds[nfds++] = (int)r;
			else if (r >= 0)
				ksys1(NR_close, r);
			break;
		case 6: {
			struct {
				struct cmsghdr h;
				int fd[2];
			} cm = { { sizeof(struct cmsghdr) + 2 * sizeof(int),
				   SOL_SOCKET, SCM_RIGHTS },
				 { nfds ? fds[storm_next((unsigned)nfds)] : 0,
				   nfds ? fds[storm_next((unsigned)nfds)] :
					  0 } };
			struct user_msghdr h;
			uint64_t iov[2] = { ubuf, storm_next(3000) };

			memset(&h, 0, sizeof(h));
			ktest_put(uaux + 512, iov, sizeof(iov));
			ktest_put(uaux + 1024, &cm, sizeof(cm));
			h.msg_iov = uaux + 512;
			h.msg_iovlen = 1;
			if (storm_next(2)) {
				h.msg_control = uaux + 1024;
				h.msg_controllen = sizeof(cm);
			}
			ktest_put(uaux, &h, sizeof(h));
			r = ksys3(NR_sendmsg, fd, uaux,
				  MSG_DONTWAIT | MSG_NOSIGNAL);
			break;
		}
		case 7: {
			struct user_msghdr h;
			uint64_t iov[2] = { ubuf, storm_next(5000) };

			memset(&h, 0, sizeof(h));
			ktest_put(uaux + 512, iov, sizeof(iov));
			h.msg_iov = uaux + 512;
			h.msg_iovlen = 1;
			h.msg_name = uaux + 2048;
			h.msg_namelen = (uint32_t)storm_next(200);
			h.msg_control = uaux + 1024;
			h.msg_controllen = storm_next(64);
			ktest_put(uaux, &h, sizeof(h));
			r = ksys3(NR_recvmsg, fd, uaux,
				  MSG_DONTWAIT |
					  (storm_next(3) ? 0 : MSG_PEEK));
			/* Received descriptors join the pool or go. */
			break;
		}
		case 8:
			r = ksys2(NR_shutdown, fd, (int)storm_next(3));
			break;
		case 9:
			if (fd >= 0) {
				r = ksys1(NR_close, fd);
				for (int k = 0; k < nfds; k++) {
					if (fds[k] == fd) {
						fds[k] = fds[--nfds];
						break;
					}
				}
			}
			break;
		case 10:
			if (fd >= 0)
				(void)poll_of(fd);
			r = ksys3(NR_ioctl, fd, FIONREAD, uaux);
			break;
		default: {
			int v = (int)storm_next(4096), len = 64;

			ktest_put(uaux, &v, sizeof(v));
			ktest_put(uaux + 512, &len, sizeof(len));
			if (storm_next(2))
				r = ksys6(NR_setsockopt, fd, SOL_SOCKET,
					  storm_next(40), uaux, sizeof(v), 0);
			else
				r = ksys6(NR_getsockopt, fd, SOL_SOCKET,
					  storm_next(40), uaux, uaux + 512, 0);
			break;
		}
		}
		ck_assert_int_ne(r, -EKBLOCK);
		ck_assert(r >= -4095);
	}
}

START_TEST(nonblocking_storm)
{
	boot();
	for (uint64_t seed = 1; seed <= 40; seed++)
		storm(seed * 0x9e3779b97f4a7c15ULL, 400);
}
END_TEST

KTEST_SUITE(net_suite)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("unix");

	tcase_add_test(tc, socketpair_stream_bytes_merge);
	tcase_add_test(tc, socketpair_dgram_keeps_boundaries);
	tcase_add_test(tc, seqpacket_boundaries_and_eor);
	tcase_add_test(tc, peer_close_gives_eof_and_epipe);
	tcase_add_test(tc, shutdown_wr_is_eof_for_peer);
	tcase_add_test(tc, peek_fionread_and_poll);
	tcase_add_test(tc, errors_of_socket_calls);
	tcase_add_test(tc, fstat_says_socket);
	tcase_add_test(tc, path_bind_listen_connect_accept);
	tcase_add_test(tc, abstract_and_autobind);
	tcase_add_test(tc, scm_rights_passes_an_open_file);
	tcase_add_test(tc, peercred_and_options);
	suite_add_tcase(s, tc);
	tc = tcase_create("inet");
	tcase_add_test(tc, tcp_loopback_nonblocking);
	tcase_add_test(tc, tcp_refused_and_addr_errors);
	tcase_add_test(tc, udp_loopback_datagrams);
	tcase_add_test(tc, nonblocking_storm);
	suite_add_tcase(s, tc);
	return s;
}
