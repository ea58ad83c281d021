/*
 * fuzz_syscalls.c: the syscall fuzzer (layer: test harness; libFuzzer
 * entry point over fuzz_kernel.c's fresh kernel per input). An input is a
 * short program of syscalls with typed arguments, run as real SYSCALL
 * traps of the kernel's user threads (kern_trap), so blocking, signal
 * delivery, fork and exec take their real paths.
 *
 * Input format (tests/fuzz/README.md, tests/fuzz/mkseeds.py): an 8-byte
 * header (byte 0: bit 0 strace on, bit 1 console is a terminal), then
 * 64-byte records (struct rec). A SYSCALL record names a number (the next
 * implemented one at or after it) and, per argument, a selector and a
 * value that are decoded by the argument's kind in syscall_table[].kind[]
 * (the table is the only list of syscalls and argument kinds here): fds
 * and pids that exist or that earlier calls returned, flags drawn from the
 * kind's valid bits plus invalid ones, paths from a small vocabulary,
 * buffers that are valid, unmapped, read-only, PROT_NONE or straddle a
 * page edge. Other records write user memory (structs, pointers, iovecs),
 * advance the clock, feed the console, play faults and send signals.
 *
 * Oracles: ASan/UBSan in the core, panics (abort), a result leaking a
 * kernel-internal code (-EKBLOCK, -ERESTART*) into a user register, and
 * user register state a HAL could not safely load (check_threads).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/klib.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/timer.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>
#include <uapi/signal.h>
#include <uapi/stat.h>

#include "fuzz.h"
#include "ktest.h"

/* Declared in kern/proc.h; weak so that the harness links against a core
 * that does not have them yet (the signal op is then skipped). */
#pragma weak proc_signal_task
#pragma weak proc_signal_thread
#pragma weak proc_signal_pgrp

/* ---- input format ---- */

#define HDR_BYTES 8
#define HDR_STRACE 0x1
#define HDR_TTY 0x2

enum {
	OP_MEMWRITE = 9, /* 9, 10 */
	OP_ADVANCE = 11,
	OP_CONSOLE = 12,
	OP_TRAP = 13,
	OP_SIGNAL = 14,
	/* 0..8 and 15: SYSCALL */
};

struct rec {
	uint8_t op;	/* op % 16: see the enum */
	uint8_t thread; /* which running thread (or task) it concerns */
	uint16_t nr;	/* syscall number; MEMWRITE: offset */
	uint8_t sel[6]; /* per argument: how to make it */
	uint8_t aux[6]; /* per argument: modifiers */
	uint64_t val[6];
};
_Static_assert(sizeof(struct rec) == 64, "records are 64 bytes");

/* ---- the scratch area every task gets (at a fixed address) ---- */

#define SCR_BASE 0x100000000ULL
#define PG(n) (SCR_BASE + (uint64_t)(n)*PAGE_SIZE)
#define DATA PG(0) /* 8 pages RW: buffers, structs, MEMWRITE */
#define DATA_BYTES (8 * PAGE_SIZE)
#define ROPG PG(8)  /* read-only, ends in non-NUL bytes */
#define HOLE PG(9)  /* unmapped */
#define EDGE PG(10) /* RW, followed by the PROT_NONE page */
#define NONE PG(11)
#define SLOTS PG(12) /* 6 slots of 2 pages: argument strings */
#define SLOT_BYTES (2 * PAGE_SIZE)
#define STACK PG(24) /* 8 pages RW */
#define STACK_TOP PG(32)
#define CODE PG(32) /* R|X: "syscall; hlt" */
#define SCR_END PG(33)

static const char *const vocab[] = {
	"/",
	".",
	"..",
	"",
	"/tmp",
	"/tmp/",
	"/tmp/file",
	"/tmp/ro",
	"/tmp/dir",
	"/tmp/dir/sub",
	"/tmp/dir/../file",
	"/tmp/./dir/.",
	"//tmp//file",
	"/tmp/file/",
	"/tmp/file/x",
	"/tmp/link",
	"/tmp/dirlink",
	"/tmp/loop",
	"/tmp/dangling",
	"/tmp/fifo",
	"/tmp/new",
	"/tmp/new2",
	"/tmp/dir/new",
	"new",
	"file",
	"dir",
	"sub",
	"link",
	"/bin/prog",
	"/bin/script",
	"/bin/noexec",
	"/bin",
	"/dev",
	"/dev/null",
	"/dev/zero",
	"/dev/full",
	"/dev/random",
	"/dev/urandom",
	"/dev/tty",
	"/dev/console",
	"/dev/stdin",
	"/proc",
	"/proc/self",
	"/proc/self/fd",
	"/proc/self/fd/0",
	"/proc/self/fd/1",
	"/proc/self/fd/3",
	"/proc/self/maps",
	"/proc/self/status",
	"/proc/self/stat",
	"/proc/self/cmdline",
	"/proc/self/environ",
	"/proc/self/exe",
	"/proc/self/cwd",
	"/proc/self/root",
	"/proc/self/mem",
	"/proc/1/status",
	"/proc/2/fd",
	"/proc/2/task",
	"/proc/meminfo",
	"/proc/mounts",
	"/proc/uptime",
	"/proc/cpuinfo",
	"/sys",
	"/nonexistent",
	"/tmp/dir/sub/../../file",
	"../../../../tmp/file",
	"tmpfs",
	"proc",
};
#define NVOCAB ARRAY_SIZE(vocab)

