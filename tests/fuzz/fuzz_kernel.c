/*
 * fuzz_kernel.c: one fresh kernel per fuzz input (layer: test glue; hosted
 * C linked with the fuzz build of the core, fuzz_kmalloc.c and the test
 * HAL tests/unit/hal_test.c). Boots the real core the way kmain and
 * ktest_boot do, and resets it between inputs: the core's writable
 * globals are copied back from a snapshot taken at start-up (they live in
 * the sections ember_data and ember_bss, see fuzz_sections.h), the heap
 * and the HAL's objects are freed and the frame arena is zeroed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/timer.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/wait.h>

#include "fuzz.h"
#include "ktest.h"

/* Linker-made bounds of the core's writable globals (weak: a core with
 * no initialised data at all would leave one of them undefined). */
extern unsigned char __start_ember_data[] __attribute__((weak));
extern unsigned char __stop_ember_data[] __attribute__((weak));
extern unsigned char __start_ember_bss[] __attribute__((weak));
extern unsigned char __stop_ember_bss[] __attribute__((weak));

/* LeakSanitizer's entry point, present in ASan builds. */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static unsigned char *data_snapshot;
static size_t data_len, bss_len;
static uint64_t mem_start;
static bool leak_checks;
static bool initialised;

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("\n==FUZZ FINDING== ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* The sections hold ASan redzones between the globals: copied as plain
 * bytes here, without the checks an instrumented memcpy would make. */
__attribute__((no_sanitize("address"))) static void
raw_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
	volatile unsigned char *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = src ? src[i] : 0;
}

void fuzz_init(void)
{
	if (initialised)
		return;
	initialised = true;
	if (__start_ember_data && __stop_ember_data)
		data_len = (size_t)(__stop_ember_data - __start_ember_data);
	if (__start_ember_bss && __stop_ember_bss)
		bss_len = (size_t)(__stop_ember_bss - __start_ember_bss);
	if (data_len == 0 && bss_len == 0)
		fuzz_fail("the core has no ember_data/ember_bss sections: "
			  "built without fuzz_sections.h?");
	data_snapshot = malloc(data_len ? data_len : 1);
	if (!data_snapshot)
		abort();
	/* Nothing of the core has run yet: these are the load-time values. */
	raw_copy(data_snapshot, __start_ember_data, data_len);
	mem_start = hal_test_mem_init(FUZZ_MEM_BYTES);
	hal_test_set_log_echo(getenv("FUZZ_LOG") != NULL);
	hal_test_set_abort_on_panic(true);
	/* A program may write gigabytes to its console. */
	hal_test_set_console_cap(1 << 20);
	leak_checks = getenv("FUZZ_LEAKS") && atoi(getenv("FUZZ_LEAKS"));
	/* The arena as every input will find it (zeroed). */
	fuzz_reset();
}

void fuzz_reset(void)
{
	hal_test_reset();
	if (fuzz_kmalloc_free_all)
		fuzz_kmalloc_free_all();
	if (data_len)
		raw_copy(__start_ember_data, data_snapshot, data_len);
	if (bss_len)
		raw_copy(__start_ember_bss, NULL, bss_len);
}

void fuzz_check_leaks(void)
{
	if (!leak_checks || !__lsan_do_recoverable_leak_check)
		return;
	if (__lsan_do_recoverable_leak_check())
		fuzz_fail("kernel allocations unreachable at the end of the "
			  "input (LeakSanitizer report above)");
}

int fuzz_boot(const struct fuzz_boot_opts *o)
{
	struct boot_info bi;
	struct task *task;
	struct thread *t;
	int err;

	/* Every printk formats its line (the format code is fuzzed too);
	 * hal_log keeps them in memory. */
	printk_level = LOG_DEBUG;
	hal_test_console_set_tty(o && o->console_tty);
	timer_init();
	pmm_init(mem_start, FUZZ_MEM_BYTES);

	memset(&bi, 0, sizeof(bi));
	bi.mem_start = mem_start;
	bi.mem_bytes = FUZZ_MEM_BYTES;
	bi.cmdline = "";
	bi.init_cwd = "/";
	if (o && o->initramfs) {
		bi.initramfs = o->initramfs;
		bi.initramfs_len = o->initramfs_len;
	}
	err = vfs_init(&bi);
	if (err)
		return err;
	strace_enabled = o && o->strace;

	task = task_create(NULL);
	if (!task)
		return -ENOMEM;
	task->mm = mm_create();
	if (!task->mm)
		return -ENOMEM;
	t = thread_create(task);
	if (!t)
		return -ENOMEM;
	current = t;
	task->fs = fs_ctx_init("/");
	if (IS_ERR_OR_NULL(task->fs)) {
		task->fs = NULL;
		return -ENOMEM;
	}
	task->files = files_create();
	if (IS_ERR_OR_NULL(task->files)) {
		task->files = NULL;
		return -ENOMEM;
	}
	err = console_open_stdio();
	if (err)
		return err;
	/* As if it had just made a syscall: user segments, interrupts on. */
	t->uctx.cs = 0x33;
	t->uctx.ss = 0x2b;
	t->uctx.rflags = 0x202;
	sched_run(t);
	return 0;
}

int fuzz_write_file(const char *path, const void *data, size_t len,
		    unsigned mode)
{
	struct file *f =
		vfs_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	long n = 0;

	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	if (len)
		n = vfs_write(f, data, len);
	file_put(f);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

/* Init reaps every zombie child through the real wait4. */
static void reap_zombies(void)
{
	struct task *init = task_find(1);
	uint64_t args[6] = { (uint64_t)-1, 0, WNOHANG | __WALL, 0, 0, 0 };

	if (!init || list_empty(&init->threads))
		return;
	current = list_first_entry(&init->threads, struct thread, task_link);
	for (int i = 0; i < 64; i++) {
		if (syscall_invoke(SYS_wait4, args) <= 0)
			break;
	}
	proc_reap_threads();
}

struct thread *fuzz_new_task(void)
{
	struct task *init = task_find(1);
	struct task *task;
	struct thread *t = NULL;

	if (!init)
		return NULL;
	task = task_create(init);
	if (!task)
		return NULL;
	task->mm = mm_create();
	if (task->mm)
		t = thread_create(task);
	if (t) {
		task->fs = fs_ctx_clone(init->fs);
		if (IS_ERR(task->fs))
			task->fs = NULL;
		task->files = files_clone(init->files);
		if (IS_ERR(task->files))
			task->files = NULL;
	}
	if (!t || !task->fs || !task->files) {
		task_exit(task, 0);
		reap_zombies();
		return NULL;
	}
	t->uctx.cs = 0x33;
	t->uctx.ss = 0x2b;
	t->uctx.rflags = 0x202;
	return t;
}

void fuzz_end_task(struct thread *t)
{
	if (!t)
		return;
	if (t->task->state == TASK_ALIVE)
		task_exit(t->task, 0);
	reap_zombies();
}
