/*
 * ext2_super.c: an ext2 filesystem as a whole: mounting (the superblock
 * and group descriptors checked before anything trusts them), the block
 * and inode bitmaps with their counters in the group descriptors and the
 * superblock, statfs, sync, remount and the clean/not-clean state.
 * Layer: filesystem; relies on the block cache and blkdev.
 */
#include <uapi/mount.h>
#include <uapi/statfs.h>

#include "ext2.h"

int ext2_corrupt(struct ext2_fs *fs, const char *what, uint64_t val)
{
	pr_warn("ext2 %s: corrupt filesystem: %s (%llu)", fs->dev->name, what,
		(unsigned long long)val);
	if (!fs->rdonly && fs->sb) {
		fs->es->s_state |= EXT2_ERROR_FS;
		ext2_sb_dirty(fs);
	}
	return -EUCLEAN;
}

struct ext2_gd *ext2_gd(struct ext2_fs *fs, uint32_t group)
{
	uint32_t per = fs->bsize / sizeof(struct ext2_gd);

	return (struct ext2_gd *)fs->gd_bufs[group / per]->data + group % per;
}

void ext2_gd_dirty(struct ext2_fs *fs, uint32_t group)
{
	bcache_dirty(fs->gd_bufs[group / (fs->bsize / sizeof(struct ext2_gd))]);
}

void ext2_sb_dirty(struct ext2_fs *fs)
{
	bcache_dirty(fs->sb_buf);
}

bool ext2_block_ok(struct ext2_fs *fs, uint32_t blk)
{
	return blk > fs->first_data_block && blk < fs->blocks_count;
}

/* Blocks in group g (the last one may be short). */
static uint32_t group_blocks(struct ext2_fs *fs, uint32_t g)
{
	uint32_t start = fs->first_data_block + g * fs->bpg;

	return MIN(fs->bpg, fs->blocks_count - start);
}

/* First zero bit in [from, nbits) of map, or -1. */
static long find_zero(const uint8_t *map, uint32_t from, uint32_t nbits)
{
	for (uint32_t i = from; i < nbits;) {
		if ((i & 7) == 0 && i + 8 <= nbits && map[i >> 3] == 0xff) {
			i += 8;
			continue;
		}
		if (!(map[i >> 3] & (1u << (i & 7))))
			return i;
		i++;
	}
	return -1;
}

long ext2_alloc_block(struct ext2_fs *fs, uint32_t goal)
{
	uint32_t g0 = 0, off0 = 0;

	if (fs->es->s_free_blocks_count == 0)
		return -ENOSPC;
	if (goal > fs->first_data_block && goal < fs->blocks_count) {
		g0 = (goal - fs->first_data_block) / fs->bpg;
		off0 = (goal - fs->first_data_block) % fs->bpg;
	}
	for (uint32_t n = 0; n <= fs->ngroups; n++) {
		uint32_t g = (g0 + n) % fs->ngroups;
		struct ext2_gd *gd = ext2_gd(fs, g);
		uint32_t nbits = group_blocks(fs, g);
		struct bbuf *b;
		long bit;

		if (gd->bg_free_blocks_count == 0)
			continue;
		b = bcache_read(fs->dev, gd->bg_block_bitmap, fs->bsize);
		if (IS_ERR(b))
			return PTR_ERR(b);
		bit = find_zero(b->data, n == 0 ? off0 : 0, nbits);
		if (bit < 0 && n == 0)
			bit = find_zero(b->data, 0, nbits);
		if (bit < 0) {
			bcache_put(b);
			continue;
		}
		b->data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		bcache_dirty(b);
		bcache_put(b);
		gd->bg_free_blocks_count--;
		ext2_gd_dirty(fs, g);
		fs->es->s_free_blocks_count--;
		ext2_sb_dirty(fs);
		return (long)(fs->first_data_block + g * fs->bpg +
			      (uint32_t)bit);
	}
	return -ENOSPC;
}

