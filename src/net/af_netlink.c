/*
 * af_netlink.c: AF_NETLINK sockets of protocol NETLINK_ROUTE (netlink(7),
 * rtnetlink(7)), SOCK_RAW or SOCK_DGRAM. A request sent to the kernel is
 * answered at once: the replies (dumps of links, addresses and routes,
 * acknowledgements and errors) queue on the socket as datagrams of at
 * most one page, read back with recvmsg. Changes go to netif.c's
 * interface table: addresses (RTM_NEWADDR/DELADDR), link up/down
 * (RTM_NEWLINK/SETLINK), the IPv4 default route (RTM_NEWROUTE).
 * Multicast groups (notifications) are not delivered.
 * Layer: net; relies on socket.c, netif.c.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/list.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/if.h>
#include <uapi/in.h>
#include <uapi/netlink.h>
#include <uapi/rtnetlink.h>

#include "net_internal.h"

/* One datagram of replies: NLMSG_GOODSIZE-like, fits a page. */
#define NL_DGRAM_MAX 4096
#define NL_IF_MAX 16

struct nl_dgram {
	struct list_head link;
	size_t len;
	char data[NL_DGRAM_MAX];
};

struct nl_sock {
	struct socket *sock;
	uint32_t portid; /* 0 until bound */
	uint32_t groups;
	struct list_head rxq; /* struct nl_dgram */
	size_t rx_bytes;
	bool cap_ack;
	struct list_head all_link;
	/* The request being answered. */
	uint32_t seq;
	struct nl_dgram *cur;
	bool oom;
};

static LIST_HEAD(nl_all);
static uint32_t nl_next_autobind = 0xfffff000u;

static struct nl_sock *nsk(struct socket *s)
{
	return s->priv;
}

static bool portid_used(uint32_t id)
{
	struct nl_sock *n;

	list_for_each_entry(n, &nl_all, all_link) {
		if (n->portid == id)
			return true;
	}
	return false;
}

/* Linux gives the first socket of a process its pid, later ones other
 * unique numbers. */
static void nl_autobind(struct nl_sock *n)
{
	uint32_t id;

	if (n->portid)
		return;
	id = current && current->task ? (uint32_t)current->task->pid : 0;
	while (id == 0 || portid_used(id))
		id = nl_next_autobind--;
	n->portid = id;
}

/* ---- building replies ---- */

static struct nlmsghdr *nl_begin(struct nl_sock *n, uint16_t type,
				 uint16_t flags, size_t body)
{
	struct nlmsghdr *h;
	size_t need = NLMSG_HDRLEN + NLMSG_ALIGN(body);

	if (n->oom)
		return NULL;
	/* Messages are never split: a new datagram when this one is full.
	 * Each message built here stays well under a page. */
	if (!n->cur || n->cur->len + need + 256 > NL_DGRAM_MAX) {
		struct nl_dgram *d = kmalloc(sizeof(*d));

		if (!d) {
			n->oom = true;
			return NULL;
		}
		d->len = 0;
		list_add_tail(&d->link, &n->rxq);
		n->cur = d;
	}
	h = (struct nlmsghdr *)(n->cur->data + n->cur->len);
	memset(h, 0, need);
	h->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + body);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = n->seq;
	h->nlmsg_pid = n->portid;
	return h;
}

static void *nl_body(struct nlmsghdr *h)
{
	return (char *)h + NLMSG_HDRLEN;
}

/* Appends an attribute to the message being built (the last one of the
 * current datagram). */
static void nl_attr(struct nl_sock *n, struct nlmsghdr *h, uint16_t type,
		    const void *data, size_t len)
{
	struct rtattr *a;
	size_t at, total = RTA_ALIGN(sizeof(*a) + len);

	if (!h)
		return;
	at = NLMSG_ALIGN(h->nlmsg_len);
	if ((char *)h + at + total > n->cur->data + NL_DGRAM_MAX)
		return;
	a = (struct rtattr *)((char *)h + at);
	memset(a, 0, total);
	a->rta_len = (uint16_t)(sizeof(*a) + len);
	a->rta_type = type;
	memcpy(a + 1, data, len);
	h->nlmsg_len = (uint32_t)(at + total);
}

static void nl_attr_u32(struct nl_sock *n, struct nlmsghdr *h, uint16_t type,
			uint32_t v)
{
	nl_attr(n, h, type, &v, sizeof(v));
}