/* Addresses no call may touch: below and above the user range (the
 * hosted stub lives at HAL_USER_VA_END), non-canonical, kernel, and the
 * scratch area's own traps. */
static const uint64_t bad_addrs[] = {
	1,
	0xfff,
	HAL_USER_VA_START - 8,
	HAL_USER_VA_END,
	HAL_USER_VA_END + 0x1000,
	0x7ffffffff000ULL,
	0x800000000000ULL,
	0xffff800000000000ULL,
	0xffffffffff600000ULL,
	~0ULL,
	~0ULL - 4095,
	HOLE,
	NONE,
	SCR_END,
};

/* ---- per-input state ---- */

/* Every syscall result, as a hash: FUZZ_CHECK_RESET=1 runs each input
 * twice and compares, which checks that the reset between inputs leaves
 * nothing behind. */
static uint64_t trace_hash;

static void trace(uint64_t v)
{
	trace_hash = (trace_hash ^ v) * 0x100000001b3ULL;
}

static long small_pool[16]; /* results that look like fds or pids */
static unsigned small_n;
static uint64_t addr_pool[8]; /* results that look like addresses */
static unsigned addr_n;

/* Results join a pool; a pick counts from the newest (v = 0: the last). */
static void pool_add(long r)
{
	if (r > 0 && r < 65536)
		small_pool[small_n++ % ARRAY_SIZE(small_pool)] = r;
	else if ((uint64_t)r >= HAL_USER_VA_START &&
		 (uint64_t)r < HAL_USER_VA_END)
		addr_pool[addr_n++ % ARRAY_SIZE(addr_pool)] = (uint64_t)r;
}

static long small_pick(uint64_t v)
{
	unsigned n = MIN(small_n, (unsigned)ARRAY_SIZE(small_pool));

	if (!n)
		return (long)(v % 8);
	return small_pool[(small_n - 1 - v % n) % ARRAY_SIZE(small_pool)];
}

static bool addr_pick(uint64_t v, uint64_t *out)
{
	unsigned n = MIN(addr_n, (unsigned)ARRAY_SIZE(addr_pool));

	if (!n)
		return false;
	*out = addr_pool[(addr_n - 1 - v % n) % ARRAY_SIZE(addr_pool)];
	return true;
}

/* ---- tasks and threads ---- */

#define MAX_THREADS 64

static int collect_threads(struct thread **out, bool running_only)
{
	int n = 0;

	for (struct task *task = task_next(1); task;
	     task = task_next(task->pid + 1)) {
		struct thread *t;

		list_for_each_entry(t, &task->threads, task_link) {
			if (t->state == THREAD_DEAD)
				continue;
			if (running_only && t->state != THREAD_RUNNING)
				continue;
			if (n < MAX_THREADS)
				out[n++] = t;
		}
		if (task->pid >= INT32_MAX)
			break;
	}
	return n;
}

static int collect_tasks(struct task **out, bool need_mm)
{
	int n = 0;

	for (struct task *task = task_next(1); task && n < MAX_THREADS;
	     task = task_next(task->pid + 1)) {
		if (task->state != TASK_ALIVE)
			continue;
		if (need_mm && !task->mm)
			continue;
		out[n++] = task;
		if (task->pid >= INT32_MAX)
			break;
	}
	return n;
}

/* Nobody can run: let time pass to the next timer (a sleep, a timeout). */
static void unstick(void)
{
	uint64_t deadline = hal_test_timer_deadline();
	uint64_t now = hal_clock_monotonic_ns();

	if (deadline)
		hal_test_advance_ns(deadline > now ? deadline - now : 0);
}

static struct thread *pick_running(uint8_t sel)
{
	struct thread *ts[MAX_THREADS];
	int n = collect_threads(ts, true);

	if (n == 0) {
		unstick();
		n = collect_threads(ts, true);
	}
	return n ? ts[sel % n] : NULL;
}

/* ---- scratch memory ---- */

static const unsigned char code_bytes[] = { 0x0f, 0x05,
					    0xf4 }; /* syscall; hlt */

static void setup_scratch(struct mm *mm)
{
	static unsigned char ro[PAGE_SIZE];

	if (!ro[0]) {
		size_t off = 0;

		for (size_t i = 0; i < NVOCAB && off < PAGE_SIZE - 256; i++) {
			size_t n = strlen(vocab[i]) + 1;

			memcpy(ro + off, vocab[i], n);
			off += 64;
		}
		/* Strings that start near the end run into the hole. */
		memset(ro + PAGE_SIZE - 64, 'A', 64);
	}
	if (vm_map(mm, DATA, DATA_BYTES, VM_READ | VM_WRITE, 0, "[fuzz]") ||
	    vm_map(mm, ROPG, PAGE_SIZE, VM_READ, 0, "[fuzz-ro]") ||
	    vm_map(mm, EDGE, PAGE_SIZE, VM_READ | VM_WRITE, 0, NULL) ||
	    vm_map(mm, NONE, PAGE_SIZE, 0, 0, NULL) ||
	    vm_map(mm, SLOTS, 6 * SLOT_BYTES, VM_READ | VM_WRITE, 0, NULL) ||
	    vm_map(mm, STACK, STACK_TOP - STACK, VM_READ | VM_WRITE, 0,
		   "[fuzz-stack]") ||
	    vm_map(mm, CODE, PAGE_SIZE, VM_READ | VM_EXEC, 0, "[fuzz-code]"))
		return; /* out of memory: the calls see EFAULT */
	vm_write(mm, ROPG, ro, sizeof(ro), true);
	vm_write(mm, CODE, code_bytes, sizeof(code_bytes), true);
}

