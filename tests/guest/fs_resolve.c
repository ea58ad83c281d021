/*
 * openat2(2) with RESOLVE_* (BENEATH, IN_ROOT, NO_SYMLINKS,
 * NO_MAGICLINKS, NO_XDEV) and its size and flag checks; O_TMPFILE in /tmp
 * named later by linkat through /proc/self/fd; O_APPEND writes of two
 * processes; rename over a file while another process keeps opening it;
 * the process's own mappings in /proc/self/maps; poll on a pty pair
 * (checked quietly: skipped when /dev/ptmx cannot be opened).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Written from openat2(2); libc headers may not have it. */
struct how {
	uint64_t flags, mode, resolve;
};
#define R_NO_XDEV 0x01
#define R_NO_MAGICLINKS 0x02
#define R_NO_SYMLINKS 0x04
#define R_BENEATH 0x08
#define R_IN_ROOT 0x10

static long o2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct how h = { flags, 0, resolve };
	long fd = syscall(SYS_openat2, dirfd, path, &h, sizeof(h));

	if (fd >= 0)
		close((int)fd);
	return fd < 0 ? -1 : 0;
}

static void openat2_tests(void)
{
	int d, root, fd;
	char link[64];

	printf("== openat2\n");
	mkdir("o2", 0755);
	mkdir("o2/sub", 0755);
	close(open("o2/sub/f", O_CREAT | O_WRONLY, 0644));
	close(open("outside", O_CREAT | O_WRONLY, 0644));
	symlink("/etc/passwd", "o2/abs");
	symlink("../outside", "o2/up");
	symlink("sub/f", "o2/rel");
	d = open("o2", O_RDONLY | O_DIRECTORY);
	EXPECT_OK("BENEATH sub/f", o2(d, "sub/f", O_RDONLY, R_BENEATH));
	EXPECT_OK("BENEATH sub/../sub/f",
		  o2(d, "sub/../sub/f", O_RDONLY, R_BENEATH));
	EXPECT_OK("BENEATH rel", o2(d, "rel", O_RDONLY, R_BENEATH));
	EXPECT_ERR("BENEATH ../outside",
		   o2(d, "../outside", O_RDONLY, R_BENEATH), EXDEV);
	EXPECT_ERR("BENEATH sub/../../outside",
		   o2(d, "sub/../../outside", O_RDONLY, R_BENEATH), EXDEV);
	EXPECT_ERR("BENEATH /etc/passwd",
		   o2(d, "/etc/passwd", O_RDONLY, R_BENEATH), EXDEV);
	EXPECT_ERR("BENEATH abs", o2(d, "abs", O_RDONLY, R_BENEATH), EXDEV);
	EXPECT_ERR("BENEATH up", o2(d, "up", O_RDONLY, R_BENEATH), EXDEV);
	EXPECT_OK("IN_ROOT /sub/f", o2(d, "/sub/f", O_RDONLY, R_IN_ROOT));
	EXPECT_OK("IN_ROOT ../../sub/f",
		  o2(d, "../../sub/f", O_RDONLY, R_IN_ROOT));
	EXPECT_ERR("IN_ROOT abs (no /etc inside)",
		   o2(d, "abs", O_RDONLY, R_IN_ROOT), ENOENT);
	EXPECT_ERR("NO_SYMLINKS rel", o2(d, "rel", O_RDONLY, R_NO_SYMLINKS),
		   ELOOP);
	EXPECT_OK("NO_SYMLINKS rel O_PATH|O_NOFOLLOW",
		  o2(d, "rel", O_PATH | O_NOFOLLOW, R_NO_SYMLINKS));
	fd = open("o2/sub/f", O_RDONLY);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	EXPECT_OK("magic link", o2(AT_FDCWD, link, O_RDONLY, 0));
	EXPECT_ERR("NO_MAGICLINKS",
		   o2(AT_FDCWD, link, O_RDONLY, R_NO_MAGICLINKS), ELOOP);
	close(fd);
	root = open("/", O_RDONLY | O_DIRECTORY);
	EXPECT_OK("plain proc/self/status",
		  o2(root, "proc/self/status", O_RDONLY, 0));
	EXPECT_ERR("NO_XDEV proc/self/status",
		   o2(root, "proc/self/status", O_RDONLY, R_NO_XDEV), EXDEV);
	EXPECT_OK("NO_XDEV sub/f", o2(d, "sub/f", O_RDONLY, R_NO_XDEV));
	close(root);

	/* struct open_how rules. */
	{
		struct {
			struct how h;
			uint64_t extra;
		} big = { { O_RDONLY, 0, 0 }, 0 };
		static char page[8192];

		EXPECT_ERR("size 8", syscall(SYS_openat2, d, "sub/f", &big, 8),
			   EINVAL);
		fd = (int)syscall(SYS_openat2, d, "sub/f", &big, sizeof(big));
		EXPECT_OK("size 32, zero tail", fd < 0 ? -1 : 0);
		if (fd >= 0)
			close(fd);
		big.extra = 1;
		EXPECT_ERR("size 32, nonzero tail",
			   syscall(SYS_openat2, d, "sub/f", &big, sizeof(big)),
			   E2BIG);
		EXPECT_ERR("size 8192",
			   syscall(SYS_openat2, d, "sub/f", page, 8192), E2BIG);
		big.extra = 0;
		big.h.resolve = 0x1000;
		EXPECT_ERR("unknown resolve bit",
			   syscall(SYS_openat2, d, "sub/f", &big, 24), EINVAL);
		big.h.resolve = R_BENEATH | R_IN_ROOT;
		EXPECT_ERR("BENEATH|IN_ROOT",
			   syscall(SYS_openat2, d, "sub/f", &big, 24), EINVAL);
		big.h.resolve = 0;
		big.h.mode = 0644;
		EXPECT_ERR("mode without O_CREAT",
			   syscall(SYS_openat2, d, "sub/f", &big, 24), EINVAL);
		big.h.mode = 0;
		big.h.flags = 1ULL << 40;
		EXPECT_ERR("unknown flag bit",
			   syscall(SYS_openat2, d, "sub/f", &big, 24), EINVAL);
		big.h.flags = O_RDONLY;
		EXPECT_ERR("bad how pointer",
			   syscall(SYS_openat2, d, "sub/f", (void *)8, 24),
			   EFAULT);
	}
	close(d);
	unlink("o2/abs");
	unlink("o2/up");
	unlink("o2/rel");
	unlink("o2/sub/f");
	rmdir("o2/sub");
	rmdir("o2");
	unlink("outside");
}

