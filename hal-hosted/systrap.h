/*
 * The systrap platform's stub layout and shared-page offsets, included
 * by systrap.c (the kernel side) and stub_systrap.S (the stub's code), so
 * plain numbers only (no C suffixes, no C types).
 */
#ifndef SYSTRAP_H
#define SYSTRAP_H

/* The stub's range starts at STUB_BASE (hosted.h): 0x7fff00000000. */
#define ST_BASE 0x7fff00000000
/* Code: the only addresses whose syscalls the filters let through. */
#define ST_CODE_SIZE 0x2000
/* Read-only configuration: flags and the two seccomp programs. */
#define ST_CFG (ST_BASE + 0x10000)
#define ST_CFG_FSGSBASE 0  /* qword: 1 when rd/wrfsbase work */
#define ST_CFG_GUEST_PROG 8  /* struct sock_fprog of the guest threads */
#define ST_CFG_MAPPER_PROG 24 /* struct sock_fprog of the mapper */
#define ST_CFG_GUEST_INSNS 256
#define ST_CFG_MAPPER_INSNS 2048
/* The mapper thread's stack (only its reply record lives there). */
#define ST_MSTACK_TOP (ST_BASE + 0x30000)
/* Shared with the kernel (slices of the phys memfd): the command page
 * (read-only in the stub) and one page per thread slot after it. */
#define ST_CTL (ST_BASE + 0x100000)
#define ST_SLOTS 1023
#define ST_CTL_BYTES 0x400000
/* Alternate signal stacks, one per slot. */
#define ST_ALT (ST_BASE + 0x800000)
#define ST_ALT_SHIFT 14
#define ST_ALT_SIZE 0x4000
#define ST_END (ST_BASE + 0x1800000)
#define ST_HOST_END 0x7ffffffff000

/* fds inside a systrap stub */
#define ST_FD_MEM 3    /* the phys memfd (only the mapper may map it) */
#define ST_FD_EVENT 4  /* eventfd: "a thread trapped" */
#define ST_FD_REPLY 5  /* pipe: the mapper's replies, one 16-byte record each */
#define ST_FD_DOOR 6   /* pipe: the kernel's doorbell, a byte per command */

/* Command page */
#define CMD_SEQ 0
#define CMD_NR 8
#define CMD_ARGS 16
#define CMD_CLONE 1000  /* a0 slot, a1 stack top, a2 ctid address */
#define CMD_TGKILL 1001 /* a0 tid, a1 signal */

/* Thread page */
#define PG_STATE 0
#define PG_TID 4
#define PG_CTID 8
#define PG_FLAGS 12
#define PG_SIGNO 16
#define PG_CODE 24
#define PG_ADDR 32
#define PG_SYSNR 40
#define PG_FS 48
#define PG_GS 56
#define PG_GREGS 64 /* 23 qwords of the signal frame's sigcontext */
#define PG_FPU 256  /* 512-byte FXSAVE image */

/* PG_STATE values */
#define ST_NONE 0
#define ST_RUNNING 1
#define ST_TRAPPED 2 /* registers saved, the kernel is told */
#define ST_RESUME 3  /* the kernel wrote the registers to run with */
#define ST_EXIT 4
#define ST_STOPPED 5 /* a new thread, waiting for its first start */

/* PG_FLAGS bits for ST_RESUME */
#define PGF_FPU 1
#define PGF_FSGS 2

/* Host thread flags of every stub thread (the mapper adds the tid ones). */
#define ST_THREAD_FLAGS 0x50f00 /* VM FS FILES SIGHAND THREAD SYSVSEM */
#define ST_CLONE_TIDS 0x1200000 /* CHILD_SETTID | CHILD_CLEARTID */

#endif
