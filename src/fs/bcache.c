/*
 * bcache.c: the block cache. Blocks of a device are kept by (device,
 * block number, size) in a hash table and an LRU list, with reference
 * counts (a referenced block never leaves) and a dirty flag. Dirty blocks
 * are written back by bcache_sync (sorted, neighbours in one transfer) or
 * when the cache reaches its limit; clean unreferenced blocks are evicted
 * least recently used first.
 * Layer: block layer; relies on kmalloc and blkdev_read/blkdev_write.
 */
#include <kern/blkdev.h>
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <uapi/errno.h>

#define NHASH 1024
#define RUN_MAX (256 * 1024)

static struct list_head hash[NHASH];
static struct list_head lru;
static bool ready;
static size_t bytes_cached, limit;

static void bcache_setup(void)
{
	if (ready)
		return;
	for (size_t i = 0; i < NHASH; i++)
		list_init(&hash[i]);
	list_init(&lru);
	if (!limit) {
		size_t mem = pmm_total_frames() * PAGE_SIZE;

		limit = MIN(mem / 16, (size_t)16 << 20);
		if (limit < (256 << 10))
			limit = 256 << 10;
	}
	ready = true;
}

void bcache_set_limit(size_t bytes)
{
	limit = bytes;
}

static struct list_head *bucket(struct blkdev *dev, uint64_t blkno)
{
	return &hash[(blkno * 31 + (uint64_t)dev->disk) % NHASH];
}

static struct bbuf *lookup(struct blkdev *dev, uint64_t blkno, unsigned size)
{
	struct bbuf *b;

	list_for_each_entry(b, bucket(dev, blkno), hash_link)
		if (b->dev == dev && b->blkno == blkno && b->size == size)
			return b;
	return NULL;
}

static void buf_free(struct bbuf *b)
{
	list_del(&b->hash_link);
	list_del(&b->lru_link);
	bytes_cached -= b->size;
	b->dev->cached--;
	kfree(b->data);
	kfree(b);
}

/* Drops clean unreferenced blocks, oldest first, until need more bytes
 * fit; returns true when they do. */
static bool evict_clean(size_t need)
{
	struct bbuf *b, *tmp;

	list_for_each_entry_safe(b, tmp, &lru, lru_link) {
		if (bytes_cached + need <= limit)
			return true;
		if (b->refcount == 0 && !b->dirty)
			buf_free(b);
	}
	return bytes_cached + need <= limit;
}

static void make_room(size_t need)
{
	struct bbuf *b;

	if (evict_clean(need))
		return;
	/* Everything old is dirty: write the oldest device back, then the
	 * blocks are clean and may go. */
	list_for_each_entry(b, &lru, lru_link) {
		if (b->dirty && b->refcount == 0) {
			bcache_sync(b->dev, false);
			break;
		}
	}
	evict_clean(need);
}

static struct bbuf *get(struct blkdev *dev, uint64_t blkno, unsigned size,
			bool read)
{
	struct bbuf *b;
	int err;

	bcache_setup();
	if (size == 0 || size > 65536 || blkno > (dev->sectors * 512) / size ||
	    (blkno + 1) * size > dev->sectors * 512)
		return ERR_PTR(-EIO);
	b = lookup(dev, blkno, size);
	if (b) {
		b->refcount++;
		list_del(&b->lru_link);
		list_add_tail(&b->lru_link, &lru);
		return b;
	}
	make_room(size);
	b = kzalloc(sizeof(*b));
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->data = read ? kmalloc(size) : kzalloc(size);
	if (!b->data) {
		kfree(b);
		return ERR_PTR(-ENOMEM);
	}
	if (read) {
		err = blkdev_read(dev, blkno * size, b->data, size);
		if (err < 0) {
			kfree(b->data);
			kfree(b);
			return ERR_PTR(err == -EINVAL ? -EIO : err);
		}
	}
	b->dev = dev;
	b->blkno = blkno;
	b->size = size;
	b->refcount = 1;
	list_add(&b->hash_link, bucket(dev, blkno));
	list_add_tail(&b->lru_link, &lru);
	bytes_cached += size;
	dev->cached++;
	return b;
}

struct bbuf *bcache_read(struct blkdev *dev, uint64_t blkno, unsigned size)
{
	return get(dev, blkno, size, true);
}

struct bbuf *bcache_get_new(struct blkdev *dev, uint64_t blkno, unsigned size)
{
	return get(dev, blkno, size, false);
}

void bcache_dirty(struct bbuf *b)
{
	b->dirty = true;
}

