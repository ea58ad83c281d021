/*
 * epoll.c: epoll(7): epoll_create, epoll_create1, epoll_ctl and the
 * epoll_wait family. Each watch (an "item": file, fd, events) hooks the
 * queue the file's poll op hands out; the hook puts the item on its
 * epoll's ready list and notifies the epoll's own queue, where epoll_wait
 * parks and where an outer poll/epoll hooks in turn. epoll_wait polls the
 * ready items again (level-triggered ones stay on the list, edge-triggered
 * ones leave it until their next wake-up, one-shot ones are disabled).
 * Watches belong to the open file description and vanish at its last
 * close (epoll_file_release, called by file_put).
 * Layer: VFS (a file type); relies on wait_hook.c, vfs_poll, anon.c.
 */
#include <kern/timer.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/epoll.h>
#include <uapi/time.h>

#include "internal.h"

/* Bits of an item's events that are flags, not poll bits. */
#define EP_FLAGS (EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET)
/* What EPOLLEXCLUSIVE may come with (epoll_ctl(2)). */
#define EP_EXCLUSIVE_OK                                                        \
	(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET |    \
	 EPOLLEXCLUSIVE)
#define EP_MAX_EVENTS (0x7fffffff / sizeof(struct linux_epoll_event))
/* Linux's EP_MAX_NESTS: epolls watching epolls, at most this deep. */
#define EP_MAX_NESTS 4

struct eventpoll {
	struct list_head items; /* struct epitem.link */
	struct list_head ready; /* struct epitem.rdlink */
	size_t nitems;
	struct waitq wq; /* epoll_wait callers, and pollers of this epoll */
};

struct epitem {
	struct list_head link;	 /* in ep->items */
	struct list_head rdlink; /* in ep->ready; self-linked when not */
	struct list_head flink;	 /* in watch_buckets, by file */
	struct eventpoll *ep;
	struct file *file; /* watched, not referenced */
	int fd;
	uint32_t events; /* asked for, plus POLLERR | POLLHUP and flags */
	uint64_t data;
	struct waitq_hook hook;
};

static const struct file_ops epoll_fops;

#define WATCH_BUCKETS 64
static struct list_head watch_buckets[WATCH_BUCKETS];
static size_t nwatches;

static struct list_head *watch_bucket(const struct file *f)
{
	static bool ready;
	uintptr_t v = (uintptr_t)f;

	if (!ready) {
		for (int i = 0; i < WATCH_BUCKETS; i++)
			list_init(&watch_buckets[i]);
		ready = true;
	}
	return &watch_buckets[((v >> 4) ^ (v >> 12)) % WATCH_BUCKETS];
}

static bool is_epoll(const struct file *f)
{
	return f->ops == &epoll_fops;
}

static void ep_mark_ready(struct epitem *it)
{
	if (list_empty(&it->rdlink))
		list_add_tail(&it->rdlink, &it->ep->ready);
}

static void ep_callback(struct waitq_hook *h, unsigned key)
{
	struct epitem *it = container_of(h, struct epitem, hook);

	/* A disabled one-shot item, or a change it does not care for. */
	if (!(it->events & ~EP_FLAGS))
		return;
	if (key && !(key & it->events))
		return;
	ep_mark_ready(it);
	waitq_notify(&it->ep->wq, POLLIN | POLLRDNORM);
}

static void ep_remove(struct epitem *it)
{
	waitq_hook_del(&it->hook);
	list_del(&it->link);
	list_del(&it->rdlink);
	list_del(&it->flink);
	it->ep->nitems--;
	nwatches--;
	kfree(it);
}

void epoll_file_release(struct file *f)
{
	struct epitem *it, *tmp;

	if (!nwatches)
		return;
	list_for_each_entry_safe(it, tmp, watch_bucket(f), flink)
		if (it->file == f)
			ep_remove(it);
}

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *it;

	list_for_each_entry(it, &ep->items, link)
		if (it->file == f && it->fd == fd)
			return it;
	return NULL;
}

/* Can `to` be reached from `from` through watched epolls, or is the chain
 * below `from` deeper than Linux allows? Then adding `from` to `to` would
 * make a loop: -ELOOP. */
static bool ep_loops(struct eventpoll *from, struct eventpoll *to, int depth)
{
	struct epitem *it;

	if (from == to || depth > EP_MAX_NESTS)
		return true;
	list_for_each_entry(it, &from->items, link)
		if (is_epoll(it->file) &&
		    ep_loops(it->file->priv, to, depth + 1))
			return true;
	return false;
}

