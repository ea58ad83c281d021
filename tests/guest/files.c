/*
 * Guest: the file system calls on a fresh directory under /tmp: create,
 * read/write and offsets, positional and vector I/O, stat, directories and
 * their listing, rename/unlink/symlink/readlink, fd duplication and fcntl
 * flags, access checks and the cwd; error cases print errno names.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guest.h"

static char top[64];

/* Sorted names of directory `path` as "name/type" joined by spaces. */
static void list_dir(const char *path)
{
	char names[64][264];
	int n = 0;
	char buf[1024];
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		printf("list %s: open %s\n", path, errname(errno));
		guest_failures++;
		return;
	}
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (got < 0) {
			printf("list %s: getdents64 %s\n", path,
			       errname(errno));
			guest_failures++;
			break;
		}
		if (got == 0)
			break;
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			const char *t = d->d_type == DT_REG	? "f" :
					d->d_type == DT_DIR	? "d" :
					d->d_type == DT_LNK	? "l" :
					d->d_type == DT_UNKNOWN ? "?" :
								  "o";
			if (n < 64)
				snprintf(names[n++], sizeof(names[0]), "%s/%s",
					 d->d_name, t);
			if (d->d_reclen == 0 || d->d_reclen % 8) {
				printf("bad d_reclen %d\n", d->d_reclen);
				guest_failures++;
				break;
			}
			off += d->d_reclen;
		}
	}
	close(fd);
	qsort(names, n, sizeof(names[0]),
	      (int (*)(const void *, const void *))strcmp);
	printf("list %s:", path);
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
}

static void show_stat(const char *what, const char *path, int follow)
{
	struct stat st;
	int r = follow ? stat(path, &st) : lstat(path, &st);

	if (r < 0) {
		printf("%s %s: -1 %s\n", what, path, errname(errno));
		return;
	}
	/* A directory's size and link count depend on the file system. */
	if (S_ISDIR(st.st_mode)) {
		printf("%s %s: type dir mode %04o\n", what, path,
		       (unsigned)(st.st_mode & 07777));
		return;
	}
	printf("%s %s: type %s mode %04o size %lld nlink %lu\n", what, path,
	       S_ISREG(st.st_mode) ? "reg" :
	       S_ISLNK(st.st_mode) ? "lnk" :
				     "other",
	       (unsigned)(st.st_mode & 07777), (long long)st.st_size,
	       (unsigned long)st.st_nlink);
}

