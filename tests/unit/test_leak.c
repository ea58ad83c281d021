/*
 * test_leak.c: a process's life returns every resource (layer: unit
 * tests; relies on ktest's boot helpers, the test HAL and kern_stats).
 * Init forks a child through the real fork trap, the child runs a syscall
 * program through the dispatcher (files, memory, exec, /proc, signals),
 * ends (exit_group or SIGKILL), and init reaps it with wait4; then the
 * frames in use, the kmalloc bytes and allocations, and the HAL address
 * spaces are exactly what they were before the fork.
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include <kern/kmalloc.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/stats.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>
#include <uapi/signal.h>

#include "ktest.h"

struct counts {
	size_t frames, bytes, allocs;
	long as_live;
};

static void take_counts(struct counts *c)
{
	struct kmalloc_stats st;

	kmalloc_stats(&st);
	c->frames = kern_frames_used();
	c->bytes = st.bytes_in_use;
	c->allocs = st.allocs_live;
	c->as_live = hal_test_as_live();
}

static void assert_same(const struct counts *before, const char *what)
{
	struct counts after;

	take_counts(&after);
	ck_assert_msg(after.frames == before->frames &&
			      after.bytes == before->bytes &&
			      after.allocs == before->allocs &&
			      after.as_live == before->as_live,
		      "%s leaked: frames %zu -> %zu, kmalloc bytes %zu -> %zu, "
		      "allocations %zu -> %zu, address spaces %ld -> %ld",
		      what, before->frames, after.frames, before->bytes,
		      after.bytes, before->allocs, after.allocs,
		      before->as_live, after.as_live);
}

/* A SYSCALL trap of t with the call in its registers; the result. */
static long call(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->uctx.r10 = a3;
	t->uctx.r8 = a4;
	t->uctx.r9 = a5;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
	return (long)t->uctx.rax;
}
#define C3(t, nr, a, b, c)                                                     \
	call(t, nr, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c), 0, 0, 0)

/* User memory of init, filled before the baseline (the child inherits
 * it: strings must be in place before the fork). */
static uint64_t ubuf, upath, ustat;
#define UBUF_LEN (16 * 4096)

static const char *const paths[] = {
	"/tmp/leak",
	"/dev/zero",
	"/proc/self/status",
	"/proc/self/maps",
	"/dev",
	"/tmp/leakdir",
	"/",
	"/tmp/missing",
	"/tmp/prog",
	"arg",
	"/tmp/garbage",
	"/tmp",
	"/tmp/none",
	"/tmp/loop",
	"/tmp/script",
};
enum {
	P_LEAK,
	P_ZERO,
	P_STATUS,
	P_MAPS,
	P_DEV,
	P_DIR,
	P_ROOT,
	P_MISSING,
	P_PROG,
	P_ARG,
	P_GARBAGE,
	P_TMP,
	P_NONE,
	P_LOOP,
	P_SCRIPT
};

static uint64_t P(int i)
{
	return upath + 256 * (uint64_t)i;
}

static void setup_init(void)
{
	ktest_boot();
	ubuf = ktest_umap(UBUF_LEN, VM_READ | VM_WRITE);
	upath = ktest_umap(256 * ARRAY_SIZE(paths), VM_READ | VM_WRITE);
	ustat = ktest_umap(4096, VM_READ | VM_WRITE);
	/* Touch them so that their frames are part of the baseline. */
	for (uint64_t off = 0; off < UBUF_LEN; off += 4096)
		ktest_put(ubuf + off, "init", 4);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		ktest_put(P((int)i), paths[i], strlen(paths[i]) + 1);
	ktest_put(ustat, "", 1);
}

static struct thread *fork_child(void)
{
	long pid = C3(current, SYS_fork, 0, 0, 0);
	struct thread *t;

	ck_assert_msg(pid > 1, "fork: %ld", pid);
	t = thread_find((int)pid);
	ck_assert_ptr_nonnull(t);
	return t;
}

static void reap(struct thread *init, int pid, int want_status)
{
	int32_t status;

	ck_assert_int_eq(C3(init, SYS_wait4, pid, ustat, 0), pid);
	ktest_get(&status, ustat, 4);
	ck_assert_int_eq(status, want_status);
	proc_reap_threads();
}

/* Files, memory, /proc, directories and signals, leaving some fds and
 * mappings for the end of the task to release. */