static void tmpfile_tests(void)
{
	char name[64], link[64];
	struct stat st;
	int fd;

	printf("== O_TMPFILE\n");
	snprintf(name, sizeof(name), "/tmp/fs_resolve.%d", (int)getpid());
	EXPECT_ERR("O_TMPFILE read-only",
		   open("/tmp", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	EXPECT_OK_QUIET("open O_TMPFILE", fd);
	if (fd < 0)
		return;
	EXPECT_OK("write", write(fd, "temporary", 9));
	fstat(fd, &st);
	printf("nlink %ld size %ld mode %o\n", (long)st.st_nlink,
	       (long)st.st_size, st.st_mode & 07777);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	EXPECT_OK("linkat",
		  linkat(AT_FDCWD, link, AT_FDCWD, name, AT_SYMLINK_FOLLOW));
	stat(name, &st);
	printf("named: nlink %ld size %ld\n", (long)st.st_nlink,
	       (long)st.st_size);
	unlink(name);
	close(fd);
	fd = open("/tmp", O_TMPFILE | O_RDWR | O_EXCL, 0600);
	EXPECT_OK_QUIET("open O_TMPFILE|O_EXCL", fd);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	EXPECT_ERR("linkat of O_EXCL tmpfile",
		   linkat(AT_FDCWD, link, AT_FDCWD, name, AT_SYMLINK_FOLLOW),
		   ENOENT);
	close(fd);
}

/* Two processes append 10-byte records to one file through their own
 * open files: nothing is lost or torn. */
static void append_tests(const char *dir)
{
	char path[128], line[16];
	int counts[2] = { 0, 0 }, torn = 0;
	pid_t pid;
	FILE *f;

	printf("== O_APPEND from two processes (%s)\n",
	       dir[0] == '/' ? "tmp" : "cwd");
	snprintf(path, sizeof(path), "%s/append.file", dir);
	close(open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644));
	fflush(stdout);
	pid = fork();
	if (pid == 0 || pid > 0) {
		char c = pid == 0 ? 'B' : 'A';
		int fd = open(path, O_WRONLY | O_APPEND);
		char rec[10];

		memset(rec, c, 9);
		rec[9] = '\n';
		for (int i = 0; i < 500; i++)
			if (write(fd, rec, 10) != 10)
				break;
		close(fd);
		if (pid == 0)
			_exit(0);
	}
	waitpid(pid, NULL, 0);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strcmp(line, "AAAAAAAAA\n") == 0)
			counts[0]++;
		else if (strcmp(line, "BBBBBBBBB\n") == 0)
			counts[1]++;
		else
			torn++;
	}
	if (f)
		fclose(f);
	struct stat st;
	stat(path, &st);
	printf("size %ld A %d B %d torn %d\n", (long)st.st_size, counts[0],
	       counts[1], torn);
	unlink(path);
}