/* Every task gets the area; exec drops it with the old mm, fork copies. */
static void ensure_scratch(void)
{
	struct task *ts[MAX_THREADS];
	int n = collect_tasks(ts, true);

	for (int i = 0; i < n; i++) {
		if (!vm_find_vma(ts[i]->mm, CODE))
			setup_scratch(ts[i]->mm);
	}
}

/* ---- argument decoding ---- */

struct argctx {
	struct thread *t;
	struct mm *mm;
	const struct syscall_desc *d;
	const struct rec *r;
	uint64_t args[6];
	uint64_t room[6]; /* bytes usable from a pointer argument */
	bool is_ptr[6];
};

static uint64_t pick_bad(uint64_t v)
{
	return bad_addrs[v % ARRAY_SIZE(bad_addrs)];
}

/* A user pointer; *room: the bytes a call may use from it. */
static uint64_t dec_ptr(unsigned sel, uint64_t v, uint64_t *room)
{
	uint64_t off, p;

	switch (sel % 8) {
	case 0:
	case 1: /* inside the RW buffers, 8-aligned unless sel says not */
		off = (v % DATA_BYTES) & ((sel & 8) ? ~0ULL : ~7ULL);
		*room = DATA_BYTES - off;
		return DATA + off;
	case 2: /* read-only */
		off = v % PAGE_SIZE;
		*room = PAGE_SIZE - off;
		return ROPG + off;
	case 3:
		*room = 0;
		return 0;
	case 4:
		*room = 0;
		return pick_bad(v);
	case 5: /* straddling a page edge: RW->RO, RO->hole, RW->NONE */
		off = 1 + (v >> 2) % 128;
		*room = off + 64;
		switch (v % 3) {
		case 0:
			return ROPG - off;
		case 1:
			return HOLE - off;
		default:
			return NONE - off;
		}
	case 6: /* the stack */
		off = (v % (STACK_TOP - STACK)) & ~15ULL;
		*room = STACK_TOP - STACK - off;
		return STACK + off;
	default: /* an address an earlier call returned (mmap, brk) */
		if (addr_pick(v & 0xffffffff, &p)) {
			*room = PAGE_SIZE;
			return p + (v >> 32) % PAGE_SIZE;
		}
		*room = 0;
		return v;
	}
}

static void put_user(struct argctx *c, uint64_t ua, const void *p, size_t n)
{
	if (c->mm)
		vm_write(c->mm, ua, p, n, true);
}

static size_t vocab_str(char *buf, size_t cap, uint64_t v)
{
	return (size_t)ksnprintf(buf, cap, "%s", vocab[v % NVOCAB]);
}

/* A string argument: into slot i (or a trap address). */
static uint64_t dec_path(struct argctx *c, int i, unsigned sel, unsigned aux,
			 uint64_t v)
{
	static char buf[SLOT_BYTES];
	uint64_t slot = SLOTS + (uint64_t)i * SLOT_BYTES;
	size_t n = 0, len;

	switch (sel % 8) {
	case 0:
	case 1:
	case 2:
		n = vocab_str(buf, sizeof(buf), v);
		break;
	case 3: /* two vocabulary words joined */
		n = (size_t)ksnprintf(buf, sizeof(buf), "%s/%s",
				      vocab[v % NVOCAB],
				      vocab[(v >> 16) % NVOCAB]);
		break;
	case 4: /* raw bytes of v, maybe under /tmp/ */
		n = (aux & 1) ? (size_t)ksnprintf(buf, sizeof(buf), "/tmp/") :
				0;
		for (int b = 0; b < 8 && ((v >> (8 * b)) & 0xff); b++)
			buf[n++] = (char)(v >> (8 * b));
		buf[n] = '\0';
		break;
	case 5: /* no NUL before a page that cannot be read */
		if (v & 1)
			return HOLE - (1 + (v >> 1) % 63);
		len = 1 + (v >> 1) % 200;
		memset(buf, 'p', len);
		put_user(c, NONE - len, buf, len);
		return NONE - len;
	case 6:
		return (v & 3) == 0 ? 0 : pick_bad(v >> 2);
	default: { /* long: one huge component, or very many */
		static const size_t lens[] = { NAME_MAX,     NAME_MAX + 1,
					       PATH_MAX - 1, PATH_MAX,
					       PATH_MAX + 1, SLOT_BYTES - 1 };
		len = lens[v % ARRAY_SIZE(lens)];
		if (aux & 1) {
			n = (size_t)ksnprintf(buf, sizeof(buf), "/tmp/");
			memset(buf + n, 'n', len > n ? len - n : 0);
		} else {
			for (n = 0; n + 2 <= len; n += 2)
				memcpy(buf + n, (aux & 2) ? ".." : "d/", 2);
			if (n < len)
				buf[n] = 'x';
		}
		buf[len] = '\0';
		n = len;
		break;
	}
	}
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	put_user(c, slot, buf, n + 1);
	return slot;
}

