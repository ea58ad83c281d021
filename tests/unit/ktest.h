/*
 * ktest: glue for the Check unit tests. A test file registers its suite
 * with KTEST_SUITE and boots a fresh kernel in each test (Check forks every
 * test, so kernel globals start clean) with the helpers below, which run
 * the real core on the test HAL (hal_test.c: memory in plain frames).
 */
#ifndef KTEST_H
#define KTEST_H

#include <check.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hal_uctx;

typedef Suite *(*ktest_suite_fn)(void);
void ktest_register(ktest_suite_fn fn, const char *name);

/* Defines a suite builder and registers it before main() runs:
 *	KTEST_SUITE(pmm_suite) { Suite *s = suite_create("pmm"); ...; return s; } */
#define KTEST_SUITE(fn)                                                        \
	static Suite *fn(void);                                                \
	__attribute__((constructor)) static void fn##_register(void)          \
	{                                                                      \
		ktest_register(fn, #fn);                                          \
	}                                                                      \
	static Suite *fn(void)

/* --- boot helpers (tests/unit/ktest.c) --- */

/* Frames and heap only: pmm over a fresh 64 MiB arena, kmalloc. */
void ktest_boot_mem(void);
/* Everything a syscall needs: memory, the VFS (tmpfs root with /dev, /proc,
 * /tmp), and an init task whose thread is `current`, with an empty mm, an
 * fd table (0, 1, 2 on the test console) and cwd "/". */
void ktest_boot(void);
/* Maps len bytes of anonymous user memory with prot (VM_*) in current's mm
 * and returns its address. */
uint64_t ktest_umap(size_t len, unsigned prot);
/* Copies n bytes to/from current's user memory; fails the test on error. */
void ktest_put(uint64_t uaddr, const void *src, size_t n);
void ktest_get(void *dst, uint64_t uaddr, size_t n);
/* A NUL-terminated string placed in user memory; returns its address. */
uint64_t ktest_ustr(const char *s);
/* Calls syscall nr for current through the dispatcher. */
long ktest_sys(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
	       uint64_t a4, uint64_t a5);
#define ksys0(nr) ktest_sys(nr, 0, 0, 0, 0, 0, 0)
#define ksys1(nr, a) ktest_sys(nr, (uint64_t)(a), 0, 0, 0, 0, 0)
#define ksys2(nr, a, b) ktest_sys(nr, (uint64_t)(a), (uint64_t)(b), 0, 0, 0, 0)
#define ksys3(nr, a, b, c)                                                     \
	ktest_sys(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0, 0)
#define ksys4(nr, a, b, c, d)                                                  \
	ktest_sys(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c),             \
		  (uint64_t)(d), 0, 0)
#define ksys6(nr, a, b, c, d, e, f)                                            \
	ktest_sys(nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c),             \
		  (uint64_t)(d), (uint64_t)(e), (uint64_t)(f))

/* --- the test HAL's observable state (hal_test.c) --- */

/* Everything written to the console streams OUT and ERR so far. */
const char *hal_test_console_out(size_t *len);
/* Queues bytes as console input (then kern_console_event may be called). */
void hal_test_console_feed(const void *buf, size_t len);
/* Advances the fake monotonic and real-time clocks. */
void hal_test_advance_ns(uint64_t ns);
/* Number of hal_as_map/unmap/protect calls so far (mirroring checks). */
unsigned long hal_test_map_calls(void);
/* Exit status given to hal_halt, or -1 (hal_halt longjmps back to the test
 * that armed hal_test_expect_halt). */
int hal_test_halt_status(void);

/* Arms hal_halt to longjmp back here instead of exiting the test process:
 *	if (hal_test_expect_halt())
 *		ck_assert_int_eq(hal_test_halt_status(), 125);
 *	else
 *		panic("boom");
 * (setjmp's rules apply: locals changed after arming must be volatile.) */
jmp_buf *hal_test_arm_halt(void);
#define hal_test_expect_halt() (setjmp(*hal_test_arm_halt()) != 0)

/* Gives the test HAL a fresh arena of bytes of "physical memory" and
 * returns its first physical address (ktest_boot_mem uses it). */
uint64_t hal_test_mem_init(uint64_t bytes);
/* Every kernel log line so far (hal_log also copies them to stderr). */
const char *hal_test_log_out(size_t *len);

/* The last hal_as_map/unmap/protect call, for mirroring checks. */
enum { HAL_TEST_AS_MAP = 1, HAL_TEST_AS_UNMAP, HAL_TEST_AS_PROTECT };
struct hal_test_as_call {
	int op; /* HAL_TEST_AS_* */
	uint64_t va, pa;
	size_t npages;
	unsigned prot;
};
void hal_test_last_as_call(struct hal_test_as_call *c);
/* hal_as_map calls alone, and address spaces created but not destroyed. */
unsigned long hal_test_as_map_calls(void);
long hal_test_as_live(void);

/* Thread starts (hal_uctx_start) so far, and the uctx started last. */
unsigned long hal_test_thread_starts(void);
struct hal_uctx *hal_test_last_started(void);

/* The armed timer deadline (0: none). hal_test_advance_ns calls
 * kern_timer_event once the fake clock reaches it (advance by 0 to fire a
 * deadline already past). */
uint64_t hal_test_timer_deadline(void);

/* Console input at its end (reads return 0), and whether the console is
 * a terminal (default: no). Feeding input or its end calls
 * kern_console_event when the core armed hal_console_poll. */
void hal_test_console_eof(void);
void hal_test_console_set_tty(bool tty);
/* Whether the core asked for raw mode (hal_console_set_raw), and the size
 * hal_console_winsize reports (default 24x80). */
bool hal_test_console_raw(void);
void hal_test_console_set_winsize(unsigned short rows, unsigned short cols);

/* Disks of the test HAL: hal_test_disk_add copies bytes of image (NULL:
 * zeros) into a new memory disk (rounded up to whole sectors) and
 * returns its number (the core's /dev/vda, vdb, ... when added before
 * the boot), or -1. hal_test_disk_data is its current contents;
 * hal_test_disk_flushes counts hal_blk_flush calls. hal_test_reset
 * removes every disk (hal_test_disks_reset). */
int hal_test_disk_add(const void *image, size_t bytes, bool read_only);
void *hal_test_disk_data(int disk, size_t *bytes);
unsigned long hal_test_disk_flushes(int disk);
void hal_test_disks_reset(void);

/* --- for fuzzers (tests/fuzz), which boot a kernel per input --- */

/* Puts the test HAL back to its state at program start: frees every
 * address space and thread still live, empties the console, the log and
 * the timer, rewinds the clocks and the entropy, and returns the arena's
 * pages to the host (they read as zeros afterwards; re-run pmm_init). */
void hal_test_reset(void);
/* Whether hal_log copies lines to stderr (default: yes). */
void hal_test_set_log_echo(bool echo);
/* With on, a core panic() aborts the process (a crash with a stack for
 * the fuzzer) instead of halting; the panic's log lines go to stderr. */
void hal_test_set_abort_on_panic(bool on);
/* Keeps at most bytes of console output and of the log (0, the
 * default: all of it); writes past the cap still succeed. */
void hal_test_set_console_cap(size_t bytes);

#endif
