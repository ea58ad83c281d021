/*
 * Guest: core dumps (core(5)). A child that dies of a "core" signal
 * writes "core" into its cwd only when RLIMIT_CORE allows a page or
 * more, and the parent's wait status carries WCOREDUMP exactly when a
 * whole dump was written. The file is an ELF ET_CORE whose first
 * program header is PT_NOTE with an NT_PRSTATUS for the dying thread
 * (its pid, the signal). Skipped alike on a host whose core_pattern is
 * not plain "core" (a pipe to systemd-coredump writes no file).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

static int pattern_is_core(void)
{
	char buf[64] = { 0 };
	int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY);

	if (fd < 0)
		return 1; /* no such setting: the kernel's default, "core" */
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 4 && strncmp(buf, "core", 4) == 0 &&
	       (buf[4] == '\n' || buf[4] == 0);
}

/* Forks a child that sets RLIMIT_CORE to limit in dir and dies by sig
 * (a real fault for SIGSEGV). Returns the wait status. */
static int crash(const char *dir, rlim_t limit, int sig)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { limit, RLIM_INFINITY };

		if (chdir(dir) != 0 || setrlimit(RLIMIT_CORE, &rl) != 0)
			_exit(99);
		if (sig == SIGSEGV)
			*(volatile int *)16 = 1;
		raise(sig);
		_exit(98);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void show(const char *what, int status, const char *dir)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/core", dir);
	printf("%s: signaled %d sig %d coredump %d file %s\n", what,
	       WIFSIGNALED(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0,
	       WIFSIGNALED(status) ? !!WCOREDUMP(status) : 0,
	       stat(path, &st) == 0 ? "yes" : "no");
}

static void check_elf(const char *dir, pid_t want_pid)
{
	char path[256];
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd;

	snprintf(path, sizeof(path), "%s/core", dir);
	fd = open(path, O_RDONLY);
	CHECK("open core", fd >= 0);
	if (fd < 0)
		return;
	CHECK("read ehdr", pread(fd, &eh, sizeof(eh), 0) == sizeof(eh));
	printf("elf magic %d type %d machine %d\n",
	       memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0, eh.e_type,
	       eh.e_machine);
	CHECK("read phdr",
	      pread(fd, &ph, sizeof(ph), (off_t)eh.e_phoff) == sizeof(ph));
	printf("first phdr is PT_NOTE: %d, PT_LOADs present: %d\n",
	       ph.p_type == PT_NOTE, eh.e_phnum > 1);
	if (ph.p_type == PT_NOTE && ph.p_filesz < 1 << 16) {
		char *notes = malloc(ph.p_filesz);
		size_t off = 0;
		int found = 0;

		CHECK("read notes", notes && pread(fd, notes, ph.p_filesz,
						   (off_t)ph.p_offset) ==
						     (ssize_t)ph.p_filesz);
		while (notes && off + sizeof(Elf64_Nhdr) <= ph.p_filesz) {
			Elf64_Nhdr *nh = (Elf64_Nhdr *)(notes + off);
			size_t desc = off + sizeof(*nh) +
				      ((nh->n_namesz + 3) & ~3u);

			if (nh->n_type == NT_PRSTATUS && !found) {
				/* elf_prstatus: si_signo at 0, pr_cursig at
				 * 12, pr_pid at 32. */
				int32_t signo, pid;
				int16_t cursig;

				memcpy(&signo, notes + desc, 4);
				memcpy(&cursig, notes + desc + 12, 2);
				memcpy(&pid, notes + desc + 32, 4);
				printf("prstatus: signo %d cursig %d pid matches %d\n",
				       signo, cursig, pid == want_pid);
				found = 1;
			}
			off = desc + ((nh->n_descsz + 3) & ~3u);
		}
		printf("prstatus found: %d\n", found);
		free(notes);
	}
	close(fd);
}

int main(void)
{
	const char *dir = "coredir";
	char path[64];
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!pattern_is_core()) {
		printf("core_pattern is not \"core\": skipped\n");
		return 0;
	}
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/core", dir);

	unlink(path);
	status = crash(dir, 0, SIGABRT);
	show("limit 0 SIGABRT", status, dir);

	unlink(path);
	status = crash(dir, 1000, SIGQUIT);
	show("limit 1000 SIGQUIT", status, dir);

	unlink(path);
	status = crash(dir, 0, SIGTERM);
	show("limit 0 SIGTERM", status, dir);

	unlink(path);
	status = crash(dir, RLIM_INFINITY, SIGTERM);
	show("unlimited SIGTERM", status, dir);

	unlink(path);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		if (chdir(dir) != 0 || setrlimit(RLIMIT_CORE, &rl) != 0)
			_exit(99);
		*(volatile int *)16 = 1;
		_exit(98);
	}
	CHECK("waitpid", pid > 0 && waitpid(pid, &status, 0) == pid);
	show("unlimited SIGSEGV", status, dir);
	check_elf(dir, pid);

	unlink(path);
	status = crash(dir, 8192, SIGSEGV);
	show("limit 8192 SIGSEGV", status, dir);
	{
		struct stat st;

		printf("cut at the limit: %d\n",
		       stat(path, &st) == 0 && st.st_size <= 8192);
	}

	unlink(path);
	rmdir(dir);
	return guest_exit();
}
