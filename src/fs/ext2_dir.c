/*
 * ext2_dir.c: ext2 directories: linear lists of variable-length records
 * in the directory's blocks (hashed-index directories read the same way;
 * a change drops their index flag). Every record is checked before use.
 * Adding reuses a free record or the slack after one, else appends a
 * block; removing merges the record into the one before it. Also the
 * namespace operations built on that: create, mkdir, unlink, rmdir,
 * symlink, link and rename (RENAME_NOREPLACE and RENAME_EXCHANGE too).
 * Layer: filesystem; relies on ext2_inode.c and the block cache.
 */
#include <uapi/dirent.h>

#include "ext2.h"

#define EXT2_LINK_MAX 32000

static bool rdonly(struct inode *dir)
{
	return ext2_fs_of(dir)->rdonly;
}

/* Block number i of directory dir, read. */
static struct bbuf *dir_block(struct inode *dir, uint64_t i)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	long blk = ext2_bmap(dir, i, false, NULL);

	if (blk < 0)
		return ERR_PTR(blk);
	if (blk == 0)
		return ERR_PTR(
			ext2_corrupt(fs, "hole in a directory", dir->ino));
	return bcache_read(fs->dev, (uint64_t)blk, fs->bsize);
}

static uint64_t dir_nblocks(struct inode *dir)
{
	return dir->size / ext2_fs_of(dir)->bsize;
}

/* The record at off in b, checked; ERR_PTR(-EUCLEAN) when broken. */
static struct ext2_dirent *entry_at(struct ext2_fs *fs, struct bbuf *b,
				    unsigned off)
{
	struct ext2_dirent *de;

	if (off + 8 > fs->bsize)
		goto bad;
	de = (struct ext2_dirent *)(b->data + off);
	if (de->rec_len < 8 || de->rec_len % 4 ||
	    de->rec_len < EXT2_DIRENT_LEN(de->name_len) ||
	    off + de->rec_len > fs->bsize || de->inode > fs->inodes_count ||
	    (de->inode && de->name_len == 0) ||
	    (!fs->filetype && de->file_type))
		goto bad;
	return de;
bad:
	return ERR_PTR(ext2_corrupt(fs, "bad directory entry", b->blkno));
}

static bool name_is(const struct ext2_dirent *de, const char *name, size_t len)
{
	return de->inode && de->name_len == len &&
	       memcmp(de->name, name, len) == 0;
}

struct dir_pos {
	struct bbuf *b; /* referenced */
	struct ext2_dirent *de, *prev;
};

/* Finds name in dir: 0 with *pos holding the block, or -ENOENT. */
static int find_entry(struct inode *dir, const char *name, struct dir_pos *pos)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	size_t len = strlen(name);
	uint64_t n = dir_nblocks(dir);

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	for (uint64_t i = 0; i < n; i++) {
		struct bbuf *b = dir_block(dir, i);
		struct ext2_dirent *prev = NULL;

		if (IS_ERR(b))
			return (int)PTR_ERR(b);
		for (unsigned off = 0; off < fs->bsize;) {
			struct ext2_dirent *de = entry_at(fs, b, off);

			if (IS_ERR(de)) {
				bcache_put(b);
				return (int)PTR_ERR(de);
			}
			if (name_is(de, name, len)) {
				pos->b = b;
				pos->de = de;
				pos->prev = prev;
				return 0;
			}
			prev = de;
			off += de->rec_len;
		}
		bcache_put(b);
	}
	return -ENOENT;
}

/* Drops a hashed directory's index: its blocks stay a valid linear
 * directory, but the index no longer describes them. */
static void dir_changed(struct inode *dir)
{
	struct ext2_inode_info *ei = ext2_info(dir);

	ei->flags &= ~(uint32_t)EXT2_INDEX_FL;
	ext2_touch(dir, true, true);
	ext2_write_inode(dir);
}

static void fill_entry(struct ext2_fs *fs, struct ext2_dirent *de,
		       const char *name, size_t len, struct inode *ino)
{
	de->inode = (uint32_t)ino->ino;
	de->name_len = (uint8_t)len;
	de->file_type = fs->filetype ? ext2_ftype(ino->mode) : 0;
	memcpy(de->name, name, len);
}

