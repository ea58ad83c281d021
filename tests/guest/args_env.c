/*
 * Guest: what the kernel puts on the initial stack. argv and the whole
 * environment as given (the runner fixes the environment), and the aux
 * vector entries a static libc relies on: page size, AT_RANDOM, AT_EXECFN,
 * the program headers and the credentials.
 *
 * GUEST_ARGS: one "two words" --dash=x 'single quoted'
 */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "guest.h"

extern char **environ;

int main(int argc, char **argv)
{
	printf("argc: %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]: [%s]\n", i, argv[i]);
	CHECK("argv[argc] is NULL", argv[argc] == NULL);

	int n = 0;
	for (char **e = environ; *e; e++, n++)
		printf("env: [%s]\n", *e);
	printf("env count: %d\n", n);
	const char *v = getenv("EMBER_GUEST_VAR");
	printf("getenv EMBER_GUEST_VAR: [%s]\n", v ? v : "(null)");
	v = getenv("NOT_SET_ANYWHERE");
	printf("getenv NOT_SET_ANYWHERE: [%s]\n", v ? v : "(null)");
	/* The environment follows argv's NULL on the initial stack. */
	CHECK("envp follows argv", argv + argc + 1 == environ);

	printf("AT_PAGESZ: %lu\n", getauxval(AT_PAGESZ));
	CHECK("sysconf(_SC_PAGESIZE) == AT_PAGESZ",
	      (unsigned long)sysconf(_SC_PAGESIZE) == getauxval(AT_PAGESZ));

	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	CHECK("AT_RANDOM non-NULL", rnd != NULL);
	if (rnd) {
		/* 16 readable bytes; not all zero (chance 2^-128). */
		int nz = 0;
		for (int i = 0; i < 16; i++)
			nz |= rnd[i];
		CHECK("AT_RANDOM bytes not all zero", nz != 0);
	}

	const char *execfn = (const char *)getauxval(AT_EXECFN);
	CHECK("AT_EXECFN non-NULL", execfn != NULL);
	CHECK("AT_EXECFN equals argv[0]",
	      execfn && strcmp(execfn, argv[0]) == 0);

	CHECK("AT_PHDR non-zero", getauxval(AT_PHDR) != 0);
	printf("AT_PHENT: %lu\n", getauxval(AT_PHENT));
	CHECK("AT_PHENT == sizeof(Elf64_Phdr)",
	      getauxval(AT_PHENT) == sizeof(Elf64_Phdr));
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	CHECK("AT_PHNUM non-zero", phnum != 0);
	int have_load = 0, have_phdr_or_load = 0;
	for (unsigned long i = 0; ph && i < phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			have_load = 1;
		if (ph[i].p_type == PT_LOAD || ph[i].p_type == PT_PHDR)
			have_phdr_or_load = 1;
	}
	CHECK("AT_PHDR table has a PT_LOAD", have_load && have_phdr_or_load);
	CHECK("AT_ENTRY non-zero", getauxval(AT_ENTRY) != 0);
	/* A static program has no interpreter. */
	printf("AT_BASE: %lu\n", getauxval(AT_BASE));
	printf("AT_SECURE: %lu\n", getauxval(AT_SECURE));
	CHECK("AT_UID == getuid()",
	      getauxval(AT_UID) == (unsigned long)getuid());
	CHECK("AT_EUID == geteuid()",
	      getauxval(AT_EUID) == (unsigned long)geteuid());
	CHECK("AT_GID == getgid()",
	      getauxval(AT_GID) == (unsigned long)getgid());
	CHECK("AT_EGID == getegid()",
	      getauxval(AT_EGID) == (unsigned long)getegid());

	/* At entry %rsp is 16-byte aligned and points at argc, so argv (the
	 * next word, which both libcs hand to main unchanged) is 8 mod 16. */
	CHECK("initial stack 16-byte aligned", ((uintptr_t)argv & 15) == 8);

	return guest_exit();
}
