/*
 * blk.c: the hosted HAL's block devices: each `--disk FILE[,ro]` is a host
 * file (or block device) opened once at start-up, read and written with
 * pread/pwrite and made durable with fdatasync. A file that cannot be
 * opened for writing is attached read-only.
 * Layer: hosted HAL; implements the block section of include/hal.h.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hosted.h"

#define MAX_DISKS 16

struct disk {
	int fd;
	uint64_t sectors;
	bool read_only;
};

static struct disk disks[MAX_DISKS];
static int ndisks;

int blk_add_disk(const char *spec)
{
	char *path = strdup(spec);
	bool ro = false;
	struct stat st;
	uint64_t bytes;
	size_t n;
	int fd;

	if (!path)
		return -ENOMEM;
	n = strlen(path);
	if (n > 3 && strcmp(path + n - 3, ",ro") == 0) {
		path[n - 3] = 0;
		ro = true;
	}
	if (ndisks == MAX_DISKS) {
		free(path);
		return -ENOSPC;
	}
	fd = ro ? -1 : open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && !ro && errno != EACCES && errno != EROFS &&
	    errno != EPERM) {
		int err = -errno;

		free(path);
		return err;
	}
	if (fd < 0) {
		ro = true;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	free(path);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		goto err_close;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
			goto err_close;
	} else if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
	} else {
		errno = EINVAL;
		goto err_close;
	}
	disks[ndisks].fd = fd;
	disks[ndisks].sectors = bytes / HAL_BLK_SECTOR;
	disks[ndisks].read_only = ro;
	ndisks++;
	return 0;
err_close : {
	int err = -errno;

	close(fd);
	return err;
}
}

static struct disk *disk_get(int disk)
{
	return disk >= 0 && disk < ndisks ? &disks[disk] : NULL;
}

int hal_blk_count(void)
{
	return ndisks;
}

int hal_blk_info(int disk, uint64_t *sectors, bool *read_only)
{
	struct disk *d = disk_get(disk);

	if (!d)
		return -ENODEV;
	*sectors = d->sectors;
	*read_only = d->read_only;
	return 0;
}

static int check_range(struct disk *d, uint64_t sector, size_t count)
{
	if (sector > d->sectors || count > d->sectors - sector)
		return -EINVAL;
	return 0;
}

int hal_blk_read(int disk, uint64_t sector, void *buf, size_t count)
{
	struct disk *d = disk_get(disk);
	size_t len = count * HAL_BLK_SECTOR, done = 0;
	int err;

	if (!d)
		return -ENODEV;
	if ((err = check_range(d, sector, count)) < 0)
		return err;
	while (done < len) {
		ssize_t n = pread(d->fd, (char *)buf + done, len - done,
				  (off_t)(sector * HAL_BLK_SECTOR + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

int hal_blk_write(int disk, uint64_t sector, const void *buf, size_t count)
{
	struct disk *d = disk_get(disk);
	size_t len = count * HAL_BLK_SECTOR, done = 0;
	int err;

	if (!d)
		return -ENODEV;
	if (d->read_only)
		return -EROFS;
	if ((err = check_range(d, sector, count)) < 0)
		return err;
	while (done < len) {
		ssize_t n = pwrite(d->fd, (const char *)buf + done, len - done,
				   (off_t)(sector * HAL_BLK_SECTOR + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

int hal_blk_flush(int disk)
{
	struct disk *d = disk_get(disk);

	if (!d)
		return -ENODEV;
	if (d->read_only)
		return 0;
	return fdatasync(d->fd) < 0 ? -EIO : 0;
}
