/*
 * signal.c: sending, queueing and acting on signals (layer: proc; relies
 * on task_exit, the scheduler's wake-ups, sigframe.c for handler frames
 * and kmalloc for the siginfo queue). Default actions that need no
 * thread's help (kill, stop, continue) happen when the signal is sent;
 * everything else is acted on by the target thread on its way back to
 * user mode (signal_user_return, called from sched_run), which is also
 * where a syscall interrupted by a signal is restarted or fails with
 * EINTR, following the rules of signal(7).
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/vm.h>
#include <kern/syscall.h>
#include <uapi/errno.h>
#include <uapi/resource.h>
#include <uapi/signal.h>
#include <uapi/wait.h>

#include "proc_internal.h"

_Static_assert(sizeof(struct ksigaction) == 32,
	       "rt_sigaction's struct: handler, flags, restorer, mask");

/* The syscall instruction (0f 05) a restart steps back over. */
#define SYSCALL_INSN_LEN 2
#define NR_RT_SIGRETURN 15

#define SYNC_SIGNALS                                                           \
	(sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) |                \
	 sig_bit(SIGTRAP) | sig_bit(SIGFPE) | sig_bit(SIGSYS))
#define STOP_SIGNALS                                                           \
	(sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) |              \
	 sig_bit(SIGTTOU))

enum sig_default { DFL_TERM, DFL_CORE, DFL_IGN, DFL_STOP, DFL_CONT };

static enum sig_default default_action(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return DFL_IGN;
	case SIGCONT:
		return DFL_CONT;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return DFL_STOP;
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return DFL_CORE;
	default:
		return DFL_TERM;
	}
}

bool signal_default_ignored(int sig)
{
	enum sig_default d = default_action(sig);

	return d == DFL_IGN || d == DFL_CONT;
}

int wait_status_signal(int sig)
{
	return sig & 0x7f;
}

/* A "core" default action writes a core file when RLIMIT_CORE allows
 * (coredump.c); the status carries W_COREFLAG only when one was written,
 * as on Linux. */
int wait_status_fatal(struct task *task, int sig)
{
	struct thread *first = current && current->task == task ? current : NULL;

	if (default_action(sig) == DFL_CORE && proc_coredump(task, first, sig))
		return wait_status_signal(sig) | W_COREFLAG;
	return wait_status_signal(sig);
}

static bool is_ignored(struct task *task, int sig)
{
	uint64_t handler = task->sigactions[sig - 1].handler;

	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	return handler == SIG_IGN ||
	       (handler == SIG_DFL && signal_default_ignored(sig));
}

static bool blocked_everywhere(struct task *task, int sig)
{
	struct thread *t;

	list_for_each_entry(t, &task->threads, task_link) {
		if (!(t->sigmask & sig_bit(sig)))
			return false;
	}
	return !list_empty(&task->threads);
}

/* ---- the queues ---- */

static void queue_drop(struct list_head *q, uint64_t *pending, uint64_t mask,
		       struct task *task)
{
	struct ksignal *ks, *tmp;

	list_for_each_entry_safe(ks, tmp, q, link) {
		if (!(sig_bit(ks->info.si_signo) & mask))
			continue;
		list_del(&ks->link);
		kfree(ks);
		task->sig_queued--;
	}
	*pending &= ~mask;
}

/* Discards pending signals of mask everywhere in task. */
static void flush_pending(struct task *task, uint64_t mask)
{
	struct thread *t;

	queue_drop(&task->sig_queue, &task->sig_pending, mask, task);
	list_for_each_entry(t, &task->threads, task_link)
		queue_drop(&t->sig_queue, &t->sig_pending, mask, task);
}

void signal_discard(struct task *task, int sig)
{
	flush_pending(task, sig_bit(sig));
}

void signal_flush_thread(struct thread *t)
{
	queue_drop(&t->sig_queue, &t->sig_pending, ~0ULL, t->task);
}

void signal_flush_task(struct task *task)
{
	queue_drop(&task->sig_queue, &task->sig_pending, ~0ULL, task);
}

