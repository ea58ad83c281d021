/*
 * test_klib.c: ksnprintf against the host's snprintf, kstrlcpy/kstrlcat
 * and kstrtou64 against their documented contracts, and panic's halt.
 */
#include <stdio.h>
#include <string.h>

#include <kern/klib.h>

#include "ktest.h"

/* Formats with both and compares text and return value. */
#define CHECK_FMT(fmt, ...)                                                    \
	do {                                                                   \
		char want[256], got[256];                                      \
		int wn = snprintf(want, sizeof(want), fmt, __VA_ARGS__);       \
		int gn = ksnprintf(got, sizeof(got), fmt, __VA_ARGS__);        \
		ck_assert_msg(                                                 \
			strcmp(want, got) == 0 && wn == gn,                    \
			"format \"%s\": want \"%s\" (%d), got \"%s\" (%d)",    \
			fmt, want, wn, got, gn);                               \
	} while (0)

START_TEST(format_integers)
{
	CHECK_FMT("%d", 0);
	CHECK_FMT("%d", -1);
	CHECK_FMT("%d|%i", 2147483647, -2147483647 - 1);
	CHECK_FMT("%u", 4294967295u);
	CHECK_FMT("%ld", -9223372036854775807L - 1);
	CHECK_FMT("%lu", 18446744073709551615UL);
	CHECK_FMT("%lld", -42LL);
	CHECK_FMT("%llx", 0xdeadbeefcafebabeULL);
	CHECK_FMT("%zu", (size_t)123456789);
	CHECK_FMT("%zd", (ssize_t)-5);
	CHECK_FMT("%hd", (short)-12345);
	CHECK_FMT("%hu", (unsigned short)65535);
	CHECK_FMT("%hhd", (signed char)-128);
	CHECK_FMT("%hhu", (unsigned char)255);
	CHECK_FMT("%hhx", 0x1ff);
	CHECK_FMT("%x %X", 0xabcdef, 0xabcdef);
	CHECK_FMT("%o", 8);
	CHECK_FMT("%o", 0);
}
END_TEST

/* Flag combinations C defines but GCC warns about ("ignored" flags). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
START_TEST(format_flags)
{
	CHECK_FMT("[%5d]", 42);
	CHECK_FMT("[%-5d]", 42);
	CHECK_FMT("[%05d]", 42);
	CHECK_FMT("[%05d]", -42);
	CHECK_FMT("[%+d]", 42);
	CHECK_FMT("[%+d]", -42);
	CHECK_FMT("[% d]", 42);
	CHECK_FMT("[%+ d]", 42);
	CHECK_FMT("[%-05d]", 7);
	CHECK_FMT("[%.3d]", 7);
	CHECK_FMT("[%8.3d]", -7);
	CHECK_FMT("[%08.3d]", 7);
	CHECK_FMT("[%.0d]", 0);
	CHECK_FMT("[%5.0d]", 0);
	CHECK_FMT("[%.0x]", 0);
	CHECK_FMT("[%#x]", 255);
	CHECK_FMT("[%#X]", 255);
	CHECK_FMT("[%#x]", 0);
	CHECK_FMT("[%#010x]", 255);
	CHECK_FMT("[%#o]", 8);
	CHECK_FMT("[%#o]", 0);
	CHECK_FMT("[%#.0o]", 0);
	CHECK_FMT("[%#5o]", 8);
	CHECK_FMT("[%*d]", 6, 3);
	CHECK_FMT("[%-*d]", 6, 3);
	CHECK_FMT("[%*d]", -6, 3);
	CHECK_FMT("[%.*d]", 4, 3);
	CHECK_FMT("[%08lx]", 0x1234UL);
	CHECK_FMT("[%-#8x]", 0x1f);
}
END_TEST
#pragma GCC diagnostic pop

START_TEST(format_strings)
{
	CHECK_FMT("%s", "hello");
	CHECK_FMT("[%10s]", "hi");
	CHECK_FMT("[%-10s]", "hi");
	CHECK_FMT("[%.3s]", "abcdef");
	CHECK_FMT("[%8.3s]", "abcdef");
	CHECK_FMT("[%.0s]", "abc");
	CHECK_FMT("[%c]", 'x');
	CHECK_FMT("[%3c]", 'x');
	CHECK_FMT("[%-3c]", 'x');
	CHECK_FMT("100%% %s", "done");
	CHECK_FMT("%s=%d, %s=%#x", "a", 1, "b", 2);
	CHECK_FMT("%p", (void *)0x1234);
	CHECK_FMT("%p", (void *)0);
	CHECK_FMT("[%20p]", (void *)0xffff8000deadULL);
}
END_TEST

START_TEST(format_truncation)
{
	char buf[8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, sizeof(buf), "%s", "hello world");
	ck_assert_int_eq(n, 11);
	ck_assert_str_eq(buf, "hello w");

	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, 1, "%d", 12345);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'X');

	n = ksnprintf(NULL, 0, "%d-%s", 42, "abc");
	ck_assert_int_eq(n, 6);

	n = ksnprintf(buf, sizeof(buf), "%5d", 123456);
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(buf, "123456");
}
END_TEST

START_TEST(strlcpy_strlcat)
{
	char buf[8];

	ck_assert_uint_eq(kstrlcpy(buf, "abc", sizeof(buf)), 3);
	ck_assert_str_eq(buf, "abc");
	ck_assert_uint_eq(kstrlcpy(buf, "abcdefghijk", sizeof(buf)), 11);
	ck_assert_str_eq(buf, "abcdefg");
	buf[0] = 'Q';
	ck_assert_uint_eq(kstrlcpy(buf, "xyz", 0), 3);
	ck_assert_int_eq(buf[0], 'Q');
	ck_assert_uint_eq(kstrlcpy(buf, "", sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");

	kstrlcpy(buf, "ab", sizeof(buf));
	ck_assert_uint_eq(kstrlcat(buf, "cd", sizeof(buf)), 4);
	ck_assert_str_eq(buf, "abcd");
	ck_assert_uint_eq(kstrlcat(buf, "efghij", sizeof(buf)), 10);
	ck_assert_str_eq(buf, "abcdefg");
	/* No NUL within size: nothing is written. */
	memcpy(buf, "12345678", 8);
	ck_assert_uint_eq(kstrlcat(buf, "ab", 4), 6);
	ck_assert_int_eq(memcmp(buf, "12345678", 8), 0);
}
END_TEST

