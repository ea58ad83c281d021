/*
 * af_inet.c: AF_INET and AF_INET6 sockets (ip(7), ipv6(7), tcp(7),
 * udp(7)) over lwIP's raw callback API: TCP (listen/accept, blocking and
 * non-blocking connect, streams with a receive queue of pbufs) and UDP
 * (datagrams with their sender). lwIP calls back into this file while
 * lwip_port_kick delivers packets; the callbacks only queue data, change
 * state and wake wait queues.
 * Layer: net; relies on socket.c, lwip_port.c and lwIP's tcp/udp/pbuf.
 */
#if __has_include("lwip/tcp.h")
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/list.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/in.h>
#include <uapi/termios.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/raw.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "net_internal.h"

#define SIOCOUTQ 0x5411
#define UDP_MAX_PAYLOAD 65507

enum inet_state {
	IS_NEW,
	IS_LISTEN,
	IS_CONNECTING,
	IS_CONNECTED,
	IS_CLOSED, /* the connection ended (reset, error, or both FINs) */
};

struct inet_dgram {
	struct list_head link;
	struct pbuf *p;
	ip_addr_t addr;
	u16_t port;
};

struct inet_sock {
	struct socket *sock;
	struct tcp_pcb *tpcb;
	struct udp_pcb *upcb;
	struct raw_pcb *rpcb; /* SOCK_RAW */
	enum inet_state state;
	bool bound;
	bool connect_reported; /* the second connect after EINPROGRESS */
	bool rx_eof;
	bool shut_rd, shut_wr;
	bool nodelay;
	int keepidle, keepintvl, keepcnt;
	bool v6only;
	struct pbuf *rx; /* TCP: received bytes in order */
	size_t rx_len;
	struct list_head dgrams; /* UDP: struct inet_dgram */
	size_t dgram_bytes;
	struct list_head wake_link; /* on inet_wake_pending */
	struct list_head accq;	    /* listening: struct inet_sock.acc_link */
	struct list_head acc_link;
	int nacc, backlog;
	/* Addresses kept for getsockname/getpeername after the pcb goes. */
	ip_addr_t local_ip, remote_ip;
	u16_t local_port, remote_port;
};

static const struct proto_ops inet_stream_ops;
static const struct proto_ops inet_dgram_ops;

static struct inet_sock *isk(struct socket *s)
{
	return s->priv;
}

static LIST_HEAD(inet_wake_pending);

static void inet_wake(struct inet_sock *is)
{
	if (!is || !is->sock)
		return;
	if (lwip_port_busy) {
		if (list_empty(&is->wake_link))
			list_add_tail(&is->wake_link, &inet_wake_pending);
		return;
	}
	waitq_notify(&is->sock->wq, 0);
}

void inet_run_deferred_wakes(void)
{
	/* One at a time off the list: a woken call may release sockets
	 * (which unlink themselves) or defer more wake-ups. */
	while (!list_empty(&inet_wake_pending)) {
		struct inet_sock *is = list_first_entry(
			&inet_wake_pending, struct inet_sock, wake_link);

		list_del(&is->wake_link);
		if (is->sock)
			waitq_notify(&is->sock->wq, 0);
	}
}

static int err_to_errno(err_t e)
{
	switch (e) {
	case ERR_OK:
		return 0;
	case ERR_MEM:
		return ENOMEM;
	case ERR_BUF:
		return ENOBUFS;
	case ERR_TIMEOUT:
		return ETIMEDOUT;
	case ERR_RTE:
		return ENETUNREACH;
	case ERR_INPROGRESS:
		return EINPROGRESS;
	case ERR_VAL:
		return EINVAL;
	case ERR_WOULDBLOCK:
		return EAGAIN;
	case ERR_USE:
		return EADDRINUSE;
	case ERR_ALREADY:
		return EALREADY;
	case ERR_ISCONN:
		return EISCONN;
	case ERR_CONN:
		return ENOTCONN;
	case ERR_ABRT:
		return ECONNABORTED;
	case ERR_RST:
		return ECONNRESET;
	case ERR_CLSD:
		return ENOTCONN;
	default:
		return EIO;
	}
}

/* ---- addresses ---- */

/* AF_INET6 pcbs are dual-stack (IPv4 peers appear as ::ffff:a.b.c.d),
 * as Linux's are unless IPV6_V6ONLY. */
static u8_t inet_iptype(const struct socket *s)
{
	return s->family == AF_INET6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4;
}

