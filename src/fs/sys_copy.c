/*
 * sys_copy.c: sendfile and copy_file_range: data moved between two files
 * inside the kernel, a chunk at a time through a kernel buffer. Only the
 * first chunk may wait (sched.h protocol); once bytes moved, the rest
 * runs without waiting and the call returns a short count. When the
 * output is a pipe, a chunk never exceeds the room it has, so nothing read
 * is lost to a full pipe.
 * Layer: syscalls; relies on file_ops read/write, pipe_write_room, uaccess.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>

#include "internal.h"

#define COPY_CHUNK (64 * 1024)
/* Linux caps one transfer at INT_MAX rounded down to a page. */
#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK)

/* One op call; after the first chunk the file is made non-blocking. */
static long chunk_io(struct file *f, void *buf, size_t len, uint64_t *pos,
		     bool write, bool nowait)
{
	unsigned saved = f->flags & O_NONBLOCK;
	long n;

	/* RLIMIT_FSIZE holds for sendfile, copy_file_range and splice as
	 * for write(2). */
	if (write && S_ISREG(f->inode->mode)) {
		int err = proc_fsize_check(*pos, &len);

		if (err)
			return err;
	}
	if (nowait)
		f->flags |= O_NONBLOCK;
	n = write ? f->ops->write(f, buf, len, pos) :
		    f->ops->read(f, buf, len, pos);
	f->flags = (f->flags & ~O_NONBLOCK) | saved;
	return n;
}

/*
 * Copies up to count bytes from in at *ipos to out at *opos. A seekable
 * input gets back what the output did not take. Returns the bytes copied
 * or, when none were, an error (possibly -EKBLOCK).
 */
static long copy_loop(struct file *in, uint64_t *ipos, bool in_seekable,
		      struct file *out, uint64_t *opos, size_t count)
{
	size_t done = 0;
	char *buf;
	long err = 0;

	if (!count)
		return 0;
	buf = kmalloc(MIN(count, (size_t)COPY_CHUNK));
	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t want = MIN(count - done, (size_t)COPY_CHUNK);
		long n, w;

		if (file_is_pipe(out)) {
			struct waitq *wq;
			long room = pipe_write_room(out, &wq);

			if (room == 0) {
				if (done)
					break;
				if (out->flags & O_NONBLOCK)
					err = -EAGAIN;
				else if (fs_signal_pending() || !current)
					err = -EINTR;
				else
					err = sched_block(wq, 0);
				break;
			}
			/* No reader: the write below fails with EPIPE and
			 * SIGPIPE before anything is read. */
			if (room > 0)
				want = MIN(want, (size_t)room);
		}
		n = chunk_io(in, buf, want, ipos, false, done > 0);
		if (n <= 0) {
			err = n;
			break;
		}
		w = chunk_io(out, buf, (size_t)n, opos, true, done > 0);
		if (w < 0) {
			err = w;
			if (in_seekable)
				*ipos -= (uint64_t)n;
			break;
		}
		done += (size_t)w;
		if (w < n) {
			if (in_seekable)
				*ipos -= (uint64_t)(n - w);
			break;
		}
		if ((size_t)n < want)
			break;
	}
	kfree(buf);
	return done ? (long)done : err;
}

long sys_sendfile(int out_fd, int in_fd, uaddr_t offset, size_t count)
{
	struct file *in, *out = NULL;
	uint64_t pos = 0, *ipos;
	int64_t off = 0;
	long r;

	in = fd_get_io(in_fd);
	if (!in)
		return -EBADF;
	r = -EBADF;
	if (!file_readable(in))
		goto out;
	if (offset) {
		r = -EFAULT;
		if (copy_from_user(&off, offset, sizeof(off)))
			goto out;
		r = -ESPIPE;
		if (!vfs_seekable(in))
			goto out;
		r = -EINVAL;
		if (off < 0)
			goto out;
		pos = (uint64_t)off;
		ipos = &pos;
	} else {
		ipos = &in->pos;
	}
	count = MIN(count, (size_t)MAX_RW_COUNT);
	out = fd_get_io(out_fd);
	r = -EBADF;
	if (!out || !file_writable(out))
		goto out;
	r = -EINVAL;
	if (S_ISDIR(in->inode->mode) || !in->ops || !in->ops->read ||
	    !out->ops || !out->ops->write || (out->flags & O_APPEND))
		goto out;
	r = copy_loop(in, ipos, vfs_seekable(in), out, &out->pos, count);
	if (offset && r >= 0) {
		off = (int64_t)pos;
		if (copy_to_user(offset, &off, sizeof(off)))
			r = -EFAULT;
	}
out:
	file_put(out);
	file_put(in);
	return r;
}

