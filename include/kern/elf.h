/*
 * elf: the ELF64 x86_64 loader's parsing half. elf_parse checks a header and
 * program headers copied into kernel memory and describes the image; the
 * exec code (src/proc/exec.c) maps it. Pure functions: unit-testable and
 * fuzzable without an address space.
 */
#ifndef KERN_ELF_H
#define KERN_ELF_H

#include <kern/types.h>

#define ELF_MAX_SEGS 16

/* Where an ET_DYN (static-pie) image's lowest segment is loaded. */
#define ELF_DYN_BASE 0x555555554000ULL

struct elf_seg {
	uint64_t vaddr, memsz, filesz, offset; /* as in the program header */
	unsigned prot;                         /* VM_READ | VM_WRITE | VM_EXEC */
};

struct elf_info {
	bool is_dyn;            /* ET_DYN (static-pie): loaded at a base */
	uint64_t entry;         /* e_entry (add the load base for ET_DYN) */
	uint64_t phoff;         /* e_phoff */
	uint16_t phnum, phentsize;
	uint64_t phdr_vaddr;    /* PT_PHDR vaddr, or computed from a PT_LOAD; 0 if none */
	uint64_t lo, hi;        /* page-aligned span of all PT_LOADs */
	int nsegs;
	struct elf_seg segs[ELF_MAX_SEGS];
	bool exec_stack;        /* PT_GNU_STACK with PF_X */
	bool has_interp;        /* PT_INTERP present: a dynamic executable */
	uint64_t interp_off;    /* PT_INTERP: the interpreter path in the file */
	uint64_t interp_len;    /* its length with the NUL (2..PATH_MAX) */
};

/*
 * Checks an ELF image: buf holds the first len bytes of a file of
 * file_size bytes (at least the ELF header and the program headers, when
 * they fit). Returns 0 and fills *info, or -ENOEXEC with *why set to a
 * short static reason ("not an ELF file", "32-bit ELF", ...).
 */
int elf_parse(const void *buf, size_t len, uint64_t file_size,
	      struct elf_info *info, const char **why);

#endif
