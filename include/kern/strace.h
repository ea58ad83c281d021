/*
 * strace: the --strace printer (src/syscall/strace.c). One line per
 * completed system call, in strace's own format, built from the argument
 * kinds of the syscall table (kern/syscall.h) and sent through hal_log.
 */
#ifndef KERN_STRACE_H
#define KERN_STRACE_H

#include <kern/types.h>

struct thread;

/* Strings and buffers print at most this many bytes, then `...`. */
#define STRACE_STRLEN 32
/* argv/envp arrays print at most this many elements, then `...`. */
#define STRACE_ARGV_MAX 8

/* The `ret` of a call that never returns (exit, exit_group, a killed
 * thread): printed as `= ?`. */
#define STRACE_RET_NONE ((long)INT64_MIN)

/*
 * Formats the trace line of syscall nr of thread t with raw arguments args
 * and result ret (a value, a negative errno, or STRACE_RET_NONE) into buf:
 * "[pid N] name(args) = result", without a newline. Strings and buffers
 * are read from t's user memory at the time of the call (outbuf arguments
 * use ret as their length); an unreadable pointer prints as its address.
 * Always NUL-terminates when len > 0; returns the length the full line
 * would have had (like snprintf). Never blocks, never fails.
 */
long strace_format(char *buf, size_t len, struct thread *t, long nr,
		   const uint64_t *args, long ret);

/* The "ENOENT (No such file or directory)" text of a positive errno;
 * unknown numbers give "E??? (Unknown error)". */
const char *strace_errno_name(long err);
const char *strace_errno_text(long err);

#endif
