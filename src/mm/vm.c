/*
 * vm.c: address spaces and their VMAs (layer: mm, above pmm and kmalloc;
 * relies on the page table of pgtable.c and the HAL's hal_as_* mirror).
 * A struct mm keeps a sorted list of VMAs, split when part of one is
 * unmapped or reprotected and merged again when adjacent anonymous ones
 * become alike. Frames appear only on faults (fault.c); this file maps,
 * unmaps, protects and forks, and mirrors each change to the HAL in
 * ranges rather than pages, since a hosted HAL call is a host syscall.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <uapi/errno.h>

#include "vm_internal.h"

/* ---- HAL call batching ---- */

int vm_batch_flush_map(struct vm_batch *b)
{
	if (b->n) {
		int r = hal_as_map(b->mm->as, b->va, b->pa, b->n, b->prot);

		if (r && !b->err)
			b->err = r;
		b->n = 0;
	}
	return b->err;
}

int vm_batch_flush_protect(struct vm_batch *b)
{
	if (b->n) {
		int r = hal_as_protect(b->mm->as, b->va, b->n, b->prot);

		if (r && !b->err)
			b->err = r;
		b->n = 0;
	}
	return b->err;
}

void vm_batch_map(struct vm_batch *b, uaddr_t va, paddr_t pa, unsigned prot)
{
	if (b->n && prot == b->prot && va == b->va + b->n * PAGE_SIZE &&
	    pa == b->pa + b->n * PAGE_SIZE) {
		b->n++;
		return;
	}
	vm_batch_flush_map(b);
	b->va = va;
	b->pa = pa;
	b->prot = prot;
	b->n = 1;
}

void vm_batch_protect(struct vm_batch *b, uaddr_t va, unsigned prot)
{
	if (b->n && prot == b->prot && va >= b->va) {
		b->n = (va - b->va) / PAGE_SIZE + 1;
		return;
	}
	vm_batch_flush_protect(b);
	b->va = va;
	b->prot = prot;
	b->n = 1;
}

/* ---- VMAs ---- */

static bool range_ok(uaddr_t start, size_t len)
{
	return IS_PAGE_ALIGNED(start) && len && IS_PAGE_ALIGNED(len) &&
	       start >= HAL_USER_VA_START && start < HAL_USER_VA_END &&
	       len <= HAL_USER_VA_END - start;
}

static struct vma *vma_new(uaddr_t start, uaddr_t end, unsigned prot,
			   unsigned flags, const char *name)
{
	struct vma *v = kzalloc(sizeof(*v));

	if (!v)
		return NULL;
	list_init(&v->link);
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->flags = flags;
	if (name) {
		v->name = kstrdup(name);
		if (!v->name) {
			kfree(v);
			return NULL;
		}
	}
	return v;
}

static void vma_free(struct vma *v)
{
	list_del(&v->link);
	if (v->obj_ops)
		v->obj_ops->put(v->obj);
	kfree(v->name);
	kfree(v);
}

/* Gives copy (a split-off part or a fork's VMA) v's file identity. */
static void vma_copy_source(struct vma *copy, const struct vma *v)
{
	copy->dev = v->dev;
	copy->ino = v->ino;
	if (v->obj_ops) {
		copy->obj_ops = v->obj_ops;
		copy->obj = v->obj;
		v->obj_ops->get(v->obj);
	}
}

int vm_set_object(struct mm *mm, uaddr_t start, const struct vm_object_ops *ops,
		  void *obj, uint64_t pgoff)
{
	struct vma *v = vm_find_vma(mm, start);

	if (!v || v->start != start || v->obj_ops)
		return -EINVAL;
	v->obj_ops = ops;
	v->obj = obj;
	v->pgoff = pgoff;
	ops->get(obj);
	return 0;
}

static struct vma *vma_next(struct mm *mm, struct vma *v)
{
	return v->link.next == &mm->vmas ?
		       NULL :
		       list_entry(v->link.next, struct vma, link);
}

