/*
 * hal.h: THE contract between the Ember core (src/) and a HAL.
 *
 * The core is single-threaded and event-driven: it never blocks. A HAL
 * (hal-hosted/, hal-baremetal/, tests/unit/hal_test.c) implements every
 * hal_* function below once, and CMake links exactly one HAL; there is no
 * pointer table. The HAL calls back into the core only through the kern_*
 * entry points at the end of this file, one call at a time.
 *
 * Types here are neutral (fixed-width integers); numbers that cross into a
 * guest (errno, open flags, stat fields) are Linux's, from include/uapi/.
 */
#ifndef EMBER_HAL_H
#define EMBER_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Boot                                                                 */
/* ------------------------------------------------------------------ */

/*
 * The user address range every HAL gives a guest: [HAL_USER_VA_START,
 * HAL_USER_VA_END). The hosted HAL keeps its stub above the end.
 */
#define HAL_USER_VA_START 0x10000ULL
#define HAL_USER_VA_END 0x7fff00000000ULL

struct boot_info {
	/* Physical memory the core owns: frames [mem_start, mem_start+mem_bytes). */
	uint64_t mem_start;
	uint64_t mem_bytes;
	/* Kernel command line ("init=/bin/sh quiet loglevel=7 ..."), may be "". */
	const char *cmdline;
	/* Initramfs (cpio newc) in kernel memory, or NULL/0. */
	const void *initramfs;
	size_t initramfs_len;
	/* Root: true to use the host directory given to hal_host_root(). */
	bool root_is_hostfs;
	/* The first program: path (guest view), argv and envp (NULL-ended).
	 * When init_path is NULL the core takes init= from the command line. */
	const char *init_path;
	const char *const *init_argv;
	const char *const *init_envp;
	/* Initial working directory in the guest's view ("/" if NULL). */
	const char *init_cwd;
	/* Print every guest syscall (strace format) through hal_log(). */
	bool strace;
};

/* ------------------------------------------------------------------ */
/* Logging and halt                                                     */
/* ------------------------------------------------------------------ */

/* Writes one kernel log line (already formatted, no trailing newline
 * needed). Hosted: stderr; bare metal: serial. May block briefly; never
 * fails visibly. */
void hal_log(const char *msg, size_t len);

/* Powers off with the given exit status (0..255; hosted: the ember
 * process's exit status). Never returns. */
__attribute__((noreturn)) void hal_halt(int status);

/* Best-effort symbol for a kernel text address, for panic backtraces.
 * Writes "name+0xoff" into buf (NUL-terminated) and returns true, or
 * returns false when unknown. Never blocks. */
