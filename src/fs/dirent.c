/*
 * dirent.c: building linux_dirent64 records for getdents64, shared by every
 * filesystem's readdir.
 * Layer: VFS core; relies only on klib.
 */
#include <uapi/dirent.h>

#include "internal.h"

bool dirent_emit(void *buf, size_t len, size_t *used, uint64_t ino,
		 int64_t next_off, unsigned type, const char *name)
{
	size_t namelen = strlen(name);
	size_t reclen =
		ALIGN_UP(offsetof(struct linux_dirent64, d_name) + namelen + 1,
			 (size_t)8);
	struct linux_dirent64 *d;

	if (*used + reclen > len)
		return false;
	d = (struct linux_dirent64 *)((char *)buf + *used);
	/* The records go to user memory: no stale kernel bytes in padding. */
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = next_off;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)type;
	memcpy(d->d_name, name, namelen + 1);
	*used += reclen;
	return true;
}
