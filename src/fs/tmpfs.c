/*
 * tmpfs.c: the memory filesystem (/tmp, the test root, and the base of
 * devfs and sysfs). A directory is a list of (name, inode) entries, each
 * holding a reference to its inode, with a per-directory cookie that
 * gives readdir stable offsets. File data lives in page frames reached
 * through a three-level table of 512 slots per level (holes read as
 * zeros); symlinks keep their text; device and FIFO nodes only exist.
 * Layer: filesystem; relies on pmm frames, kmalloc and the VFS core.
 */
#include <kern/pmm.h>
#include <kern/vm.h>
#include <uapi/dirent.h>
#include <uapi/statfs.h>

#include "internal.h"

#define FAN 512
#define MAX_PAGES ((uint64_t)FAN * FAN * FAN)
#define MAX_FILE_SIZE (MAX_PAGES * PAGE_SIZE)

struct tmpfs_dirent {
	struct list_head link; /* in tmpfs_node.entries, by cookie */
	char *name;
	struct inode *inode; /* referenced */
	uint64_t cookie;
};

struct tmpfs_node {
	struct list_head entries; /* directories */
	uint64_t next_cookie;
	paddr_t ***pages; /* regular files: [FAN][FAN][FAN] frames */
	uint64_t npages;
	char *target; /* symlinks */
};

static const struct inode_ops tmpfs_iops;
static const struct file_ops tmpfs_file_ops, tmpfs_dir_ops;

static struct tmpfs_node *node_of(struct inode *ino)
{
	return ino->priv;
}

static struct inode *tmpfs_new_inode(struct super_block *sb, uint32_t mode)
{
	struct inode *ino;
	struct tmpfs_node *n = kzalloc(sizeof(*n));

	if (!n)
		return NULL;
	ino = inode_alloc(sb, mode);
	if (!ino) {
		kfree(n);
		return NULL;
	}
	list_init(&n->entries);
	n->next_cookie = 2;
	ino->priv = n;
	ino->iops = &tmpfs_iops;
	if (S_ISREG(mode))
		ino->fops = &tmpfs_file_ops;
	else if (S_ISDIR(mode)) {
		ino->fops = &tmpfs_dir_ops;
		ino->nlink = 2;
		ino->size = 0;
	}
	return ino;
}

/* ---- file pages ---- */

static paddr_t *page_slot(struct tmpfs_node *n, uint64_t idx, bool alloc)
{
	paddr_t **l2, *l3;

	if (idx >= MAX_PAGES)
		return NULL;
	if (!n->pages) {
		if (!alloc || !(n->pages = kzalloc(FAN * sizeof(*n->pages))))
			return NULL;
	}
	l2 = n->pages[idx / (FAN * FAN)];
	if (!l2) {
		if (!alloc || !(l2 = kzalloc(FAN * sizeof(*l2))))
			return NULL;
		n->pages[idx / (FAN * FAN)] = l2;
	}
	l3 = l2[(idx / FAN) % FAN];
	if (!l3) {
		if (!alloc || !(l3 = kzalloc(FAN * sizeof(*l3))))
			return NULL;
		l2[(idx / FAN) % FAN] = l3;
	}
	return &l3[idx % FAN];
}

/* Frees every frame at page index >= first, and tables left empty. */
static void free_pages_from(struct tmpfs_node *n, uint64_t first)
{
	if (!n->pages)
		return;
	for (uint64_t i = 0; i < FAN; i++) {
		paddr_t **l2 = n->pages[i];

		if (!l2)
			continue;
		for (uint64_t j = 0; j < FAN; j++) {
			paddr_t *l3 = l2[j];
			uint64_t base = (i * FAN + j) * FAN;

			if (!l3 || base + FAN <= first)
				continue;
			for (uint64_t k = 0; k < FAN; k++) {
				if (base + k >= first && l3[k]) {
					pmm_put(l3[k]);
					l3[k] = 0;
					n->npages--;
				}
			}
			if (base >= first) {
				kfree(l3);
				l2[j] = NULL;
			}
		}
		if (i * FAN * FAN >= first) {
			kfree(l2);
			n->pages[i] = NULL;
		}
	}
	if (first == 0) {
		kfree(n->pages);
		n->pages = NULL;
	}
}

