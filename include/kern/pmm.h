/*
 * pmm: the physical frame allocator. Owns the frames boot_info gives the
 * core; each frame has a reference count so that copy-on-write and shared
 * mappings can share it.
 */
#ifndef KERN_PMM_H
#define KERN_PMM_H

#include <hal.h>
#include <kern/types.h>

/* Takes ownership of frames [start, start + bytes). Frame 0 is never handed
 * out, so 0 can mean "no frame". */
void pmm_init(paddr_t start, uint64_t bytes);

/* One zeroed frame with refcount 1, or 0 when memory is exhausted. */
paddr_t pmm_alloc(void);

/* Up to want physically contiguous zeroed frames (at least 1), each with
 * refcount 1; *got receives the count. Returns 0 when none is free. */
paddr_t pmm_alloc_contig(size_t want, size_t *got);

/* Reference counting: pmm_put frees the frame when the count drops to 0. */
void pmm_get(paddr_t pa);
void pmm_put(paddr_t pa);
unsigned pmm_refcount(paddr_t pa);

size_t pmm_free_frames(void);
size_t pmm_total_frames(void);

static inline void *phys_to_virt(paddr_t pa) { return hal_phys_to_virt(pa); }

#endif
