/*
 * netif.c: the network interfaces the guest sees. lo is lwIP's loopback
 * interface; each HAL NIC becomes an Ethernet interface ethN (ARP, IPv4
 * set up from the kernel command line's ip= word or by DHCP, an IPv6
 * link-local address). Frames go out through hal_net_send and come in
 * when the HAL calls kern_net_event. Also the interface table that the
 * ioctls, /proc/net and rtnetlink read and change (struct net_if).
 * Layer: net; relies on lwIP (netif, etharp, dhcp), hal.h and lwip_port.c.
 */
#include <hal.h>
#include <kern/klib.h>
#include <kern/net.h>
#include <kern/sched.h>
#include <uapi/errno.h>
#include <uapi/in.h>

#include "net_internal.h"

#if __has_include("lwip/init.h")
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#define NIC_MAX 4
/* One frame: the largest MTU a HAL may report plus the Ethernet header. */
#define FRAME_MAX (9000 + 14 + 4)

struct nic {
	struct netif nif;
	int nic;
	bool used;
	bool up;
	struct net_if_stats st;
};

static struct nic nics[NIC_MAX];
static uint8_t frame_buf[FRAME_MAX];
static uint32_t gw4; /* the default route's gateway (network order) */
static struct nic *gw_nic;

static struct nic *nic_of(struct netif *n)
{
	for (int i = 0; i < NIC_MAX; i++)
		if (nics[i].used && &nics[i].nif == n)
			return &nics[i];
	return NULL;
}

static err_t nic_linkoutput(struct netif *n, struct pbuf *p)
{
	struct nic *c = n->state;
	const void *data = p->payload;
	int r;

	if (p->tot_len > sizeof(frame_buf))
		return ERR_BUF;
	if (p->next) {
		pbuf_copy_partial(p, frame_buf, p->tot_len, 0);
		data = frame_buf;
	}
	r = hal_net_send(c->nic, data, p->tot_len);
	if (r < 0) {
		c->st.tx_dropped++;
		return r == -EAGAIN ? ERR_OK : ERR_IF;
	}
	c->st.tx_packets++;
	c->st.tx_bytes += p->tot_len;
	return ERR_OK;
}

static err_t nic_netif_init(struct netif *n)
{
	struct nic *c = n->state;
	unsigned mtu = 1500;

	n->name[0] = 'e';
	n->name[1] = 't';
	n->output = etharp_output;
	n->output_ip6 = ethip6_output;
	n->linkoutput = nic_linkoutput;
	n->hwaddr_len = ETH_HWADDR_LEN;
	if (hal_net_info(c->nic, n->hwaddr, &mtu) < 0)
		return ERR_IF;
	n->mtu = (u16_t)MIN(mtu, 9000u);
	n->mtu6 = n->mtu;
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		   NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

/* Reads one dotted quad into *out (network order); false if malformed. */
static bool parse_ip4(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0, part = 0;
	int dots = 0;
	bool digit = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			part = part * 10 + (uint32_t)(s[i] - '0');
			if (part > 255)
				return false;
			digit = true;
		} else if (s[i] == '.' && digit && dots < 3) {
			v = (v << 8) | part;
			part = 0;
			digit = false;
			dots++;
		} else {
			return false;
		}
	}
	if (dots != 3 || !digit)
		return false;
	*out = uapi_htonl((v << 8) | part);
	return true;
}

struct ip_conf {
	bool found, dhcp;
	uint32_t ip, gw, mask;
};

/*
 * The ip= word of the command line, Linux's nfsroot form:
 * ip=CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEVICE:AUTOCONF, or ip=dhcp.
 */
static void parse_ip_conf(const char *cmdline, struct ip_conf *c)
{
	const char *p = cmdline ? cmdline : "";

	memset(c, 0, sizeof(*c));
	while (*p) {
		const char *w, *f[7];
		size_t flen[7];
		int nf = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (p - w < 3 || memcmp(w, "ip=", 3) != 0)
			continue;
		c->found = true;
		w += 3;
		for (const char *q = w; nf < 7; q++) {
			if (q == p || *q == ':') {
				f[nf] = w;
				flen[nf++] = (size_t)(q - w);
				w = q + 1;
				if (q == p)
					break;
			}
		}
		if (nf == 1 && flen[0] == 4 && memcmp(f[0], "dhcp", 4) == 0) {
			c->dhcp = true;
			continue;
		}
		if (nf >= 7 && flen[6] == 4 && memcmp(f[6], "dhcp", 4) == 0)
			c->dhcp = true;
		if (nf >= 1)
			parse_ip4(f[0], flen[0], &c->ip);
		if (nf >= 3)
			parse_ip4(f[2], flen[2], &c->gw);
		if (nf >= 4 && !parse_ip4(f[3], flen[3], &c->mask))
			c->mask = 0;
		if (c->ip && !c->mask)
			c->mask = uapi_htonl(0xffffff00u);
	}
}

