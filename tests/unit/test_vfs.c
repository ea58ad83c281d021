/*
 * test_vfs.c: the VFS, tmpfs, devfs, procfs and the console through the
 * file syscalls (layer: unit tests of src/fs; relies on ktest_boot's tmpfs
 * root with /dev, /proc and /tmp). Expected values and errnos come from
 * the man pages: path_resolution(7), open(2), rename(2), dup(2), fcntl(2),
 * getdents(2), null(4), proc(5), ioctl_tty(2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/dirent.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/resource.h>
#include <uapi/stat.h>
#include <uapi/termios.h>
#include <uapi/uio.h>

#include "ktest.h"

#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_stat 4
#define NR_fstat 5
#define NR_lstat 6
#define NR_lseek 8
#define NR_ioctl 16
#define NR_pread64 17
#define NR_pwrite64 18
#define NR_readv 19
#define NR_writev 20
#define NR_access 21
#define NR_dup 32
#define NR_dup2 33
#define NR_fcntl 72
#define NR_fsync 74
#define NR_truncate 76
#define NR_ftruncate 77
#define NR_getcwd 79
#define NR_chdir 80
#define NR_fchdir 81
#define NR_rename 82
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_link 86
#define NR_unlink 87
#define NR_symlink 88
#define NR_readlink 89
#define NR_chmod 90
#define NR_umask 95
#define NR_getdents64 217
#define NR_openat 257
#define NR_mkdirat 258
#define NR_newfstatat 262
#define NR_unlinkat 263
#define NR_linkat 265
#define NR_readlinkat 267
#define NR_dup3 292
#define NR_renameat2 316
#define NR_statx 332

#define BAD_PTR 0x10ULL /* below every mapping */
#define UBUF_LEN (64 * 1024)

static uint64_t ubuf; /* scratch user memory */

static void boot(void)
{
	ktest_boot();
	ubuf = ktest_umap(UBUF_LEN, VM_READ | VM_WRITE);
}

static long s_open(const char *path, unsigned flags, unsigned mode)
{
	return ksys3(NR_open, ktest_ustr(path), flags, mode);
}

static long s_mkdir(const char *path, unsigned mode)
{
	return ksys2(NR_mkdir, ktest_ustr(path), mode);
}

static long s_path1(long nr, const char *path)
{
	return ksys1(nr, ktest_ustr(path));
}

static long s_path2(long nr, const char *a, const char *b)
{
	return ksys2(nr, ktest_ustr(a), ktest_ustr(b));
}

static long s_write(int fd, const char *s)
{
	size_t n = strlen(s);

	ktest_put(ubuf, s, n);
	return ksys3(NR_write, fd, ubuf, n);
}

/* Reads up to len bytes of fd into out (NUL-terminated); returns read's
 * result. */
static long s_read(int fd, char *out, size_t len)
{
	long n = ksys3(NR_read, fd, ubuf, len);

	if (n > 0)
		ktest_get(out, ubuf, (size_t)n);
	out[n > 0 ? n : 0] = '\0';
	return n;
}

static long s_stat(long nr, const char *path, struct stat *st)
{
	long r = ksys2(nr, ktest_ustr(path), ubuf);

	if (r == 0)
		ktest_get(st, ubuf, sizeof(*st));
	return r;
}

static long s_readlink(const char *path, char *out, size_t len)
{
	long n = ksys3(NR_readlink, ktest_ustr(path), ubuf, len);

	if (n > 0)
		ktest_get(out, ubuf, (size_t)n);
	out[n > 0 ? n : 0] = '\0';
	return n;
}

static void make_file(const char *path, const char *content)
{
	long fd = s_open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(s_write((int)fd, content), (long)strlen(content));
	ck_assert_int_eq(ksys1(NR_close, fd), 0);
}

/* Whether name appears in the getdents64 listing of the directory at path. */
static bool dir_has(const char *path, const char *name)
{
	long fd = s_open(path, O_RDONLY | O_DIRECTORY, 0);
	char *buf = malloc(UBUF_LEN);
	bool found = false;
	long n;

	ck_assert_int_ge(fd, 0);
	while ((n = ksys3(NR_getdents64, fd, ubuf, UBUF_LEN)) > 0) {
		ktest_get(buf, ubuf, (size_t)n);
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			ck_assert_int_gt(d->d_reclen, 0);
			ck_assert_int_eq(d->d_reclen % 8, 0);
			if (strcmp(d->d_name, name) == 0)
				found = true;
			off += d->d_reclen;
		}
	}
	ck_assert_int_eq(n, 0);
	free(buf);
	ksys1(NR_close, fd);
	return found;
}

/* ---- the path walk ---- */