static void update_blocks(struct inode *ino)
{
	ino->blocks = node_of(ino)->npages * (PAGE_SIZE / 512);
}

static int tmpfs_resize(struct inode *ino, uint64_t size)
{
	struct tmpfs_node *n = node_of(ino);

	if (size > MAX_FILE_SIZE)
		return -EFBIG;
	if (size < ino->size) {
		uint64_t off = size % PAGE_SIZE;

		free_pages_from(n, PAGE_UP(size) / PAGE_SIZE);
		if (off) {
			/* Bytes past the end must read as zero if the file
			 * grows again. */
			paddr_t *slot = page_slot(n, size / PAGE_SIZE, false);

			if (slot && *slot)
				memset((char *)phys_to_virt(*slot) + off, 0,
				       PAGE_SIZE - off);
		}
	}
	ino->size = size;
	update_blocks(ino);
	ino->mtime = ino->ctime = vfs_now();
	return 0;
}

static long tmpfs_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct tmpfs_node *n = node_of(ino);
	uint64_t p = *pos;
	size_t done = 0;

	if (p >= ino->size)
		return 0;
	len = (size_t)MIN((uint64_t)len, ino->size - p);
	while (done < len) {
		size_t off = (size_t)(p % PAGE_SIZE);
		size_t chunk = MIN(len - done, PAGE_SIZE - off);
		paddr_t *slot = page_slot(n, p / PAGE_SIZE, false);

		if (slot && *slot)
			/* memmove: buf may be a shared mapping of this very
			 * file (read(fd, map_of_fd, n)). */
			memmove((char *)buf + done,
			       (char *)phys_to_virt(*slot) + off, chunk);
		else
			memset((char *)buf + done, 0, chunk);
		done += chunk;
		p += chunk;
	}
	*pos = p;
	ino->atime = vfs_now();
	return (long)done;
}

static long tmpfs_write(struct file *f, const void *buf, size_t len,
			uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct tmpfs_node *n = node_of(ino);
	uint64_t p = *pos;
	size_t done = 0;

	if (p >= MAX_FILE_SIZE)
		return len ? -EFBIG : 0;
	len = (size_t)MIN((uint64_t)len, MAX_FILE_SIZE - p);
	while (done < len) {
		size_t off = (size_t)(p % PAGE_SIZE);
		size_t chunk = MIN(len - done, PAGE_SIZE - off);
		paddr_t *slot = page_slot(n, p / PAGE_SIZE, true);

		if (slot && !*slot) {
			*slot = pmm_alloc();
			if (*slot)
				n->npages++;
		}
		if (!slot || !*slot)
			break;
		/* memmove: the source may be a shared mapping of this very
		 * file (write(fd, map_of_fd, n)), overlapping its page. */
		memmove((char *)phys_to_virt(*slot) + off,
		       (const char *)buf + done, chunk);
		done += chunk;
		p += chunk;
	}
	if (done == 0 && len)
		return -ENOSPC;
	*pos = p;
	if (p > ino->size)
		ino->size = p;
	update_blocks(ino);
	ino->mtime = ino->ctime = vfs_now();
	return (long)done;
}

static int tmpfs_fsync(struct file *f)
{
	return 0;
}

/* ---- shared mappings: the mapping maps the file's own frames ---- */

static int tmpfs_get_page(void *obj, uint64_t pgoff, paddr_t *out)
{
	struct inode *ino = obj;
	struct tmpfs_node *n = node_of(ino);
	paddr_t *slot;

	/* The page holding the last byte is whole; past it, SIGBUS. */
	if (pgoff >= (ino->size + PAGE_SIZE - 1) / PAGE_SIZE)
		return -ENXIO;
	slot = page_slot(n, pgoff, true);
	if (!slot)
		return -ENOMEM;
	if (!*slot) {
		*slot = pmm_alloc();
		if (!*slot)
			return -ENOMEM;
		n->npages++;
		update_blocks(ino);
	}
	pmm_get(*slot);
	*out = *slot;
	return 0;
}

static void tmpfs_obj_get(void *obj)
{
	inode_get(obj);
}

static void tmpfs_obj_put(void *obj)
{
	inode_put(obj);
}

static const struct vm_object_ops tmpfs_vm_ops = {
	.get_page = tmpfs_get_page,
	.get = tmpfs_obj_get,
	.put = tmpfs_obj_put,
};

