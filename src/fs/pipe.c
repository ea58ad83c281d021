/*
 * pipe.c: pipes and FIFOs (pipe(7), fifo(7)): pipe, pipe2 and the open of
 * FIFO nodes. A pipe is a ring of page-sized buffers, as on Linux (16 by
 * default; F_SETPIPE_SZ changes the count): a write of at most PIPE_BUF
 * bytes always lands whole in one buffer, which is what makes it atomic,
 * and an O_DIRECT writer makes each buffer a packet. Readers and writers
 * park on their own queues; poll and epoll hook a third one that hears of
 * every change. A blocking write larger than PIPE_BUF keeps the bytes it
 * already moved in current->sys_progress across its re-runs.
 * Layer: VFS (a file type); relies on anon.c's pipefs, uaccess, pmm
 * frames for the buffers, the sched.h protocol and proc_signal_thread.
 */
#include <kern/pmm.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/signal.h>
#include <uapi/termios.h>

#include "internal.h"

#define PIPE_DEF_SLOTS 16
/* /proc/sys/fs/pipe-max-size: what F_SETPIPE_SZ grants the unprivileged. */
#define PIPE_MAX_SIZE (1024 * 1024)
/* Beyond this F_SETPIPE_SZ fails for everyone, as on Linux. */
#define PIPE_MAX_ARG (1UL << 31)

struct pipe_buf {
	paddr_t frame; /* 0: no page (the slot is free) */
	uint32_t off, len;
	bool packet; /* O_DIRECT: a read takes it whole, the rest is lost */
};

struct pipe {
	struct pipe_buf *bufs;
	unsigned nslots;	       /* a power of two */
	unsigned head, tail;	       /* free-running: used = head - tail */
	unsigned readers, writers;     /* open files of each end */
	unsigned r_counter, w_counter; /* ends opened so far */
	struct waitq rd_wait;	       /* reads waiting for data or EOF */
	struct waitq wr_wait;	       /* writes waiting for room */
	struct waitq poll_wq;	       /* poll/epoll: every change */
	struct waitq rd_open,
		wr_open;   /* FIFO opens waiting for the other end */
	struct inode *ino; /* pipefs inode, or the FIFO (referenced) */
	/* Releases under way: the wake-ups of a release run other calls,
	 * which may close the last other end, and p must outlive them. */
	int releasing;
	bool fifo;
	struct list_head fifo_link; /* in fifo_pipes */
};

/* Pipes of FIFO nodes that are open (or being opened). */
static LIST_HEAD(fifo_pipes);

static unsigned pipe_used(const struct pipe *p)
{
	return p->head - p->tail;
}

static bool pipe_empty(const struct pipe *p)
{
	return p->head == p->tail;
}

static bool pipe_full(const struct pipe *p)
{
	return pipe_used(p) >= p->nslots;
}

static struct pipe_buf *slot(struct pipe *p, unsigned i)
{
	return &p->bufs[i & (p->nslots - 1)];
}

static char *buf_data(const struct pipe_buf *b)
{
	return (char *)phys_to_virt(b->frame) + b->off;
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->bufs = kzalloc(PIPE_DEF_SLOTS * sizeof(*p->bufs));
	if (!p->bufs) {
		kfree(p);
		return NULL;
	}
	p->nslots = PIPE_DEF_SLOTS;
	p->r_counter = p->w_counter = 1;
	waitq_init(&p->rd_wait);
	waitq_init(&p->wr_wait);
	waitq_init(&p->poll_wq);
	waitq_init(&p->rd_open);
	waitq_init(&p->wr_open);
	list_init(&p->fifo_link);
	return p;
}

static bool pipe_unused(const struct pipe *p)
{
	return !p->readers && !p->writers && !p->releasing &&
	       list_empty(&p->rd_open.waiters) &&
	       list_empty(&p->wr_open.waiters) &&
	       list_empty(&p->rd_wait.waiters) &&
	       list_empty(&p->wr_wait.waiters) &&
	       list_empty(&p->poll_wq.waiters);
}

