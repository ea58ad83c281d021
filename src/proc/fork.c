/*
 * fork.c: new processes and threads (layer: proc; relies on mm_fork for
 * copy-on-write address spaces, the VFS for fd tables and fs contexts,
 * task.c for tasks and threads, and the HAL: a new process is a new HAL
 * address space (hosted: a new stub), a thread or a CLONE_VM process is
 * another HAL thread in the parent's address space). The child starts
 * with the parent's registers, rax = 0.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/resource.h>
#include <uapi/sched.h>
#include <uapi/signal.h>

#include "proc_internal.h"

#define CLONE_NAMESPACES                                                       \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |         \
	 CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* Flags Ember accepts: the rest (namespaces, pidfds, cgroups) are
 * refused with -EINVAL. CLONE_PTRACE and CLONE_UNTRACED have no tracer
 * to matter to; CLONE_SYSVSEM shares SysV undo lists Ember keeps none of;
 * CLONE_DETACHED and CLONE_IO change nothing here either. */
#define CLONE_SUPPORTED                                                        \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PTRACE |    \
	 CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM |           \
	 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |           \
	 CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO |     \
	 CLONE_CLEAR_SIGHAND)

static int check_flags(struct task *self, uint64_t flags)
{
	if (flags & ~(uint64_t)CLONE_SUPPORTED)
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_CLEAR_SIGHAND) && (flags & CLONE_SIGHAND))
		return -EINVAL;
	/* Init has no parent to share (Linux: an unkillable task). */
	if ((flags & CLONE_PARENT) && !self->parent)
		return -EINVAL;
	return 0;
}

/* Undoes a task that never ran. */
static void task_abort(struct task *task)
{
	if (task->files)
		files_put(task->files);
	if (task->fs)
		fs_ctx_put(task->fs);
	if (task->mm)
		mm_put(task->mm);
	task->files = NULL;
	task->fs = NULL;
	task->mm = NULL;
	task->parent = NULL; /* no usage to hand on */
	task_reap(task);
}

static struct task *copy_process(struct task *self, const struct clone_req *req)
{
	uint64_t flags = req->flags;
	struct task *parent = (flags & CLONE_PARENT) ? self->parent : self;
	struct task *task = task_create(parent);

	if (!task)
		return ERR_PTR(-EAGAIN);
	task->cred = self->cred;
	task->umask = self->umask;
	memcpy(task->rlim, self->rlim, sizeof(task->rlim));
	memcpy(task->sigactions, self->sigactions, sizeof(task->sigactions));
	/* CLONE_PARENT: a sibling tells the parent as the caller would. */
	task->exit_signal = (flags & CLONE_PARENT) ? self->exit_signal :
						     req->exit_signal;
	kstrlcpy(task->comm, self->comm, TASK_COMM_LEN);
	task->pgid = self->pgid;
	task->sid = self->sid;
	task->no_new_privs = self->no_new_privs;
	task->keepcaps = self->keepcaps;
	task->dumpable = self->dumpable;
	task->timerslack_ns = self->timerslack_ns;
	task->did_exec = false;
	if (self->exe_path) {
		task->exe_path = kstrdup(self->exe_path);
		if (!task->exe_path)
			goto err_nomem;
	}
	if (flags & CLONE_CLEAR_SIGHAND) {
		for (int i = 0; i < NSIG; i++) {
			if (task->sigactions[i].handler != SIG_IGN)
				task->sigactions[i].handler = SIG_DFL;
		}
	}
	if (flags & CLONE_SIGHAND)
		list_add_tail(&task->sighand_peers, &self->sighand_peers);

