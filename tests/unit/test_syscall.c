/*
 * test_syscall.c: the syscall table, the dispatcher and the strace printer
 * (layer: unit tests; relies on the generated table, ktest's boot helpers
 * and the test HAL's log). Expected strings are written from strace(1)'s
 * documented format and the Linux ABI, never copied from Ember's output.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/strace.h>
#include <kern/syscall.h>
#include <kern/vm.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>
#include <uapi/signal.h>

#include "ktest.h"

/* Linux x86_64 numbers, from <asm/unistd_64.h>. */
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_mmap 9
#define NR_brk 12
#define NR_rt_sigaction 13
#define NR_getcwd 79
#define NR_execve 59
#define NR_kill 62
#define NR_exit_group 231
#define NR_openat 257
#define NR_rseq 334
#define NR_clone3 435
#define NR_mseal 462

/* ---- the table ---------------------------------------------------------- */

START_TEST(table_has_every_linux_number)
{
	static const struct {
		int nr;
		const char *name;
	} known[] = {
		{ 0, "read" },
		{ 3, "close" },
		{ 9, "mmap" },
		{ 15, "rt_sigreturn" },
		{ 56, "clone" },
		{ 59, "execve" },
		{ 60, "exit" },
		{ 158, "arch_prctl" },
		{ 202, "futex" },
		{ 231, "exit_group" },
		{ 257, "openat" },
		{ 262, "newfstatat" },
		{ 318, "getrandom" },
		{ 332, "statx" },
		{ 334, "rseq" },
		{ 424, "pidfd_send_signal" },
		{ 435, "clone3" },
		{ 439, "faccessat2" },
		{ 450, "set_mempolicy_home_node" },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ck_assert_str_eq(syscall_table[known[i].nr].name,
				 known[i].name);
	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		bool in_linux = nr <= 334 || (nr >= 424 && nr <= 462);

		ck_assert_msg((syscall_table[nr].name != NULL) == in_linux,
			      "number %d: present=%d, expected %d", nr,
			      syscall_table[nr].name != NULL, in_linux);
		if (in_linux)
			n++;
	}
	ck_assert_int_eq(n, 335 + 39);
}
END_TEST

START_TEST(table_entries_are_well_formed)
{
	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name)
			continue;
		ck_assert_int_le(d->nargs, 6);
		ck_assert(d->status == SC_MISSING || d->status == SC_PARTIAL ||
			  d->status == SC_DONE);
		ck_assert_msg((d->call == NULL) == (d->status == SC_MISSING),
			      "%s: call pointer does not match its status",
			      d->name);
		for (int i = 0; i < d->nargs; i++) {
			ck_assert_msg(d->kind[i] != SC_NONE, "%s arg %d",
				      d->name, i);
			ck_assert_ptr_nonnull(d->argname[i]);
			ck_assert_ptr_nonnull(d->ctype[i]);
			if (d->kind[i] == SC_INBUF) {
				int l = d->len_arg[i];

				ck_assert_msg(l >= 0 && l < d->nargs && l != i,
					      "%s: bad len_arg", d->name);
			}
		}
	}
	/* Raw ABI facts the table must get right. */
	ck_assert_int_eq(syscall_table[NR_mmap].nargs, 6);
	ck_assert_int_eq(syscall_table[NR_mmap].kind[2], SC_PROT);
	ck_assert_int_eq(syscall_table[NR_mmap].kind[3], SC_MFLAGS);
	ck_assert_int_eq(syscall_table[NR_write].kind[1], SC_INBUF);
	ck_assert_int_eq(syscall_table[NR_write].len_arg[1], 2);
	ck_assert_int_eq(syscall_table[NR_read].kind[1], SC_OUTBUF);
	ck_assert_int_eq(syscall_table[268].nargs, 3); /* fchmodat: no flags */
	ck_assert_int_eq(syscall_table[269].nargs, 3); /* faccessat: no flags */
	ck_assert_int_eq(syscall_table[327].nargs, 6); /* preadv2: flags 6th */
	ck_assert_int_eq(syscall_table[327].kind[5], SC_HEX);
}
END_TEST

