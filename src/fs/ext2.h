/*
 * ext2.h: the on-disk format of the second extended filesystem (as the
 * ext2 documentation describes it: superblock at byte 1024, block groups
 * with bitmaps and inode tables, 15 block pointers per inode) and what
 * the ext2_*.c files share. Everything is little-endian, as both HALs'
 * machines are; every value read from the disk is checked before use.
 */
#ifndef FS_EXT2_H
#define FS_EXT2_H

#include <kern/blkdev.h>

#include "internal.h"

#define EXT2_MAGIC 0xef53
#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDIR 12
#define EXT2_IND 12
#define EXT2_DIND 13
#define EXT2_TIND 14
#define EXT2_NBLOCKS 15
#define EXT2_VALID_FS 1
#define EXT2_ERROR_FS 2
#define EXT2_FAST_LINK_MAX 60 /* bytes of i_block */

/* Features this driver knows. */
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_INCOMPAT_KNOWN EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_KNOWN                                                   \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |                                 \
	 EXT2_FEATURE_RO_COMPAT_LARGE_FILE)
#define EXT2_INDEX_FL 0x1000 /* hashed directory (read as linear) */

/* Directory entry file types (with the filetype feature). */
enum { FT_UNKNOWN, FT_REG, FT_DIR, FT_CHR, FT_BLK, FT_FIFO, FT_SOCK, FT_LNK };

struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* revision 1 */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algo_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_rest[1024 - 208];
};
_Static_assert(sizeof(struct ext2_super) == 1024, "ext2 superblock");
_Static_assert(offsetof(struct ext2_super, s_magic) == 56, "s_magic");
_Static_assert(offsetof(struct ext2_super, s_first_ino) == 84, "s_first_ino");
_Static_assert(offsetof(struct ext2_super, s_feature_ro_compat) == 100,
	       "s_feature_ro_compat");
_Static_assert(offsetof(struct ext2_super, s_last_mounted) == 136,
	       "s_last_mounted");

struct ext2_gd {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint32_t bg_reserved[3];
};
_Static_assert(sizeof(struct ext2_gd) == 32, "ext2 group descriptor");

struct ext2_dinode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks;
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_NBLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high;
	uint32_t i_faddr;
	uint8_t i_frag, i_fsize;
	uint16_t i_pad;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint32_t i_reserved;
	/* large inodes (s_inode_size > 128) */
	uint16_t i_extra_isize;
	uint16_t i_checksum_hi;
	uint32_t i_ctime_extra;
	uint32_t i_mtime_extra;
	uint32_t i_atime_extra;
};
_Static_assert(offsetof(struct ext2_dinode, i_block) == 40, "i_block");
_Static_assert(offsetof(struct ext2_dinode, i_file_acl) == 104, "i_file_acl");
_Static_assert(offsetof(struct ext2_dinode, i_uid_high) == 120, "i_uid_high");
_Static_assert(offsetof(struct ext2_dinode, i_extra_isize) == 128,
	       "i_extra_isize");
_Static_assert(sizeof(struct ext2_dinode) == 144, "ext2 inode prefix");

struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type; /* high byte of name_len without filetype */
	char name[];
};
#define EXT2_DIRENT_LEN(namelen) (((namelen) + 8 + 3) & ~3u)

/* One mounted filesystem. */
struct ext2_fs {
	struct super_block *sb;
	struct blkdev *dev;
	unsigned bsize;
	uint32_t blocks_count, inodes_count, first_data_block;
	uint32_t bpg, ipg; /* blocks / inodes per group */
	uint32_t ngroups, gdt_blocks, itable_blocks;
	uint32_t first_ino;
	unsigned inode_size;
	bool filetype; /* dirents carry file types */
	bool rdonly;
	bool large_file;
	struct bbuf *sb_buf; /* pinned: holds the superblock */
	struct ext2_super *es;
	struct bbuf **gd_bufs;	 /* pinned group descriptor blocks */
	struct list_head icache; /* live inodes (ext2_inode_info.link) */
	uint64_t max_size;
	uint32_t dir_goal_group;
};

/* What an in-memory ext2 inode carries besides the VFS fields. */
struct ext2_inode_info {
	struct list_head link;
	struct inode *vfs;
	uint32_t i_block[EXT2_NBLOCKS];
	uint32_t flags;
	uint32_t file_acl;
	uint32_t goal; /* next block to try when the file grows */
};