int ext2_dir_add(struct inode *dir, const char *name, struct inode *ino)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	size_t len = strlen(name);
	unsigned need = EXT2_DIRENT_LEN(len);
	uint64_t n = dir_nblocks(dir);
	struct ext2_dirent *de;
	struct bbuf *b;
	bool fresh;
	long blk;

	if (len == 0 || len > NAME_MAX)
		return -ENAMETOOLONG;
	if (dir->nlink == 0)
		return -ENOENT;
	for (uint64_t i = 0; i < n; i++) {
		b = dir_block(dir, i);
		if (IS_ERR(b))
			return (int)PTR_ERR(b);
		for (unsigned off = 0; off < fs->bsize;) {
			unsigned used;

			de = entry_at(fs, b, off);
			if (IS_ERR(de)) {
				bcache_put(b);
				return (int)PTR_ERR(de);
			}
			used = de->inode ? EXT2_DIRENT_LEN(de->name_len) : 0;
			if (de->rec_len >= used + need) {
				if (used) {
					struct ext2_dirent *nde =
						(struct ext2_dirent
							 *)((uint8_t *)de +
							    used);

					nde->rec_len =
						(uint16_t)(de->rec_len - used);
					de->rec_len = (uint16_t)used;
					de = nde;
				}
				fill_entry(fs, de, name, len, ino);
				bcache_dirty(b);
				bcache_put(b);
				dir_changed(dir);
				return 0;
			}
			off += de->rec_len;
		}
		bcache_put(b);
	}
	/* No room: a new block at the end, one record covering it. */
	if ((n + 1) * fs->bsize > fs->max_size)
		return -EFBIG;
	blk = ext2_bmap(dir, n, true, &fresh);
	if (blk <= 0)
		return blk < 0 ? (int)blk : -EIO;
	b = bcache_get_new(fs->dev, (uint64_t)blk, fs->bsize);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memset(b->data, 0, fs->bsize);
	de = (struct ext2_dirent *)b->data;
	de->rec_len = (uint16_t)fs->bsize;
	fill_entry(fs, de, name, len, ino);
	bcache_dirty(b);
	bcache_put(b);
	dir->size = (n + 1) * fs->bsize;
	dir_changed(dir);
	return 0;
}

/* Removes the record found at pos (and releases pos). */
static void remove_at(struct inode *dir, struct dir_pos *pos)
{
	if (pos->prev)
		pos->prev->rec_len =
			(uint16_t)(pos->prev->rec_len + pos->de->rec_len);
	else
		pos->de->inode = 0;
	bcache_dirty(pos->b);
	bcache_put(pos->b);
	dir_changed(dir);
}

int ext2_dir_init(struct inode *dir, uint32_t parent)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	struct ext2_dirent *de;
	struct bbuf *b;
	long blk = ext2_bmap(dir, 0, true, NULL);

	if (blk <= 0)
		return blk < 0 ? (int)blk : -EIO;
	b = bcache_get_new(fs->dev, (uint64_t)blk, fs->bsize);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memset(b->data, 0, fs->bsize);
	de = (struct ext2_dirent *)b->data;
	de->inode = (uint32_t)dir->ino;
	de->rec_len = 12;
	de->name_len = 1;
	de->file_type = fs->filetype ? FT_DIR : 0;
	de->name[0] = '.';
	de = (struct ext2_dirent *)(b->data + 12);
	de->inode = parent;
	de->rec_len = (uint16_t)(fs->bsize - 12);
	de->name_len = 2;
	de->file_type = fs->filetype ? FT_DIR : 0;
	de->name[0] = de->name[1] = '.';
	bcache_dirty(b);
	bcache_put(b);
	dir->size = fs->bsize;
	return ext2_write_inode(dir);
}

/* Points the ".." record of directory dir at parent. */
static int set_dotdot(struct inode *dir, uint32_t parent)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	struct ext2_dirent *de;
	struct bbuf *b = dir_block(dir, 0);

	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	de = entry_at(fs, b, 0);
	if (!IS_ERR(de))
		de = entry_at(fs, b, de->rec_len);
	if (IS_ERR(de) || de->name_len != 2 || memcmp(de->name, "..", 2)) {
		bcache_put(b);
		return ext2_corrupt(fs, "directory without ..", dir->ino);
	}
	de->inode = parent;
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

