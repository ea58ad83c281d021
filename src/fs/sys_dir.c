/*
 * sys_dir.c: directories: getdents64, getcwd, chdir, fchdir, mkdir,
 * mkdirat and rmdir.
 * Layer: syscalls; relies on the VFS core and uaccess.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>

#include "internal.h"

/* getdents64 fills at most this much per call (more calls follow). */
#define GETDENTS_MAX (64 * 1024)

long sys_getdents64(int fd, uaddr_t dirp, size_t count)
{
	struct file *f = fd_get(fd);
	uint64_t old_pos;
	size_t len = MIN(count, (size_t)GETDENTS_MAX);
	void *kbuf;
	long r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		r = -EBADF;
		goto out;
	}
	if (!S_ISDIR(f->inode->mode) || !f->ops || !f->ops->readdir) {
		r = -ENOTDIR;
		goto out;
	}
	kbuf = kmalloc(len ? len : 1);
	if (!kbuf) {
		r = -ENOMEM;
		goto out;
	}
	old_pos = f->pos;
	r = f->ops->readdir(f, kbuf, len);
	if (r > 0 && copy_to_user(dirp, kbuf, (size_t)r)) {
		/* Nothing reached the caller: the entries are not consumed. */
		f->pos = old_pos;
		r = -EFAULT;
	}
	kfree(kbuf);
out:
	file_put(f);
	return r;
}

long sys_getcwd(uaddr_t buf, size_t size)
{
	struct path cwd;
	char *kbuf;
	long n;

	vfs_get_cwd(&cwd);
	if (dentry_is_unhashed(cwd.dentry)) {
		path_put(&cwd);
		return -ENOENT;
	}
	kbuf = kmalloc(PATH_MAX);
	if (!kbuf) {
		path_put(&cwd);
		return -ENOMEM;
	}
	n = vfs_path_name(&cwd, kbuf, PATH_MAX);
	path_put(&cwd);
	if (n >= 0 && (size_t)n + 1 > size)
		n = -ERANGE;
	if (n >= 0)
		n = copy_to_user(buf, kbuf, (size_t)n + 1) ? -EFAULT : n + 1;
	kfree(kbuf);
	return n;
}

long sys_chdir(uaddr_t upath)
{
	char *path = getname(upath);
	struct path p;
	int err;

	if (IS_ERR(path))
		return PTR_ERR(path);
	err = vfs_walk(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	kfree(path);
	if (err < 0)
		return err;
	err = vfs_chdir(&p);
	path_put(&p);
	return err;
}

long sys_fchdir(int fd)
{
	struct file *f = fd_get(fd);
	int err;

	if (!f)
		return -EBADF;
	err = vfs_chdir(&f->path);
	file_put(f);
	return err;
}

/* chroot(2): the walk's "/" and the floor of ".." become path for this
 * process (and those sharing its fs context); the cwd stays where it is,
 * as on Linux. */
long sys_chroot(uaddr_t upath)
{
	char *path = getname(upath);
	struct task *t = cur_task();
	struct path p;
	int err;

	if (IS_ERR(path))
		return PTR_ERR(path);
	err = vfs_walk(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	kfree(path);
	if (err < 0)
		return err;
	err = vfs_permission(p.dentry->inode, MAY_EXEC);
	if (err == 0 && !proc_capable())
		err = -EPERM;
	if (err == 0 && (!t || !t->fs))
		err = -ESRCH;
	if (err == 0) {
		path_get(&p);
		path_put(&t->fs->root);
		t->fs->root = p;
	}
	path_put(&p);
	return err;
}

long sys_mkdirat(int dirfd, uaddr_t pathname, unsigned int mode)
{
	char *path = getname(pathname);
	int err;

	if (IS_ERR(path))
		return PTR_ERR(path);
	err = vfs_mkdirat(dirfd, path, mode);
	kfree(path);
	return err;
}

long sys_mkdir(uaddr_t pathname, unsigned int mode)
{
	return sys_mkdirat(AT_FDCWD, pathname, mode);
}

long sys_rmdir(uaddr_t pathname)
{
	char *path = getname(pathname);
	int err;

	if (IS_ERR(path))
		return PTR_ERR(path);
	err = vfs_rmdirat(AT_FDCWD, path);
	kfree(path);
	return err;
}