static void child_program(struct thread *c)
{
	long fd, fd2, addr, brk0;
	uint64_t act[4] = { 0x1000, 0, 0, 0 };

	fd = C3(c, SYS_open, P(P_LEAK), O_CREAT | O_RDWR, 0600);
	ck_assert_int_ge(fd, 3);
	ck_assert_int_eq(C3(c, SYS_write, fd, ubuf, 10000), 10000);
	ck_assert_int_eq(call(c, SYS_pwrite64, (uint64_t)fd, ubuf, 100, 200000,
			      0, 0),
			 100);
	ck_assert_int_eq(C3(c, SYS_lseek, fd, 0, 0), 0);
	ck_assert_int_eq(C3(c, SYS_read, fd, ubuf + 4096, 5000), 5000);
	fd2 = C3(c, SYS_dup, fd, 0, 0);
	ck_assert_int_ge(fd2, 0);
	ck_assert_int_eq(C3(c, SYS_ftruncate, fd, 0, 0), 0);
	ck_assert_int_eq(C3(c, SYS_close, fd, 0, 0), 0);
	ck_assert_int_eq(C3(c, SYS_unlink, P(P_LEAK), 0, 0), 0);
	/* fd2 still holds the unlinked file: the end of the task drops it. */

	addr = call(c, SYS_mmap, 0, 64 * 1024, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0);
	ck_assert_int_gt(addr, 0);
	fd = C3(c, SYS_open, P(P_ZERO), O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(C3(c, SYS_read, fd, addr, 64 * 1024), 64 * 1024);
	ck_assert_int_eq(C3(c, SYS_mprotect, addr, 4096, PROT_READ), 0);
	ck_assert_int_eq(C3(c, SYS_munmap, addr + 8192, 8192, 0), 0);
	/* A copy-on-write page of init's buffer. */
	ck_assert_int_eq(C3(c, SYS_read, fd, ubuf + 8192, 100), 100);
	brk0 = C3(c, SYS_brk, 0, 0, 0);
	if (brk0 > 0 && C3(c, SYS_brk, brk0 + 1024 * 1024, 0, 0) > brk0)
		ck_assert_int_eq(C3(c, SYS_read, fd, brk0, 8192), 8192);

	fd = C3(c, SYS_open, P(P_STATUS), O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(C3(c, SYS_read, fd, ubuf, 4096), 0);
	fd = C3(c, SYS_open, P(P_MAPS), O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(C3(c, SYS_read, fd, ubuf, 4096), 0);
	fd = C3(c, SYS_open, P(P_DEV), O_RDONLY | O_DIRECTORY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(C3(c, SYS_getdents64, fd, ubuf, 4096), 0);

	ck_assert_int_eq(C3(c, SYS_mkdir, P(P_DIR), 0700, 0), 0);
	ck_assert_int_eq(C3(c, SYS_chdir, P(P_DIR), 0, 0), 0);
	ck_assert_int_eq(C3(c, SYS_chdir, P(P_ROOT), 0, 0), 0);
	ck_assert_int_eq(C3(c, SYS_rmdir, P(P_DIR), 0, 0), 0);
	ck_assert_int_eq(C3(c, SYS_open, P(P_MISSING), O_RDONLY, 0), -ENOENT);

	ktest_put(ustat + 64, act, sizeof(act));
	ck_assert_int_eq(
		call(c, SYS_rt_sigaction, SIGUSR1, ustat + 64, 0, 8, 0, 0), 0);
}

START_TEST(fork_program_exit_wait)
{
	struct thread *init, *c;
	struct counts before;
	int pid;

	setup_init();
	init = current;
	take_counts(&before);

	c = fork_child();
	pid = c->tid;
	child_program(c);
	call(c, SYS_exit_group, 3, 0, 0, 0, 0, 0);
	reap(init, pid, 3 << 8);
	assert_same(&before, "fork, a syscall program, exit_group, wait4");
}
END_TEST

START_TEST(fork_program_killed)
{
	struct thread *init, *c;
	struct counts before;
	int pid;

	setup_init();
	init = current;
	take_counts(&before);

	c = fork_child();
	pid = c->tid;
	child_program(c);
	ck_assert_int_eq(C3(init, SYS_kill, pid, SIGKILL, 0), 0);
	/* The child was running: it dies when it next stops in the kernel
	 * (a HAL interrupts it; here, a preemption trap). */
	{
		struct hal_trap preempt = { .kind = HAL_TRAP_PREEMPTED };

		kern_trap(&c->uctx, &preempt);
	}
	reap(init, pid, SIGKILL);
	assert_same(&before, "a child killed by SIGKILL");
}
END_TEST

/* A tiny static ELF: "syscall; hlt" at 0x400100, data with bss. */
static size_t make_elf(unsigned char *buf)
{
	struct elf64_ehdr eh = { 0 };
	struct elf64_phdr ph[2] = { { 0 } };

	memset(buf, 0, 0x210);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x400100;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(struct elf64_phdr);
	eh.e_phnum = 2;
	ph[0] = (struct elf64_phdr){ .p_type = PT_LOAD,
				     .p_flags = PF_R | PF_X,
				     .p_vaddr = 0x400000,
				     .p_filesz = 0x200,
				     .p_memsz = 0x200,
				     .p_align = 0x1000 };
	ph[1] = (struct elf64_phdr){ .p_type = PT_LOAD,
				     .p_flags = PF_R | PF_W,
				     .p_offset = 0x200,
				     .p_vaddr = 0x401200,
				     .p_filesz = 0x10,
				     .p_memsz = 0x2000,
				     .p_align = 0x1000 };
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
	memcpy(buf + 0x100, "\x0f\x05\xf4", 3);
	return 0x210;
}

static void write_file(const char *path, const void *data, size_t len,
		       unsigned mode)
{
	struct file *f =
		vfs_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_msg(!IS_ERR(f), "create %s: %ld", path, PTR_ERR(f));
	ck_assert_int_eq(vfs_write(f, data, len), (long)len);
	file_put(f);
}

START_TEST(exec_failures_then_success)
{
	static unsigned char elf[0x210];
	struct thread *init, *c;
	struct counts before;
	uint64_t argv, envp, big;
	int pid;

	setup_init();
	init = current;
	write_file("/tmp/prog", elf, make_elf(elf), 0755);
	write_file("/tmp/garbage",
		   "\x7f"
		   "ELF garbage, not a program",
		   26, 0755);
	write_file("/tmp/script", "#!/tmp/prog -x\n", 15, 0755);
	write_file("/tmp/loop", "#!/tmp/loop\n", 12, 0755);
	/* argv = { "/tmp/prog", "arg", NULL } in init's memory. */
	argv = ktest_umap(4096, VM_READ | VM_WRITE);
	{
		uint64_t v[3] = { P(P_PROG), P(P_ARG), 0 };

		ktest_put(argv, v, sizeof(v));
	}
	envp = argv + 64;
	ktest_put(envp, &(uint64_t){ 0 }, 8);
	/* An argument list far over the limit: 600 copies of a 4000-byte
	 * string (ARG_MAX-like limits are 2 MiB at most). */
	big = ktest_umap(600 * 8 + 8 + 4096, VM_READ | VM_WRITE);
	{
		static char s[4000];
		uint64_t p = big + 600 * 8 + 8;

		memset(s, 'a', sizeof(s) - 1);
		ktest_put(p, s, sizeof(s));
		for (int i = 0; i < 600; i++)
			ktest_put(big + 8 * (uint64_t)i, &p, 8);
		ktest_put(big + 600 * 8, &(uint64_t){ 0 }, 8);
	}
	take_counts(&before);

	c = fork_child();
	pid = c->tid;
	ck_assert_int_eq(C3(c, SYS_execve, P(P_GARBAGE), argv, envp), -ENOEXEC);
	ck_assert_int_eq(C3(c, SYS_execve, P(P_TMP), argv, envp), -EACCES);
	ck_assert_int_eq(C3(c, SYS_execve, P(P_NONE), argv, envp), -ENOENT);
	ck_assert_int_eq(C3(c, SYS_execve, P(P_LOOP), argv, envp), -ELOOP);
	ck_assert_int_eq(C3(c, SYS_execve, P(P_PROG), big, envp), -E2BIG);
	ck_assert_int_eq(C3(c, SYS_execve, P(P_SCRIPT), argv, envp), 0);
	/* The new image: its stack and segments, then one more exec. */
	ck_assert_int_eq(C3(c, SYS_getpid, 0, 0, 0), pid);
	ck_assert_int_eq(C3(c, SYS_execve, 0, 0, 0), -EFAULT);
	call(c, SYS_exit_group, 0, 0, 0, 0, 0, 0);
	reap(init, pid, 0);
	assert_same(&before, "failed execs, a script exec, exit");
}
END_TEST

START_TEST(stats_line)
{
	char line[128];
	struct kmalloc_stats st;
	size_t frames;
	int n;

	ktest_boot();
	kmalloc_stats(&st);
	frames = kern_frames_used();
	n = kern_stats(line, sizeof(line));
	ck_assert_int_eq(n, (int)strlen(line));
	{
		char want[128];

		snprintf(want, sizeof(want),
			 "frames_used=%zu kmalloc_bytes=%zu", frames,
			 st.bytes_in_use);
		ck_assert_str_eq(line, want);
	}
	ck_assert_uint_gt(frames, 0);
	ck_assert_uint_le(frames, pmm_total_frames());
	/* Cut to fit, with the full length reported. */
	ck_assert_int_eq(kern_stats(line, 8), n);
	ck_assert_uint_eq(strlen(line), 7);
}
END_TEST

KTEST_SUITE(leak_suite)
{
	Suite *s = suite_create("leak");
	TCase *tc = tcase_create("process life");

	tcase_add_test(tc, fork_program_exit_wait);
	tcase_add_test(tc, fork_program_killed);
	tcase_add_test(tc, exec_failures_then_success);
	tcase_add_test(tc, stats_line);
	suite_add_tcase(s, tc);
	return s;
}
