/*
 * Intrusive circular doubly-linked lists, the one container the core uses
 * for run queues, wait queues, VMAs, children and mounts.
 */
#ifndef KERN_LIST_H
#define KERN_LIST_H

#include <kern/types.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void list__insert(struct list_head *n, struct list_head *prev,
				struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Insert n after h (stack order). */
static inline void list_add(struct list_head *n, struct list_head *h)
{
	list__insert(n, h, h->next);
}

/* Insert n before h (queue order when h is the head). */
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	list__insert(n, h->prev, h);
}

/* Unlink n and leave it self-linked, so a second list_del is harmless. */
static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_last_entry(h, type, member) list_entry((h)->prev, type, member)

/* The loops test for the end by address arithmetic, never by forming
 * &pos->member on the head's container (which may be misaligned for
 * pos's type; UBSan rightly objects). After a full loop pos is the head's
 * container, as in Linux: do not dereference it. */
#define list__member(pos, member)                                              \
	((struct list_head *)((char *)(pos) +                                  \
			      offsetof(__typeof__(*(pos)), member)))

#define list_for_each_entry(pos, head, member)                                 \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);         \
	     list__member(pos, member) != (head);                              \
	     pos = list_entry(list__member(pos, member)->next,                 \
			      __typeof__(*pos), member))

#define list_for_each_entry_safe(pos, n, head, member)                         \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),         \
	    n = list_entry(list__member(pos, member)->next, __typeof__(*pos),  \
			   member);                                            \
	     list__member(pos, member) != (head); pos = n,                     \
	    n = list_entry(list__member(n, member)->next, __typeof__(*n),      \
			   member))

#endif