/* A NULL-terminated array of strings (argv, envp) in slot i. */
static uint64_t dec_strv(struct argctx *c, int i, unsigned sel, unsigned aux,
			 uint64_t v)
{
	uint64_t slot = SLOTS + (uint64_t)i * SLOT_BYTES;
	static uint64_t ptrs[SLOT_BYTES / 8];
	char s[64];
	size_t count, strings;
	uint64_t at;

	switch (sel % 8) {
	case 4:
		return 0;
	case 5:
		return pick_bad(v);
	case 6: /* one element is a bad pointer */
		count = 1 + (v & 0xff) % 4;
		for (size_t k = 0; k < count; k++)
			ptrs[k] = DATA;
		ptrs[(v >> 8) % count] = pick_bad(v >> 16);
		ptrs[count] = 0;
		put_user(c, slot, ptrs, 8 * (count + 1));
		return slot;
	case 7: /* no NULL before the PROT_NONE page */
		count = 1 + v % 8;
		for (size_t k = 0; k < count; k++)
			ptrs[k] = ROPG;
		put_user(c, NONE - 8 * count, ptrs, 8 * count);
		return NONE - 8 * count;
	case 3: /* many copies of one string (E2BIG, large stacks) */
		count = 256 + (v & 0xffff) % 700;
		strings = 1;
		break;
	default: /* count in the low byte, vocabulary words in the others */
		count = (v & 0xff) % 5;
		strings = count;
		break;
	}
	/* The strings after the pointer array. */
	at = slot + 8 * (count + 1);
	for (size_t k = 0; k < strings; k++) {
		size_t n;

		if (aux & 1)
			n = (size_t)ksnprintf(
				s, sizeof(s), "V%zu=%s", k,
				vocab[(v >> (8 * k + 8)) % NVOCAB]);
		else
			n = vocab_str(s, sizeof(s), v >> (8 * k + 8));
		if (at + n + 1 > slot + SLOT_BYTES)
			break;
		put_user(c, at, s, n + 1);
		ptrs[k] = at;
		at += n + 1;
	}
	for (size_t k = strings; k < count; k++)
		ptrs[k] = ptrs[0];
	ptrs[count] = 0;
	put_user(c, slot, ptrs, 8 * (count + 1));
	return slot;
}

/* An open fd of the calling task counted from the highest (v = 0: the
 * newest, usually), or -1 when it has none. */
static long open_fd(struct task *task, uint64_t v)
{
	int fds[64], n = 0;

	for (int fd = files_next_fd(task->files, 0); fd >= 0 && n < 64;
	     fd = files_next_fd(task->files, fd + 1))
		fds[n++] = fd;
	return n ? fds[n - 1 - (int)(v % (unsigned)n)] : -1;
}

static long dec_fd(struct argctx *c, unsigned sel, uint64_t v, bool dirfd)
{
	static const long special[] = { -1,	   AT_FDCWD,  1023,  1024,
					INT32_MAX, INT32_MIN, 65535, -2 };
	long fd;

	switch (sel % 8) {
	case 0:
	case 1:
	case 2:
		fd = open_fd(c->t->task, v);
		return fd >= 0 ? fd : (long)(v % 4);
	case 3:
		return small_pick(v);
	case 4:
		return (long)(v % 8);
	case 5:
		return special[v % ARRAY_SIZE(special)];
	case 6:
		return (long)(int32_t)v;
	default:
		return dirfd ? AT_FDCWD : open_fd(c->t->task, v);
	}
}

static long dec_pid(struct argctx *c, unsigned sel, uint64_t v)
{
	struct thread *ts[MAX_THREADS];
	struct task *tk[MAX_THREADS];
	int n;

	/* Tasks and threads counted from the newest (highest id). */
	switch (sel % 8) {
	case 0:
	case 1:
		n = collect_tasks(tk, false);
		return n ? tk[n - 1 - (int)(v % (unsigned)n)]->pid : 1;
	case 2:
		n = collect_threads(ts, false);
		return n ? ts[n - 1 - (int)(v % (unsigned)n)]->tid : 1;
	case 3:
		return small_pick(v);
	case 4:
		return 0;
	case 5:
		return -1;
	case 6:
		n = collect_tasks(tk, false);
		return n ? -tk[n - 1 - (int)(v % (unsigned)n)]->pgid : -1;
	default:
		return (long)(int32_t)v;
	}
}

/* Each bit of v picks one of the kind's valid bits; invalid bits come
 * with sel. */
static uint64_t pick_bits(const uint64_t *bits, size_t n, uint64_t v)
{
	uint64_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (v & (1ULL << i))
			out |= bits[i];
	}
	return out;
}

static uint64_t dec_oflags(unsigned sel, uint64_t v)
{
	static const uint64_t bits[] = {
		O_CREAT,     O_EXCL,	 O_NOCTTY,  O_TRUNC,   O_APPEND,
		O_NONBLOCK,  O_DSYNC,	 O_ASYNC,   O_DIRECT,  O_LARGEFILE,
		O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC, O_SYNC,
		O_PATH,	     O_TMPFILE,
	};
	static const uint64_t invalid[] = { O_ACCMODE, 0x80000000u, 0x4000000u,
					    040000000u };
	/* Most calls take few flags: bits beyond the first word are rare. */
	uint64_t f = pick_bits(bits, ARRAY_SIZE(bits), (v >> 2) & (v >> 24));

	switch (sel % 4) {
	case 0:
		return (v & 3) % 3 | f;
	case 1:
		return (v & 3) | f | invalid[(v >> 40) % ARRAY_SIZE(invalid)];
	case 2:
		return (uint32_t)v;
	default:
		return (v & 3) % 3;
	}
}

