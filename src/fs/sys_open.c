/*
 * sys_open.c: open, openat, openat2, creat and close: copy the path in,
 * open it with vfs_openat and install the file at the lowest free
 * descriptor. O_TMPFILE files (tmpfs only) are made here: a file created
 * and unlinked at once, which linkat may name later.
 * Layer: syscalls; relies on the VFS, the path walk and the fd table.
 */
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/openat2.h>

#include "internal.h"

/* The O_TMPFILE bit without O_DIRECTORY (O_TMPFILE includes it). */
#define O_TMPFILE_BIT (O_TMPFILE & ~O_DIRECTORY)

/* Open O_TMPFILE files that linkat may still name (no O_EXCL). */
struct tmpfile_entry {
	struct list_head link;
	struct file *f; /* not referenced: dropped at its last close */
};
static LIST_HEAD(tmpfiles);

bool vfs_tmpfile_linkable(struct inode *ino)
{
	struct tmpfile_entry *e;

	list_for_each_entry(e, &tmpfiles, link)
		if (e->f->inode == ino) {
			list_del(&e->link);
			kfree(e);
			return true;
		}
	return false;
}

void vfs_tmpfile_release(struct file *f)
{
	struct tmpfile_entry *e;

	list_for_each_entry(e, &tmpfiles, link)
		if (e->f == f) {
			list_del(&e->link);
			kfree(e);
			return;
		}
}

/*
 * O_TMPFILE: an unnamed regular file in the directory at path. Only tmpfs
 * can keep such a file (EOPNOTSUPP elsewhere). It is created under a
 * private name and unlinked before anything else can run, so no walk ever
 * sees that name.
 */
static struct file *open_tmpfile(int dirfd, const char *path, unsigned flags,
				 uint32_t mode)
{
	static uint64_t seq;
	unsigned acc = flags & O_ACCMODE;
	struct task *t = cur_task();
	struct tmpfile_entry *e = NULL;
	struct path dir, p;
	struct inode *dino, *ino = NULL;
	struct dentry *d;
	struct file *f;
	char name[32];
	int err;

	if (acc != O_WRONLY && acc != O_RDWR)
		return ERR_PTR(-EINVAL);
	err = vfs_walk(dirfd, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);
	if (err < 0)
		return ERR_PTR(err);
	dino = dir.dentry->inode;
	err = -EOPNOTSUPP;
	if (strcmp(dino->sb->fstype, "tmpfs") != 0 || !dino->iops ||
	    !dino->iops->create || !dino->iops->unlink)
		goto out_dir;
	err = vfs_permission(dino, MAY_WRITE | MAY_EXEC);
	if (err < 0)
		goto out_dir;
	err = -EROFS;
	if (dir.mnt->flags & MS_RDONLY)
		goto out_dir;
	if (!(flags & O_EXCL)) {
		err = -ENOMEM;
		e = kzalloc(sizeof(*e));
		if (!e)
			goto out_dir;
	}
	mode = (mode & S_IALLUGO & ~(t ? t->umask : 022)) | S_IFREG;
	do {
		ksnprintf(name, sizeof(name), "#tmpfile.%llu",
			  (unsigned long long)++seq);
		err = dino->iops->create(dino, name, mode, 0, &ino);
	} while (err == -EEXIST);
	if (err < 0)
		goto out_e;
	d = dentry_add_child(dir.dentry, name, ino);
	if (!d) {
		dino->iops->unlink(dino, name);
		inode_put(ino);
		err = -ENOMEM;
		goto out_e;
	}
	err = dino->iops->unlink(dino, name);
	dentry_unhash(d);
	if (err < 0) {
		dentry_put(d);
		goto out_e;
	}
	p.mnt = dir.mnt;
	p.dentry = d;
	f = vfs_open_path(&p, flags & ~(unsigned)(O_TMPFILE_BIT | O_DIRECTORY |
						  O_CREAT | O_EXCL | O_TRUNC));
	dentry_put(d);
	path_put(&dir);
	if (IS_ERR(f)) {
		kfree(e);
		return f;
	}
	if (e) {
		e->f = f;
		list_add_tail(&e->link, &tmpfiles);
	}
	return f;
out_e:
	kfree(e);
out_dir:
	path_put(&dir);
	return ERR_PTR(err);
}