/* Frees p once nothing refers to it; the data of a FIFO nobody holds
 * open is discarded, as on Linux. */
static void pipe_put_if_unused(struct pipe *p)
{
	if (!pipe_unused(p))
		return;
	for (unsigned i = p->tail; i != p->head; i++)
		pmm_put(slot(p, i)->frame);
	if (p->fifo) {
		list_del(&p->fifo_link);
		inode_put(p->ino);
	} else if (p->ino && p->ino->priv == p) {
		p->ino->priv = NULL;
	}
	kfree(p->bufs);
	kfree(p);
}

static void wake_readers(struct pipe *p)
{
	waitq_wake_all(&p->rd_wait);
	waitq_notify(&p->poll_wq, POLLIN | POLLRDNORM);
}

static void wake_writers(struct pipe *p)
{
	waitq_wake_all(&p->wr_wait);
	waitq_notify(&p->poll_wq, POLLOUT | POLLWRNORM);
}

/* ---- moving bytes: user memory or a kernel buffer on the far side ---- */

struct pipe_io {
	bool user;
	uaddr_t ubuf;
	char *kbuf;
};

static int io_in(const struct pipe_io *io, size_t off, void *dst, size_t n)
{
	if (io->user)
		return copy_from_user(dst, io->ubuf + off, n);
	memcpy(dst, io->kbuf + off, n);
	return 0;
}

static int io_out(const struct pipe_io *io, size_t off, const void *src,
		  size_t n)
{
	if (io->user)
		return copy_to_user(io->ubuf + off, src, n);
	memcpy(io->kbuf + off, src, n);
	return 0;
}

static long pipe_do_read(struct file *f, const struct pipe_io *io, size_t len)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	long err = 0;

	if (len == 0)
		return 0;
	while (done < len && !pipe_empty(p)) {
		struct pipe_buf *b = slot(p, p->tail);
		size_t n = MIN((size_t)b->len, len - done);
		bool packet = b->packet;

		if (io_out(io, done, buf_data(b), n)) {
			err = -EFAULT;
			break;
		}
		done += n;
		b->off += (uint32_t)n;
		b->len -= (uint32_t)n;
		if (packet)
			b->len = 0;
		if (b->len == 0) {
			pmm_put(b->frame);
			b->frame = 0;
			p->tail++;
		}
		if (packet)
			break;
	}
	if (done) {
		wake_writers(p);
		return (long)done;
	}
	if (err)
		return err;
	if (!p->writers)
		return 0;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (fs_signal_pending())
		return -EINTR;
	if (!current)
		return -EAGAIN;
	return sched_block(&p->rd_wait, 0);
}

/*
 * Moves io[*done, total) into the pipe as far as it goes without waiting.
 * First the part beyond whole pages joins the last buffer when it fits
 * there whole (never for packets, and only at the start of a write); then
 * every free slot takes up to a page. Returns 0, or -EFAULT / -ENOMEM
 * when it had to stop for that.
 */
static int pipe_fill(struct pipe *p, struct file *f, const struct pipe_io *io,
		     size_t total, size_t *done)
{
	bool packet = f->flags & O_DIRECT;
	size_t chars = (total - *done) & (PAGE_SIZE - 1);

	if (*done == 0 && chars && !packet && !pipe_empty(p)) {
		struct pipe_buf *b = slot(p, p->head - 1);

		if (!b->packet && b->off + b->len + chars <= PAGE_SIZE) {
			if (io_in(io, 0, buf_data(b) + b->len, chars))
				return -EFAULT;
			b->len += (uint32_t)chars;
			*done = chars;
		}
	}
	while (*done < total && !pipe_full(p)) {
		size_t n = MIN(total - *done, (size_t)PAGE_SIZE);
		struct pipe_buf *b = slot(p, p->head);
		paddr_t frame = pmm_alloc();

		if (!frame)
			return -ENOMEM;
		if (io_in(io, *done, phys_to_virt(frame), n)) {
			pmm_put(frame);
			return -EFAULT;
		}
		b->frame = frame;
		b->off = 0;
		b->len = (uint32_t)n;
		b->packet = packet;
		p->head++;
		*done += n;
	}
	return 0;
}

