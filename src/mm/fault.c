/*
 * fault.c: demand paging, copy-on-write and the kernel's access to user
 * memory (layer: mm; relies on vm.c's VMAs, pgtable.c's table, pmm
 * frames and the HAL mirror). A fault maps a cluster of contiguous
 * frames with one HAL call; vm_read/vm_write/vm_access reach user pages
 * only through their frames, faulting them in on the way, so the core
 * never dereferences a user address.
 */
#include <kern/klib.h>
#include <kern/pmm.h>
#include <uapi/errno.h>

#include "vm_internal.h"

/* Pages a fault maps at most: one hosted HAL call instead of sixteen
 * faults when a program walks through fresh memory. */
#define FAULT_CLUSTER 16

static bool page_present(struct mm *mm, uaddr_t va)
{
	uint64_t *pte = vm_pt_lookup(mm, va);

	return pte && (*pte & PTE_PRESENT);
}

/* A HAL mirror call's result; -ESRCH marks the space gone for good. */
static int mirrored(struct mm *mm, int r)
{
	if (r == -ESRCH)
		mm->as_gone = true;
	return r;
}

/*
 * A shared file mapping: maps the object's own frames for n pages from
 * s, one page at a time (its frames are not contiguous). Returns 0,
 * -ENXIO past the object's end (SIGBUS), or -ENOMEM.
 */
static int fill_object(struct mm *mm, struct vma *v, uaddr_t s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uaddr_t va = s + i * PAGE_SIZE;
		uint64_t *pte = vm_pt_ensure(mm, va);
		paddr_t pa;
		int r;

		if (!pte)
			return -ENOMEM;
		r = v->obj_ops->get_page(v->obj,
					 v->pgoff + ((va - v->start) >> PAGE_SHIFT),
					 &pa);
		if (r)
			return r;
		*pte = pa | PTE_PRESENT | PTE_WRITE;
		mm->rss_pages++;
		r = mirrored(mm, hal_as_map(mm->as, va, pa, 1, v->prot));
		if (r)
			return r;
	}
	return 0;
}

/*
 * Backs [s, s + n pages) (all absent, inside v) with fresh frames, as few
 * runs of contiguous frames as pmm gives, each mapped with one HAL call.
 * With must (inside the range), stops once must is backed; otherwise
 * fills the whole range. Returns 0 or -ENOMEM.
 */
static int fill_range(struct mm *mm, struct vma *v, uaddr_t s, size_t n,
		      uaddr_t must, bool only_must)
{
	if (v->obj_ops)
		return fill_object(mm, v, only_must ? must : s,
				   only_must ? 1 : n);
	while (n) {
		size_t got;
		paddr_t pa;
		uaddr_t at = s;
		uint64_t *pte;
		int r;

		/* Tables first: a frame run is never half placed. */
		for (size_t i = 0; i < n; i++)
			if (!vm_pt_ensure(mm, s + i * PAGE_SIZE))
				return -ENOMEM;
		pa = pmm_alloc_contig(n, &got);
		if (!pa)
			return -ENOMEM;
		/* A short run goes at the faulting page and after it: programs
		 * mostly walk memory upwards. */
		if (only_must && got < n) {
			at = must;
			if (at + got * PAGE_SIZE > s + n * PAGE_SIZE)
				at = s + (n - got) * PAGE_SIZE;
		}
		for (size_t i = 0; i < got; i++) {
			pte = vm_pt_lookup(mm, at + i * PAGE_SIZE);
			*pte = (pa + i * PAGE_SIZE) | PTE_PRESENT | PTE_WRITE;
		}
		mm->rss_pages += got;
		r = mirrored(mm, hal_as_map(mm->as, at, pa, got, v->prot));
		if (r)
			return r;
		if (only_must)
			return 0;
		s += got * PAGE_SIZE;
		n -= got;
	}
	return 0;
}