struct vma *vm_find_vma(struct mm *mm, uaddr_t addr)
{
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, link) {
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* Inserts v at its place in the sorted list (no overlap allowed). */
static void vma_insert(struct mm *mm, struct vma *v)
{
	struct vma *pos;

	list_for_each_entry(pos, &mm->vmas, link) {
		if (pos->start >= v->end) {
			list_add_tail(&v->link, &pos->link);
			return;
		}
	}
	list_add_tail(&v->link, &mm->vmas);
}

/* Splits the VMA that strictly contains addr into [start, addr) and
 * [addr, end). Returns 0 or -ENOMEM. */
static int vma_split_at(struct mm *mm, uaddr_t addr)
{
	struct vma *v = vm_find_vma(mm, addr);
	struct vma *tail;

	if (!v || v->start == addr)
		return 0;
	tail = vma_new(addr, v->end, v->prot, v->flags, v->name);
	if (!tail)
		return -ENOMEM;
	tail->pgoff = v->pgoff + ((addr - v->start) >> PAGE_SHIFT);
	vma_copy_source(tail, v);
	v->end = addr;
	list_add(&tail->link, &v->link);
	return 0;
}

static bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot &&
	       a->flags == b->flags && !a->name && !b->name && !a->obj_ops &&
	       !b->obj_ops;
}

/* Merges alike anonymous neighbours among the VMAs touching
 * [start, end] (the ones just changed and those next to them). */
static void vma_merge_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vma *v, *n;

	list_for_each_entry_safe(v, n, &mm->vmas, link) {
		if (&n->link == &mm->vmas)
			break;
		if (v->end < start)
			continue;
		if (v->start > end)
			break;
		if (vma_mergeable(v, n)) {
			n->start = v->start;
			vma_free(v);
		}
	}
}

/* True when [start, end) is wholly covered by VMAs. */
static bool range_covered(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uaddr_t cursor = start;
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, link) {
		if (v->end <= cursor)
			continue;
		if (v->start > cursor)
			break;
		cursor = v->end;
		if (cursor >= end)
			break;
	}
	return cursor >= end;
}

static int put_frame(uint64_t *pte, uaddr_t va, void *arg)
{
	struct mm *mm = arg;

	pmm_put(*pte & PTE_ADDR_MASK);
	*pte = 0;
	mm->rss_pages--;
	return 0;
}

void vm_free_frames(struct mm *mm, uaddr_t start, uaddr_t end)
{
	vm_pt_walk(mm, start, end, put_frame, mm);
	if (mm->remirror_va >= start && mm->remirror_va < end)
		mm->remirror_va = 0;
}

/* Removes every VMA part inside [start, end) with its frames and the
 * HAL's mapping of it. Returns 0 or -ENOMEM (a split failed). */
static int unmap_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uaddr_t lo = end, hi = start;
	struct vma *v, *n;
	int r;

	r = vma_split_at(mm, start);
	if (!r)
		r = vma_split_at(mm, end);
	if (r)
		return r;
	list_for_each_entry_safe(v, n, &mm->vmas, link) {
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		lo = MIN(lo, v->start);
		hi = MAX(hi, v->end);
		vm_free_frames(mm, v->start, v->end);
		vma_free(v);
	}
	if (lo < hi)
		hal_as_unmap(mm->as, lo, (hi - lo) / PAGE_SIZE);
	return 0;
}

uint64_t vm_total_bytes(struct mm *mm)
{
	struct vma *v;
	uint64_t total = 0;

	list_for_each_entry(v, &mm->vmas, link)
		total += v->end - v->start;
	return total;
}

/* Would mapping [start, end) take mm over its RLIMIT_AS? What it
 * replaces does not count twice. */
static bool over_as_limit(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vma *v;
	uint64_t total = end - start;

	if (!mm->as_limit)
		return false;
	list_for_each_entry(v, &mm->vmas, link) {
		uaddr_t lo = MAX(v->start, start), hi = MIN(v->end, end);

		total += v->end - v->start;
		if (lo < hi)
			total -= hi - lo;
	}
	return total > mm->as_limit;
}

int vm_map(struct mm *mm, uaddr_t start, size_t len, unsigned prot,
	   unsigned flags, const char *name)
{
	struct vma *v;
	int r;

	if (!range_ok(start, len))
		return -EINVAL;
	if (over_as_limit(mm, start, start + len))
		return -ENOMEM;
	/* Allocate first, so a failure leaves the old mapping in place. */
	v = vma_new(start, start + len, prot, flags, name);
	if (!v)
		return -ENOMEM;
	r = unmap_range(mm, start, start + len);
	if (r) {
		vma_free(v);
		return r;
	}
	vma_insert(mm, v);
	vma_merge_range(mm, start, start + len);
	return 0;
}

