/*
 * mkinitramfs: writes a cpio "newc" archive (the initramfs format the
 * kernel unpacks at boot) from a list of entries, one per argument or per
 * line of a spec file:
 *
 *	dir   NAME MODE
 *	file  NAME HOSTPATH MODE
 *	slink NAME TARGET
 *	nod   NAME MODE c|b MAJOR MINOR
 *
 * NAME is the path inside the archive ("/bin/busybox"), MODE octal
 * permissions. Owners are root and times the host file's (0 otherwise), so
 * the same inputs give the same archive. A host tool: plain C and libc.
 *
 * usage: mkinitramfs -o OUT [-f SPECFILE]... [ENTRY]...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static FILE *out;
static unsigned long long offset;
static unsigned next_ino = 1;
static const char *out_path;

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "mkinitramfs: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	if (out_path)
		remove(out_path);
	exit(1);
}

static void put(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, out) != n)
		die("cannot write %s: %s", out_path, strerror(errno));
	offset += n;
}

static void pad4(void)
{
	static const char zeros[4];

	put(zeros, (size_t)((4 - offset % 4) % 4));
}

/* The name inside the archive: no leading "/" or "./". */
static const char *arc_name(const char *name)
{
	while (*name == '/' || (name[0] == '.' && name[1] == '/'))
		name += name[0] == '/' ? 1 : 2;
	return *name ? name : ".";
}

static void header(const char *name, unsigned mode, unsigned long long size,
		   unsigned long mtime, unsigned rmaj, unsigned rmin)
{
	char h[160];
	const char *n = arc_name(name);
	size_t nlen = strlen(n) + 1;

	if (size > 0xffffffffULL)
		die("%s: too large for a newc archive%s", name, "");
	snprintf(
		h, sizeof(h),
		"070701%08X%08X%08X%08X%08X%08lX%08llX%08X%08X%08X%08X%08zX%08X",
		next_ino++, mode, 0u, 0u, (mode & 0170000) == 0040000 ? 2u : 1u,
		mtime, size, 0u, 0u, rmaj, rmin, nlen, 0u);
	put(h, 110);
	put(n, nlen);
	pad4();
}

static unsigned parse_mode(const char *s, const char *line)
{
	char *end;
	unsigned long m;

	if (!s)
		die("missing mode in '%s'%s", line, "");
	m = strtoul(s, &end, 8);
	if (*end || m > 07777)
		die("bad mode in '%s'%s", line, "");
	return (unsigned)m;
}

static void add_file(const char *name, const char *host, unsigned mode)
{
	struct stat st;
	char buf[65536];
	size_t n;
	FILE *f = fopen(host, "rb");

	if (!f || fstat(fileno(f), &st) < 0)
		die("cannot open %s: %s", host, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("%s is not a regular file%s", host, "");
	header(name, 0100000 | mode, (unsigned long long)st.st_size,
	       (unsigned long)st.st_mtime, 0, 0);
	unsigned long long left = (unsigned long long)st.st_size;
	while (left && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (n > left)
			n = (size_t)left;
		put(buf, n);
		left -= n;
	}
	if (left)
		die("%s changed while being read%s", host, "");
	fclose(f);
	pad4();
}

static void add_entry(char *line)
{
	char copy[4096];
	char *argv[8];
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *tok = strtok(line, " \t\r\n"); tok && argc < 8;
	     tok = strtok(NULL, " \t\r\n"))
		argv[argc++] = tok;
	if (argc == 0 || argv[0][0] == '#')
		return;
	if (strcmp(argv[0], "dir") == 0 && argc == 3) {
		header(argv[1], 0040000 | parse_mode(argv[2], copy), 0, 0, 0,
		       0);
	} else if (strcmp(argv[0], "file") == 0 && argc == 4) {
		add_file(argv[1], argv[2], parse_mode(argv[3], copy));
	} else if (strcmp(argv[0], "slink") == 0 && argc == 3) {
		size_t len = strlen(argv[2]);

		header(argv[1], 0120777, len, 0, 0, 0);
		put(argv[2], len);
		pad4();
	} else if (strcmp(argv[0], "nod") == 0 && argc == 6 &&
		   (argv[3][0] == 'c' || argv[3][0] == 'b') && !argv[3][1]) {
		unsigned type = argv[3][0] == 'c' ? 0020000 : 0060000;

		header(argv[1], type | parse_mode(argv[2], copy), 0, 0,
		       (unsigned)strtoul(argv[4], NULL, 10),
		       (unsigned)strtoul(argv[5], NULL, 10));
	} else {
		die("bad entry '%s'%s", copy, "");
	}
}

static void add_spec_file(const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		add_entry(line);
	fclose(f);
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc < 3 || strcmp(argv[1], "-o") != 0) {
		fprintf(stderr,
			"usage: mkinitramfs -o OUT [-f SPECFILE]... [ENTRY]...\n"
			"entries: 'dir NAME MODE', 'file NAME HOSTPATH MODE',\n"
			"         'slink NAME TARGET', 'nod NAME MODE c|b MAJ MIN'\n");
		return 2;
	}
	out_path = argv[2];
	out = fopen(out_path, "wb");
	if (!out)
		die("cannot create %s: %s", out_path, strerror(errno));
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			add_spec_file(argv[++i]);
		} else {
			char line[4096];

			snprintf(line, sizeof(line), "%s", argv[i]);
			add_entry(line);
		}
	}
	next_ino = 0;
	header("TRAILER!!!", 0, 0, 0, 0, 0);
	/* Loaders and Linux like archives padded to 512 bytes. */
	while (offset % 512)
		put("", 1);
	if (fclose(out) != 0)
		die("cannot write %s: %s", out_path, strerror(errno));
	return 0;
}
