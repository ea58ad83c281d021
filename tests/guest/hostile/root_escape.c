/*
 * Hostile guest: tries to read or write the canary file that
 * run-hostile.sh put outside --root, by every route a path can take:
 * its host path, "..", host symlinks planted in the root (relative,
 * absolute, to ".."), symlinks it makes itself, /proc/self/root and cwd,
 * hard links, and a directory the host renames out of the root while the
 * guest holds it open as its cwd and as an fd. Nothing may show the
 * canary's text; the harness checks that the canary and everything else
 * outside the root are unchanged.
 * HOSTILE_EXPECT: exit 0
 * HOSTILE_ARGS: @OUTSIDE@/canary @OUTSIDE@
 * HOSTILE_HOST: rename
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

#define SECRET "secret-canary"

static const char *canary, *outside;

/* Opening path must fail, or at least not give the canary's text. */
static void no_canary(const char *what, int dirfd, const char *path)
{
	char buf[256];
	int fd = openat(dirfd, path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		pass("%s: %s", what, strerror(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (strstr(buf, SECRET))
		failf("%s: read the canary outside the root", what);
	else
		pass("%s: opens something inside the root, not the canary",
		     what);
}

/* Creating or linking must not land outside the root either. */
static void no_write(const char *what, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		pass("%s: %s", what, strerror(errno));
		return;
	}
	if (write(fd, "overwritten", 11) != 11)
		failf("%s: write: %s", what, strerror(errno));
	close(fd);
	pass("%s: created inside the root (the harness checks the host)", what);
}

static void wait_for(const char *path)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct stat st;

	for (int i = 0; i < 1000 && stat(path, &st) != 0; i++)
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	char path[8192], cwd[4096];

	if (argc < 3) {
		failf("usage: root_escape CANARY OUTSIDE");
		return hostile_exit();
	}
	canary = argv[1];
	outside = argv[2];

	/* Plain paths. */
	no_canary("the canary's host path", AT_FDCWD, canary);
	snprintf(path, sizeof(path), "/../../../../../../..%s", canary);
	no_canary("/.. repeated, then the host path", AT_FDCWD, path);
	no_canary("/../outside/canary", AT_FDCWD, "/../outside/canary");
	no_canary("../outside/canary from /", AT_FDCWD, "../outside/canary");

	/* Host symlinks planted in the root by the harness. */
	no_canary("relative host symlink ../outside", AT_FDCWD,
		  "/hostlink/canary");
	no_canary("absolute host symlink", AT_FDCWD, "/abslink/canary");
	no_canary("host symlink to ..", AT_FDCWD, "/dotdot/outside/canary");
	no_canary("host symlink to .. twice", AT_FDCWD,
		  "/dotdot/dotdot/outside/canary");
	no_canary("host symlink straight to the canary", AT_FDCWD,
		  "/canarylink");

	/* Symlinks the guest makes (in the root, i.e. on the host). */
	if (symlink("../outside", "/esc1") == 0 &&
	    symlink(outside, "/esc2") == 0 && symlink(canary, "/esc3") == 0) {
		no_canary("guest symlink ../outside", AT_FDCWD, "/esc1/canary");
		no_canary("guest symlink to the host dir", AT_FDCWD,
			  "/esc2/canary");
		no_canary("guest symlink to the host file", AT_FDCWD, "/esc3");
	} else {
		failf("symlink: %s", strerror(errno));
	}

	/* /proc's magic links. */
	no_canary("/proc/self/root/../outside/canary", AT_FDCWD,
		  "/proc/self/root/../outside/canary");
	no_canary("/proc/self/cwd/../outside/canary", AT_FDCWD,
		  "/proc/self/cwd/../outside/canary");

	/* chdir("..") from the root stays at the root. */
	chdir("/");
	for (int i = 0; i < 16; i++)
		chdir("..");
	if (getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0)
		pass("chdir(..) 16 times from / stays at /");
	else
		failf("chdir(..) from / leads to %s", cwd);
	no_canary("outside/canary after chdir(..)", AT_FDCWD, "outside/canary");

	/* Hard links and writes through the links. */
	expect_errno("link(/hostlink/canary)",
		     link("/hostlink/canary", "/stolen"), ENOENT, EXDEV, 0);
	expect_errno("linkat(host path, AT_SYMLINK_FOLLOW)",
		     linkat(AT_FDCWD, canary, AT_FDCWD, "/stolen2",
			    AT_SYMLINK_FOLLOW),
		     ENOENT, EXDEV, 0);
	no_write("create through the relative host symlink",
		 "/hostlink/new-file");
	no_write("create through the absolute host symlink",
		 "/abslink/new-file");
	no_write("truncate the canary by its host path", canary);
	expect_errno("rename(/hostlink/canary)",
		     rename("/hostlink/canary", "/taken"), ENOENT, EXDEV, 0);

	/* A directory held open while the host moves it out of the root:
	 * ".." from it is still the guest's own tree. */
	int dfd = open("/deep/a/b", O_RDONLY | O_DIRECTORY);
	if (dfd < 0 || chdir("/deep/a/b") != 0) {
		failf("open /deep/a/b: %s", strerror(errno));
		return hostile_exit();
	}
	close(open("/ready", O_WRONLY | O_CREAT, 0644));
	wait_for("/go");
	struct stat st;
	if (stat("/deep", &st) != 0)
		pass("the host moved /deep out of the root");
	else
		printf("INFO: /deep is still there (no host rename?)\n");
	no_canary("../../../canary from the moved cwd", AT_FDCWD,
		  "../../../canary");
	no_canary("../../../outside/canary from the moved cwd", AT_FDCWD,
		  "../../../outside/canary");
	no_canary("../../../canary from the moved fd", dfd, "../../../canary");
	for (int i = 0; i < 8; i++)
		chdir("..");
	no_canary("canary after chdir(..) from the moved cwd", AT_FDCWD,
		  "canary");
	if (getcwd(cwd, sizeof(cwd)))
		printf("INFO: cwd after chdir(..) x8: %s\n", cwd);
	no_write("create ../../../new-file from the moved fd",
		 "../../../new-file");
	return hostile_exit();
}