static long open_install(int dirfd, const char *path, unsigned flags,
			 uint32_t mode)
{
	struct file *f;
	long fd;

	if (flags & O_TMPFILE_BIT) {
		if ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE)
			return -EINVAL;
		f = open_tmpfile(dirfd, path, flags, mode);
	} else {
		f = vfs_openat(dirfd, path, flags, mode);
	}
	namei_set_resolve(0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	fd = fd_install(f, 0, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

static long do_open(int dirfd, uaddr_t upath, unsigned flags, unsigned mode)
{
	char *path = getname(upath);
	long fd;

	if (IS_ERR(path))
		return PTR_ERR(path);
	fd = open_install(dirfd, path, flags, mode);
	kfree(path);
	return fd;
}

long sys_open(uaddr_t pathname, unsigned int flags, unsigned int mode)
{
	return do_open(AT_FDCWD, pathname, flags, mode);
}

long sys_openat(int dirfd, uaddr_t pathname, unsigned int flags,
		unsigned int mode)
{
	return do_open(dirfd, pathname, flags, mode);
}

/* creat(2): open(O_CREAT | O_WRONLY | O_TRUNC); glibc calls it directly. */
long sys_creat(uaddr_t pathname, unsigned int mode)
{
	return do_open(AT_FDCWD, pathname, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* The open(2) flags openat2 knows; anything else is EINVAL there. */
#define OPENAT2_VALID                                                          \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |        \
	 O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE |             \
	 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH |  \
	 O_TMPFILE)
#define RESOLVE_VALID                                                          \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |       \
	 RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)

long sys_openat2(int dirfd, uaddr_t pathname, uaddr_t how, size_t size)
{
	struct open_how oh;
	uint8_t extra[64];
	char *path;
	long fd;

	/* Extensible struct rules (openat2(2)): older sizes are too small,
	 * a larger one is fine when every unknown byte is zero. */
	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (copy_from_user(&oh, how, sizeof(oh)))
		return -EFAULT;
	for (size_t off = sizeof(oh); off < size;) {
		size_t n = MIN(size - off, sizeof(extra));

		if (copy_from_user(extra, how + off, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (extra[i])
				return -E2BIG;
		off += n;
	}
	if (oh.flags & ~(uint64_t)OPENAT2_VALID)
		return -EINVAL;
	if (oh.resolve & ~(uint64_t)RESOLVE_VALID)
		return -EINVAL;
	if ((oh.resolve & RESOLVE_BENEATH) && (oh.resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (oh.flags & (O_CREAT | O_TMPFILE_BIT)) {
		if (oh.mode & ~(uint64_t)S_IALLUGO)
			return -EINVAL;
	} else if (oh.mode) {
		return -EINVAL;
	}
	if ((oh.flags & O_PATH) &&
	    (oh.flags &
	     ~(uint64_t)(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)))
		return -EINVAL;
	/* Ember keeps no lookup cache that could answer without the
	 * filesystems: a cached-only lookup always asks the caller to retry
	 * without RESOLVE_CACHED, as openat2(2) allows. */
	if (oh.resolve & RESOLVE_CACHED)
		return -EAGAIN;
	path = getname(pathname);
	if (IS_ERR(path))
		return PTR_ERR(path);
	namei_set_resolve((unsigned)oh.resolve);
	fd = open_install(dirfd, path, (unsigned)oh.flags, (uint32_t)oh.mode);
	kfree(path);
	return fd;
}

long sys_close(int fd)
{
	return fd_close(fd);
}
