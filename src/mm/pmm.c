/*
 * pmm.c: the physical frame allocator (layer: mm, the bottom of memory
 * management; relies on the HAL's hal_phys_to_virt and klib).
 * A bitmap marks frames in use and a per-frame reference count lets
 * copy-on-write and shared mappings hold one frame several times. Both
 * arrays live in the first frames of the managed range itself, so the
 * allocator needs nothing else to start.
 */
#include <kern/klib.h>
#include <kern/pmm.h>

#define BITS_PER_WORD 64

static paddr_t base;	    /* physical address of frame index 0 */
static size_t nframes;	    /* frames in the managed range */
static uint64_t *bitmap;    /* bit set: in use (or metadata, or pa 0) */
static uint32_t *refcounts; /* per frame; 0 when free */
static size_t free_count;
static size_t total_count; /* frames that can ever be handed out */
static size_t low_word;	   /* every bitmap word below this one is full */

static inline bool frame_used(size_t i)
{
	return bitmap[i / BITS_PER_WORD] & (1ULL << (i % BITS_PER_WORD));
}

static inline void mark_used(size_t i)
{
	bitmap[i / BITS_PER_WORD] |= 1ULL << (i % BITS_PER_WORD);
}

static inline void mark_free(size_t i)
{
	bitmap[i / BITS_PER_WORD] &= ~(1ULL << (i % BITS_PER_WORD));
}

static size_t frame_index(paddr_t pa, const char *who)
{
	if (pa < base || !IS_PAGE_ALIGNED(pa) ||
	    (pa - base) / PAGE_SIZE >= nframes)
		panic("%s: bad frame %#lx", who, (unsigned long)pa);
	return (size_t)((pa - base) / PAGE_SIZE);
}

void pmm_init(paddr_t start, uint64_t bytes)
{
	paddr_t end = PAGE_DOWN(start + bytes);
	size_t words, meta_bytes, meta_frames;

	base = PAGE_UP(start);
	nframes = end > base ? (size_t)((end - base) / PAGE_SIZE) : 0;
	words = (nframes + BITS_PER_WORD - 1) / BITS_PER_WORD;
	meta_bytes = words * sizeof(uint64_t) + nframes * sizeof(uint32_t);
	meta_frames = PAGE_UP(meta_bytes) / PAGE_SIZE;
	if (nframes <= meta_frames + 1)
		panic("pmm_init: %lu frames are too few",
		      (unsigned long)nframes);

	bitmap = hal_phys_to_virt(base);
	refcounts = (uint32_t *)(bitmap + words);
	memset(bitmap, 0, meta_bytes);
	/* The tail bits of the last word name no frame: keep them used. */
	for (size_t i = nframes; i < words * BITS_PER_WORD; i++)
		bitmap[i / BITS_PER_WORD] |= 1ULL << (i % BITS_PER_WORD);

	/* The metadata takes frame index 0 onwards, so even when base is 0
	 * physical address 0 is never handed out (0 means "no frame"). */
	for (size_t i = 0; i < meta_frames; i++) {
		mark_used(i);
		refcounts[i] = 1;
	}
	total_count = nframes - meta_frames;
	free_count = total_count;
	low_word = 0;
}

static paddr_t take_run(size_t first, size_t n)
{
	for (size_t i = first; i < first + n; i++) {
		mark_used(i);
		refcounts[i] = 1;
	}
	free_count -= n;
	memset(hal_phys_to_virt(base + (paddr_t)first * PAGE_SIZE), 0,
	       n * PAGE_SIZE);
	return base + (paddr_t)first * PAGE_SIZE;
}

static size_t nwords(void)
{
	return (nframes + BITS_PER_WORD - 1) / BITS_PER_WORD;
}

/* Lowest addresses first: memory stays compact and the search starts at
 * the first word that may have a free frame. */
paddr_t pmm_alloc(void)
{
	size_t words = nwords();

	if (free_count == 0)
		return 0;
	for (; low_word < words; low_word++) {
		if (bitmap[low_word] != ~0ULL) {
			size_t bit = (size_t)__builtin_ctzll(~bitmap[low_word]);

			return take_run(low_word * BITS_PER_WORD + bit, 1);
		}
	}
	panic("pmm_alloc: free count %lu but no free bit",
	      (unsigned long)free_count);
}

paddr_t pmm_alloc_contig(size_t want, size_t *got)
{
	size_t best_start = 0, best_len = 0;
	size_t run_start = 0, run_len = 0;

	*got = 0;
	if (want == 0)
		want = 1;
	if (free_count == 0)
		return 0;
	while (low_word < nwords() && bitmap[low_word] == ~0ULL)
		low_word++;
	/* First fit for a whole run; otherwise the longest run seen. */
	for (size_t i = low_word * BITS_PER_WORD; i < nframes; i++) {
		if (i % BITS_PER_WORD == 0 &&
		    bitmap[i / BITS_PER_WORD] == ~0ULL) {
			run_len = 0;
			i += BITS_PER_WORD - 1;
			continue;
		}
		if (frame_used(i)) {
			run_len = 0;
			continue;
		}
		if (run_len == 0)
			run_start = i;
		run_len++;
		if (run_len > best_len) {
			best_start = run_start;
			best_len = run_len;
		}
		if (run_len == want)
			break;
	}
	if (best_len == 0)
		return 0;
	*got = best_len;
	return take_run(best_start, best_len);
}

void pmm_get(paddr_t pa)
{
	size_t i = frame_index(pa, "pmm_get");

	if (refcounts[i] == 0)
		panic("pmm_get: frame %#lx is free", (unsigned long)pa);
	refcounts[i]++;
}

void pmm_put(paddr_t pa)
{
	size_t i = frame_index(pa, "pmm_put");

	if (refcounts[i] == 0)
		panic("pmm_put: frame %#lx is already free", (unsigned long)pa);
	if (--refcounts[i] == 0) {
		mark_free(i);
		free_count++;
		if (i / BITS_PER_WORD < low_word)
			low_word = i / BITS_PER_WORD;
	}
}

unsigned pmm_refcount(paddr_t pa)
{
	return refcounts[frame_index(pa, "pmm_refcount")];
}

size_t pmm_free_frames(void)
{
	return free_count;
}

size_t pmm_total_frames(void)
{
	return total_count;
}
