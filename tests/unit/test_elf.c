/*
 * test_elf.c: elf_parse on hand-made ELF headers: good static and
 * static-pie images, and each kind of broken header it must refuse with
 * -ENOEXEC and the reason that names the defect.
 */
#include <string.h>

#include <kern/elf.h>
#include <kern/vm.h>
#include <uapi/elf.h>
#include <uapi/errno.h>

#include "ktest.h"

/* An image: the ELF header, then up to 20 program headers. */
struct img {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[20];
};

static struct img im;
static uint64_t file_size;

static void set_load(int i, uint64_t vaddr, uint64_t off, uint64_t filesz,
		     uint64_t memsz, uint32_t flags)
{
	im.ph[i] = (struct elf64_phdr){
		.p_type = PT_LOAD,
		.p_flags = flags,
		.p_offset = off,
		.p_vaddr = vaddr,
		.p_paddr = vaddr,
		.p_filesz = filesz,
		.p_memsz = memsz,
		.p_align = 0x1000,
	};
}

/* A static ET_EXEC: text at 0x400000 (the headers are in it), data with
 * bss at 0x401200, and a non-executable PT_GNU_STACK. */
static void make_exec(void)
{
	memset(&im, 0, sizeof(im));
	memcpy(im.eh.e_ident, ELFMAG, SELFMAG);
	im.eh.e_ident[EI_CLASS] = ELFCLASS64;
	im.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im.eh.e_ident[EI_VERSION] = EV_CURRENT;
	im.eh.e_type = ET_EXEC;
	im.eh.e_machine = EM_X86_64;
	im.eh.e_version = EV_CURRENT;
	im.eh.e_entry = 0x400100;
	im.eh.e_phoff = sizeof(struct elf64_ehdr);
	im.eh.e_ehsize = sizeof(struct elf64_ehdr);
	im.eh.e_phentsize = sizeof(struct elf64_phdr);
	im.eh.e_phnum = 3;
	set_load(0, 0x400000, 0, 0x200, 0x200, PF_R | PF_X);
	set_load(1, 0x401200, 0x200, 0x10, 0x1000, PF_R | PF_W);
	im.ph[2] = (struct elf64_phdr){ .p_type = PT_GNU_STACK,
					.p_flags = PF_R | PF_W };
	file_size = 0x210;
}

/* The same as a static-pie (ET_DYN linked at 0). */
static void make_dyn(void)
{
	make_exec();
	im.eh.e_type = ET_DYN;
	im.eh.e_entry = 0x100;
	im.ph[0].p_vaddr = 0;
	im.ph[1].p_vaddr = 0x1200;
}

static int parse(const char **why)
{
	struct elf_info info;

	*why = "unset";
	return elf_parse(&im, sizeof(im), file_size, &info, why);
}

/* Parses im and checks the refusal and its reason. */
static void expect_refused(const char *reason)
{
	const char *why;
	int r = parse(&why);

	ck_assert_int_eq(r, -ENOEXEC);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, reason);
}

START_TEST(good_exec)
{
	struct elf_info info;
	const char *why = "unset";

	make_exec();
	ck_assert_int_eq(elf_parse(&im, sizeof(im), file_size, &info, &why), 0);
	ck_assert(!info.is_dyn);
	ck_assert(!info.has_interp);
	ck_assert(!info.exec_stack);
	ck_assert_uint_eq(info.entry, 0x400100);
	ck_assert_uint_eq(info.phnum, 3);
	ck_assert_uint_eq(info.phentsize, 56);
	ck_assert_int_eq(info.nsegs, 2);
	ck_assert_uint_eq(info.lo, 0x400000);
	ck_assert_uint_eq(info.hi, 0x403000);
	/* No PT_PHDR: the headers are found through the text segment. */
	ck_assert_uint_eq(info.phdr_vaddr, 0x400040);
	ck_assert_uint_eq(info.segs[0].prot, VM_READ | VM_EXEC);
	ck_assert_uint_eq(info.segs[1].prot, VM_READ | VM_WRITE);
	ck_assert_uint_eq(info.segs[1].filesz, 0x10);
	ck_assert_uint_eq(info.segs[1].memsz, 0x1000);
	ck_assert_uint_eq(info.segs[1].offset, 0x200);
}
END_TEST

START_TEST(good_dyn)
{
	struct elf_info info;
	const char *why;

	make_dyn();
	ck_assert_int_eq(elf_parse(&im, sizeof(im), file_size, &info, &why), 0);
	ck_assert(info.is_dyn);
	ck_assert_uint_eq(info.entry, 0x100);
	ck_assert_uint_eq(info.lo, 0);
	ck_assert_uint_eq(info.hi, 0x3000);
	ck_assert_uint_eq(info.phdr_vaddr, 0x40);
}
END_TEST

