/*
 * syscall: the one table (src/syscall/syscalls.tbl) and its dispatcher.
 * tools/gensyscalls turns the table into the dispatch array, the handler
 * prototypes (syscall_protos.h, so a drifting signature fails to build),
 * the strace argument kinds and docs/SYSCALLS.md.
 */
#ifndef KERN_SYSCALL_H
#define KERN_SYSCALL_H

#include <kern/types.h>

#define SYSCALL_MAX 512 /* table size: numbers 0..511 */

/* Argument kinds: how strace prints an argument and how the fuzzer makes
 * one. The generator maps each table kind name to one of these. */
enum sc_kind {
	SC_NONE = 0,
	SC_INT,     /* int, printed signed */
	SC_UINT,    /* unsigned int */
	SC_LONG,    /* long */
	SC_ULONG,   /* unsigned long, printed in decimal */
	SC_HEX,     /* unsigned long, printed in hex (flags, masks) */
	SC_SIZE,    /* size_t */
	SC_OFF,     /* int64_t file offset */
	SC_FD,      /* int file descriptor */
	SC_DIRFD,   /* int fd or AT_FDCWD */
	SC_PID,     /* int pid/tid */
	SC_MODE,    /* unsigned mode, printed in octal */
	SC_OFLAGS,  /* open flags, decoded */
	SC_PROT,    /* mmap prot, decoded */
	SC_MFLAGS,  /* mmap flags, decoded */
	SC_SIGNO,   /* signal number, decoded */
	SC_PTR,     /* user pointer to a struct, printed as an address */
	SC_PATH,    /* user NUL-terminated path, printed as a string */
	SC_STR,     /* user NUL-terminated string */
	SC_INBUF,   /* user buffer read by the call; length in arg `len_arg` */
	SC_OUTBUF,  /* user buffer filled by the call; length = the result */
	SC_STRV,    /* user NULL-terminated array of strings (argv) */
};

enum sc_status {
	SC_MISSING = 0, /* no handler: -ENOSYS */
	SC_PARTIAL,     /* handler exists; part of Linux's behaviour is missing */
	SC_DONE,
};

struct syscall_desc {
	const char *name;                 /* NULL: no syscall at this number */
	long (*call)(const uint64_t *a);  /* NULL when SC_MISSING */
	uint8_t nargs;
	uint8_t status;                   /* enum sc_status */
	uint8_t kind[6];                  /* enum sc_kind */
	int8_t len_arg[6];                /* SC_INBUF: index of the length arg */
	const char *argname[6];
	/* The table's C type of each argument, for documentation. */
	const char *ctype[6];
};

extern const struct syscall_desc syscall_table[SYSCALL_MAX];

/* Handles a SYSCALL trap of current: runs the handler, stores the result
 * in rax (unless the thread blocked or is gone), prints the strace line
 * when tracing. Called by kern_trap and again when a blocked thread wakes. */
void syscall_handle(struct thread *t);

/* Runs syscall nr for current with raw arguments and returns its result
 * (-ENOSYS for unknown numbers). Used by unit tests and fuzzers. */
long syscall_invoke(long nr, const uint64_t args[6]);

/* strace output for one call (before: args; after: the result). */
extern bool strace_enabled;
void strace_enter(struct thread *t, long nr, const uint64_t *args);
void strace_exit(struct thread *t, long nr, const uint64_t *args, long ret);

#endif
