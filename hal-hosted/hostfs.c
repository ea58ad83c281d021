/*
 * The hostfs backend: host file operations confined to the --root tree.
 * The core walks every guest path itself; each call here takes a handle
 * (a host fd) and one name component, and never follows a host symlink,
 * so no guest path can leave the root through "..", an absolute symlink
 * or a rename race.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hosted.h"

static int root_fd = -1;

int hostfs_set_root(const char *dir)
{
	/* Readable, not O_PATH: the core lists the root through this handle
	 * (getdents64 on an O_PATH fd fails with EBADF). */
	root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 && errno == EACCES)
		root_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return root_fd < 0 ? -errno : 0;
}

/* One component: not empty (unless allowed), no '/', not "." or "..". */
static bool name_ok(const char *name, bool empty_ok)
{
	if (!name)
		return false;
	if (!*name)
		return empty_ok;
	if (strchr(name, '/'))
		return false;
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int hal_host_root(void)
{
	if (root_fd < 0)
		return -ENOSYS;
	return (int)host_ret(fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
}

int hal_host_openat(int dir, const char *name, int flags, unsigned mode)
{
	if (!name_ok(name, false))
		return -EINVAL;
	flags |= O_NOFOLLOW | O_CLOEXEC;
	flags &= ~O_NOCTTY;
	return (int)host_ret(openat(dir, name, flags | O_NOCTTY, mode));
}

int hal_host_close(int h)
{
	return (int)host_ret(close(h));
}

static void fill_stat(const struct stat *s, struct hal_host_stat *st)
{
	st->ino = s->st_ino;
	st->size = (uint64_t)s->st_size;
	st->blocks = (uint64_t)s->st_blocks;
	st->rdev = s->st_rdev;
	st->dev = s->st_dev;
	st->mode = s->st_mode;
	st->nlink = (uint32_t)s->st_nlink;
	st->uid = s->st_uid;
	st->gid = s->st_gid;
	st->blksize = (uint32_t)s->st_blksize;
	st->atime_sec = s->st_atim.tv_sec;
	st->atime_nsec = (uint32_t)s->st_atim.tv_nsec;
	st->mtime_sec = s->st_mtim.tv_sec;
	st->mtime_nsec = (uint32_t)s->st_mtim.tv_nsec;
	st->ctime_sec = s->st_ctim.tv_sec;
	st->ctime_nsec = (uint32_t)s->st_ctim.tv_nsec;
}

int hal_host_fstat(int h, struct hal_host_stat *st)
{
	struct stat s;

	if (fstatat(h, "", &s, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	fill_stat(&s, st);
	return 0;
}

int hal_host_statat(int dir, const char *name, struct hal_host_stat *st)
{
	struct stat s;

	if (!name_ok(name, false))
		return -EINVAL;
	if (fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	fill_stat(&s, st);
	return 0;
}

long hal_host_pread(int h, void *buf, size_t len, uint64_t off)
{
	return host_ret(pread(h, buf, len, (off_t)off));
}

long hal_host_pwrite(int h, const void *buf, size_t len, uint64_t off)
{
	return host_ret(pwrite(h, buf, len, (off_t)off));
}

long hal_host_getdents(int h, void *buf, size_t len)
{
	return host_ret(syscall(SYS_getdents64, h, buf, len));
}

int hal_host_seekdir(int h, uint64_t pos)
{
	return lseek(h, (off_t)pos, SEEK_SET) < 0 ? -errno : 0;
}

long hal_host_readlinkat(int dir, const char *name, char *buf, size_t len)
{
	if (!name_ok(name, true))
		return -EINVAL;
	return host_ret(readlinkat(dir, name, buf, len));
}

int hal_host_mkdirat(int dir, const char *name, unsigned mode)
{
	if (!name_ok(name, false))
		return -EINVAL;
	return (int)host_ret(mkdirat(dir, name, mode));
}

int hal_host_unlinkat(int dir, const char *name, int flags)
{
	if (!name_ok(name, false) || (flags & ~AT_REMOVEDIR))
		return -EINVAL;
	return (int)host_ret(unlinkat(dir, name, flags));
}

int hal_host_renameat(int olddir, const char *oldname, int newdir,
		      const char *newname, unsigned flags)
{
	if (!name_ok(oldname, false) || !name_ok(newname, false))
		return -EINVAL;
	return (int)host_ret(syscall(SYS_renameat2, olddir, oldname, newdir,
				     newname, flags));
}

int hal_host_symlinkat(const char *target, int dir, const char *name)
{
	if (!name_ok(name, false))
		return -EINVAL;
	return (int)host_ret(symlinkat(target, dir, name));
}

int hal_host_linkat(int olddir, const char *oldname, int newdir,
		    const char *newname)
{
	if (!name_ok(oldname, false) || !name_ok(newname, false))
		return -EINVAL;
	return (int)host_ret(linkat(olddir, oldname, newdir, newname, 0));
}

int hal_host_ftruncate(int h, uint64_t len)
{
	return (int)host_ret(ftruncate(h, (off_t)len));
}

/* An O_PATH handle cannot be fchmod'ed; its /proc/self/fd link names the
 * same inode without any path resolution in the guest's tree. */
static void fd_path(int h, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", h);
}

int hal_host_fchmod(int h, unsigned mode)
{
	char p[64];

	if (fchmod(h, mode) == 0)
		return 0;
	if (errno != EBADF)
		return -errno;
	fd_path(h, p, sizeof(p));
	return (int)host_ret(chmod(p, mode));
}

int hal_host_fchown(int h, uint32_t uid, uint32_t gid)
{
	return (int)host_ret(fchownat(h, "", uid, gid,
				      AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
}

int hal_host_futimens(int h, const int64_t times[4])
{
	struct timespec ts[2] = {
		{ .tv_sec = times[0], .tv_nsec = times[1] },
		{ .tv_sec = times[2], .tv_nsec = times[3] },
	};
	char p[64];

	if (futimens(h, ts) == 0)
		return 0;
	if (errno != EBADF)
		return -errno;
	fd_path(h, p, sizeof(p));
	return (int)host_ret(utimensat(AT_FDCWD, p, ts, 0));
}

int hal_host_fsync(int h)
{
	return (int)host_ret(fsync(h));
}
