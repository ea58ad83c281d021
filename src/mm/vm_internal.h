/*
 * vm_internal.h: what vm.c, pgtable.c and fault.c share inside src/mm.
 * Not part of any other subsystem's contract.
 */
#ifndef MM_VM_INTERNAL_H
#define MM_VM_INTERNAL_H

#include <kern/vm.h>

/* ---- the core's software page table (pgtable.c) ---- */

/* The leaf entry for va, or NULL when a table on the way is missing. */
uint64_t *vm_pt_lookup(struct mm *mm, uaddr_t va);
/* The leaf entry for va, creating missing tables; NULL when out of
 * frames. */
uint64_t *vm_pt_ensure(struct mm *mm, uaddr_t va);
/* Calls fn for every present leaf entry in [start, end), in address
 * order, skipping missing tables whole. Stops at fn's first non-zero
 * return and returns it. fn may change or clear *pte. */
int vm_pt_walk(struct mm *mm, uaddr_t start, uaddr_t end,
	       int (*fn)(uint64_t *pte, uaddr_t va, void *arg), void *arg);
/* Frees every table frame (not the frames the leaves point to). */
void vm_pt_free_tables(struct mm *mm);

/* The protection the HAL mirror of a present page gets: the VMA's, minus
 * write while the page is copy-on-write. */
static inline unsigned vm_pte_prot(const struct vma *v, uint64_t pte)
{
	return (pte & PTE_WRITE) ? v->prot : (v->prot & ~(unsigned)VM_WRITE);
}

/* ---- batching of HAL mirror calls into ranges (vm.c) ---- */

struct vm_batch {
	struct mm *mm;
	uaddr_t va;
	paddr_t pa;
	size_t n;
	unsigned prot;
	int err;
};

static inline void vm_batch_init(struct vm_batch *b, struct mm *mm)
{
	b->mm = mm;
	b->n = 0;
	b->err = 0;
}

/* Maps: pages join a run while va and pa both continue it. */
void vm_batch_map(struct vm_batch *b, uaddr_t va, paddr_t pa, unsigned prot);
/* Protections: a run also spans pages never added (absent pages, whose
 * protection does not matter) as long as prot is the same. */
void vm_batch_protect(struct vm_batch *b, uaddr_t va, unsigned prot);
/* Issues the pending call of a map or protect batch; returns the first
 * error any call of the batch gave. */
int vm_batch_flush_map(struct vm_batch *b);
int vm_batch_flush_protect(struct vm_batch *b);

/*
 * The one walker behind vm_read/vm_write/vm_zero/vm_access (fault.c): for
 * each page piece of [addr, addr + n), checks the VMA (unless force),
 * makes the page present (and private, for writes) and hands fn the
 * kernel pointer. Returns 0, fn's first non-zero return, or -EFAULT.
 */
int vm_access_range(struct mm *mm, uaddr_t addr, size_t n, bool write,
		    bool force, int (*fn)(void *, size_t, void *), void *arg);

/* True when no VMA overlaps [start, start+len). */
bool vm_range_is_free(struct mm *mm, uaddr_t start, size_t len);

/* Drops every frame mapped in [start, end) (rss too); no HAL call. */
void vm_free_frames(struct mm *mm, uaddr_t start, uaddr_t end);

#endif
