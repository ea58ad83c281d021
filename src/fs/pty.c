/*
 * pty.c: pseudo-terminals (pty(7)). /dev/ptmx opens a master; its slave is
 * /dev/pts/N, a node added to devfs's pts directory for the pair's life.
 * The slave is a struct tty (tty.c); its output fills a ring the master
 * reads, the master's writes are its input. libc's grantpt/unlockpt/
 * ptsname use TIOCGPTN, TIOCSPTLCK and a stat of the node.
 * Layer: driver; relies on tty.c, tmpfs nodes, the dentry cache, sched.h.
 */
#include <kern/tty.h>
#include <kern/uaccess.h>

#include "internal.h"

#define PTY_MAX 256
#define PTS_MAJOR 136

struct pty {
	struct tty tty; /* the slave */
	unsigned index;
	uint8_t obuf[TTY_BUF]; /* slave output for the master */
	unsigned ohead, otail;
	int slave_opens;
	bool slave_was_open; /* a last slave close makes master reads EIO */
	bool master_open;
	/* In master_release: the hangup may end the session leader at
	 * once, whose slave closes must not free p under the release. */
	bool releasing;
	bool locked;
	bool packet;	    /* TIOCPKT */
	uint8_t pkt_status; /* TIOCPKT_* waiting for the master */
	struct waitq m_read_wq, m_write_wq, m_poll_wq;
};

static struct pty *ptys[PTY_MAX];
static struct dentry *pts_dir;

static const struct file_ops pty_master_fops;
static const struct file_ops pty_slave_fops;

void pty_set_dir(struct dentry *pts)
{
	if (pts_dir)
		return;
	dentry_get(pts);
	pts_dir = pts;
}

static struct pty *pty_of(struct tty *t)
{
	return container_of(t, struct pty, tty);
}

static void wake_master_readers(struct pty *p, unsigned key)
{
	waitq_wake_all(&p->m_read_wq);
	waitq_notify(&p->m_poll_wq, key);
}

static void wake_master_writers(struct pty *p)
{
	waitq_wake_all(&p->m_write_wq);
	waitq_notify(&p->m_poll_wq, POLLOUT | POLLWRNORM);
}

/* ---- the slave's driver ---- */

static size_t obuf_used(const struct pty *p)
{
	return p->ohead - p->otail;
}

static long drv_write(struct tty *t, const void *buf, size_t len)
{
	struct pty *p = pty_of(t);
	const uint8_t *s = buf;
	size_t n = MIN(len, TTY_BUF - obuf_used(p));

	if (!p->master_open)
		return (long)len; /* nobody will read it */
	for (size_t i = 0; i < n; i++)
		p->obuf[(p->ohead + i) % TTY_BUF] = s[i];
	p->ohead += (unsigned)n;
	if (n)
		wake_master_readers(p, POLLIN | POLLRDNORM);
	return (long)n;
}

static size_t drv_write_room(struct tty *t)
{
	struct pty *p = pty_of(t);

	return p->master_open ? TTY_BUF - obuf_used(p) : (size_t)-1;
}

static void drv_input_room(struct tty *t)
{
	wake_master_writers(pty_of(t));
}

static void drv_packet(struct tty *t, uint8_t status)
{
	struct pty *p = pty_of(t);

	if (!p->packet)
		return;
	/* The opposite states cancel, as on Linux. */
	if (status & (TIOCPKT_STOP | TIOCPKT_START))
		p->pkt_status &= (uint8_t) ~(TIOCPKT_STOP | TIOCPKT_START);
	if (status & (TIOCPKT_DOSTOP | TIOCPKT_NOSTOP))
		p->pkt_status &= (uint8_t) ~(TIOCPKT_DOSTOP | TIOCPKT_NOSTOP);
	p->pkt_status |= status;
	wake_master_readers(p, POLLIN | POLLPRI);
}

static void drv_flush_output(struct tty *t)
{
	struct pty *p = pty_of(t);

	p->otail = p->ohead;
	drv_packet(t, TIOCPKT_FLUSHWRITE);
	wake_master_writers(p);
}

static size_t drv_output_queued(struct tty *t)
{
	return obuf_used(pty_of(t));
}

static int slave_attach(struct pty *p, struct file *f)
{
	int err = tty_open(&p->tty, f->flags, true);

	if (err < 0)
		return err;
	f->ops = &pty_slave_fops;
	f->priv = p;
	p->slave_opens++;
	p->slave_was_open = true;
	return 0;
}

static int drv_open(struct tty *t, struct file *f)
{
	return slave_attach(pty_of(t), f);
}

static const struct tty_ops pty_tty_ops = {
	.write = drv_write,
	.write_room = drv_write_room,
	.input_room = drv_input_room,
	.flush_output = drv_flush_output,
	.output_queued = drv_output_queued,
	.open = drv_open,
	.packet = drv_packet,
};

/* ---- /dev/pts nodes ---- */

static void node_name(unsigned index, char *buf, size_t len)
{
	ksnprintf(buf, len, "%u", index);
}