/* Closes the message: the datagram's length grows by its aligned size. */
static void nl_end(struct nl_sock *n, struct nlmsghdr *h)
{
	if (!h)
		return;
	n->cur->len += NLMSG_ALIGN(h->nlmsg_len);
	n->rx_bytes += NLMSG_ALIGN(h->nlmsg_len);
}

static void nl_done(struct nl_sock *n)
{
	struct nlmsghdr *h = nl_begin(n, NLMSG_DONE, NLM_F_MULTI, 4);

	nl_end(n, h);
}

static void nl_error(struct nl_sock *n, const struct nlmsghdr *req, int err)
{
	/* Successes carry only the request's header (NLM_F_CAPPED); errors
	 * the whole request unless NETLINK_CAP_ACK. */
	bool full = err != 0 && !n->cap_ack;
	size_t extra = full ? req->nlmsg_len - sizeof(*req) : 0;
	struct nlmsghdr *h;
	struct nlmsgerr *e;

	if (extra > NL_DGRAM_MAX / 2)
		extra = 0, full = false;
	h = nl_begin(n, NLMSG_ERROR, full ? 0 : NLM_F_CAPPED,
		     sizeof(*e) + extra);
	if (!h)
		return;
	e = nl_body(h);
	e->error = err;
	memcpy(&e->msg, req, sizeof(*req));
	if (extra)
		memcpy(e + 1, req + 1, extra);
	nl_end(n, h);
}

/* ---- RTM_*LINK ---- */