static inline struct ext2_fs *ext2_fs_of(struct inode *ino)
{
	return ino->sb->priv;
}

static inline struct ext2_inode_info *ext2_info(struct inode *ino)
{
	return ino->priv;
}

/* A symlink whose text lives in i_block (no data block of its own). */
static inline bool ext2_fast_symlink(struct inode *ino)
{
	uint64_t ea = ext2_info(ino)->file_acl ? ext2_fs_of(ino)->bsize / 512 :
						 0;

	return S_ISLNK(ino->mode) && ino->blocks == ea;
}

/* ---- ext2_super.c: groups, bitmaps, counters ---- */
struct ext2_gd *ext2_gd(struct ext2_fs *fs, uint32_t group);
void ext2_gd_dirty(struct ext2_fs *fs, uint32_t group);
void ext2_sb_dirty(struct ext2_fs *fs);
/* Is blk a block number data may live in? */
bool ext2_block_ok(struct ext2_fs *fs, uint32_t blk);
/* A free block near goal (0: anywhere), marked used: its number, or
 * -ENOSPC / -EIO / -EUCLEAN. */
long ext2_alloc_block(struct ext2_fs *fs, uint32_t goal);
void ext2_free_block(struct ext2_fs *fs, uint32_t blk);
/* A free inode for a new file (dir: spread directories over groups). */
long ext2_alloc_inode(struct ext2_fs *fs, uint32_t parent_ino, bool dir);
void ext2_free_inode(struct ext2_fs *fs, uint32_t ino, bool dir);
/* Marks the filesystem damaged and returns -EUCLEAN (logs what). */
int ext2_corrupt(struct ext2_fs *fs, const char *what, uint64_t val);

/* ---- ext2_inode.c ---- */
extern const struct inode_ops ext2_iops;
extern const struct file_ops ext2_file_ops, ext2_dir_ops;
/* The live inode ino (from the cache or the disk), referenced. */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct inode **out);
/* A new inode of mode, owned by the caller, in the group of dir. */
int ext2_new_inode(struct inode *dir, uint32_t mode, struct inode **out);
/* Writes the VFS fields and block map of ino into its inode table slot. */
int ext2_write_inode(struct inode *ino);
/* Physical block of file block lblk; 0 for a hole unless alloc. *fresh
 * tells that it was allocated now (its contents are garbage). */
long ext2_bmap(struct inode *ino, uint64_t lblk, bool alloc, bool *fresh);
/* Frees every block past size and sets the size. */
int ext2_truncate(struct inode *ino, uint64_t size);
void ext2_evict(struct inode *ino);
uint8_t ext2_ftype(uint32_t mode);
void ext2_touch(struct inode *ino, bool m, bool c);

/* ---- ext2_dir.c ---- */
int ext2_lookup(struct inode *dir, const char *name, struct inode **out);
int ext2_dir_add(struct inode *dir, const char *name, struct inode *ino);
/* Builds "." and ".." in the first block of a new directory. */
int ext2_dir_init(struct inode *dir, uint32_t parent);
long ext2_readdir(struct file *f, void *buf, size_t len);
int ext2_create(struct inode *dir, const char *name, uint32_t mode,
		uint64_t rdev, struct inode **out);
int ext2_mkdir(struct inode *dir, const char *name, uint32_t mode);
int ext2_unlink(struct inode *dir, const char *name);
int ext2_rmdir(struct inode *dir, const char *name);
int ext2_symlink(struct inode *dir, const char *name, const char *target);
int ext2_link(struct inode *old, struct inode *dir, const char *name);
int ext2_rename(struct inode *olddir, const char *oldname, struct inode *newdir,
		const char *newname, unsigned flags);

/* ---- ext2_file.c ---- */
long ext2_readlink(struct inode *ino, char *buf, size_t len);
int ext2_setattr(struct inode *ino, const struct iattr *a);

/* ---- for mount.c ---- */
struct dentry *ext2_mount(const char *source, unsigned long flags,
			  const void *data);
/* Is sb an ext2 filesystem mounted read-only (asked for, or forced by a
 * read-only disk or unknown read-only features)? */
bool ext2_sb_rdonly(struct super_block *sb);

#endif