void ext2_free_block(struct ext2_fs *fs, uint32_t blk)
{
	uint32_t g, bit;
	struct ext2_gd *gd;
	struct bbuf *b;

	if (!ext2_block_ok(fs, blk)) {
		ext2_corrupt(fs, "freeing a block out of range", blk);
		return;
	}
	g = (blk - fs->first_data_block) / fs->bpg;
	bit = (blk - fs->first_data_block) % fs->bpg;
	gd = ext2_gd(fs, g);
	bcache_forget(fs->dev, blk, fs->bsize);
	b = bcache_read(fs->dev, gd->bg_block_bitmap, fs->bsize);
	if (IS_ERR(b))
		return;
	if (!(b->data[bit >> 3] & (1u << (bit & 7)))) {
		bcache_put(b);
		ext2_corrupt(fs, "freeing a free block", blk);
		return;
	}
	b->data[bit >> 3] &= (uint8_t) ~(1u << (bit & 7));
	bcache_dirty(b);
	bcache_put(b);
	gd->bg_free_blocks_count++;
	ext2_gd_dirty(fs, g);
	fs->es->s_free_blocks_count++;
	ext2_sb_dirty(fs);
}

/* The group for a new directory: the one with the most free inodes among
 * those with free blocks, starting after the last one chosen. */
static uint32_t dir_group(struct ext2_fs *fs)
{
	uint32_t best = 0, best_free = 0;

	for (uint32_t n = 0; n < fs->ngroups; n++) {
		uint32_t g = (fs->dir_goal_group + n) % fs->ngroups;
		struct ext2_gd *gd = ext2_gd(fs, g);

		if (gd->bg_free_inodes_count > best_free &&
		    gd->bg_free_blocks_count > 0) {
			best = g;
			best_free = gd->bg_free_inodes_count;
		}
	}
	fs->dir_goal_group = best + 1;
	return best;
}

long ext2_alloc_inode(struct ext2_fs *fs, uint32_t parent_ino, bool dir)
{
	uint32_t g0;

	if (fs->es->s_free_inodes_count == 0)
		return -ENOSPC;
	g0 = dir ? dir_group(fs) : (parent_ino - 1) / fs->ipg;
	for (uint32_t n = 0; n < fs->ngroups; n++) {
		uint32_t g = (g0 + n) % fs->ngroups;
		struct ext2_gd *gd = ext2_gd(fs, g);
		uint32_t from = 0;
		struct bbuf *b;
		long bit;

		if (gd->bg_free_inodes_count == 0)
			continue;
		/* The reserved inodes (below s_first_ino) are never given. */
		if (g * fs->ipg < fs->first_ino - 1)
			from = MIN(fs->ipg, fs->first_ino - 1 - g * fs->ipg);
		b = bcache_read(fs->dev, gd->bg_inode_bitmap, fs->bsize);
		if (IS_ERR(b))
			return PTR_ERR(b);
		bit = find_zero(b->data, from, fs->ipg);
		if (bit < 0) {
			bcache_put(b);
			continue;
		}
		b->data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		bcache_dirty(b);
		bcache_put(b);
		gd->bg_free_inodes_count--;
		if (dir)
			gd->bg_used_dirs_count++;
		ext2_gd_dirty(fs, g);
		fs->es->s_free_inodes_count--;
		ext2_sb_dirty(fs);
		return (long)(g * fs->ipg + (uint32_t)bit + 1);
	}
	return -ENOSPC;
}

void ext2_free_inode(struct ext2_fs *fs, uint32_t ino, bool dir)
{
	uint32_t g = (ino - 1) / fs->ipg, bit = (ino - 1) % fs->ipg;
	struct ext2_gd *gd;
	struct bbuf *b;

	if (ino < 1 || ino > fs->inodes_count)
		return;
	gd = ext2_gd(fs, g);
	b = bcache_read(fs->dev, gd->bg_inode_bitmap, fs->bsize);
	if (IS_ERR(b))
		return;
	if (!(b->data[bit >> 3] & (1u << (bit & 7)))) {
		bcache_put(b);
		ext2_corrupt(fs, "freeing a free inode", ino);
		return;
	}
	b->data[bit >> 3] &= (uint8_t) ~(1u << (bit & 7));
	bcache_dirty(b);
	bcache_put(b);
	gd->bg_free_inodes_count++;
	if (dir && gd->bg_used_dirs_count)
		gd->bg_used_dirs_count--;
	ext2_gd_dirty(fs, g);
	fs->es->s_free_inodes_count++;
	ext2_sb_dirty(fs);
}

/* ---- the filesystem as a whole ---- */

static bool is_power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

