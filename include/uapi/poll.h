/*
 * Linux x86_64 poll(2), ppoll(2), select(2) and pselect6 ABI: event bits,
 * struct pollfd and fd_set, from poll(2) and select(2). The structs carry a
 * linux_ prefix so hosted code can include them next to libc's.
 */
#ifndef UAPI_POLL_H
#define UAPI_POLL_H

#include <stddef.h>
#include <stdint.h>

#define POLLIN 0x0001
#define POLLPRI 0x0002
#define POLLOUT 0x0004
#define POLLERR 0x0008
#define POLLHUP 0x0010
#define POLLNVAL 0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLMSG 0x0400
#define POLLREMOVE 0x1000
#define POLLRDHUP 0x2000

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};
_Static_assert(sizeof(struct linux_pollfd) == 8, "struct pollfd size");
_Static_assert(offsetof(struct linux_pollfd, revents) == 6, "revents");

/* select(2)'s fd_set: FD_SETSIZE bits in unsigned longs. */
#define LINUX_FD_SETSIZE 1024
#define LINUX_NFDBITS 64

/* pselect6's sixth argument: the signal mask and its size. */
struct linux_pselect_sigmask {
	uint64_t ss;	 /* user address of a sigset_t, or 0 */
	uint64_t ss_len; /* must be 8 */
};
_Static_assert(sizeof(struct linux_pselect_sigmask) == 16,
	       "pselect6 sigmask argument size");

#endif
