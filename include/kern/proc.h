/*
 * proc: processes (struct task) and threads (struct thread).
 *
 * A task owns an mm, a file table, a filesystem context (cwd, root),
 * credentials, limits and signal dispositions; its threads share them.
 * `current` is the thread whose trap the core is handling right now.
 */
#ifndef KERN_PROC_H
#define KERN_PROC_H

#include <hal.h>
#include <kern/list.h>
#include <kern/sched.h>
#include <kern/types.h>

struct mm;
struct files;
struct fs_ctx;
struct file;

#define TASK_COMM_LEN 16
#define RLIM_NLIMITS 16
#define NSIG 64

struct krlimit {
	uint64_t cur, max;
};

/* A signal disposition, as rt_sigaction records it (Linux's kernel
 * sigaction layout: handler, flags, restorer, mask). */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct creds {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t groups[32];
};

enum task_state {
	TASK_ALIVE,
	TASK_ZOMBIE, /* exited, waiting for the parent */
	TASK_DEAD,   /* reaped */
};

/* CPU time and other counts of getrusage(2), in ns where it is time. */
struct proc_usage {
	uint64_t utime_ns, stime_ns;
	uint64_t minflt, majflt;
	uint64_t nvcsw, nivcsw;
	uint64_t maxrss_kb;
};

/* setitimer(2)'s ITIMER_REAL (a monotonic timer); VIRTUAL and PROF count
 * down the task's CPU time at each trap. */
struct itimer {
	struct ktimer timer; /* ITIMER_REAL only */
	uint64_t value_ns;   /* REAL: deadline; others: CPU ns left; 0 off */
	uint64_t interval_ns;
};

struct task {
	int pid, pgid, sid;
	enum task_state state;
	struct task *parent;
	struct list_head children; /* struct task.sibling */
	struct list_head sibling;
	struct list_head all_link; /* in the global task list */
	struct list_head threads;  /* struct thread.task_link */
	int nthreads;

	struct mm *mm;
	struct files *files;
	struct fs_ctx *fs;
	struct creds cred;
	uint32_t umask;
	struct krlimit rlim[RLIM_NLIMITS];
	struct ksigaction sigactions[NSIG];
	/* Tasks sharing sigactions (CLONE_SIGHAND without CLONE_THREAD):
	 * rt_sigaction writes every task on this ring. */
	struct list_head sighand_peers;
	uint64_t sig_pending; /* process-wide pending (bit n-1 for signal n) */
	struct list_head sig_queue; /* their siginfo (signal.c) */
	unsigned sig_queued;	    /* entries queued, for RLIMIT_SIGPENDING */
	int exit_signal;   /* sent to the parent at exit (clone's CSIGNAL) */
	int pdeath_signal; /* PR_SET_PDEATHSIG */
	bool did_exec;	   /* setpgid(2)'s EACCES for an exec'd child */
	bool subreaper;	   /* PR_SET_CHILD_SUBREAPER */
	bool no_new_privs; /* PR_SET_NO_NEW_PRIVS */
	bool keepcaps;	   /* PR_SET_KEEPCAPS */
	int dumpable;	   /* PR_SET_DUMPABLE */
	uint64_t timerslack_ns; /* PR_SET_TIMERSLACK */

	/* Job control: a group stop in force, and what the parent's wait
	 * may still report (WUNTRACED / WCONTINUED). */
	bool stopped;
	int stop_sig;
	bool report_stop, report_cont;
	/* The thread blocked in vfork until this child execs or exits. */
	int vfork_parent_tid;

	char comm[TASK_COMM_LEN];
	char *exe_path; /* kmalloc'ed guest path of the running image */
	int exit_code;	/* wait status once a zombie (as wait4 reports it) */
	struct waitq child_exit;       /* waited on by wait4 */
	uint64_t start_ns;	       /* monotonic at creation */
	struct proc_usage usage;       /* of threads that ended */
	struct proc_usage cusage;      /* of reaped children (and theirs) */
	struct itimer itimers[3];      /* ITIMER_REAL, VIRTUAL, PROF */
	struct list_head posix_timers; /* timer_create(2) (itimer.c) */
	bool cpu_limit_warned;	       /* RLIMIT_CPU's soft SIGXCPU sent */
	bool strace_missing_seen[512]; /* -ENOSYS reported once per syscall */
};