static void rw_basics(void)
{
	char buf[64];
	int fd;

	printf("== read/write\n");
	EXPECT_OK("open a O_CREAT|O_EXCL",
		  fd = open("a", O_CREAT | O_EXCL | O_RDWR, 0644));
	EXPECT_ERR("open a O_CREAT|O_EXCL again",
		   open("a", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
	EXPECT_OK("write", write(fd, "hello world\n", 12));
	EXPECT_OK("lseek CUR", lseek(fd, 0, SEEK_CUR));
	EXPECT_OK("lseek SET 6", lseek(fd, 6, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	EXPECT_OK("read 5", read(fd, buf, 5));
	printf("read data: [%s]\n", buf);
	EXPECT_OK("lseek END", lseek(fd, 0, SEEK_END));
	EXPECT_OK("read at EOF", read(fd, buf, sizeof(buf)));
	EXPECT_ERR("lseek negative", lseek(fd, -100, SEEK_SET), EINVAL);
	EXPECT_ERR("lseek bad whence", lseek(fd, 0, 42), EINVAL);

	EXPECT_OK("pwrite 0", pwrite(fd, "HELLO", 5, 0));
	memset(buf, 0, sizeof(buf));
	EXPECT_OK("pread 0", pread(fd, buf, sizeof(buf) - 1, 0));
	printf("pread data: [%s]\n", buf);
	EXPECT_OK("offset unchanged by pread/pwrite", lseek(fd, 0, SEEK_CUR));
	EXPECT_ERR("pread negative offset", pread(fd, buf, 1, -1), EINVAL);

	struct stat st;
	EXPECT_OK("fstat", fstat(fd, &st));
	printf("fstat size %lld reg %d mode %04o\n", (long long)st.st_size,
	       S_ISREG(st.st_mode), (unsigned)(st.st_mode & 07777));

	/* A hole: write past the end; the gap reads as zeros. */
	EXPECT_OK("pwrite past end", pwrite(fd, "Z", 1, 100));
	EXPECT_OK("fstat", fstat(fd, &st));
	printf("size after hole %lld\n", (long long)st.st_size);
	memset(buf, 'x', sizeof(buf));
	EXPECT_OK("pread hole", pread(fd, buf, 10, 50));
	int zeros = 0;
	for (int i = 0; i < 10; i++)
		zeros += buf[i] == 0;
	printf("hole zeros: %d\n", zeros);
	EXPECT_OK("ftruncate 12", ftruncate(fd, 12));
	EXPECT_OK("fstat", fstat(fd, &st));
	printf("size after ftruncate %lld\n", (long long)st.st_size);

	/* writev gathers in order; readv scatters in order. */
	EXPECT_OK("lseek SET 0", lseek(fd, 0, SEEK_SET));
	struct iovec wv[3] = {
		{ .iov_base = "abc", .iov_len = 3 },
		{ .iov_base = "", .iov_len = 0 },
		{ .iov_base = "defgh", .iov_len = 5 },
	};
	EXPECT_OK("writev", writev(fd, wv, 3));
	char r1[4] = { 0 }, r2[16] = { 0 };
	struct iovec rv[2] = {
		{ .iov_base = r1, .iov_len = 3 },
		{ .iov_base = r2, .iov_len = 15 },
	};
	EXPECT_OK("lseek SET 0", lseek(fd, 0, SEEK_SET));
	EXPECT_OK("readv", readv(fd, rv, 2));
	printf("readv: [%s] [%s]\n", r1, r2);
	EXPECT_OK("close", close(fd));
	EXPECT_ERR("close again", close(fd), EBADF);
	EXPECT_ERR("read closed fd", read(fd, buf, 1), EBADF);

	/* O_RDONLY fds refuse writes, O_WRONLY fds refuse reads. */
	EXPECT_OK("open a O_RDONLY", fd = open("a", O_RDONLY));
	EXPECT_ERR("write to O_RDONLY fd", write(fd, "x", 1), EBADF);
	close(fd);
	EXPECT_OK("open a O_WRONLY", fd = open("a", O_WRONLY));
	EXPECT_ERR("read from O_WRONLY fd", read(fd, buf, 1), EBADF);
	close(fd);

	/* O_TRUNC empties; creat is open(O_CREAT|O_WRONLY|O_TRUNC). */
	EXPECT_OK("creat b", fd = creat("b", 0600));
	EXPECT_OK("write b", write(fd, "bb", 2));
	EXPECT_ERR("read from creat fd", read(fd, buf, 1), EBADF);
	close(fd);
	show_stat("stat", "b", 1);
	EXPECT_OK("open b O_TRUNC", fd = open("b", O_RDWR | O_TRUNC));
	close(fd);
	show_stat("stat", "b", 1);
	EXPECT_ERR("open missing", open("missing", O_RDONLY), ENOENT);
	EXPECT_ERR("open missing/x", open("missing/x", O_RDONLY), ENOENT);
	EXPECT_ERR("open empty path", open("", O_RDONLY), ENOENT);
}

static void append_and_fcntl(void)
{
	int fd, fd2;

	printf("== dup/fcntl\n");
	EXPECT_OK("open a O_RDWR", fd = open("a", O_RDWR));
	int fl = fcntl(fd, F_GETFL);
	printf("F_GETFL accmode %d append %d\n", fl & O_ACCMODE,
	       !!(fl & O_APPEND));
	EXPECT_OK("F_GETFD", fcntl(fd, F_GETFD));
	EXPECT_OK("F_SETFD FD_CLOEXEC", fcntl(fd, F_SETFD, FD_CLOEXEC));
	EXPECT_OK("F_GETFD", fcntl(fd, F_GETFD));
	EXPECT_OK("F_SETFD 0", fcntl(fd, F_SETFD, 0));
	EXPECT_OK("F_GETFD", fcntl(fd, F_GETFD));
	EXPECT_OK("F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
	fl = fcntl(fd, F_GETFL);
	printf("F_GETFL accmode %d append %d\n", fl & O_ACCMODE,
	       !!(fl & O_APPEND));
	/* O_APPEND: every write lands at the end, whatever the offset. */
	EXPECT_OK("lseek SET 0", lseek(fd, 0, SEEK_SET));
	EXPECT_OK("append write", write(fd, "+end", 4));
	EXPECT_OK("offset after append", lseek(fd, 0, SEEK_CUR));
	EXPECT_ERR("F_GETFL bad fd", fcntl(999, F_GETFL), EBADF);

	/* dup shares the open file description: offset and flags. */
	fd2 = dup(fd);
	printf("dup is lowest free fd: %d\n", fd2 == fd + 1);
	EXPECT_OK("lseek fd SET 3", lseek(fd, 3, SEEK_SET));
	EXPECT_OK("offset seen by dup", lseek(fd2, 0, SEEK_CUR));
	printf("dup shares O_APPEND: %d\n", !!(fcntl(fd2, F_GETFL) & O_APPEND));
	EXPECT_OK("dup has no FD_CLOEXEC", fcntl(fd2, F_GETFD));
	EXPECT_OK("close dup", close(fd2));

	EXPECT_OK("dup2 to 10", dup2(fd, 10));
	EXPECT_OK("dup2 to itself", dup2(fd, fd));
	EXPECT_ERR("dup2 bad old fd", dup2(77, 11), EBADF);
	EXPECT_OK("dup2 onto open 10", dup2(fd, 10));
	/* Raw dup3: musl checks these cases itself or falls back to dup2. */
	EXPECT_ERR("dup3 same fd", syscall(SYS_dup3, fd, fd, 0), EINVAL);
	EXPECT_ERR("dup3 bad flags", syscall(SYS_dup3, fd, 12, 0x1234), EINVAL);
	EXPECT_OK("dup3 O_CLOEXEC to 12", dup3(fd, 12, O_CLOEXEC));
	EXPECT_OK("F_GETFD on 12", fcntl(12, F_GETFD));
	EXPECT_OK("F_DUPFD min 20", fcntl(fd, F_DUPFD, 20));
	EXPECT_OK("F_DUPFD_CLOEXEC min 20", fcntl(fd, F_DUPFD_CLOEXEC, 20));
	EXPECT_OK("F_GETFD on 21", fcntl(21, F_GETFD));
	EXPECT_ERR("dup bad fd", dup(99), EBADF);
	for (int i = 10; i <= 21; i++)
		close(i);
	EXPECT_ERR("close 12 again", close(12), EBADF);
	EXPECT_OK("close", close(fd));

	char buf[32] = { 0 };
	EXPECT_OK("open a", fd = open("a", O_RDONLY));
	EXPECT_OK("read a", read(fd, buf, sizeof(buf) - 1));
	printf("a now: [%s]\n", buf);
	close(fd);

	EXPECT_OK("open O_APPEND", fd = open("b", O_WRONLY | O_APPEND));
	EXPECT_OK("write", write(fd, "12", 2));
	EXPECT_OK("write", write(fd, "34", 2));
	close(fd);
	show_stat("stat", "b", 1);
}

static void dirs(void)
{
	int fd;

	printf("== directories\n");
	EXPECT_OK("mkdir d", mkdir("d", 0755));
	EXPECT_ERR("mkdir d again", mkdir("d", 0755), EEXIST);
	EXPECT_ERR("mkdir over file", mkdir("a", 0755), EEXIST);
	EXPECT_ERR("mkdir missing/x", mkdir("missing/x", 0755), ENOENT);
	EXPECT_ERR("mkdir a/x (a is a file)", mkdir("a/x", 0755), ENOTDIR);
	show_stat("stat", "d", 1);
	EXPECT_OK("create d/x", fd = open("d/x", O_CREAT | O_WRONLY, 0644));
	close(fd);
	EXPECT_OK("mkdir d/sub", mkdir("d/sub", 0700));
	EXPECT_ERR("rmdir d (not empty)", rmdir("d"), ENOTEMPTY);
	EXPECT_ERR("rmdir a (file)", rmdir("a"), ENOTDIR);
	EXPECT_ERR("rmdir missing", rmdir("missing"), ENOENT);
	EXPECT_ERR("open a/x (a is a file)",
		   open("a/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
	EXPECT_ERR("open d O_WRONLY", open("d", O_WRONLY), EISDIR);
	EXPECT_ERR("open d O_RDWR", open("d", O_RDWR), EISDIR);
	EXPECT_ERR("open a O_DIRECTORY", open("a", O_RDONLY | O_DIRECTORY),
		   ENOTDIR);
	EXPECT_OK("open d O_RDONLY", fd = open("d", O_RDONLY));
	char c;
	EXPECT_ERR("read a directory", read(fd, &c, 1), EISDIR);
	EXPECT_ERR("write a directory fd", write(fd, &c, 1), EBADF);
	close(fd);
	EXPECT_ERR("unlink d (dir)", unlink("d"), EISDIR);
	EXPECT_ERR("unlink missing", unlink("missing"), ENOENT);
	list_dir(".");
	list_dir("d");
}

static void names(void)
{
	char buf[64];
	long n;

	printf("== rename/link/symlink\n");
	EXPECT_OK("rename a c", rename("a", "c"));
	show_stat("stat", "a", 1);
	show_stat("stat", "c", 1);
	EXPECT_ERR("rename missing", rename("missing", "e"), ENOENT);
	/* Renaming onto an existing file replaces it. */
	EXPECT_OK("rename b c (replace)", rename("b", "c"));
	show_stat("stat", "b", 1);
	show_stat("stat", "c", 1);
	EXPECT_ERR("rename file onto dir", rename("c", "d"), EISDIR);
	EXPECT_ERR("rename dir onto file", rename("d", "c"), ENOTDIR);
	EXPECT_ERR("rename dir into its own subdir", rename("d", "d/sub/z"),
		   EINVAL);
	EXPECT_OK("mkdir e", mkdir("e", 0755));
	EXPECT_OK("mkdir f", mkdir("f", 0755));
	EXPECT_OK("mkdir f/z", mkdir("f/z", 0755));
	EXPECT_ERR("rename dir onto non-empty dir", rename("e", "f"),
		   ENOTEMPTY);
	EXPECT_OK("rmdir f/z", rmdir("f/z"));
	EXPECT_OK("rename dir onto empty dir", rename("f", "e"));
	show_stat("stat", "f", 1);
	EXPECT_OK("rename e onto empty d/sub", rename("e", "d/sub"));
	EXPECT_OK("rename d/x d/y", rename("d/x", "d/y"));
	list_dir("d");

	EXPECT_OK("link c h", link("c", "h"));
	show_stat("stat", "c", 1);
	EXPECT_ERR("link onto existing", link("c", "h"), EEXIST);
	EXPECT_OK("unlink h", unlink("h"));
	show_stat("stat", "c", 1);

	EXPECT_OK("symlink c l", symlink("c", "l"));
	EXPECT_OK("symlink missing dangling", symlink("nowhere", "dangling"));
	EXPECT_ERR("symlink onto existing", symlink("c", "l"), EEXIST);
	memset(buf, 0, sizeof(buf));
	EXPECT_OK("readlink l", n = readlink("l", buf, sizeof(buf)));
	printf("readlink l: [%.*s]\n", (int)(n > 0 ? n : 0), buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_OK("readlink dangling",
		  n = readlink("dangling", buf, sizeof(buf)));
	printf("readlink dangling: [%.*s]\n", (int)(n > 0 ? n : 0), buf);
	/* readlink truncates silently to the buffer's size. */
	memset(buf, 0, sizeof(buf));
	EXPECT_OK("readlink into 3 bytes", n = readlink("dangling", buf, 3));
	printf("truncated: [%s]\n", buf);
	EXPECT_ERR("readlink of a file", readlink("c", buf, sizeof(buf)),
		   EINVAL);
	EXPECT_ERR("readlink missing", readlink("missing", buf, sizeof(buf)),
		   ENOENT);
	show_stat("lstat", "l", 0);
	show_stat("stat", "l", 1);
	show_stat("stat", "dangling", 1);
	show_stat("lstat", "dangling", 0);
	int fd;
	EXPECT_OK("open through symlink", fd = open("l", O_RDONLY));
	memset(buf, 0, sizeof(buf));
	EXPECT_OK("read through symlink", read(fd, buf, sizeof(buf) - 1));
	printf("content: [%s]\n", buf);
	close(fd);
	EXPECT_ERR("open l O_NOFOLLOW", open("l", O_RDONLY | O_NOFOLLOW),
		   ELOOP);
	EXPECT_ERR("open dangling", open("dangling", O_RDONLY), ENOENT);
	list_dir(".");
}

static void access_checks(void)
{
	printf("== access\n");
	EXPECT_OK("chmod c 0640", chmod("c", 0640));
	EXPECT_OK("access c F_OK", access("c", F_OK));
	EXPECT_OK("access c R_OK|W_OK", access("c", R_OK | W_OK));
	/* No execute bit anywhere: X_OK fails even for root. */
	EXPECT_ERR("access c X_OK", access("c", X_OK), EACCES);
	EXPECT_OK("access d X_OK", access("d", X_OK));
	EXPECT_ERR("access missing", access("missing", F_OK), ENOENT);
	EXPECT_ERR("access c/x", access("c/x", F_OK), ENOTDIR);
	EXPECT_ERR("access bad mode", access("c", 0x40), EINVAL);
	EXPECT_OK("faccessat AT_FDCWD", faccessat(AT_FDCWD, "c", R_OK, 0));
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	EXPECT_OK("faccessat dirfd y", faccessat(dfd, "y", F_OK, 0));
	EXPECT_ERR("faccessat dirfd c", faccessat(dfd, "c", F_OK, 0), ENOENT);
	EXPECT_ERR("faccessat bad dirfd", faccessat(99, "y", F_OK, 0), EBADF);
	EXPECT_OK("faccessat bad dirfd, absolute path",
		  faccessat(99, "/", F_OK, 0));
	int ffd = open("c", O_RDONLY);
	EXPECT_ERR("faccessat file as dirfd", faccessat(ffd, "y", F_OK, 0),
		   ENOTDIR);
	close(ffd);
	/* *at calls relative to a directory fd. */
	int fd;
	EXPECT_OK("openat dirfd",
		  fd = openat(dfd, "new", O_CREAT | O_WRONLY, 0600));
	close(fd);
	EXPECT_OK("mkdirat dirfd", mkdirat(dfd, "newdir", 0700));
	EXPECT_OK("unlinkat dirfd", unlinkat(dfd, "new", 0));
	EXPECT_ERR("unlinkat dir without AT_REMOVEDIR",
		   unlinkat(dfd, "newdir", 0), EISDIR);
	EXPECT_OK("unlinkat AT_REMOVEDIR",
		  unlinkat(dfd, "newdir", AT_REMOVEDIR));
	struct stat st;
	EXPECT_OK("fstatat dirfd y", fstatat(dfd, "y", &st, 0));
	EXPECT_OK("fstatat AT_EMPTY_PATH",
		  fstatat(dfd, "", &st, AT_EMPTY_PATH));
	printf("AT_EMPTY_PATH is dir: %d\n", S_ISDIR(st.st_mode));
	close(dfd);
	EXPECT_OK("umask 077 returns the old 022", umask(077));
	EXPECT_OK("create under umask 077",
		  fd = open("u", O_CREAT | O_WRONLY, 0666));
	close(fd);
	show_stat("stat", "u", 1);
	EXPECT_OK("umask 022 returns 077", umask(022));
	EXPECT_OK("unlink u", unlink("u"));
}

static void cwd(void)
{
	char buf[256];

	printf("== cwd\n");
	CHECK("getcwd is the test dir",
	      getcwd(buf, sizeof(buf)) && strcmp(buf, top) == 0);
	EXPECT_OK("chdir d", chdir("d"));
	size_t n = strlen(top);
	CHECK("getcwd is top/d", getcwd(buf, sizeof(buf)) &&
					 strncmp(buf, top, n) == 0 &&
					 strcmp(buf + n, "/d") == 0);
	EXPECT_OK("open y relative to new cwd", access("y", F_OK));
	EXPECT_OK("chdir ..", chdir(".."));
	CHECK("getcwd back at top",
	      getcwd(buf, sizeof(buf)) && strcmp(buf, top) == 0);
	EXPECT_ERR("chdir to file", chdir("c"), ENOTDIR);
	EXPECT_ERR("chdir missing", chdir("missing"), ENOENT);
	errno = 0;
	CHECK("getcwd size 1 fails", getcwd(buf, 1) == NULL);
	printf("getcwd size 1 errno: %s\n", errname(errno));
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	EXPECT_OK("fchdir d", fchdir(dfd));
	CHECK("getcwd is top/d",
	      getcwd(buf, sizeof(buf)) && strcmp(buf + n, "/d") == 0);
	close(dfd);
	EXPECT_OK("chdir absolute", chdir(top));
	EXPECT_OK("chdir /", chdir("/"));
	CHECK("getcwd is /", getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
	EXPECT_OK("chdir ..", chdir(".."));
	CHECK("/.. is /", getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
	EXPECT_OK("chdir top", chdir(top));
}

static void cleanup(void)
{
	printf("== cleanup\n");
	EXPECT_OK("unlink d/y", unlink("d/y"));
	EXPECT_OK("rmdir d/sub", rmdir("d/sub"));
	EXPECT_OK("rmdir d", rmdir("d"));
	EXPECT_OK("unlink c", unlink("c"));
	EXPECT_OK("unlink l", unlink("l"));
	EXPECT_OK("unlink dangling", unlink("dangling"));
	list_dir(".");
	EXPECT_OK("chdir /", chdir("/"));
	EXPECT_OK("rmdir top", rmdir(top));
	EXPECT_ERR("rmdir top again", rmdir(top), ENOENT);
}

int main(void)
{
	umask(022);
	strcpy(top, "/tmp/ember-files-XXXXXX");
	if (!mkdtemp(top)) {
		printf("mkdtemp: %s\n", errname(errno));
		return 1;
	}
	if (chdir(top) < 0) {
		printf("chdir: %s\n", errname(errno));
		return 1;
	}
	show_stat("stat", ".", 1);
	list_dir(".");
	rw_basics();
	append_and_fcntl();
	dirs();
	names();
	access_checks();
	cwd();
	cleanup();
	return guest_exit();
}
