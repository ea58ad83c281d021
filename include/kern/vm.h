/*
 * vm: user address spaces. A struct mm owns a list of VMAs and the core's
 * own 4-level page table (the truth); every change is mirrored to the HAL
 * with hal_as_map/unmap/protect. Pages are allocated on demand by
 * vm_fault; nothing here ever blocks.
 */
#ifndef KERN_VM_H
#define KERN_VM_H

#include <hal.h>
#include <kern/list.h>
#include <kern/types.h>

/* VMA protection: the same bits as HAL_PROT_*. */
#define VM_READ HAL_PROT_READ
#define VM_WRITE HAL_PROT_WRITE
#define VM_EXEC HAL_PROT_EXEC

/* VMA flags */
#define VMA_SHARED 0x1    /* MAP_SHARED: fork shares frames (no COW) */
#define VMA_GROWSDOWN 0x2 /* the stack */
#define VMA_HEAP 0x4      /* [heap] (brk area) */
#define VMA_STACK 0x8     /* [stack] */
#define VMA_DONTFORK 0x10   /* MADV_DONTFORK: a child does not get it */
#define VMA_WIPEONFORK 0x20 /* MADV_WIPEONFORK: a child gets it empty */

/*
 * What backs a shared file mapping (MAP_SHARED of a tmpfs file or memfd):
 * the fault path maps the object's own frames, so the mapping, read(2)
 * and write(2) all see the same bytes. Supplied by a filesystem.
 */
struct vm_object_ops {
	/* A referenced frame holding page pgoff of obj (a hole is filled
	 * with a zeroed frame); -ENXIO past the end of the object (the
	 * access gets SIGBUS), -ENOMEM. */
	int (*get_page)(void *obj, uint64_t pgoff, paddr_t *out);
	void (*get)(void *obj); /* a VMA copy takes a reference */
	void (*put)(void *obj);
};

struct vma {
	struct list_head link; /* in mm->vmas, sorted by start */
	uaddr_t start, end;    /* [start, end), page aligned */
	unsigned prot;         /* VM_READ | VM_WRITE | VM_EXEC */
	unsigned flags;        /* VMA_* */
	/* For /proc/PID/maps: the file this was loaded from (a kmalloc'ed
	 * path, or NULL for anonymous), its offset, dev and inode. */
	char *name;
	uint64_t pgoff; /* file offset of start, in pages */
	uint64_t dev, ino;
	/* Shared file mappings: the object whose frames are mapped
	 * (referenced), or NULL for anonymous and private memory. */
	const struct vm_object_ops *obj_ops;
	void *obj;
};

/* Software page-table entry bits (the core's table, not the CPU's). */
#define PTE_PRESENT 0x1ULL
#define PTE_WRITE 0x2ULL  /* writable now (clear on a COW page) */
#define PTE_COW 0x200ULL  /* shared read-only until written */
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

struct mm {
	struct list_head vmas;
	paddr_t pgd;           /* root of the core's page table (a frame) */
	struct hal_as *as;     /* the HAL's mirror */
	int refcount;          /* threads sharing it (CLONE_VM) */
	uaddr_t brk_start, brk; /* heap: [brk_start, brk) */
	uaddr_t mmap_base;     /* top-down mmap allocation starts below this */
	uaddr_t stack_top;
	uaddr_t arg_start, arg_end, env_start, env_end; /* for /proc cmdline */
	size_t rss_pages;      /* frames mapped in this mm */
	/* RLIMIT_AS of the task using it, in bytes (0: none): vm_map
	 * refuses with -ENOMEM to grow the mappings' total beyond it. */
	uint64_t as_limit;
	/* A HAL mirror call answered -ESRCH: the host side of this space is
	 * gone (killed from the host). Faults and signal frames then end the
	 * task with SIGKILL, as the host's kill meant, not with SIGSEGV. */
	bool as_gone;
	/* vm_fault's loop guard: the page it last re-mirrored unchanged
	 * and that page's entry, so a second identical fault is refused. */
	uaddr_t remirror_va;
	uint64_t remirror_pte;
};

/* mmap_base of a new mm until exec places the stack and sets its own. */
#define VM_MMAP_BASE_DEFAULT (HAL_USER_VA_END - (1ULL << 30))

/* A new empty mm with a new HAL address space; NULL when out of memory. */
struct mm *mm_create(void);
/* Another reference (a CLONE_VM thread). */
static inline void mm_get(struct mm *mm) { mm->refcount++; }
/* Drops a reference; the last one frees every frame, VMA and the HAL as. */
void mm_put(struct mm *mm);
/* A copy-on-write duplicate (fork). NULL when out of memory. */
struct mm *mm_fork(struct mm *mm);

