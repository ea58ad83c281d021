/*
 * gensyscalls: host build tool. Reads src/syscall/syscalls.tbl (the one
 * syscall table) and writes syscall_protos.h, syscall_table.c and
 * SYSCALLS.md into an output directory. Plain hosted C with libc; the
 * output it writes is freestanding core code (include/kern/syscall.h).
 *
 * Usage: gensyscalls <table> <outdir>
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYSCALL_MAX 512 /* keep equal to include/kern/syscall.h */
#define MAX_ARGS 6
#define MAX_LINE 1024
#define MAX_IDENT 64

enum status { ST_MISSING, ST_PARTIAL, ST_DONE };

static const char *const status_names[] = { "missing", "partial", "done" };
static const char *const status_enums[] = { "SC_MISSING", "SC_PARTIAL",
					    "SC_DONE" };

struct kind {
	const char *name;  /* as written in the table */
	const char *ename; /* enum sc_kind */
	const char *ctype;
};

/* Order does not matter; "inbuf" is written "inbuf@N" in the table. */
static const struct kind kinds[] = {
	{ "int", "SC_INT", "int" },
	{ "uint", "SC_UINT", "unsigned int" },
	{ "long", "SC_LONG", "long" },
	{ "ulong", "SC_ULONG", "unsigned long" },
	{ "hex", "SC_HEX", "unsigned long" },
	{ "size", "SC_SIZE", "size_t" },
	{ "off", "SC_OFF", "int64_t" },
	{ "fd", "SC_FD", "int" },
	{ "dirfd", "SC_DIRFD", "int" },
	{ "pid", "SC_PID", "int" },
	{ "mode", "SC_MODE", "unsigned int" },
	{ "oflags", "SC_OFLAGS", "unsigned int" },
	{ "prot", "SC_PROT", "unsigned long" },
	{ "mflags", "SC_MFLAGS", "unsigned long" },
	{ "signo", "SC_SIGNO", "int" },
	{ "ptr", "SC_PTR", "uaddr_t" },
	{ "path", "SC_PATH", "uaddr_t" },
	{ "str", "SC_STR", "uaddr_t" },
	{ "inbuf", "SC_INBUF", "uaddr_t" },
	{ "outbuf", "SC_OUTBUF", "uaddr_t" },
	{ "strv", "SC_STRV", "uaddr_t" },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct arg {
	const struct kind *kind;
	int len_arg; /* inbuf: index of the length argument, else -1 */
	char name[MAX_IDENT];
};

struct entry {
	int present;
	int line;
	char name[MAX_IDENT];
	enum status status;
	int nargs;
	struct arg args[MAX_ARGS];
};

static struct entry table[SYSCALL_MAX];
static const char *tbl_path;

static void die(int line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(stderr, "%s:%d: error: ", tbl_path, line);
	else
		fprintf(stderr, "gensyscalls: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

/* C keywords and names that would clash in the generated code. */
static int is_reserved(const char *s)
{
	static const char *const words[] = {
		"auto",	    "break",   "case",	   "char",    "const",
		"continue", "default", "do",	   "double",  "else",
		"enum",	    "extern",  "float",	   "for",     "goto",
		"if",	    "inline",  "int",	   "long",    "register",
		"restrict", "return",  "short",	   "signed",  "sizeof",
		"static",   "struct",  "switch",   "typedef", "union",
		"unsigned", "void",    "volatile", "while",   "a",
		"bool",	    "true",    "false",	   "NULL",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static long parse_number(const char *s, int line)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		die(line, "bad syscall number '%s'", s);
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno)
		die(line, "bad syscall number '%s'", s);
	return v;
}

static void parse_arg(struct entry *e, const char *tok, int line)
{
	struct arg *a = &e->args[e->nargs];
	const char *colon = strchr(tok, ':');
	char kname[MAX_IDENT];
	size_t klen;
	const char *at;

	if (e->nargs == MAX_ARGS)
		die(line, "%s: more than %d arguments", e->name, MAX_ARGS);
	if (!colon)
		die(line, "argument '%s' is not kind:name", tok);
	klen = (size_t)(colon - tok);
	if (klen == 0 || klen >= sizeof(kname))
		die(line, "argument '%s': bad kind", tok);
	memcpy(kname, tok, klen);
	kname[klen] = '\0';

	a->len_arg = -1;
	at = strchr(kname, '@');
	if (at) {
		char *end;
		long n;

		if (strncmp(kname, "inbuf@", 6) != 0 || at != kname + 5)
			die(line, "argument '%s': only inbuf takes @N", tok);
		if (!isdigit((unsigned char)at[1]))
			die(line, "argument '%s': bad length index", tok);
		n = strtol(at + 1, &end, 10);
		if (*end || n < 0 || n >= MAX_ARGS)
			die(line, "argument '%s': bad length index", tok);
		a->len_arg = (int)n;
		kname[5] = '\0';
	} else if (strcmp(kname, "inbuf") == 0) {
		die(line, "argument '%s': inbuf needs @N (its length argument)",
		    tok);
	}

	a->kind = NULL;
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kname, kinds[i].name) == 0)
			a->kind = &kinds[i];
	if (!a->kind)
		die(line, "argument '%s': unknown kind '%s'", tok, kname);

	if (strlen(colon + 1) >= sizeof(a->name) || !is_ident(colon + 1))
		die(line, "argument '%s': bad name", tok);
	if (is_reserved(colon + 1))
		die(line, "argument '%s': name is a reserved word", tok);
	strcpy(a->name, colon + 1);
	for (int i = 0; i < e->nargs; i++)
		if (strcmp(e->args[i].name, a->name) == 0)
			die(line, "argument '%s': duplicate name", tok);
	e->nargs++;
}

static int is_length_kind(const struct kind *k)
{
	static const char *const ok[] = { "size", "int", "uint", "long",
					  "ulong" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(k->name, ok[i]) == 0)
			return 1;
	return 0;
}

static void parse_table(void)
{
	FILE *f = fopen(tbl_path, "r");
	char buf[MAX_LINE + 2];
	int line = 0;

	if (!f)
		die(0, "cannot open %s: %s", tbl_path, strerror(errno));
	while (fgets(buf, sizeof(buf), f)) {
		char *tok, *save, *hash;
		struct entry e;
		long nr;

		line++;
		if (!strchr(buf, '\n') && !feof(f))
			die(line, "line longer than %d characters", MAX_LINE);
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		tok = strtok_r(buf, " \t\r\n", &save);
		if (!tok)
			continue;

		memset(&e, 0, sizeof(e));
		e.line = line;
		nr = parse_number(tok, line);
		if (nr >= SYSCALL_MAX)
			die(line, "number %ld >= SYSCALL_MAX (%d)", nr,
			    SYSCALL_MAX);

		tok = strtok_r(NULL, " \t\r\n", &save);
		if (!tok)
			die(line, "missing name");
		if (strlen(tok) >= sizeof(e.name) || !is_ident(tok))
			die(line, "bad name '%s'", tok);
		strcpy(e.name, tok);

		tok = strtok_r(NULL, " \t\r\n", &save);
		if (!tok)
			die(line, "%s: missing status", e.name);
		if (strcmp(tok, "done") == 0)
			e.status = ST_DONE;
		else if (strcmp(tok, "partial") == 0)
			e.status = ST_PARTIAL;
		else if (strcmp(tok, "missing") == 0)
			e.status = ST_MISSING;
		else
			die(line, "%s: bad status '%s' (done|partial|missing)",
			    e.name, tok);

		while ((tok = strtok_r(NULL, " \t\r\n", &save)))
			parse_arg(&e, tok, line);

		for (int i = 0; i < e.nargs; i++) {
			int n = e.args[i].len_arg;

			if (n < 0)
				continue;
			if (n >= e.nargs || n == i)
				die(line,
				    "%s: inbuf@%d of argument %d names "
				    "no other argument",
				    e.name, n, i);
			if (!is_length_kind(e.args[n].kind))
				die(line,
				    "%s: inbuf@%d: argument %d is not a "
				    "length (size, int, uint, long, ulong)",
				    e.name, n, n);
		}

		if (table[nr].present)
			die(line, "duplicate number %ld (first on line %d)", nr,
			    table[nr].line);
		for (int i = 0; i < SYSCALL_MAX; i++)
			if (table[i].present &&
			    strcmp(table[i].name, e.name) == 0)
				die(line,
				    "duplicate name %s (first on line %d)",
				    e.name, table[i].line);
		e.present = 1;
		table[nr] = e;
	}
	if (ferror(f))
		die(0, "reading %s: %s", tbl_path, strerror(errno));
	fclose(f);
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t len)
{
	FILE *f;

	if ((size_t)snprintf(path, len, "%s/%s.tmp", dir, name) >= len)
		die(0, "output path too long");
	f = fopen(path, "w");
	if (!f)
		die(0, "cannot create %s: %s", path, strerror(errno));
	return f;
}

/* Writes to name.tmp then renames, so a failed run leaves no half file. */
static void close_out(FILE *f, const char *dir, const char *name,
		      const char *tmp)
{
	char path[4096];

	if (fflush(f) != 0 || ferror(f) || fclose(f) != 0)
		die(0, "writing %s failed", tmp);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (rename(tmp, path) != 0)
		die(0, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
}

static int has_handler(const struct entry *e)
{
	return e->present && e->status != ST_MISSING;
}

/* "int fd, uaddr_t buf, size_t count" or "void". */
static void print_params(FILE *f, const struct entry *e)
{
	if (e->nargs == 0) {
		fputs("void", f);
		return;
	}
	for (int i = 0; i < e->nargs; i++)
		fprintf(f, "%s%s %s", i ? ", " : "", e->args[i].kind->ctype,
			e->args[i].name);
}

static const char header_note[] =
	"/* Generated by tools/gensyscalls from src/syscall/syscalls.tbl: "
	"do not edit. */\n";

static void write_protos(const char *dir)
{
	char tmp[4096];
	FILE *f = open_out(dir, "syscall_protos.h", tmp, sizeof(tmp));

	fputs(header_note, f);
	fputs("#ifndef EMBER_SYSCALL_PROTOS_H\n"
	      "#define EMBER_SYSCALL_PROTOS_H\n\n"
	      "/* kern/syscall.h uses struct thread before declaring it. */\n"
	      "struct thread;\n"
	      "#include <kern/syscall.h>\n"
	      "#include <kern/types.h>\n\n"
	      "/* Raw handler addresses (NULL when a done/partial handler is "
	      "not linked),\n"
	      " * indexed by number; for tests that check every handler is "
	      "present. */\n"
	      "extern const void *const syscall_handler_ptr[SYSCALL_MAX];\n\n",
	      f);
	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct entry *e = &table[nr];

		if (!has_handler(e))
			continue;
		fprintf(f, "long sys_%s(", e->name);
		print_params(f, e);
		fputs(");\n", f);
	}
	fputs("\n#endif\n", f);
	close_out(f, dir, "syscall_protos.h", tmp);
}

static void write_cstr_array(FILE *f, const char *field, const struct entry *e,
			     int ctype)
{
	fprintf(f, "\t\t.%s = { ", field);
	for (int i = 0; i < e->nargs; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "",
			ctype ? e->args[i].kind->ctype : e->args[i].name);
	fputs(" },\n", f);
}

static void write_table(const char *dir)
{
	char tmp[4096];
	FILE *f = open_out(dir, "syscall_table.c", tmp, sizeof(tmp));

	fputs(header_note, f);
	fputs("/*\n"
	      " * The dispatch table. A done/partial handler is a weak symbol: "
	      "while\n"
	      " * nobody has written it, it links as NULL and its wrapper "
	      "returns -ENOSYS.\n"
	      " */\n"
	      "struct thread;\n"
	      "#include <kern/syscall.h>\n"
	      "#include <kern/types.h>\n"
	      "#include <syscall_protos.h>\n"
	      "#include <uapi/errno.h>\n\n",
	      f);

	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct entry *e = &table[nr];

		if (!has_handler(e))
			continue;
		fprintf(f, "long sys_%s(", e->name);
		print_params(f, e);
		fputs(") __attribute__((weak));\n", f);
		fprintf(f, "static long w_%s(const uint64_t *a)\n{\n", e->name);
		if (e->nargs == 0)
			fputs("\t(void)a;\n", f);
		fprintf(f, "\tif (!sys_%s)\n\t\treturn -ENOSYS;\n", e->name);
		fprintf(f, "\treturn sys_%s(", e->name);
		for (int i = 0; i < e->nargs; i++)
			fprintf(f, "%s(%s)a[%d]", i ? ", " : "",
				e->args[i].kind->ctype, i);
		fputs(");\n}\n\n", f);
	}

	fputs("const struct syscall_desc syscall_table[SYSCALL_MAX] = {\n", f);
	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct entry *e = &table[nr];

		if (!e->present)
			continue;
		fprintf(f, "\t[%d] = {\n", nr);
		fprintf(f, "\t\t.name = \"%s\",\n", e->name);
		if (has_handler(e))
			fprintf(f, "\t\t.call = w_%s,\n", e->name);
		else
			fputs("\t\t.call = NULL,\n", f);
		fprintf(f, "\t\t.nargs = %d,\n", e->nargs);
		fprintf(f, "\t\t.status = %s,\n", status_enums[e->status]);
		if (e->nargs == 0) {
			fputs("\t},\n", f);
			continue;
		}
		fputs("\t\t.kind = { ", f);
		for (int i = 0; i < e->nargs; i++)
			fprintf(f, "%s%s", i ? ", " : "",
				e->args[i].kind->ename);
		fputs(" },\n", f);
		fputs("\t\t.len_arg = { ", f);
		for (int i = 0; i < MAX_ARGS; i++)
			fprintf(f, "%s%d", i ? ", " : "",
				i < e->nargs ? e->args[i].len_arg : -1);
		fputs(" },\n", f);
		write_cstr_array(f, "argname", e, 0);
		write_cstr_array(f, "ctype", e, 1);
		fputs("\t},\n", f);
	}
	fputs("};\n\n", f);

	fputs("const void *const syscall_handler_ptr[SYSCALL_MAX] = {\n", f);
	for (int nr = 0; nr < SYSCALL_MAX; nr++)
		if (has_handler(&table[nr]))
			fprintf(f, "\t[%d] = (const void *)sys_%s,\n", nr,
				table[nr].name);
	fputs("};\n", f);
	close_out(f, dir, "syscall_table.c", tmp);
}

