/*
 * cpu.c: the processor's tables and traps (layer: bare-metal HAL; relies on
 * entry.S for the stubs and the syscall entry, thread.c for the user
 * context of the running thread, time.c and serial.c for the interrupts).
 * GDT in Linux's order (so user cs/ss are 0x33/0x2b and STAR fits sysret),
 * a TSS whose IST stacks catch double faults, NMIs and machine checks, an
 * IDT of interrupt gates, syscall MSRs, and the x87/SSE unit. A fault in
 * user mode becomes a hal_trap for the core; one in kernel mode is fatal.
 */
#include <kern/klib.h>
#include <uapi/signal.h>

#include "bm.h"

#ifndef FPE_FLTOVF
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#endif
#ifndef ILL_COPROC
#define ILL_COPROC 7
#endif

struct percpu bm_cpu;
struct cpu_features bm_features;
uint8_t fpu_initial[512] __attribute__((aligned(16)));
uint32_t fpu_mxcsr_mask;

extern char bm_kstack_top[];

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* null, (kernel code 32: unused), kernel code, kernel data, (user code 32:
 * absent, so no compat mode), user data, user code 64, TSS (2 slots). */
static uint64_t gdt[9] __attribute__((aligned(16))) = {
	[2] = 0x00af9a000000ffffULL,
	[3] = 0x00cf92000000ffffULL,
	[5] = 0x00cff2000000ffffULL,
	[6] = 0x00affa000000ffffULL,
};
static struct tss tss __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint8_t ist_df[16384] __attribute__((aligned(16)));
static uint8_t ist_nmi[8192] __attribute__((aligned(16)));
static uint8_t ist_mc[8192] __attribute__((aligned(16)));

static void detect_features(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	uint32_t max_leaf = r[0];
	cpuid(1, 0, r);
	bm_features.xsave = r[2] & (1u << 26);
	bm_features.rdrand = r[2] & (1u << 30);
	if (max_leaf >= 7) {
		cpuid(7, 0, r);
		bm_features.fsgsbase = r[1] & 1;
		bm_features.smep = r[1] & (1u << 7);
		bm_features.smap = r[1] & (1u << 20);
	}
	cpuid(0x80000000, 0, r);
	uint32_t max_ext = r[0];
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		bm_features.nx = r[3] & (1u << 20);
		bm_features.pdpe1gb = r[3] & (1u << 26);
	}
	if (max_ext >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		bm_features.invariant_tsc = r[3] & (1u << 8);
	}
}

static void gdt_load(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	struct desc_ptr p = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	gdt[7] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[8] = base >> 32;
	tss.rsp[0] = (uint64_t)(uintptr_t)bm_kstack_top;
	tss.ist[0] = (uint64_t)(uintptr_t)(ist_df + sizeof(ist_df));
	tss.ist[1] = (uint64_t)(uintptr_t)(ist_nmi + sizeof(ist_nmi));
	tss.ist[2] = (uint64_t)(uintptr_t)(ist_mc + sizeof(ist_mc));
	/* No I/O bitmap: user in/out raise #GP. */
	tss.iomap_base = sizeof(tss);

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "mov %3, %%fs\n\t"
			 "mov %3, %%gs\n\t"
			 "ltr %w4"
			 :
			 : "m"(p), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(0),
			   "r"(SEL_TSS)
			 : "rax", "memory");
	bm_cpu.self = &bm_cpu;
	bm_cpu.kstack_top = (uint64_t)(uintptr_t)bm_kstack_top;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&bm_cpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

static void idt_load(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	for (int v = 0; v < 256; v++) {
		uint64_t off = isr_table[v];
		struct idt_gate *g = &idt[v];

		g->off_lo = (uint16_t)off;
		g->sel = SEL_KCODE;
		g->ist = v == 8 ? 1 : v == 2 ? 2 : v == 18 ? 3 : 0;
		/* Present interrupt gates; user mode may only raise int3. */
		g->type = v == 3 ? 0xee : 0x8e;
		g->off_mid = (uint16_t)(off >> 16);
		g->off_hi = (uint32_t)(off >> 32);
	}
	__asm__ volatile("lidt %0" : : "m"(p));
}

