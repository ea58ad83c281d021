/*
 * The systrap platform (`ember run --platform=systrap`): guest threads
 * are host threads of an untraced stub process under a seccomp filter
 * that answers every syscall made outside the stub's code with
 * SECCOMP_RET_TRAP. The SIGSYS handler in the stub (stub_systrap.S)
 * saves the registers in the thread's page of a control area shared with
 * the kernel (a slice of the phys memfd), writes the run's eventfd and
 * waits on a futex in that page; the loop (loop.c) reads the eventfd,
 * reports the trap to the core and hal_uctx_start writes the registers
 * back and wakes the thread. Faults and SIGURG (preemption) take the same
 * path. Mappings and new threads are made by the stub's mapper thread,
 * the only one whose filter allows mmap/munmap/mprotect/clone, which
 * reads the kernel's commands from a page that is read-only in the stub.
 * Relies on: phys.c (memfd), confine.c (namespaces), loop.c (eventfd
 * watch, deferred traps, SIGCHLD via ptrace_reap).
 */
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hosted.h"
#include "systrap.h"

_Static_assert(ST_BASE == STUB_BASE, "systrap.h and hosted.h agree");

extern const char st_code_start[], st_code_end[];
extern const uint64_t st_entry_off, st_handler_off, st_restorer_off;

#define MAX_AS 1024
#define PAGE 4096

struct st_as;

struct st_thread {
	struct st_as *as;
	int slot;
	volatile uint8_t *pg;
	struct hal_uctx *uctx;
	pid_t tid;	 /* in the stub's PID namespace */
	uint64_t fs, gs; /* what the host thread has now */
	bool running, gone, deferred;
	struct hal_trap deferred_trap;
	struct st_thread *next_deferred;
};

struct st_as {
	pid_t pid;
	bool dead, reaped;
	int idx;      /* control-area slice */
	uint8_t *ctl; /* the kernel's view of the slice */
	int reply_fd; /* read end of the mapper's reply pipe */
	int door_fd;  /* write end of its doorbell pipe */
	uint32_t seq; /* last command posted */
	bool pending; /* its reply is not read yet */
	int nthreads;
	int hw; /* slots [0, hw) were ever bound: what scans look at */
	struct st_thread *slots[ST_SLOTS];
	struct st_as *next;
};

bool systrap_active;
static int ev_fd = -1;
static uint8_t *ctl_area;
static uint64_t ctl_off0;
static bool as_idx_used[MAX_AS];
static bool have_fsgsbase;
static struct st_as *all_st;
static struct st_thread *deferred_list;

static struct sock_filter guest_prog[96], mapper_prog[160];
static unsigned guest_len, mapper_len;

/* ---------------------------------------------------------------- */
/* The seccomp programs                                              */
/* ---------------------------------------------------------------- */

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)
#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define IP_OFF offsetof(struct seccomp_data, instruction_pointer)

struct prog {
	struct sock_filter *f;
	unsigned n;
};

static void ld(struct prog *p, uint32_t off)
{
	p->f[p->n++] =
		(struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off);
}

static void jeq(struct prog *p, uint32_t k, uint8_t jt, uint8_t jf)
{
	p->f[p->n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						    k, jt, jf);
}

static void jge(struct prog *p, uint32_t k, uint8_t jt, uint8_t jf)
{
	p->f[p->n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
						    k, jt, jf);
}

static void ret(struct prog *p, uint32_t action)
{
	p->f[p->n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action);
}

/* Everything not from the stub's code traps; so does anything that is
 * not x86_64 or is x32, from anywhere. (The IP seccomp sees is the
 * address after the syscall instruction.) */
static void emit_head(struct prog *p)
{
	ld(p, ARCH_OFF);
	jeq(p, AUDIT_ARCH_X86_64, 1, 0);
	ret(p, SECCOMP_RET_TRAP);
	ld(p, NR_OFF);
	jge(p, 0x40000000, 0, 1);
	ret(p, SECCOMP_RET_TRAP);
	ld(p, IP_OFF + 4);
	jeq(p, (uint32_t)(ST_BASE >> 32), 1, 0);
	ret(p, SECCOMP_RET_TRAP);
	ld(p, IP_OFF);
	jge(p, (uint32_t)ST_BASE + ST_CODE_SIZE, 0, 1);
	ret(p, SECCOMP_RET_TRAP);
}

