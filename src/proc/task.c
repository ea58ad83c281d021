/*
 * task.c: processes and threads: pid allocation, the global task list,
 * creation, lookup and the end of a thread or task (layer: proc; relies on
 * kmalloc, the scheduler's wait queues, the mm, fd tables and fs contexts
 * it releases, signal.c for the parent's notification, futex.c for the
 * robust list, and the HAL's threads). A dead thread lingers on a list
 * until the next trap so that the code that killed it may still read it.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/stats.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/resource.h>
#include <uapi/signal.h>
#include <uapi/wait.h>

#include "proc_internal.h"

/* Linux's default pid_max: pids wrap around below it. */
#define PID_MAX 32768

struct thread *current;
LIST_HEAD(task_list);
static LIST_HEAD(thread_list);
static LIST_HEAD(dead_threads);
static int last_pid;
static uint64_t pids_allocated; /* /proc/stat "processes" */

struct task *task_find(int pid)
{
	struct task *task;

	list_for_each_entry(task, &task_list, all_link) {
		if (task->pid == pid)
			return task->state == TASK_DEAD ? NULL : task;
		if (task->pid > pid)
			break;
	}
	return NULL;
}

struct task *task_next(int from)
{
	struct task *task;

	list_for_each_entry(task, &task_list, all_link) {
		if (task->pid >= from && task->state != TASK_DEAD)
			return task;
	}
	return NULL;
}

struct thread *thread_find(int tid)
{
	struct thread *t;

	list_for_each_entry(t, &thread_list, all_link) {
		if (t->tid == tid)
			return t;
	}
	return NULL;
}

/* A pid stays taken while a task, a thread, a process group or a session
 * still carries it (Linux keeps a group's pid for as long as it has
 * members). */
static bool pid_in_use(int pid)
{
	struct task *task;

	if (thread_find(pid))
		return true;
	list_for_each_entry(task, &task_list, all_link) {
		if (task->pid == pid || task->pgid == pid || task->sid == pid)
			return true;
	}
	return false;
}

/* Tasks and threads share one number space, as on Linux. */
static int alloc_pid(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		int pid = last_pid + 1;

		if (pid >= PID_MAX)
			pid = 300; /* like Linux, skip the low daemon pids */
		if (last_pid == 0)
			pid = 1;
		last_pid = pid;
		if (!pid_in_use(pid)) {
			pids_allocated++;
			return pid;
		}
	}
	return -EAGAIN;
}

void proc_pid_counts(int *last, uint64_t *created)
{
	*last = last_pid;
	*created = pids_allocated;
}

static void task_list_insert(struct task *task)
{
	struct task *pos;

	list_for_each_entry(pos, &task_list, all_link) {
		if (pos->pid > task->pid)
			break;
	}
	list_add_tail(&task->all_link, &pos->all_link);
}

/* Linux's boot-time limits (init_task's rlimits). */
static void default_rlimits(struct krlimit *rlim)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		rlim[i].cur = rlim[i].max = RLIM_INFINITY;
	rlim[RLIMIT_STACK].cur = 8ULL << 20;
	rlim[RLIMIT_CORE].cur = 0;
	rlim[RLIMIT_NOFILE].cur = 1024;
	rlim[RLIMIT_NOFILE].max = 4096;
	rlim[RLIMIT_NPROC].cur = rlim[RLIMIT_NPROC].max = PID_MAX / 2;
	rlim[RLIMIT_SIGPENDING].cur = rlim[RLIMIT_SIGPENDING].max = PID_MAX / 2;
	rlim[RLIMIT_MEMLOCK].cur = rlim[RLIMIT_MEMLOCK].max = 8ULL << 20;
	rlim[RLIMIT_MSGQUEUE].cur = rlim[RLIMIT_MSGQUEUE].max = 819200;
	rlim[RLIMIT_NICE].cur = rlim[RLIMIT_NICE].max = 0;
	rlim[RLIMIT_RTPRIO].cur = rlim[RLIMIT_RTPRIO].max = 0;
}

struct task *task_create(struct task *parent)
{
	struct task *task = kzalloc(sizeof(*task));
	int pid;

