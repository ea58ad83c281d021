/*
 * namei_ops.c: the namespace operations on kernel-space paths: mkdir,
 * mknod, rmdir, unlink, symlink, link, rename and readlink. Each resolves
 * the parent with the walk, applies Linux's checks in Linux's order
 * (existence, type, mount points, permission, sticky directories, EXDEV)
 * and then calls the filesystem, keeping the dentry cache in step.
 * Layer: VFS core; relies on the walk, the dentry cache and inode_ops.
 */
#include "internal.h"

static bool is_rdonly(const struct path *p)
{
	return p->mnt && (p->mnt->flags & MS_RDONLY);
}

/* May current add a name to dir? */
static int may_create(const struct path *dir)
{
	int err = vfs_permission(dir->dentry->inode, MAY_WRITE | MAY_EXEC);

	if (err < 0)
		return err;
	return is_rdonly(dir) ? -EROFS : 0;
}

/* May current remove victim from dir (write+search, sticky bit)? */
static int may_delete(const struct path *dir, struct inode *victim)
{
	struct inode *d = dir->dentry->inode;
	uint32_t uid = vfs_fsuid();
	int err = vfs_permission(d, MAY_WRITE | MAY_EXEC);

	if (err < 0)
		return err;
	if ((d->mode & S_ISVTX) && uid != 0 && uid != victim->uid &&
	    uid != d->uid)
		return -EPERM;
	return is_rdonly(dir) ? -EROFS : 0;
}

/* Looks wp->last up in the parent (search permission checked). */
static struct dentry *lookup_last(struct walk_parent *wp)
{
	int err = vfs_permission(wp->parent.dentry->inode, MAY_EXEC);

	if (err < 0)
		return ERR_PTR(err);
	return dentry_lookup(wp->parent.dentry, wp->last);
}

/*
 * Resolves the parent of a name to create: fails with -EEXIST when the
 * name exists and with -ENOENT for a trailing slash unless want_dir.
 */
static int create_parent(int dirfd, const char *path, bool want_dir,
			 struct walk_parent *wp)
{
	struct dentry *d = NULL;
	int err = vfs_walk_parent_name(dirfd, path, wp);

	if (err < 0)
		return err;
	if (wp->type != LAST_NORM) {
		err = -EEXIST;
		goto err_put;
	}
	d = lookup_last(wp);
	if (!IS_ERR(d)) {
		dentry_put(d);
		err = -EEXIST;
		goto err_put;
	}
	err = (int)PTR_ERR(d);
	if (err != -ENOENT)
		goto err_put;
	if (wp->trailing_slash && !want_dir) {
		err = -ENOENT;
		goto err_put;
	}
	err = may_create(&wp->parent);
	if (err < 0)
		goto err_put;
	return 0;
err_put:
	walk_parent_put(wp);
	return err;
}

static uint32_t cur_umask(void)
{
	struct task *t = cur_task();

	return t ? t->umask : 022;
}

int vfs_mkdirat(int dirfd, const char *path, uint32_t mode)
{
	struct walk_parent wp;
	struct inode *dir;
	int err = create_parent(dirfd, path, true, &wp);

	if (err < 0)
		return err;
	dir = wp.parent.dentry->inode;
	if (!dir->iops || !dir->iops->mkdir)
		err = -EPERM;
	else
		err = dir->iops->mkdir(dir, wp.last,
				       mode & (S_IALLUGO & ~cur_umask()));
	walk_parent_put(&wp);
	return err;
}

int vfs_mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)
{
	struct walk_parent wp;
	struct inode *dir;
	uint32_t type = mode & S_IFMT;
	int err;

	if (type == 0)
		type = S_IFREG;
	if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK &&
	    type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	if ((type == S_IFCHR || type == S_IFBLK) && vfs_fsuid() != 0)
		return -EPERM;
	err = create_parent(dirfd, path, false, &wp);
	if (err < 0)
		return err;
	dir = wp.parent.dentry->inode;
	if (!dir->iops || !dir->iops->create)
		err = -EPERM;
	else
		err = dir->iops->create(
			dir, wp.last, type | (mode & S_IALLUGO & ~cur_umask()),
			dev, NULL);
	walk_parent_put(&wp);
	return err;
}

