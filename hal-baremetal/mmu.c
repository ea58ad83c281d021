/*
 * mmu.c: x86-64 paging for the bare-metal HAL (layer: HAL; relies on the
 * boot page tables of entry.S only until mmu_init replaces them). The
 * kernel half (a direct map of all memory at DMAP_BASE and the image at
 * KERNEL_VMA with W^X 4 KiB pages and an unmapped stack guard) is built
 * once and shared by every address space; the user half of each hal_as
 * mirrors the core's page table. Page-table pages and the HAL's small
 * objects come from a pool of frames the core never sees.
 */
#include <kern/klib.h>
#include <uapi/errno.h>

#include "bm.h"

#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_U 0x4ULL
#define PTE_PWT 0x8ULL
#define PTE_PCD 0x10ULL
#define PTE_PS 0x80ULL
#define PTE_G 0x100ULL
#define PTE_MAPPED 0x200ULL /* software: a frame is recorded here */
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

/* Flushing page by page beyond this costs more than reloading CR3. */
#define FLUSH_ALL_PAGES 32

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __image_end[], __image_start_phys[];
extern char bm_kstack_guard[];

static uint64_t pool_next, pool_end; /* bump range, physical */
static uint64_t pool_free;	     /* freed pages, linked through word 0 */
static size_t pool_left;

static uint64_t *kernel_pml4;
static uint64_t kernel_pml4_pa;
static uint64_t active_pml4_pa;
static uint64_t nx_bit;

uint64_t mmu_page_alloc(void)
{
	uint64_t pa = 0;

	if (pool_free) {
		pa = pool_free;
		pool_free = *(uint64_t *)bm_phys_to_virt(pa);
	} else if (pool_next < pool_end) {
		pa = pool_next;
		pool_next += PAGE_4K;
	} else {
		return 0;
	}
	pool_left--;
	memset(bm_phys_to_virt(pa), 0, PAGE_4K);
	return pa;
}

void mmu_page_free(uint64_t pa)
{
	*(uint64_t *)bm_phys_to_virt(pa) = pool_free;
	pool_free = pa;
	pool_left++;
}

/* ---- small objects: power-of-two classes carved from pool pages ---- */
#define OBJ_MIN_SHIFT 6
#define OBJ_CLASSES 6 /* 64 .. 2048 bytes */
static void *obj_free[OBJ_CLASSES];

static int obj_class(size_t size)
{
	for (int c = 0; c < OBJ_CLASSES; c++)
		if (size <= (1UL << (OBJ_MIN_SHIFT + c)))
			return c;
	return -1;
}

void *bm_alloc(size_t size)
{
	int c = obj_class(size);
	size_t osz;
	void *p;

	if (c < 0)
		return NULL;
	osz = 1UL << (OBJ_MIN_SHIFT + c);
	if (!obj_free[c]) {
		uint64_t pa = mmu_page_alloc();
		char *page;

		if (!pa)
			return NULL;
		page = bm_phys_to_virt(pa);
		for (size_t off = 0; off < PAGE_4K; off += osz) {
			*(void **)(page + off) = obj_free[c];
			obj_free[c] = page + off;
		}
	}
	p = obj_free[c];
	obj_free[c] = *(void **)p;
	memset(p, 0, osz);
	return p;
}

void bm_free(void *p, size_t size)
{
	int c = obj_class(size);

	if (!p || c < 0)
		return;
	*(void **)p = obj_free[c];
	obj_free[c] = p;
}

/* ---- the kernel half ---- */

/* The next-level table under entry *e, made if absent (kernel flags). */
static uint64_t *table_of(uint64_t *e, uint64_t flags, bool create)
{
	if (!(*e & PTE_P)) {
		uint64_t pa;

		if (!create || !(pa = mmu_page_alloc()))
			return NULL;
		*e = pa | flags;
	}
	return bm_phys_to_virt(*e & PTE_ADDR);
}

static void kmap_4k(uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pdpt =
		table_of(&kernel_pml4[(va >> 39) & 511], PTE_P | PTE_W, true);
	uint64_t *pd =
		pdpt ? table_of(&pdpt[(va >> 30) & 511], PTE_P | PTE_W, true) :
		       NULL;
	uint64_t *pt =
		pd ? table_of(&pd[(va >> 21) & 511], PTE_P | PTE_W, true) :
		     NULL;

	if (!pt)
		hal_halt(125);
	pt[(va >> 12) & 511] = pa | flags;
}

