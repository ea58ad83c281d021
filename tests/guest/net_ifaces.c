/*
 * Guest: what a program learns about the loopback interface, the same on
 * any Linux machine: netdevice(7) ioctls on "lo" (flags, index, name,
 * MTU, address, netmask, hardware type), SIOCGIFCONF, an unknown
 * interface; rtnetlink(7) dumps of links and addresses (lo, 127.0.0.1/8),
 * a link request by index, an error for a missing link, the port id of a
 * bound netlink socket; /proc/net/tcp, udp and unix lines for sockets of
 * our own (matched by inode), /proc/net/dev's lo line, and the
 * /proc/self/fd link of a socket.
 * GUEST_NEEDS: lwip
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest.h"

/* netlink(7) and rtnetlink(7), declared here: musl ships no <linux/>. */
struct sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	unsigned nl_pid, nl_groups;
};
struct nlmsghdr {
	unsigned nlmsg_len;
	unsigned short nlmsg_type, nlmsg_flags;
	unsigned nlmsg_seq, nlmsg_pid;
};
struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};
struct rtattr {
	unsigned short rta_len, rta_type;
};
struct ifinfomsg {
	unsigned char ifi_family, pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags, ifi_change;
};
struct ifaddrmsg {
	unsigned char ifa_family, ifa_prefixlen, ifa_flags, ifa_scope;
	unsigned ifa_index;
};
#ifndef AF_NETLINK
#define AF_NETLINK 16
#endif
#define NETLINK_ROUTE 0
#define NLM_F_REQUEST 1
#define NLM_F_MULTI 2
#define NLM_F_DUMP 0x300
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_GETADDR 22
#define IFLA_IFNAME 3
#define IFA_LOCAL 2
#define RT_SCOPE_HOST 254
#define NL_ALIGN(n) (((n) + 3u) & ~3u)
#define NLMSG_HDRLEN ((int)NL_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(n) ((n) + NLMSG_HDRLEN)
#define NLMSG_DATA(h) ((void *)((char *)(h) + NLMSG_HDRLEN))
#define NLMSG_OK(h, len)                                                       \
	((len) >= (int)sizeof(struct nlmsghdr) &&                              \
	 (h)->nlmsg_len >= sizeof(struct nlmsghdr) &&                          \
	 (int)(h)->nlmsg_len <= (len))
#define NLMSG_NEXT(h, len)                                                     \
	((len) -= NL_ALIGN((h)->nlmsg_len),                                    \
	 (struct nlmsghdr *)((char *)(h) + NL_ALIGN((h)->nlmsg_len)))
#define RTA_OK(a, len)                                                         \
	((len) >= (int)sizeof(struct rtattr) &&                                \
	 (a)->rta_len >= sizeof(struct rtattr) && (a)->rta_len <= (len))
#define RTA_NEXT(a, len)                                                       \
	((len) -= NL_ALIGN((a)->rta_len),                                      \
	 (struct rtattr *)((char *)(a) + NL_ALIGN((a)->rta_len)))
#define RTA_DATA(a) ((void *)((char *)(a) + NL_ALIGN(sizeof(struct rtattr))))
#define IFLA_RTA(m)                                                            \
	((struct rtattr *)((char *)(m) + NL_ALIGN(sizeof(struct ifinfomsg))))
#define IFLA_PAYLOAD(h)                                                        \
	((int)(h)->nlmsg_len -                                                 \
	 NLMSG_LENGTH((int)NL_ALIGN(sizeof(struct ifinfomsg))))
#define IFA_RTA(m)                                                             \
	((struct rtattr *)((char *)(m) + NL_ALIGN(sizeof(struct ifaddrmsg))))
#define IFA_PAYLOAD(h)                                                         \
	((int)(h)->nlmsg_len -                                                 \
	 NLMSG_LENGTH((int)NL_ALIGN(sizeof(struct ifaddrmsg))))

static void ifreq_lo(struct ifreq *r)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->ifr_name, "lo");
}