	if (!task)
		return NULL;
	pid = alloc_pid();
	if (pid < 0) {
		kfree(task);
		return NULL;
	}
	task->pid = pid;
	task->pgid = parent ? parent->pgid : pid;
	task->sid = parent ? parent->sid : pid;
	task->state = TASK_ALIVE;
	task->parent = parent;
	task->exit_signal = SIGCHLD;
	task->dumpable = 1;
	task->timerslack_ns = 50000; /* Linux's default: 50 us */
	list_init(&task->children);
	list_init(&task->sibling);
	list_init(&task->threads);
	list_init(&task->sig_queue);
	list_init(&task->sighand_peers);
	list_init(&task->posix_timers);
	if (parent)
		list_add_tail(&task->sibling, &parent->children);
	task_list_insert(task);
	task->umask = 022;
	default_rlimits(task->rlim);
	waitq_init(&task->child_exit);
	task->start_ns = time_monotonic_ns();
	kstrlcpy(task->comm, parent ? parent->comm : "init", TASK_COMM_LEN);
	return task;
}

struct thread *thread_create(struct task *task)
{
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	if (list_empty(&task->threads) && !thread_find(task->pid)) {
		t->tid = task->pid;
	} else {
		t->tid = alloc_pid();
		if (t->tid < 0)
			goto err_free;
	}
	/* Without an mm yet (init before exec), exec makes the HAL thread. */
	if (task->mm) {
		t->ht = hal_thread_create(task->mm->as, &t->uctx);
		if (!t->ht)
			goto err_free;
	}
	t->task = task;
	t->state = THREAD_RUNNABLE;
	t->cpu_affinity = 1;
	list_init(&t->wait_link);
	list_init(&t->sig_queue);
	list_add_tail(&t->task_link, &task->threads);
	list_add_tail(&t->all_link, &thread_list);
	task->nthreads++;
	return t;

err_free:
	kfree(t);
	return NULL;
}

/* Takes t off every queue and the HAL; the struct is freed later. */
static void thread_kill(struct thread *t)
{
	struct task *task = t->task;

	if (t->state == THREAD_DEAD)
		return;
	timer_cancel(&t->timeout);
	list_del(&t->wait_link);
	list_init(&t->wait_link);
	t->waiting_on = NULL;
	if (task->mm)
		futex_thread_exit(t);
	if (t->ht) {
		hal_thread_destroy(t->ht);
		t->ht = NULL;
	}
	if (t->state == THREAD_RUNNING)
		t->usage.utime_ns += time_monotonic_ns() - t->run_start_ns;
	proc_usage_add(&task->usage, &t->usage);
	signal_flush_thread(t);
	t->state = THREAD_DEAD;
	list_del(&t->task_link);
	task->nthreads--;
	list_del(&t->all_link);
	list_add_tail(&t->all_link, &dead_threads);
}

void task_kill_other_threads(struct task *task, struct thread *keep)
{
	struct thread *t, *tmp;

	list_for_each_entry_safe(t, tmp, &task->threads, task_link) {
		if (t != keep)
			thread_kill(t);
	}
}

void proc_reap_threads(void)
{
	while (!list_empty(&dead_threads)) {
		struct thread *t = list_first_entry(&dead_threads,
						    struct thread, all_link);

		list_del(&t->all_link);
		if (t == current)
			current = NULL;
		kfree(t);
	}
}

void task_reap(struct task *task)
{
	struct task *parent = task->parent;

	if (parent) {
		struct proc_usage u = task->usage;

		proc_usage_add(&u, &task->cusage);
		proc_usage_add(&parent->cusage, &u);
	}
	task->state = TASK_DEAD;
	list_del(&task->sibling);
	list_del(&task->all_link);
	list_del(&task->sighand_peers);
	kfree(task->exe_path);
	kfree(task);
}

int proc_count_user_tasks(uint32_t uid)
{
	struct task *task;
	int n = 0;

	list_for_each_entry(task, &task_list, all_link) {
		if (task->state == TASK_ALIVE && task->cred.uid == uid)
			n += task->nthreads;
	}
	return n;
}

void proc_vfork_done(struct task *task)
{
	struct thread *waiter;

	if (!task->vfork_parent_tid)
		return;
	waiter = thread_find(task->vfork_parent_tid);
	task->vfork_parent_tid = 0;
	if (waiter && waiter->vfork_child == task->pid)
		sched_wake(waiter, WAKE_EVENT);
}

/*
 * POSIX: when an exit orphans a process group that has a stopped member,
 * every member gets SIGHUP then SIGCONT. Checked for the exiting task's
 * own group and for each of its children's groups.
 */
