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

/* With "stats" on the command line: remembers the counts now (kmain calls
 * it just before the first process is made) so kern_halt can print them
 * beside the counts at the end. */
void kern_stats_boot(void);

/*
 * Ends the run with status (init's exit status, or a boot failure's):
 * after kern_stats_boot, first logs "stats: boot <kern_stats> end
 * <kern_stats>" through hal_log (whatever the log level), then hal_halt.
 * Called when init has released its memory, files and address space;
 * what is left in "end" beyond "boot" is init's task record and caches.
 */
__attribute__((noreturn)) void kern_halt(int status);

#endif
