/*
 * misc.c: the small services of the bare-metal HAL (layer: HAL; relies on
 * serial.c and time.c): halt with an exit status QEMU carries out, the
 * entropy source, kernel symbols, and the host-file calls, which a machine
 * without a host does not have (-ENOSYS).
 *
 * Halt protocol with `ember boot`: the status goes out as the text
 * "ember-exit-status=N" on the debug console (port 0xe9, a file ember boot
 * reads), then to isa-debug-exit (port 0xf4), which ends QEMU with exit
 * code (N << 1) | 1, truncated to 8 bits by the host. ACPI S5 and hlt
 * follow for machines without either device.
 */
#include <kern/klib.h>
#include <uapi/errno.h>

#include "bm.h"

#define DEBUGCON_PORT 0xe9
#define DEBUG_EXIT_PORT 0xf4
#define ICH9_PM1A_CNT 0x604
#define SLP_EN (1 << 13)

void hal_halt(int status)
{
	char buf[40];
	int n;

	cli();
	serial_flush();
	n = ksnprintf(buf, sizeof(buf), "ember-exit-status=%d\n",
		      status & 0xff);
	for (int i = 0; i < n; i++)
		outb(DEBUGCON_PORT, (uint8_t)buf[i]);
	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	outw(ICH9_PM1A_CNT, SLP_EN);
	for (;;)
		__asm__ volatile("cli\n\thlt");
}

/* ---- entropy ---- */

static bool rdrand64(uint64_t *v)
{
	for (int i = 0; i < 10; i++) {
		uint8_t ok;

		__asm__ volatile("rdrand %0\n\tsetc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Without RDRAND the bytes come from the TSC's low bits at each call
 * mixed into a state seeded from the wall clock: unpredictable enough for
 * ASLR and hash seeds in a test machine, not for cryptography.
 */
static uint64_t weak_random(void)
{
	static uint64_t state;

	if (!state)
		state = hal_clock_realtime_ns() ^ (rdtsc() << 32);
	state ^= rdtsc();
	return splitmix(&state);
}

void hal_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t v;
		size_t n = len < 8 ? len : 8;

		if (!bm_features.rdrand || !rdrand64(&v))
			v = weak_random();
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

/* ---- symbols ---- */

/* The kernel's text symbols, sorted by address (mksymtab.sh). */
extern const uint64_t bm_ksym_count;
extern const uint64_t bm_ksym_addr[];
extern const uint32_t bm_ksym_name[];
extern const char bm_ksym_str[];
extern char __text_start[], __text_end[];

bool hal_symbolize(uintptr_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = bm_ksym_count;

	if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end ||
	    hi == 0 || addr < bm_ksym_addr[0])
		return false;
	/* The last symbol at or below addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (bm_ksym_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	ksnprintf(buf, len, "%s+%#lx", bm_ksym_str + bm_ksym_name[lo],
		  (unsigned long)(addr - bm_ksym_addr[lo]));
	return true;
}

/* ---- host files: none on bare metal ---- */

int hal_host_root(void)
{
	return -ENOSYS;
}
int hal_host_openat(int dir, const char *name, int flags, unsigned mode)
{
	return -ENOSYS;
}
int hal_host_close(int h)
{
	return -ENOSYS;
}
int hal_host_fstat(int h, struct hal_host_stat *st)
{
	return -ENOSYS;
}
int hal_host_statat(int dir, const char *name, struct hal_host_stat *st)
{
	return -ENOSYS;
}
long hal_host_pread(int h, void *buf, size_t len, uint64_t off)
{
	return -ENOSYS;
}
long hal_host_pwrite(int h, const void *buf, size_t len, uint64_t off)
{
	return -ENOSYS;
}
long hal_host_getdents(int h, void *buf, size_t len)
{
	return -ENOSYS;
}
int hal_host_seekdir(int h, uint64_t pos)
{
	return -ENOSYS;
}
long hal_host_readlinkat(int dir, const char *name, char *buf, size_t len)
{
	return -ENOSYS;
}
int hal_host_mkdirat(int dir, const char *name, unsigned mode)
{
	return -ENOSYS;
}
int hal_host_unlinkat(int dir, const char *name, int flags)
{
	return -ENOSYS;
}
int hal_host_renameat(int olddir, const char *oldname, int newdir,
		      const char *newname, unsigned flags)
{
	return -ENOSYS;
}
int hal_host_symlinkat(const char *target, int dir, const char *name)
{
	return -ENOSYS;
}
int hal_host_linkat(int olddir, const char *oldname, int newdir,
		    const char *newname)
{
	return -ENOSYS;
}
int hal_host_ftruncate(int h, uint64_t len)
{
	return -ENOSYS;
}
int hal_host_fchmod(int h, unsigned mode)
{
	return -ENOSYS;
}
int hal_host_fchown(int h, uint32_t uid, uint32_t gid)
{
	return -ENOSYS;
}
int hal_host_futimens(int h, const int64_t times[4])
{
	return -ENOSYS;
}
int hal_host_fsync(int h)
{
	return -ENOSYS;
}