void signal_drop_timer(struct task *task, int sig, int timer_id)
{
	struct thread *t;
	struct list_head *q = &task->sig_queue;
	uint64_t *pending = &task->sig_pending;
	struct list_head *tq = task->threads.next;

	for (;;) {
		struct ksignal *ks, *tmp;
		bool left = false;

		list_for_each_entry_safe(ks, tmp, q, link) {
			if (ks->info.si_signo != sig)
				continue;
			if (ks->info.si_code == SI_TIMER &&
			    ks->info.f.timer.tid == timer_id) {
				list_del(&ks->link);
				kfree(ks);
				task->sig_queued--;
			} else {
				left = true;
			}
		}
		if (!left)
			*pending &= ~sig_bit(sig);
		if (tq == &task->threads)
			break;
		t = list_entry(tq, struct thread, task_link);
		q = &t->sig_queue;
		pending = &t->sig_pending;
		tq = tq->next;
	}
}

/* Takes sig from one queue; a pending bit without an entry (queueing
 * failed) gives a bare SI_KERNEL siginfo. */
static bool take(struct list_head *q, uint64_t *pending, int sig,
		 struct task *task, struct ksignal *out)
{
	struct ksignal *ks, *found = NULL;
	bool more = false;

	if (!(*pending & sig_bit(sig)))
		return false;
	list_for_each_entry(ks, q, link) {
		if (ks->info.si_signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = ks;
	}
	if (found) {
		*out = *found;
		list_del(&found->link);
		kfree(found);
		task->sig_queued--;
	} else {
		memset(out, 0, sizeof(*out));
		out->info.si_signo = sig;
		out->info.si_code = SI_KERNEL;
	}
	if (!more)
		*pending &= ~sig_bit(sig);
	return true;
}

/* Synchronous (fault) signals first, then the lowest number. */
static int pick(uint64_t set)
{
	uint64_t sync = set & SYNC_SIGNALS;

	if (sync)
		set = sync;
	return set ? __builtin_ctzll(set) + 1 : 0;
}

static int dequeue_ks(struct thread *t, uint64_t mask, struct ksignal *ks)
{
	struct task *task = t->task;
	int sig = pick(t->sig_pending & mask);

	if (!sig || !take(&t->sig_queue, &t->sig_pending, sig, task, ks)) {
		sig = pick(task->sig_pending & mask);
		if (!sig ||
		    !take(&task->sig_queue, &task->sig_pending, sig, task, ks))
			return 0;
	}
	if (ks->info.si_code == SI_TIMER)
		itimer_delivered(task, &ks->info);
	return sig;
}

int signal_dequeue(struct thread *t, uint64_t mask, struct linux_siginfo *info)
{
	struct ksignal ks;
	int sig = dequeue_ks(t, mask, &ks);

	if (sig && info)
		*info = ks.info;
	return sig;
}

struct waitq proc_signal_queued_wq = {
	LIST_HEAD_INIT(proc_signal_queued_wq.waiters)
};

uint64_t proc_signal_pending(struct thread *t)
{
	return t->sig_pending | t->task->sig_pending;
}

int proc_signal_dequeue(struct thread *t, uint64_t mask,
			struct linux_siginfo *info)
{
	return signal_dequeue(t, mask, info);
}

uint64_t signal_deliverable(struct thread *t)
{
	return (t->sig_pending | t->task->sig_pending) & ~t->sigmask;
}

/* ---- waking a thread that can take a signal ---- */

void signal_kick(struct thread *t)
{
	if (t->state == THREAD_RUNNING && t->ht)
		hal_thread_interrupt(t->ht);
}

/* Makes t notice a signal it can take: a wait is interrupted, user mode
 * is interrupted; a thread the core is handling sees it on return. */
static void notify_thread(struct thread *t)
{
	if (t->task->stopped)
		return;
	if (t->state == THREAD_BLOCKED)
		sched_wake(t, WAKE_SIGNAL);
	else
		signal_kick(t);
}

/* The thread of task that should take a process-wide sig: the first that
 * does not block it, preferring one that is not busy in user mode. */
static struct thread *choose_thread(struct task *task, int sig)
{
	struct thread *t, *any = NULL;

