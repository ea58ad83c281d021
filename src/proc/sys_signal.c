/*
 * sys_signal.c: the signal system calls (layer: syscall adapters over
 * src/proc/signal.c; relies on uaccess and the task/thread lookups).
 * Dispositions, masks and alternate stacks are recorded exactly; what a
 * signal does is limited to signal.c's default actions until handler
 * frames exist (rt_sigreturn is then the other half).
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

#include "proc_internal.h"

/* The kernel's sigset_t is one 64-bit word on x86_64. */
#define KSIGSET_SIZE 8
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

/* stack_t of sigaltstack(2). (Belongs in uapi/signal.h.) */
struct user_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};
_Static_assert(sizeof(struct user_stack) == 24, "stack_t size");
_Static_assert(offsetof(struct user_stack, ss_size) == 16,
	       "stack_t.ss_size offset");

#define SS_AUTODISARM (1U << 31)

static bool valid_signo(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

long sys_rt_sigaction(int sig, uaddr_t act, uaddr_t oact, size_t sigsetsize)
{
	struct task *task = current->task;
	struct ksigaction new_sa, old_sa;

	if (sigsetsize != KSIGSET_SIZE || !valid_signo(sig))
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && copy_from_user(&new_sa, act, sizeof(new_sa)))
		return -EFAULT;

	old_sa = task->sigactions[sig - 1];
	if (act) {
		struct thread *t;
		uint64_t bit = 1ULL << (sig - 1);

		new_sa.mask &= ~UNBLOCKABLE;
		task->sigactions[sig - 1] = new_sa;
		/* An ignored signal that is pending is discarded. */
		if (new_sa.handler == SIG_IGN ||
		    (new_sa.handler == SIG_DFL &&
		     signal_default_ignored(sig))) {
			task->sig_pending &= ~bit;
			list_for_each_entry(t, &task->threads, task_link)
				t->sig_pending &= ~bit;
		}
	}
	if (oact && copy_to_user(oact, &old_sa, sizeof(old_sa)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(int how, uaddr_t set, uaddr_t oset, size_t sigsetsize)
{
	struct thread *t = current;
	uint64_t old = t->sigmask, new_set;

	if (sigsetsize != KSIGSET_SIZE)
		return -EINVAL;
	if (set) {
		if (copy_from_user(&new_set, set, sizeof(new_set)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			t->sigmask = old | new_set;
			break;
		case SIG_UNBLOCK:
			t->sigmask = old & ~new_set;
			break;
		case SIG_SETMASK:
			t->sigmask = new_set;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	/* As on Linux, the new mask stays even if oset is a bad pointer. */
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	if (set)
		signal_check_pending(t);
	return 0;
}

/* partial: no signal frame is ever pushed yet, so every rt_sigreturn
 * finds a bogus frame, and Linux answers that with SIGSEGV. */
long sys_rt_sigreturn(void)
{
	struct task *task = current->task;

	pr_info("%s[%d]: rt_sigreturn without a signal frame", task->comm,
		task->pid);
	task_exit(task, wait_status_signal(SIGSEGV));
	return 0;
}

long sys_sigaltstack(uaddr_t ss, uaddr_t old_ss)
{
	struct thread *t = current;
	struct user_stack new_st, old_st;
	int mode;

	if (ss && copy_from_user(&new_st, ss, sizeof(new_st)))
		return -EFAULT;

	memset(&old_st, 0, sizeof(old_st));
	old_st.ss_sp = t->altstack_sp;
	old_st.ss_size = t->altstack_size;
	/* Never "on" the alternate stack: no handler runs on it yet. */
	old_st.ss_flags = t->altstack_size ? t->altstack_flags : SS_DISABLE;

	if (ss) {
		mode = new_st.ss_flags & ~(int32_t)SS_AUTODISARM;
		if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->altstack_sp = 0;
			t->altstack_size = 0;
			t->altstack_flags = 0;
		} else {
			if (new_st.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack_sp = new_st.ss_sp;
			t->altstack_size = new_st.ss_size;
			t->altstack_flags = new_st.ss_flags & SS_AUTODISARM;
		}
	}
	if (old_ss && copy_to_user(old_ss, &old_st, sizeof(old_st)))
		return -EFAULT;
	return 0;
}

static bool kill_matches(struct task *task, int pid, struct task *self)
{
	if (task->state == TASK_DEAD)
		return false;
	if (pid == 0)
		return task->pgid == self->pgid;
	if (pid == -1)
		return task->pid != 1 && task != self;
	return task->pgid == -pid;
}

/* partial: the actions are signal.c's (default actions only). */
long sys_kill(int pid, int sig)
{
	struct task *self = current->task, *task;
	int *pids, n = 0, cap = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0) {
		task = task_find(pid);
		if (!task)
			return -ESRCH;
		if (sig)
			signal_send(task, NULL, sig);
		return 0;
	}
	if (pid == INT32_MIN)
		return -ESRCH;

	/* Collect first: a signal may end a task, and its parent's wait4
	 * may then free others from the list we would be walking. */
	list_for_each_entry(task, &task_list, all_link)
		cap++;
	pids = kmalloc(sizeof(*pids) * (cap ? cap : 1));
	if (!pids)
		return -ENOMEM;
	list_for_each_entry(task, &task_list, all_link) {
		if (n < cap && kill_matches(task, pid, self))
			pids[n++] = task->pid;
	}
	for (int i = 0; sig && i < n; i++) {
		task = task_find(pids[i]);
		if (task)
			signal_send(task, NULL, sig);
	}
	kfree(pids);
	return n ? 0 : -ESRCH;
}

static long thread_kill_common(int tgid, int tid, int sig)
{
	struct thread *t;

	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	t = thread_find(tid);
	if (!t || (tgid > 0 && t->task->pid != tgid))
		return -ESRCH;
	if (sig)
		signal_send(t->task, t, sig);
	return 0;
}

/* partial: default actions only (see signal.c). */
long sys_tkill(int tid, int sig)
{
	return thread_kill_common(0, tid, sig);
}

/* partial: default actions only (see signal.c). */
long sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return thread_kill_common(tgid, tid, sig);
}
