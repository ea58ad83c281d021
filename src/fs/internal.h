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
#include <uapi/poll.h>
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
/* openat2: RESOLVE_* flags (uapi/openat2.h) for the next walk that
 * starts, which takes and clears them; 0 clears them unused. */
void namei_set_resolve(unsigned resolve);
/* O_TMPFILE (sys_open.c): may ino, an unnamed file of an O_TMPFILE open
 * without O_EXCL, get a name (linkat)? True once per such file. */
bool vfs_tmpfile_linkable(struct inode *ino);
/* The last close of f: forget it as an O_TMPFILE (from flock.c). */
void vfs_tmpfile_release(struct file *f);
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
/* /dev/console (5,1) and /dev/tty (5,0, current's controlling terminal:
 * -ENXIO without one). */
int console_open_dev(struct file *f);
int console_open_ctty(struct file *f);

/* poll(2) event bits, as file_ops.poll reports them (uapi/poll.h). */
#define FS_POLLIN POLLIN
#define FS_POLLPRI POLLPRI
#define FS_POLLOUT POLLOUT
#define FS_POLLERR POLLERR
#define FS_POLLHUP POLLHUP

/* ---- readiness and waiting (sys_poll.c, wait_hook.c) ---- */
/* What f is ready for now (POLL* bits; RDNORM/WRNORM follow IN/OUT) and,
 * through *wq when not NULL, the queue notified when that changes (NULL:
 * never changes). Files without a poll op are always readable and
 * writable, as Linux's DEFAULT_POLLMASK. */
unsigned vfs_poll(struct file *f, struct waitq **wq);
/* True when current must give up a wait for a signal: one woke it, or one
 * it does not block is pending. */
bool fs_signal_pending(void);
/* fd_get for calls that refuse O_PATH files (as Linux's fdget): NULL for
 * a bad fd or an O_PATH file. */
struct file *fd_get_io(int fd);
/* Timeouts of the waiting calls (sys_poll.c): the monotonic deadline of
 * a first run (kept in current->block_deadline for the re-runs; infinite
 * has its own value), whether it passed, and parking until it. */
uint64_t poll_deadline_first(uint64_t timeout_ns, bool infinite);
bool poll_timed_out(uint64_t deadline);
long poll_block(struct waitq *const *wqs, size_t n, uint64_t deadline);
/* The temporary signal mask of ppoll/pselect6/epoll_pwait: applied at the
 * first run (0, -EINVAL, -EFAULT), and put back at the end unless the
 * call was interrupted (poll_sigmask_done passes ret through). */
int poll_sigmask_set(uaddr_t umask, size_t size);
long poll_sigmask_done(long ret);
/* Drops the poll table a parked poll/select of current left (the first
 * step of every run of those calls). */
void poll_table_clear(void);
/* Parks current until one of the queues wqs[0..n) (NULL entries are
 * skipped) is notified, the monotonic deadline passes (0: none) or a
 * signal comes: -EKBLOCK, or -ENOMEM. */
long poll_table_block(struct waitq *const *wqs, size_t n, uint64_t deadline);

/* ---- files without a name (anon.c) ---- */
/* A new pipefs inode (S_IFIFO | 0600, a fresh inode number); NULL when
 * out of memory. */
struct inode *pipefs_inode_new(void);
bool is_pipefs_inode(const struct inode *ino);
/* An open file named "pipe:[ino]" on a pipefs inode (a new reference). */
struct file *pipefs_file_open(struct inode *ino, unsigned flags,
			      const struct file_ops *ops, void *priv);
/* An open file on the shared anonymous inode, named "anon_inode:[kind]". */
struct file *anon_file_open(const char *kind, const struct file_ops *ops,
			    void *priv, unsigned flags);
/* Is mnt one of those pseudo filesystems, and the name of such a path. */
bool is_pseudo_mount(const struct mount *mnt);
long pseudo_path_name(const struct path *p, char *buf, size_t len);

/* ---- lock nodes (lock_node.c), for flock.c and fcntl_lock.c ---- */
/* The locks of one inode; exists while there are locks or waiters. */
struct lock_node {
	struct list_head link; /* in the owner's table */
	struct inode *ino;     /* referenced */
	struct list_head locks; /* the owner's lock records */
	struct waitq wq;       /* waiters for a change */
};
/* The node of ino in table; with create, a new one when there is none.
 * NULL when absent (or out of memory). */
struct lock_node *lock_node_find(struct list_head *table, struct inode *ino,
				 bool create);
/* Frees n once it has no locks and no waiters. */
void lock_node_put_if_unused(struct lock_node *n);

/* ---- pipes and FIFOs (pipe.c) ---- */
extern const struct file_ops pipe_fops;
static inline bool file_is_pipe(const struct file *f)
{
	return f->ops == &pipe_fops;
}
/* read/write of a pipe straight from/to current's user memory, with the
 * blocking and atomicity rules of pipe(7). */
long pipe_read_user(struct file *f, uaddr_t buf, size_t len);
long pipe_write_user(struct file *f, uaddr_t buf, size_t len);
/* F_GETPIPE_SZ / F_SETPIPE_SZ; -EBADF when f is no pipe. */
long pipe_fcntl(struct file *f, int cmd, unsigned long arg);
/* Bytes a write to pipe f could take now without waiting (0: full), or
 * -EPIPE when it has no reader; *wq: the queue to wait on for room. */
long pipe_write_room(struct file *f, struct waitq **wq);
/* splice/tee: copies up to len bytes from the front of pipe f into buf
 * without taking them. Returns the bytes, 0 at end of data (no writer
 * left), -EAGAIN when empty and nonblock (or f is O_NONBLOCK), -EINTR,
 * or -EKBLOCK (sched.h: parked until data or EOF). */
long pipe_peek(struct file *f, void *buf, size_t len, bool nonblock);
/* Takes the first n bytes pipe_peek showed out of pipe f. */
void pipe_consume(struct file *f, size_t n);

/* ---- what the last close of an open file must undo ---- */
void epoll_file_release(struct file *f); /* epoll.c: drop watches of f */
void flock_file_release(struct file *f); /* flock.c: drop f's lock */
/* fcntl_lock.c: record locks. fcntl_lock runs F_GETLK, F_SETLK(W) and
 * F_OFD_* for f with the user struct flock at arg. fcntl_lock_close: the
 * process owning fd table owner closed a descriptor of f (its POSIX locks
 * on f's inode go); the fd table calls it before putting the file.
 * fcntl_lock_file_release: the last close of f (its OFD locks go). */
long fcntl_lock(struct file *f, int cmd, uaddr_t arg);
void fcntl_lock_close(struct files *owner, struct file *f);
void fcntl_lock_file_release(struct file *f);

/* ---- fd ranges (fdtable.c) ---- */
/* close_range(2) on current's table: flags CLOSE_RANGE_UNSHARE and
 * CLOSE_RANGE_CLOEXEC; 0 or -ENOMEM. */
int fd_close_range(unsigned first, unsigned last, unsigned flags);
/* How many descriptors current's table has room for (at least 64): where
 * select stops looking. */
int fd_table_size(void);

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
