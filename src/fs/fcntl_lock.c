/*
 * fcntl_lock.c: fcntl(2) record locks. POSIX locks (F_GETLK, F_SETLK,
 * F_SETLKW) belong to a process, named by its fd table, and go away when
 * it closes any descriptor of the file (fd table hook) or exits; open
 * file description locks (F_OFD_*) belong to the open file and go away
 * at its last close (from flock_file_release). Both kinds conflict with
 * each other; flock(2) locks are separate, as on Linux. A waiter parks on
 * the inode's queue (sched.h protocol) and re-runs its request when any
 * lock of the inode changes.
 * Layer: VFS; relies on the fd table, the task list and the scheduler.
 */
#include <kern/uaccess.h>
#include <uapi/flock.h>

#include "internal.h"

#define OFFSET_MAX INT64_MAX

struct rlock {
	struct list_head link; /* in lock_node.locks, by start */
	const void *owner;     /* struct files * (POSIX) or struct file * */
	bool ofd;
	bool write;
	int pid;	    /* the locker's process, for F_GETLK */
	int64_t start, end; /* inclusive; end OFFSET_MAX: to EOF and beyond */
};

/* A POSIX owner parked in F_SETLKW behind another owner's lock: what
 * deadlock detection follows. Keyed by the waiting thread's tid, dropped
 * when that thread runs its request again or the owner closes the file. */
struct rlock_waiter {
	struct list_head link;
	int tid;
	const void *owner, *blocker;
	struct inode *ino; /* not referenced: only compared */
};

static LIST_HEAD(rlock_nodes);
static LIST_HEAD(rlock_waiters);

static struct lock_node *node_find(struct inode *ino, bool create)
{
	return lock_node_find(&rlock_nodes, ino, create);
}

static void node_put_if_unused(struct lock_node *n)
{
	lock_node_put_if_unused(n);
}

/* Lets n's waiters try again. They re-run later (sched_run_pending), so n
 * stays valid here. */
static void node_changed(struct lock_node *n)
{
	waitq_wake_all(&n->wq);
	node_put_if_unused(n);
}

static void waiter_drop_tid(int tid)
{
	struct rlock_waiter *w, *tmp;

	list_for_each_entry_safe(w, tmp, &rlock_waiters, link)
		if (w->tid == tid) {
			list_del(&w->link);
			kfree(w);
		}
}

/* Would owner waiting for blocker close a cycle (blocker waits, through
 * other waiting owners, for owner)? */
static bool would_deadlock(const void *owner, const void *blocker)
{
	struct rlock_waiter *w;
	int steps = 0;
	bool found;

	do {
		if (blocker == owner)
			return true;
		found = false;
		list_for_each_entry(w, &rlock_waiters, link)
			if (w->owner == blocker) {
				blocker = w->blocker;
				found = true;
				break;
			}
	} while (found && ++steps < 64);
	return false;
}

static bool overlaps(const struct rlock *l, int64_t start, int64_t end)
{
	return l->start <= end && start <= l->end;
}

/* The first lock of another owner conflicting with the request. */
static struct rlock *find_conflict(struct lock_node *n, const void *owner,
				   bool write, int64_t start, int64_t end)
{
	struct rlock *l;

	list_for_each_entry(l, &n->locks, link)
		if (l->owner != owner && overlaps(l, start, end) &&
		    (write || l->write))
			return l;
	return NULL;
}

static void insert_sorted(struct lock_node *n, struct rlock *nl)
{
	struct rlock *l;

	list_for_each_entry(l, &n->locks, link)
		if (l->start > nl->start) {
			list_add_tail(&nl->link, &l->link);
			return;
		}
	list_add_tail(&nl->link, &n->locks);
}

/*
 * Applies an owner's request to its own locks: [start, end] becomes
 * unlocked (type F_UNLCK) or locked with the new type, splitting locks
 * that stick out and merging with adjacent or overlapping locks of the
 * same type. spare and nl are preallocated so that nothing fails half
 * way; whatever is not used is freed.
 */
