/*
 * ktest.c: boot helpers for the unit tests (layer: test glue; hosted C
 * linked with the core and hal_test.c). They boot the real core on the
 * test HAL: frames and heap, then the VFS and an init task whose thread
 * is `current`, and they reach user memory only through the core's own
 * vm_read/vm_write and syscalls only through syscall_invoke.
 */
#include <string.h>

#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/vfs.h>
#include <kern/vm.h>

#include "ktest.h"

#define KTEST_MEM_BYTES (64ULL << 20)

static uint64_t mem_start;

void ktest_boot_mem(void)
{
	mem_start = hal_test_mem_init(KTEST_MEM_BYTES);
	pmm_init(mem_start, KTEST_MEM_BYTES);
}

void ktest_boot(void)
{
	struct boot_info bi;
	struct task *task;
	struct thread *t;
	int err;

	ktest_boot_mem();
	memset(&bi, 0, sizeof(bi));
	bi.mem_start = mem_start;
	bi.mem_bytes = KTEST_MEM_BYTES;
	bi.cmdline = "";
	bi.root_is_hostfs = false;
	bi.init_cwd = "/";

	err = vfs_init(&bi);
	ck_assert_msg(err == 0, "vfs_init: %d", err);

	task = task_create(NULL);
	ck_assert_msg(task != NULL, "task_create failed");
	/* The thread's HAL context lives in the task's address space, so the
	 * mm comes first. */
	task->mm = mm_create();
	ck_assert_msg(task->mm != NULL, "mm_create failed");
	t = thread_create(task);
	ck_assert_msg(t != NULL, "thread_create failed");
	current = t;

	task->fs = fs_ctx_init("/");
	ck_assert_msg(!IS_ERR_OR_NULL(task->fs), "fs_ctx_init failed");
	task->files = files_create();
	ck_assert_msg(!IS_ERR_OR_NULL(task->files), "files_create failed");
	err = console_open_stdio();
	ck_assert_msg(err == 0, "console_open_stdio: %d", err);
}

static struct mm *cur_mm(void)
{
	ck_assert_msg(current && current->task && current->task->mm,
		      "no current mm: call ktest_boot() first");
	return current->task->mm;
}

uint64_t ktest_umap(size_t len, unsigned prot)
{
	struct mm *mm = cur_mm();
	size_t plen = PAGE_UP(len ? len : 1);
	uaddr_t addr = vm_find_free(mm, plen, 0);
	int err;

	ck_assert_msg(addr != 0, "vm_find_free(%zu) found no room", plen);
	err = vm_map(mm, addr, plen, prot, 0, NULL);
	ck_assert_msg(err == 0, "vm_map: %d", err);
	return addr;
}

void ktest_put(uint64_t uaddr, const void *src, size_t n)
{
	/* force: tests fill read-only pages too, as the ELF loader does. */
	int err = vm_write(cur_mm(), uaddr, src, n, true);

	ck_assert_msg(err == 0, "ktest_put(%#lx, %zu): %d",
		      (unsigned long)uaddr, n, err);
}

void ktest_get(void *dst, uint64_t uaddr, size_t n)
{
	int err = vm_read(cur_mm(), dst, uaddr, n);

	ck_assert_msg(err == 0, "ktest_get(%#lx, %zu): %d",
		      (unsigned long)uaddr, n, err);
}

uint64_t ktest_ustr(const char *s)
{
	size_t n = strlen(s) + 1;
	uint64_t u = ktest_umap(n, VM_READ | VM_WRITE);

	ktest_put(u, s, n);
	return u;
}

long ktest_sys(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
	       uint64_t a4, uint64_t a5)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	long ret = syscall_invoke(nr, args);

	/* As a kern_* entry point would: re-run what the call woke. */
	sched_run_pending();
	return ret;
}