/* ALLOW when nr matches and each (arg, value) pair matches (64 bits);
 * otherwise on to the next rule. */
static void emit_allow(struct prog *p, int nr, int nconds, const int *argi,
		       const uint64_t *val)
{
	ld(p, NR_OFF);
	jeq(p, (uint32_t)nr, 0, (uint8_t)(4 * nconds + 1));
	for (int i = 0; i < nconds; i++) {
		uint8_t left = (uint8_t)(4 * (nconds - i - 1) + 1);

		ld(p, ARG_LO(argi[i]));
		jeq(p, (uint32_t)val[i], 0, (uint8_t)(left + 2));
		ld(p, ARG_HI(argi[i]));
		jeq(p, (uint32_t)(val[i] >> 32), 0, left);
	}
	ret(p, SECCOMP_RET_ALLOW);
}

static void allow(struct prog *p, int nr)
{
	emit_allow(p, nr, 0, NULL, NULL);
}

static void allow1(struct prog *p, int nr, int a, uint64_t v)
{
	emit_allow(p, nr, 1, &a, &v);
}

/* What a guest thread's own code in the stub needs; each is harmless
 * when a guest jumps to it with registers of its choosing: a futex on
 * its own memory, a write to the trap eventfd, rt_sigreturn and
 * arch_prctl of its own registers, ending its thread or process. */
static void emit_guest_allows(struct prog *p)
{
	allow1(p, SYS_futex, 1, FUTEX_WAIT);
	allow1(p, SYS_futex, 1, FUTEX_WAKE);
	allow1(p, SYS_write, 0, ST_FD_EVENT);
	allow(p, SYS_rt_sigreturn);
	allow(p, SYS_exit);
	allow(p, SYS_exit_group);
	allow1(p, SYS_arch_prctl, 0, 0x1002); /* ARCH_SET_FS */
	allow1(p, SYS_arch_prctl, 0, 0x1001); /* ARCH_SET_GS */
}

static void build_filters(void)
{
	struct prog g = { guest_prog, 0 }, m = { mapper_prog, 0 };
	static const int mm_args[2] = { 3, 4 };
	static const uint64_t mm_vals[2] = { MAP_SHARED | MAP_FIXED,
					     ST_FD_MEM };

	emit_head(&g);
	emit_guest_allows(&g);
	/* Anything else from the stub's code is a guest that jumped
	 * there: its syscall is the guest's, for Ember to answer. */
	ret(&g, SECCOMP_RET_TRAP);
	guest_len = g.n;

	/* The mapper's filter. Threads the mapper clones keep it under their
	 * own guest filter, so it allows all the guest's calls too and traps
	 * (never kills) everything else. */
	emit_head(&m);
	emit_guest_allows(&m);
	emit_allow(&m, SYS_mmap, 2, mm_args, mm_vals);
	allow(&m, SYS_munmap);
	allow(&m, SYS_mprotect);
	allow1(&m, SYS_clone, 0, ST_THREAD_FLAGS | ST_CLONE_TIDS);
	allow1(&m, SYS_write, 0, ST_FD_REPLY);
	allow1(&m, SYS_read, 0, ST_FD_DOOR);
	allow(&m, SYS_getpid);
	allow(&m, SYS_gettid);
	allow(&m, SYS_tgkill);
	allow(&m, SYS_sigaltstack);
	allow(&m, SYS_seccomp);
	allow(&m, SYS_rt_sigprocmask);
	ret(&m, SECCOMP_RET_TRAP);
	mapper_len = m.n;
	if (guest_len > sizeof(guest_prog) / sizeof(guest_prog[0]) ||
	    mapper_len > sizeof(mapper_prog) / sizeof(mapper_prog[0]))
		abort(); /* the arrays are sized for the rules above */
}

/* ---------------------------------------------------------------- */
/* Set-up                                                            */
/* ---------------------------------------------------------------- */

