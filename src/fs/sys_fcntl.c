/*
 * sys_fcntl.c: descriptor manipulation: dup, dup2, dup3, fcntl and ioctl
 * (the generic ioctls here, the rest by the file's own ops).
 * Layer: syscalls; relies on the fd table and file ops.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/resource.h>
#include <uapi/termios.h>

#include "internal.h"

long sys_dup(int oldfd)
{
	struct file *f = fd_get(oldfd);
	long fd;

	if (!f)
		return -EBADF;
	fd = fd_install(f, 0, false);
	file_put(f);
	return fd;
}

long sys_dup2(int oldfd, int newfd)
{
	struct file *f = fd_get(oldfd);
	long fd;

	if (!f)
		return -EBADF;
	fd = oldfd == newfd ? newfd : fd_install_at(newfd, f, false);
	file_put(f);
	return fd;
}

long sys_dup3(int oldfd, int newfd, unsigned int flags)
{
	struct file *f;
	long fd;

	if (flags & ~(unsigned)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	f = fd_get(oldfd);
	if (!f)
		return -EBADF;
	fd = fd_install_at(newfd, f, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

/* The flags F_SETFL may change. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK)

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	struct task *t = cur_task();
	uint64_t limit = t ? t->rlim[RLIMIT_NOFILE].cur : 1024;
	long r;

	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC &&
	    cmd != F_GETFD && cmd != F_SETFD && cmd != F_GETFL) {
		r = -EBADF;
		goto out;
	}
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= limit || arg > 0x7fffffffUL) {
			r = -EINVAL;
			break;
		}
		r = fd_install(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
		break;
	case F_GETFD:
		r = fd_get_cloexec(fd);
		break;
	case F_SETFD:
		r = fd_set_cloexec(fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		r = (long)f->flags;
		break;
	case F_SETFL:
		f->flags = (f->flags & ~(unsigned)SETFL_MASK) |
			   ((unsigned)arg & SETFL_MASK);
		r = 0;
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = fcntl_lock(f, cmd, arg);
		break;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		r = pipe_fcntl(f, cmd, arg);
		break;
	default:
		r = -EINVAL;
		break;
	}
out:
	file_put(f);
	return r;
}

long sys_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	int v;
	long r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		r = -EBADF;
		goto out;
	}
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		r = fd_set_cloexec(fd, cmd == FIOCLEX);
		break;
	case FIONBIO:
		if (copy_from_user(&v, arg, sizeof(v))) {
			r = -EFAULT;
			break;
		}
		if (v)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~(unsigned)O_NONBLOCK;
		r = 0;
		break;
	case FIONREAD:
		if (S_ISREG(f->inode->mode)) {
			struct kstat ks;

			r = vfs_getattr(f->inode, &ks);
			if (r < 0)
				break;
			v = ks.size > f->pos ? (int)MIN(ks.size - f->pos,
							(uint64_t)0x7fffffff) :
					       0;
			r = copy_to_user(arg, &v, sizeof(v));
			break;
		}
		/* fall through */
	default:
		if (f->ops && f->ops->ioctl)
			r = f->ops->ioctl(f, cmd, arg);
		else
			r = -ENOTTY;
		break;
	}
out:
	file_put(f);
	return r;
}
