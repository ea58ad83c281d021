/*
 * acpi.c: the little ACPI the HAL needs (layer: bare-metal HAL; relies on
 * the direct map covering the firmware's tables). From the RSDP the PVH
 * loader reports (or the BIOS area), it finds the MADT and keeps the I/O
 * APICs and the ISA interrupt overrides, so that the UART's IRQ is routed
 * to the right pin with the right polarity. Without tables the PC
 * defaults hold: one I/O APIC at 0xfec00000, ISA IRQ n on pin n.
 */
#include <kern/klib.h>

#include "bm.h"

#define SDT_HEADER_LEN 36
#define MAX_IOAPICS 8
#define MAX_OVERRIDES 16

struct ioapic_info {
	uint64_t phys;
	uint32_t gsi_base;
};

struct override {
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags;
};

static struct ioapic_info ioapics[MAX_IOAPICS] = { { 0xfec00000ULL, 0 } };
static int nioapics = 1;
static struct override overrides[MAX_OVERRIDES];
static int noverrides;

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static bool checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

/* A table's header, checked: NULL when absent or corrupt. */
static const uint8_t *sdt_at(uint64_t pa)
{
	const uint8_t *t;
	uint32_t len;

	if (!pa || pa >= 4 * PAGE_1G)
		return NULL;
	t = bm_phys_to_virt(pa);
	len = rd32(t + 4);
	if (len < SDT_HEADER_LEN || len > (1u << 20) || !checksum_ok(t, len))
		return NULL;
	return t;
}

static uint64_t find_rsdp(uint64_t hint)
{
	if (hint)
		return hint;
	/* The BIOS read-only area, on 16-byte boundaries. */
	for (uint64_t pa = 0xe0000; pa < 0x100000; pa += 16) {
		const uint8_t *p = bm_phys_to_virt(pa);

		if (memcmp(p, "RSD PTR ", 8) == 0 && checksum_ok(p, 20))
			return pa;
	}
	return 0;
}

static const uint8_t *find_table(uint64_t rsdp_pa, const char sig[4])
{
	const uint8_t *rsdp, *root;
	bool xsdt;
	size_t entry;

	if (!rsdp_pa)
		return NULL;
	rsdp = bm_phys_to_virt(rsdp_pa);
	if (memcmp(rsdp, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, 20))
		return NULL;
	xsdt = rsdp[15] >= 2 && rd64(rsdp + 24);
	root = sdt_at(xsdt ? rd64(rsdp + 24) : rd32(rsdp + 16));
	if (!root)
		return NULL;
	entry = xsdt ? 8 : 4;
	for (uint32_t off = SDT_HEADER_LEN; off + entry <= rd32(root + 4);
	     off += (uint32_t)entry) {
		uint64_t pa = xsdt ? rd64(root + off) : rd32(root + off);
		const uint8_t *t = sdt_at(pa);

		if (t && memcmp(t, sig, 4) == 0)
			return t;
	}
	return NULL;
}

void acpi_init(uint64_t rsdp_hint)
{
	const uint8_t *madt = find_table(find_rsdp(rsdp_hint), "APIC");
	uint32_t len;

	if (!madt) {
		bm_printf_debug("acpi: no MADT, PC defaults");
		return;
	}
	len = rd32(madt + 4);
	nioapics = 0;
	for (uint32_t off = SDT_HEADER_LEN + 8; off + 2 <= len;) {
		const uint8_t *e = madt + off;
		uint8_t type = e[0], elen = e[1];

		if (elen < 2 || off + elen > len)
			break;
		if (type == 1 && elen >= 12 && nioapics < MAX_IOAPICS) {
			ioapics[nioapics].phys = rd32(e + 4);
			ioapics[nioapics].gsi_base = rd32(e + 8);
			nioapics++;
		} else if (type == 2 && elen >= 10 && e[2] == 0 &&
			   noverrides < MAX_OVERRIDES) {
			overrides[noverrides].irq = e[3];
			overrides[noverrides].gsi = rd32(e + 4);
			memcpy(&overrides[noverrides].flags, e + 8, 2);
			noverrides++;
		}
		off += elen;
	}
	if (nioapics == 0) {
		ioapics[0] = (struct ioapic_info){ 0xfec00000ULL, 0 };
		nioapics = 1;
	}
	bm_printf_debug("acpi: %d I/O APIC(s), first at %#llx; %d override(s)",
			nioapics, (unsigned long long)ioapics[0].phys,
			noverrides);
}

void acpi_isa_irq(unsigned irq, uint32_t *gsi, bool *level, bool *active_low)
{
	*gsi = irq;
	*level = false;
	*active_low = false;
	for (int i = 0; i < noverrides; i++) {
		if (overrides[i].irq != irq)
			continue;
		*gsi = overrides[i].gsi;
		/* MPS INTI flags: polarity in bits 0-1, trigger in 2-3;
		 * 0 means "as the bus says", which for ISA is high/edge. */
		*active_low = (overrides[i].flags & 3) == 3;
		*level = ((overrides[i].flags >> 2) & 3) == 3;
	}
}

bool acpi_ioapic_for(uint32_t gsi, uint64_t *phys, uint32_t *pin)
{
	int best = -1;

	for (int i = 0; i < nioapics; i++)
		if (ioapics[i].gsi_base <= gsi &&
		    (best < 0 || ioapics[i].gsi_base > ioapics[best].gsi_base))
			best = i;
	if (best < 0)
		return false;
	*phys = ioapics[best].phys;
	*pin = gsi - ioapics[best].gsi_base;
	return true;
}
