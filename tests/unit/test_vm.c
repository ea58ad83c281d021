/*
 * test_vm.c: address spaces (layer: unit tests of src/mm; relies on the
 * test HAL's call counters). VMA split and merge, the free-gap search,
 * demand faults mapped in clusters, uaccess on bad pointers, the memory
 * syscalls through the dispatcher and copy-on-write after mm_fork.
 * Expected values come from mmap(2)/mprotect(2)/brk(2)/madvise(2).
 */
#include <string.h>

#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>

#include "ktest.h"

#define NR_mmap 9
#define NR_mprotect 10
#define NR_munmap 11
#define NR_brk 12
#define NR_madvise 28

#define P PAGE_SIZE
#define RW (VM_READ | VM_WRITE)

/* A minimal `current` whose task owns mm: enough for uaccess and the
 * memory syscalls, without the rest of the kernel. */
static struct task fake_task;
static struct thread fake_thread;

static struct mm *boot_mm(void)
{
	struct mm *mm;

	ktest_boot_mem();
	mm = mm_create();
	ck_assert_ptr_nonnull(mm);
	fake_task.mm = mm;
	fake_thread.task = &fake_task;
	current = &fake_thread;
	return mm;
}

static int count_vmas(struct mm *mm)
{
	struct vma *v;
	int n = 0;

	list_for_each_entry(v, &mm->vmas, link)
		n++;
	return n;
}

static void check_vma(struct mm *mm, uaddr_t addr, uaddr_t start, uaddr_t end,
		      unsigned prot)
{
	struct vma *v = vm_find_vma(mm, addr);

	ck_assert_msg(v != NULL, "no VMA at %#lx", (unsigned long)addr);
	ck_assert_uint_eq(v->start, start);
	ck_assert_uint_eq(v->end, end);
	ck_assert_uint_eq(v->prot, prot);
}

/* Everything an mm held goes back: frames, heap, HAL address space. */
static void check_all_freed(void)
{
	struct kmalloc_stats st;

	kmalloc_stats(&st);
	ck_assert_uint_eq(st.allocs_live, 0);
	ck_assert_uint_eq(pmm_free_frames(), pmm_total_frames());
	ck_assert_int_eq(hal_test_as_live(), 0);
}

/* ---- VMAs ---- */

