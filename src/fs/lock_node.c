/*
 * lock_node.c: the per-inode nodes that flock(2) (flock.c) and fcntl
 * record locks (fcntl_lock.c) keep their locks on: one node per inode
 * that has locks or waiters, in the caller's table.
 * Layer: VFS; relies on inode references and wait queues.
 */
#include "internal.h"

struct lock_node *lock_node_find(struct list_head *table, struct inode *ino,
				 bool create)
{
	struct lock_node *n;

	list_for_each_entry(n, table, link)
		if (n->ino == ino)
			return n;
	if (!create)
		return NULL;
	n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->ino = ino;
	inode_get(ino);
	list_init(&n->locks);
	waitq_init(&n->wq);
	list_add_tail(&n->link, table);
	return n;
}

void lock_node_put_if_unused(struct lock_node *n)
{
	if (!list_empty(&n->locks) || !list_empty(&n->wq.waiters))
		return;
	list_del(&n->link);
	inode_put(n->ino);
	kfree(n);
}