static bool in6_is_v4mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/* A sockaddr of the socket's family into lwIP's form. */
static int addr_in(const struct socket *s, const void *addr, int len,
		   ip_addr_t *ip, u16_t *port)
{
	const struct sockaddr *sa = addr;

	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (s->family == AF_INET) {
		const struct sockaddr_in *sin = addr;

		if (len < (int)sizeof(*sin))
			return -EINVAL;
		if (sa->sa_family != AF_INET)
			return -EAFNOSUPPORT;
		ip_addr_set_ip4_u32(ip, sin->sin_addr.s_addr);
		IP_SET_TYPE(ip, IPADDR_TYPE_V4);
		*port = uapi_ntohs(sin->sin_port);
		return 0;
	}
	{
		const struct sockaddr_in6 *sin6 = addr;

		if (len < (int)sizeof(*sin6))
			return -EINVAL;
		if (sa->sa_family != AF_INET6)
			return -EAFNOSUPPORT;
		const struct inet_sock *is = s->priv;
		uint32_t v4;

		memset(ip, 0, sizeof(*ip));
		*port = uapi_ntohs(sin6->sin6_port);
		if (in6_is_v4mapped(sin6->sin6_addr.s6_addr)) {
			if (is->v6only)
				return -ENETUNREACH;
			memcpy(&v4, sin6->sin6_addr.s6_addr + 12, sizeof(v4));
			ip_addr_set_ip4_u32(ip, v4);
			IP_SET_TYPE(ip, IPADDR_TYPE_V4);
			return 0;
		}
		memcpy(ip_2_ip6(ip)->addr, sin6->sin6_addr.s6_addr, 16);
		IP_SET_TYPE(ip, IPADDR_TYPE_V6);
		/* The wildcard of a dual-stack socket takes IPv4 too. */
		if (ip6_addr_isany(ip_2_ip6(ip)) && !is->v6only)
			IP_SET_TYPE(ip, IPADDR_TYPE_ANY);
		return 0;
	}
}

static int addr_out(const struct socket *s, const ip_addr_t *ip, u16_t port,
		    void *addr)
{
	if (s->family == AF_INET) {
		struct sockaddr_in *sin = addr;

		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = uapi_htons(port);
		sin->sin_addr.s_addr =
			ip && IP_IS_V4(ip) ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;
		return sizeof(*sin);
	}
	{
		struct sockaddr_in6 *sin6 = addr;

		memset(sin6, 0, sizeof(*sin6));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = uapi_htons(port);
		if (ip && IP_IS_V6(ip)) {
			memcpy(sin6->sin6_addr.s6_addr, ip_2_ip6(ip)->addr, 16);
		} else if (ip && IP_IS_V4(ip)) {
			uint32_t v4 = ip4_addr_get_u32(ip_2_ip4(ip));

			sin6->sin6_addr.s6_addr[10] = 0xff;
			sin6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(sin6->sin6_addr.s6_addr + 12, &v4, sizeof(v4));
		}
		return sizeof(*sin6);
	}
}

/* Local addresses: the wildcard, the loopback, the interfaces'. */
static bool addr_is_local(const ip_addr_t *ip)
{
	if (IP_IS_V4(ip)) {
		u32_t a = uapi_ntohl(ip4_addr_get_u32(ip_2_ip4(ip)));

		return a == 0 || (a >> 24) == 127 ||
		       net_addr_is_local4(ip4_addr_get_u32(ip_2_ip4(ip)));
	}
	return ip6_addr_isany(ip_2_ip6(ip)) ||
	       ip6_addr_isloopback(ip_2_ip6(ip)) ||
	       net_addr_is_local6((const uint8_t *)ip_2_ip6(ip)->addr);
}

static void remember_addrs(struct inet_sock *is)
{
	if (is->tpcb) {
		ip_addr_copy(is->local_ip, is->tpcb->local_ip);
		is->local_port = is->tpcb->local_port;
		if (is->state == IS_CONNECTED || is->state == IS_CONNECTING) {
			ip_addr_copy(is->remote_ip, is->tpcb->remote_ip);
			is->remote_port = is->tpcb->remote_port;
		}
	} else if (is->upcb) {
		ip_addr_copy(is->local_ip, is->upcb->local_ip);
		is->local_port = is->upcb->local_port;
	} else if (is->rpcb) {
		ip_addr_copy(is->local_ip, is->rpcb->local_ip);
		is->local_port = 0;
	}
}

static int inet_getname(struct socket *s, void *addr, bool peer)
{
	struct inet_sock *is = isk(s);

	remember_addrs(is);
	if (peer) {
		if (s->type == SOCK_STREAM ?
			    is->state != IS_CONNECTED :
			    !(is->upcb &&
			      (is->upcb->flags & UDP_FLAGS_CONNECTED)))
			return -ENOTCONN;
		if (s->type != SOCK_STREAM)
			return addr_out(s, &is->upcb->remote_ip,
					is->upcb->remote_port, addr);
		return addr_out(s, &is->remote_ip, is->remote_port, addr);
	}
	return addr_out(s, &is->local_ip, is->local_port, addr);
}

