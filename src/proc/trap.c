/*
 * trap.c: where the HAL hands the core a stopped user thread (layer:
 * proc; relies on the syscall dispatcher, vm_fault for page faults and
 * task_exit for the default action of fatal signals). Also the host's
 * request to stop (SIGINT/SIGTERM/SIGHUP to the hosted kernel).
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

#include "proc_internal.h"

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGILL:
		return "SIGILL";
	case SIGTRAP:
		return "SIGTRAP";
	case SIGBUS:
		return "SIGBUS";
	case SIGFPE:
		return "SIGFPE";
	case SIGSEGV:
		return "SIGSEGV";
	default:
		return "signal";
	}
}

/*
 * A synchronous fault the thread cannot continue from. Linux forces the
 * signal (unblocking it); with no handler frames yet Ember can only take
 * the default action, which for every fault signal is to terminate.
 */
static void fatal_fault(struct thread *t, int sig, uint64_t addr)
{
	struct task *task = t->task;

	pr_info("%s[%d]: %s (%d) at %#llx ip %#llx sp %#llx", task->comm,
		task->pid, signal_name(sig), sig, (unsigned long long)addr,
		(unsigned long long)t->uctx.rip,
		(unsigned long long)t->uctx.rsp);
	task_exit(task, wait_status_signal(sig));
}

static void page_fault(struct thread *t, const struct hal_trap *trap)
{
	struct mm *mm = t->task->mm;
	int err = mm ? vm_fault(mm, trap->addr, trap->access) : -EFAULT;

	if (err == 0)
		return;
	/* Out of frames: Linux's OOM handling would end the task; SIGBUS
	 * says it was not the program's bad pointer. */
	fatal_fault(t, err == -ENOMEM ? SIGBUS : SIGSEGV, trap->addr);
}

void kern_trap(struct hal_uctx *uctx, const struct hal_trap *trap)
{
	struct thread *t = container_of(uctx, struct thread, uctx);
	/* A trap the HAL had queued before the thread was killed. */
	bool dead = t->state == THREAD_DEAD;

	proc_reap_threads();
	if (dead)
		return;
	current = t;
	t->state = THREAD_RUNNABLE;
	switch (trap->kind) {
	case HAL_TRAP_SYSCALL:
		t->resumed = false;
		t->wake_reason = WAKE_NONE;
		syscall_handle(t);
		break;
	case HAL_TRAP_PAGE_FAULT:
		page_fault(t, trap);
		break;
	case HAL_TRAP_FAULT:
		fatal_fault(t, trap->signo, trap->addr);
		break;
	case HAL_TRAP_PREEMPTED:
		break;
	case HAL_TRAP_GONE:
		task_exit(t->task, wait_status_signal(SIGKILL));
		break;
	}
	if (t->state == THREAD_RUNNABLE)
		sched_run(t);
}

/* The first live task other than init, or NULL. */
static struct task *first_live_task(void)
{
	struct task *task;

	list_for_each_entry(task, &task_list, all_link) {
		if (task->pid != 1 && task->state == TASK_ALIVE)
			return task;
	}
	return NULL;
}

void kern_host_signal(int signo)
{
	struct task *task;

	if (signo != SIGINT && signo != SIGTERM && signo != SIGHUP)
		return;
	pr_info("host signal %d: terminating every process", signo);
	/* One at a time from the head: an exit may wake a parent's wait4,
	 * which reaps (frees) other tasks of the list. Init goes last, as
	 * its end halts the machine. */
	while ((task = first_live_task()))
		task_exit(task, wait_status_signal(signo));
	task = task_find(1);
	if (task)
		task_exit(task, wait_status_signal(signo));
}
