/*
 * fs/internal.h: what the files of src/fs share and nobody else sees: the
 * filesystem type table, dentry-cache and mount helpers, the walker's
 * parent form, chrdev dispatch and small helpers for directory records.
 */
#ifndef FS_INTERNAL_H
#define FS_INTERNAL_H

#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>

/* ---- filesystem types (mount.c) ---- */
struct fs_type {
	const char *name;
	/* Builds a new instance; returns its root dentry (holding the sb). */
	struct dentry *(*mount)(const char *source, unsigned long flags,
				const void *data);
};

/* A new super block with a fresh anonymous st_dev. NULL when out of memory. */
struct super_block *sb_alloc(const char *fstype, uint64_t magic);

struct dentry *tmpfs_mount(const char *source, unsigned long flags,
			   const void *data);
struct dentry *sysfs_mount(const char *source, unsigned long flags,
			   const void *data);
struct dentry *devfs_mount(const char *source, unsigned long flags,
			   const void *data);
struct dentry *procfs_mount(const char *source, unsigned long flags,
			    const void *data);
struct dentry *hostfs_mount(const char *source, unsigned long flags,
			    const void *data);
/* A tmpfs instance named fstype/magic (devfs and sysfs build on it). */
struct dentry *tmpfs_mount_as(const char *fstype, uint64_t magic,
			      uint32_t root_mode);
/* Unpacks a cpio newc archive into the root at boot (initramfs.c);
 * 0 or -EINVAL for a malformed or compressed archive. */
int initramfs_unpack(const void *archive, size_t len);
/* Creates nodes inside a tmpfs directory at boot (devfs population). */
int tmpfs_make_node(struct inode *dir, const char *name, uint32_t mode,
		    uint64_t rdev, const char *link_target);

/* ---- dentries (dentry.c) ---- */
/* A root dentry for ino (takes over the reference to ino). */
struct dentry *dentry_alloc_root(struct inode *ino);
/* The referenced child name of parent: cached (revalidated) or looked up
 * through the filesystem. ERR_PTR(-ENOENT) etc. */
struct dentry *dentry_lookup(struct dentry *parent, const char *name);
/* The cached child, without lookup or revalidation; referenced or NULL. */
struct dentry *dentry_find_cached(struct dentry *parent, const char *name);
/* Drops d from its parent's cache (unlink, rmdir, replaced by rename). */
void dentry_unhash(struct dentry *d);
/* Moves d under new_parent with new_name after a rename; 0 or -ENOMEM. */
int dentry_move(struct dentry *d, struct dentry *new_parent,
		const char *new_name);
/* A child dentry for ino under parent, entered in the cache. */
struct dentry *dentry_add_child(struct dentry *parent, const char *name,
				struct inode *ino);
static inline bool dentry_is_unhashed(const struct dentry *d)
{
	return d->flags & DENTRY_UNHASHED;
}

/* ---- mounts (mount.c) ---- */
/* The global root (the first mount's root), referenced into *out. */
void mount_root_path(struct path *out);
/* The mount stacked on (mnt, d), newest first, or NULL. */
struct mount *mount_lookup(struct mount *mnt, struct dentry *d);
/* Iterates the mount table in mount order: pass NULL to start. */
struct mount *mount_next(struct mount *prev);
/* Moves p down through every mount stacked on it. */
void mount_follow_down(struct path *p);
/* Mounts fstype on the directory p (already resolved). */
int mount_at(const struct path *p, const char *source, const char *fstype,
	     unsigned long flags, const void *data);

/* ---- the walk (namei.c) ---- */
enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };
struct walk_parent {
	struct path parent;	 /* referenced */
	char last[NAME_MAX + 1]; /* final component (LAST_NORM) */
	enum last_type type;
	bool trailing_slash;
};
/* The parent form every create/remove/rename syscall uses. */
int vfs_walk_parent_name(int dirfd, const char *path, struct walk_parent *wp);
void walk_parent_put(struct walk_parent *wp);
/*
 * The open(O_CREAT) walk: follows a final symlink when follow is set
 * (also to a missing target, which is then created). Either *child is the
 * existing file (wp->trailing_slash tells about a trailing '/'), or
 * child->dentry is NULL and wp names the parent and the name to create.
 */
int vfs_walk_create(int dirfd, const char *path, bool follow,
		    struct walk_parent *wp, struct path *child);
/* Task root / cwd of current (the global root when there is no task). */
void vfs_get_root(struct path *out);
void vfs_get_cwd(struct path *out);
/* Path of p relative to root (for /proc/PID/mounts of another task). */
long vfs_path_name_from(const struct path *p, const struct path *root,
			char *buf, size_t len);

/* ---- files (file.c) ---- */
struct file *file_alloc(const struct path *p, unsigned flags);
static inline bool file_readable(const struct file *f)
{
	return (f->flags & O_PATH) == 0 &&
	       ((f->flags & O_ACCMODE) == O_RDONLY ||
		(f->flags & O_ACCMODE) == O_RDWR);
}
static inline bool file_writable(const struct file *f)
{
	return (f->flags & O_PATH) == 0 &&
	       ((f->flags & O_ACCMODE) == O_WRONLY ||
		(f->flags & O_ACCMODE) == O_RDWR);
}
/* Generic lseek on the inode size (file_ops.llseek == NULL). */
long vfs_llseek(struct file *f, int64_t off, int whence);
/* Truncates ino to size (permission already checked). */
int vfs_truncate_inode(struct inode *ino, uint64_t size);
/* Wall-clock now for timestamps. */
struct timespec64 vfs_now(void);
/* Current's fs credentials (root when no task). */
uint32_t vfs_fsuid(void);
uint32_t vfs_fsgid(void);
bool vfs_in_group(uint32_t gid);
/* Is f seekable (pread/pwrite/lseek allowed)? */
bool vfs_seekable(struct file *f);

/* ---- character devices (devfs.c, console.c) ---- */
/* Sets f->ops/priv for a device node: 0 or -ENXIO. */
int chrdev_open(uint64_t rdev, struct file *f);
extern const struct file_ops console_fops;
int console_open_file(struct file *f, int stream);

/* poll(2) event bits, as file_ops.poll reports them. */
#define FS_POLLIN 0x001
#define FS_POLLPRI 0x002
#define FS_POLLOUT 0x004
#define FS_POLLERR 0x008
#define FS_POLLHUP 0x010

/* ---- directory records ---- */
/* Appends one linux_dirent64 at buf+*used if it fits in len; returns false
 * when it does not (nothing written). */
bool dirent_emit(void *buf, size_t len, size_t *used, uint64_t ino,
		 int64_t next_off, unsigned type, const char *name);

/* The task of current, or NULL during boot. */
static inline struct task *cur_task(void)
{
	return current ? current->task : NULL;
}

#endif
