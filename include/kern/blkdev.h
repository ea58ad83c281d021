/*
 * blkdev: the core's block devices and their block cache.
 *
 * Every disk the HAL reports (hal_blk_*) becomes a struct blkdev, named
 * vda, vdb, ... and shown as a block node in /dev (major 254, minor 16*n,
 * as Linux's virtio-blk). Filesystems read and write it through the block
 * cache: fixed-size blocks with reference counts and dirty tracking,
 * written back on sync or when the cache is full. Nothing here blocks
 * beyond the HAL's synchronous transfers.
 */
#ifndef KERN_BLKDEV_H
#define KERN_BLKDEV_H

#include <kern/list.h>
#include <kern/types.h>

#define BLKDEV_MAJOR 254
#define BLKDEV_MAX 16

struct blkdev {
	int disk;	  /* HAL disk number */
	char name[8];	  /* "vda" */
	uint64_t rdev;	  /* makedev(254, 16 * disk) */
	uint64_t sectors; /* 512-byte sectors */
	bool read_only;
	bool claimed;  /* a mounted filesystem uses it */
	size_t cached; /* blocks of this device in the cache */
};

/* Number of block devices (the HAL's disks, probed on first use). */
int blkdev_count(void);
/* Device i (0..count-1), or NULL. */
struct blkdev *blkdev_at(int i);
/* The device with that device number, or NULL. */
struct blkdev *blkdev_by_rdev(uint64_t rdev);
/* Reads/writes len bytes at byte offset off straight from the disk
 * (sector read-modify-write for unaligned edges). 0, -EIO, -EROFS, or
 * -EINVAL past the end. */
int blkdev_read(struct blkdev *bd, uint64_t off, void *buf, size_t len);
int blkdev_write(struct blkdev *bd, uint64_t off, const void *buf, size_t len);

struct file;
struct inode;
/* Opens the block node rdev as a file of the whole disk (read, write,
 * lseek, BLKGETSIZE64 and friends, fsync): 0, -ENXIO for no such disk,
 * -EROFS for writing a read-only one. */
int blkdev_open(uint64_t rdev, struct file *f);
/* Makes the /dev/vdX nodes in the devfs directory dir (at its mount). */
void blkdev_devfs_populate(struct inode *dir);

/* ---- the block cache (bcache.c) ---- */
struct bbuf {
	struct blkdev *dev;
	uint64_t blkno; /* in units of size */
	unsigned size;
	uint8_t *data;
	int refcount;
	bool dirty;
	struct list_head hash_link;
	struct list_head lru_link; /* least recently used first */
};

/* Block blkno (size bytes) of dev, read from the disk unless cached;
 * referenced. ERR_PTR(-EIO), ERR_PTR(-ENOMEM). */
struct bbuf *bcache_read(struct blkdev *dev, uint64_t blkno, unsigned size);
/* Same, but the caller overwrites the whole block: no disk read, a block
 * not cached yet starts zeroed. */
struct bbuf *bcache_get_new(struct blkdev *dev, uint64_t blkno, unsigned size);
void bcache_dirty(struct bbuf *b);
/* Drops a reference (NULL allowed). */
void bcache_put(struct bbuf *b);
/* A freed block: its cached copy is dropped without being written. */
void bcache_forget(struct blkdev *dev, uint64_t blkno, unsigned size);
/* Writes every dirty block of dev back (sorted, contiguous runs in one
 * transfer), then flushes the disk when flush is set. 0 or -EIO. */
int bcache_sync(struct blkdev *dev, bool flush);
/* Writes back, then drops every unreferenced block of dev. */
int bcache_invalidate(struct blkdev *dev);
/* Raw device writes keep cached copies of [off, off+len) current. */
void bcache_update_raw(struct blkdev *dev, uint64_t off, const void *buf,
		       size_t len);
/* Cache size limit in bytes (default: 1/16 of memory, at most 16 MiB). */
void bcache_set_limit(size_t bytes);

#endif