bool systrap_range_free(void)
{
	void *r = mmap((void *)ST_BASE, ST_END - ST_BASE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			       MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (r == MAP_FAILED)
		return false;
	munmap(r, ST_END - ST_BASE);
	return r == (void *)ST_BASE;
}

int systrap_init(void)
{
	struct stat st;

	_Static_assert(sizeof(guest_prog) <=
			       ST_CFG_MAPPER_INSNS - ST_CFG_GUEST_INSNS,
		       "guest program fits");
	_Static_assert(ST_CFG_MAPPER_INSNS + sizeof(mapper_prog) <= PAGE,
		       "mapper program fits");
	if (st_code_end - st_code_start > ST_CODE_SIZE - 16) {
		fprintf(stderr, "ember: systrap: stub code too large\n");
		return -ENOEXEC;
	}
	have_fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;
	if (fstat(phys_memfd, &st) < 0)
		return -errno;
	ctl_off0 = ((uint64_t)st.st_size + ST_CTL_BYTES - 1) &
		   ~(uint64_t)(ST_CTL_BYTES - 1);
	if (ftruncate(phys_memfd,
		      (off_t)(ctl_off0 + (uint64_t)MAX_AS * ST_CTL_BYTES)) < 0)
		return -errno;
	/* Keep the stub range free in this process too: every stub starts
	 * as a fork of it and must find the range empty. */
	void *r = mmap((void *)ST_BASE, ST_END - ST_BASE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			       MAP_FIXED_NOREPLACE,
		       -1, 0);
	if (r != (void *)ST_BASE) {
		fprintf(stderr,
			"ember: systrap: the stub range %#llx is taken in the "
			"kernel process (address randomization)\n",
			(unsigned long long)ST_BASE);
		return r == MAP_FAILED ? -errno : -EEXIST;
	}
	/* A hint far below the stub range for the big control area. */
	void *p = mmap((void *)0x100000000000ULL, (size_t)MAX_AS * ST_CTL_BYTES,
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		       phys_memfd, (off_t)ctl_off0);
	if (p == MAP_FAILED)
		return -errno;
	ctl_area = p;
	ev_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ev_fd < 0)
		return -errno;
	build_filters();
	loop_watch_systrap(ev_fd);
	systrap_active = true;
	return 0;
}

static inline struct st_as *AS(struct hal_as *a)
{
	return (struct st_as *)a;
}

static inline struct st_thread *TH(struct hal_thread *t)
{
	return (struct st_thread *)t;
}

static volatile uint8_t *slot_page(struct st_as *as, int slot)
{
	return as->ctl + PAGE * (size_t)(slot + 1);
}

static inline uint32_t *pg_u32(volatile uint8_t *pg, int off)
{
	return (uint32_t *)(uintptr_t)(pg + off);
}

static inline uint64_t *pg_u64(volatile uint8_t *pg, int off)
{
	return (uint64_t *)(uintptr_t)(pg + off);
}

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

/* Runs in the forked child: only the memfd, the eventfd and the reply
 * pipe stay; lays out the stub range, installs the signal handlers and
 * jumps into the stub's code on slot 0's alternate stack. */
