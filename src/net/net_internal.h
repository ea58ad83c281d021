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
	/* send: where buf starts in the caller's whole message (a stream
	 * sent in pieces); 0 otherwise. */
	size_t base;
	bool cloexec; /* MSG_CMSG_CLOEXEC */
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
/* AF_NETLINK, NETLINK_ROUTE only (af_netlink.c). */
int netlink_create(struct socket *s, int protocol);
/* What /proc/net/unix shows of one AF_UNIX socket. */
struct unix_info {
	int refcount, type;
	bool listening, connected;
	uint64_t ino;
	char path[UNIX_PATH_MAX + 2];
};
/* Calls fn for every open AF_UNIX socket, oldest first. */
void unix_foreach(void (*fn)(void *ctx, const struct unix_info *ui), void *ctx);
/* The inode number and owner of the socket behind an lwIP pcb's
 * callback argument (af_inet.c); false when it has no file. */
bool inet_sock_owner(void *arg, uint64_t *ino, uint32_t *uid)
	__attribute__((weak));
/* Bytes queued to send and received but unread, for /proc/net. */
void inet_sock_queues(void *arg, uint32_t *tx, uint32_t *rx)
	__attribute__((weak));
/* AF_INET/AF_INET6 over lwIP (af_inet.c); absent (weak NULL) when the
 * core is built without lwIP. */
int inet_create(struct socket *s, int protocol) __attribute__((weak));

/* ---- interfaces (netif.c) ---- */
/* Linux's interface flags and hardware types (netdevice(7)). */
#define NET_IFF_UP 0x1
#define NET_IFF_BROADCAST 0x2
#define NET_IFF_LOOPBACK 0x8
#define NET_IFF_RUNNING 0x40
#define NET_IFF_MULTICAST 0x1000
#define NET_ARPHRD_ETHER 1
#define NET_ARPHRD_LOOPBACK 772

struct net_if_stats {
	uint64_t rx_bytes, rx_packets, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_dropped;
};

/* A snapshot of one interface. Addresses in network byte order. */
struct net_if {
	int index; /* 1.., lo is 1 */
	char name[16];
	unsigned flags; /* NET_IFF_* */
	unsigned mtu;
	int type; /* NET_ARPHRD_* */
	uint8_t mac[6];
	uint32_t ip4, mask4; /* 0: none */
	int n_ip6;
	uint8_t ip6[3][16];
	uint8_t ip6_prefix[3];
	struct net_if_stats st;
};

/* Fills out[0..max) by increasing index; returns the count. */
int net_if_list(struct net_if *out, int max);
/* The interface with that index (when index > 0) or name: 0 or -ENODEV. */
int net_if_get(int index, const char *name, struct net_if *out);
/* Sets the interface up or down (NET_IFF_UP in flags). 0 or -ENODEV. */
int net_if_set_flags(int index, unsigned flags);
/* Replaces the interface's IPv4 address and netmask. 0 or -ENODEV. */
int net_if_set_ip4(int index, uint32_t ip, uint32_t mask);
/* The IPv4 default route: its gateway and interface, or -ENOENT. */
int net_route_get4(uint32_t *gw, int *ifindex);
/* Sets the IPv4 default route via gw (on ifindex, or the interface whose
 * subnet holds gw when ifindex is 0): 0 or -ENETUNREACH. */
int net_route_set4(uint32_t gw, int ifindex);
/* Is ip (network order / 16 bytes) an address of some interface? */
bool net_addr_is_local4(uint32_t ip);
bool net_addr_is_local6(const uint8_t *ip);

/* ---- dev_ioctl.c ---- */
/* Is cmd a netdevice(7) request (SIOCGIF*, SIOCSIF*, routes)? */
bool net_is_dev_ioctl(unsigned cmd);
/* Runs one: 0 or -errno (-ENODEV for an unknown interface). */
long net_dev_ioctl(unsigned cmd, uaddr_t arg);

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