static void fpu_init(void)
{
	uint64_t cr0, cr4;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 &= ~((1ULL << 2) | (1ULL << 3)); /* EM, TS */
	cr0 |= (1ULL << 1) | (1ULL << 5);    /* MP, NE */
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (1ULL << 9) | (1ULL << 10); /* OSFXSR, OSXMMEXCPT */
	if (bm_features.xsave)
		cr4 |= 1ULL << 18; /* OSXSAVE */
	if (bm_features.fsgsbase)
		cr4 |= 1ULL << 16;
	cr4 |= 1ULL << 7; /* PGE: kernel mappings are global */
	/* The core reaches user memory only through the direct map, so the
	 * kernel never needs to run or touch a user page. */
	if (bm_features.smep)
		cr4 |= 1ULL << 20;
	if (bm_features.smap)
		cr4 |= 1ULL << 21;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	/* Only x87 and SSE state: the per-thread image is FXSAVE's 512
	 * bytes, so programs must not see AVX as usable. */
	if (bm_features.xsave)
		__asm__ volatile("xsetbv" : : "c"(0), "a"(3), "d"(0));

	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("fninit\n\t"
			 "ldmxcsr %0"
			 :
			 : "m"(mxcsr));
	fpu_save(fpu_initial);
	memcpy(&fpu_mxcsr_mask, fpu_initial + 28, 4);
	if (fpu_mxcsr_mask == 0)
		fpu_mxcsr_mask = 0xffbf;
}

void fpu_save(void *area)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

static void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); /* SCE */
	/* syscall: cs 0x10, ss 0x18; sysret: ss 0x23+8, cs 0x23+16. */
	wrmsr(MSR_STAR, (0x23ULL << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_CSTAR, 0);
	/* IF, TF, DF, NT and AC cleared on entry. */
	wrmsr(MSR_SFMASK, 0x200 | 0x100 | 0x400 | 0x4000 | 0x40000);
}

void cpu_init(void)
{
	detect_features();
	gdt_load();
	idt_load();
	fpu_init();
	syscall_init();
}

/* ---------------------------------------------------------------- */
/* Kernel-mode faults                                                */
/* ---------------------------------------------------------------- */

static const char *const exc_names[32] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"bound range",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection",
	"page fault",
	"reserved 15",
	"x87 error",
	"alignment check",
	"machine check",
	"SIMD error",
	"virtualization",
	"control protection",
};

static const char *exc_name(uint64_t v)
{
	if (v < 32 && exc_names[v])
		return exc_names[v];
	return v < 32 ? "reserved exception" : "unexpected trap";
}

static void print_symbol(const char *tag, uint64_t addr)
{
	char sym[128];

	if (hal_symbolize((uintptr_t)addr, sym, sizeof(sym)))
		bm_printf("%s%#llx %s", tag, (unsigned long long)addr, sym);
	else
		bm_printf("%s%#llx", tag, (unsigned long long)addr);
}

