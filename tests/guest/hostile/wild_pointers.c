/*
 * Hostile guest: system calls handed pointers to memory that is not the
 * guest's: the stub above the user range, kernel and non-canonical
 * addresses, the vsyscall page, tiny addresses, and buffers that run off
 * the end of the user range. Every one is EFAULT; nothing of the kernel
 * or the host comes back.
 * HOSTILE_EXPECT: exit 0
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

static const uint64_t wild[] = {
	0x1,
	0x1000,
	0x7fff00000000ULL, /* the hosted stub */
	0x7fff00000040ULL,
	0x7ffffffff000ULL,
	0x800000000000ULL, /* non-canonical */
	0xffff800000000000ULL,
	0xffffffffff600000ULL, /* vsyscall */
	0xfffffffffffff000ULL,
};

static long raw(long nr, long a, long b, long c, long d)
{
	return syscall(nr, a, b, c, d);
}

int main(void)
{
	char what[96];
	int fd = open("/tmp/wild", O_RDWR | O_CREAT | O_TRUNC, 0600);
	int zero = open("/dev/zero", O_RDONLY);

	if (fd < 0 || zero < 0 || write(fd, "0123456789abcdef", 16) != 16) {
		failf("setup: %s", strerror(errno));
		return hostile_exit();
	}
	for (size_t i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		long a = (long)wild[i];

		snprintf(what, sizeof(what), "write(file, %#lx)", a);
		expect_errno(what, raw(SYS_write, fd, a, 16, 0), EFAULT, 0);
		snprintf(what, sizeof(what), "pread(file) into %#lx", a);
		expect_errno(what, raw(SYS_pread64, fd, a, 16, 0), EFAULT, 0);
		snprintf(what, sizeof(what), "read(/dev/zero) into %#lx", a);
		expect_errno(what, raw(SYS_read, zero, a, 16, 0), EFAULT, 0);
		snprintf(what, sizeof(what), "open(%#lx)", a);
		expect_errno(what, raw(SYS_open, a, O_RDONLY, 0, 0), EFAULT, 0);
		snprintf(what, sizeof(what), "stat(/, %#lx)", a);
		expect_errno(what, raw(SYS_stat, (long)"/", a, 0, 0), EFAULT,
			     0);
		snprintf(what, sizeof(what), "uname(%#lx)", a);
		expect_errno(what, raw(SYS_uname, a, 0, 0, 0), EFAULT, 0);
		snprintf(what, sizeof(what), "clock_gettime(%#lx)", a);
		expect_errno(what,
			     raw(SYS_clock_gettime, CLOCK_REALTIME, a, 0, 0),
			     EFAULT, 0);
		struct iovec iov = { (void *)a, 16 };
		snprintf(what, sizeof(what), "writev from %#lx", a);
		expect_errno(what, raw(SYS_writev, fd, (long)&iov, 1, 0),
			     EFAULT, 0);
		snprintf(what, sizeof(what), "readv into %#lx", a);
		lseek(fd, 0, SEEK_SET);
		expect_errno(what, raw(SYS_readv, fd, (long)&iov, 1, 0), EFAULT,
			     0);
	}

	/* The last page of the user range: a buffer that runs off its end
	 * copies nothing past it. */
	char *top = mmap((void *)(0x7fff00000000ULL - 4096), 4096,
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (top == MAP_FAILED) {
		failf("mmap of the top page: %s", strerror(errno));
	} else {
		memset(top, 'x', 4096);
		long r = raw(SYS_pread64, fd, (long)(top + 4096 - 8), 16, 0);
		if (r == 8 || (r == -1 && errno == EFAULT))
			pass("pread across the end of the user range: %s",
			     r == 8 ? "8 bytes (short)" : "EFAULT");
		else
			failf("pread across the end of the user range gave %ld",
			      r);
		r = raw(SYS_write, fd, (long)(top + 4096 - 8), 16, 0);
		if (r == 8 || (r == -1 && errno == EFAULT))
			pass("write across the end of the user range: %s",
			     r == 8 ? "8 bytes (short)" : "EFAULT");
		else
			failf("write across the end of the user range gave %ld",
			      r);
	}
	unlink("/tmp/wild");
	return hostile_exit();
}
