/*
 * hostfs.c: the guest's view of a host directory tree, through the HAL's
 * host-file calls (one handle + one name per call, never following a host
 * symlink). Each inode holds an O_PATH handle plus the parent inode and
 * name it was found under, so operations the HAL only offers by name
 * (link, truncate, opening) need no host path. The host may change under
 * us: cached dentries are revalidated on every lookup, and attributes are
 * re-read on stat. Symlink text is read here but followed by the core walk.
 * Layer: filesystem; relies on hal_host_* and the VFS core.
 */
#include <uapi/dirent.h>
#include <uapi/statfs.h>

#include "internal.h"

struct hostfs_sb {
	struct list_head inodes; /* live hostfs_inode, for rename/unlink */
};

struct hostfs_inode {
	struct list_head link;
	struct inode *inode;
	int h;		      /* O_PATH handle, or -1 */
	int dirh;	      /* readable directory handle, opened lazily */
	struct inode *parent; /* referenced; NULL for the root */
	char *name;	      /* in parent; NULL once unlinked or replaced */
};

static const struct inode_ops hostfs_iops;
static const struct file_ops hostfs_file_ops, hostfs_dir_ops;

static struct hostfs_inode *hi_of(struct inode *ino)
{
	return ino->priv;
}

/* The handle of a directory inode, or -ENOENT for a guest-only one. */
static int dir_handle(struct inode *dir)
{
	struct hostfs_inode *hi = hi_of(dir);

	return hi && hi->h >= 0 ? hi->h : -ENOENT;
}

static void fill_attrs(struct inode *ino, const struct hal_host_stat *st)
{
	ino->ino = st->ino;
	ino->mode = st->mode;
	ino->nlink = st->nlink;
	ino->uid = st->uid;
	ino->gid = st->gid;
	ino->size = st->size;
	ino->blocks = st->blocks;
	ino->rdev = st->rdev;
	ino->atime.sec = st->atime_sec;
	ino->atime.nsec = st->atime_nsec;
	ino->mtime.sec = st->mtime_sec;
	ino->mtime.nsec = st->mtime_nsec;
	ino->ctime.sec = st->ctime_sec;
	ino->ctime.nsec = st->ctime_nsec;
}

/* A new inode owning handle h (closed on failure). */
static struct inode *hostfs_new_inode(struct super_block *sb, int h,
				      struct inode *parent, const char *name)
{
	struct hostfs_sb *hs = sb->priv;
	struct hal_host_stat st;
	struct hostfs_inode *hi;
	struct inode *ino;
	int err = hal_host_fstat(h, &st);

	if (err < 0)
		goto err_close;
	err = -ENOMEM;
	hi = kzalloc(sizeof(*hi));
	if (!hi)
		goto err_close;
	if (name && !(hi->name = kstrdup(name)))
		goto err_free;
	ino = inode_alloc(sb, st.mode);
	if (!ino)
		goto err_free;
	fill_attrs(ino, &st);
	ino->priv = hi;
	ino->iops = &hostfs_iops;
	if (S_ISREG(st.mode))
		ino->fops = &hostfs_file_ops;
	else if (S_ISDIR(st.mode))
		ino->fops = &hostfs_dir_ops;
	hi->inode = ino;
	hi->h = h;
	hi->dirh = -1;
	hi->parent = parent;
	if (parent)
		inode_get(parent);
	list_add_tail(&hi->link, &hs->inodes);
	return ino;
err_free:
	kfree(hi->name);
	kfree(hi);
err_close:
	hal_host_close(h);
	return ERR_PTR(err);
}

static int hostfs_lookup(struct inode *dir, const char *name,
			 struct inode **out)
{
	int dh = dir_handle(dir), h;
	struct inode *ino;

	if (dh < 0)
		return dh;
	h = hal_host_openat(dh, name, O_PATH, 0);
	if (h < 0)
		return h;
	ino = hostfs_new_inode(dir->sb, h, dir, name);
	if (IS_ERR(ino))
		return (int)PTR_ERR(ino);
	*out = ino;
	return 0;
}

static int hostfs_revalidate(struct inode *dir, const char *name,
			     struct inode *cached)
{
	struct hal_host_stat st;
	int dh = dir_handle(dir), err;