static void map_direct(uint64_t top)
{
	for (uint64_t pa = 0; pa < top; pa += PAGE_1G) {
		uint64_t va = DMAP_BASE + pa;
		uint64_t *pdpt = table_of(&kernel_pml4[(va >> 39) & 511],
					  PTE_P | PTE_W, true);
		/* The PCI hole below 4 GiB holds the APICs and other MMIO. */
		uint64_t attr = PTE_P | PTE_W | PTE_G | nx_bit |
				(pa >= 3 * PAGE_1G && pa < 4 * PAGE_1G ?
					 PTE_PCD | PTE_PWT :
					 0);

		if (!pdpt)
			hal_halt(125);
		if (bm_features.pdpe1gb) {
			pdpt[(va >> 30) & 511] = pa | attr | PTE_PS;
			continue;
		}
		uint64_t *pd =
			table_of(&pdpt[(va >> 30) & 511], PTE_P | PTE_W, true);
		if (!pd)
			hal_halt(125);
		for (int i = 0; i < 512; i++)
			pd[i] = (pa + (uint64_t)i * PAGE_2M) | attr | PTE_PS;
	}
}

static void map_image(void)
{
	uint64_t lo = (uint64_t)(uintptr_t)__image_start_phys + KERNEL_VMA;
	uint64_t hi = (uint64_t)(uintptr_t)__image_end;
	uint64_t guard = (uint64_t)(uintptr_t)bm_kstack_guard;

	for (uint64_t va = lo; va < hi; va += PAGE_4K) {
		uint64_t flags = PTE_P | PTE_G;

		if (va == guard)
			continue;
		if (va >= (uint64_t)(uintptr_t)__text_start &&
		    va < (uint64_t)(uintptr_t)__text_end)
			flags |= 0;
		else if (va >= (uint64_t)(uintptr_t)__rodata_start &&
			 va < (uint64_t)(uintptr_t)__data_start)
			flags |= nx_bit;
		else if (va >= (uint64_t)(uintptr_t)__data_start)
			flags |= PTE_W | nx_bit;
		else
			flags |= nx_bit; /* the 32-bit boot code and note */
		kmap_4k(va, va - KERNEL_VMA, flags);
	}
}

void mmu_init(uint64_t top, uint64_t pstart, uint64_t pend)
{
	pool_next = pstart;
	pool_end = pend;
	pool_left = (size_t)((pend - pstart) / PAGE_4K);
	nx_bit = bm_features.nx ? PTE_NX : 0;

	kernel_pml4_pa = mmu_page_alloc();
	kernel_pml4 = bm_phys_to_virt(kernel_pml4_pa);
	map_direct(top < 4 * PAGE_1G ? 4 * PAGE_1G : top);
	map_image();
	/* Every kernel-half PML4 slot exists now, so address spaces can
	 * copy them once and never see them change. */
	for (int i = 256; i < 512; i++)
		if (!table_of(&kernel_pml4[i], PTE_P | PTE_W, true))
			hal_halt(125);
	write_cr3(kernel_pml4_pa);
	active_pml4_pa = kernel_pml4_pa;
}

/* Device registers get their own uncached 4 KiB mappings in a window of
 * the kernel half, so a BAR anywhere (above 4 GiB included) works. */
#define MMIO_BASE 0xffffc00000000000ULL
#define MMIO_SIZE (64ULL << 30)
static uint64_t mmio_next = MMIO_BASE;

void *mmu_map_mmio(uint64_t pa, size_t len)
{
	uint64_t first = pa & ~(PAGE_4K - 1);
	uint64_t n = (pa + len - first + PAGE_4K - 1) / PAGE_4K;
	uint64_t va = mmio_next;

	if (!len || n * PAGE_4K > MMIO_BASE + MMIO_SIZE - mmio_next)
		return NULL;
	for (uint64_t i = 0; i < n; i++)
		kmap_4k(va + i * PAGE_4K, first + i * PAGE_4K,
			PTE_P | PTE_W | PTE_G | PTE_PCD | PTE_PWT | nx_bit);
	mmio_next += n * PAGE_4K;
	return (void *)(uintptr_t)(va + (pa - first));
}

bool mmu_kernel_readable(uint64_t va, size_t len)
{
	for (uint64_t p = va & ~(PAGE_4K - 1); p < va + len; p += PAGE_4K) {
		uint64_t *t = kernel_pml4, e;
		int shift = 39;

		if (p < DMAP_BASE)
			return false;
		for (;;) {
			e = t[(p >> shift) & 511];
			if (!(e & PTE_P))
				return false;
			if (shift == 12 || (e & PTE_PS))
				break;
			t = bm_phys_to_virt(e & PTE_ADDR);
			shift -= 9;
		}
	}
	return true;
}

void mmu_switch(struct hal_as *as)
{
	uint64_t pa = as ? as->pml4_pa : kernel_pml4_pa;

	if (pa != active_pml4_pa) {
		write_cr3(pa);
		active_pml4_pa = pa;
	}
}

void *hal_phys_to_virt(uint64_t pa)
{
	return bm_phys_to_virt(pa);
}

/* ---- user address spaces ---- */

struct hal_as *hal_as_create(void)
{
	struct hal_as *as = bm_alloc(sizeof(*as));

	if (!as)
		return NULL;
	as->pml4_pa = mmu_page_alloc();
	if (!as->pml4_pa) {
		bm_free(as, sizeof(*as));
		return NULL;
	}
	as->pml4 = bm_phys_to_virt(as->pml4_pa);
	memcpy(as->pml4 + 256, kernel_pml4 + 256, 256 * sizeof(uint64_t));
	return as;
}

