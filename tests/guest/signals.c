/*
 * Guest: signal delivery. SA_SIGINFO handlers and their siginfo (kill,
 * sigqueue, tgkill), the ucontext a handler may change, FPU state kept
 * across a handler, SA_RESETHAND, SA_NODEFER, masks and sigpending,
 * sigsuspend, sigtimedwait, sigaltstack (and a stack overflow caught on
 * it), fault signals with their si_code and si_addr (SIGSEGV, SIGFPE),
 * EINTR against SA_RESTART on a blocking wait4, pause, and rt_sigreturn
 * restoring everything.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "guest.h"

static volatile sig_atomic_t hits;
static volatile int last_sig, last_code, last_value, last_pid_ok;
static volatile uintptr_t last_addr;
static sigjmp_buf jb;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
	last_pid_ok = si->si_pid == getpid();
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void siginfo_fields(void)
{
	union sigval v = { .sival_int = 1234 };

	install(SIGUSR1, on_info, 0);
	hits = 0;
	kill(getpid(), SIGUSR1);
	printf("kill: hits %d sig %d code %s pid %s\n", hits, last_sig,
	       last_code == SI_USER ? "SI_USER" : "other",
	       last_pid_ok ? "self" : "other");

	sigqueue(getpid(), SIGUSR1, v);
	printf("sigqueue: hits %d code %s value %d\n", hits,
	       last_code == SI_QUEUE ? "SI_QUEUE" : "other", last_value);

	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
	printf("tgkill: hits %d code %s\n", hits,
	       last_code == SI_TKILL ? "SI_TKILL" : "other");

	/* Real-time signals queue; standard ones merge. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	install(SIGRTMIN + 1, on_info, 0);
	hits = 0;
	for (int i = 0; i < 3; i++) {
		v.sival_int = i;
		sigqueue(getpid(), SIGRTMIN + 1, v);
		kill(getpid(), SIGUSR1);
	}
	sigset_t pend;
	sigpending(&pend);
	printf("pending: USR1 %d RTMIN+1 %d USR2 %d\n",
	       sigismember(&pend, SIGUSR1), sigismember(&pend, SIGRTMIN + 1),
	       sigismember(&pend, SIGUSR2));
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("after unblock: hits %d (3 queued + 1 merged)\n", hits);
	printf("last rt value: %d\n", last_value);
}

static volatile int nested_depth, max_depth, calls;

static void on_nodefer(int sig, siginfo_t *si, void *uc)
{
	nested_depth++;
	if (nested_depth > max_depth)
		max_depth = nested_depth;
	if (++calls < 3)
		raise(sig);
	nested_depth--;
}

static void on_plain(int sig, siginfo_t *si, void *uc)
{
	hits++;
}

static void flags(void)
{
	struct sigaction sa;

	install(SIGUSR2, on_nodefer, SA_NODEFER);
	max_depth = calls = 0;
	raise(SIGUSR2);
	printf("SA_NODEFER: calls %d nesting depth %d\n", calls, max_depth);
	install(SIGUSR2, on_nodefer, 0);
	max_depth = calls = 0;
	raise(SIGUSR2);
	printf("deferred: calls %d nesting depth %d\n", calls, max_depth);

	install(SIGUSR2, on_plain, SA_RESETHAND);
	hits = 0;
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &sa);
	printf("SA_RESETHAND: hits %d, now %s\n", hits,
	       sa.sa_handler == SIG_DFL ? "SIG_DFL" : "handler");

	signal(SIGUSR2, SIG_IGN);
	printf("ignored raise survives: %d\n", raise(SIGUSR2));
}

static volatile unsigned handler_mxcsr;

static void on_fpu(int sig, siginfo_t *si, void *uc)
{
	unsigned m;

	/* Clobber xmm7 and look at the SSE control the handler starts
	 * with (Linux gives a handler a fresh FPU state). */
	__asm__ volatile("stmxcsr %0" : "=m"(m));
	handler_mxcsr = m;
	__asm__ volatile("pcmpeqd %%xmm7, %%xmm7" ::: "xmm7");
	hits++;
}