static void node_add(struct pty *p)
{
	struct inode *dir, *ino = NULL;
	char name[16];

	if (!pts_dir)
		return;
	dir = pts_dir->inode;
	node_name(p->index, name, sizeof(name));
	if (tmpfs_make_node(dir, name, S_IFCHR | 0620,
			    uapi_makedev(PTS_MAJOR, p->index), NULL) < 0)
		return;
	/* Owned by the opener, as devpts does (group tty is gid 5). */
	if (dir->iops->lookup(dir, name, &ino) == 0) {
		ino->uid = vfs_fsuid();
		ino->gid = 5;
		inode_put(ino);
	}
}

static void node_remove(struct pty *p)
{
	struct inode *dir;
	struct dentry *d;
	char name[16];

	if (!pts_dir)
		return;
	dir = pts_dir->inode;
	node_name(p->index, name, sizeof(name));
	d = dentry_find_cached(pts_dir, name);
	if (dir->iops->unlink(dir, name) == 0 && d)
		dentry_unhash(d);
	if (d)
		dentry_put(d);
}

/* ---- lifetime ---- */

static bool pty_unused(const struct pty *p)
{
	return !p->master_open && !p->releasing && p->slave_opens == 0 &&
	       list_empty(&p->m_read_wq.waiters) &&
	       list_empty(&p->m_write_wq.waiters) &&
	       list_empty(&p->tty.read_wq.waiters) &&
	       list_empty(&p->tty.write_wq.waiters);
}

static void pty_put_if_unused(struct pty *p)
{
	if (!pty_unused(p))
		return;
	ptys[p->index] = NULL;
	kfree(p);
}

int pty_master_open(struct file *f)
{
	struct pty *p;
	unsigned i;

	for (i = 0; i < PTY_MAX && ptys[i]; i++)
		;
	if (i == PTY_MAX)
		return -ENOSPC;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	tty_init(&p->tty, &pty_tty_ops, uapi_makedev(PTS_MAJOR, i));
	/* Linux's pty slaves start without HUPCL. */
	p->tty.termios.c_cflag = B38400 | CS8 | CREAD;
	p->index = i;
	p->master_open = true;
	p->locked = true;
	waitq_init(&p->m_read_wq);
	waitq_init(&p->m_write_wq);
	waitq_init(&p->m_poll_wq);
	ptys[i] = p;
	node_add(p);
	f->ops = &pty_master_fops;
	f->priv = p;
	return 0;
}

int pty_slave_open(unsigned index, struct file *f)
{
	struct pty *p = index < PTY_MAX ? ptys[index] : NULL;

	if (!p)
		return -ENXIO;
	if (p->locked || !p->master_open)
		return -EIO;
	return slave_attach(p, f);
}

int pty_index(struct file *f)
{
	if (f->ops != &pty_master_fops)
		return -ENOTTY;
	return (int)((struct pty *)f->priv)->index;
}

/* ---- the master ---- */

static long master_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct pty *p = f->priv;
	uint8_t *d = buf;
	size_t n, off = 0;

	if (len == 0)
		return 0;
	if (p->packet && p->pkt_status) {
		d[0] = p->pkt_status;
		p->pkt_status = 0;
		return 1;
	}
	if (obuf_used(p)) {
		if (p->packet)
			d[off++] = TIOCPKT_DATA;
		n = MIN(len - off, obuf_used(p));
		for (size_t i = 0; i < n; i++)
			d[off + i] = p->obuf[(p->otail + i) % TTY_BUF];
		p->otail += (unsigned)n;
		waitq_wake_all(&p->tty.write_wq);
		waitq_notify(&p->tty.poll_wq, POLLOUT | POLLWRNORM);
		return (long)(off + n);
	}
	if (p->slave_was_open && p->slave_opens == 0)
		return -EIO;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (fs_signal_pending())
		return -EINTR;
	if (!current)
		return -EAGAIN;
	return sched_block(&p->m_read_wq, 0);
}

static long master_write(struct file *f, const void *buf, size_t len,
			 uint64_t *pos)
{
	struct pty *p = f->priv;
	size_t n;

	if (len == 0)
		return 0;
	n = tty_receive(&p->tty, buf, len);
	if (n)
		return (long)n;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (fs_signal_pending())
		return -EINTR;
	if (!current)
		return -EAGAIN;
	return sched_block(&p->m_write_wq, 0);
}