static void free_level(uint64_t *t, int level)
{
	for (int i = 0; i < 512; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (level > 2)
			free_level(bm_phys_to_virt(t[i] & PTE_ADDR), level - 1);
		else if (level == 2)
			mmu_page_free(t[i] & PTE_ADDR);
	}
}

void hal_as_destroy(struct hal_as *as)
{
	if (!as)
		return;
	while (as->threads)
		hal_thread_destroy(as->threads);
	if (active_pml4_pa == as->pml4_pa)
		mmu_switch(NULL);
	for (int i = 0; i < 256; i++) {
		if (as->pml4[i] & PTE_P) {
			uint64_t *pdpt =
				bm_phys_to_virt(as->pml4[i] & PTE_ADDR);

			for (int j = 0; j < 512; j++) {
				if (!(pdpt[j] & PTE_P))
					continue;
				free_level(bm_phys_to_virt(pdpt[j] & PTE_ADDR),
					   2);
				mmu_page_free(pdpt[j] & PTE_ADDR);
			}
			mmu_page_free(as->pml4[i] & PTE_ADDR);
		}
	}
	mmu_page_free(as->pml4_pa);
	bm_free(as, sizeof(*as));
}

static bool range_ok(uint64_t va, size_t npages)
{
	uint64_t len = (uint64_t)npages << 12;

	return (va & 0xfff) == 0 && va >= HAL_USER_VA_START &&
	       va < HAL_USER_VA_END && npages < (1ULL << 36) &&
	       len <= HAL_USER_VA_END - va;
}

/* The page table (last level) covering va, made when create is set. */
static uint64_t *user_pt(struct hal_as *as, uint64_t va, bool create)
{
	const uint64_t f = PTE_P | PTE_W | PTE_U;
	uint64_t *pdpt = table_of(&as->pml4[(va >> 39) & 511], f, create);
	uint64_t *pd = pdpt ? table_of(&pdpt[(va >> 30) & 511], f, create) :
			      NULL;

	return pd ? table_of(&pd[(va >> 21) & 511], f, create) : NULL;
}

static uint64_t user_pte(uint64_t pa, unsigned prot)
{
	uint64_t e = pa | PTE_MAPPED;

	/* x86 cannot map write- or exec-only: both imply read. */
	if (prot & (HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_EXEC))
		e |= PTE_P | PTE_U;
	if (prot & HAL_PROT_WRITE)
		e |= PTE_W;
	if (!(prot & HAL_PROT_EXEC))
		e |= nx_bit;
	return e;
}

static void flush_range(struct hal_as *as, uint64_t va, size_t npages)
{
	if (as->pml4_pa != active_pml4_pa)
		return;
	if (npages > FLUSH_ALL_PAGES) {
		write_cr3(as->pml4_pa);
		return;
	}
	for (size_t i = 0; i < npages; i++)
		invlpg(va + i * PAGE_4K);
}

int hal_as_map(struct hal_as *as, uint64_t va, uint64_t pa, size_t npages,
	       unsigned prot)
{
	uint64_t *pt = NULL;
	int err = 0;
	size_t i;

	if (!range_ok(va, npages))
		return -EINVAL;
	for (i = 0; i < npages; i++) {
		uint64_t v = va + i * PAGE_4K;

		if (!pt || (v & (PAGE_2M - 1)) == 0)
			pt = user_pt(as, v, true);
		if (!pt) {
			err = -ENOMEM;
			break;
		}
		pt[(v >> 12) & 511] = user_pte(pa + i * PAGE_4K, prot);
	}
	flush_range(as, va, i);
	return err;
}

int hal_as_unmap(struct hal_as *as, uint64_t va, size_t npages)
{
	if (!range_ok(va, npages))
		return -EINVAL;
	for (size_t i = 0; i < npages;) {
		uint64_t v = va + i * PAGE_4K;
		uint64_t *pt = user_pt(as, v, false);
		size_t in_pt = 512 - ((v >> 12) & 511);

		if (pt) {
			for (size_t j = 0; j < in_pt && i + j < npages; j++)
				pt[((v >> 12) & 511) + j] = 0;
		}
		i += in_pt;
	}
	flush_range(as, va, npages);
	return 0;
}

int hal_as_protect(struct hal_as *as, uint64_t va, size_t npages, unsigned prot)
{
	if (!range_ok(va, npages))
		return -EINVAL;
	for (size_t i = 0; i < npages;) {
		uint64_t v = va + i * PAGE_4K;
		uint64_t *pt = user_pt(as, v, false);
		size_t in_pt = 512 - ((v >> 12) & 511);

		for (size_t j = 0; pt && j < in_pt && i + j < npages; j++) {
			uint64_t *e = &pt[((v >> 12) & 511) + j];

			if (*e & PTE_MAPPED)
				*e = user_pte(*e & PTE_ADDR, prot);
		}
		i += in_pt;
	}
	flush_range(as, va, npages);
	return 0;
}