static bool group_has_super(struct ext2_fs *fs, uint32_t g)
{
	if (!(fs->es->s_feature_ro_compat &
	      EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
		return true;
	return g <= 1 || is_power_of(g, 3) || is_power_of(g, 5) ||
	       is_power_of(g, 7);
}

static int ext2_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct ext2_fs *fs = sb->priv;
	struct ext2_super *es = fs->es;
	uint64_t overhead = fs->first_data_block;

	for (uint32_t g = 0; g < fs->ngroups; g++) {
		if (group_has_super(fs, g))
			overhead += 1 + fs->gdt_blocks +
				    (es->s_rev_level ?
					     es->s_reserved_gdt_blocks :
					     0);
		overhead += 2 + fs->itable_blocks;
	}
	st->bsize = fs->bsize;
	st->blocks = fs->blocks_count > overhead ? fs->blocks_count - overhead :
						   0;
	st->bfree = es->s_free_blocks_count;
	st->bavail = es->s_free_blocks_count > es->s_r_blocks_count ?
			     es->s_free_blocks_count - es->s_r_blocks_count :
			     0;
	st->files = fs->inodes_count;
	st->ffree = es->s_free_inodes_count;
	st->namelen = NAME_MAX;
	return 0;
}

static uint32_t now_sec(void)
{
	return (uint32_t)vfs_now().sec;
}

static int ext2_sync(struct super_block *sb)
{
	struct ext2_fs *fs = sb->priv;

	if (fs->rdonly)
		return 0;
	fs->es->s_wtime = now_sec();
	ext2_sb_dirty(fs);
	return bcache_sync(fs->dev, true);
}

/* Writes the state (clean or in use) through to the disk at once, so
 * that a crash while mounted leaves "not clean" behind. */
static int set_state(struct ext2_fs *fs, bool clean)
{
	if (clean)
		fs->es->s_state |= EXT2_VALID_FS;
	else
		fs->es->s_state &= (uint16_t)~EXT2_VALID_FS;
	fs->es->s_wtime = now_sec();
	ext2_sb_dirty(fs);
	return bcache_sync(fs->dev, true);
}

static int ext2_remount(struct super_block *sb, unsigned long flags)
{
	struct ext2_fs *fs = sb->priv;
	bool ro = flags & MS_RDONLY;

	if (ro == fs->rdonly)
		return 0;
	if (ro) {
		int err = set_state(fs, true);

		fs->rdonly = true;
		return err < 0 ? -EIO : 0;
	}
	if (fs->dev->read_only ||
	    (fs->es->s_feature_ro_compat & ~EXT2_RO_COMPAT_KNOWN))
		return -EROFS;
	fs->rdonly = false;
	return set_state(fs, false) < 0 ? -EIO : 0;
}

static void fs_free(struct ext2_fs *fs)
{
	if (fs->gd_bufs) {
		for (uint32_t i = 0; i < fs->gdt_blocks; i++)
			bcache_put(fs->gd_bufs[i]);
		kfree(fs->gd_bufs);
	}
	bcache_put(fs->sb_buf);
	bcache_invalidate(fs->dev);
	fs->dev->claimed = false;
	kfree(fs);
}

static void ext2_put_super(struct super_block *sb)
{
	struct ext2_fs *fs = sb->priv;

	if (!list_empty(&fs->icache))
		pr_warn("ext2 %s: inodes still in use at unmount",
			fs->dev->name);
	if (!fs->rdonly && set_state(fs, true) < 0)
		pr_warn("ext2 %s: write-back failed at unmount", fs->dev->name);
	fs_free(fs);
	kfree(sb);
}

static const struct super_ops ext2_sops = {
	.statfs = ext2_statfs,
	.sync = ext2_sync,
	.remount = ext2_remount,
	.put_super = ext2_put_super,
};

bool ext2_sb_rdonly(struct super_block *sb)
{
	return sb->ops == &ext2_sops && ((struct ext2_fs *)sb->priv)->rdonly;
}

/* Checks the superblock geometry and fills fs; -EINVAL when this is no
 * ext2 filesystem this driver can mount. */
static int check_super(struct ext2_fs *fs, const struct ext2_super *es)
{
	uint64_t dev_bytes = fs->dev->sectors * HAL_BLK_SECTOR;

	if (es->s_magic != EXT2_MAGIC)
		return -EINVAL;
	if (es->s_rev_level > 1 || es->s_log_block_size > 2)
		return -EINVAL;
	if (es->s_rev_level == 1 &&
	    (es->s_feature_incompat & ~EXT2_INCOMPAT_KNOWN)) {
		pr_warn("ext2 %s: unsupported features 0x%x", fs->dev->name,
			es->s_feature_incompat & ~EXT2_INCOMPAT_KNOWN);
		return -EINVAL;
	}
	fs->bsize = 1024u << es->s_log_block_size;
	fs->blocks_count = es->s_blocks_count;
	fs->inodes_count = es->s_inodes_count;
	fs->first_data_block = es->s_first_data_block;
	fs->bpg = es->s_blocks_per_group;
	fs->ipg = es->s_inodes_per_group;
	if (es->s_rev_level == 0) {
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		fs->inode_size = es->s_inode_size;
		fs->first_ino = es->s_first_ino;
		fs->filetype = es->s_feature_incompat &
			       EXT2_FEATURE_INCOMPAT_FILETYPE;
		fs->large_file = es->s_feature_ro_compat &
				 EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
	}
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE ||
	    fs->inode_size > fs->bsize ||
	    (fs->inode_size & (fs->inode_size - 1)))
		return -EINVAL;
	if (fs->first_data_block != (fs->bsize == 1024 ? 1u : 0u))
		return -EINVAL;
	if (fs->bpg < 8 || fs->bpg > fs->bsize * 8 || fs->ipg < 1 ||
	    fs->ipg > fs->bsize * 8 || fs->bpg % 8)
		return -EINVAL;
	if (fs->blocks_count <= fs->first_data_block + 1 ||
	    (uint64_t)fs->blocks_count * fs->bsize > dev_bytes)
		return -EINVAL;
	fs->ngroups = (fs->blocks_count - fs->first_data_block + fs->bpg - 1) /
		      fs->bpg;
	if ((uint64_t)fs->ngroups * fs->ipg != fs->inodes_count ||
	    fs->first_ino <= EXT2_ROOT_INO || fs->first_ino > fs->inodes_count)
		return -EINVAL;
	fs->gdt_blocks =
		(uint32_t)(((uint64_t)fs->ngroups * sizeof(struct ext2_gd) +
			    fs->bsize - 1) /
			   fs->bsize);
	fs->itable_blocks = (uint32_t)(((uint64_t)fs->ipg * fs->inode_size +
					fs->bsize - 1) /
				       fs->bsize);
	if (fs->first_data_block + 1 + fs->gdt_blocks >= fs->blocks_count)
		return -EINVAL;
	/* 12 direct, then up to three levels, capped by the 32-bit count
	 * of 512-byte sectors and, without large_file, at 2 GiB. */
	{
		uint64_t p = fs->bsize / 4;
		uint64_t blocks = 12 + p + p * p + p * p * p;
		uint64_t max = blocks * fs->bsize;
		uint64_t cap =
			((uint64_t)UINT32_MAX * 512) - fs->bsize * (p + 3);

		fs->max_size = MIN(max, cap);
	}
	return 0;
}

