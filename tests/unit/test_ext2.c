/*
 * test_ext2.c: ext2 on a memory disk of the test HAL, through the real
 * syscalls (layer: unit tests; relies on ktest's boot helpers, the test
 * HAL's disks, and the host's mke2fs and e2fsck). Images come from
 * mke2fs at test time; after each unmount the image is checked by
 * `e2fsck -fn` (the independent oracle for bitmaps, counters, link
 * counts and directories) and its superblock is read here directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <kern/blkdev.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/mount.h>
#include <uapi/stat.h>
#include <uapi/statfs.h>

#include "ktest.h"

#define RENAME_NOREPLACE_ 1
#define RENAME_EXCHANGE_ 2

static char tmpl[] = "/tmp/ember-ext2-XXXXXX";

/* A fresh mke2fs image of kib KiB with block size bsize (extra: more
 * mke2fs options), in malloc'ed memory. */
static void *make_image(unsigned bsize, unsigned kib, const char *extra,
			size_t *len)
{
	char path[sizeof(tmpl)], cmd[512];
	FILE *f;
	void *buf;
	int fd;

	memcpy(path, tmpl, sizeof(tmpl));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "mke2fs -q -F -t ext2 -b %u %s %s %uk >/dev/null 2>&1", bsize,
		 extra ? extra : "", path, kib);
	ck_assert_msg(system(cmd) == 0,
		      "mke2fs failed (is e2fsprogs installed?)");
	*len = (size_t)kib * 1024;
	buf = malloc(*len);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(buf, 1, *len, f), *len);
	fclose(f);
	unlink(path);
	return buf;
}

/* `e2fsck -fn` of disk's current contents: its exit status (0: clean). */
static int fsck_disk(int disk)
{
	char path[sizeof(tmpl)], cmd[512];
	size_t len;
	void *data = hal_test_disk_data(disk, &len);
	FILE *f;
	int fd, rc;

	memcpy(path, tmpl, sizeof(tmpl));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "e2fsck -fn %s >%s.log 2>&1", path, path);
	rc = system(cmd);
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s.log >&2", path);
		(void)system(cmd);
	}
	snprintf(cmd, sizeof(cmd), "%s.log", path);
	unlink(cmd);
	unlink(path);
	return rc;
}

static uint16_t disk_u16(int disk, size_t off)
{
	uint8_t *d = hal_test_disk_data(disk, NULL);

	return (uint16_t)(d[off] | d[off + 1] << 8);
}

static uint32_t disk_u32(int disk, size_t off)
{
	return disk_u16(disk, off) | (uint32_t)disk_u16(disk, off + 2) << 16;
}

#define SB_FREE_BLOCKS (1024 + 12)
#define SB_FREE_INODES (1024 + 16)
#define SB_STATE (1024 + 58)

static uint64_t ubuf(size_t len)
{
	return ktest_umap(len, VM_READ | VM_WRITE);
}

/* Boots with the image as /dev/vda and mounts it on /mnt. */
static int boot_mounted(void *img, size_t len, bool ro_disk,
			unsigned long flags)
{
	int disk = hal_test_disk_add(img, len, ro_disk);

	ck_assert_int_eq(disk, 0);
	free(img);
	ktest_boot();
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt"), 0755), 0);
	ck_assert_int_eq(ksys6(SYS_mount, ktest_ustr("/dev/vda"),
			       ktest_ustr("/mnt"), ktest_ustr("ext2"), flags,
			       ktest_ustr(""), 0),
			 0);
	return disk;
}

static int uopen(const char *path, unsigned flags)
{
	return (int)ksys3(SYS_open, ktest_ustr(path), flags, 0644);
}

static void write_file(const char *path, const void *data, size_t len)
{
	uint64_t u = ubuf(len ? len : 1);
	int fd = uopen(path, O_WRONLY | O_CREAT | O_TRUNC);

	ck_assert_int_ge(fd, 0);
	ktest_put(u, data, len);
	ck_assert_int_eq(ksys3(SYS_write, fd, u, len), (long)len);
	ck_assert_int_eq(ksys1(SYS_close, fd), 0);
}