static void write_doc(const char *dir)
{
	char tmp[4096];
	FILE *f = open_out(dir, "SYSCALLS.md", tmp, sizeof(tmp));
	int count[3] = { 0, 0, 0 }, total = 0;

	for (int nr = 0; nr < SYSCALL_MAX; nr++)
		if (table[nr].present) {
			count[table[nr].status]++;
			total++;
		}

	fputs("# Ember system calls\n\n", f);
	fputs("Generated from `src/syscall/syscalls.tbl` by `tools/gensyscalls`"
	      " (do not edit;\nrun `cmake --build build --target syscalls-doc`"
	      " after changing the table).\n\n",
	      f);
	fputs("Every Linux x86_64 system call is listed once. `done`: the "
	      "handler follows\nthe Linux man page; `partial`: a handler exists"
	      " but part of Linux's\nbehaviour is missing; `missing`: no "
	      "handler, the call returns `-ENOSYS`.\n\n",
	      f);
	fprintf(f, "| status | count |\n|---|---:|\n");
	fprintf(f, "| done | %d |\n", count[ST_DONE]);
	fprintf(f, "| partial | %d |\n", count[ST_PARTIAL]);
	fprintf(f, "| missing | %d |\n", count[ST_MISSING]);
	fprintf(f, "| total | %d |\n\n", total);

	fputs("| nr | name | prototype | status |\n|---:|---|---|---|\n", f);
	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct entry *e = &table[nr];

		if (!e->present)
			continue;
		fprintf(f, "| %d | %s | `long %s(", nr, e->name, e->name);
		print_params(f, e);
		fprintf(f, ")` | %s |\n", status_names[e->status]);
	}
	close_out(f, dir, "SYSCALLS.md", tmp);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s <syscalls.tbl> <outdir>\n", argv[0]);
		return 2;
	}
	tbl_path = argv[1];
	parse_table();
	write_protos(argv[2]);
	write_table(argv[2]);
	write_doc(argv[2]);
	return 0;
}
