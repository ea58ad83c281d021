/*
 * Hostile guest: the hosted stub lives right above the user range, at
 * 0x7fff00000000. Mapping over it, unmapping or protecting it, moving
 * the break or a mapping into it must all fail (it is outside the
 * guest's address space), and the guest keeps running afterwards.
 * HOSTILE_EXPECT: exit 0
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostile.h"

#define STUB 0x7fff00000000ULL
#define USER_END STUB

static long raw(long nr, long a, long b, long c, long d, long e, long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

int main(void)
{
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	long r;

	r = raw(SYS_mmap, STUB, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		anon | MAP_FIXED, -1, 0);
	expect_errno("mmap MAP_FIXED on the stub", r, ENOMEM, EINVAL, 0);
	r = raw(SYS_mmap, USER_END - 4096, 8192, PROT_READ | PROT_WRITE,
		anon | MAP_FIXED, -1, 0);
	expect_errno("mmap MAP_FIXED across the end of the user range", r,
		     ENOMEM, EINVAL, 0);
	r = raw(SYS_mmap, STUB + 0x100000, 4096, PROT_READ, anon | MAP_FIXED,
		-1, 0);
	expect_errno("mmap MAP_FIXED above the stub", r, ENOMEM, EINVAL, 0);
	r = raw(SYS_mmap, STUB, 4096, PROT_READ, anon | MAP_FIXED_NOREPLACE, -1,
		0);
	if (r == -1)
		pass("mmap MAP_FIXED_NOREPLACE on the stub: %s",
		     strerror(errno));
	else if ((uint64_t)r < USER_END)
		pass("mmap MAP_FIXED_NOREPLACE on the stub: placed below "
		     "(flag not known)");
	else
		failf("mmap MAP_FIXED_NOREPLACE on the stub gave %#lx", r);

	r = raw(SYS_mmap, STUB, 4096, PROT_READ | PROT_WRITE, anon, -1, 0);
	if (r != -1 && (uint64_t)r + 4096 <= USER_END)
		pass("mmap with the stub as a hint lands in the user range");
	else
		failf("mmap with the stub as a hint gave %#lx", r);

	r = raw(SYS_munmap, STUB, 4096, 0, 0, 0, 0);
	expect_errno("munmap of the stub", r, EINVAL, ENOMEM, 0);
	r = raw(SYS_munmap, USER_END - 4096, 1ULL << 32, 0, 0, 0, 0);
	expect_errno("munmap reaching into the stub", r, EINVAL, ENOMEM, 0);
	r = raw(SYS_mprotect, STUB, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, 0,
		0, 0);
	expect_errno("mprotect of the stub", r, ENOMEM, EINVAL, 0);
	r = raw(SYS_madvise, STUB, 4096, MADV_DONTNEED, 0, 0, 0);
	expect_errno("madvise(DONTNEED) of the stub", r, ENOMEM, EINVAL, 0);
	r = raw(SYS_mremap, (long)mmap(NULL, 4096, PROT_READ, anon, -1, 0),
		4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, STUB, 0);
	expect_errno("mremap onto the stub", r, EINVAL, ENOMEM, ENOSYS, 0);

	r = raw(SYS_brk, 0, 0, 0, 0, 0, 0);
	long cur = r;
	r = raw(SYS_brk, STUB + 4096, 0, 0, 0, 0, 0);
	if (r == cur)
		pass("brk into the stub is refused (break stays at %#lx)", cur);
	else
		failf("brk into the stub moved the break to %#lx", r);

	/* Still alive, with working memory. */
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, anon, -1, 0);
	if (p != MAP_FAILED) {
		strcpy(p, "alive");
		pass("the guest still runs and maps memory (%s)", p);
	} else {
		failf("mmap after the attempts: %s", strerror(errno));
	}
	return hostile_exit();
}
