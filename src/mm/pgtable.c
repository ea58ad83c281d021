/*
 * pgtable.c: the core's own 4-level page table of a struct mm (layer: mm;
 * relies on pmm frames and phys_to_virt). Every table is one frame of 512
 * 64-bit entries; an entry holds a frame address and PTE_* bits. This
 * table is the truth about user memory: the HAL's mapping only mirrors
 * it, and the core reads and writes user pages through the frames here.
 */
#include <kern/klib.h>
#include <kern/pmm.h>

#include "vm_internal.h"

#define PT_ENTRIES 512
#define PT_LEVELS 4

static inline uint64_t *table(paddr_t pa)
{
	return phys_to_virt(pa);
}

static inline unsigned pt_index(uaddr_t va, int lvl)
{
	return (unsigned)(va >> (PAGE_SHIFT + 9 * lvl)) & (PT_ENTRIES - 1);
}

static uint64_t *pt_descend(struct mm *mm, uaddr_t va, bool create)
{
	paddr_t t = mm->pgd;

	for (int lvl = PT_LEVELS - 1; lvl > 0; lvl--) {
		uint64_t *e = &table(t)[pt_index(va, lvl)];

		if (!(*e & PTE_PRESENT)) {
			paddr_t nt;

			if (!create)
				return NULL;
			nt = pmm_alloc();
			if (!nt)
				return NULL;
			*e = nt | PTE_PRESENT;
		}
		t = *e & PTE_ADDR_MASK;
	}
	return &table(t)[pt_index(va, 0)];
}

uint64_t *vm_pt_lookup(struct mm *mm, uaddr_t va)
{
	return pt_descend(mm, va, false);
}

uint64_t *vm_pt_ensure(struct mm *mm, uaddr_t va)
{
	return pt_descend(mm, va, true);
}

int vm_pt_walk(struct mm *mm, uaddr_t start, uaddr_t end,
	       int (*fn)(uint64_t *pte, uaddr_t va, void *arg), void *arg)
{
	uaddr_t va = PAGE_DOWN(start);

	while (va < end) {
		paddr_t t = mm->pgd;
		uint64_t *leaf;
		int lvl;

		for (lvl = PT_LEVELS - 1; lvl > 0; lvl--) {
			uint64_t e = table(t)[pt_index(va, lvl)];

			if (!(e & PTE_PRESENT))
				break;
			t = e & PTE_ADDR_MASK;
		}
		if (lvl > 0) {
			/* No table here: skip everything it would cover. */
			uint64_t span = 1ULL << (PAGE_SHIFT + 9 * lvl);
			uaddr_t next = (va & ~(span - 1)) + span;

			if (next <= va)
				break;
			va = next;
			continue;
		}
		leaf = table(t);
		for (unsigned i = pt_index(va, 0); i < PT_ENTRIES && va < end;
		     i++, va += PAGE_SIZE) {
			if (leaf[i] & PTE_PRESENT) {
				int r = fn(&leaf[i], va, arg);

				if (r)
					return r;
			}
		}
	}
	return 0;
}

static void free_table(paddr_t t, int lvl)
{
	if (lvl > 0) {
		uint64_t *tab = table(t);

		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if (tab[i] & PTE_PRESENT)
				free_table(tab[i] & PTE_ADDR_MASK, lvl - 1);
	}
	pmm_put(t);
}

void vm_pt_free_tables(struct mm *mm)
{
	if (mm->pgd)
		free_table(mm->pgd, PT_LEVELS - 1);
	mm->pgd = 0;
}
