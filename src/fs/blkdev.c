/*
 * blkdev.c: block devices. The HAL's disks (hal_blk_*) become vda, vdb,
 * ... with Linux's virtio-blk numbers (major 254, minor 16 per disk),
 * byte-addressed transfers over 512-byte sectors, and the open file of a
 * /dev/vdX node: the whole disk, readable and writable as a file, kept
 * coherent with the block cache (reads see cached dirty blocks written
 * back first; writes update cached copies).
 * Layer: block layer + device files; relies on the HAL, bcache and tmpfs.
 */
#include <kern/blkdev.h>
#include <kern/uaccess.h>
#include <uapi/mount.h>

#include "internal.h"

static struct blkdev devs[BLKDEV_MAX];
static int ndevs = -1;

static void probe(void)
{
	int n;

	if (ndevs >= 0)
		return;
	ndevs = 0;
	n = hal_blk_count();
	for (int i = 0; i < n && ndevs < BLKDEV_MAX; i++) {
		struct blkdev *bd = &devs[ndevs];

		memset(bd, 0, sizeof(*bd));
		if (hal_blk_info(i, &bd->sectors, &bd->read_only) < 0)
			continue;
		bd->disk = i;
		ksnprintf(bd->name, sizeof(bd->name), "vd%c", 'a' + ndevs);
		bd->rdev = uapi_makedev(BLKDEV_MAJOR, 16 * (unsigned)ndevs);
		ndevs++;
	}
}

int blkdev_count(void)
{
	probe();
	return ndevs;
}

struct blkdev *blkdev_at(int i)
{
	probe();
	return i >= 0 && i < ndevs ? &devs[i] : NULL;
}

struct blkdev *blkdev_by_rdev(uint64_t rdev)
{
	probe();
	for (int i = 0; i < ndevs; i++)
		if (devs[i].rdev == rdev)
			return &devs[i];
	return NULL;
}

static bool in_range(struct blkdev *bd, uint64_t off, size_t len)
{
	uint64_t size = bd->sectors * HAL_BLK_SECTOR;

	return off <= size && len <= size - off;
}

/* Transfers whole sectors where it can and bounces the unaligned edges. */
static int xfer(struct blkdev *bd, uint64_t off, void *buf, size_t len,
		bool write)
{
	uint8_t sec[HAL_BLK_SECTOR];
	uint8_t *p = buf;
	int err;

	if (!in_range(bd, off, len))
		return -EINVAL;
	if (write && bd->read_only)
		return -EROFS;
	while (len) {
		uint64_t s = off / HAL_BLK_SECTOR;
		size_t in = (size_t)(off % HAL_BLK_SECTOR);

		if (in || len < HAL_BLK_SECTOR) {
			size_t n = MIN(len, HAL_BLK_SECTOR - in);

			err = hal_blk_read(bd->disk, s, sec, 1);
			if (err < 0)
				return err;
			if (write) {
				memcpy(sec + in, p, n);
				err = hal_blk_write(bd->disk, s, sec, 1);
				if (err < 0)
					return err;
			} else {
				memcpy(p, sec + in, n);
			}
			p += n;
			off += n;
			len -= n;
			continue;
		}
		size_t cnt = len / HAL_BLK_SECTOR;

		err = write ? hal_blk_write(bd->disk, s, p, cnt) :
			      hal_blk_read(bd->disk, s, p, cnt);
		if (err < 0)
			return err;
		p += cnt * HAL_BLK_SECTOR;
		off += cnt * HAL_BLK_SECTOR;
		len -= cnt * HAL_BLK_SECTOR;
	}
	return 0;
}

int blkdev_read(struct blkdev *bd, uint64_t off, void *buf, size_t len)
{
	return xfer(bd, off, buf, len, false);
}

int blkdev_write(struct blkdev *bd, uint64_t off, const void *buf, size_t len)
{
	return xfer(bd, off, (void *)buf, len, true);
}

/* ---- /dev/vdX as a file ---- */

static uint64_t bd_size(struct blkdev *bd)
{
	return bd->sectors * HAL_BLK_SECTOR;
}

static long bd_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct blkdev *bd = f->priv;
	uint64_t size = bd_size(bd);
	int err;

	if (*pos >= size)
		return 0;
	len = (size_t)MIN((uint64_t)len, size - *pos);
	/* A mounted filesystem's newest blocks may still be in the cache. */
	if (bd->cached && bcache_sync(bd, false) < 0)
		return -EIO;
	err = blkdev_read(bd, *pos, buf, len);
	if (err < 0)
		return -EIO;
	*pos += len;
	return (long)len;
}

static long bd_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	struct blkdev *bd = f->priv;
	uint64_t size = bd_size(bd);
	int err;

	if (bd->read_only)
		return -EPERM;
	if (*pos >= size)
		return len ? -ENOSPC : 0;
	len = (size_t)MIN((uint64_t)len, size - *pos);
	err = blkdev_write(bd, *pos, buf, len);
	if (err < 0)
		return err == -EROFS ? -EPERM : -EIO;
	bcache_update_raw(bd, *pos, buf, len);
	*pos += len;
	return (long)len;
}

static long bd_llseek(struct file *f, int64_t off, int whence)
{
	struct blkdev *bd = f->priv;
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)bd_size(bd);
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

static long put_u64(uaddr_t arg, uint64_t v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long put_int(uaddr_t arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long bd_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct blkdev *bd = f->priv;

	switch (cmd) {
	case BLKGETSIZE64:
		return put_u64(arg, bd_size(bd));
	case BLKGETSIZE:
		return put_u64(arg, bd->sectors);
	case BLKSSZGET:
	case BLKPBSZGET:
		return put_int(arg, HAL_BLK_SECTOR);
	case BLKBSZGET:
		return put_int(arg, PAGE_SIZE);
	case BLKROGET:
		return put_int(arg, bd->read_only);
	case BLKFLSBUF:
		return bcache_sync(bd, true) < 0 ? -EIO : 0;
	default:
		return -ENOTTY;
	}
}

static int bd_fsync(struct file *f)
{
	return bcache_sync(f->priv, true) < 0 ? -EIO : 0;
}

static const struct file_ops blkdev_fops = {
	.read = bd_read,
	.write = bd_write,
	.llseek = bd_llseek,
	.ioctl = bd_ioctl,
	.fsync = bd_fsync,
};

int blkdev_open(uint64_t rdev, struct file *f)
{
	struct blkdev *bd = blkdev_by_rdev(rdev);

	if (!bd)
		return -ENXIO;
	if (bd->read_only && (f->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	f->ops = &blkdev_fops;
	f->priv = bd;
	return 0;
}

void blkdev_devfs_populate(struct inode *dir)
{
	for (int i = 0; i < blkdev_count(); i++) {
		int err = tmpfs_make_node(dir, devs[i].name, S_IFBLK | 0660,
					  devs[i].rdev, NULL);

		if (err < 0)
			pr_warn("blkdev: cannot make /dev/%s: %d", devs[i].name,
				err);
	}
}
