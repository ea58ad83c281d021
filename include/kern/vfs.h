/*
 * vfs: inodes, dentries, mounts, open files, the path walk and fd tables.
 *
 * Filesystems (tmpfs, devfs, procfs, hostfs, later ext2) supply inode_ops
 * and file_ops. The path walk lives here, in the core, for every
 * filesystem: a filesystem only ever looks up ONE name in ONE directory.
 * All functions return >= 0 or a negative errno (pointer returns use
 * ERR_PTR); none blocks, except file ops that follow the sched.h protocol.
 */
#ifndef KERN_VFS_H
#define KERN_VFS_H

#include <kern/list.h>
#include <kern/sched.h>
#include <kern/types.h>

#define PATH_MAX 4096
#define NAME_MAX 255
#define SYMLOOP_MAX 40

struct inode;
struct dentry;
struct file;
struct super_block;
struct mount;
struct kstat;
struct path;
struct vm_object_ops;

struct timespec64 {
	int64_t sec;
	int64_t nsec;
};

/* Attribute changes for inode_ops.setattr. */
#define ATTR_MODE 0x1
#define ATTR_UID 0x2
#define ATTR_GID 0x4
#define ATTR_SIZE 0x8
#define ATTR_ATIME 0x10
#define ATTR_MTIME 0x20
struct iattr {
	unsigned valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct timespec64 atime, mtime;
};

struct inode_ops {
	/* Looks name up in dir; *out gets a referenced inode. -ENOENT. */
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	/* Creates a regular file (or a node: mode has the type). */
	int (*create)(struct inode *dir, const char *name, uint32_t mode,
		      uint64_t rdev, struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, uint32_t mode);
	int (*unlink)(struct inode *dir, const char *name);
	int (*rmdir)(struct inode *dir, const char *name);
	int (*symlink)(struct inode *dir, const char *name, const char *target);
	int (*link)(struct inode *old, struct inode *dir, const char *name);
	int (*rename)(struct inode *olddir, const char *oldname,
		      struct inode *newdir, const char *newname, unsigned flags);
	/* Copies the link target (not NUL-terminated); returns its length. */
	long (*readlink)(struct inode *ino, char *buf, size_t len);
	int (*setattr)(struct inode *ino, const struct iattr *attr);
	/* Refreshes the inode's fields (hostfs); NULL when always current. */
	int (*getattr)(struct inode *ino);
	/* Sets file->ops and file->priv for a new open file. */
	int (*open)(struct inode *ino, struct file *f);
	/* Frees filesystem data when the last reference goes. */
	void (*evict)(struct inode *ino);
	/* Is the cached child `cached` still what name in dir names (hostfs:
	 * the host may change under us)? 1 yes, 0 no (looked up again),
	 * -ENOENT gone, other -errno. NULL: always valid. */
	int (*revalidate)(struct inode *dir, const char *name,
			  struct inode *cached);
	/* "Magic" symlinks (/proc/PID/fd/N, cwd, root): the walk jumps to the
	 * referenced *out instead of reading the text. NULL for plain links. */
	int (*follow_link)(struct inode *ino, struct path *out);
};

struct file_ops {
	/* Reads into a kernel buffer at *pos, advancing it; may return
	 * -EKBLOCK (sched.h protocol) or -EAGAIN with O_NONBLOCK. */
	long (*read)(struct file *f, void *buf, size_t len, uint64_t *pos);
	long (*write)(struct file *f, const void *buf, size_t len, uint64_t *pos);
	/* Linux getdents64 records into a kernel buffer; bytes, 0 at end. */
	long (*readdir)(struct file *f, void *buf, size_t len);
	/* New position (whence: SEEK_SET/CUR/END/DATA/HOLE), or -errno;
	 * NULL: the generic lseek on inode size. */
	long (*llseek)(struct file *f, int64_t off, int whence);
	/* arg is a user address; -ENOTTY for unknown commands. */
	long (*ioctl)(struct file *f, unsigned cmd, uaddr_t arg);
	/* POLLIN/POLLOUT/... bits ready now; wq (if non-NULL) receives the
	 * wait queue that changes them. */
	unsigned (*poll)(struct file *f, struct waitq **wq);
	int (*fsync)(struct file *f);
	void (*release)(struct file *f);
	/* MAP_SHARED of this file maps these pages (the object is the
	 * inode); NULL: shared mappings are refused with -ENODEV. */
	const struct vm_object_ops *vm_ops;
};

/* statfs figures a filesystem reports (super_ops.statfs). */
struct kstatfs {
	uint64_t bsize, blocks, bfree, bavail, files, ffree, namelen;
};

/* Filesystems backed by a device (ext2) supply these; NULL elsewhere. */
struct super_ops {
	int (*statfs)(struct super_block *sb, struct kstatfs *st);
	/* Writes every change back and flushes the device: 0 or -EIO. */
	int (*sync)(struct super_block *sb);
	/* MS_RDONLY set or cleared on the last mount: 0 or -errno. */
	int (*remount)(struct super_block *sb, unsigned long flags);
	/* The last mount is gone (its root dentry already put): write
	 * back, mark the filesystem clean and free everything. */
	void (*put_super)(struct super_block *sb);
};

