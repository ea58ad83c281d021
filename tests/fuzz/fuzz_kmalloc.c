/*
 * fuzz_kmalloc.c: the core's heap for the fuzzers (layer: test glue; it
 * replaces src/mm/kmalloc.c in the fuzz build and keeps its contract from
 * kern/kmalloc.h). Every allocation is its own libc malloc, so
 * AddressSanitizer sees each kernel object with redzones and a quarantine:
 * an overflow, a use after free or a double free in the core is reported
 * where it happens, which the slab allocator's frames would hide. The
 * allocator records what is live so that fuzz_kmalloc_free_all() can drop
 * the whole heap between inputs, and it fails (returns NULL) past a fixed
 * budget the way the real heap runs out of frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/kmalloc.h>

#include "fuzz.h"

/* The real heap lives in the frame arena; the same order of size here. */
#define HEAP_BUDGET (48ULL << 20)
#define MAX_LIVE 32768
#define HASH_SLOTS 65536 /* power of two, twice MAX_LIVE */

struct live {
	void *p;
	size_t size;
};

/* Dense array of live allocations, and an open-addressing index into it
 * (slot value: position + 1; 0 is empty). */
static struct live live[MAX_LIVE];
static uint32_t index_of[HASH_SLOTS];
static size_t nlive;
static size_t live_bytes;

static size_t slot_of(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return (size_t)x & (HASH_SLOTS - 1);
}

static size_t find_slot(const void *p)
{
	size_t s = slot_of(p);

	while (index_of[s] && live[index_of[s] - 1].p != p)
		s = (s + 1) & (HASH_SLOTS - 1);
	return s;
}

/* Linear probing without tombstones: later entries of the cluster move
 * back into the hole. */
static void slot_remove(size_t s)
{
	size_t hole = s, j = s;

	index_of[hole] = 0;
	for (;;) {
		size_t home;

		j = (j + 1) & (HASH_SLOTS - 1);
		if (!index_of[j])
			return;
		home = slot_of(live[index_of[j] - 1].p);
		/* Leave j where it is if its home lies cyclically in
		 * (hole, j]. */
		if (hole <= j ? (hole < home && home <= j) :
				(hole < home || home <= j))
			continue;
		index_of[hole] = index_of[j];
		index_of[j] = 0;
		hole = j;
	}
}

void *kmalloc(size_t size)
{
	void *p;

	if (size > HEAP_BUDGET || live_bytes + size > HEAP_BUDGET ||
	    nlive == MAX_LIVE)
		return NULL;
	/* malloc's 16-byte alignment is kmalloc's. */
	p = malloc(size ? size : 1);
	if (!p)
		return NULL;
	live[nlive].p = p;
	live[nlive].size = size;
	nlive++;
	index_of[find_slot(p)] = (uint32_t)nlive;
	live_bytes += size;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

char *kstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = kmalloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

void kfree(void *p)
{
	size_t s, pos;

	if (!p)
		return;
	s = find_slot(p);
	if (!index_of[s]) {
		/* Not a live kmalloc pointer: libc's free makes ASan report
		 * the double or invalid free with both stacks. */
		free(p);
		fuzz_fail("kfree(%p): not a live allocation", p);
	}
	pos = index_of[s] - 1;
	live_bytes -= live[pos].size;
	slot_remove(s);
	nlive--;
	if (pos != nlive) {
		live[pos] = live[nlive];
		index_of[find_slot(live[pos].p)] = (uint32_t)pos + 1;
	}
	free(p);
}

void kmalloc_stats(struct kmalloc_stats *st)
{
	st->bytes_in_use = live_bytes;
	st->allocs_live = nlive;
	st->frames_used = 0;
}

void fuzz_kmalloc_free_all(void)
{
	for (size_t i = 0; i < nlive; i++)
		free(live[i].p);
	if (nlive)
		memset(index_of, 0, sizeof(index_of));
	nlive = 0;
	live_bytes = 0;
}