/* Maps a cluster of absent pages around page (which is absent). */
static int fault_absent(struct mm *mm, struct vma *v, uaddr_t page)
{
	uaddr_t win_lo, win_hi, lo, hi;

	win_lo = ALIGN_DOWN(page, FAULT_CLUSTER * PAGE_SIZE);
	win_hi = win_lo + FAULT_CLUSTER * PAGE_SIZE;
	win_lo = MAX(win_lo, v->start);
	win_hi = MIN(win_hi, v->end);
	lo = page;
	while (lo > win_lo && !page_present(mm, lo - PAGE_SIZE))
		lo -= PAGE_SIZE;
	hi = page + PAGE_SIZE;
	while (hi < win_hi && !page_present(mm, hi))
		hi += PAGE_SIZE;
	return fill_range(mm, v, lo, (hi - lo) / PAGE_SIZE, page, true);
}

/* Gives the writer of a copy-on-write page its own frame (or the frame
 * itself when nobody else holds it any more). */
static int cow_break(struct mm *mm, struct vma *v, uaddr_t page, uint64_t *pte)
{
	paddr_t old = *pte & PTE_ADDR_MASK;

	if (pmm_refcount(old) > 1) {
		paddr_t copy = pmm_alloc();

		if (!copy)
			return -ENOMEM;
		memcpy(phys_to_virt(copy), phys_to_virt(old), PAGE_SIZE);
		pmm_put(old);
		*pte = copy | PTE_PRESENT | PTE_WRITE;
		return mirrored(mm, hal_as_map(mm->as, page, copy, 1, v->prot));
	}
	*pte = (*pte & ~PTE_COW) | PTE_WRITE;
	return mirrored(mm, hal_as_protect(mm->as, page, 1, v->prot));
}

/* Makes page present (and privately writable when write); *ptep gets
 * its entry. Protections are the caller's business. */
static int make_present(struct mm *mm, struct vma *v, uaddr_t page, bool write,
			uint64_t **ptep)
{
	uint64_t *pte = vm_pt_lookup(mm, page);
	int r;

	if (!pte || !(*pte & PTE_PRESENT)) {
		r = fault_absent(mm, v, page);
		if (r)
			return r;
		pte = vm_pt_lookup(mm, page);
	}
	if (write && (*pte & PTE_COW)) {
		r = cow_break(mm, v, page, pte);
		if (r)
			return r;
	}
	*ptep = pte;
	return 0;
}

/* Reads are allowed by any protection but none (x86 cannot map a page
 * write-only or execute-only). */
static inline bool vma_readable(const struct vma *v)
{
	return v->prot != 0;
}

int vm_fault(struct mm *mm, uaddr_t addr, unsigned access)
{
	struct vma *v = vm_find_vma(mm, addr);
	uaddr_t page = PAGE_DOWN(addr);
	unsigned acc = access & (HAL_ACC_READ | HAL_ACC_WRITE | HAL_ACC_EXEC);
	uint64_t *pte;
	unsigned prot;
	int r;

	if (!v)
		return -EFAULT;
	if (((acc & HAL_ACC_WRITE) && !(v->prot & VM_WRITE)) ||
	    ((acc & HAL_ACC_EXEC) && !(v->prot & VM_EXEC)) || !vma_readable(v))
		return -EACCES;
	pte = vm_pt_lookup(mm, page);
	if (!pte || !(*pte & PTE_PRESENT)) {
		mm->remirror_va = 0;
		return fault_absent(mm, v, page);
	}
	/* Unknown access to a copy-on-write page of a writable VMA: only a
	 * write can have been refused. */
	if (acc == 0 && (*pte & PTE_COW) && (v->prot & VM_WRITE))
		acc = HAL_ACC_WRITE;
	if ((acc & HAL_ACC_WRITE) && (*pte & PTE_COW)) {
		mm->remirror_va = 0;
		r = make_present(mm, v, page, true, &pte);
		return r;
	}

	/* Our table allows the access, so the HAL's mirror is stale: map
	 * the page again. If that was already done and the page faults
	 * again unchanged, the access was a forbidden one we could not
	 * tell from the HAL's report. */
	if (mm->remirror_va == page + 1 && mm->remirror_pte == *pte) {
		mm->remirror_va = 0;
		return -EACCES;
	}
	/* page + 1: a remembered page can never be confused with "none". */
	mm->remirror_va = page + 1;
	mm->remirror_pte = *pte;
	prot = vm_pte_prot(v, *pte);
	return mirrored(mm,
			hal_as_map(mm->as, page, *pte & PTE_ADDR_MASK, 1, prot));
}

