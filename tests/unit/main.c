/*
 * The unit-test runner: every suite registered with KTEST_SUITE runs, in a
 * forked child per test (Check's default), so each test boots a fresh
 * kernel. KTEST_ONLY=fn limits the run to the suite built by fn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"

#define MAX_SUITES 64
static ktest_suite_fn suites[MAX_SUITES];
static const char *names[MAX_SUITES];
static int nsuites;

void ktest_register(ktest_suite_fn fn, const char *name)
{
	if (nsuites == MAX_SUITES) {
		fprintf(stderr, "ktest: too many suites\n");
		exit(2);
	}
	names[nsuites] = name;
	suites[nsuites++] = fn;
}

int main(void)
{
	const char *only = getenv("KTEST_ONLY");
	SRunner *sr = NULL;

	for (int i = 0; i < nsuites; i++) {
		if (only && strcmp(only, names[i]) != 0)
			continue;
		Suite *s = suites[i]();
		if (!sr)
			sr = srunner_create(s);
		else
			srunner_add_suite(sr, s);
	}
	if (!sr) {
		fprintf(stderr, "ktest: no suite to run\n");
		return 1;
	}
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