static uint64_t dec_prot(unsigned sel, uint64_t v)
{
	static const uint64_t bits[] = { PROT_READ, PROT_WRITE, PROT_EXEC };
	static const uint64_t extra[] = { PROT_GROWSDOWN, PROT_GROWSUP, 0x8,
					  0x10, 0x80000000u };

	switch (sel % 4) {
	case 0:
	case 1:
		return pick_bits(bits, 3, v);
	case 2:
		return pick_bits(bits, 3, v) |
		       extra[(v >> 8) % ARRAY_SIZE(extra)];
	default:
		return (uint32_t)v;
	}
}

static uint64_t dec_mflags(unsigned sel, uint64_t v)
{
	static const uint64_t types[] = { MAP_PRIVATE, MAP_SHARED,
					  MAP_SHARED_VALIDATE, 0, 0x0f };
	static const uint64_t bits[] = {
		MAP_ANONYMOUS,	     MAP_FIXED,	    MAP_POPULATE,
		MAP_NORESERVE,	     MAP_GROWSDOWN, MAP_STACK,
		MAP_FIXED_NOREPLACE, MAP_32BIT,	    MAP_DENYWRITE,
		MAP_EXECUTABLE,	     MAP_LOCKED,    MAP_NONBLOCK,
		MAP_HUGETLB,	     MAP_SYNC,
	};
	uint64_t t = (v & 7) < 4 ? types[v & 1] : types[(v >> 3) % 5];
	/* The first bits (anonymous, fixed, populate) are the usual ones. */
	uint64_t b =
		pick_bits(bits, ARRAY_SIZE(bits),
			  ((v >> 6) & 0x7) | (((v >> 9) & (v >> 23)) << 3));

	switch (sel % 4) {
	case 0:
	case 1:
		return t | b;
	case 2:
		return t | b | (1ULL << (12 + (v >> 40) % 20));
	default:
		return (uint32_t)v;
	}
}

static long dec_signo(unsigned sel, uint64_t v)
{
	static const long common[] = { SIGKILL, SIGSTOP, SIGCONT, SIGCHLD,
				       SIGSEGV, SIGUSR1, SIGTERM, SIGPIPE };

	switch (sel % 6) {
	case 0:
		return (long)(int32_t)v;
	case 1:
		return 1 + (long)(v % 31);
	case 2:
		return 32 + (long)(v % 33); /* real-time, and 64 */
	case 3:
		return common[v % ARRAY_SIZE(common)];
	case 4:
		return 0;
	default:
		return (v & 1) ? 65 + (long)(v % 64) : -(long)(v % 64);
	}
}

static uint64_t dec_mode(unsigned sel, uint64_t v)
{
	static const uint64_t types[] = { S_IFREG, S_IFDIR,  S_IFCHR, S_IFBLK,
					  S_IFIFO, S_IFSOCK, S_IFLNK, 0 };

	switch (sel % 4) {
	case 0:
		return v & 0777;
	case 1:
		return v & 07777;
	case 2:
		return types[(v >> 12) % 8] | (v & 07777);
	default:
		return (uint32_t)v;
	}
}

static uint64_t dec_size(unsigned sel, uint64_t v, uint64_t room)
{
	static const uint64_t special[] = {
		0,	    1,	      4095,	  4096,		  4097,
		PATH_MAX,   ~0ULL,    1ULL << 31, 1ULL << 32,	  1ULL << 40,
		~0ULL >> 1, -4096ULL, DATA_BYTES, DATA_BYTES + 1,
	};

	switch (sel % 6) {
	case 0:
	case 1: /* what the buffer holds, or a little less */
		return room ? room - MIN(room, (v % 4 ? 0 : v % 64)) : v % 64;
	case 2:
		return v % 64;
	case 3:
		return v % 8192;
	case 4:
		return special[v % ARRAY_SIZE(special)];
	default:
		return v;
	}
}

static uint64_t dec_off(unsigned sel, uint64_t v)
{
	static const int64_t special[] = { -1,	      -4096,
					   INT64_MAX, 1LL << 32,
					   1LL << 40, 4096,
					   INT64_MIN, INT64_MAX - 4095 };

	switch (sel % 4) {
	case 0:
		return 0;
	case 1:
		return v % 8192;
	case 2:
		return (uint64_t)special[v % ARRAY_SIZE(special)];
	default:
		return v;
	}
}

/* Plain integers (int, unsigned, long, hex flags and commands). */
static uint64_t dec_int(unsigned sel, uint64_t v, unsigned kind)
{
	static const int64_t special[] = { -1,	       INT32_MIN, INT32_MAX,
					   UINT32_MAX, INT64_MAX, INT64_MIN };
	uint64_t room;

	switch (sel % 8) {
	case 0:
		return 0;
	case 1:
		return v % 16;
	case 2:
		return (uint64_t)((int64_t)(v % 256) - 128);
	case 3:
		return (kind == SC_INT || kind == SC_UINT) ? (uint32_t)v : v;
	case 4:
		return v;
	case 5:
		return 1ULL << (v % 64);
	case 6: /* flags words are sometimes pointers (ioctl, prctl) */
		return dec_ptr((unsigned)(v >> 56), v, &room);
	default:
		return (uint64_t)special[v % ARRAY_SIZE(special)];
	}
}

static bool is_ptr_kind(unsigned k)
{
	return k == SC_PTR || k == SC_PATH || k == SC_STR || k == SC_INBUF ||
	       k == SC_OUTBUF || k == SC_STRV;
}