/* Reads *upos (or takes the file position when uoff is 0). */
static int get_off(uaddr_t uoff, struct file *f, uint64_t *pos)
{
	int64_t off;

	if (!uoff) {
		*pos = f->pos;
		return 0;
	}
	if (copy_from_user(&off, uoff, sizeof(off)))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	*pos = (uint64_t)off;
	return 0;
}

static int put_off(uaddr_t uoff, struct file *f, uint64_t pos)
{
	int64_t off = (int64_t)pos;

	if (!uoff) {
		f->pos = pos;
		return 0;
	}
	return copy_to_user(uoff, &off, sizeof(off));
}

long sys_copy_file_range(int fd_in, uaddr_t off_in, int fd_out, uaddr_t off_out,
			 size_t len, unsigned long flags)
{
	struct file *in, *out = NULL;
	struct inode *iin, *iout;
	uint64_t pin, pout;
	long r;

	if (flags)
		return -EINVAL;
	in = fd_get_io(fd_in);
	if (!in)
		return -EBADF;
	out = fd_get_io(fd_out);
	r = -EBADF;
	if (!out)
		goto out;
	r = get_off(off_in, in, &pin);
	if (r == 0)
		r = get_off(off_out, out, &pout);
	if (r < 0)
		goto out;
	iin = in->inode;
	iout = out->inode;
	r = -EISDIR;
	if (S_ISDIR(iin->mode) || S_ISDIR(iout->mode))
		goto out;
	r = -EINVAL;
	if (!S_ISREG(iin->mode) || !S_ISREG(iout->mode))
		goto out;
	r = -EBADF;
	if (!file_readable(in) || !file_writable(out) ||
	    (out->flags & O_APPEND))
		goto out;
	r = -EOVERFLOW;
	if (pin + len < pin || pout + len < pout || pin + len > INT64_MAX ||
	    pout + len > INT64_MAX)
		goto out;
	if (iin->iops && iin->iops->getattr) {
		r = iin->iops->getattr(iin);
		if (r < 0)
			goto out;
	}
	/* Only up to the end of the input. */
	len = pin >= iin->size ? 0 :
				 (size_t)MIN((uint64_t)len, iin->size - pin);
	r = -EINVAL;
	if (iin == iout && pout + len > pin && pout < pin + len)
		goto out;
	r = 0;
	if (!len)
		goto out;
	/* Linux copies across filesystems only with their own methods. */
	r = -EXDEV;
	if (iin->sb != iout->sb)
		goto out;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	r = copy_loop(in, &pin, true, out, &pout, len);
	if (r > 0 && (put_off(off_in, in, pin) || put_off(off_out, out, pout)))
		r = -EFAULT;
out:
	file_put(out);
	file_put(in);
	return r;
}

/* ---- splice, tee, vmsplice (splice(2), tee(2), vmsplice(2)) ---- */

#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#define SPLICE_F_GIFT 8
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | \
		      SPLICE_F_GIFT)

/* Room in pipe out for the first chunk: > 0, or an error / -EKBLOCK when
 * it is full (a missing reader shows up at the write as EPIPE). */
static long pipe_room_or_wait(struct file *out, bool nonblock)
{
	struct waitq *wq;
	long room = pipe_write_room(out, &wq);

	if (room != 0)
		return room < 0 ? (long)COPY_CHUNK : room;
	if (nonblock || (out->flags & O_NONBLOCK))
		return -EAGAIN;
	if (fs_signal_pending() || !current)
		return -EINTR;
	return sched_block(wq, 0);
}

/*
 * From pipe in to out (a file at *opos, or another pipe): bytes are
 * looked at, written, and only then taken from in, so a short write
 * leaves the rest in the pipe. tee keeps them all (take = false).
 */
static long from_pipe(struct file *in, struct file *out, uint64_t *opos,
		      size_t count, bool nonblock, bool take)
{
	size_t done = 0;
	long err = 0;
	char *buf;

	buf = kmalloc(MIN(count, (size_t)COPY_CHUNK));
	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t want = MIN(count - done, (size_t)COPY_CHUNK);
		long n, w;

		if (file_is_pipe(out)) {
			long room = done ? pipe_write_room(out, NULL) :
					   pipe_room_or_wait(out, nonblock);

			if (room <= 0) {
				err = done ? 0 : room;
				break;
			}
			want = MIN(want, (size_t)room);
		}
		/* tee copies what is there now; it never waits once it has
		 * copied something, and never copies the same bytes twice. */
		if (!take && done)
			break;
		n = pipe_peek(in, buf, want, nonblock || done > 0);
		if (n <= 0) {
			err = done ? 0 : n;
			break;
		}
		w = chunk_io(out, buf, (size_t)n, opos, true,
			     nonblock || done > 0);
		if (w <= 0) {
			err = w;
			break;
		}
		if (take)
			pipe_consume(in, (size_t)w);
		done += (size_t)w;
		if (w < n)
			break;
	}
	kfree(buf);
	return done ? (long)done : err;
}