/*
 * The write loop. A woken reader runs at once, nested in wake_readers, so
 * after each wake-up the pipe may have room again: the loop parks only
 * when a round moved nothing. user_call: the write(2) family, whose
 * re-runs resume at current->sys_progress; kernel callers (sendfile) get
 * a short count instead of waiting once something moved.
 */
static long pipe_do_write(struct file *f, const struct pipe_io *io,
			  size_t total, bool user_call)
{
	struct pipe *p = f->priv;
	size_t done = 0;

	if (total == 0)
		return 0;
	if (user_call && current && current->resumed)
		done = (size_t)MIN(current->sys_progress, (uint64_t)total);
	for (;;) {
		size_t before = done;
		int err;

		if (!p->readers) {
			if (current)
				proc_signal_thread(current, SIGPIPE);
			return done ? (long)done : -EPIPE;
		}
		err = pipe_fill(p, f, io, total, &done);
		if (done != before)
			wake_readers(p);
		if (done == total)
			return (long)done;
		if (err)
			return done ? (long)done : err;
		if (done != before)
			continue;
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		if (!user_call && done)
			return (long)done;
		if (fs_signal_pending())
			return done ? (long)done : -EINTR;
		if (!current)
			return -EAGAIN;
		if (user_call)
			current->sys_progress = done;
		return sched_block(&p->wr_wait, 0);
	}
}

long pipe_read_user(struct file *f, uaddr_t buf, size_t len)
{
	struct pipe_io io = { .user = true, .ubuf = buf };

	return pipe_do_read(f, &io, len);
}

long pipe_write_user(struct file *f, uaddr_t buf, size_t len)
{
	struct pipe_io io = { .user = true, .ubuf = buf };

	return pipe_do_write(f, &io, len, true);
}

static long pipe_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct pipe_io io = { .kbuf = buf };

	return pipe_do_read(f, &io, len);
}

static long pipe_write(struct file *f, const void *buf, size_t len,
		       uint64_t *pos)
{
	struct pipe_io io = { .kbuf = (char *)buf };

	return pipe_do_write(f, &io, len, false);
}

long pipe_write_room(struct file *f, struct waitq **wq)
{
	struct pipe *p = f->priv;

	if (wq)
		*wq = &p->wr_wait;
	if (!p->readers)
		return -EPIPE;
	return (long)(p->nslots - MIN(pipe_used(p), p->nslots)) *
	       (long)PAGE_SIZE;
}

long pipe_peek(struct file *f, void *buf, size_t len, bool nonblock)
{
	struct pipe *p = f->priv;
	size_t done = 0;

	if (len == 0)
		return 0;
	for (unsigned i = p->tail; i != p->head && done < len; i++) {
		struct pipe_buf *b = slot(p, i);
		size_t n = MIN((size_t)b->len, len - done);

		memcpy((char *)buf + done, buf_data(b), n);
		done += n;
		if (b->packet)
			break;
	}
	if (done)
		return (long)done;
	if (!p->writers)
		return 0;
	if (nonblock || (f->flags & O_NONBLOCK))
		return -EAGAIN;
	if (fs_signal_pending())
		return -EINTR;
	if (!current)
		return -EAGAIN;
	return sched_block(&p->rd_wait, 0);
}

void pipe_consume(struct file *f, size_t n)
{
	struct pipe *p = f->priv;

	while (n && !pipe_empty(p)) {
		struct pipe_buf *b = slot(p, p->tail);
		size_t k = MIN((size_t)b->len, n);

		b->off += (uint32_t)k;
		b->len -= (uint32_t)k;
		n -= k;
		if (b->packet)
			b->len = 0;
		if (b->len == 0) {
			pmm_put(b->frame);
			b->frame = 0;
			p->tail++;
		}
	}
	wake_writers(p);
}

