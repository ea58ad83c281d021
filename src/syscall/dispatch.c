/*
 * dispatch.c: the system call dispatcher (layer: syscall; relies on the
 * generated syscall_table, the blocking protocol of kern/sched.h, `current`
 * from proc and the strace printer). It takes the number and arguments
 * from a trapped thread, runs the handler and stores the result in rax.
 * It never resumes the thread: kern_trap and the wake path do that.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/strace.h>
#include <kern/syscall.h>
#include <uapi/errno.h>

bool strace_enabled;

static const struct syscall_desc *syscall_lookup(long nr)
{
	if (nr < 0 || nr >= SYSCALL_MAX || !syscall_table[nr].name)
		return NULL;
	return &syscall_table[nr];
}

long syscall_invoke(long nr, const uint64_t args[6])
{
	const struct syscall_desc *d = syscall_lookup(nr);

	if (!d || !d->call)
		return -ENOSYS;
	return d->call(args);
}

/* Says once per process that a program used a call Ember lacks. */
static void report_missing(struct thread *t, long nr)
{
	const struct syscall_desc *d = syscall_lookup(nr);
	struct task *task = t->task;

	if (d && d->call)
		return;
	if (nr < 0 || nr >= SYSCALL_MAX) {
		pr_debug("[pid %d] syscall %ld is not implemented",
			 task ? task->pid : 0, nr);
		return;
	}
	if (!task || task->strace_missing_seen[nr])
		return;
	task->strace_missing_seen[nr] = true;
	pr_info("[pid %d] syscall %s (%ld) is not implemented", task->pid,
		d ? d->name : "unknown", nr);
}

/* exit and exit_group never return, and the last exit halts the machine
 * inside the handler: their strace line ("= ?") is printed before. */
static bool never_returns(long nr)
{
	const struct syscall_desc *d = syscall_lookup(nr);

	return d && (strcmp(d->name, "exit") == 0 ||
		     strcmp(d->name, "exit_group") == 0);
}

void syscall_handle(struct thread *t)
{
	bool first = !t->resumed;
	long ret;

	current = t;
	if (first) {
		/* Linux takes the number from eax, sign-extended: the upper
		 * half of rax does not matter. */
		t->sys_nr = (long)(int32_t)t->uctx.orig_rax;
		t->sys_args[0] = t->uctx.rdi;
		t->sys_args[1] = t->uctx.rsi;
		t->sys_args[2] = t->uctx.rdx;
		t->sys_args[3] = t->uctx.r10;
		t->sys_args[4] = t->uctx.r8;
		t->sys_args[5] = t->uctx.r9;
		report_missing(t, t->sys_nr);
		if (strace_enabled)
			strace_enter(t, t->sys_nr, t->sys_args);
		if (strace_enabled && never_returns(t->sys_nr))
			strace_exit(t, t->sys_nr, t->sys_args,
				    STRACE_RET_NONE);
	}

	ret = syscall_invoke(t->sys_nr, t->sys_args);
	if (ret == -EKBLOCK)
		return; /* parked by sched_block; re-run on wake */

	if (t->state == THREAD_DEAD) {
		/* exit/exit_group or a fatal signal: no result to deliver. */
		if (strace_enabled && !never_returns(t->sys_nr))
			strace_exit(t, t->sys_nr, t->sys_args, STRACE_RET_NONE);
		return;
	}
	t->uctx.rax = (uint64_t)ret;
	t->resumed = false;
	t->wake_reason = WAKE_NONE;
	if (strace_enabled)
		strace_exit(t, t->sys_nr, t->sys_args, ret);
}