void cpu_die(const char *why, struct trap_frame *f)
{
	static bool dying;

	cli();
	if (dying)
		hal_halt(125);
	dying = true;
	bm_printf("panic: %s (vector %llu, error %#llx) cr2 %#llx", why,
		  (unsigned long long)f->vector, (unsigned long long)f->error,
		  (unsigned long long)read_cr2());
	print_symbol("rip: ", f->rip);
	bm_printf("cs %#llx rflags %#llx rsp %#llx ss %#llx cr3 %#llx",
		  (unsigned long long)f->cs, (unsigned long long)f->rflags,
		  (unsigned long long)f->rsp, (unsigned long long)f->ss,
		  (unsigned long long)read_cr3());
	bm_printf("rax %016llx rbx %016llx rcx %016llx rdx %016llx",
		  (unsigned long long)f->rax, (unsigned long long)f->rbx,
		  (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	bm_printf("rsi %016llx rdi %016llx rbp %016llx r8  %016llx",
		  (unsigned long long)f->rsi, (unsigned long long)f->rdi,
		  (unsigned long long)f->rbp, (unsigned long long)f->r8);
	bm_printf("r9  %016llx r10 %016llx r11 %016llx r12 %016llx",
		  (unsigned long long)f->r9, (unsigned long long)f->r10,
		  (unsigned long long)f->r11, (unsigned long long)f->r12);
	bm_printf("r13 %016llx r14 %016llx r15 %016llx",
		  (unsigned long long)f->r13, (unsigned long long)f->r14,
		  (unsigned long long)f->r15);
	bm_printf("backtrace:");
	uint64_t fp = f->rbp;
	for (int i = 0; i < 32 && fp && !(fp & 7); i++) {
		if (!mmu_kernel_readable(fp, 16))
			break;
		uint64_t next = ((const uint64_t *)(uintptr_t)fp)[0];
		uint64_t ret = ((const uint64_t *)(uintptr_t)fp)[1];
		if (!ret)
			break;
		print_symbol("  ", ret);
		if (next <= fp || next - fp > (1ULL << 20))
			break;
		fp = next;
	}
	hal_halt(125);
}

/* ---------------------------------------------------------------- */
/* Traps                                                             */
/* ---------------------------------------------------------------- */

static void irq_dispatch(uint64_t vec)
{
	switch (vec) {
	case VEC_TIMER:
		time_irq();
		lapic_eoi();
		break;
	case VEC_COM1:
		serial_irq();
		lapic_eoi();
		break;
	case VEC_NET:
		vnet_irq();
		lapic_eoi();
		break;
	case VEC_SPURIOUS:
		break;
	default:
		/* The 8259s are masked; anything from them is spurious. */
		if (vec >= VEC_PIC_BASE && vec < VEC_PIC_BASE + 16)
			break;
		lapic_eoi();
		break;
	}
}

/* Linux's si_code for an unmasked SIMD or x87 exception. */
static int fp_code(uint32_t status, uint32_t masks)
{
	uint32_t e = status & ~masks & 0x3f;

	if (e & 1)
		return FPE_FLTINV;
	if (e & 4)
		return FPE_FLTDIV;
	if (e & 8)
		return FPE_FLTOVF;
	if (e & 0x12)
		return FPE_FLTUND;
	if (e & 0x20)
		return FPE_FLTRES;
	return 0;
}

static void fault(struct hal_trap *t, int signo, int code, uint64_t addr)
{
	t->kind = HAL_TRAP_FAULT;
	t->signo = signo;
	t->code = code;
	t->addr = addr;
}

static __attribute__((noreturn)) void user_trap(struct trap_frame *f)
{
	struct hal_trap trap = { .kind = HAL_TRAP_PREEMPTED };
	uint64_t vec = f->vector;
	uint64_t cr2 = vec == 14 ? read_cr2() : 0;
	struct hal_uctx *u;
	uint32_t mxcsr;
	uint16_t fsw, fcw;

	/* The thread's FPU registers are live: read them before anything. */
	if (vec == 19)
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	if (vec == 16)
		__asm__ volatile("fnstsw %0\n\tfnstcw %1"
				 : "=m"(fsw), "=m"(fcw));
	u = thread_trap_save(f);
	switch (vec) {
	case VEC_SYSCALL:
		trap.kind = HAL_TRAP_SYSCALL;
		break;
	case 0:
		fault(&trap, SIGFPE, FPE_INTDIV, f->rip);
		break;
	case 1:
		fault(&trap, SIGTRAP, TRAP_TRACE, f->rip);
		break;
	case 3:
		fault(&trap, SIGTRAP, SI_KERNEL, 0);
		break;
	case 4:
	case 5:
	case 10:
	case 13:
		fault(&trap, SIGSEGV, SI_KERNEL, 0);
		break;
	case 6:
		fault(&trap, SIGILL, ILL_ILLOPN, f->rip);
		break;
	case 7:
		fault(&trap, SIGILL, ILL_COPROC, f->rip);
		break;
	case 11:
	case 12:
		fault(&trap, SIGBUS, SI_KERNEL, 0);
		break;
	case 14:
		trap.kind = HAL_TRAP_PAGE_FAULT;
		trap.addr = cr2;
		trap.access = (f->error & 2)  ? HAL_ACC_WRITE :
			      (f->error & 16) ? HAL_ACC_EXEC :
						HAL_ACC_READ;
		if (f->error & 1)
			trap.access |= HAL_ACC_PRESENT;
		break;
	case 16:
		fault(&trap, SIGFPE, fp_code(fsw, fcw), f->rip);
		break;
	case 17:
		fault(&trap, SIGBUS, BUS_ADRALN, f->rip);
		break;
	case 19:
		fault(&trap, SIGFPE, fp_code(mxcsr, mxcsr >> 7), f->rip);
		break;
	default:
		if (vec < 32)
			fault(&trap, SIGSEGV, SI_KERNEL, 0);
		else
			irq_dispatch(vec);
		break;
	}
	if (u)
		kern_trap(u, &trap);
	sched_loop();
}

void trap_entry(struct trap_frame *f)
{
	/* NMIs run on their own IST stack, which must not become the stack
	 * of sched_loop: return to whatever was interrupted. */
	if (f->vector == 2)
		return;
	if (f->vector == 8 || f->vector == 18)
		cpu_die(exc_name(f->vector), f);
	if (f->cs & 3)
		user_trap(f);
	if (f->vector >= 32 && f->vector < 256) {
		irq_dispatch(f->vector);
		return;
	}
	cpu_die(exc_name(f->vector), f);
}
