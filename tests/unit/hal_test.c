/*
 * hal_test.c: the test HAL (layer: HAL; hosted C with libc, linked into
 * unit_tests and the fuzzers instead of hal-hosted/ or hal-baremetal/).
 * Physical memory is one aligned malloc'd arena; address spaces and
 * threads only record what the core asked for, since the core's own page
 * table is the truth and nothing runs in user mode here. Clocks are fake
 * and move only when a test advances them; the console is a pair of
 * memory buffers; hal_halt longjmps back into an armed test.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <hal.h>
#include <uapi/errno.h>

#include "ktest.h"

/* The core may not be complete while helpers work in parallel: the HAL
 * only calls these event entry points when they are linked in. */
#pragma weak kern_timer_event
#pragma weak kern_console_event

/* ---- physical memory ---- */

/* Physical addresses start above 0 like a real machine's RAM would, so a
 * stray "pa 0" is never inside the arena. */
#define ARENA_PA 0x100000ULL

static unsigned char *arena;
static uint64_t arena_bytes;

uint64_t hal_test_mem_init(uint64_t bytes)
{
	free(arena);
	arena = aligned_alloc(4096, bytes);
	if (!arena) {
		fprintf(stderr, "hal_test: no memory for a %llu byte arena\n",
			(unsigned long long)bytes);
		abort();
	}
	/* Garbage, not zeros: the core must zero what it hands out. */
	memset(arena, 0xa5, bytes);
	arena_bytes = bytes;
	return ARENA_PA;
}

void *hal_phys_to_virt(uint64_t pa)
{
	if (!arena || pa < ARENA_PA || pa - ARENA_PA >= arena_bytes) {
		fprintf(stderr,
			"hal_test: phys_to_virt(%#llx) is outside the arena\n",
			(unsigned long long)pa);
		abort();
	}
	return arena + (pa - ARENA_PA);
}

/* ---- logging and halt ---- */

static char *log_buf;
static size_t log_len, log_cap;
static int halt_status = -1;
static jmp_buf halt_jmp;
static bool halt_armed;
static bool log_echo = true;
static size_t con_out_max; /* console and log cap; 0: keep everything */
static bool abort_on_panic;
static bool panic_seen;