START_TEST(interp_phdr_and_stack_flags)
{
	struct elf_info info;
	const char *why;

	make_exec();
	im.eh.e_phnum = 5;
	im.ph[2].p_flags = PF_R | PF_W | PF_X;
	im.ph[3] = (struct elf64_phdr){ .p_type = PT_INTERP,
					.p_offset = 0x150,
					.p_filesz = 0x10 };
	im.ph[4] =
		(struct elf64_phdr){ .p_type = PT_PHDR, .p_vaddr = 0x400040 };
	ck_assert_int_eq(elf_parse(&im, sizeof(im), file_size, &info, &why), 0);
	ck_assert(info.has_interp);
	ck_assert(info.exec_stack);
	ck_assert_uint_eq(info.phdr_vaddr, 0x400040);
}
END_TEST

START_TEST(shared_page_segments_ok)
{
	struct elf_info info;
	const char *why;

	/* Data starting in the page where text ends is legal. */
	make_exec();
	im.ph[1].p_vaddr = 0x400200;
	ck_assert_int_eq(elf_parse(&im, sizeof(im), file_size, &info, &why), 0);
	ck_assert_uint_eq(info.hi, 0x402000);
}
END_TEST

START_TEST(truncated)
{
	struct elf_info info;
	const char *why;

	make_exec();
	ck_assert_int_eq(elf_parse(&im, 40, 40, &info, &why), -ENOEXEC);
	ck_assert_str_eq(why, "truncated ELF header");
	ck_assert_int_eq(elf_parse(&im, 3, 3, &info, &why), -ENOEXEC);
	ck_assert_str_eq(why, "not an ELF file");
	ck_assert_int_eq(elf_parse(&im, 0, 0, &info, &why), -ENOEXEC);
	ck_assert_str_eq(why, "not an ELF file");
	/* The buffer is fine but the file is shorter than its headers. */
	ck_assert_int_eq(elf_parse(&im, sizeof(im), 100, &info, &why),
			 -ENOEXEC);
	ck_assert_str_eq(why, "program headers outside the file");
}
END_TEST

START_TEST(bad_magic)
{
	make_exec();
	im.eh.e_ident[1] = 'X';
	expect_refused("not an ELF file");
}
END_TEST

START_TEST(wrong_class)
{
	make_exec();
	im.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_refused("32-bit ELF");
	im.eh.e_ident[EI_CLASS] = 7;
	expect_refused("bad ELF class");
}
END_TEST

START_TEST(wrong_endianness_and_version)
{
	make_exec();
	im.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_refused("not a little-endian ELF");
	make_exec();
	im.eh.e_version = 2;
	expect_refused("bad ELF version");
}
END_TEST

START_TEST(wrong_machine)
{
	make_exec();
	im.eh.e_machine = EM_386;
	expect_refused("not an x86-64 ELF");
}
END_TEST

START_TEST(wrong_type)
{
	make_exec();
	im.eh.e_type = ET_REL;
	expect_refused("relocatable object, not an executable");
	im.eh.e_type = ET_CORE;
	expect_refused("core file, not an executable");
	im.eh.e_type = 0x1234;
	expect_refused("not an executable ELF type");
}
END_TEST

START_TEST(bad_phentsize)
{
	make_exec();
	im.eh.e_phentsize = 32;
	expect_refused("bad program header size");
}
END_TEST

START_TEST(phdrs_out_of_file)
{
	make_exec();
	im.eh.e_phoff = file_size - 10;
	expect_refused("program headers outside the file");
	/* An offset so large that offset + size wraps around. */
	im.eh.e_phoff = UINT64_MAX - 8;
	expect_refused("program headers outside the file");
}
END_TEST

START_TEST(phnum_limits)
{
	make_exec();
	im.eh.e_phnum = 0;
	expect_refused("no program headers");
	im.eh.e_phnum = 65;
	expect_refused("too many program headers");
	im.eh.e_phnum = PN_XNUM;
	expect_refused("too many program headers");
}
END_TEST

START_TEST(too_many_loads)
{
	make_exec();
	im.eh.e_phnum = ELF_MAX_SEGS + 1;
	for (int i = 0; i < ELF_MAX_SEGS + 1; i++)
		set_load(i, 0x400000 + (uint64_t)i * 0x1000, 0, 0x200, 0x200,
			 PF_R | PF_X);
	file_size = 0x1000;
	expect_refused("too many loadable segments");
}
END_TEST

