/*
 * uaccess: copies between the kernel and the current thread's user memory.
 * Every guest pointer goes through these; a bad pointer gives -EFAULT and
 * never crashes the kernel.
 */
#ifndef KERN_UACCESS_H
#define KERN_UACCESS_H

#include <kern/types.h>

/* 0 or -EFAULT (nothing useful is guaranteed in dst after a failure). */
int copy_from_user(void *dst, uaddr_t src, size_t n);
int copy_to_user(uaddr_t dst, const void *src, size_t n);
int clear_user(uaddr_t dst, size_t n);

/* Copies a NUL-terminated string of at most max-1 characters plus the NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL is found in
 * max bytes. */
long strncpy_from_user(char *dst, uaddr_t src, size_t max);

/* Copies a user path (PATH_MAX) into a new kmalloc buffer: returns it, or
 * ERR_PTR(-EFAULT / -ENAMETOOLONG / -ENOMEM / -ENOENT for ""). */
char *getname(uaddr_t upath);
/* Same, but an empty string is allowed (AT_EMPTY_PATH callers). */
char *getname_empty_ok(uaddr_t upath);

#endif