/* Every done/partial entry must have its handler linked in. */
START_TEST(table_done_handlers_are_linked)
{
	char missing[4096] = "";
	int n = 0;

	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name || d->status == SC_MISSING)
			continue;
		ck_assert_ptr_nonnull(d->call);
		if (syscall_handler_ptr[nr])
			continue;
		n++;
		strncat(missing, " sys_",
			sizeof(missing) - strlen(missing) - 1);
		strncat(missing, d->name,
			sizeof(missing) - strlen(missing) - 1);
	}
	ck_assert_msg(n == 0, "%d handlers not linked:%s", n, missing);
}
END_TEST

START_TEST(missing_calls_return_enosys)
{
	const uint64_t args[6] = { 1, 2, 3, 4, 5, 6 };

	ck_assert_int_eq(syscall_table[NR_rseq].status, SC_MISSING);
	for (int nr = 0; nr < SYSCALL_MAX; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (d->name && d->status != SC_MISSING)
			continue;
		ck_assert_ptr_null(syscall_handler_ptr[nr]);
		ck_assert_int_eq(syscall_invoke(nr, args), -ENOSYS);
	}
}
END_TEST

START_TEST(out_of_range_numbers_return_enosys)
{
	static const long nrs[] = { -1,
				    -2,
				    -4096,
				    LONG_MIN,
				    SYSCALL_MAX,
				    SYSCALL_MAX + 1,
				    0x40000000 + 1,
				    LONG_MAX,
				    335,
				    423,
				    463,
				    511 };
	const uint64_t args[6] = { 0 };

	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		ck_assert_int_eq(syscall_invoke(nrs[i], args), -ENOSYS);
}
END_TEST

/* ---- the dispatcher ------------------------------------------------------ */

static void set_regs(struct thread *t, uint64_t nr)
{
	t->uctx.orig_rax = nr;
	t->uctx.rax = 0x5a5a;
	t->uctx.rdi = 11;
	t->uctx.rsi = 22;
	t->uctx.rdx = 33;
	t->uctx.r10 = 44;
	t->uctx.r8 = 55;
	t->uctx.r9 = 66;
	t->uctx.rcx = 77; /* the syscall clobbers rcx: never an argument */
}

START_TEST(handle_missing_sets_enosys_and_reports_once)
{
	struct thread *t;
	size_t len;
	const char *log;

	ktest_boot();
	t = current;
	printk_level = LOG_INFO;
	/* The upper half of rax is ignored, as Linux does. */
	set_regs(t, (1ULL << 32) | NR_rseq);
	syscall_handle(t);
	ck_assert_int_eq((long)t->uctx.rax, -ENOSYS);
	ck_assert_int_eq(t->sys_nr, NR_rseq);
	ck_assert_int_eq(t->sys_args[0], 11);
	ck_assert_int_eq(t->sys_args[3], 44);
	ck_assert_int_eq(t->sys_args[5], 66);
	ck_assert(t->task->strace_missing_seen[NR_rseq]);
	ck_assert(!t->resumed);

	set_regs(t, NR_rseq);
	syscall_handle(t);
	ck_assert_int_eq((long)t->uctx.rax, -ENOSYS);
	log = hal_test_log_out(&len);
	char want[128];
	snprintf(want, sizeof(want),
		 "[pid %d] syscall rseq (334) is not implemented",
		 t->task->pid);
	const char *first = strstr(log, want);
	ck_assert_msg(first != NULL, "no report in log: %s", log);
	ck_assert_msg(strstr(first + 1, want) == NULL, "reported twice");
}
END_TEST

START_TEST(handle_bad_numbers_do_not_crash)
{
	struct thread *t;

	ktest_boot();
	t = current;
	set_regs(t, (uint64_t)-1);
	syscall_handle(t);
	ck_assert_int_eq((long)t->uctx.rax, -ENOSYS);
	set_regs(t, 400);
	syscall_handle(t);
	ck_assert_int_eq((long)t->uctx.rax, -ENOSYS);
	set_regs(t, 0x7fffffff);
	syscall_handle(t);
	ck_assert_int_eq((long)t->uctx.rax, -ENOSYS);
}
END_TEST