static void put_link(struct nl_sock *n, const struct net_if *nif,
		     uint16_t flags)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct nlmsghdr *h =
		nl_begin(n, RTM_NEWLINK, flags, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi;
	uint8_t oper;

	if (!h)
		return;
	ifi = nl_body(h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = (uint16_t)nif->type;
	ifi->ifi_index = nif->index;
	ifi->ifi_flags = nif->flags;
	if (nif->flags & NET_IFF_RUNNING)
		ifi->ifi_flags |= IFF_LOWER_UP;
	nl_attr(n, h, IFLA_IFNAME, nif->name, strlen(nif->name) + 1);
	nl_attr_u32(n, h, IFLA_TXQLEN, 1000);
	if (nif->type == NET_ARPHRD_LOOPBACK)
		nl_attr(n, h, IFLA_QDISC, "noqueue", 8);
	else
		nl_attr(n, h, IFLA_QDISC, "pfifo_fast", 11);
	oper = nif->type == NET_ARPHRD_LOOPBACK ? IF_OPER_UNKNOWN :
	       (nif->flags & NET_IFF_UP)	? IF_OPER_UP :
						  IF_OPER_DOWN;
	nl_attr(n, h, IFLA_OPERSTATE, &oper, 1);
	nl_attr_u32(n, h, IFLA_MTU, nif->mtu);
	nl_attr(n, h, IFLA_ADDRESS, nif->mac, 6);
	nl_attr(n, h, IFLA_BROADCAST,
		nif->type == NET_ARPHRD_LOOPBACK ? nif->mac : bcast, 6);
	nl_end(n, h);
}

/* The interface a request names: ifi_index, else IFLA_IFNAME. */
static int find_req_if(const void *attrs, size_t alen, int index,
		       uint16_t name_type, struct net_if *out)
{
	const char *p = attrs;

	if (index > 0)
		return net_if_get(index, NULL, out);
	while (alen >= sizeof(struct rtattr)) {
		const struct rtattr *a = (const void *)p;
		char name[IFNAMSIZ];
		size_t dl;

		if (a->rta_len < sizeof(*a) || a->rta_len > alen)
			break;
		dl = a->rta_len - sizeof(*a);
		if (a->rta_type == name_type && dl > 0) {
			memset(name, 0, sizeof(name));
			memcpy(name, a + 1, MIN(dl, sizeof(name) - 1));
			return net_if_get(0, name, out);
		}
		p += RTA_ALIGN(a->rta_len);
		alen -= MIN(alen, (size_t)RTA_ALIGN(a->rta_len));
	}
	return -ENODEV;
}

static int rtm_link(struct nl_sock *n, const struct nlmsghdr *req)
{
	size_t blen = req->nlmsg_len - sizeof(*req);
	struct ifinfomsg ifi_buf = { 0 }, *ifi = &ifi_buf;
	struct net_if ifs[NL_IF_MAX];
	struct net_if nif;
	int cnt, err;

	/* A dump may carry only a struct rtgenmsg (its family byte). */
	memcpy(ifi, req + 1, MIN(blen, sizeof(*ifi)));
	if (req->nlmsg_type == RTM_GETLINK && (req->nlmsg_flags & NLM_F_DUMP)) {
		cnt = net_if_list(ifs, NL_IF_MAX);
		for (int i = 0; i < cnt; i++)
			put_link(n, &ifs[i], NLM_F_MULTI);
		nl_done(n);
		return 1;
	}
	if (blen < sizeof(*ifi))
		return -EINVAL;
	err = find_req_if((const char *)(req + 1) + sizeof(*ifi),
			  blen - sizeof(*ifi), ifi->ifi_index, IFLA_IFNAME,
			  &nif);
	if (err < 0)
		return err;
	if (req->nlmsg_type == RTM_GETLINK) {
		put_link(n, &nif, 0);
		return 1;
	}
	if (req->nlmsg_type == RTM_DELLINK)
		return -EOPNOTSUPP;
	/* RTM_NEWLINK / RTM_SETLINK on an existing link: flags only. */
	if (!sock_capable())
		return -EPERM;
	if (ifi->ifi_change & NET_IFF_UP ||
	    (ifi->ifi_change == 0 && ifi->ifi_flags))
		return net_if_set_flags(nif.index, ifi->ifi_flags);
	return 0;
}

/* ---- RTM_*ADDR ---- */

static int prefix_of(uint32_t mask)
{
	return __builtin_popcount(mask);
}

/* Addresses never expire: preferred and valid lifetimes "forever". */
static void put_cacheinfo(struct nl_sock *n, struct nlmsghdr *h)
{
	uint32_t ci[4] = { 0xffffffffu, 0xffffffffu, 0, 0 };

	nl_attr(n, h, IFA_CACHEINFO, ci, sizeof(ci));
}

static void put_addr4(struct nl_sock *n, const struct net_if *nif,
		      uint16_t flags)
{
	struct nlmsghdr *h =
		nl_begin(n, RTM_NEWADDR, flags, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa;

	if (!h)
		return;
	ifa = nl_body(h);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefix_of(nif->mask4);
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = (uapi_ntohl(nif->ip4) >> 24) == 127 ?
				 RT_SCOPE_HOST :
				 RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)nif->index;
	nl_attr_u32(n, h, IFA_ADDRESS, nif->ip4);
	nl_attr_u32(n, h, IFA_LOCAL, nif->ip4);
	if (nif->flags & NET_IFF_BROADCAST)
		nl_attr_u32(n, h, IFA_BROADCAST, nif->ip4 | ~nif->mask4);
	nl_attr(n, h, IFA_LABEL, nif->name, strlen(nif->name) + 1);
	put_cacheinfo(n, h);
	nl_end(n, h);
}

static void put_addr6(struct nl_sock *n, const struct net_if *nif, int i,
		      uint16_t flags)
{
	struct nlmsghdr *h =
		nl_begin(n, RTM_NEWADDR, flags, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa;
	const uint8_t *a = nif->ip6[i];

	if (!h)
		return;
	ifa = nl_body(h);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = nif->ip6_prefix[i];
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ?
				 RT_SCOPE_LINK :
			 nif->type == NET_ARPHRD_LOOPBACK ? RT_SCOPE_HOST :
							    RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)nif->index;
	nl_attr(n, h, IFA_ADDRESS, a, 16);
	put_cacheinfo(n, h);
	nl_end(n, h);
}

/* The first attribute of type t with exactly len bytes, or NULL. */
static const void *get_attr(const void *attrs, size_t alen, uint16_t t,
			    size_t len)
{
	const char *p = attrs;

	while (alen >= sizeof(struct rtattr)) {
		const struct rtattr *a = (const void *)p;

		if (a->rta_len < sizeof(*a) || a->rta_len > alen)
			break;
		if (a->rta_type == t && a->rta_len - sizeof(*a) == len)
			return a + 1;
		p += RTA_ALIGN(a->rta_len);
		alen -= MIN(alen, (size_t)RTA_ALIGN(a->rta_len));
	}
	return NULL;
}

static int rtm_addr(struct nl_sock *n, const struct nlmsghdr *req)
{
	size_t blen = req->nlmsg_len - sizeof(*req);
	struct ifaddrmsg ifa_buf = { 0 }, *ifa = &ifa_buf;
	const void *attrs = (const char *)(req + 1) + sizeof(*ifa);
	struct net_if ifs[NL_IF_MAX];
	struct net_if nif;
	const uint32_t *ip;
	uint32_t mask;
	int cnt, err;

	memcpy(ifa, req + 1, MIN(blen, sizeof(*ifa)));
	if (req->nlmsg_type == RTM_GETADDR) {
		if (!(req->nlmsg_flags & NLM_F_DUMP))
			return -EOPNOTSUPP;
		cnt = net_if_list(ifs, NL_IF_MAX);
		for (int i = 0; i < cnt; i++) {
			if (ifs[i].ip4 && (ifa->ifa_family == AF_UNSPEC ||
					   ifa->ifa_family == AF_INET))
				put_addr4(n, &ifs[i], NLM_F_MULTI);
		}
		for (int i = 0; i < cnt; i++) {
			if (ifa->ifa_family != AF_UNSPEC &&
			    ifa->ifa_family != AF_INET6)
				continue;
			for (int k = 0; k < ifs[i].n_ip6; k++)
				put_addr6(n, &ifs[i], k, NLM_F_MULTI);
		}
		nl_done(n);
		return 1;
	}
	if (blen < sizeof(*ifa))
		return -EINVAL;
	if (!sock_capable())
		return -EPERM;
	if (ifa->ifa_family != AF_INET)
		return -EOPNOTSUPP;
	err = net_if_get((int)ifa->ifa_index, NULL, &nif);
	if (err < 0)
		return err;
	if (ifa->ifa_prefixlen > 32)
		return -EINVAL;
	ip = get_attr(attrs, blen - sizeof(*ifa), IFA_LOCAL, 4);
	if (!ip)
		ip = get_attr(attrs, blen - sizeof(*ifa), IFA_ADDRESS, 4);
	if (!ip)
		return -EINVAL;
	mask = ifa->ifa_prefixlen ?
		       uapi_htonl(0xffffffffu << (32 - ifa->ifa_prefixlen)) :
		       0;
	if (req->nlmsg_type == RTM_DELADDR) {
		if (nif.ip4 != *ip)
			return -EADDRNOTAVAIL;
		return net_if_set_ip4(nif.index, 0, 0);
	}
	/* One IPv4 address per interface (lwIP's): a second replaces it. */
	if (nif.ip4 == *ip && (req->nlmsg_flags & NLM_F_EXCL))
		return -EEXIST;
	return net_if_set_ip4(nif.index, *ip, mask);
}

/* ---- RTM_*ROUTE ---- */

static void put_route4(struct nl_sock *n, uint32_t dst, int dst_len,
		       uint32_t gw, uint32_t prefsrc, int oif, bool kernel)
{
	struct nlmsghdr *h =
		nl_begin(n, RTM_NEWROUTE, NLM_F_MULTI, sizeof(struct rtmsg));
	struct rtmsg *r;

	if (!h)
		return;
	r = nl_body(h);
	r->rtm_family = AF_INET;
	r->rtm_dst_len = (uint8_t)dst_len;
	r->rtm_table = RT_TABLE_MAIN;
	r->rtm_protocol = kernel ? RTPROT_KERNEL : RTPROT_BOOT;
	r->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	r->rtm_type = RTN_UNICAST;
	nl_attr_u32(n, h, RTA_TABLE, RT_TABLE_MAIN);
	if (dst_len)
		nl_attr_u32(n, h, RTA_DST, dst);
	if (prefsrc)
		nl_attr_u32(n, h, RTA_PREFSRC, prefsrc);
	if (gw)
		nl_attr_u32(n, h, RTA_GATEWAY, gw);
	nl_attr_u32(n, h, RTA_OIF, (uint32_t)oif);
	nl_end(n, h);
}

static int rtm_route(struct nl_sock *n, const struct nlmsghdr *req)
{
	size_t blen = req->nlmsg_len - sizeof(*req);
	struct rtmsg rt_buf = { 0 }, *rt = &rt_buf;
	const void *attrs = (const char *)(req + 1) + sizeof(*rt);
	struct net_if ifs[NL_IF_MAX];
	const uint32_t *gw, *oif;
	uint32_t g;
	int cnt, gif;

	memcpy(rt, req + 1, MIN(blen, sizeof(*rt)));
	if (req->nlmsg_type == RTM_GETROUTE) {
		if (!(req->nlmsg_flags & NLM_F_DUMP))
			return -EOPNOTSUPP;
		if (rt->rtm_family != AF_UNSPEC && rt->rtm_family != AF_INET) {
			nl_done(n);
			return 1;
		}
		cnt = net_if_list(ifs, NL_IF_MAX);
		if (net_route_get4(&g, &gif) == 0)
			put_route4(n, 0, 0, g, 0, gif, false);
		for (int i = 0; i < cnt; i++) {
			if (!ifs[i].ip4 || ifs[i].type == NET_ARPHRD_LOOPBACK ||
			    !(ifs[i].flags & NET_IFF_UP))
				continue;
			put_route4(n, ifs[i].ip4 & ifs[i].mask4,
				   prefix_of(ifs[i].mask4), 0, ifs[i].ip4,
				   ifs[i].index, true);
		}
		nl_done(n);
		return 1;
	}
	if (blen < sizeof(*rt))
		return -EINVAL;
	if (!sock_capable())
		return -EPERM;
	if (rt->rtm_family != AF_INET || req->nlmsg_type != RTM_NEWROUTE)
		return -EOPNOTSUPP;
	/* Only the default route can be set (lwIP routes by subnet). */
	if (rt->rtm_dst_len != 0)
		return -EOPNOTSUPP;
	gw = get_attr(attrs, blen - sizeof(*rt), RTA_GATEWAY, 4);
	oif = get_attr(attrs, blen - sizeof(*rt), RTA_OIF, 4);
	if (!gw)
		return -EINVAL;
	return net_route_set4(*gw, oif ? (int)*oif : 0);
}

/* ---- the socket ---- */

static void nl_handle(struct nl_sock *n, const struct nlmsghdr *req)
{
	int r;

	n->seq = req->nlmsg_seq;
	n->cur = NULL; /* replies start a fresh datagram */
	if (!(req->nlmsg_flags & NLM_F_REQUEST))
		return;
	switch (req->nlmsg_type) {
	case NLMSG_NOOP:
	case NLMSG_DONE:
	case NLMSG_ERROR:
		return;
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_GETLINK:
	case RTM_SETLINK:
		r = rtm_link(n, req);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
	case RTM_GETADDR:
		r = rtm_addr(n, req);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
	case RTM_GETROUTE:
		r = rtm_route(n, req);
		break;
	default:
		r = -EOPNOTSUPP;
		break;
	}
	/* r > 0: answered with data (no acknowledgement for a dump). */
	if (r < 0 || (r == 0 && (req->nlmsg_flags & NLM_F_ACK)))
		nl_error(n, req, r);
}

static long nl_sendmsg(struct socket *s, struct sock_msg *m, int flags,
		       bool nonblock)
{
	struct nl_sock *n = nsk(s);
	const char *p = m->buf;
	size_t left = m->len;

	if (m->addr && m->addrlen) {
		const struct sockaddr_nl *sa = m->addr;

		if (m->addrlen < (int)sizeof(*sa) ||
		    sa->nl_family != AF_NETLINK)
			return -EINVAL;
		/* Only the kernel (port 0) answers here. */
		if (sa->nl_pid != 0)
			return -ECONNREFUSED;
	}
	nl_autobind(n);
	n->oom = false;
	while (left >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		struct nlmsghdr *req;

		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > left)
			break;
		/* An aligned copy: the user buffer need not be. */
		req = kmalloc(h.nlmsg_len);
		if (!req)
			return -ENOMEM;
		memcpy(req, p, h.nlmsg_len);
		nl_handle(n, req);
		kfree(req);
		p += NLMSG_ALIGN(h.nlmsg_len);
		left -= MIN(left, (size_t)NLMSG_ALIGN(h.nlmsg_len));
	}
	n->cur = NULL;
	if (!list_empty(&n->rxq))
		waitq_notify(&s->wq, 0);
	if (n->oom)
		return -ENOBUFS;
	return (long)m->len;
}

