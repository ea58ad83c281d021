/*
 * Private declarations shared by the bare-metal HAL's files: the memory
 * layout, CPU helpers (port I/O, MSRs, control registers), the trap frame
 * that entry.S builds, and the interfaces between boot, paging, traps,
 * threads, time and the serial console. Nothing in src/ includes this.
 */
#ifndef BM_H
#define BM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hal.h>

/* ---- memory layout (keep in sync with linker.ld and entry.S) ---- */
#define KERNEL_VMA 0xffffffff80000000ULL /* image: phys + KERNEL_VMA */
#define DMAP_BASE 0xffff800000000000ULL	 /* direct map of all memory */
#define PAGE_4K 0x1000ULL
#define PAGE_2M 0x200000ULL
#define PAGE_1G 0x40000000ULL

/* Kernel stack used for boot, the core and every trap (one CPU). */
#define KSTACK_SIZE (64 * 1024)

static inline void *bm_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(DMAP_BASE + pa);
}

static inline uint64_t bm_virt_to_phys(const void *p)
{
	uint64_t v = (uint64_t)(uintptr_t)p;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DMAP_BASE;
}

/* ---- GDT selectors: Linux's layout, so user cs/ss are 0x33/0x2b ---- */
#define SEL_KCODE 0x10
#define SEL_KDATA 0x18
#define SEL_UDATA 0x2b
#define SEL_UCODE 0x33
#define SEL_TSS 0x38

/* ---- interrupt vectors ---- */
#define VEC_PIC_BASE 0xe0 /* the 8259s, remapped and masked */
#define VEC_TIMER 0x40	  /* local APIC timer */
#define VEC_COM1 0x41	  /* 16550 receive, through the IOAPIC */
#define VEC_NET 0x42	  /* virtio-net receive, MSI-X */
#define VEC_SPURIOUS 0xff
#define VEC_SYSCALL 0x100 /* pseudo vector: entry through `syscall` */

/* ---- the frame entry.S builds on the kernel stack (same order as the
 * first 21 words of struct hal_uctx, with vector/error in orig_rax's
 * place) ---- */
struct trap_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10;
	uint64_t r9, r8, rax, rcx, rdx, rsi, rdi;
	uint64_t vector;
	uint64_t error; /* CPU error code, or rax for VEC_SYSCALL */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* ---- per-CPU data reached through %gs in entry.S ---- */
struct percpu {
	uint64_t kstack_top; /* offset 0: loaded by the syscall entry */
	uint64_t user_rsp;   /* offset 8: scratch for the syscall entry */
	struct percpu *self;
};
extern struct percpu bm_cpu;

/* ---- CPU helpers ---- */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x1b

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v),
			   "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}
static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline bool is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* ---- CPU features found at boot (cpu.c) ---- */
struct cpu_features {
	bool nx, pdpe1gb, fsgsbase, rdrand, xsave, invariant_tsc, smep, smap;
};
extern struct cpu_features bm_features;

/* ---- boot.c ---- */
/* The kernel command line as given by the loader (for ember.* words). */
extern const char *bm_cmdline;
/* Value of the boot word "ember.NAME=..." (before any init=), or NULL. */
const char *bm_cmdline_get(const char *name);
/* Prints a line on the serial console (no log level, for early boot and
 * panics). */