static void check_file(const char *path, const void *data, size_t len)
{
	uint64_t u = ubuf(len + 16);
	void *got = malloc(len + 16);
	int fd = uopen(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "open %s: %d", path, fd);
	ck_assert_int_eq(ksys3(SYS_read, fd, u, len + 16), (long)len);
	ktest_get(got, u, len);
	ck_assert_msg(memcmp(got, data, len) == 0, "%s: contents differ", path);
	ck_assert_int_eq(ksys1(SYS_close, fd), 0);
	free(got);
}

static struct statfs statfs_of(const char *path)
{
	struct statfs st;
	uint64_t u = ubuf(sizeof(st));

	ck_assert_int_eq(ksys2(SYS_statfs, ktest_ustr(path), u), 0);
	ktest_get(&st, u, sizeof(st));
	return st;
}

static long umount_mnt(void)
{
	return ksys2(SYS_umount2, ktest_ustr("/mnt"), 0);
}

/* Names in a directory (without . and ..), by getdents64. */
static int count_entries(const char *path)
{
	uint64_t u = ubuf(4096);
	char buf[4096];
	int fd = (int)ksys3(SYS_open, ktest_ustr(path), O_RDONLY | O_DIRECTORY,
			    0);
	int n = 0;
	long got;

	ck_assert_int_ge(fd, 0);
	while ((got = ksys3(SYS_getdents64, fd, u, sizeof(buf))) > 0) {
		ktest_get(buf, u, (size_t)got);
		for (long off = 0; off < got;) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(name, ".") && strcmp(name, ".."))
				n++;
			off += reclen;
		}
	}
	ck_assert_int_eq(got, 0);
	ksys1(SYS_close, fd);
	return n;
}

START_TEST(create_read_unlink_counters)
{
	size_t len, n = 300 * 1024;
	void *img = make_image(1024, 4096, NULL, &len);
	unsigned char *data = malloc(n);
	struct statfs before, during, after;
	int disk = boot_mounted(img, len, false, 0);

	/* Mounted read-write: "not clean" is on the disk already. */
	ck_assert_int_eq(disk_u16(disk, SB_STATE) & 1, 0);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + i / 1024);
	before = statfs_of("/mnt");
	ck_assert_int_eq(before.f_type, EXT2_SUPER_MAGIC);
	ck_assert_int_eq(before.f_bsize, 1024);
	write_file("/mnt/file", data, n);
	check_file("/mnt/file", data, n);
	during = statfs_of("/mnt");
	/* 300 data blocks, one indirect, one double indirect with one
	 * indirect under it (12 + 256 + 32 blocks). */
	ck_assert_uint_eq(before.f_bfree - during.f_bfree, 300 + 1 + 2);
	ck_assert_uint_eq(before.f_ffree - during.f_ffree, 1);
	ck_assert_int_eq(ksys1(SYS_unlink, ktest_ustr("/mnt/file")), 0);
	after = statfs_of("/mnt");
	ck_assert_uint_eq(after.f_bfree, before.f_bfree);
	ck_assert_uint_eq(after.f_ffree, before.f_ffree);
	ck_assert_int_eq(uopen("/mnt/file", O_RDONLY), -ENOENT);
	write_file("/mnt/keep", data, 5000);
	ck_assert_int_eq(umount_mnt(), 0);
	ck_assert_int_eq(disk_u16(disk, SB_STATE) & 3, 1);
	ck_assert_uint_eq(disk_u32(disk, SB_FREE_BLOCKS), after.f_bfree - 5);
	ck_assert_uint_eq(disk_u32(disk, SB_FREE_INODES), after.f_ffree - 1);
	ck_assert_uint_ge(hal_test_disk_flushes(disk), 1);
	ck_assert_int_eq(fsck_disk(disk), 0);
	free(data);
}
END_TEST