static const struct file_ops tmpfs_file_ops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.fsync = tmpfs_fsync,
	.vm_ops = &tmpfs_vm_ops,
};

/* ---- directories ---- */

static struct tmpfs_dirent *find_entry(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *e;

	list_for_each_entry(e, &node_of(dir)->entries, link)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* Adds name -> ino to dir; takes over a reference to ino. */
static int add_entry(struct inode *dir, const char *name, struct inode *ino)
{
	struct tmpfs_node *n = node_of(dir);
	struct tmpfs_dirent *e = kzalloc(sizeof(*e));

	if (!e)
		return -ENOSPC;
	e->name = kstrdup(name);
	if (!e->name) {
		kfree(e);
		return -ENOSPC;
	}
	e->inode = ino;
	e->cookie = n->next_cookie++;
	list_add_tail(&e->link, &n->entries);
	dir->mtime = dir->ctime = vfs_now();
	return 0;
}

/* Removes e from dir; returns the inode reference it held. */
static struct inode *del_entry(struct inode *dir, struct tmpfs_dirent *e)
{
	struct inode *ino = e->inode;

	list_del(&e->link);
	kfree(e->name);
	kfree(e);
	dir->mtime = dir->ctime = vfs_now();
	return ino;
}

static int tmpfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct tmpfs_dirent *e = find_entry(dir, name);

	if (!e)
		return -ENOENT;
	inode_get(e->inode);
	*out = e->inode;
	return 0;
}

/* Checks that name can be added to dir. */
static int may_add(struct inode *dir, const char *name)
{
	if (dir->nlink == 0)
		return -ENOENT; /* the directory was removed */
	if (find_entry(dir, name))
		return -EEXIST;
	return 0;
}

/* A new inode of mode in dir, owned like Linux does (setgid dirs pass
 * their group on). */
static struct inode *new_child(struct inode *dir, uint32_t mode)
{
	struct inode *ino = tmpfs_new_inode(dir->sb, mode);

	if (ino && (dir->mode & S_ISGID)) {
		ino->gid = dir->gid;
		if (S_ISDIR(mode))
			ino->mode |= S_ISGID;
	}
	return ino;
}

static int tmpfs_create(struct inode *dir, const char *name, uint32_t mode,
			uint64_t rdev, struct inode **out)
{
	struct inode *ino;
	int err = may_add(dir, name);

	if (err < 0)
		return err;
	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	if (S_ISDIR(mode) || S_ISLNK(mode))
		return -EINVAL;
	ino = new_child(dir, mode);
	if (!ino)
		return -ENOSPC;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		ino->rdev = rdev;
	err = add_entry(dir, name, ino);
	if (err < 0) {
		inode_put(ino);
		return err;
	}
	if (out) {
		inode_get(ino);
		*out = ino;
	}
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	struct inode *ino;
	int err = may_add(dir, name);

	if (err < 0)
		return err;
	ino = new_child(dir, S_IFDIR | (mode & S_IALLUGO));
	if (!ino)
		return -ENOSPC;
	err = add_entry(dir, name, ino);
	if (err < 0) {
		inode_put(ino);
		return err;
	}
	dir->nlink++;
	return 0;
}

static int tmpfs_symlink(struct inode *dir, const char *name,
			 const char *target)
{
	struct inode *ino;
	int err = may_add(dir, name);

	if (err < 0)
		return err;
	ino = new_child(dir, S_IFLNK | 0777);
	if (!ino)
		return -ENOSPC;
	node_of(ino)->target = kstrdup(target);
	if (!node_of(ino)->target) {
		inode_put(ino);
		return -ENOSPC;
	}
	ino->size = strlen(target);
	err = add_entry(dir, name, ino);
	if (err < 0)
		inode_put(ino);
	return err;
}

static int tmpfs_link(struct inode *old, struct inode *dir, const char *name)
{
	int err = may_add(dir, name);

	if (err < 0)
		return err;
	if (S_ISDIR(old->mode))
		return -EPERM;
	if (old->sb != dir->sb)
		return -EXDEV;
	if (old->nlink == 0 && !vfs_tmpfile_linkable(old))
		return -ENOENT;
	inode_get(old);
	err = add_entry(dir, name, old);
	if (err < 0) {
		inode_put(old);
		return err;
	}
	old->nlink++;
	old->ctime = vfs_now();
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *e = find_entry(dir, name);
	struct inode *ino;

	if (!e)
		return -ENOENT;
	if (S_ISDIR(e->inode->mode))
		return -EISDIR;
	ino = del_entry(dir, e);
	ino->nlink--;
	ino->ctime = vfs_now();
	inode_put(ino);
	return 0;
}