/* 1 when dir holds nothing but "." and "..", 0 when it does, or -errno. */
static int dir_is_empty(struct inode *dir)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	uint64_t n = dir_nblocks(dir);

	for (uint64_t i = 0; i < n; i++) {
		struct bbuf *b = dir_block(dir, i);

		if (IS_ERR(b))
			return (int)PTR_ERR(b);
		for (unsigned off = 0; off < fs->bsize;) {
			struct ext2_dirent *de = entry_at(fs, b, off);

			if (IS_ERR(de)) {
				bcache_put(b);
				return (int)PTR_ERR(de);
			}
			if (de->inode && !name_is(de, ".", 1) &&
			    !name_is(de, "..", 2)) {
				bcache_put(b);
				return 0;
			}
			off += de->rec_len;
		}
		bcache_put(b);
	}
	return 1;
}

int ext2_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct dir_pos pos;
	uint32_t ino;
	int err = find_entry(dir, name, &pos);

	if (err < 0)
		return err;
	ino = pos.de->inode;
	bcache_put(pos.b);
	return ext2_iget(ext2_fs_of(dir), ino, out);
}

long ext2_readdir(struct file *f, void *buf, size_t len)
{
	struct inode *dir = f->inode;
	struct ext2_fs *fs = ext2_fs_of(dir);
	uint64_t pos = f->pos, n = dir_nblocks(dir);
	size_t used = 0;
	char name[NAME_MAX + 1];

	while (pos / fs->bsize < n) {
		uint64_t i = pos / fs->bsize;
		struct bbuf *b = dir_block(dir, i);
		bool full = false;

		if (IS_ERR(b)) {
			f->pos = pos;
			return used ? (long)used : PTR_ERR(b);
		}
		for (unsigned off = 0; off < fs->bsize;) {
			struct ext2_dirent *de = entry_at(fs, b, off);
			uint64_t here = i * fs->bsize + off;
			unsigned type = DT_UNKNOWN;

			if (IS_ERR(de)) {
				bcache_put(b);
				f->pos = pos;
				return used ? (long)used : PTR_ERR(de);
			}
			off += de->rec_len;
			if (here < pos || !de->inode)
				continue;
			memcpy(name, de->name, de->name_len);
			name[de->name_len] = 0;
			if (fs->filetype) {
				static const unsigned char dt[] = {
					DT_UNKNOWN, DT_REG,  DT_DIR,  DT_CHR,
					DT_BLK,	    DT_FIFO, DT_SOCK, DT_LNK,
				};

				if (de->file_type < sizeof(dt))
					type = dt[de->file_type];
			}
			if (!dirent_emit(buf, len, &used, de->inode,
					 (int64_t)(i * fs->bsize + off), type,
					 name)) {
				full = true;
				break;
			}
			pos = i * fs->bsize + off;
		}
		bcache_put(b);
		if (full) {
			f->pos = pos;
			return used ? (long)used : -EINVAL;
		}
		pos = (i + 1) * fs->bsize;
	}
	f->pos = pos;
	return (long)used;
}

/* ---- namespace operations ---- */

/* Creates name in dir for a new inode vi (which it consumes on failure). */
static int add_new(struct inode *dir, const char *name, struct inode *vi)
{
	int err = ext2_write_inode(vi);

	if (err == 0)
		err = ext2_dir_add(dir, name, vi);
	if (err < 0) {
		vi->nlink = 0;
		inode_put(vi);
	}
	return err;
}

int ext2_create(struct inode *dir, const char *name, uint32_t mode,
		uint64_t rdev, struct inode **out)
{
	struct inode *vi;
	int err;

	if (rdonly(dir))
		return -EROFS;
	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	if (S_ISDIR(mode) || S_ISLNK(mode))
		return -EINVAL;
	err = ext2_new_inode(dir, mode, &vi);
	if (err < 0)
		return err;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		vi->rdev = rdev;
	err = add_new(dir, name, vi);
	if (err < 0)
		return err;
	if (out)
		*out = vi;
	else
		inode_put(vi);
	return 0;
}

