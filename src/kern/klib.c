/*
 * klib.c: bounded string copies and number parsing (layer: klib; relies
 * only on the string functions of kern/klib.h).
 */
#include <kern/klib.h>

size_t kstrlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

size_t kstrlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	/* No NUL within size: like BSD, report size + strlen(src) and touch
	 * nothing. */
	if (dlen == size)
		return size + strlen(src);
	return dlen + kstrlcpy(dst + dlen, src, size - dlen);
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

uint64_t kstrtou64(const char *s, const char **end, int base)
{
	uint64_t v = 0;

	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
		    digit_value(s[2]) < 16) {
			base = 16;
			s += 2;
		} else if (s[0] == '0') {
			base = 8;
		} else {
			base = 10;
		}
	} else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
		   digit_value(s[2]) < 16) {
		s += 2;
	}
	for (; digit_value(*s) < base; s++)
		v = v * (uint64_t)base + (uint64_t)digit_value(*s);
	if (end)
		*end = s;
	return v;
}
