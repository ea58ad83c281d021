/*
 * sys_mount.c: mount(2) and umount2(2). The adapters copy the strings in
 * (the data page as far as it is readable), check the caller is root and
 * hand kernel-space arguments to vfs_mount_user / vfs_umount (mount.c).
 * partial: MS_MOVE is refused with EINVAL and propagation flags only
 * check the mount point (Ember has one namespace and no peer groups).
 * Layer: syscalls; relies on uaccess and mount.c.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/mount.h>

#include "internal.h"

#define FSTYPE_MAX 64

static bool capable_sys_admin(void)
{
	struct task *t = cur_task();

	return !t || t->cred.euid == 0;
}

/* Copies an optional string of at most max bytes (NUL included). */
static char *copy_opt_string(uaddr_t u, size_t max)
{
	char *s;
	long n;

	if (!u)
		return NULL;
	s = kmalloc(max);
	if (!s)
		return ERR_PTR(-ENOMEM);
	n = strncpy_from_user(s, u, max);
	if (n < 0) {
		kfree(s);
		return ERR_PTR(n);
	}
	if ((size_t)n >= max) {
		kfree(s);
		return ERR_PTR(-ENAMETOOLONG);
	}
	return s;
}

long sys_mount(uaddr_t source, uaddr_t target, uaddr_t filesystemtype,
	       unsigned long mountflags, uaddr_t data)
{
	char *src = NULL, *tgt, *type = NULL, *opts = NULL;
	long err;

	if (!capable_sys_admin())
		return -EPERM;
	if ((mountflags & MS_MGC_MSK) == MS_MGC_VAL)
		mountflags &= ~(unsigned long)MS_MGC_MSK;
	tgt = getname(target);
	if (IS_ERR(tgt))
		return PTR_ERR(tgt);
	if (source) {
		src = getname(source);
		if (IS_ERR(src)) {
			err = PTR_ERR(src);
			src = NULL;
			goto out;
		}
	}
	if (!(mountflags & (MS_REMOUNT | MS_BIND | MS_MOVE | MS_SHARED |
			    MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))) {
		type = copy_opt_string(filesystemtype, FSTYPE_MAX);
		if (IS_ERR(type)) {
			err = PTR_ERR(type);
			type = NULL;
			goto out;
		}
	}
	/* The options are a string of at most a page. */
	opts = copy_opt_string(data, PAGE_SIZE + 1);
	if (IS_ERR(opts)) {
		err = PTR_ERR(opts) == -ENAMETOOLONG ? -EINVAL : PTR_ERR(opts);
		opts = NULL;
		goto out;
	}
	err = vfs_mount_user(src, tgt, type, mountflags, opts);
out:
	kfree(opts);
	kfree(type);
	kfree(src);
	kfree(tgt);
	return err;
}

long sys_umount2(uaddr_t target, unsigned long flags)
{
	char *tgt;
	long err;

	if (flags & ~(unsigned long)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE |
				     UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (!capable_sys_admin())
		return -EPERM;
	tgt = getname(target);
	if (IS_ERR(tgt))
		return PTR_ERR(tgt);
	err = vfs_umount(tgt, (int)flags);
	kfree(tgt);
	return err;
}