int ext2_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	struct inode *vi;
	int err;

	if (rdonly(dir))
		return -EROFS;
	if (dir->nlink >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_new_inode(dir, S_IFDIR | (mode & S_IALLUGO), &vi);
	if (err < 0)
		return err;
	vi->nlink = 2;
	err = ext2_dir_init(vi, (uint32_t)dir->ino);
	if (err < 0) {
		vi->nlink = 0;
		inode_put(vi);
		return err;
	}
	err = add_new(dir, name, vi);
	if (err < 0)
		return err;
	dir->nlink++;
	ext2_write_inode(dir);
	inode_put(vi);
	return 0;
}

int ext2_symlink(struct inode *dir, const char *name, const char *target)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	size_t len = strlen(target);
	struct inode *vi;
	int err;

	if (rdonly(dir))
		return -EROFS;
	if (len >= fs->bsize)
		return -ENAMETOOLONG;
	err = ext2_new_inode(dir, S_IFLNK | 0777, &vi);
	if (err < 0)
		return err;
	if (len < EXT2_FAST_LINK_MAX) {
		memcpy(ext2_info(vi)->i_block, target, len);
	} else {
		struct bbuf *b;
		long blk = ext2_bmap(vi, 0, true, NULL);

		b = blk > 0 ?
			    bcache_get_new(fs->dev, (uint64_t)blk, fs->bsize) :
			    ERR_PTR(blk < 0 ? blk : -EIO);
		if (IS_ERR(b)) {
			vi->nlink = 0;
			inode_put(vi);
			return (int)PTR_ERR(b);
		}
		memset(b->data, 0, fs->bsize);
		memcpy(b->data, target, len);
		bcache_dirty(b);
		bcache_put(b);
	}
	vi->size = len;
	err = add_new(dir, name, vi);
	if (err == 0)
		inode_put(vi);
	return err;
}

int ext2_link(struct inode *old, struct inode *dir, const char *name)
{
	int err;

	if (rdonly(dir))
		return -EROFS;
	if (old->sb != dir->sb)
		return -EXDEV;
	if (old->nlink == 0)
		return -ENOENT;
	if (old->nlink >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_dir_add(dir, name, old);
	if (err < 0)
		return err;
	old->nlink++;
	ext2_touch(old, false, true);
	return ext2_write_inode(old);
}

/* Looks name up and loads its inode: *pos stays referenced. */
static int find_inode(struct inode *dir, const char *name, struct dir_pos *pos,
		      struct inode **out)
{
	int err = find_entry(dir, name, pos);

	if (err < 0)
		return err;
	err = ext2_iget(ext2_fs_of(dir), pos->de->inode, out);
	if (err < 0)
		bcache_put(pos->b);
	return err;
}

int ext2_unlink(struct inode *dir, const char *name)
{
	struct dir_pos pos;
	struct inode *vi;
	int err;

	if (rdonly(dir))
		return -EROFS;
	err = find_inode(dir, name, &pos, &vi);
	if (err < 0)
		return err;
	if (S_ISDIR(vi->mode)) {
		bcache_put(pos.b);
		inode_put(vi);
		return -EISDIR;
	}
	remove_at(dir, &pos);
	if (vi->nlink)
		vi->nlink--;
	ext2_touch(vi, false, true);
	ext2_write_inode(vi);
	inode_put(vi);
	return 0;
}

int ext2_rmdir(struct inode *dir, const char *name)
{
	struct dir_pos pos;
	struct inode *vi;
	int err;

	if (rdonly(dir))
		return -EROFS;
	err = find_inode(dir, name, &pos, &vi);
	if (err < 0)
		return err;
	if (!S_ISDIR(vi->mode))
		err = -ENOTDIR;
	else
		err = dir_is_empty(vi);
	if (err <= 0) {
		bcache_put(pos.b);
		inode_put(vi);
		return err < 0 ? err : -ENOTEMPTY;
	}
	remove_at(dir, &pos);
	vi->nlink = 0;
	ext2_touch(vi, false, true);
	ext2_write_inode(vi);
	if (dir->nlink > 2)
		dir->nlink--;
	ext2_write_inode(dir);
	inode_put(vi);
	return 0;
}

/* Points the existing record name in dir at ino. */
static int set_entry(struct inode *dir, const char *name, struct inode *ino)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	struct dir_pos pos;
	int err = find_entry(dir, name, &pos);

	if (err < 0)
		return err;
	pos.de->inode = (uint32_t)ino->ino;
	pos.de->file_type = fs->filetype ? ext2_ftype(ino->mode) : 0;
	bcache_dirty(pos.b);
	bcache_put(pos.b);
	dir_changed(dir);
	return 0;
}