	if (dh < 0)
		return dh;
	err = hal_host_statat(dh, name, &st);
	if (err < 0)
		return err;
	if (st.ino != cached->ino ||
	    (st.mode & S_IFMT) != (cached->mode & S_IFMT))
		return 0;
	fill_attrs(cached, &st);
	return 1;
}

static int hostfs_getattr(struct inode *ino)
{
	struct hostfs_inode *hi = hi_of(ino);
	struct hal_host_stat st;
	int err;

	if (!hi || hi->h < 0)
		return 0;
	err = hal_host_fstat(hi->h, &st);
	if (err < 0)
		return err;
	fill_attrs(ino, &st);
	return 0;
}

static void hostfs_evict(struct inode *ino)
{
	struct hostfs_inode *hi = hi_of(ino);

	if (!hi)
		return;
	list_del(&hi->link);
	if (hi->h >= 0)
		hal_host_close(hi->h);
	if (hi->dirh >= 0)
		hal_host_close(hi->dirh);
	inode_put(hi->parent);
	kfree(hi->name);
	kfree(hi);
	ino->priv = NULL;
}

/* Opens the inode again by (parent, name) with flags: a handle or -errno. */
static int reopen(struct inode *ino, int flags)
{
	struct hostfs_inode *hi = hi_of(ino);
	int dh;

	if (!hi || !hi->parent || !hi->name)
		return -ENOENT;
	dh = dir_handle(hi->parent);
	if (dh < 0)
		return dh;
	return hal_host_openat(dh, hi->name, flags, 0);
}

/* Forgets the name (dir, name) in every live inode: it was unlinked or
 * replaced on the host. */
static void forget_name(struct inode *dir, const char *name)
{
	struct hostfs_sb *hs = dir->sb->priv;
	struct hostfs_inode *hi;

	list_for_each_entry(hi, &hs->inodes, link) {
		if (hi->parent == dir && hi->name && !strcmp(hi->name, name)) {
			kfree(hi->name);
			hi->name = NULL;
		}
	}
}

/* ---- directory operations ---- */

static int hostfs_create(struct inode *dir, const char *name, uint32_t mode,
			 uint64_t rdev, struct inode **out)
{
	int dh = dir_handle(dir), h;

	if (dh < 0)
		return dh;
	/* The HAL has no mknod: only regular files can be made here. */
	if ((mode & S_IFMT) && !S_ISREG(mode))
		return -EPERM;
	h = hal_host_openat(dh, name, O_CREAT | O_EXCL | O_RDONLY,
			    mode & S_IALLUGO);
	if (h < 0)
		return h;
	hal_host_close(h);
	if (!out)
		return 0;
	return hostfs_lookup(dir, name, out);
}

static int hostfs_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	int dh = dir_handle(dir);

	return dh < 0 ? dh : hal_host_mkdirat(dh, name, mode & S_IALLUGO);
}

static int hostfs_unlink(struct inode *dir, const char *name)
{
	int dh = dir_handle(dir), err;

	if (dh < 0)
		return dh;
	err = hal_host_unlinkat(dh, name, 0);
	if (err == 0)
		forget_name(dir, name);
	return err;
}

static int hostfs_rmdir(struct inode *dir, const char *name)
{
	int dh = dir_handle(dir), err;

	if (dh < 0)
		return dh;
	err = hal_host_unlinkat(dh, name, AT_REMOVEDIR);
	if (err == 0)
		forget_name(dir, name);
	return err;
}

static int hostfs_symlink(struct inode *dir, const char *name,
			  const char *target)
{
	int dh = dir_handle(dir);

	return dh < 0 ? dh : hal_host_symlinkat(target, dh, name);
}

static int hostfs_link(struct inode *old, struct inode *dir, const char *name)
{
	struct hostfs_inode *hi = hi_of(old);
	int dh = dir_handle(dir), odh;

	if (dh < 0)
		return dh;
	if (!hi || !hi->parent || !hi->name)
		return -ENOENT;
	odh = dir_handle(hi->parent);
	if (odh < 0)
		return odh;
	return hal_host_linkat(odh, hi->name, dh, name);
}

