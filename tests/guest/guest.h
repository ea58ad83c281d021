/*
 * Helpers shared by the guest programs (plain libc; musl or glibc). A guest
 * prints what it observes so that its native run and its Ember run can be
 * compared; CHECK records a failed expectation and makes main exit 1.
 */
#ifndef GUEST_H
#define GUEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int guest_failures;

/* errno values by name: the printed names must not depend on the libc's
 * strerror wording. */
static inline const char *errname(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case ESRCH:
		return "ESRCH";
	case EINTR:
		return "EINTR";
	case EIO:
		return "EIO";
	case ENXIO:
		return "ENXIO";
	case E2BIG:
		return "E2BIG";
	case ENOEXEC:
		return "ENOEXEC";
	case EBADF:
		return "EBADF";
	case ECHILD:
		return "ECHILD";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EACCES:
		return "EACCES";
	case EFAULT:
		return "EFAULT";
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	case EXDEV:
		return "EXDEV";
	case ENODEV:
		return "ENODEV";
	case ENOTDIR:
		return "ENOTDIR";
	case EISDIR:
		return "EISDIR";
	case EINVAL:
		return "EINVAL";
	case ENFILE:
		return "ENFILE";
	case EMFILE:
		return "EMFILE";
	case ENOTTY:
		return "ENOTTY";
	case EFBIG:
		return "EFBIG";
	case ENOSPC:
		return "ENOSPC";
	case ESPIPE:
		return "ESPIPE";
	case EROFS:
		return "EROFS";
	case EMLINK:
		return "EMLINK";
	case EPIPE:
		return "EPIPE";
	case ERANGE:
		return "ERANGE";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case ENOSYS:
		return "ENOSYS";
	case ENOTEMPTY:
		return "ENOTEMPTY";
	case ELOOP:
		return "ELOOP";
	case EOVERFLOW:
		return "EOVERFLOW";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	default:
		break;
	}
	static char buf[32];
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/* Prints "what: ret" for a call expected to succeed or "what: -1 ENAME". */
#define SHOW(what, expr)                                                       \
	do {                                                                   \
		errno = 0;                                                     \
		long show_r_ = (long)(expr);                                   \
		if (show_r_ < 0)                                               \
			printf("%s: %ld %s\n", what, show_r_, errname(errno)); \
		else                                                           \
			printf("%s: %ld\n", what, show_r_);                    \
	} while (0)

/* Prints "what: ok" when cond holds, otherwise "what: FAILED" plus a
 * failure; used for relations whose operands must not be printed. */
#define CHECK(what, cond)                                                      \
	do {                                                                   \
		int check_ok_ = !!(cond);                                      \
		printf("%s: %s\n", what, check_ok_ ? "ok" : "FAILED");         \
		if (!check_ok_)                                                \
			guest_failures++;                                      \
	} while (0)

/* An expected errno: prints it and records a failure on mismatch. */
#define EXPECT_ERR(what, expr, err)                                            \
	do {                                                                   \
		errno = 0;                                                     \
		long exp_r_ = (long)(expr);                                    \
		int exp_e_ = errno;                                            \
		printf("%s: %ld %s\n", what, exp_r_,                           \
		       exp_r_ < 0 ? errname(exp_e_) : "");                     \
		if (exp_r_ != -1 || exp_e_ != (err)) {                         \
			printf("  expected -1 %s\n", errname(err));            \
			guest_failures++;                                      \
		}                                                              \
	} while (0)

/* An expected non-negative result (-1 prints errno). */
#define EXPECT_OK(what, expr)                                                  \
	do {                                                                   \
		errno = 0;                                                     \
		long ok_r_ = (long)(expr);                                     \
		if (ok_r_ < 0) {                                               \
			printf("%s: %ld %s  expected success\n", what, ok_r_,  \
			       errname(errno));                                \
			guest_failures++;                                      \
		} else {                                                       \
			printf("%s: %ld\n", what, ok_r_);                      \
		}                                                              \
	} while (0)

/* The same, without printing the (legitimately varying) value. */
#define EXPECT_OK_QUIET(what, expr)                                            \
	do {                                                                   \
		errno = 0;                                                     \
		long ok_r_ = (long)(expr);                                     \
		if (ok_r_ < 0) {                                               \
			printf("%s: %ld %s  expected success\n", what, ok_r_,  \
			       errname(errno));                                \
			guest_failures++;                                      \
		} else {                                                       \
			printf("%s: ok\n", what);                              \
		}                                                              \
	} while (0)

static inline int guest_exit(void)
{
	printf("failures: %d\n", guest_failures);
	return guest_failures ? 1 : 0;
}

#endif
