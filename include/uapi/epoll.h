/*
 * Linux x86_64 epoll ABI, from epoll_create(2), epoll_ctl(2) and
 * epoll_wait(2). The event bits are poll's (uapi/poll.h) plus the flags
 * below; struct epoll_event is packed on x86_64 (12 bytes).
 */
#ifndef UAPI_EPOLL_H
#define UAPI_EPOLL_H

#include <stddef.h>
#include <stdint.h>

#define EPOLL_CLOEXEC 02000000

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLIN 0x00000001u
#define EPOLLPRI 0x00000002u
#define EPOLLOUT 0x00000004u
#define EPOLLERR 0x00000008u
#define EPOLLHUP 0x00000010u
#define EPOLLNVAL 0x00000020u
#define EPOLLRDNORM 0x00000040u
#define EPOLLRDBAND 0x00000080u
#define EPOLLWRNORM 0x00000100u
#define EPOLLWRBAND 0x00000200u
#define EPOLLMSG 0x00000400u
#define EPOLLRDHUP 0x00002000u
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)

struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12,
	       "struct epoll_event size (packed on x86_64)");
_Static_assert(offsetof(struct linux_epoll_event, data) == 4,
	       "epoll_event.data offset");

#endif
