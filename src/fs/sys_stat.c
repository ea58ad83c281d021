/*
 * sys_stat.c: stat, lstat, fstat, newfstatat and statx: resolve the file,
 * read its attributes with vfs_getattr and lay them out as the x86_64
 * struct stat or struct statx.
 * Layer: syscalls; relies on the walk, vfs_getattr and uaccess.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>

#include "internal.h"

static int stat_copy_out(const struct kstat *ks, uaddr_t ubuf)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = ks->dev;
	st.st_ino = ks->ino;
	st.st_nlink = ks->nlink;
	st.st_mode = ks->mode;
	st.st_uid = ks->uid;
	st.st_gid = ks->gid;
	st.st_rdev = ks->rdev;
	st.st_size = (int64_t)ks->size;
	st.st_blksize = ks->blksize;
	st.st_blocks = (int64_t)ks->blocks;
	st.st_atime_sec = ks->atime.sec;
	st.st_atime_nsec = ks->atime.nsec;
	st.st_mtime_sec = ks->mtime.sec;
	st.st_mtime_nsec = ks->mtime.nsec;
	st.st_ctime_sec = ks->ctime.sec;
	st.st_ctime_nsec = ks->ctime.nsec;
	return copy_to_user(ubuf, &st, sizeof(st));
}

/* Resolves (dirfd, upath) for the stat family into *out. */
static int stat_walk(int dirfd, uaddr_t upath, unsigned long flags,
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

static long do_fstatat(int dirfd, uaddr_t upath, uaddr_t ubuf,
		       unsigned long flags)
{
	struct kstat ks;
	struct path p;
	int err;

	if (flags & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH |
				     AT_NO_AUTOMOUNT))
		return -EINVAL;
	err = stat_walk(dirfd, upath, flags, &p);
	if (err < 0)
		return err;
	err = vfs_getattr(p.dentry->inode, &ks);
	path_put(&p);
	if (err < 0)
		return err;
	return stat_copy_out(&ks, ubuf);
}

long sys_stat(uaddr_t pathname, uaddr_t statbuf)
{
	return do_fstatat(AT_FDCWD, pathname, statbuf, 0);
}

long sys_lstat(uaddr_t pathname, uaddr_t statbuf)
{
	return do_fstatat(AT_FDCWD, pathname, statbuf, AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(int dirfd, uaddr_t pathname, uaddr_t statbuf,
		    unsigned long flags)
{
	return do_fstatat(dirfd, pathname, statbuf, flags);
}

long sys_fstat(int fd, uaddr_t statbuf)
{
	struct file *f = fd_get(fd);
	struct kstat ks;
	int err;

	if (!f)
		return -EBADF;
	err = vfs_getattr(f->inode, &ks);
	file_put(f);
	if (err < 0)
		return err;
	return stat_copy_out(&ks, statbuf);
}

static void statx_time(struct statx_timestamp *t, const struct timespec64 *ts)
{
	t->tv_sec = ts->sec;
	t->tv_nsec = (uint32_t)ts->nsec;
}

long sys_statx(int dirfd, uaddr_t pathname, unsigned long flags,
	       unsigned long mask, uaddr_t statxbuf)
{
	struct statx sx;
	struct kstat ks;
	struct path p;
	int err;

	if (flags & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH |
				     AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	err = stat_walk(dirfd, pathname, flags, &p);
	if (err < 0)
		return err;
	err = vfs_getattr(p.dentry->inode, &ks);
	path_put(&p);
	if (err < 0)
		return err;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = ks.blksize;
	sx.stx_nlink = (uint32_t)ks.nlink;
	sx.stx_uid = ks.uid;
	sx.stx_gid = ks.gid;
	sx.stx_mode = (uint16_t)ks.mode;
	sx.stx_ino = ks.ino;
	sx.stx_size = ks.size;
	sx.stx_blocks = ks.blocks;
	statx_time(&sx.stx_atime, &ks.atime);
	statx_time(&sx.stx_ctime, &ks.ctime);
	statx_time(&sx.stx_mtime, &ks.mtime);
	sx.stx_rdev_major = uapi_major(ks.rdev);
	sx.stx_rdev_minor = uapi_minor(ks.rdev);
	sx.stx_dev_major = uapi_major(ks.dev);
	sx.stx_dev_minor = uapi_minor(ks.dev);
	return copy_to_user(statxbuf, &sx, sizeof(sx));
}
