/*
 * sys_fsmisc.c: the remaining attribute and housekeeping calls on files:
 * the utime family (utimensat, futimesat, utimes, utime), the chown family,
 * mknod/mknodat, statfs/fstatfs, sync/syncfs, fallocate and close_range.
 * Layer: syscalls; relies on the walk, inode_ops.setattr, the fd table and
 * pmm's frame counts (tmpfs sizes).
 */
#include <kern/pmm.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/statfs.h>
#include <uapi/time.h>

#include "internal.h"

static bool path_rdonly(const struct path *p)
{
	return p->mnt && (p->mnt->flags & MS_RDONLY);
}

static int setattr_inode(struct inode *ino, const struct iattr *a)
{
	if (!ino->iops || !ino->iops->setattr)
		return -EPERM;
	return ino->iops->setattr(ino, a);
}

/* Resolves (dirfd, upath) with the *at flags AT_SYMLINK_NOFOLLOW and
 * AT_EMPTY_PATH (the caller checked which ones it allows). */
static int walk_user(int dirfd, uaddr_t upath, unsigned long flags,
		     struct path *out)
{
	unsigned lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	char *path;
	int err;

	if (flags & AT_EMPTY_PATH) {
		lf |= LOOKUP_EMPTY;
		path = getname_empty_ok(upath);
	} else {
		path = getname(upath);
	}
	if (IS_ERR(path))
		return (int)PTR_ERR(path);
	err = vfs_walk(dirfd, path, lf, out);
	kfree(path);
	return err;
}

/* ---- utimensat and friends ---- */

static bool nsec_valid(int64_t nsec)
{
	return nsec == UTIME_NOW || nsec == UTIME_OMIT ||
	       (nsec >= 0 && nsec < (int64_t)NSEC_PER_SEC);
}

/*
 * Sets the times of p: times NULL means both now. Setting a time
 * explicitly takes the owner (or root, Linux's CAP_FOWNER); "now" and
 * "leave it" also do for whoever may write the file.
 */
static int utimes_path(const struct path *p, const struct linux_timespec *times)
{
	struct inode *ino = p->dentry->inode;
	struct timespec64 now = vfs_now();
	struct iattr a = { .valid = ATTR_ATIME | ATTR_MTIME };
	uint32_t uid = vfs_fsuid();
	bool explicit = false;

	if (path_rdonly(p))
		return -EROFS;
	a.atime = a.mtime = now;
	for (int i = 0; times && i < 2; i++) {
		struct timespec64 *dst = i ? &a.mtime : &a.atime;

		if (times[i].tv_nsec == UTIME_OMIT) {
			a.valid &= ~(unsigned)(i ? ATTR_MTIME : ATTR_ATIME);
		} else if (times[i].tv_nsec != UTIME_NOW) {
			dst->sec = times[i].tv_sec;
			dst->nsec = times[i].tv_nsec;
			explicit = true;
		}
	}
	if (uid != 0 && uid != ino->uid) {
		if (explicit)
			return -EPERM;
		if (vfs_permission(ino, MAY_WRITE) < 0)
			return -EACCES;
	}
	return setattr_inode(ino, &a);
}

