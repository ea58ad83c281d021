/*
 * sys_attr.c: attributes and data sync: umask, access, faccessat,
 * faccessat2, chmod, fchmod, fchmodat, truncate, ftruncate, fsync and
 * fdatasync.
 * Layer: syscalls; relies on the VFS core and current's credentials.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>

#include "internal.h"

long sys_umask(unsigned int mask)
{
	struct task *t = cur_task();
	uint32_t old;

	if (!t)
		return -ESRCH;
	old = t->umask;
	t->umask = mask & 0777;
	return old;
}

long sys_faccessat2(int dirfd, uaddr_t pathname, int mode, unsigned long flags)
{
	struct task *t = cur_task();
	uint32_t fsuid = 0, fsgid = 0;
	unsigned lf = LOOKUP_FOLLOW;
	struct path p;
	char *path;
	int err;

	if (mode & ~(F_OK | R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags &
	    ~(unsigned long)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	if (flags & AT_EMPTY_PATH) {
		lf |= LOOKUP_EMPTY;
		path = getname_empty_ok(pathname);
	} else {
		path = getname(pathname);
	}
	if (IS_ERR(path))
		return PTR_ERR(path);
	/* access(2) checks with the real ids unless AT_EACCESS: run the
	 * walk and the check under them, as Linux does. */
	if (t && !(flags & AT_EACCESS)) {
		fsuid = t->cred.fsuid;
		fsgid = t->cred.fsgid;
		t->cred.fsuid = t->cred.uid;
		t->cred.fsgid = t->cred.gid;
	}
	err = vfs_walk(dirfd, path, lf, &p);
	kfree(path);
	if (err == 0) {
		struct inode *ino = p.dentry->inode;

		if ((mode & W_OK) && p.mnt && (p.mnt->flags & MS_RDONLY) &&
		    (S_ISREG(ino->mode) || S_ISDIR(ino->mode) ||
		     S_ISLNK(ino->mode)))
			err = -EROFS;
		else if (mode != F_OK)
			/* R_OK/W_OK/X_OK are the MAY_* bits. */
			err = vfs_permission(ino, mode);
		path_put(&p);
	}
	if (t && !(flags & AT_EACCESS)) {
		t->cred.fsuid = fsuid;
		t->cred.fsgid = fsgid;
	}
	return err;
}

long sys_faccessat(int dirfd, uaddr_t pathname, int mode)
{
	return sys_faccessat2(dirfd, pathname, mode, 0);
}

long sys_access(uaddr_t pathname, int mode)
{
	return sys_faccessat2(AT_FDCWD, pathname, mode, 0);
}

long sys_fchmodat(int dirfd, uaddr_t pathname, unsigned int mode)
{
	char *path = getname(pathname);
	struct path p;
	int err;

	if (IS_ERR(path))
		return PTR_ERR(path);
	err = vfs_walk(dirfd, path, LOOKUP_FOLLOW, &p);
	kfree(path);
	if (err < 0)
		return err;
	err = vfs_chmod(&p, mode);
	path_put(&p);
	return err;
}

long sys_chmod(uaddr_t pathname, unsigned int mode)
{
	return sys_fchmodat(AT_FDCWD, pathname, mode);
}

long sys_fchmod(int fd, unsigned int mode)
{
	struct file *f = fd_get(fd);
	int err;

	if (!f)
		return -EBADF;
	err = (f->flags & O_PATH) ? -EBADF : vfs_chmod(&f->path, mode);
	file_put(f);
	return err;
}

long sys_truncate(uaddr_t upath, int64_t length)
{
	struct inode *ino;
	struct path p;
	char *path;
	int err;

	if (length < 0)
		return -EINVAL;
	path = getname(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	err = vfs_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	kfree(path);
	if (err < 0)
		return err;
	ino = p.dentry->inode;
	if (S_ISDIR(ino->mode))
		err = -EISDIR;
	else if (!S_ISREG(ino->mode))
		err = -EINVAL;
	else
		err = vfs_permission(ino, MAY_WRITE);
	if (err == 0 && p.mnt && (p.mnt->flags & MS_RDONLY))
		err = -EROFS;
	if (err == 0)
		err = vfs_truncate_inode(ino, (uint64_t)length);
	path_put(&p);
	return err;
}

long sys_ftruncate(int fd, int64_t length)
{
	struct file *f;
	int err;

	if (length < 0)
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (!S_ISREG(f->inode->mode) || !file_writable(f))
		err = -EINVAL;
	else
		err = vfs_truncate_inode(f->inode, (uint64_t)length);
	file_put(f);
	return err;
}

long sys_fsync(int fd)
{
	struct file *f = fd_get(fd);
	int err;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (f->ops && f->ops->fsync)
		err = f->ops->fsync(f);
	else if (S_ISREG(f->inode->mode) || S_ISDIR(f->inode->mode))
		err = 0; /* nothing is cached between the file and its store */
	else
		err = -EINVAL;
	file_put(f);
	return err;
}

long sys_fdatasync(int fd)
{
	return sys_fsync(fd);
}
