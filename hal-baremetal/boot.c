/*
 * boot.c: from the PVH entry to kmain (layer: bare-metal HAL; relies on
 * every other HAL file's init). Reads the PVH start info (memory map,
 * command line, the initrd module), sets aside a pool of frames for the
 * HAL's page tables after the image, gives the core the largest free RAM
 * range that remains, boots it, and enters the scheduler loop for good.
 */
#include <kern/klib.h>

#include "bm.h"

#define PVH_MAGIC 0x336ec578
#define E820_RAM 1
#define LOW_MEM_END 0x100000ULL
#define POOL_MIN (4ULL << 20)
#define POOL_MAX (256ULL << 20)

/* The start info a PVH loader leaves at %ebx (Xen's hvm_start_info). */
struct pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct pvh_module {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct range {
	uint64_t lo, hi;
};

extern char __image_end[];

static char cmdline_buf[4096];
const char *bm_cmdline = cmdline_buf;
static bool debug;
static struct range ram[128];
static int nram;

void bm_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	hal_log(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void bm_printf_debug(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (!debug)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= 0)
		hal_log(buf,
			(size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *bm_cmdline_get(const char *name)
{
	size_t nlen = strlen(name);
	const char *p = cmdline_buf;

	while (*p) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		/* Words from init= (or "--") on belong to init. */
		if (strncmp(p, "init=", 5) == 0 ||
		    (p[0] == '-' && p[1] == '-' && (is_space(p[2]) || !p[2])))
			break;
		if (strncmp(p, "ember.", 6) == 0 &&
		    strncmp(p + 6, name, nlen) == 0 && p[6 + nlen] == '=')
			return p + 7 + nlen;
		while (*p && !is_space(*p))
			p++;
	}
	return NULL;
}

static void copy_cmdline(uint64_t pa)
{
	const char *s;
	size_t i;

	if (!pa)
		return;
	s = bm_phys_to_virt(pa);
	for (i = 0; i < sizeof(cmdline_buf) - 1 && s[i]; i++)
		cmdline_buf[i] = s[i];
	cmdline_buf[i] = 0;
}

static void read_memmap(const struct pvh_start_info *si)
{
	const struct pvh_memmap_entry *e;

	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries) {
		bm_printf("ember: the boot loader gave no memory map");
		hal_halt(125);
	}
	e = bm_phys_to_virt(si->memmap_paddr);
	for (uint32_t i = 0; i < si->memmap_entries && nram < 128; i++) {
		uint64_t lo = (e[i].addr + PAGE_4K - 1) & ~(PAGE_4K - 1);
		uint64_t hi = (e[i].addr + e[i].size) & ~(PAGE_4K - 1);

		bm_printf_debug("memmap: %#llx-%#llx type %u",
				(unsigned long long)e[i].addr,
				(unsigned long long)(e[i].addr + e[i].size),
				e[i].type);
		if (e[i].type == E820_RAM && hi > lo)
			ram[nram++] = (struct range){ lo, hi };
	}
}

static bool overlaps(uint64_t lo, uint64_t hi, uint64_t lo2, uint64_t hi2)
{
	return lo < hi2 && lo2 < hi;
}

static bool in_ram(uint64_t lo, uint64_t hi)
{
	for (int i = 0; i < nram; i++)
		if (lo >= ram[i].lo && hi <= ram[i].hi)
			return true;
	return false;
}

/* Largest piece of RAM at or above `floor` that avoids [xlo, xhi). */
static struct range core_range(uint64_t floor, uint64_t xlo, uint64_t xhi)
{
	struct range best = { 0, 0 };

	for (int i = 0; i < nram; i++) {
		struct range piece[2] = { { ram[i].lo, ram[i].hi }, { 0, 0 } };

		if (piece[0].lo < floor)
			piece[0].lo = floor;
		if (xhi > xlo && overlaps(piece[0].lo, piece[0].hi, xlo, xhi)) {
			piece[1] = (struct range){ xhi, piece[0].hi };
			piece[0].hi = xlo;
		}
		for (int k = 0; k < 2; k++)
			if (piece[k].hi > piece[k].lo &&
			    piece[k].hi - piece[k].lo > best.hi - best.lo)
				best = piece[k];
	}
	return best;
}

void hal_start(uint64_t start_info_pa);

void hal_start(uint64_t start_info_pa)
{
	const struct pvh_start_info *si = bm_phys_to_virt(start_info_pa);
	uint64_t top = 0, total = 0, ird_lo = 0, ird_hi = 0;
	uint64_t pool_lo, pool_hi, pool_size;
	struct boot_info bi = { 0 };
	struct range mem;

	serial_early_init();
	cpu_init();
	if (si->magic != PVH_MAGIC) {
		bm_printf("ember: not started through PVH (magic %#x)",
			  si->magic);
		hal_halt(125);
	}
	copy_cmdline(si->cmdline_paddr);
	debug = bm_cmdline_get("debug") && *bm_cmdline_get("debug") == '1';
	read_memmap(si);
	for (int i = 0; i < nram; i++) {
		total += ram[i].hi - ram[i].lo;
		if (ram[i].hi > top)
			top = ram[i].hi;
	}
	if (si->nr_modules && si->modlist_paddr) {
		const struct pvh_module *m = bm_phys_to_virt(si->modlist_paddr);

		ird_lo = m->paddr;
		ird_hi = m->paddr + m->size;
		bi.initramfs = m->size ? bm_phys_to_virt(m->paddr) : NULL;
		bi.initramfs_len = (size_t)m->size;
	}

	pool_size = total / 32;
	pool_size = pool_size < POOL_MIN ? POOL_MIN :
		    pool_size > POOL_MAX ? POOL_MAX :
					   pool_size & ~(PAGE_4K - 1);
	pool_lo =
		((uint64_t)(uintptr_t)__image_end - KERNEL_VMA + PAGE_4K - 1) &
		~(PAGE_4K - 1);
	pool_hi = pool_lo + pool_size;
	if (!in_ram(pool_lo, pool_hi) ||
	    overlaps(pool_lo, pool_hi, ird_lo, ird_hi) ||
	    pool_hi > 4 * PAGE_1G) {
		bm_printf("ember: no room for the page-table pool after the "
			  "kernel (%#llx-%#llx)",
			  (unsigned long long)pool_lo,
			  (unsigned long long)pool_hi);
		hal_halt(125);
	}
	mmu_init(top, pool_lo, pool_hi);
	acpi_init(si->rsdp_paddr);
	time_init();
	serial_init_irq();
	pci_init();
	vblk_init();
	vnet_init();

	/* For the boot tests: a kernel-mode page fault must end in a panic
	 * report with a backtrace. */
	if (bm_cmdline_get("test_panic"))
		*(volatile uint64_t *)(uintptr_t)0xdead000 = 1;

	mem = core_range(pool_hi > LOW_MEM_END ? pool_hi : LOW_MEM_END,
			 ird_lo & ~(PAGE_4K - 1),
			 (ird_hi + PAGE_4K - 1) & ~(PAGE_4K - 1));
	bm_printf_debug("ram %llu MiB, pool %#llx-%#llx, core %#llx-%#llx, "
			"initrd %#llx-%#llx",
			(unsigned long long)(total >> 20),
			(unsigned long long)pool_lo,
			(unsigned long long)pool_hi, (unsigned long long)mem.lo,
			(unsigned long long)mem.hi, (unsigned long long)ird_lo,
			(unsigned long long)ird_hi);
	if (mem.hi - mem.lo < (8ULL << 20)) {
		bm_printf("ember: less than 8 MiB of memory for the kernel");
		hal_halt(125);
	}
	bi.mem_start = mem.lo;
	bi.mem_bytes = mem.hi - mem.lo;
	bi.cmdline = cmdline_buf;
	bi.root_is_hostfs = false;
	kmain(&bi);
	sched_loop();
}
