/*
 * blk.c: the bare-metal HAL's block devices, virtio-blk over PCI (layer:
 * bare-metal HAL; relies on virtio.c and pci.c; implements the block
 * section of include/hal.h). Disks are the virtio-blk functions in PCI
 * slot order, which `ember boot --disk` makes the order of its options.
 *
 * Requests are synchronous and completed by polling: one request at a
 * time is in flight, the CPU spins (with pause) on the used ring until
 * the device answers, and no interrupt is used. The core's buffer is the
 * DMA target directly: every kernel address the core holds (the direct
 * map and the kernel image) is linear in physical memory.
 */
#include <kern/klib.h>
#include <uapi/errno.h>

#include "bm.h"

#define MAX_DISKS 8
#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_BLK_LEGACY_ID 0x1001
#define VIRTIO_BLK_MODERN_ID 0x1042

#define BLK_F_RO (1ULL << 5)
#define BLK_F_FLUSH (1ULL << 9)

#define REQ_IN 0
#define REQ_OUT 1
#define REQ_FLUSH 4

/* Sectors per request: the device takes more, but a bound keeps one
 * request's time (and a hung device's damage) small. */
#define CHUNK_SECTORS 256
#define TIMEOUT_NS (30ULL * 1000000000ULL)

struct req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct disk {
	struct virtio_dev v;
	struct virtq q;
	uint64_t sectors;
	bool read_only;
	bool broken;	     /* a request timed out: the ring is unusable */
	struct req_hdr *hdr; /* in a pool page, with the status byte */
	volatile uint8_t *status;
	uint64_t hdr_pa;
};

static struct disk disks[MAX_DISKS];
static int ndisks;

static int disk_setup(struct disk *d, struct pci_dev *p)
{
	uint64_t pa;

	if (virtio_init(&d->v, p, BLK_F_RO | BLK_F_FLUSH) < 0)
		return -1;
	if (!d->v.device_cfg)
		return -1;
	if (virtio_queue_init(&d->v, 0, &d->q, 128, 0xffff) < 0)
		return -1;
	pa = mmu_page_alloc();
	if (!pa)
		return -1;
	d->hdr_pa = pa;
	d->hdr = bm_phys_to_virt(pa);
	d->status = (volatile uint8_t *)d->hdr + 64;
	d->sectors = *(volatile uint32_t *)d->v.device_cfg |
		     (uint64_t) * (volatile uint32_t *)(d->v.device_cfg + 4)
			     << 32;
	d->read_only = d->v.features & BLK_F_RO;
	virtio_ready(&d->v);
	return 0;
}

void vblk_init(void)
{
	for (int modern = 0; modern < 2; modern++) {
		uint16_t id = modern ? VIRTIO_BLK_MODERN_ID :
				       VIRTIO_BLK_LEGACY_ID;

		for (int i = 0; ndisks < MAX_DISKS; i++) {
			struct pci_dev *p = pci_find(VIRTIO_VENDOR, id, i);

			if (!p)
				break;
			if (disk_setup(&disks[ndisks], p) == 0) {
				bm_printf_debug(
					"blk: vd%c %llu sectors%s",
					'a' + ndisks,
					(unsigned long long)disks[ndisks]
						.sectors,
					disks[ndisks].read_only ? " (ro)" : "");
				ndisks++;
			}
		}
	}
}

/* One request, waited for. */
static int do_req(struct disk *d, uint32_t type, uint64_t sector, void *buf,
		  size_t bytes)
{
	volatile struct virtq_desc *desc = d->q.desc;
	uint64_t deadline;
	uint32_t id, len;
	uint16_t n = 0;

	if (d->broken)
		return -EIO;
	d->hdr->type = type;
	d->hdr->reserved = 0;
	d->hdr->sector = sector;
	*d->status = 0xff;
	desc[0].addr = d->hdr_pa;
	desc[0].len = sizeof(struct req_hdr);
	desc[0].flags = VIRTQ_DESC_F_NEXT;
	desc[0].next = 1;
	n = 1;
	if (bytes) {
		desc[1].addr = bm_virt_to_phys(buf);
		desc[1].len = (uint32_t)bytes;
		desc[1].flags = VIRTQ_DESC_F_NEXT |
				(type == REQ_IN ? VIRTQ_DESC_F_WRITE : 0);
		desc[1].next = 2;
		n = 2;
	}
	desc[n].addr = d->hdr_pa + 64;
	desc[n].len = 1;
	desc[n].flags = VIRTQ_DESC_F_WRITE;
	desc[n].next = 0;
	virtq_submit(&d->q, 0);

	deadline = hal_clock_monotonic_ns() + TIMEOUT_NS;
	while (!virtq_next_used(&d->q, &id, &len)) {
		if (hal_clock_monotonic_ns() > deadline) {
			bm_printf("blk: request to sector %llu timed out; "
				  "the disk is now offline",
				  (unsigned long long)sector);
			d->broken = true;
			return -EIO;
		}
		__asm__ volatile("pause" : : : "memory");
	}
	return *d->status == 0 ? 0 : -EIO;
}

static struct disk *get(int disk)
{
	return disk >= 0 && disk < ndisks ? &disks[disk] : NULL;
}

int hal_blk_count(void)
{
	return ndisks;
}

int hal_blk_info(int disk, uint64_t *sectors, bool *read_only)
{
	struct disk *d = get(disk);

	if (!d)
		return -ENODEV;
	*sectors = d->sectors;
	*read_only = d->read_only;
	return 0;
}

static int rw(int disk, uint32_t type, uint64_t sector, void *buf, size_t count)
{
	struct disk *d = get(disk);
	uint8_t *p = buf;

	if (!d)
		return -ENODEV;
	if (type == REQ_OUT && d->read_only)
		return -EROFS;
	if (sector > d->sectors || count > d->sectors - sector)
		return -EINVAL;
	while (count) {
		size_t n = count < CHUNK_SECTORS ? count : CHUNK_SECTORS;
		int err = do_req(d, type, sector, p, n * HAL_BLK_SECTOR);

		if (err)
			return err;
		sector += n;
		p += n * HAL_BLK_SECTOR;
		count -= n;
	}
	return 0;
}

int hal_blk_read(int disk, uint64_t sector, void *buf, size_t count)
{
	return rw(disk, REQ_IN, sector, buf, count);
}

int hal_blk_write(int disk, uint64_t sector, const void *buf, size_t count)
{
	return rw(disk, REQ_OUT, sector, (void *)buf, count);
}

int hal_blk_flush(int disk)
{
	struct disk *d = get(disk);

	if (!d)
		return -ENODEV;
	/* Without the FLUSH feature the device writes through. */
	if (!(d->v.features & BLK_F_FLUSH) || d->read_only)
		return 0;
	return do_req(d, REQ_FLUSH, 0, NULL, 0);
}