static __attribute__((noreturn)) void st_child(struct st_as *as, int reply_w,
					       int door_r)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (__rseq_size > 0) {
		void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
		if (syscall(SYS_rseq, area, __rseq_size, 1, RSEQ_SIG) < 0)
			syscall(SYS_rseq, area, 32, 1, RSEQ_SIG);
	}
	setpgid(0, 0);
	int mem = fcntl(phys_memfd, F_DUPFD, 10);
	int ev = fcntl(ev_fd, F_DUPFD, 10);
	int rw = fcntl(reply_w, F_DUPFD, 10);
	int dr = fcntl(door_r, F_DUPFD, 10);
	if (mem < 0 || ev < 0 || rw < 0 || dr < 0 || dup2(mem, ST_FD_MEM) < 0 ||
	    dup2(ev, ST_FD_EVENT) < 0 || dup2(rw, ST_FD_REPLY) < 0 ||
	    dup2(dr, ST_FD_DOOR) < 0)
		_exit(120);
	syscall(SYS_close_range, 0, ST_FD_MEM - 1, 0);
	syscall(SYS_close_range, ST_FD_DOOR + 1, ~0U, 0);
	/* The kernel's reservation of the range (systrap_init) goes first. */
	munmap((void *)ST_BASE, ST_END - ST_BASE);
	uint8_t *base =
		mmap((void *)ST_BASE, ST_END - ST_BASE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (base != (void *)ST_BASE)
		_exit(122);
	memcpy(base, st_code_start, (size_t)(st_code_end - st_code_start));
	uint8_t *cfg = (uint8_t *)ST_CFG;
	*(uint64_t *)(cfg + ST_CFG_FSGSBASE) = have_fsgsbase;
	struct sock_fprog *gp = (void *)(cfg + ST_CFG_GUEST_PROG);
	struct sock_fprog *mp = (void *)(cfg + ST_CFG_MAPPER_PROG);
	memcpy(cfg + ST_CFG_GUEST_INSNS, guest_prog,
	       guest_len * sizeof(guest_prog[0]));
	memcpy(cfg + ST_CFG_MAPPER_INSNS, mapper_prog,
	       mapper_len * sizeof(mapper_prog[0]));
	gp->len = (unsigned short)guest_len;
	gp->filter = (void *)(cfg + ST_CFG_GUEST_INSNS);
	mp->len = (unsigned short)mapper_len;
	mp->filter = (void *)(cfg + ST_CFG_MAPPER_INSNS);
	off_t off = (off_t)(ctl_off0 + (uint64_t)as->idx * ST_CTL_BYTES);
	if (mmap((void *)ST_CTL, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED,
		 ST_FD_MEM, off) != (void *)ST_CTL ||
	    mmap((void *)(ST_CTL + PAGE), ST_CTL_BYTES - PAGE,
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, ST_FD_MEM,
		 off + PAGE) != (void *)(ST_CTL + PAGE))
		_exit(123);
	if (mprotect(base, ST_CODE_SIZE, PROT_READ | PROT_EXEC) < 0 ||
	    mprotect(cfg, PAGE, PROT_READ) < 0)
		_exit(123);
	struct {
		uint64_t handler, flags, restorer, mask;
	} ksa = {
		.handler = ST_BASE + st_handler_off,
		/* SA_SIGINFO | SA_ONSTACK | SA_RESTORER | SA_NODEFER */
		.flags = 4 | 0x08000000 | 0x04000000 | 0x40000000,
		.restorer = ST_BASE + st_restorer_off,
		.mask = 1ULL << (SIGURG - 1),
	};
	static const int sigs[] = { SIGSYS, SIGSEGV, SIGBUS, SIGILL,
				    SIGFPE, SIGTRAP, SIGURG };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (syscall(SYS_rt_sigaction, sigs[i], &ksa, NULL, 8) < 0)
			_exit(124);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(124);
	uint64_t entry = ST_BASE + st_entry_off, stack = ST_ALT + ST_ALT_SIZE;
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "jmp *%1"
			 :
			 : "r"(stack), "r"(entry)
			 : "memory");
	__builtin_unreachable();
}

static void defer_trap(struct st_thread *t, const struct hal_trap *trap);

/* The stub was reaped outside ptrace_reap: its running threads are gone
 * (reported from the loop, not from inside this hal_* call). */
static void as_gone(struct st_as *as)
{
	struct hal_trap gone = { .kind = HAL_TRAP_GONE };

	as->reaped = as->dead = true;
	for (int i = 0; i < as->hw; i++) {
		struct st_thread *t = as->slots[i];
		if (t && t->running) {
			t->running = false;
			defer_trap(t, &gone);
		}
	}
}

/* Waits until the state word of slot is `want` (a new thread's first
 * stop); false when the stub died or took over 5 s. */
static bool wait_state(struct st_as *as, int slot, uint32_t want)
{
	uint32_t *w = pg_u32(slot_page(as, slot), PG_STATE);
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int status;

	for (int i = 0; i < 100; i++) {
		uint32_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
		if (v == want)
			return true;
		if (!as->reaped &&
		    waitpid(as->pid, &status, WNOHANG) == as->pid) {
			as_gone(as);
			return false;
		}
		futex(w, FUTEX_WAIT, v, &ts);
	}
	return false;
}

struct hal_as *systrap_as_create(void)
{
	struct st_as *as = calloc(1, sizeof(*as));
	int p[2] = { -1, -1 }, d[2] = { -1, -1 };

