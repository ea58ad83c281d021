/*
 * fuzz_ext2.c: the ext2 fuzzer (layer: test harness over fuzz_kernel.c).
 * The input is a disk image: the test HAL attaches it as /dev/vda, the
 * kernel boots, and init mounts it on /mnt through mount(2). A hostile
 * image may be refused with an errno, never crash the kernel or hang it.
 * When the mount succeeds, init walks it through the real syscalls
 * (getdents64, newfstatat, readlinkat, openat, read), then changes it
 * (a file written and renamed, a directory made and removed, a link, an
 * unlink, a truncate) and unmounts it, which must succeed since nothing
 * stays open.
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
#define BUF_PATH2 (BUF + 0x1000)
#define BUF_STAT (BUF + 0x2000)
#define BUF_DENTS (BUF + 0x3000)
#define BUF_DATA (BUF + 0x4000)
#define MAX_VISITS 128
#define MAX_DEPTH 6
#define MAX_IMAGE (1 << 20)

static int visits;

static long sys(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return syscall_invoke(nr, args);
}

static void put_str(struct mm *mm, uint64_t at, const char *s)
{
	vm_write(mm, at, s, strlen(s) + 1, false);
}

static void check_errno(const char *what, long r)
{
	/* Results are counts or Linux errnos, never a kernel code. */
	if (r < 0 && r < -133)
		fuzz_fail("%s returned %ld", what, r);
}

/* Reads f to its end (at most 64 reads): each read that returns bytes
 * must move the position by as many, or a reader would loop. */
static void read_all(long f)
{
	long pos = 0;

	for (int i = 0; i < 64; i++) {
		long n = sys(SYS_read, (uint64_t)f, BUF_DATA, 4096, 0), now;

		check_errno("read", n);
		if (n <= 0)
			return;
		now = sys(SYS_lseek, (uint64_t)f, 0, 1 /* SEEK_CUR */, 0);
		if (now != pos + n)
			fuzz_fail("read returned %ld but moved from %ld to %ld",
				  n, pos, now);
		pos = now;
	}
}

static void walk(struct mm *mm, const char *dir, int depth)
{
	char dents[0x1000], child[512];
	long fd, n;

	if (depth > MAX_DEPTH || ++visits > MAX_VISITS)
		return;
	put_str(mm, BUF_PATH, dir);
	fd = sys(SYS_openat, (uint64_t)AT_FDCWD, BUF_PATH,
		 O_RDONLY | O_DIRECTORY, 0);
	check_errno("openat(dir)", fd);
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
			if (!strcmp(name, ".") || !strcmp(name, "..") ||
			    strchr(name, '/'))
				continue;
			if (snprintf(child, sizeof(child), "%s/%s", dir,
				     name) >= (int)sizeof(child))
				continue;
			put_str(mm, BUF_PATH, child);
			check_errno("newfstatat",
				    sys(SYS_newfstatat, (uint64_t)AT_FDCWD,
					BUF_PATH, BUF_STAT,
					0x100 /* AT_SYMLINK_NOFOLLOW */));
			check_errno("readlinkat",
				    sys(SYS_readlinkat, (uint64_t)AT_FDCWD,
					BUF_PATH, BUF_DATA, 256));
			if (type == 4 /* DT_DIR */) {
				walk(mm, child, depth + 1);
			} else if (type == 8 /* DT_REG */) {
				long f = sys(SYS_openat, (uint64_t)AT_FDCWD,
					     BUF_PATH, O_RDONLY | O_NONBLOCK,
					     0);

				check_errno("openat", f);
				if (f >= 0) {
					read_all(f);
					check_errno("pread64",
						    sys(SYS_pread64,
							(uint64_t)f, BUF_DATA,
							2048, 70000));
					sys(SYS_close, (uint64_t)f, 0, 0, 0);
				}
			}
			if (visits > MAX_VISITS)
				break;
		}
	}
	check_errno("getdents64", n);
	sys(SYS_close, (uint64_t)fd, 0, 0, 0);
}