static void test_ioctls(void)
{
	struct ifreq r;
	struct ifconf ic;
	struct ifreq reqs[32];
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int found = 0;

	printf("-- netdevice ioctls on lo\n");
	ifreq_lo(&r);
	EXPECT_OK("SIOCGIFFLAGS lo", ioctl(s, SIOCGIFFLAGS, &r));
	printf("flags: up %d loopback %d running %d broadcast %d\n",
	       !!(r.ifr_flags & IFF_UP), !!(r.ifr_flags & IFF_LOOPBACK),
	       !!(r.ifr_flags & IFF_RUNNING), !!(r.ifr_flags & IFF_BROADCAST));
	ifreq_lo(&r);
	EXPECT_OK("SIOCGIFINDEX lo", ioctl(s, SIOCGIFINDEX, &r));
	printf("index: %d\n", r.ifr_ifindex);
	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = 1;
	EXPECT_OK("SIOCGIFNAME 1", ioctl(s, SIOCGIFNAME, &r));
	printf("name: %s\n", r.ifr_name);
	ifreq_lo(&r);
	EXPECT_OK("SIOCGIFMTU lo", ioctl(s, SIOCGIFMTU, &r));
	printf("mtu: %d\n", r.ifr_mtu);
	ifreq_lo(&r);
	EXPECT_OK("SIOCGIFADDR lo", ioctl(s, SIOCGIFADDR, &r));
	printf("addr: %s family %d\n",
	       inet_ntoa(((struct sockaddr_in *)&r.ifr_addr)->sin_addr),
	       r.ifr_addr.sa_family);
	ifreq_lo(&r);
	EXPECT_OK("SIOCGIFNETMASK lo", ioctl(s, SIOCGIFNETMASK, &r));
	printf("netmask: %s\n",
	       inet_ntoa(((struct sockaddr_in *)&r.ifr_netmask)->sin_addr));
	ifreq_lo(&r);
	EXPECT_OK("SIOCGIFHWADDR lo", ioctl(s, SIOCGIFHWADDR, &r));
	printf("hwtype: %d (ARPHRD_LOOPBACK %d) mac zero %d\n",
	       r.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK,
	       !memcmp(r.ifr_hwaddr.sa_data, "\0\0\0\0\0\0", 6));
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "nosuch0");
	EXPECT_ERR("SIOCGIFFLAGS nosuch0", ioctl(s, SIOCGIFFLAGS, &r), ENODEV);
	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = 100000;
	EXPECT_ERR("SIOCGIFNAME 100000", ioctl(s, SIOCGIFNAME, &r), ENODEV);

	ic.ifc_len = sizeof(reqs);
	ic.ifc_req = reqs;
	EXPECT_OK_QUIET("SIOCGIFCONF", ioctl(s, SIOCGIFCONF, &ic));
	CHECK("SIOCGIFCONF length is whole entries",
	      ic.ifc_len % (int)sizeof(struct ifreq) == 0);
	for (int i = 0; i < ic.ifc_len / (int)sizeof(struct ifreq); i++) {
		struct sockaddr_in *sin = (void *)&reqs[i].ifr_addr;

		if (!strcmp(reqs[i].ifr_name, "lo") &&
		    sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
			found = 1;
	}
	CHECK("SIOCGIFCONF lists lo 127.0.0.1", found);
	ic.ifc_len = 0;
	ic.ifc_req = NULL;
	EXPECT_OK_QUIET("SIOCGIFCONF size query", ioctl(s, SIOCGIFCONF, &ic));
	CHECK("size query gives a length",
	      ic.ifc_len >= (int)sizeof(struct ifreq));
	close(s);
}

static char nlbuf[65536];

/* Sends one request; returns the socket. */
static int nl_request(int type, int flags, const void *body, size_t blen,
		      unsigned seq)
{
	struct {
		struct nlmsghdr h;
		char body[64];
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(blen);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | flags;
	req.h.nlmsg_seq = seq;
	memcpy(req.body, body, blen);
	if (sendto(s, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		printf("sendto: %s\n", errname(errno));
	return s;
}

static void test_netlink(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);
	int s, done = 0, lo_link = 0, lo_addr = 0, bad_seq = 0, n;

	printf("-- rtnetlink\n");
	s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	EXPECT_OK("bind netlink", bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_OK("getsockname", getsockname(s, (struct sockaddr *)&sa, &sl));
	CHECK("port id is the pid", sa.nl_pid == (unsigned)getpid());
	printf("family %d len %d\n", sa.nl_family, (int)sl);
	close(s);

	s = nl_request(RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi), 42);
	while (!done && (n = recv(s, nlbuf, sizeof(nlbuf), 0)) > 0) {
		for (struct nlmsghdr *h = (void *)nlbuf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != 42)
				bad_seq = 1;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type != RTM_NEWLINK)
				continue;
			struct ifinfomsg *m = NLMSG_DATA(h);
			int alen = IFLA_PAYLOAD(h);
			for (struct rtattr *a = IFLA_RTA(m); RTA_OK(a, alen);
			     a = RTA_NEXT(a, alen)) {
				if (a->rta_type == IFLA_IFNAME &&
				    !strcmp(RTA_DATA(a), "lo") &&
				    m->ifi_index == 1 &&
				    m->ifi_type == ARPHRD_LOOPBACK &&
				    (m->ifi_flags & IFF_UP))
					lo_link = 1;
			}
		}
	}
	CHECK("RTM_GETLINK dump ends with NLMSG_DONE", done);
	CHECK("dump has lo (index 1, loopback, up)", lo_link);
	CHECK("every message carries the request's seq", !bad_seq);
	close(s);

	done = 0;
	s = nl_request(RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa), 43);
	while (!done && (n = recv(s, nlbuf, sizeof(nlbuf), 0)) > 0) {
		for (struct nlmsghdr *h = (void *)nlbuf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			struct ifaddrmsg *m = NLMSG_DATA(h);
			int alen = IFA_PAYLOAD(h);
			if (m->ifa_family != AF_INET)
				bad_seq = 2;
			for (struct rtattr *a = IFA_RTA(m); RTA_OK(a, alen);
			     a = RTA_NEXT(a, alen)) {
				if (a->rta_type == IFA_LOCAL &&
				    *(unsigned *)RTA_DATA(a) ==
					    htonl(INADDR_LOOPBACK) &&
				    m->ifa_prefixlen == 8 &&
				    m->ifa_index == 1 &&
				    m->ifa_scope == RT_SCOPE_HOST)
					lo_addr = 1;
			}
		}
	}
	CHECK("RTM_GETADDR dump ends with NLMSG_DONE", done);
	CHECK("dump has 127.0.0.1/8 scope host on lo", lo_addr);
	CHECK("AF_INET filter holds", bad_seq != 2);
	close(s);

	ifi.ifi_index = 1;
	s = nl_request(RTM_GETLINK, 0, &ifi, sizeof(ifi), 44);
	n = recv(s, nlbuf, sizeof(nlbuf), 0);
	{
		struct nlmsghdr *h = (void *)nlbuf;
		struct ifinfomsg *m = NLMSG_DATA(h);

		CHECK("RTM_GETLINK index 1 answers RTM_NEWLINK",
		      n > 0 && NLMSG_OK(h, n) && h->nlmsg_type == RTM_NEWLINK &&
			      m->ifi_index == 1 &&
			      !(h->nlmsg_flags & NLM_F_MULTI));
	}
	close(s);

	ifi.ifi_index = 100000;
	s = nl_request(RTM_GETLINK, 0, &ifi, sizeof(ifi), 45);
	n = recv(s, nlbuf, sizeof(nlbuf), 0);
	{
		struct nlmsghdr *h = (void *)nlbuf;
		struct nlmsgerr *e = NLMSG_DATA(h);

		if (n > 0 && h->nlmsg_type == NLMSG_ERROR)
			printf("missing link: NLMSG_ERROR %s seq %u\n",
			       errname(-e->error), e->msg.nlmsg_seq);
		else
			CHECK("missing link gives NLMSG_ERROR", 0);
	}
	close(s);
}

