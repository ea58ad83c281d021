/*
 * fuzz_cpio.c: the initramfs fuzzer (layer: test harness over
 * fuzz_kernel.c). The input is the boot module: vfs_init unpacks it into
 * the tmpfs root (src/fs/initramfs.c, cpio "newc"), exactly as a boot
 * with that archive would. A hostile archive may make the boot fail with
 * an errno, never crash it. When the boot succeeds, init walks the tree
 * it produced through the real syscalls (getdents64, newfstatat,
 * readlinkat, openat, read), so that whatever the archive created (odd
 * modes, devices, links, names) is also looked at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

#include "fuzz.h"
#include "ktest.h"

#define BUF 0x10000ULL /* user scratch: paths, stat, dirents, data */
#define BUF_PATH (BUF)
#define BUF_STAT (BUF + 0x1000)
#define BUF_DENTS (BUF + 0x2000)
#define BUF_DATA (BUF + 0x3000)
#define MAX_VISITS 256
#define MAX_DEPTH 8

static int visits;

static long sys(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return syscall_invoke(nr, args);
}

static void put_path(struct mm *mm, const char *path)
{
	vm_write(mm, BUF_PATH, path, strlen(path) + 1, false);
}

static void walk(struct mm *mm, const char *dir, int depth)
{
	char dents[0x1000], child[PATH_MAX];
	long fd, n;

	if (depth > MAX_DEPTH || ++visits > MAX_VISITS)
		return;
	put_path(mm, dir);
	fd = sys(SYS_openat, (uint64_t)AT_FDCWD, BUF_PATH,
		 O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return;
	while ((n = sys(SYS_getdents64, (uint64_t)fd, BUF_DENTS, sizeof(dents),
			0)) > 0) {
		if (vm_read(mm, dents, BUF_DENTS, (size_t)n))
			break;
		for (long off = 0; off + 19 < n;) {
			uint16_t reclen;
			const char *name = dents + off + 19;
			unsigned char type = (unsigned char)dents[off + 18];

			memcpy(&reclen, dents + off + 16, 2);
			if (reclen < 20 || off + reclen > n)
				fuzz_fail("getdents64: bad record length %u",
					  reclen);
			off += reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			if (ksnprintf(child, sizeof(child), "%s/%s",
				      strcmp(dir, "/") ? dir : "",
				      name) >= (int)sizeof(child))
				continue;
			put_path(mm, child);
			sys(SYS_newfstatat, (uint64_t)AT_FDCWD, BUF_PATH,
			    BUF_STAT, 0x100 /* AT_SYMLINK_NOFOLLOW */);
			sys(SYS_readlinkat, (uint64_t)AT_FDCWD, BUF_PATH,
			    BUF_DATA, 256);
			if (type == 4 /* DT_DIR */) {
				walk(mm, child, depth + 1);
			} else if (type == 8 /* DT_REG */ &&
				   strncmp(child, "/dev", 4) != 0) {
				long f = sys(SYS_openat, (uint64_t)AT_FDCWD,
					     BUF_PATH, O_RDONLY | O_NONBLOCK,
					     0);

				if (f >= 0) {
					sys(SYS_read, (uint64_t)f, BUF_DATA,
					    4096, 0);
					sys(SYS_close, (uint64_t)f, 0, 0, 0);
				}
			}
			if (visits > MAX_VISITS)
				break;
		}
	}
	sys(SYS_close, (uint64_t)fd, 0, 0, 0);
}

static void run(const uint8_t *data, size_t size)
{
	struct fuzz_boot_opts o = { .initramfs = data, .initramfs_len = size };
	struct mm *mm;
	int err = fuzz_boot(&o);

	if (err) {
		/* A refused archive: an errno, and the boot stops there. */
		if (err >= 0 || err < -133)
			fuzz_fail("vfs_init returned %d", err);
		return;
	}
	mm = current->task->mm;
	if (vm_map(mm, BUF, 0x4000, VM_READ | VM_WRITE, 0, NULL))
		return;
	visits = 0;
	walk(mm, "/", 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!FUZZ_RUN(run(data, size)))
		fuzz_fail("the kernel halted");
	fuzz_check_leaks();
	fuzz_reset();
	return 0;
}