/* Changes the mounted image the ways a program would. */
static void modify(struct mm *mm)
{
	static const char data[] = "written by the ext2 fuzzer\n";
	long fd;

	put_str(mm, BUF_PATH, "/mnt/fuzz-new");
	fd = sys(SYS_openat, (uint64_t)AT_FDCWD, BUF_PATH,
		 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check_errno("openat(O_CREAT)", fd);
	if (fd >= 0) {
		vm_write(mm, BUF_DATA, data, sizeof(data), false);
		check_errno("write", sys(SYS_write, (uint64_t)fd, BUF_DATA,
					 sizeof(data), 0));
		check_errno("pwrite64", sys(SYS_pwrite64, (uint64_t)fd,
					    BUF_DATA, sizeof(data), 300000));
		check_errno("ftruncate",
			    sys(SYS_ftruncate, (uint64_t)fd, 5000, 0, 0));
		check_errno("fsync", sys(SYS_fsync, (uint64_t)fd, 0, 0, 0));
		sys(SYS_close, (uint64_t)fd, 0, 0, 0);
	}
	put_str(mm, BUF_PATH2, "/mnt/fuzz-dir");
	check_errno("mkdir", sys(SYS_mkdir, BUF_PATH2, 0755, 0, 0));
	put_str(mm, BUF_PATH2, "/mnt/fuzz-dir/moved");
	check_errno("rename", sys(SYS_rename, BUF_PATH, BUF_PATH2, 0, 0));
	put_str(mm, BUF_PATH, "/mnt/fuzz-link");
	check_errno("link", sys(SYS_link, BUF_PATH2, BUF_PATH, 0, 0));
	check_errno("unlink", sys(SYS_unlink, BUF_PATH2, 0, 0, 0));
	put_str(mm, BUF_PATH2, "/mnt/fuzz-dir");
	check_errno("rmdir", sys(SYS_rmdir, BUF_PATH2, 0, 0, 0));
	put_str(mm, BUF_PATH2, "/mnt/lost+found/fuzz-sym");
	check_errno("symlink", sys(SYS_symlink, BUF_PATH, BUF_PATH2, 0, 0));
	check_errno("unlink", sys(SYS_unlink, BUF_PATH2, 0, 0, 0));
	check_errno("sync", sys(SYS_sync, 0, 0, 0, 0));
}

static void run(const uint8_t *data, size_t size)
{
	struct mm *mm;
	long err;

	if (hal_test_disk_add(data, size, false) != 0)
		return;
	if (fuzz_boot(NULL))
		return;
	mm = current->task->mm;
	if (vm_map(mm, BUF, 0x5000, VM_READ | VM_WRITE, 0, NULL))
		return;
	put_str(mm, BUF_PATH, "/mnt");
	if (sys(SYS_mkdir, BUF_PATH, 0755, 0, 0) < 0)
		return;
	put_str(mm, BUF_PATH, "/dev/vda");
	put_str(mm, BUF_PATH2, "/mnt");
	put_str(mm, BUF_DATA, "ext2");
	err = syscall_invoke(SYS_mount,
			     (const uint64_t[6]){ BUF_PATH, BUF_PATH2, BUF_DATA,
						  0, 0, 0 });
	check_errno("mount", err);
	if (err < 0)
		return;
	visits = 0;
	walk(mm, "/mnt", 0);
	modify(mm);
	put_str(mm, BUF_PATH, "/mnt");
	err = sys(SYS_umount2, BUF_PATH, 0, 0, 0);
	if (err != 0)
		fuzz_fail("umount2 of an idle mount returned %ld", err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_IMAGE)
		return 0;
	if (!FUZZ_RUN(run(data, size)))
		fuzz_fail("the kernel halted");
	fuzz_check_leaks();
	fuzz_reset();
	return 0;
}