int vfs_symlinkat(const char *target, int dirfd, const char *path)
{
	struct walk_parent wp;
	struct inode *dir;
	int err;

	if (!target[0])
		return -ENOENT;
	err = create_parent(dirfd, path, false, &wp);
	if (err < 0)
		return err;
	dir = wp.parent.dentry->inode;
	if (!dir->iops || !dir->iops->symlink)
		err = -EPERM;
	else
		err = dir->iops->symlink(dir, wp.last, target);
	walk_parent_put(&wp);
	return err;
}

int vfs_linkat(int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, int flags)
{
	unsigned lf = 0;
	struct walk_parent wp;
	struct inode *dir;
	struct path old;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_FOLLOW)
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = vfs_walk(olddirfd, oldpath, lf, &old);
	if (err < 0)
		return err;
	err = create_parent(newdirfd, newpath, false, &wp);
	if (err < 0)
		goto out_old;
	dir = wp.parent.dentry->inode;
	if (old.mnt != wp.parent.mnt)
		err = -EXDEV;
	else if (S_ISDIR(old.dentry->inode->mode))
		err = -EPERM;
	else if (!dir->iops || !dir->iops->link)
		err = -EPERM;
	else
		err = dir->iops->link(old.dentry->inode, dir, wp.last);
	walk_parent_put(&wp);
out_old:
	path_put(&old);
	return err;
}

/* Resolves an existing name to remove: the parent and the (uncrossed)
 * dentry of the name itself. */
static int remove_target(int dirfd, const char *path, struct walk_parent *wp,
			 struct dentry **victim)
{
	struct dentry *d = NULL;
	int err = vfs_walk_parent_name(dirfd, path, wp);

	if (err < 0)
		return err;
	d = wp->type == LAST_NORM ? lookup_last(wp) : NULL;
	if (IS_ERR(d)) {
		walk_parent_put(wp);
		return (int)PTR_ERR(d);
	}
	*victim = d;
	return 0;
}

int vfs_rmdirat(int dirfd, const char *path)
{
	struct walk_parent wp;
	struct dentry *d = NULL;
	struct inode *dir;
	int err = remove_target(dirfd, path, &wp, &d);

	if (err < 0)
		return err;
	dir = wp.parent.dentry->inode;
	if (wp.type == LAST_DOT)
		err = -EINVAL;
	else if (wp.type == LAST_DOTDOT)
		err = -ENOTEMPTY;
	else if (wp.type == LAST_ROOT)
		err = -EBUSY;
	else if (!S_ISDIR(d->inode->mode))
		err = -ENOTDIR;
	else if (d->mounted)
		err = -EBUSY;
	else
		err = may_delete(&wp.parent, d->inode);
	if (err == 0 && !(dir->iops && dir->iops->rmdir))
		err = -EPERM;
	if (err == 0)
		err = dir->iops->rmdir(dir, wp.last);
	if (err == 0)
		dentry_unhash(d);
	if (d)
		dentry_put(d);
	walk_parent_put(&wp);
	return err;
}

int vfs_unlinkat(int dirfd, const char *path)
{
	struct walk_parent wp;
	struct dentry *d = NULL;
	struct inode *dir;
	int err = remove_target(dirfd, path, &wp, &d);

	if (err < 0)
		return err;
	dir = wp.parent.dentry->inode;
	if (wp.type != LAST_NORM || S_ISDIR(d->inode->mode))
		err = -EISDIR;
	else if (wp.trailing_slash)
		err = -ENOTDIR;
	else if (d->mounted)
		err = -EBUSY;
	else
		err = may_delete(&wp.parent, d->inode);
	if (err == 0 && !(dir->iops && dir->iops->unlink))
		err = -EPERM;
	if (err == 0)
		err = dir->iops->unlink(dir, wp.last);
	if (err == 0)
		dentry_unhash(d);
	if (d)
		dentry_put(d);
	walk_parent_put(&wp);
	return err;
}

/* Is a an ancestor of (or equal to) b inside one mount? */
static bool is_ancestor(struct dentry *a, struct dentry *b)
{
	for (;;) {
		if (a == b)
			return true;
		if (b->parent == b)
			return false;
		b = b->parent;
	}
}