/* Each group's bitmaps and inode table must lie inside the filesystem. */
static int check_groups(struct ext2_fs *fs)
{
	uint32_t free_b = 0, free_i = 0;

	for (uint32_t g = 0; g < fs->ngroups; g++) {
		struct ext2_gd *gd = ext2_gd(fs, g);

		if (!ext2_block_ok(fs, gd->bg_block_bitmap) ||
		    !ext2_block_ok(fs, gd->bg_inode_bitmap) ||
		    !ext2_block_ok(fs, gd->bg_inode_table) ||
		    (uint64_t)gd->bg_inode_table + fs->itable_blocks >
			    fs->blocks_count ||
		    gd->bg_free_blocks_count > group_blocks(fs, g) ||
		    gd->bg_free_inodes_count > fs->ipg)
			return ext2_corrupt(fs, "bad group descriptor", g);
		free_b += gd->bg_free_blocks_count;
		free_i += gd->bg_free_inodes_count;
	}
	/* Linux recounts the totals from the groups; so do we. */
	if (fs->es->s_free_blocks_count != free_b ||
	    fs->es->s_free_inodes_count != free_i) {
		fs->es->s_free_blocks_count = free_b;
		fs->es->s_free_inodes_count = free_i;
		if (!fs->rdonly)
			ext2_sb_dirty(fs);
	}
	return 0;
}