int vm_unmap(struct mm *mm, uaddr_t start, size_t len)
{
	if (!IS_PAGE_ALIGNED(start) || len == 0)
		return -EINVAL;
	len = PAGE_UP(len);
	if (!range_ok(start, len))
		return -EINVAL;
	return unmap_range(mm, start, start + len);
}

struct protect_ctx {
	struct mm *mm;
	struct vma *v;
	struct vm_batch b;
};

static int protect_page(uint64_t *pte, uaddr_t va, void *arg)
{
	struct protect_ctx *c = arg;

	while (va >= c->v->end)
		c->v = vma_next(c->mm, c->v);
	vm_batch_protect(&c->b, va, vm_pte_prot(c->v, *pte));
	return 0;
}

int vm_protect(struct mm *mm, uaddr_t start, size_t len, unsigned prot)
{
	uaddr_t end = start + len;
	struct protect_ctx c;
	struct vma *v;
	int r;

	if (!range_ok(start, len))
		return -EINVAL;
	/* Every page must be mapped before anything changes. */
	if (!range_covered(mm, start, end))
		return -ENOMEM;

	r = vma_split_at(mm, start);
	if (!r)
		r = vma_split_at(mm, end);
	if (r)
		return r;
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		v->prot = prot;
	}

	c.mm = mm;
	c.v = vm_find_vma(mm, start);
	vm_batch_init(&c.b, mm);
	vm_pt_walk(mm, start, end, protect_page, &c);
	r = vm_batch_flush_protect(&c.b);
	vma_merge_range(mm, start, end);
	return r;
}

int vm_set_flags(struct mm *mm, uaddr_t start, size_t len, unsigned set,
		 unsigned clear)
{
	uaddr_t end = start + len;
	struct vma *v;
	int r;

	if (!range_ok(start, len))
		return -EINVAL;
	r = vma_split_at(mm, start);
	if (!r)
		r = vma_split_at(mm, end);
	if (r)
		return r;
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		v->flags = (v->flags & ~clear) | set;
	}
	vma_merge_range(mm, start, end);
	return range_covered(mm, start, end) ? 0 : -ENOMEM;
}

int vm_discard(struct mm *mm, uaddr_t start, size_t len)
{
	uaddr_t end = start + len;
	struct vma *v;

	if (!range_ok(start, len))
		return -EINVAL;
	list_for_each_entry(v, &mm->vmas, link) {
		uaddr_t lo = MAX(v->start, start), hi = MIN(v->end, end);

		if (v->end <= start)
			continue;
		if (v->start >= end)
			break;
		/* Dropping our reference to a shared frame would lose its
		 * data for us, and a file page would come back as zeros
		 * instead of the file's bytes: keep both. */
		if ((v->flags & VMA_SHARED) || v->name)
			continue;
		vm_free_frames(mm, lo, hi);
		hal_as_unmap(mm->as, lo, (hi - lo) / PAGE_SIZE);
	}
	return range_covered(mm, start, end) ? 0 : -ENOMEM;
}

bool vm_range_is_free(struct mm *mm, uaddr_t start, size_t len)
{
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, link) {
		if (v->start >= start + len)
			break;
		if (v->end > start)
			return false;
	}
	return true;
}

uaddr_t vm_find_free(struct mm *mm, size_t len, uaddr_t hint)
{
	uaddr_t top = mm->mmap_base ? mm->mmap_base : VM_MMAP_BASE_DEFAULT;
	uaddr_t gap_end = top;
	struct vma *v;

	len = PAGE_UP(len);
	if (len == 0 || len > HAL_USER_VA_END - HAL_USER_VA_START)
		return 0;
	hint = PAGE_UP(hint);
	if (hint && range_ok(hint, len) && vm_range_is_free(mm, hint, len))
		return hint;

	/* Walk back from the highest VMA. */
	for (struct list_head *l = mm->vmas.prev; l != &mm->vmas; l = l->prev) {
		v = list_entry(l, struct vma, link);
		if (v->end <= gap_end) {
			if (gap_end - v->end >= len)
				return gap_end - len;
			gap_end = v->start;
		} else if (v->start < gap_end) {
			gap_end = v->start;
		}
	}
	if (gap_end >= HAL_USER_VA_START && gap_end - HAL_USER_VA_START >= len)
		return gap_end - len;
	return 0;
}

