/*
 * stats: the core's resource counts in one line, for leak checks. A HAL
 * prints it at halt when asked (hosted: `ember run --stats`), tests
 * compare it before and after a guest runs.
 */
#ifndef KERN_STATS_H
#define KERN_STATS_H

#include <kern/types.h>

/* Physical frames in use (heap, page tables, user pages, file data). */
size_t kern_frames_used(void);

/*
 * Writes "frames_used=N kmalloc_bytes=M" (no newline) into buf: frames
 * in use and bytes of live kmalloc allocations. Returns the length of the
 * whole line, like ksnprintf (the line is cut to fit len). Never blocks;
 * callable at any time after pmm_init.
 */
int kern_stats(char *buf, size_t len);

#endif