START_TEST(filesz_above_memsz)
{
	make_exec();
	im.ph[1].p_filesz = 0x2000;
	im.ph[1].p_memsz = 0x1000;
	expect_refused("segment file size larger than memory size");
}
END_TEST

START_TEST(segment_data_out_of_file)
{
	make_exec();
	im.ph[1].p_filesz = 0x100;
	expect_refused("segment data outside the file");
	make_exec();
	/* offset + filesz wraps around. */
	im.ph[1].p_offset = 0xfffffffffffff200ULL;
	im.ph[1].p_filesz = 0x1000;
	expect_refused("segment data outside the file");
}
END_TEST

START_TEST(vaddr_overflow)
{
	make_exec();
	im.ph[1].p_vaddr = 0xfffffffffffff200ULL;
	im.ph[1].p_memsz = 0x2000;
	expect_refused("segment address overflow");
	/* ET_DYN: the span is checked too. */
	make_dyn();
	im.ph[1].p_vaddr = 0xfffffffffffff200ULL;
	expect_refused("segment address overflow");
}
END_TEST

START_TEST(outside_user_range)
{
	make_exec();
	im.ph[0].p_vaddr = 0x1000;
	im.eh.e_entry = 0x1100;
	expect_refused("segment outside the user address range");
	make_exec();
	im.ph[1].p_vaddr = HAL_USER_VA_END + 0x200;
	expect_refused("segment outside the user address range");
	make_dyn();
	im.ph[1].p_vaddr = 0x7f0000000200ULL;
	expect_refused("segment outside the user address range");
}
END_TEST

START_TEST(misaligned_segment)
{
	make_exec();
	im.ph[1].p_vaddr = 0x401300;
	expect_refused("segment address and offset not congruent");
}
END_TEST

START_TEST(overlapping_segments)
{
	make_exec();
	/* Data from 0x4001f0: its first bytes lie inside the text. */
	im.ph[1].p_vaddr = 0x4001f0;
	im.ph[1].p_offset = 0x1f0;
	expect_refused("overlapping or unsorted segments");
	/* Descending order is refused too. */
	make_exec();
	set_load(0, 0x401200, 0x200, 0x10, 0x1000, PF_R | PF_W);
	set_load(1, 0x400000, 0, 0x200, 0x200, PF_R | PF_X);
	expect_refused("overlapping or unsorted segments");
}
END_TEST

START_TEST(entry_outside_segments)
{
	make_exec();
	im.eh.e_entry = 0x500000;
	expect_refused("entry point outside the executable segments");
	/* Inside a segment, but not an executable one. */
	im.eh.e_entry = 0x401200;
	expect_refused("entry point outside the executable segments");
}
END_TEST

START_TEST(no_loads)
{
	make_exec();
	im.ph[0].p_type = PT_NOTE;
	im.ph[1].p_type = PT_NOTE;
	expect_refused("no loadable segments");
}
END_TEST

START_TEST(unaligned_buffer)
{
	/* elf_parse must not assume the buffer is aligned. */
	static unsigned char buf[sizeof(struct img) + 1];
	struct elf_info info;
	const char *why;

	make_exec();
	memcpy(buf + 1, &im, sizeof(im));
	ck_assert_int_eq(elf_parse(buf + 1, sizeof(im), file_size, &info, &why),
			 0);
	ck_assert_int_eq(info.nsegs, 2);
}
END_TEST

KTEST_SUITE(elf_suite)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, good_exec);
	tcase_add_test(tc, good_dyn);
	tcase_add_test(tc, interp_phdr_and_stack_flags);
	tcase_add_test(tc, shared_page_segments_ok);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, wrong_class);
	tcase_add_test(tc, wrong_endianness_and_version);
	tcase_add_test(tc, wrong_machine);
	tcase_add_test(tc, wrong_type);
	tcase_add_test(tc, bad_phentsize);
	tcase_add_test(tc, phdrs_out_of_file);
	tcase_add_test(tc, phnum_limits);
	tcase_add_test(tc, too_many_loads);
	tcase_add_test(tc, filesz_above_memsz);
	tcase_add_test(tc, segment_data_out_of_file);
	tcase_add_test(tc, vaddr_overflow);
	tcase_add_test(tc, outside_user_range);
	tcase_add_test(tc, misaligned_segment);
	tcase_add_test(tc, overlapping_segments);
	tcase_add_test(tc, entry_outside_segments);
	tcase_add_test(tc, no_loads);
	tcase_add_test(tc, unaligned_buffer);
	suite_add_tcase(s, tc);
	return s;
}