enum thread_state {
	THREAD_RUNNABLE, /* may be started on the HAL */
	THREAD_RUNNING,	 /* in user mode (hal_uctx_start was called) */
	THREAD_BLOCKED,	 /* parked in a syscall (see sched.h) */
	THREAD_DEAD,
	THREAD_STOPPED, /* would return to user mode, but its task is stopped */
};

struct thread {
	int tid;
	struct task *task;
	enum thread_state state;
	struct list_head task_link;
	struct list_head all_link;
	struct hal_uctx uctx; /* registers while not running */
	struct hal_thread *ht;

	uint64_t sigmask; /* blocked signals */
	uint64_t sig_pending;
	struct list_head sig_queue; /* siginfo of sig_pending (signal.c) */
	/* rt_sigsuspend/ppoll: the mask to restore once a handler frame has
	 * saved it (or at once when no handler runs). */
	uint64_t saved_sigmask;
	bool restore_sigmask;
	/* rax holds the result of the syscall just handled: a restart code
	 * there is acted on before user mode (signal.c). */
	bool syscall_returned;
	uaddr_t set_child_tid, clear_child_tid;
	uaddr_t robust_list;
	size_t robust_len;
	/* sigaltstack(2): recorded; used once signals are delivered. */
	uaddr_t altstack_sp;
	size_t altstack_size;
	int altstack_flags;

	/* futex(2) wait key while blocked in FUTEX_WAIT (src/proc/futex.c). */
	struct mm *futex_mm;
	uaddr_t futex_uaddr;
	uint32_t futex_bitset;

	/* Blocking (see sched.h). */
	struct list_head wait_link; /* on a waitq while blocked */
	struct waitq *waiting_on;
	struct ktimer timeout;
	bool resumed; /* the syscall is being re-run */
	bool wake_queued; /* woken, waiting for sched_run_pending */
	enum wake_reason wake_reason;
	uint64_t block_deadline; /* handler scratch: absolute deadline */
	/* Handler scratch: work a blocking call did before it parked, kept
	 * for its re-run (the bytes a pipe write already moved). */
	uint64_t sys_progress;
	uint64_t sys_args[6]; /* the syscall being run */
	long sys_nr;
	int vfork_child; /* pid of the vfork child this thread waits for */

	/* Scheduling attributes (reported; the HAL schedules). */
	int nice;
	int sched_policy, sched_priority;
	uint64_t cpu_affinity;
	/* CPU time: user time runs from run_start_ns to the next trap. */
	uint64_t run_start_ns;
	struct proc_usage usage;
};

extern struct thread *current;

/* Allocates a task with pid, no mm/files/fs yet, default limits and creds
 * of root; linked under parent (NULL for init). NULL when out of memory. */
struct task *task_create(struct task *parent);
/* A new thread in task (tid = pid for the first one), with a HAL thread in
 * task->mm when there is one; NULL when out of memory. */
struct thread *thread_create(struct task *task);

/* Finds a live or zombie task by pid, NULL if none. */
struct task *task_find(int pid);
/* Finds a live thread by tid, NULL if none. */
struct thread *thread_find(int tid);
/* The first task in pid order with pid >= from, or NULL (for /proc). */
struct task *task_next(int from);

/* Ends the whole task with a wait status (exit_group, fatal signal):
 * threads die, files close, parent gets its exit signal. Init's exit
 * halts. */
void task_exit(struct task *task, int wait_status);

/* Ends one thread (exit(2)): the last thread of a task ends the task with
 * wait_status. A dead thread is freed at the next trap, not at once, so
 * callers up the stack (the dispatcher) may still look at it. */
