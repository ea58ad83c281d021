/*
 * ELF64 file format for x86_64 executables, as elf(5) and the System V
 * gABI / x86_64 psABI describe it.
 */
#ifndef UAPI_ELF_H
#define UAPI_ELF_H

#include <stdint.h>

#define EI_NIDENT 16
#define EI_MAG0 0
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_OSABI 7

#define ELFMAG "\177ELF"
#define SELFMAG 4
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define EV_CURRENT 1

#define ET_NONE 0
#define ET_REL 1
#define ET_EXEC 2
#define ET_DYN 3
#define ET_CORE 4

#define EM_386 3
#define EM_X86_64 62

#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_SHLIB 5
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_EH_FRAME 0x6474e550
#define PT_GNU_STACK 0x6474e551
#define PT_GNU_RELRO 0x6474e552
#define PT_GNU_PROPERTY 0x6474e553

#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

/* e_phnum value meaning "the count is in section header 0" (unsupported). */
#define PN_XNUM 0xffff

struct elf64_ehdr {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr size");
_Static_assert(__builtin_offsetof(struct elf64_ehdr, e_entry) == 24,
	       "e_entry offset");
_Static_assert(__builtin_offsetof(struct elf64_ehdr, e_phoff) == 32,
	       "e_phoff offset");
_Static_assert(__builtin_offsetof(struct elf64_ehdr, e_phentsize) == 54,
	       "e_phentsize offset");
_Static_assert(__builtin_offsetof(struct elf64_ehdr, e_phnum) == 56,
	       "e_phnum offset");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr size");
_Static_assert(__builtin_offsetof(struct elf64_phdr, p_offset) == 8,
	       "p_offset offset");
_Static_assert(__builtin_offsetof(struct elf64_phdr, p_memsz) == 40,
	       "p_memsz offset");


/* ---- core files (ET_CORE): notes in the PT_NOTE segment ---- */
#define NT_PRSTATUS 1
#define NT_FPREGSET 2
#define NT_PRPSINFO 3
#define NT_AUXV 6

struct elf64_nhdr {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
};

/* x86_64 general registers in a core note, in user_regs_struct order. */
#define ELF_NGREG 27

struct elf_timeval64 {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* NT_PRSTATUS: one per thread. */
struct elf_prstatus64 {
	int32_t si_signo, si_code, si_errno;
	int16_t pr_cursig;
	uint16_t pad0;
	uint64_t pr_sigpend, pr_sighold;
	int32_t pr_pid, pr_ppid, pr_pgrp, pr_sid;
	struct elf_timeval64 pr_utime, pr_stime, pr_cutime, pr_cstime;
	uint64_t pr_reg[ELF_NGREG];
	int32_t pr_fpvalid;
	uint32_t pad1;
};

/* NT_PRPSINFO: one per process. */
struct elf_prpsinfo64 {
	char pr_state, pr_sname, pr_zomb, pr_nice;
	uint32_t pad0;
	uint64_t pr_flag;
	uint32_t pr_uid, pr_gid;
	int32_t pr_pid, pr_ppid, pr_pgrp, pr_sid;
	char pr_fname[16];
	char pr_psargs[80];
};

_Static_assert(sizeof(struct elf64_nhdr) == 12, "Elf64_Nhdr size");
_Static_assert(__builtin_offsetof(struct elf_prstatus64, pr_pid) == 32,
	       "prstatus pr_pid");
_Static_assert(__builtin_offsetof(struct elf_prstatus64, pr_reg) == 112,
	       "prstatus pr_reg");
_Static_assert(sizeof(struct elf_prstatus64) == 336, "prstatus size");
_Static_assert(__builtin_offsetof(struct elf_prpsinfo64, pr_fname) == 40,
	       "prpsinfo pr_fname");
_Static_assert(sizeof(struct elf_prpsinfo64) == 136, "prpsinfo size");

#endif
