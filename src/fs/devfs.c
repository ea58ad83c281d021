/*
 * devfs.c: /dev and the character devices. /dev is a tmpfs instance filled
 * at mount with the standard nodes and links; opening any character node
 * (here, or one made with mknod elsewhere) dispatches on its device number
 * to a driver: null, zero, full, random/urandom, the console and /dev/tty
 * (console.c), /dev/ptmx and /dev/pts/N (pty.c).
 * Layer: filesystem + drivers; relies on tmpfs, hal_entropy and the VFS.
 */
#include <kern/blkdev.h>
#include <kern/tty.h>
#include <uapi/statfs.h>

#include "internal.h"

static long null_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	return 0;
}

static long sink_write(struct file *f, const void *buf, size_t len,
		       uint64_t *pos)
{
	return (long)len;
}

static long zero_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	memset(buf, 0, len);
	return (long)len;
}

static long full_write(struct file *f, const void *buf, size_t len,
		       uint64_t *pos)
{
	return -ENOSPC;
}

static long random_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	hal_entropy(buf, len);
	return (long)len;
}

/* Like Linux's null and zero: any seek succeeds and lands at 0. */
static long pos_zero_llseek(struct file *f, int64_t off, int whence)
{
	f->pos = 0;
	return 0;
}

static unsigned always_ready(struct file *f, struct waitq **wq)
{
	if (wq)
		*wq = NULL;
	return FS_POLLIN | FS_POLLOUT;
}

static const struct file_ops null_fops = {
	.read = null_read,
	.write = sink_write,
	.llseek = pos_zero_llseek,
	.poll = always_ready,
};

static const struct file_ops zero_fops = {
	.read = zero_read,
	.write = sink_write,
	.llseek = pos_zero_llseek,
	.poll = always_ready,
};

static const struct file_ops full_fops = {
	.read = zero_read,
	.write = full_write,
	.llseek = pos_zero_llseek,
	.poll = always_ready,
};

static const struct file_ops random_fops = {
	.read = random_read,
	.write = sink_write,
	.llseek = pos_zero_llseek,
	.poll = always_ready,
};

struct chrdev {
	uint32_t major, minor;
	const struct file_ops *fops; /* NULL: open_fn (terminals) */
	int (*open_fn)(struct file *f);
};

static const struct chrdev chrdevs[] = {
	{ 1, 3, &null_fops },	{ 1, 5, &zero_fops },	{ 1, 7, &full_fops },
	{ 1, 8, &random_fops }, { 1, 9, &random_fops },
	{ 5, 0, NULL, console_open_ctty },
	{ 5, 1, NULL, console_open_dev },
	{ 5, 2, NULL, pty_master_open },
};

int chrdev_open(uint64_t rdev, struct file *f)
{
	uint32_t major = uapi_major(rdev), minor = uapi_minor(rdev);

	if (major == 136) /* /dev/pts/N (pty.c) */
		return pty_slave_open(minor, f);
	for (size_t i = 0; i < ARRAY_SIZE(chrdevs); i++) {
		if (chrdevs[i].major != major || chrdevs[i].minor != minor)
			continue;
		if (!chrdevs[i].fops)
			return chrdevs[i].open_fn(f);
		f->ops = chrdevs[i].fops;
		return 0;
	}
	return -ENXIO;
}

struct devnode {
	const char *name;
	uint32_t mode;
	uint32_t major, minor;
	const char *target;
};

static const struct devnode devnodes[] = {
	{ "null", S_IFCHR | 0666, 1, 3, NULL },
	{ "zero", S_IFCHR | 0666, 1, 5, NULL },
	{ "full", S_IFCHR | 0666, 1, 7, NULL },
	{ "random", S_IFCHR | 0666, 1, 8, NULL },
	{ "urandom", S_IFCHR | 0666, 1, 9, NULL },
	{ "tty", S_IFCHR | 0666, 5, 0, NULL },
	{ "console", S_IFCHR | 0600, 5, 1, NULL },
	{ "ptmx", S_IFCHR | 0666, 5, 2, NULL },
	{ "shm", S_IFDIR | 01777, 0, 0, NULL },
	{ "pts", S_IFDIR | 0755, 0, 0, NULL },
	{ "fd", S_IFLNK | 0777, 0, 0, "/proc/self/fd" },
	{ "stdin", S_IFLNK | 0777, 0, 0, "/proc/self/fd/0" },
	{ "stdout", S_IFLNK | 0777, 0, 0, "/proc/self/fd/1" },
	{ "stderr", S_IFLNK | 0777, 0, 0, "/proc/self/fd/2" },
};

struct dentry *devfs_mount(const char *source, unsigned long flags,
			   const void *data)
{
	struct dentry *root = tmpfs_mount_as("devtmpfs", TMPFS_MAGIC, 0755);
	struct dentry *pts;

	if (IS_ERR(root))
		return root;
	for (size_t i = 0; i < ARRAY_SIZE(devnodes); i++) {
		const struct devnode *n = &devnodes[i];
		int err = tmpfs_make_node(root->inode, n->name, n->mode,
					  uapi_makedev(n->major, n->minor),
					  n->target);

		if (err < 0) {
			dentry_put(root);
			return ERR_PTR(err);
		}
	}
	blkdev_devfs_populate(root->inode);
	pts = dentry_lookup(root, "pts");
	if (!IS_ERR(pts)) {
		pty_set_dir(pts); /* the first /dev holds the pty nodes */
		dentry_put(pts);
	}
	return root;
}