void net_init(const char *cmdline)
{
	struct ip_conf conf;
	int count = hal_net_count();

	lwip_port_init();
	parse_ip_conf(cmdline, &conf);
	for (int i = 0; i < count && i < NIC_MAX; i++) {
		struct nic *c = &nics[i];
		ip4_addr_t ip, mask, gw;

		c->used = true;
		c->nic = i;
		ip4_addr_set_zero(&ip);
		ip4_addr_set_zero(&mask);
		ip4_addr_set_zero(&gw);
		/* The command line configures the first NIC. */
		if (i == 0 && conf.ip && !conf.dhcp) {
			ip4_addr_set_u32(&ip, conf.ip);
			ip4_addr_set_u32(&mask, conf.mask);
		}
		if (!netif_add(&c->nif, &ip, &mask, &gw, c, nic_netif_init,
			       ethernet_input)) {
			pr_warn("net: cannot set up NIC %d", i);
			c->used = false;
			continue;
		}
		netif_create_ip6_linklocal_address(&c->nif, 1);
		netif_ip6_addr_set_state(&c->nif, 0, IP6_ADDR_PREFERRED);
		netif_set_up(&c->nif);
		c->up = true;
		if (i == 0) {
			netif_set_default(&c->nif);
			if (conf.gw && !conf.dhcp) {
				gw4 = conf.gw;
				gw_nic = c;
				ip4_addr_set_u32(&gw, conf.gw);
				netif_set_gw(&c->nif, &gw);
			}
			if (conf.dhcp && dhcp_start(&c->nif) != ERR_OK)
				pr_warn("net: cannot start DHCP on eth0");
		}
		pr_info("net: eth%d %02x:%02x:%02x:%02x:%02x:%02x mtu %u", i,
			c->nif.hwaddr[0], c->nif.hwaddr[1], c->nif.hwaddr[2],
			c->nif.hwaddr[3], c->nif.hwaddr[4], c->nif.hwaddr[5],
			c->nif.mtu);
	}
	lwip_port_kick();
}

void kern_net_event(int nic)
{
	struct nic *c = NULL;

	for (int i = 0; i < NIC_MAX; i++)
		if (nics[i].used && nics[i].nic == nic)
			c = &nics[i];
	/* Bounded: the HAL calls again while frames are still waiting. */
	for (int i = 0; i < 256; i++) {
		long n = hal_net_recv(nic, frame_buf, sizeof(frame_buf));
		struct pbuf *p;

		if (n == 0 || n == -ENODEV)
			break;
		if (!c)
			continue;
		if (n < 0) {
			c->st.rx_dropped++;
			continue;
		}
		if (!c->up) {
			c->st.rx_dropped++;
			continue;
		}
		p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
		if (!p) {
			c->st.rx_dropped++;
			continue;
		}
		pbuf_take(p, frame_buf, (u16_t)n);
		c->st.rx_packets++;
		c->st.rx_bytes += (uint64_t)n;
		lwip_port_busy = true;
		if (c->nif.input(p, &c->nif) != ERR_OK)
			pbuf_free(p);
		lwip_port_busy = false;
	}
	lwip_port_kick();
	/* The threads those frames woke run now, not at the next tick. */
	sched_run_pending();
}

/* ---- the interface table ---- */

static bool is_loop(const struct netif *n)
{
	return n->name[0] == 'l' && n->name[1] == 'o';
}

static void fill_if(struct netif *n, struct net_if *o)
{
	struct nic *c = nic_of(n);

	memset(o, 0, sizeof(*o));
	o->index = netif_get_index(n);
	if (is_loop(n)) {
		kstrlcpy(o->name, "lo", sizeof(o->name));
		o->type = NET_ARPHRD_LOOPBACK;
		o->flags = NET_IFF_LOOPBACK;
		o->mtu = 65536;
	} else {
		ksnprintf(o->name, sizeof(o->name), "eth%d", c ? c->nic : 0);
		o->type = NET_ARPHRD_ETHER;
		o->flags = NET_IFF_BROADCAST | NET_IFF_MULTICAST;
		o->mtu = n->mtu;
		memcpy(o->mac, n->hwaddr, 6);
		if (c)
			o->st = c->st;
	}
	if (netif_is_up(n))
		o->flags |= NET_IFF_UP | NET_IFF_RUNNING;
	o->ip4 = ip4_addr_get_u32(netif_ip4_addr(n));
	o->mask4 = ip4_addr_get_u32(netif_ip4_netmask(n));
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && o->n_ip6 < 3; i++) {
		if (!ip6_addr_isvalid(netif_ip6_addr_state(n, i)))
			continue;
		memcpy(o->ip6[o->n_ip6], netif_ip6_addr(n, i)->addr, 16);
		o->ip6_prefix[o->n_ip6] =
			ip6_addr_islinklocal(netif_ip6_addr(n, i)) ? 64 : 128;
		if (is_loop(n))
			o->ip6_prefix[o->n_ip6] = 128;
		o->n_ip6++;
	}
}

