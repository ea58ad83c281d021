/*
 * net_internal.h: what the files of src/net share: struct socket, the
 * per-family operations, a kernel-space message, and helpers of the
 * generic socket layer (socket.c) for blocking and credentials.
 */
#ifndef NET_INTERNAL_H
#define NET_INTERNAL_H

#include <kern/net.h>
#include <kern/sched.h>
#include <kern/types.h>
#include <uapi/socket.h>

struct socket;
struct file;

/* poll(2) bits a socket reports (Linux values). */
#define SK_POLLIN 0x001
#define SK_POLLPRI 0x002
#define SK_POLLOUT 0x004
#define SK_POLLERR 0x008
#define SK_POLLHUP 0x010
#define SK_POLLRDNORM 0x040
#define SK_POLLWRNORM 0x100
#define SK_POLLWRBAND 0x200
#define SK_POLLRDHUP 0x2000

/* shutdown state bits, as Linux's sk_shutdown. */
#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* Default and limits of SO_SNDBUF/SO_RCVBUF (Linux's wmem/rmem values). */
#define SK_BUF_DEFAULT 212992
#define SK_BUF_MAX 212992
#define SK_SNDBUF_MIN 4608
#define SK_RCVBUF_MIN 2304

/* One send or receive with kernel buffers. */
struct sock_msg {
	void *buf;
	size_t len;
	/* send: destination or NULL; recv: a buffer of
	 * sizeof(struct sockaddr_storage) filled with *addrlen bytes. */
	void *addr;
	int addrlen;
	/* send: the control messages; recv: buffer of ctl_len bytes, of
	 * which ctl_used are filled. */
	void *ctl;
	size_t ctl_len;
	size_t ctl_used;
	int msg_flags; /* recv: MSG_TRUNC, MSG_CTRUNC, MSG_EOR */
	bool cloexec;  /* MSG_CMSG_CLOEXEC */
};

struct proto_ops {
	int (*bind)(struct socket *s, const void *addr, int len);
	int (*connect)(struct socket *s, const void *addr, int len,
		       bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* *out: a connected socket without a file yet. */
	int (*accept)(struct socket *s, struct socket **out, bool nonblock);
	/* Bytes sent (maybe fewer than m->len on a stream) or -errno
	 * (-EPIPE: the caller raises SIGPIPE). May block (sched.h). */
	long (*sendmsg)(struct socket *s, struct sock_msg *m, int flags,
			bool nonblock);
	/* Bytes received (the full datagram length with MSG_TRUNC). */
	long (*recvmsg)(struct socket *s, struct sock_msg *m, int flags,
			bool nonblock);
	int (*shutdown)(struct socket *s, int how);
	/* Fills addr (sockaddr_storage); returns its length or -errno. */
	int (*getname)(struct socket *s, void *addr, bool peer);
	unsigned (*poll)(struct socket *s);
	/* Options the generic layer does not handle (-ENOPROTOOPT). */
	int (*setsockopt)(struct socket *s, int level, int name,
			  const void *val, int len);
	int (*getsockopt)(struct socket *s, int level, int name, void *val,
			  int *len);
	long (*ioctl)(struct socket *s, unsigned cmd, uaddr_t arg);
	/* Connects two fresh sockets (socketpair). */
	int (*pair)(struct socket *a, struct socket *b);
	void (*release)(struct socket *s);
};

struct socket {
	int family, type, protocol;
	const struct proto_ops *ops;
	struct file *file; /* not referenced; NULL for an embryo */
	struct waitq wq;   /* every change of readiness wakes it */
	void *priv;
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0: none */
	int rcvbuf, sndbuf;
	int rcvlowat;
	int priority;
	bool reuseaddr, reuseport, keepalive, broadcast, passcred, oobinline;
	bool dontroute, debug;
	struct linger linger;
	int err; /* pending SO_ERROR (positive errno) */
};

/* ---- socket.c ---- */
/* A bare socket with the default options and no family state (the
 * family fills ops and priv), or NULL. */
struct socket *sock_alloc(int family, int type, int protocol);
/* A new socket of family/type (without flags) with the family's state,
 * or ERR_PTR(-EAFNOSUPPORT/-ESOCKTNOSUPPORT/-EPROTONOSUPPORT/-ENOMEM). */
struct socket *sock_create(int family, int type, int protocol);
/* Frees a socket that has no file (embryos, failed creations). */
void sock_release(struct socket *s);
/* A file for s (s->file set); ERR_PTR on failure, s untouched. */
struct file *sock_attach_file(struct socket *s, unsigned flags);
/* The socket behind fd of current: referenced file in *fp, or NULL with
 * *err set (-EBADF, -ENOTSOCK). */
struct socket *sock_from_fd(int fd, struct file **fp, long *err);
/* Waits on wq (sched.h protocol) for a socket operation: -EAGAIN when
 * nonblock or the timeout passed, -ERESTARTSYS/-EINTR on a signal. */
long sock_wait(struct waitq *wq, uint64_t timeo_ns, bool nonblock);
/* Sends/receives with the generic checks (SIGPIPE on -EPIPE). */
long sock_sendmsg(struct socket *s, struct sock_msg *m, int flags,
		  bool nonblock);
long sock_recvmsg(struct socket *s, struct sock_msg *m, int flags,
		  bool nonblock);
/* Current has root's privileges (euid 0). */
bool sock_capable(void);
/* The credentials of current as SO_PEERCRED reports them. */
struct ucred sock_current_cred(void);
/* Appends one control message to a receive; false (and MSG_CTRUNC) when
 * it does not fit. */
bool sock_put_cmsg(struct sock_msg *m, int level, int type, const void *data,
		   size_t len);

/* ---- families ---- */
int unix_create(struct socket *s, int protocol);
/* AF_INET/AF_INET6 over lwIP (af_inet.c); absent (weak NULL) when the
 * core is built without lwIP. */
int inet_create(struct socket *s, int protocol) __attribute__((weak));

/* ---- lwIP glue (lwip_port.c) ---- */
/* Starts lwIP once (loopback interface up). */
void lwip_port_init(void);
/* Delivers the packets queued on the loopback interface (and the ones
 * their processing sends) and re-arms lwIP's timer; call after every
 * lwIP operation that may send. Never from inside an lwIP callback. */
void lwip_port_kick(void);
/* True while lwIP runs its input or timers: a wake-up then would run the
 * woken syscall nested inside lwIP (sched_wake runs it at once), so the
 * callbacks defer their wake-ups until lwIP has returned. */
extern bool lwip_port_busy;
/* Runs the wake-ups deferred while lwip_port_busy (af_inet.c). */
void inet_run_deferred_wakes(void);

#endif