static int inet_bind(struct socket *s, const void *addr, int len)
{
	struct inet_sock *is = isk(s);
	ip_addr_t ip;
	u16_t port;
	err_t e;
	int err;

	err = addr_in(s, addr, len, &ip, &port);
	if (err < 0)
		return err;
	if (!addr_is_local(&ip))
		return -EADDRNOTAVAIL;
	if (port && port < 1024 && !sock_capable())
		return -EACCES;
	if (is->bound || is->state != IS_NEW)
		return -EINVAL;
	if (is->tpcb) {
		if (s->reuseaddr)
			ip_set_option(is->tpcb, SOF_REUSEADDR);
		e = tcp_bind(is->tpcb, &ip, port);
	} else {
		if (s->reuseaddr)
			ip_set_option(is->upcb, SOF_REUSEADDR);
		e = udp_bind(is->upcb, &ip, port);
	}
	if (e != ERR_OK)
		return -err_to_errno(e);
	is->bound = true;
	remember_addrs(is);
	return 0;
}

/* ---- TCP callbacks ---- */

static void tcp_set_callbacks(struct inet_sock *is, struct tcp_pcb *pcb);

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
			 err_t err)
{
	struct inet_sock *is = arg;

	if (!is) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		is->rx_eof = true;
	} else {
		if (is->rx)
			pbuf_cat(is->rx, p);
		else
			is->rx = p;
		is->rx_len += p->tot_len;
	}
	inet_wake(is);
	return ERR_OK;
}

static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	inet_wake(arg);
	return ERR_OK;
}

/* The pcb is gone (lwIP freed it) with an error. */
static void tcp_err_cb(void *arg, err_t err)
{
	struct inet_sock *is = arg;

	if (!is)
		return;
	is->tpcb = NULL;
	if (is->state == IS_CONNECTING)
		is->sock->err = ECONNREFUSED;
	else if (err == ERR_RST || err == ERR_ABRT)
		is->sock->err = ECONNRESET;
	else
		is->sock->err = err_to_errno(err);
	is->state = IS_CLOSED;
	is->rx_eof = true;
	inet_wake(is);
}

static err_t tcp_connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *is = arg;

	if (!is)
		return ERR_OK;
	is->state = IS_CONNECTED;
	remember_addrs(is);
	inet_wake(is);
	return ERR_OK;
}

static struct inet_sock *inet_alloc(struct socket *s);

static err_t tcp_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct inet_sock *ls = arg, *is;
	struct socket *ns;

	if (!ls || err != ERR_OK || !newpcb)
		return ERR_VAL;
	if (ls->nacc > ls->backlog)
		return ERR_MEM; /* lwIP aborts it: the backlog is full */
	ns = sock_alloc(ls->sock->family, SOCK_STREAM, ls->sock->protocol);
	if (!ns)
		return ERR_MEM;
	is = inet_alloc(ns);
	if (!is) {
		kfree(ns);
		return ERR_MEM;
	}
	is->tpcb = newpcb;
	is->state = IS_CONNECTED;
	is->bound = true;
	ns->keepalive = ls->sock->keepalive;
	is->nodelay = ls->nodelay;
	if (is->nodelay)
		tcp_nagle_disable(newpcb);
	tcp_set_callbacks(is, newpcb);
	remember_addrs(is);
	list_add_tail(&is->acc_link, &ls->accq);
	ls->nacc++;
	inet_wake(ls);
	return ERR_OK;
}

static void tcp_set_callbacks(struct inet_sock *is, struct tcp_pcb *pcb)
{
	tcp_arg(pcb, is);
	tcp_recv(pcb, tcp_recv_cb);
	tcp_sent(pcb, tcp_sent_cb);
	tcp_err(pcb, tcp_err_cb);
}

static void tcp_detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);
		return;
	}
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

/* ---- TCP operations ---- */

static int inet_listen(struct socket *s, int backlog)
{
	struct inet_sock *is = isk(s);
	struct tcp_pcb *lpcb;
	err_t e;

	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if (is->state == IS_LISTEN) {
		is->backlog = backlog;
		return 0;
	}
	if (is->state != IS_NEW || !is->tpcb)
		return -EINVAL;
	if (!is->bound) {
		e = tcp_bind(is->tpcb,
			     s->family == AF_INET6 ?
				     (is->v6only ? IP6_ADDR_ANY : IP_ANY_TYPE) :
				     IP4_ADDR_ANY,
			     0);
		if (e != ERR_OK)
			return -err_to_errno(e);
		is->bound = true;
	}
	lpcb = tcp_listen_with_backlog(is->tpcb, 255);
	if (!lpcb)
		return -ENOMEM;
	is->tpcb = lpcb;
	is->state = IS_LISTEN;
	is->backlog = backlog;
	tcp_arg(lpcb, is);
	tcp_accept(lpcb, tcp_accept_cb);
	remember_addrs(is);
	return 0;
}

static int inet_accept(struct socket *s, struct socket **out, bool nonblock)
{
	struct inet_sock *is = isk(s), *ns;

	if (is->state != IS_LISTEN)
		return -EINVAL;
	if (list_empty(&is->accq))
		return (int)sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	ns = list_first_entry(&is->accq, struct inet_sock, acc_link);
	list_del(&ns->acc_link);
	is->nacc--;
	*out = ns->sock;
	return 0;
}

