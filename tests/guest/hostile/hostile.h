/*
 * Helpers of the hostile guests (tests/guest/hostile): each check prints
 * "PASS: what" or "FAIL: what (why)"; hostile_exit() ends the program with
 * 1 when a check failed. run-hostile.sh passes a test when the guest ends
 * as its HOSTILE_EXPECT line says, printed at least one PASS and no FAIL,
 * and nothing on the host outside --root changed.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int hostile_failures;

static inline void pass(const char *fmt, ...)
{
	va_list ap;

	printf("PASS: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void failf(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	hostile_failures++;
}

/* r must be -1 with errno one of the (0-terminated) list. */
static inline void expect_errno(const char *what, long r, int err, ...)
{
	int got = errno; /* before anything below can change it */
	va_list ap;
	int want, ok = 0;
	char names[128] = "";

	va_start(ap, err);
	for (want = err; want; want = va_arg(ap, int)) {
		size_t n = strlen(names);

		snprintf(names + n, sizeof(names) - n, "%s%s", n ? "/" : "",
			 strerror(want));
		if (r == -1 && got == want)
			ok = 1;
	}
	va_end(ap);
	if (ok)
		pass("%s: %s", what, strerror(got));
	else if (r == -1)
		failf("%s: %s, expected %s", what, strerror(got), names);
	else
		failf("%s: returned %ld, expected %s", what, r, names);
}

/* A raw system call's result (-errno, from inline assembly) as a libc
 * call reports it. (libc's syscall() already does this.) */
static inline long raw_result(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static inline int hostile_exit(void)
{
	printf("%s: %d check(s) failed\n", hostile_failures ? "FAIL" : "done",
	       hostile_failures);
	return hostile_failures ? 1 : 0;
}

#endif
