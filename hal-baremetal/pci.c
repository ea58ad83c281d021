/*
 * pci.c: PCI for the bare-metal HAL (layer: HAL; relies on port I/O and
 * mmu.c to map BARs). Configuration space is reached through the legacy
 * 0xCF8/0xCFC ports (q35 and i440fx both have them; the first 256 bytes
 * are all virtio needs). The bus is walked once at boot from bus 0 through
 * PCI-to-PCI bridges, and the devices found are kept in slot order, which
 * is the order `ember boot` gives QEMU's devices. The firmware (SeaBIOS,
 * which runs before the PVH entry) has already assigned the BARs; the
 * HAL only maps them and enables memory decoding and bus mastering.
 */
#include <kern/klib.h>

#include "bm.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

static struct pci_dev devs[PCI_MAX_DEVS];
static int ndevs;

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint32_t cfg_addr(const struct pci_dev *d, unsigned off)
{
	return 0x80000000u | ((uint32_t)d->bus << 16) |
	       ((uint32_t)d->slot << 11) | ((uint32_t)d->fn << 8) |
	       (off & 0xfc);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
	outl(PCI_ADDR, cfg_addr(d, off));
	return inl(PCI_DATA);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	outl(PCI_ADDR, cfg_addr(d, off));
	outl(PCI_DATA, v);
}

void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
	/* A 16-bit access: a read-modify-write of the whole dword would
	 * write back (and so clear) the status register's RW1C bits. */
	outl(PCI_ADDR, cfg_addr(d, off));
	outw((uint16_t)(PCI_DATA + (off & 2)), v);
}

static void scan_bus(unsigned bus, int depth);

static void probe(unsigned bus, unsigned slot, unsigned fn, int depth)
{
	struct pci_dev d = { .bus = (uint8_t)bus,
			     .slot = (uint8_t)slot,
			     .fn = (uint8_t)fn };
	uint32_t id = pci_read32(&d, 0x00);
	uint32_t class;
	uint8_t htype;

	if ((id & 0xffff) == 0xffff)
		return;
	d.vendor = (uint16_t)id;
	d.device = (uint16_t)(id >> 16);
	class = pci_read32(&d, 0x08);
	d.class_code = (uint8_t)(class >> 24);
	d.subclass = (uint8_t)(class >> 16);
	htype = pci_read8(&d, 0x0e) & 0x7f;
	bm_printf_debug("pci %02x:%02x.%u %04x:%04x class %02x%02x", bus, slot,
			fn, d.vendor, d.device, d.class_code, d.subclass);
	if (htype == 1) {
		/* A bridge: its secondary bus, once (depth bounds a loop a
		 * broken firmware could make). */
		unsigned sec = pci_read8(&d, 0x19);

		if (sec > bus && depth < 8)
			scan_bus(sec, depth + 1);
		return;
	}
	if (htype == 0 && ndevs < PCI_MAX_DEVS)
		devs[ndevs++] = d;
}

static void scan_bus(unsigned bus, int depth)
{
	for (unsigned slot = 0; slot < 32; slot++) {
		struct pci_dev d = { .bus = (uint8_t)bus,
				     .slot = (uint8_t)slot };
		unsigned nfn;

		if ((pci_read32(&d, 0) & 0xffff) == 0xffff)
			continue;
		nfn = (pci_read8(&d, 0x0e) & 0x80) ? 8 : 1;
		for (unsigned fn = 0; fn < nfn; fn++)
			probe(bus, slot, fn, depth);
	}
}

void pci_init(void)
{
	scan_bus(0, 0);
	bm_printf_debug("pci: %d device(s)", ndevs);
}

struct pci_dev *pci_find(uint16_t vendor, uint16_t device, int index)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i].vendor == vendor && devs[i].device == device &&
		    index-- == 0)
			return &devs[i];
	return NULL;
}

uint64_t pci_bar_phys(const struct pci_dev *d, int bar, bool *is_io)
{
	uint32_t lo = pci_read32(d, 0x10 + 4 * (unsigned)bar);

	*is_io = lo & 1;
	if (lo & 1)
		return lo & ~3u;
	if (((lo >> 1) & 3) == 2 && bar < 5)
		return (lo & ~0xfu) |
		       ((uint64_t)pci_read32(d, 0x14 + 4 * (unsigned)bar)
			<< 32);
	return lo & ~0xfu;
}

void *pci_map_bar(struct pci_dev *d, int bar, uint64_t off, size_t len)
{
	uint64_t pa;
	bool io;

	if (bar < 0 || bar > 5)
		return NULL;
	pa = pci_bar_phys(d, bar, &io);
	if (io || !pa)
		return NULL;
	return mmu_map_mmio(pa + off, len);
}

void pci_enable(struct pci_dev *d)
{
	/* Memory space, bus master; INTx off (MSI-X or polling only). */
	uint16_t cmd = pci_read16(d, 0x04);

	pci_write16(d, 0x04, (uint16_t)(cmd | 0x2 | 0x4 | 0x400));
}

unsigned pci_cap_next(const struct pci_dev *d, unsigned pos, uint8_t id)
{
	int guard = 48;

	if (!(pci_read16(d, 0x06) & 0x10))
		return 0;
	pos = pos ? pci_read8(d, pos + 1) : pci_read8(d, 0x34);
	while (pos >= 0x40 && guard-- > 0) {
		pos &= 0xfc;
		if (pci_read8(d, pos) == id)
			return pos;
		pos = pci_read8(d, pos + 1);
	}
	return 0;
}

int pci_msix_route(struct pci_dev *d, unsigned entry, uint8_t vector)
{
	unsigned cap = pci_cap_next(d, 0, 0x11);
	uint16_t ctl;
	uint32_t tbl;
	volatile uint32_t *e;

	if (!cap)
		return -1;
	ctl = pci_read16(d, cap + 2);
	if (entry > (ctl & 0x7ffu))
		return -1;
	tbl = pci_read32(d, cap + 4);
	e = pci_map_bar(d, (int)(tbl & 7), (tbl & ~7u) + 16ull * entry, 16);
	if (!e)
		return -1;
	/* Fixed delivery to this CPU's local APIC, edge triggered. */
	e[0] = 0xfee00000u | (lapic_id() << 12);
	e[1] = 0;
	e[2] = vector;
	e[3] = 0; /* unmasked */
	pci_write16(d, cap + 2, (uint16_t)((ctl | 0x8000) & ~0x4000));
	return 0;
}
