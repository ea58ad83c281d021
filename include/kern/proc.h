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
	uint64_t sig_pending; /* process-wide pending (bit n-1 for signal n) */

	char comm[TASK_COMM_LEN];
	char *exe_path; /* kmalloc'ed guest path of the running image */
	int exit_code;  /* wait status once a zombie (as wait4 reports it) */
	struct waitq child_exit; /* waited on by wait4 */
	uint64_t start_ns;       /* monotonic at creation */
	bool strace_missing_seen[512]; /* -ENOSYS reported once per syscall */
};

enum thread_state {
	THREAD_RUNNABLE, /* may be started on the HAL */
	THREAD_RUNNING,  /* in user mode (hal_uctx_start was called) */
	THREAD_BLOCKED,  /* parked in a syscall (see sched.h) */
	THREAD_DEAD,
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
	bool resumed;               /* the syscall is being re-run */
	enum wake_reason wake_reason;
	uint64_t block_deadline;    /* handler scratch: absolute deadline */
	uint64_t sys_args[6];       /* the syscall being run */
	long sys_nr;
};

extern struct thread *current;

/*
 * Iterate over the threads on a list (pos, n: struct list_head cursors).
 * list_for_each_entry would form a struct thread pointer from the list
 * head itself, which breaks struct thread's 16-byte alignment (the FPU
 * area) and is undefined behaviour UBSan reports.
 */
#define thread_for_each(t, pos, head, member)                                  \
	for (pos = (head)->next;                                               \
	     pos != (head) && ((t = list_entry(pos, struct thread, member)), 1); \
	     pos = pos->next)
#define thread_for_each_safe(t, pos, n, head, member)                          \
	for (pos = (head)->next, n = pos->next;                                \
	     pos != (head) && ((t = list_entry(pos, struct thread, member)), 1); \
	     pos = n, n = pos->next)

/* Allocates a task with pid, no mm/files/fs yet, default limits and creds
 * of root; linked under parent (NULL for init). NULL when out of memory. */
struct task *task_create(struct task *parent);
/* A new thread in task (tid = pid for the first one); NULL when out of memory. */
struct thread *thread_create(struct task *task);

/* Finds a live or zombie task by pid, NULL if none. */
struct task *task_find(int pid);
/* Finds a live thread by tid, NULL if none. */
struct thread *thread_find(int tid);
/* The first task in pid order with pid >= from, or NULL (for /proc). */
struct task *task_next(int from);

/* Ends the whole task with a wait status (exit_group, fatal signal):
 * threads die, files close, parent gets SIGCHLD. Init's exit halts. */
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
/* The reason of the last -ENOEXEC from proc_execve ("32-bit ELF", ...),
 * or NULL. */
const char *proc_exec_reason(void);

/* Makes the first process from boot_info; returns 0 or -errno. */
int proc_start_init(const struct boot_info *bi);

#endif