static long nl_recvmsg(struct socket *s, struct sock_msg *m, int flags,
		       bool nonblock)
{
	struct nl_sock *n = nsk(s);
	struct nl_dgram *d;
	size_t c;
	long r;

	if (list_empty(&n->rxq))
		return sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	d = list_first_entry(&n->rxq, struct nl_dgram, link);
	c = MIN(m->len, d->len);
	memcpy(m->buf, d->data, c);
	if (c < d->len)
		m->msg_flags |= MSG_TRUNC;
	if (m->addr) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

		memcpy(m->addr, &sa, sizeof(sa));
		m->addrlen = sizeof(sa);
	}
	r = (flags & MSG_TRUNC) ? (long)d->len : (long)c;
	if (!(flags & MSG_PEEK)) {
		list_del(&d->link);
		n->rx_bytes -= d->len;
		kfree(d);
	}
	return r;
}

static int nl_bind(struct socket *s, const void *addr, int len)
{
	struct nl_sock *n = nsk(s);
	const struct sockaddr_nl *sa = addr;

	if (len < (int)sizeof(*sa) || sa->nl_family != AF_NETLINK)
		return -EINVAL;
	if (sa->nl_pid) {
		if (n->portid && n->portid != sa->nl_pid)
			return -EINVAL;
		if (!n->portid && portid_used(sa->nl_pid))
			return -EADDRINUSE;
		n->portid = sa->nl_pid;
	} else {
		nl_autobind(n);
	}
	n->groups = sa->nl_groups;
	return 0;
}