static void hup_if_orphaned_stopped(int pgid, const struct task *exiting)
{
	struct task *task;
	bool stopped = false;

	list_for_each_entry(task, &task_list, all_link) {
		if (task->pgid == pgid && task->state == TASK_ALIVE &&
		    task->stopped)
			stopped = true;
	}
	if (!stopped || !proc_pgrp_orphaned(pgid, exiting))
		return;
	proc_signal_pgrp(pgid, SIGHUP);
	proc_signal_pgrp(pgid, SIGCONT);
}

/* The nearest live ancestor that asked to be a subreaper, else init. */
static struct task *new_reaper(struct task *task)
{
	for (struct task *p = task->parent; p; p = p->parent) {
		if (p->subreaper && p->state == TASK_ALIVE)
			return p;
	}
	return task_find(1);
}

/* Orphans go to a subreaper or init, which reap them (zombies
 * included). A child asking for PR_SET_PDEATHSIG gets its signal. */
static void reparent_children(struct task *task)
{
	struct task *init = new_reaper(task);
	struct task *child, *tmp;
	bool zombie = false;
	int pgids[8], npg = 0;

	if (!init || init == task)
		return;
	list_for_each_entry_safe(child, tmp, &task->children, sibling) {
		list_del(&child->sibling);
		child->parent = init;
		/* A clone child with another exit signal becomes a plain
		 * SIGCHLD child of init, as Linux's reparenting does. */
		child->exit_signal = SIGCHLD;
		list_add_tail(&child->sibling, &init->children);
		zombie |= child->state == TASK_ZOMBIE;
		if (child->state == TASK_ALIVE && child->pdeath_signal)
			signal_send(child, NULL, child->pdeath_signal);
		if (child->pgid != task->pgid && child->sid == task->sid &&
		    npg < (int)ARRAY_SIZE(pgids))
			pgids[npg++] = child->pgid;
	}
	if (zombie)
		waitq_wake_all(&init->child_exit);
	for (int i = 0; i < npg; i++)
		hup_if_orphaned_stopped(pgids[i], task);
}

/* A parent that ignores SIGCHLD (or set SA_NOCLDWAIT) leaves its children
 * to be reaped at once, as on Linux. */
static bool parent_autoreaps(struct task *parent)
{
	const struct ksigaction *sa = &parent->sigactions[SIGCHLD - 1];

	return sa->handler == SIG_IGN || (sa->flags & SA_NOCLDWAIT);
}

static int halt_status(int wait_status)
{
	if ((wait_status & 0x7f) == 0)
		return (wait_status >> 8) & 0xff;
	return 128 + (wait_status & 0x7f);
}

void task_exit(struct task *task, int wait_status)
{
	struct thread *t, *tmp;
	struct task *parent = task->parent;

	if (task->state != TASK_ALIVE)
		return;
	list_for_each_entry_safe(t, tmp, &task->threads, task_link)
		thread_kill(t);
	task->state = TASK_ZOMBIE;
	task->exit_code = wait_status;
	task->stopped = false;
	itimer_task_exit(task);
	signal_flush_task(task);
	/* Closing files may wake other threads (pipe readers): the task is
	 * already a zombie by then, so nothing re-enters it. */
	if (task->files) {
		files_put(task->files);
		task->files = NULL;
	}
	if (task->fs) {
		fs_ctx_put(task->fs);
		task->fs = NULL;
	}
	if (task->mm) {
		mm_put(task->mm);
		task->mm = NULL;
	}
	proc_vfork_done(task);
	if (task->pid == task->sid && tty_session_leader_exit)
		tty_session_leader_exit(task->sid);
	if (task->pid == 1) {
		pr_info("init exited with status %d", halt_status(wait_status));
		vfs_shutdown();
		kern_halt(halt_status(wait_status));
	}
	reparent_children(task);
	if (parent && parent->pgid != task->pgid && parent->sid == task->sid)
		hup_if_orphaned_stopped(task->pgid, task);
	if (!parent)
		return;
	/* Only SIGCHLD children are reaped at once by an ignoring parent. */
	if (task->exit_signal == SIGCHLD && parent_autoreaps(parent)) {
		task_reap(task);
		waitq_wake_all(&parent->child_exit);
		return;
	}
	signal_notify_parent(task, CLD_EXITED, wait_status);
}

void thread_exit(struct thread *t, int wait_status)
{
	struct task *task = t->task;

	if (task->nthreads <= 1) {
		task_exit(task, wait_status);
		return;
	}
	thread_kill(t);
}
