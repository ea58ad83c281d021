/*
 * Linux x86_64 network-device ioctls (netdevice(7)): struct ifreq,
 * struct ifconf, the SIOC* request numbers, interface flags and hardware
 * types. User pointers inside structures are uint64_t user addresses.
 */
#ifndef UAPI_IF_H
#define UAPI_IF_H

#include <stddef.h>
#include <stdint.h>
#include <uapi/socket.h>

#define IFNAMSIZ 16

/* Interface flags (SIOCGIFFLAGS). */
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_DEBUG 0x4
#define IFF_LOOPBACK 0x8
#define IFF_POINTOPOINT 0x10
#define IFF_NOTRAILERS 0x20
#define IFF_RUNNING 0x40
#define IFF_NOARP 0x80
#define IFF_PROMISC 0x100
#define IFF_ALLMULTI 0x200
#define IFF_MULTICAST 0x1000
#define IFF_LOWER_UP 0x10000

/* Hardware types (sa_family of SIOCGIFHWADDR, ifi_type). */
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

/* Requests. */
#define SIOCADDRT 0x890b
#define SIOCDELRT 0x890c
#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCSIFFLAGS 0x8914
#define SIOCGIFADDR 0x8915
#define SIOCSIFADDR 0x8916
#define SIOCGIFDSTADDR 0x8917
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCSIFNETMASK 0x891c
#define SIOCGIFMETRIC 0x891d
#define SIOCGIFMTU 0x8921
#define SIOCSIFMTU 0x8922
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define SIOCGIFMAP 0x8970
#define SIOCGIFTXQLEN 0x8942
#define SIOCINQ 0x541b /* FIONREAD */
#define SIOCOUTQ 0x5411

struct ifmap {
	uint64_t mem_start;
	uint64_t mem_end;
	uint16_t base_addr;
	uint8_t irq;
	uint8_t dma;
	uint8_t port;
};

struct ifreq {
	char ifr_name[IFNAMSIZ];
	union {
		struct sockaddr ifr_addr;
		struct sockaddr ifr_hwaddr;
		int16_t ifr_flags;
		int32_t ifr_ifindex;
		int32_t ifr_metric;
		int32_t ifr_mtu;
		int32_t ifr_qlen;
		struct ifmap ifr_map;
		char ifr_newname[IFNAMSIZ];
		uint64_t ifr_data;
	};
};

struct ifconf {
	int32_t ifc_len;
	uint32_t pad_;
	uint64_t ifc_buf; /* user address of struct ifreq[] */
};

_Static_assert(sizeof(struct ifmap) == 24, "ifmap");
_Static_assert(sizeof(struct ifreq) == 40, "ifreq");
_Static_assert(offsetof(struct ifreq, ifr_flags) == 16, "ifr_flags");
_Static_assert(sizeof(struct ifconf) == 16, "ifconf");
_Static_assert(offsetof(struct ifconf, ifc_buf) == 8, "ifc_buf");

#endif
