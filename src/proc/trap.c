/*
 * trap.c: where the HAL hands the core a stopped user thread (layer:
 * proc; relies on the syscall dispatcher, vm_fault for page faults,
 * signal.c for the signals a fault raises, and CPU time accounting).
 * Also the host's request to stop (SIGINT/SIGTERM/SIGHUP to the hosted
 * kernel).
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

#include "proc_internal.h"

/* The x86 exception behind a fault signal, for the sigcontext's trapno. */
static uint64_t fault_trapno(int sig, int code)
{
	switch (sig) {
	case SIGFPE:
		return code == FPE_INTDIV || code == FPE_INTOVF ? 0 : 19;
	case SIGILL:
		return 6;
	case SIGTRAP:
		return code == TRAP_TRACE ? 1 : 3;
	case SIGBUS:
		return 17;
	default:
		return 13;
	}
}

/* x86 page-fault error code bits: present, write, user. */
#define PF_PROT 1
#define PF_WRITE 2
#define PF_USER 4

static void page_fault(struct thread *t, const struct hal_trap *trap)
{
	struct mm *mm = t->task->mm;
	int err = mm ? vm_fault(mm, trap->addr, trap->access) : -EFAULT;
	uint64_t ec = PF_USER;

	if (err == 0) {
		t->usage.minflt++;
		return;
	}
	if (trap->access & HAL_ACC_WRITE)
		ec |= PF_WRITE;
	if (err == -EACCES || (trap->access & HAL_ACC_PRESENT))
		ec |= PF_PROT;
	/* Out of frames: the kernel's memory budget (--mem) is spent. Like
	 * Linux's OOM killer, end the task with SIGKILL and say so in the
	 * log; the kernel and every other task go on. (Linux picks the
	 * largest task; here the one that needed the frame pays.) */
	if (err == -ENOMEM) {
		pr_err("out of memory: killed process %d (%s), %zu pages resident",
		       t->task->pid, t->task->comm, mm ? mm->rss_pages : 0);
		task_exit(t->task, wait_status_signal(SIGKILL));
	} else if (err == -ESRCH || (mm && mm->as_gone)) {
		/* The HAL lost the host side of this address space (killed
		 * from the host while its page was being mapped): the same
		 * end as HAL_TRAP_GONE, not a fault of the program's. */
		task_exit(t->task, wait_status_signal(SIGKILL));
	} else if (err == -ENXIO) {
		/* A shared file mapping past the file's end: SIGBUS. */
		signal_force_fault(t, SIGBUS, BUS_ADRERR, trap->addr, 14, ec);
	} else
		signal_force_fault(t, SIGSEGV,
				   err == -EACCES ? SEGV_ACCERR : SEGV_MAPERR,
				   trap->addr, 14, ec);
}

/* Charges the user time since the thread started and samples its RSS. */
static void charge_user(struct thread *t, uint64_t now)
{
	struct task *task = t->task;
	uint64_t user = 0;

	if (t->run_start_ns && now > t->run_start_ns)
		user = now - t->run_start_ns;
	t->usage.utime_ns += user;
	if (task->mm) {
		uint64_t kb =
			(uint64_t)task->mm->rss_pages * (PAGE_SIZE / 1024);

		if (kb > t->usage.maxrss_kb)
			t->usage.maxrss_kb = kb;
	}
	if (user)
		itimer_charge(task, user, 0);
}

static void charge_system(struct thread *t, uint64_t since)
{
	uint64_t now = time_monotonic_ns();

	if (t->state == THREAD_DEAD || now <= since)
		return;
	t->usage.stime_ns += now - since;
	if (t->task->state == TASK_ALIVE)
		itimer_charge(t->task, 0, now - since);
}

void kern_trap(struct hal_uctx *uctx, const struct hal_trap *trap)
{
	struct thread *t = container_of(uctx, struct thread, uctx);
	/* A trap the HAL had queued before the thread was killed. */
	bool dead = t->state == THREAD_DEAD;
	uint64_t now;

	proc_reap_threads();
	if (dead)
		return;
	now = time_monotonic_ns();
	current = t;
	t->state = THREAD_RUNNABLE;
	charge_user(t, now);
	/* An expired CPU timer may have ended the task already. */
	if (t->state != THREAD_RUNNABLE)
		return;
	switch (trap->kind) {
	case HAL_TRAP_SYSCALL:
		t->resumed = false;
		t->wake_reason = WAKE_NONE;
		syscall_handle(t);
		if (t->state == THREAD_RUNNABLE)
			t->syscall_returned = true;
		break;
	case HAL_TRAP_PAGE_FAULT:
		page_fault(t, trap);
		break;
	case HAL_TRAP_FAULT:
		signal_force_fault(t, trap->signo, trap->code, trap->addr,
				   fault_trapno(trap->signo, trap->code), 0);
		break;
	case HAL_TRAP_PREEMPTED:
		t->usage.nivcsw++;
		break;
	case HAL_TRAP_GONE:
		task_exit(t->task, wait_status_signal(SIGKILL));
		break;
	}
	charge_system(t, now);
	if (t->state == THREAD_RUNNABLE)
		sched_run(t);
	sched_run_pending();
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

/*
 * A signal sent to the hosted kernel (`kill -INT <ember>`, a closed host
 * terminal) goes to the guest as a terminal would send it: to the
 * console's foreground process group, or init's group when there is none.
 * Guests may catch or ignore it; a third host signal while guests still
 * run ends them all, so a stuck guest never makes Ember unkillable
 * short of SIGKILL.
 */
void kern_host_signal(int signo)
{
	static int host_signals;
	struct task *task, *init = task_find(1);
	int pgid = 0;

	if (signo != SIGINT && signo != SIGTERM && signo != SIGHUP &&
	    signo != SIGQUIT)
		return;
	if (++host_signals < 3 && init) {
		if (tty_console_fg_pgrp)
			pgid = tty_console_fg_pgrp();
		if (pgid <= 0 || proc_signal_pgrp(pgid, signo) < 0)
			proc_signal_pgrp(init->pgid, signo);
		sched_run_pending();
		return;
	}
	pr_info("host signal %d (the third): terminating every process",
		signo);
	/* One at a time from the head: an exit may wake a parent's wait4,
	 * which reaps (frees) other tasks of the list. Init goes last, as
	 * its end halts the machine. */
	while ((task = first_live_task()))
		task_exit(task, wait_status_signal(signo));
	if (init)
		task_exit(init, wait_status_signal(signo));
	sched_run_pending();
}