struct dentry *ext2_mount(const char *source, unsigned long flags,
			  const void *data)
{
	struct ext2_super raw;
	struct super_block *sb;
	struct blkdev *bd;
	struct ext2_fs *fs;
	struct inode *root;
	struct dentry *d;
	struct path p;
	uint64_t sb_blk;
	int err;

	if (!source)
		return ERR_PTR(-EINVAL);
	err = vfs_walk(AT_FDCWD, source, LOOKUP_FOLLOW, &p);
	if (err < 0)
		return ERR_PTR(err);
	if (!S_ISBLK(p.dentry->inode->mode)) {
		path_put(&p);
		return ERR_PTR(-ENOTBLK);
	}
	bd = blkdev_by_rdev(p.dentry->inode->rdev);
	path_put(&p);
	if (!bd)
		return ERR_PTR(-ENXIO);
	if (bd->claimed)
		return ERR_PTR(-EBUSY);
	if (bd->sectors * HAL_BLK_SECTOR < 2048)
		return ERR_PTR(-EINVAL);
	err = blkdev_read(bd, 1024, &raw, sizeof(raw));
	if (err < 0)
		return ERR_PTR(-EIO);
	fs = kzalloc(sizeof(*fs));
	if (!fs)
		return ERR_PTR(-ENOMEM);
	fs->dev = bd;
	list_init(&fs->icache);
	err = check_super(fs, &raw);
	if (err < 0) {
		kfree(fs);
		return ERR_PTR(err);
	}
	bd->claimed = true;
	fs->rdonly = (flags & MS_RDONLY) || bd->read_only;
	if (raw.s_rev_level &&
	    (raw.s_feature_ro_compat & ~EXT2_RO_COMPAT_KNOWN)) {
		pr_warn("ext2 %s: unknown read-only features 0x%x: read-only",
			bd->name,
			raw.s_feature_ro_compat & ~EXT2_RO_COMPAT_KNOWN);
		fs->rdonly = true;
	}
	/* The cached superblock: block 1 of a 1 KiB filesystem, else the
	 * second KiB of block 0. */
	sb_blk = fs->bsize == 1024 ? 1 : 0;
	fs->sb_buf = bcache_read(bd, sb_blk, fs->bsize);
	if (IS_ERR(fs->sb_buf)) {
		err = (int)PTR_ERR(fs->sb_buf);
		fs->sb_buf = NULL;
		goto err_free;
	}
	fs->es = (struct ext2_super *)(fs->sb_buf->data +
				       (fs->bsize == 1024 ? 0 : 1024));
	fs->gd_bufs = kzalloc(fs->gdt_blocks * sizeof(*fs->gd_bufs));
	err = -ENOMEM;
	if (!fs->gd_bufs)
		goto err_free;
	for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
		struct bbuf *b = bcache_read(bd, fs->first_data_block + 1 + i,
					     fs->bsize);

		if (IS_ERR(b)) {
			err = (int)PTR_ERR(b);
			goto err_free;
		}
		fs->gd_bufs[i] = b;
	}
	err = check_groups(fs);
	if (err < 0)
		goto err_free;
	if (!(fs->es->s_state & EXT2_VALID_FS))
		pr_warn("ext2 %s: mounting a filesystem not cleanly unmounted; "
			"run e2fsck",
			bd->name);
	sb = sb_alloc("ext2", EXT2_SUPER_MAGIC);
	err = -ENOMEM;
	if (!sb)
		goto err_free;
	sb->dev = bd->rdev;
	sb->priv = fs;
	sb->ops = &ext2_sops;
	fs->sb = sb;
	err = ext2_iget(fs, EXT2_ROOT_INO, &root);
	if (err == 0 && !S_ISDIR(root->mode)) {
		uint32_t mode = root->mode;

		inode_put(root);
		err = ext2_corrupt(fs, "root is not a directory", mode);
	}
	if (err < 0)
		goto err_sb;
	d = dentry_alloc_root(root);
	if (!d) {
		inode_put(root);
		err = -ENOMEM;
		goto err_sb;
	}
	if (!fs->rdonly) {
		fs->es->s_mnt_count++;
		fs->es->s_mtime = now_sec();
		if (set_state(fs, false) < 0)
			pr_warn("ext2 %s: cannot write the superblock",
				bd->name);
	}
	return d;
err_sb:
	kfree(sb);
err_free:
	fs_free(fs);
	return ERR_PTR(err);
}
