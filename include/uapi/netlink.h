/*
 * Linux x86_64 netlink ABI (netlink(7)): the netlink socket address, the
 * message header and its types and flags, error messages, SOL_NETLINK
 * options and the alignment rules of messages.
 */
#ifndef UAPI_NETLINK_H
#define UAPI_NETLINK_H

#include <stddef.h>
#include <stdint.h>
#include <uapi/socket.h>

#define NETLINK_ROUTE 0
#define SOL_NETLINK 270

struct sockaddr_nl {
	sa_family_t nl_family; /* AF_NETLINK */
	uint16_t nl_pad;
	uint32_t nl_pid; /* port id */
	uint32_t nl_groups;
};

struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct nlmsgerr {
	int32_t error; /* negative errno, or 0 for an acknowledgement */
	struct nlmsghdr msg;
};

/* Standard message types. */
#define NLMSG_NOOP 0x1
#define NLMSG_ERROR 0x2
#define NLMSG_DONE 0x3
#define NLMSG_OVERRUN 0x4

/* Flags. */
#define NLM_F_REQUEST 0x01
#define NLM_F_MULTI 0x02
#define NLM_F_ACK 0x04
#define NLM_F_ECHO 0x08
#define NLM_F_ROOT 0x100
#define NLM_F_MATCH 0x200
#define NLM_F_ATOMIC 0x400
#define NLM_F_DUMP (NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_REPLACE 0x100
#define NLM_F_EXCL 0x200
#define NLM_F_CREATE 0x400
#define NLM_F_APPEND 0x800
#define NLM_F_CAPPED 0x100 /* on acknowledgements */

/* SOL_NETLINK options. */
#define NETLINK_ADD_MEMBERSHIP 1
#define NETLINK_DROP_MEMBERSHIP 2
#define NETLINK_PKTINFO 3
#define NETLINK_CAP_ACK 10
#define NETLINK_EXT_ACK 11
#define NETLINK_GET_STRICT_CHK 12

#define NLMSG_ALIGNTO 4u
#define NLMSG_ALIGN(len) (((len) + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1))
#define NLMSG_HDRLEN ((uint32_t)NLMSG_ALIGN(sizeof(struct nlmsghdr)))

_Static_assert(sizeof(struct sockaddr_nl) == 12, "sockaddr_nl");
_Static_assert(offsetof(struct sockaddr_nl, nl_pid) == 4, "nl_pid");
_Static_assert(sizeof(struct nlmsghdr) == 16, "nlmsghdr");
_Static_assert(offsetof(struct nlmsghdr, nlmsg_seq) == 8, "nlmsg_seq");
_Static_assert(sizeof(struct nlmsgerr) == 20, "nlmsgerr");

#endif