	if (flags & CLONE_VM) {
		task->mm = self->mm;
		mm_get(task->mm);
	} else {
		task->mm = mm_fork(self->mm);
		if (!task->mm)
			goto err_nomem;
		proc_set_as_limit(task, task->mm);
	}
	if (flags & CLONE_FILES) {
		task->files = self->files;
		files_get(task->files);
	} else {
		task->files = files_clone(self->files);
		if (IS_ERR_OR_NULL(task->files)) {
			task->files = NULL;
			goto err_nomem;
		}
	}
	if (flags & CLONE_FS) {
		task->fs = self->fs;
		task->fs->refcount++;
	} else {
		task->fs = fs_ctx_clone(self->fs);
		if (IS_ERR_OR_NULL(task->fs)) {
			task->fs = NULL;
			goto err_nomem;
		}
	}
	return task;

err_nomem:
	task_abort(task);
	return ERR_PTR(-ENOMEM);
}

/* The child's registers: the parent's at its clone, returning 0. */
static void copy_thread(struct thread *t, struct thread *pt,
			const struct clone_req *req)
{
	uint64_t flags = req->flags;

	memcpy(&t->uctx, &pt->uctx, sizeof(t->uctx));
	/* The FPU state is inherited too. */
	if (pt->ht && hal_uctx_fpu_sync(pt->ht) == 0) {
		memcpy(t->uctx.fpu, pt->uctx.fpu, sizeof(t->uctx.fpu));
		t->uctx.fpu_valid = true;
		/* The parent's own registers did not change. */
		pt->uctx.fpu_valid = false;
	} else {
		t->uctx.fpu_valid = false;
	}
	t->uctx.rax = 0;
	if (req->stack)
		t->uctx.rsp = req->stack;
	if (flags & CLONE_SETTLS)
		t->uctx.fs_base = req->tls;
	t->sigmask = pt->sigmask;
	/* A thread sharing the stack-holding mm must not share the
	 * alternate stack either (vfork's child borrows it briefly). */
	if ((flags & (CLONE_VM | CLONE_VFORK)) != CLONE_VM) {
		t->altstack_sp = pt->altstack_sp;
		t->altstack_size = pt->altstack_size;
		t->altstack_flags = pt->altstack_flags;
	}
	t->nice = pt->nice;
	t->sched_policy = pt->sched_policy;
	t->sched_priority = pt->sched_priority;
	t->cpu_affinity = pt->cpu_affinity;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = req->child_tid;
}

long proc_clone(struct thread *pt, const struct clone_req *req)
{
	struct task *self = pt->task, *task;
	uint64_t flags = req->flags;
	struct thread *t;
	uint32_t tid;
	int err;

	err = check_flags(self, flags);
	if (err)
		return err;
	/* The TLS base is checked as arch_prctl(ARCH_SET_FS) checks it (a
	 * non-canonical base would make the HAL refuse the thread's
	 * registers; found by the fuzzer). */
	if ((flags & CLONE_SETTLS) && req->tls >= 0x7ffffffff000ULL)
		return -EPERM;
	/* Root (the real uid, or the privilege of an effective one) is
	 * exempt, as on Linux. */
	if (self->cred.uid != 0 && self->cred.euid != 0 &&
	    (uint64_t)proc_count_user_tasks(self->cred.uid) >=
		    self->rlim[RLIMIT_NPROC].cur)
		return -EAGAIN;

	if (flags & CLONE_THREAD) {
		task = self;
	} else {
		task = copy_process(self, req);
		if (IS_ERR(task))
			return PTR_ERR(task);
	}
	t = thread_create(task);
	if (!t) {
		if (task != self)
			task_abort(task);
		return -EAGAIN;
	}
	copy_thread(t, pt, req);

	tid = (uint32_t)t->tid;
	if (flags & CLONE_CHILD_SETTID)
		vm_write(task->mm, req->child_tid, &tid, sizeof(tid), false);
	if (flags & CLONE_PARENT_SETTID)
		vm_write(self->mm, req->parent_tid, &tid, sizeof(tid), false);
	/* A vfork thread (CLONE_THREAD) shares everything already: only a
	 * process is waited for. */
	if ((flags & CLONE_VFORK) && task != self) {
		task->vfork_parent_tid = pt->tid;
		pt->vfork_child = t->tid;
	}
	sched_run(t);
	return (long)tid;
}
