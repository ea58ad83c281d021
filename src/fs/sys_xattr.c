/*
 * sys_xattr.c: the extended-attribute calls (xattr(7)). No Ember
 * filesystem stores extended attributes, so each call does Linux's checks
 * (the path or fd, the name, the flags and size) and then answers as
 * Linux does for a filesystem without xattr support: get, set and remove
 * fail with EOPNOTSUPP, and list returns an empty list (0).
 * Layer: syscalls; relies on the path walk, fd_get and uaccess.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>

#include "internal.h"

#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_CREATE 0x1
#define XATTR_REPLACE 0x2

/* The object a call names: 0 when it exists (and is no O_PATH fd). */
static int xattr_target(uaddr_t upath, int fd, bool follow)
{
	struct path p;
	struct file *f;
	char *path;
	int err;

	if (!upath) {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		err = (f->flags & O_PATH) ? -EBADF : 0;
		file_put(f);
		return err;
	}
	path = getname(upath);
	if (IS_ERR(path))
		return (int)PTR_ERR(path);
	err = vfs_walk(AT_FDCWD, path, follow ? LOOKUP_FOLLOW : 0, &p);
	kfree(path);
	if (err)
		return err;
	path_put(&p);
	return 0;
}

/* An attribute name: 1..XATTR_NAME_MAX bytes, else -ERANGE. */
static int xattr_name(uaddr_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long n = strncpy_from_user(name, uname, sizeof(name));

	if (n == -ENAMETOOLONG)
		return -ERANGE;
	if (n < 0)
		return (int)n;
	if (n == 0 || n > XATTR_NAME_MAX)
		return -ERANGE;
	return 0;
}

static long do_get(uaddr_t upath, int fd, bool follow, uaddr_t name)
{
	int err = xattr_target(upath, fd, follow);

	if (!err)
		err = xattr_name(name);
	return err ? err : -EOPNOTSUPP;
}

static long do_set(uaddr_t upath, int fd, bool follow, uaddr_t name,
		   size_t size, unsigned long flags)
{
	int err;

	if (flags & ~(unsigned long)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	err = xattr_target(upath, fd, follow);
	if (!err)
		err = xattr_name(name);
	if (!err && size > XATTR_SIZE_MAX)
		err = -E2BIG;
	return err ? err : -EOPNOTSUPP;
}

static long do_list(uaddr_t upath, int fd, bool follow)
{
	int err = xattr_target(upath, fd, follow);

	return err ? err : 0;
}

static long do_remove(uaddr_t upath, int fd, bool follow, uaddr_t name)
{
	return do_get(upath, fd, follow, name);
}

long sys_setxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size,
		  unsigned long flags)
{
	return do_set(path, -1, true, name, size, flags);
}

long sys_lsetxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size,
		   unsigned long flags)
{
	return do_set(path, -1, false, name, size, flags);
}

long sys_fsetxattr(int fd, uaddr_t name, uaddr_t value, size_t size,
		   unsigned long flags)
{
	return do_set(0, fd, true, name, size, flags);
}

long sys_getxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size)
{
	return do_get(path, -1, true, name);
}

long sys_lgetxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size)
{
	return do_get(path, -1, false, name);
}

long sys_fgetxattr(int fd, uaddr_t name, uaddr_t value, size_t size)
{
	return do_get(0, fd, true, name);
}

long sys_listxattr(uaddr_t path, uaddr_t list, size_t size)
{
	return do_list(path, -1, true);
}

long sys_llistxattr(uaddr_t path, uaddr_t list, size_t size)
{
	return do_list(path, -1, false);
}

long sys_flistxattr(int fd, uaddr_t list, size_t size)
{
	return do_list(0, fd, true);
}

long sys_removexattr(uaddr_t path, uaddr_t name)
{
	return do_remove(path, -1, true, name);
}

long sys_lremovexattr(uaddr_t path, uaddr_t name)
{
	return do_remove(path, -1, false, name);
}

long sys_fremovexattr(int fd, uaddr_t name)
{
	return do_remove(0, fd, true, name);
}
