/* Linux x86_64 fcntl(2) record locks: struct flock and the lock types. */
#ifndef UAPI_FLOCK_H
#define UAPI_FLOCK_H

#include <stdint.h>

#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

/* struct flock of fcntl(2) (also used by the F_OFD_* commands). */
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int32_t pad0;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t pad1;
};

_Static_assert(sizeof(struct linux_flock) == 32, "struct flock size");
_Static_assert(__builtin_offsetof(struct linux_flock, l_start) == 8,
	       "l_start offset");
_Static_assert(__builtin_offsetof(struct linux_flock, l_len) == 16,
	       "l_len offset");
_Static_assert(__builtin_offsetof(struct linux_flock, l_pid) == 24,
	       "l_pid offset");

#endif
