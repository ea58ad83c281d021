/*
 * virtio.c: the virtio 1.x PCI transport and split virtqueues (layer:
 * bare-metal HAL; relies on pci.c for capabilities and BAR mappings and
 * on mmu.c's pool for ring memory). Only "modern" devices (the PCI
 * vendor capabilities of virtio 1.0) are driven; QEMU's virtio-*-pci
 * devices are transitional and offer them. Ring pages come from the
 * HAL's own pool, so their physical addresses are known and the core
 * never sees them.
 */
#include <kern/klib.h>

#include "bm.h"

/* Common configuration registers (virtio 1.x, 4.1.4.3). */
#define VC_DFSELECT 0x00
#define VC_DF 0x04
#define VC_GFSELECT 0x08
#define VC_GF 0x0c
#define VC_MSIX 0x10
#define VC_NUMQ 0x12
#define VC_STATUS 0x14
#define VC_Q_SELECT 0x16
#define VC_Q_SIZE 0x18
#define VC_Q_MSIX 0x1a
#define VC_Q_ENABLE 0x1c
#define VC_Q_NOFF 0x1e
#define VC_Q_DESC 0x20
#define VC_Q_DRIVER 0x28
#define VC_Q_DEVICE 0x30

#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FEATURES_OK 8
#define ST_FAILED 128

#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

#define VIRTIO_F_VERSION_1 (1ULL << 32)

static void w8(volatile uint8_t *b, unsigned off, uint8_t v)
{
	*(volatile uint8_t *)(b + off) = v;
}
static uint8_t r8(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint8_t *)(b + off);
}
static void w16(volatile uint8_t *b, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(b + off) = v;
}
static uint16_t r16(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint16_t *)(b + off);
}
static void w32(volatile uint8_t *b, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}
static uint32_t r32(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint32_t *)(b + off);
}
static void w64(volatile uint8_t *b, unsigned off, uint64_t v)
{
	w32(b, off, (uint32_t)v);
	w32(b, off + 4, (uint32_t)(v >> 32));
}

static int map_caps(struct virtio_dev *v)
{
	struct pci_dev *p = v->pci;

	for (unsigned c = pci_cap_next(p, 0, 0x09); c;
	     c = pci_cap_next(p, c, 0x09)) {
		uint8_t type = pci_read8(p, c + 3);
		int bar = pci_read8(p, c + 4);
		uint32_t off = pci_read32(p, c + 8);
		uint32_t len = pci_read32(p, c + 12);
		volatile uint8_t *m;

		if (type < CAP_COMMON || type > CAP_DEVICE || !len)
			continue;
		m = pci_map_bar(p, bar, off, len);
		if (!m)
			continue;
		switch (type) {
		case CAP_COMMON:
			if (!v->common)
				v->common = m;
			break;
		case CAP_NOTIFY:
			if (!v->notify_base) {
				v->notify_base = m;
				v->notify_mult = pci_read32(p, c + 16);
			}
			break;
		case CAP_ISR:
			if (!v->isr)
				v->isr = m;
			break;
		case CAP_DEVICE:
			if (!v->device_cfg)
				v->device_cfg = m;
			break;
		}
	}
	return v->common && v->notify_base && v->isr ? 0 : -1;
}

