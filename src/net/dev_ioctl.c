/*
 * dev_ioctl.c: the network-device ioctls any socket answers
 * (netdevice(7)): names, indexes, flags, addresses, netmask, MTU and
 * hardware address of the interfaces, SIOCGIFCONF, and the changes root
 * may make (up/down, IPv4 address and netmask).
 * Layer: net; relies on the interface table of netif.c and uaccess.
 */
#include <kern/klib.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/if.h>
#include <uapi/in.h>

#include "net_internal.h"

#define NET_IF_LIST_MAX 16

bool net_is_dev_ioctl(unsigned cmd)
{
	return (cmd >= 0x8910 && cmd <= 0x8970) || cmd == SIOCADDRT ||
	       cmd == SIOCDELRT;
}

static void put_in(struct sockaddr *sa, uint32_t ip)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;

	memset(sa, 0, sizeof(*sa));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = ip;
}

/* The classful netmask Linux gives an address set without one. */
static uint32_t classful_mask(uint32_t ip)
{
	uint32_t h = uapi_ntohl(ip);

	if ((h >> 31) == 0)
		return uapi_htonl(0xff000000u);
	if ((h >> 30) == 2)
		return uapi_htonl(0xffff0000u);
	return uapi_htonl(0xffffff00u);
}

static long dev_ifconf(uaddr_t arg)
{
	struct net_if ifs[NET_IF_LIST_MAX];
	struct ifconf ic;
	int n, len = 0;

	if (copy_from_user(&ic, arg, sizeof(ic)))
		return -EFAULT;
	n = net_if_list(ifs, NET_IF_LIST_MAX);
	for (int i = 0; i < n; i++) {
		struct ifreq r;

		if (!ifs[i].ip4)
			continue;
		if (ic.ifc_buf) {
			if (len + (int)sizeof(r) > ic.ifc_len)
				break;
			memset(&r, 0, sizeof(r));
			kstrlcpy(r.ifr_name, ifs[i].name, IFNAMSIZ);
			put_in(&r.ifr_addr, ifs[i].ip4);
			if (copy_to_user(ic.ifc_buf + (uint64_t)len, &r,
					 sizeof(r)))
				return -EFAULT;
		}
		len += (int)sizeof(r);
	}
	ic.ifc_len = len;
	if (copy_to_user(arg, &ic, sizeof(ic)))
		return -EFAULT;
	return 0;
}

long net_dev_ioctl(unsigned cmd, uaddr_t arg)
{
	struct ifreq r;
	struct net_if nif;
	const struct sockaddr_in *sin;
	int err;

	if (cmd == SIOCGIFCONF)
		return dev_ifconf(arg);
	if (cmd == SIOCADDRT || cmd == SIOCDELRT)
		return sock_capable() ? -EOPNOTSUPP : -EPERM;
	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	r.ifr_name[IFNAMSIZ - 1] = 0;
	if (cmd == SIOCGIFNAME) {
		err = net_if_get(r.ifr_ifindex, NULL, &nif);
		if (err < 0 || r.ifr_ifindex <= 0)
			return -ENODEV;
		kstrlcpy(r.ifr_name, nif.name, IFNAMSIZ);
		return copy_to_user(arg, &r, sizeof(r)) ? -EFAULT : 0;
	}
	err = net_if_get(0, r.ifr_name, &nif);
	if (err < 0)
		return err;
	switch (cmd) {
	case SIOCGIFFLAGS:
		r.ifr_flags = (int16_t)nif.flags;
		break;
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
		if (!nif.ip4)
			return -EADDRNOTAVAIL;
		put_in(&r.ifr_addr, nif.ip4);
		break;
	case SIOCGIFBRDADDR:
		if (!nif.ip4)
			return -EADDRNOTAVAIL;
		put_in(&r.ifr_addr, (nif.flags & NET_IFF_BROADCAST) ?
					    (nif.ip4 | ~nif.mask4) :
					    0);
		break;
	case SIOCGIFNETMASK:
		if (!nif.ip4)
			return -EADDRNOTAVAIL;
		put_in(&r.ifr_addr, nif.mask4);
		break;
	case SIOCGIFMETRIC:
		r.ifr_metric = 0;
		break;
	case SIOCGIFMTU:
		r.ifr_mtu = (int32_t)nif.mtu;
		break;
	case SIOCGIFTXQLEN:
		r.ifr_qlen = 1000;
		break;
	case SIOCGIFMAP:
		memset(&r.ifr_map, 0, sizeof(r.ifr_map));
		break;
	case SIOCGIFHWADDR:
		memset(&r.ifr_hwaddr, 0, sizeof(r.ifr_hwaddr));
		r.ifr_hwaddr.sa_family = (sa_family_t)nif.type;
		memcpy(r.ifr_hwaddr.sa_data, nif.mac, 6);
		break;
	case SIOCGIFINDEX:
		r.ifr_ifindex = nif.index;
		break;
	case SIOCSIFFLAGS:
		if (!sock_capable())
			return -EPERM;
		return net_if_set_flags(nif.index, (uint16_t)r.ifr_flags);
	case SIOCSIFADDR:
	case SIOCSIFNETMASK:
		if (!sock_capable())
			return -EPERM;
		sin = (const struct sockaddr_in *)&r.ifr_addr;
		if (sin->sin_family != AF_INET)
			return -EINVAL;
		if (cmd == SIOCSIFADDR)
			return net_if_set_ip4(
				nif.index, sin->sin_addr.s_addr,
				nif.ip4 && nif.mask4 ?
					nif.mask4 :
					classful_mask(sin->sin_addr.s_addr));
		return net_if_set_ip4(nif.index, nif.ip4, sin->sin_addr.s_addr);
	case SIOCSIFMTU:
		return sock_capable() ? -EOPNOTSUPP : -EPERM;
	default:
		return -ENOTTY;
	}
	return copy_to_user(arg, &r, sizeof(r)) ? -EFAULT : 0;
}