static void rename_names(struct inode *olddir, const char *oldname,
			 struct inode *newdir, const char *newname,
			 unsigned flags)
{
	struct hostfs_sb *hs = olddir->sb->priv;
	struct hostfs_inode *hi;

	list_for_each_entry(hi, &hs->inodes, link) {
		bool at_old = hi->parent == olddir && hi->name &&
			      !strcmp(hi->name, oldname);
		bool at_new = hi->parent == newdir && hi->name &&
			      !strcmp(hi->name, newname);
		struct inode *to_dir;
		const char *to_name;
		char *name;

		if (at_old == at_new)
			continue;
		if (at_new && !(flags & RENAME_EXCHANGE)) {
			kfree(hi->name);
			hi->name = NULL;
			continue;
		}
		to_dir = at_old ? newdir : olddir;
		to_name = at_old ? newname : oldname;
		name = kstrdup(to_name);
		kfree(hi->name);
		hi->name = name; /* NULL on no memory: the name is forgotten */
		if (hi->parent != to_dir) {
			inode_get(to_dir);
			inode_put(hi->parent);
			hi->parent = to_dir;
		}
	}
}

static int hostfs_rename(struct inode *olddir, const char *oldname,
			 struct inode *newdir, const char *newname,
			 unsigned flags)
{
	int odh = dir_handle(olddir), ndh = dir_handle(newdir), err;

	if (odh < 0)
		return odh;
	if (ndh < 0)
		return ndh;
	err = hal_host_renameat(odh, oldname, ndh, newname, flags);
	if (err == 0)
		rename_names(olddir, oldname, newdir, newname, flags);
	return err;
}

static long hostfs_readlink(struct inode *ino, char *buf, size_t len)
{
	struct hostfs_inode *hi = hi_of(ino);

	if (!hi || hi->h < 0)
		return -EINVAL;
	/* An empty name reads the link the O_PATH handle itself names. */
	return hal_host_readlinkat(hi->h, "", buf, len);
}

static int hostfs_setattr(struct inode *ino, const struct iattr *a)
{
	struct hostfs_inode *hi = hi_of(ino);
	int err = 0, h;

	if (!hi || hi->h < 0)
		return -EPERM;
	if (a->valid & ATTR_SIZE) {
		h = reopen(ino, O_WRONLY);
		if (h >= 0) {
			err = hal_host_ftruncate(h, a->size);
			hal_host_close(h);
		} else {
			/* No name left (unlinked): the HAL may still manage
			 * through the handle. */
			err = hal_host_ftruncate(hi->h, a->size);
		}
		if (err < 0)
			return err;
	}
	if (a->valid & ATTR_MODE) {
		err = hal_host_fchmod(hi->h, a->mode & S_IALLUGO);
		if (err < 0)
			return err;
	}
	if (a->valid & (ATTR_UID | ATTR_GID)) {
		err = hal_host_fchown(hi->h,
				      (a->valid & ATTR_UID) ? a->uid : ~0u,
				      (a->valid & ATTR_GID) ? a->gid : ~0u);
		if (err < 0)
			return err;
	}
	if (a->valid & (ATTR_ATIME | ATTR_MTIME)) {
		int64_t t[4] = { a->atime.sec, a->atime.nsec, a->mtime.sec,
				 a->mtime.nsec };

		if (!(a->valid & ATTR_ATIME))
			t[1] = UTIME_OMIT;
		if (!(a->valid & ATTR_MTIME))
			t[3] = UTIME_OMIT;
		err = hal_host_futimens(hi->h, t);
		if (err < 0)
			return err;
	}
	return hostfs_getattr(ino);
}

/* ---- open files ---- */

static int hostfs_open(struct inode *ino, struct file *f)
{
	struct hostfs_inode *hi = hi_of(ino);
	int h;

	if (!hi)
		return -ENOENT;
	if (S_ISDIR(ino->mode)) {
		if (hi->dirh < 0) {
			h = hi->parent ? reopen(ino, O_RDONLY | O_DIRECTORY) :
					 -ENOENT;
			if (h >= 0)
				hi->dirh = h;
		}
		f->ops = &hostfs_dir_ops;
		return 0;
	}
	if (!S_ISREG(ino->mode))
		return 0;
	h = reopen(ino, (int)(f->flags & O_ACCMODE));
	if (h < 0)
		return h;
	f->ops = &hostfs_file_ops;
	f->priv = (void *)(intptr_t)h;
	return 0;
}