START_TEST(dirs_links_rename)
{
	size_t len;
	void *img = make_image(2048, 4096, NULL, &len);
	int disk = boot_mounted(img, len, false, 0);
	char target[300];
	uint64_t u = ubuf(512);
	char buf[512];

	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt/a"), 0755), 0);
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt/a/b"), 0755), 0);
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt/c"), 0700), 0);
	write_file("/mnt/a/b/f1", "one", 3);
	write_file("/mnt/c/f2", "two", 3);
	/* Across directories, a file and a whole directory. */
	ck_assert_int_eq(ksys2(SYS_rename, ktest_ustr("/mnt/a/b/f1"),
			       ktest_ustr("/mnt/c/g1")),
			 0);
	ck_assert_int_eq(ksys2(SYS_rename, ktest_ustr("/mnt/a/b"),
			       ktest_ustr("/mnt/c/b")),
			 0);
	check_file("/mnt/c/g1", "one", 3);
	ck_assert_int_eq(ksys6(SYS_renameat2, AT_FDCWD, ktest_ustr("/mnt/c/g1"),
			       AT_FDCWD, ktest_ustr("/mnt/c/f2"),
			       RENAME_NOREPLACE_, 0),
			 -EEXIST);
	ck_assert_int_eq(ksys6(SYS_renameat2, AT_FDCWD, ktest_ustr("/mnt/c/g1"),
			       AT_FDCWD, ktest_ustr("/mnt/c/f2"),
			       RENAME_EXCHANGE_, 0),
			 0);
	check_file("/mnt/c/g1", "two", 3);
	check_file("/mnt/c/f2", "one", 3);
	/* Exchange two directories with different parents. */
	ck_assert_int_eq(ksys6(SYS_renameat2, AT_FDCWD, ktest_ustr("/mnt/c/b"),
			       AT_FDCWD, ktest_ustr("/mnt/a"), RENAME_EXCHANGE_,
			       0),
			 0);
	ck_assert_int_eq(ksys2(SYS_rename, ktest_ustr("/mnt/c/g1"),
			       ktest_ustr("/mnt/c/f2")),
			 0);
	check_file("/mnt/c/f2", "two", 3);
	/* Hard link, fast and slow symlinks. */
	ck_assert_int_eq(ksys2(SYS_link, ktest_ustr("/mnt/c/f2"),
			       ktest_ustr("/mnt/hard")),
			 0);
	memset(target, 'x', sizeof(target) - 1);
	target[sizeof(target) - 1] = 0;
	ck_assert_int_eq(ksys2(SYS_symlink, ktest_ustr(target),
			       ktest_ustr("/mnt/slow")),
			 0);
	ck_assert_int_eq(ksys2(SYS_symlink, ktest_ustr("c/f2"),
			       ktest_ustr("/mnt/fast")),
			 0);
	ck_assert_int_eq(ksys3(SYS_readlink, ktest_ustr("/mnt/slow"), u, 512),
			 (long)strlen(target));
	ktest_get(buf, u, strlen(target));
	ck_assert(memcmp(buf, target, strlen(target)) == 0);
	check_file("/mnt/fast", "two", 3);
	ck_assert_int_eq(ksys1(SYS_rmdir, ktest_ustr("/mnt/c")), -ENOTEMPTY);
	ck_assert_int_eq(ksys3(SYS_mknod, ktest_ustr("/mnt/fifo"),
			       S_IFIFO | 0644, 0),
			 0);
	ck_assert_int_eq(ksys3(SYS_mknod, ktest_ustr("/mnt/dev"),
			       S_IFCHR | 0644, (1 << 8) | 3),
			 0);
	ck_assert_int_eq(ksys1(SYS_rmdir, ktest_ustr("/mnt/c/b")), 0);
	ck_assert_int_eq(ksys2(SYS_chmod, ktest_ustr("/mnt/hard"), 0600), 0);
	ck_assert_int_eq(umount_mnt(), 0);
	ck_assert_int_eq(fsck_disk(disk), 0);
}
END_TEST