	if (!as)
		return NULL;
	as->idx = -1;
	for (int i = 0; i < MAX_AS; i++) {
		if (!as_idx_used[i]) {
			as->idx = i;
			as_idx_used[i] = true;
			break;
		}
	}
	if (as->idx < 0 || pipe2(p, O_CLOEXEC) < 0 || pipe2(d, O_CLOEXEC) < 0) {
		for (int i = 0; i < 2; i++) {
			if (p[i] >= 0)
				close(p[i]);
			if (d[i] >= 0)
				close(d[i]);
		}
		if (as->idx >= 0)
			as_idx_used[as->idx] = false;
		free(as);
		return NULL;
	}
	as->ctl = ctl_area + (size_t)as->idx * ST_CTL_BYTES;
	pid_t pid = confine_fork();
	if (pid == 0)
		st_child(as, p[1], d[0]);
	close(p[1]);
	close(d[0]);
	as->reply_fd = p[0];
	as->door_fd = d[1];
	as->pid = pid;
	if (pid < 0 || !wait_state(as, 0, ST_STOPPED)) {
		if (pid > 0) {
			fprintf(stderr,
				"ember: systrap stub %d did not start\n", pid);
			kill(pid, SIGKILL);
			if (!as->reaped)
				waitpid(pid, NULL, 0);
		}
		close(p[0]);
		close(d[1]);
		fallocate(phys_memfd,
			  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  (off_t)(ctl_off0 + (uint64_t)as->idx * ST_CTL_BYTES),
			  ST_CTL_BYTES);
		as_idx_used[as->idx] = false;
		free(as);
		return NULL;
	}
	as->next = all_st;
	all_st = as;
	return (struct hal_as *)as;
}