static int file_handle(struct file *f)
{
	return (int)(intptr_t)f->priv;
}

static long hostfs_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	long n = hal_host_pread(file_handle(f), buf, len, *pos);

	if (n > 0)
		*pos += (uint64_t)n;
	return n;
}

static long hostfs_write(struct file *f, const void *buf, size_t len,
			 uint64_t *pos)
{
	long n = hal_host_pwrite(file_handle(f), buf, len, *pos);

	if (n > 0) {
		*pos += (uint64_t)n;
		if (*pos > f->inode->size)
			f->inode->size = *pos;
	}
	return n;
}

static int hostfs_fsync(struct file *f)
{
	if (S_ISDIR(f->inode->mode)) {
		struct hostfs_inode *hi = hi_of(f->inode);

		return hi && hi->dirh >= 0 ? hal_host_fsync(hi->dirh) : 0;
	}
	return hal_host_fsync(file_handle(f));
}

static void hostfs_release(struct file *f)
{
	if (S_ISREG(f->inode->mode))
		hal_host_close(file_handle(f));
}

static long hostfs_readdir(struct file *f, void *buf, size_t len)
{
	struct hostfs_inode *hi = hi_of(f->inode);
	/* The root was opened by the HAL, not by name: use its handle. */
	int h = hi ? (hi->dirh >= 0 ? hi->dirh : hi->h) : -1;
	size_t off = 0;
	int64_t last = (int64_t)f->pos;
	long n;
	int err;

	if (h < 0)
		return 0; /* a directory only the guest has: empty */
	err = hal_host_seekdir(h, f->pos);
	if (err < 0)
		return err;
	n = hal_host_getdents(h, buf, len);
	if (n <= 0)
		return n;
	if ((size_t)n > len)
		return -EIO;
	/* The next position is the d_off of the last record returned. */
	while (off + offsetof(struct linux_dirent64, d_name) <= (size_t)n) {
		struct linux_dirent64 *d =
			(struct linux_dirent64 *)((char *)buf + off);

		if (d->d_reclen == 0 || off + d->d_reclen > (size_t)n)
			return -EIO;
		last = d->d_off;
		off += d->d_reclen;
	}
	f->pos = (uint64_t)last;
	return n;
}

static const struct file_ops hostfs_file_ops = {
	.read = hostfs_read,
	.write = hostfs_write,
	.fsync = hostfs_fsync,
	.release = hostfs_release,
};

static const struct file_ops hostfs_dir_ops = {
	.readdir = hostfs_readdir,
	.fsync = hostfs_fsync,
};

static const struct inode_ops hostfs_iops = {
	.lookup = hostfs_lookup,
	.create = hostfs_create,
	.mkdir = hostfs_mkdir,
	.unlink = hostfs_unlink,
	.rmdir = hostfs_rmdir,
	.symlink = hostfs_symlink,
	.link = hostfs_link,
	.rename = hostfs_rename,
	.readlink = hostfs_readlink,
	.setattr = hostfs_setattr,
	.getattr = hostfs_getattr,
	.open = hostfs_open,
	.evict = hostfs_evict,
	.revalidate = hostfs_revalidate,
};

struct dentry *hostfs_mount(const char *source, unsigned long flags,
			    const void *data)
{
	struct super_block *sb = sb_alloc("hostfs", HOSTFS_SUPER_MAGIC);
	struct hostfs_sb *hs = kzalloc(sizeof(*hs));
	struct inode *root;
	struct dentry *d;
	int h;

	if (!sb || !hs) {
		kfree(sb);
		kfree(hs);
		return ERR_PTR(-ENOMEM);
	}
	list_init(&hs->inodes);
	sb->priv = hs;
	h = hal_host_root();
	if (h < 0) {
		kfree(sb);
		kfree(hs);
		return ERR_PTR(h);
	}
	root = hostfs_new_inode(sb, h, NULL, NULL);
	if (IS_ERR(root)) {
		kfree(sb);
		kfree(hs);
		return (struct dentry *)root;
	}
	if (!S_ISDIR(root->mode)) {
		inode_put(root);
		return ERR_PTR(-ENOTDIR);
	}
	d = dentry_alloc_root(root);
	if (!d) {
		inode_put(root);
		return ERR_PTR(-ENOMEM);
	}
	return d;
}