bool hal_symbolize(uintptr_t addr, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Physical memory                                                      */
/* ------------------------------------------------------------------ */

/* The kernel's pointer to physical address pa (inside the range given in
 * boot_info). Constant time, never fails for a valid pa. */
void *hal_phys_to_virt(uint64_t pa);

/* ------------------------------------------------------------------ */
/* Address spaces                                                       */
/* ------------------------------------------------------------------ */

/* Page protection bits for hal_as_map / hal_as_protect. */
#define HAL_PROT_READ 1
#define HAL_PROT_WRITE 2
#define HAL_PROT_EXEC 4

struct hal_as; /* opaque: a HAL's user address space */

/*
 * Creates an empty user address space. Hosted: starts a stub process.
 * Returns NULL when the host or machine is out of resources. May take a
 * while (hosted: a fork) but does not wait for any guest.
 */
struct hal_as *hal_as_create(void);

/* Destroys an address space and every thread still in it. */
void hal_as_destroy(struct hal_as *as);

/*
 * Maps npages physically contiguous frames starting at pa at user address
 * va (page aligned, inside the user range), replacing what was there.
 * The core's page table is the truth; this only mirrors it. Hosted, each
 * call is a host syscall in the stub: map ranges, not single pages.
 * Returns 0, -ENOMEM, or -ESRCH when the host side of the space is gone
 * (hosted: the stub was killed from the host; its threads then report
 * HAL_TRAP_GONE).
 */
int hal_as_map(struct hal_as *as, uint64_t va, uint64_t pa, size_t npages,
	       unsigned prot);

/* Removes any mapping of [va, va + npages pages). Returns 0. */
int hal_as_unmap(struct hal_as *as, uint64_t va, size_t npages);

/* Changes the protection of mapped pages in [va, va + npages pages).
 * Returns 0 or -ENOMEM. */
int hal_as_protect(struct hal_as *as, uint64_t va, size_t npages,
		   unsigned prot);

/* ------------------------------------------------------------------ */
/* User contexts and traps                                              */
/* ------------------------------------------------------------------ */

/* A user thread's registers. The core owns this memory (it lives in the
 * core's thread); the HAL fills it when it reports a trap and loads it
 * when the thread starts again. */
struct hal_uctx {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10;
	uint64_t r9, r8, rax, rcx, rdx, rsi, rdi;
	uint64_t orig_rax; /* syscall number on a SYSCALL trap */
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t fs_base, gs_base;
	/* FXSAVE image of the x87/SSE state, valid when fpu_valid. The HAL
	 * fills it only when the core asks (hal_uctx_fpu_sync) and clears
	 * fpu_valid at every trap; when the core sets fpu_valid before
	 * hal_uctx_start (sigreturn), the HAL loads the image into the
	 * thread and clears the flag. */
	uint8_t fpu[512] __attribute__((aligned(16)));
	bool fpu_valid;
};

enum hal_trap_kind {
	HAL_TRAP_SYSCALL,    /* the thread executed `syscall`; nr in orig_rax */
	HAL_TRAP_PAGE_FAULT, /* a user access the HAL's mapping refused */
	HAL_TRAP_FAULT,      /* any other fault: signo/code say which */
	HAL_TRAP_PREEMPTED,  /* time slice over or interrupted: just resume */
	HAL_TRAP_GONE,       /* the host thread vanished (hosted only) */
};

/* Access kinds of a page fault. HAL_ACC_UNKNOWN when the HAL cannot tell
 * (hosted ptrace reports no error code); the core then decides from its
 * own page table and VMAs. */
#define HAL_ACC_READ 1
#define HAL_ACC_WRITE 2
#define HAL_ACC_EXEC 4
#define HAL_ACC_UNKNOWN 0
/* Set in access when the page was present (protection fault). */
#define HAL_ACC_PRESENT 8

struct hal_trap {
	enum hal_trap_kind kind;
	uint64_t addr;  /* PAGE_FAULT: faulting address; FAULT: si_addr */
	unsigned access; /* PAGE_FAULT: HAL_ACC_* bits */
	int signo;      /* FAULT: Linux signal number (SIGILL, SIGFPE, ...) */
	int code;       /* FAULT: Linux si_code (ILL_ILLOPN, FPE_INTDIV, ...) */
};

struct hal_thread; /* opaque: a HAL's user thread */

/*
 * Creates a user thread in as whose registers live in *uctx (which must
 * stay valid until hal_thread_destroy). The first thread of a hosted
 * address space is the stub's own thread; later ones are host threads
 * cloned inside the stub (one of the space's threads must be stopped).
 * The thread does not run until hal_uctx_start. Returns NULL on failure.
 */
struct hal_thread *hal_thread_create(struct hal_as *as, struct hal_uctx *uctx);

/* Ends and frees a thread. A stopped thread ends now; a running one ends
 * with its address space (hal_as_destroy). Never calls back into the core. */
void hal_thread_destroy(struct hal_thread *t);

/*
 * Lets t run in user mode with the registers in its uctx. Returns at once;
 * when t stops, the HAL writes its registers back into the uctx and calls
 * kern_trap(uctx, trap) from its event loop. Calling it for a thread that
 * is already running is a core bug.
 */
void hal_uctx_start(struct hal_thread *t);

/* Asks a running thread to stop soon: the HAL reports it with a
 * HAL_TRAP_PREEMPTED trap (unless it traps for another reason first), so
 * the core can deliver a signal to a thread busy in user mode. Harmless
 * for a thread that is not running. Never blocks. */
void hal_thread_interrupt(struct hal_thread *t);

/* Fills uctx->fpu from a stopped thread (for signal frames) and sets
 * fpu_valid. Returns 0 or -EIO. */
int hal_uctx_fpu_sync(struct hal_thread *t);

/* ------------------------------------------------------------------ */
/* Time                                                                 */
/* ------------------------------------------------------------------ */

/* Nanoseconds since an arbitrary point at boot; never goes back. */
uint64_t hal_clock_monotonic_ns(void);
/* Nanoseconds since the Unix epoch (wall clock). */
uint64_t hal_clock_realtime_ns(void);
/* Arms the one-shot timer: kern_timer_event() is called once when the
 * monotonic clock reaches deadline_ns (at once if it is already past).
 * A new call replaces the previous deadline; 0 disarms it. */
void hal_timer_set(uint64_t deadline_ns);

/* ------------------------------------------------------------------ */
/* Console                                                              */
/* ------------------------------------------------------------------ */

/* Console streams. Bare metal sends OUT and ERR to the same serial port. */
#define HAL_CON_IN 0
#define HAL_CON_OUT 1
#define HAL_CON_ERR 2

/* Writes bytes to an output stream. May block until the host takes them
 * (a full pipe). Returns bytes written, or -EPIPE / -EIO. */
long hal_console_write(int stream, const void *buf, size_t len);

/* Non-blocking read from the input stream: bytes read, 0 at end of input,
 * or -EAGAIN when nothing is there yet (then hal_console_poll arms an
 * event). Returns -EIO on a host error. */
long hal_console_read(void *buf, size_t len);

/* Asks for one kern_console_event() when input becomes readable (or hits
 * end of input). Idempotent. */
void hal_console_poll(void);

/* True when the stream is an interactive terminal (so TCGETS works). */
bool hal_console_isatty(int stream);

/* Terminal size of the console; returns 0 and fills rows/cols, or -ENOTTY. */
int hal_console_winsize(unsigned short *rows, unsigned short *cols);

/* The core runs the line discipline of a terminal console itself (echo,
 * editing, ^C, output processing): on=true asks the HAL to hand over the
 * input terminal's bytes unprocessed and to send output unprocessed (raw
 * mode), on=false to restore the terminal as it found it. The HAL must
 * also restore it whenever the kernel ends, however it ends. Returns 0,
 * or -ENOTTY when the input is not a terminal. Never blocks. */
int hal_console_set_raw(bool on);

/* The input terminal's settings as the kernel found them (before raw
 * mode): Linux termios flags (flags[0..3] = c_iflag, c_oflag, c_cflag,
 * c_lflag) and the first 17 control characters (VINTR..VEOL2), so that
 * the console tty starts as the host terminal was. 0, or -ENOTTY (the
 * core then uses Linux's defaults). Never blocks. */
int hal_console_termios(uint32_t flags[4], uint8_t cc[17]);

/* ------------------------------------------------------------------ */
/* Entropy                                                              */
/* ------------------------------------------------------------------ */

/* Fills buf with unpredictable bytes. Never blocks after boot. */
void hal_entropy(void *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Host files (hostfs backend; a HAL without one returns -ENOSYS)       */
/* ------------------------------------------------------------------ */

/*
 * Handles are small integers naming an open host object (a host fd). The
 * core resolves every path component itself: each call below takes a
 * directory handle and ONE name component (no '/', never "." or ".."), and
 * the HAL never follows a symlink on the host (O_NOFOLLOW semantics
 * everywhere). Flags and modes are Linux's numbers. Every call returns
 * >= 0 or a negative Linux errno and may block on host disk I/O.
 */
struct hal_host_stat {
	uint64_t ino, size, blocks, rdev, dev;
	uint32_t mode, nlink, uid, gid, blksize;
	int64_t atime_sec, mtime_sec, ctime_sec;
	uint32_t atime_nsec, mtime_nsec, ctime_nsec;
};

/* Handle of the root directory of the host tree the guest sees. */
int hal_host_root(void);
/* Opens name in dir. flags: Linux O_* (O_NOFOLLOW is always added;
 * O_PATH allowed). Returns a new handle. */
int hal_host_openat(int dir, const char *name, int flags, unsigned mode);
int hal_host_close(int h);
/* stat of an open handle / of name in dir without following symlinks. */
int hal_host_fstat(int h, struct hal_host_stat *st);
int hal_host_statat(int dir, const char *name, struct hal_host_stat *st);
long hal_host_pread(int h, void *buf, size_t len, uint64_t off);
long hal_host_pwrite(int h, const void *buf, size_t len, uint64_t off);
/* Reads linux_dirent64 records from a directory handle at its own
 * position; returns bytes, 0 at the end. */
long hal_host_getdents(int h, void *buf, size_t len);
/* Repositions a directory handle (0 restarts it). */
int hal_host_seekdir(int h, uint64_t pos);
long hal_host_readlinkat(int dir, const char *name, char *buf, size_t len);
int hal_host_mkdirat(int dir, const char *name, unsigned mode);
/* flags: 0 or AT_REMOVEDIR (0x200). */
int hal_host_unlinkat(int dir, const char *name, int flags);
int hal_host_renameat(int olddir, const char *oldname, int newdir,
		      const char *newname, unsigned flags);
int hal_host_symlinkat(const char *target, int dir, const char *name);
int hal_host_linkat(int olddir, const char *oldname, int newdir,
		    const char *newname);
int hal_host_ftruncate(int h, uint64_t len);
int hal_host_fchmod(int h, unsigned mode);
int hal_host_fchown(int h, uint32_t uid, uint32_t gid);
/* times: [0] atime, [1] mtime as {sec, nsec}; nsec may be UTIME_NOW or
 * UTIME_OMIT (Linux values). */
int hal_host_futimens(int h, const int64_t times[4]);
int hal_host_fsync(int h);

/* ------------------------------------------------------------------ */
/* Block devices (hosted: --disk FILE; bare metal: virtio-blk)           */
/* ------------------------------------------------------------------ */

/*
 * Disks are numbered 0..hal_blk_count()-1 in the order they were given
 * (the core names them /dev/vda, /dev/vdb, ...). Sectors are 512 bytes.
 * Calls are synchronous: they return when the transfer is done (the core
 * treats them like memory copies that may take a while); a HAL with no
 * disks returns 0 from hal_blk_count and -ENODEV from the rest.
 */
#define HAL_BLK_SECTOR 512
int hal_blk_count(void);
/* Size in sectors and whether the disk is read-only. 0 or -ENODEV. */
int hal_blk_info(int disk, uint64_t *sectors, bool *read_only);
/* Reads/writes count sectors at sector. 0, -EIO, -EROFS, or -EINVAL past
 * the end. */
int hal_blk_read(int disk, uint64_t sector, void *buf, size_t count);
int hal_blk_write(int disk, uint64_t sector, const void *buf, size_t count);
/* Makes every completed write durable (fdatasync / virtio FLUSH). */
int hal_blk_flush(int disk);

/* ------------------------------------------------------------------ */
/* Network devices (hosted: --net tap:NAME; bare metal: virtio-net)      */
/* ------------------------------------------------------------------ */

/*
 * NICs are numbered 0..hal_net_count()-1 and carry Ethernet frames
 * (without FCS). A HAL with no NIC returns 0 from hal_net_count and
 * -ENODEV from the rest.
 */
int hal_net_count(void);
/* MAC address and MTU (payload bytes, 1500 usually). 0 or -ENODEV. */
int hal_net_info(int nic, uint8_t mac[6], unsigned *mtu);
/* Queues one frame for sending; never blocks. 0, or -EAGAIN when the
 * device queue is full (the frame is dropped, as a wire would). */
int hal_net_send(int nic, const void *frame, size_t len);
/* Takes one received frame into buf: its length, 0 when none is waiting
 * (then one kern_net_event(nic) follows when frames arrive), -EMSGSIZE
 * when the frame did not fit (it is dropped). */
long hal_net_recv(int nic, void *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Core entry points, called by the HAL (implemented in src/)           */
/* ------------------------------------------------------------------ */

/* Boots the core. Returns after the first process is started; the HAL then
 * runs its event loop and calls the kern_* events below. */
void kmain(const struct boot_info *bi);

/* A thread stopped: uctx is the one given to hal_thread_create, already
 * holding the registers at the trap. */
void kern_trap(struct hal_uctx *uctx, const struct hal_trap *trap);

/* The deadline given to hal_timer_set was reached. */
void kern_timer_event(void);

/* Console input is readable (or at its end) after hal_console_poll. */
void kern_console_event(void);

/* The console terminal changed size (the host's SIGWINCH): the core asks
 * hal_console_winsize and signals the foreground process group. */
void kern_console_resize(void);

/* The host asked the kernel to stop or interrupt (SIGINT, SIGTERM, SIGHUP
 * to the hosted kernel): signo is the Linux signal number. */
void kern_host_signal(int signo);

/* Frames arrived on nic: the core drains them with hal_net_recv. */
void kern_net_event(int nic);

#endif