void thread_exit(struct thread *t, int wait_status);

/* Frees threads that died since the last call (kern_trap calls it before
 * handling a trap, when no dead thread can be in use any more). */
void proc_reap_threads(void);

/* Loads path into task, replacing its image (execve). argv/envp are
 * kernel arrays of kernel strings. On success the caller's thread starts
 * at the new entry point. Returns 0 or -errno (-ENOEXEC for bad ELF). */
int proc_execve(struct thread *t, const char *path, char *const argv[],
		char *const envp[]);
/* execveat: path relative to dirfd (AT_FDCWD for the cwd); flags
 * AT_EMPTY_PATH (the file dirfd names itself) and AT_SYMLINK_NOFOLLOW (a
 * final symlink fails with -ELOOP). Returns as proc_execve. */
int proc_execveat(struct thread *t, int dirfd, const char *path,
		  char *const argv[], char *const envp[], int flags);
/* The reason of the last -ENOEXEC from proc_execve ("32-bit ELF", ...),
 * or NULL. */
const char *proc_exec_reason(void);

/* Makes the first process from boot_info; returns 0 or -errno. */
int proc_start_init(const struct boot_info *bi);

/*
 * Signals for the rest of the core (si_code SI_KERNEL; never blocks):
 * to one thread (SIGPIPE to the writer, SIGXFSZ), to a whole process, or
 * to every process of a group (a terminal's SIGINT, SIGWINCH, SIGHUP).
 * A signal the target ignores is dropped; default actions and handlers
 * follow signal(7). proc_signal_pgrp returns 0 or -ESRCH.
 */
void proc_signal_thread(struct thread *t, int sig);
void proc_signal_task(struct task *task, int sig);
int proc_signal_pgrp(int pgid, int sig);

/*
 * Job control for a terminal whose foreground group is fg_pgrp, before
 * current reads it (sig = SIGTTIN) or writes it with TOSTOP or changes
 * its settings (sig = SIGTTOU): returns 0 when current may go on, or
 * -EIO (an orphaned group, or the signal blocked/ignored for SIGTTIN), or
 * -ERESTARTSYS after stopping current's group with sig (the call runs
 * again once the group is continued). For SIGTTOU a blocked or ignored
 * signal lets the call go on, as on Linux.
 */
int proc_tty_access(int fg_pgrp, int sig);

/*
 * RLIMIT_FSIZE for a write of *len bytes at pos to a regular file by
 * current (write, pwrite, truncate): returns 0,
 * with *len cut to what fits under the limit, or -EFBIG after sending
 * SIGXFSZ when nothing fits (setrlimit(2)). A truncate growing a file
 * to size checks pos = size - 1 with *len = 1.
 */
int proc_fsize_check(uint64_t pos, size_t *len);

/* True when a process group exists in session sid (tcsetpgrp's check);
 * zombies count until they are reaped, as on Linux. */
bool proc_pgrp_in_session(int pgid, int sid);

/* The calling task has the privileges of root (Ember's CAP_* checks). */
bool proc_capable(void);

/*
 * For signalfd(2). proc_signal_pending: the signals pending for t or its
 * task (blocked or not). proc_signal_dequeue: takes the lowest signal of
 * mask pending for t (its own queue first, then its task's) into *info
 * (a struct linux_siginfo of uapi/signal.h, may be NULL); returns the
 * signal or 0. proc_signal_queued_wq: notified (waitq_notify) whenever a
 * signal becomes pending for any task or thread, blocked or not.
 */
struct linux_siginfo;
uint64_t proc_signal_pending(struct thread *t);
int proc_signal_dequeue(struct thread *t, uint64_t mask,
			struct linux_siginfo *info);
extern struct waitq proc_signal_queued_wq;

/* For /proc/loadavg and /proc/stat: the last pid (or tid) handed out and
 * how many were handed out since boot (forks and clones). */
void proc_pid_counts(int *last, uint64_t *created);

#endif
