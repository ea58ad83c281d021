/*
 * test_netlink.c: rtnetlink sockets and the netdevice ioctls on the
 * loopback interface, through the socket syscalls (layer: unit tests of
 * src/net/af_netlink.c and dev_ioctl.c; the test HAL has no NIC, so lo
 * is the only interface). Expected values come from netlink(7),
 * rtnetlink(7) and netdevice(7).
 */
#include <string.h>

#include <kern/proc.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/if.h>
#include <uapi/in.h>
#include <uapi/netlink.h>
#include <uapi/rtnetlink.h>
#include <uapi/socket.h>

#include "ktest.h"

#define NR_close 3
#define NR_ioctl 16
#define NR_socket 41
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_bind 49
#define NR_getsockname 51

#define UBUF_LEN (64 * 1024)

static uint64_t ubuf, uaux;
static char kbuf[8192];

static void boot(void)
{
	ktest_boot();
	ubuf = ktest_umap(UBUF_LEN, VM_READ | VM_WRITE);
	uaux = ktest_umap(UBUF_LEN, VM_READ | VM_WRITE);
}

/* Sends one request with body (blen bytes); returns sendto's result. */
static long nl_send(int fd, uint16_t type, uint16_t flags, const void *body,
		    size_t blen, uint32_t seq)
{
	struct nlmsghdr h = {
		.nlmsg_len = (uint32_t)(sizeof(h) + blen),
		.nlmsg_type = type,
		.nlmsg_flags = NLM_F_REQUEST | flags,
		.nlmsg_seq = seq,
	};

	ktest_put(ubuf, &h, sizeof(h));
	ktest_put(ubuf + sizeof(h), body, blen);
	return ksys6(NR_sendto, fd, ubuf, h.nlmsg_len, 0, 0, 0);
}

static long nl_recv(int fd)
{
	long n = ksys6(NR_recvfrom, fd, ubuf, sizeof(kbuf), 0x40 /* DONTWAIT */,
		       0, 0);

	if (n > 0)
		ktest_get(kbuf, ubuf, (size_t)n);
	return n;
}