static void decode_args(struct argctx *c)
{
	const struct syscall_desc *d = c->d;
	const struct rec *r = c->r;

	/* Pointers first, so that sizes can fit the buffers they go with. */
	for (int i = 0; i < d->nargs && i < 6; i++) {
		unsigned k = d->kind[i], sel = r->sel[i], aux = r->aux[i];
		uint64_t v = r->val[i];

		if (!is_ptr_kind(k))
			continue;
		c->is_ptr[i] = true;
		if (k == SC_PATH || k == SC_STR)
			c->args[i] = dec_path(c, i, sel, aux, v);
		else if (k == SC_STRV)
			c->args[i] = dec_strv(c, i, sel, aux, v);
		else
			c->args[i] = dec_ptr(sel, v, &c->room[i]);
	}
	for (int i = 0; i < d->nargs && i < 6; i++) {
		unsigned k = d->kind[i], sel = r->sel[i];
		uint64_t v = r->val[i], room = 0;

		if (c->is_ptr[i])
			continue;
		/* The buffer this size belongs to: an inbuf naming it, else
		 * the nearest pointer argument before it. */
		for (int j = 0; j < d->nargs && j < 6; j++) {
			if (d->kind[j] == SC_INBUF && d->len_arg[j] == i)
				room = c->room[j] ? c->room[j] : 1;
		}
		for (int j = i - 1; j >= 0 && !room; j--) {
			if (c->is_ptr[j])
				room = c->room[j];
		}
		switch (k) {
		case SC_FD:
			c->args[i] = (uint64_t)dec_fd(c, sel, v, false);
			break;
		case SC_DIRFD:
			c->args[i] = (uint64_t)dec_fd(c, sel, v, true);
			break;
		case SC_PID:
			c->args[i] = (uint64_t)dec_pid(c, sel, v);
			break;
		case SC_OFLAGS:
			c->args[i] = dec_oflags(sel, v);
			break;
		case SC_PROT:
			c->args[i] = dec_prot(sel, v);
			break;
		case SC_MFLAGS:
			c->args[i] = dec_mflags(sel, v);
			break;
		case SC_SIGNO:
			c->args[i] = (uint64_t)dec_signo(sel, v);
			break;
		case SC_MODE:
			c->args[i] = dec_mode(sel, v);
			break;
		case SC_SIZE:
			c->args[i] = dec_size(sel, v, room);
			break;
		case SC_OFF:
			c->args[i] = dec_off(sel, v);
			break;
		default:
			c->args[i] = dec_int(sel, v, k);
			break;
		}
	}
	/* A call that moves data between two fds (sendfile, splice,
	 * copy_file_range) may legitimately copy 2 GiB from /dev/zero to
	 * /dev/null in one go, seconds of work that tell nothing new: its
	 * sizes are cut to 1 MiB. Calls with a user buffer stop at the end
	 * of the scratch area, so their sizes stay as decoded. */
	int nfds = 0;

	for (int i = 0; i < d->nargs && i < 6; i++)
		nfds += d->kind[i] == SC_FD;
	for (int i = 0; i < d->nargs && i < 6 && nfds >= 2; i++) {
		if (d->kind[i] == SC_SIZE && c->args[i] > (1ULL << 20))
			c->args[i] = 1ULL << 20;
	}
	/* Unused registers carry noise, as they do in real programs. */
	for (int i = d->nargs; i < 6; i++)
		c->args[i] = r->val[i];
}

/* ---- operations ---- */

static bool name_is(const struct syscall_desc *d, const char *name)
{
	return d->name && strcmp(d->name, name) == 0;
}

/* The implemented syscall at or after raw; init never exits (its end
 * halts the machine: left to signals, which the harness survives). */
static long pick_nr(unsigned raw, struct thread *t)
{
	for (unsigned k = 0; k < SYSCALL_MAX; k++) {
		long nr = (long)((raw + k) % SYSCALL_MAX);
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name || !d->call)
			continue;
		if (t->task->pid == 1 &&
		    (name_is(d, "exit") || name_is(d, "exit_group")))
			continue;
		return nr;
	}
	return -1;
}

/* Linux's errno values end at EHWPOISON (133). */
#define MAX_LINUX_ERRNO 133

static void op_syscall(const struct rec *r)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };
	struct argctx c;
	struct thread *t = pick_running(r->thread);
	long nr, ret;

	if (!t)
		return;
	nr = pick_nr(r->nr, t);
	if (nr < 0)
		return;
	memset(&c, 0, sizeof(c));
	c.t = t;
	c.mm = t->task->mm;
	c.d = &syscall_table[nr];
	c.r = r;
	decode_args(&c);

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = c.args[0];
	t->uctx.rsi = c.args[1];
	t->uctx.rdx = c.args[2];
	t->uctx.r10 = c.args[3];
	t->uctx.r8 = c.args[4];
	t->uctx.r9 = c.args[5];
	/* The syscall instruction clobbers rcx and r11. */
	t->uctx.rcx = t->uctx.rip;
	t->uctx.r11 = t->uctx.rflags;
	kern_trap(&t->uctx, &trap);

	/* t is still allocated: dead threads are freed at the next trap. */
	trace((uint64_t)nr << 8 | t->state);
	if (t->state != THREAD_RUNNING)
		return;
	ret = (long)t->uctx.rax;
	trace((uint64_t)ret);
	if (ret < 0 && ret >= -4095 && -ret > MAX_LINUX_ERRNO)
		fuzz_fail("%s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) returned "
			  "%ld to user mode: a kernel-internal code",
			  c.d->name, (unsigned long)c.args[0],
			  (unsigned long)c.args[1], (unsigned long)c.args[2],
			  (unsigned long)c.args[3], (unsigned long)c.args[4],
			  (unsigned long)c.args[5], ret);
	pool_add(ret);
}

