/*
 * mount.c: the mount table and the filesystem type list. A mount stacks a
 * filesystem's root dentry on a directory dentry of its parent mount; the
 * walk crosses it down (mount_follow_down) and back up at "..". Paths do
 * not count mount references: a mount is busy while its root dentry has
 * holders besides the mount (every dentry below holds its parent), and a
 * lazily detached mount stays allocated until that is no longer so.
 * Also remount, bind mounts, sync of every filesystem and the shutdown.
 * Layer: VFS core; relies on the dentry cache and the filesystems' mount
 * functions and super_ops.
 */
#include <uapi/mount.h>
#include <uapi/statfs.h>

#include "ext2.h"
#include "internal.h"

static LIST_HEAD(mount_table);
/* Lazily unmounted (MNT_DETACH) mounts whose files are still open. */
static LIST_HEAD(detached);
static struct mount *root_mount;
static uint32_t next_anon_dev = 1;

static const struct fs_type fs_types[] = {
	{ "tmpfs", tmpfs_mount },    { "ramfs", tmpfs_mount },
	{ "devtmpfs", devfs_mount }, { "proc", procfs_mount },
	{ "sysfs", sysfs_mount },    { "hostfs", hostfs_mount },
	{ "ext2", ext2_mount },
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
	/* A read-only disk or unknown features make the mount read-only. */
	if (ext2_sb_rdonly(root->inode->sb))
		flags |= MS_RDONLY;
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
			err = initramfs_unpack(bi->initramfs,
					       bi->initramfs_len);
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

/* ---- mount(2), umount2(2), sync ---- */

static bool has_children(struct mount *m)
{
	struct mount *c;

	list_for_each_entry(c, &mount_table, link)
		if (c->parent == m)
			return true;
	/* A detached child still walks ".." into its parent. */
	list_for_each_entry(c, &detached, link)
		if (c->parent == m)
			return true;
	return false;
}

static bool sb_in_use(struct super_block *sb)
{
	struct mount *m;

	list_for_each_entry(m, &mount_table, link)
		if (m->sb == sb)
			return true;
	list_for_each_entry(m, &detached, link)
		if (m->sb == sb)
			return true;
	return false;
}

/* Frees a mount already off both lists; the last mount of a device
 * filesystem takes its super block down. */
static void mount_release(struct mount *m)
{
	struct super_block *sb = m->sb;

	dentry_put(m->mountpoint);
	dentry_put(m->root);
	if (!sb_in_use(sb) && sb->ops && sb->ops->put_super)
		sb->ops->put_super(sb);
	kfree(m->source);
	kfree(m);
}

/* Frees the detached mounts nobody uses any more. */
static void reap_detached(void)
{
	struct mount *m, *tmp;

	list_for_each_entry_safe(m, tmp, &detached, link) {
		if (m->root->refcount > 1)
			continue;
		list_del(&m->link);
		mount_release(m);
	}
}

/* Resolves target to the root of the mount on it: 0 with *out (its
 * references dropped: mounts stay until umount), or -EINVAL. */
static int find_mount(const char *target, unsigned lf, struct mount **out)
{
	struct path p;
	int err = vfs_walk(AT_FDCWD, target, lf, &p);

	if (err < 0)
		return err;
	err = p.dentry == p.mnt->root ? 0 : -EINVAL;
	*out = p.mnt;
	path_put(&p);
	return err;
}

int vfs_umount(const char *target, int flags)
{
	struct mount *m;
	bool busy;
	int err;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	reap_detached();
	err = find_mount(target, (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			 &m);
	if (err < 0)
		return err;
	if (m == root_mount)
		return -EBUSY;
	busy = m->root->refcount > 1 || has_children(m);
	if (flags & MNT_EXPIRE)
		return busy ? -EBUSY : -EAGAIN;
	if (busy && (!(flags & MNT_DETACH) || has_children(m)))
		return -EBUSY;
	list_del(&m->link);
	m->mountpoint->mounted--;
	if (busy) {
		/* Open files keep using it; it is freed once they are gone. */
		if (m->sb->ops && m->sb->ops->sync)
			m->sb->ops->sync(m->sb);
		list_add_tail(&m->link, &detached);
		return 0;
	}
	mount_release(m);
	return 0;
}

static int do_remount(const char *target, unsigned long flags)
{
	struct super_block *sb;
	struct mount *m, *o;
	bool ro = flags & MS_RDONLY;
	int err = find_mount(target, LOOKUP_FOLLOW, &m);

	if (err < 0)
		return err;
	if (flags & MS_BIND) {
		/* Only this mount's flags change, not the filesystem's. */
		m->flags = (m->flags & ~(unsigned)MS_RDONLY) |
			   (ro ? MS_RDONLY : 0);
		return 0;
	}
	sb = m->sb;
	if (sb->ops && sb->ops->remount) {
		err = sb->ops->remount(sb, flags);
		if (err < 0)
			return err;
	}
	/* The filesystem is read-only for every mount of it, or writable
	 * again through this one. */
	list_for_each_entry(o, &mount_table, link)
		if (o->sb == sb && (ro || o == m))
			o->flags = (o->flags & ~(unsigned)MS_RDONLY) |
				   (ro ? MS_RDONLY : 0);
	return 0;
}

static int do_bind(const char *source, const char *target, unsigned long flags)
{
	struct path from, to;
	struct mount *m;
	int err;

	if (!source)
		return -EINVAL;
	err = vfs_walk(AT_FDCWD, source, LOOKUP_FOLLOW, &from);
	if (err < 0)
		return err;
	err = vfs_walk(AT_FDCWD, target, LOOKUP_FOLLOW, &to);
	if (err < 0)
		goto out_from;
	err = -ENOTDIR;
	if (!S_ISDIR(from.dentry->inode->mode) ||
	    !S_ISDIR(to.dentry->inode->mode))
		goto out;
	err = -ENOMEM;
	dentry_get(from.dentry);
	m = mount_new(from.dentry, from.mnt->source, flags & MS_RDONLY);
	if (!m) {
		dentry_put(from.dentry);
		goto out;
	}
	m->parent = to.mnt;
	m->mountpoint = to.dentry;
	dentry_get(to.dentry);
	to.dentry->mounted++;
	list_add_tail(&m->link, &mount_table);
	err = 0;
out:
	path_put(&to);
out_from:
	path_put(&from);
	return err;
}

int vfs_mount_user(const char *source, const char *target, const char *fstype,
		   unsigned long flags, const void *data)
{
	const unsigned long propagation = MS_SHARED | MS_PRIVATE | MS_SLAVE |
					  MS_UNBINDABLE;
	struct mount *m;
	int err;

	reap_detached();
	if (flags & MS_REMOUNT)
		return do_remount(target, flags);
	if (flags & MS_BIND)
		return do_bind(source, target, flags);
	if (flags & propagation) {
		/* Ember has no mount propagation: every mount is already
		 * private, which is all these can ask for on one namespace
		 * without peers. */
		err = find_mount(target, LOOKUP_FOLLOW, &m);
		return err;
	}
	if (flags & MS_MOVE)
		return -EINVAL;
	if (!fstype)
		return -EINVAL;
	if (!fs_type_find(fstype))
		return -ENODEV;
	return vfs_mount(source, target, fstype,
			 flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
				  MS_NOATIME | MS_NODIRATIME | MS_RELATIME),
			 data);
}

int vfs_sync_sb(struct super_block *sb)
{
	if (sb && sb->ops && sb->ops->sync)
		return sb->ops->sync(sb);
	return 0;
}

int vfs_sync_all(void)
{
	struct mount *m;
	int ret = 0, err;

	reap_detached();
	list_for_each_entry(m, &mount_table, link) {
		err = vfs_sync_sb(m->sb);
		if (err < 0 && ret == 0)
			ret = err;
	}
	list_for_each_entry(m, &detached, link) {
		err = vfs_sync_sb(m->sb);
		if (err < 0 && ret == 0)
			ret = err;
	}
	return ret;
}

static void shutdown_list(struct list_head *list)
{
	struct mount *m;

	list_for_each_entry(m, list, link)
		if (m->sb->ops && m->sb->ops->remount &&
		    m->sb->ops->remount(m->sb, MS_RDONLY) < 0)
			pr_warn("vfs: cannot write %s back at shutdown",
				m->source);
}

void vfs_shutdown(void)
{
	reap_detached();
	shutdown_list(&mount_table);
	shutdown_list(&detached);
}