START_TEST(strtou64)
{
	const char *end;

	ck_assert_uint_eq(kstrtou64("1234xyz", &end, 10), 1234);
	ck_assert_str_eq(end, "xyz");
	ck_assert_uint_eq(kstrtou64("0x1F", &end, 0), 0x1f);
	ck_assert_str_eq(end, "");
	ck_assert_uint_eq(kstrtou64("0755", &end, 0), 0755);
	ck_assert_uint_eq(kstrtou64("0", &end, 0), 0);
	ck_assert_str_eq(end, "");
	ck_assert_uint_eq(kstrtou64("0x", &end, 0), 0);
	ck_assert_str_eq(end, "x");
	ck_assert_uint_eq(kstrtou64("ff", &end, 16), 255);
	ck_assert_uint_eq(kstrtou64("18446744073709551615", &end, 10),
			  18446744073709551615ULL);
	ck_assert_uint_eq(kstrtou64("12", NULL, 8), 10);
	ck_assert_uint_eq(kstrtou64("abc", &end, 10), 0);
	ck_assert_str_eq(end, "abc");
}
END_TEST

START_TEST(panic_halts_with_125)
{
	if (hal_test_expect_halt()) {
		size_t len;
		const char *log = hal_test_log_out(&len);

		ck_assert_int_eq(hal_test_halt_status(), 125);
		ck_assert_ptr_nonnull(strstr(log, "ember: panic: broken 7"));
		ck_assert_ptr_nonnull(strstr(log, "backtrace"));
		return;
	}
	panic("broken %d", 7);
}
END_TEST

START_TEST(printk_respects_level)
{
	size_t before, after;

	hal_test_log_out(&before);
	pr_debug("hidden %d", 1);
	hal_test_log_out(&after);
	ck_assert_uint_eq(before, after);
	pr_err("shown %s\n", "line");
	ck_assert_ptr_nonnull(
		strstr(hal_test_log_out(NULL), "ember: shown line\n"));
}
END_TEST

/* src/kern/string.c, renamed (klib_string_impl.c). */
void *ktest_memcpy(void *dst, const void *src, size_t n);
void *ktest_memmove(void *dst, const void *src, size_t n);
void *ktest_memset(void *dst, int c, size_t n);
int ktest_memcmp(const void *a, const void *b, size_t n);
void *ktest_memchr(const void *s, int c, size_t n);
size_t ktest_strlen(const char *s);
size_t ktest_strnlen(const char *s, size_t max);
int ktest_strcmp(const char *a, const char *b);
int ktest_strncmp(const char *a, const char *b, size_t n);
char *ktest_strchr(const char *s, int c);
char *ktest_strrchr(const char *s, int c);

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