/* ---- the other file operations ---- */

/*
 * f->pos (a pipe has no position) holds the writer count a non-blocking
 * FIFO reader saw at its open: until a writer comes after that, its poll
 * reports no POLLHUP, as on Linux.
 */
static unsigned pipe_poll(struct file *f, struct waitq **wq)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	if (wq)
		*wq = &p->poll_wq;
	if (file_readable(f)) {
		if (!pipe_empty(p))
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers && f->pos != p->w_counter)
			mask |= POLLHUP;
	}
	if (file_writable(f)) {
		if (!pipe_full(p))
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct pipe *p = f->priv;
	int count = 0;

	if (cmd != FIONREAD)
		return -ENOTTY;
	for (unsigned i = p->tail; i != p->head; i++)
		count += (int)slot(p, i)->len;
	return copy_to_user(arg, &count, sizeof(count));
}

static long pipe_llseek(struct file *f, int64_t off, int whence)
{
	return -ESPIPE;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;

	if (!p)
		return;
	if (file_readable(f))
		p->readers--;
	if (file_writable(f))
		p->writers--;
	p->releasing++;
	waitq_wake_all(&p->rd_wait);
	waitq_wake_all(&p->wr_wait);
	waitq_notify(&p->poll_wq, POLLIN | POLLOUT | POLLHUP | POLLERR);
	p->releasing--;
	pipe_put_if_unused(p);
}

const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.llseek = pipe_llseek,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.release = pipe_release,
};

