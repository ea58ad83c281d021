/*
 * stats.c: the core's resource counts as one line, and the halt that
 * prints them (layer: kern; relies on pmm's frame counts, kmalloc_stats
 * and hal_log/hal_halt). The command line's "stats" turns the line on;
 * the leak tests read the counts directly.
 */
#include <hal.h>
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

static char boot_line[96];
static bool stats_on;

void kern_stats_boot(void)
{
	kern_stats(boot_line, sizeof(boot_line));
	stats_on = true;
}

void kern_halt(int status)
{
	char line[256];
	int n;

	if (stats_on) {
		n = ksnprintf(line, sizeof(line), "stats: boot %s end ",
			      boot_line);
		if (n > 0 && (size_t)n < sizeof(line))
			kern_stats(line + n, sizeof(line) - (size_t)n);
		hal_log(line, strlen(line));
	}
	hal_halt(status);
}
