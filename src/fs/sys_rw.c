/*
 * sys_rw.c: read, write, readv, writev, pread64, pwrite64 and lseek: thin
 * adapters that check the fd and arguments and move data between user
 * memory and files with vfs_read_user/vfs_write_user.
 * Layer: syscalls; relies on the VFS file layer and uaccess.
 */
#include <kern/net.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/uio.h>

#include "internal.h"

long sys_read(int fd, uaddr_t buf, size_t count)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = vfs_read_user(f, buf, count, &f->pos);
	file_put(f);
	return r;
}

long sys_write(int fd, uaddr_t buf, size_t count)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (sockfs_is_socket(f) && file_writable(f)) {
		/* A blocking stream socket takes the whole buffer, as
		 * send(2) does, not one bounce buffer's worth. */
		size_t n = MIN(count, (size_t)0x7ffff000); /* MAX_RW_COUNT */
		struct iovec v = { .iov_base = buf, .iov_len = n };

		r = sock_rw_iov(f, &v, 1, n, true);
	} else {
		r = vfs_write_user(f, buf, count, &f->pos);
	}
	file_put(f);
	return r;
}

static long do_pio(int fd, uaddr_t buf, size_t count, int64_t offset,
		   bool write)
{
	struct file *f = fd_get(fd);
	uint64_t pos = (uint64_t)offset;
	long r;

	if (!f)
		return -EBADF;
	if (write ? !file_writable(f) : !file_readable(f))
		r = -EBADF;
	else if (offset < 0)
		r = -EINVAL;
	else if (!vfs_seekable(f))
		r = -ESPIPE;
	else if (write)
		r = vfs_write_user(f, buf, count, &pos);
	else
		r = vfs_read_user(f, buf, count, &pos);
	file_put(f);
	return r;
}

long sys_pread64(int fd, uaddr_t buf, size_t count, int64_t offset)
{
	return do_pio(fd, buf, count, offset, false);
}

long sys_pwrite64(int fd, uaddr_t buf, size_t count, int64_t offset)
{
	return do_pio(fd, buf, count, offset, true);
}

/* pipe(7): a writev of at most PIPE_BUF bytes in all is one atomic
 * write, so its pieces are gathered first. */
static long pipe_gather_write(struct file *f, const struct iovec *iov,
			      int iovcnt, size_t total)
{
	char *buf = kmalloc(total);
	size_t off = 0;
	long r;

	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < iovcnt; i++) {
		if (copy_from_user(buf + off, iov[i].iov_base,
				   (size_t)iov[i].iov_len)) {
			kfree(buf);
			return -EFAULT;
		}
		off += (size_t)iov[i].iov_len;
	}
	r = vfs_write(f, buf, total);
	kfree(buf);
	return r;
}

static long do_iov(int fd, uaddr_t uiov, int iovcnt, bool write)
{
	struct file *f = fd_get(fd);
	struct iovec *iov = NULL;
	uint64_t total = 0;
	long done = 0, r = 0;

	if (!f)
		return -EBADF;
	if (write ? !file_writable(f) : !file_readable(f)) {
		r = -EBADF;
		goto out;
	}
	if (iovcnt < 0 || iovcnt > IOV_MAX) {
		r = -EINVAL;
		goto out;
	}
	if (iovcnt == 0)
		goto out;
	iov = kmalloc(sizeof(*iov) * (size_t)iovcnt);
	if (!iov) {
		r = -ENOMEM;
		goto out;
	}
	if (copy_from_user(iov, uiov, sizeof(*iov) * (size_t)iovcnt)) {
		r = -EFAULT;
		goto out;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > (uint64_t)INT64_MAX - total) {
			r = -EINVAL;
			goto out;
		}
		total += iov[i].iov_len;
	}
	/* A socket takes the vector as one message (a datagram is not cut
	 * into one per piece). */
	if (sockfs_is_socket(f)) {
		r = sock_rw_iov(f, iov, iovcnt, (size_t)total, write);
		if (r >= 0) {
			done = r;
			r = 0;
		}
		goto out;
	}
	if (write && file_is_pipe(f) && total > 0 && total <= PIPE_BUF) {
		r = pipe_gather_write(f, iov, iovcnt, (size_t)total);
		if (r >= 0) {
			done = r;
			r = 0;
		}
		goto out;
	}
	for (int i = 0; i < iovcnt; i++) {
		unsigned saved = f->flags & O_NONBLOCK;
		long n;

		if (iov[i].iov_len == 0)
			continue;
		/* Only the first bytes may wait (see vfs_read_user). */
		if (done > 0)
			f->flags |= O_NONBLOCK;
		if (write)
			n = vfs_write_user(f, iov[i].iov_base,
					   (size_t)iov[i].iov_len, &f->pos);
		else
			n = vfs_read_user(f, iov[i].iov_base,
					  (size_t)iov[i].iov_len, &f->pos);
		f->flags = (f->flags & ~O_NONBLOCK) | saved;
		if (n < 0) {
			if (done == 0)
				r = n;
			break;
		}
		done += n;
		if ((uint64_t)n < iov[i].iov_len)
			break;
	}
out:
	kfree(iov);
	file_put(f);
	return r < 0 ? r : done;
}

long sys_readv(int fd, uaddr_t iov, int iovcnt)
{
	return do_iov(fd, iov, iovcnt, false);
}

long sys_writev(int fd, uaddr_t iov, int iovcnt)
{
	return do_iov(fd, iov, iovcnt, true);
}

long sys_lseek(int fd, int64_t offset, unsigned int whence)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (whence > SEEK_HOLE)
		r = -EINVAL;
	else if (f->ops && f->ops->llseek)
		r = f->ops->llseek(f, offset, (int)whence);
	else
		r = vfs_llseek(f, offset, (int)whence);
	file_put(f);
	return r;
}