#define POPULATE_RUN (512 * PAGE_SIZE)

int vm_populate(struct mm *mm, uaddr_t start, size_t len)
{
	uaddr_t end = PAGE_UP(start + len);
	uaddr_t va = PAGE_DOWN(start);

	if (end < va)
		return -EFAULT;
	while (va < end) {
		struct vma *v = vm_find_vma(mm, va);
		uaddr_t lim, run;
		int r;

		if (!v)
			return -EFAULT;
		lim = MIN(end, v->end);
		/* PROT_NONE memory is not populated, as on Linux. */
		if (!vma_readable(v)) {
			va = lim;
			continue;
		}
		while (va < lim) {
			if (page_present(mm, va)) {
				va += PAGE_SIZE;
				continue;
			}
			/* Bounded runs: allocation starts at once and stops at
			 * the first -ENOMEM, so a huge range (64 TiB with
			 * MAP_POPULATE, found by the fuzzer) costs at most the
			 * frames there are, never a walk of the whole span. */
			for (run = va; run < lim && run - va < POPULATE_RUN &&
				       !page_present(mm, run);
			     run += PAGE_SIZE)
				;
			r = fill_range(mm, v, va, (run - va) / PAGE_SIZE, va,
				       false);
			if (r)
				return r;
			va = run;
		}
	}
	return 0;
}

int vm_access_range(struct mm *mm, uaddr_t addr, size_t n, bool write,
		    bool force, int (*fn)(void *, size_t, void *), void *arg)
{
	size_t done = 0;

	while (done < n) {
		uaddr_t va = addr + done;
		uaddr_t page = PAGE_DOWN(va);
		size_t chunk = MIN(PAGE_SIZE - (va - page), n - done);
		struct vma *v;
		uint64_t *pte;
		int r;

		if (va < addr)
			return -EFAULT;
		v = vm_find_vma(mm, va);
		if (!v)
			return -EFAULT;
		if (!force &&
		    (write ? !(v->prot & VM_WRITE) : !vma_readable(v)))
			return -EFAULT;
		if (make_present(mm, v, page, write, &pte))
			return -EFAULT;
		r = fn((char *)phys_to_virt(*pte & PTE_ADDR_MASK) + (va - page),
		       chunk, arg);
		if (r)
			return r;
		done += chunk;
	}
	return 0;
}

static int copy_out(void *kptr, size_t len, void *arg)
{
	char **dst = arg;

	memcpy(*dst, kptr, len);
	*dst += len;
	return 0;
}

static int copy_in(void *kptr, size_t len, void *arg)
{
	const char **src = arg;

	memcpy(kptr, *src, len);
	*src += len;
	return 0;
}

static int zero_piece(void *kptr, size_t len, void *arg)
{
	memset(kptr, 0, len);
	return 0;
}

int vm_read(struct mm *mm, void *dst, uaddr_t src, size_t n)
{
	char *d = dst;

	return vm_access_range(mm, src, n, false, false, copy_out, &d);
}

int vm_write(struct mm *mm, uaddr_t dst, const void *src, size_t n, bool force)
{
	const char *s = src;

	return vm_access_range(mm, dst, n, true, force, copy_in, &s);
}

int vm_zero(struct mm *mm, uaddr_t dst, size_t n, bool force)
{
	return vm_access_range(mm, dst, n, true, force, zero_piece, NULL);
}

int vm_access(struct mm *mm, uaddr_t addr, size_t n, bool write,
	      int (*fn)(void *kptr, size_t len, void *arg), void *arg)
{
	return vm_access_range(mm, addr, n, write, false, fn, arg);
}

const void *vm_peek_page(struct mm *mm, uaddr_t va)
{
	uint64_t *pte = vm_pt_lookup(mm, va & ~(uaddr_t)(PAGE_SIZE - 1));

	if (!pte || !(*pte & PTE_PRESENT))
		return NULL;
	return hal_phys_to_virt(*pte & PTE_ADDR_MASK);
}