static int may_rename_dir(struct dentry *d, struct walk_parent *from,
			  struct walk_parent *to)
{
	/* A directory moving to another parent rewrites its "..". */
	if (S_ISDIR(d->inode->mode) && from->parent.dentry != to->parent.dentry)
		return vfs_permission(d->inode, MAY_WRITE);
	return 0;
}

int vfs_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, unsigned flags)
{
	struct walk_parent owp, nwp;
	struct dentry *od = NULL, *nd = NULL;
	struct inode *odir, *ndir;
	bool exchange = flags & RENAME_EXCHANGE;
	int err;

	if (flags &
	    ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && exchange)
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;
	err = vfs_walk_parent_name(olddirfd, oldpath, &owp);
	if (err < 0)
		return err;
	err = vfs_walk_parent_name(newdirfd, newpath, &nwp);
	if (err < 0)
		goto out_old;
	err = -EXDEV;
	if (owp.parent.mnt != nwp.parent.mnt)
		goto out;
	err = -EBUSY;
	if (owp.type != LAST_NORM || nwp.type != LAST_NORM)
		goto out;
	odir = owp.parent.dentry->inode;
	ndir = nwp.parent.dentry->inode;
	od = lookup_last(&owp);
	if (IS_ERR(od)) {
		err = (int)PTR_ERR(od);
		od = NULL;
		goto out;
	}
	nd = lookup_last(&nwp);
	if (IS_ERR(nd)) {
		err = (int)PTR_ERR(nd);
		nd = NULL;
		if (err != -ENOENT || exchange)
			goto out;
	}
	err = 0;
	if (nd && (flags & RENAME_NOREPLACE))
		err = -EEXIST;
	else if ((owp.trailing_slash || nwp.trailing_slash) &&
		 !S_ISDIR(od->inode->mode))
		err = -ENOTDIR;
	else if (exchange && nwp.trailing_slash && !S_ISDIR(nd->inode->mode))
		err = -ENOTDIR;
	if (err < 0)
		goto out;
	if (nd && nd->inode == od->inode)
		goto out; /* the same file: nothing to do */
	if (S_ISDIR(od->inode->mode) && is_ancestor(od, nwp.parent.dentry)) {
		err = -EINVAL;
		goto out;
	}
	if (nd && is_ancestor(nd, owp.parent.dentry)) {
		err = exchange ? -EINVAL : -ENOTEMPTY;
		goto out;
	}
	if (od->mounted || (nd && nd->mounted)) {
		err = -EBUSY;
		goto out;
	}
	err = may_delete(&owp.parent, od->inode);
	if (err == 0)
		err = nd ? may_delete(&nwp.parent, nd->inode) :
			   may_create(&nwp.parent);
	if (err == 0)
		err = may_rename_dir(od, &owp, &nwp);
	if (err == 0 && exchange && nd)
		err = may_rename_dir(nd, &nwp, &owp);
	if (err < 0)
		goto out;
	if (!odir->iops || !odir->iops->rename || odir->sb != ndir->sb) {
		err = odir->sb != ndir->sb ? -EXDEV : -EPERM;
		goto out;
	}
	err = odir->iops->rename(odir, owp.last, ndir, nwp.last, flags);
	if (err < 0)
		goto out;
	/* Keep the cache in step with the filesystem. */
	if (exchange) {
		if (dentry_move(od, nwp.parent.dentry, nwp.last) < 0)
			dentry_unhash(od);
		if (dentry_move(nd, owp.parent.dentry, owp.last) < 0)
			dentry_unhash(nd);
	} else {
		if (nd)
			dentry_unhash(nd);
		if (dentry_move(od, nwp.parent.dentry, nwp.last) < 0)
			dentry_unhash(od);
	}
out:
	if (od)
		dentry_put(od);
	if (nd)
		dentry_put(nd);
	walk_parent_put(&nwp);
out_old:
	walk_parent_put(&owp);
	return err;
}

long vfs_readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	struct path p;
	struct inode *ino;
	long n;
	int err = vfs_walk(dirfd, path, LOOKUP_EMPTY, &p);

	if (err < 0)
		return err;
	ino = p.dentry->inode;
	if (!S_ISLNK(ino->mode))
		n = path[0] ? -EINVAL : -ENOENT;
	else if (!ino->iops || !ino->iops->readlink)
		n = -EINVAL;
	else
		n = ino->iops->readlink(ino, buf, len);
	path_put(&p);
	return n;
}