START_TEST(walk_symlink_loop_is_eloop)
{
	boot();
	ck_assert_int_eq(s_path2(NR_symlink, "b", "/tmp/a"), 0);
	ck_assert_int_eq(s_path2(NR_symlink, "a", "/tmp/b"), 0);
	ck_assert_int_eq(s_open("/tmp/a", O_RDONLY, 0), -ELOOP);
	ck_assert_int_eq(s_open("/tmp/a/x", O_RDONLY, 0), -ELOOP);
	/* lstat does not follow the final link. */
	struct stat st;
	ck_assert_int_eq(s_stat(NR_lstat, "/tmp/a", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(st.st_size, 1);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/a", &st), -ELOOP);
}
END_TEST

START_TEST(walk_symlink_chain_limit_is_40)
{
	char from[32], to[32];

	boot();
	make_file("/tmp/target", "x");
	/* l0 -> l1 -> ... -> l39 -> target: 40 links to follow. */
	for (int i = 0; i < 40; i++) {
		snprintf(from, sizeof(from), "/tmp/l%d", i);
		if (i == 39)
			snprintf(to, sizeof(to), "target");
		else
			snprintf(to, sizeof(to), "l%d", i + 1);
		ck_assert_int_eq(s_path2(NR_symlink, to, from), 0);
	}
	long fd = s_open("/tmp/l0", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(s_path2(NR_symlink, "l0", "/tmp/m"), 0);
	ck_assert_int_eq(s_open("/tmp/m", O_RDONLY, 0), -ELOOP);
}
END_TEST

START_TEST(walk_dotdot_at_root_stays)
{
	struct stat root, st;
	char buf[64];

	boot();
	ck_assert_int_eq(s_stat(NR_stat, "/", &root), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/..", &st), 0);
	ck_assert_uint_eq(st.st_ino, root.st_ino);
	ck_assert_uint_eq(st.st_dev, root.st_dev);
	ck_assert_int_eq(s_stat(NR_stat, "/../../tmp/../..", &st), 0);
	ck_assert_uint_eq(st.st_ino, root.st_ino);
	/* ".." from a mount root goes to the mount point's parent. */
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/..", &st), 0);
	ck_assert_uint_eq(st.st_ino, root.st_ino);
	ck_assert_uint_eq(st.st_dev, root.st_dev);
	ck_assert_int_eq(s_path1(NR_chdir, "/../.."), 0);
	ck_assert_int_eq(ksys2(NR_getcwd, ubuf, 64), 2);
	ktest_get(buf, ubuf, 2);
	ck_assert_str_eq(buf, "/");
	/* An absolute symlink resolves against the root. */
	ck_assert_int_eq(s_path2(NR_symlink, "/../../tmp", "/tmp/up"), 0);
	make_file("/tmp/f", "data");
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/up/up/f", &st), 0);
	ck_assert_int_eq(st.st_size, 4);
}
END_TEST

START_TEST(walk_mount_has_its_own_dev)
{
	struct stat root, tmp;

	boot();
	ck_assert_int_eq(s_stat(NR_stat, "/", &root), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp", &tmp), 0);
	ck_assert_uint_ne(root.st_dev, tmp.st_dev);
	ck_assert_uint_eq(tmp.st_mode, S_IFDIR | 01777);
}
END_TEST

START_TEST(walk_trailing_slash_and_errors)
{
	struct stat st;
	char longname[300];

	boot();
	make_file("/tmp/f", "x");
	ck_assert_int_eq(s_open("/tmp/f/", O_RDONLY, 0), -ENOTDIR);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/f/", &st), -ENOTDIR);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/f/x", &st), -ENOTDIR);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/nope/x", &st), -ENOENT);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/nope", &st), -ENOENT);
	ck_assert_int_eq(s_stat(NR_stat, "", &st), -ENOENT);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp//./f", &st), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(s_open("/tmp/new/", O_CREAT | O_WRONLY, 0644),
			 -EISDIR);
	memset(longname, 'a', sizeof(longname));
	longname[0] = '/';
	longname[257] = '\0';
	ck_assert_int_eq(s_stat(NR_stat, longname, &st), -ENAMETOOLONG);
	longname[256] = '\0'; /* a 255-byte name is fine, just missing */
	ck_assert_int_eq(s_stat(NR_stat, longname, &st), -ENOENT);
	/* A symlink to a directory with a trailing slash is followed. */
	ck_assert_int_eq(s_mkdir("/tmp/d", 0755), 0);
	ck_assert_int_eq(s_path2(NR_symlink, "d", "/tmp/ld"), 0);
	ck_assert_int_eq(s_stat(NR_lstat, "/tmp/ld/", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(s_stat(NR_lstat, "/tmp/ld", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
}
END_TEST

START_TEST(walk_search_permission)
{
	struct stat st;

	boot();
	ck_assert_int_eq(s_mkdir("/tmp/priv", 0700), 0);
	make_file("/tmp/priv/f", "secret");
	make_file("/tmp/rootfile", "r");
	ck_assert_int_eq(ksys2(NR_chmod, ktest_ustr("/tmp/priv/f"), 0600), 0);
	current->task->cred.fsuid = 1000;
	current->task->cred.fsgid = 1000;
	current->task->cred.uid = 1000;
	current->task->cred.gid = 1000;
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/priv/f", &st), -EACCES);
	ck_assert_int_eq(s_open("/tmp/priv/f", O_RDONLY, 0), -EACCES);
	ck_assert_int_eq(s_mkdir("/tmp/priv/x", 0700), -EACCES);
	/* Read permission is checked at open. */
	current->task->cred.fsuid = 0;
	ck_assert_int_eq(ksys2(NR_chmod, ktest_ustr("/tmp/priv"), 0755), 0);
	current->task->cred.fsuid = 1000;
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/priv/f", &st), 0);
	ck_assert_int_eq(s_open("/tmp/priv/f", O_RDONLY, 0), -EACCES);
	ck_assert_int_eq(ksys2(NR_access, ktest_ustr("/tmp/priv/f"), R_OK),
			 -EACCES);
	ck_assert_int_eq(ksys2(NR_access, ktest_ustr("/tmp/priv/f"), F_OK), 0);
	/* Not the owner: no chmod. */
	ck_assert_int_eq(ksys2(NR_chmod, ktest_ustr("/tmp/priv/f"), 0777),
			 -EPERM);
	/* No write permission on the directory. */
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/priv/f"), -EACCES);
	/* The sticky /tmp: others' files cannot be removed or renamed. */
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/rootfile"), -EPERM);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/rootfile", "/tmp/mine"),
			 -EPERM);
	make_file("/tmp/mine", "m");
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/mine"), 0);
}
END_TEST

/* ---- names ---- */

START_TEST(mkdir_rmdir_unlink_errnos)
{
	struct stat st;

	boot();
	ck_assert_int_eq(s_mkdir("/tmp/d", 0755), 0);
	ck_assert_int_eq(s_mkdir("/tmp/d", 0755), -EEXIST);
	ck_assert_int_eq(s_mkdir("/tmp/e/", 0755), 0);
	ck_assert_int_eq(s_mkdir("/", 0755), -EEXIST);
	ck_assert_int_eq(s_mkdir("/tmp/no/x", 0755), -ENOENT);
	make_file("/tmp/d/f", "x");
	ck_assert_int_eq(s_mkdir("/tmp/d/f", 0755), -EEXIST);
	ck_assert_int_eq(s_path1(NR_rmdir, "/tmp/d"), -ENOTEMPTY);
	ck_assert_int_eq(s_path1(NR_rmdir, "/tmp/d/f"), -ENOTDIR);
	ck_assert_int_eq(s_path1(NR_rmdir, "/tmp/d/."), -EINVAL);
	ck_assert_int_eq(s_path1(NR_rmdir, "/tmp/d/.."), -ENOTEMPTY);
	ck_assert_int_eq(s_path1(NR_rmdir, "/tmp"), -EBUSY);
	ck_assert_int_eq(s_path1(NR_rmdir, "/tmp/zz"), -ENOENT);
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/d"), -EISDIR);
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/d/f/"), -ENOTDIR);
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/d/zz"), -ENOENT);
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/d/f"), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/d/f", &st), -ENOENT);
	ck_assert_int_eq(s_path1(NR_rmdir, "/tmp/d"), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/d", &st), -ENOENT);
	/* nlink of a directory counts its subdirectories. */
	ck_assert_int_eq(s_mkdir("/tmp/p", 0755), 0);
	ck_assert_int_eq(s_mkdir("/tmp/p/c", 0755), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/p", &st), 0);
	ck_assert_uint_eq(st.st_nlink, 3);
	/* unlinkat flag checks */
	ck_assert_int_eq(ksys3(NR_unlinkat, AT_FDCWD, ktest_ustr("/tmp/p/c"),
			       0x1),
			 -EINVAL);
	ck_assert_int_eq(ksys3(NR_unlinkat, AT_FDCWD, ktest_ustr("/tmp/p/c"),
			       AT_REMOVEDIR),
			 0);
}
END_TEST

START_TEST(umask_applies)
{
	struct stat st;

	boot();
	ck_assert_int_eq(ksys1(NR_umask, 027), 022);
	ck_assert_int_eq(s_mkdir("/tmp/d", 0777), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/d", &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFDIR | 0750);
	ck_assert_int_ge(s_open("/tmp/f", O_CREAT | O_WRONLY, 0666), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/f", &st), 0);
	ck_assert_uint_eq(st.st_mode, S_IFREG | 0640);
	ck_assert_int_eq(ksys1(NR_umask, 022), 027);
}
END_TEST

START_TEST(rename_semantics)
{
	char buf[64];
	struct stat st;
	long fd;

	boot();
	make_file("/tmp/a", "AAA");
	make_file("/tmp/b", "B");
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/a", "/tmp/b"), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/a", &st), -ENOENT);
	fd = s_open("/tmp/b", O_RDONLY, 0);
	ck_assert_int_eq(s_read((int)fd, buf, 64), 3);
	ck_assert_str_eq(buf, "AAA");
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/nope", "/tmp/c"), -ENOENT);
	/* Directories. */
	ck_assert_int_eq(s_mkdir("/tmp/d1", 0755), 0);
	ck_assert_int_eq(s_mkdir("/tmp/d2", 0755), 0);
	make_file("/tmp/d2/x", "x");
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/d1", "/tmp/d2"), -ENOTEMPTY);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/d1", "/tmp/d1/sub"), -EINVAL);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/b", "/tmp/d1"), -EISDIR);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/d1", "/tmp/b"), -ENOTDIR);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/b", "/tmp/c/"), -ENOTDIR);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/d2/x", "/tmp/d1/y"), 0);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/d1", "/tmp/d2"), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/d2/y", &st), 0);
	/* Across mounts. */
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/b", "/b"), -EXDEV);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp", "/tmp2"), -EBUSY);
	/* renameat2 flags */
	make_file("/tmp/c", "C");
	ck_assert_int_eq(ksys6(NR_renameat2, AT_FDCWD, ktest_ustr("/tmp/b"),
			       AT_FDCWD, ktest_ustr("/tmp/c"), RENAME_NOREPLACE,
			       0),
			 -EEXIST);
	ck_assert_int_eq(ksys6(NR_renameat2, AT_FDCWD, ktest_ustr("/tmp/b"),
			       AT_FDCWD, ktest_ustr("/tmp/c"),
			       RENAME_NOREPLACE | RENAME_EXCHANGE, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys6(NR_renameat2, AT_FDCWD, ktest_ustr("/tmp/b"),
			       AT_FDCWD, ktest_ustr("/tmp/zz"), RENAME_EXCHANGE,
			       0),
			 -ENOENT);
	ck_assert_int_eq(ksys6(NR_renameat2, AT_FDCWD, ktest_ustr("/tmp/b"),
			       AT_FDCWD, ktest_ustr("/tmp/c"), RENAME_EXCHANGE,
			       0),
			 0);
	fd = s_open("/tmp/b", O_RDONLY, 0);
	ck_assert_int_eq(s_read((int)fd, buf, 64), 1);
	ck_assert_str_eq(buf, "C");
	/* Renaming a file onto itself (another hard link) does nothing. */
	ck_assert_int_eq(s_path2(NR_link, "/tmp/b", "/tmp/b2"), 0);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/b", "/tmp/b2"), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/b", &st), 0);
}
END_TEST