/* One process renames new files over target again and again; the other
 * keeps opening target: it never finds it missing or half written. */
static void rename_tests(const char *dir)
{
	char target[128], tmp[128];
	int missing = 0, bad = 0, opened = 0;
	int go[2];
	pid_t pid;

	printf("== rename atomicity (%s)\n", dir[0] == '/' ? "tmp" : "cwd");
	snprintf(target, sizeof(target), "%s/rename.target", dir);
	snprintf(tmp, sizeof(tmp), "%s/rename.new", dir);
	int fd = open(target, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (write(fd, "version-0\n", 10) != 10)
		bad++;
	close(fd);
	if (pipe(go) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(go[0]);
		for (int i = 1; i <= 300; i++) {
			char buf[16];

			fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY, 0644);
			snprintf(buf, sizeof(buf), "version-%d\n", i % 10);
			if (write(fd, buf, 10) != 10)
				_exit(3);
			close(fd);
			if (rename(tmp, target) < 0)
				_exit(4);
		}
		_exit(0);
	}
	close(go[1]);
	for (;;) {
		int st;
		char buf[16];

		fd = open(target, O_RDONLY);
		if (fd < 0) {
			missing++;
		} else {
			opened++;
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n != 10 || memcmp(buf, "version-", 8) != 0)
				bad++;
			close(fd);
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			printf("writer exit %d\n", WEXITSTATUS(st));
			break;
		}
	}
	close(go[0]);
	printf("missing %d bad %d opened-some %d\n", missing, bad, opened > 0);
	unlink(target);
}

/* Finds the maps line starting at addr: prints its permissions and size. */
static void show_map(const char *what, void *addr)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, off;
		char perms[8];
		int n;

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s%n", &lo, &hi, perms,
			   &off, &n) < 4)
			continue;
		if (lo != (unsigned long)addr)
			continue;
		char *name = line + n;
		while (*name == ' ')
			name++;
		name[strcspn(name, "\n")] = '\0';
		const char *base = strrchr(name, '/');
		printf("%s: %s %lu pages off %lu name %s\n", what, perms,
		       (hi - lo) / 4096, off / 4096,
		       *name ? (base ? base + 1 : name) : "(anon)");
		found = 1;
	}
	if (f)
		fclose(f);
	if (!found)
		printf("%s: not found\n", what);
}

static void maps_tests(void)
{
	char *a, *b, *c;
	int fd;

	printf("== /proc/self/maps\n");
	a = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fd = open("maps.file", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (ftruncate(fd, 4 * 4096) < 0)
		printf("ftruncate failed\n");
	c = mmap(NULL, 2 * 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 4096);
	show_map("anon rw 5", a);
	show_map("shared r 2", b);
	show_map("file rx 2 at page 1", c);
	mprotect(a + 4096, 2 * 4096, PROT_READ);
	show_map("split: first", a);
	show_map("split: middle", a + 4096);
	show_map("split: last", a + 3 * 4096);
	munmap(a + 4096, 4096);
	show_map("after munmap: middle rest", a + 2 * 4096);
	munmap(a, 5 * 4096);
	munmap(b, 2 * 4096);
	munmap(c, 2 * 4096);
	close(fd);
	unlink("maps.file");
}

/* Quiet: prints nothing unless a check fails, so a system without
 * /dev/ptmx prints the same as one with it. */
static void pty_tests(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;
	struct pollfd p[2];

	if (m < 0)
		return;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || !ptsname(m)) {
		close(m);
		return;
	}
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (s < 0) {
		close(m);
		return;
	}
	p[0] = (struct pollfd){ m, POLLIN, 0 };
	p[1] = (struct pollfd){ s, POLLOUT, 0 };
	if (poll(p, 2, 0) != 1 || p[0].revents || !(p[1].revents & POLLOUT)) {
		printf("pty: idle poll FAILED\n");
		guest_failures++;
	}
	if (write(s, "x\n", 2) != 2) {
		printf("pty: write FAILED\n");
		guest_failures++;
	}
	p[0].revents = 0;
	if (poll(p, 1, 1000) != 1 || !(p[0].revents & POLLIN)) {
		printf("pty: master not readable FAILED\n");
		guest_failures++;
	}
	close(s);
	close(m);
}

int main(void)
{
	char tmp[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	openat2_tests();
	tmpfile_tests();
	append_tests(".");
	rename_tests(".");
	snprintf(tmp, sizeof(tmp), "/tmp/fs_resolve.d%d", (int)getpid());
	if (mkdir(tmp, 0700) == 0) {
		append_tests(tmp);
		rename_tests(tmp);
		rmdir(tmp);
	}
	maps_tests();
	pty_tests();
	return guest_exit();
}