static int ep_insert(struct eventpoll *ep, struct file *tf, int fd,
		     const struct linux_epoll_event *ev)
{
	struct epitem *it = kzalloc(sizeof(*it));
	struct waitq *wq;
	unsigned mask;

	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = tf;
	it->fd = fd;
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	list_init(&it->rdlink);
	list_add_tail(&it->link, &ep->items);
	list_add_tail(&it->flink, watch_bucket(tf));
	ep->nitems++;
	nwatches++;
	mask = vfs_poll(tf, &wq);
	if (wq)
		waitq_hook_add(wq, &it->hook, ep_callback);
	if (mask & it->events) {
		ep_mark_ready(it);
		waitq_notify(&ep->wq, POLLIN | POLLRDNORM);
	}
	return 0;
}

static int ep_modify(struct epitem *it, const struct linux_epoll_event *ev)
{
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	if (vfs_poll(it->file, NULL) & it->events) {
		ep_mark_ready(it);
		waitq_notify(&it->ep->wq, POLLIN | POLLRDNORM);
	}
	return 0;
}

long sys_epoll_ctl(int epfd, int op, int fd, uaddr_t event)
{
	struct linux_epoll_event ev = { 0, 0 };
	struct file *f, *tf = NULL;
	struct eventpoll *ep;
	struct epitem *it;
	long err;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, event, sizeof(ev)))
		return -EFAULT;
	f = fd_get_io(epfd);
	if (!f)
		return -EBADF;
	tf = fd_get_io(fd);
	err = -EBADF;
	if (!tf)
		goto out;
	err = -EPERM;
	if (!tf->ops || !tf->ops->poll)
		goto out;
	/* Ember has no suspend to block: EPOLLWAKEUP means nothing. */
	ev.events &= ~EPOLLWAKEUP;
	err = -EINVAL;
	if (f == tf || !is_epoll(f))
		goto out;
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			goto out;
		if (op == EPOLL_CTL_ADD &&
		    (is_epoll(tf) || (ev.events & ~EP_EXCLUSIVE_OK)))
			goto out;
	}
	ep = f->priv;
	it = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it)
			err = -EEXIST;
		else if (is_epoll(tf) && ep_loops(tf->priv, ep, 1))
			err = -ELOOP;
		else
			err = ep_insert(ep, tf, fd, &ev);
		break;
	case EPOLL_CTL_DEL:
		err = -ENOENT;
		if (it) {
			ep_remove(it);
			err = 0;
		}
		break;
	case EPOLL_CTL_MOD:
		if (!it)
			err = -ENOENT;
		else if (!(it->events & EPOLLEXCLUSIVE))
			err = ep_modify(it, &ev);
		break;
	default:
		break;
	}
out:
	file_put(tf);
	file_put(f);
	return err;
}

/*
 * Takes up to max events off the ready list, polling each item again:
 * an item that is not ready any more just leaves the list. Level-triggered
 * items go back to its tail, so the next wait sees them first thing.
 */
static int ep_collect(struct eventpoll *ep, struct linux_epoll_event *out,
		      int max)
{
	struct list_head tx;
	int n = 0;

	if (list_empty(&ep->ready))
		return 0;
	tx = ep->ready;
	tx.next->prev = &tx;
	tx.prev->next = &tx;
	list_init(&ep->ready);
	while (!list_empty(&tx) && n < max) {
		struct epitem *it =
			list_first_entry(&tx, struct epitem, rdlink);
		unsigned mask;

		list_del(&it->rdlink);
		mask = vfs_poll(it->file, NULL) & it->events;
		if (!mask)
			continue;
		out[n].events = mask;
		out[n].data = it->data;
		n++;
		if (it->events & EPOLLONESHOT)
			it->events &= EP_FLAGS;
		else if (!(it->events & EPOLLET))
			ep_mark_ready(it);
	}
	/* What was not looked at stays ready, ahead of the rest. */
	if (!list_empty(&tx)) {
		struct list_head *first = tx.next, *last = tx.prev;

		last->next = ep->ready.next;
		ep->ready.next->prev = last;
		ep->ready.next = first;
		first->prev = &ep->ready;
	}
	return n;
}

