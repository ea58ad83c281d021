/*
 * attr.c: attribute changes on resolved files (chmod) and the working
 * directory switch, shared by the path and fd forms of the syscalls.
 * Layer: VFS core; relies on inode_ops.setattr and the task's fs_ctx.
 */
#include "internal.h"

int vfs_chmod(const struct path *p, uint32_t mode)
{
	struct inode *ino = p->dentry->inode;
	uint32_t uid = vfs_fsuid();
	struct iattr attr = { .valid = ATTR_MODE };

	if (uid != 0 && uid != ino->uid)
		return -EPERM;
	if (p->mnt && (p->mnt->flags & MS_RDONLY))
		return -EROFS;
	mode &= S_IALLUGO;
	/* Like Linux: only a member of the file's group may set setgid. */
	if (uid != 0 && !vfs_in_group(ino->gid))
		mode &= ~(uint32_t)S_ISGID;
	attr.mode = mode;
	if (!ino->iops || !ino->iops->setattr)
		return -EPERM;
	return ino->iops->setattr(ino, &attr);
}

int vfs_chdir(const struct path *p)
{
	struct task *t = cur_task();
	int err;

	if (!S_ISDIR(p->dentry->inode->mode))
		return -ENOTDIR;
	err = vfs_permission(p->dentry->inode, MAY_EXEC);
	if (err < 0)
		return err;
	if (!t || !t->fs)
		return -ESRCH;
	path_get(p);
	path_put(&t->fs->cwd);
	t->fs->cwd = *p;
	return 0;
}
