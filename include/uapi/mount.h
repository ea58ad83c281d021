/* Linux x86_64 mount(2)/umount2(2) flags and the block device ioctls
 * (ioctl_list(2), <linux/fs.h> numbers as documented in mount(2),
 * umount(2) and the BLK* ioctl descriptions). */
#ifndef UAPI_MOUNT_H
#define UAPI_MOUNT_H

/* mount(2) mountflags */
#ifndef MS_RDONLY
#define MS_RDONLY 0x1
#endif
#define MS_NOSUID 0x2
#define MS_NODEV 0x4
#define MS_NOEXEC 0x8
#define MS_SYNCHRONOUS 0x10
#define MS_REMOUNT 0x20
#define MS_MANDLOCK 0x40
#define MS_DIRSYNC 0x80
#define MS_NOSYMFOLLOW 0x100
#define MS_NOATIME 0x400
#define MS_NODIRATIME 0x800
#define MS_BIND 0x1000
#define MS_MOVE 0x2000
#define MS_REC 0x4000
#define MS_SILENT 0x8000
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define MS_RELATIME (1 << 21)
#define MS_STRICTATIME (1 << 24)
#define MS_LAZYTIME (1 << 25)
/* The magic number old callers put in the top half of mountflags. */
#define MS_MGC_MSK 0xffff0000U
#define MS_MGC_VAL 0xc0ed0000U

/* umount2(2) flags */
#define MNT_FORCE 0x1
#define MNT_DETACH 0x2
#define MNT_EXPIRE 0x4
#define UMOUNT_NOFOLLOW 0x8

/* Block device ioctls (code 0x12). */
#define BLKROGET 0x125e
#define BLKGETSIZE 0x1260
#define BLKFLSBUF 0x1261
#define BLKSSZGET 0x1268
#define BLKBSZGET 0x80081270
#define BLKGETSIZE64 0x80081272
#define BLKPBSZGET 0x127b

#endif
