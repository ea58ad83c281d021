/*
 * ext2_file.c: ext2 file contents and attributes: read and write through
 * the block map and the block cache (holes read as zeros, blocks are
 * allocated as writes reach them), fsync, symlink text (fast links in
 * i_block, slow ones in a block), setattr (size, mode, owner, times), and
 * the operation tables.
 * Layer: filesystem; relies on ext2_inode.c, ext2_dir.c and the bcache.
 */
#include "ext2.h"

static long ext2_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct inode *vi = f->inode;
	struct ext2_fs *fs = ext2_fs_of(vi);
	uint64_t p = *pos;
	size_t done = 0;
	long err = 0;

	if (p >= vi->size)
		return 0;
	len = (size_t)MIN((uint64_t)len, vi->size - p);
	while (done < len) {
		unsigned off = (unsigned)(p % fs->bsize);
		size_t chunk = MIN(len - done, (size_t)(fs->bsize - off));
		long blk = ext2_bmap(vi, p / fs->bsize, false, NULL);
		struct bbuf *b;

		if (blk < 0) {
			err = blk;
			break;
		}
		if (blk == 0) {
			memset((char *)buf + done, 0, chunk);
		} else {
			b = bcache_read(fs->dev, (uint64_t)blk, fs->bsize);
			if (IS_ERR(b)) {
				err = PTR_ERR(b);
				break;
			}
			memcpy((char *)buf + done, b->data + off, chunk);
			bcache_put(b);
		}
		done += chunk;
		p += chunk;
	}
	/* A short count moves the position, so the next read reports the
	 * error instead of the same bytes again. */
	if (done == 0)
		return err;
	*pos = p;
	return (long)done;
}

static long ext2_write(struct file *f, const void *buf, size_t len,
		       uint64_t *pos)
{
	struct inode *vi = f->inode;
	struct ext2_fs *fs = ext2_fs_of(vi);
	uint64_t p = *pos;
	size_t done = 0;
	long err = 0;

	if (fs->rdonly)
		return -EROFS;
	if (p >= fs->max_size)
		return len ? -EFBIG : 0;
	len = (size_t)MIN((uint64_t)len, fs->max_size - p);
	while (done < len) {
		unsigned off = (unsigned)(p % fs->bsize);
		size_t chunk = MIN(len - done, (size_t)(fs->bsize - off));
		bool fresh;
		long blk = ext2_bmap(vi, p / fs->bsize, true, &fresh);
		struct bbuf *b;

		if (blk <= 0) {
			err = blk < 0 ? blk : -EIO;
			break;
		}
		if (fresh || chunk == fs->bsize)
			b = bcache_get_new(fs->dev, (uint64_t)blk, fs->bsize);
		else
			b = bcache_read(fs->dev, (uint64_t)blk, fs->bsize);
		if (IS_ERR(b)) {
			err = PTR_ERR(b);
			break;
		}
		if (fresh && chunk != fs->bsize)
			memset(b->data, 0, fs->bsize);
		memcpy(b->data + off, (const char *)buf + done, chunk);
		bcache_dirty(b);
		bcache_put(b);
		done += chunk;
		p += chunk;
		if (p > vi->size)
			vi->size = p;
	}
	if (done == 0)
		return err;
	*pos = p;
	ext2_touch(vi, true, true);
	ext2_write_inode(vi);
	/* O_SYNC and O_DSYNC: durable before the write returns. */
	if ((f->flags & O_DSYNC) && bcache_sync(fs->dev, true) < 0)
		return -EIO;
	return (long)done;
}

static int ext2_fsync(struct file *f)
{
	struct ext2_fs *fs = ext2_fs_of(f->inode);

	/* One device, one cache: syncing it all is what makes this file's
	 * data and metadata durable. */
	if (fs->rdonly)
		return 0;
	return bcache_sync(fs->dev, true) < 0 ? -EIO : 0;
}

const struct file_ops ext2_file_ops = {
	.read = ext2_read,
	.write = ext2_write,
	.fsync = ext2_fsync,
};

const struct file_ops ext2_dir_ops = {
	.readdir = ext2_readdir,
	.fsync = ext2_fsync,
};

long ext2_readlink(struct inode *vi, char *buf, size_t len)
{
	struct ext2_fs *fs = ext2_fs_of(vi);
	size_t n;

	if (!S_ISLNK(vi->mode))
		return -EINVAL;
	if (ext2_fast_symlink(vi)) {
		if (vi->size >= EXT2_FAST_LINK_MAX)
			return ext2_corrupt(fs, "fast symlink too long",
					    vi->ino);
		n = (size_t)MIN((uint64_t)len, vi->size);
		memcpy(buf, ext2_info(vi)->i_block, n);
		return (long)n;
	}
	if (vi->size >= fs->bsize)
		return ext2_corrupt(fs, "symlink too long", vi->ino);
	long blk = ext2_bmap(vi, 0, false, NULL);
	struct bbuf *b;

	if (blk <= 0)
		return blk < 0 ? blk :
				 ext2_corrupt(fs, "symlink hole", vi->ino);
	b = bcache_read(fs->dev, (uint64_t)blk, fs->bsize);
	if (IS_ERR(b))
		return PTR_ERR(b);
	n = (size_t)MIN((uint64_t)len, vi->size);
	memcpy(buf, b->data, n);
	bcache_put(b);
	return (long)n;
}

int ext2_setattr(struct inode *vi, const struct iattr *a)
{
	int err;

	if (ext2_fs_of(vi)->rdonly)
		return -EROFS;
	if (a->valid & ATTR_SIZE) {
		if (!S_ISREG(vi->mode))
			return S_ISDIR(vi->mode) ? -EISDIR : -EINVAL;
		if (a->size != vi->size) {
			err = ext2_truncate(vi, a->size);
			if (err < 0)
				return err;
		}
		ext2_touch(vi, true, false);
	}
	if (a->valid & ATTR_MODE)
		vi->mode = (vi->mode & S_IFMT) | (a->mode & S_IALLUGO);
	if (a->valid & ATTR_UID)
		vi->uid = a->uid;
	if (a->valid & ATTR_GID)
		vi->gid = a->gid;
	if (a->valid & ATTR_ATIME)
		vi->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		vi->mtime = a->mtime;
	ext2_touch(vi, false, true);
	return ext2_write_inode(vi);
}

const struct inode_ops ext2_iops = {
	.lookup = ext2_lookup,
	.create = ext2_create,
	.mkdir = ext2_mkdir,
	.unlink = ext2_unlink,
	.rmdir = ext2_rmdir,
	.symlink = ext2_symlink,
	.link = ext2_link,
	.rename = ext2_rename,
	.readlink = ext2_readlink,
	.setattr = ext2_setattr,
	.evict = ext2_evict,
};
