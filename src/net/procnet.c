/*
 * procnet.c: the files of /proc/net in Linux's formats (proc(5)): dev
 * (interface counters), route (the IPv4 routing table), tcp, tcp6, udp,
 * udp6 (one line per lwIP pcb, with the owning socket's inode) and unix.
 * procfs.c lists the names and asks for a file's text.
 * Layer: net; relies on netif.c's interface table, lwIP's pcb lists and
 * the families' iteration helpers.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/net.h>
#include <stdarg.h>
#include <uapi/errno.h>
#include <uapi/in.h>

#include "net_internal.h"

#if __has_include("lwip/tcp.h")
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#define HAVE_LWIP 1
#endif

struct pn_buf {
	char *data;
	size_t len, cap;
	bool oom;
};

static void pn_printf(struct pn_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = kvsnprintf(b->data ? b->data + b->len : NULL,
			       b->data ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->data && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = MAX(b->cap * 2, b->len + (size_t)n + 256);
		char *d = kmalloc(cap);

		if (!d) {
			b->oom = true;
			return;
		}
		if (b->data) {
			memcpy(d, b->data, b->len);
			kfree(b->data);
		}
		b->data = d;
		b->cap = cap;
	}
}

/* Pads the line begun at start to width characters, then a newline, as
 * Linux's tcp and udp files do. */
static void pn_endline(struct pn_buf *b, size_t start, size_t width)
{
	size_t used = b->len - start;

	if (!b->oom && used < width)
		pn_printf(b, "%*s", (int)(width - used), "");
	pn_printf(b, "\n");
}

static void gen_dev(struct pn_buf *b)
{
	struct net_if ifs[16];
	int n = net_if_list(ifs, 16);

	pn_printf(b, "Inter-|   Receive                            "
		     "                    |  Transmit\n");
	pn_printf(b, " face |bytes    packets errs drop fifo frame "
		     "compressed multicast|bytes    packets errs drop fifo "
		     "colls carrier compressed\n");
	for (int i = 0; i < n; i++) {
		const struct net_if_stats *s = &ifs[i].st;

		pn_printf(b,
			  "%6s: %7llu %7llu %4u %4llu %4u %5u %10u %9u "
			  "%8llu %7llu %4u %4llu %4u %5u %7u %10u\n",
			  ifs[i].name, (unsigned long long)s->rx_bytes,
			  (unsigned long long)s->rx_packets, 0,
			  (unsigned long long)s->rx_dropped, 0, 0, 0, 0,
			  (unsigned long long)s->tx_bytes,
			  (unsigned long long)s->tx_packets, 0,
			  (unsigned long long)s->tx_dropped, 0, 0, 0, 0);
	}
}

/* RTF_UP | RTF_GATEWAY */
#define RTF_UP 0x1
#define RTF_GATEWAY 0x2

static void gen_route(struct pn_buf *b)
{
	struct net_if ifs[16];
	int n = net_if_list(ifs, 16), gw_if = 0;
	uint32_t gw = 0;

	pn_printf(b, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\t"
		     "Metric\tMask\t\tMTU\tWindow\tIRTT\t\t\n");
	if (net_route_get4(&gw, &gw_if) == 0) {
		for (int i = 0; i < n; i++) {
			if (ifs[i].index != gw_if)
				continue;
			pn_printf(
				b,
				"%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u\t\t\n",
				ifs[i].name, 0u, gw, RTF_UP | RTF_GATEWAY, 0,
				0u, 0, 0u, 0, 0u, 0u);
		}
	}
	/* The subnet routes of the interfaces (lo's lives in the local
	 * table on Linux and is not shown). */
	for (int i = 0; i < n; i++) {
		if (!ifs[i].ip4 || ifs[i].type == NET_ARPHRD_LOOPBACK ||
		    !(ifs[i].flags & NET_IFF_UP))
			continue;
		pn_printf(
			b,
			"%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u\t\t\n",
			ifs[i].name, ifs[i].ip4 & ifs[i].mask4, 0u, RTF_UP, 0,
			0u, 0, ifs[i].mask4, 0, 0u, 0u);
	}
}