static int inet_stream_connect(struct socket *s, const void *addr, int len,
			       bool nonblock)
{
	struct inet_sock *is = isk(s);
	bool rerun = current && current->resumed;
	ip_addr_t ip;
	u16_t port;
	err_t e;
	int err;

	if (rerun && is->state == IS_CONNECTING)
		return (int)sock_wait(&s->wq, s->sndtimeo_ns, false);
	if (rerun && is->state == IS_CONNECTED)
		return 0;
	if (rerun && is->state == IS_CLOSED && s->err) {
		err = s->err;
		s->err = 0;
		return -err;
	}
	switch (is->state) {
	case IS_CONNECTING:
		return -EALREADY;
	case IS_CONNECTED:
		if (!is->connect_reported) {
			is->connect_reported = true;
			return 0;
		}
		return -EISCONN;
	case IS_LISTEN:
		return -EISCONN;
	case IS_CLOSED:
		if (s->err) {
			err = s->err;
			s->err = 0;
			return -err;
		}
		return -EISCONN;
	default:
		break;
	}
	err = addr_in(s, addr, len, &ip, &port);
	if (err < 0)
		return err;
	if (!is->tpcb)
		return -EINVAL;
	if (s->keepalive)
		ip_set_option(is->tpcb, SOF_KEEPALIVE);
	is->state = IS_CONNECTING;
	e = tcp_connect(is->tpcb, &ip, port, tcp_connected_cb);
	if (e != ERR_OK) {
		is->state = IS_NEW;
		return e == ERR_RTE ? -ENETUNREACH : -err_to_errno(e);
	}
	is->bound = true;
	remember_addrs(is);
	lwip_port_kick();
	if (nonblock) {
		is->connect_reported = false;
		return -EINPROGRESS;
	}
	is->connect_reported = true;
	if (is->state == IS_CONNECTED)
		return 0;
	if (is->state == IS_CLOSED) {
		err = s->err ? s->err : ECONNREFUSED;
		s->err = 0;
		return -err;
	}
	return (int)sock_wait(&s->wq, s->sndtimeo_ns, false);
}

static long inet_stream_sendmsg(struct socket *s, struct sock_msg *m, int flags,
				bool nonblock)
{
	struct inet_sock *is = isk(s);
	size_t done = 0, len = m->len;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (is->state == IS_CONNECTING)
		return sock_wait(&s->wq, s->sndtimeo_ns, nonblock);
	if (s->err) {
		err = s->err;
		s->err = 0;
		return -err;
	}
	if (is->state != IS_CONNECTED || is->shut_wr || !is->tpcb)
		return -EPIPE;
	if (len == 0)
		return 0;
	if (tcp_sndbuf(is->tpcb) == 0 ||
	    tcp_sndqueuelen(is->tpcb) >= TCP_SND_QUEUELEN)
		return sock_wait(&s->wq, s->sndtimeo_ns, nonblock);
	/* At most one segment per tcp_write: a larger write that needs
	 * more segments than the queue has left fails whole (ERR_MEM). */
	while (done < len) {
		u16_t n =
			(u16_t)MIN(len - done, MIN((size_t)tcp_sndbuf(is->tpcb),
						   (size_t)tcp_mss(is->tpcb)));
		err_t e;

		if (n == 0)
			break;
		e = tcp_write(
			is->tpcb, (char *)m->buf + done, n,
			TCP_WRITE_FLAG_COPY |
				((flags & MSG_MORE) ? TCP_WRITE_FLAG_MORE : 0));
		if (e != ERR_OK)
			break;
		done += n;
	}
	if (done == 0)
		return sock_wait(&s->wq, s->sndtimeo_ns, nonblock);
	tcp_output(is->tpcb);
	lwip_port_kick();
	return (long)done;
}

static void tcp_consumed(struct inet_sock *is, size_t n)
{
	is->rx = pbuf_free_header(is->rx, (u16_t)n);
	is->rx_len -= n;
	while (is->tpcb && n) {
		u16_t c = (u16_t)MIN(n, 0xffffU);

		tcp_recved(is->tpcb, c);
		n -= c;
	}
}

static long inet_stream_recvmsg(struct socket *s, struct sock_msg *m, int flags,
				bool nonblock)
{
	struct inet_sock *is = isk(s);
	size_t want = m->len, copied = 0;
	bool eof;
	int err;

	if (flags & MSG_OOB)
		return -EINVAL;
	if (m->addr)
		m->addrlen = 0;
	if (is->state == IS_LISTEN || is->state == IS_NEW)
		return -ENOTCONN;
	eof = is->rx_eof || is->shut_rd || is->state == IS_CLOSED;
	if (is->rx_len == 0) {
		if (s->err) {
			err = s->err;
			s->err = 0;
			return -err;
		}
		if (eof || want == 0)
			return 0;
		return sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	}
	/* MSG_WAITALL waits before taking anything (a re-run call cannot
	 * keep bytes taken); at most a window's worth can ever queue. */
	if ((flags & MSG_WAITALL) && !nonblock && !eof &&
	    is->rx_len < MIN(want, (size_t)TCP_WND))
		return sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	/* The queue never exceeds the TCP window (the window opens only as
	 * the reader takes bytes), so 16-bit pbuf lengths suffice. */
	copied = MIN(want, is->rx_len);
	pbuf_copy_partial(is->rx, m->buf, (u16_t)copied, 0);
	if (!(flags & MSG_PEEK)) {
		tcp_consumed(is, copied);
		lwip_port_kick();
	}
	return (long)copied;
}

