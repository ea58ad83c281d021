/*
 * Hostile guest: raw `syscall` instructions from addresses libc never
 * uses (fresh anonymous pages, the top page of the user range). Each is
 * just another trapped syscall: it reaches Ember, with Ember's answers
 * (getpid matches, unknown numbers are ENOSYS), never the host.
 * HOSTILE_EXPECT: exit 0
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostile.h"

/* mov %rdi,%rax; mov %rsi,%rdi; syscall; ret */
static const unsigned char stub[] = { 0x48, 0x89, 0xf8, 0x48, 0x89,
				      0xf7, 0x0f, 0x05, 0xc3 };

typedef long (*raw_fn)(long nr, long a0);

static raw_fn place(void *hint, int flags, size_t at)
{
	unsigned char *p = mmap(hint, 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p + at, stub, sizeof(stub));
	if (mprotect(p, 8192, PROT_READ | PROT_EXEC) != 0)
		return NULL;
	return (raw_fn)(p + at);
}

static void try_from(const char *where, raw_fn f)
{
	long pid = getpid(), r;

	if (!f) {
		failf("%s: cannot place code: %s", where, strerror(errno));
		return;
	}
	r = f(SYS_getpid, 0);
	if (r == pid)
		pass("%s: getpid through a raw syscall is %ld", where, r);
	else
		failf("%s: getpid through a raw syscall gave %ld, not %ld",
		      where, r, pid);
	r = f(1000, 0);
	if (r == -ENOSYS)
		pass("%s: syscall 1000 is ENOSYS", where);
	else
		failf("%s: syscall 1000 gave %ld", where, r);
	r = f(-1, 0);
	if (r == -ENOSYS)
		pass("%s: syscall -1 is ENOSYS", where);
	else
		failf("%s: syscall -1 gave %ld", where, r);
	/* The upper half of rax is ignored, as on Linux: still getpid. */
	r = f((long)(0x100000000ULL | SYS_getpid), 0);
	if (r == pid)
		pass("%s: rax 0x1_0000_0027 is getpid", where);
	else
		failf("%s: rax 0x1_0000_0027 gave %ld", where, r);
}

int main(void)
{
	try_from("anonymous page", place(NULL, 0, 0));
	/* Crossing into the next page mid-instruction sequence. */
	try_from("page edge", place(NULL, 0, 4096 - 4));
	/* The highest pages of the user range, just below the stub. */
	try_from("top of the user range",
		 place((void *)(0x7fff00000000ULL - 8192), MAP_FIXED, 100));
	return hostile_exit();
}