int net_if_list(struct net_if *out, int max)
{
	struct netif *n;
	int k = 0;

	lwip_port_init();
	/* lwIP keeps its list newest first; report by index, as Linux. */
	for (int idx = 1; idx < 256 && k < max; idx++) {
		NETIF_FOREACH(n)
		{
			if (netif_get_index(n) == idx && k < max)
				fill_if(n, &out[k++]);
		}
	}
	return k;
}

static struct netif *find_if(int index, const char *name)
{
	struct net_if tmp;
	struct netif *n;

	lwip_port_init();
	NETIF_FOREACH(n)
	{
		if (index > 0 && netif_get_index(n) == index)
			return n;
		if (name) {
			fill_if(n, &tmp);
			if (strcmp(tmp.name, name) == 0)
				return n;
		}
	}
	return NULL;
}

int net_if_get(int index, const char *name, struct net_if *out)
{
	struct netif *n = find_if(index, name);

	if (!n)
		return -ENODEV;
	fill_if(n, out);
	return 0;
}

int net_if_set_flags(int index, unsigned flags)
{
	struct netif *n = find_if(index, NULL);
	struct nic *c;

	if (!n)
		return -ENODEV;
	c = nic_of(n);
	if (flags & NET_IFF_UP)
		netif_set_up(n);
	else
		netif_set_down(n);
	if (c)
		c->up = netif_is_up(n);
	lwip_port_kick();
	return 0;
}

int net_if_set_ip4(int index, uint32_t ip, uint32_t mask)
{
	struct netif *n = find_if(index, NULL);
	ip4_addr_t a, m;

	if (!n)
		return -ENODEV;
	ip4_addr_set_u32(&a, ip);
	ip4_addr_set_u32(&m, mask);
	netif_set_addr(n, &a, &m, netif_ip4_gw(n));
	lwip_port_kick();
	return 0;
}

int net_route_get4(uint32_t *gw, int *ifindex)
{
	struct netif *d = netif_default;

	if (!d || ip4_addr_isany_val(*netif_ip4_gw(d)))
		return -ENOENT;
	*gw = ip4_addr_get_u32(netif_ip4_gw(d));
	*ifindex = netif_get_index(d);
	return 0;
}

int net_route_set4(uint32_t gw, int ifindex)
{
	struct netif *n = ifindex > 0 ? find_if(ifindex, NULL) : NULL;
	ip4_addr_t g;

	if (!n) {
		/* The interface whose subnet holds the gateway. */
		NETIF_FOREACH(n)
		{
			if (!is_loop(n) &&
			    ((ip4_addr_get_u32(netif_ip4_addr(n)) ^ gw) &
			     ip4_addr_get_u32(netif_ip4_netmask(n))) == 0)
				break;
		}
	}
	if (!n)
		return -ENETUNREACH;
	ip4_addr_set_u32(&g, gw);
	netif_set_gw(n, &g);
	netif_set_default(n);
	return 0;
}

bool net_addr_is_local4(uint32_t ip)
{
	struct netif *n;

	NETIF_FOREACH(n)
	{
		if (ip4_addr_get_u32(netif_ip4_addr(n)) == ip)
			return true;
	}
	return false;
}

bool net_addr_is_local6(const uint8_t *ip)
{
	struct netif *n;
	ip6_addr_t a;

	memset(&a, 0, sizeof(a));
	memcpy(a.addr, ip, 16);
	NETIF_FOREACH(n)
	{
		if (netif_get_ip6_addr_match(n, &a) >= 0)
			return true;
	}
	return false;
}

#else /* no lwIP: loopback-less core, NICs are drained and ignored */

void net_init(const char *cmdline)
{
	(void)cmdline;
}

void kern_net_event(int nic)
{
	static uint8_t buf[2048];

	for (int i = 0; i < 256; i++) {
		long n = hal_net_recv(nic, buf, sizeof(buf));

		if (n == 0 || (n < 0 && n != -EMSGSIZE))
			break;
	}
}

int net_if_list(struct net_if *out, int max)
{
	return 0;
}

int net_if_get(int index, const char *name, struct net_if *out)
{
	return -ENODEV;
}

int net_if_set_flags(int index, unsigned flags)
{
	return -ENODEV;
}

int net_if_set_ip4(int index, uint32_t ip, uint32_t mask)
{
	return -ENODEV;
}

int net_route_get4(uint32_t *gw, int *ifindex)
{
	return -ENOENT;
}

int net_route_set4(uint32_t gw, int ifindex)
{
	return -ENETUNREACH;
}

#endif
