/*
 * Private declarations shared by the hosted HAL's files. Nothing in src/
 * includes this; it may use libc, libuv and Linux headers freely.
 */
#ifndef HOSTED_H
#define HOSTED_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <hal.h>

/* The stub's reserved range, just above the guest's user range. */
#define STUB_BASE HAL_USER_VA_END
#define STUB_SIZE 0x100000ULL
#define STUB_CODE_SIZE 0x1000ULL
/* Host user address space end (47-bit) for unmapping everything else. */
#define HOST_VA_END 0x7ffffffff000ULL
/* The memfd's fd number inside every stub. */
#define STUB_MEMFD 3

/* The one place host errno becomes a HAL return: r < 0 means "failed,
 * errno set". Host and guest share Linux's numbers, so it is -errno. */
static inline long host_ret(long r)
{
	return r < 0 ? -(long)errno : r;
}

/* phys.c */
extern int phys_memfd;
int phys_init(uint64_t bytes);

/* loop.c */
void loop_init(void);
int loop_run(void);
void loop_watch_children(void);
void loop_restore_host(void);
/* Runs ptrace_deferred() and pending console events on the loop's next
 * turn, outside any core call. */
void loop_defer(void);
void loop_defer_console_event(void);
/* Calls kern_net_event(nic) whenever fd (a NIC's) is readable. */
void loop_watch_net(int fd, int nic);
/* systrap: calls systrap_event() whenever fd (the trap eventfd) is
 * readable. */
void loop_watch_systrap(int fd);

/* ptrace.c */
void ptrace_reap(void); /* handle every pending child stop */
void ptrace_kill_all(void);
void ptrace_deferred(void); /* report traps queued while in the core */

/* systrap.c: the systrap platform (--platform=systrap); when
 * systrap_active, ptrace.c's hal_* entry points hand over to these. */
extern bool systrap_active;
int systrap_init(void); /* after loop_init; 0 or -errno */
/* Is the stub range free in this process (else: re-exec, see main.c)? */
bool systrap_range_free(void);
struct hal_as *systrap_as_create(void);
void systrap_as_destroy(struct hal_as *as);
long systrap_as_syscall(struct hal_as *as, long nr, uint64_t a0, uint64_t a1,
			uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
struct hal_thread *systrap_thread_create(struct hal_as *as,
					 struct hal_uctx *uctx);
void systrap_thread_destroy(struct hal_thread *t);
void systrap_uctx_start(struct hal_thread *t);
void systrap_thread_interrupt(struct hal_thread *t);
int systrap_uctx_fpu_sync(struct hal_thread *t);
void systrap_event(void);     /* the trap eventfd is readable */
void systrap_deferred(void);  /* report traps queued while in the core */
void systrap_reaped(pid_t pid); /* a stub process was reaped */
void systrap_kill_all(void);

/* confine.c */
extern const unsigned long stub_thread_flags;
pid_t confine_fork(void);        /* fork into fresh namespaces if allowed */
int confine_stub_seccomp(void);  /* in the stub: load its allowlist */
int confine_kernel(void);        /* the kernel's own allowlist */

/* console.c */
void console_init(void);
void console_restore(void);
bool console_raw_active(void); /* the host terminal is in raw mode now */
void console_event_ready(void); /* epoll said stdin is readable */
int console_epoll_fd(void);

/* net.c: opens the tap NAME (IFF_TAP|IFF_NO_PI, non-blocking) as NIC 0;
 * the fd, or -errno after printing why on stderr. */
int net_tap_open(const char *name);

/* hostfs.c */
int hostfs_set_root(const char *dir);

/* blk.c: attaches `--disk FILE[,ro]` as the next disk; 0 or -errno. */
int blk_add_disk(const char *spec);

/* boot.c: `ember boot` (QEMU with the bare-metal kernel) */
int cmd_boot(int argc, char **argv);

/* main.c */
extern bool hosted_verbose;

#endif
