/*
 * main.c: the core's boot sequence (layer: kern; relies on every
 * subsystem's init: the command line, frames, the VFS, then the first
 * process). kmain returns once init runs; the HAL's event loop takes over.
 */
#include <hal.h>
#include <kern/cmdline.h>
#include <kern/klib.h>
#include <kern/net.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/stats.h>
#include <kern/strace.h>
#include <kern/syscall.h>
#include <kern/timer.h>
#include <kern/vfs.h>
#include <uapi/errno.h>

#define DEFAULT_INIT "/sbin/init"
#define MEM_MIN (16ULL << 20)

/* Exit statuses of a failed start, as a shell reports them. */
static int start_failure_status(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		return 127;
	case -ENOEXEC:
	case -EACCES:
		return 126;
	default:
		return 1;
	}
}

void kmain(const struct boot_info *bi)
{
	static struct cmdline cl;
	struct boot_info b = *bi;
	const char *why;
	uint64_t mem;
	int err;

	timer_init();
	cmdline_parse(bi->cmdline, &cl);
	if (cl.quiet)
		printk_level = LOG_ERR;
	if (cl.loglevel >= 0)
		printk_level = cl.loglevel;
	if (!b.init_path) {
		b.init_path = cl.init ? cl.init : DEFAULT_INIT;
		b.init_argv = cl.init ? cl.init_argv : NULL;
	}

	mem = bi->mem_bytes;
	if (cl.mem) {
		/* mem= only ever lowers what the HAL gave, and never below
		 * what the kernel needs to start. */
		if (cl.mem < MEM_MIN)
			pr_warn("mem=%llu is below %llu: ignored",
				(unsigned long long)cl.mem,
				(unsigned long long)MEM_MIN);
		else if (cl.mem < mem)
			mem = PAGE_DOWN(cl.mem);
	}
	/* One console per HAL: hosted, the terminal; bare metal, ttyS0. */
	if (cl.console && strncmp(cl.console, "ttyS0", 5) != 0 &&
	    strncmp(cl.console, "tty0", 4) != 0 &&
	    strncmp(cl.console, "hvc0", 4) != 0)
		pr_warn("console=%s: only the HAL's console (ttyS0) exists; using it",
			cl.console);
	pmm_init(bi->mem_start, mem);
	err = vfs_init(bi);
	if (err) {
		pr_err("cannot mount the root filesystem: %s",
		       strace_errno_text(-err));
		hal_halt(1);
	}
	strace_enabled = bi->strace;
	if (cl.stats)
		kern_stats_boot();
	net_init(bi->cmdline);

	err = proc_start_init(&b);
	if (err) {
		why = err == -ENOEXEC ? proc_exec_reason() : NULL;
		pr_err("cannot run %s: %s%s%s", b.init_path,
		       strace_errno_text(-err), why ? ": " : "",
		       why ? why : "");
		hal_halt(start_failure_status(err));
	}
}