/* ---- whole address spaces ---- */

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	list_init(&mm->vmas);
	mm->refcount = 1;
	mm->mmap_base = VM_MMAP_BASE_DEFAULT;
	mm->pgd = pmm_alloc();
	if (!mm->pgd)
		goto err_free_mm;
	mm->as = hal_as_create();
	if (!mm->as)
		goto err_free_pgd;
	return mm;

err_free_pgd:
	pmm_put(mm->pgd);
err_free_mm:
	kfree(mm);
	return NULL;
}

void mm_put(struct mm *mm)
{
	struct vma *v, *n;

	if (!mm || --mm->refcount > 0)
		return;
	/* The mirror goes first, so no user mapping outlives its frame. */
	if (mm->as)
		hal_as_destroy(mm->as);
	vm_free_frames(mm, 0, HAL_USER_VA_END);
	vm_pt_free_tables(mm);
	list_for_each_entry_safe(v, n, &mm->vmas, link)
		vma_free(v);
	kfree(mm);
}

struct fork_ctx {
	struct mm *parent, *child;
	struct vma *v;
	struct vm_batch parent_prot, child_map;
};

static int fork_page(uint64_t *pte, uaddr_t va, void *arg)
{
	struct fork_ctx *c = arg;
	uint64_t *cpte = vm_pt_ensure(c->child, va);
	paddr_t pa = *pte & PTE_ADDR_MASK;

	if (!cpte)
		return -ENOMEM;
	if (!(c->v->flags & VMA_SHARED) && (*pte & PTE_WRITE)) {
		/* Private page: both sides keep it read-only until one of
		 * them writes and gets its own copy. */
		*pte = (*pte & ~PTE_WRITE) | PTE_COW;
		if (c->v->prot & VM_WRITE)
			vm_batch_protect(&c->parent_prot, va,
					 vm_pte_prot(c->v, *pte));
	}
	*cpte = *pte;
	pmm_get(pa);
	c->child->rss_pages++;
	vm_batch_map(&c->child_map, va, pa, vm_pte_prot(c->v, *cpte));
	return 0;
}

struct mm *mm_fork(struct mm *mm)
{
	struct mm *child = mm_create();
	struct fork_ctx c;
	struct vma *v;
	int r = 0;

	if (!child)
		return NULL;
	child->brk_start = mm->brk_start;
	child->brk = mm->brk;
	child->mmap_base = mm->mmap_base;
	child->stack_top = mm->stack_top;
	child->arg_start = mm->arg_start;
	child->arg_end = mm->arg_end;
	child->env_start = mm->env_start;
	child->env_end = mm->env_end;

	list_for_each_entry(v, &mm->vmas, link) {
		struct vma *cv;

		if (v->flags & VMA_DONTFORK)
			continue;
		cv = vma_new(v->start, v->end, v->prot, v->flags, v->name);
		if (!cv)
			goto err_put_child;
		cv->pgoff = v->pgoff;
		vma_copy_source(cv, v);
		list_add_tail(&cv->link, &child->vmas);
	}

	c.parent = mm;
	c.child = child;
	vm_batch_init(&c.parent_prot, mm);
	vm_batch_init(&c.child_map, child);
	list_for_each_entry(v, &mm->vmas, link) {
		if (v->flags & (VMA_DONTFORK | VMA_WIPEONFORK))
			continue;
		c.v = v;
		r = vm_pt_walk(mm, v->start, v->end, fork_page, &c);
		/* A protect run must not reach over into another VMA. */
		vm_batch_flush_protect(&c.parent_prot);
		if (r)
			break;
	}
	vm_batch_flush_map(&c.child_map);
	if (r || c.child_map.err)
		goto err_put_child;
	mm->remirror_va = 0;
	return child;

err_put_child:
	/* Pages already made copy-on-write in the parent stay so; its next
	 * write to them just finds itself the only owner. */
	mm_put(child);
	return NULL;
}
