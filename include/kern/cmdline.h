/*
 * cmdline: the kernel command line ("init=/bin/sh -c 'echo hi' quiet").
 */
#ifndef KERN_CMDLINE_H
#define KERN_CMDLINE_H

#include <kern/types.h>

#define CMDLINE_MAX 4096
#define CMDLINE_MAX_ARGS 64

struct cmdline {
	bool quiet;
	bool stats;	  /* "stats": resource counts at boot and at halt */
	uint64_t mem;	  /* mem=SIZE[KMG]: cap on the memory used, 0: none */
	const char *console; /* console=NAME[,OPTIONS], or NULL */
	int loglevel;	  /* -1 when not given */
	const char *init; /* init=PATH, or NULL */
	/* argv for init: PATH, then every word after init=PATH, NULL-ended */
	const char *init_argv[CMDLINE_MAX_ARGS + 1];
};

/*
 * Splits s into whitespace-separated words and fills *out. Single or
 * double quotes group characters (spaces included) into a word and are
 * removed ('a b'c is the one word "a bc"); there are no escapes.
 * Words are copied into static storage, so the result stays valid after s
 * goes away; a second call replaces the first's. Unknown words are
 * ignored, as Linux leaves them to init. mem= takes a size with an
 * optional K, M or G suffix (a malformed one is ignored). Never fails: a line longer than
 * CMDLINE_MAX is cut, extra init arguments are dropped.
 */
void cmdline_parse(const char *s, struct cmdline *out);

#endif
