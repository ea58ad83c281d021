/*
 * test_initramfs.c: the cpio newc unpacker (layer: unit tests of
 * src/fs/initramfs.c; relies on ktest_boot's tmpfs root). Archives are
 * built here byte by byte from the newc layout in cpio(5) (110-byte
 * header of "070701" and thirteen 8-digit hex fields, name and data each
 * padded to 4 bytes, "TRAILER!!!" last), not with Ember's own packer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal.h>
#include <kern/pmm.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>

#include "ktest.h"

int initramfs_unpack(const void *archive, size_t len);

struct ar {
	char *buf;
	size_t len, cap;
};

static void ar_put(struct ar *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2 + 512;
		a->buf = realloc(a->buf, a->cap);
		ck_assert_ptr_nonnull(a->buf);
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void ar_pad(struct ar *a)
{
	while (a->len % 4)
		ar_put(a, "", 1);
}

static void ar_entry(struct ar *a, const char *name, unsigned ino,
		     unsigned mode, unsigned uid, unsigned gid, unsigned nlink,
		     unsigned mtime, const void *data, size_t size,
		     unsigned rmaj, unsigned rmin)
{
	char h[128];

	snprintf(h, sizeof(h),
		 "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		 ino, mode, uid, gid, nlink, mtime, size, 0u, 0u, rmaj, rmin,
		 strlen(name) + 1, 0u);
	ck_assert_uint_eq(strlen(h), 110);
	ar_put(a, h, 110);
	ar_put(a, name, strlen(name) + 1);
	ar_pad(a);
	if (size)
		ar_put(a, data, size);
	ar_pad(a);
}

static void ar_dir(struct ar *a, const char *name, unsigned mode)
{
	ar_entry(a, name, 0, S_IFDIR | mode, 0, 0, 2, 0, NULL, 0, 0, 0);
}

static void ar_file(struct ar *a, const char *name, unsigned mode,
		    const char *text)
{
	static unsigned ino = 100;

	ar_entry(a, name, ino++, S_IFREG | mode, 0, 0, 1, 0, text, strlen(text),
		 0, 0);
}

static void ar_trailer(struct ar *a)
{
	ar_entry(a, "TRAILER!!!", 0, 0, 0, 0, 1, 0, NULL, 0, 0, 0);
}

static void stat_path(const char *path, struct kstat *st, bool follow)
{
	struct path p;

	ck_assert_int_eq(
		vfs_walk(AT_FDCWD, path, follow ? LOOKUP_FOLLOW : 0, &p), 0);
	ck_assert_int_eq(vfs_getattr(p.dentry->inode, st), 0);
	path_put(&p);
}

static void expect_content(const char *path, const char *want)
{
	char buf[256];
	struct file *f = vfs_openat(AT_FDCWD, path, O_RDONLY, 0);
	long n;

	ck_assert(!IS_ERR(f));
	n = vfs_read(f, buf, sizeof(buf) - 1);
	file_put(f);
	ck_assert_int_ge(n, 0);
	buf[n] = 0;
	ck_assert_str_eq(buf, want);
}

START_TEST(unpack_entry_types)
{
	struct ar a = { 0 };
	struct kstat st;
	char link[64];
	long n;

	ktest_boot();
	ar_dir(&a, ".", 0755);
	ar_dir(&a, "etc", 0755);
	ar_entry(&a, "etc/motd", 7, S_IFREG | 0640, 5, 6, 1, 1234567890,
		 "hello\n", 6, 0, 0);
	ar_entry(&a, "etc/link", 8, S_IFLNK | 0777, 0, 0, 1, 0, "motd", 4, 0,
		 0);
	ar_dir(&a, "./a", 0700);
	ar_dir(&a, "a/b", 0711);
	ar_file(&a, "/a/b/deep", 04755, "x");
	ar_entry(&a, "a/null", 9, S_IFCHR | 0666, 0, 0, 1, 0, NULL, 0, 1, 3);
	ar_entry(&a, "a/fifo", 10, S_IFIFO | 0600, 0, 0, 1, 0, NULL, 0, 0, 0);
	ar_trailer(&a);
	ck_assert_int_eq(initramfs_unpack(a.buf, a.len), 0);

	expect_content("/etc/motd", "hello\n");
	stat_path("/etc/motd", &st, false);
	/* Exact modes and owners: no umask, the archive's ids and times. */
	ck_assert_uint_eq(st.mode, S_IFREG | 0640);
	ck_assert_uint_eq(st.uid, 5);
	ck_assert_uint_eq(st.gid, 6);
	ck_assert_int_eq(st.mtime.sec, 1234567890);
	stat_path("/etc/link", &st, false);
	ck_assert(S_ISLNK(st.mode));
	n = vfs_readlinkat(AT_FDCWD, "/etc/link", link, sizeof(link));
	ck_assert_int_eq(n, 4);
	ck_assert(memcmp(link, "motd", 4) == 0);
	expect_content("/etc/link", "hello\n");
	stat_path("/a", &st, false);
	ck_assert_uint_eq(st.mode, S_IFDIR | 0700);
	stat_path("/a/b", &st, false);
	ck_assert_uint_eq(st.mode, S_IFDIR | 0711);
	stat_path("/a/b/deep", &st, false);
	ck_assert_uint_eq(st.mode, S_IFREG | 04755);
	stat_path("/a/null", &st, false);
	ck_assert_uint_eq(st.mode, S_IFCHR | 0666);
	ck_assert_uint_eq(st.rdev, uapi_makedev(1, 3));
	stat_path("/a/fifo", &st, false);
	ck_assert_uint_eq(st.mode, S_IFIFO | 0600);
	free(a.buf);
}
END_TEST