START_TEST(many_files_and_remount)
{
	size_t len;
	void *img = make_image(1024, 2048, "-N 512", &len);
	int disk = boot_mounted(img, len, false, 0);
	char path[64];

	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt/d"), 0755), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/mnt/d/file-with-a-long-name-%d",
			 i);
		write_file(path, path, strlen(path));
	}
	for (int i = 0; i < 300; i += 2) {
		snprintf(path, sizeof(path), "/mnt/d/file-with-a-long-name-%d",
			 i);
		ck_assert_int_eq(ksys1(SYS_unlink, ktest_ustr(path)), 0);
	}
	ck_assert_int_eq(count_entries("/mnt/d"), 150);
	for (int i = 1; i < 300; i += 2) {
		snprintf(path, sizeof(path), "/mnt/d/file-with-a-long-name-%d",
			 i);
		check_file(path, path, strlen(path));
	}
	/* Read-only remount: clean on the disk, writes refused. */
	ck_assert_int_eq(ksys6(SYS_mount, 0, ktest_ustr("/mnt"), 0,
			       MS_REMOUNT | MS_RDONLY, 0, 0),
			 0);
	ck_assert_int_eq(disk_u16(disk, SB_STATE) & 1, 1);
	ck_assert_int_eq(fsck_disk(disk), 0);
	ck_assert_int_eq(uopen("/mnt/new", O_WRONLY | O_CREAT), -EROFS);
	ck_assert_int_eq(ksys6(SYS_mount, 0, ktest_ustr("/mnt"), 0, MS_REMOUNT,
			       0, 0),
			 0);
	ck_assert_int_eq(disk_u16(disk, SB_STATE) & 1, 0);
	write_file("/mnt/new", "x", 1);
	ck_assert_int_eq(umount_mnt(), 0);
	ck_assert_int_eq(fsck_disk(disk), 0);
}
END_TEST

START_TEST(truncate_frees_blocks)
{
	size_t len, n = 6 << 20;
	void *img = make_image(4096, 16384, NULL, &len);
	unsigned char *data = malloc(n);
	struct statfs before, after;
	int disk = boot_mounted(img, len, false, 0);
	int fd;

	memset(data, 0xab, n);
	before = statfs_of("/mnt");
	write_file("/mnt/big", data, n);
	fd = uopen("/mnt/big", O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys2(SYS_ftruncate, fd, 10000), 0);
	after = statfs_of("/mnt");
	/* Three data blocks remain; every indirect block went. */
	ck_assert_uint_eq(before.f_bfree - after.f_bfree, 3);
	/* Growing again reads zeros past the old end. */
	ck_assert_int_eq(ksys2(SYS_ftruncate, fd, 20000), 0);
	ksys1(SYS_close, fd);
	memset(data + 10000, 0, 10000);
	check_file("/mnt/big", data, 20000);
	ck_assert_int_eq(umount_mnt(), 0);
	ck_assert_int_eq(fsck_disk(disk), 0);
	free(data);
}
END_TEST

/* A cache far smaller than the data: dirty blocks are written back
 * while the file is written, and what is read back comes from the disk. */
START_TEST(small_cache_writes_back)
{
	size_t len, n = 3 << 20;
	void *img = make_image(1024, 8192, NULL, &len);
	unsigned char *data = malloc(n);
	int disk;

	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i % 251);
	bcache_set_limit(64 << 10);
	disk = boot_mounted(img, len, false, 0);
	write_file("/mnt/big", data, n);
	check_file("/mnt/big", data, n);
	ck_assert_int_eq(umount_mnt(), 0);
	ck_assert_int_eq(fsck_disk(disk), 0);
	free(data);
}
END_TEST

