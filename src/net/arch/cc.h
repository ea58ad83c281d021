/*
 * arch/cc.h: lwIP's compiler and platform glue for Ember's freestanding
 * core: the compiler's stddef/stdint/limits, byte order, printf formats
 * without inttypes.h, diagnostics through printk and assertions through
 * panic, and a random source.
 */
#ifndef EMBER_LWIP_ARCH_CC_H
#define EMBER_LWIP_ARCH_CC_H

#include <kern/klib.h>
#include <stdint.h>

#define BYTE_ORDER LITTLE_ENDIAN

#define LWIP_NO_LIMITS_H 1
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif
typedef long ssize_t;
#define SSIZE_MAX __LONG_MAX__
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_UNISTD_H 1
#define LWIP_NO_CTYPE_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define LWIP_PLATFORM_DIAG(x)                                                  \
	do {                                                                   \
		pr_debug x;                                                    \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                \
	panic("lwIP: %s at %s:%d", x, __FILE__, __LINE__)

uint32_t lwip_port_rand(void);
#define LWIP_RAND() lwip_port_rand()

void *lwip_port_malloc(size_t size);
void lwip_port_free(void *p);
void *lwip_port_calloc(size_t n, size_t size);

#endif