START_TEST(munmap_middle_splits)
{
	struct mm *mm = boot_mm();
	uaddr_t a = 0x400000;

	ck_assert_int_eq(vm_map(mm, a, 16 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_write(mm, a, "x", 1, false), 0);
	ck_assert_int_eq(vm_write(mm, a + 7 * P, "y", 1, false), 0);
	ck_assert_int_eq(vm_unmap(mm, a + 6 * P, 4 * P), 0);
	ck_assert_int_eq(count_vmas(mm), 2);
	check_vma(mm, a, a, a + 6 * P, RW);
	check_vma(mm, a + 10 * P, a + 10 * P, a + 16 * P, RW);
	ck_assert_ptr_null(vm_find_vma(mm, a + 6 * P));
	ck_assert_ptr_null(vm_find_vma(mm, a + 10 * P - 1));
	/* The unmapped page's frame is gone; the kept one still holds data. */
	char c = 0;
	ck_assert_int_eq(vm_read(mm, &c, a + 7 * P, 1), -EFAULT);
	ck_assert_int_eq(vm_read(mm, &c, a, 1), 0);
	ck_assert_int_eq(c, 'x');
	ck_assert_int_eq(vm_unmap(mm, a + 1, P), -EINVAL);
	ck_assert_int_eq(vm_unmap(mm, a, 0), -EINVAL);
	mm_put(mm);
	check_all_freed();
}
END_TEST

START_TEST(mprotect_middle_splits_and_merges_back)
{
	struct mm *mm = boot_mm();
	uaddr_t a = 0x400000;

	ck_assert_int_eq(vm_map(mm, a, 16 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_protect(mm, a + 4 * P, 4 * P, VM_READ), 0);
	ck_assert_int_eq(count_vmas(mm), 3);
	check_vma(mm, a, a, a + 4 * P, RW);
	check_vma(mm, a + 4 * P, a + 4 * P, a + 8 * P, VM_READ);
	check_vma(mm, a + 8 * P, a + 8 * P, a + 16 * P, RW);
	ck_assert_int_eq(vm_protect(mm, a + 4 * P, 4 * P, RW), 0);
	ck_assert_int_eq(count_vmas(mm), 1);
	check_vma(mm, a, a, a + 16 * P, RW);
	/* A hole anywhere in the range: -ENOMEM and nothing changes. */
	ck_assert_int_eq(vm_protect(mm, a + 15 * P, 2 * P, VM_READ), -ENOMEM);
	check_vma(mm, a, a, a + 16 * P, RW);
	mm_put(mm);
	check_all_freed();
}
END_TEST

START_TEST(adjacent_maps_merge)
{
	struct mm *mm = boot_mm();
	uaddr_t a = 0x400000;

	ck_assert_int_eq(vm_map(mm, a, 4 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_map(mm, a + 4 * P, 4 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_map(mm, a - 2 * P, 2 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(count_vmas(mm), 1);
	check_vma(mm, a, a - 2 * P, a + 8 * P, RW);
	/* Different protection, flags or a file name: no merge. */
	ck_assert_int_eq(vm_map(mm, a + 8 * P, P, VM_READ, 0, NULL), 0);
	ck_assert_int_eq(vm_map(mm, a + 9 * P, P, RW, VMA_SHARED, NULL), 0);
	ck_assert_int_eq(vm_map(mm, a + 10 * P, P, RW, 0, "/bin/x"), 0);
	ck_assert_int_eq(vm_map(mm, a + 11 * P, P, RW, 0, "/bin/x"), 0);
	ck_assert_int_eq(count_vmas(mm), 5);
	ck_assert_str_eq(vm_find_vma(mm, a + 10 * P)->name, "/bin/x");
	/* Mapping over the middle of a VMA replaces that part. */
	ck_assert_int_eq(vm_map(mm, a, 2 * P, VM_READ, 0, NULL), 0);
	check_vma(mm, a - P, a - 2 * P, a, RW);
	check_vma(mm, a, a, a + 2 * P, VM_READ);
	check_vma(mm, a + 2 * P, a + 2 * P, a + 8 * P, RW);
	ck_assert_int_eq(vm_map(mm, a + 1, P, RW, 0, NULL), -EINVAL);
	ck_assert_int_eq(vm_map(mm, 0, P, RW, 0, NULL), -EINVAL);
	ck_assert_int_eq(vm_map(mm, HAL_USER_VA_END - P, 2 * P, RW, 0, NULL),
			 -EINVAL);
	mm_put(mm);
	check_all_freed();
}
END_TEST

START_TEST(find_free_top_down)
{
	struct mm *mm = boot_mm();
	uaddr_t top = mm->mmap_base, a, b;

	a = vm_find_free(mm, 3 * P, 0);
	ck_assert_uint_eq(a, top - 3 * P);
	ck_assert_int_eq(vm_map(mm, a, 3 * P, RW, 0, NULL), 0);
	b = vm_find_free(mm, 100, 0);
	ck_assert_uint_eq(b, a - P);
	/* A free hint is taken as it is (rounded up to a page). */
	ck_assert_uint_eq(vm_find_free(mm, P, 0x500000), 0x500000);
	ck_assert_uint_eq(vm_find_free(mm, P, 0x500001), 0x501000);
	/* A taken hint falls back to the top-down search. */
	ck_assert_uint_eq(vm_find_free(mm, P, a + P), a - P);
	/* A hole between two VMAs is used when it is big enough. */
	ck_assert_int_eq(vm_map(mm, a - 4 * P, 2 * P, RW, 0, NULL), 0);
	ck_assert_uint_eq(vm_find_free(mm, 2 * P, 0), a - 2 * P);
	ck_assert_uint_eq(vm_find_free(mm, 3 * P, 0), a - 7 * P);
	/* A VMA above mmap_base (the stack) does not matter. */
	ck_assert_int_eq(vm_map(mm, top + 16 * P, P, RW, 0, NULL), 0);
	ck_assert_uint_eq(vm_find_free(mm, P, 0), a - P);
	/* Nothing fits. */
	ck_assert_uint_eq(vm_find_free(mm, HAL_USER_VA_END, 0), 0);
	ck_assert_uint_eq(vm_find_free(mm, top, 0), 0);
	mm_put(mm);
}
END_TEST

/* ---- faults ---- */

START_TEST(demand_fault_maps_one_cluster)
{
	struct mm *mm = boot_mm();
	uaddr_t a = 0x1000000; /* 16-page aligned */
	struct hal_test_as_call call;
	unsigned long maps;
	uint64_t word = 0;

	ck_assert_int_eq(vm_map(mm, a, 64 * P, RW, 0, NULL), 0);
	ck_assert_uint_eq(mm->rss_pages, 0);
	maps = hal_test_as_map_calls();
	ck_assert_int_eq(vm_fault(mm, a + 5 * P + 3, HAL_ACC_WRITE), 0);
	ck_assert_uint_eq(hal_test_as_map_calls(), maps + 1);
	hal_test_last_as_call(&call);
	ck_assert_int_eq(call.op, HAL_TEST_AS_MAP);
	ck_assert_uint_eq(call.va, a);
	ck_assert_uint_eq(call.npages, 16);
	ck_assert_uint_eq(call.prot, RW);
	ck_assert_uint_eq(mm->rss_pages, 16);

	/* The next cluster. */
	ck_assert_int_eq(vm_fault(mm, a + 17 * P, HAL_ACC_READ), 0);
	ck_assert_uint_eq(hal_test_as_map_calls(), maps + 2);
	hal_test_last_as_call(&call);
	ck_assert_uint_eq(call.va, a + 16 * P);
	ck_assert_uint_eq(call.npages, 16);
	ck_assert_uint_eq(mm->rss_pages, 32);
	/* A hole inside a mapped cluster: only the missing page. */
	ck_assert_int_eq(vm_unmap(mm, a + 20 * P, P), 0);
	ck_assert_int_eq(vm_map(mm, a + 20 * P, P, RW, 0, NULL), 0);
	ck_assert_int_eq(count_vmas(mm), 1);
	ck_assert_int_eq(vm_fault(mm, a + 20 * P, HAL_ACC_WRITE), 0);
	hal_test_last_as_call(&call);
	ck_assert_uint_eq(call.va, a + 20 * P);
	ck_assert_uint_eq(call.npages, 1);
	ck_assert_uint_eq(mm->rss_pages, 32);

	/* Fresh pages read as zero even though the arena started dirty. */
	ck_assert_int_eq(vm_read(mm, &word, a + 30 * P + 8, 8), 0);
	ck_assert_uint_eq(word, 0);
	/* A cluster never reaches past its VMA. */
	ck_assert_int_eq(vm_map(mm, a + 64 * P, 2 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_fault(mm, a + 64 * P, HAL_ACC_READ), 0);
	hal_test_last_as_call(&call);
	ck_assert_uint_eq(call.va, a + 64 * P);
	ck_assert_uint_eq(call.npages, 2);
	mm_put(mm);
	check_all_freed();
}
END_TEST

START_TEST(fault_errors)
{
	struct mm *mm = boot_mm();
	uaddr_t a = 0x1000000;

	ck_assert_int_eq(vm_map(mm, a, 4 * P, VM_READ, 0, NULL), 0);
	ck_assert_int_eq(vm_map(mm, a + 8 * P, P, 0, 0, NULL), 0);
	ck_assert_int_eq(vm_fault(mm, a - 1, HAL_ACC_READ), -EFAULT);
	ck_assert_int_eq(vm_fault(mm, a + 4 * P, HAL_ACC_READ), -EFAULT);
	ck_assert_int_eq(vm_fault(mm, a, HAL_ACC_WRITE), -EACCES);
	ck_assert_int_eq(vm_fault(mm, a, HAL_ACC_EXEC), -EACCES);
	ck_assert_int_eq(vm_fault(mm, a + 8 * P, HAL_ACC_READ), -EACCES);
	ck_assert_int_eq(vm_fault(mm, a + 8 * P, HAL_ACC_UNKNOWN), -EACCES);
	ck_assert_uint_eq(mm->rss_pages, 0);

	/* Unknown access: an absent page is allocated; the same fault on
	 * the now present page is mirrored once more, and a third one
	 * means the access was forbidden (a write to read-only memory). */
	ck_assert_int_eq(vm_fault(mm, a, HAL_ACC_UNKNOWN), 0);
	ck_assert_uint_eq(mm->rss_pages, 4);
	ck_assert_int_eq(vm_fault(mm, a, HAL_ACC_UNKNOWN), 0);
	ck_assert_int_eq(vm_fault(mm, a, HAL_ACC_UNKNOWN), -EACCES);
	mm_put(mm);
	check_all_freed();
}
END_TEST

START_TEST(populate_maps_everything)
{
	struct mm *mm = boot_mm();
	uaddr_t a = 0x1000000;
	unsigned long maps;

	ck_assert_int_eq(vm_map(mm, a, 40 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_fault(mm, a + 20 * P, HAL_ACC_READ), 0);
	maps = hal_test_as_map_calls();
	ck_assert_int_eq(vm_populate(mm, a, 40 * P), 0);
	ck_assert_uint_eq(mm->rss_pages, 40);
	/* The two holes around the faulted cluster: one call each. */
	ck_assert_uint_eq(hal_test_as_map_calls(), maps + 2);
	ck_assert_int_eq(vm_populate(mm, a, 41 * P), -EFAULT);
	mm_put(mm);
	check_all_freed();
}
END_TEST

/* ---- uaccess ---- */

START_TEST(copy_from_unmapped_faults)
{
	struct mm *mm = boot_mm();
	char buf[16];
	uaddr_t a = 0x1000000;

	ck_assert_int_eq(copy_from_user(buf, a, 4), -EFAULT);
	ck_assert_int_eq(copy_from_user(buf, 0, 1), -EFAULT);
	ck_assert_int_eq(copy_from_user(buf, ~0ULL - 2, 8), -EFAULT);
	ck_assert_int_eq(vm_map(mm, a, P, RW, 0, NULL), 0);
	/* The first page is fine, the rest of the copy is not. */
	ck_assert_int_eq(copy_from_user(buf, a + P - 8, 16), -EFAULT);
	ck_assert_int_eq(copy_from_user(buf, a + P - 16, 16), 0);
	ck_assert_int_eq(copy_from_user(buf, a, 0), 0);
	/* PROT_NONE memory cannot be read either. */
	ck_assert_int_eq(vm_map(mm, a + P, P, 0, 0, NULL), 0);
	ck_assert_int_eq(copy_from_user(buf, a + P, 1), -EFAULT);
	mm_put(mm);
}
END_TEST

START_TEST(copy_to_readonly_faults)
{
	struct mm *mm = boot_mm();
	uaddr_t a = 0x1000000;
	char buf[8] = "initial";
	char out[8];

	ck_assert_int_eq(vm_map(mm, a, P, VM_READ, 0, NULL), 0);
	/* force (the ELF loader's path) may write it... */
	ck_assert_int_eq(vm_write(mm, a, buf, 8, true), 0);
	/* ...a user copy may not, and leaves it alone. */
	ck_assert_int_eq(copy_to_user(a, "changed", 8), -EFAULT);
	ck_assert_int_eq(clear_user(a, 8), -EFAULT);
	ck_assert_int_eq(copy_from_user(out, a, 8), 0);
	ck_assert_str_eq(out, "initial");
	ck_assert_int_eq(copy_to_user(a + P, "x", 1), -EFAULT);
	/* Writable: works, also across a page boundary. */
	ck_assert_int_eq(vm_map(mm, a + P, 2 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(copy_to_user(a + 2 * P - 3, "abcdefg", 8), 0);
	ck_assert_int_eq(copy_from_user(out, a + 2 * P - 3, 8), 0);
	ck_assert_str_eq(out, "abcdefg");
	ck_assert_int_eq(clear_user(a + 2 * P - 3, 8), 0);
	ck_assert_int_eq(copy_from_user(out, a + 2 * P - 3, 8), 0);
	ck_assert_int_eq(memcmp(out, "\0\0\0\0\0\0\0\0", 8), 0);
	mm_put(mm);
}
END_TEST

START_TEST(strncpy_from_user_edges)
{
	struct mm *mm = boot_mm();
	uaddr_t a = 0x1000000;
	char buf[64];
	char *name;

	ck_assert_int_eq(vm_map(mm, a, 2 * P, RW, 0, NULL), 0);
	/* Across the boundary between two mapped pages. */
	ck_assert_int_eq(copy_to_user(a + P - 3, "hello", 6), 0);
	ck_assert_int_eq(strncpy_from_user(buf, a + P - 3, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "hello");
	/* Ending on the last byte of the mapping, next page unmapped. */
	ck_assert_int_eq(copy_to_user(a + 2 * P - 4, "abc", 4), 0);
	ck_assert_int_eq(strncpy_from_user(buf, a + 2 * P - 4, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "abc");
	/* Running into the unmapped page without a NUL. */
	ck_assert_int_eq(copy_to_user(a + 2 * P - 4, "abcd", 4), 0);
	ck_assert_int_eq(strncpy_from_user(buf, a + 2 * P - 4, sizeof(buf)),
			 -EFAULT);
	/* No NUL within max. */
	ck_assert_int_eq(copy_to_user(a, "0123456789", 11), 0);
	ck_assert_int_eq(strncpy_from_user(buf, a, 10), -ENAMETOOLONG);
	ck_assert_int_eq(strncpy_from_user(buf, a, 11), 10);
	ck_assert_int_eq(strncpy_from_user(buf, 0x10, 8), -EFAULT);

	name = getname(a);
	ck_assert(!IS_ERR(name));
	ck_assert_str_eq(name, "0123456789");
	kfree(name);
	ck_assert_int_eq(copy_to_user(a, "", 1), 0);
	ck_assert_int_eq(PTR_ERR(getname(a)), -ENOENT);
	name = getname_empty_ok(a);
	ck_assert(!IS_ERR(name));
	ck_assert_str_eq(name, "");
	kfree(name);
	ck_assert_int_eq(PTR_ERR(getname(a + 2 * P)), -EFAULT);
	mm_put(mm);
}
END_TEST

/* ---- the memory syscalls ---- */

START_TEST(sys_mmap_anonymous)
{
	struct mm *mm = boot_mm();
	long a, b;
	char buf[6];

	a = ksys6(NR_mmap, 0, 3 * P, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_int_gt(a, 0);
	ck_assert_uint_eq((uint64_t)a % P, 0);
	ck_assert_int_eq(copy_to_user(a + 2 * P, "hello", 6), 0);
	ck_assert_int_eq(copy_from_user(buf, a + 2 * P, 6), 0);
	ck_assert_str_eq(buf, "hello");
	/* A length that is not a page multiple still maps whole pages. */
	b = ksys6(NR_mmap, 0, 10, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		  0);
	ck_assert_int_gt(b, 0);
	ck_assert_uint_eq(vm_find_vma(mm, b)->end, (uint64_t)b + P);

	/* Errors, per mmap(2). */
	ck_assert_int_eq(ksys6(NR_mmap, 0, 0, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys6(NR_mmap, 0, P, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 100),
			 -EINVAL);
	ck_assert_int_eq(ksys6(NR_mmap, 0, P, PROT_READ, MAP_ANONYMOUS, -1, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys6(NR_mmap, 0x100001, P, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys6(NR_mmap, 0, (size_t)-P, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			 -ENOMEM);

	/* MAP_FIXED replaces; MAP_FIXED_NOREPLACE refuses. */
	ck_assert_int_eq(
		ksys6(NR_mmap, a + P, P, PROT_READ,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
		-EEXIST);
	ck_assert_int_eq(ksys6(NR_mmap, a + 2 * P, P, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 a + 2 * P);
	ck_assert_uint_eq(vm_find_vma(mm, a + 2 * P)->prot, VM_READ);
	ck_assert_int_eq(copy_from_user(buf, a + 2 * P, 1), 0);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_int_eq(
		ksys6(NR_mmap, 0x200000, P, PROT_READ,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
		0x200000);
	/* A free hint is honoured without MAP_FIXED. */
	ck_assert_int_eq(ksys6(NR_mmap, 0x300000, P, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			 0x300000);

	/* munmap */
	ck_assert_int_eq(ksys2(NR_munmap, a, 3 * P), 0);
	ck_assert_int_eq(copy_from_user(buf, a, 1), -EFAULT);
	ck_assert_int_eq(ksys2(NR_munmap, a, 3 * P), 0);
	ck_assert_int_eq(ksys2(NR_munmap, a + 1, P), -EINVAL);
	ck_assert_int_eq(ksys2(NR_munmap, a, 0), -EINVAL);
	mm_put(mm);
}
END_TEST

START_TEST(sys_mmap_populate_and_shared)
{
	struct mm *mm = boot_mm();
	long a;

	a = ksys6(NR_mmap, 0, 8 * P, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ck_assert_int_gt(a, 0);
	ck_assert_uint_eq(mm->rss_pages, 8);
	ck_assert(vm_find_vma(mm, a)->flags & VMA_SHARED);
	/* PROT_NONE: mapped, not populated, not accessible. */
	a = ksys6(NR_mmap, 0, 2 * P, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ck_assert_int_gt(a, 0);
	ck_assert_uint_eq(mm->rss_pages, 8);
	ck_assert_int_eq(copy_to_user(a, "x", 1), -EFAULT);
	mm_put(mm);
}
END_TEST

START_TEST(sys_mprotect)
{
	struct mm *mm = boot_mm();
	long a = ksys6(NR_mmap, 0, 4 * P, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char c;

	ck_assert_int_eq(copy_to_user(a + P, "z", 1), 0);
	ck_assert_int_eq(ksys3(NR_mprotect, a + P, P, PROT_READ), 0);
	ck_assert_int_eq(copy_to_user(a + P, "y", 1), -EFAULT);
	ck_assert_int_eq(copy_to_user(a, "y", 1), 0);
	ck_assert_int_eq(copy_from_user(&c, a + P, 1), 0);
	ck_assert_int_eq(c, 'z');
	ck_assert_int_eq(ksys3(NR_mprotect, a + 1, P, PROT_READ), -EINVAL);
	ck_assert_int_eq(ksys3(NR_mprotect, a, P, 0x80), -EINVAL);
	ck_assert_int_eq(ksys3(NR_mprotect, a, 5 * P, PROT_READ), -ENOMEM);
	ck_assert_int_eq(ksys3(NR_mprotect, 0x10000, P, PROT_READ), -ENOMEM);
	ck_assert_int_eq(ksys3(NR_mprotect, a, 0, PROT_READ), 0);
	/* Length rounds up to whole pages. */
	ck_assert_int_eq(ksys3(NR_mprotect, a + 2 * P, 1, PROT_NONE), 0);
	ck_assert_uint_eq(vm_find_vma(mm, a + 2 * P)->end, (uint64_t)a + 3 * P);
	ck_assert_int_eq(copy_from_user(&c, a + 2 * P, 1), -EFAULT);
	mm_put(mm);
}
END_TEST

START_TEST(sys_brk_semantics)
{
	struct mm *mm = boot_mm();
	uaddr_t base = 0x800000;
	char c = 0;

	mm->brk_start = mm->brk = base;
	ck_assert_int_eq(ksys1(NR_brk, 0), base);
	ck_assert_int_eq(ksys1(NR_brk, base - 1), base);
	ck_assert_int_eq(ksys1(NR_brk, base + 10000), base + 10000);
	ck_assert_uint_eq(mm->brk, base + 10000);
	ck_assert_int_eq(copy_to_user(base + 9999, "h", 1), 0);
	/* The heap covers whole pages up to the break. */
	ck_assert_int_eq(copy_to_user(base + 3 * P - 1, "h", 1), 0);
	ck_assert_int_eq(copy_to_user(base + 3 * P, "h", 1), -EFAULT);
	ck_assert(vm_find_vma(mm, base)->flags & VMA_HEAP);
	/* Growing again extends the same VMA. */
	ck_assert_int_eq(ksys1(NR_brk, base + 5 * P), base + 5 * P);
	ck_assert_int_eq(count_vmas(mm), 1);
	/* Shrinking frees: growing again reads zeros. */
	ck_assert_int_eq(ksys1(NR_brk, base + 100), base + 100);
	ck_assert_int_eq(copy_from_user(&c, base + 2 * P, 1), -EFAULT);
	ck_assert_int_eq(ksys1(NR_brk, base + 3 * P), base + 3 * P);
	ck_assert_int_eq(copy_from_user(&c, base + 9999, 1), 0);
	ck_assert_int_eq(c, 0);
	/* Growing into another mapping fails: the old break comes back. */
	ck_assert_int_eq(vm_map(mm, base + 8 * P, P, RW, 0, NULL), 0);
	ck_assert_int_eq(ksys1(NR_brk, base + 9 * P), base + 3 * P);
	mm_put(mm);
}
END_TEST

START_TEST(sys_madvise_dontneed)
{
	struct mm *mm = boot_mm();
	long a = ksys6(NR_mmap, 0, 4 * P, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long s = ksys6(NR_mmap, 0, P, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char c;

	ck_assert_int_eq(copy_to_user(a + P, "d", 1), 0);
	ck_assert_int_eq(copy_to_user(s, "s", 1), 0);
	ck_assert_int_eq(ksys3(NR_madvise, a, 4 * P, MADV_DONTNEED), 0);
	ck_assert_int_eq(copy_from_user(&c, a + P, 1), 0);
	ck_assert_int_eq(c, 0);
	/* Shared memory keeps its contents. */
	ck_assert_int_eq(ksys3(NR_madvise, s, P, MADV_DONTNEED), 0);
	ck_assert_int_eq(copy_from_user(&c, s, 1), 0);
	ck_assert_int_eq(c, 's');
	ck_assert_int_eq(ksys3(NR_madvise, a, P, MADV_SEQUENTIAL), 0);
	ck_assert_int_eq(ksys3(NR_madvise, a + 1, P, MADV_NORMAL), -EINVAL);
	ck_assert_int_eq(ksys3(NR_madvise, a, P, 12345), -EINVAL);
	ck_assert_int_eq(ksys3(NR_madvise, 0x10000, P, MADV_NORMAL), -ENOMEM);
	ck_assert_int_eq(ksys3(NR_madvise, a, 0, MADV_NORMAL), 0);
	mm_put(mm);
}
END_TEST

/* ---- fork ---- */

START_TEST(fork_cow_isolation)
{
	struct mm *parent = boot_mm();
	struct mm *child;
	uaddr_t a = 0x1000000, s = 0x2000000;
	char buf[8];
	size_t free_before;

	ck_assert_int_eq(vm_map(parent, a, 2 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_map(parent, s, P, RW, VMA_SHARED, NULL), 0);
	ck_assert_int_eq(vm_write(parent, a, "parent", 7, false), 0);
	ck_assert_int_eq(vm_write(parent, s, "shared", 7, false), 0);
	free_before = pmm_free_frames();

	child = mm_fork(parent);
	ck_assert_ptr_nonnull(child);
	ck_assert_uint_eq(child->rss_pages, parent->rss_pages);
	/* No data frame was copied by the fork itself. */
	ck_assert_uint_ge(free_before - pmm_free_frames(), 1);
	ck_assert_uint_lt(free_before - pmm_free_frames(), 8);

	/* The child writes: the parent does not see it. */
	ck_assert_int_eq(vm_write(child, a, "child!", 7, false), 0);
	ck_assert_int_eq(vm_read(parent, buf, a, 7), 0);
	ck_assert_str_eq(buf, "parent");
	ck_assert_int_eq(vm_read(child, buf, a, 7), 0);
	ck_assert_str_eq(buf, "child!");
	/* The parent writes the other page: the child keeps the old one. */
	ck_assert_int_eq(vm_write(parent, a + P, "p2", 3, false), 0);
	ck_assert_int_eq(vm_read(child, buf, a + P, 3), 0);
	ck_assert_int_eq(memcmp(buf, "\0\0\0", 3), 0);
	/* Shared memory is shared. */
	ck_assert_int_eq(vm_write(child, s, "SHARED", 7, false), 0);
	ck_assert_int_eq(vm_read(parent, buf, s, 7), 0);
	ck_assert_str_eq(buf, "SHARED");

	/* A write fault in the parent on a page the child already copied
	 * finds itself sole owner and just becomes writable again. */
	ck_assert_int_eq(vm_fault(parent, a, HAL_ACC_WRITE), 0);

	mm_put(child);
	ck_assert_int_eq(vm_read(parent, buf, a, 7), 0);
	ck_assert_str_eq(buf, "parent");
	mm_put(parent);
	check_all_freed();
}
END_TEST

START_TEST(fork_then_unknown_fault_breaks_cow)
{
	struct mm *parent = boot_mm();
	struct mm *child;
	uaddr_t a = 0x1000000;
	char buf[4];

	ck_assert_int_eq(vm_map(parent, a, P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_write(parent, a, "abc", 4, false), 0);
	child = mm_fork(parent);
	/* Hosted ptrace cannot say what the access was: a fault on a
	 * copy-on-write page of a writable VMA is taken as a write. */
	ck_assert_int_eq(vm_fault(child, a, HAL_ACC_UNKNOWN), 0);
	ck_assert_int_eq(vm_write(child, a, "xyz", 4, false), 0);
	ck_assert_int_eq(vm_read(parent, buf, a, 4), 0);
	ck_assert_str_eq(buf, "abc");
	mm_put(child);
	mm_put(parent);
	check_all_freed();
}
END_TEST

START_TEST(fork_dontfork_and_wipeonfork)
{
	struct mm *parent = boot_mm();
	struct mm *child;
	uaddr_t a = 0x1000000;
	char c;

	ck_assert_int_eq(vm_map(parent, a, 3 * P, RW, 0, NULL), 0);
	ck_assert_int_eq(vm_write(parent, a, "k", 1, false), 0);
	ck_assert_int_eq(vm_write(parent, a + P, "d", 1, false), 0);
	ck_assert_int_eq(vm_write(parent, a + 2 * P, "w", 1, false), 0);
	ck_assert_int_eq(ksys3(NR_madvise, a + P, P, MADV_DONTFORK), 0);
	ck_assert_int_eq(ksys3(NR_madvise, a + 2 * P, P, MADV_WIPEONFORK), 0);
	ck_assert_int_eq(count_vmas(parent), 3);
	child = mm_fork(parent);
	ck_assert_ptr_nonnull(child);
	ck_assert_int_eq(vm_read(child, &c, a, 1), 0);
	ck_assert_int_eq(c, 'k');
	ck_assert_int_eq(vm_read(child, &c, a + P, 1), -EFAULT);
	ck_assert_int_eq(vm_read(child, &c, a + 2 * P, 1), 0);
	ck_assert_int_eq(c, 0);
	ck_assert_int_eq(vm_read(parent, &c, a + 2 * P, 1), 0);
	ck_assert_int_eq(c, 'w');
	/* MADV_DOFORK undoes it, and the VMAs merge back. */
	ck_assert_int_eq(ksys3(NR_madvise, a + P, P, MADV_DOFORK), 0);
	ck_assert_int_eq(count_vmas(parent), 2);
	mm_put(child);
	mm_put(parent);
	check_all_freed();
}
END_TEST

/* ---- file-backed private mappings (needs the VFS) ---- */

#define FILE_BYTES 5000

/* Creates /tmp/data with FILE_BYTES patterned bytes; returns an fd of
 * current opened with flags. */
static int make_file(unsigned flags)
{
	static unsigned char data[FILE_BYTES];
	struct file *f;
	int fd;

	for (int i = 0; i < FILE_BYTES; i++)
		data[i] = (unsigned char)(i * 7 + 1);
	f = vfs_openat(AT_FDCWD, "/tmp/data", O_CREAT | O_RDWR, 0644);
	ck_assert(!IS_ERR(f));
	ck_assert_int_eq(vfs_write(f, data, FILE_BYTES), FILE_BYTES);
	file_put(f);
	f = vfs_openat(AT_FDCWD, "/tmp/data", flags, 0);
	ck_assert(!IS_ERR(f));
	fd = fd_install(f, 0, false);
	ck_assert_int_ge(fd, 0);
	file_put(f);
	return fd;
}

START_TEST(mmap_file_private)
{
	static unsigned char buf[3 * 4096];
	struct mm *mm;
	struct vma *v;
	int fd;
	long a;

	ktest_boot();
	mm = current->task->mm;
	fd = make_file(O_RDONLY);
	a = ksys6(NR_mmap, 0, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		  0);
	ck_assert_int_gt(a, 0);
	v = vm_find_vma(mm, a);
	ck_assert_str_eq(v->name, "/tmp/data");
	ck_assert_uint_eq(v->pgoff, 0);
	ck_assert_uint_ne(v->ino, 0);
	ktest_get(buf, a, sizeof(buf));
	for (int i = 0; i < FILE_BYTES; i++)
		ck_assert_int_eq(buf[i], (unsigned char)(i * 7 + 1));
	/* Past the end of the file: zeros, in the last page and beyond. */
	for (size_t i = FILE_BYTES; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);

	/* A private write does not reach the file. */
	ck_assert_int_eq(copy_to_user(a, "XYZ", 3), 0);
	struct file *f = fd_get(fd);
	unsigned char first;
	ck_assert_int_eq(vfs_pread(f, &first, 1, 0), 1);
	ck_assert_int_eq(first, 1);

	/* An offset maps from there. */
	a = ksys6(NR_mmap, 0, P, PROT_READ, MAP_PRIVATE, fd, P);
	ck_assert_int_gt(a, 0);
	ck_assert_uint_eq(vm_find_vma(mm, a)->pgoff, 1);
	ktest_get(&first, a, 1);
	ck_assert_int_eq(first, (unsigned char)(4096 * 7 + 1));
	file_put(f);
}
END_TEST

START_TEST(mmap_file_errors)
{
	int rd, wr;

	ktest_boot();
	rd = make_file(O_RDONLY);
	wr = make_file(O_WRONLY);
	ck_assert_int_eq(ksys6(NR_mmap, 0, P, PROT_READ, MAP_PRIVATE, 77, 0),
			 -EBADF);
	ck_assert_int_eq(ksys6(NR_mmap, 0, P, PROT_READ, MAP_PRIVATE, wr, 0),
			 -EACCES);
	ck_assert_int_eq(ksys6(NR_mmap, 0, P, PROT_READ | PROT_WRITE,
			       MAP_SHARED, rd, 0),
			 -EACCES);
	ck_assert_int_eq(ksys6(NR_mmap, 0, P, PROT_READ, MAP_PRIVATE, rd, 10),
			 -EINVAL);
}
END_TEST

/* MAP_SHARED of a tmpfs file maps the file's own frames: a store through
 * the mapping is the file's byte, and a write(2) shows in the mapping. */
START_TEST(mmap_file_shared)
{
	unsigned char b = 0;
	struct file *f;
	long a;
	int rw, proc;

	ktest_boot();
	rw = make_file(O_RDWR);
	a = ksys6(NR_mmap, 0, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	ck_assert_int_gt(a, 0);
	ktest_get(&b, (uint64_t)a + 4096 + 5, 1);
	ck_assert_int_eq(b, (unsigned char)((4096 + 5) * 7 + 1));
	b = 0xab;
	ktest_put((uint64_t)a + 10, &b, 1);
	f = fd_get(rw);
	ck_assert_ptr_nonnull(f);
	b = 0;
	ck_assert_int_eq(vfs_pread(f, &b, 1, 10), 1);
	ck_assert_int_eq(b, 0xab);
	b = 0x5c;
	ck_assert_int_eq(vfs_pwrite(f, &b, 1, 20), 1);
	file_put(f);
	b = 0;
	ktest_get(&b, (uint64_t)a + 20, 1);
	ck_assert_int_eq(b, 0x5c);
	/* A filesystem without shared pages (procfs) refuses: ENODEV. */
	f = vfs_openat(AT_FDCWD, "/proc/meminfo", O_RDONLY, 0);
	ck_assert(!IS_ERR(f));
	proc = fd_install(f, 0, false);
	file_put(f);
	ck_assert_int_eq(ksys6(NR_mmap, 0, P, PROT_READ, MAP_SHARED, proc, 0),
			 -ENODEV);
}
END_TEST

KTEST_SUITE(vm_suite)
{
	Suite *s = suite_create("vm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, munmap_middle_splits);
	tcase_add_test(tc, mmap_file_shared);
	tcase_add_test(tc, mprotect_middle_splits_and_merges_back);
	tcase_add_test(tc, adjacent_maps_merge);
	tcase_add_test(tc, find_free_top_down);
	tcase_add_test(tc, demand_fault_maps_one_cluster);
	tcase_add_test(tc, fault_errors);
	tcase_add_test(tc, populate_maps_everything);
	tcase_add_test(tc, copy_from_unmapped_faults);
	tcase_add_test(tc, copy_to_readonly_faults);
	tcase_add_test(tc, strncpy_from_user_edges);
	tcase_add_test(tc, sys_mmap_anonymous);
	tcase_add_test(tc, sys_mmap_populate_and_shared);
	tcase_add_test(tc, sys_mprotect);
	tcase_add_test(tc, sys_brk_semantics);
	tcase_add_test(tc, sys_madvise_dontneed);
	tcase_add_test(tc, fork_cow_isolation);
	tcase_add_test(tc, fork_then_unknown_fault_breaks_cow);
	tcase_add_test(tc, fork_dontfork_and_wipeonfork);
	tcase_add_test(tc, mmap_file_private);
	tcase_add_test(tc, mmap_file_errors);
	suite_add_tcase(s, tc);
	return s;
}