static void st_kill(struct st_as *as)
{
	if (as->reaped)
		return;
	kill(as->pid, SIGKILL);
	while (waitpid(as->pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	as->dead = as->reaped = true;
}

void systrap_as_destroy(struct hal_as *a)
{
	struct st_as *as = AS(a);

	if (!as)
		return;
	st_kill(as);
	for (struct st_as **pp = &all_st; *pp; pp = &(*pp)->next) {
		if (*pp == as) {
			*pp = as->next;
			break;
		}
	}
	for (int i = 0; i < as->hw; i++)
		if (as->slots[i])
			as->slots[i]->as = NULL;
	close(as->reply_fd);
	close(as->door_fd);
	fallocate(phys_memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)(ctl_off0 + (uint64_t)as->idx * ST_CTL_BYTES),
		  ST_CTL_BYTES);
	as_idx_used[as->idx] = false;
	free(as);
}

void systrap_kill_all(void)
{
	for (struct st_as *as = all_st; as; as = as->next)
		if (!as->reaped)
			kill(as->pid, SIGKILL);
}

/* ---------------------------------------------------------------- */
/* Commands to the mapper                                            */
/* ---------------------------------------------------------------- */

/* Reads the reply of the command in flight: the mapper answers each
 * command with exactly one record, so the count, not the record's
 * contents (its stack is writable by the guest), says which it is. */
static long cmd_finish(struct st_as *as)
{
	int64_t rec[2];

	if (!as->pending)
		return 0;
	as->pending = false;
	for (;;) {
		ssize_t r = read(as->reply_fd, rec, sizeof(rec));
		if (r == sizeof(rec))
			return (long)rec[1];
		if (r < 0 && errno == EINTR)
			continue;
		as->dead = true;
		return -ESRCH;
	}
}

static void cmd_post(struct st_as *as, long nr, uint64_t a0, uint64_t a1,
		     uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t *cmd = (uint64_t *)as->ctl;

	cmd_finish(as);
	cmd[CMD_NR / 8] = (uint64_t)nr;
	cmd[CMD_ARGS / 8 + 0] = a0;
	cmd[CMD_ARGS / 8 + 1] = a1;
	cmd[CMD_ARGS / 8 + 2] = a2;
	cmd[CMD_ARGS / 8 + 3] = a3;
	cmd[CMD_ARGS / 8 + 4] = a4;
	cmd[CMD_ARGS / 8 + 5] = a5;
	__atomic_store_n((uint32_t *)as->ctl, ++as->seq, __ATOMIC_RELEASE);
	/* A pipe write is a "sync" wake-up: the mapper runs on this CPU
	 * while the kernel waits for its reply. */
	if (write(as->door_fd, "", 1) != 1)
		as->dead = true;
	as->pending = true;
}

long systrap_as_syscall(struct hal_as *a, long nr, uint64_t a0, uint64_t a1,
			uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct st_as *as = AS(a);

	if (!as || as->dead)
		return -ESRCH;
	cmd_post(as, nr, a0, a1, a2, a3, a4, a5);
	return cmd_finish(as);
}

/* ---------------------------------------------------------------- */
/* Threads                                                           */
/* ---------------------------------------------------------------- */

static struct st_thread *bind_slot(struct st_as *as, int slot,
				   struct hal_uctx *uctx)
{
	struct st_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->as = as;
	t->slot = slot;
	t->pg = slot_page(as, slot);
	t->uctx = uctx;
	t->tid = (pid_t)*pg_u32(t->pg, PG_TID);
	/* Without rdfsbase the host's bases are unknown: set them at the
	 * first start whatever the core asks for. */
	t->fs = have_fsgsbase ? *pg_u64(t->pg, PG_FS) : (uint64_t)-1;
	t->gs = have_fsgsbase ? *pg_u64(t->pg, PG_GS) : (uint64_t)-1;
	as->slots[slot] = t;
	as->nthreads++;
	if (slot >= as->hw)
		as->hw = slot + 1;
	return t;
}

struct hal_thread *systrap_thread_create(struct hal_as *a,
					 struct hal_uctx *uctx)
{
	struct st_as *as = AS(a);
	int slot = -1;

	if (!as || as->dead)
		return NULL;
	if (as->nthreads == 0 && !as->slots[0] &&
	    *pg_u32(slot_page(as, 0), PG_STATE) == ST_STOPPED)
		return (struct hal_thread *)bind_slot(as, 0, uctx);
	/* A free slot: never bound now and its last host thread gone (the
	 * kernel clears the CLEARTID word when the thread has exited). */
	for (int i = 1; i < ST_SLOTS; i++) {
		if (!as->slots[i] &&
		    __atomic_load_n(pg_u32(slot_page(as, i), PG_CTID),
				    __ATOMIC_ACQUIRE) == 0) {
			slot = i;
			break;
		}
	}
	if (slot < 0)
		return NULL;
	volatile uint8_t *pg = slot_page(as, slot);
	*pg_u32(pg, PG_STATE) = ST_NONE;
	*pg_u32(pg, PG_CTID) = 1; /* busy until the clone's CLEARTID */
	long tid = systrap_as_syscall(
		a, CMD_CLONE, (uint64_t)slot,
		ST_ALT + ((uint64_t)slot + 1) * ST_ALT_SIZE,
		ST_CTL + PAGE * ((uint64_t)slot + 1) + PG_CTID, 0, 0, 0);
	if (tid < 0) {
		*pg_u32(pg, PG_CTID) = 0;
		return NULL;
	}
	if (!wait_state(as, slot, ST_STOPPED))
		return NULL;
	return (struct hal_thread *)bind_slot(as, slot, uctx);
}

void systrap_thread_destroy(struct hal_thread *ht)
{
	struct st_thread *t = TH(ht);

	if (!t)
		return;
	for (struct st_thread **pp = &deferred_list; *pp;
	     pp = &(*pp)->next_deferred) {
		if (*pp == t) {
			*pp = t->next_deferred;
			break;
		}
	}
	if (t->as) {
		t->as->slots[t->slot] = NULL;
		t->as->nthreads--;
		/* A stopped thread ends now; a running one with its space. */
		if (!t->as->dead && !t->running && !t->gone) {
			__atomic_store_n(pg_u32(t->pg, PG_STATE), ST_EXIT,
					 __ATOMIC_RELEASE);
			futex(pg_u32(t->pg, PG_STATE), FUTEX_WAKE, 1, NULL);
		}
	}
	free(t);
}

static void defer_trap(struct st_thread *t, const struct hal_trap *trap)
{
	t->deferred_trap = *trap;
	if (!t->deferred) {
		t->deferred = true;
		t->next_deferred = deferred_list;
		deferred_list = t;
	}
	loop_defer();
}

void systrap_deferred(void)
{
	while (deferred_list) {
		struct st_thread *t = deferred_list;
		deferred_list = t->next_deferred;
		t->deferred = false;
		struct hal_trap trap = t->deferred_trap;
		if (trap.kind == HAL_TRAP_GONE) {
			t->gone = true;
			if (t->as)
				t->as->dead = true;
		}
		kern_trap(t->uctx, &trap);
	}
}

/* The sigcontext's first 18 qwords: r8..r15, rdi, rsi, rbp, rbx, rdx,
 * rax, rcx, rsp, rip, eflags; then cs/gs/fs/ss, err, trapno, oldmask,
 * cr2. */
enum {
	G_R8,
	G_R9,
	G_R10,
	G_R11,
	G_R12,
	G_R13,
	G_R14,
	G_R15,
	G_RDI,
	G_RSI,
	G_RBP,
	G_RBX,
	G_RDX,
	G_RAX,
	G_RCX,
	G_RSP,
	G_RIP,
	G_EFL,
	G_CSGSFS,
	G_ERR,
	G_TRAPNO,
	G_OLDMASK,
	G_CR2
};

void systrap_uctx_start(struct hal_thread *ht)
{
	struct st_thread *t = TH(ht);
	struct hal_uctx *u = t->uctx;

	if (t->running) {
		fprintf(stderr, "ember: core bug: thread %d started twice\n",
			t->tid);
		abort();
	}
	if (t->gone || !t->as || t->as->dead) {
		struct hal_trap gone = { .kind = HAL_TRAP_GONE };
		defer_trap(t, &gone);
		return;
	}
	uint64_t *g = pg_u64(t->pg, PG_GREGS);
	g[G_R8] = u->r8;
	g[G_R9] = u->r9;
	g[G_R10] = u->r10;
	g[G_R11] = u->r11;
	g[G_R12] = u->r12;
	g[G_R13] = u->r13;
	g[G_R14] = u->r14;
	g[G_R15] = u->r15;
	g[G_RDI] = u->rdi;
	g[G_RSI] = u->rsi;
	g[G_RBP] = u->rbp;
	g[G_RBX] = u->rbx;
	g[G_RDX] = u->rdx;
	g[G_RAX] = u->rax;
	g[G_RCX] = u->rcx;
	g[G_RSP] = u->rsp;
	g[G_RIP] = u->rip;
	g[G_EFL] = u->rflags;
	uint32_t flags = 0;
	if (u->fpu_valid) {
		uint8_t *fp = (uint8_t *)(uintptr_t)(t->pg + PG_FPU);
		uint32_t mask, mxcsr;

		/* Keep the host's MXCSR mask; an MXCSR with bits outside
		 * it would make rt_sigreturn kill the stub. */
		memcpy(&mask, fp + 28, 4);
		if (!mask)
			mask = 0xffbf;
		memcpy(fp, u->fpu, 512);
		memcpy(&mxcsr, fp + 24, 4);
		mxcsr &= mask;
		memcpy(fp + 24, &mxcsr, 4);
		memcpy(fp + 28, &mask, 4);
		u->fpu_valid = false;
		flags |= PGF_FPU;
	}
	if (u->fs_base != t->fs || u->gs_base != t->gs || have_fsgsbase) {
		/* wrfsbase faults on a non-canonical base: refuse it like
		 * ptrace's SETREGS does. */
		if ((int64_t)u->fs_base !=
			    ((int64_t)(u->fs_base << 16) >> 16) ||
		    (int64_t)u->gs_base !=
			    ((int64_t)(u->gs_base << 16) >> 16)) {
			struct hal_trap trap = { .kind = HAL_TRAP_FAULT,
						 .signo = SIGSEGV,
						 .code = 0x80 /* SI_KERNEL */ };
			defer_trap(t, &trap);
			return;
		}
		*pg_u64(t->pg, PG_FS) = u->fs_base;
		*pg_u64(t->pg, PG_GS) = u->gs_base;
		t->fs = u->fs_base;
		t->gs = u->gs_base;
		flags |= PGF_FSGS;
	}
	*pg_u32(t->pg, PG_FLAGS) = flags;
	t->running = true;
	__atomic_store_n(pg_u32(t->pg, PG_STATE), ST_RESUME, __ATOMIC_RELEASE);
	futex(pg_u32(t->pg, PG_STATE), FUTEX_WAKE, 1, NULL);
}

void systrap_thread_interrupt(struct hal_thread *ht)
{
	struct st_thread *t = TH(ht);

	if (t->running && t->as && !t->as->dead && t->tid > 0)
		cmd_post(t->as, CMD_TGKILL, (uint64_t)t->tid, SIGURG, 0, 0, 0,
			 0);
}

int systrap_uctx_fpu_sync(struct hal_thread *ht)
{
	struct st_thread *t = TH(ht);

	if (t->running || t->gone)
		return -EIO;
	memcpy(t->uctx->fpu, (const void *)(uintptr_t)(t->pg + PG_FPU), 512);
	t->uctx->fpu_valid = true;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Traps                                                             */
/* ---------------------------------------------------------------- */

static void report(struct st_thread *t)
{
	struct hal_uctx *u = t->uctx;
	struct hal_trap trap = { 0 };
	uint64_t g[23];
	volatile uint8_t *pg = t->pg;

	t->running = false;
	/* One copy: other guest threads can write this page any time. */
	memcpy(g, (const void *)(uintptr_t)(pg + PG_GREGS), sizeof(g));
	int signo = (int)*pg_u64(pg, PG_SIGNO);
	int code = (int)*pg_u64(pg, PG_CODE);
	uint64_t addr = *pg_u64(pg, PG_ADDR);
	if (have_fsgsbase) {
		t->fs = *pg_u64(pg, PG_FS);
		t->gs = *pg_u64(pg, PG_GS);
	}
	u->r8 = g[G_R8];
	u->r9 = g[G_R9];
	u->r10 = g[G_R10];
	u->r11 = g[G_R11];
	u->r12 = g[G_R12];
	u->r13 = g[G_R13];
	u->r14 = g[G_R14];
	u->r15 = g[G_R15];
	u->rdi = g[G_RDI];
	u->rsi = g[G_RSI];
	u->rbp = g[G_RBP];
	u->rbx = g[G_RBX];
	u->rdx = g[G_RDX];
	u->rax = g[G_RAX];
	u->rcx = g[G_RCX];
	u->rsp = g[G_RSP];
	u->rip = g[G_RIP];
	u->rflags = g[G_EFL];
	u->cs = g[G_CSGSFS] & 0xffff;
	u->ss = g[G_CSGSFS] >> 48;
	u->fs_base = t->fs;
	u->gs_base = t->gs;
	u->orig_rax = (uint64_t)-1;
	u->fpu_valid = false;
	switch (signo) {
	case SIGSYS:
		/* As PTRACE_SYSEMU shows it: the number in orig_rax. */
		trap.kind = HAL_TRAP_SYSCALL;
		u->orig_rax = g[G_RAX];
		u->rax = (uint64_t)-ENOSYS;
		break;
	case SIGSEGV:
		if (code == SEGV_MAPERR || code == SEGV_ACCERR) {
			uint64_t err = g[G_ERR];

			trap.kind = HAL_TRAP_PAGE_FAULT;
			trap.addr = addr;
			trap.access = (err & 2)	 ? HAL_ACC_WRITE :
				      (err & 16) ? HAL_ACC_EXEC :
						   HAL_ACC_READ;
			if (err & 1)
				trap.access |= HAL_ACC_PRESENT;
			break;
		}
		__attribute__((fallthrough));
	case SIGILL:
	case SIGFPE:
	case SIGBUS:
	case SIGTRAP:
		trap.kind = HAL_TRAP_FAULT;
		trap.signo = signo;
		trap.code = code;
		trap.addr = addr;
		break;
	default:
		trap.kind = HAL_TRAP_PREEMPTED;
		break;
	}
	kern_trap(u, &trap);
}

/* A running thread whose page says it trapped, or NULL. */
static struct st_thread *find_trapped(void)
{
	for (struct st_as *as = all_st; as; as = as->next) {
		if (as->dead)
			continue;
		for (int i = 0; i < as->hw; i++) {
			struct st_thread *t = as->slots[i];
			if (t && t->running &&
			    __atomic_load_n(pg_u32(t->pg, PG_STATE),
					    __ATOMIC_ACQUIRE) == ST_TRAPPED)
				return t;
		}
	}
	return NULL;
}

/* The eventfd is readable: report every thread that trapped. The core
 * may destroy threads and spaces in each call, so search again. */
void systrap_event(void)
{
	uint64_t n;
	struct st_thread *t;

	/* One read empties an eventfd's counter. */
	if (read(ev_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	while ((t = find_trapped()))
		report(t);
}

/* A stub process ended (reaped by ptrace_reap): its running threads are
 * gone. */
void systrap_reaped(pid_t pid)
{
	for (;;) {
		struct st_as *as = all_st;
		while (as && as->pid != pid)
			as = as->next;
		if (!as)
			return;
		as->reaped = as->dead = true;
		struct st_thread *t = NULL;
		for (int i = 0; i < as->hw && !t; i++)
			if (as->slots[i] && as->slots[i]->running)
				t = as->slots[i];
		if (!t)
			return;
		t->running = false;
		t->gone = true;
		struct hal_trap trap = { .kind = HAL_TRAP_GONE };
		kern_trap(t->uctx, &trap);
	}
}
