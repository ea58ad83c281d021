/*
 * elf.c: checks an ELF64 x86_64 executable's header and program headers
 * (layer: proc, the parsing half of exec; relies only on klib). Every
 * sum of file-controlled numbers is overflow-checked: this is the first
 * code to read untrusted bytes of a program.
 */
#include <kern/elf.h>
#include <kern/klib.h>
#include <kern/vm.h>
#include <uapi/elf.h>
#include <uapi/errno.h>

/* More program headers than this is not a program a linker made. */
#define ELF_MAX_PHNUM 64

static int reject(const char **why, const char *reason)
{
	*why = reason;
	return -ENOEXEC;
}

static unsigned seg_prot(uint32_t flags)
{
	unsigned prot = 0;

	if (flags & PF_R)
		prot |= VM_READ;
	if (flags & PF_W)
		prot |= VM_WRITE;
	if (flags & PF_X)
		prot |= VM_EXEC;
	return prot;
}

static const char *check_ehdr(const struct elf64_ehdr *eh)
{
	if (eh->e_ident[EI_CLASS] == ELFCLASS32)
		return "32-bit ELF";
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return "bad ELF class";
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return "not a little-endian ELF";
	if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return "bad ELF version";
	if (eh->e_machine != EM_X86_64)
		return "not an x86-64 ELF";
	if (eh->e_type == ET_REL)
		return "relocatable object, not an executable";
	if (eh->e_type == ET_CORE)
		return "core file, not an executable";
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return "not an executable ELF type";
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return "bad program header size";
	if (eh->e_phnum == 0)
		return "no program headers";
	if (eh->e_phnum > ELF_MAX_PHNUM)
		return "too many program headers";
	return NULL;
}

/*
 * Where segments may land: ET_EXEC at its own addresses inside the user
 * range; ET_DYN is moved to ELF_DYN_BASE, so only its span must fit.
 */
static const char *check_load(const struct elf64_phdr *ph, uint64_t file_size,
			      bool is_dyn)
{
	uint64_t end, fend;

	if (ph->p_filesz > ph->p_memsz)
		return "segment file size larger than memory size";
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &fend) ||
	    fend > file_size)
		return "segment data outside the file";
	if ((ph->p_vaddr & (PAGE_SIZE - 1)) != (ph->p_offset & (PAGE_SIZE - 1)))
		return "segment address and offset not congruent";
	if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
	    end > UINT64_MAX - PAGE_SIZE)
		return "segment address overflow";
	if (is_dyn) {
		if (PAGE_UP(end) > HAL_USER_VA_END - ELF_DYN_BASE)
			return "segment outside the user address range";
	} else if (PAGE_DOWN(ph->p_vaddr) < HAL_USER_VA_START ||
		   PAGE_UP(end) > HAL_USER_VA_END) {
		return "segment outside the user address range";
	}
	return NULL;
}

int elf_parse(const void *buf, size_t len, uint64_t file_size,
	      struct elf_info *info, const char **why)
{
	struct elf64_ehdr ehdr, *eh = &ehdr;
	struct elf64_phdr phdr, *ph = &phdr;
	uint64_t phsize, phend, prev_end = 0;
	const char *bad;
	bool entry_ok = false;

	memset(info, 0, sizeof(*info));
	if (len > file_size)
		len = file_size;
	if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return reject(why, "not an ELF file");
	if (len < sizeof(*eh))
		return reject(why, "truncated ELF header");
	/* Copies: buf need not be aligned for the structs. */
	memcpy(eh, buf, sizeof(*eh));
	bad = check_ehdr(eh);
	if (bad)
		return reject(why, bad);

	phsize = (uint64_t)eh->e_phnum * sizeof(*ph);
	if (__builtin_add_overflow(eh->e_phoff, phsize, &phend) ||
	    phend > file_size)
		return reject(why, "program headers outside the file");
	if (phend > len)
		return reject(why, "program headers not in the buffer");

	info->is_dyn = eh->e_type == ET_DYN;
	info->entry = eh->e_entry;
	info->phoff = eh->e_phoff;
	info->phnum = eh->e_phnum;
	info->phentsize = eh->e_phentsize;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		memcpy(ph, (const char *)buf + eh->e_phoff + i * sizeof(*ph),
		       sizeof(*ph));
		switch (ph->p_type) {
		case PT_INTERP:
			if (info->has_interp)
				return reject(why, "two PT_INTERP headers");
			if (ph->p_filesz < 2 || ph->p_filesz > 4096 ||
			    ph->p_offset > file_size ||
			    ph->p_filesz > file_size - ph->p_offset)
				return reject(why, "bad PT_INTERP");
			info->has_interp = true;
			info->interp_off = ph->p_offset;
			info->interp_len = ph->p_filesz;
			continue;
		case PT_PHDR:
			info->phdr_vaddr = ph->p_vaddr;
			continue;
		case PT_GNU_STACK:
			info->exec_stack = (ph->p_flags & PF_X) != 0;
			continue;
		case PT_LOAD:
			break;
		default:
			continue;
		}
		/* An empty PT_LOAD maps nothing (as Linux skips it). */
		if (ph->p_memsz == 0)
			continue;
		bad = check_load(ph, file_size, info->is_dyn);
		if (bad)
			return reject(why, bad);
		if (info->nsegs == ELF_MAX_SEGS)
			return reject(why, "too many loadable segments");
		/* The gABI requires ascending p_vaddr; pages may be shared
		 * (exec merges them) but bytes may not overlap. */
		if (info->nsegs > 0 && ph->p_vaddr < prev_end)
			return reject(why, "overlapping or unsorted segments");
		prev_end = ph->p_vaddr + ph->p_memsz;

		struct elf_seg *s = &info->segs[info->nsegs++];
		s->vaddr = ph->p_vaddr;
		s->memsz = ph->p_memsz;
		s->filesz = ph->p_filesz;
		s->offset = ph->p_offset;
		s->prot = seg_prot(ph->p_flags);
		if ((s->prot & VM_EXEC) && eh->e_entry >= s->vaddr &&
		    eh->e_entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (info->nsegs == 0)
		return reject(why, "no loadable segments");
	if (!entry_ok)
		return reject(why,
			      "entry point outside the executable segments");

	info->lo = PAGE_DOWN(info->segs[0].vaddr);
	info->hi = PAGE_UP(prev_end);
	if (!info->phdr_vaddr) {
		/* No PT_PHDR: find the segment that maps the headers. */
		for (int i = 0; i < info->nsegs; i++) {
			const struct elf_seg *s = &info->segs[i];

			if (eh->e_phoff >= s->offset &&
			    phend <= s->offset + s->filesz) {
				info->phdr_vaddr =
					s->vaddr + (eh->e_phoff - s->offset);
				break;
			}
		}
	}
	*why = NULL;
	return 0;
}