/* The /proc/net line with needle (and, when ino, that inode), or 0. */
static int proc_has(const char *file, const char *needle, unsigned long ino)
{
	FILE *f = fopen(file, "r");
	char line[512], inos[32];
	int hit = 0;

	if (!f)
		return 0;
	snprintf(inos, sizeof(inos), " %lu ", ino);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, needle) && (!ino || strstr(line, inos)))
			hit = 1;
	}
	fclose(f);
	return hit;
}

static void test_procnet(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	socklen_t al = sizeof(a);
	struct stat st;
	char needle[64], link[64], want[64], path[64];
	int t, d, x;
	ssize_t n;

	printf("-- /proc/net\n");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t = socket(AF_INET, SOCK_STREAM, 0);
	bind(t, (struct sockaddr *)&a, sizeof(a));
	listen(t, 1);
	getsockname(t, (struct sockaddr *)&a, &al);
	fstat(t, &st);
	snprintf(needle, sizeof(needle), "0100007F:%04X 00000000:0000 0A",
		 ntohs(a.sin_port));
	CHECK("tcp: listener on 127.0.0.1 with its inode",
	      proc_has("/proc/net/tcp", needle, st.st_ino));

	snprintf(path, sizeof(path), "/proc/self/fd/%d", t);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	CHECK("fd link is socket:[inode]", !strcmp(link, want));

	d = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	bind(d, (struct sockaddr *)&a, sizeof(a));
	al = sizeof(a);
	getsockname(d, (struct sockaddr *)&a, &al);
	fstat(d, &st);
	snprintf(needle, sizeof(needle), "0100007F:%04X 00000000:0000 07",
		 ntohs(a.sin_port));
	CHECK("udp: bound socket on 127.0.0.1 with its inode",
	      proc_has("/proc/net/udp", needle, st.st_ino));

	x = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(u.sun_path, sizeof(u.sun_path), "@ember-net-ifaces-%d",
		 getpid());
	u.sun_path[0] = 0;
	bind(x, (struct sockaddr *)&u,
	     offsetof(struct sockaddr_un, sun_path) + 1 +
		     strlen(u.sun_path + 1));
	listen(x, 1);
	fstat(x, &st);
	snprintf(needle, sizeof(needle), " @ember-net-ifaces-%d", getpid());
	CHECK("unix: abstract listener with its inode",
	      proc_has("/proc/net/unix", needle, st.st_ino));
	CHECK("dev: has lo", proc_has("/proc/net/dev", "    lo:", 0));
	CHECK("route: header",
	      proc_has("/proc/net/route", "Iface\tDestination\tGateway", 0));
	close(t);
	close(d);
	close(x);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_ioctls();
	test_netlink();
	test_procnet();
	return guest_exit();
}
