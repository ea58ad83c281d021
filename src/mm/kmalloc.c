/*
 * kmalloc.c: the core's heap (layer: mm, above pmm; relies on pmm frames
 * and on hal_phys_to_virt giving page-aligned pointers for page-aligned
 * frames). Small requests come from per-class slabs of one frame each;
 * larger ones get their own run of contiguous frames. Every allocation
 * starts with a 16-byte header (magic and requested size) and every
 * frame with a slab header, so kfree needs no size and finds its slab by
 * rounding the pointer down to the page.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/list.h>
#include <kern/pmm.h>

#define SLAB_MAGIC 0x534c4142u	/* "SLAB" */
#define LARGE_MAGIC 0x4c524745u /* "LRGE" */
#define OBJ_LIVE 0x4c495645u	/* "LIVE" */
#define OBJ_FREE 0x46524545u	/* "FREE" */

/* Payload sizes of the classes; an object also holds its header. */
static const size_t class_size[] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };
#define NCLASSES ARRAY_SIZE(class_size)
#define MAX_SMALL 2048

struct obj_hdr {
	uint32_t magic;
	uint32_t cls;
	uint64_t size; /* requested bytes */
};
_Static_assert(sizeof(struct obj_hdr) == 16, "keeps payloads 16-aligned");

/* At the start of every heap frame run (slab or large allocation). */
struct slab {
	uint32_t magic;
	uint32_t cls;	       /* class index (slabs) */
	paddr_t pa;	       /* the run's first frame */
	size_t nframes;	       /* large: frames in the run */
	size_t inuse;	       /* slab: live objects */
	size_t carved;	       /* slab: objects ever handed out from the bump */
	void *free;	       /* slab: freed objects, linked through payload */
	struct list_head link; /* in partial[cls] while it has room */
};
#define SLAB_HDR_SIZE 64
_Static_assert(sizeof(struct slab) <= SLAB_HDR_SIZE, "slab header grew");

static struct list_head partial[NCLASSES];
static bool ready;
static struct kmalloc_stats stats;

static void heap_init(void)
{
	for (size_t i = 0; i < NCLASSES; i++)
		list_init(&partial[i]);
	ready = true;
}

static inline size_t obj_stride(size_t cls)
{
	return class_size[cls] + sizeof(struct obj_hdr);
}

static inline size_t slab_capacity(size_t cls)
{
	return (PAGE_SIZE - SLAB_HDR_SIZE) / obj_stride(cls);
}

static struct slab *slab_new(size_t cls)
{
	paddr_t pa = pmm_alloc();
	struct slab *s;

	if (!pa)
		return NULL;
	s = phys_to_virt(pa);
	s->magic = SLAB_MAGIC;
	s->cls = (uint32_t)cls;
	s->pa = pa;
	s->nframes = 1;
	s->inuse = 0;
	s->carved = 0;
	s->free = NULL;
	list_add(&s->link, &partial[cls]);
	stats.frames_used++;
	return s;
}

static struct obj_hdr *slab_take(struct slab *s)
{
	struct obj_hdr *h;

	if (s->free) {
		h = (struct obj_hdr *)s->free - 1;
		s->free = *(void **)s->free;
	} else {
		h = (struct obj_hdr *)((char *)s + SLAB_HDR_SIZE +
				       s->carved * obj_stride(s->cls));
		s->carved++;
	}
	s->inuse++;
	if (!s->free && s->carved == slab_capacity(s->cls))
		list_del(&s->link);
	return h;
}

static void *alloc_large(size_t size)
{
	size_t want = PAGE_UP(SLAB_HDR_SIZE + sizeof(struct obj_hdr) + size) /
		      PAGE_SIZE;
	size_t got;
	paddr_t pa = pmm_alloc_contig(want, &got);
	struct slab *s;
	struct obj_hdr *h;

	if (!pa)
		return NULL;
	if (got < want) {
		for (size_t i = 0; i < got; i++)
			pmm_put(pa + i * PAGE_SIZE);
		return NULL;
	}
	s = phys_to_virt(pa);
	s->magic = LARGE_MAGIC;
	s->cls = NCLASSES;
	s->pa = pa;
	s->nframes = want;
	list_init(&s->link);
	stats.frames_used += want;
	h = (struct obj_hdr *)((char *)s + SLAB_HDR_SIZE);
	h->cls = NCLASSES;
	return h;
}

void *kmalloc(size_t size)
{
	struct obj_hdr *h;
	size_t cls;

	if (!ready)
		heap_init();
	/* Sizes near SIZE_MAX would wrap the frame count. */
	if (size > ((size_t)1 << 40))
		return NULL;
	if (size > MAX_SMALL) {
		h = alloc_large(size);
		if (!h)
			return NULL;
	} else {
		struct slab *s;

		for (cls = 0; class_size[cls] < size; cls++)
			;
		if (list_empty(&partial[cls])) {
			s = slab_new(cls);
			if (!s)
				return NULL;
		} else {
			s = list_first_entry(&partial[cls], struct slab, link);
		}
		h = slab_take(s);
		h->cls = (uint32_t)cls;
	}
	h->magic = OBJ_LIVE;
	h->size = size;
	stats.bytes_in_use += size;
	stats.allocs_live++;
	return h + 1;
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
	struct obj_hdr *h;
	struct slab *s;
	size_t i;

	if (!p)
		return;
	h = (struct obj_hdr *)p - 1;
	if (h->magic != OBJ_LIVE)
		panic("kfree: %p is not a live allocation (%s)", p,
		      h->magic == OBJ_FREE ? "double free" : "bad pointer");
	s = (struct slab *)ALIGN_DOWN((uintptr_t)h, PAGE_SIZE);
	h->magic = OBJ_FREE;
	stats.bytes_in_use -= h->size;
	stats.allocs_live--;

	if (s->magic == LARGE_MAGIC && h->cls == NCLASSES) {
		paddr_t pa = s->pa;
		size_t n = s->nframes;

		s->magic = 0;
		for (i = 0; i < n; i++)
			pmm_put(pa + i * PAGE_SIZE);
		stats.frames_used -= n;
		return;
	}
	if (s->magic != SLAB_MAGIC || h->cls != s->cls)
		panic("kfree: %p has a broken slab header", p);

	/* A full slab is off the partial list: put it back. */
	if (!s->free && s->carved == slab_capacity(s->cls))
		list_add(&s->link, &partial[s->cls]);
	*(void **)p = s->free;
	s->free = p;
	if (--s->inuse == 0) {
		list_del(&s->link);
		s->magic = 0;
		pmm_put(s->pa);
		stats.frames_used--;
	}
}

void kmalloc_stats(struct kmalloc_stats *st)
{
	*st = stats;
}
