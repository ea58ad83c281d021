/* Linux getdents64(2) record and d_type values, from getdents(2). */
#ifndef UAPI_DIRENT_H
#define UAPI_DIRENT_H

#include <stddef.h>
#include <stdint.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;	   /* position of the NEXT record */
	uint16_t d_reclen; /* whole record, a multiple of 8 */
	uint8_t d_type;	   /* DT_* */
	char d_name[];	   /* NUL-terminated */
};
_Static_assert(offsetof(struct linux_dirent64, d_off) == 8, "d_off");
_Static_assert(offsetof(struct linux_dirent64, d_reclen) == 16, "d_reclen");
_Static_assert(offsetof(struct linux_dirent64, d_type) == 18, "d_type");
_Static_assert(offsetof(struct linux_dirent64, d_name) == 19, "d_name");

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#define DT_WHT 14

/* The d_type of a st_mode. */
#define DT_FROM_MODE(m) (((m) >> 12) & 15)

#endif