static void apply(struct lock_node *n, const void *owner, bool ofd, int pid,
		  int type, int64_t start, int64_t end, struct rlock *nl,
		  struct rlock *spare)
{
	struct rlock *l, *tmp;
	bool write = type == F_WRLCK;

	if (type != F_UNLCK) {
		/* Absorb same-type neighbours first: they extend the range. */
		list_for_each_entry_safe(l, tmp, &n->locks, link) {
			if (l->owner != owner || l->write != write)
				continue;
			bool touch =
				overlaps(l, start, end) ||
				(end != OFFSET_MAX && l->start == end + 1) ||
				(l->end != OFFSET_MAX && l->end + 1 == start);
			if (!touch)
				continue;
			start = MIN(start, l->start);
			end = MAX(end, l->end);
			list_del(&l->link);
			kfree(l);
		}
	}
	list_for_each_entry_safe(l, tmp, &n->locks, link) {
		if (l->owner != owner || !overlaps(l, start, end))
			continue;
		if (l->start < start && l->end > end) {
			/* The request is inside l: split it in two. */
			*spare = *l;
			spare->start = end + 1;
			l->end = start - 1;
			insert_sorted(n, spare);
			spare = NULL;
			break;
		}
		if (l->start < start) {
			l->end = start - 1;
		} else if (l->end > end) {
			list_del(&l->link);
			l->start = end + 1;
			insert_sorted(n, l);
		} else {
			list_del(&l->link);
			kfree(l);
		}
	}
	if (type != F_UNLCK) {
		nl->owner = owner;
		nl->ofd = ofd;
		nl->write = write;
		nl->pid = pid;
		nl->start = start;
		nl->end = end;
		insert_sorted(n, nl);
		nl = NULL;
	}
	kfree(nl);
	kfree(spare);
}

/* struct flock to an inclusive range: 0 or -EINVAL (-EOVERFLOW). */
static int flock_range(struct file *f, const struct linux_flock *fl,
		       int64_t *start, int64_t *end)
{
	int64_t base;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END: {
		struct kstat st;
		int err = vfs_getattr(f->inode, &st);

		if (err < 0)
			return err;
		base = (int64_t)st.size;
		break;
	}
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, fl->l_start, start))
		return -EOVERFLOW;
	if (fl->l_len > 0) {
		if (__builtin_add_overflow(*start, fl->l_len - 1, end))
			return -EOVERFLOW;
	} else if (fl->l_len < 0) {
		*end = *start - 1;
		if (__builtin_add_overflow(*start, fl->l_len, start))
			return -EINVAL;
	} else {
		*end = OFFSET_MAX;
	}
	if (*start < 0)
		return -EINVAL;
	return 0;
}

static int cur_pid(void)
{
	struct task *t = cur_task();

	return t ? t->pid : 0;
}

static const void *cur_owner(void)
{
	struct task *t = cur_task();

	return t ? (const void *)t->files : NULL;
}

static long do_getlk(struct file *f, struct linux_flock *fl, bool ofd)
{
	const void *owner = ofd ? (const void *)f : cur_owner();
	struct lock_node *n;
	struct rlock *l;
	int64_t start, end;
	int err;

	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK)
		return -EINVAL;
	err = flock_range(f, fl, &start, &end);
	if (err < 0)
		return err;
	n = node_find(f->inode, false);
	l = n ? find_conflict(n, owner, fl->l_type == F_WRLCK, start, end) :
		NULL;
	if (!l) {
		fl->l_type = F_UNLCK;
		return 0;
	}
	fl->l_type = l->write ? F_WRLCK : F_RDLCK;
	fl->l_whence = SEEK_SET;
	fl->l_start = l->start;
	fl->l_len = l->end == OFFSET_MAX ? 0 : l->end - l->start + 1;
	fl->l_pid = l->ofd ? -1 : l->pid;
	return 0;
}

