/*
 * Linux x86_64 socket ABI: address families, socket types, levels and
 * options, message flags, and the structures of socket(7), unix(7),
 * ip(7), ipv6(7), sendmsg(2), recvmsg(2) and cmsg(3). User pointers inside
 * structures are uint64_t user addresses.
 */
#ifndef UAPI_SOCKET_H
#define UAPI_SOCKET_H

#include <stddef.h>
#include <stdint.h>

/* Address families (address_families(7)). */
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_LOCAL AF_UNIX
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17

/* Socket types; SOCK_NONBLOCK and SOCK_CLOEXEC ride in the type argument
 * of socket(2), socketpair(2) and accept4(2)'s flags. */
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000

/* Levels. */
#define SOL_SOCKET 1
#define SOL_IP 0
#define SOL_TCP 6
#define SOL_UDP 17
#define SOL_IPV6 41
#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_ICMPV6 58
#define IPPROTO_RAW 255

/* SOL_SOCKET options (socket(7)). */
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_NO_CHECK 11
#define SO_PRIORITY 12
#define SO_LINGER 13
#define SO_BSDCOMPAT 14
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PROTOCOL 38
#define SO_DOMAIN 39

/* SOL_TCP options (tcp(7)). */
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6

/* IPPROTO_IPV6 options. */
#define IPV6_V6ONLY 26

/* Message flags (send(2), recv(2)). */
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000
#define MSG_CMSG_CLOEXEC 0x40000000

/* shutdown(2). */
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

/* Ancillary data types at SOL_SOCKET (unix(7)). */
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2

#define SOMAXCONN 4096

typedef uint16_t sa_family_t;

struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};
_Static_assert(sizeof(struct sockaddr) == 16, "struct sockaddr size");

/* Large enough for every address family. */
struct sockaddr_storage {
	sa_family_t ss_family;
	char ss_data[126];
} __attribute__((aligned(8)));
_Static_assert(sizeof(struct sockaddr_storage) == 128,
	       "struct sockaddr_storage size");

#define UNIX_PATH_MAX 108
struct sockaddr_un {
	sa_family_t sun_family;
	char sun_path[UNIX_PATH_MAX];
};
_Static_assert(sizeof(struct sockaddr_un) == 110, "struct sockaddr_un size");
_Static_assert(offsetof(struct sockaddr_un, sun_path) == 2, "sun_path");

struct in_addr {
	uint32_t s_addr; /* network byte order */
};

struct sockaddr_in {
	sa_family_t sin_family;
	uint16_t sin_port; /* network byte order */
	struct in_addr sin_addr;
	unsigned char sin_zero[8];
};
_Static_assert(sizeof(struct sockaddr_in) == 16, "struct sockaddr_in size");
_Static_assert(offsetof(struct sockaddr_in, sin_addr) == 4, "sin_addr");

struct in6_addr {
	uint8_t s6_addr[16];
};

struct sockaddr_in6 {
	sa_family_t sin6_family;
	uint16_t sin6_port;
	uint32_t sin6_flowinfo;
	struct in6_addr sin6_addr;
	uint32_t sin6_scope_id;
};
_Static_assert(sizeof(struct sockaddr_in6) == 28, "struct sockaddr_in6 size");
_Static_assert(offsetof(struct sockaddr_in6, sin6_addr) == 8, "sin6_addr");
_Static_assert(offsetof(struct sockaddr_in6, sin6_scope_id) == 24,
	       "sin6_scope_id");

/* sendmsg(2)/recvmsg(2): the user's msghdr (addresses are user). */
struct user_msghdr {
	uint64_t msg_name;
	uint32_t msg_namelen;
	uint32_t pad0;
	uint64_t msg_iov;
	uint64_t msg_iovlen;
	uint64_t msg_control;
	uint64_t msg_controllen;
	int32_t msg_flags;
	uint32_t pad1;
};
_Static_assert(sizeof(struct user_msghdr) == 56, "struct msghdr size");
_Static_assert(offsetof(struct user_msghdr, msg_iov) == 16, "msg_iov");
_Static_assert(offsetof(struct user_msghdr, msg_control) == 32, "msg_control");
_Static_assert(offsetof(struct user_msghdr, msg_flags) == 48, "msg_flags");

/* sendmmsg(2)/recvmmsg(2). */
struct user_mmsghdr {
	struct user_msghdr msg_hdr;
	uint32_t msg_len;
	uint32_t pad;
};
_Static_assert(sizeof(struct user_mmsghdr) == 64, "struct mmsghdr size");

struct cmsghdr {
	uint64_t cmsg_len; /* header plus data, unpadded */
	int32_t cmsg_level;
	int32_t cmsg_type;
	/* data follows, aligned to 8 */
};
_Static_assert(sizeof(struct cmsghdr) == 16, "struct cmsghdr size");

#define CMSG_ALIGN_UP(len) (((len) + 7UL) & ~7UL)
#define CMSG_SPACE_OF(len) (sizeof(struct cmsghdr) + CMSG_ALIGN_UP(len))
#define CMSG_LEN_OF(len) (sizeof(struct cmsghdr) + (len))

/* SCM_CREDENTIALS and SO_PEERCRED. */
struct ucred {
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
};
_Static_assert(sizeof(struct ucred) == 12, "struct ucred size");

struct linger {
	int32_t l_onoff;
	int32_t l_linger;
};
_Static_assert(sizeof(struct linger) == 8, "struct linger size");

/* Most file descriptors one SCM_RIGHTS message carries (Linux's SCM_MAX_FD). */
#define SCM_MAX_FD 253

#endif