static int inet_shutdown(struct socket *s, int how)
{
	struct inet_sock *is = isk(s);
	bool rd = how == SHUT_RD || how == SHUT_RDWR;
	bool wr = how == SHUT_WR || how == SHUT_RDWR;

	if (s->type == SOCK_STREAM) {
		if (is->state == IS_LISTEN) {
			inet_wake(is);
			return 0;
		}
		if (is->state != IS_CONNECTED && is->state != IS_CONNECTING)
			return -ENOTCONN;
		if (wr && !is->shut_wr && is->tpcb) {
			tcp_shutdown(is->tpcb, 0, 1);
			lwip_port_kick();
		}
	}
	is->shut_rd |= rd;
	is->shut_wr |= wr;
	inet_wake(is);
	return 0;
}

static unsigned inet_stream_poll(struct socket *s)
{
	struct inet_sock *is = isk(s);
	unsigned mask = 0;

	if (is->state == IS_LISTEN)
		return list_empty(&is->accq) ? 0 : SK_POLLIN | SK_POLLRDNORM;
	if (s->err)
		mask |= SK_POLLERR;
	if (is->state == IS_NEW || is->state == IS_CLOSED ||
	    (is->shut_wr && (is->rx_eof || is->shut_rd)))
		mask |= SK_POLLHUP;
	if (is->rx_eof || is->shut_rd || is->state == IS_CLOSED)
		mask |= SK_POLLIN | SK_POLLRDNORM | SK_POLLRDHUP;
	if (is->rx_len)
		mask |= SK_POLLIN | SK_POLLRDNORM;
	if (is->state != IS_CONNECTING &&
	    (is->shut_wr || is->state != IS_CONNECTED || !is->tpcb ||
	     tcp_sndbuf(is->tpcb) > 0))
		mask |= SK_POLLOUT | SK_POLLWRNORM;
	return mask;
}

/* ---- UDP ---- */

static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			const ip_addr_t *addr, u16_t port)
{
	struct inet_sock *is = arg;
	struct inet_dgram *d;

	if (!is || is->shut_rd ||
	    is->dgram_bytes + p->tot_len > (size_t)is->sock->rcvbuf) {
		pbuf_free(p);
		return;
	}
	d = kzalloc(sizeof(*d));
	if (!d) {
		pbuf_free(p);
		return;
	}
	d->p = p;
	ip_addr_copy(d->addr, *addr);
	d->port = port;
	list_add_tail(&d->link, &is->dgrams);
	is->dgram_bytes += p->tot_len;
	inet_wake(is);
}

static int inet_dgram_connect(struct socket *s, const void *addr, int len,
			      bool nonblock)
{
	struct inet_sock *is = isk(s);
	ip_addr_t ip;
	u16_t port;
	err_t e;
	int err;

	if (len >= (int)sizeof(sa_family_t) &&
	    ((const struct sockaddr *)addr)->sa_family == AF_UNSPEC) {
		udp_disconnect(is->upcb);
		return 0;
	}
	err = addr_in(s, addr, len, &ip, &port);
	if (err < 0)
		return err;
	e = udp_connect(is->upcb, &ip, port);
	if (e != ERR_OK)
		return -err_to_errno(e);
	is->bound = true;
	remember_addrs(is);
	return 0;
}

static long inet_dgram_sendmsg(struct socket *s, struct sock_msg *m, int flags,
			       bool nonblock)
{
	struct inet_sock *is = isk(s);
	struct pbuf *p;
	ip_addr_t ip;
	u16_t port;
	err_t e;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (is->shut_wr)
		return -EPIPE;
	if (m->len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (m->addr && m->addrlen) {
		err = addr_in(s, m->addr, m->addrlen, &ip, &port);
		if (err < 0)
			return err;
		if (port == 0)
			return -EINVAL;
	} else if (!(is->upcb->flags & UDP_FLAGS_CONNECTED)) {
		return -EDESTADDRREQ;
	}
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)m->len, PBUF_RAM);
	if (!p)
		return -ENOMEM;
	pbuf_take(p, m->buf, (u16_t)m->len);
	if (m->addr && m->addrlen)
		e = udp_sendto(is->upcb, p, &ip, port);
	else
		e = udp_send(is->upcb, p);
	pbuf_free(p);
	is->bound = true;
	remember_addrs(is);
	lwip_port_kick();
	if (e != ERR_OK)
		return -err_to_errno(e);
	return (long)m->len;
}