/* The two ends of a splice or tee: *in readable, *out writable (both
 * referenced, or both NULL on -EBADF). */
static long get_ends(int fd_in, int fd_out, struct file **in,
		     struct file **out)
{
	*in = fd_get_io(fd_in);
	*out = *in ? fd_get_io(fd_out) : NULL;
	if (*out && file_readable(*in) && file_writable(*out))
		return 0;
	file_put(*out);
	file_put(*in);
	*in = *out = NULL;
	return -EBADF;
}

long sys_splice(int fd_in, uaddr_t off_in, int fd_out, uaddr_t off_out,
		size_t len, unsigned long flags)
{
	struct file *in, *out;
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	uint64_t ipos = 0, opos = 0;
	long r;

	if (flags & ~(unsigned long)SPLICE_F_ALL)
		return -EINVAL;
	r = get_ends(fd_in, fd_out, &in, &out);
	if (r < 0)
		return r;
	r = -EINVAL;
	if (!file_is_pipe(in) && !file_is_pipe(out))
		goto out;
	if (file_is_pipe(in) && file_is_pipe(out) && in->priv == out->priv)
		goto out;
	if ((out->flags & O_APPEND) || !in->ops || !in->ops->read ||
	    !out->ops || !out->ops->write || S_ISDIR(in->inode->mode))
		goto out;
	r = -ESPIPE;
	if ((file_is_pipe(in) && off_in) || (file_is_pipe(out) && off_out))
		goto out;
	if ((off_in && !vfs_seekable(in)) || (off_out && !vfs_seekable(out)))
		goto out;
	r = get_off(off_in, in, &ipos);
	if (r == 0)
		r = get_off(off_out, out, &opos);
	if (r < 0)
		goto out;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	if (len == 0) {
		r = 0;
		goto out;
	}
	if (file_is_pipe(in)) {
		r = from_pipe(in, out, &opos, len, nonblock, true);
	} else {
		/* Into a pipe: copy_loop sizes each chunk to the pipe's room,
		 * so nothing read from the file is lost. */
		unsigned saved = out->flags & O_NONBLOCK;

		if (nonblock)
			out->flags |= O_NONBLOCK;
		r = copy_loop(in, &ipos, vfs_seekable(in), out, &opos, len);
		out->flags = (out->flags & ~O_NONBLOCK) | saved;
	}
	if (r > 0) {
		if (!file_is_pipe(in) && put_off(off_in, in, ipos))
			r = -EFAULT;
		if (!file_is_pipe(out) && put_off(off_out, out, opos))
			r = -EFAULT;
	}
out:
	file_put(out);
	file_put(in);
	return r;
}

long sys_tee(int fd_in, int fd_out, size_t len, unsigned long flags)
{
	struct file *in, *out;
	uint64_t opos = 0;
	long r;

	if (flags & ~(unsigned long)SPLICE_F_ALL)
		return -EINVAL;
	r = get_ends(fd_in, fd_out, &in, &out);
	if (r < 0)
		return r;
	r = -EINVAL;
	if (!file_is_pipe(in) || !file_is_pipe(out) || in->priv == out->priv)
		goto out;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	r = len ? from_pipe(in, out, &opos, len, flags & SPLICE_F_NONBLOCK,
			    false) :
		  0;
out:
	file_put(out);
	file_put(in);
	return r;
}

/*
 * partial: the pages are copied, never mapped into the pipe, so
 * SPLICE_F_GIFT has no effect; the result is that of writev (into the
 * pipe's write end) or readv (from its read end).
 */
long sys_vmsplice(int fd, uaddr_t iov, unsigned long nr_segs,
		  unsigned long flags)
{
	struct file *f;
	unsigned saved;
	bool writer;
	long r;

	if (flags & ~(unsigned long)SPLICE_F_ALL)
		return -EINVAL;
	f = fd_get_io(fd);
	if (!f)
		return -EBADF;
	if (!file_is_pipe(f)) {
		file_put(f);
		return -EBADF;
	}
	if (nr_segs > 1024) {
		file_put(f);
		return -EINVAL;
	}
	writer = file_writable(f);
	saved = f->flags & O_NONBLOCK;
	if (flags & SPLICE_F_NONBLOCK)
		f->flags |= O_NONBLOCK;
	r = writer ? sys_writev(fd, iov, (int)nr_segs) :
		     sys_readv(fd, iov, (int)nr_segs);
	f->flags = (f->flags & ~O_NONBLOCK) | saved;
	file_put(f);
	return r;
}