START_TEST(baremetal_mem_functions)
{
	unsigned char src[96], a[128], b[128];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 37 + 5);
	/* Every alignment and length mix of the word loops. */
	for (size_t off = 0; off < 9; off++) {
		for (size_t soff = 0; soff < 9; soff++) {
			for (size_t n = 0; n < 80; n += 7) {
				memset(a, 0xcc, sizeof(a));
				memset(b, 0xcc, sizeof(b));
				ck_assert_ptr_eq(ktest_memcpy(a + off,
							      src + soff, n),
						 a + off);
				memcpy(b + off, src + soff, n);
				ck_assert_int_eq(memcmp(a, b, sizeof(a)), 0);
				ck_assert_ptr_eq(ktest_memset(a + off, 0x5a, n),
						 a + off);
				memset(b + off, 0x5a, n);
				ck_assert_int_eq(memcmp(a, b, sizeof(a)), 0);
			}
		}
	}
	/* Overlapping moves, both directions. */
	for (size_t d = 0; d < 20; d++) {
		for (size_t n = 0; n < 60; n += 9) {
			memcpy(a, src, sizeof(src));
			memcpy(b, src, sizeof(src));
			ktest_memmove(a + d, a + 10, n);
			memmove(b + d, b + 10, n);
			ck_assert_int_eq(memcmp(a, b, sizeof(src)), 0);
		}
	}
	ck_assert_int_eq(ktest_memcmp("abc", "abd", 3) < 0, 1);
	ck_assert_int_eq(ktest_memcmp("ab\xff", "ab\x01", 3) > 0, 1);
	ck_assert_int_eq(ktest_memcmp("abc", "abd", 2), 0);
	ck_assert_ptr_eq(ktest_memchr(src, src[40], sizeof(src)),
			 memchr(src, src[40], sizeof(src)));
	ck_assert_ptr_null(ktest_memchr("abc", 'z', 3));
	ck_assert_ptr_null(ktest_memchr("abc", 'c', 2));
}
END_TEST

START_TEST(baremetal_str_functions)
{
	static const char *const strs[] = { "",	   "a",	   "ab",    "abc",
					    "abd", "\xff", "a\x01", "hello" };
	const char *s = "path/to/file.c";

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		ck_assert_uint_eq(ktest_strlen(strs[i]), strlen(strs[i]));
		ck_assert_uint_eq(ktest_strnlen(strs[i], 2),
				  strnlen(strs[i], 2));
		for (size_t j = 0; j < ARRAY_SIZE(strs); j++) {
			ck_assert_int_eq(sign(ktest_strcmp(strs[i], strs[j])),
					 sign(strcmp(strs[i], strs[j])));
			for (size_t n = 0; n < 5; n++)
				ck_assert_int_eq(
					sign(ktest_strncmp(strs[i], strs[j],
							   n)),
					sign(strncmp(strs[i], strs[j], n)));
		}
	}
	ck_assert_ptr_eq(ktest_strchr(s, '/'), s + 4);
	ck_assert_ptr_eq(ktest_strrchr(s, '/'), s + 7);
	ck_assert_ptr_eq(ktest_strchr(s, '\0'), s + strlen(s));
	ck_assert_ptr_eq(ktest_strrchr(s, '\0'), s + strlen(s));
	ck_assert_ptr_null(ktest_strchr(s, 'z'));
	ck_assert_ptr_null(ktest_strrchr(s, 'z'));
}
END_TEST

KTEST_SUITE(klib_suite)
{
	Suite *s = suite_create("klib");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, format_integers);
	tcase_add_test(tc, format_flags);
	tcase_add_test(tc, format_strings);
	tcase_add_test(tc, format_truncation);
	tcase_add_test(tc, strlcpy_strlcat);
	tcase_add_test(tc, strtou64);
	tcase_add_test(tc, baremetal_mem_functions);
	tcase_add_test(tc, baremetal_str_functions);
	tcase_add_test(tc, panic_halts_with_125);
	tcase_add_test(tc, printk_respects_level);
	suite_add_tcase(s, tc);
	return s;
}