/* times: NULL or two validated timespecs; flags checked by the caller. */
static long do_utimes(int dirfd, uaddr_t upath,
		      const struct linux_timespec *times, unsigned long flags)
{
	struct path p;
	long err;

	if (!upath && dirfd != AT_FDCWD) {
		struct file *f;

		if (flags)
			return -EINVAL;
		f = fd_get_io(dirfd);
		if (!f)
			return -EBADF;
		err = utimes_path(&f->path, times);
		file_put(f);
		return err;
	}
	if (flags & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_user(dirfd, upath, flags, &p);
	if (err < 0)
		return err;
	err = utimes_path(&p, times);
	path_put(&p);
	return err;
}

long sys_utimensat(int dirfd, uaddr_t pathname, uaddr_t times,
		   unsigned long flags)
{
	struct linux_timespec ts[2];

	if (times) {
		if (copy_from_user(ts, times, sizeof(ts)))
			return -EFAULT;
		/* Nothing to do: Linux does not even look at the path. */
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
		if (!nsec_valid(ts[0].tv_nsec) || !nsec_valid(ts[1].tv_nsec))
			return -EINVAL;
	}
	return do_utimes(dirfd, pathname, times ? ts : NULL, flags);
}

long sys_futimesat(int dirfd, uaddr_t pathname, uaddr_t times)
{
	struct linux_timespec ts[2];
	struct linux_timeval tv[2];

	if (times) {
		if (copy_from_user(tv, times, sizeof(tv)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	return do_utimes(dirfd, pathname, times ? ts : NULL, 0);
}

long sys_utimes(uaddr_t filename, uaddr_t times)
{
	return sys_futimesat(AT_FDCWD, filename, times);
}

long sys_utime(uaddr_t filename, uaddr_t times)
{
	struct linux_timespec ts[2];
	struct linux_utimbuf ub;

	if (times) {
		if (copy_from_user(&ub, times, sizeof(ub)))
			return -EFAULT;
		ts[0].tv_sec = ub.actime;
		ts[1].tv_sec = ub.modtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
	}
	return do_utimes(AT_FDCWD, filename, times ? ts : NULL, 0);
}

/* ---- chown ---- */

/*
 * chown(2): root may give a file to anyone; its owner may only set its
 * group to one of its own. A non-directory loses set-user-ID (and
 * set-group-ID when group-executable) at every chown, as on Linux.
 */
static int chown_path(const struct path *p, uint32_t uid, uint32_t gid)
{
	struct inode *ino = p->dentry->inode;
	uint32_t fsuid = vfs_fsuid();
	struct iattr a = { 0 };

	if (path_rdonly(p))
		return -EROFS;
	if (uid != (uint32_t)-1) {
		if (fsuid != 0 && (fsuid != ino->uid || uid != ino->uid))
			return -EPERM;
		a.valid |= ATTR_UID;
		a.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		if (fsuid != 0 && (fsuid != ino->uid ||
				   (gid != ino->gid && !vfs_in_group(gid))))
			return -EPERM;
		a.valid |= ATTR_GID;
		a.gid = gid;
	}
	if (!S_ISDIR(ino->mode)) {
		uint32_t mode = ino->mode & S_IALLUGO, keep = mode & ~S_ISUID;

		if (mode & S_IXGRP)
			keep &= ~(uint32_t)S_ISGID;
		if (keep != mode) {
			a.valid |= ATTR_MODE;
			a.mode = keep;
		}
	}
	return setattr_inode(ino, &a);
}

long sys_fchownat(int dirfd, uaddr_t pathname, unsigned int owner,
		  unsigned int group, unsigned long flags)
{
	struct path p;
	long err;

	if (flags & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = walk_user(dirfd, pathname, flags, &p);
	if (err < 0)
		return err;
	err = chown_path(&p, owner, group);
	path_put(&p);
	return err;
}

long sys_chown(uaddr_t pathname, unsigned int owner, unsigned int group)
{
	return sys_fchownat(AT_FDCWD, pathname, owner, group, 0);
}

long sys_lchown(uaddr_t pathname, unsigned int owner, unsigned int group)
{
	return sys_fchownat(AT_FDCWD, pathname, owner, group,
			    AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, unsigned int owner, unsigned int group)
{
	struct file *f = fd_get_io(fd);
	long err;

	if (!f)
		return -EBADF;
	err = chown_path(&f->path, owner, group);
	file_put(f);
	return err;
}

/* ---- mknod ---- */

long sys_mknodat(int dirfd, uaddr_t pathname, unsigned int mode,
		 unsigned long dev)
{
	char *path;
	long err;

	/* Linux checks the type before it looks at the path. */
	if ((mode & S_IFMT) == S_IFDIR)
		return -EPERM;
	path = getname(pathname);
	if (IS_ERR(path))
		return PTR_ERR(path);
	/* The raw call takes the 32-bit device encoding, whose bits are
	 * makedev(3)'s low half. */
	err = vfs_mknodat(dirfd, path, mode, (uint32_t)dev);
	kfree(path);
	return err;
}

long sys_mknod(uaddr_t pathname, unsigned int mode, unsigned long dev)
{
	return sys_mknodat(AT_FDCWD, pathname, mode, dev);
}

/* ---- statfs ---- */

/*
 * partial: memory-backed filesystems (tmpfs, devtmpfs) report half of the
 * machine's frames as their size, as Linux's tmpfs default; hostfs has no
 * HAL call for the host's figures and reports the same. Pseudo
 * filesystems (proc, sysfs, pipefs) report no blocks, as on Linux.
 */
static void fill_statfs(const struct path *p, struct statfs *st)
{
	struct super_block *sb = p->dentry->inode->sb;
	uint64_t magic = sb ? sb->magic : 0;

	memset(st, 0, sizeof(*st));
	st->f_type = (int64_t)magic;
	st->f_bsize = PAGE_SIZE;
	st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX;
	st->f_flags = ST_VALID | (path_rdonly(p) ? ST_RDONLY : 0);
	if (sb) {
		st->f_fsid[0] = (int32_t)(uint32_t)sb->dev;
		st->f_fsid[1] = (int32_t)(uint32_t)(sb->dev >> 32);
	}
	if (sb && sb->ops && sb->ops->statfs) {
		struct kstatfs ks;

		if (sb->ops->statfs(sb, &ks) == 0) {
			st->f_bsize = st->f_frsize = (int64_t)ks.bsize;
			st->f_blocks = ks.blocks;
			st->f_bfree = ks.bfree;
			st->f_bavail = ks.bavail;
			st->f_files = ks.files;
			st->f_ffree = ks.ffree;
			st->f_namelen = (int64_t)ks.namelen;
		}
	} else if (magic == TMPFS_MAGIC || magic == HOSTFS_SUPER_MAGIC) {
		uint64_t total = pmm_total_frames() / 2,
			 free = pmm_free_frames();
		uint64_t files = total, used = sb->next_ino;

		st->f_blocks = total;
		st->f_bfree = st->f_bavail = MIN(free, total);
		st->f_files = files;
		st->f_ffree = used < files ? files - used : 0;
	}
}

long sys_statfs(uaddr_t path, uaddr_t buf)
{
	struct statfs st;
	struct path p;
	long err = walk_user(AT_FDCWD, path, 0, &p);

	if (err < 0)
		return err;
	fill_statfs(&p, &st);
	path_put(&p);
	return copy_to_user(buf, &st, sizeof(st));
}

long sys_fstatfs(int fd, uaddr_t buf)
{
	struct file *f = fd_get(fd); /* O_PATH files are fine here */
	struct statfs st;

	if (!f)
		return -EBADF;
	fill_statfs(&f->path, &st);
	file_put(f);
	return copy_to_user(buf, &st, sizeof(st));
}

/* ---- sync ---- */

/* tmpfs is memory and hostfs hands every write to the host at once;
 * block-device filesystems (ext2) write their cache back here. */
long sys_sync(void)
{
	vfs_sync_all();
	return 0;
}

long sys_syncfs(int fd)
{
	struct file *f = fd_get_io(fd);
	long err;

	if (!f)
		return -EBADF;
	err = vfs_sync_sb(f->inode->sb);
	file_put(f);
	return err;
}

/* ---- fallocate ---- */

#define FALLOC_SUPPORTED                                                       \
	(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |                          \
	 FALLOC_FL_NO_HIDE_STALE | FALLOC_FL_COLLAPSE_RANGE |                  \
	 FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |                       \
	 FALLOC_FL_UNSHARE_RANGE)

/* Writes zeros over [off, end) of f, as a punched hole reads. */
static long zero_range(struct file *f, uint64_t off, uint64_t end)
{
	static const char zeros[512];

	while (off < end) {
		uint64_t pos = off;
		long n = f->ops->write(
			f, zeros, (size_t)MIN(end - off, sizeof(zeros)), &pos);

		if (n <= 0)
			return n < 0 ? n : -EIO;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Ember's filesystems allocate as they write, so a plain fallocate only
 * has to make the file long enough (mode 0), KEEP_SIZE has nothing to do,
 * and PUNCH_HOLE | KEEP_SIZE (the other mode Linux's tmpfs knows) zeroes
 * the range. The rest are EOPNOTSUPP, as on tmpfs.
 */
long sys_fallocate(int fd, unsigned long mode, int64_t offset, int64_t len)
{
	struct file *f;
	struct inode *ino;
	uint64_t end;
	long err;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(unsigned long)FALLOC_SUPPORTED)
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	f = fd_get_io(fd);
	if (!f)
		return -EBADF;
	ino = f->inode;
	err = -EBADF;
	if (!file_writable(f))
		goto out;
	err = -ESPIPE;
	if (S_ISFIFO(ino->mode))
		goto out;
	err = -EISDIR;
	if (S_ISDIR(ino->mode))
		goto out;
	err = -ENODEV;
	if (!S_ISREG(ino->mode))
		goto out;
	err = -EFBIG;
	if (offset > INT64_MAX - len)
		goto out;
	end = (uint64_t)offset + (uint64_t)len;
	err = -EOPNOTSUPP;
	if (mode & ~(unsigned long)(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		goto out;
	if (ino->iops && ino->iops->getattr) {
		err = ino->iops->getattr(ino);
		if (err < 0)
			goto out;
	}
	err = 0;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if ((uint64_t)offset < ino->size)
			err = zero_range(f, (uint64_t)offset,
					 MIN(end, ino->size));
	} else if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ino->size) {
		err = vfs_truncate_inode(ino, end);
	}
out:
	file_put(f);
	return err;
}

/* ---- close_range ---- */

long sys_close_range(unsigned int first, unsigned int last, unsigned long flags)
{
	if (flags & ~(unsigned long)(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	return fd_close_range(first, last, (unsigned)flags);
}
