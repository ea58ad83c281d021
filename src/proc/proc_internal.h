/*
 * proc_internal.h: what the files of src/proc share and nothing else
 * needs: the task list, reaping, signal queues and delivery, signal
 * frames, futex wake-ups at thread exit, vfork hand-back and timers.
 */
#ifndef PROC_INTERNAL_H
#define PROC_INTERNAL_H

#include <kern/proc.h>
#include <uapi/signal.h>

/* Every task, in pid order (struct task.all_link). */
extern struct list_head task_list;

/* Ends every thread of task but keep (execve of a threaded process). */
void task_kill_other_threads(struct task *task, struct thread *keep);

/* Frees a zombie that wait4 collected (or that nobody will wait for),
 * adding its usage to the parent's children usage. */
void task_reap(struct task *task);

/* Wakes the thread blocked in vfork for task (the child), once: at its
 * exec or exit. */
void proc_vfork_done(struct task *task);

/* The stack VMA exec gives a program under task's RLIMIT_STACK. */
uint64_t proc_stack_size(const struct task *task);
/* Applies task's RLIMIT_AS to mm (exec, fork, setrlimit). */
void proc_set_as_limit(const struct task *task, struct mm *mm);

/* Counts the threads of live tasks whose real uid is uid (Linux's
 * per-user process count, which RLIMIT_NPROC limits). */
int proc_count_user_tasks(uint32_t uid);

/* What clone, clone3, fork and vfork ask for, checked by the caller. */
struct clone_req {
	uint64_t flags;	 /* CLONE_* without the exit signal */
	int exit_signal; /* 0..NSIG */
	uaddr_t stack;	 /* the child's rsp; 0 keeps the parent's */
	uaddr_t parent_tid, child_tid, tls;
};

/*
 * Makes the child process or thread of t and starts it. Returns the
 * child's pid (tid), or -EINVAL for a combination Ember does not
 * support, -EAGAIN (RLIMIT_NPROC, no pid or HAL thread left), -ENOMEM.
 * With CLONE_VFORK the caller then waits (sys_fork.c).
 */
long proc_clone(struct thread *t, const struct clone_req *req);

/* Wait status of a task ended by signal sig; the second is for the
 * default action of sig, where a core dump would set W_COREFLAG (none
 * is written yet: see signal.c). */
int wait_status_signal(int sig);
int wait_status_fatal(struct task *task, int sig);

/* ---- signals (signal.c) ---- */

static inline uint64_t sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

#define SIG_UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))

/* A queued signal with its siginfo and, for faults, the trap details a
 * sigcontext reports. */
struct ksignal {
	struct list_head link;
	struct linux_siginfo info;
	uint64_t trapno, err, cr2;
};

/* True for the signals whose default action is to do nothing. */
bool signal_default_ignored(int sig);

/*
 * Sends sig (1..NSIG) to task, or to thread t of it when t is not NULL,
 * with info (NULL: SI_KERNEL). Handles SIGKILL, SIGCONT and stop signals
 * at once (as Linux's prepare_signal does), drops ignored signals, queues
 * the rest and wakes or interrupts a thread that can take it. Returns 0,
 * or -EAGAIN when a queued (real-time) signal from sigqueue is over
 * RLIMIT_SIGPENDING.
 */
int signal_send_info(struct task *task, struct thread *t, int sig,
		     const struct linux_siginfo *info);
void signal_send(struct task *task, struct thread *t, int sig);

/* A synchronous fault of t (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP):
 * forced as Linux does (unblocked, and reset to the default action when
 * blocked or ignored), delivered before t returns to user mode. */
void signal_force_fault(struct thread *t, int sig, int code, uint64_t addr,
			uint64_t trapno, uint64_t err);

/* The signals t could take now: pending for it or its task, unblocked. */
uint64_t signal_deliverable(struct thread *t);

/* Takes the lowest pending signal of mask from t (its own queue first,
 * then its task's) into *info; returns the signal or 0. */
int signal_dequeue(struct thread *t, uint64_t mask, struct linux_siginfo *info);

/*
 * Called on every return to user mode (sched_run): acts on pending
 * signals (default actions, handler frames), on a group stop (the thread
 * parks, THREAD_STOPPED) and on a restart code left in rax by the syscall
 * just handled. Returns true when t should run now.
 */
bool signal_user_return(struct thread *t);

/* Recomputes after a mask change: delivers what became deliverable to t
 * at its next return to user mode (nothing to do now), and for pending
 * process-wide signals wakes another thread that can take them. */
void signal_mask_changed(struct thread *t);

/* Resets dispositions with handlers to SIG_DFL (execve keeps SIG_IGN). */
void signal_reset_on_exec(struct task *task);
/* Drops the queued signals of POSIX timer timer_id (signal sig) from
 * task and its threads: a re-armed or deleted timer's old expiries are
 * not delivered (Linux since 6.13). */
