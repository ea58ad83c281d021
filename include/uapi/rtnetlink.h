/*
 * Linux x86_64 rtnetlink ABI (rtnetlink(7)): message types, the link,
 * address and route message bodies, their attribute numbers, and the
 * route tables, protocols, scopes and types.
 */
#ifndef UAPI_RTNETLINK_H
#define UAPI_RTNETLINK_H

#include <stddef.h>
#include <stdint.h>
#include <uapi/netlink.h>

#define RTM_NEWLINK 16
#define RTM_DELLINK 17
#define RTM_GETLINK 18
#define RTM_SETLINK 19
#define RTM_NEWADDR 20
#define RTM_DELADDR 21
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_DELROUTE 25
#define RTM_GETROUTE 26

struct rtattr {
	uint16_t rta_len;
	uint16_t rta_type;
};
#define RTA_ALIGNTO 4u
#define RTA_ALIGN(len) (((len) + RTA_ALIGNTO - 1) & ~(RTA_ALIGNTO - 1))

struct ifinfomsg {
	uint8_t ifi_family;
	uint8_t ifi_pad_;
	uint16_t ifi_type; /* ARPHRD_* */
	int32_t ifi_index;
	uint32_t ifi_flags; /* IFF_* */
	uint32_t ifi_change;
};

#define IFLA_UNSPEC 0
#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_LINK 5
#define IFLA_QDISC 6
#define IFLA_STATS 7
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFLA_LINKMODE 17
#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN 2
#define IF_OPER_UP 6

struct ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;
	uint8_t ifa_scope;
	uint32_t ifa_index;
};

#define IFA_UNSPEC 0
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6 /* struct { u32 prefered, valid, cstamp, tstamp } */
#define IFA_F_PERMANENT 0x80

struct rtmsg {
	uint8_t rtm_family;
	uint8_t rtm_dst_len;
	uint8_t rtm_src_len;
	uint8_t rtm_tos;
	uint8_t rtm_table;
	uint8_t rtm_protocol;
	uint8_t rtm_scope;
	uint8_t rtm_type;
	uint32_t rtm_flags;
};

#define RTA_UNSPEC 0
#define RTA_DST 1
#define RTA_SRC 2
#define RTA_IIF 3
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PRIORITY 6
#define RTA_PREFSRC 7
#define RTA_TABLE 15

#define RT_TABLE_UNSPEC 0
#define RT_TABLE_MAIN 254
#define RT_TABLE_LOCAL 255
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RTPROT_STATIC 4
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define RTN_UNICAST 1
#define RTN_LOCAL 2

_Static_assert(sizeof(struct rtattr) == 4, "rtattr");
_Static_assert(sizeof(struct ifinfomsg) == 16, "ifinfomsg");
_Static_assert(offsetof(struct ifinfomsg, ifi_index) == 4, "ifi_index");
_Static_assert(sizeof(struct ifaddrmsg) == 8, "ifaddrmsg");
_Static_assert(sizeof(struct rtmsg) == 12, "rtmsg");

#endif