struct pn_unix {
	struct pn_buf *b;
};

static void unix_line(void *ctx, const struct unix_info *ui)
{
	struct pn_buf *b = ctx;
	/* __SO_ACCEPTCON */
	unsigned flags = ui->listening ? 0x10000 : 0;
	/* SS_UNCONNECTED 1, SS_CONNECTED 3 */
	unsigned st = ui->connected ? 3 : 1;

	pn_printf(b, "0000000000000000: %08X %08X %08X %04X %02X %5llu",
		  ui->refcount, 0, flags, ui->type, st,
		  (unsigned long long)ui->ino);
	if (ui->path[0])
		pn_printf(b, " %s", ui->path);
	pn_printf(b, "\n");
}

static void gen_unix(struct pn_buf *b)
{
	pn_printf(b,
		  "Num       RefCount Protocol Flags    Type St Inode Path\n");
	unix_foreach(unix_line, b);
}

#ifdef HAVE_LWIP
/* Linux's TCP state numbers (include/net/tcp_states.h order). */
static unsigned linux_tcp_state(enum tcp_state s)
{
	switch (s) {
	case ESTABLISHED:
		return 1;
	case SYN_SENT:
		return 2;
	case SYN_RCVD:
		return 3;
	case FIN_WAIT_1:
		return 4;
	case FIN_WAIT_2:
		return 5;
	case TIME_WAIT:
		return 6;
	case CLOSE_WAIT:
		return 8;
	case LAST_ACK:
		return 9;
	case LISTEN:
		return 10;
	case CLOSING:
		return 11;
	default:
		return 7;
	}
}

/* Does a pcb of this address type belong in the v6 file? A dual-stack
 * (ANY) pcb is an AF_INET6 socket. */
static bool type_is_v6(u8_t t)
{
	return t == IPADDR_TYPE_V6 || t == IPADDR_TYPE_ANY;
}

static void pn_addr(struct pn_buf *b, const ip_addr_t *ip, u16_t port, bool v6)
{
	if (!v6) {
		pn_printf(b, "%08X:%04X",
			  IP_IS_V4(ip) ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0u,
			  port);
		return;
	}
	if (IP_IS_V6(ip)) {
		const u32_t *a = ip_2_ip6(ip)->addr;

		pn_printf(b, "%08X%08X%08X%08X:%04X", a[0], a[1], a[2], a[3],
			  port);
	} else {
		u32_t v4 = IP_IS_V4(ip) ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;

		/* An IPv4 peer of a dual-stack socket: ::ffff:a.b.c.d. */
		pn_printf(b, "%08X%08X%08X%08X:%04X", 0u, 0u,
			  v4 ? uapi_htonl(0xffffu) : 0u, v4, port);
	}
}

static void tcp_line(struct pn_buf *b, int *sl, struct tcp_pcb *p, bool v6)
{
	uint64_t ino = 0;
	uint32_t uid = 0, tx = 0, rx = 0;
	size_t start = b->len;

	if (type_is_v6(IP_GET_TYPE(&p->local_ip)) != v6)
		return;
	if (inet_sock_owner)
		inet_sock_owner(p->callback_arg, &ino, &uid);
	if (inet_sock_queues && p->state != LISTEN)
		inet_sock_queues(p->callback_arg, &tx, &rx);
	pn_printf(b, "%4d: ", (*sl)++);
	pn_addr(b, &p->local_ip, p->local_port, v6);
	pn_printf(b, " ");
	if (p->state == LISTEN) {
		ip_addr_t any;

		ip_addr_set_zero(&any);
		pn_addr(b, &any, 0, v6);
	} else {
		pn_addr(b, &p->remote_ip, p->remote_port, v6);
	}
	pn_printf(b, " %02X %08X:%08X 00:00000000 00000000 %5u %8d %llu",
		  linux_tcp_state(p->state), tx, rx, uid, 0,
		  (unsigned long long)ino);
	pn_printf(b, " 1 0000000000000000 100 0 0 10 0");
	pn_endline(b, start, v6 ? 0 : 149);
}

