/*
 * net.c: the hosted HAL's network device: one tap device (`ember run
 * --net tap:NAME`) opened on /dev/net/tun with IFF_TAP|IFF_NO_PI, so each
 * read or write is one bare Ethernet frame. The fd is non-blocking; the
 * libuv loop (loop.c) watches it and calls kern_net_event(0). Without
 * --net there is no NIC and guests have loopback only.
 * Layer: hosted HAL; implements the network section of include/hal.h.
 */
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hosted.h"

static int tap_fd = -1;
static uint8_t tap_mac[6];
static unsigned tap_mtu = 1500;

/* The guest's MAC: locally administered (02:...), derived from the tap's
 * name so a guest keeps its address across runs (ARP caches agree). */
static void make_mac(const char *name)
{
	uint32_t h = 2166136261u;

	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	tap_mac[0] = 0x02;
	tap_mac[1] = 0x45; /* 'E' */
	tap_mac[2] = (uint8_t)(h >> 24);
	tap_mac[3] = (uint8_t)(h >> 16);
	tap_mac[4] = (uint8_t)(h >> 8);
	tap_mac[5] = (uint8_t)h;
}

int net_tap_open(const char *name)
{
	struct ifreq ifr;
	int fd, s;

	if (strlen(name) >= IFNAMSIZ) {
		fprintf(stderr, "ember: --net tap:%s: name too long\n", name);
		return -ENAMETOOLONG;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		fprintf(stderr,
			"ember: --net tap:%s: cannot open /dev/net/tun: %s\n",
			name, strerror(e));
		return -e;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		fprintf(stderr, "ember: --net tap:%s: TUNSETIFF failed: %s%s\n",
			name, strerror(e),
			e == EPERM ?
				" (creating a tap needs CAP_NET_ADMIN, or "
				"make it first: ip tuntap add NAME mode tap "
				"user UID)" :
			e == EBUSY ? " (another process has it open)" :
				     "");
		close(fd);
		return -e;
	}
	/* The host side of the tap must be up for frames to flow; the
	 * host's addresses on it are the administrator's business. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		struct ifreq q;

		memset(&q, 0, sizeof(q));
		memcpy(q.ifr_name, ifr.ifr_name, IFNAMSIZ);
		if (ioctl(s, SIOCGIFMTU, &q) == 0 && q.ifr_mtu >= 576)
			tap_mtu = (unsigned)q.ifr_mtu;
		if (ioctl(s, SIOCGIFFLAGS, &q) == 0 &&
		    !(q.ifr_flags & IFF_UP)) {
			q.ifr_flags |= IFF_UP;
			ioctl(s, SIOCSIFFLAGS, &q);
		}
		close(s);
	}
	make_mac(ifr.ifr_name);
	tap_fd = fd;
	return fd;
}

int hal_net_count(void)
{
	return tap_fd >= 0 ? 1 : 0;
}

int hal_net_info(int nic, uint8_t mac[6], unsigned *mtu)
{
	if (nic != 0 || tap_fd < 0)
		return -ENODEV;
	memcpy(mac, tap_mac, 6);
	*mtu = tap_mtu;
	return 0;
}

int hal_net_send(int nic, const void *frame, size_t len)
{
	ssize_t n;

	if (nic != 0 || tap_fd < 0)
		return -ENODEV;
	n = write(tap_fd, frame, len);
	if (n < 0)
		return errno == EAGAIN || errno == ENOBUFS ? -EAGAIN : -errno;
	return 0;
}

long hal_net_recv(int nic, void *buf, size_t len)
{
	ssize_t n;

	if (nic != 0 || tap_fd < 0)
		return -ENODEV;
	n = read(tap_fd, buf, len);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	/* A frame larger than buf: the tap truncated it; report a drop. */
	if (errno == EINVAL || errno == EMSGSIZE)
		return -EMSGSIZE;
	return -errno;
}