START_TEST(handle_prints_strace_line)
{
	struct thread *t;
	const char *log;
	char want[128];

	ktest_boot();
	t = current;
	strace_enabled = true;
	set_regs(t, NR_rseq);
	t->uctx.rdi = 0;
	t->uctx.rsi = 32;
	t->uctx.rdx = 0;
	t->uctx.r10 = 0x53053053;
	syscall_handle(t);
	log = hal_test_log_out(NULL);
	snprintf(want, sizeof(want),
		 "rseq(NULL, 32, 0, 1392848979) = -1 ENOSYS "
		 "(Function not implemented)");
	ck_assert_msg(strstr(log, want) != NULL, "log: %s", log);
}
END_TEST

/* ---- strace formatting --------------------------------------------------- */

static char line[2048];

static const char *fmt(long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		       uint64_t a3, uint64_t a4, uint64_t a5, long ret)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	long n = strace_format(line, sizeof(line), current, nr, args, ret);

	ck_assert_int_eq(n, (long)strlen(line));
	return line;
}

/* The init process alone: strace prints no [pid N] prefix. */
static void boot_alone(void)
{
	ktest_boot();
	ck_assert_int_eq(current->task->pid, 1);
}

START_TEST(strace_write_and_read)
{
	uint64_t buf;

	boot_alone();
	buf = ktest_umap(4096, VM_READ | VM_WRITE);
	ktest_put(buf, "hi\n", 3);
	ck_assert_str_eq(fmt(NR_write, 1, buf, 3, 0, 0, 0, 3),
			 "write(1, \"hi\\n\", 3) = 3");

	ktest_put(buf, "hello world", 11);
	ck_assert_str_eq(fmt(NR_read, 0, buf, 10, 0, 0, 0, 5),
			 "read(0, \"hello\", 10) = 5");
	/* A failed read filled nothing: the buffer is shown as an address. */
	char want[128];
	snprintf(want, sizeof(want),
		 "read(0, %#lx, 10) = -1 EAGAIN (Resource temporarily "
		 "unavailable)",
		 (unsigned long)buf);
	ck_assert_str_eq(fmt(NR_read, 0, buf, 10, 0, 0, 0, -EAGAIN), want);
}
END_TEST

START_TEST(strace_long_and_escaped_strings)
{
	uint64_t buf;
	const char bytes[] = { 'a', '\t', 'b',	'"',  'c', '\\',
			       1,   '2',  0x7f, '\0', 'x' };

	boot_alone();
	buf = ktest_umap(4096, VM_READ | VM_WRITE);
	ktest_put(buf, bytes, sizeof(bytes));
	ck_assert_str_eq(
		fmt(NR_write, 2, buf, sizeof(bytes), 0, 0, 0, 11),
		"write(2, \"a\\tb\\\"c\\\\\\0012\\177\\0x\", 11) = 11");

	/* 40 bytes: only the first 32 are shown, then "...". */
	ktest_put(buf, "0123456789abcdefghijklmnopqrstuvwxyzABCD", 40);
	ck_assert_str_eq(fmt(NR_write, 1, buf, 40, 0, 0, 0, 40),
			 "write(1, \"0123456789abcdefghijklmnopqrstuv\"..., 40)"
			 " = 40");
}
END_TEST