static void op_memwrite(const struct rec *r)
{
	struct task *ts[MAX_THREADS];
	int n = collect_tasks(ts, true);
	uint64_t off = r->nr % DATA_BYTES, room, pair[2];
	struct mm *mm;
	size_t len;
	char s[64];

	if (!n)
		return;
	mm = ts[r->thread % n]->mm;
	switch (r->sel[1] % 5) {
	case 0: /* raw bytes */
		len = MIN((size_t)(r->sel[0] % 48) + 1, DATA_BYTES - off);
		vm_write(mm, DATA + off, r->val, len, true);
		break;
	case 1: /* a pointer */
		off &= ~7ULL;
		pair[0] = dec_ptr(r->sel[2], r->val[0], &room);
		vm_write(mm, DATA + off, pair, 8, true);
		break;
	case 2: /* an fd or pid an earlier call returned */
		off &= ~3ULL;
		pair[0] = (uint64_t)small_pick(r->val[0]);
		vm_write(mm, DATA + off, pair, (r->aux[0] & 1) ? 8 : 4, true);
		break;
	case 3: /* an iovec: {base, len} */
		off = MIN(off & ~15ULL, DATA_BYTES - 16);
		pair[0] = dec_ptr(r->sel[2], r->val[0], &room);
		pair[1] = dec_size(r->sel[3], r->val[1], room);
		vm_write(mm, DATA + off, pair, 16, true);
		break;
	default: /* a vocabulary string */
		len = vocab_str(s, sizeof(s), r->val[0]) + 1;
		len = MIN(len, DATA_BYTES - off);
		vm_write(mm, DATA + off, s, len, true);
		break;
	}
}

static void op_advance(const struct rec *r)
{
	uint64_t deadline = hal_test_timer_deadline();
	uint64_t now = hal_clock_monotonic_ns();

	switch (r->sel[0] % 4) {
	case 0:
		hal_test_advance_ns(deadline > now ? deadline - now : 1000000);
		break;
	case 1:
		hal_test_advance_ns(1000000);
		break;
	case 2:
		hal_test_advance_ns(NSEC_PER_SEC);
		break;
	default:
		hal_test_advance_ns(r->val[0] % (100 * NSEC_PER_SEC));
		break;
	}
}

static void op_console(const struct rec *r)
{
	if (r->sel[0] % 4 == 3)
		hal_test_console_eof();
	else
		hal_test_console_feed(r->val, (size_t)(r->sel[1] % 48) + 1);
}

static void op_trap(const struct rec *r)
{
	static const unsigned access[] = {
		HAL_ACC_READ,
		HAL_ACC_WRITE,
		HAL_ACC_EXEC,
		HAL_ACC_UNKNOWN,
		HAL_ACC_READ | HAL_ACC_PRESENT,
		HAL_ACC_WRITE | HAL_ACC_PRESENT,
		HAL_ACC_EXEC | HAL_ACC_PRESENT,
		HAL_ACC_UNKNOWN,
	};
	static const int signos[] = { SIGILL, SIGFPE, SIGTRAP, SIGBUS,
				      SIGSEGV };
	struct hal_trap trap = { 0 };
	struct thread *t = pick_running(r->thread);
	uint64_t room;

	if (!t)
		return;
	switch (r->sel[0] % 8) {
	case 0:
	case 1:
	case 2:
	case 3:
		trap.kind = HAL_TRAP_PAGE_FAULT;
		trap.addr = dec_ptr(r->sel[1], r->val[0], &room);
		trap.access = access[r->sel[2] % 8];
		break;
	case 4:
		trap.kind = HAL_TRAP_FAULT;
		trap.signo = signos[r->sel[2] % ARRAY_SIZE(signos)];
		trap.code = 1 + r->sel[3] % 4;
		trap.addr = dec_ptr(r->sel[1], r->val[0], &room);
		break;
	case 5:
		trap.kind = HAL_TRAP_GONE;
		break;
	default:
		trap.kind = HAL_TRAP_PREEMPTED;
		break;
	}
	kern_trap(&t->uctx, &trap);
}

static void op_signal(const struct rec *r)
{
	static const int host_sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct task *tk[MAX_THREADS];
	struct thread *th[MAX_THREADS];
	int sig = (int)dec_signo(r->sel[1], r->val[0]);
	int n;

	if (!proc_signal_task || !proc_signal_thread || !proc_signal_pgrp)
		return;
	/* Kernel senders only send real signals. */
	if (sig < 1 || sig > NSIG)
		sig = SIGUSR1;
	switch (r->sel[0] % 8) {
	case 0:
	case 1:
	case 2:
		n = collect_tasks(tk, false);
		if (n)
			proc_signal_task(tk[r->thread % n], sig);
		break;
	case 3:
	case 4:
		n = collect_threads(th, false);
		if (n)
			proc_signal_thread(th[r->thread % n], sig);
		break;
	case 5:
	case 6:
		n = collect_tasks(tk, false);
		proc_signal_pgrp(n ? tk[r->thread % n]->pgid : 1, sig);
		break;
	default: /* the host stops the kernel: everything ends */
		kern_host_signal(host_sigs[r->sel[2] % 3]);
		break;
	}
}