/*
 * Creates a VMA for [start, start+len) with prot and flags, replacing
 * (unmapping) anything there, like MAP_FIXED. name may be NULL (it is
 * copied). start/len must be page aligned and inside the user range.
 * Returns 0, -EINVAL or -ENOMEM (also when the mappings would exceed
 * mm->as_limit). No frames are allocated here.
 */
int vm_map(struct mm *mm, uaddr_t start, size_t len, unsigned prot,
	   unsigned flags, const char *name);

/* Unmaps [start, start+len), splitting VMAs; frees the frames. 0 or -EINVAL. */
int vm_unmap(struct mm *mm, uaddr_t start, size_t len);

/* Changes protection of [start, start+len); every page in the range must be
 * inside some VMA (else -ENOMEM, like mprotect). */
int vm_protect(struct mm *mm, uaddr_t start, size_t len, unsigned prot);

/* A free gap of len bytes (page aligned), top-down below mm->mmap_base,
 * preferring hint (rounded up to a page) when it is free. Returns the
 * address or 0. */
uaddr_t vm_find_free(struct mm *mm, size_t len, uaddr_t hint);

/* Sets and clears VMA_* flags on [start, start+len), splitting VMAs at
 * the edges; pages outside any VMA are skipped. Returns 0, -ENOMEM (out of
 * memory, or part of the range was not mapped: the mapped parts did
 * change, as madvise reports it) or -EINVAL. */
int vm_set_flags(struct mm *mm, uaddr_t start, size_t len, unsigned set,
		 unsigned clear);

/* Throws away the pages of private anonymous memory in [start, start+len)
 * (MADV_DONTNEED): they read back as zeros. Shared and file-backed pages
 * are kept. Returns 0, or -ENOMEM when part of the range is unmapped. */
int vm_discard(struct mm *mm, uaddr_t start, size_t len);

/* Makes the VMA starting at start (just made by vm_map) map obj's pages
 * from page pgoff on, taking a reference. 0 or -EINVAL. */
int vm_set_object(struct mm *mm, uaddr_t start, const struct vm_object_ops *ops,
		  void *obj, uint64_t pgoff);

/* Bytes mapped in mm (the sum of its VMAs), as RLIMIT_AS counts them. */
uint64_t vm_total_bytes(struct mm *mm);

/* The VMA containing addr, or NULL. */
struct vma *vm_find_vma(struct mm *mm, uaddr_t addr);

/*
 * Resolves a fault at addr with HAL_ACC_* access bits: allocates (or copies,
 * for COW) the frame and maps it, maybe with neighbours in the same VMA.
 * Returns 0 when resolved, -EFAULT when no VMA covers addr (SEGV_MAPERR)
 * and -EACCES when the VMA forbids the access (SEGV_ACCERR), -ENOMEM when
 * no frame is left (the caller kills the task with SIGBUS, as Linux's
 * OOM handling would end it).
 * With HAL_ACC_UNKNOWN the core decides from its own table: an absent
 * page is allocated, a copy-on-write page of a writable VMA is copied,
 * and a present page the VMA allows reading is mirrored again; if the
 * same page then faults again with the same mirror, the access must have
 * been a forbidden one and the answer is -EACCES.
 */
int vm_fault(struct mm *mm, uaddr_t addr, unsigned access);

/* Allocates and maps every page of [start, start+len) now (exec, stack top,
 * MAP_POPULATE). Returns 0, -EFAULT or -ENOMEM. */
int vm_populate(struct mm *mm, uaddr_t start, size_t len);

/*
 * Kernel access to user memory of any mm through its frames, faulting
 * pages in as needed. With force, protections are ignored (the ELF loader
 * writes read-only text). Return 0 or -EFAULT.
 */
int vm_read(struct mm *mm, void *dst, uaddr_t src, size_t n);
int vm_write(struct mm *mm, uaddr_t dst, const void *src, size_t n, bool force);
int vm_zero(struct mm *mm, uaddr_t dst, size_t n, bool force);

/* A kernel pointer to the page at va (page aligned) when a frame is
 * mapped there now, else NULL: never faults a page in (core dumps leave
 * untouched pages as holes). Valid until mm changes. */
const void *vm_peek_page(struct mm *mm, uaddr_t va);

/*
 * Walks [addr, addr+n) page by page, calling fn with a kernel pointer to
 * each piece (zero-copy I/O). write: the user range must be writable.
 * Stops at the first fn return != 0 and returns it; returns -EFAULT at
 * the first inaccessible page (fn having seen the pieces before it).
 */
int vm_access(struct mm *mm, uaddr_t addr, size_t n, bool write,
	      int (*fn)(void *kptr, size_t len, void *arg), void *arg);

#endif
