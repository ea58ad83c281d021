/* Linux openat2(2): struct open_how and the RESOLVE_* flags. */
#ifndef UAPI_OPENAT2_H
#define UAPI_OPENAT2_H

#include <stdint.h>

struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

/* The first published size; larger structs from newer callers are
 * accepted when their extra bytes are zero. */
#define OPEN_HOW_SIZE_VER0 24

#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20

_Static_assert(sizeof(struct open_how) == OPEN_HOW_SIZE_VER0, "open_how");
_Static_assert(__builtin_offsetof(struct open_how, resolve) == 16,
	       "open_how.resolve offset");

#endif
