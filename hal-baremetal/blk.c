/*
 * blk.c: the bare-metal HAL's block devices. Until PCI and virtio-blk land,
 * this platform has no disks: hal_blk_count() is 0.
 * Layer: bare-metal HAL; implements the block section of include/hal.h.
 */
#include <hal.h>
#include <uapi/errno.h>

int hal_blk_count(void)
{
	return 0;
}

int hal_blk_info(int disk, uint64_t *sectors, bool *read_only)
{
	(void)disk, (void)sectors, (void)read_only;
	return -ENODEV;
}

int hal_blk_read(int disk, uint64_t sector, void *buf, size_t count)
{
	(void)disk, (void)sector, (void)buf, (void)count;
	return -ENODEV;
}

int hal_blk_write(int disk, uint64_t sector, const void *buf, size_t count)
{
	(void)disk, (void)sector, (void)buf, (void)count;
	return -ENODEV;
}

int hal_blk_flush(int disk)
{
	(void)disk;
	return -ENODEV;
}
