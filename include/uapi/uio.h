/* Linux struct iovec for readv(2)/writev(2), from readv(2). */
#ifndef UAPI_UIO_H
#define UAPI_UIO_H

#include <stddef.h>
#include <stdint.h>

struct iovec {
	uint64_t iov_base; /* a user address */
	uint64_t iov_len;
};
_Static_assert(sizeof(struct iovec) == 16, "struct iovec size");
_Static_assert(offsetof(struct iovec, iov_len) == 8, "iov_len");

#define UIO_MAXIOV 1024
#define IOV_MAX UIO_MAXIOV

#endif