START_TEST(getlink_dump_lists_lo_then_done)
{
	uint8_t gen = AF_UNSPEC; /* a struct rtgenmsg, as ip(8) sends */
	struct nlmsghdr *h = (void *)kbuf;
	struct ifinfomsg *ifi = (void *)(kbuf + NLMSG_HDRLEN);
	int fd;
	long n;

	boot();
	fd = (int)ksys3(NR_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(nl_send(fd, RTM_GETLINK, NLM_F_DUMP, &gen, 1, 7),
			 (long)sizeof(*h) + 1);
	n = nl_recv(fd);
	ck_assert_int_gt(n, (long)(NLMSG_HDRLEN + sizeof(*ifi)));
	ck_assert_uint_eq(h->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(h->nlmsg_flags & NLM_F_MULTI, NLM_F_MULTI);
	ck_assert_uint_eq(h->nlmsg_seq, 7);
	ck_assert_int_eq(ifi->ifi_index, 1);
	ck_assert_uint_eq(ifi->ifi_type, ARPHRD_LOOPBACK);
	ck_assert_uint_eq(ifi->ifi_flags & (IFF_UP | IFF_LOOPBACK),
			  IFF_UP | IFF_LOOPBACK);
	ck_assert_uint_eq(h->nlmsg_len % 4, 0);
	/* The dump ends with NLMSG_DONE, then nothing is left. */
	for (;;) {
		h = (void *)kbuf;
		if (h->nlmsg_type == NLMSG_DONE)
			break;
		if (NLMSG_ALIGN(h->nlmsg_len) < (uint32_t)n) {
			memmove(kbuf, kbuf + NLMSG_ALIGN(h->nlmsg_len),
				(size_t)n - NLMSG_ALIGN(h->nlmsg_len));
			n -= NLMSG_ALIGN(h->nlmsg_len);
			continue;
		}
		n = nl_recv(fd);
		ck_assert_int_gt(n, 0);
	}
	ck_assert_int_eq(nl_recv(fd), -EAGAIN);
	ck_assert_int_eq(ksys1(NR_close, fd), 0);
}
END_TEST

START_TEST(errors_are_nlmsg_error)
{
	struct ifinfomsg ifi = { .ifi_index = 77 };
	struct nlmsghdr *h = (void *)kbuf;
	struct nlmsgerr *e = (void *)(kbuf + NLMSG_HDRLEN);
	int fd;

	boot();
	ck_assert_int_eq(ksys3(NR_socket, AF_NETLINK, SOCK_STREAM, 0),
			 -ESOCKTNOSUPPORT);
	ck_assert_int_eq(ksys3(NR_socket, AF_NETLINK, SOCK_DGRAM, 4),
			 -EPROTONOSUPPORT);
	fd = (int)ksys3(NR_socket, AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
	ck_assert_int_ge(fd, 0);
	nl_send(fd, RTM_GETLINK, 0, &ifi, sizeof(ifi), 9);
	ck_assert_int_gt(nl_recv(fd), 0);
	ck_assert_uint_eq(h->nlmsg_type, NLMSG_ERROR);
	ck_assert_int_eq(e->error, -ENODEV);
	ck_assert_uint_eq(e->msg.nlmsg_seq, 9);
	ck_assert_uint_eq(e->msg.nlmsg_type, RTM_GETLINK);
	/* An unknown request, acknowledged or not, is EOPNOTSUPP. */
	nl_send(fd, 99, NLM_F_ACK, &ifi, sizeof(ifi), 10);
	ck_assert_int_gt(nl_recv(fd), 0);
	ck_assert_uint_eq(h->nlmsg_type, NLMSG_ERROR);
	ck_assert_int_eq(e->error, -EOPNOTSUPP);
	/* A successful change with NLM_F_ACK gets error 0. */
	ifi.ifi_index = 1;
	ifi.ifi_flags = IFF_UP;
	ifi.ifi_change = IFF_UP;
	nl_send(fd, RTM_SETLINK, NLM_F_ACK, &ifi, sizeof(ifi), 11);
	ck_assert_int_gt(nl_recv(fd), 0);
	ck_assert_uint_eq(h->nlmsg_type, NLMSG_ERROR);
	ck_assert_int_eq(e->error, 0);
	ck_assert_uint_eq(e->msg.nlmsg_seq, 11);
}
END_TEST

START_TEST(bound_port_id_is_the_pid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, len = sizeof(sa);

	boot();
	fd = (int)ksys3(NR_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	ktest_put(uaux, &sa, sizeof(sa));
	ck_assert_int_eq(ksys3(NR_bind, fd, uaux, sizeof(sa)), 0);
	ktest_put(ubuf, &len, sizeof(len));
	ck_assert_int_eq(ksys3(NR_getsockname, fd, uaux, ubuf), 0);
	ktest_get(&sa, uaux, sizeof(sa));
	ck_assert_uint_eq(sa.nl_family, AF_NETLINK);
	ck_assert_uint_eq(sa.nl_pid, (uint32_t)current->task->pid);
}
END_TEST

START_TEST(ioctls_on_lo)
{
	struct ifreq r;
	struct sockaddr_in *sin = (void *)&r.ifr_addr;
	int fd;

	boot();
	fd = (int)ksys3(NR_socket, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	ktest_put(ubuf, &r, sizeof(r));
	ck_assert_int_eq(ksys3(NR_ioctl, fd, SIOCGIFFLAGS, ubuf), 0);
	ktest_get(&r, ubuf, sizeof(r));
	ck_assert_int_eq(r.ifr_flags, IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	ck_assert_int_eq(ksys3(NR_ioctl, fd, SIOCGIFINDEX, ubuf), 0);
	ktest_get(&r, ubuf, sizeof(r));
	ck_assert_int_eq(r.ifr_ifindex, 1);
	ck_assert_int_eq(ksys3(NR_ioctl, fd, SIOCGIFADDR, ubuf), 0);
	ktest_get(&r, ubuf, sizeof(r));
	ck_assert_uint_eq(sin->sin_addr.s_addr, uapi_htonl(INADDR_LOOPBACK));
	ck_assert_int_eq(ksys3(NR_ioctl, fd, SIOCGIFNETMASK, ubuf), 0);
	ktest_get(&r, ubuf, sizeof(r));
	ck_assert_uint_eq(sin->sin_addr.s_addr, uapi_htonl(0xff000000u));
	strcpy(r.ifr_name, "eth9");
	ktest_put(ubuf, &r, sizeof(r));
	ck_assert_int_eq(ksys3(NR_ioctl, fd, SIOCGIFMTU, ubuf), -ENODEV);
	ck_assert_int_eq(ksys3(NR_ioctl, fd, SIOCGIFFLAGS, 0), -EFAULT);
}
END_TEST

KTEST_SUITE(netlink_suite)
{
	Suite *s = suite_create("netlink");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, getlink_dump_lists_lo_then_done);
	tcase_add_test(tc, errors_are_nlmsg_error);
	tcase_add_test(tc, bound_port_id_is_the_pid);
	tcase_add_test(tc, ioctls_on_lo);
	suite_add_tcase(s, tc);
	return s;
}
