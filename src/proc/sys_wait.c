/*
 * sys_wait.c: wait4 and waitid (layer: syscall adapters over one child
 * search; relies on the child_exit wait queue that exits, stops and
 * continues wake (signal_notify_parent), task_reap, and the sched.h
 * blocking protocol). A child reports once: its exit (reaped unless
 * WNOWAIT), a stop (WUNTRACED/WSTOPPED) or a continue (WCONTINUED).
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/resource.h>
#include <uapi/signal.h>
#include <uapi/wait.h>

#include "proc_internal.h"

struct wait_req {
	int idtype; /* P_ALL, P_PID, P_PGID */
	int id;
	unsigned options;
};

struct wait_result {
	int pid;
	int status;    /* wait4's status word */
	int code;      /* CLD_* */
	int si_status; /* waitid's si_status */
	uint32_t uid;
	struct proc_usage usage;
};

static bool eligible(const struct task *child, const struct wait_req *w)
{
	bool clone_child = child->exit_signal != SIGCHLD;

	if (child->state == TASK_DEAD)
		return false;
	if (w->idtype == P_PID && child->pid != w->id)
		return false;
	if (w->idtype == P_PGID && child->pgid != w->id)
		return false;
	if (w->options & __WALL)
		return true;
	return clone_child == !!(w->options & __WCLONE);
}

static void result_of(struct task *child, int status, int code, int si_status,
		      struct wait_result *r)
{
	r->pid = child->pid;
	r->status = status;
	r->code = code;
	r->si_status = si_status;
	r->uid = child->cred.uid;
	proc_usage_task(child, &r->usage);
	proc_usage_add(&r->usage, &child->cusage);
}

/* Collects the first child event w accepts. Returns 1 with *r filled, 0
 * when a matching child exists but has nothing to report, -ECHILD when
 * there is no matching child. */
static int find_event(struct task *self, const struct wait_req *w,
		      struct wait_result *r)
{
	struct task *child;
	bool any = false;
	bool keep = w->options & WNOWAIT;

	list_for_each_entry(child, &self->children, sibling) {
		if (!eligible(child, w))
			continue;
		any = true;
		if (child->state == TASK_ZOMBIE && (w->options & WEXITED)) {
			int st = child->exit_code, code = CLD_EXITED;
			int sis = (st >> 8) & 0xff;

			if (st & 0x7f) {
				code = (st & W_COREFLAG) ? CLD_DUMPED :
							   CLD_KILLED;
				sis = st & 0x7f;
			}
			result_of(child, st, code, sis, r);
			if (!keep)
				task_reap(child);
			return 1;
		}
		if (child->state != TASK_ALIVE)
			continue;
		if (child->stopped && child->report_stop &&
		    (w->options & WSTOPPED)) {
			result_of(child, (child->stop_sig << 8) | 0x7f,
				  CLD_STOPPED, child->stop_sig, r);
			if (!keep)
				child->report_stop = false;
			return 1;
		}
		if (child->report_cont && (w->options & WCONTINUED)) {
			result_of(child, 0xffff, CLD_CONTINUED, SIGCONT, r);
			if (!keep)
				child->report_cont = false;
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

/* 1 with *r, 0 for WNOHANG with nothing yet, or -errno / -EKBLOCK. */
static long do_wait(const struct wait_req *w, struct wait_result *r)
{
	struct task *self = current->task;
	int found = find_event(self, w, r);

	if (found)
		return found;
	if (w->options & WNOHANG)
		return 0;
	if (current->wake_reason == WAKE_SIGNAL)
		return -ERESTARTSYS;
	return sched_block(&self->child_exit, 0);
}

static struct rusage_timeval ns_to_tv(uint64_t ns)
{
	struct rusage_timeval tv = {
		.tv_sec = (int64_t)(ns / NSEC_PER_SEC),
		.tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000),
	};

	return tv;
}

void proc_fill_rusage(const struct proc_usage *u, struct rusage *ru)
{
	memset(ru, 0, sizeof(*ru));
	ru->ru_utime = ns_to_tv(u->utime_ns);
	ru->ru_stime = ns_to_tv(u->stime_ns);
	ru->ru_maxrss = (int64_t)u->maxrss_kb;
	ru->ru_minflt = (int64_t)u->minflt;
	ru->ru_majflt = (int64_t)u->majflt;
	ru->ru_nvcsw = (int64_t)u->nvcsw;
	ru->ru_nivcsw = (int64_t)u->nivcsw;
}

long sys_wait4(int pid, uaddr_t wstatus, unsigned long options, uaddr_t rusage)
{
	struct wait_req w = { .idtype = P_ALL };
	struct wait_result r;
	long ret;

	/* The kernel's options are an int: a sign-extended __WCLONE must not
	 * look like unknown high bits. */
	options = (uint32_t)options;
	if (options & ~(unsigned long)(WNOHANG | WUNTRACED | WCONTINUED |
				       __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid > 0) {
		w.idtype = P_PID;
		w.id = pid;
	} else if (pid == 0) {
		w.idtype = P_PGID;
		w.id = current->task->pgid;
	} else if (pid < -1) {
		w.idtype = P_PGID;
		w.id = -pid;
	}
	w.options = (unsigned)options | WEXITED;
	ret = do_wait(&w, &r);
	if (ret <= 0)
		return ret;
	if (wstatus) {
		int32_t st = r.status;

		if (copy_to_user(wstatus, &st, sizeof(st)))
			return -EFAULT;
	}
	if (rusage) {
		struct rusage ru;

		proc_fill_rusage(&r.usage, &ru);
		if (copy_to_user(rusage, &ru, sizeof(ru)))
			return -EFAULT;
	}
	return r.pid;
}

long sys_waitid(int idtype, int id, uaddr_t infop, unsigned long options,
		uaddr_t rusage)
{
	struct wait_req w = { .idtype = idtype, .id = id };
	struct linux_siginfo si;
	struct wait_result r;
	long ret;

	options = (uint32_t)options;
	if (options &
	    ~(unsigned long)(WNOHANG | WNOWAIT | WEXITED | WSTOPPED |
			     WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		if (id == 0)
			w.id = current->task->pgid;
		break;
	default:
		/* P_PIDFD needs pidfds, which Ember lacks. */
		return -EINVAL;
	}
	w.options = (unsigned)options;
	ret = do_wait(&w, &r);
	if (ret < 0)
		return ret;
	memset(&si, 0, sizeof(si));
	if (ret == 0)
		memset(&r, 0, sizeof(r));
	else {
		si.si_signo = SIGCHLD;
		si.si_code = r.code;
		si.f.chld.pid = r.pid;
		si.f.chld.uid = r.uid;
		si.f.chld.status = r.si_status;
	}
	if (infop && copy_to_user(infop, &si, sizeof(si)))
		return -EFAULT;
	if (rusage) {
		struct rusage ru;

		proc_fill_rusage(&r.usage, &ru);
		if (copy_to_user(rusage, &ru, sizeof(ru)))
			return -EFAULT;
	}
	return 0;
}