void bcache_put(struct bbuf *b)
{
	if (!b)
		return;
	KASSERT(b->refcount > 0);
	b->refcount--;
}

void bcache_forget(struct blkdev *dev, uint64_t blkno, unsigned size)
{
	struct bbuf *b;

	if (!ready)
		return;
	b = lookup(dev, blkno, size);
	if (!b)
		return;
	b->dirty = false;
	if (b->refcount == 0)
		buf_free(b);
}

/* Heapsort of the dirty list by block number (no recursion, no extra
 * memory: a sync may cover thousands of blocks). */
static bool before(struct bbuf *a, struct bbuf *b)
{
	return a->size != b->size ? a->size < b->size : a->blkno < b->blkno;
}

static void sift(struct bbuf **v, size_t start, size_t n)
{
	size_t root = start;

	for (;;) {
		size_t child = 2 * root + 1;
		struct bbuf *t;

		if (child >= n)
			return;
		if (child + 1 < n && before(v[child], v[child + 1]))
			child++;
		if (!before(v[root], v[child]))
			return;
		t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

static void sort_bufs(struct bbuf **v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(v, i, n);
	for (size_t end = n; end > 1; end--) {
		struct bbuf *t = v[0];

		v[0] = v[end - 1];
		v[end - 1] = t;
		sift(v, 0, end - 1);
	}
}

/* Writes v[0..n) (sorted) in runs of neighbouring blocks. */
static int write_runs(struct blkdev *dev, struct bbuf **v, size_t n)
{
	uint8_t *run = kmalloc(RUN_MAX);
	int ret = 0;

	for (size_t i = 0; i < n;) {
		size_t j = i + 1, len = v[i]->size;
		int err;

		while (run && j < n && v[j]->size == v[i]->size &&
		       v[j]->blkno == v[j - 1]->blkno + 1 &&
		       len + v[j]->size <= RUN_MAX)
			len += v[j++]->size;
		if (j - i == 1) {
			err = blkdev_write(dev, v[i]->blkno * v[i]->size,
					   v[i]->data, v[i]->size);
		} else {
			size_t off = 0;

			for (size_t k = i; k < j; k++) {
				memcpy(run + off, v[k]->data, v[k]->size);
				off += v[k]->size;
			}
			err = blkdev_write(dev, v[i]->blkno * v[i]->size, run,
					   len);
		}
		if (err < 0)
			ret = -EIO;
		else
			for (size_t k = i; k < j; k++)
				v[k]->dirty = false;
		i = j;
	}
	kfree(run);
	return ret;
}

int bcache_sync(struct blkdev *dev, bool flush)
{
	struct bbuf *b, **v;
	size_t n = 0, i = 0;
	int ret = 0;

	if (ready) {
		list_for_each_entry(b, &lru, lru_link)
			if (b->dev == dev && b->dirty)
				n++;
	}
	if (n) {
		v = kmalloc(n * sizeof(*v));
		if (!v) {
			/* No memory for the list: one block at a time. */
			list_for_each_entry(b, &lru, lru_link) {
				if (b->dev != dev || !b->dirty)
					continue;
				if (blkdev_write(dev, b->blkno * b->size,
						 b->data, b->size) < 0)
					ret = -EIO;
				else
					b->dirty = false;
			}
		} else {
			list_for_each_entry(b, &lru, lru_link)
				if (b->dev == dev && b->dirty)
					v[i++] = b;
			sort_bufs(v, n);
			ret = write_runs(dev, v, n);
			kfree(v);
		}
	}
	if (flush && !dev->read_only && hal_blk_flush(dev->disk) < 0)
		ret = -EIO;
	return ret;
}

int bcache_invalidate(struct blkdev *dev)
{
	struct bbuf *b, *tmp;
	int ret = bcache_sync(dev, true);

	if (!ready)
		return ret;
	list_for_each_entry_safe(b, tmp, &lru, lru_link)
		if (b->dev == dev && b->refcount == 0 && !b->dirty)
			buf_free(b);
	return ret;
}

void bcache_update_raw(struct blkdev *dev, uint64_t off, const void *buf,
		       size_t len)
{
	struct bbuf *b;

	if (!ready || !dev->cached)
		return;
	list_for_each_entry(b, &lru, lru_link) {
		uint64_t start = b->blkno * b->size, end = start + b->size;
		uint64_t lo, hi;

		if (b->dev != dev || end <= off || start >= off + len)
			continue;
		lo = MAX(start, off);
		hi = MIN(end, off + len);
		memcpy(b->data + (lo - start),
		       (const uint8_t *)buf + (lo - off), (size_t)(hi - lo));
	}
}