int virtio_init(struct virtio_dev *v, struct pci_dev *p, uint64_t wanted)
{
	uint64_t offered;

	v->pci = p;
	pci_enable(p);
	if (map_caps(v) < 0) {
		bm_printf("virtio %02x:%02x.%u: no virtio 1.x capabilities",
			  p->bus, p->slot, p->fn);
		return -1;
	}
	w8(v->common, VC_STATUS, 0);
	for (int i = 0; i < 1000000 && r8(v->common, VC_STATUS); i++)
		__asm__ volatile("pause");
	w8(v->common, VC_STATUS, ST_ACK);
	w8(v->common, VC_STATUS, ST_ACK | ST_DRIVER);
	w32(v->common, VC_DFSELECT, 0);
	offered = r32(v->common, VC_DF);
	w32(v->common, VC_DFSELECT, 1);
	offered |= (uint64_t)r32(v->common, VC_DF) << 32;
	if (!(offered & VIRTIO_F_VERSION_1))
		goto failed;
	v->features = (wanted | VIRTIO_F_VERSION_1) & offered;
	w32(v->common, VC_GFSELECT, 0);
	w32(v->common, VC_GF, (uint32_t)v->features);
	w32(v->common, VC_GFSELECT, 1);
	w32(v->common, VC_GF, (uint32_t)(v->features >> 32));
	w8(v->common, VC_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	if (!(r8(v->common, VC_STATUS) & ST_FEATURES_OK))
		goto failed;
	w16(v->common, VC_MSIX, 0xffff);
	return 0;
failed:
	bm_printf("virtio %02x:%02x.%u: feature negotiation failed", p->bus,
		  p->slot, p->fn);
	w8(v->common, VC_STATUS, ST_FAILED);
	return -1;
}

int virtio_queue_init(struct virtio_dev *v, unsigned q, struct virtq *vq,
		      unsigned max, uint16_t msix_vector)
{
	uint64_t dpa, apa, upa;
	unsigned size;

	w16(v->common, VC_Q_SELECT, (uint16_t)q);
	size = r16(v->common, VC_Q_SIZE);
	if (!size)
		return -1;
	/* Split rings are a power of two; 128 entries keep each of the
	 * three parts within one page. */
	if (max > 128)
		max = 128;
	while (size > max)
		size >>= 1;
	dpa = mmu_page_alloc();
	apa = mmu_page_alloc();
	upa = mmu_page_alloc();
	if (!dpa || !apa || !upa)
		return -1;
	vq->size = (uint16_t)size;
	vq->index = (uint16_t)q;
	vq->desc = bm_phys_to_virt(dpa);
	vq->avail = bm_phys_to_virt(apa);
	vq->used = bm_phys_to_virt(upa);
	vq->avail_idx = 0;
	vq->used_seen = 0;
	w16(v->common, VC_Q_SIZE, (uint16_t)size);
	w16(v->common, VC_Q_MSIX, msix_vector);
	vq->irq = msix_vector != 0xffff;
	if (vq->irq && r16(v->common, VC_Q_MSIX) != msix_vector) {
		/* The device could not take the vector: poll instead. */
		bm_printf_debug("virtio: queue %u has no interrupt", q);
		w16(v->common, VC_Q_MSIX, 0xffff);
		vq->irq = false;
	}
	w64(v->common, VC_Q_DESC, dpa);
	w64(v->common, VC_Q_DRIVER, apa);
	w64(v->common, VC_Q_DEVICE, upa);
	vq->notify = (volatile uint16_t *)(v->notify_base +
					   (uint32_t)r16(v->common, VC_Q_NOFF) *
						   v->notify_mult);
	/* No interrupt for this queue unless it has a vector. */
	vq->avail[0] = msix_vector == 0xffff ? 1 : 0;
	w16(v->common, VC_Q_ENABLE, 1);
	return 0;
}

void virtio_ready(struct virtio_dev *v)
{
	w8(v->common, VC_STATUS,
	   ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
}

void virtq_submit(struct virtq *vq, uint16_t head)
{
	vq->avail[2 + vq->avail_idx % vq->size] = head;
	/* The ring entry before the index that publishes it (x86 keeps
	 * stores in order; the compiler must too). */
	__asm__ volatile("" : : : "memory");
	vq->avail_idx++;
	vq->avail[1] = vq->avail_idx;
	__asm__ volatile("mfence" : : : "memory");
	*vq->notify = vq->index;
}

bool virtq_next_used(struct virtq *vq, uint32_t *id, uint32_t *len)
{
	volatile uint16_t *idx = (volatile uint16_t *)(vq->used + 2);
	volatile uint32_t *e;

	if (*idx == vq->used_seen)
		return false;
	__asm__ volatile("" : : : "memory");
	e = (volatile uint32_t *)(vq->used + 4 +
				  8 * (vq->used_seen % vq->size));
	*id = e[0];
	*len = e[1];
	vq->used_seen++;
	return true;
}
