/* struct sysinfo as sysinfo(2) fills it on x86_64. */
#ifndef UAPI_SYSINFO_H
#define UAPI_SYSINFO_H

#include <stdint.h>

struct sysinfo {
	int64_t uptime;	   /* seconds since boot */
	uint64_t loads[3]; /* 1, 5, 15 minute load averages << 16 */
	uint64_t totalram; /* in mem_unit units */
	uint64_t freeram;
	uint64_t sharedram;
	uint64_t bufferram;
	uint64_t totalswap;
	uint64_t freeswap;
	uint16_t procs; /* number of current threads */
	uint16_t pad;
	uint64_t totalhigh;
	uint64_t freehigh;
	uint32_t mem_unit;
	char reserved[4]; /* x86_64 pads the struct to 112 bytes */
};

_Static_assert(sizeof(struct sysinfo) == 112, "sysinfo size");
_Static_assert(__builtin_offsetof(struct sysinfo, procs) == 80,
	       "sysinfo.procs offset");
_Static_assert(__builtin_offsetof(struct sysinfo, totalhigh) == 88,
	       "sysinfo.totalhigh offset");
_Static_assert(__builtin_offsetof(struct sysinfo, mem_unit) == 104,
	       "sysinfo.mem_unit offset");

#endif
