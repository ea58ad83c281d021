/*
 * namei.c: the path walk, for every filesystem. A filesystem looks up one
 * name in one directory; everything else happens here: ".", "..", mount
 * crossings, symlinks (text ones are spliced in front of the rest of the
 * path; "magic" ones jump to a path), trailing slashes and search
 * permission. ".." never climbs above the task's root, so an absolute
 * symlink target or a run of ".." stays inside the guest's tree.
 * Layer: VFS core; relies on the dentry cache, the mount table and fds.
 */
#include <uapi/openat2.h>

#include "internal.h"

struct nameidata {
	struct path root; /* the task's root, referenced */
	struct path cur;  /* where the walk stands, referenced */
	int nlinks;	  /* symlinks followed so far */
	char last[NAME_MAX + 1];
	enum last_type type;
	bool trailing;
	unsigned resolve; /* openat2's RESOLVE_* for this walk */
};

/* openat2's RESOLVE_* flags for the next walk that starts (set by
 * namei_set_resolve; the walk takes them and clears them). The core
 * handles one call at a time and opens walk once, so nothing else can
 * start a walk in between. */
static unsigned next_resolve;

void namei_set_resolve(unsigned resolve)
{
	next_resolve = resolve;
}

#define RESOLVE_SCOPED (RESOLVE_BENEATH | RESOLVE_IN_ROOT)

void vfs_get_root(struct path *out)
{
	struct task *t = cur_task();

	if (t && t->fs) {
		*out = t->fs->root;
		path_get(out);
	} else {
		mount_root_path(out);
	}
}

void vfs_get_cwd(struct path *out)
{
	struct task *t = cur_task();

	if (t && t->fs) {
		*out = t->fs->cwd;
		path_get(out);
	} else {
		mount_root_path(out);
	}
}

static void path_replace(struct path *dst, const struct path *src)
{
	path_get(src);
	path_put(dst);
	*dst = *src;
}

static bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}

static void nd_release(struct nameidata *nd)
{
	path_put(&nd->root);
	path_put(&nd->cur);
	nd->root.dentry = nd->cur.dentry = NULL;
}

static int nd_start(struct nameidata *nd, int dirfd, const char *path)
{
	memset(nd, 0, sizeof(*nd));
	nd->resolve = next_resolve;
	next_resolve = 0;
	vfs_get_root(&nd->root);
	if (nd->resolve & RESOLVE_SCOPED) {
		/* The walk may not leave the start directory: it is the
		 * root (IN_ROOT) or a wall (BENEATH: '/' and a ".." above it
		 * fail with EXDEV). */
		if (dirfd == AT_FDCWD) {
			path_put(&nd->root);
			vfs_get_cwd(&nd->root);
		} else {
			struct file *f = fd_get(dirfd);

			if (!f) {
				path_put(&nd->root);
				return -EBADF;
			}
			path_replace(&nd->root, &f->path);
			file_put(f);
			if (!S_ISDIR(nd->root.dentry->inode->mode)) {
				path_put(&nd->root);
				return -ENOTDIR;
			}
		}
		if (path[0] == '/' && (nd->resolve & RESOLVE_BENEATH)) {
			path_put(&nd->root);
			return -EXDEV;
		}
		nd->cur = nd->root;
		path_get(&nd->cur);
		return 0;
	}
	if (path[0] == '/') {
		nd->cur = nd->root;
		path_get(&nd->cur);
	} else if (dirfd == AT_FDCWD) {
		vfs_get_cwd(&nd->cur);
	} else {
		struct file *f = fd_get(dirfd);

		if (!f) {
			path_put(&nd->root);
			return -EBADF;
		}
		nd->cur = f->path;
		path_get(&nd->cur);
		file_put(f);
		if (path[0] && !S_ISDIR(nd->cur.dentry->inode->mode)) {
			nd_release(nd);
			return -ENOTDIR;
		}
	}
	return 0;
}

static int follow_dotdot(struct nameidata *nd)
{
	struct dentry *parent;

	for (;;) {
		if (path_equal(&nd->cur, &nd->root))
			return nd->resolve & RESOLVE_BENEATH ? -EXDEV : 0;
		if (nd->cur.dentry != nd->cur.mnt->root)
			break;
		if (!nd->cur.mnt->parent)
			return 0;
		if (nd->resolve & RESOLVE_NO_XDEV)
			return -EXDEV;
		/* At a mount root: continue from the mount point below it. */
		struct path up = { nd->cur.mnt->parent,
				   nd->cur.mnt->mountpoint };

		path_replace(&nd->cur, &up);
	}
	parent = nd->cur.dentry->parent;
	dentry_get(parent);
	dentry_put(nd->cur.dentry);
	nd->cur.dentry = parent;
	mount_follow_down(&nd->cur);
	return 0;
}

