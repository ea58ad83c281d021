/*
 * Guest: memory. malloc small and big, anonymous mmap/munmap/mprotect,
 * MAP_FIXED replacing part of a mapping, the program break through the raw
 * brk system call (musl's sbrk refuses to move it), touching 64 MiB, and a
 * MAP_PRIVATE file mapping. Addresses are never printed, only relations.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"

#define PAGE 4096UL

static void heap(void)
{
	enum { N = 2000 };
	static unsigned char *small[N];
	int bad = 0;

	printf("== malloc\n");
	for (int i = 0; i < N; i++) {
		small[i] = malloc(1 + i % 200);
		if (!small[i]) {
			bad++;
			continue;
		}
		memset(small[i], i & 0xff, 1 + i % 200);
	}
	for (int i = 0; i < N; i++)
		for (int j = 0; small[i] && j < 1 + i % 200; j++)
			bad += small[i][j] != (i & 0xff);
	for (int i = 0; i < N; i += 2)
		free(small[i]);
	for (int i = 0; i < N; i += 2)
		small[i] = malloc(64);
	for (int i = 0; i < N; i++)
		free(small[i]);
	CHECK("2000 small blocks keep their contents", bad == 0);

	size_t big = 32UL << 20;
	unsigned char *p = malloc(big);
	CHECK("malloc 32 MiB", p != NULL);
	if (p) {
		memset(p, 0x5a, big);
		size_t sum = 0;
		for (size_t i = 0; i < big; i += PAGE)
			sum += p[i];
		CHECK("32 MiB block readable", sum == 0x5aUL * (big / PAGE));
		p = realloc(p, big / 2);
		CHECK("realloc down keeps data", p && p[big / 2 - 1] == 0x5a);
		free(p);
	}
	unsigned char *z = calloc(1 << 20, 1);
	int nz = 0;
	for (size_t i = 0; z && i < (1 << 20); i++)
		nz |= z[i];
	CHECK("calloc 1 MiB is zero", z && nz == 0);
	free(z);
	errno = 0;
	void *huge = malloc((size_t)1 << 62);
	CHECK("malloc 2^62 fails", huge == NULL);
	printf("malloc 2^62 errno: %s\n", errname(errno));
}

static void anon(void)
{
	printf("== anonymous mmap\n");
	size_t len = 1 << 20;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap 1 MiB", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK("mmap result page-aligned", ((uintptr_t)p & (PAGE - 1)) == 0);
	int nz = 0;
	for (size_t i = 0; i < len; i++)
		nz |= p[i];
	CHECK("fresh anonymous memory is zero", nz == 0);
	memset(p, 0xab, len);
	/* Unmapping the middle leaves both ends intact. */
	EXPECT_OK("munmap middle", munmap(p + PAGE * 4, PAGE * 4));
	CHECK("pages around the hole keep data",
	      p[PAGE * 4 - 1] == 0xab && p[PAGE * 8] == 0xab);
	/* A hint at the hole is honoured when the range is free. */
	void *q = mmap(p + PAGE * 4, PAGE * 4, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("remap into the hole (hint)", q == p + PAGE * 4);
	CHECK("remapped hole is zero",
	      q != MAP_FAILED && ((unsigned char *)q)[0] == 0);

	EXPECT_OK("mprotect PROT_READ", mprotect(p, PAGE * 2, PROT_READ));
	CHECK("read-only page still readable",
	      p[0] == 0xab && p[PAGE * 2 - 1] == 0xab);
	EXPECT_OK("mprotect back to RW",
		  mprotect(p, PAGE * 2, PROT_READ | PROT_WRITE));
	p[0] = 1;
	CHECK("writable again", p[0] == 1);
	EXPECT_OK("mprotect PROT_NONE",
		  mprotect(p + PAGE * 2, PAGE, PROT_NONE));
	EXPECT_OK("mprotect PROT_NONE back",
		  mprotect(p + PAGE * 2, PAGE, PROT_READ | PROT_WRITE));
	CHECK("data survives PROT_NONE", p[PAGE * 2] == 0xab);
	/* Raw: musl's mprotect rounds the start down to a page itself. */
	EXPECT_ERR("mprotect unaligned",
		   syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	EXPECT_ERR("mprotect bad prot", mprotect(p, PAGE, 0x1000), EINVAL);
	EXPECT_ERR("munmap unaligned", munmap(p + 1, PAGE), EINVAL);
	EXPECT_ERR("munmap length 0", munmap(p, 0), EINVAL);
	EXPECT_OK("munmap all", munmap(p, len));
	EXPECT_OK("munmap again (nothing mapped)", munmap(p, len));

	EXPECT_ERR("mmap length 0",
		   (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0),
		   EINVAL);
	EXPECT_ERR("mmap neither PRIVATE nor SHARED",
		   (long)mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0),
		   EINVAL);
	EXPECT_ERR("mmap bad fd",
		   (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 99, 0),
		   EBADF);
	/* Raw: both libcs reject an unaligned offset before the kernel. */
	EXPECT_ERR("mmap unaligned offset",
		   syscall(SYS_mmap, 0, PAGE, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 1),
		   EINVAL);

	/* MAP_FIXED replaces whatever was mapped in its range. */
	unsigned char *f = mmap(NULL, PAGE * 4, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap 4 pages", f != MAP_FAILED);
	if (f == MAP_FAILED)
		return;
	memset(f, 7, PAGE * 4);
	unsigned char *g = mmap(f + PAGE, PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK("MAP_FIXED returns the address", g == f + PAGE);
	CHECK("MAP_FIXED page is fresh", f[PAGE] == 0 && f[PAGE * 2 - 1] == 0);
	CHECK("neighbours untouched", f[PAGE - 1] == 7 && f[PAGE * 2] == 7);
	EXPECT_ERR("MAP_FIXED unaligned",
		   (long)mmap(f + 1, PAGE, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		   EINVAL);
	void *nr = mmap(f, PAGE, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			0);
	CHECK("MAP_FIXED_NOREPLACE over a mapping fails", nr == MAP_FAILED);
	printf("MAP_FIXED_NOREPLACE errno: %s\n", errname(errno));
	munmap(f, PAGE * 4);
}

static void touch64(void)
{
	printf("== 64 MiB\n");
	size_t len = 64UL << 20;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap 64 MiB", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	for (size_t i = 0; i < len; i += PAGE)
		p[i] = (unsigned char)(i / PAGE);
	size_t bad = 0;
	for (size_t i = 0; i < len; i += PAGE)
		bad += p[i] != (unsigned char)(i / PAGE);
	CHECK("every page of 64 MiB keeps its byte", bad == 0);
	EXPECT_OK("munmap 64 MiB", munmap(p, len));
}

static void program_break(void)
{
	printf("== brk\n");
	uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
	CHECK("brk(0) returns the break", cur != 0);
	uintptr_t want = cur + (256UL << 10);
	uintptr_t got = (uintptr_t)syscall(SYS_brk, want);
	CHECK("brk grows by 256 KiB", got == want);
	if (got == want) {
		unsigned char *p = (unsigned char *)cur;
		size_t nz = 0;
		for (size_t i = 0; i < want - cur; i++)
			nz |= p[i];
		CHECK("grown break is zero", nz == 0);
		memset(p, 0x11, want - cur);
		CHECK("grown break is writable", p[want - cur - 1] == 0x11);
	}
	CHECK("brk(0) sees the new break",
	      (uintptr_t)syscall(SYS_brk, 0) == got);
	/* A failed brk returns the current break, not an error. */
	CHECK("brk to a low address is refused",
	      (uintptr_t)syscall(SYS_brk, 4096) == got);
	CHECK("brk shrinks back", (uintptr_t)syscall(SYS_brk, cur) == cur);
	CHECK("regrown break is zero again",
	      (uintptr_t)syscall(SYS_brk, want) == want &&
		      ((unsigned char *)cur)[0] == 0);
	CHECK("brk shrinks back", (uintptr_t)syscall(SYS_brk, cur) == cur);
}

static void file_map(void)
{
	printf("== file mmap\n");
	char path[] = "/tmp/ember-mem-XXXXXX";
	int fd = mkstemp(path);
	CHECK("mkstemp", fd >= 0);
	if (fd < 0)
		return;
	size_t len = 3 * PAGE + 100;
	unsigned char *data = malloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + i / 13);
	EXPECT_OK("write file", write(fd, data, len));

	unsigned char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("mmap file MAP_PRIVATE", m != MAP_FAILED);
	if (m != MAP_FAILED) {
		CHECK("mapping equals the file", memcmp(m, data, len) == 0);
		/* The tail of the last page past EOF reads as zeros. */
		int nz = 0;
		for (size_t i = len; i < 4 * PAGE; i++)
			nz |= m[i];
		CHECK("past EOF in the last page is zero", nz == 0);
		munmap(m, len);
	}

	unsigned char *w = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE, fd, PAGE);
	CHECK("mmap at offset 4096, writable private", w != MAP_FAILED);
	if (w != MAP_FAILED) {
		CHECK("offset mapping matches",
		      memcmp(w, data + PAGE, 2 * PAGE) == 0);
		w[0] ^= 0xff;
		unsigned char b;
		CHECK("pread after private write",
		      pread(fd, &b, 1, PAGE) == 1 && b == data[PAGE]);
		CHECK("private copy changed",
		      w[0] == (unsigned char)(data[PAGE] ^ 0xff));
		munmap(w, 2 * PAGE);
	}
	/* A file opened write-only cannot be mapped. */
	int wfd = open(path, O_WRONLY);
	EXPECT_ERR("mmap O_WRONLY fd",
		   (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wfd, 0),
		   EACCES);
	close(wfd);
	close(fd);
	/* The mapping outlives the fd and the name. */
	fd = open(path, O_RDONLY);
	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	unlink(path);
	CHECK("mapping survives close and unlink",
	      m != MAP_FAILED && memcmp(m, data, len) == 0);
	if (m != MAP_FAILED)
		munmap(m, len);
	free(data);
}

int main(void)
{
	heap();
	anon();
	touch64();
	program_break();
	file_map();
	return guest_exit();
}