START_TEST(umount_rules)
{
	size_t len;
	void *img = make_image(1024, 1024, NULL, &len);
	int fd;

	boot_mounted(img, len, false, 0);
	fd = uopen("/mnt/open", O_WRONLY | O_CREAT);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(umount_mnt(), -EBUSY);
	ck_assert_int_eq(ksys2(SYS_umount2, ktest_ustr("/dev"), 0x100),
			 -EINVAL);
	ck_assert_int_eq(ksys2(SYS_umount2, ktest_ustr("/tmp/.."), 0), -EBUSY);
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt/sub"), 0755), 0);
	ck_assert_int_eq(ksys2(SYS_umount2, ktest_ustr("/mnt/sub"), 0),
			 -EINVAL);
	ck_assert_int_eq(ksys6(SYS_mount, ktest_ustr("/dev/vda"),
			       ktest_ustr("/tmp"), ktest_ustr("ext2"), 0, 0, 0),
			 -EBUSY);
	ck_assert_int_eq(ksys6(SYS_mount, ktest_ustr("/dev/null"),
			       ktest_ustr("/tmp"), ktest_ustr("ext2"), 0, 0, 0),
			 -ENOTBLK);
	ck_assert_int_eq(ksys6(SYS_mount, 0, ktest_ustr("/tmp"),
			       ktest_ustr("nosuchfs"), 0, 0, 0),
			 -ENODEV);
	current->task->cred.euid = 1000;
	ck_assert_int_eq(umount_mnt(), -EPERM);
	current->task->cred.euid = 0;
	ck_assert_int_eq(ksys1(SYS_close, fd), 0);
	ck_assert_int_eq(umount_mnt(), 0);
	ck_assert_int_eq(umount_mnt(), -EINVAL);
	ck_assert_int_eq(fsck_disk(0), 0);
}
END_TEST

START_TEST(lazy_umount_and_bind)
{
	size_t len;
	void *img = make_image(1024, 1024, NULL, &len);
	int fd;

	boot_mounted(img, len, false, 0);
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/other"), 0755), 0);
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt/dir"), 0755), 0);
	ck_assert_int_eq(ksys6(SYS_mount, ktest_ustr("/mnt/dir"),
			       ktest_ustr("/other"), 0, MS_BIND, 0, 0),
			 0);
	write_file("/other/viabind", "b", 1);
	check_file("/mnt/dir/viabind", "b", 1);
	ck_assert_int_eq(ksys2(SYS_umount2, ktest_ustr("/other"), 0), 0);
	fd = uopen("/mnt/dir/viabind", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys2(SYS_umount2, ktest_ustr("/mnt"), MNT_DETACH), 0);
	ck_assert_int_eq(uopen("/mnt/dir/viabind", O_RDONLY), -ENOENT);
	ck_assert_int_eq(ksys1(SYS_close, fd), 0);
	/* The last user gone, the next mount call frees it: the disk is
	 * free for a new mount. */
	ck_assert_int_eq(ksys6(SYS_mount, ktest_ustr("/dev/vda"),
			       ktest_ustr("/mnt"), ktest_ustr("ext2"), 0, 0, 0),
			 0);
	check_file("/mnt/dir/viabind", "b", 1);
	ck_assert_int_eq(umount_mnt(), 0);
	ck_assert_int_eq(fsck_disk(0), 0);
}
END_TEST

START_TEST(block_device_file)
{
	size_t len;
	void *img = make_image(1024, 1024, NULL, &len);
	uint64_t u, size;
	uint16_t magic;
	int fd;

	ck_assert_int_eq(hal_test_disk_add(img, len, false), 0);
	free(img);
	ktest_boot();
	u = ubuf(4096);
	fd = uopen("/dev/vda", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys3(SYS_ioctl, fd, BLKGETSIZE64, u), 0);
	ktest_get(&size, u, 8);
	ck_assert_uint_eq(size, 1024 * 1024);
	ck_assert_int_eq(ksys4(SYS_pread64, fd, u, 2, 1080), 2);
	ktest_get(&magic, u, 2);
	ck_assert_uint_eq(magic, 0xef53);
	ck_assert_int_eq(ksys3(SYS_lseek, fd, 0, 2 /* SEEK_END */),
			 1024 * 1024);
	ck_assert_int_eq(ksys3(SYS_read, fd, u, 512), 0);
	ksys1(SYS_close, fd);
}
END_TEST

/* Boots with img as /dev/vda and returns mount's result. */
static long try_mount(void *img, size_t len, bool ro_disk)
{
	ck_assert_int_eq(hal_test_disk_add(img, len, ro_disk), 0);
	free(img);
	ktest_boot();
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt"), 0755), 0);
	return ksys6(SYS_mount, ktest_ustr("/dev/vda"), ktest_ustr("/mnt"),
		     ktest_ustr("ext2"), 0, 0, 0);
}