/* Reads a symlink's text into a new buffer: 0 or -errno. */
static int read_link(struct inode *ino, char **out)
{
	char *buf;
	long n;

	if (!ino->iops || !ino->iops->readlink)
		return -EINVAL;
	buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	n = ino->iops->readlink(ino, buf, PATH_MAX - 1);
	if (n <= 0) {
		kfree(buf);
		return n == 0 ? -ENOENT : (int)n;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* Checks that cur is a searchable directory before looking into it. */
static int may_lookup(struct nameidata *nd)
{
	struct inode *dir = nd->cur.dentry->inode;

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	return vfs_permission(dir, MAY_EXEC);
}

/*
 * Looks name up under cur into *child (referenced, mounts followed).
 */
static int lookup_child(struct nameidata *nd, const char *name,
			struct path *child)
{
	struct dentry *d = dentry_lookup(nd->cur.dentry, name);

	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	child->mnt = nd->cur.mnt;
	child->dentry = d;
	mount_follow_down(child);
	if ((nd->resolve & RESOLVE_NO_XDEV) && child->mnt != nd->cur.mnt) {
		path_put(child);
		return -EXDEV;
	}
	return 0;
}

/*
 * Follows the symlink at child. A magic link moves cur and sets *text to
 * NULL; a text link leaves cur (the directory holding the link) and
 * returns its text in *text. Consumes the reference of child.
 */
static int follow_link(struct nameidata *nd, struct path *child, char **text)
{
	struct inode *ino = child->dentry->inode;
	int err;

	*text = NULL;
	if (++nd->nlinks > SYMLOOP_MAX || (nd->resolve & RESOLVE_NO_SYMLINKS)) {
		path_put(child);
		return -ELOOP;
	}
	if (ino->iops && ino->iops->follow_link) {
		struct path target;

		if (nd->resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_SCOPED)) {
			path_put(child);
			return nd->resolve & RESOLVE_NO_MAGICLINKS ? -ELOOP :
								     -EXDEV;
		}
		err = ino->iops->follow_link(ino, &target);
		path_put(child);
		if (err < 0)
			return err;
		if ((nd->resolve & RESOLVE_NO_XDEV) &&
		    target.mnt != nd->cur.mnt) {
			path_put(&target);
			return -EXDEV;
		}
		path_put(&nd->cur);
		nd->cur = target;
		return 0;
	}
	err = read_link(ino, text);
	path_put(child);
	return err;
}

/* text + "/" + rest in a new buffer, or -ENAMETOOLONG. */
static char *splice_link(const char *text, const char *rest)
{
	size_t tl = strlen(text), rl = strlen(rest);
	char *buf;

	if (tl + 1 + rl >= PATH_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	buf = kmalloc(tl + rl + 2);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	memcpy(buf, text, tl);
	buf[tl] = '/';
	memcpy(buf + tl + 1, rest, rl + 1);
	return buf;
}

static enum last_type classify(const char *name)
{
	if (name[0] == '.' && name[1] == '\0')
		return LAST_DOT;
	if (name[0] == '.' && name[1] == '.' && name[2] == '\0')
		return LAST_DOTDOT;
	return LAST_NORM;
}

/*
 * Walks every component of s but the last, which lands in nd->last. s is
 * relative to cur, or to the root when it starts with '/'.
 */
static int walk_components(struct nameidata *nd, const char *s)
{
	char *own = NULL; /* the spliced path we are walking, if any */
	char name[NAME_MAX + 1];
	int err = 0;

	if (!*s)
		return -ENOENT;
	for (;;) {
		if (*s == '/') {
			/* An absolute symlink under RESOLVE_BENEATH. */
			if (nd->resolve & RESOLVE_BENEATH) {
				err = -EXDEV;
				break;
			}
			if ((nd->resolve & RESOLVE_NO_XDEV) &&
			    nd->root.mnt != nd->cur.mnt) {
				err = -EXDEV;
				break;
			}
			path_replace(&nd->cur, &nd->root);
			while (*s == '/')
				s++;
		}
		if (!*s) {
			nd->type = LAST_ROOT;
			nd->last[0] = '\0';
			nd->trailing = false;
			break;
		}
		const char *end = s;
		while (*end && *end != '/')
			end++;
		size_t len = (size_t)(end - s);
		if (len > NAME_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		const char *next = end;
		while (*next == '/')
			next++;
		memcpy(name, s, len);
		name[len] = '\0';
		if (!*next) {
			memcpy(nd->last, name, len + 1);
			nd->type = classify(name);
			nd->trailing = *end == '/';
			break;
		}
		err = may_lookup(nd);
		if (err < 0)
			break;
		enum last_type t = classify(name);
		if (t == LAST_DOT) {
			s = next;
			continue;
		}
		if (t == LAST_DOTDOT) {
			err = follow_dotdot(nd);
			if (err < 0)
				break;
			s = next;
			continue;
		}
		struct path child;
		err = lookup_child(nd, name, &child);
		if (err < 0)
			break;
		if (!S_ISLNK(child.dentry->inode->mode)) {
			path_put(&nd->cur);
			nd->cur = child;
			s = next;
			continue;
		}
		char *text;
		err = follow_link(nd, &child, &text);
		if (err < 0)
			break;
		if (!text) {
			s = next;
			continue;
		}
		char *spliced = splice_link(text, next);
		kfree(text);
		if (IS_ERR(spliced)) {
			err = (int)PTR_ERR(spliced);
			break;
		}
		kfree(own);
		own = spliced;
		s = own;
	}
	kfree(own);
	return err;
}

/* Resolves nd->last (from walk_components) into cur. */
static int walk_last(struct nameidata *nd, unsigned flags)
{
	int err;

	for (;;) {
		if (nd->type == LAST_ROOT)
			break;
		err = may_lookup(nd);
		if (err < 0)
			return err;
		if (nd->type == LAST_DOT)
			break;
		if (nd->type == LAST_DOTDOT) {
			err = follow_dotdot(nd);
			if (err < 0)
				return err;
			break;
		}
		struct path child;
		err = lookup_child(nd, nd->last, &child);
		if (err < 0)
			return err;
		if (!S_ISLNK(child.dentry->inode->mode) ||
		    !((flags & LOOKUP_FOLLOW) || nd->trailing)) {
			path_put(&nd->cur);
			nd->cur = child;
			break;
		}
		bool trailing = nd->trailing;
		char *text;
		err = follow_link(nd, &child, &text);
		if (err < 0)
			return err;
		if (!text) {
			nd->type = LAST_ROOT;
			break;
		}
		err = walk_components(nd, text);
		kfree(text);
		if (err < 0)
			return err;
		nd->trailing |= trailing;
	}
	if (((flags & LOOKUP_DIRECTORY) || nd->trailing) &&
	    !S_ISDIR(nd->cur.dentry->inode->mode))
		return -ENOTDIR;
	return 0;
}

int vfs_walk(int dirfd, const char *path, unsigned lookup_flags,
	     struct path *out)
{
	struct nameidata nd;
	int err;

	if (!path[0] && !(lookup_flags & LOOKUP_EMPTY))
		return -ENOENT;
	err = nd_start(&nd, dirfd, path);
	if (err < 0)
		return err;
	if (!path[0]) {
		/* AT_EMPTY_PATH: the start itself, of any type. */
		*out = nd.cur;
		path_put(&nd.root);
		return 0;
	}
	err = walk_components(&nd, path);
	if (err == 0 && (lookup_flags & LOOKUP_PARENT)) {
		if (!S_ISDIR(nd.cur.dentry->inode->mode))
			err = -ENOTDIR;
	} else if (err == 0) {
		err = walk_last(&nd, lookup_flags);
	}
	if (err < 0) {
		nd_release(&nd);
		return err;
	}
	*out = nd.cur;
	path_put(&nd.root);
	return 0;
}

int vfs_walk_parent_name(int dirfd, const char *path, struct walk_parent *wp)
{
	struct nameidata nd;
	int err;

	memset(wp, 0, sizeof(*wp));
	if (!path[0])
		return -ENOENT;
	err = nd_start(&nd, dirfd, path);
	if (err < 0)
		return err;
	err = walk_components(&nd, path);
	if (err == 0 && !S_ISDIR(nd.cur.dentry->inode->mode))
		err = -ENOTDIR;
	if (err < 0) {
		nd_release(&nd);
		return err;
	}
	wp->parent = nd.cur;
	memcpy(wp->last, nd.last, sizeof(wp->last));
	wp->type = nd.type;
	wp->trailing_slash = nd.trailing;
	path_put(&nd.root);
	return 0;
}

int vfs_walk_create(int dirfd, const char *path, bool follow,
		    struct walk_parent *wp, struct path *child)
{
	struct nameidata nd;
	int err;

	memset(wp, 0, sizeof(*wp));
	child->mnt = NULL;
	child->dentry = NULL;
	if (!path[0])
		return -ENOENT;
	err = nd_start(&nd, dirfd, path);
	if (err < 0)
		return err;
	err = walk_components(&nd, path);
	while (err == 0) {
		if (nd.type != LAST_NORM) {
			err = walk_last(&nd, LOOKUP_FOLLOW);
			if (err == 0) {
				*child = nd.cur;
				nd.cur.dentry = NULL;
			}
			break;
		}
		err = may_lookup(&nd);
		if (err < 0)
			break;
		struct path c;
		err = lookup_child(&nd, nd.last, &c);
		if (err == -ENOENT) {
			wp->parent = nd.cur;
			nd.cur.dentry = NULL;
			memcpy(wp->last, nd.last, sizeof(wp->last));
			wp->type = LAST_NORM;
			wp->trailing_slash = nd.trailing;
			err = 0;
			break;
		}
		if (err < 0)
			break;
		if (!S_ISLNK(c.dentry->inode->mode) || !follow) {
			*child = c;
			wp->trailing_slash = nd.trailing;
			break;
		}
		bool trailing = nd.trailing;
		char *text;
		err = follow_link(&nd, &c, &text);
		if (err < 0)
			break;
		if (!text) {
			*child = nd.cur;
			nd.cur.dentry = NULL;
			wp->trailing_slash = trailing;
			break;
		}
		err = walk_components(&nd, text);
		kfree(text);
		nd.trailing |= trailing;
	}
	nd_release(&nd);
	return err;
}

void walk_parent_put(struct walk_parent *wp)
{
	path_put(&wp->parent);
	wp->parent.dentry = NULL;
}

int vfs_walk_parent(int dirfd, const char *path, struct path *parent,
		    const char **last, bool *trailing_slash)
{
	struct walk_parent wp;
	const char *end;
	int err = vfs_walk_parent_name(dirfd, path, &wp);

	if (err < 0)
		return err;
	/* The final component always comes from path itself: symlinks are
	 * only spliced in front of the components after them. */
	end = path + strlen(path);
	while (end > path && end[-1] == '/')
		end--;
	while (end > path && end[-1] != '/')
		end--;
	*parent = wp.parent;
	*last = wp.type == LAST_ROOT ? path + strlen(path) : end;
	*trailing_slash = wp.trailing_slash;
	return 0;
}

long vfs_path_name_from(const struct path *p, const struct path *root,
			char *buf, size_t len)
{
	static const char deleted[] = " (deleted)";
	struct mount *mnt = p->mnt;
	struct dentry *d = p->dentry;
	size_t pos = len, n;
	bool del = dentry_is_unhashed(d) && d->parent != d;

	if (len < 2)
		return -ENAMETOOLONG;
	/* Pipes, eventfds, epolls: "pipe:[ino]", "anon_inode:[eventfd]". */
	if (is_pseudo_mount(mnt))
		return pseudo_path_name(p, buf, len);
	buf[--pos] = '\0';
	while (!(d == root->dentry && mnt == root->mnt)) {
		if (d == mnt->root) {
			if (!mnt->parent)
				break;
			d = mnt->mountpoint;
			mnt = mnt->parent;
			continue;
		}
		n = strlen(d->name);
		if (n + 1 > pos)
			return -ENAMETOOLONG;
		pos -= n;
		memcpy(buf + pos, d->name, n);
		buf[--pos] = '/';
		d = d->parent;
	}
	if (pos == len - 1) {
		if (pos == 0)
			return -ENAMETOOLONG;
		buf[--pos] = '/';
	}
	n = len - 1 - pos;
	memmove(buf, buf + pos, n + 1);
	if (del) {
		if (n + sizeof(deleted) > len)
			return -ENAMETOOLONG;
		memcpy(buf + n, deleted, sizeof(deleted));
		n += sizeof(deleted) - 1;
	}
	return (long)n;
}

long vfs_path_name(const struct path *p, char *buf, size_t len)
{
	struct path root;
	long n;

	vfs_get_root(&root);
	n = vfs_path_name_from(p, &root, buf, len);
	path_put(&root);
	return n;
}