static unsigned long round_pow2(unsigned long v)
{
	unsigned long r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

static long pipe_set_size(struct pipe *p, unsigned long arg)
{
	unsigned long size;
	unsigned nslots, used = pipe_used(p);
	struct pipe_buf *bufs;

	if (arg > PIPE_MAX_ARG)
		return -EINVAL;
	size = arg < PAGE_SIZE ? PAGE_SIZE : round_pow2(arg);
	if (size > PIPE_MAX_SIZE && !proc_capable())
		return -EPERM;
	nslots = (unsigned)(size / PAGE_SIZE);
	if (nslots == p->nslots)
		return (long)size;
	if (nslots < used)
		return -EBUSY;
	bufs = kzalloc(nslots * sizeof(*bufs));
	if (!bufs)
		return -ENOMEM;
	for (unsigned i = 0; i < used; i++)
		bufs[i] = *slot(p, p->tail + i);
	kfree(p->bufs);
	p->bufs = bufs;
	p->nslots = nslots;
	p->tail = 0;
	p->head = used;
	wake_writers(p);
	return (long)size;
}

long pipe_fcntl(struct file *f, int cmd, unsigned long arg)
{
	struct pipe *p = f->priv;

	if (!file_is_pipe(f))
		return -EBADF;
	if (cmd == F_GETPIPE_SZ)
		return (long)p->nslots * (long)PAGE_SIZE;
	/* Linux takes the size as an unsigned int. */
	return pipe_set_size(p, (unsigned)arg);
}

/* ---- FIFOs ---- */

static struct pipe *fifo_pipe(struct inode *ino)
{
	struct pipe *p;

	if (is_pipefs_inode(ino))
		return ino->priv; /* an anonymous pipe reopened via /proc */
	list_for_each_entry(p, &fifo_pipes, fifo_link)
		if (p->ino == ino)
			return p;
	p = pipe_alloc();
	if (!p)
		return NULL;
	p->fifo = true;
	p->ino = ino;
	inode_get(ino);
	list_add_tail(&p->fifo_link, &fifo_pipes);
	return p;
}

/*
 * fifo(7): a reader waits for a writer and a writer for a reader, unless
 * O_NONBLOCK (a lone non-blocking writer fails with ENXIO) or O_RDWR. A
 * waiting open is re-run from scratch, so it does not count as an end
 * while it waits: the waiting queues stand in for it (a non-blocking
 * writer sees a reader waiting there), and the open that arrives wakes it
 * at once, nested, while it still counts itself.
 */
int pipe_fifo_open(struct inode *ino, struct file *f)
{
	struct pipe *p = fifo_pipe(ino);
	long r = 0;

	if (!p)
		return -ENOMEM;
	f->ops = &pipe_fops;
	f->priv = p;
	f->pos = 0;
	switch (f->flags & O_ACCMODE) {
	case O_RDONLY:
		p->r_counter++;
		p->readers++;
		waitq_wake_all(&p->wr_open);
		/* An anonymous pipe reopened through /proc/PID/fd never waits
		 * for the other end (bash's <(...) after the writer is gone). */
		if (p->writers || !p->fifo)
			break;
		if (f->flags & O_NONBLOCK) {
			f->pos = p->w_counter;
			break;
		}
		p->r_counter--;
		p->readers--;
		if (fs_signal_pending() || !current)
			r = -EINTR;
		else
			r = sched_block(&p->rd_open, 0);
		break;
	case O_WRONLY:
		if ((f->flags & O_NONBLOCK) && !p->readers && p->fifo &&
		    list_empty(&p->rd_open.waiters)) {
			r = -ENXIO;
			break;
		}
		p->w_counter++;
		p->writers++;
		waitq_wake_all(&p->rd_open);
		if (p->readers || (f->flags & O_NONBLOCK) || !p->fifo)
			break;
		p->w_counter--;
		p->writers--;
		if (fs_signal_pending() || !current)
			r = -EINTR;
		else
			r = sched_block(&p->wr_open, 0);
		break;
	default:
		p->r_counter++;
		p->w_counter++;
		p->readers++;
		p->writers++;
		waitq_wake_all(&p->rd_open);
		waitq_wake_all(&p->wr_open);
		break;
	}
	if (r < 0) {
		/* No end was opened: release must not run. */
		f->ops = NULL;
		f->priv = NULL;
		pipe_put_if_unused(p);
		return (int)r;
	}
	waitq_notify(&p->poll_wq, 0);
	return 0;
}

/* ---- pipe(2) ---- */

long sys_pipe2(uaddr_t pipefd, unsigned int flags)
{
	struct file *rf = NULL, *wf = NULL;
	struct inode *ino;
	struct pipe *p;
	int fds[2] = { -1, -1 };
	long err;

	if (flags & ~(unsigned)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	p = pipe_alloc();
	if (!p)
		return -ENFILE;
	ino = pipefs_inode_new();
	if (!ino) {
		kfree(p->bufs);
		kfree(p);
		return -ENFILE;
	}
	ino->priv = p;
	p->ino = ino;
	/* From here the files own p: the last release frees it. */
	p->readers = 1;
	rf = pipefs_file_open(ino, O_RDONLY | (flags & O_NONBLOCK), &pipe_fops,
			      p);
	if (IS_ERR(rf)) {
		p->readers = 0;
		pipe_put_if_unused(p);
		err = PTR_ERR(rf);
		rf = NULL;
		goto out;
	}
	p->writers = 1;
	wf = pipefs_file_open(ino, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)),
			      &pipe_fops, p);
	if (IS_ERR(wf)) {
		p->writers = 0;
		err = PTR_ERR(wf);
		wf = NULL;
		goto out;
	}
	err = fds[0] = fd_install(rf, 0, flags & O_CLOEXEC);
	if (err < 0)
		goto out;
	err = fds[1] = fd_install(wf, 0, flags & O_CLOEXEC);
	if (err < 0)
		goto out_close;
	if (copy_to_user(pipefd, fds, sizeof(fds))) {
		err = -EFAULT;
		goto out_close;
	}
	err = 0;
	goto out;
out_close:
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			fd_close(fds[i]);
out:
	file_put(rf);
	file_put(wf);
	inode_put(ino);
	return err;
}

long sys_pipe(uaddr_t pipefd)
{
	return sys_pipe2(pipefd, 0);
}
