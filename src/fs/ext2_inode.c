/*
 * ext2_inode.c: ext2 inodes in memory: reading one from its inode table
 * (checked: type, link count, size), the cache that keeps one VFS inode
 * per inode number, writing the fields back, the block map (12 direct,
 * single, double and triple indirect pointers) with allocation as a file
 * grows, truncation that frees blocks and emptied indirect blocks, and
 * eviction, which frees an unlinked inode when its last user goes.
 * Layer: filesystem; relies on ext2_super.c's allocators and the bcache.
 */
#include "ext2.h"

uint8_t ext2_ftype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return FT_REG;
	case S_IFDIR:
		return FT_DIR;
	case S_IFCHR:
		return FT_CHR;
	case S_IFBLK:
		return FT_BLK;
	case S_IFIFO:
		return FT_FIFO;
	case S_IFSOCK:
		return FT_SOCK;
	case S_IFLNK:
		return FT_LNK;
	default:
		return FT_UNKNOWN;
	}
}

void ext2_touch(struct inode *ino, bool m, bool c)
{
	struct timespec64 now = vfs_now();

	if (m)
		ino->mtime = now;
	if (c)
		ino->ctime = now;
}

/* The inode table block and offset of inode number ino. */
static int locate(struct ext2_fs *fs, uint32_t ino, uint32_t *blk,
		  unsigned *off)
{
	uint32_t g = (ino - 1) / fs->ipg, idx = (ino - 1) % fs->ipg;
	uint64_t byte = (uint64_t)idx * fs->inode_size;

	*blk = ext2_gd(fs, g)->bg_inode_table + (uint32_t)(byte / fs->bsize);
	*off = (unsigned)(byte % fs->bsize);
	return 0;
}

static bool extra_has(struct ext2_fs *fs, const struct ext2_dinode *di,
		      size_t field_end)
{
	return fs->inode_size > EXT2_GOOD_OLD_INODE_SIZE &&
	       EXT2_GOOD_OLD_INODE_SIZE + (size_t)di->i_extra_isize >=
		       field_end &&
	       field_end <= fs->inode_size;
}

static struct timespec64 get_time(struct ext2_fs *fs,
				  const struct ext2_dinode *di, uint32_t sec,
				  const uint32_t *extra, size_t field_end)
{
	struct timespec64 t = { (int32_t)sec, 0 };

	if (extra_has(fs, di, field_end)) {
		uint32_t nsec = *extra >> 2;

		if (nsec < 1000000000u)
			t.nsec = nsec;
	}
	return t;
}

static uint64_t decode_dev(const struct ext2_dinode *di)
{
	uint32_t x = di->i_block[0];

	if (x)
		return uapi_makedev((x >> 8) & 0xff, x & 0xff);
	x = di->i_block[1];
	return uapi_makedev((x & 0xfff00) >> 8,
			    (x & 0xff) | ((x >> 12) & 0xfff00));
}

static void encode_dev(uint32_t *blocks, uint64_t rdev)
{
	uint32_t major = uapi_major(rdev), minor = uapi_minor(rdev);

	if (major < 256 && minor < 256) {
		blocks[0] = (major << 8) | minor;
		blocks[1] = 0;
	} else {
		blocks[0] = 0;
		blocks[1] = (minor & 0xff) | (major << 8) |
			    ((minor & ~0xffu) << 12);
	}
	blocks[2] = 0;
}

static void set_ops(struct inode *ino)
{
	ino->iops = &ext2_iops;
	if (S_ISREG(ino->mode))
		ino->fops = &ext2_file_ops;
	else if (S_ISDIR(ino->mode))
		ino->fops = &ext2_dir_ops;
}

static struct inode *icache_find(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode_info *ei;

	list_for_each_entry(ei, &fs->icache, link)
		if (ei->vfs->ino == ino)
			return ei->vfs;
	return NULL;
}

static bool mode_ok(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFLNK:
		return true;
	default:
		return false;
	}
}

/* A VFS inode with its ext2 part, entered in the cache. */
static struct inode *inode_new(struct ext2_fs *fs, uint32_t ino, uint32_t mode)
{
	struct ext2_inode_info *ei = kzalloc(sizeof(*ei));
	struct inode *vi;

	if (!ei)
		return NULL;
	vi = inode_alloc(fs->sb, mode);
	if (!vi) {
		kfree(ei);
		return NULL;
	}
	vi->ino = ino;
	vi->priv = ei;
	ei->vfs = vi;
	list_add(&ei->link, &fs->icache);
	return vi;
}

