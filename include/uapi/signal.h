/*
 * Linux x86_64 signal numbers, sigaction flags and the structures a signal
 * handler sees (signal(7), sigaction(2), sigaltstack(2), timer_create(2),
 * and the x86_64 signal frame: siginfo, ucontext, sigcontext, fpstate).
 * The structs carry a linux_ prefix so hosted code can include them next
 * to libc's.
 */
#ifndef UAPI_SIGNAL_H
#define UAPI_SIGNAL_H

#include <stdint.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 32
#define SIGRTMAX 64

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

#define SIG_DFL 0
#define SIG_IGN 1

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* si_code values */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE (-1)
#define SI_TIMER (-2)
#define SI_TKILL (-6)
#define ILL_ILLOPC 1
#define ILL_ILLOPN 2
#define ILL_PRVOPC 5
#define FPE_INTDIV 1
#define FPE_INTOVF 2
#define FPE_FLTDIV 3
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

#define SI_MESGQ (-3)
#define SI_ASYNCIO (-4)
#define SI_SIGIO (-5)
#define ILL_ILLOPR 3
#define ILL_ILLADR 4
#define ILL_ILLTRP 6
#define ILL_PRVREG 7
#define ILL_COPROC 8
#define ILL_BADSTK 9
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define FPE_FLTSUB 8
#define BUS_OBJERR 3

#define MINSIGSTKSZ 2048
#define SIGSTKSZ 8192
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)

/* sigevent.sigev_notify (timer_create(2)). */
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4

/* ucontext.uc_flags on x86_64. */
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4

/* stack_t (sigaltstack(2)). */
struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

/* siginfo_t: 128 bytes, the fields of each kind at the offsets of
 * sigaction(2)'s list (x86_64 padding included). */
struct linux_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad0;
	union {
		struct { /* kill, sigqueue (SI_USER, SI_QUEUE, SI_TKILL) */
			int32_t pid;
			uint32_t uid;
			uint64_t value; /* sigval */
		} kill;
		struct { /* POSIX timers (SI_TIMER) */
			int32_t tid;
			int32_t overrun;
			uint64_t value;
		} timer;
		struct { /* SIGCHLD */
			int32_t pid;
			uint32_t uid;
			int32_t status;
			int32_t pad;
			int64_t utime; /* clock ticks */
			int64_t stime;
		} chld;
		struct { /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			uint64_t addr;
			int16_t addr_lsb;
		} fault;
		struct { /* SIGIO / SIGPOLL */
			int64_t band;
			int32_t fd;
		} poll;
		struct { /* SIGSYS */
			uint64_t call_addr;
			int32_t syscall;
			uint32_t arch;
		} sys;
		uint8_t bytes[112];
	} f;
};

/* struct sigevent (timer_create(2)). */
struct linux_sigevent {
	uint64_t sigev_value;
	int32_t sigev_signo;
	int32_t sigev_notify;
	union {
		int32_t tid; /* SIGEV_THREAD_ID */
		uint8_t bytes[48];
	} u;
};

/* The x87/SSE state in a signal frame: the 512-byte FXSAVE image. */
struct linux_fpstate {
	uint16_t cwd, swd, twd, fop;
	uint64_t rip, rdp;
	uint32_t mxcsr, mxcsr_mask;
	uint32_t st_space[32];
	uint32_t xmm_space[64];
	uint32_t reserved2[12];
	uint32_t sw_reserved[12];
};

/* The registers of an interrupted context (glibc's mcontext_t gregs,
 * in REG_R8..REG_CR2 order), then the fpstate pointer. */
struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
	uint64_t rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* struct linux_fpstate *, or 0 */
	uint64_t reserved1[8];
};

/* The kernel's ucontext: its sigset is one 64-bit word. */
struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	struct linux_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

/* What a handler finds at its rsp: the return address (sa_restorer), the
 * ucontext and the siginfo; the fpstate lies above, 64-byte aligned. */
struct linux_rt_sigframe {
	uint64_t pretcode;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_stack) == 24, "stack_t size");
_Static_assert(__builtin_offsetof(struct linux_stack, ss_size) == 16,
	       "stack_t.ss_size offset");
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t size");
_Static_assert(__builtin_offsetof(struct linux_siginfo, f) == 16,
	       "siginfo union offset");
_Static_assert(__builtin_offsetof(struct linux_siginfo, f.chld.status) == 24,
	       "si_status offset");
_Static_assert(__builtin_offsetof(struct linux_siginfo, f.chld.utime) == 32,
	       "si_utime offset");
_Static_assert(__builtin_offsetof(struct linux_siginfo, f.kill.value) == 24,
	       "si_value offset");
_Static_assert(__builtin_offsetof(struct linux_siginfo, f.timer.overrun) == 20,
	       "si_overrun offset");
_Static_assert(__builtin_offsetof(struct linux_siginfo, f.poll.fd) == 24,
	       "si_fd offset");
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent size");
_Static_assert(__builtin_offsetof(struct linux_sigevent, u.tid) == 16,
	       "sigev_notify_thread_id offset");
_Static_assert(sizeof(struct linux_fpstate) == 512, "FXSAVE image size");
_Static_assert(__builtin_offsetof(struct linux_fpstate, mxcsr) == 24,
	       "mxcsr offset");
_Static_assert(__builtin_offsetof(struct linux_fpstate, sw_reserved) == 464,
	       "sw_reserved offset");
_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext size");
_Static_assert(__builtin_offsetof(struct linux_sigcontext, rip) == 128,
	       "REG_RIP is gregs[16]");
_Static_assert(__builtin_offsetof(struct linux_sigcontext, err) == 152,
	       "REG_ERR is gregs[19]");
_Static_assert(__builtin_offsetof(struct linux_sigcontext, cr2) == 176,
	       "REG_CR2 is gregs[22]");
_Static_assert(__builtin_offsetof(struct linux_sigcontext, fpstate) == 184,
	       "fpregs pointer after the 23 gregs");
_Static_assert(sizeof(struct linux_ucontext) == 304, "kernel ucontext size");
_Static_assert(__builtin_offsetof(struct linux_ucontext, uc_mcontext) == 40,
	       "uc_mcontext offset");
_Static_assert(__builtin_offsetof(struct linux_ucontext, uc_sigmask) == 296,
	       "uc_sigmask offset");
_Static_assert(sizeof(struct linux_rt_sigframe) == 440, "rt_sigframe size");
_Static_assert(__builtin_offsetof(struct linux_rt_sigframe, info) == 312,
	       "rt_sigframe.info offset");

#endif
