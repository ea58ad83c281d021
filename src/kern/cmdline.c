/*
 * cmdline.c: the kernel command line parser (layer: kern; relies only on
 * klib). It runs before memory is set up, so it keeps its words in static
 * storage.
 */
#include <kern/cmdline.h>
#include <kern/klib.h>

static char words_buf[CMDLINE_MAX];

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* "512M", "2G", "65536": bytes, or 0 when malformed. */
static uint64_t parse_size(const char *s)
{
	const char *end;
	uint64_t v = kstrtou64(s, &end, 0);
	unsigned shift = 0;

	if (end == s)
		return 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return 0;
	return v << shift;
}

void cmdline_parse(const char *s, struct cmdline *out)
{
	char *p = words_buf;
	int nargs = 0;
	bool in_init = false;

	memset(out, 0, sizeof(*out));
	out->loglevel = -1;
	kstrlcpy(words_buf, s ? s : "", sizeof(words_buf));
	while (*p) {
		char *w;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		/* Quotes group spaces into one word and are dropped, as in
		 * "init=/bin/sh -c 'echo hi'"; the copy never overtakes p. */
		char *dst, quote = 0;

		w = dst = p;
		while (*p && (quote || !is_space(*p))) {
			if (quote ? *p == quote : (*p == '\'' || *p == '"')) {
				quote = quote ? 0 : *p;
				p++;
				continue;
			}
			*dst++ = *p++;
		}
		if (*p)
			p++;
		*dst = '\0';

		/* Everything after init=PATH belongs to init. */
		if (in_init) {
			if (nargs < CMDLINE_MAX_ARGS)
				out->init_argv[nargs++] = w;
		} else if (strncmp(w, "init=", 5) == 0 && w[5]) {
			out->init = w + 5;
			out->init_argv[nargs++] = out->init;
			in_init = true;
		} else if (strcmp(w, "quiet") == 0) {
			out->quiet = true;
		} else if (strcmp(w, "stats") == 0) {
			out->stats = true;
		} else if (strncmp(w, "mem=", 4) == 0) {
			out->mem = parse_size(w + 4);
		} else if (strncmp(w, "console=", 8) == 0 && w[8]) {
			out->console = w + 8;
		} else if (strncmp(w, "loglevel=", 9) == 0 && w[9] >= '0' &&
			   w[9] <= '9') {
			out->loglevel = (int)kstrtou64(w + 9, NULL, 10);
		}
	}
	out->init_argv[nargs] = NULL;
}