int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct inode **out)
{
	struct ext2_inode_info *ei;
	struct ext2_dinode *di;
	struct inode *vi;
	struct bbuf *b;
	uint32_t blk;
	unsigned off;
	int err = 0;

	if ((ino != EXT2_ROOT_INO && ino < fs->first_ino) ||
	    ino > fs->inodes_count || ino == 0)
		return ext2_corrupt(fs, "bad inode number", ino);
	vi = icache_find(fs, ino);
	if (vi) {
		inode_get(vi);
		*out = vi;
		return 0;
	}
	locate(fs, ino, &blk, &off);
	b = bcache_read(fs->dev, blk, fs->bsize);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	di = (struct ext2_dinode *)(b->data + off);
	if (di->i_links_count == 0 || !mode_ok(di->i_mode)) {
		err = ext2_corrupt(fs, "deleted or bad inode in use", ino);
		goto out;
	}
	vi = inode_new(fs, ino, di->i_mode);
	if (!vi) {
		err = -ENOMEM;
		goto out;
	}
	ei = ext2_info(vi);
	vi->nlink = di->i_links_count;
	vi->uid = di->i_uid | ((uint32_t)di->i_uid_high << 16);
	vi->gid = di->i_gid | ((uint32_t)di->i_gid_high << 16);
	vi->size = di->i_size;
	if (S_ISREG(di->i_mode))
		vi->size |= (uint64_t)di->i_size_high << 32;
	vi->blocks = di->i_blocks;
	vi->atime = get_time(fs, di, di->i_atime, &di->i_atime_extra, 144);
	vi->mtime = get_time(fs, di, di->i_mtime, &di->i_mtime_extra, 140);
	vi->ctime = get_time(fs, di, di->i_ctime, &di->i_ctime_extra, 136);
	memcpy(ei->i_block, di->i_block, sizeof(ei->i_block));
	ei->flags = di->i_flags;
	ei->file_acl = di->i_file_acl;
	if (S_ISCHR(vi->mode) || S_ISBLK(vi->mode))
		vi->rdev = decode_dev(di);
	set_ops(vi);
	/* Bounded by the filesystem: no inode holds more blocks than there
	 * are, and directories and symlinks have no holes, which bounds
	 * every scan of them by the size of the disk. */
	if (vi->size > fs->max_size ||
	    vi->blocks > (uint64_t)fs->blocks_count * (fs->bsize / 512) ||
	    ((S_ISDIR(vi->mode) || (S_ISLNK(vi->mode) && vi->blocks)) &&
	     vi->size > vi->blocks * 512) ||
	    (S_ISDIR(vi->mode) && vi->size % fs->bsize) ||
	    (ei->file_acl && !ext2_block_ok(fs, ei->file_acl))) {
		err = ext2_corrupt(fs, "bad inode size or attribute block",
				   ino);
		/* Not freed as an unlinked inode: it stays on the disk. */
		vi->nlink = 1;
		inode_put(vi);
		goto out;
	}
	*out = vi;
out:
	bcache_put(b);
	return err;
}

static void put_time(struct ext2_fs *fs, struct ext2_dinode *di, uint32_t *sec,
		     uint32_t *extra, size_t field_end, struct timespec64 t)
{
	*sec = (uint32_t)t.sec;
	if (extra_has(fs, di, field_end))
		*extra = (uint32_t)(t.nsec << 2) |
			 ((uint32_t)((t.sec - (int32_t)t.sec) >> 32) & 3);
}

