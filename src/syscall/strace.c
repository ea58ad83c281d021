/*
 * strace.c: the --strace printer (layer: syscall; relies on the generated
 * syscall_table for names and argument kinds, vm_read for user memory,
 * task_next for the [pid N] prefix and hal_log for output).
 * Lines follow strace(1): `name(args) = result`, errors as
 * `= -1 ENOENT (No such file or directory)`. User memory is only read,
 * through the task's mm, so a bad pointer prints as its address.
 */
#include <hal.h>
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/strace.h>
#include <kern/syscall.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>
#include <uapi/signal.h>

/* A bounded string builder that counts what it could not store. */
struct sbuf {
	char *buf;
	size_t size;
	size_t pos; /* length of the full output so far */
};

static void sb_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	size_t room = sb->pos < sb->size ? sb->size - sb->pos : 0;
	char dummy[1];
	int n = kvsnprintf(room ? sb->buf + sb->pos : dummy, room, fmt, ap);

	if (n > 0)
		sb->pos += (size_t)n;
}

static __printf(2, 3) void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

static void sb_putc(struct sbuf *sb, char c)
{
	if (sb->pos + 1 < sb->size)
		sb->buf[sb->pos] = c;
	sb->pos++;
	if (sb->size)
		sb->buf[MIN(sb->pos, sb->size - 1)] = '\0';
}

static void sb_puts(struct sbuf *sb, const char *s)
{
	while (*s)
		sb_putc(sb, *s++);
}

/* ---- errno names -------------------------------------------------- */

struct errno_desc {
	int num;
	const char *name;
	const char *text;
};

