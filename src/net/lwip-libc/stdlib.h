/*
 * stdlib.h for lwIP's sources inside the freestanding core: the one name
 * they use (atoi, for interface names like "lo0").
 */
#ifndef EMBER_LWIP_STDLIB_H
#define EMBER_LWIP_STDLIB_H
#include <kern/klib.h>
static inline int atoi(const char *s)
{
	const char *end;

	return (int)kstrtou64(s, &end, 10);
}
#endif
