/*
 * inode.c: VFS inodes: allocation, reference counting, attributes and the
 * permission check against the current task's credentials.
 * Layer: VFS core; relies on kmalloc, the timer clock and current's creds.
 * A filesystem's evict op frees its private data at the last put.
 */
#include <kern/timer.h>

#include "internal.h"

struct inode *inode_alloc(struct super_block *sb, uint32_t mode)
{
	struct inode *ino = kzalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	ino->sb = sb;
	ino->mode = mode;
	ino->nlink = 1;
	ino->ino = sb ? ++sb->next_ino : 0;
	ino->refcount = 1;
	ino->uid = vfs_fsuid();
	ino->gid = vfs_fsgid();
	ino->atime = ino->mtime = ino->ctime = vfs_now();
	return ino;
}

void inode_get(struct inode *ino)
{
	KASSERT(ino->refcount > 0);
	ino->refcount++;
}

void inode_put(struct inode *ino)
{
	if (!ino)
		return;
	KASSERT(ino->refcount > 0);
	if (--ino->refcount > 0)
		return;
	if (ino->iops && ino->iops->evict)
		ino->iops->evict(ino);
	kfree(ino);
}

struct timespec64 vfs_now(void)
{
	uint64_t ns = time_realtime_ns();
	struct timespec64 ts = { (int64_t)(ns / NSEC_PER_SEC),
				 (int64_t)(ns % NSEC_PER_SEC) };

	return ts;
}

uint32_t vfs_fsuid(void)
{
	struct task *t = cur_task();

	return t ? t->cred.fsuid : 0;
}

uint32_t vfs_fsgid(void)
{
	struct task *t = cur_task();

	return t ? t->cred.fsgid : 0;
}

bool vfs_in_group(uint32_t gid)
{
	struct task *t = cur_task();

	if (!t)
		return true;
	if (t->cred.fsgid == gid)
		return true;
	for (uint32_t i = 0; i < t->cred.ngroups && i < 32; i++)
		if (t->cred.groups[i] == gid)
			return true;
	return false;
}

int vfs_permission(struct inode *ino, int mask)
{
	uint32_t mode = ino->mode, perm;
	uint32_t uid = vfs_fsuid();

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (uid == 0) {
		/* Root may search any directory, but runs a file only when
		 * someone may. */
		if (!(mask & MAY_EXEC) || S_ISDIR(mode) || (mode & 0111))
			return 0;
		return -EACCES;
	}
	if (uid == ino->uid)
		perm = (mode >> 6) & 7;
	else if (vfs_in_group(ino->gid))
		perm = (mode >> 3) & 7;
	else
		perm = mode & 7;
	return ((unsigned)mask & ~perm) ? -EACCES : 0;
}

int vfs_getattr(struct inode *ino, struct kstat *st)
{
	if (ino->iops && ino->iops->getattr) {
		int err = ino->iops->getattr(ino);

		if (err < 0)
			return err;
	}
	memset(st, 0, sizeof(*st));
	st->dev = ino->sb ? ino->sb->dev : 0;
	st->ino = ino->ino;
	st->nlink = ino->nlink;
	st->rdev = ino->rdev;
	st->size = ino->size;
	st->blocks = ino->blocks;
	st->mode = ino->mode;
	st->uid = ino->uid;
	st->gid = ino->gid;
	st->blksize = PAGE_SIZE;
	st->atime = ino->atime;
	st->mtime = ino->mtime;
	st->ctime = ino->ctime;
	return 0;
}

int vfs_truncate_inode(struct inode *ino, uint64_t size)
{
	struct iattr attr = { .valid = ATTR_SIZE, .size = size };

	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	if (!ino->iops || !ino->iops->setattr)
		return -EPERM;
	if (size > ino->size) {
		/* Growing past RLIMIT_FSIZE: SIGXFSZ and -EFBIG, as Linux. */
		size_t one = 1;
		int err = proc_fsize_check(size - 1, &one);

		if (err < 0)
			return err;
	}
	return ino->iops->setattr(ino, &attr);
}
