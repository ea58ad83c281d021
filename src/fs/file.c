/*
 * file.c: open files: opening by path (with O_CREAT, O_TRUNC and the
 * permission checks), reference counting, read/write on kernel buffers
 * and on user memory (zero-copy through the frames with vm_access), and
 * the generic lseek.
 * Layer: VFS core; relies on the walk, the filesystems' ops, vm_access and
 * the sched.h blocking protocol.
 */
#include <kern/blkdev.h>
#include <kern/uaccess.h>
#include <kern/vm.h>

#include "internal.h"

/* Linux caps one read or write at INT_MAX rounded down to a page. */
#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK)

static const struct file_ops path_fops; /* O_PATH: no operation at all */

struct file *file_alloc(const struct path *p, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->path = *p;
	path_get(p);
	f->inode = p->dentry->inode;
	f->ops = f->inode->fops;
	f->flags = flags;
	f->refcount = 1;
	return f;
}

void file_get(struct file *f)
{
	KASSERT(f->refcount > 0);
	f->refcount++;
}

void file_put(struct file *f)
{
	if (!f)
		return;
	KASSERT(f->refcount > 0);
	if (--f->refcount > 0)
		return;
	/* Watches and locks belong to the open file description. */
	epoll_file_release(f);
	flock_file_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	path_put(&f->path);
	kfree(f);
}

struct file *vfs_open_path(const struct path *p, unsigned flags)
{
	struct inode *ino = p->dentry->inode;
	struct file *f = file_alloc(p, flags);
	int err = 0;

	if (!f)
		return ERR_PTR(-ENOMEM);
	if (flags & O_PATH) {
		f->ops = &path_fops;
		return f;
	}
	if (S_ISCHR(ino->mode))
		err = chrdev_open(ino->rdev, f);
	else if (S_ISFIFO(ino->mode))
		err = pipe_fifo_open ? pipe_fifo_open(ino, f) : -ENXIO;
	else if (S_ISBLK(ino->mode))
		err = blkdev_open(ino->rdev, f);
	else if (S_ISSOCK(ino->mode))
		err = -ENXIO;
	else if (ino->iops && ino->iops->open)
		err = ino->iops->open(ino, f);
	if (err < 0) {
		/* The open did not happen: release must not run. */
		f->ops = NULL;
		file_put(f);
		return ERR_PTR(err);
	}
	return f;
}

static bool mount_rdonly(const struct path *p)
{
	return p->mnt && (p->mnt->flags & MS_RDONLY);
}

/* Creates wp->last in wp->parent as a regular file; *out referenced. */
static int open_create(struct walk_parent *wp, uint32_t mode, struct path *out)
{
	struct inode *dir = wp->parent.dentry->inode;
	struct task *t = cur_task();
	struct inode *ino = NULL;
	struct dentry *d;
	int err;

	if (wp->trailing_slash)
		return -EISDIR;
	err = vfs_permission(dir, MAY_WRITE | MAY_EXEC);
	if (err < 0)
		return err;
	if (mount_rdonly(&wp->parent))
		return -EROFS;
	if (!dir->iops || !dir->iops->create)
		return -EACCES;
	mode = (mode & S_IALLUGO & ~(t ? t->umask : 022)) | S_IFREG;
	err = dir->iops->create(dir, wp->last, mode, 0, &ino);
	if (err < 0)
		return err;
	d = dentry_add_child(wp->parent.dentry, wp->last, ino);
	if (!d) {
		inode_put(ino);
		return -ENOMEM;
	}
	out->mnt = wp->parent.mnt;
	out->dentry = d;
	return 0;
}

struct file *vfs_openat(int dirfd, const char *path, unsigned flags,
			uint32_t mode)
{
	unsigned acc = flags & O_ACCMODE;
	bool created = false;
	struct path p;
	struct inode *ino;
	struct file *f;
	int err, mask = 0;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return ERR_PTR(-EOPNOTSUPP);
	/* Linux 6.4 and later: never create a file that is not a directory
	 * for a caller who asked for one. */
	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY) &&
	    !(flags & O_PATH))
		return ERR_PTR(-EINVAL);
	if (flags & O_PATH)
		flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;
	if (flags & O_CREAT) {
		struct walk_parent wp;
		bool follow = !(flags & (O_EXCL | O_NOFOLLOW));

		err = vfs_walk_create(dirfd, path, follow, &wp, &p);
		if (err < 0)
			return ERR_PTR(err);
		if (!p.dentry) {
			err = open_create(&wp, mode, &p);
			walk_parent_put(&wp);
			if (err < 0)
				return ERR_PTR(err);
			created = true;
		} else {
			ino = p.dentry->inode;
			if (flags & O_EXCL)
				err = -EEXIST;
			else if (S_ISDIR(ino->mode))
				err = -EISDIR;
			else if (S_ISLNK(ino->mode))
				err = -ELOOP;
			else if (wp.trailing_slash)
				err = -ENOTDIR;
			if (err < 0)
				goto err_put;
		}
	} else {
		unsigned lf = 0;

		if (!(flags & O_NOFOLLOW))
			lf |= LOOKUP_FOLLOW;
		if (flags & O_DIRECTORY)
			lf |= LOOKUP_DIRECTORY;
		err = vfs_walk(dirfd, path, lf, &p);
		if (err < 0)
			return ERR_PTR(err);
	}
	ino = p.dentry->inode;
	err = 0;
	if (flags & O_PATH)
		goto open;
	if (S_ISLNK(ino->mode))
		err = -ELOOP;
	else if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		err = -ENOTDIR;
	else if (S_ISDIR(ino->mode) && (acc != O_RDONLY || (flags & O_TRUNC)))
		err = -EISDIR;
	if (err < 0)
		goto err_put;
	if (acc == O_RDONLY || acc == O_RDWR || acc == O_ACCMODE)
		mask |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || acc == O_ACCMODE ||
	    (flags & O_TRUNC))
		mask |= MAY_WRITE;
	if (!created) {
		err = vfs_permission(ino, mask);
		if (err < 0)
			goto err_put;
	}
	if ((mask & MAY_WRITE) && mount_rdonly(&p) &&
	    (S_ISREG(ino->mode) || S_ISDIR(ino->mode))) {
		err = -EROFS;
		goto err_put;
	}
	if ((flags & O_TRUNC) && !created && S_ISREG(ino->mode)) {
		err = vfs_truncate_inode(ino, 0);
		if (err < 0)
			goto err_put;
	}