static void buf_append(char **buf, size_t *len, size_t *cap, const void *p,
		       size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 4096;

		while (ncap < *len + n + 1)
			ncap *= 2;
		*buf = realloc(*buf, ncap);
		if (!*buf)
			abort();
		*cap = ncap;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

void hal_log(const char *msg, size_t len)
{
	static const char panic_prefix[] = "ember: panic: ";

	if (len >= sizeof(panic_prefix) - 1 &&
	    memcmp(msg, panic_prefix, sizeof(panic_prefix) - 1) == 0)
		panic_seen = true;
	if (log_echo || panic_seen)
		fprintf(stderr, "%.*s\n", (int)len, msg);
	/* The console cap bounds the log too (fuzzers). */
	if (con_out_max && log_len + len + 1 > con_out_max)
		return;
	buf_append(&log_buf, &log_len, &log_cap, msg, len);
	buf_append(&log_buf, &log_len, &log_cap, "\n", 1);
}

const char *hal_test_log_out(size_t *len)
{
	if (len)
		*len = log_len;
	return log_buf ? log_buf : "";
}

jmp_buf *hal_test_arm_halt(void)
{
	halt_armed = true;
	halt_status = -1;
	return &halt_jmp;
}

void hal_halt(int status)
{
	/* A fuzzer wants the panic as a crash, with the stack that led to
	 * it, not as a clean power-off. */
	if (abort_on_panic && panic_seen) {
		fflush(stderr);
		abort();
	}
	halt_status = status;
	if (halt_armed) {
		halt_armed = false;
		longjmp(halt_jmp, 1);
	}
	fflush(stderr);
	exit(status);
}

int hal_test_halt_status(void)
{
	return halt_status;
}

bool hal_symbolize(uintptr_t addr, char *buf, size_t len)
{
	return false;
}

/* ---- address spaces ---- */

/* Every live address space and thread is on a list, so that
 * hal_test_reset can free what a dropped kernel still held. */
struct hal_as {
	int id;
	struct hal_as *prev, *next;
};

static struct hal_as *as_head;
static unsigned long as_calls;
static unsigned long as_map_calls;
static long as_live;
static int as_next_id = 1;
static struct hal_test_as_call last_call;

struct hal_as *hal_as_create(void)
{
	struct hal_as *as = malloc(sizeof(*as));

	if (!as)
		return NULL;
	as->id = as_next_id++;
	as->prev = NULL;
	as->next = as_head;
	if (as_head)
		as_head->prev = as;
	as_head = as;
	as_live++;
	return as;
}

void hal_as_destroy(struct hal_as *as)
{
	if (!as)
		return;
	if (as->prev)
		as->prev->next = as->next;
	else
		as_head = as->next;
	if (as->next)
		as->next->prev = as->prev;
	as_live--;
	free(as);
}

static void record(int op, uint64_t va, uint64_t pa, size_t npages,
		   unsigned prot)
{
	as_calls++;
	last_call.op = op;
	last_call.va = va;
	last_call.pa = pa;
	last_call.npages = npages;
	last_call.prot = prot;
}

static void check_range(const char *who, uint64_t va, size_t npages)
{
	if ((va & 4095) || va < HAL_USER_VA_START || npages == 0 ||
	    npages > (HAL_USER_VA_END - va) / 4096) {
		fprintf(stderr,
			"hal_test: %s(%#llx, %zu pages) is a bad range\n", who,
			(unsigned long long)va, npages);
		abort();
	}
}

int hal_as_map(struct hal_as *as, uint64_t va, uint64_t pa, size_t npages,
	       unsigned prot)
{
	check_range("hal_as_map", va, npages);
	/* Every frame of the run must be in the arena. */
	hal_phys_to_virt(pa);
	hal_phys_to_virt(pa + (npages - 1) * 4096);
	as_map_calls++;
	record(HAL_TEST_AS_MAP, va, pa, npages, prot);
	return 0;
}

int hal_as_unmap(struct hal_as *as, uint64_t va, size_t npages)
{
	check_range("hal_as_unmap", va, npages);
	record(HAL_TEST_AS_UNMAP, va, 0, npages, 0);
	return 0;
}

int hal_as_protect(struct hal_as *as, uint64_t va, size_t npages, unsigned prot)
{
	check_range("hal_as_protect", va, npages);
	record(HAL_TEST_AS_PROTECT, va, 0, npages, prot);
	return 0;
}

unsigned long hal_test_map_calls(void)
{
	return as_calls;
}

unsigned long hal_test_as_map_calls(void)
{
	return as_map_calls;
}

long hal_test_as_live(void)
{
	return as_live;
}

void hal_test_last_as_call(struct hal_test_as_call *c)
{
	*c = last_call;
}

/* ---- threads ---- */

struct hal_thread {
	struct hal_as *as;
	struct hal_uctx *uctx;
	bool running;
	struct hal_thread *prev, *next;
};

static struct hal_thread *thread_head;
static unsigned long thread_starts;
static struct hal_uctx *last_started;

struct hal_thread *hal_thread_create(struct hal_as *as, struct hal_uctx *uctx)
{
	struct hal_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->as = as;
	t->uctx = uctx;
	t->next = thread_head;
	if (thread_head)
		thread_head->prev = t;
	thread_head = t;
	return t;
}

void hal_thread_destroy(struct hal_thread *t)
{
	if (!t)
		return;
	if (last_started && last_started == t->uctx)
		last_started = NULL;
	if (t->prev)
		t->prev->next = t->next;
	else
		thread_head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

void hal_uctx_start(struct hal_thread *t)
{
	/* Nothing runs in user mode here: the thread just counts as started
	 * until the test plays the next trap with kern_trap(). */
	t->running = true;
	thread_starts++;
	last_started = t->uctx;
}

void hal_thread_interrupt(struct hal_thread *t)
{
	(void)t; /* test threads never run: nothing to interrupt */
}

int hal_uctx_fpu_sync(struct hal_thread *t)
{
	memset(t->uctx->fpu, 0, sizeof(t->uctx->fpu));
	/* FCW and MXCSR as a fresh process has them. */
	t->uctx->fpu[0] = 0x7f;
	t->uctx->fpu[1] = 0x03;
	t->uctx->fpu[24] = 0x80;
	t->uctx->fpu[25] = 0x1f;
	t->uctx->fpu_valid = true;
	return 0;
}

unsigned long hal_test_thread_starts(void)
{
	return thread_starts;
}

struct hal_uctx *hal_test_last_started(void)
{
	return last_started;
}

/* ---- time ---- */

/* Boot at one second of uptime on 2023-11-14 (any fixed date will do). */
#define BOOT_MONO_NS 1000000000ULL
#define BOOT_REAL_NS (1700000000ULL * 1000000000ULL)
static uint64_t mono_ns = BOOT_MONO_NS;
static uint64_t real_ns = BOOT_REAL_NS;
static uint64_t timer_deadline;

uint64_t hal_clock_monotonic_ns(void)
{
	return mono_ns;
}

uint64_t hal_clock_realtime_ns(void)
{
	return real_ns;
}

void hal_timer_set(uint64_t deadline_ns)
{
	/* Even a past deadline fires only from hal_test_advance_ns: the
	 * core must never be re-entered from inside one of its calls. */
	timer_deadline = deadline_ns;
}

uint64_t hal_test_timer_deadline(void)
{
	return timer_deadline;
}

void hal_test_advance_ns(uint64_t ns)
{
	mono_ns += ns;
	real_ns += ns;
	if (timer_deadline && timer_deadline <= mono_ns) {
		timer_deadline = 0;
		if (kern_timer_event)
			kern_timer_event();
	}
}

/* ---- console ---- */

static char *con_out;
static size_t con_out_len, con_out_cap;
static unsigned char *con_in;
static size_t con_in_len, con_in_pos, con_in_cap;
static bool con_in_eof, con_poll_armed, con_tty;

long hal_console_write(int stream, const void *buf, size_t len)
{
	if (stream != HAL_CON_OUT && stream != HAL_CON_ERR)
		return -EIO;
	if (con_out_max && con_out_len + len > con_out_max) {
		/* Past the cap the bytes are accepted and dropped. */
		size_t keep = con_out_max > con_out_len ?
				      con_out_max - con_out_len :
				      0;

		buf_append(&con_out, &con_out_len, &con_out_cap, buf, keep);
		return (long)len;
	}
	buf_append(&con_out, &con_out_len, &con_out_cap, buf, len);
	return (long)len;
}

const char *hal_test_console_out(size_t *len)
{
	if (len)
		*len = con_out_len;
	return con_out ? con_out : "";
}

long hal_console_read(void *buf, size_t len)
{
	size_t avail = con_in_len - con_in_pos;

	if (avail == 0)
		return con_in_eof ? 0 : -EAGAIN;
	if (len > avail)
		len = avail;
	memcpy(buf, con_in + con_in_pos, len);
	con_in_pos += len;
	return (long)len;
}

void hal_console_poll(void)
{
	con_poll_armed = true;
}

static void console_notify(void)
{
	if (con_poll_armed) {
		con_poll_armed = false;
		if (kern_console_event)
			kern_console_event();
	}
}

void hal_test_console_feed(const void *buf, size_t len)
{
	if (con_in_len + len > con_in_cap) {
		size_t ncap = con_in_cap ? con_in_cap * 2 : 4096;

		while (ncap < con_in_len + len)
			ncap *= 2;
		con_in = realloc(con_in, ncap);
		if (!con_in)
			abort();
		con_in_cap = ncap;
	}
	memcpy(con_in + con_in_len, buf, len);
	con_in_len += len;
	console_notify();
}

void hal_test_console_eof(void)
{
	con_in_eof = true;
	console_notify();
}

void hal_test_console_set_tty(bool tty)
{
	con_tty = tty;
}

bool hal_console_isatty(int stream)
{
	return con_tty;
}

static unsigned short con_rows = 24, con_cols = 80;
static bool con_raw;

int hal_console_winsize(unsigned short *rows, unsigned short *cols)
{
	if (!con_tty)
		return -ENOTTY;
	*rows = con_rows;
	*cols = con_cols;
	return 0;
}

int hal_console_set_raw(bool on)
{
	if (!con_tty)
		return -ENOTTY;
	con_raw = on;
	return 0;
}

int hal_console_termios(uint32_t flags[4], uint8_t cc[17])
{
	/* Tests see Linux's default settings. */
	return -ENOTTY;
}

bool hal_test_console_raw(void)
{
	return con_raw;
}

void hal_test_console_set_winsize(unsigned short rows, unsigned short cols)
{
	con_rows = rows;
	con_cols = cols;
}

/* ---- entropy ---- */

/* xorshift64* from a fixed seed: tests are reproducible. */
#define PRNG_SEED 0x9e3779b97f4a7c15ULL
static uint64_t prng_state = PRNG_SEED;

void hal_entropy(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		uint64_t x = prng_state;
		size_t n = len < 8 ? len : 8;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		prng_state = x;
		x *= 0x2545f4914f6cdd1dULL;
		memcpy(p, &x, n);
		p += n;
		len -= n;
	}
}

/* ---- host files: the test HAL has no host tree ---- */

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

/* ---- reset, for fuzzers ---- */

void hal_test_set_log_echo(bool echo)
{
	log_echo = echo;
}

void hal_test_set_abort_on_panic(bool on)
{
	abort_on_panic = on;
}

void hal_test_set_console_cap(size_t bytes)
{
	con_out_max = bytes;
}

void hal_test_reset(void)
{
	while (thread_head)
		hal_thread_destroy(thread_head);
	while (as_head)
		hal_as_destroy(as_head);
	as_calls = as_map_calls = 0;
	as_live = 0;
	as_next_id = 1;
	memset(&last_call, 0, sizeof(last_call));
	thread_starts = 0;
	last_started = NULL;

	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
	halt_status = -1;
	halt_armed = false;
	panic_seen = false;

	mono_ns = BOOT_MONO_NS;
	real_ns = BOOT_REAL_NS;
	timer_deadline = 0;

	con_out_len = 0;
	if (con_out)
		con_out[0] = '\0';
	con_in_len = con_in_pos = 0;
	con_in_eof = con_poll_armed = con_tty = false;
	con_raw = false;
	con_rows = 24;
	con_cols = 80;

	prng_state = PRNG_SEED;
	hal_test_disks_reset();

	/* Handing the pages back costs only what was touched; they read as
	 * zeros afterwards. */
	if (arena && madvise(arena, arena_bytes, MADV_DONTNEED) != 0)
		memset(arena, 0, arena_bytes);
}

/* ---- disks: memory images (hal_test_disk_add) ---- */

#define TEST_DISKS 8
static struct {
	uint8_t *data;
	size_t bytes;
	bool read_only;
	unsigned long flushes, writes;
} test_disks[TEST_DISKS];
static int test_ndisks;

int hal_test_disk_add(const void *image, size_t bytes, bool read_only)
{
	uint8_t *copy;

	if (test_ndisks == TEST_DISKS)
		return -1;
	/* Whole sectors only, as a real disk; a short tail reads as zeros. */
	copy = calloc(1, (bytes + HAL_BLK_SECTOR - 1) / HAL_BLK_SECTOR *
				 HAL_BLK_SECTOR + 1);
	if (!copy)
		return -1;
	if (image)
		memcpy(copy, image, bytes);
	test_disks[test_ndisks].data = copy;
	test_disks[test_ndisks].bytes =
		(bytes + HAL_BLK_SECTOR - 1) / HAL_BLK_SECTOR * HAL_BLK_SECTOR;
	test_disks[test_ndisks].read_only = read_only;
	test_disks[test_ndisks].flushes = test_disks[test_ndisks].writes = 0;
	return test_ndisks++;
}

void *hal_test_disk_data(int disk, size_t *bytes)
{
	if (disk < 0 || disk >= test_ndisks)
		return NULL;
	if (bytes)
		*bytes = test_disks[disk].bytes;
	return test_disks[disk].data;
}

unsigned long hal_test_disk_flushes(int disk)
{
	return disk >= 0 && disk < test_ndisks ? test_disks[disk].flushes : 0;
}

void hal_test_disks_reset(void)
{
	for (int i = 0; i < test_ndisks; i++)
		free(test_disks[i].data);
	memset(test_disks, 0, sizeof(test_disks));
	test_ndisks = 0;
}

int hal_blk_count(void)
{
	return test_ndisks;
}

int hal_blk_info(int disk, uint64_t *sectors, bool *read_only)
{
	if (disk < 0 || disk >= test_ndisks)
		return -ENODEV;
	*sectors = test_disks[disk].bytes / HAL_BLK_SECTOR;
	*read_only = test_disks[disk].read_only;
	return 0;
}

static int disk_range(int disk, uint64_t sector, size_t count)
{
	uint64_t n;

	if (disk < 0 || disk >= test_ndisks)
		return -ENODEV;
	n = test_disks[disk].bytes / HAL_BLK_SECTOR;
	if (sector > n || count > n - sector)
		return -EINVAL;
	return 0;
}

int hal_blk_read(int disk, uint64_t sector, void *buf, size_t count)
{
	int err = disk_range(disk, sector, count);

	if (err)
		return err;
	memcpy(buf, test_disks[disk].data + sector * HAL_BLK_SECTOR,
	       count * HAL_BLK_SECTOR);
	return 0;
}

int hal_blk_write(int disk, uint64_t sector, const void *buf, size_t count)
{
	int err = disk_range(disk, sector, count);

	if (err)
		return err;
	if (test_disks[disk].read_only)
		return -EROFS;
	memcpy(test_disks[disk].data + sector * HAL_BLK_SECTOR, buf,
	       count * HAL_BLK_SECTOR);
	test_disks[disk].writes++;
	return 0;
}

int hal_blk_flush(int disk)
{
	if (disk < 0 || disk >= test_ndisks)
		return -ENODEV;
	test_disks[disk].flushes++;
	return 0;
}

int hal_net_count(void)
{
	return 0;
}

int hal_net_info(int nic, uint8_t mac[6], unsigned *mtu)
{
	(void)nic, (void)mac, (void)mtu;
	return -ENODEV;
}

int hal_net_send(int nic, const void *frame, size_t len)
{
	(void)nic, (void)frame, (void)len;
	return -ENODEV;
}

long hal_net_recv(int nic, void *buf, size_t len)
{
	(void)nic, (void)buf, (void)len;
	return -ENODEV;
}
