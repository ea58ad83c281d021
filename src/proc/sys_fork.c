/*
 * sys_fork.c: fork, vfork, clone and clone3 (layer: syscall adapters over
 * proc_clone; relies on uaccess for clone3's argument block and on the
 * sched.h protocol for vfork's wait). A vfork parent sleeps in its call
 * until the child execs or exits (proc_vfork_done); only SIGKILL ends
 * that wait early, as on Linux.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/sched.h>
#include <uapi/signal.h>

#include "proc_internal.h"

static long clone_and_wait(const struct clone_req *req)
{
	struct thread *t = current;
	struct task *child;
	long pid;

	if (t->resumed && t->vfork_child) {
		child = task_find(t->vfork_child);
		if (child && child->vfork_parent_tid == t->tid)
			return sched_block(NULL, 0);
		pid = t->vfork_child;
		t->vfork_child = 0;
		return pid;
	}
	pid = proc_clone(t, req);
	if (pid < 0 || !t->vfork_child)
		return pid;
	child = task_find((int)pid);
	if (!child || child->vfork_parent_tid != t->tid) {
		t->vfork_child = 0;
		return pid;
	}
	return sched_block(NULL, 0);
}

long sys_fork(void)
{
	struct clone_req req = { .exit_signal = SIGCHLD };

	return clone_and_wait(&req);
}

long sys_vfork(void)
{
	struct clone_req req = {
		.flags = CLONE_VM | CLONE_VFORK,
		.exit_signal = SIGCHLD,
	};

	return clone_and_wait(&req);
}

long sys_clone(unsigned long flags, uaddr_t stack, uaddr_t parent_tid,
	       uaddr_t child_tid, unsigned long tls)
{
	struct clone_req req = {
		.flags = flags & ~(uint64_t)CSIGNAL & 0xffffffffULL,
		.exit_signal = (int)(flags & CSIGNAL),
		.stack = stack,
		.parent_tid = parent_tid,
		.child_tid = child_tid,
		.tls = tls,
	};

	if (current->resumed && current->vfork_child)
		return clone_and_wait(&req);
	/* clone() has no room for a pidfd and a parent tid at once; and
	 * clone3-only flags do not exist in its 32-bit flags word. */
	if (flags & CLONE_PIDFD)
		return -EINVAL;
	if (req.exit_signal > NSIG)
		return -EINVAL;
	if (flags & CLONE_THREAD)
		req.exit_signal = 0;
	return clone_and_wait(&req);
}

/* Bytes of a larger (newer) argument block than Ember knows must be zero. */
static int tail_is_zero(uaddr_t uargs, size_t from, size_t size)
{
	uint8_t buf[64];

	while (from < size) {
		size_t n = MIN(sizeof(buf), size - from);

		if (copy_from_user(buf, uargs + from, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++) {
			if (buf[i])
				return -E2BIG;
		}
		from += n;
	}
	return 0;
}

long sys_clone3(uaddr_t cl_args, size_t size)
{
	struct clone_args ca;
	struct clone_req req;
	int err;

	if (current->resumed && current->vfork_child) {
		memset(&req, 0, sizeof(req));
		return clone_and_wait(&req);
	}
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	memset(&ca, 0, sizeof(ca));
	if (copy_from_user(&ca, cl_args, MIN(size, sizeof(ca))))
		return -EFAULT;
	if (size > sizeof(ca)) {
		err = tail_is_zero(cl_args, sizeof(ca), size);
		if (err)
			return err;
	}
	if (ca.exit_signal & ~(uint64_t)CSIGNAL || ca.exit_signal > NSIG)
		return -EINVAL;
	if ((ca.flags & (CLONE_DETACHED | CSIGNAL)) ||
	    ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal))
		return -EINVAL;
	if (ca.set_tid || ca.set_tid_size || (ca.flags & CLONE_PIDFD))
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	if (ca.stack && ca.stack + ca.stack_size < ca.stack)
		return -EINVAL;

	memset(&req, 0, sizeof(req));
	req.flags = ca.flags;
	req.exit_signal = (int)ca.exit_signal;
	req.stack = ca.stack ? ca.stack + ca.stack_size : 0;
	req.parent_tid = ca.parent_tid;
	req.child_tid = ca.child_tid;
	req.tls = ca.tls;
	return clone_and_wait(&req);
}