static int rename_exchange(struct inode *olddir, const char *oldname,
			   struct inode *newdir, const char *newname,
			   struct inode *src, struct inode *dst)
{
	int err = set_entry(olddir, oldname, dst);

	if (err == 0)
		err = set_entry(newdir, newname, src);
	if (err < 0 || olddir == newdir)
		return err;
	if (S_ISDIR(src->mode)) {
		err = set_dotdot(src, (uint32_t)newdir->ino);
		olddir->nlink--;
		newdir->nlink++;
	}
	if (S_ISDIR(dst->mode)) {
		err = set_dotdot(dst, (uint32_t)olddir->ino);
		newdir->nlink--;
		olddir->nlink++;
	}
	return err;
}

int ext2_rename(struct inode *olddir, const char *oldname, struct inode *newdir,
		const char *newname, unsigned flags)
{
	struct inode *src = NULL, *dst = NULL;
	struct dir_pos pos;
	int err;

	if (rdonly(olddir))
		return -EROFS;
	if (newdir->nlink == 0)
		return -ENOENT;
	err = find_inode(olddir, oldname, &pos, &src);
	if (err < 0)
		return err;
	bcache_put(pos.b);
	err = find_inode(newdir, newname, &pos, &dst);
	if (err == 0)
		bcache_put(pos.b);
	else if (err != -ENOENT)
		goto out;
	err = 0;
	if (flags & RENAME_EXCHANGE) {
		err = dst ? rename_exchange(olddir, oldname, newdir, newname,
					    src, dst) :
			    -ENOENT;
		if (err == 0)
			ext2_touch(dst, false, true);
		goto done;
	}
	if (dst) {
		if (flags & RENAME_NOREPLACE) {
			err = -EEXIST;
			goto out;
		}
		if (dst == src)
			goto out;
		if (S_ISDIR(src->mode)) {
			err = S_ISDIR(dst->mode) ? dir_is_empty(dst) : -ENOTDIR;
			if (err <= 0) {
				err = err < 0 ? err : -ENOTEMPTY;
				goto out;
			}
		} else if (S_ISDIR(dst->mode)) {
			err = -EISDIR;
			goto out;
		}
		err = set_entry(newdir, newname, src);
		if (err < 0)
			goto out;
		if (S_ISDIR(dst->mode)) {
			dst->nlink = 0;
			newdir->nlink--;
		} else if (dst->nlink) {
			dst->nlink--;
		}
		ext2_touch(dst, false, true);
		ext2_write_inode(dst);
	} else {
		if (S_ISDIR(src->mode) && olddir != newdir &&
		    newdir->nlink >= EXT2_LINK_MAX) {
			err = -EMLINK;
			goto out;
		}
		err = ext2_dir_add(newdir, newname, src);
		if (err < 0)
			goto out;
	}
	err = find_entry(olddir, oldname, &pos);
	if (err == 0)
		remove_at(olddir, &pos);
	if (err == 0 && S_ISDIR(src->mode) && olddir != newdir) {
		err = set_dotdot(src, (uint32_t)newdir->ino);
		olddir->nlink--;
		newdir->nlink++;
	}
done:
	ext2_touch(src, false, true);
	ext2_write_inode(src);
	if (dst)
		ext2_write_inode(dst);
	ext2_touch(olddir, true, true);
	ext2_write_inode(olddir);
	if (newdir != olddir) {
		ext2_touch(newdir, true, true);
		ext2_write_inode(newdir);
	}
out:
	if (dst)
		inode_put(dst);
	inode_put(src);
	return err;
}
