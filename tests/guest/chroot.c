/*
 * Guest: chroot(2). A child moves its root into a directory: "/" and
 * "/.." name the new root, files outside it cannot be named, a symlink
 * to an absolute path resolves inside it, and the parent is unaffected.
 * Errors: ENOENT, ENOTDIR, and EPERM without privilege. Run as root
 * (natively too: CI runs as root).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

static void show(const char *what, int r)
{
	printf("%s: %s\n", what, r < 0 ? errname(errno) : "0");
}

static int read_word(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(path, fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

int main(void)
{
	char buf[PATH_MAX];
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		printf("not root: skipped\n");
		return 0;
	}
	mkdir("jail", 0755);
	mkdir("jail/sub", 0755);
	put("jail/inside", "inside\n");
	put("outside", "outside\n");
	unlink("jail/abs");
	CHECK("symlink", symlink("/inside", "jail/abs") == 0);

	show("chroot missing", chroot("no-such-dir"));
	show("chroot a file", chroot("outside"));

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		show("chroot jail", chroot("jail"));
		show("chdir /", chdir("/"));
		printf("getcwd: %s\n", getcwd(buf, sizeof(buf)) ? buf : errname(errno));
		printf("/inside: %s", read_word("/inside", buf, sizeof(buf)) == 0 ? buf : "none\n");
		printf("/../inside: %s", read_word("/../inside", buf, sizeof(buf)) == 0 ? buf : "none\n");
		printf("/sub/../../../inside: %s",
		       read_word("/sub/../../../inside", buf, sizeof(buf)) == 0 ? buf : "none\n");
		printf("/abs (symlink to /inside): %s",
		       read_word("/abs", buf, sizeof(buf)) == 0 ? buf : "none\n");
		printf("/outside: %s", read_word("/outside", buf, sizeof(buf)) == 0 ? buf : "none\n");
		printf("../outside: %s", read_word("../outside", buf, sizeof(buf)) == 0 ? buf : "none\n");
		show("chroot /sub", chroot("/sub"));
		printf("after nested chroot, /: %s",
		       read_word("/inside", buf, sizeof(buf)) == 0 ? buf : "none\n");
		fflush(stdout);
		if (setuid(1000) != 0)
			_exit(3);
		show("chroot as uid 1000", chroot("/"));
		_exit(guest_failures ? 1 : 0);
	}
	CHECK("waitpid", pid > 0 && waitpid(pid, &status, 0) == pid);
	printf("child exit: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	printf("parent still sees outside: %s",
	       read_word("outside", buf, sizeof(buf)) == 0 ? buf : "none\n");

	unlink("jail/abs");
	unlink("jail/inside");
	rmdir("jail/sub");
	rmdir("jail");
	unlink("outside");
	return guest_exit();
}