static long inet_dgram_recvmsg(struct socket *s, struct sock_msg *m, int flags,
			       bool nonblock)
{
	struct inet_sock *is = isk(s);
	struct inet_dgram *d;
	size_t n;
	long r;

	if (flags & MSG_OOB)
		return -EINVAL;
	if (list_empty(&is->dgrams)) {
		if (is->shut_rd)
			return 0;
		return sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	}
	d = list_first_entry(&is->dgrams, struct inet_dgram, link);
	n = MIN(m->len, (size_t)d->p->tot_len);
	pbuf_copy_partial(d->p, m->buf, (u16_t)n, 0);
	if (n < d->p->tot_len)
		m->msg_flags |= MSG_TRUNC;
	if (m->addr)
		m->addrlen = addr_out(s, &d->addr, d->port, m->addr);
	r = (flags & MSG_TRUNC) ? (long)d->p->tot_len : (long)n;
	if (!(flags & MSG_PEEK)) {
		list_del(&d->link);
		is->dgram_bytes -= d->p->tot_len;
		pbuf_free(d->p);
		kfree(d);
	}
	return r;
}

static unsigned inet_dgram_poll(struct socket *s)
{
	struct inet_sock *is = isk(s);
	unsigned mask = SK_POLLOUT | SK_POLLWRNORM | SK_POLLWRBAND;

	if (s->err)
		mask |= SK_POLLERR;
	if (!list_empty(&is->dgrams) || is->shut_rd)
		mask |= SK_POLLIN | SK_POLLRDNORM;
	if (is->shut_rd)
		mask |= SK_POLLRDHUP;
	if (is->shut_rd && is->shut_wr)
		mask |= SK_POLLHUP;
	return mask;
}

/* ---- shared ---- */

