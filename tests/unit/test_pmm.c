/*
 * test_pmm.c: the frame allocator: zeroed frames, reference counts,
 * contiguous runs, exhaustion.
 */
#include <stdlib.h>
#include <string.h>

#include <kern/pmm.h>

#include "ktest.h"

static bool frame_is_zero(paddr_t pa)
{
	const unsigned char *p = phys_to_virt(pa);

	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			return false;
	return true;
}

START_TEST(alloc_free_counts)
{
	size_t total, free0;
	paddr_t a, b;

	ktest_boot_mem();
	total = pmm_total_frames();
	free0 = pmm_free_frames();
	ck_assert_uint_eq(free0, total);
	/* 64 MiB minus the metadata frames. */
	ck_assert_uint_gt(total, 16000);
	ck_assert_uint_lt(total, 16384);

	a = pmm_alloc();
	b = pmm_alloc();
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_ne(b, 0);
	ck_assert_uint_ne(a, b);
	ck_assert(IS_PAGE_ALIGNED(a));
	ck_assert(frame_is_zero(a));
	ck_assert_uint_eq(pmm_refcount(a), 1);
	ck_assert_uint_eq(pmm_free_frames(), free0 - 2);

	/* A freed frame comes back zeroed even after being dirtied. */
	memset(phys_to_virt(a), 0xee, PAGE_SIZE);
	pmm_put(a);
	pmm_put(b);
	ck_assert_uint_eq(pmm_free_frames(), free0);
	a = pmm_alloc();
	ck_assert(frame_is_zero(a));
	pmm_put(a);
}
END_TEST

START_TEST(refcounts)
{
	paddr_t a;
	size_t free0;

	ktest_boot_mem();
	free0 = pmm_free_frames();
	a = pmm_alloc();
	pmm_get(a);
	pmm_get(a);
	ck_assert_uint_eq(pmm_refcount(a), 3);
	pmm_put(a);
	pmm_put(a);
	ck_assert_uint_eq(pmm_refcount(a), 1);
	ck_assert_uint_eq(pmm_free_frames(), free0 - 1);
	pmm_put(a);
	ck_assert_uint_eq(pmm_refcount(a), 0);
	ck_assert_uint_eq(pmm_free_frames(), free0);
}
END_TEST

START_TEST(double_free_panics)
{
	paddr_t a;

	ktest_boot_mem();
	a = pmm_alloc();
	pmm_put(a);
	if (hal_test_expect_halt()) {
		ck_assert_int_eq(hal_test_halt_status(), 125);
		return;
	}
	pmm_put(a);
	ck_abort_msg("double pmm_put did not panic");
}
END_TEST

START_TEST(contig_runs)
{
	size_t got;
	paddr_t run, hole;

	ktest_boot_mem();
	run = pmm_alloc_contig(16, &got);
	ck_assert_uint_ne(run, 0);
	ck_assert_uint_eq(got, 16);
	for (size_t i = 0; i < got; i++) {
		ck_assert_uint_eq(pmm_refcount(run + i * PAGE_SIZE), 1);
		ck_assert(frame_is_zero(run + i * PAGE_SIZE));
	}
	/* Free one frame in the middle: a later 1-frame request may take it,
	 * but a 16-frame run must come from elsewhere, whole. */
	hole = run + 5 * PAGE_SIZE;
	pmm_put(hole);
	paddr_t run2 = pmm_alloc_contig(16, &got);
	ck_assert_uint_eq(got, 16);
	ck_assert(run2 + 16 * PAGE_SIZE <= run || run2 >= run + 16 * PAGE_SIZE);
	for (size_t i = 0; i < 16; i++) {
		if (i != 5)
			pmm_put(run + i * PAGE_SIZE);
		pmm_put(run2 + i * PAGE_SIZE);
	}
	ck_assert_uint_eq(pmm_free_frames(), pmm_total_frames());
}
END_TEST

START_TEST(contig_best_effort)
{
	size_t total, got, n = 0;
	paddr_t *frames;

	ktest_boot_mem();
	total = pmm_total_frames();
	frames = malloc(total * sizeof(*frames));
	/* Take everything, then free every other frame: no run longer than
	 * one frame remains. */
	for (;;) {
		paddr_t pa = pmm_alloc();

		if (!pa)
			break;
		frames[n++] = pa;
	}
	ck_assert_uint_eq(n, total);
	for (size_t i = 0; i < n; i += 2)
		pmm_put(frames[i]);
	paddr_t pa = pmm_alloc_contig(8, &got);
	ck_assert_uint_ne(pa, 0);
	ck_assert_uint_eq(got, 1);
	free(frames);
}
END_TEST

START_TEST(exhaustion_returns_zero)
{
	size_t got, n = 0;

	ktest_boot_mem();
	while (pmm_alloc())
		n++;
	ck_assert_uint_eq(n, pmm_total_frames());
	ck_assert_uint_eq(pmm_free_frames(), 0);
	ck_assert_uint_eq(pmm_alloc(), 0);
	ck_assert_uint_eq(pmm_alloc_contig(4, &got), 0);
	ck_assert_uint_eq(got, 0);
}
END_TEST

KTEST_SUITE(pmm_suite)
{
	Suite *s = suite_create("pmm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, alloc_free_counts);
	tcase_add_test(tc, refcounts);
	tcase_add_test(tc, double_free_panics);
	tcase_add_test(tc, contig_runs);
	tcase_add_test(tc, contig_best_effort);
	tcase_add_test(tc, exhaustion_returns_zero);
	suite_add_tcase(s, tc);
	return s;
}