void bm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, only with the boot word ember.debug=1. */
void bm_printf_debug(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ---- cpu.c: GDT, TSS, IDT, syscall MSRs, FPU, traps ---- */
void cpu_init(void);
/* The C side of every trap; entry.S calls it with interrupts off. A trap
 * from user mode never returns (it goes on in sched_loop). */
void trap_entry(struct trap_frame *f);
/* Kernel-mode fault: registers, backtrace, halt. */
__attribute__((noreturn)) void cpu_die(const char *why, struct trap_frame *f);
void fpu_save(void *area);
void fpu_restore(const void *area);
/* The FXSAVE image of a freshly initialised FPU, and the MXCSR bits that
 * may be set. */
extern uint8_t fpu_initial[512];
extern uint32_t fpu_mxcsr_mask;

/* entry.S */
extern const uint64_t isr_table[256];
void syscall_entry(void);
__attribute__((noreturn)) void enter_user_frame(struct trap_frame *f);

/* ---- the HAL's objects ---- */
struct hal_as {
	uint64_t pml4_pa;
	uint64_t *pml4;
	struct hal_thread *threads; /* linked through as_next */
};

struct hal_thread {
	uint8_t fx[512] __attribute__((aligned(16))); /* FXSAVE image */
	struct hal_as *as;
	struct hal_uctx *uctx;
	struct hal_thread *run_next; /* run queue */
	struct hal_thread *as_next;
	bool queued;  /* on the run queue */
	bool running; /* in user mode now */
};

/* ---- mmu.c: page-table pages, the kernel map, user address spaces ---- */
/* Builds the final kernel page tables over [0, top) and switches to them.
 * pool_start/pool_end: the physical range the HAL keeps for itself. */
void mmu_init(uint64_t top, uint64_t pool_start, uint64_t pool_end);
/* A zeroed page from the HAL's pool (physical address), or 0. */
uint64_t mmu_page_alloc(void);
void mmu_page_free(uint64_t pa);
/* Small objects from the pool (size <= 2048), zeroed; NULL when out. */
void *bm_alloc(size_t size);
void bm_free(void *p, size_t size);
/* Makes as's page table the active one (NULL: the kernel's). */
void mmu_switch(struct hal_as *as);
/* Maps len bytes of device memory at physical pa uncached into the
 * kernel half (shared by every address space); NULL when out of room.
 * Mappings are permanent. */
void *mmu_map_mmio(uint64_t pa, size_t len);
/* Physical address of a mapped, readable kernel address or 0 (for
 * backtraces that must not fault). */
bool mmu_kernel_readable(uint64_t va, size_t len);

/* ---- thread.c: run queue, idle loop, user entry ---- */
__attribute__((noreturn)) void sched_loop(void);
/* The thread running in user mode now (NULL in the kernel). */
struct hal_thread *thread_current(void);
/* Called on a trap from user mode: registers into the uctx; returns the
 * uctx (NULL if the thread was destroyed meanwhile). */
struct hal_uctx *thread_trap_save(struct trap_frame *f);
bool thread_runnable_waiting(void);

/* ---- time.c: TSC clock, RTC, local APIC timer ---- */
void time_init(void);
/* Programs the APIC timer for the nearest of the core's deadline and the
 * time slice (0: none). */
void time_program(uint64_t slice_deadline_ns);
/* True once the core's deadline has passed (and disarms it). */
bool time_deadline_due(void);
void time_irq(void);
void lapic_eoi(void);
uint32_t lapic_read(uint32_t reg);
uint32_t lapic_id(void);
void lapic_write(uint32_t reg, uint32_t v);

/* ---- acpi.c: the MADT's I/O APICs and ISA overrides ---- */
/* Reads the MADT through the RSDP at rsdp_pa (0: search the BIOS area). */
void acpi_init(uint64_t rsdp_pa);
/* The GSI and signalling of ISA IRQ irq (PC defaults without ACPI). */
void acpi_isa_irq(unsigned irq, uint32_t *gsi, bool *level, bool *active_low);
/* The I/O APIC serving gsi and its pin there; false when none does. */
bool acpi_ioapic_for(uint32_t gsi, uint64_t *phys, uint32_t *pin);

/* ---- serial.c: 16550 console, interrupt routing ---- */
void serial_early_init(void);
void serial_init_irq(void);
void serial_putc_raw(char c);
/* Waits until every byte written has left the UART. */
void serial_flush(void);
void serial_irq(void);
/* True once console input arrived after hal_console_poll (and disarms). */
bool serial_event_due(void);
/* True once when `ember boot` sent a new terminal size. */
bool serial_resize_due(void);

/* ---- pci.c: configuration space, BARs, capabilities ---- */
#define PCI_MAX_DEVS 64
struct pci_dev {
	uint8_t bus, slot, fn;
	uint8_t class_code, subclass;
	uint16_t vendor, device;
};
/* Walks the buses once (after mmu_init and time_init). */
void pci_init(void);
/* The index-th device (in bus/slot order) with these ids, or NULL. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t device, int index);
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint8_t pci_read8(const struct pci_dev *d, unsigned off);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
/* Physical address of a BAR (64-bit BARs included). */
uint64_t pci_bar_phys(const struct pci_dev *d, int bar, bool *is_io);
/* Maps [off, off+len) of a memory BAR; NULL for an I/O or empty BAR. */
void *pci_map_bar(struct pci_dev *d, int bar, uint64_t off, size_t len);
/* Turns on memory decoding and bus mastering, INTx off. */
void pci_enable(struct pci_dev *d);
/* Offset of the next capability with this id after pos (0: the first),
 * or 0. */
unsigned pci_cap_next(const struct pci_dev *d, unsigned pos, uint8_t id);
/* Points MSI-X table entry `entry` at vector on this CPU and enables
 * MSI-X. 0, or -1 when the device has no such entry. */
int pci_msix_route(struct pci_dev *d, unsigned entry, uint8_t vector);

/* ---- virtio.c: virtio 1.x over PCI, split virtqueues ---- */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq {
	uint16_t size;
	uint16_t index;	    /* queue number */
	uint16_t avail_idx; /* next free avail slot (free-running) */
	uint16_t used_seen; /* used entries consumed (free-running) */
	bool irq;	    /* the device took the queue's MSI-X vector */
	volatile struct virtq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint8_t *used;	  /* flags, idx, {id, len}[size] */
	volatile uint16_t *notify;
};

struct virtio_dev {
	struct pci_dev *pci;
	volatile uint8_t *common;
	volatile uint8_t *isr;
	volatile uint8_t *device_cfg;
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	uint64_t features; /* negotiated */
};

/* Finds the modern virtio capabilities, maps them, resets the device and
 * negotiates: the device must offer VERSION_1 and `wanted` is masked to
 * what it offers. 0 or -1 (the device is left failed). */
int virtio_init(struct virtio_dev *v, struct pci_dev *p, uint64_t wanted);
/* Sets up queue q with up to max entries (pages from the HAL pool);
 * msix_vector 0xffff: no interrupt. 0 or -1. */
int virtio_queue_init(struct virtio_dev *v, unsigned q, struct virtq *vq,
		      unsigned max, uint16_t msix_vector);
/* DRIVER_OK: the device may run. */
void virtio_ready(struct virtio_dev *v);
/* Makes descriptor head (already filled) available and notifies. */
void virtq_submit(struct virtq *vq, uint16_t head);
/* The next used entry: true with its id and length, false when none. */
bool virtq_next_used(struct virtq *vq, uint32_t *id, uint32_t *len);

/* ---- blk.c / net.c: virtio-blk and virtio-net ---- */
void vblk_init(void);
void vnet_init(void);
void vnet_irq(void);
/* How often the idle loop must look at NICs that have no interrupt (ns),
 * or 0. */
uint64_t vnet_poll_ns(void);
/* True once frames arrived after hal_net_recv reported none (disarms). */
bool vnet_event_due(int *nic);

#endif
