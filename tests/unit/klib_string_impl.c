/*
 * klib_string_impl.c: compiles the bare-metal src/kern/string.c into the
 * unit tests under ktest_* names, so test_klib.c can check it against
 * the host libc (the hosted build itself uses libc's functions).
 */
#define memcpy ktest_memcpy
#define memmove ktest_memmove
#define memset ktest_memset
#define memcmp ktest_memcmp
#define memchr ktest_memchr
#define strlen ktest_strlen
#define strnlen ktest_strnlen
#define strcmp ktest_strcmp
#define strncmp ktest_strncmp
#define strchr ktest_strchr
#define strrchr ktest_strrchr

#include "../../src/kern/string.c"