open:
	/* What the open file keeps (F_GETFL): unknown bits are dropped. */
	flags &= O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC |
		 O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |
		 O_SYNC | O_PATH;
	f = vfs_open_path(&p, flags | O_LARGEFILE);
	path_put(&p);
	return f;
err_put:
	path_put(&p);
	return ERR_PTR(err);
}

/* ---- reading and writing ---- */

static long check_read(struct file *f)
{
	if (!file_readable(f))
		return -EBADF;
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!f->ops || !f->ops->read)
		return -EINVAL;
	return 0;
}

/* Also applies RLIMIT_FSIZE to a regular file: *len may be cut, or the
 * write fails with -EFBIG and SIGXFSZ (setrlimit(2)). */
static long check_write(struct file *f, uint64_t *pos, size_t *len)
{
	if (!file_writable(f))
		return -EBADF;
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	if ((f->flags & O_APPEND) && S_ISREG(f->inode->mode)) {
		/* Linux appends even for pwrite on an O_APPEND file. */
		if (f->inode->iops && f->inode->iops->getattr) {
			int err = f->inode->iops->getattr(f->inode);

			if (err < 0)
				return err;
		}
		*pos = f->inode->size;
	}
	if (S_ISREG(f->inode->mode))
		return proc_fsize_check(*pos, len);
	return 0;
}

long vfs_read(struct file *f, void *buf, size_t len)
{
	long err = check_read(f);

	if (err < 0)
		return err;
	return f->ops->read(f, buf, MIN(len, MAX_RW_COUNT), &f->pos);
}

long vfs_write(struct file *f, const void *buf, size_t len)
{
	long err;

	len = MIN(len, MAX_RW_COUNT);
	err = check_write(f, &f->pos, &len);
	if (err < 0)
		return err;
	return f->ops->write(f, buf, len, &f->pos);
}

bool vfs_seekable(struct file *f)
{
	uint32_t mode = f->inode->mode;

	if (S_ISFIFO(mode) || S_ISSOCK(mode))
		return false;
	if (f->ops && f->ops->llseek)
		return f->ops->llseek(f, 0, SEEK_CUR) != -ESPIPE;
	return true;
}

long vfs_pread(struct file *f, void *buf, size_t len, uint64_t off)
{
	long err = check_read(f);

	if (err < 0)
		return err;
	if (!vfs_seekable(f))
		return -ESPIPE;
	if (off > (uint64_t)INT64_MAX)
		return -EINVAL;
	return f->ops->read(f, buf, MIN(len, MAX_RW_COUNT), &off);
}

