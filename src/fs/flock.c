/*
 * flock.c: flock(2) advisory locks. A lock belongs to an open file
 * description: shared or exclusive, on the inode it opened. Changing a
 * lock's kind drops the old one first (as Linux does, not atomically); a
 * request that conflicts waits on the inode's queue unless LOCK_NB, and
 * is re-run from scratch when a lock goes away. The last close of the
 * description drops its lock (flock_file_release, from file_put).
 * Layer: VFS; relies on the fd table and the sched.h protocol.
 */
#include <syscall_protos.h>

#include "internal.h"

struct flock_holder {
	struct list_head link;
	struct file *f;
	bool exclusive;
};

static LIST_HEAD(flock_nodes);

static struct lock_node *node_find(struct inode *ino, bool create)
{
	return lock_node_find(&flock_nodes, ino, create);
}

static void node_put_if_unused(struct lock_node *n)
{
	lock_node_put_if_unused(n);
}

static struct flock_holder *holder_of(struct lock_node *n, struct file *f)
{
	struct flock_holder *h;

	list_for_each_entry(h, &n->locks, link)
		if (h->f == f)
			return h;
	return NULL;
}

/* Drops a lock on ino's node n and lets the waiters try again: they run
 * at once, nested, take locks of their own or give up (and may free n),
 * so n is looked up afresh afterwards. */
static void drop_lock(struct inode *ino, struct lock_node *n,
		      struct flock_holder *h)
{
	list_del(&h->link);
	kfree(h);
	waitq_wake_all(&n->wq);
	n = node_find(ino, false);
	if (n)
		node_put_if_unused(n);
}

static bool conflicts(struct lock_node *n, struct file *f, bool exclusive)
{
	struct flock_holder *h;

	list_for_each_entry(h, &n->locks, link)
		if (h->f != f && (exclusive || h->exclusive))
			return true;
	return false;
}

void flock_file_release(struct file *f)
{
	struct lock_node *n;
	struct flock_holder *h;

	fcntl_lock_file_release(f);
	vfs_tmpfile_release(f);
	if (list_empty(&flock_nodes) || !f->inode)
		return;
	n = node_find(f->inode, false);
	if (n && (h = holder_of(n, f)))
		drop_lock(f->inode, n, h);
}

long sys_flock(int fd, int operation)
{
	int cmd = operation & ~LOCK_NB;
	struct flock_holder *h;
	struct lock_node *n;
	struct file *f;
	bool exclusive;
	long err = 0;

	/* Linux ignores the long-broken LOCK_MAND requests. */
	if (operation & LOCK_MAND)
		return 0;
	if (cmd != LOCK_SH && cmd != LOCK_EX && cmd != LOCK_UN)
		return -EINVAL;
	f = fd_get_io(fd);
	if (!f)
		return -EBADF;
	exclusive = cmd == LOCK_EX;
	n = node_find(f->inode, cmd != LOCK_UN);
	if (!n) {
		err = cmd == LOCK_UN ? 0 : -ENOMEM;
		goto out;
	}
	h = holder_of(n, f);
	if (h) {
		if (cmd != LOCK_UN && h->exclusive == exclusive)
			goto out;
		drop_lock(f->inode, n, h);
		n = node_find(f->inode, cmd != LOCK_UN);
		if (!n && cmd != LOCK_UN)
			err = -ENOMEM;
	}
	if (cmd == LOCK_UN || err)
		goto out;
	if (conflicts(n, f, exclusive)) {
		if (operation & LOCK_NB)
			err = -EWOULDBLOCK;
		else if (!current)
			err = -EINTR;
		else if (fs_signal_pending())
			err = -ERESTARTSYS; /* signal(7): restarted with SA_RESTART */
		else
			err = sched_block(&n->wq, 0);
		if (err != -EKBLOCK)
			node_put_if_unused(n);
		goto out;
	}
	h = kzalloc(sizeof(*h));
	if (!h) {
		node_put_if_unused(n);
		err = -ENOLCK;
		goto out;
	}
	h->f = f;
	h->exclusive = exclusive;
	list_add_tail(&h->link, &n->locks);
out:
	file_put(f);
	return err;
}