/*
 * What the core hands a HAL for user mode must be safe to load there:
 * user segments, interrupts on, no IOPL, NT or VM86 flag, and FS/GS bases
 * in the canonical lower half (a bare-metal HAL loads them into MSRs,
 * where a non-canonical value faults in the kernel). rip may be anything:
 * a bad one faults in user mode.
 */
static void check_threads(void)
{
	struct thread *ts[MAX_THREADS];
	int n = collect_threads(ts, true);

	for (int i = 0; i < n; i++) {
		const struct hal_uctx *u = &ts[i]->uctx;

		if (u->cs != 0x33 || u->ss != 0x2b)
			fuzz_fail("thread %d runs with cs %#llx ss %#llx",
				  ts[i]->tid, (unsigned long long)u->cs,
				  (unsigned long long)u->ss);
		if (!(u->rflags & 0x200) || (u->rflags & 0x27000))
			fuzz_fail("thread %d runs with rflags %#llx",
				  ts[i]->tid, (unsigned long long)u->rflags);
		if (u->fs_base >= 0x800000000000ULL ||
		    u->gs_base >= 0x800000000000ULL)
			fuzz_fail("thread %d runs with fs_base %#llx gs_base "
				  "%#llx",
				  ts[i]->tid, (unsigned long long)u->fs_base,
				  (unsigned long long)u->gs_base);
	}
}

static void run_op(const struct rec *r)
{
	switch (r->op % 16) {
	case OP_MEMWRITE:
	case OP_MEMWRITE + 1:
		op_memwrite(r);
		break;
	case OP_ADVANCE:
		op_advance(r);
		break;
	case OP_CONSOLE:
		op_console(r);
		break;
	case OP_TRAP:
		op_trap(r);
		break;
	case OP_SIGNAL:
		op_signal(r);
		break;
	default:
		op_syscall(r);
		break;
	}
	check_threads();
	ensure_scratch();
}

/* ---- the files every input starts with ---- */

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
				     .p_paddr = 0x400000,
				     .p_filesz = 0x200,
				     .p_memsz = 0x200,
				     .p_align = 0x1000 };
	ph[1] = (struct elf64_phdr){ .p_type = PT_LOAD,
				     .p_flags = PF_R | PF_W,
				     .p_offset = 0x200,
				     .p_vaddr = 0x401200,
				     .p_paddr = 0x401200,
				     .p_filesz = 0x10,
				     .p_memsz = 0x2000,
				     .p_align = 0x1000 };
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
	memcpy(buf + 0x100, code_bytes, sizeof(code_bytes));
	return 0x210;
}

static void make_files(void)
{
	static unsigned char elf[0x210];
	static const char script[] = "#!/bin/prog -x\n";
	static const char text[] = "hello, world\nsecond line\n";
	size_t elf_len = make_elf(elf);

	vfs_mkdirat(AT_FDCWD, "/bin", 0755);
	fuzz_write_file("/bin/prog", elf, elf_len, 0755);
	fuzz_write_file("/bin/script", script, sizeof(script) - 1, 0755);
	fuzz_write_file("/bin/noexec", elf, elf_len, 0644);
	fuzz_write_file("/tmp/file", text, sizeof(text) - 1, 0644);
	fuzz_write_file("/tmp/ro", text, sizeof(text) - 1, 0444);
	vfs_mkdirat(AT_FDCWD, "/tmp/dir", 0755);
	vfs_mkdirat(AT_FDCWD, "/tmp/dir/sub", 0700);
	vfs_symlinkat("file", AT_FDCWD, "/tmp/link");
	vfs_symlinkat("/tmp/dir", AT_FDCWD, "/tmp/dirlink");
	vfs_symlinkat("loop", AT_FDCWD, "/tmp/loop");
	vfs_symlinkat("/nowhere", AT_FDCWD, "/tmp/dangling");
	vfs_mknodat(AT_FDCWD, "/tmp/fifo", S_IFIFO | 0644, 0);
}

static void boot(const struct fuzz_boot_opts *o)
{
	int err = fuzz_boot(o);

	if (err)
		fuzz_fail("boot failed: %d", err);
	make_files();
	current->uctx.rip = CODE;
	current->uctx.rsp = STACK_TOP - 128;
	ensure_scratch();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static uint64_t run_program(const uint8_t *data, size_t size)
{
	struct fuzz_boot_opts o = { 0 };
	static struct rec r; /* static: setjmp may clobber locals */
	static size_t off;
	size_t out_len;

	if (size >= 1) {
		o.strace = data[0] & HDR_STRACE;
		o.console_tty = data[0] & HDR_TTY;
	}
	small_n = addr_n = 0;
	trace_hash = 0xcbf29ce484222325ULL;
	if (!FUZZ_RUN(boot(&o)))
		fuzz_fail("the kernel halted while booting");

	for (off = HDR_BYTES; off + sizeof(r) <= size; off += sizeof(r)) {
		memcpy(&r, data + off, sizeof(r));
		if (!FUZZ_RUN(run_op(&r)))
			break; /* the kernel halted (init ended) */
	}
	hal_test_console_out(&out_len);
	trace(out_len);
	fuzz_check_leaks();
	fuzz_reset();
	return trace_hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int check = -1;
	uint64_t first;

	if (check < 0)
		check = getenv("FUZZ_CHECK_RESET") &&
			atoi(getenv("FUZZ_CHECK_RESET"));
	first = run_program(data, size);
	if (check && run_program(data, size) != first)
		fuzz_fail("the same input gave different results on its second "
			  "run: the reset between inputs missed some state");
	return 0;
}
