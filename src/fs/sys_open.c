/*
 * sys_open.c: open, openat, creat and close: copy the path in, open it with
 * vfs_openat and install the file at the lowest free descriptor.
 * Layer: syscalls; relies on the VFS and the fd table.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>

#include "internal.h"

static long do_open(int dirfd, uaddr_t upath, unsigned flags, unsigned mode)
{
	char *path = getname(upath);
	struct file *f;
	long fd;

	if (IS_ERR(path))
		return PTR_ERR(path);
	f = vfs_openat(dirfd, path, flags, mode);
	kfree(path);
	if (IS_ERR(f))
		return PTR_ERR(f);
	fd = fd_install(f, 0, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

long sys_open(uaddr_t pathname, unsigned int flags, unsigned int mode)
{
	return do_open(AT_FDCWD, pathname, flags, mode);
}

long sys_openat(int dirfd, uaddr_t pathname, unsigned int flags,
		unsigned int mode)
{
	return do_open(dirfd, pathname, flags, mode);
}

/* creat(2): open(O_CREAT | O_WRONLY | O_TRUNC); glibc calls it directly. */
long sys_creat(uaddr_t pathname, unsigned int mode)
{
	return do_open(AT_FDCWD, pathname, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

long sys_close(int fd)
{
	return fd_close(fd);
}