struct super_block {
	const char *fstype; /* "tmpfs", "proc", "hostfs", ... */
	uint64_t dev;       /* st_dev */
	uint64_t next_ino;
	void *priv;
	uint64_t magic; /* statfs f_type */
	const struct super_ops *ops; /* NULL: nothing to write back */
};

struct inode {
	uint64_t ino;
	uint32_t mode; /* S_IF* | permissions */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t blocks; /* 512-byte units */
	uint64_t rdev;
	struct timespec64 atime, mtime, ctime;
	const struct inode_ops *iops;
	const struct file_ops *fops; /* default file ops (open may override) */
	struct super_block *sb;
	void *priv;
	int refcount;
};

struct dentry {
	char *name;              /* kmalloc'ed component ("/" for a root) */
	struct dentry *parent;   /* holds a reference; self for a root */
	struct inode *inode;     /* holds a reference */
	int refcount;
	struct list_head children; /* cached children (struct dentry.child_link) */
	struct list_head child_link;
	int mounted;             /* mounts stacked on this dentry */
	unsigned flags;          /* DENTRY_* */
};
/* Removed from its parent's cache (unlinked, replaced, or stale on the
 * host): still valid for its holders, never found by a lookup again. */
#define DENTRY_UNHASHED 0x1

struct mount {
	struct list_head link;     /* in the mount table */
	struct super_block *sb;
	struct dentry *root;       /* root of this filesystem */
	struct mount *parent;      /* NULL for the root mount */
	struct dentry *mountpoint; /* in parent */
	unsigned flags;            /* MS_RDONLY, ... */
	char *source;              /* for /proc/mounts */
};

/* mount.flags (mount(2)'s MS_RDONLY value). */
#ifndef MS_RDONLY
#define MS_RDONLY 1
#endif

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path path;
	struct inode *inode;
	const struct file_ops *ops;
	uint64_t pos;
	unsigned flags; /* O_ACCMODE | O_APPEND | O_NONBLOCK | ... (no O_CLOEXEC) */
	int refcount;
	void *priv;
};

/* The kernel's stat, filled by vfs_getattr and turned into struct stat or
 * statx by the syscalls. */
struct kstat {
	uint64_t dev, ino, nlink, rdev, size, blocks;
	uint32_t mode, uid, gid, blksize;
	struct timespec64 atime, mtime, ctime;
};

/* Filesystem context of a task: shared by CLONE_FS. */
struct fs_ctx {
	struct path root, cwd;
	int refcount;
};

/* ---- references ---- */
struct inode *inode_alloc(struct super_block *sb, uint32_t mode);
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
void dentry_get(struct dentry *d);
void dentry_put(struct dentry *d);
void path_get(const struct path *p);
void path_put(const struct path *p);
void file_get(struct file *f);
void file_put(struct file *f); /* the last put calls ops->release */

/* ---- path walk ---- */
#define LOOKUP_FOLLOW 0x1    /* follow a final symlink */
#define LOOKUP_DIRECTORY 0x2 /* the final component must be a directory */
#define LOOKUP_PARENT 0x4    /* stop at the parent; see vfs_walk_parent */
#define LOOKUP_EMPTY 0x8     /* "" names the start (AT_EMPTY_PATH) */

/*
 * Resolves path from dirfd (AT_FDCWD = -100, or an fd of current) under
 * current's root: "." and "..", mount points, symlinks (at most
 * SYMLOOP_MAX, else -ELOOP; ".." never climbs above the task's root).
 * *out holds references; release with path_put.
 */
int vfs_walk(int dirfd, const char *path, unsigned lookup_flags,
	     struct path *out);
/* Resolves all but the last component; *last points into path at the
 * final name, which ends at the next '/' or NUL (it may be "." or "..";
 * trailing slashes are reported through *trailing_slash; for "/" it is
 * ""). *parent is a referenced directory. */
int vfs_walk_parent(int dirfd, const char *path, struct path *parent,
		    const char **last, bool *trailing_slash);

/* ---- files ---- */
/* Opens path relative to dirfd with Linux O_* flags and creation mode
 * (umask applied here). Returns a file with refcount 1 or ERR_PTR. */
struct file *vfs_openat(int dirfd, const char *path, unsigned flags,
			uint32_t mode);
/* Opens an inode already found (devices, procfs links). */
struct file *vfs_open_path(const struct path *p, unsigned flags);
/* Opens a FIFO node: provided by the pipe code; while it is absent (a
 * weak NULL) opening a FIFO fails with -ENXIO. */
int pipe_fifo_open(struct inode *ino, struct file *f) __attribute__((weak));
long vfs_read(struct file *f, void *buf, size_t len);
long vfs_write(struct file *f, const void *buf, size_t len);
long vfs_pread(struct file *f, void *buf, size_t len, uint64_t off);
long vfs_pwrite(struct file *f, const void *buf, size_t len, uint64_t off);
int vfs_getattr(struct inode *ino, struct kstat *st);
/* Same as vfs_read/vfs_write, but the buffer is current's user memory
 * (zero-copy through its frames). *pos is f->pos or a pread offset.
 * Returns bytes, -EFAULT when nothing could be moved, or an op's error;
 * only the first chunk may block (-EKBLOCK, sched.h protocol). */