long vfs_pwrite(struct file *f, const void *buf, size_t len, uint64_t off)
{
	long err;

	if (off > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (!vfs_seekable(f))
		return -ESPIPE;
	len = MIN(len, MAX_RW_COUNT);
	err = check_write(f, &off, &len);
	if (err < 0)
		return err;
	return f->ops->write(f, buf, len, &off);
}

struct rw_walk {
	struct file *f;
	uint64_t *pos;
	bool write;
	long done;
	long err;
};

static int rw_chunk(void *kptr, size_t len, void *arg)
{
	struct rw_walk *w = arg;
	struct file *f = w->f;
	unsigned saved = f->flags & O_NONBLOCK;
	long n;

	/* Once some bytes have moved the call must not park the thread:
	 * later chunks run as non-blocking and stop the loop instead. */
	if (w->done > 0)
		f->flags |= O_NONBLOCK;
	if (w->write)
		n = f->ops->write(f, kptr, len, w->pos);
	else
		n = f->ops->read(f, kptr, len, w->pos);
	f->flags = (f->flags & ~O_NONBLOCK) | saved;
	if (n < 0) {
		if (w->done == 0)
			w->err = n;
		return 1;
	}
	w->done += n;
	return (size_t)n < len ? 1 : 0;
}

/* Sockets move a whole datagram per call, so they cannot take the
 * page-by-page walk: one call through a kernel bounce buffer (a stream
 * socket returns a short count beyond it, as it may). */
#define SOCK_BOUNCE_MAX (256 * 1024)
static long rw_socket(struct file *f, uaddr_t buf, size_t len, uint64_t *pos,
		      bool write)
{
	void *kbuf;
	long n;

	len = MIN(len, (size_t)SOCK_BOUNCE_MAX);
	kbuf = kmalloc(len);
	if (!kbuf)
		return -ENOMEM;
	if (write) {
		n = copy_from_user(kbuf, buf, len) ? -EFAULT :
						     f->ops->write(f, kbuf, len, pos);
	} else {
		n = f->ops->read(f, kbuf, len, pos);
		if (n > 0 && copy_to_user(buf, kbuf, (size_t)n))
			n = -EFAULT;
	}
	kfree(kbuf);
	return n;
}

static int rw_probe(void *kptr, size_t len, void *arg)
{
	return 0;
}

/* The counters of eventfd and timerfd files and signalfd's siginfo are
 * records that must reach the op whole even when the user buffer crosses
 * a page: they go through a small kernel buffer instead of page by page
 * (a record is 8 or 128 bytes; a signalfd read returns at most 4). */
#define RW_BOUNCE_MAX 512

static long rw_bounce(struct file *f, struct mm *mm, uaddr_t buf, size_t len,
		      uint64_t *pos, bool write)
{
	char kbuf[RW_BOUNCE_MAX];
	long n;

	if (write) {
		if (copy_from_user(kbuf, buf, len))
			return -EFAULT;
		return f->ops->write(f, kbuf, len, pos);
	}
	/* Fault the destination in first: a read may consume its data. */
	if (vm_access(mm, buf, len, true, rw_probe, NULL))
		return -EFAULT;
	n = f->ops->read(f, kbuf, len, pos);
	if (n > 0 && copy_to_user(buf, kbuf, (size_t)n))
		return -EFAULT;
	return n;
}

static long rw_user(struct file *f, uaddr_t buf, size_t len, uint64_t *pos,
		    bool write)
{
	struct task *t = cur_task();
	struct rw_walk w = { f, pos, write, 0, 0 };
	int r;

	if (len == 0)
		return 0;
	if (!t || !t->mm)
		return -EFAULT;
	/* Linux's access_ok: the whole buffer must lie in the user range,
	 * even though at most MAX_RW_COUNT bytes move. */
	if (buf + len < buf || buf + len > HAL_USER_VA_END)
		return -EFAULT;
	len = MIN(len, MAX_RW_COUNT);
	if (S_ISSOCK(f->inode->mode))
		return rw_socket(f, buf, len, pos, write);
	if (file_is_pipe(f))
		return write ? pipe_write_user(f, buf, len) :
			       pipe_read_user(f, buf, len);
	if (is_pseudo_mount(f->path.mnt))
		return rw_bounce(f, t->mm, buf, MIN(len, RW_BOUNCE_MAX), pos,
				 write);
	/* Reading a file writes user memory, and the other way round. */
	r = vm_access(t->mm, buf, len, !write, rw_chunk, &w);
	if (w.err < 0)
		return w.err;
	if (w.done > 0)
		return w.done;
	return r < 0 ? r : 0;
}

long vfs_read_user(struct file *f, uaddr_t buf, size_t len, uint64_t *pos)
{
	long err = check_read(f);

	if (err < 0)
		return err;
	return rw_user(f, buf, len, pos, false);
}

long vfs_write_user(struct file *f, uaddr_t buf, size_t len, uint64_t *pos)
{
	long err;

	len = MIN(len, MAX_RW_COUNT);
	err = check_write(f, pos, &len);
	if (err < 0)
		return err;
	return rw_user(f, buf, len, pos, true);
}

/* ---- seeking ---- */

long vfs_llseek(struct file *f, int64_t off, int whence)
{
	struct inode *ino = f->inode;
	bool is_dir = S_ISDIR(ino->mode);
	int64_t base;

	if (f->flags & O_PATH)
		return -EBADF;
	if (whence == SEEK_END || whence == SEEK_DATA || whence == SEEK_HOLE) {
		if (is_dir)
			return -EINVAL;
		if (ino->iops && ino->iops->getattr) {
			int err = ino->iops->getattr(ino);

			if (err < 0)
				return err;
		}
	}
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)ino->size;
		break;
	case SEEK_DATA:
		if (off < 0 || (uint64_t)off >= ino->size)
			return -ENXIO;
		f->pos = (uint64_t)off;
		return off;
	case SEEK_HOLE:
		if (off < 0 || (uint64_t)off >= ino->size)
			return -ENXIO;
		f->pos = ino->size;
		return (long)ino->size;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off))
		return -EOVERFLOW;
	if (base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}