static int nl_connect(struct socket *s, const void *addr, int len,
		      bool nonblock)
{
	const struct sockaddr_nl *sa = addr;

	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (sa->nl_family == AF_UNSPEC)
		return 0;
	if (len < (int)sizeof(*sa) || sa->nl_family != AF_NETLINK)
		return -EINVAL;
	if (sa->nl_pid != 0)
		return -ECONNREFUSED;
	nl_autobind(nsk(s));
	return 0;
}

static int nl_getname(struct socket *s, void *addr, bool peer)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (!peer)
		sa.nl_pid = nsk(s)->portid, sa.nl_groups = nsk(s)->groups;
	memcpy(addr, &sa, sizeof(sa));
	return sizeof(sa);
}

static unsigned nl_poll(struct socket *s)
{
	unsigned mask = SK_POLLOUT | SK_POLLWRNORM;

	if (!list_empty(&nsk(s)->rxq))
		mask |= SK_POLLIN | SK_POLLRDNORM;
	return mask;
}

static int nl_setsockopt(struct socket *s, int level, int name, const void *val,
			 int len)
{
	int v;

	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (len < (int)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case NETLINK_CAP_ACK:
		nsk(s)->cap_ack = v != 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int nl_getsockopt(struct socket *s, int level, int name, void *val,
			 int *len)
{
	int v;

	if (level != SOL_NETLINK || name != NETLINK_CAP_ACK)
		return -ENOPROTOOPT;
	v = nsk(s)->cap_ack;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static long nl_ioctl(struct socket *s, unsigned cmd, uaddr_t arg)
{
	struct nl_sock *n = nsk(s);
	int v = 0;

	if (cmd != SIOCINQ)
		return -ENOTTY;
	if (!list_empty(&n->rxq))
		v = (int)list_first_entry(&n->rxq, struct nl_dgram, link)->len;
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int nl_listen(struct socket *s, int backlog)
{
	return -EOPNOTSUPP;
}

static int nl_accept(struct socket *s, struct socket **out, bool nonblock)
{
	return -EOPNOTSUPP;
}

static int nl_shutdown(struct socket *s, int how)
{
	return 0;
}

static void nl_release(struct socket *s)
{
	struct nl_sock *n = nsk(s);

	while (!list_empty(&n->rxq)) {
		struct nl_dgram *d =
			list_first_entry(&n->rxq, struct nl_dgram, link);

		list_del(&d->link);
		kfree(d);
	}
	list_del(&n->all_link);
	kfree(n);
	s->priv = NULL;
}

static const struct proto_ops nl_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.listen = nl_listen,
	.accept = nl_accept,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.shutdown = nl_shutdown,
	.getname = nl_getname,
	.poll = nl_poll,
	.setsockopt = nl_setsockopt,
	.getsockopt = nl_getsockopt,
	.ioctl = nl_ioctl,
	.release = nl_release,
};

int netlink_create(struct socket *s, int protocol)
{
	struct nl_sock *n;

	if (s->type != SOCK_RAW && s->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->sock = s;
	list_init(&n->rxq);
	list_add_tail(&n->all_link, &nl_all);
	s->priv = n;
	s->ops = &nl_ops;
	return 0;
}
