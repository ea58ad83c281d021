/*
 * initramfs.c: unpacks a cpio "newc" archive (the boot module) into the
 * root filesystem (layer: VFS client; relies only on the path-based VFS
 * calls: vfs_mkdirat, vfs_openat + vfs_write, vfs_symlinkat, vfs_mknodat,
 * vfs_linkat, and inode setattr for owners, modes and times). It runs in
 * vfs_init before any task exists, so paths resolve from the global root
 * as root. Several archives may follow each other, NUL-padded, as Linux
 * allows; compressed archives are refused.
 */
#include <uapi/stat.h>

#include "internal.h"

#define NEWC_HDR_LEN 110
#define NEWC_FIELDS 13

enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
};

/* A regular file with more links to come: later entries with the same
 * inode become hard links to it. */
struct link_seen {
	struct link_seen *next;
	uint32_t ino, major, minor;
	char path[];
};

/* Directory times are set last: adding children changes them. */
struct dir_time {
	struct dir_time *next;
	int64_t mtime;
	char path[];
};

struct unpack {
	struct link_seen *links;
	struct dir_time *dirs;
	char path[PATH_MAX];
};

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

static bool parse_header(const char *h, uint32_t f[NEWC_FIELDS])
{
	if (memcmp(h, "070701", 6) != 0 && memcmp(h, "070702", 6) != 0)
		return false;
	for (int i = 0; i < NEWC_FIELDS; i++) {
		uint32_t v = 0;

		for (int k = 0; k < 8; k++) {
			char c = h[6 + i * 8 + k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (uint32_t)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (uint32_t)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (uint32_t)(c - 'A' + 10);
			else
				return false;
		}
		f[i] = v;
	}
	return true;
}

static void free_links(struct unpack *u)
{
	while (u->links) {
		struct link_seen *l = u->links;

		u->links = l->next;
		kfree(l);
	}
}

/* Sets what creation could not: the exact mode (no umask), owners and
 * times. Symlinks keep their mode. */
static void set_attrs(const char *path, const uint32_t f[NEWC_FIELDS])
{
	struct iattr a = {
		.valid = ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME,
		.mode = f[F_MODE] & S_IALLUGO,
		.uid = f[F_UID],
		.gid = f[F_GID],
		.atime = { f[F_MTIME], 0 },
		.mtime = { f[F_MTIME], 0 },
	};
	struct inode *ino;
	struct path p;

	if (vfs_walk(AT_FDCWD, path, 0, &p) < 0)
		return;
	ino = p.dentry->inode;
	if (!S_ISLNK(ino->mode))
		a.valid |= ATTR_MODE;
	if (ino->iops && ino->iops->setattr)
		ino->iops->setattr(ino, &a);
	path_put(&p);
}

static int write_data(const char *path, const char *data, size_t len,
		      uint32_t mode)
{
	struct file *f = vfs_openat(AT_FDCWD, path,
				    O_WRONLY | O_CREAT | O_TRUNC | O_LARGEFILE,
				    mode & S_IALLUGO);
	size_t done = 0;
	long n = 0;

	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	while (done < len) {
		n = vfs_write(f, data + done, len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	file_put(f);
	if (done < len)
		return n < 0 ? (int)n : -EIO;
	return 0;
}

static int make_regular(struct unpack *u, const char *path,
			const uint32_t f[NEWC_FIELDS], const char *data)
{
	struct link_seen *l;
	size_t plen;

	if (f[F_NLINK] >= 2) {
		for (l = u->links; l; l = l->next) {
			if (l->ino == f[F_INO] && l->major == f[F_DEVMAJOR] &&
			    l->minor == f[F_DEVMINOR])
				break;
		}
		if (l) {
			int err = vfs_linkat(AT_FDCWD, l->path, AT_FDCWD, path,
					     0);

			if (err < 0 || f[F_FILESIZE] == 0)
				return err;
			return write_data(path, data, f[F_FILESIZE], f[F_MODE]);
		}
		plen = strlen(path) + 1;
		l = kmalloc(sizeof(*l) + plen);
		if (!l)
			return -ENOMEM;
		l->ino = f[F_INO];
		l->major = f[F_DEVMAJOR];
		l->minor = f[F_DEVMINOR];
		memcpy(l->path, path, plen);
		l->next = u->links;
		u->links = l;
	}
	return write_data(path, data, f[F_FILESIZE], f[F_MODE]);
}

static int make_dir(struct unpack *u, const char *path,
		    const uint32_t f[NEWC_FIELDS])
{
	size_t plen = strlen(path) + 1;
	struct dir_time *d;
	int err = vfs_mkdirat(AT_FDCWD, path, f[F_MODE] & S_IALLUGO);

	if (err < 0 && err != -EEXIST)
		return err;
	d = kmalloc(sizeof(*d) + plen);
	if (d) {
		d->mtime = f[F_MTIME];
		memcpy(d->path, path, plen);
		d->next = u->dirs;
		u->dirs = d;
	}
	return 0;
}

static int make_symlink(const char *path, const uint32_t f[NEWC_FIELDS],
			const char *data)
{
	char *target;
	int err;

	if (f[F_FILESIZE] == 0 || f[F_FILESIZE] >= PATH_MAX)
		return -EINVAL;
	target = kmalloc(f[F_FILESIZE] + 1);
	if (!target)
		return -ENOMEM;
	memcpy(target, data, f[F_FILESIZE]);
	target[f[F_FILESIZE]] = '\0';
	err = vfs_symlinkat(target, AT_FDCWD, path);
	kfree(target);
	return err;
}

static int make_entry(struct unpack *u, const char *name,
		      const uint32_t f[NEWC_FIELDS], const char *data)
{
	uint32_t type = f[F_MODE] & S_IFMT;
	int err;

	while (name[0] == '/' || (name[0] == '.' && name[1] == '/'))
		name += name[0] == '/' ? 1 : 2;
	if (!name[0] || strcmp(name, ".") == 0)
		return 0; /* the root itself */
	if (ksnprintf(u->path, sizeof(u->path), "/%s", name) >=
	    (int)sizeof(u->path))
		return -ENAMETOOLONG;

	switch (type) {
	case S_IFREG:
		err = make_regular(u, u->path, f, data);
		break;
	case S_IFDIR:
		err = make_dir(u, u->path, f);
		break;
	case S_IFLNK:
		err = make_symlink(u->path, f, data);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		err = vfs_mknodat(AT_FDCWD, u->path,
				  type | (f[F_MODE] & S_IALLUGO),
				  uapi_makedev(f[F_RDEVMAJOR], f[F_RDEVMINOR]));
		break;
	default:
		return -EINVAL;
	}
	if (err == 0)
		set_attrs(u->path, f);
	return err;
}

int initramfs_unpack(const void *archive, size_t len)
{
	const char *buf = archive;
	struct unpack *u = kzalloc(sizeof(*u));
	uint32_t f[NEWC_FIELDS];
	size_t off = 0;
	int err = 0, files = 0;

	if (!u)
		return -ENOMEM;
	while (off < len) {
		size_t name_off, data_off;
		const char *name;

		/* Padding between concatenated archives. */
		if (buf[off] == '\0') {
			off++;
			continue;
		}
		if (len - off >= 2 && (uint8_t)buf[off] == 0x1f &&
		    (uint8_t)buf[off + 1] == 0x8b) {
			pr_err("initramfs: compressed archives are not "
			       "supported");
			err = -EINVAL;
			break;
		}
		if (len - off < NEWC_HDR_LEN || !parse_header(buf + off, f)) {
			pr_err("initramfs: bad cpio header at offset %zu", off);
			err = -EINVAL;
			break;
		}
		name_off = off + NEWC_HDR_LEN;
		name = buf + name_off;
		if (f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > len - name_off ||
		    name[f[F_NAMESIZE] - 1] != '\0') {
			pr_err("initramfs: bad name at offset %zu", off);
			err = -EINVAL;
			break;
		}
		data_off = align4(name_off + f[F_NAMESIZE]);
		if (data_off > len || f[F_FILESIZE] > len - data_off) {
			pr_err("initramfs: %s: truncated archive", name);
			err = -EINVAL;
			break;
		}
		off = align4(data_off + f[F_FILESIZE]);
		if (strcmp(name, "TRAILER!!!") == 0) {
			/* Inode numbers are per archive. */
			free_links(u);
			continue;
		}
		int r = make_entry(u, name, f, buf + data_off);
		if (r < 0)
			pr_warn("initramfs: cannot create /%s: %d", name, r);
		else
			files++;
	}
	while (u->dirs) {
		struct dir_time *d = u->dirs;
		struct path p;

		u->dirs = d->next;
		if (err == 0 && vfs_walk(AT_FDCWD, d->path, 0, &p) == 0) {
			struct inode *ino = p.dentry->inode;
			struct iattr a = { .valid = ATTR_ATIME | ATTR_MTIME,
					   .atime = { d->mtime, 0 },
					   .mtime = { d->mtime, 0 } };

			if (ino->iops && ino->iops->setattr)
				ino->iops->setattr(ino, &a);
			path_put(&p);
		}
		kfree(d);
	}
	free_links(u);
	kfree(u);
	if (err == 0)
		pr_info("initramfs: %d entries unpacked", files);
	return err;
}
