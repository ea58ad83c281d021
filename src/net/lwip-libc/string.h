/*
 * string.h for lwIP's sources inside the freestanding core: the string
 * functions are klib's (kern/klib.h).
 */
#ifndef EMBER_LWIP_STRING_H
#define EMBER_LWIP_STRING_H
#include <kern/klib.h>
#endif