	list_for_each_entry(t, &task->threads, task_link) {
		if (t->sigmask & sig_bit(sig))
			continue;
		if (t->state != THREAD_RUNNING)
			return t;
		if (!any)
			any = t;
	}
	return any;
}

/* ---- job control ---- */

bool proc_pgrp_orphaned(int pgid, const struct task *ignore)
{
	struct task *task;

	list_for_each_entry(task, &task_list, all_link) {
		struct task *p = task->parent;

		if (task->pgid != pgid || task->state != TASK_ALIVE ||
		    task == ignore)
			continue;
		if (p && p != ignore && p->state == TASK_ALIVE &&
		    p->pgid != pgid && p->sid == task->sid)
			return false;
	}
	return true;
}

void task_stop(struct task *task, int sig)
{
	struct thread *t;

	if (task->stopped || task->state != TASK_ALIVE)
		return;
	task->stopped = true;
	task->stop_sig = sig;
	task->report_stop = true;
	task->report_cont = false;
	list_for_each_entry(t, &task->threads, task_link)
		signal_kick(t);
	signal_notify_parent(task, CLD_STOPPED, sig);
}

void task_continue(struct task *task)
{
	struct thread *t;
	int tids[64], n = 0;

	if (!task->stopped)
		return;
	task->stopped = false;
	task->report_stop = false;
	task->report_cont = true;
	/* Restart them by tid: a pending fatal signal may end the task
	 * while we go. */
	do {
		n = 0;
		list_for_each_entry(t, &task->threads, task_link) {
			if (n < (int)ARRAY_SIZE(tids) &&
			    (t->state == THREAD_STOPPED ||
			     (t->state == THREAD_BLOCKED &&
			      signal_deliverable(t))))
				tids[n++] = t->tid;
		}
		for (int i = 0; i < n; i++) {
			t = thread_find(tids[i]);
			if (!t || t->task != task || task->stopped)
				continue;
			if (t->state == THREAD_STOPPED) {
				t->state = THREAD_RUNNABLE;
				sched_run(t);
			} else if (t->state == THREAD_BLOCKED) {
				sched_wake(t, WAKE_SIGNAL);
			}
		}
	} while (n == (int)ARRAY_SIZE(tids) && task->state == TASK_ALIVE &&
		 !task->stopped);
	if (task->state == TASK_ALIVE)
		signal_notify_parent(task, CLD_CONTINUED, SIGCONT);
}

/* ---- notifying the parent ---- */

static int64_t ns_to_ticks(uint64_t ns)
{
	return (int64_t)(ns / (NSEC_PER_SEC / 100));
}

void signal_notify_parent(struct task *task, int why, int status)
{
	struct task *parent = task->parent;
	struct linux_siginfo info;
	struct proc_usage u;
	const struct ksigaction *sa;
	int sig = why == CLD_EXITED ? task->exit_signal : SIGCHLD;
	int ppid;

	if (!parent || parent->state != TASK_ALIVE)
		return;
	ppid = parent->pid;
	sa = &parent->sigactions[SIGCHLD - 1];
	if (why != CLD_EXITED && (sa->flags & SA_NOCLDSTOP))
		sig = 0;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = why;
	info.f.chld.pid = task->pid;
	info.f.chld.uid = task->cred.uid;
	info.f.chld.status = status;
	if (why == CLD_EXITED) {
		if (status & 0x7f) {
			info.si_code = (status & W_COREFLAG) ? CLD_DUMPED :
							       CLD_KILLED;
			info.f.chld.status = status & 0x7f;
		} else {
			info.f.chld.status = (status >> 8) & 0xff;
		}
	}
	proc_usage_task(task, &u);
	info.f.chld.utime = ns_to_ticks(u.utime_ns);
	info.f.chld.stime = ns_to_ticks(u.stime_ns);
	/* From here on the child may be reaped (freed) by a woken wait,
	 * and even the parent could end: only pids are kept. */
	if (sig > 0 && sig <= NSIG)
		signal_send_info(parent, NULL, sig, &info);
	parent = task_find(ppid);
	if (parent && parent->state == TASK_ALIVE)
		waitq_wake_all(&parent->child_exit);
}

/* ---- sending ---- */

static struct ksignal *new_entry(struct task *task, int sig,
				 const struct linux_siginfo *info)
{
	struct ksignal *ks = NULL;
	/* Linux's rules: a standard signal from kill or the kernel is
	 * queued past RLIMIT_SIGPENDING; over it, or out of memory, a
	 * real-time signal from sigqueue, tkill or a timer fails with
	 * EAGAIN, anything else is still sent without its siginfo. */
	bool override = sig < SIGRTMIN && (!info || info->si_code >= 0);
	bool may_fail = sig >= SIGRTMIN && info && info->si_code != SI_USER;

	if (override || task->sig_queued < task->rlim[RLIMIT_SIGPENDING].cur)
		ks = kzalloc(sizeof(*ks));
	if (!ks)
		return may_fail ? ERR_PTR(-EAGAIN) : NULL;
	if (info) {
		ks->info = *info;
	} else {
		ks->info.si_code = SI_KERNEL;
	}
	ks->info.si_signo = sig;
	task->sig_queued++;
	return ks;
}

/* The actions Linux's prepare_signal takes at send time: SIGKILL ends
 * the task, a stop signal cancels a pending SIGCONT and SIGCONT cancels
 * pending stops and continues the task, whatever its disposition. */
static bool prepare(struct task *task, int sig)
{
	if (sig == SIGKILL) {
		task_exit(task, wait_status_signal(SIGKILL));
		return false;
	}
	if (sig_bit(sig) & STOP_SIGNALS)
		flush_pending(task, sig_bit(SIGCONT));
	if (sig == SIGCONT) {
		flush_pending(task, STOP_SIGNALS);
		task_continue(task);
	}
	return task->state == TASK_ALIVE;
}

/* What happens once sig is pending and not blocked by its target. */
static void complete(struct task *task, struct thread *t, int sig)
{
	const struct ksigaction *sa = &task->sigactions[sig - 1];

	if (sa->handler == SIG_DFL) {
		switch (default_action(sig)) {
		case DFL_TERM:
		case DFL_CORE:
			flush_pending(task, sig_bit(sig));
			task_exit(task, wait_status_fatal(task, sig));
			return;
		case DFL_STOP:
			flush_pending(task, sig_bit(sig));
			if (sig != SIGSTOP &&
			    proc_pgrp_orphaned(task->pgid, NULL))
				return;
			task_stop(task, sig);
			return;
		default:
			flush_pending(task, sig_bit(sig));
			return;
		}
	}
	if (!t)
		t = choose_thread(task, sig);
	if (t)
		notify_thread(t);
}

int signal_send_info(struct task *task, struct thread *t, int sig,
		     const struct linux_siginfo *info)
{
	uint64_t *pending;
	struct list_head *q;
	struct ksignal *ks;
	bool blocked;

	if (task->state != TASK_ALIVE || sig < 1 || sig > NSIG)
		return 0;
	if (t && (t->task != task || t->state == THREAD_DEAD))
		return 0;
	if (!prepare(task, sig))
		return 0;
	if (sig == SIGSTOP)
		blocked = false;
	else if (t)
		blocked = t->sigmask & sig_bit(sig);
	else
		blocked = blocked_everywhere(task, sig);
	/* A blocked signal is kept even when ignored now: the disposition
	 * may change before it is unblocked (as on Linux). */
	if (!blocked && is_ignored(task, sig))
		return 0;
	pending = t ? &t->sig_pending : &task->sig_pending;
	q = t ? &t->sig_queue : &task->sig_queue;
	/* Standard signals do not queue: one instance is pending at most. */
	if (sig < SIGRTMIN && (*pending & sig_bit(sig)))
		return 0;
	ks = new_entry(task, sig, info);
	if (IS_ERR(ks))
		return (int)PTR_ERR(ks);
	if (ks)
		list_add_tail(&ks->link, q);
	*pending |= sig_bit(sig);
	if (!blocked)
		complete(task, t, sig);
	waitq_notify(&proc_signal_queued_wq, 0);
	return 0;
}

void signal_send(struct task *task, struct thread *t, int sig)
{
	signal_send_info(task, t, sig, NULL);
}

void proc_signal_thread(struct thread *t, int sig)
{
	if (t && t->state != THREAD_DEAD)
		signal_send(t->task, t, sig);
}

void proc_signal_task(struct task *task, int sig)
{
	if (task)
		signal_send(task, NULL, sig);
}

int proc_signal_pgrp(int pgid, int sig)
{
	struct task *task;
	int pids[256], n = 0, from = 0;
	bool found = false;

	/* In batches of pids: a signal may end a task and its parent's
	 * wait may free others while we walk. */
	for (;;) {
		n = 0;
		list_for_each_entry(task, &task_list, all_link) {
			if (task->pid < from || task->pgid != pgid ||
			    task->state != TASK_ALIVE)
				continue;
			if (n == (int)ARRAY_SIZE(pids))
				break;
			pids[n++] = task->pid;
		}
		for (int i = 0; i < n; i++) {
			task = task_find(pids[i]);
			found = true;
			if (task)
				signal_send(task, NULL, sig);
		}
		if (n < (int)ARRAY_SIZE(pids))
			break;
		from = pids[n - 1] + 1;
	}
	return found ? 0 : -ESRCH;
}

void signal_force_fault(struct thread *t, int sig, int code, uint64_t addr,
			uint64_t trapno, uint64_t err)
{
	struct task *task = t->task;
	struct ksigaction *sa = &task->sigactions[sig - 1];
	struct ksignal *ks;

	if (sa->handler == SIG_IGN || (t->sigmask & sig_bit(sig))) {
		struct ksigaction dfl = *sa;

		dfl.handler = SIG_DFL;
		signal_set_action(task, sig, &dfl);
		t->sigmask &= ~sig_bit(sig);
	}
	if (sa->handler == SIG_DFL) {
		pr_info("%s[%d]: signal %d (code %d) at %#llx ip %#llx sp %#llx",
			task->comm, task->pid, sig, code,
			(unsigned long long)addr,
			(unsigned long long)t->uctx.rip,
			(unsigned long long)t->uctx.rsp);
		task_exit(task, wait_status_fatal(task, sig));
		return;
	}
	ks = kzalloc(sizeof(*ks));
	if (!ks) {
		task_exit(task, wait_status_fatal(task, sig));
		return;
	}
	ks->info.si_signo = sig;
	ks->info.si_code = code;
	ks->info.f.fault.addr = addr;
	ks->trapno = trapno;
	ks->err = err;
	ks->cr2 = sig == SIGSEGV || sig == SIGBUS ? addr : 0;
	task->sig_queued++;
	/* Ahead of everything: it is about the instruction that faulted. */
	list_add(&ks->link, &t->sig_queue);
	t->sig_pending |= sig_bit(sig);
}

void signal_set_action(struct task *task, int sig, const struct ksigaction *sa)
{
	struct task *peer;

	task->sigactions[sig - 1] = *sa;
	list_for_each_entry(peer, &task->sighand_peers, sighand_peers)
		peer->sigactions[sig - 1] = *sa;
}

void signal_mask_changed(struct thread *t)
{
	struct task *task = t->task;
	uint64_t shared = task->sig_pending & t->sigmask;

	/* Process-wide signals this thread blocks now go to a thread that
	 * does not. */
	for (int sig = 1; shared && sig <= NSIG; sig++) {
		struct thread *other;

		if (!(shared & sig_bit(sig)))
			continue;
		shared &= ~sig_bit(sig);
		other = choose_thread(task, sig);
		if (other && other != t)
			notify_thread(other);
	}
}

void signal_reset_on_exec(struct task *task)
{
	/* The new image shares handlers with nobody. */
	list_del(&task->sighand_peers);
	list_init(&task->sighand_peers);
	for (int i = 0; i < NSIG; i++) {
		struct ksigaction *sa = &task->sigactions[i];

		if (sa->handler != SIG_IGN)
			sa->handler = SIG_DFL;
		sa->flags = 0;
		sa->restorer = 0;
		sa->mask = 0;
	}
}

/* ---- return to user mode ---- */

/*
 * Syscalls whose -EINTR means "a signal interrupted a wait that SA_RESTART
 * may restart" (signal(7)); handlers elsewhere in the core return -EINTR,
 * and this is where Linux's -ERESTARTSYS distinction is recovered.
 */
static bool restartable_nr(long nr)
{
	switch (nr) {
	case 0:	  /* read */
	case 1:	  /* write */
	case 2:	  /* open */
	case 16:  /* ioctl */
	case 17:  /* pread64 */
	case 18:  /* pwrite64 */
	case 19:  /* readv */
	case 20:  /* writev */
	case 40:  /* sendfile */
	case 42:  /* connect */
	case 43:  /* accept */
	case 44:  /* sendto */
	case 45:  /* recvfrom */
	case 46:  /* sendmsg */
	case 47:  /* recvmsg */
	case 61:  /* wait4 */
	case 72:  /* fcntl (F_SETLKW) */
	case 73:  /* flock */
	case 85:  /* creat */
	case 247: /* waitid */
	case 257: /* openat */
	case 275: /* splice */
	case 276: /* tee */
	case 288: /* accept4 */
	case 295: /* preadv */
	case 296: /* pwritev */
	case 307: /* sendmmsg */
	case 318: /* getrandom */
	case 327: /* preadv2 */
	case 328: /* pwritev2 */
	case 437: /* openat2 */
		return true;
	default:
		return false;
	}
}

static void restart_syscall(struct thread *t)
{
	t->uctx.rax = t->uctx.orig_rax;
	t->uctx.rip -= SYSCALL_INSN_LEN;
}

/* The result of the syscall just handled, as Linux's restart code. */
static long restart_code(struct thread *t)
{
	long ret = (long)t->uctx.rax;

	if (!t->syscall_returned || t->sys_nr == NR_RT_SIGRETURN)
		return 0;
	if (ret == -EINTR && restartable_nr(t->sys_nr))
		return -ERESTARTSYS;
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		return ret;
	return 0;
}

/* A handler is about to run: the interrupted call fails with EINTR or,
 * with SA_RESTART, runs again after the handler. */
static void restart_for_handler(struct thread *t, const struct ksigaction *sa)
{
	switch (restart_code(t)) {
	case -ERESTART_RESTARTBLOCK:
	case -ERESTARTNOHAND:
		t->uctx.rax = (uint64_t)-EINTR;
		break;
	case -ERESTARTSYS:
		if (!(sa->flags & SA_RESTART)) {
			t->uctx.rax = (uint64_t)-EINTR;
			break;
		}
		restart_syscall(t);
		break;
	case -ERESTARTNOINTR:
		restart_syscall(t);
		break;
	default:
		break;
	}
	t->syscall_returned = false;
}

/* No handler ran: every restart code runs the call again. */
static void restart_without_handler(struct thread *t)
{
	switch (restart_code(t)) {
	case -ERESTART_RESTARTBLOCK:
		/* Ember keeps no restart block: the call runs again whole. */
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
		restart_syscall(t);
		break;
	default:
		break;
	}
	t->syscall_returned = false;
}

/* A handler frame could not be written: SIGSEGV ends the task, as
 * Linux's force_sigsegv does when the stack is unusable. */
static void frame_failed(struct thread *t, int sig)
{
	struct task *task = t->task;

	/* The host killed the stub under us (its pages could not be
	 * mapped any more): that kill is what ends the task. */
	if (task->mm && task->mm->as_gone) {
		task_exit(task, wait_status_signal(SIGKILL));
		return;
	}
	pr_info("%s[%d]: cannot write the frame for signal %d (sp %#llx)",
		task->comm, task->pid, sig, (unsigned long long)t->uctx.rsp);
	task_exit(task, wait_status_fatal(task, SIGSEGV));
}

bool signal_user_return(struct thread *t)
{
	struct task *task = t->task;

	for (;;) {
		struct ksigaction sa;
		struct ksignal ks;
		uint64_t mask;
		int sig;

		if (t->state == THREAD_DEAD || task->state != TASK_ALIVE)
			return false;
		if (task->stopped) {
			/* The syscall result and restart wait in the regs. */
			t->state = THREAD_STOPPED;
			return false;
		}
		sig = dequeue_ks(t, ~t->sigmask, &ks);
		if (!sig) {
			if (t->restore_sigmask) {
				/* sigsuspend & co. without a handler: put the
				 * mask back and look again. */
				t->restore_sigmask = false;
				t->sigmask = t->saved_sigmask;
				continue;
			}
			break;
		}
		sa = task->sigactions[sig - 1];
		if (sa.handler == SIG_IGN)
			continue;
		if (sa.handler == SIG_DFL) {
			switch (default_action(sig)) {
			case DFL_IGN:
			case DFL_CONT:
				continue;
			case DFL_STOP:
				if (sig != SIGSTOP &&
				    proc_pgrp_orphaned(task->pgid, NULL))
					continue;
				task_stop(task, sig);
				continue;
			default:
				task_exit(task, wait_status_fatal(task, sig));
				return false;
			}
		}
		restart_for_handler(t, &sa);
		mask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
		if (sigframe_setup(t, sig, &sa, &ks, mask)) {
			frame_failed(t, sig);
			return false;
		}
		/* The frame holds the mask to restore; the handler runs
		 * with the current one (sigsuspend's) plus its own. */
		t->restore_sigmask = false;
		t->sigmask |= sa.mask;
		if (!(sa.flags & SA_NODEFER))
			t->sigmask |= sig_bit(sig);
		t->sigmask &= ~SIG_UNBLOCKABLE;
		if (sa.flags & SA_RESETHAND) {
			sa.handler = SIG_DFL;
			sa.flags &= ~(uint64_t)SA_RESETHAND;
			signal_set_action(task, sig, &sa);
		}
	}
	restart_without_handler(t);
	return true;
}