static long inet_ioctl(struct socket *s, unsigned cmd, uaddr_t arg)
{
	struct inet_sock *is = isk(s);
	int v = 0;

	switch (cmd) {
	case FIONREAD:
		if (is->state == IS_LISTEN)
			return -EINVAL;
		if (s->type == SOCK_STREAM)
			v = (int)MIN(is->rx_len, (size_t)0x7fffffff);
		else if (!list_empty(&is->dgrams))
			v = list_first_entry(&is->dgrams, struct inet_dgram,
					     link)
				    ->p->tot_len;
		break;
	case SIOCOUTQ:
		if (is->state == IS_LISTEN)
			return -EINVAL;
		if (s->type == SOCK_STREAM && is->tpcb)
			v = TCP_SND_BUF - tcp_sndbuf(is->tpcb);
		break;
	default:
		return -ENOTTY;
	}
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int inet_setsockopt(struct socket *s, int level, int name,
			   const void *val, int len)
{
	struct inet_sock *is = isk(s);
	int v;

	if (level == SOL_SOCKET)
		return -ENOPROTOOPT;
	if (len < (int)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	if (level == IPPROTO_TCP && s->type == SOCK_STREAM) {
		switch (name) {
		case TCP_NODELAY:
			is->nodelay = v != 0;
			if (is->tpcb && is->state != IS_LISTEN) {
				if (is->nodelay)
					tcp_nagle_disable(is->tpcb);
				else
					tcp_nagle_enable(is->tpcb);
			}
			return 0;
		case TCP_KEEPIDLE:
		case TCP_KEEPINTVL:
		case TCP_KEEPCNT:
			if (v < 1 || v > 32767)
				return -EINVAL;
			if (name == TCP_KEEPIDLE)
				is->keepidle = v;
			else if (name == TCP_KEEPINTVL)
				is->keepintvl = v;
			else
				is->keepcnt = v;
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level == IPPROTO_IPV6 && s->family == AF_INET6 &&
	    name == IPV6_V6ONLY) {
		is->v6only = v != 0;
		return 0;
	}
	return -ENOPROTOOPT;
}

static int inet_getsockopt(struct socket *s, int level, int name, void *val,
			   int *len)
{
	struct inet_sock *is = isk(s);
	int v;

	if (level == SOL_SOCKET) {
		if (name != SO_ACCEPTCONN)
			return -ENOPROTOOPT;
		v = is->state == IS_LISTEN;
	} else if (level == IPPROTO_TCP && s->type == SOCK_STREAM) {
		switch (name) {
		case TCP_NODELAY:
			v = is->nodelay;
			break;
		case TCP_MAXSEG:
			v = is->tpcb && is->state == IS_CONNECTED ?
				    tcp_mss(is->tpcb) :
				    536;
			break;
		case TCP_KEEPIDLE:
			v = is->keepidle ? is->keepidle : 7200;
			break;
		case TCP_KEEPINTVL:
			v = is->keepintvl ? is->keepintvl : 75;
			break;
		case TCP_KEEPCNT:
			v = is->keepcnt ? is->keepcnt : 9;
			break;
		default:
			return -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_IPV6 && s->family == AF_INET6 &&
		   name == IPV6_V6ONLY) {
		v = is->v6only;
	} else {
		return -ENOPROTOOPT;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static void inet_free_rx(struct inet_sock *is)
{
	if (is->rx)
		pbuf_free(is->rx);
	is->rx = NULL;
	is->rx_len = 0;
	while (!list_empty(&is->dgrams)) {
		struct inet_dgram *d =
			list_first_entry(&is->dgrams, struct inet_dgram, link);

		list_del(&d->link);
		pbuf_free(d->p);
		kfree(d);
	}
}

static void inet_release(struct socket *s)
{
	struct inet_sock *is = isk(s);

	/* Connections nobody accepted are reset. */
	while (!list_empty(&is->accq)) {
		struct inet_sock *c =
			list_first_entry(&is->accq, struct inet_sock, acc_link);

		list_del(&c->acc_link);
		if (c->tpcb) {
			tcp_detach(c->tpcb);
			tcp_abort(c->tpcb);
			c->tpcb = NULL;
		}
		sock_release(c->sock);
	}
	if (is->tpcb) {
		struct tcp_pcb *pcb = is->tpcb;

		is->tpcb = NULL;
		tcp_detach(pcb);
		/* Unread data makes the close a reset, as on Linux. */
		if (is->rx_len || (s->linger.l_onoff && !s->linger.l_linger))
			tcp_abort(pcb);
		else if (tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
	}
	if (is->upcb) {
		udp_remove(is->upcb);
		is->upcb = NULL;
	}
	if (is->rpcb) {
		raw_remove(is->rpcb);
		is->rpcb = NULL;
	}
	inet_free_rx(is);
	list_del(&is->wake_link);
	s->priv = NULL;
	kfree(is);
	lwip_port_kick();
}

static const struct proto_ops inet_stream_ops = {
	.bind = inet_bind,
	.connect = inet_stream_connect,
	.listen = inet_listen,
	.accept = inet_accept,
	.sendmsg = inet_stream_sendmsg,
	.recvmsg = inet_stream_recvmsg,
	.shutdown = inet_shutdown,
	.getname = inet_getname,
	.poll = inet_stream_poll,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.ioctl = inet_ioctl,
	.release = inet_release,
};

static int inet_dgram_listen(struct socket *s, int backlog)
{
	return -EOPNOTSUPP;
}

static int inet_dgram_accept(struct socket *s, struct socket **out,
			     bool nonblock)
{
	return -EOPNOTSUPP;
}

static const struct proto_ops inet_dgram_ops = {
	.bind = inet_bind,
	.connect = inet_dgram_connect,
	.listen = inet_dgram_listen,
	.accept = inet_dgram_accept,
	.sendmsg = inet_dgram_sendmsg,
	.recvmsg = inet_dgram_recvmsg,
	.shutdown = inet_shutdown,
	.getname = inet_getname,
	.poll = inet_dgram_poll,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.ioctl = inet_ioctl,
	.release = inet_release,
};

/* ---- SOCK_RAW (raw(7)): IPv4 datagrams of one protocol, received
 * with their IP header, sent without (lwIP builds it) ---- */

static u8_t raw_recv_cb(void *arg, struct raw_pcb *pcb, struct pbuf *p,
			const ip_addr_t *addr)
{
	struct inet_sock *is = arg;
	struct inet_dgram *d;
	struct pbuf *q;

	/* Every raw socket of the protocol gets a copy and lwIP goes on
	 * (ICMP still answers echo requests): never eat the packet. */
	if (!is || is->shut_rd ||
	    is->dgram_bytes + p->tot_len > (size_t)is->sock->rcvbuf)
		return 0;
	q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	if (!q)
		return 0;
	d = kzalloc(sizeof(*d));
	if (!d) {
		pbuf_free(q);
		return 0;
	}
	d->p = q;
	ip_addr_copy(d->addr, *addr);
	list_add_tail(&d->link, &is->dgrams);
	is->dgram_bytes += q->tot_len;
	inet_wake(is);
	return 0;
}

static int inet_raw_bind(struct socket *s, const void *addr, int len)
{
	struct inet_sock *is = isk(s);
	ip_addr_t ip;
	u16_t port;
	int err;

	err = addr_in(s, addr, len, &ip, &port);
	if (err < 0)
		return err;
	if (!addr_is_local(&ip))
		return -EADDRNOTAVAIL;
	if (raw_bind(is->rpcb, &ip) != ERR_OK)
		return -EINVAL;
	is->bound = true;
	return 0;
}

static int inet_raw_connect(struct socket *s, const void *addr, int len,
			    bool nonblock)
{
	struct inet_sock *is = isk(s);
	ip_addr_t ip;
	u16_t port;
	int err;

	if (len >= (int)sizeof(sa_family_t) &&
	    ((const struct sockaddr *)addr)->sa_family == AF_UNSPEC) {
		raw_disconnect(is->rpcb);
		return 0;
	}
	err = addr_in(s, addr, len, &ip, &port);
	if (err < 0)
		return err;
	if (raw_connect(is->rpcb, &ip) != ERR_OK)
		return -EINVAL;
	return 0;
}

static long inet_raw_sendmsg(struct socket *s, struct sock_msg *m, int flags,
			     bool nonblock)
{
	struct inet_sock *is = isk(s);
	struct pbuf *p;
	ip_addr_t ip;
	u16_t port;
	err_t e;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (is->shut_wr)
		return -EPIPE;
	if (m->len > 0xffff - 20)
		return -EMSGSIZE;
	if (m->addr && m->addrlen) {
		err = addr_in(s, m->addr, m->addrlen, &ip, &port);
		if (err < 0)
			return err;
	} else if (is->rpcb->flags & RAW_FLAGS_CONNECTED) {
		ip_addr_copy(ip, is->rpcb->remote_ip);
	} else {
		return -EDESTADDRREQ;
	}
	p = pbuf_alloc(PBUF_IP, (u16_t)m->len, PBUF_RAM);
	if (!p)
		return -ENOMEM;
	pbuf_take(p, m->buf, (u16_t)m->len);
	lwip_port_busy = true;
	e = raw_sendto(is->rpcb, p, &ip);
	lwip_port_busy = false;
	pbuf_free(p);
	lwip_port_kick();
	if (e != ERR_OK)
		return e == ERR_RTE ? -ENETUNREACH : -err_to_errno(e);
	return (long)m->len;
}

static const struct proto_ops inet_raw_ops = {
	.bind = inet_raw_bind,
	.connect = inet_raw_connect,
	.listen = inet_dgram_listen,
	.accept = inet_dgram_accept,
	.sendmsg = inet_raw_sendmsg,
	.recvmsg = inet_dgram_recvmsg,
	.shutdown = inet_shutdown,
	.getname = inet_getname,
	.poll = inet_dgram_poll,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.ioctl = inet_ioctl,
	.release = inet_release,
};

bool inet_sock_owner(void *arg, uint64_t *ino, uint32_t *uid)
{
	struct inet_sock *is = arg;

	if (!is || !is->sock || !is->sock->file)
		return false;
	*ino = is->sock->file->inode->ino;
	*uid = is->sock->file->inode->uid;
	return true;
}

void inet_sock_queues(void *arg, uint32_t *tx, uint32_t *rx)
{
	struct inet_sock *is = arg;

	*tx = 0;
	*rx = 0;
	if (!is)
		return;
	*rx = (uint32_t)(is->sock && is->sock->type == SOCK_STREAM ?
				 is->rx_len :
				 is->dgram_bytes);
	if (is->tpcb && is->state != IS_LISTEN)
		*tx = TCP_SND_BUF - tcp_sndbuf(is->tpcb);
}

static struct inet_sock *inet_alloc(struct socket *s)
{
	struct inet_sock *is = kzalloc(sizeof(*is));

	if (!is)
		return NULL;
	is->sock = s;
	list_init(&is->dgrams);
	list_init(&is->accq);
	list_init(&is->acc_link);
	list_init(&is->wake_link);
	s->priv = is;
	s->ops = s->type == SOCK_STREAM ? &inet_stream_ops :
		 s->type == SOCK_RAW	? &inet_raw_ops :
					  &inet_dgram_ops;
	return is;
}

int inet_create(struct socket *s, int protocol)
{
	struct inet_sock *is;

	if (s->type == SOCK_RAW) {
		/* IPv4 ICMP only: what ping needs (raw(7)). */
		if (protocol <= 0 || protocol > 255)
			return -EPROTONOSUPPORT;
		if (!sock_capable())
			return -EPERM;
		if (s->family != AF_INET || protocol != IPPROTO_ICMP)
			return -EPROTONOSUPPORT;
		lwip_port_init();
		is = inet_alloc(s);
		if (!is)
			return -ENOMEM;
		is->rpcb = raw_new_ip_type(IPADDR_TYPE_V4, (u8_t)protocol);
		if (!is->rpcb) {
			kfree(is);
			s->priv = NULL;
			return -ENOMEM;
		}
		raw_recv(is->rpcb, raw_recv_cb, is);
		return 0;
	}
	if (s->type != SOCK_STREAM && s->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 &&
	    protocol != (s->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
		return -EPROTONOSUPPORT;
	s->protocol = s->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	lwip_port_init();
	is = inet_alloc(s);
	if (!is)
		return -ENOMEM;
	if (s->type == SOCK_STREAM) {
		is->tpcb = tcp_new_ip_type(inet_iptype(s));
		if (is->tpcb)
			tcp_set_callbacks(is, is->tpcb);
	} else {
		is->upcb = udp_new_ip_type(inet_iptype(s));
		if (is->upcb)
			udp_recv(is->upcb, udp_recv_cb, is);
	}
	if (!is->tpcb && !is->upcb) {
		kfree(is);
		s->priv = NULL;
		return -ENOMEM;
	}
	return 0;
}

#endif
