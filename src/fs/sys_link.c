/*
 * sys_link.c: names: unlink, unlinkat, symlink, symlinkat, link, linkat,
 * rename, renameat, renameat2, readlink and readlinkat.
 * Layer: syscalls; relies on the namespace operations of namei_ops.c.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>

#include "internal.h"

long sys_unlinkat(int dirfd, uaddr_t pathname, unsigned long flags)
{
	char *path;
	int err;

	if (flags & ~(unsigned long)AT_REMOVEDIR)
		return -EINVAL;
	path = getname(pathname);
	if (IS_ERR(path))
		return PTR_ERR(path);
	if (flags & AT_REMOVEDIR)
		err = vfs_rmdirat(dirfd, path);
	else
		err = vfs_unlinkat(dirfd, path);
	kfree(path);
	return err;
}

long sys_unlink(uaddr_t pathname)
{
	return sys_unlinkat(AT_FDCWD, pathname, 0);
}

long sys_symlinkat(uaddr_t target, int newdirfd, uaddr_t linkpath)
{
	char *t = getname(target), *path;
	int err;

	if (IS_ERR(t))
		return PTR_ERR(t);
	path = getname(linkpath);
	if (IS_ERR(path)) {
		kfree(t);
		return PTR_ERR(path);
	}
	err = vfs_symlinkat(t, newdirfd, path);
	kfree(path);
	kfree(t);
	return err;
}

long sys_symlink(uaddr_t target, uaddr_t linkpath)
{
	return sys_symlinkat(target, AT_FDCWD, linkpath);
}

long sys_linkat(int olddirfd, uaddr_t oldpath, int newdirfd, uaddr_t newpath,
		unsigned long flags)
{
	char *op, *np;
	int err;

	if (flags & ~(unsigned long)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	op = (flags & AT_EMPTY_PATH) ? getname_empty_ok(oldpath) :
				       getname(oldpath);
	if (IS_ERR(op))
		return PTR_ERR(op);
	np = getname(newpath);
	if (IS_ERR(np)) {
		kfree(op);
		return PTR_ERR(np);
	}
	err = vfs_linkat(olddirfd, op, newdirfd, np, (int)flags);
	kfree(np);
	kfree(op);
	return err;
}

long sys_link(uaddr_t oldpath, uaddr_t newpath)
{
	return sys_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

long sys_renameat2(int olddirfd, uaddr_t oldpath, int newdirfd, uaddr_t newpath,
		   unsigned long flags)
{
	char *op, *np;
	int err;

	if (flags > 0xffffffffUL)
		return -EINVAL;
	op = getname(oldpath);
	if (IS_ERR(op))
		return PTR_ERR(op);
	np = getname(newpath);
	if (IS_ERR(np)) {
		kfree(op);
		return PTR_ERR(np);
	}
	err = vfs_renameat2(olddirfd, op, newdirfd, np, (unsigned)flags);
	kfree(np);
	kfree(op);
	return err;
}

long sys_renameat(int olddirfd, uaddr_t oldpath, int newdirfd, uaddr_t newpath)
{
	return sys_renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

long sys_rename(uaddr_t oldpath, uaddr_t newpath)
{
	return sys_renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

static long do_readlink(int dirfd, char *path, uaddr_t buf, size_t bufsiz)
{
	size_t len = MIN(bufsiz, (size_t)PATH_MAX);
	char *kbuf;
	long n;

	if (IS_ERR(path))
		return PTR_ERR(path);
	kbuf = kmalloc(len);
	if (!kbuf) {
		kfree(path);
		return -ENOMEM;
	}
	n = vfs_readlinkat(dirfd, path, kbuf, len);
	if (n > 0 && copy_to_user(buf, kbuf, (size_t)n))
		n = -EFAULT;
	kfree(kbuf);
	kfree(path);
	return n;
}

long sys_readlinkat(int dirfd, uaddr_t pathname, uaddr_t buf, size_t bufsiz)
{
	if (bufsiz == 0 || bufsiz > 0x7fffffffUL)
		return -EINVAL;
	return do_readlink(dirfd, getname_empty_ok(pathname), buf, bufsiz);
}

long sys_readlink(uaddr_t pathname, uaddr_t buf, size_t bufsiz)
{
	if (bufsiz == 0 || bufsiz > 0x7fffffffUL)
		return -EINVAL;
	/* readlink(2) has no empty-path form: "" is ENOENT. */
	return do_readlink(AT_FDCWD, getname(pathname), buf, bufsiz);
}