static bool dir_is_empty(struct inode *dir)
{
	return list_empty(&node_of(dir)->entries);
}

static int tmpfs_rmdir(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *e = find_entry(dir, name);
	struct inode *ino;

	if (!e)
		return -ENOENT;
	if (!S_ISDIR(e->inode->mode))
		return -ENOTDIR;
	if (!dir_is_empty(e->inode))
		return -ENOTEMPTY;
	ino = del_entry(dir, e);
	ino->nlink = 0;
	ino->ctime = vfs_now();
	dir->nlink--;
	inode_put(ino);
	return 0;
}

static int tmpfs_rename(struct inode *olddir, const char *oldname,
			struct inode *newdir, const char *newname,
			unsigned flags)
{
	struct tmpfs_dirent *src = find_entry(olddir, oldname);
	struct tmpfs_dirent *dst = find_entry(newdir, newname);
	struct inode *sino, *dino;
	struct timespec64 now = vfs_now();
	int err;

	if (!src)
		return -ENOENT;
	if (newdir->nlink == 0)
		return -ENOENT;
	sino = src->inode;
	if (flags & RENAME_EXCHANGE) {
		if (!dst)
			return -ENOENT;
		dino = dst->inode;
		src->inode = dino;
		dst->inode = sino;
		if (olddir != newdir &&
		    S_ISDIR(sino->mode) != S_ISDIR(dino->mode)) {
			if (S_ISDIR(sino->mode)) {
				olddir->nlink--;
				newdir->nlink++;
			} else {
				newdir->nlink--;
				olddir->nlink++;
			}
		}
		sino->ctime = dino->ctime = now;
		olddir->mtime = olddir->ctime = newdir->mtime = newdir->ctime =
			now;
		return 0;
	}
	if (dst) {
		dino = dst->inode;
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (dino == sino)
			return 0;
		if (S_ISDIR(sino->mode)) {
			if (!S_ISDIR(dino->mode))
				return -ENOTDIR;
			if (!dir_is_empty(dino))
				return -ENOTEMPTY;
		} else if (S_ISDIR(dino->mode)) {
			return -EISDIR;
		}
	}
	/* Add the new entry before dropping anything, so running out of
	 * memory leaves both names as they were. */
	inode_get(sino);
	if (dst) {
		dino = dst->inode;
		dst->inode = sino;
		newdir->mtime = newdir->ctime = now;
		if (S_ISDIR(dino->mode)) {
			dino->nlink = 0;
			newdir->nlink--;
		} else {
			dino->nlink--;
		}
		dino->ctime = now;
		inode_put(dino);
	} else {
		err = add_entry(newdir, newname, sino);
		if (err < 0) {
			inode_put(sino);
			return err;
		}
	}
	inode_put(del_entry(olddir, src));
	if (S_ISDIR(sino->mode) && olddir != newdir) {
		olddir->nlink--;
		newdir->nlink++;
	}
	sino->ctime = now;
	return 0;
}

static long tmpfs_readlink(struct inode *ino, char *buf, size_t len)
{
	const char *t = node_of(ino)->target;
	size_t n;

	if (!S_ISLNK(ino->mode) || !t)
		return -EINVAL;
	n = MIN(strlen(t), len);
	memcpy(buf, t, n);
	return (long)n;
}