void signal_drop_timer(struct task *task, int sig, int timer_id);
/* Discards sig wherever it is pending in task (it became ignored). */
void signal_discard(struct task *task, int sig);
/* Frees the queued signals of a thread or of a task. */
void signal_flush_thread(struct thread *t);
void signal_flush_task(struct task *task);

/* Writes one disposition to task and every task sharing its handlers. */
void signal_set_action(struct task *task, int sig, const struct ksigaction *sa);

/* Tells task's parent that it stopped, continued or ended (SIGCHLD or the
 * exit signal, honouring SA_NOCLDSTOP), and wakes the parent's waits. */
void signal_notify_parent(struct task *task, int why, int status);

/* Group stop and continue (job control). */
void task_stop(struct task *task, int sig);
void task_continue(struct task *task);

/* True when the process group has no member with a parent in another
 * group of the same session (POSIX's orphaned process group). */
bool proc_pgrp_orphaned(int pgid, const struct task *ignore);

/* Interrupts t if it is running in user mode, so that it traps and sees
 * a signal or a stop (see signal.c on the HAL hook). */
void signal_kick(struct thread *t);

/* ---- signal frames (sigframe.c, x86_64) ---- */

/* Builds the handler frame on t's stack (or its alternate stack) and
 * points t's registers at the handler. 0, or -EFAULT when the frame
 * cannot be written (the caller then forces SIGSEGV). */
int sigframe_setup(struct thread *t, int sig, const struct ksigaction *sa,
		   const struct ksignal *ks, uint64_t saved_mask);
/* rt_sigreturn: restores registers, FPU state, mask and alternate stack
 * from the frame at t's rsp - 8. Returns 0, or -EFAULT for a bad frame
 * (the caller forces SIGSEGV). */
int sigframe_return(struct thread *t);
/* Whether addr is on t's alternate signal stack. */
bool sigframe_on_altstack(const struct thread *t, uint64_t sp);

/* ---- futex (futex.c) ---- */

/* Wakes up to nr threads waiting in FUTEX_WAIT on (mm, uaddr) whose bitset
 * meets bitset; returns how many woke. */
int futex_wake_addr(struct mm *mm, uaddr_t uaddr, int nr, uint32_t bitset);

/* A thread ends: walks its robust list (owner died) and, when another
 * thread or task still uses the mm, clears its clear_child_tid word and
 * wakes it (pthread_join). */
void futex_thread_exit(struct thread *t);

/* ---- timers (itimer.c) ---- */

/* Charges CPU time to the ITIMER_VIRTUAL/PROF timers and RLIMIT_CPU. */
void itimer_charge(struct task *task, uint64_t user_ns, uint64_t sys_ns);
/* Stops every timer of a task (exit), or only its POSIX timers (exec). */
void itimer_task_exit(struct task *task);
void itimer_exec(struct task *task);
/* A POSIX timer's signal was taken: its overrun becomes what
 * timer_getoverrun reports. */
void itimer_delivered(struct task *task, const struct linux_siginfo *info);

/* ---- usage (sched.c) ---- */

/* CPU time and counts of a task: its live threads plus those that ended
 * (children: the reaped ones). */
void proc_usage_task(struct task *task, struct proc_usage *u);
/* Adds b into a (maxrss takes the larger). */
void proc_usage_add(struct proc_usage *a, const struct proc_usage *b);
/* struct rusage of getrusage and wait4 from a usage (sys_wait.c). */
struct rusage;
void proc_fill_rusage(const struct proc_usage *u, struct rusage *ru);

/* ---- hooks other subsystems provide (weak: absent means no-op) ---- */

/*
 * A session leader ended (the session loses its controlling terminal):
 * the tty layer sends SIGHUP then SIGCONT to its foreground group when
 * sid is the session it belongs to, and forgets the session.
 */
void tty_session_leader_exit(int sid) __attribute__((weak));

/* Writes an ELF core file of task for sig into its cwd ("core") when its
 * RLIMIT_CORE is not 0; first (may be NULL) is the thread sig hit.
 * Returns true when a whole dump (up to the limit) was written. */
bool proc_coredump(struct task *task, struct thread *first, int sig);
/* The console terminal's foreground process group, 0 when none is set
 * (from the tty layer; weak so the process core links without it). */
int tty_console_fg_pgrp(void) __attribute__((weak));

/* ---- HAL hook not yet in hal.h ---- */

/*
 * Asks the HAL to make a thread that runs in user mode trap soon (a
 * HAL_TRAP_PREEMPTED), so a signal or a stop reaches it; harmless when
 * the thread is not running. Weak: a HAL without it delivers at the
 * thread's next trap.
 */

#endif
