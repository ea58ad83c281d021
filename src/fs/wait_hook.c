/*
 * wait_hook.c: callback waiters on wait queues (kern/sched.h's waitq_hook
 * and waitq_notify) and the poll table that lets one thread wait on many
 * queues at once (poll, select). Hooks live in a small hash keyed by the
 * queue's address, so struct waitq needs no extra field and a queue may be
 * freed while a stale hook still names it: such a hook only ever costs a
 * spurious wake-up, which the sched.h protocol tolerates.
 * Layer: VFS core; relies on sched_block/sched_wake and thread_find.
 */
#include "internal.h"

#define HOOK_BUCKETS 64

static struct list_head buckets[HOOK_BUCKETS];
static bool buckets_ready;

static struct list_head *bucket_of(const struct waitq *wq)
{
	uintptr_t v = (uintptr_t)wq;

	if (!buckets_ready) {
		for (int i = 0; i < HOOK_BUCKETS; i++)
			list_init(&buckets[i]);
		buckets_ready = true;
	}
	return &buckets[((v >> 4) ^ (v >> 12)) % HOOK_BUCKETS];
}

void waitq_hook_add(struct waitq *wq, struct waitq_hook *h,
		    void (*fn)(struct waitq_hook *h, unsigned key))
{
	h->wq = wq;
	h->fn = fn;
	list_add_tail(&h->link, bucket_of(wq));
}

void waitq_hook_del(struct waitq_hook *h)
{
	/* A zeroed hook was never added. */
	if (h->link.next)
		list_del(&h->link);
}

/*
 * The hooks of wq move to a private list first and back to the bucket
 * one at a time just before their fn runs: a fn may delete or free any
 * hook (a woken poll frees its whole table) and may add new ones (a re-run
 * that parks again), and neither disturbs this loop or fires twice.
 */
void waitq_notify(struct waitq *wq, unsigned key)
{
	struct waitq_hook *h, *tmp;
	struct list_head fire, *b;

	waitq_wake_all(wq);
	b = bucket_of(wq);
	list_init(&fire);
	list_for_each_entry_safe(h, tmp, b, link) {
		if (h->wq != wq)
			continue;
		list_del(&h->link);
		list_add_tail(&h->link, &fire);
	}
	while (!list_empty(&fire)) {
		h = list_first_entry(&fire, struct waitq_hook, link);
		list_del(&h->link);
		list_add_tail(&h->link, b);
		h->fn(h, key);
	}
}

/* ---- the poll table: one parked thread, many queues ---- */

struct poll_entry {
	struct waitq_hook hook;
	struct poll_table *pt;
};

struct poll_table {
	struct list_head link; /* in poll_tables */
	struct thread *t;
	int tid;
	size_t n;
	struct poll_entry e[];
};

/* Tables of threads parked in poll/select; a thread has at most one. */
static LIST_HEAD(poll_tables);

static struct poll_table *table_of(const struct thread *t)
{
	struct poll_table *pt;

	list_for_each_entry(pt, &poll_tables, link)
		if (pt->t == t)
			return pt;
	return NULL;
}

static void table_free(struct poll_table *pt)
{
	for (size_t i = 0; i < pt->n; i++)
		waitq_hook_del(&pt->e[i].hook);
	list_del(&pt->link);
	kfree(pt);
}

static void poll_entry_fire(struct waitq_hook *h, unsigned key)
{
	struct poll_table *pt = container_of(h, struct poll_entry, hook)->pt;
	struct thread *t = thread_find(pt->tid);

	/* A thread that died parked never re-ran to drop its table. */
	if (t != pt->t || t->state != THREAD_BLOCKED) {
		table_free(pt);
		return;
	}
	/* The re-run frees pt (poll_table_clear) before anything else. */
	sched_wake(t, WAKE_EVENT);
}

void poll_table_clear(void)
{
	struct poll_table *pt = current ? table_of(current) : NULL;

	if (pt)
		table_free(pt);
}

/* Entries already hooked that are checked for duplicates: enough for the
 * usual runs of fds on one queue, without a quadratic scan. */
#define DEDUP_WINDOW 8

long poll_table_block(struct waitq *const *wqs, size_t n, uint64_t deadline)
{
	struct waitq *one = NULL;
	struct poll_table *pt;
	bool many = false;

	for (size_t i = 0; i < n; i++) {
		if (!wqs[i])
			continue;
		if (!one)
			one = wqs[i];
		else if (wqs[i] != one)
			many = true;
	}
	/* One queue: park on it directly, which also works for queues
	 * whose wakers only call waitq_wake_all. */
	if (!many)
		return sched_block(one, deadline);
	pt = kzalloc(sizeof(*pt) + n * sizeof(pt->e[0]));
	if (!pt)
		return -ENOMEM;
	pt->t = current;
	pt->tid = current->tid;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		if (!wqs[i])
			continue;
		for (size_t j = pt->n > DEDUP_WINDOW ? pt->n - DEDUP_WINDOW : 0;
		     j < pt->n && !dup; j++)
			dup = pt->e[j].hook.wq == wqs[i];
		if (dup)
			continue;
		pt->e[pt->n].pt = pt;
		waitq_hook_add(wqs[i], &pt->e[pt->n].hook, poll_entry_fire);
		pt->n++;
	}
	list_add_tail(&pt->link, &poll_tables);
	return sched_block(NULL, deadline);
}