static void fpu_kept(void)
{
	double in = 2.25, out = 0;
	unsigned mx_rz = 0x1f80 | 0x6000, mx_after = 0, mx_saved;

	install(SIGUSR1, on_fpu, 0);
	hits = 0;
	__asm__ volatile("stmxcsr %0" : "=m"(mx_saved));
	/* xmm7 and MXCSR (round toward zero) set, then kill(2) straight
	 * from here: the handler runs on the way back from the syscall. */
	__asm__ volatile("ldmxcsr %[rz]\n\t"
			 "movsd %[in], %%xmm7\n\t"
			 "mov $62, %%eax\n\t"
			 "syscall\n\t"
			 "movsd %%xmm7, %[out]\n\t"
			 "stmxcsr %[after]\n\t"
			 "ldmxcsr %[saved]"
			 : [out] "=m"(out), [after] "=m"(mx_after)
			 : [in] "m"(in), [rz] "m"(mx_rz), [saved] "m"(mx_saved),
			   "D"(getpid()), "S"(SIGUSR1)
			 : "rax", "rcx", "r11", "xmm7", "memory");
	printf("xmm7 after handler: %.4f hits %d\n", out, hits);
	printf("MXCSR in handler: %#x, after: %#x\n", handler_mxcsr & 0xffbf,
	       mx_after & 0xffbf);
}

/* The handler moves the interrupted context on: rip past an ud2. */
static void on_ill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	last_code = si->si_code;
	last_addr = (uintptr_t)si->si_addr;
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RAX] = 4242;
	hits++;
}

static void context_change(void)
{
	long rax;

	install(SIGILL, on_ill, 0);
	hits = 0;
	__asm__ volatile("lea 1f(%%rip), %%rdx\n\t"
			 "mov %%rdx, %%rcx\n\t"
			 "xor %%eax, %%eax\n"
			 "1: ud2\n\t"
			 : "=a"(rax)
			 :
			 : "rcx", "rdx", "memory");
	printf("SIGILL: hits %d code %s rax %ld\n", hits,
	       last_code == ILL_ILLOPN ? "ILL_ILLOPN" : "other", rax);
	signal(SIGILL, SIG_DFL);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	last_sig = sig;
	last_code = si->si_code;
	last_addr = (uintptr_t)si->si_addr;
	siglongjmp(jb, 1);
}

static void *ro_page;

static void on_segv_fix(int sig, siginfo_t *si, void *uc)
{
	last_code = si->si_code;
	last_addr = (uintptr_t)si->si_addr;
	hits++;
	/* Make the page writable: the store is retried and succeeds. */
	mprotect(ro_page, 4096, PROT_READ | PROT_WRITE);
}

static void faults(void)
{
	install(SIGSEGV, on_segv, 0);
	if (sigsetjmp(jb, 1) == 0)
		*(volatile int *)0x1008 = 1;
	printf("SIGSEGV unmapped: sig %d code %s addr %#lx\n", last_sig,
	       last_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
	       (unsigned long)last_addr);

	ro_page =
		mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sigsetjmp(jb, 1) == 0)
		*((volatile char *)ro_page + 100) = 1;
	printf("SIGSEGV read-only: code %s addr is page+100: %d\n",
	       last_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other",
	       last_addr == (uintptr_t)ro_page + 100);

	install(SIGSEGV, on_segv_fix, 0);
	hits = 0;
	*((volatile char *)ro_page + 200) = 9;
	printf("fixed in the handler: hits %d value %d\n", hits,
	       *((volatile char *)ro_page + 200));
	munmap(ro_page, 4096);

	install(SIGFPE, on_segv, 0);
	volatile int zero = 0, num = 10;
	if (sigsetjmp(jb, 1) == 0)
		num = num / zero;
	printf("SIGFPE: sig %d code %s\n", last_sig,
	       last_code == FPE_INTDIV ? "FPE_INTDIV" : "other");
	signal(SIGSEGV, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
}

static char *alt_base;
static size_t alt_size = 64 << 10;
static volatile int on_alt, alt_flag_onstack;

static void on_alt_sig(int sig, siginfo_t *si, void *uc)
{
	char here;
	stack_t cur;

	on_alt = &here >= alt_base && &here < alt_base + alt_size;
	sigaltstack(NULL, &cur);
	alt_flag_onstack = cur.ss_flags == SS_ONSTACK;
	if (sig == SIGSEGV)
		siglongjmp(jb, 1);
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	return recurse(n + 1) + pad[0];
}