static void gen_tcp(struct pn_buf *b, bool v6)
{
	struct tcp_pcb *p;
	struct tcp_pcb_listen *l;
	int sl = 0;
	size_t start = b->len;

	if (v6)
		pn_printf(b, "  sl  local_address                         "
			     "remote_address                        st "
			     "tx_queue rx_queue tr tm->when retrnsmt   uid  "
			     "timeout inode\n");
	else {
		pn_printf(b, "  sl  local_address rem_address   st tx_queue "
			     "rx_queue tr tm->when retrnsmt   uid  timeout "
			     "inode");
		pn_endline(b, start, 149);
	}
	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		tcp_line(b, &sl, (struct tcp_pcb *)l, v6);
	for (p = tcp_active_pcbs; p; p = p->next)
		tcp_line(b, &sl, p, v6);
	for (p = tcp_tw_pcbs; p; p = p->next)
		tcp_line(b, &sl, p, v6);
}

static void gen_udp(struct pn_buf *b, bool v6)
{
	struct udp_pcb *p;
	int sl = 0;
	size_t start = b->len;

	if (v6)
		pn_printf(b, "  sl  local_address                         "
			     "remote_address                        st "
			     "tx_queue rx_queue tr tm->when retrnsmt   uid  "
			     "timeout inode ref pointer drops\n");
	else {
		pn_printf(b, "   sl  local_address rem_address   st tx_queue "
			     "rx_queue tr tm->when retrnsmt   uid  timeout "
			     "inode ref pointer drops");
		pn_endline(b, start, 127);
	}
	for (p = udp_pcbs; p; p = p->next) {
		uint64_t ino = 0;
		uint32_t uid = 0, tx = 0, rx = 0;
		bool conn = p->flags & UDP_FLAGS_CONNECTED;

		if (type_is_v6(IP_GET_TYPE(&p->local_ip)) != v6)
			continue;
		if (inet_sock_owner)
			inet_sock_owner(p->recv_arg, &ino, &uid);
		if (inet_sock_queues)
			inet_sock_queues(p->recv_arg, &tx, &rx);
		start = b->len;
		pn_printf(b, "%5d: ", sl++);
		pn_addr(b, &p->local_ip, p->local_port, v6);
		pn_printf(b, " ");
		if (conn) {
			pn_addr(b, &p->remote_ip, p->remote_port, v6);
		} else {
			ip_addr_t any;

			ip_addr_set_zero(&any);
			pn_addr(b, &any, 0, v6);
		}
		pn_printf(b,
			  " %02X %08X:%08X 00:00000000 00000000 %5u %8d %llu "
			  "2 0000000000000000 0",
			  conn ? 1 : 7, tx, rx, uid, 0,
			  (unsigned long long)ino);
		pn_endline(b, start, v6 ? 0 : 127);
	}
}
#else
static void gen_tcp(struct pn_buf *b, bool v6)
{
	pn_printf(b, "  sl  local_address rem_address   st tx_queue "
		     "rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
}

static void gen_udp(struct pn_buf *b, bool v6)
{
	pn_printf(b, "   sl  local_address rem_address   st tx_queue "
		     "rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
		     "pointer drops\n");
}
#endif

static const char *const names[] = { "dev", "route", "tcp", "tcp6",
				     "udp", "udp6",  "unix" };

const char *procnet_name(int i)
{
	return i >= 0 && i < (int)ARRAY_SIZE(names) ? names[i] : NULL;
}

int procnet_lookup(const char *name)
{
	for (int i = 0; i < (int)ARRAY_SIZE(names); i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -ENOENT;
}

char *procnet_generate(int i, size_t *len)
{
	struct pn_buf b = { 0 };

	switch (i) {
	case 0:
		gen_dev(&b);
		break;
	case 1:
		gen_route(&b);
		break;
	case 2:
	case 3:
		gen_tcp(&b, i == 3);
		break;
	case 4:
	case 5:
		gen_udp(&b, i == 5);
		break;
	case 6:
		gen_unix(&b);
		break;
	default:
		return NULL;
	}
	if (b.oom || !b.data) {
		kfree(b.data);
		return NULL;
	}
	*len = b.len;
	return b.data;
}