long vfs_read_user(struct file *f, uaddr_t buf, size_t len, uint64_t *pos);
long vfs_write_user(struct file *f, uaddr_t buf, size_t len, uint64_t *pos);

/* Access checks against current's fs credentials (mask of MAY_*; root
 * passes read/write always and exec when some x bit is set or the inode
 * is a directory). Returns 0 or -EACCES. */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
int vfs_permission(struct inode *ino, int mask);
/* Writes the file's absolute guest path into buf (for /proc/PID/fd and
 * getcwd); returns the length or -ENAMETOOLONG. */
long vfs_path_name(const struct path *p, char *buf, size_t len);

/* ---- namespace operations (kernel-space paths, relative to dirfd of
 * current, with Linux's checks and errnos; mode gets current's umask) ---- */
int vfs_mkdirat(int dirfd, const char *path, uint32_t mode);
/* mode holds the type (S_IFREG/CHR/BLK/FIFO/SOCK); dev for devices. */
int vfs_mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev);
int vfs_rmdirat(int dirfd, const char *path);
int vfs_unlinkat(int dirfd, const char *path);
int vfs_symlinkat(const char *target, int dirfd, const char *path);
/* flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH. */
int vfs_linkat(int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, int flags);
/* flags: RENAME_NOREPLACE or RENAME_EXCHANGE. */
int vfs_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath, unsigned flags);
/* The link's text (not NUL-terminated) into buf; its length. "" reads
 * the symlink dirfd itself refers to. */
long vfs_readlinkat(int dirfd, const char *path, char *buf, size_t len);
/* chmod on a resolved inode: owner or root only (-EPERM). */
int vfs_chmod(const struct path *p, uint32_t mode);
/* Makes p current's working directory (-ENOTDIR, -EACCES). */
int vfs_chdir(const struct path *p);

/* ---- mounts ---- */
/* Mounts a filesystem type ("tmpfs", "proc", "devtmpfs", "hostfs", "sysfs")
 * on the directory at path (after vfs_init: relative to init's root). */
int vfs_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const void *data);

/* mount(2) on a kernel-space target: also MS_REMOUNT and MS_BIND
 * (source is then a path); only root may (-EPERM). 0 or -errno. */
int vfs_mount_user(const char *source, const char *target,
		   const char *fstype, unsigned long flags, const void *data);
/* umount2(2) of the mount whose root is at target (MNT_DETACH,
 * UMOUNT_NOFOLLOW): -EINVAL when no mount point, -EBUSY while in use. */
int vfs_umount(const char *target, int flags);
/* Writes back every filesystem (sync(2)): 0 or the first error. */
int vfs_sync_all(void);
/* syncfs(2) for the filesystem of sb. */
int vfs_sync_sb(struct super_block *sb);
/* At power-off: every writable device-backed filesystem is written back
 * and marked clean. */
void vfs_shutdown(void);

/* Boots the VFS: the root filesystem (hostfs when bi->root_is_hostfs,
 * else tmpfs with the initramfs unpacked), then /dev, /proc, /sys, /tmp. */
int vfs_init(const struct boot_info *bi);
/* The filesystem context of init: root and cwd set from bi->init_cwd. */
struct fs_ctx *fs_ctx_init(const char *cwd);
struct fs_ctx *fs_ctx_clone(struct fs_ctx *fs);
void fs_ctx_put(struct fs_ctx *fs);

/* ---- file descriptor tables ---- */
#define FD_CLOEXEC_FLAG 1
struct files; /* opaque outside src/fs/fdtable.c */
struct files *files_create(void);
struct files *files_clone(struct files *fs); /* fork: dup every fd */
void files_get(struct files *fs);            /* CLONE_FILES */
void files_put(struct files *fs);            /* the last put closes all */
void files_close_on_exec(struct files *fs);
/* Installs f (taking a reference) at the lowest free fd >= min_fd of
 * current; returns the fd or -EMFILE. */
int fd_install(struct file *f, int min_fd, bool cloexec);
/* Referenced file for fd of current, or NULL (callers return -EBADF). */
struct file *fd_get(int fd);
/* Closes fd of current: 0 or -EBADF. */
int fd_close(int fd);
/* Installs f (taking a reference) exactly at fd of current, closing what
 * was there (dup2). Returns fd, or -EBADF when fd is outside the limit. */
int fd_install_at(int fd, struct file *f, bool cloexec);
/* The close-on-exec flag of fd: 0/1, or -EBADF. */
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
/* For /proc/PID/fd of any task: the referenced file at fd (or NULL), and
 * the lowest open fd >= from (or -1). */
struct file *files_lookup(struct files *fs, int fd);
/* The close-on-exec flag of fd in fs (any task's): 0/1, or -EBADF. */
int files_get_cloexec(struct files *fs, int fd);
int files_next_fd(struct files *fs, int from);

/* Opens the console as fds 0, 1, 2 of current (in, out, err streams). */
int console_open_stdio(void);

#endif
