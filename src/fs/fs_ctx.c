/*
 * fs_ctx.c: a task's filesystem context, its root and working directory,
 * shared between tasks created with CLONE_FS.
 * Layer: VFS core; relies on the walk and the mount table's root.
 */
#include "internal.h"

struct fs_ctx *fs_ctx_init(const char *cwd)
{
	struct fs_ctx *fs = kzalloc(sizeof(*fs));
	int err;

	if (!fs)
		return NULL;
	fs->refcount = 1;
	mount_root_path(&fs->root);
	if (!cwd || !cwd[0])
		cwd = "/";
	/* No task owns fs yet, so the walk starts at the global root. */
	err = vfs_walk(AT_FDCWD, cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
		       &fs->cwd);
	if (err < 0) {
		pr_warn("vfs: initial directory %s: error %d, using /", cwd,
			err);
		fs->cwd = fs->root;
		path_get(&fs->cwd);
	}
	return fs;
}

struct fs_ctx *fs_ctx_clone(struct fs_ctx *old)
{
	struct fs_ctx *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refcount = 1;
	fs->root = old->root;
	fs->cwd = old->cwd;
	path_get(&fs->root);
	path_get(&fs->cwd);
	return fs;
}

void fs_ctx_put(struct fs_ctx *fs)
{
	if (!fs)
		return;
	KASSERT(fs->refcount > 0);
	if (--fs->refcount > 0)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	kfree(fs);
}
