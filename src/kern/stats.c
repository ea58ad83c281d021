/*
 * stats.c: the core's resource counts as one line (layer: kern; relies on
 * pmm's frame counts and kmalloc_stats). Used at halt by a HAL that is
 * asked for them and by the leak tests.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <kern/stats.h>

size_t kern_frames_used(void)
{
	return pmm_total_frames() - pmm_free_frames();
}

int kern_stats(char *buf, size_t len)
{
	struct kmalloc_stats st;

	kmalloc_stats(&st);
	return ksnprintf(buf, len, "frames_used=%zu kmalloc_bytes=%zu",
			 kern_frames_used(), st.bytes_in_use);
}