static int tmpfs_setattr(struct inode *ino, const struct iattr *a)
{
	int err;

	if (a->valid & ATTR_SIZE) {
		if (!S_ISREG(ino->mode))
			return S_ISDIR(ino->mode) ? -EISDIR : -EINVAL;
		err = tmpfs_resize(ino, a->size);
		if (err < 0)
			return err;
	}
	if (a->valid & ATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (a->mode & S_IALLUGO);
	if (a->valid & ATTR_UID)
		ino->uid = a->uid;
	if (a->valid & ATTR_GID)
		ino->gid = a->gid;
	if (a->valid & ATTR_ATIME)
		ino->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		ino->mtime = a->mtime;
	ino->ctime = vfs_now();
	return 0;
}

static void tmpfs_evict(struct inode *ino)
{
	struct tmpfs_node *n = node_of(ino);
	struct tmpfs_dirent *e, *tmp;

	if (!n)
		return;
	list_for_each_entry_safe(e, tmp, &n->entries, link)
		inode_put(del_entry(ino, e));
	free_pages_from(n, 0);
	kfree(n->target);
	kfree(n);
	ino->priv = NULL;
}

static long tmpfs_readdir(struct file *f, void *buf, size_t len)
{
	struct inode *dir = f->inode;
	struct tmpfs_dirent *e;
	uint64_t pos = f->pos;
	size_t used = 0;
	bool full = false;

	if (pos == 0) {
		if (!dirent_emit(buf, len, &used, dir->ino, 1, DT_DIR, "."))
			return -EINVAL;
		pos = 1;
	}
	if (pos == 1) {
		struct inode *parent = f->path.dentry->parent->inode;

		if (!dirent_emit(buf, len, &used, parent->ino, 2, DT_DIR,
				 "..")) {
			f->pos = pos;
			return used ? (long)used : -EINVAL;
		}
		pos = 2;
	}
	list_for_each_entry(e, &node_of(dir)->entries, link) {
		if (e->cookie < pos)
			continue;
		if (!dirent_emit(buf, len, &used, e->inode->ino,
				 (int64_t)e->cookie + 1,
				 DT_FROM_MODE(e->inode->mode), e->name)) {
			full = true;
			break;
		}
		pos = e->cookie + 1;
	}
	f->pos = pos;
	if (full && used == 0)
		return -EINVAL;
	dir->atime = vfs_now();
	return (long)used;
}

static const struct file_ops tmpfs_dir_ops = {
	.readdir = tmpfs_readdir,
	.fsync = tmpfs_fsync,
};

static const struct inode_ops tmpfs_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.rename = tmpfs_rename,
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
	.evict = tmpfs_evict,
};

/* ---- instances ---- */

struct dentry *tmpfs_mount_as(const char *fstype, uint64_t magic,
			      uint32_t root_mode)
{
	struct super_block *sb = sb_alloc(fstype, magic);
	struct inode *root;
	struct dentry *d;

	if (!sb)
		return ERR_PTR(-ENOMEM);
	root = tmpfs_new_inode(sb, S_IFDIR | (root_mode & S_IALLUGO));
	if (!root) {
		kfree(sb);
		return ERR_PTR(-ENOMEM);
	}
	root->uid = root->gid = 0;
	d = dentry_alloc_root(root);
	if (!d) {
		inode_put(root);
		kfree(sb);
		return ERR_PTR(-ENOMEM);
	}
	return d;
}

/* "mode=NNNN" (octal) among comma-separated options, or dflt. */
static uint32_t option_mode(const char *data, uint32_t dflt)
{
	const char *p = data;

	while (p && *p) {
		if (strncmp(p, "mode=", 5) == 0) {
			const char *end;
			uint64_t v = kstrtou64(p + 5, &end, 8);

			if (end != p + 5 && (*end == ',' || !*end))
				return (uint32_t)v & S_IALLUGO;
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return dflt;
}

struct dentry *tmpfs_mount(const char *source, unsigned long flags,
			   const void *data)
{
	return tmpfs_mount_as("tmpfs", TMPFS_MAGIC, option_mode(data, 01777));
}

struct dentry *sysfs_mount(const char *source, unsigned long flags,
			   const void *data)
{
	return tmpfs_mount_as("sysfs", SYSFS_MAGIC, 0555);
}

int tmpfs_make_node(struct inode *dir, const char *name, uint32_t mode,
		    uint64_t rdev, const char *link_target)
{
	struct inode *ino = NULL;
	int err;

	if (S_ISLNK(mode))
		return tmpfs_symlink(dir, name, link_target);
	if (S_ISDIR(mode))
		return tmpfs_mkdir(dir, name, mode);
	err = tmpfs_create(dir, name, mode, rdev, &ino);
	if (err == 0) {
		ino->uid = ino->gid = 0;
		inode_put(ino);
	}
	return err;
}
