/*
 * dentry.c: the dentry cache, a tree of names. A dentry stays in its
 * parent's children list exactly as long as someone references it (an
 * open file, a cwd, a mount, a walk in progress); the last put frees it
 * and releases its parent. Filesystems whose contents change behind our
 * back (hostfs) revalidate cached children on every lookup.
 * Layer: VFS core; relies on kmalloc and inode_ops.lookup/revalidate.
 */
#include "internal.h"

static struct dentry *dentry_new(const char *name, struct inode *ino)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->name = kstrdup(name);
	if (!d->name) {
		kfree(d);
		return NULL;
	}
	d->inode = ino;
	d->refcount = 1;
	list_init(&d->children);
	list_init(&d->child_link);
	return d;
}

struct dentry *dentry_alloc_root(struct inode *ino)
{
	struct dentry *d = dentry_new("/", ino);

	if (!d)
		return NULL;
	d->parent = d;
	return d;
}

struct dentry *dentry_add_child(struct dentry *parent, const char *name,
				struct inode *ino)
{
	struct dentry *d = dentry_new(name, ino);

	if (!d)
		return NULL;
	dentry_get(parent);
	d->parent = parent;
	list_add_tail(&d->child_link, &parent->children);
	return d;
}

void dentry_get(struct dentry *d)
{
	KASSERT(d->refcount > 0);
	d->refcount++;
}

void dentry_put(struct dentry *d)
{
	while (d) {
		struct dentry *parent;

		KASSERT(d->refcount > 0);
		if (--d->refcount > 0)
			return;
		KASSERT(list_empty(&d->children));
		parent = d->parent == d ? NULL : d->parent;
		list_del(&d->child_link);
		inode_put(d->inode);
		kfree(d->name);
		kfree(d);
		d = parent;
	}
}

struct dentry *dentry_find_cached(struct dentry *parent, const char *name)
{
	struct dentry *d;

	list_for_each_entry(d, &parent->children, child_link) {
		if (strcmp(d->name, name) == 0) {
			dentry_get(d);
			return d;
		}
	}
	return NULL;
}

void dentry_unhash(struct dentry *d)
{
	d->flags |= DENTRY_UNHASHED;
	list_del(&d->child_link);
}

int dentry_move(struct dentry *d, struct dentry *new_parent,
		const char *new_name)
{
	char *name = kstrdup(new_name);
	struct dentry *old_parent = d->parent;

	if (!name)
		return -ENOMEM;
	kfree(d->name);
	d->name = name;
	if (old_parent != new_parent) {
		dentry_get(new_parent);
		d->parent = new_parent;
	}
	list_del(&d->child_link);
	if (!(d->flags & DENTRY_UNHASHED))
		list_add_tail(&d->child_link, &new_parent->children);
	if (old_parent != new_parent)
		dentry_put(old_parent);
	return 0;
}

struct dentry *dentry_lookup(struct dentry *parent, const char *name)
{
	struct inode *dir = parent->inode;
	struct inode *ino = NULL;
	struct dentry *d;
	int err;

	if (!S_ISDIR(dir->mode) || !dir->iops || !dir->iops->lookup)
		return ERR_PTR(-ENOTDIR);
	d = dentry_find_cached(parent, name);
	if (d) {
		/* A mount point stays even if the host removed the directory
		 * under it: what the guest sees there is the mount. */
		if (d->mounted || !dir->iops->revalidate)
			return d;
		err = dir->iops->revalidate(dir, name, d->inode);
		if (err > 0)
			return d;
		if (err == 0 || err == -ENOENT)
			dentry_unhash(d);
		dentry_put(d);
		if (err < 0)
			return ERR_PTR(err);
	}
	err = dir->iops->lookup(dir, name, &ino);
	if (err < 0)
		return ERR_PTR(err);
	d = dentry_add_child(parent, name, ino);
	if (!d) {
		inode_put(ino);
		return ERR_PTR(-ENOMEM);
	}
	return d;
}

void path_get(const struct path *p)
{
	dentry_get(p->dentry);
}

void path_put(const struct path *p)
{
	if (p->dentry)
		dentry_put(p->dentry);
}