START_TEST(unpack_hard_links)
{
	struct ar a = { 0 };
	struct kstat s1, s2;

	ktest_boot();
	/* newc puts a hard-linked file's data on its last name only. */
	ar_entry(&a, "one", 42, S_IFREG | 0644, 0, 0, 2, 0, NULL, 0, 0, 0);
	ar_entry(&a, "two", 42, S_IFREG | 0644, 0, 0, 2, 0, "shared", 6, 0, 0);
	ar_trailer(&a);
	ck_assert_int_eq(initramfs_unpack(a.buf, a.len), 0);
	stat_path("/one", &s1, false);
	stat_path("/two", &s2, false);
	ck_assert_uint_eq(s1.ino, s2.ino);
	ck_assert_uint_eq(s1.nlink, 2);
	expect_content("/one", "shared");
	free(a.buf);
}
END_TEST

START_TEST(unpack_concatenated_archives)
{
	struct ar a = { 0 };

	ktest_boot();
	ar_file(&a, "f", 0644, "first");
	ar_file(&a, "g", 0644, "only in the first");
	ar_trailer(&a);
	/* Archives may follow each other with NUL padding between them. */
	for (int i = 0; i < 512; i++)
		ar_put(&a, "", 1);
	ar_file(&a, "f", 0644, "second");
	ar_trailer(&a);
	ck_assert_int_eq(initramfs_unpack(a.buf, a.len), 0);
	expect_content("/f", "second");
	expect_content("/g", "only in the first");
	free(a.buf);
}
END_TEST

START_TEST(unpack_rejects_bad_archives)
{
	struct ar a = { 0 };
	static const unsigned char gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 };

	ktest_boot();
	ck_assert_int_eq(initramfs_unpack(gz, sizeof(gz)), -EINVAL);
	ck_assert_int_eq(initramfs_unpack("070707garbage", 13), -EINVAL);

	ar_file(&a, "big", 0644, "0123456789");
	/* Cut inside the data of the entry. */
	ck_assert_int_eq(initramfs_unpack(a.buf, a.len - 6), -EINVAL);
	/* A header field that is not hex. */
	a.buf[6 + 8 * 6] = 'z';
	ck_assert_int_eq(initramfs_unpack(a.buf, a.len), -EINVAL);
	free(a.buf);
}
END_TEST

START_TEST(vfs_init_unpacks_boot_module)
{
	struct ar a = { 0 };
	struct boot_info bi = { 0 };
	struct kstat st;

	ktest_boot_mem();
	ar_dir(&a, "bin", 0755);
	ar_file(&a, "bin/tool", 0755, "#!/bin/sh\n");
	ar_trailer(&a);
	bi.initramfs = a.buf;
	bi.initramfs_len = a.len;
	ck_assert_int_eq(vfs_init(&bi), 0);
	expect_content("/bin/tool", "#!/bin/sh\n");
	/* The usual mounts still go on top of the unpacked root. */
	stat_path("/dev/null", &st, true);
	ck_assert(S_ISCHR(st.mode));
	stat_path("/proc", &st, true);
	ck_assert(S_ISDIR(st.mode));
	free(a.buf);
}
END_TEST

KTEST_SUITE(initramfs_suite)
{
	Suite *s = suite_create("initramfs");
	TCase *tc = tcase_create("unpack");

	tcase_add_test(tc, unpack_entry_types);
	tcase_add_test(tc, unpack_hard_links);
	tcase_add_test(tc, unpack_concatenated_archives);
	tcase_add_test(tc, unpack_rejects_bad_archives);
	tcase_add_test(tc, vfs_init_unpacks_boot_module);
	suite_add_tcase(s, tc);
	return s;
}
