/*
 * kmalloc: the core's heap, built on pmm frames. Small sizes come from
 * power-of-two size classes, large ones from contiguous frames.
 */
#ifndef KERN_KMALLOC_H
#define KERN_KMALLOC_H

#include <kern/types.h>

/* size bytes aligned to 16, or NULL when out of memory. Never blocks. */
void *kmalloc(size_t size);
/* Same, zero-filled. */
void *kzalloc(size_t size);
/* Frees p (NULL is allowed). */
void kfree(void *p);
/* Duplicates a NUL-terminated string; NULL when out of memory. */
char *kstrdup(const char *s);

struct kmalloc_stats {
	size_t bytes_in_use; /* requested bytes not yet freed */
	size_t allocs_live;  /* allocations not yet freed */
	size_t frames_used;  /* frames held by the heap */
};
void kmalloc_stats(struct kmalloc_stats *st);

#endif