START_TEST(strace_open_flags_and_paths)
{
	uint64_t p, longp;

	boot_alone();
	p = ktest_ustr("/etc/passwd");
	ck_assert_str_eq(fmt(NR_openat, (uint64_t)AT_FDCWD, p,
			     O_RDONLY | O_CLOEXEC, 0, 0, 0, -ENOENT),
			 "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)"
			 " = -1 ENOENT (No such file or directory)");
	ck_assert_str_eq(fmt(NR_openat, 3, p, O_WRONLY | O_CREAT | O_TRUNC,
			     0644, 0, 0, 4),
			 "openat(3, \"/etc/passwd\", O_WRONLY|O_CREAT|O_TRUNC,"
			 " 0644) = 4");
	ck_assert_str_eq(fmt(NR_open, p, O_RDWR | O_DIRECTORY | 0x40000000, 0,
			     0, 0, 0, -ENOTDIR),
			 "open(\"/etc/passwd\", O_RDWR|O_DIRECTORY|0x40000000)"
			 " = -1 ENOTDIR (Not a directory)");
	longp = ktest_ustr("/a/very/long/path/that/goes/on/and/on/and/on");
	ck_assert_str_eq(fmt(NR_open, longp, O_RDONLY, 0, 0, 0, 0, 3),
			 "open(\"/a/very/long/path/that/goes/on/a\"..., "
			 "O_RDONLY) = 3");
	/* Unmapped and NULL pointers print as addresses. */
	ck_assert_str_eq(fmt(NR_open, 0x1000, O_RDONLY, 0, 0, 0, 0, -EFAULT),
			 "open(0x1000, O_RDONLY) = -1 EFAULT (Bad address)");
	ck_assert_str_eq(fmt(NR_open, 0, O_RDONLY, 0, 0, 0, 0, -EFAULT),
			 "open(NULL, O_RDONLY) = -1 EFAULT (Bad address)");
}
END_TEST

START_TEST(strace_mmap_brk_signals)
{
	boot_alone();
	ck_assert_str_eq(fmt(NR_mmap, 0, 8192, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0,
			     0x7f0000001000),
			 "mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
			 "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000");
	ck_assert_str_eq(fmt(NR_mmap, 0x400000, 4096, PROT_NONE,
			     MAP_SHARED | MAP_FIXED, 5, 4096, -ENOMEM),
			 "mmap(0x400000, 4096, PROT_NONE, MAP_SHARED|MAP_FIXED,"
			 " 5, 4096) = -1 ENOMEM (Cannot allocate memory)");
	ck_assert_str_eq(fmt(NR_brk, 0, 0, 0, 0, 0, 0, 0x555555559000),
			 "brk(NULL) = 0x555555559000");
	ck_assert_str_eq(fmt(NR_kill, 12, SIGTERM, 0, 0, 0, 0, 0),
			 "kill(12, SIGTERM) = 0");
	ck_assert_str_eq(fmt(NR_kill, (uint64_t)-1, 0, 0, 0, 0, 0, -ESRCH),
			 "kill(-1, 0) = -1 ESRCH (No such process)");
	ck_assert_str_eq(fmt(NR_rt_sigaction, SIGRTMIN + 2, 0, 0x1000, 8, 0, 0,
			     0),
			 "rt_sigaction(SIGRTMIN+2, NULL, 0x1000, 8) = 0");
	ck_assert_str_eq(fmt(NR_exit_group, 3, 0, 0, 0, 0, 0, STRACE_RET_NONE),
			 "exit_group(3) = ?");
}
END_TEST

START_TEST(strace_argv)
{
	uint64_t v, s[10];
	char want[512];

	boot_alone();
	for (int i = 0; i < 10; i++) {
		char b[8];

		snprintf(b, sizeof(b), "a%d", i);
		s[i] = ktest_ustr(b);
	}
	v = ktest_umap(4096, VM_READ | VM_WRITE);
	uint64_t three[4] = { s[0], s[1], s[2], 0 };
	ktest_put(v, three, sizeof(three));
	ck_assert_str_eq(fmt(NR_execve, s[9], v, 0, 0, 0, 0, -ENOENT),
			 "execve(\"a9\", [\"a0\", \"a1\", \"a2\"], NULL) = -1 "
			 "ENOENT (No such file or directory)");

	uint64_t ten[11];
	memcpy(ten, s, sizeof(s));
	ten[10] = 0;
	ktest_put(v, ten, sizeof(ten));
	ck_assert_str_eq(
		fmt(NR_execve, s[9], v, v + 80, 0, 0, 0, 0),
		"execve(\"a9\", [\"a0\", \"a1\", \"a2\", \"a3\", \"a4\","
		" \"a5\", \"a6\", \"a7\", ...], []) = 0");
	snprintf(want, sizeof(want),
		 "execve(\"a9\", 0x2000, NULL) = -1 EFAULT (Bad address)");
	ck_assert_str_eq(fmt(NR_execve, s[9], 0x2000, 0, 0, 0, 0, -EFAULT),
			 want);
}
END_TEST

