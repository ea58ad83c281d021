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

/* The locks of one inode; exists while there are holders or waiters. */
struct flock_node {
	struct list_head link; /* in flock_nodes */
	struct inode *ino;     /* referenced */
	struct list_head holders;
	struct waitq wq;
};

struct flock_holder {
	struct list_head link;
	struct file *f;
	bool exclusive;
};

static LIST_HEAD(flock_nodes);

static struct flock_node *node_find(struct inode *ino, bool create)
{
	struct flock_node *n;

	list_for_each_entry(n, &flock_nodes, link)
		if (n->ino == ino)
			return n;
	if (!create)
		return NULL;
	n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->ino = ino;
	inode_get(ino);
	list_init(&n->holders);
	waitq_init(&n->wq);
	list_add_tail(&n->link, &flock_nodes);
	return n;
}

static void node_put_if_unused(struct flock_node *n)
{
	if (!list_empty(&n->holders) || !list_empty(&n->wq.waiters))
		return;
	list_del(&n->link);
	inode_put(n->ino);
	kfree(n);
}

static struct flock_holder *holder_of(struct flock_node *n, struct file *f)
{
	struct flock_holder *h;

	list_for_each_entry(h, &n->holders, link)
		if (h->f == f)
			return h;
	return NULL;
}

/* Drops a lock on ino's node n and lets the waiters try again: they run
 * at once, nested, take locks of their own or give up (and may free n),
 * so n is looked up afresh afterwards. */
static void drop_lock(struct inode *ino, struct flock_node *n,
		      struct flock_holder *h)
{
	list_del(&h->link);
	kfree(h);
	waitq_wake_all(&n->wq);
	n = node_find(ino, false);
	if (n)
		node_put_if_unused(n);
}

static bool conflicts(struct flock_node *n, struct file *f, bool exclusive)
{
	struct flock_holder *h;

	list_for_each_entry(h, &n->holders, link)
		if (h->f != f && (exclusive || h->exclusive))
			return true;
	return false;
}

void flock_file_release(struct file *f)
{
	struct flock_node *n;
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
	struct flock_node *n;
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
	list_add_tail(&h->link, &n->holders);
out:
	file_put(f);
	return err;
}