static const struct errno_desc errnos[] = {
	{ EPERM, "EPERM", "Operation not permitted" },
	{ ENOENT, "ENOENT", "No such file or directory" },
	{ ESRCH, "ESRCH", "No such process" },
	{ EINTR, "EINTR", "Interrupted system call" },
	{ EIO, "EIO", "Input/output error" },
	{ ENXIO, "ENXIO", "No such device or address" },
	{ E2BIG, "E2BIG", "Argument list too long" },
	{ ENOEXEC, "ENOEXEC", "Exec format error" },
	{ EBADF, "EBADF", "Bad file descriptor" },
	{ ECHILD, "ECHILD", "No child processes" },
	{ EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
	{ ENOMEM, "ENOMEM", "Cannot allocate memory" },
	{ EACCES, "EACCES", "Permission denied" },
	{ EFAULT, "EFAULT", "Bad address" },
	{ ENOTBLK, "ENOTBLK", "Block device required" },
	{ EBUSY, "EBUSY", "Device or resource busy" },
	{ EEXIST, "EEXIST", "File exists" },
	{ EXDEV, "EXDEV", "Invalid cross-device link" },
	{ ENODEV, "ENODEV", "No such device" },
	{ ENOTDIR, "ENOTDIR", "Not a directory" },
	{ EISDIR, "EISDIR", "Is a directory" },
	{ EINVAL, "EINVAL", "Invalid argument" },
	{ ENFILE, "ENFILE", "Too many open files in system" },
	{ EMFILE, "EMFILE", "Too many open files" },
	{ ENOTTY, "ENOTTY", "Inappropriate ioctl for device" },
	{ ETXTBSY, "ETXTBSY", "Text file busy" },
	{ EFBIG, "EFBIG", "File too large" },
	{ ENOSPC, "ENOSPC", "No space left on device" },
	{ ESPIPE, "ESPIPE", "Illegal seek" },
	{ EROFS, "EROFS", "Read-only file system" },
	{ EMLINK, "EMLINK", "Too many links" },
	{ EPIPE, "EPIPE", "Broken pipe" },
	{ EDOM, "EDOM", "Numerical argument out of domain" },
	{ ERANGE, "ERANGE", "Numerical result out of range" },
	{ EDEADLK, "EDEADLK", "Resource deadlock avoided" },
	{ ENAMETOOLONG, "ENAMETOOLONG", "File name too long" },
	{ ENOLCK, "ENOLCK", "No locks available" },
	{ ENOSYS, "ENOSYS", "Function not implemented" },
	{ ENOTEMPTY, "ENOTEMPTY", "Directory not empty" },
	{ ELOOP, "ELOOP", "Too many levels of symbolic links" },
	{ ENOMSG, "ENOMSG", "No message of desired type" },
	{ EIDRM, "EIDRM", "Identifier removed" },
	{ ENOSTR, "ENOSTR", "Device not a stream" },
	{ ENODATA, "ENODATA", "No data available" },
	{ ETIME, "ETIME", "Timer expired" },
	{ ENOSR, "ENOSR", "Out of streams resources" },
	{ EREMOTE, "EREMOTE", "Object is remote" },
	{ ENOLINK, "ENOLINK", "Link has been severed" },
	{ EPROTO, "EPROTO", "Protocol error" },
	{ EMULTIHOP, "EMULTIHOP", "Multihop attempted" },
	{ EBADMSG, "EBADMSG", "Bad message" },
	{ EOVERFLOW, "EOVERFLOW", "Value too large for defined data type" },
	{ EBADFD, "EBADFD", "File descriptor in bad state" },
	{ ELIBBAD, "ELIBBAD", "Accessing a corrupted shared library" },
	{ EILSEQ, "EILSEQ",
	  "Invalid or incomplete multibyte or wide character" },
	{ ERESTART, "ERESTART", "Interrupted system call should be restarted" },
	{ EUSERS, "EUSERS", "Too many users" },
	{ ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket" },
	{ EDESTADDRREQ, "EDESTADDRREQ", "Destination address required" },
	{ EMSGSIZE, "EMSGSIZE", "Message too long" },
	{ EPROTOTYPE, "EPROTOTYPE", "Protocol wrong type for socket" },
	{ ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported" },
	{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", "Socket type not supported" },
	{ EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported" },
	{ EPFNOSUPPORT, "EPFNOSUPPORT", "Protocol family not supported" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT",
	  "Address family not supported by protocol" },
	{ EADDRINUSE, "EADDRINUSE", "Address already in use" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address" },
	{ ENETDOWN, "ENETDOWN", "Network is down" },
	{ ENETUNREACH, "ENETUNREACH", "Network is unreachable" },
	{ ENETRESET, "ENETRESET", "Network dropped connection on reset" },
	{ ECONNABORTED, "ECONNABORTED", "Software caused connection abort" },
	{ ECONNRESET, "ECONNRESET", "Connection reset by peer" },
	{ ENOBUFS, "ENOBUFS", "No buffer space available" },
	{ EISCONN, "EISCONN", "Transport endpoint is already connected" },
	{ ENOTCONN, "ENOTCONN", "Transport endpoint is not connected" },
	{ ESHUTDOWN, "ESHUTDOWN",
	  "Cannot send after transport endpoint shutdown" },
	{ ETOOMANYREFS, "ETOOMANYREFS", "Too many references: cannot splice" },
	{ ETIMEDOUT, "ETIMEDOUT", "Connection timed out" },
	{ ECONNREFUSED, "ECONNREFUSED", "Connection refused" },
	{ EHOSTDOWN, "EHOSTDOWN", "Host is down" },
	{ EHOSTUNREACH, "EHOSTUNREACH", "No route to host" },
	{ EALREADY, "EALREADY", "Operation already in progress" },
	{ EINPROGRESS, "EINPROGRESS", "Operation now in progress" },
	{ ESTALE, "ESTALE", "Stale file handle" },
	{ EDQUOT, "EDQUOT", "Disk quota exceeded" },
	{ ECANCELED, "ECANCELED", "Operation canceled" },
	{ ENOKEY, "ENOKEY", "Required key not available" },
	{ EOWNERDEAD, "EOWNERDEAD", "Owner died" },
	{ ENOTRECOVERABLE, "ENOTRECOVERABLE", "State not recoverable" },
	{ ERESTARTSYS, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ ERESTARTNOINTR, "ERESTARTNOINTR", "To be restarted" },
	{ ERESTARTNOHAND, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ ERESTART_RESTARTBLOCK, "ERESTART_RESTARTBLOCK",
	  "Interrupted by signal" },
};

static const struct errno_desc *errno_find(long err)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].num == err)
			return &errnos[i];
	return NULL;
}

const char *strace_errno_name(long err)
{
	const struct errno_desc *e = errno_find(err);

	return e ? e->name : "E???";
}

const char *strace_errno_text(long err)
{
	const struct errno_desc *e = errno_find(err);

	return e ? e->text : "Unknown error";
}

/* ---- flag decoding -------------------------------------------------- */

struct flag_name {
	unsigned long bits;
	const char *name;
};

/* Multi-bit flags come before the single bits they contain. */
static const struct flag_name open_flags[] = {
	{ O_CREAT, "O_CREAT" },		{ O_EXCL, "O_EXCL" },
	{ O_NOCTTY, "O_NOCTTY" },	{ O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" },	{ O_NONBLOCK, "O_NONBLOCK" },
	{ O_SYNC, "O_SYNC" },		{ O_DSYNC, "O_DSYNC" },
	{ O_ASYNC, "O_ASYNC" },		{ O_DIRECT, "O_DIRECT" },
	{ O_LARGEFILE, "O_LARGEFILE" }, { O_TMPFILE, "O_TMPFILE" },
	{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" },	{ O_CLOEXEC, "O_CLOEXEC" },
	{ O_PATH, "O_PATH" },
};

static const struct flag_name prot_flags[] = {
	{ PROT_READ, "PROT_READ" },	  { PROT_WRITE, "PROT_WRITE" },
	{ PROT_EXEC, "PROT_EXEC" },	  { PROT_GROWSDOWN, "PROT_GROWSDOWN" },
	{ PROT_GROWSUP, "PROT_GROWSUP" },
};

static const struct flag_name map_flags[] = {
	{ MAP_FIXED, "MAP_FIXED" },
	{ MAP_ANONYMOUS, "MAP_ANONYMOUS" },
	{ MAP_32BIT, "MAP_32BIT" },
	{ MAP_GROWSDOWN, "MAP_GROWSDOWN" },
	{ MAP_DENYWRITE, "MAP_DENYWRITE" },
	{ MAP_EXECUTABLE, "MAP_EXECUTABLE" },
	{ MAP_LOCKED, "MAP_LOCKED" },
	{ MAP_NORESERVE, "MAP_NORESERVE" },
	{ MAP_POPULATE, "MAP_POPULATE" },
	{ MAP_NONBLOCK, "MAP_NONBLOCK" },
	{ MAP_STACK, "MAP_STACK" },
	{ MAP_HUGETLB, "MAP_HUGETLB" },
	{ MAP_SYNC, "MAP_SYNC" },
	{ MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
};

/* Prints the names of the bits of v found in names, `|`-separated after
 * whatever the caller already printed (sep says whether that was
 * anything), then any leftover bits in hex. */
static void print_flags(struct sbuf *sb, unsigned long v,
			const struct flag_name *names, size_t n, bool sep)
{
	for (size_t i = 0; i < n; i++) {
		if ((v & names[i].bits) != names[i].bits)
			continue;
		if (sep)
			sb_putc(sb, '|');
		sb_puts(sb, names[i].name);
		v &= ~names[i].bits;
		sep = true;
	}
	if (v || !sep)
		sb_printf(sb, "%s%#lx", sep ? "|" : "", v);
}

static void print_oflags(struct sbuf *sb, unsigned long v)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR" };
	unsigned long mode = v & O_ACCMODE;

	/* O_PATH ignores the access mode; strace shows it only if set. */
	if (mode < 3)
		sb_puts(sb, acc[mode]);
	else
		sb_printf(sb, "%#lx", mode);
	v &= ~(unsigned long)O_ACCMODE;
	if (v)
		print_flags(sb, v, open_flags, ARRAY_SIZE(open_flags), true);
}

static void print_prot(struct sbuf *sb, unsigned long v)
{
	if (v == PROT_NONE) {
		sb_puts(sb, "PROT_NONE");
		return;
	}
	print_flags(sb, v, prot_flags, ARRAY_SIZE(prot_flags), false);
}

static void print_mflags(struct sbuf *sb, unsigned long v)
{
	unsigned long type = v & MAP_TYPE;

	if (type == MAP_SHARED)
		sb_puts(sb, "MAP_SHARED");
	else if (type == MAP_PRIVATE)
		sb_puts(sb, "MAP_PRIVATE");
	else if (type == MAP_SHARED_VALIDATE)
		sb_puts(sb, "MAP_SHARED_VALIDATE");
	else
		sb_printf(sb, "%#lx", type);
	v &= ~(unsigned long)MAP_TYPE;
	if (v)
		print_flags(sb, v, map_flags, ARRAY_SIZE(map_flags), true);
}

static const char *const signal_names[] = {
	[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",
	[SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",
	[SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
	[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM",
	[SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

static void print_signo(struct sbuf *sb, int sig)
{
	if (sig > 0 && (size_t)sig < ARRAY_SIZE(signal_names) &&
	    signal_names[sig])
		sb_puts(sb, signal_names[sig]);
	else if (sig == SIGRTMIN)
		sb_puts(sb, "SIGRTMIN");
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		sb_printf(sb, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		sb_printf(sb, "%d", sig);
}

/* ---- user memory ------------------------------------------------------ */

static struct mm *thread_mm(struct thread *t)
{
	/* A call that ended its process may have freed the mm already. */
	if (!t || !t->task || t->state == THREAD_DEAD ||
	    t->task->state != TASK_ALIVE)
		return NULL;
	return t->task->mm;
}

/* Reads up to n bytes at uaddr, page by page, stopping at the first
 * unreadable page; returns how many bytes were read. */
static size_t read_user(struct mm *mm, void *dst, uaddr_t uaddr, size_t n)
{
	size_t done = 0;

	if (!mm)
		return 0;
	while (done < n) {
		uaddr_t a = uaddr + done;
		size_t chunk = MIN(n - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));

		if (a < uaddr || vm_read(mm, (char *)dst + done, a, chunk))
			break;
		done += chunk;
	}
	return done;
}

/* Reads a NUL-terminated string of at most max bytes (not counting the
 * NUL) into dst (max + 1 bytes). Returns its length, max + 1 when it is
 * longer than max, or -1 when the first byte is unreadable. A string cut
 * short by an unreadable page counts as ending there. */
static long read_user_str(struct mm *mm, char *dst, uaddr_t uaddr, size_t max)
{
	size_t got = 0;

	while (got <= max) {
		uaddr_t a = uaddr + got;
		size_t chunk =
			MIN(max + 1 - got, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
		size_t n = read_user(mm, dst + got, a, chunk);
		const char *nul = memchr(dst + got, '\0', n);

		if (nul)
			return nul - dst;
		got += n;
		if (n < chunk)
			return got ? (long)got : -1;
	}
	return (long)max + 1;
}

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

/* Prints bytes as a C string literal the way strace does. */
static void print_quoted(struct sbuf *sb, const char *s, size_t n)
{
	sb_putc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\n':
			sb_puts(sb, "\\n");
			continue;
		case '\t':
			sb_puts(sb, "\\t");
			continue;
		case '\r':
			sb_puts(sb, "\\r");
			continue;
		case '\v':
			sb_puts(sb, "\\v");
			continue;
		case '\f':
			sb_puts(sb, "\\f");
			continue;
		case '"':
			sb_puts(sb, "\\\"");
			continue;
		case '\\':
			sb_puts(sb, "\\\\");
			continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			sb_putc(sb, (char)c);
		} else if (i + 1 < n && is_odigit(s[i + 1])) {
			/* A digit follows: the escape needs all three digits. */
			sb_printf(sb, "\\%03o", c);
		} else {
			sb_printf(sb, "\\%o", c);
		}
	}
	sb_putc(sb, '"');
}

static void print_addr(struct sbuf *sb, uint64_t v)
{
	if (v == 0)
		sb_puts(sb, "NULL");
	else
		sb_printf(sb, "%#lx", (unsigned long)v);
}

static void print_ustr(struct sbuf *sb, struct mm *mm, uaddr_t ua)
{
	char s[STRACE_STRLEN + 1] = { 0 };
	long n;

	if (!ua) {
		sb_puts(sb, "NULL");
		return;
	}
	n = read_user_str(mm, s, ua, STRACE_STRLEN);
	if (n < 0) {
		print_addr(sb, ua);
		return;
	}
	print_quoted(sb, s, MIN((size_t)n, (size_t)STRACE_STRLEN));
	if (n > STRACE_STRLEN)
		sb_puts(sb, "...");
}

/* A buffer of len bytes, of which at most STRACE_STRLEN are shown. */
static void print_ubuf(struct sbuf *sb, struct mm *mm, uaddr_t ua, size_t len)
{
	char b[STRACE_STRLEN] = { 0 };
	size_t n = MIN(len, sizeof(b));

	if (read_user(mm, b, ua, n) != n) {
		print_addr(sb, ua);
		return;
	}
	print_quoted(sb, b, n);
	if (len > n)
		sb_puts(sb, "...");
}

static void print_strv(struct sbuf *sb, struct mm *mm, uaddr_t ua)
{
	uint64_t p;

	if (!ua) {
		sb_puts(sb, "NULL");
		return;
	}
	if (read_user(mm, &p, ua, sizeof(p)) != sizeof(p)) {
		print_addr(sb, ua);
		return;
	}
	sb_putc(sb, '[');
	for (int i = 0;; i++) {
		if (read_user(mm, &p, ua + 8 * (uint64_t)i, sizeof(p)) !=
		    sizeof(p)) {
			sb_printf(sb, "%s%#lx", i ? ", " : "",
				  (unsigned long)(ua + 8 * (uint64_t)i));
			break;
		}
		if (!p)
			break;
		if (i)
			sb_puts(sb, ", ");
		if (i == STRACE_ARGV_MAX) {
			sb_puts(sb, "...");
			break;
		}
		print_ustr(sb, mm, p);
	}
	sb_putc(sb, ']');
}

/* ---- one line ---------------------------------------------------------- */

static bool is_error(long ret)
{
	return ret < 0 && ret >= -MAX_ERRNO;
}

/* open(path, flags) without O_CREAT/O_TMPFILE: strace leaves out the mode. */
static bool skip_mode(const struct syscall_desc *d, const uint64_t *args, int i)
{
	unsigned long fl;

	if (i == 0 || d->kind[i - 1] != SC_OFLAGS)
		return false;
	fl = args[i - 1];
	return !(fl & O_CREAT) && (fl & O_TMPFILE) != O_TMPFILE;
}

static void print_arg(struct sbuf *sb, struct thread *t,
		      const struct syscall_desc *d, const uint64_t *args, int i,
		      long ret)
{
	uint64_t v = args[i];
	struct mm *mm = thread_mm(t);

	switch (d->kind[i]) {
	case SC_INT:
	case SC_FD:
	case SC_PID:
		sb_printf(sb, "%d", (int)v);
		break;
	case SC_UINT:
		sb_printf(sb, "%u", (unsigned int)v);
		break;
	case SC_LONG:
		sb_printf(sb, "%ld", (long)v);
		break;
	case SC_ULONG:
	case SC_SIZE:
		sb_printf(sb, "%lu", (unsigned long)v);
		break;
	case SC_OFF:
		sb_printf(sb, "%lld", (long long)(int64_t)v);
		break;
	case SC_HEX:
		sb_printf(sb, v ? "%#lx" : "%lu", (unsigned long)v);
		break;
	case SC_DIRFD:
		if ((int)v == AT_FDCWD)
			sb_puts(sb, "AT_FDCWD");
		else
			sb_printf(sb, "%d", (int)v);
		break;
	case SC_MODE:
		sb_printf(sb, "0%03o", (unsigned int)v);
		break;
	case SC_OFLAGS:
		print_oflags(sb, (unsigned int)v);
		break;
	case SC_PROT:
		print_prot(sb, v);
		break;
	case SC_MFLAGS:
		print_mflags(sb, v);
		break;
	case SC_SIGNO:
		print_signo(sb, (int)v);
		break;
	case SC_PATH:
	case SC_STR:
		print_ustr(sb, mm, v);
		break;
	case SC_INBUF: {
		int li = d->len_arg[i];
		uint64_t len = li >= 0 && li < 6 ? args[li] : 0;

		print_ubuf(sb, mm, v, len);
		break;
	}
	case SC_OUTBUF:
		/* Only a successful call filled it, with ret bytes. */
		if (ret >= 0 && ret != STRACE_RET_NONE)
			print_ubuf(sb, mm, v, (size_t)ret);
		else
			print_addr(sb, v);
		break;
	case SC_STRV:
		print_strv(sb, mm, v);
		break;
	case SC_PTR:
	default:
		print_addr(sb, v);
		break;
	}
}

static bool returns_address(const char *name)
{
	return strcmp(name, "mmap") == 0 || strcmp(name, "brk") == 0 ||
	       strcmp(name, "mremap") == 0 || strcmp(name, "shmat") == 0;
}

static void print_result(struct sbuf *sb, const struct syscall_desc *d,
			 long ret)
{
	if (ret == STRACE_RET_NONE)
		sb_putc(sb, '?');
	else if (is_error(ret))
		sb_printf(sb, "-1 %s (%s)", strace_errno_name(-ret),
			  strace_errno_text(-ret));
	else if (d && returns_address(d->name))
		sb_printf(sb, "%#lx", (unsigned long)ret);
	else
		sb_printf(sb, "%ld", ret);
}

/* strace -f marks lines with the thread id once there is more than one
 * process (or the traced one is not init). */
static bool want_pid_prefix(struct thread *t)
{
	struct task *first;

	if (!t || !t->task)
		return false;
	if (t->task->pid != 1 || t->tid != t->task->pid)
		return true;
	first = task_next(0);
	return first && (first != t->task || task_next(first->pid + 1));
}

long strace_format(char *buf, size_t len, struct thread *t, long nr,
		   const uint64_t *args, long ret)
{
	struct sbuf sb = { .buf = buf, .size = len, .pos = 0 };
	const struct syscall_desc *d = NULL;

	if (len)
		buf[0] = '\0';
	if (want_pid_prefix(t))
		sb_printf(&sb, "[pid %d] ", t->tid);
	if (nr >= 0 && nr < SYSCALL_MAX && syscall_table[nr].name)
		d = &syscall_table[nr];

	if (d) {
		sb_printf(&sb, "%s(", d->name);
		for (int i = 0, shown = 0; i < d->nargs; i++) {
			if (d->kind[i] == SC_MODE && skip_mode(d, args, i))
				continue;
			if (shown++)
				sb_puts(&sb, ", ");
			print_arg(&sb, t, d, args, i, ret);
		}
	} else {
		/* Unknown numbers: strace shows six raw arguments. */
		sb_printf(&sb, "syscall_%#lx(", (unsigned long)nr);
		for (int i = 0; i < 6; i++)
			sb_printf(&sb, "%s%#lx", i ? ", " : "",
				  (unsigned long)args[i]);
	}
	sb_puts(&sb, ") = ");
	print_result(&sb, d, ret);
	if (len)
		buf[MIN(sb.pos, len - 1)] = '\0';
	return (long)sb.pos;
}

/*
 * execve replaces the memory its arguments live in, so its line is built
 * before the call and completed after it. The core handles one syscall at
 * a time and execve never blocks, so one saved line is enough.
 */
#define STRACE_LINE_MAX 2048

static struct {
	struct thread *t;
	long nr;
	long len; /* of the text before " = ?" */
	char line[STRACE_LINE_MAX];
} pending;

static char linebuf[STRACE_LINE_MAX];

static bool has_strv(long nr)
{
	const struct syscall_desc *d;

	if (nr < 0 || nr >= SYSCALL_MAX)
		return false;
	d = &syscall_table[nr];
	for (int i = 0; i < d->nargs; i++)
		if (d->kind[i] == SC_STRV)
			return true;
	return false;
}

static void emit(const char *line, long n)
{
	hal_log(line, (size_t)MIN(n, STRACE_LINE_MAX - 1));
}

void strace_enter(struct thread *t, long nr, const uint64_t *args)
{
	long n;

	pending.t = NULL;
	if (!has_strv(nr))
		return;
	n = strace_format(pending.line, sizeof(pending.line), t, nr, args,
			  STRACE_RET_NONE);
	/* Keep everything up to the " = ?" the format ended with. */
	n = MIN(n, (long)sizeof(pending.line) - 1);
	if (n >= 1 && pending.line[n - 1] == '?')
		n--;
	pending.t = t;
	pending.nr = nr;
	pending.len = n;
}

void strace_exit(struct thread *t, long nr, const uint64_t *args, long ret)
{
	long n;

	if (pending.t == t && pending.nr == nr) {
		struct sbuf sb = { .buf = pending.line,
				   .size = sizeof(pending.line),
				   .pos = (size_t)pending.len };

		pending.t = NULL;
		print_result(&sb, &syscall_table[nr], ret);
		emit(pending.line, (long)sb.pos);
		return;
	}
	n = strace_format(linebuf, sizeof(linebuf), t, nr, args, ret);
	emit(linebuf, n);
}
