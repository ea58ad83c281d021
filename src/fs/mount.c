/*
 * mount.c: the mount table and the filesystem type list. A mount stacks a
 * filesystem's root dentry on a directory dentry of its parent mount; the
 * walk crosses it down (mount_follow_down) and back up at "..". Mounts are
 * never taken down (no umount yet), so paths do not count mount references.
 * Layer: VFS core; relies on the dentry cache and the filesystems' mount
 * functions.
 */
#include <uapi/statfs.h>

#include "internal.h"

static LIST_HEAD(mount_table);
static struct mount *root_mount;
static uint32_t next_anon_dev = 1;

static const struct fs_type fs_types[] = {
	{ "tmpfs", tmpfs_mount },    { "ramfs", tmpfs_mount },
	{ "devtmpfs", devfs_mount }, { "proc", procfs_mount },
	{ "sysfs", sysfs_mount },    { "hostfs", hostfs_mount },
};

struct super_block *sb_alloc(const char *fstype, uint64_t magic)
{
	struct super_block *sb = kzalloc(sizeof(*sb));

	if (!sb)
		return NULL;
	sb->fstype = fstype;
	sb->magic = magic;
	/* Anonymous devices are major 0, like Linux's tmpfs and proc. */
	sb->dev = uapi_makedev(0, next_anon_dev++);
	return sb;
}

void mount_root_path(struct path *out)
{
	KASSERT(root_mount);
	out->mnt = root_mount;
	out->dentry = root_mount->root;
	path_get(out);
}

struct mount *mount_lookup(struct mount *mnt, struct dentry *d)
{
	struct mount *m, *top = NULL;

	if (!d->mounted)
		return NULL;
	/* The table is in mount order: the last match is on top. */
	list_for_each_entry(m, &mount_table, link)
		if (m->parent == mnt && m->mountpoint == d)
			top = m;
	return top;
}

struct mount *mount_next(struct mount *prev)
{
	struct list_head *n = prev ? prev->link.next : mount_table.next;

	return n == &mount_table ? NULL : list_entry(n, struct mount, link);
}

void mount_follow_down(struct path *p)
{
	struct mount *m;

	while ((m = mount_lookup(p->mnt, p->dentry)) != NULL) {
		dentry_get(m->root);
		dentry_put(p->dentry);
		p->mnt = m;
		p->dentry = m->root;
	}
}

static const struct fs_type *fs_type_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fs_types); i++)
		if (strcmp(fs_types[i].name, name) == 0)
			return &fs_types[i];
	return NULL;
}

static struct mount *mount_new(struct dentry *root, const char *source,
			       unsigned long flags)
{
	struct mount *m = kzalloc(sizeof(*m));

	if (!m)
		return NULL;
	m->source = kstrdup(source ? source : "none");
	if (!m->source) {
		kfree(m);
		return NULL;
	}
	m->root = root;
	m->sb = root->inode->sb;
	m->flags = (unsigned)flags;
	list_init(&m->link);
	return m;
}

int mount_at(const struct path *p, const char *source, const char *fstype,
	     unsigned long flags, const void *data)
{
	const struct fs_type *type = fs_type_find(fstype);
	struct dentry *root;
	struct mount *m;

	if (!type)
		return -ENODEV;
	if (!S_ISDIR(p->dentry->inode->mode))
		return -ENOTDIR;
	root = type->mount(source, flags, data);
	if (IS_ERR(root))
		return (int)PTR_ERR(root);
	m = mount_new(root, source ? source : fstype, flags);
	if (!m) {
		dentry_put(root);
		return -ENOMEM;
	}
	m->parent = p->mnt;
	m->mountpoint = p->dentry;
	dentry_get(p->dentry);
	p->dentry->mounted++;
	list_add_tail(&m->link, &mount_table);
	return 0;
}

int vfs_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const void *data)
{
	struct path p;
	int err = vfs_walk(AT_FDCWD, target, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
			   &p);

	if (err < 0)
		return err;
	err = mount_at(&p, source, fstype, flags, data);
	path_put(&p);
	return err;
}

static int mount_root(const char *fstype, const char *source)
{
	const struct fs_type *type = fs_type_find(fstype);
	struct dentry *root;

	root = type->mount(source, 0, "mode=0755");
	if (IS_ERR(root))
		return (int)PTR_ERR(root);
	root_mount = mount_new(root, source, 0);
	if (!root_mount) {
		dentry_put(root);
		return -ENOMEM;
	}
	list_add_tail(&root_mount->link, &mount_table);
	return 0;
}

/* The directory name in the root, made when the root filesystem can. */
static int boot_mount(const char *dir, const char *fstype, uint32_t mode,
		      const char *data)
{
	struct path root;
	struct dentry *d;
	struct inode *rino;
	bool is_host;
	int err;

	mount_root_path(&root);
	rino = root.dentry->inode;
	is_host = root_mount->sb->magic == HOSTFS_SUPER_MAGIC;
	d = dentry_lookup(root.dentry, dir);
	if (IS_ERR(d) && PTR_ERR(d) == -ENOENT && !is_host) {
		err = rino->iops->mkdir(rino, dir, mode);
		d = err < 0 ? ERR_PTR(err) : dentry_lookup(root.dentry, dir);
	}
	if (IS_ERR(d) && is_host) {
		/* The host tree lacks it and we do not write to the host at
		 * boot: the mount sits on a directory only the guest sees. */
		struct inode *ino = inode_alloc(rino->sb, S_IFDIR | 0755);

		d = ino ? dentry_add_child(root.dentry, dir, ino) : NULL;
		if (!d) {
			inode_put(ino);
			d = ERR_PTR(-ENOMEM);
		}
	}
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out;
	}
	struct path mp = { root.mnt, d };

	err = mount_at(&mp, fstype, fstype, 0, data);
	dentry_put(d);
out:
	path_put(&root);
	if (err < 0)
		pr_warn("vfs: cannot mount %s on /%s: %d", fstype, dir, err);
	return err;
}

int vfs_init(const struct boot_info *bi)
{
	int err;

	if (bi->root_is_hostfs) {
		err = mount_root("hostfs", "hostfs");
	} else if (bi->initramfs && bi->initramfs_len) {
		err = mount_root("tmpfs", "rootfs");
		if (err == 0)
			err = initramfs_unpack(bi->initramfs, bi->initramfs_len);
	} else {
		err = mount_root("tmpfs", "rootfs");
	}
	if (err < 0) {
		pr_err("vfs: cannot mount the root filesystem: %d", err);
		return err;
	}
	boot_mount("dev", "devtmpfs", 0755, NULL);
	boot_mount("proc", "proc", 0555, NULL);
	boot_mount("sys", "sysfs", 0555, NULL);
	boot_mount("tmp", "tmpfs", 01777, "mode=1777");
	return 0;
}
