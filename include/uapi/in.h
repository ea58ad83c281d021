/*
 * Linux internet addresses (ip(7), ipv6(7)): well-known addresses and the
 * byte-order helpers the socket code uses on sockaddr_in fields. The
 * structures themselves are in uapi/socket.h.
 */
#ifndef UAPI_IN_H
#define UAPI_IN_H

#include <stdint.h>
#include <uapi/socket.h>

#define INADDR_ANY 0x00000000U
#define INADDR_LOOPBACK 0x7f000001U /* host byte order */
#define INADDR_BROADCAST 0xffffffffU
#define INADDR_NONE 0xffffffffU

#define INET_ADDRSTRLEN 16
#define INET6_ADDRSTRLEN 46

static inline uint16_t uapi_htons(uint16_t x)
{
	return (uint16_t)((x << 8) | (x >> 8));
}
static inline uint16_t uapi_ntohs(uint16_t x)
{
	return uapi_htons(x);
}
static inline uint32_t uapi_htonl(uint32_t x)
{
	return __builtin_bswap32(x);
}
static inline uint32_t uapi_ntohl(uint32_t x)
{
	return __builtin_bswap32(x);
}

#endif