static unsigned master_poll(struct file *f, struct waitq **wq)
{
	struct pty *p = f->priv;
	unsigned mask = 0;

	if (wq)
		*wq = &p->m_poll_wq;
	if (obuf_used(p))
		mask |= POLLIN | POLLRDNORM;
	if (p->packet && p->pkt_status)
		mask |= POLLPRI | POLLIN | POLLRDNORM;
	if (p->slave_was_open && p->slave_opens == 0)
		mask |= POLLHUP;
	if ((p->tty.termios.c_lflag & ICANON) || tty_input_room(&p->tty))
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* TIOCGPTPEER: the slave opened through its node in /dev/pts, as an open
 * of that path would; flags are open(2)'s. A new fd, or -errno. */
static long open_peer(struct pty *p, unsigned flags)
{
	struct mount *mnt;
	struct file *slave;
	struct path sp;
	char name[16];
	int fd;

	if (p->locked)
		return -EIO;
	if (!pts_dir)
		return -ENXIO;
	for (mnt = mount_next(NULL); mnt; mnt = mount_next(mnt))
		if (mnt->sb == pts_dir->inode->sb)
			break;
	if (!mnt)
		return -ENXIO;
	node_name(p->index, name, sizeof(name));
	sp.dentry = dentry_lookup(pts_dir, name);
	if (IS_ERR(sp.dentry))
		return PTR_ERR(sp.dentry);
	sp.mnt = mnt;
	slave = vfs_open_path(&sp,
			      (flags & ~(unsigned)O_CLOEXEC) | O_LARGEFILE);
	dentry_put(sp.dentry);
	if (IS_ERR(slave))
		return PTR_ERR(slave);
	fd = fd_install(slave, 0, flags & O_CLOEXEC);
	file_put(slave);
	return fd;
}

static long master_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct pty *p = f->priv;
	unsigned v;
	int iv, err;

	switch (cmd) {
	case TIOCGPTN:
		v = p->index;
		return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
	case TIOCSPTLCK:
		if (copy_from_user(&iv, arg, sizeof(iv)))
			return -EFAULT;
		p->locked = iv != 0;
		return 0;
	case TIOCGPTLCK:
		iv = p->locked;
		return copy_to_user(arg, &iv, sizeof(iv)) ? -EFAULT : 0;
	case TIOCPKT:
		if (copy_from_user(&iv, arg, sizeof(iv)))
			return -EFAULT;
		p->packet = iv != 0;
		p->pkt_status = 0;
		return 0;
	case TIOCGPKT:
		iv = p->packet;
		return copy_to_user(arg, &iv, sizeof(iv)) ? -EFAULT : 0;
	case TIOCGPTPEER:
		return open_peer(p, (unsigned)arg);
	case FIONREAD:
		iv = (int)obuf_used(p);
		return copy_to_user(arg, &iv, sizeof(iv)) ? -EFAULT : 0;
	case TIOCOUTQ:
		iv = (int)(TTY_BUF - tty_input_room(&p->tty));
		return copy_to_user(arg, &iv, sizeof(iv)) ? -EFAULT : 0;
	case TIOCGPGRP:
		/* From the master no controlling-terminal check applies. */
		iv = p->tty.pgrp;
		return copy_to_user(arg, &iv, sizeof(iv)) ? -EFAULT : 0;
	case TIOCGSID:
		if (!p->tty.session)
			return -ENOTTY;
		iv = p->tty.session;
		return copy_to_user(arg, &iv, sizeof(iv)) ? -EFAULT : 0;
	case TCFLSH:
		/* Seen from the master, its input is the slave's output. */
		if (arg > 2)
			return -EINVAL;
		err = 0;
		if (arg != 1)
			p->otail = p->ohead;
		if (arg != 0)
			err = (int)tty_ioctl(&p->tty, f, TCFLSH, 0);
		waitq_wake_all(&p->tty.write_wq);
		waitq_notify(&p->tty.poll_wq, POLLOUT);
		return err;
	case TIOCSCTTY:
	case TIOCNOTTY:
		/* A master never becomes a controlling terminal here. */
		return -ENOTTY;
	default:
		return tty_ioctl(&p->tty, f, cmd, arg);
	}
}

static long pty_llseek(struct file *f, int64_t off, int whence)
{
	return -ESPIPE;
}

static void master_release(struct file *f)
{
	struct pty *p = f->priv;

	p->master_open = false;
	p->releasing = true;
	node_remove(p);
	tty_hangup(&p->tty);
	tty_remove(&p->tty);
	p->releasing = false;
	pty_put_if_unused(p);
}

static const struct file_ops pty_master_fops = {
	.read = master_read,
	.write = master_write,
	.llseek = pty_llseek,
	.ioctl = master_ioctl,
	.poll = master_poll,
	.release = master_release,
};

/* ---- the slave ---- */

static long slave_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct pty *p = f->priv;

	return tty_read(&p->tty, f, buf, len);
}

static long slave_write(struct file *f, const void *buf, size_t len,
			uint64_t *pos)
{
	struct pty *p = f->priv;

	return tty_write(&p->tty, f, buf, len);
}

static long slave_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct pty *p = f->priv;

	if (cmd == TIOCGPTN)
		return -ENOTTY;
	return tty_ioctl(&p->tty, f, cmd, arg);
}

static unsigned slave_poll(struct file *f, struct waitq **wq)
{
	struct pty *p = f->priv;

	return tty_poll(&p->tty, f, wq);
}

static void slave_release(struct file *f)
{
	struct pty *p = f->priv;

	if (--p->slave_opens == 0)
		wake_master_readers(p, POLLIN | POLLHUP);
	pty_put_if_unused(p);
}

static const struct file_ops pty_slave_fops = {
	.read = slave_read,
	.write = slave_write,
	.llseek = pty_llseek,
	.ioctl = slave_ioctl,
	.poll = slave_poll,
	.release = slave_release,
};