static long ep_wait(int epfd, uaddr_t events, int maxevents, uint64_t deadline)
{
	struct linux_epoll_event *kev;
	struct eventpoll *ep;
	struct file *f;
	long ret;
	int n;

	if (maxevents <= 0 || (size_t)maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	if (events + (uint64_t)maxevents * sizeof(*kev) < events ||
	    events + (uint64_t)maxevents * sizeof(*kev) > HAL_USER_VA_END)
		return -EFAULT;
	f = fd_get_io(epfd);
	if (!f)
		return -EBADF;
	if (!is_epoll(f)) {
		file_put(f);
		return -EINVAL;
	}
	ep = f->priv;
	n = (int)MIN((size_t)maxevents, ep->nitems ? ep->nitems : 1);
	kev = kmalloc((size_t)n * sizeof(*kev));
	if (!kev) {
		file_put(f);
		return -ENOMEM;
	}
	n = ep_collect(ep, kev, n);
	if (n > 0)
		ret = copy_to_user(events, kev, (size_t)n * sizeof(*kev)) ?
			      -EFAULT :
			      n;
	else if (poll_timed_out(deadline))
		ret = 0;
	else if (fs_signal_pending())
		ret = -EINTR;
	else
		ret = poll_block((struct waitq *const[]){ &ep->wq }, 1,
				 deadline);
	kfree(kev);
	file_put(f);
	return ret;
}

static uint64_t ms_deadline(int timeout)
{
	if (current->resumed)
		return current->block_deadline;
	return poll_deadline_first(
		timeout > 0 ? (uint64_t)timeout * 1000000ULL : 0, timeout < 0);
}

long sys_epoll_wait(int epfd, uaddr_t events, int maxevents, int timeout)
{
	return ep_wait(epfd, events, maxevents, ms_deadline(timeout));
}

long sys_epoll_pwait(int epfd, uaddr_t events, int maxevents, int timeout,
		     uaddr_t sigmask, size_t sigsetsize)
{
	long ret = poll_sigmask_set(sigmask, sigsetsize);

	if (ret < 0)
		return ret;
	return poll_sigmask_done(
		ep_wait(epfd, events, maxevents, ms_deadline(timeout)));
}

long sys_epoll_pwait2(int epfd, uaddr_t events, int maxevents, uaddr_t timeout,
		      uaddr_t sigmask, size_t sigsetsize)
{
	struct linux_timespec ts;
	uint64_t deadline;
	long ret;

	if (current->resumed) {
		deadline = current->block_deadline;
	} else {
		if (timeout) {
			if (copy_from_user(&ts, timeout, sizeof(ts)))
				return -EFAULT;
			if (!timespec_valid(&ts))
				return -EINVAL;
		}
		ret = poll_sigmask_set(sigmask, sigsetsize);
		if (ret < 0)
			return ret;
		deadline = poll_deadline_first(
			timeout ? timespec_to_ns(&ts) : 0, !timeout);
	}
	return poll_sigmask_done(ep_wait(epfd, events, maxevents, deadline));
}

/* ---- the epoll file ---- */

static unsigned ep_poll(struct file *f, struct waitq **wq)
{
	struct eventpoll *ep = f->priv;
	struct epitem *it;

	if (wq)
		*wq = &ep->wq;
	list_for_each_entry(it, &ep->ready, rdlink)
		if (vfs_poll(it->file, NULL) & it->events)
			return POLLIN | POLLRDNORM;
	return 0;
}

static long ep_llseek(struct file *f, int64_t off, int whence)
{
	return (long)f->pos; /* Linux's noop_llseek */
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->priv;

	while (!list_empty(&ep->items))
		ep_remove(list_first_entry(&ep->items, struct epitem, link));
	/* Parked epoll_wait calls re-run and find the fd gone. */
	waitq_notify(&ep->wq, POLLHUP);
	kfree(ep);
}

static const struct file_ops epoll_fops = {
	.llseek = ep_llseek,
	.poll = ep_poll,
	.release = ep_release,
};

long sys_epoll_create1(unsigned long flags)
{
	struct eventpoll *ep;
	struct file *f;
	long fd;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	list_init(&ep->items);
	list_init(&ep->ready);
	waitq_init(&ep->wq);
	f = anon_file_open("eventpoll", &epoll_fops, ep, O_RDWR);
	if (IS_ERR(f)) {
		kfree(ep);
		return PTR_ERR(f);
	}
	fd = fd_install(f, 0, flags & EPOLL_CLOEXEC);
	file_put(f);
	return fd;
}

long sys_epoll_create(int size)
{
	if (size <= 0)
		return -EINVAL;
	return sys_epoll_create1(0);
}