START_TEST(rename_moves_cwd_and_open_names)
{
	char buf[64];
	long fd;

	boot();
	ck_assert_int_eq(s_mkdir("/tmp/old", 0755), 0);
	ck_assert_int_eq(s_path1(NR_chdir, "/tmp/old"), 0);
	make_file("f", "x");
	fd = s_open("f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(s_path2(NR_rename, "/tmp/old", "/tmp/new"), 0);
	ck_assert_int_eq(ksys2(NR_getcwd, ubuf, 64), 9);
	ktest_get(buf, ubuf, 9);
	ck_assert_str_eq(buf, "/tmp/new");
	snprintf(buf, sizeof(buf), "/proc/self/fd/%ld", fd);
	ck_assert_int_eq(s_readlink(buf, buf, 63), 10);
	ck_assert_str_eq(buf, "/tmp/new/f");
}
END_TEST

START_TEST(hard_links_and_unlinked_open_file)
{
	char buf[64];
	struct stat st;
	long fd;

	boot();
	make_file("/tmp/a", "hello");
	ck_assert_int_eq(s_path2(NR_link, "/tmp/a", "/tmp/b"), 0);
	ck_assert_int_eq(s_path2(NR_link, "/tmp/a", "/tmp/b"), -EEXIST);
	ck_assert_int_eq(s_path2(NR_link, "/tmp", "/tmp/dirlink"), -EPERM);
	ck_assert_int_eq(s_path2(NR_link, "/tmp/a", "/a"), -EXDEV);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/a", &st), 0);
	ck_assert_uint_eq(st.st_nlink, 2);
	fd = s_open("/tmp/b", O_RDONLY, 0);
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/a"), 0);
	ck_assert_int_eq(s_path1(NR_unlink, "/tmp/b"), 0);
	/* The data lives while the file is open. */
	ck_assert_int_eq(s_read((int)fd, buf, 64), 5);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(ksys2(NR_fstat, fd, ubuf), 0);
	ktest_get(&st, ubuf, sizeof(st));
	ck_assert_uint_eq(st.st_nlink, 0);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%ld", fd);
	ck_assert_int_eq(s_readlink(buf, buf, 63), 16);
	ck_assert_str_eq(buf, "/tmp/b (deleted)");
}
END_TEST

START_TEST(symlink_readlink)
{
	char buf[64];

	boot();
	ck_assert_int_eq(s_path2(NR_symlink, "some/where", "/tmp/l"), 0);
	ck_assert_int_eq(s_path2(NR_symlink, "x", "/tmp/l"), -EEXIST);
	ck_assert_int_eq(s_path2(NR_symlink, "", "/tmp/e"), -ENOENT);
	ck_assert_int_eq(s_path2(NR_symlink, "x", "/tmp/n/"), -ENOENT);
	ck_assert_int_eq(s_readlink("/tmp/l", buf, 63), 10);
	ck_assert_str_eq(buf, "some/where");
	/* A short buffer truncates without a NUL. */
	ck_assert_int_eq(s_readlink("/tmp/l", buf, 4), 4);
	ck_assert_str_eq(buf, "some");
	ck_assert_int_eq(ksys3(NR_readlink, ktest_ustr("/tmp/l"), ubuf, 0),
			 -EINVAL);
	ck_assert_int_eq(s_readlink("/tmp", buf, 63), -EINVAL);
	/* A dangling link: open fails, O_CREAT creates the target. */
	ck_assert_int_eq(s_open("/tmp/l", O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(s_path2(NR_symlink, "made", "/tmp/m"), 0);
	ck_assert_int_ge(s_open("/tmp/m", O_CREAT | O_WRONLY, 0644), 0);
	struct stat st;
	ck_assert_int_eq(s_stat(NR_lstat, "/tmp/made", &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(s_open("/tmp/m", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	ck_assert_int_eq(s_open("/tmp/m", O_CREAT | O_EXCL | O_WRONLY, 0644),
			 -EEXIST);
	/* O_PATH|O_NOFOLLOW opens the link itself; readlinkat "" reads it. */
	long fd = s_open("/tmp/m", O_PATH | O_NOFOLLOW, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys4(NR_readlinkat, fd, ktest_ustr(""), ubuf, 63), 4);
	ktest_get(buf, ubuf, 4);
	ck_assert(memcmp(buf, "made", 4) == 0);
}
END_TEST

/* ---- open files ---- */

START_TEST(open_excl_and_flags)
{
	boot();
	ck_assert_int_ge(s_open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY, 0644),
			 0);
	ck_assert_int_eq(s_open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY, 0644),
			 -EEXIST);
	ck_assert_int_eq(s_open("/tmp/none", O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(s_open("/tmp", O_WRONLY, 0), -EISDIR);
	ck_assert_int_eq(s_open("/tmp", O_CREAT | O_RDONLY, 0644), -EISDIR);
	ck_assert_int_eq(s_open("/tmp/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	long fd = s_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys3(NR_read, fd, ubuf, 10), -EISDIR);
	ck_assert_int_eq(ksys3(NR_write, fd, ubuf, 10), -EBADF);
	/* openat relative to a directory fd. */
	long f2 = ksys4(NR_openat, fd, ktest_ustr("f"), O_RDONLY, 0);
	ck_assert_int_ge(f2, 0);
	ck_assert_int_eq(ksys4(NR_openat, f2, ktest_ustr("x"), O_RDONLY, 0),
			 -ENOTDIR);
	ck_assert_int_eq(ksys4(NR_openat, 999, ktest_ustr("x"), O_RDONLY, 0),
			 -EBADF);
	/* F_GETFL shows the access mode and O_LARGEFILE, not O_CREAT. */
	long fl = ksys2(NR_fcntl, f2, F_GETFL);
	ck_assert_int_eq(fl & O_ACCMODE, O_RDONLY);
	ck_assert(fl & O_LARGEFILE);
	ck_assert(!(fl & O_CREAT));
}
END_TEST

START_TEST(read_write_lseek_pread)
{
	char buf[128];
	long fd;

	boot();
	fd = s_open("/tmp/f", O_CREAT | O_RDWR, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(s_write((int)fd, "hello world"), 11);
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, SEEK_CUR), 11);
	ck_assert_int_eq(s_read((int)fd, buf, 64), 0);
	ck_assert_int_eq(ksys3(NR_lseek, fd, 6, SEEK_SET), 6);
	ck_assert_int_eq(s_read((int)fd, buf, 64), 5);
	ck_assert_str_eq(buf, "world");
	ck_assert_int_eq(ksys3(NR_lseek, fd, -5, SEEK_END), 6);
	ck_assert_int_eq(ksys3(NR_lseek, fd, -100, SEEK_CUR), -EINVAL);
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, 99), -EINVAL);
	ck_assert_int_eq(ksys4(NR_pread64, fd, ubuf, 4, 1), 4);
	ktest_get(buf, ubuf, 4);
	ck_assert(memcmp(buf, "ello", 4) == 0);
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, SEEK_CUR), 6); /* unmoved */
	ck_assert_int_eq(ksys4(NR_pread64, fd, ubuf, 4, -1), -EINVAL);
	ktest_put(ubuf, "HE", 2);
	ck_assert_int_eq(ksys4(NR_pwrite64, fd, ubuf, 2, 0), 2);
	ck_assert_int_eq(ksys4(NR_pread64, fd, ubuf, 11, 0), 11);
	ktest_get(buf, ubuf, 11);
	ck_assert(memcmp(buf, "HEllo world", 11) == 0);
	/* A sparse write: the hole reads as zeros. */
	ck_assert_int_eq(ksys3(NR_lseek, fd, 3 * 4096 + 10, SEEK_SET),
			 3 * 4096 + 10);
	ck_assert_int_eq(s_write((int)fd, "Z"), 1);
	struct stat st;
	ck_assert_int_eq(ksys2(NR_fstat, fd, ubuf), 0);
	ktest_get(&st, ubuf, sizeof(st));
	ck_assert_int_eq(st.st_size, 3 * 4096 + 11);
	ck_assert_int_eq(ksys4(NR_pread64, fd, ubuf, 20, 4096), 20);
	ktest_get(buf, ubuf, 20);
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(buf[i], 0);
	/* Writes cross page boundaries intact. */
	char big[9000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	ktest_put(ubuf, big, sizeof(big));
	ck_assert_int_eq(ksys4(NR_pwrite64, fd, ubuf, sizeof(big), 100),
			 (long)sizeof(big));
	char back[9000];
	ck_assert_int_eq(ksys4(NR_pread64, fd, ubuf, sizeof(back), 100),
			 (long)sizeof(back));
	ktest_get(back, ubuf, sizeof(back));
	ck_assert(memcmp(big, back, sizeof(big)) == 0);
	/* Read-only and write-only descriptors. */
	long ro = s_open("/tmp/f", O_RDONLY, 0);
	ck_assert_int_eq(ksys3(NR_write, ro, ubuf, 1), -EBADF);
	long wo = s_open("/tmp/f", O_WRONLY, 0);
	ck_assert_int_eq(ksys3(NR_read, wo, ubuf, 1), -EBADF);
}
END_TEST

START_TEST(append_truncate_readv_writev)
{
	struct iovec iov[3];
	char buf[64];
	struct stat st;
	long fd;

	boot();
	make_file("/tmp/f", "abc");
	fd = s_open("/tmp/f", O_WRONLY | O_APPEND, 0);
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(s_write((int)fd, "de"), 2);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/f", &st), 0);
	ck_assert_int_eq(st.st_size, 5);
	ck_assert_int_eq(ksys2(NR_ftruncate, fd, 2), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/f", &st), 0);
	ck_assert_int_eq(st.st_size, 2);
	ck_assert_int_eq(ksys2(NR_ftruncate, fd, -1), -EINVAL);
	long ro = s_open("/tmp/f", O_RDONLY, 0);
	ck_assert_int_eq(ksys2(NR_ftruncate, ro, 0), -EINVAL);
	ck_assert_int_eq(ksys2(NR_truncate, ktest_ustr("/tmp/f"), 4000), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/f", &st), 0);
	ck_assert_int_eq(st.st_size, 4000);
	ck_assert_int_eq(ksys2(NR_truncate, ktest_ustr("/tmp"), 0), -EISDIR);
	ck_assert_int_eq(ksys2(NR_truncate, ktest_ustr("/tmp/f"), 1), 0);
	/* Growing after a shrink reads zeros, not old bytes. */
	ck_assert_int_eq(ksys2(NR_truncate, ktest_ustr("/tmp/f"), 3), 0);
	ck_assert_int_eq(ksys4(NR_pread64, ro, ubuf, 3, 0), 3);
	ktest_get(buf, ubuf, 3);
	ck_assert(buf[0] == 'a' && buf[1] == 0 && buf[2] == 0);
	/* writev gathers, readv scatters. */
	long rw = s_open("/tmp/v", O_CREAT | O_RDWR, 0644);
	ktest_put(ubuf + 100, "one", 3);
	ktest_put(ubuf + 200, "two", 3);
	iov[0] = (struct iovec){ ubuf + 100, 3 };
	iov[1] = (struct iovec){ 0, 0 };
	iov[2] = (struct iovec){ ubuf + 200, 3 };
	ktest_put(ubuf, iov, sizeof(iov));
	ck_assert_int_eq(ksys3(NR_writev, rw, ubuf, 3), 6);
	ck_assert_int_eq(ksys3(NR_lseek, rw, 0, SEEK_SET), 0);
	iov[0] = (struct iovec){ ubuf + 300, 2 };
	iov[1] = (struct iovec){ ubuf + 400, 10 };
	ktest_put(ubuf, iov, 2 * sizeof(iov[0]));
	ck_assert_int_eq(ksys3(NR_readv, rw, ubuf, 2), 6);
	ktest_get(buf, ubuf + 300, 2);
	ktest_get(buf + 2, ubuf + 400, 4);
	ck_assert(memcmp(buf, "onetwo", 6) == 0);
	ck_assert_int_eq(ksys3(NR_readv, rw, ubuf, -1), -EINVAL);
	ck_assert_int_eq(ksys3(NR_readv, rw, ubuf, IOV_MAX + 1), -EINVAL);
	ck_assert_int_eq(ksys3(NR_readv, rw, BAD_PTR, 1), -EFAULT);
	iov[0] = (struct iovec){ ubuf + 300, 1ULL << 63 };
	iov[1] = (struct iovec){ ubuf + 400, 1ULL << 63 };
	ktest_put(ubuf, iov, 2 * sizeof(iov[0]));
	ck_assert_int_eq(ksys3(NR_writev, rw, ubuf, 2), -EINVAL);
}
END_TEST

START_TEST(getdents_lists_entries)
{
	boot();
	ck_assert_int_eq(s_mkdir("/tmp/d", 0755), 0);
	make_file("/tmp/d/alpha", "");
	make_file("/tmp/d/beta", "");
	ck_assert_int_eq(s_mkdir("/tmp/d/gamma", 0755), 0);
	ck_assert(dir_has("/tmp/d", "."));
	ck_assert(dir_has("/tmp/d", ".."));
	ck_assert(dir_has("/tmp/d", "alpha"));
	ck_assert(dir_has("/tmp/d", "beta"));
	ck_assert(dir_has("/tmp/d", "gamma"));
	ck_assert(!dir_has("/tmp/d", "delta"));
	ck_assert(dir_has("/", "tmp"));
	ck_assert(dir_has("/dev", "null"));
	ck_assert(dir_has("/proc", "self"));
	ck_assert(dir_has("/proc", "1"));
	ck_assert(dir_has("/proc/self/fd", "0"));

	/* A small buffer still makes progress; a tiny one is EINVAL. */
	long fd = s_open("/tmp/d", O_RDONLY | O_DIRECTORY, 0);
	int total = 0;
	long n;
	while ((n = ksys3(NR_getdents64, fd, ubuf, 32)) > 0) {
		struct linux_dirent64 d;

		ktest_get(&d, ubuf, sizeof(d));
		ck_assert_int_eq(d.d_reclen, n);
		total++;
	}
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(total, 5);
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(ksys3(NR_getdents64, fd, ubuf, 8), -EINVAL);
	ck_assert_int_eq(ksys3(NR_getdents64, fd, BAD_PTR, 4096), -EFAULT);
	/* Nothing was consumed by the failed call. */
	ck_assert_int_gt(ksys3(NR_getdents64, fd, ubuf, 4096), 0);
	long f = s_open("/tmp/d/alpha", O_RDONLY, 0);
	ck_assert_int_eq(ksys3(NR_getdents64, f, ubuf, 4096), -ENOTDIR);
	ck_assert_int_eq(ksys3(NR_getdents64, 555, ubuf, 4096), -EBADF);
}
END_TEST

/* ---- the descriptor table ---- */

START_TEST(fd_table_semantics)
{
	long a, b, c;

	boot();
	make_file("/tmp/f", "x");
	a = s_open("/tmp/f", O_RDONLY, 0);
	b = s_open("/tmp/f", O_RDONLY, 0);
	ck_assert_int_eq(a, 3);
	ck_assert_int_eq(b, 4);
	ck_assert_int_eq(ksys1(NR_close, a), 0);
	ck_assert_int_eq(ksys1(NR_close, a), -EBADF);
	c = ksys1(NR_dup, b);
	ck_assert_int_eq(c, 3); /* the lowest free */
	ck_assert_int_eq(ksys2(NR_dup2, b, b), b);
	ck_assert_int_eq(ksys2(NR_dup2, 77, 77), -EBADF);
	ck_assert_int_eq(ksys2(NR_dup2, 77, 5), -EBADF);
	ck_assert_int_eq(ksys2(NR_dup2, b, 10), 10);
	ck_assert_int_eq(ksys2(NR_fcntl, 10, F_GETFD), 0);
	ck_assert_int_eq(ksys3(NR_dup3, b, b, O_CLOEXEC), -EINVAL);
	ck_assert_int_eq(ksys3(NR_dup3, b, 11, 0x1), -EINVAL);
	ck_assert_int_eq(ksys3(NR_dup3, b, 11, O_CLOEXEC), 11);
	ck_assert_int_eq(ksys2(NR_fcntl, 11, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(ksys3(NR_fcntl, 11, F_SETFD, 0), 0);
	ck_assert_int_eq(ksys2(NR_fcntl, 11, F_GETFD), 0);
	ck_assert_int_eq(ksys3(NR_fcntl, 11, F_SETFD, FD_CLOEXEC), 0);
	ck_assert_int_eq(ksys2(NR_fcntl, 11, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(ksys3(NR_fcntl, b, F_DUPFD, 20), 20);
	ck_assert_int_eq(ksys3(NR_fcntl, b, F_DUPFD_CLOEXEC, 20), 21);
	ck_assert_int_eq(ksys2(NR_fcntl, 21, F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(ksys3(NR_fcntl, b, F_DUPFD, 1 << 20), -EINVAL);
	ck_assert_int_eq(ksys3(NR_fcntl, 99, F_GETFD, 0), -EBADF);
	ck_assert_int_eq(ksys3(NR_fcntl, b, 9999, 0), -EINVAL);
	ck_assert_int_eq(ksys3(NR_fcntl, b, F_SETLK, 0), -EFAULT);
	/* F_SETFL changes only O_APPEND and O_NONBLOCK. */
	ck_assert_int_eq(ksys3(NR_fcntl, b, F_SETFL, O_NONBLOCK | O_WRONLY), 0);
	long fl = ksys2(NR_fcntl, b, F_GETFL);
	ck_assert(fl & O_NONBLOCK);
	ck_assert_int_eq(fl & O_ACCMODE, O_RDONLY);
	/* Exec closes close-on-exec descriptors only. */
	files_close_on_exec(current->task->files);
	ck_assert_int_eq(ksys2(NR_fcntl, 11, F_GETFD), -EBADF);
	ck_assert_int_eq(ksys2(NR_fcntl, 21, F_GETFD), -EBADF);
	ck_assert_int_eq(ksys2(NR_fcntl, 10, F_GETFD), 0);
}
END_TEST

START_TEST(fd_emfile_at_rlimit)
{
	long fd;

	boot();
	make_file("/tmp/f", "x");
	current->task->rlim[RLIMIT_NOFILE].cur = 8;
	for (int i = 3; i < 8; i++)
		ck_assert_int_eq(s_open("/tmp/f", O_RDONLY, 0), i);
	ck_assert_int_eq(s_open("/tmp/f", O_RDONLY, 0), -EMFILE);
	ck_assert_int_eq(ksys1(NR_dup, 0), -EMFILE);
	ck_assert_int_eq(ksys2(NR_dup2, 0, 8), -EBADF);
	ck_assert_int_eq(ksys3(NR_fcntl, 0, F_DUPFD, 8), -EINVAL);
	ck_assert_int_eq(ksys1(NR_close, 5), 0);
	fd = s_open("/tmp/f", O_RDONLY, 0);
	ck_assert_int_eq(fd, 5);
}
END_TEST

/* ---- devices ---- */

START_TEST(dev_null_zero_full)
{
	char buf[16];
	long fd;

	boot();
	fd = s_open("/dev/null", O_RDWR, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(s_read((int)fd, buf, 16), 0);
	ck_assert_int_eq(s_write((int)fd, "discard"), 7);
	fd = s_open("/dev/zero", O_RDWR, 0);
	memset(buf, 'x', sizeof(buf));
	ktest_put(ubuf, buf, sizeof(buf));
	ck_assert_int_eq(ksys3(NR_read, fd, ubuf, 16), 16);
	ktest_get(buf, ubuf, 16);
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(buf[i], 0);
	fd = s_open("/dev/full", O_RDWR, 0);
	ck_assert_int_eq(s_write((int)fd, "x"), -ENOSPC);
	ck_assert_int_eq(ksys3(NR_read, fd, ubuf, 16), 16);
	fd = s_open("/dev/urandom", O_RDONLY, 0);
	ck_assert_int_eq(ksys3(NR_read, fd, ubuf, 16), 16);
	struct stat st;
	ck_assert_int_eq(s_stat(NR_stat, "/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_uint_eq(st.st_rdev, uapi_makedev(1, 3));
	ck_assert_int_eq(ksys3(NR_ioctl, fd, TCGETS, ubuf), -ENOTTY);
	/* /dev/stdout follows /proc/self/fd/1 to the console. */
	ck_assert_int_eq(s_stat(NR_stat, "/dev/stdout", &st), 0);
	ck_assert_uint_eq(st.st_rdev, uapi_makedev(5, 1));
}
END_TEST

START_TEST(console_streams_and_tty)
{
	struct termios tio;
	struct winsize ws;
	size_t len;
	const char *out;

	boot();
	ck_assert_int_eq(s_write(1, "out;"), 4);
	ck_assert_int_eq(s_write(2, "err;"), 4);
	out = hal_test_console_out(&len);
	ck_assert_uint_ge(len, 8);
	ck_assert(memmem(out, len, "out;", 4) != NULL);
	ck_assert(memmem(out, len, "err;", 4) != NULL);
	ck_assert_int_eq(ksys3(NR_lseek, 1, 0, SEEK_CUR), -ESPIPE);
	ck_assert_int_eq(ksys4(NR_pread64, 0, ubuf, 1, 0), -ESPIPE);
	/* Not a terminal: the tty ioctls refuse. */
	hal_test_console_set_tty(false);
	ck_assert_int_eq(ksys3(NR_ioctl, 0, TCGETS, ubuf), -ENOTTY);
	ck_assert_int_eq(ksys3(NR_ioctl, 1, TIOCGWINSZ, ubuf), -ENOTTY);
	hal_test_console_set_tty(true);
	ck_assert_int_eq(ksys3(NR_ioctl, 0, TCGETS, ubuf), 0);
	ktest_get(&tio, ubuf, sizeof(tio));
	ck_assert(tio.c_lflag & ICANON);
	ck_assert(tio.c_lflag & ECHO);
	ck_assert(tio.c_iflag & ICRNL);
	ck_assert(tio.c_oflag & ONLCR);
	ck_assert_uint_eq(tio.c_cflag & CSIZE, CS8);
	ck_assert_uint_eq(tio.c_cc[VINTR], 3);
	ck_assert_uint_eq(tio.c_cc[VEOF], 4);
	ck_assert_uint_eq(tio.c_cc[VMIN], 1);
	tio.c_lflag &= ~(unsigned)(ICANON | ECHO);
	ktest_put(ubuf, &tio, sizeof(tio));
	ck_assert_int_eq(ksys3(NR_ioctl, 0, TCSETS, ubuf), 0);
	memset(&tio, 0, sizeof(tio));
	ktest_put(ubuf, &tio, sizeof(tio));
	ck_assert_int_eq(ksys3(NR_ioctl, 0, TCGETS, ubuf), 0);
	ktest_get(&tio, ubuf, sizeof(tio));
	ck_assert(!(tio.c_lflag & ICANON));
	ck_assert_int_eq(ksys3(NR_ioctl, 0, TCGETS, BAD_PTR), -EFAULT);
	if (ksys3(NR_ioctl, 1, TIOCGWINSZ, ubuf) == 0) {
		ktest_get(&ws, ubuf, sizeof(ws));
		ck_assert_uint_gt(ws.ws_col, 0);
	}
	int pg = -1;
	ck_assert_int_eq(ksys3(NR_ioctl, 0, TIOCGPGRP, ubuf), 0);
	ktest_get(&pg, ubuf, sizeof(pg));
	ck_assert_int_eq(pg, current->task->pgid);
	ck_assert_int_eq(ksys3(NR_ioctl, 0, 0x12345678, ubuf), -ENOTTY);
}
END_TEST

static void trap_call(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		      uint64_t a2)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
}

START_TEST(console_read_blocks_until_input)
{
	struct thread *t;
	char buf[8];

	boot();
	t = current;
	/* O_NONBLOCK: nothing there yet. */
	long fd = s_open("/dev/console", O_RDONLY | O_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys3(NR_read, fd, ubuf, 8), -EAGAIN);
	trap_call(t, NR_read, 0, ubuf, 8);
	ck_assert_int_eq(t->state, THREAD_BLOCKED);
	hal_test_console_feed("hi\n", 3);
	ck_assert_int_eq(t->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t->uctx.rax, 3);
	ktest_get(buf, ubuf, 3);
	ck_assert(memcmp(buf, "hi\n", 3) == 0);
	/* End of input reads 0. */
	hal_test_console_eof();
	ck_assert_int_eq(ksys3(NR_read, 0, ubuf, 8), 0);
}
END_TEST

/* ---- procfs ---- */

START_TEST(proc_self_links_and_files)
{
	char buf[256];
	long fd, n;

	boot();
	current->task->exe_path = kstrdup("/bin/prog");
	ck_assert_int_eq(s_readlink("/proc/self/exe", buf, 255), 9);
	ck_assert_str_eq(buf, "/bin/prog");
	snprintf(buf, sizeof(buf), "%d", current->task->pid);
	char pid[16];
	ck_assert_int_eq(s_readlink("/proc/self", pid, 15), (long)strlen(buf));
	ck_assert_str_eq(pid, buf);
	ck_assert_int_eq(s_mkdir("/tmp/w", 0755), 0);
	ck_assert_int_eq(s_path1(NR_chdir, "/tmp/w"), 0);
	ck_assert_int_eq(s_readlink("/proc/self/cwd", buf, 255), 6);
	ck_assert_str_eq(buf, "/tmp/w");
	ck_assert_int_eq(s_readlink("/proc/self/fd/1", buf, 255), 12);
	ck_assert_str_eq(buf, "/dev/console");
	/* The magic link leads to the directory itself. */
	make_file("/tmp/w/inside", "1");
	struct stat st;
	ck_assert_int_eq(s_stat(NR_stat, "/proc/self/cwd/inside", &st), 0);
	ck_assert_int_eq(s_stat(NR_stat, "/proc/self/fd/77", &st), -ENOENT);
	/* Text files. */
	fd = s_open("/proc/self/comm", O_RDONLY, 0);
	n = s_read((int)fd, buf, 255);
	ck_assert_int_gt(n, 1);
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert(strncmp(buf, current->task->comm, (size_t)n - 1) == 0);
	fd = s_open("/proc/self/stat", O_RDONLY, 0);
	n = s_read((int)fd, buf, 255);
	ck_assert_int_gt(n, 0);
	char want[64];
	snprintf(want, sizeof(want), "%d (", current->task->pid);
	ck_assert(strncmp(buf, want, strlen(want)) == 0);
	fd = s_open("/proc/mounts", O_RDONLY, 0);
	n = s_read((int)fd, buf, 255);
	ck_assert_int_gt(n, 0);
	ck_assert(strstr(buf, " /tmp tmpfs rw") != NULL);
	ck_assert(strstr(buf, " /proc proc rw") != NULL);
	fd = s_open("/proc/meminfo", O_RDONLY, 0);
	n = s_read((int)fd, buf, 255);
	ck_assert(strncmp(buf, "MemTotal:", 9) == 0);
	fd = s_open("/proc/uptime", O_RDONLY, 0);
	ck_assert_int_gt(s_read((int)fd, buf, 255), 0);
	ck_assert(strchr(buf, '.') != NULL);
	ck_assert_int_eq(s_open("/proc/nope", O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(s_open("/proc/99999/stat", O_RDONLY, 0), -ENOENT);
	ck_assert_int_eq(s_open("/proc/self/newfile", O_CREAT | O_WRONLY, 0644),
			 -EACCES);
}
END_TEST

/* ---- getcwd, chdir, stat family ---- */

START_TEST(getcwd_after_chdir)
{
	char buf[64];

	boot();
	ck_assert_int_eq(s_mkdir("/tmp/a", 0755), 0);
	ck_assert_int_eq(s_mkdir("/tmp/a/b", 0755), 0);
	ck_assert_int_eq(s_path1(NR_chdir, "/tmp/a/b"), 0);
	ck_assert_int_eq(ksys2(NR_getcwd, ubuf, 64), 9);
	ktest_get(buf, ubuf, 9);
	ck_assert_str_eq(buf, "/tmp/a/b");
	ck_assert_int_eq(ksys2(NR_getcwd, ubuf, 5), -ERANGE);
	ck_assert_int_eq(s_path1(NR_chdir, ".."), 0);
	ck_assert_int_eq(ksys2(NR_getcwd, ubuf, 64), 7);
	ktest_get(buf, ubuf, 7);
	ck_assert_str_eq(buf, "/tmp/a");
	make_file("/tmp/a/f", "");
	ck_assert_int_eq(s_path1(NR_chdir, "f"), -ENOTDIR);
	ck_assert_int_eq(s_path1(NR_chdir, "nope"), -ENOENT);
	long fd = s_open("/dev", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_eq(ksys1(NR_fchdir, fd), 0);
	ck_assert_int_eq(ksys2(NR_getcwd, ubuf, 64), 5);
	ktest_get(buf, ubuf, 5);
	ck_assert_str_eq(buf, "/dev");
	/* A removed cwd has no name. */
	ck_assert_int_eq(s_path1(NR_chdir, "/tmp/a/b"), 0);
	ck_assert_int_eq(s_path1(NR_rmdir, "/tmp/a/b"), 0);
	ck_assert_int_eq(ksys2(NR_getcwd, ubuf, 64), -ENOENT);
	ck_assert_int_eq(s_open("x", O_CREAT | O_WRONLY, 0644), -ENOENT);
}
END_TEST

START_TEST(stat_family)
{
	struct stat st;
	struct statx sx;
	long fd;

	boot();
	make_file("/tmp/f", "12345");
	ck_assert_int_eq(s_path2(NR_symlink, "f", "/tmp/l"), 0);
	fd = s_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_eq(ksys4(NR_newfstatat, fd, ktest_ustr("l"), ubuf, 0), 0);
	ktest_get(&st, ubuf, sizeof(st));
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 5);
	ck_assert_int_eq(st.st_blksize, 4096);
	ck_assert_int_eq(ksys4(NR_newfstatat, fd, ktest_ustr("l"), ubuf,
			       AT_SYMLINK_NOFOLLOW),
			 0);
	ktest_get(&st, ubuf, sizeof(st));
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(ksys4(NR_newfstatat, fd, ktest_ustr(""), ubuf,
			       AT_EMPTY_PATH),
			 0);
	ktest_get(&st, ubuf, sizeof(st));
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(ksys4(NR_newfstatat, fd, ktest_ustr(""), ubuf, 0),
			 -ENOENT);
	ck_assert_int_eq(ksys4(NR_newfstatat, fd, ktest_ustr("f"), ubuf,
			       0x40000),
			 -EINVAL);
	ck_assert_int_eq(ksys6(NR_statx, AT_FDCWD, ktest_ustr("/tmp/f"), 0,
			       STATX_BASIC_STATS, ubuf, 0),
			 0);
	ktest_get(&sx, ubuf, sizeof(sx));
	ck_assert_uint_eq(sx.stx_size, 5);
	ck_assert(S_ISREG(sx.stx_mode));
	ck_assert_uint_eq(sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	ck_assert_int_eq(s_stat(NR_stat, "/tmp/f", &st), 0);
	ck_assert_uint_eq(sx.stx_ino, st.st_ino);
	ck_assert_uint_eq(uapi_makedev(sx.stx_dev_major, sx.stx_dev_minor),
			  st.st_dev);
	ck_assert_int_eq(ksys6(NR_statx, AT_FDCWD, ktest_ustr("/tmp/f"), 0,
			       STATX__RESERVED, ubuf, 0),
			 -EINVAL);
	ck_assert_int_eq(ksys6(NR_statx, AT_FDCWD, ktest_ustr("/tmp/f"),
			       AT_STATX_SYNC_TYPE, 0, ubuf, 0),
			 -EINVAL);
}
END_TEST

/* ---- bad user pointers ---- */

START_TEST(bad_pointers_are_efault)
{
	char buf[16];
	long fd;

	boot();
	make_file("/tmp/f", "content");
	fd = s_open("/tmp/f", O_RDWR, 0);
	ck_assert_int_eq(ksys3(NR_open, BAD_PTR, O_RDONLY, 0), -EFAULT);
	ck_assert_int_eq(ksys4(NR_openat, AT_FDCWD, BAD_PTR, O_RDONLY, 0),
			 -EFAULT);
	ck_assert_int_eq(ksys3(NR_read, fd, BAD_PTR, 4), -EFAULT);
	ck_assert_int_eq(ksys3(NR_write, fd, BAD_PTR, 4), -EFAULT);
	/* The failed read consumed nothing. */
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, SEEK_CUR), 0);
	ck_assert_int_eq(ksys4(NR_pread64, fd, BAD_PTR, 4, 0), -EFAULT);
	ck_assert_int_eq(ksys2(NR_stat, BAD_PTR, ubuf), -EFAULT);
	ck_assert_int_eq(ksys2(NR_stat, ktest_ustr("/tmp/f"), BAD_PTR),
			 -EFAULT);
	ck_assert_int_eq(ksys2(NR_fstat, fd, BAD_PTR), -EFAULT);
	ck_assert_int_eq(ksys2(NR_lstat, BAD_PTR, ubuf), -EFAULT);
	ck_assert_int_eq(ksys2(NR_getcwd, BAD_PTR, 64), -EFAULT);
	ck_assert_int_eq(ksys1(NR_chdir, BAD_PTR), -EFAULT);
	ck_assert_int_eq(ksys2(NR_mkdir, BAD_PTR, 0755), -EFAULT);
	ck_assert_int_eq(ksys1(NR_rmdir, BAD_PTR), -EFAULT);
	ck_assert_int_eq(ksys1(NR_unlink, BAD_PTR), -EFAULT);
	ck_assert_int_eq(ksys2(NR_rename, BAD_PTR, ktest_ustr("/tmp/g")),
			 -EFAULT);
	ck_assert_int_eq(ksys2(NR_rename, ktest_ustr("/tmp/f"), BAD_PTR),
			 -EFAULT);
	ck_assert_int_eq(ksys2(NR_symlink, BAD_PTR, ktest_ustr("/tmp/s")),
			 -EFAULT);
	ck_assert_int_eq(ksys2(NR_link, ktest_ustr("/tmp/f"), BAD_PTR),
			 -EFAULT);
	ck_assert_int_eq(ksys3(NR_readlink, BAD_PTR, ubuf, 10), -EFAULT);
	ck_assert_int_eq(s_path2(NR_symlink, "f", "/tmp/l"), 0);
	ck_assert_int_eq(ksys3(NR_readlink, ktest_ustr("/tmp/l"), BAD_PTR, 10),
			 -EFAULT);
	ck_assert_int_eq(ksys2(NR_access, BAD_PTR, F_OK), -EFAULT);
	ck_assert_int_eq(ksys2(NR_chmod, BAD_PTR, 0644), -EFAULT);
	ck_assert_int_eq(ksys2(NR_truncate, BAD_PTR, 0), -EFAULT);
	ck_assert_int_eq(ksys3(NR_writev, fd, BAD_PTR, 1), -EFAULT);
	ck_assert_int_eq(ksys6(NR_statx, AT_FDCWD, ktest_ustr("/tmp/f"), 0,
			       STATX_BASIC_STATS, BAD_PTR, 0),
			 -EFAULT);
	ck_assert_int_eq(ksys4(NR_newfstatat, AT_FDCWD, BAD_PTR, ubuf, 0),
			 -EFAULT);
	ck_assert_int_eq(ksys3(NR_ioctl, 0, FIONBIO, BAD_PTR), -EFAULT);
	/* A buffer that ends in unmapped memory: the bytes before it move. */
	uint64_t page = ktest_umap(2 * 4096, VM_READ | VM_WRITE);
	ck_assert_int_eq(vm_unmap(current->task->mm, page + 4096, 4096), 0);
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(ksys3(NR_read, fd, page + 4096 - 3, 7), 3);
	ktest_get(buf, page + 4096 - 3, 3);
	ck_assert(memcmp(buf, "con", 3) == 0);
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, SEEK_CUR), 3);
	/* The file still reads back intact. */
	ck_assert_int_eq(ksys3(NR_lseek, fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(s_read((int)fd, buf, 15), 7);
	ck_assert_str_eq(buf, "content");
}
END_TEST

START_TEST(access_and_fsync)
{
	boot();
	make_file("/tmp/f", "x");
	ck_assert_int_eq(ksys2(NR_access, ktest_ustr("/tmp/f"), R_OK | W_OK),
			 0);
	/* Root may execute only what has an x bit. */
	ck_assert_int_eq(ksys2(NR_access, ktest_ustr("/tmp/f"), X_OK), -EACCES);
	ck_assert_int_eq(ksys2(NR_chmod, ktest_ustr("/tmp/f"), 0700), 0);
	ck_assert_int_eq(ksys2(NR_access, ktest_ustr("/tmp/f"), X_OK), 0);
	ck_assert_int_eq(ksys2(NR_access, ktest_ustr("/tmp/f"), 8), -EINVAL);
	ck_assert_int_eq(ksys2(NR_access, ktest_ustr("/tmp/g"), F_OK), -ENOENT);
	long fd = s_open("/tmp/f", O_RDONLY, 0);
	ck_assert_int_eq(ksys1(NR_fsync, fd), 0);
	ck_assert_int_eq(ksys1(NR_fsync, 1), -EINVAL);
	ck_assert_int_eq(ksys1(NR_fsync, 99), -EBADF);
}
END_TEST

/* Regression guard for reference leaks: a round of operations leaves the
 * heap as it found it. */
START_TEST(operations_leave_no_allocations)
{
	struct kmalloc_stats before, after;
	uint64_t d, f, g, l, ps, pf, dot;
	long fd;

	boot();
	d = ktest_ustr("/tmp/d");
	f = ktest_ustr("/tmp/d/f");
	g = ktest_ustr("/tmp/d/g");
	l = ktest_ustr("/tmp/d/l");
	ps = ktest_ustr("/proc/self/stat");
	pf = ktest_ustr("/proc/self/fd/0");
	dot = ktest_ustr("/tmp/d/../d/./f");
	ktest_put(ubuf + 8192, "f", 2);
	kmalloc_stats(&before);
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(ksys2(NR_mkdir, d, 0755), 0);
		fd = ksys3(NR_open, f, O_CREAT | O_RDWR, 0644);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ksys3(NR_write, fd, ubuf, 5000), 5000);
		ck_assert_int_eq(ksys1(NR_close, fd), 0);
		ck_assert_int_eq(ksys2(NR_stat, dot, ubuf), 0);
		ck_assert_int_eq(ksys2(NR_symlink, ubuf + 8192, l), 0);
		ck_assert_int_eq(ksys2(NR_stat, l, ubuf), 0);
		ck_assert_int_eq(ksys2(NR_rename, f, g), 0);
		fd = ksys3(NR_open, ps, O_RDONLY, 0);
		ck_assert_int_gt(ksys3(NR_read, fd, ubuf, 512), 0);
		ck_assert_int_eq(ksys1(NR_close, fd), 0);
		ck_assert_int_eq(ksys2(NR_stat, pf, ubuf), 0);
		fd = ksys3(NR_open, d, O_RDONLY | O_DIRECTORY, 0);
		ck_assert_int_gt(ksys3(NR_getdents64, fd, ubuf, 4096), 0);
		ck_assert_int_eq(ksys1(NR_close, fd), 0);
		ck_assert_int_eq(ksys1(NR_unlink, g), 0);
		ck_assert_int_eq(ksys1(NR_unlink, l), 0);
		ck_assert_int_eq(ksys1(NR_rmdir, d), 0);
	}
	kmalloc_stats(&after);
	ck_assert_uint_eq(after.allocs_live, before.allocs_live);
	ck_assert_uint_eq(after.bytes_in_use, before.bytes_in_use);
}
END_TEST

KTEST_SUITE(vfs_suite)
{
	Suite *s = suite_create("vfs");
	TCase *walk = tcase_create("walk");
	TCase *names = tcase_create("names");
	TCase *files = tcase_create("files");
	TCase *fds = tcase_create("fds");
	TCase *dev = tcase_create("dev");
	TCase *proc = tcase_create("proc");

	tcase_add_test(walk, walk_symlink_loop_is_eloop);
	tcase_add_test(walk, walk_symlink_chain_limit_is_40);
	tcase_add_test(walk, walk_dotdot_at_root_stays);
	tcase_add_test(walk, walk_mount_has_its_own_dev);
	tcase_add_test(walk, walk_trailing_slash_and_errors);
	tcase_add_test(walk, walk_search_permission);
	tcase_add_test(names, mkdir_rmdir_unlink_errnos);
	tcase_add_test(names, umask_applies);
	tcase_add_test(names, rename_semantics);
	tcase_add_test(names, rename_moves_cwd_and_open_names);
	tcase_add_test(names, hard_links_and_unlinked_open_file);
	tcase_add_test(names, symlink_readlink);
	tcase_add_test(files, open_excl_and_flags);
	tcase_add_test(files, read_write_lseek_pread);
	tcase_add_test(files, append_truncate_readv_writev);
	tcase_add_test(files, getdents_lists_entries);
	tcase_add_test(files, stat_family);
	tcase_add_test(files, bad_pointers_are_efault);
	tcase_add_test(files, access_and_fsync);
	tcase_add_test(files, operations_leave_no_allocations);
	tcase_add_test(fds, fd_table_semantics);
	tcase_add_test(fds, fd_emfile_at_rlimit);
	tcase_add_test(dev, dev_null_zero_full);
	tcase_add_test(dev, console_streams_and_tty);
	tcase_add_test(dev, console_read_blocks_until_input);
	tcase_add_test(proc, proc_self_links_and_files);
	tcase_add_test(proc, getcwd_after_chdir);
	suite_add_tcase(s, walk);
	suite_add_tcase(s, names);
	suite_add_tcase(s, files);
	suite_add_tcase(s, fds);
	suite_add_tcase(s, dev);
	suite_add_tcase(s, proc);
	return s;
}
