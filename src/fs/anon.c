/*
 * anon.c: the two pseudo filesystems behind files that have no name:
 * pipefs (one S_IFIFO inode per pipe, named "pipe:[ino]") and anon_inodefs
 * (one shared inode for eventfd, timerfd and epoll files, named
 * "anon_inode:[kind]"). Their mounts are in no mount table and no walk
 * ever reaches them; only /proc/PID/fd links and fstat/fstatfs show them.
 * Layer: VFS core; relies on the dentry cache, inodes and file_alloc.
 */
#include <uapi/statfs.h>

#include "internal.h"

struct pseudo_fs {
	const char *name;
	uint64_t magic;
	struct mount *mnt; /* built at first use */
};

static struct pseudo_fs pipefs = { "pipefs", PIPEFS_MAGIC, NULL };
static struct pseudo_fs anonfs = { "anon_inodefs", ANON_INODE_FS_MAGIC, NULL };
static struct inode *anon_inode; /* shared by every anon_inodefs file */

/* Pseudo inodes keep attribute changes (fchmod, fchown, futimens on a
 * pipe) in memory, as Linux's simple_setattr does. */
static int pseudo_setattr(struct inode *ino, const struct iattr *a)
{
	if (a->valid & ATTR_SIZE)
		return -EINVAL;
	if (a->valid & ATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (a->mode & S_IALLUGO);
	if (a->valid & ATTR_UID)
		ino->uid = a->uid;
	if (a->valid & ATTR_GID)
		ino->gid = a->gid;
	if (a->valid & ATTR_ATIME)
		ino->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		ino->mtime = a->mtime;
	ino->ctime = vfs_now();
	return 0;
}

/* Reopening an eventfd or epoll file through /proc/PID/fd: Linux's anon
 * inodes have no open either. */
static int anon_open(struct inode *ino, struct file *f)
{
	return -ENXIO;
}

static const struct inode_ops pipefs_iops = {
	.setattr = pseudo_setattr,
};

static const struct inode_ops anon_iops = {
	.setattr = pseudo_setattr,
	.open = anon_open,
};

static struct mount *pseudo_mount(struct pseudo_fs *fs)
{
	struct super_block *sb;
	struct inode *root;
	struct dentry *d;
	struct mount *m;

	if (fs->mnt)
		return fs->mnt;
	sb = sb_alloc(fs->name, fs->magic);
	m = kzalloc(sizeof(*m));
	root = sb ? inode_alloc(sb, S_IFDIR | 0755) : NULL;
	d = root ? dentry_alloc_root(root) : NULL;
	if (!d) {
		if (root)
			inode_put(root);
		kfree(sb);
		kfree(m);
		return NULL;
	}
	list_init(&m->link);
	m->sb = sb;
	m->root = d;
	m->mountpoint = d;
	m->source = (char *)fs->name;
	fs->mnt = m;
	return m;
}

bool is_pseudo_mount(const struct mount *mnt)
{
	/* sockfs (sockfs.c) keeps its mount private: known by its magic. */
	return mnt && (mnt == pipefs.mnt || mnt == anonfs.mnt ||
		       (mnt->sb && mnt->sb->magic == 0x534f434bULL));
}

struct inode *pipefs_inode_new(void)
{
	struct mount *m = pseudo_mount(&pipefs);
	struct inode *ino;

	if (!m)
		return NULL;
	ino = inode_alloc(m->sb, S_IFIFO | 0600);
	if (ino)
		ino->iops = &pipefs_iops;
	return ino;
}

bool is_pipefs_inode(const struct inode *ino)
{
	return pipefs.mnt && ino->sb == pipefs.mnt->sb;
}

/* A new open file on ino (whose reference the file's dentry takes over)
 * named name under the pseudo root of m. */
static struct file *pseudo_file(struct mount *m, struct inode *ino,
				const char *name, unsigned flags,
				const struct file_ops *ops, void *priv)
{
	struct path p = { m, NULL };
	struct file *f;

	p.dentry = dentry_add_child(m->root, name, ino);
	if (!p.dentry) {
		inode_put(ino);
		return ERR_PTR(-ENOMEM);
	}
	/* Never found by a lookup, and the root's list stays short. */
	dentry_unhash(p.dentry);
	f = file_alloc(&p, flags);
	path_put(&p);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->ops = ops;
	f->priv = priv;
	return f;
}

struct file *pipefs_file_open(struct inode *ino, unsigned flags,
			      const struct file_ops *ops, void *priv)
{
	char name[32];

	ksnprintf(name, sizeof(name), "pipe:[%llu]",
		  (unsigned long long)ino->ino);
	inode_get(ino);
	return pseudo_file(pipefs.mnt, ino, name, flags, ops, priv);
}

struct file *anon_file_open(const char *kind, const struct file_ops *ops,
			    void *priv, unsigned flags)
{
	struct mount *m = pseudo_mount(&anonfs);
	char name[48];

	if (!m)
		return ERR_PTR(-ENOMEM);
	if (!anon_inode) {
		/* Linux's anon inode: mode 0600 without a file type. */
		anon_inode = inode_alloc(m->sb, S_IRUSR | S_IWUSR);
		if (!anon_inode)
			return ERR_PTR(-ENOMEM);
		anon_inode->iops = &anon_iops;
		anon_inode->uid = anon_inode->gid = 0;
	}
	ksnprintf(name, sizeof(name), "anon_inode:[%s]", kind);
	inode_get(anon_inode);
	return pseudo_file(m, anon_inode, name, flags, ops, priv);
}

long pseudo_path_name(const struct path *p, char *buf, size_t len)
{
	size_t n = strlen(p->dentry->name);

	if (n + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf, p->dentry->name, n + 1);
	return (long)n;
}
