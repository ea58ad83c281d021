/*
 * klib: the core's small C library. String and memory functions keep their
 * standard names and contracts (the compiler may emit calls to memcpy and
 * memset on its own); on the hosted and test builds the host libc supplies
 * them, on bare metal src/kern/string.c does. Formatting and logging are
 * the core's own (ksnprintf, printk).
 */
#ifndef KERN_KLIB_H
#define KERN_KLIB_H

#include <kern/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/* Copies src into dst (size bytes, always NUL-terminated when size > 0).
 * Returns strlen(src), like BSD strlcpy. */
size_t kstrlcpy(char *dst, const char *src, size_t size);
/* Appends src to dst; returns the length it tried to create. */
size_t kstrlcat(char *dst, const char *src, size_t size);

/* Parses an unsigned number in base 10, 16 (0x) or 8 (0) when base is 0.
 * Sets *end past the digits. No overflow detection beyond 64 bits. */
uint64_t kstrtou64(const char *s, const char **end, int base);

/*
 * printf-style formatting into a buffer. Supports %d %i %u %x %X %o %c %s
 * %p %%, the l/ll/z/h/hh length modifiers, width, precision, '-' '0' '+' ' '
 * and '#' flags. Always NUL-terminates when size > 0; returns the length the
 * full output would have had (like C99 snprintf).
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Log levels, lowest is most severe (as Linux's KERN_*). */
enum {
	LOG_EMERG = 0,
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

/* The level at or below which printk output reaches hal_log (default
 * LOG_WARN; boot option "loglevel=N" or "quiet"). */
extern int printk_level;

/* Formats one log line and hands it to hal_log() if level <= printk_level.
 * Never blocks for long; safe in any context. */
void printk(int level, const char *fmt, ...) __printf(2, 3);
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Broken invariant: prints the message and a frame-pointer backtrace, then
 * halts the machine through hal_halt(). Never returns. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define KASSERT(cond)                                                          \
	do {                                                                   \
		if (unlikely(!(cond)))                                         \
			panic("assertion failed: %s at %s:%d", #cond,          \
			      __FILE__, __LINE__);                             \
	} while (0)

#endif
