/*
 * Physical memory of the hosted kernel: one memfd, mapped whole into the
 * kernel process (the "direct map") and, range by range, into the stubs.
 * Frames are offsets in the memfd; the file is sparse, so untouched frames
 * cost nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hosted.h"

int phys_memfd = -1;
static uint8_t *phys_base;
static uint64_t phys_bytes;

int phys_init(uint64_t bytes)
{
	phys_memfd = memfd_create("ember-phys", MFD_CLOEXEC);
	if (phys_memfd < 0)
		return -errno;
	if (ftruncate(phys_memfd, (off_t)bytes) < 0)
		return -errno;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_NORESERVE, phys_memfd, 0);
	if (p == MAP_FAILED)
		return -errno;
	phys_base = p;
	phys_bytes = bytes;
	return 0;
}

void *hal_phys_to_virt(uint64_t pa)
{
	if (pa >= phys_bytes) {
		fprintf(stderr, "ember: hal_phys_to_virt(%#llx) out of range\n",
			(unsigned long long)pa);
		abort();
	}
	return phys_base + pa;
}
