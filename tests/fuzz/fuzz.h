/*
 * fuzz.h: what the libFuzzer harnesses share (tests/fuzz/fuzz_kernel.c):
 * a fresh kernel per input on the test HAL, and the reset that makes the
 * next input start from exactly the same state, so that every crash
 * reproduces from its input file alone.
 *
 * The reset does not rely on each subsystem's init function: the core is
 * compiled for the fuzzers with every writable global in two sections of
 * its own (fuzz_sections.h), which fuzz_init() snapshots at start-up and
 * fuzz_reset() copies back; the heap (fuzz_kmalloc.c) and the test HAL's
 * objects are freed, and the frame arena is zeroed.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct thread;
struct task;

/* The frame arena every input gets (8192 frames). */
#define FUZZ_MEM_BYTES (32ULL << 20)

/* Once per process, before the first boot (LLVMFuzzerInitialize). */
void fuzz_init(void);

struct fuzz_boot_opts {
	const void *initramfs; /* cpio archive unpacked into the root, or NULL */
	size_t initramfs_len;
	bool strace; /* print every syscall (the strace code is fuzzed too) */
	bool console_tty; /* the console claims to be a terminal */
};

/*
 * Boots a fresh kernel (after fuzz_init or fuzz_reset): frames over the zeroed arena, the VFS (tmpfs root
 * with /dev, /proc, /sys, /tmp), then an init task (pid 1) whose single
 * thread is `current` and running, with an empty mm, fds 0-2 on the
 * console and cwd "/". Returns 0, or vfs_init's error (then there is no
 * init task), or -ENOMEM. Call fuzz_reset() when done with it.
 */
int fuzz_boot(const struct fuzz_boot_opts *opts);

/* Drops the whole kernel: heap, HAL objects, globals, arena. */
void fuzz_reset(void);

/* With FUZZ_LEAKS=1 in the environment: asks LeakSanitizer whether some
 * kernel allocation became unreachable (a kernel leak); aborts if so.
 * Call before fuzz_reset(). Costly: off by default. */
void fuzz_check_leaks(void);

/* Arms hal_halt (init's exit, kern_host_signal) to come back to this
 * point: FUZZ_RUN(code) runs code and returns true when it finished,
 * false when the kernel halted during it. */
#define FUZZ_RUN(code)                                                         \
	({                                                                     \
		bool fuzz_done_ = false;                                       \
		if (setjmp(*hal_test_arm_halt()) == 0) {                       \
			code;                                                  \
			fuzz_done_ = true;                                     \
		}                                                              \
		fuzz_done_;                                                    \
	})
jmp_buf *hal_test_arm_halt(void);

/* Creates a file in the booted kernel's VFS (as current, or before any
 * task as the boot code does). Returns 0 or -errno. */
int fuzz_write_file(const char *path, const void *data, size_t len,
		    unsigned mode);

/* A fresh task, child of init, with its own empty mm, a copy of init's
 * fds and fs context, and one thread; NULL when out of memory. */
struct thread *fuzz_new_task(void);

/* Ends a task made by fuzz_new_task (or any non-init task) and reaps it
 * through init's wait4, so that everything it held is freed. */
void fuzz_end_task(struct thread *t);

/* Frees every live allocation of fuzz_kmalloc.c (absent when the fuzz
 * build uses the core's own heap, FUZZ_REAL_KMALLOC: that heap lives in
 * the arena, which the reset drops anyway). */
void fuzz_kmalloc_free_all(void) __attribute__((weak));

/* Aborts with a message on stderr (a finding: libFuzzer saves the input). */
__attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(const char *fmt,
							       ...);

#endif