int ext2_write_inode(struct inode *vi)
{
	struct ext2_fs *fs = ext2_fs_of(vi);
	struct ext2_inode_info *ei = ext2_info(vi);
	struct ext2_dinode *di;
	struct bbuf *b;
	uint32_t blk;
	unsigned off;

	if (fs->rdonly)
		return 0;
	locate(fs, (uint32_t)vi->ino, &blk, &off);
	b = bcache_read(fs->dev, blk, fs->bsize);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	di = (struct ext2_dinode *)(b->data + off);
	di->i_mode = (uint16_t)vi->mode;
	di->i_uid = (uint16_t)vi->uid;
	di->i_uid_high = (uint16_t)(vi->uid >> 16);
	di->i_gid = (uint16_t)vi->gid;
	di->i_gid_high = (uint16_t)(vi->gid >> 16);
	di->i_links_count = (uint16_t)MIN(vi->nlink, 65535u);
	di->i_size = (uint32_t)vi->size;
	if (S_ISREG(vi->mode)) {
		di->i_size_high = (uint32_t)(vi->size >> 32);
		if (vi->size > 0x7fffffffULL && !fs->large_file) {
			fs->es->s_feature_ro_compat |=
				EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
			if (fs->es->s_rev_level == 0)
				fs->es->s_rev_level = 1;
			fs->large_file = true;
			ext2_sb_dirty(fs);
		}
	}
	di->i_blocks = (uint32_t)vi->blocks;
	put_time(fs, di, &di->i_atime, &di->i_atime_extra, 144, vi->atime);
	put_time(fs, di, &di->i_mtime, &di->i_mtime_extra, 140, vi->mtime);
	put_time(fs, di, &di->i_ctime, &di->i_ctime_extra, 136, vi->ctime);
	di->i_flags = ei->flags;
	di->i_file_acl = ei->file_acl;
	if (S_ISCHR(vi->mode) || S_ISBLK(vi->mode))
		encode_dev(ei->i_block, vi->rdev);
	memcpy(di->i_block, ei->i_block, sizeof(di->i_block));
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

int ext2_new_inode(struct inode *dir, uint32_t mode, struct inode **out)
{
	struct ext2_fs *fs = ext2_fs_of(dir);
	struct ext2_dinode *di;
	struct inode *vi;
	struct bbuf *b;
	uint32_t blk;
	unsigned off;
	long ino;

	if (fs->rdonly)
		return -EROFS;
	ino = ext2_alloc_inode(fs, (uint32_t)dir->ino, S_ISDIR(mode));
	if (ino < 0)
		return (int)ino;
	/* A live inode with this number: the bitmap lied. Its slot must
	 * not be overwritten (the bit stays set: it is in use). */
	if (icache_find(fs, (uint32_t)ino))
		return ext2_corrupt(fs, "inode in use but free in bitmap", ino);
	/* A fresh slot: everything but what we set is zero, and large
	 * inodes say how much of their extra space is in use. */
	locate(fs, (uint32_t)ino, &blk, &off);
	b = bcache_read(fs->dev, blk, fs->bsize);
	if (IS_ERR(b)) {
		ext2_free_inode(fs, (uint32_t)ino, S_ISDIR(mode));
		return (int)PTR_ERR(b);
	}
	di = (struct ext2_dinode *)(b->data + off);
	memset(di, 0, fs->inode_size);
	if (fs->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + 32)
		di->i_extra_isize = 32;
	di->i_generation = (uint32_t)ino * 2654435761u;
	bcache_dirty(b);
	bcache_put(b);
	vi = inode_new(fs, (uint32_t)ino, mode);
	if (!vi) {
		ext2_free_inode(fs, (uint32_t)ino, S_ISDIR(mode));
		return -ENOMEM;
	}
	vi->blocks = 0;
	vi->size = 0;
	if (dir->mode & S_ISGID) {
		vi->gid = dir->gid;
		if (S_ISDIR(mode))
			vi->mode |= S_ISGID;
	}
	set_ops(vi);
	ext2_info(vi)->goal = 0;
	*out = vi;
	return 0;
}

/* ---- the block map ---- */

static uint32_t alloc_goal(struct ext2_fs *fs, struct inode *vi)
{
	struct ext2_inode_info *ei = ext2_info(vi);

	if (ei->goal && ei->goal < fs->blocks_count)
		return ei->goal;
	return fs->first_data_block +
	       (uint32_t)((vi->ino - 1) / fs->ipg) * fs->bpg;
}

long ext2_bmap(struct inode *vi, uint64_t lblk, bool alloc, bool *fresh)
{
	struct ext2_fs *fs = ext2_fs_of(vi);
	struct ext2_inode_info *ei = ext2_info(vi);
	uint64_t p = fs->bsize / 4;
	unsigned idx[4];
	int depth;
	uint32_t *slot;
	struct bbuf *parent = NULL;
	bool inode_dirty = false;
	long ret;

	if (fresh)
		*fresh = false;
	if (lblk < EXT2_NDIR) {
		depth = 0;
		idx[0] = (unsigned)lblk;
	} else if ((lblk -= EXT2_NDIR) < p) {
		depth = 1;
		idx[0] = EXT2_IND;
		idx[1] = (unsigned)lblk;
	} else if ((lblk -= p) < p * p) {
		depth = 2;
		idx[0] = EXT2_DIND;
		idx[1] = (unsigned)(lblk / p);
		idx[2] = (unsigned)(lblk % p);
	} else if ((lblk -= p * p) < p * p * p) {
		depth = 3;
		idx[0] = EXT2_TIND;
		idx[1] = (unsigned)(lblk / (p * p));
		idx[2] = (unsigned)((lblk / p) % p);
		idx[3] = (unsigned)(lblk % p);
	} else {
		return -EFBIG;
	}
	if (alloc && fs->rdonly)
		return -EROFS;
	slot = &ei->i_block[idx[0]];
	for (int level = 0;; level++) {
		uint32_t blk = *slot;

		if (blk && !ext2_block_ok(fs, blk)) {
			ret = ext2_corrupt(fs, "block pointer out of range",
					   blk);
			break;
		}
		if (!blk) {
			long nb;

			if (!alloc) {
				ret = 0;
				break;
			}
			nb = ext2_alloc_block(fs, alloc_goal(fs, vi));
			if (nb < 0) {
				ret = nb;
				break;
			}
			blk = (uint32_t)nb;
			*slot = blk;
			vi->blocks += fs->bsize / 512;
			ei->goal = blk + 1;
			inode_dirty = true;
			if (parent)
				bcache_dirty(parent);
			if (level < depth) {
				struct bbuf *nbuf =
					bcache_get_new(fs->dev, blk, fs->bsize);

				if (IS_ERR(nbuf)) {
					ret = PTR_ERR(nbuf);
					break;
				}
				memset(nbuf->data, 0, fs->bsize);
				bcache_dirty(nbuf);
				bcache_put(nbuf);
			} else if (fresh) {
				*fresh = true;
			}
		}
		if (level == depth) {
			ret = blk;
			break;
		}
		bcache_put(parent);
		parent = bcache_read(fs->dev, blk, fs->bsize);
		if (IS_ERR(parent)) {
			ret = PTR_ERR(parent);
			parent = NULL;
			break;
		}
		slot = &((uint32_t *)parent->data)[idx[level + 1]];
	}
	bcache_put(parent);
	if (inode_dirty)
		ext2_write_inode(vi);
	return ret;
}

/* ---- truncation ---- */

static void free_data_block(struct ext2_fs *fs, struct inode *vi, uint32_t blk)
{
	ext2_free_block(fs, blk);
	if (vi->blocks >= fs->bsize / 512)
		vi->blocks -= fs->bsize / 512;
}

/*
 * Frees the blocks of the subtree at *slot (depth 0: one data block) that
 * hold file blocks >= keep; the subtree covers file blocks from start on,
 * span of them. Clears *slot (and sets *changed) when all of it went.
 */
static void free_tree(struct ext2_fs *fs, struct inode *vi, uint32_t *slot,
		      int depth, uint64_t start, uint64_t span, uint64_t keep,
		      bool *changed, uint64_t *budget)
{
	uint64_t p = fs->bsize / 4, child = span / p;
	bool bchanged = false;
	struct bbuf *b;
	uint32_t *ptrs;

	if (*slot == 0 || start + span <= keep)
		return;
	/* A sane tree has at most as many blocks as the disk: a corrupt
	 * one whose pointers repeat must not be walked for ever. */
	if (*budget == 0)
		return;
	(*budget)--;
	if (!ext2_block_ok(fs, *slot)) {
		ext2_corrupt(fs, "block pointer out of range", *slot);
		*slot = 0;
		*changed = true;
		return;
	}
	if (depth > 0) {
		b = bcache_read(fs->dev, *slot, fs->bsize);
		if (IS_ERR(b))
			return;
		ptrs = (uint32_t *)b->data;
		for (uint64_t i = 0; i < p; i++) {
			uint64_t cs = start + i * child;

			if (cs + child > keep)
				free_tree(fs, vi, &ptrs[i], depth - 1, cs,
					  child, keep, &bchanged, budget);
		}
		if (start < keep) {
			if (bchanged)
				bcache_dirty(b);
			bcache_put(b);
			return;
		}
		bcache_put(b);
	}
	free_data_block(fs, vi, *slot);
	*slot = 0;
	*changed = true;
}

/* Zeroes the bytes of the last block past size, which a file growing
 * again must read as zeros. */
static int zero_tail(struct inode *vi, uint64_t size)
{
	struct ext2_fs *fs = ext2_fs_of(vi);
	unsigned in = (unsigned)(size % fs->bsize);
	struct bbuf *b;
	long blk;

	if (!in)
		return 0;
	blk = ext2_bmap(vi, size / fs->bsize, false, NULL);
	if (blk <= 0)
		return (int)blk;
	b = bcache_read(fs->dev, (uint64_t)blk, fs->bsize);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memset(b->data + in, 0, fs->bsize - in);
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

int ext2_truncate(struct inode *vi, uint64_t size)
{
	struct ext2_fs *fs = ext2_fs_of(vi);
	struct ext2_inode_info *ei = ext2_info(vi);
	uint64_t p = fs->bsize / 4, keep;
	bool changed = false;
	int err;

	if (fs->rdonly)
		return -EROFS;
	if (size > fs->max_size)
		return -EFBIG;
	/* Fast symlinks keep their text in i_block: no blocks to free. */
	if (ext2_fast_symlink(vi)) {
		memset(ei->i_block, 0, sizeof(ei->i_block));
		vi->size = size;
		return ext2_write_inode(vi);
	}
	if (size < vi->size) {
		uint64_t budget = fs->blocks_count;

		keep = (size + fs->bsize - 1) / fs->bsize;
		for (uint64_t i = keep; i < EXT2_NDIR; i++)
			free_tree(fs, vi, &ei->i_block[i], 0, i, 1, keep,
				  &changed, &budget);
		free_tree(fs, vi, &ei->i_block[EXT2_IND], 1, EXT2_NDIR, p, keep,
			  &changed, &budget);
		free_tree(fs, vi, &ei->i_block[EXT2_DIND], 2, EXT2_NDIR + p,
			  p * p, keep, &changed, &budget);
		free_tree(fs, vi, &ei->i_block[EXT2_TIND], 3,
			  EXT2_NDIR + p + p * p, p * p * p, keep, &changed,
			  &budget);
		if (budget == 0)
			ext2_corrupt(fs, "block map larger than the disk",
				     vi->ino);
		err = zero_tail(vi, size);
		if (err < 0)
			return err;
	} else if (size > vi->size) {
		/* The old tail may hold bytes from before a shrink. */
		err = zero_tail(vi, vi->size);
		if (err < 0)
			return err;
	}
	vi->size = size;
	return ext2_write_inode(vi);
}

/* Drops this inode's hold on its extended attribute block. */
static void release_xattr(struct ext2_fs *fs, struct inode *vi)
{
	struct ext2_inode_info *ei = ext2_info(vi);
	struct bbuf *b;
	uint32_t *hdr;

	if (!ei->file_acl)
		return;
	b = bcache_read(fs->dev, ei->file_acl, fs->bsize);
	if (IS_ERR(b))
		return;
	hdr = (uint32_t *)b->data;
	if (hdr[0] == 0xea020000u && hdr[1] > 1) {
		hdr[1]--;
		bcache_dirty(b);
		bcache_put(b);
	} else {
		bcache_put(b);
		free_data_block(fs, vi, ei->file_acl);
	}
	ei->file_acl = 0;
}

void ext2_evict(struct inode *vi)
{
	struct ext2_fs *fs = ext2_fs_of(vi);
	struct ext2_inode_info *ei = ext2_info(vi);

	if (!ei)
		return;
	if (vi->nlink == 0 && !fs->rdonly) {
		struct ext2_dinode *di;
		struct bbuf *b;
		uint32_t blk;
		unsigned off;

		if (!ext2_fast_symlink(vi) && !S_ISCHR(vi->mode) &&
		    !S_ISBLK(vi->mode))
			ext2_truncate(vi, 0);
		release_xattr(fs, vi);
		vi->size = 0;
		ext2_write_inode(vi);
		locate(fs, (uint32_t)vi->ino, &blk, &off);
		b = bcache_read(fs->dev, blk, fs->bsize);
		if (!IS_ERR(b)) {
			di = (struct ext2_dinode *)(b->data + off);
			di->i_dtime = (uint32_t)vfs_now().sec;
			bcache_dirty(b);
			bcache_put(b);
		}
		ext2_free_inode(fs, (uint32_t)vi->ino, S_ISDIR(vi->mode));
	}
	list_del(&ei->link);
	kfree(ei);
	vi->priv = NULL;
}