static void put32(uint8_t *img, size_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}

START_TEST(refuses_bad_superblocks)
{
	size_t len;
	uint8_t *img = make_image(1024, 1024, NULL, &len);

	img[1024 + 56] = 0x54; /* magic */
	ck_assert_int_eq(try_mount(img, len, false), -EINVAL);
}
END_TEST

START_TEST(refuses_unknown_incompat)
{
	size_t len;
	uint8_t *img = make_image(1024, 1024, NULL, &len);

	put32(img, 1024 + 96, 0x2 | 0x80); /* filetype | 64bit */
	ck_assert_int_eq(try_mount(img, len, false), -EINVAL);
}
END_TEST

START_TEST(unknown_ro_compat_mounts_read_only)
{
	size_t len;
	uint8_t *img = make_image(1024, 1024, NULL, &len);
	uint32_t ro;
	uint64_t u;
	char buf[256];
	int fd;
	long n;

	memcpy(&ro, img + 1024 + 100, 4);
	put32(img, 1024 + 100, ro | 0x8000);
	ck_assert_int_eq(try_mount(img, len, false), 0);
	ck_assert_int_eq(uopen("/mnt/x", O_WRONLY | O_CREAT), -EROFS);
	u = ubuf(sizeof(buf));
	fd = uopen("/proc/mounts", O_RDONLY);
	n = ksys3(SYS_read, fd, u, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	ktest_get(buf, u, (size_t)n);
	buf[n] = 0;
	ck_assert_msg(strstr(buf, "/dev/vda /mnt ext2 ro"), "%s", buf);
}
END_TEST

START_TEST(corrupt_directory_gives_euclean)
{
	size_t len;
	uint8_t *img = make_image(1024, 1024, NULL, &len);
	uint32_t itable, blk;
	uint16_t isz;
	int fd;

	/* Root inode (2): its first block, whose first record's rec_len
	 * is made to run past the block. */
	memcpy(&itable, img + 2048 + 8, 4);
	memcpy(&isz, img + 1024 + 88, 2);
	memcpy(&blk, img + itable * 1024 + isz + 40, 4);
	img[blk * 1024 + 4] = 0xfc;
	img[blk * 1024 + 5] = 0x7f;
	ck_assert_int_eq(try_mount(img, len, false), 0);
	fd = (int)ksys3(SYS_open, ktest_ustr("/mnt"), O_RDONLY | O_DIRECTORY,
			0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys3(SYS_getdents64, fd, ubuf(4096), 4096), -EUCLEAN);
	ck_assert_int_eq(uopen("/mnt/lost+found", O_RDONLY), -EUCLEAN);
}
END_TEST

START_TEST(read_only_disk)
{
	size_t len;
	void *img = make_image(1024, 1024, NULL, &len);

	ck_assert_int_eq(try_mount(img, len, true), 0);
	ck_assert_int_eq(ksys2(SYS_mkdir, ktest_ustr("/mnt/d"), 0755), -EROFS);
	ck_assert_int_eq(uopen("/dev/vda", O_RDWR), -EROFS);
	ck_assert_int_eq(umount_mnt(), 0);
}
END_TEST

KTEST_SUITE(ext2_suite)
{
	Suite *s = suite_create("ext2");
	TCase *tc = tcase_create("ext2");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, create_read_unlink_counters);
	tcase_add_test(tc, dirs_links_rename);
	tcase_add_test(tc, many_files_and_remount);
	tcase_add_test(tc, truncate_frees_blocks);
	tcase_add_test(tc, small_cache_writes_back);
	tcase_add_test(tc, umount_rules);
	tcase_add_test(tc, lazy_umount_and_bind);
	tcase_add_test(tc, block_device_file);
	tcase_add_test(tc, refuses_bad_superblocks);
	tcase_add_test(tc, refuses_unknown_incompat);
	tcase_add_test(tc, unknown_ro_compat_mounts_read_only);
	tcase_add_test(tc, corrupt_directory_gives_euclean);
	tcase_add_test(tc, read_only_disk);
	suite_add_tcase(s, tc);
	return s;
}
