/*
 * sys_signal.c: the signal system calls (layer: syscall adapters over
 * src/proc/signal.c and sigframe.c; relies on uaccess, the task/thread
 * lookups and the sched.h blocking protocol for the calls that wait:
 * pause, rt_sigsuspend, rt_sigtimedwait). Permission to signal another
 * process follows kill(2): root, or a real/effective uid matching the
 * target's real or saved uid (SIGCONT: anyone in the same session).
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include <uapi/time.h>

#include "proc_internal.h"

/* The kernel's sigset_t is one 64-bit word on x86_64. */
#define KSIGSET_SIZE 8

/* The sa_flags bits Linux keeps (and reports back through oact). */
#define SA_KNOWN                                                               \
	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART |  \
	 SA_NODEFER | SA_RESETHAND | SA_RESTORER | SA_EXPOSE_TAGBITS)
#define SA_EXPOSE_TAGBITS 0x00000800

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
		new_sa.mask &= ~SIG_UNBLOCKABLE;
		new_sa.flags &= SA_KNOWN;
		signal_set_action(task, sig, &new_sa);
		/* An ignored signal that is pending is discarded. */
		if (new_sa.handler == SIG_IGN ||
		    (new_sa.handler == SIG_DFL && signal_default_ignored(sig)))
			signal_discard(task, sig);
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
		t->sigmask &= ~SIG_UNBLOCKABLE;
		signal_mask_changed(t);
	}
	/* As on Linux, the new mask stays even if oset is a bad pointer. */
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigreturn(void)
{
	struct thread *t = current;

	if (sigframe_return(t)) {
		/* Linux: a bad frame is a SIGSEGV for the caller. */
		signal_force_fault(t, SIGSEGV, SI_KERNEL, 0, 13, 0);
		return 0;
	}
	/* The dispatcher stores this back into rax, where it came from. */
	return (long)t->uctx.rax;
}

long sys_sigaltstack(uaddr_t ss, uaddr_t old_ss)
{
	struct thread *t = current;
	struct linux_stack new_st, old_st;
	bool on = sigframe_on_altstack(t, t->uctx.rsp);
	int mode;

	if (ss && copy_from_user(&new_st, ss, sizeof(new_st)))
		return -EFAULT;

	memset(&old_st, 0, sizeof(old_st));
	old_st.ss_sp = t->altstack_sp;
	old_st.ss_size = t->altstack_size;
	if (!t->altstack_size)
		old_st.ss_flags = SS_DISABLE;
	else
		old_st.ss_flags = on ? SS_ONSTACK : 0;
	old_st.ss_flags |= t->altstack_flags;

	if (ss) {
		if (on)
			return -EPERM;
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
			t->altstack_flags = new_st.ss_flags &
					    (int32_t)SS_AUTODISARM;
		}
	}
	if (old_ss && copy_to_user(old_ss, &old_st, sizeof(old_st)))
		return -EFAULT;
	return 0;
}

/* ---- sending ---- */

static bool may_signal(const struct task *self, const struct task *target,
		       int sig)
{
	const struct creds *c = &self->cred, *tc = &target->cred;

	if (self == target || c->euid == 0)
		return true;
	if (sig == SIGCONT && self->sid == target->sid)
		return true;
	return c->euid == tc->uid || c->euid == tc->suid || c->uid == tc->uid ||
	       c->uid == tc->suid;
}

static void user_info(struct linux_siginfo *info, int sig, int code)
{
	struct task *self = current->task;

	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->f.kill.pid = self->pid;
	info->f.kill.uid = self->cred.uid;
}

static int send_to_task(struct task *task, int sig,
			const struct linux_siginfo *info)
{
	if (!may_signal(current->task, task, sig))
		return -EPERM;
	if (!sig)
		return 0;
	return signal_send_info(task, NULL, sig, info);
}

/* kill's targets other than one pid: a group, or everyone (-1). */
static long kill_many(int pid, int sig, const struct linux_siginfo *info)
{
	struct task *self = current->task, *task;
	int *pids, n = 0, cap = 0, sent = 0;
	long err = -ESRCH;

	/* Collect first: a signal may end a task, and its parent's wait4
	 * may then free others from the list we would be walking. */
	list_for_each_entry(task, &task_list, all_link)
		cap++;
	pids = kmalloc(sizeof(*pids) * (size_t)(cap ? cap : 1));
	if (!pids)
		return -ENOMEM;
	list_for_each_entry(task, &task_list, all_link) {
		bool match;

		if (task->state != TASK_ALIVE || n >= cap)
			continue;
		if (pid == -1)
			match = task->pid != 1 && task != self;
		else if (pid == 0)
			match = task->pgid == self->pgid;
		else
			match = task->pgid == -pid;
		if (match)
			pids[n++] = task->pid;
	}
	for (int i = 0; i < n; i++) {
		int r;

		task = task_find(pids[i]);
		if (!task || task->state != TASK_ALIVE)
			continue;
		r = send_to_task(task, sig, info);
		if (r == 0)
			sent++;
		else if (err == -ESRCH)
			err = r;
	}
	kfree(pids);
	return sent ? 0 : err;
}

