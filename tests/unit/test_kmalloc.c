/*
 * test_kmalloc.c: the heap: every size class and large runs, alignment,
 * no overlap, statistics back to zero after freeing, frames returned.
 */
#include <string.h>

#include <kern/kmalloc.h>
#include <kern/pmm.h>

#include "ktest.h"

START_TEST(sizes_and_alignment)
{
	static const size_t sizes[] = {
		0,    1,    15,	  16,	17,   31,   32,	  100,	 500,
		1000, 2032, 2048, 2049, 4000, 4096, 8192, 70000, 1 << 20
	};
	void *p[ARRAY_SIZE(sizes)];
	struct kmalloc_stats st;
	size_t sum = 0;

	ktest_boot_mem();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert_uint_eq((uintptr_t)p[i] % 16, 0);
		memset(p[i], (int)i + 1, sizes[i]);
		sum += sizes[i];
	}
	kmalloc_stats(&st);
	ck_assert_uint_eq(st.allocs_live, ARRAY_SIZE(sizes));
	ck_assert_uint_eq(st.bytes_in_use, sum);
	ck_assert_uint_gt(st.frames_used, (1 << 20) / PAGE_SIZE);
	/* Nothing overwrote anything else. */
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		for (size_t j = 0; j < sizes[i]; j++)
			ck_assert_int_eq(((unsigned char *)p[i])[j],
					 (int)i + 1);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		kfree(p[i]);
	kmalloc_stats(&st);
	ck_assert_uint_eq(st.allocs_live, 0);
	ck_assert_uint_eq(st.bytes_in_use, 0);
	ck_assert_uint_eq(st.frames_used, 0);
	ck_assert_uint_eq(pmm_free_frames(), pmm_total_frames());
}
END_TEST

START_TEST(many_small_reuse)
{
	enum { N = 5000 };
	static void *p[N];
	struct kmalloc_stats st;
	size_t free0;

	ktest_boot_mem();
	free0 = pmm_free_frames();
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			p[i] = kmalloc((size_t)(i % 300) + 1);
			ck_assert_ptr_nonnull(p[i]);
			*(int *)p[i] = i;
		}
		/* Free in an interleaved order to exercise partial slabs. */
		for (int i = 0; i < N; i += 2)
			kfree(p[i]);
		for (int i = 1; i < N; i += 2) {
			ck_assert_int_eq(*(int *)p[i], i);
			kfree(p[i]);
		}
		kmalloc_stats(&st);
		ck_assert_uint_eq(st.allocs_live, 0);
		ck_assert_uint_eq(st.bytes_in_use, 0);
		ck_assert_uint_eq(pmm_free_frames(), free0);
	}
}
END_TEST

START_TEST(kzalloc_kstrdup)
{
	unsigned char *z;
	char *s;

	ktest_boot_mem();
	/* Dirty a slab slot first so kzalloc must clear a reused object. */
	z = kmalloc(64);
	memset(z, 0xff, 64);
	kfree(z);
	z = kzalloc(64);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(z[i], 0);
	s = kstrdup("ember kernel");
	ck_assert_str_eq(s, "ember kernel");
	kfree(s);
	kfree(z);
	kfree(NULL);
}
END_TEST

START_TEST(double_free_panics)
{
	void *p;

	ktest_boot_mem();
	p = kmalloc(40);
	kmalloc(40); /* keeps the slab alive so the header stays readable */
	kfree(p);
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 125);
		return;
	}
	kfree(p);
	ck_abort_msg("double kfree did not panic");
}
END_TEST

START_TEST(out_of_memory_is_null)
{
	ktest_boot_mem();
	ck_assert_ptr_null(kmalloc((size_t)128 << 20));
	ck_assert_ptr_null(kmalloc(SIZE_MAX));
	ck_assert_uint_eq(pmm_free_frames(), pmm_total_frames());
}
END_TEST

KTEST_SUITE(kmalloc_suite)
{
	Suite *s = suite_create("kmalloc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sizes_and_alignment);
	tcase_add_test(tc, many_small_reuse);
	tcase_add_test(tc, kzalloc_kstrdup);
	tcase_add_test(tc, double_free_panics);
	tcase_add_test(tc, out_of_memory_is_null);
	suite_add_tcase(s, tc);
	return s;
}