START_TEST(strace_misc_kinds)
{
	uint64_t buf;

	boot_alone();
	buf = ktest_umap(4096, VM_READ | VM_WRITE);
	ktest_put(buf, "/tmp", 5);
	/* getcwd's result counts the NUL, which strace shows. */
	ck_assert_str_eq(fmt(NR_getcwd, buf, 4096, 0, 0, 0, 0, 5),
			 "getcwd(\"/tmp\\0\", 4096) = 5");
	ck_assert_str_eq(fmt(NR_clone3, 0, 88, 0, 0, 0, 0, -ENOSYS),
			 "clone3(NULL, 88) = -1 ENOSYS (Function not "
			 "implemented)");
	ck_assert_str_eq(fmt(NR_mseal, 0x1000, 4096, 0, 0, 0, 0, 0),
			 "mseal(0x1000, 4096, 0) = 0");
	ck_assert_str_eq(fmt(999, 1, 2, 3, 4, 5, 6, -ENOSYS),
			 "syscall_0x3e7(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 "
			 "ENOSYS (Function not implemented)");
}
END_TEST

START_TEST(strace_small_buffer_is_truncated)
{
	const uint64_t args[6] = { 3 };
	char small[8];
	long n;

	boot_alone();
	n = strace_format(small, sizeof(small), current, 3, args, 0);
	ck_assert_int_eq(n, (long)strlen("close(3) = 0"));
	ck_assert_str_eq(small, "close(3");
}
END_TEST

START_TEST(strace_prefix_with_two_tasks)
{
	struct task *child;
	struct thread *ct;
	char want[64];

	boot_alone();
	child = task_create(current->task);
	ck_assert_ptr_nonnull(child);
	ct = thread_create(child);
	ck_assert_ptr_nonnull(ct);
	const uint64_t args[6] = { 7 };
	strace_format(line, sizeof(line), ct, 3, args, -EBADF);
	snprintf(want, sizeof(want),
		 "[pid %d] close(7) = -1 EBADF (Bad file descriptor)", ct->tid);
	ck_assert_str_eq(line, want);
	/* Once two processes exist, init's lines are marked too. */
	strace_format(line, sizeof(line), current, 3, args, 0);
	ck_assert_str_eq(line, "[pid 1] close(7) = 0");
}
END_TEST

START_TEST(strace_errno_table)
{
	ck_assert_str_eq(strace_errno_name(ENOENT), "ENOENT");
	ck_assert_str_eq(strace_errno_text(EACCES), "Permission denied");
	ck_assert_str_eq(strace_errno_name(ENOTRECOVERABLE), "ENOTRECOVERABLE");
	ck_assert_str_eq(strace_errno_text(ENOSYS), "Function not implemented");
	ck_assert_str_eq(strace_errno_name(4000), "E???");
}
END_TEST

KTEST_SUITE(syscall_suite)
{
	Suite *s = suite_create("syscall");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, table_has_every_linux_number);
	tcase_add_test(tc, table_entries_are_well_formed);
	tcase_add_test(tc, table_done_handlers_are_linked);
	tcase_add_test(tc, missing_calls_return_enosys);
	tcase_add_test(tc, out_of_range_numbers_return_enosys);
	suite_add_tcase(s, tc);

	tc = tcase_create("dispatch");
	tcase_add_test(tc, handle_missing_sets_enosys_and_reports_once);
	tcase_add_test(tc, handle_bad_numbers_do_not_crash);
	tcase_add_test(tc, handle_prints_strace_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("strace");
	tcase_add_test(tc, strace_write_and_read);
	tcase_add_test(tc, strace_long_and_escaped_strings);
	tcase_add_test(tc, strace_open_flags_and_paths);
	tcase_add_test(tc, strace_mmap_brk_signals);
	tcase_add_test(tc, strace_argv);
	tcase_add_test(tc, strace_misc_kinds);
	tcase_add_test(tc, strace_small_buffer_is_truncated);
	tcase_add_test(tc, strace_prefix_with_two_tasks);
	tcase_add_test(tc, strace_errno_table);
	suite_add_tcase(s, tc);
	return s;
}