long sys_kill(int pid, int sig)
{
	struct linux_siginfo info;
	struct task *task;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	user_info(&info, sig, SI_USER);
	if (pid > 0) {
		task = task_find(pid);
		if (!task || task->state == TASK_DEAD)
			return -ESRCH;
		if (task->state == TASK_ZOMBIE)
			return may_signal(current->task, task, sig) ? 0 :
								      -EPERM;
		return send_to_task(task, sig, &info);
	}
	if (pid == INT32_MIN)
		return -ESRCH;
	return kill_many(pid, sig, &info);
}

static long thread_send(int tgid, int tid, int sig,
			const struct linux_siginfo *info)
{
	struct thread *t;

	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	t = thread_find(tid);
	if (!t || (tgid > 0 && t->task->pid != tgid))
		return -ESRCH;
	if (!may_signal(current->task, t->task, sig))
		return -EPERM;
	if (!sig)
		return 0;
	return signal_send_info(t->task, t, sig, info);
}

long sys_tkill(int tid, int sig)
{
	struct linux_siginfo info;

	user_info(&info, sig, SI_TKILL);
	return thread_send(0, tid, sig, &info);
}

long sys_tgkill(int tgid, int tid, int sig)
{
	struct linux_siginfo info;

	if (tgid <= 0)
		return -EINVAL;
	user_info(&info, sig, SI_TKILL);
	return thread_send(tgid, tid, sig, &info);
}

/* sigqueue's siginfo: a process may not pose as the kernel or as kill()
 * to another process. */
static int copy_queue_info(int target_pid, int sig, uaddr_t uinfo,
			   struct linux_siginfo *info)
{
	if (copy_from_user(info, uinfo, sizeof(*info)))
		return -EFAULT;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) &&
	    target_pid != current->task->pid)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

long sys_rt_sigqueueinfo(int tgid, int sig, uaddr_t info)
{
	struct linux_siginfo si;
	struct task *task;
	int err;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	err = copy_queue_info(tgid, sig, info, &si);
	if (err)
		return err;
	task = tgid > 0 ? task_find(tgid) : NULL;
	if (!task || task->state == TASK_DEAD)
		return -ESRCH;
	if (task->state == TASK_ZOMBIE)
		return 0;
	return send_to_task(task, sig, &si);
}

long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, uaddr_t info)
{
	struct linux_siginfo si;
	int err;

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	err = copy_queue_info(tgid, sig, info, &si);
	if (err)
		return err;
	return thread_send(tgid, tid, sig, &si);
}

/* ---- waiting for signals ---- */

long sys_pause(void)
{
	if (current->resumed || signal_deliverable(current))
		return -ERESTARTNOHAND;
	return sched_block(NULL, 0);
}

long sys_rt_sigsuspend(uaddr_t mask, size_t sigsetsize)
{
	struct thread *t = current;
	uint64_t set;

	if (t->resumed)
		return -ERESTARTNOHAND;
	if (sigsetsize != KSIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, mask, sizeof(set)))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = set & ~SIG_UNBLOCKABLE;
	signal_mask_changed(t);
	if (signal_deliverable(t))
		return -ERESTARTNOHAND;
	return sched_block(NULL, 0);
}

long sys_rt_sigpending(uaddr_t set, size_t sigsetsize)
{
	struct thread *t = current;
	uint64_t pending = (t->sig_pending | t->task->sig_pending) & t->sigmask;

	if (sigsetsize > KSIGSET_SIZE)
		return -EINVAL;
	if (copy_to_user(set, &pending, sigsetsize))
		return -EFAULT;
	return 0;
}

/*
 * While it waits, the thread unblocks the signals it waits for, so their
 * arrival wakes it (as Linux does); any other signal it can take ends
 * the wait with EINTR. t->saved_sigmask holds its own mask meanwhile.
 */
long sys_rt_sigtimedwait(uaddr_t uset, uaddr_t uinfo, uaddr_t timeout,
			 size_t sigsetsize)
{
	struct thread *t = current;
	struct linux_siginfo info;
	struct linux_timespec ts;
	uint64_t set;
	int sig;

	if (sigsetsize != KSIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	set &= ~SIG_UNBLOCKABLE;
	if (t->resumed)
		t->sigmask = t->saved_sigmask;
	sig = signal_dequeue(t, set, &info);
	if (sig) {
		if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
			return -EFAULT;
		return sig;
	}
	if (t->resumed)
		return t->wake_reason == WAKE_TIMEOUT ? -EAGAIN : -EINTR;
	if (timeout) {
		if (copy_from_user(&ts, timeout, sizeof(ts)))
			return -EFAULT;
		if (!timespec_valid(&ts))
			return -EINVAL;
		if (timespec_to_ns(&ts) == 0)
			return -EAGAIN;
	}
	t->saved_sigmask = t->sigmask;
	t->sigmask &= ~set;
	if (signal_deliverable(t)) {
		t->sigmask = t->saved_sigmask;
		return -EINTR;
	}
	return sched_block(
		NULL, timeout ? time_deadline_after(timespec_to_ns(&ts)) : 0);
}

/* Ember never leaves a restart block (a call interrupted without a
 * handler runs again whole), so this is Linux's answer with none. */
long sys_restart_syscall(void)
{
	return -EINTR;
}