static void altstack(void)
{
	stack_t ss, old;

	alt_base = malloc(alt_size);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	EXPECT_OK("sigaltstack", sigaltstack(&ss, &old));
	printf("old altstack disabled: %d\n", old.ss_flags == SS_DISABLE);
	ss.ss_size = 1024;
	EXPECT_ERR("sigaltstack too small", sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = 77;
	ss.ss_size = alt_size;
	EXPECT_ERR("sigaltstack bad flags", sigaltstack(&ss, NULL), EINVAL);

	install(SIGUSR1, on_alt_sig, SA_ONSTACK);
	raise(SIGUSR1);
	printf("SA_ONSTACK handler on the alternate stack: %d onstack flag %d\n",
	       on_alt, alt_flag_onstack);
	install(SIGUSR1, on_alt_sig, 0);
	raise(SIGUSR1);
	printf("without SA_ONSTACK: %d\n", on_alt);

	/* A stack overflow: only the alternate stack can take SIGSEGV. */
	install(SIGSEGV, on_alt_sig, SA_ONSTACK);
	on_alt = 0;
	if (sigsetjmp(jb, 1) == 0)
		recurse(0);
	printf("stack overflow caught on the alternate stack: %d\n", on_alt);
	signal(SIGSEGV, SIG_DFL);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	sigaltstack(NULL, &old);
	printf("disabled again: %d\n", old.ss_flags == SS_DISABLE);
}

static void on_chld_or_alrm(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = sig;
}

static void eintr_vs_restart(void)
{
	int status;
	pid_t pid;
	struct timespec ts = { 5, 0 }, rem = { 0, 0 };

	/* A child that outlives one alarm. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		usleep(300000);
		_exit(6);
	}
	install(SIGALRM, on_chld_or_alrm, 0);
	hits = 0;
	ualarm(50000, 0);
	errno = 0;
	pid_t r = waitpid(pid, &status, 0);
	printf("wait4 without SA_RESTART: %d %s hits %d\n",
	       r == pid ? 1 : (int)r, errname(errno), hits);

	install(SIGALRM, on_chld_or_alrm, SA_RESTART);
	hits = 0;
	ualarm(50000, 0);
	r = waitpid(pid, &status, 0);
	printf("wait4 with SA_RESTART: returns the child %d status %d hits %d\n",
	       r == pid, WEXITSTATUS(status), hits);

	/* nanosleep is never restarted; it reports the time left. */
	hits = 0;
	ualarm(50000, 0);
	errno = 0;
	int n = nanosleep(&ts, &rem);
	printf("nanosleep with SA_RESTART: %d %s hits %d rem in (3s,5s): %d\n",
	       n, errname(errno), hits, rem.tv_sec >= 3 && rem.tv_sec < 5);

	hits = 0;
	ualarm(50000, 0);
	errno = 0;
	n = pause();
	printf("pause: %d %s hits %d\n", n, errname(errno), hits);
	signal(SIGALRM, SIG_DFL);
}

static void suspend_and_wait(void)
{
	sigset_t block, wait_mask, cur;
	siginfo_t si;
	struct timespec ts = { 0, 20000000 };

	install(SIGUSR1, on_plain, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	hits = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(30000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigemptyset(&wait_mask);
	errno = 0;
	int r = sigsuspend(&wait_mask);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("sigsuspend: %d %s hits %d mask restored %d\n", r,
	       errname(errno), hits, sigismember(&cur, SIGUSR1));
	waitpid(pid, NULL, 0);

	/* sigtimedwait takes a blocked signal without running a handler. */
	hits = 0;
	kill(getpid(), SIGUSR1);
	r = sigtimedwait(&block, &si, &ts);
	printf("sigtimedwait: %d code %s hits %d\n", r,
	       si.si_code == SI_USER ? "SI_USER" : "other", hits);
	errno = 0;
	r = sigtimedwait(&block, &si, &ts);
	printf("sigtimedwait timeout: %d %s\n", r, errname(errno));
	ts.tv_nsec = 0;
	errno = 0;
	r = sigtimedwait(&block, &si, &ts);
	printf("sigtimedwait poll: %d %s\n", r, errname(errno));
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
}

static void errors(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	EXPECT_ERR("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL), EINVAL);
	EXPECT_ERR("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	EXPECT_ERR("sigaction 0", syscall(SYS_rt_sigaction, 0, NULL, NULL, 8),
		   EINVAL);
	EXPECT_ERR("sigaction 65", syscall(SYS_rt_sigaction, 65, NULL, NULL, 8),
		   EINVAL);
	EXPECT_ERR("kill bad signal", kill(getpid(), 65), EINVAL);
	EXPECT_ERR("kill no such pid", kill(0x3fffffff, 0), ESRCH);
	EXPECT_ERR("tgkill wrong tgid",
		   syscall(SYS_tgkill, 0x3ffffff0, getpid(), 0), ESRCH);
	EXPECT_ERR("rt_sigprocmask bad how",
		   syscall(SYS_rt_sigprocmask, 7, &sa.sa_mask, NULL, 8),
		   EINVAL);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_code = SI_USER;
	EXPECT_ERR("sigqueueinfo posing as kill() to another pid",
		   syscall(SYS_rt_sigqueueinfo, getppid(), SIGUSR1, &si),
		   EPERM);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	siginfo_fields();
	flags();
	fpu_kept();
	context_change();
	faults();
	altstack();
	eintr_vs_restart();
	suspend_and_wait();
	errors();
	return guest_exit();
}
