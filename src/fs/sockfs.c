/*
 * sockfs.c: the pseudo filesystem behind socket file descriptors. Each
 * socket gets its own S_IFSOCK inode under one hidden root, so fstat,
 * /proc/PID/fd and the generic file code treat it like any open file.
 * Layer: VFS; relies on inode/dentry allocation. The socket layer
 * (src/net) supplies the file ops.
 */
#include <kern/net.h>

#include "internal.h"

#define SOCKFS_MAGIC 0x534f434bULL

static struct mount *sockfs_mnt;

static int sockfs_init(void)
{
	struct super_block *sb;
	struct inode *root;
	struct mount *m;

	if (sockfs_mnt)
		return 0;
	sb = sb_alloc("sockfs", SOCKFS_MAGIC);
	m = kzalloc(sizeof(*m));
	if (!sb || !m)
		goto err;
	root = inode_alloc(sb, S_IFDIR | 0555);
	if (!root)
		goto err;
	m->root = dentry_alloc_root(root);
	if (!m->root) {
		inode_put(root);
		goto err;
	}
	m->sb = sb;
	list_init(&m->link);
	sockfs_mnt = m;
	return 0;
err:
	kfree(m);
	kfree(sb);
	return -ENOMEM;
}

struct file *sockfs_alloc_file(const struct file_ops *ops, void *priv,
			       unsigned flags)
{
	struct inode *ino;
	struct dentry *d;
	struct path p;
	struct file *f;
	char name[32];

	if (sockfs_init() < 0)
		return ERR_PTR(-ENOMEM);
	ino = inode_alloc(sockfs_mnt->sb, S_IFSOCK | 0777);
	if (!ino)
		return ERR_PTR(-ENOMEM);
	ino->fops = ops;
	ksnprintf(name, sizeof(name), "socket:[%llu]",
		  (unsigned long long)ino->ino);
	d = dentry_add_child(sockfs_mnt->root, name, ino);
	if (!d) {
		inode_put(ino);
		return ERR_PTR(-ENOMEM);
	}
	p.mnt = sockfs_mnt;
	p.dentry = d;
	f = file_alloc(&p, O_RDWR | (flags & O_NONBLOCK));
	dentry_put(d);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->ops = ops;
	f->priv = priv;
	return f;
}

bool sockfs_is_socket(const struct file *f)
{
	return sockfs_mnt && f->inode->sb == sockfs_mnt->sb &&
	       S_ISSOCK(f->inode->mode);
}
