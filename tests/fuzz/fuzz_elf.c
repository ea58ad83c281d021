/*
 * fuzz_elf.c: the ELF loader fuzzer (layer: test harness over
 * fuzz_kernel.c). The input is a whole executable file. elf_parse checks
 * its headers (the first code that reads a program's bytes), and then the
 * bytes are written into tmpfs and exec'd through proc_execve in a fresh
 * task, which maps the segments, builds the stack and auxv, and starts
 * the thread; the task then takes a fault at its entry point, makes one
 * syscall and ends, and its parent reaps it.
 *
 * Oracles beyond the sanitizers: elf_parse returns 0 or -ENOEXEC with a
 * reason, and on success describes segments the loader can trust (the
 * promises its callers rely on, checked below); it reads nothing past the
 * length it is given (a short buffer gives the same answer as the whole
 * file, or "not in the buffer"); exec fails only with an errno execve(2)
 * lists; and once the task is reaped every frame and heap byte it took
 * is back (a leak in exec's error paths shows up here).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <kern/elf.h>
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>

#include "fuzz.h"
#include "ktest.h"

#define PARSE_WINDOW (64 * 1024) /* what exec reads of a file's head */
#define SHORT_WINDOW 256

static void check_info(const struct elf_info *in, uint64_t file_size)
{
	uint64_t prev_end = 0;
	bool entry_ok = false;

	if (in->nsegs < 1 || in->nsegs > ELF_MAX_SEGS)
		fuzz_fail("elf_parse: %d segments", in->nsegs);
	for (int i = 0; i < in->nsegs; i++) {
		const struct elf_seg *s = &in->segs[i];
		uint64_t fend, end;

		if (s->filesz > s->memsz)
			fuzz_fail("elf_parse: segment %d filesz > memsz", i);
		if (__builtin_add_overflow(s->offset, s->filesz, &fend) ||
		    fend > file_size)
			fuzz_fail("elf_parse: segment %d data outside the file",
				  i);
		if (__builtin_add_overflow(s->vaddr, s->memsz, &end))
			fuzz_fail("elf_parse: segment %d wraps", i);
		if (i > 0 && s->vaddr < prev_end)
			fuzz_fail("elf_parse: segment %d overlaps", i);
		prev_end = end;
		if (s->prot & ~(VM_READ | VM_WRITE | VM_EXEC))
			fuzz_fail("elf_parse: segment %d prot %#x", i, s->prot);
		if ((s->prot & VM_EXEC) && in->entry >= s->vaddr &&
		    in->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok)
		fuzz_fail("elf_parse: entry %#lx in no executable segment",
			  (unsigned long)in->entry);
	if (in->lo != PAGE_DOWN(in->segs[0].vaddr) || in->hi < prev_end ||
	    (in->hi & (PAGE_SIZE - 1)) || in->lo >= in->hi)
		fuzz_fail("elf_parse: span [%#lx, %#lx) is wrong",
			  (unsigned long)in->lo, (unsigned long)in->hi);
	if (in->is_dyn ? in->hi - in->lo > HAL_USER_VA_END - ELF_DYN_BASE :
			 in->lo < HAL_USER_VA_START || in->hi > HAL_USER_VA_END)
		fuzz_fail("elf_parse: span [%#lx, %#lx) outside the user range",
			  (unsigned long)in->lo, (unsigned long)in->hi);
}

static void parse(const uint8_t *data, size_t size)
{
	struct elf_info full, part;
	const char *why = "unset", *why2 = "unset";
	size_t len = MIN(size, (size_t)PARSE_WINDOW);
	int r, r2;

	r = elf_parse(data, len, size, &full, &why);
	if (r != 0 && r != -ENOEXEC)
		fuzz_fail("elf_parse returned %d", r);
	if (r == -ENOEXEC && (!why || !*why))
		fuzz_fail("elf_parse: -ENOEXEC without a reason");
	if (r == 0) {
		if (why)
			fuzz_fail("elf_parse: success with reason '%s'", why);
		check_info(&full, size);
	}

	/* The same file seen through a short buffer: the parser may say it
	 * needs more, or must agree with the whole. */
	if (len <= SHORT_WINDOW)
		return;
	r2 = elf_parse(data, SHORT_WINDOW, size, &part, &why2);
	if (r2 == 0 && (r != 0 || memcmp(&full, &part, sizeof(full)) != 0))
		fuzz_fail("elf_parse: a %d-byte head parses, the whole file "
			  "gives %d (%s)",
			  SHORT_WINDOW, r, why ? why : "ok");
	if (r2 == -ENOEXEC && r == 0 &&
	    strcmp(why2, "program headers not in the buffer") != 0)
		fuzz_fail("elf_parse: the head fails with '%s', the whole "
			  "file parses",
			  why2);
}

static bool exec_errno_ok(int err)
{
	switch (err) {
	case 0:
	case -ENOEXEC:
	case -ENOMEM:
	case -EACCES:
	case -EIO:
	case -ENOENT:
	case -ENOTDIR:
	case -ELOOP:
	case -E2BIG:
	case -EINVAL:
	case -EFAULT:
	case -ENAMETOOLONG:
	case -ETXTBSY:
	case -EPERM:
		return true;
	default:
		return false;
	}
}

static size_t frames_used(void)
{
	return pmm_total_frames() - pmm_free_frames();
}

static size_t heap_bytes(void)
{
	struct kmalloc_stats st;

	kmalloc_stats(&st);
	return st.bytes_in_use;
}

static void run_exec(const uint8_t *data, size_t size)
{
	static char *const argv[] = { "/tmp/prog", "arg", NULL };
	static char *const envp[] = { "HOME=/", "X=1", NULL };
	struct hal_trap fault = { .kind = HAL_TRAP_PAGE_FAULT,
				  .access = HAL_ACC_EXEC };
	struct hal_trap sys = { .kind = HAL_TRAP_SYSCALL };
	size_t frames0, heap0;
	struct thread *t;
	int err;

	err = fuzz_write_file("/tmp/prog", data, size, 0755);
	if (err)
		return; /* too big for the arena: nothing to exec */
	/* "#!/tmp/prog" scripts reach the interpreter path too. */
	frames0 = frames_used();
	heap0 = heap_bytes();

	t = fuzz_new_task();
	if (!t)
		return;
	current = t;
	err = proc_execve(t, "/tmp/prog", argv, envp);
	if (!exec_errno_ok(err))
		fuzz_fail("proc_execve: unexpected error %d", err);
	if (err == 0) {
		/* The first instruction fetch, then a getpid. */
		sched_run(t);
		fault.addr = t->uctx.rip;
		kern_trap(&t->uctx, &fault);
		if (t->state == THREAD_RUNNING) {
			t->uctx.orig_rax = 39; /* getpid */
			kern_trap(&t->uctx, &sys);
		}
	}
	fuzz_end_task(t);

	if (frames_used() != frames0 || heap_bytes() != heap0)
		fuzz_fail("exec (%s) leaked: frames %zu -> %zu, heap bytes "
			  "%zu -> %zu",
			  err ? "failed" : "succeeded", frames0, frames_used(),
			  heap0, heap_bytes());
}

static void run(const uint8_t *data, size_t size)
{
	struct fuzz_boot_opts o = { 0 };
	int err = fuzz_boot(&o);

	if (err)
		fuzz_fail("boot failed: %d", err);
	parse(data, size);
	run_exec(data, size);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!FUZZ_RUN(run(data, size)))
		fuzz_fail("the kernel halted");
	fuzz_check_leaks();
	fuzz_reset();
	return 0;
}