static long do_setlk(struct file *f, const struct linux_flock *fl, bool ofd,
		     bool wait)
{
	const void *owner = ofd ? (const void *)f : cur_owner();
	struct rlock *nl = NULL, *spare = NULL, *c;
	struct lock_node *n;
	int64_t start, end;
	int err;

	if (current)
		waiter_drop_tid(current->tid);
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK &&
	    fl->l_type != F_UNLCK)
		return -EINVAL;
	if ((fl->l_type == F_RDLCK && !file_readable(f)) ||
	    (fl->l_type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	err = flock_range(f, fl, &start, &end);
	if (err < 0)
		return err;
	n = node_find(f->inode, fl->l_type != F_UNLCK);
	if (!n)
		return fl->l_type == F_UNLCK ? 0 : -ENOLCK;
	if (fl->l_type != F_UNLCK) {
		c = find_conflict(n, owner, fl->l_type == F_WRLCK, start, end);
		if (c) {
			err = -EAGAIN;
			if (wait &&
			    (!current || current->wake_reason == WAKE_SIGNAL ||
			     fs_signal_pending()))
				err = -ERESTARTSYS;
			else if (wait && !ofd && !c->ofd &&
				 would_deadlock(owner, c->owner))
				err = -EDEADLK;
			else if (wait)
				err = 0;
			if (err < 0) {
				node_put_if_unused(n);
				return err;
			}
			if (!ofd && !c->ofd) {
				struct rlock_waiter *w = kzalloc(sizeof(*w));

				if (w) {
					w->tid = current->tid;
					w->owner = owner;
					w->blocker = c->owner;
					w->ino = f->inode;
					list_add_tail(&w->link, &rlock_waiters);
				}
			}
			return sched_block(&n->wq, 0);
		}
		nl = kzalloc(sizeof(*nl));
		spare = kzalloc(sizeof(*spare));
		if (!nl || !spare) {
			kfree(nl);
			kfree(spare);
			node_put_if_unused(n);
			return -ENOLCK;
		}
	} else {
		spare = kzalloc(sizeof(*spare));
		if (!spare)
			return -ENOLCK;
	}
	apply(n, owner, ofd, cur_pid(), fl->l_type, start, end, nl, spare);
	node_changed(n);
	return 0;
}

long fcntl_lock(struct file *f, int cmd, uaddr_t arg)
{
	struct linux_flock fl;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK ||
		   cmd == F_OFD_SETLKW;
	long r;

	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	/* OFD requests must leave l_pid zero (fcntl(2)). */
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	switch (cmd) {
	case F_GETLK:
	case F_OFD_GETLK:
		r = do_getlk(f, &fl, ofd);
		if (r == 0 && copy_to_user(arg, &fl, sizeof(fl)))
			r = -EFAULT;
		return r;
	case F_SETLK:
	case F_OFD_SETLK:
		return do_setlk(f, &fl, ofd, false);
	default:
		return do_setlk(f, &fl, ofd, true);
	}
}

/* Drops every lock of owner on n; true when there was one. */
static bool drop_owner(struct lock_node *n, const void *owner)
{
	struct rlock *l, *tmp;
	bool any = false;

	list_for_each_entry_safe(l, tmp, &n->locks, link)
		if (l->owner == owner) {
			list_del(&l->link);
			kfree(l);
			any = true;
		}
	return any;
}

void fcntl_lock_close(struct files *owner, struct file *f)
{
	struct rlock_waiter *w, *tmp;
	struct lock_node *n;

	if (!f || !f->inode || list_empty(&rlock_nodes))
		return;
	list_for_each_entry_safe(w, tmp, &rlock_waiters, link)
		if (w->owner == owner && w->ino == f->inode) {
			list_del(&w->link);
			kfree(w);
		}
	n = node_find(f->inode, false);
	if (n && drop_owner(n, owner))
		node_changed(n);
}

void fcntl_lock_file_release(struct file *f)
{
	struct lock_node *n;

	if (!f->inode || list_empty(&rlock_nodes))
		return;
	n = node_find(f->inode, false);
	if (n && drop_owner(n, f))
		node_changed(n);
}
