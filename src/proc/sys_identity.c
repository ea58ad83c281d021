/*
 * sys_identity.c: who and where a process is: ids, uname, sysinfo,
 * thread bookkeeping (tid address, robust list, FS/GS bases), names, CPU
 * affinity and randomness (layer: syscall adapters; relies on the task
 * and thread structs, uaccess, pmm statistics and hal_entropy).
 */
#include <kern/klib.h>
#include <kern/pmm.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/futex.h>
#include <uapi/prctl.h>
#include <uapi/random.h>
#include <uapi/signal.h>
#include <uapi/sysinfo.h>
#include <uapi/utsname.h>

#include "proc_internal.h"

/* Linux's TASK_SIZE_MAX on x86_64 with 4-level paging: FS/GS bases at or
 * above it are refused. */
#define TASK_SIZE_MAX 0x7ffffffff000ULL

long sys_getpid(void)
{
	return current->task->pid;
}

long sys_gettid(void)
{
	return current->tid;
}

long sys_getppid(void)
{
	struct task *parent = current->task->parent;

	return parent ? parent->pid : 0;
}

long sys_getuid(void)
{
	return current->task->cred.uid;
}

long sys_geteuid(void)
{
	return current->task->cred.euid;
}

long sys_getgid(void)
{
	return current->task->cred.gid;
}

long sys_getegid(void)
{
	return current->task->cred.egid;
}

long sys_getpgrp(void)
{
	return current->task->pgid;
}

static struct task *task_or_self(int pid)
{
	if (pid == 0)
		return current->task;
	if (pid < 0)
		return NULL;
	return task_find(pid);
}

long sys_getpgid(int pid)
{
	struct task *task = task_or_self(pid);

	return task ? task->pgid : -ESRCH;
}

long sys_getsid(int pid)
{
	struct task *task = task_or_self(pid);

	return task ? task->sid : -ESRCH;
}

long sys_uname(uaddr_t buf)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	kstrlcpy(u.sysname, "Linux", sizeof(u.sysname));
	kstrlcpy(u.nodename, "ember", sizeof(u.nodename));
	/* glibc refuses kernels older than the one it was built for: claim
	 * a current long-term release. */
	kstrlcpy(u.release, "6.1.0-ember", sizeof(u.release));
	kstrlcpy(u.version, "#1 SMP Ember", sizeof(u.version));
	kstrlcpy(u.machine, "x86_64", sizeof(u.machine));
	kstrlcpy(u.domainname, "(none)", sizeof(u.domainname));
	if (copy_to_user(buf, &u, sizeof(u)))
		return -EFAULT;
	return 0;
}

long sys_sysinfo(uaddr_t info)
{
	struct sysinfo si;
	struct task *task;
	unsigned threads = 0;

	list_for_each_entry(task, &task_list, all_link)
		threads += task->state == TASK_ALIVE ? task->nthreads : 0;
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)((time_monotonic_ns() - time_boot_ns()) /
			      NSEC_PER_SEC);
	si.totalram = (uint64_t)pmm_total_frames() * PAGE_SIZE;
	si.freeram = (uint64_t)pmm_free_frames() * PAGE_SIZE;
	si.procs = threads > 0xffff ? 0xffff : (uint16_t)threads;
	si.mem_unit = 1;
	if (copy_to_user(info, &si, sizeof(si)))
		return -EFAULT;
	return 0;
}

long sys_set_tid_address(uaddr_t tidptr)
{
	current->clear_child_tid = tidptr;
	return current->tid;
}

long sys_set_robust_list(uaddr_t head, size_t len)
{
	if (len != sizeof(struct robust_list_head))
		return -EINVAL;
	current->robust_list = head;
	current->robust_len = len;
	return 0;
}

long sys_get_robust_list(int pid, uaddr_t head_ptr, uaddr_t len_ptr)
{
	struct thread *t = current;
	uint64_t head, len;

	if (pid) {
		t = thread_find(pid);
		if (!t)
			return -ESRCH;
	}
	head = t->robust_list;
	len = sizeof(struct robust_list_head);
	if (copy_to_user(len_ptr, &len, sizeof(len)))
		return -EFAULT;
	if (copy_to_user(head_ptr, &head, sizeof(head)))
		return -EFAULT;
	return 0;
}

long sys_arch_prctl(int code, unsigned long addr)
{
	struct hal_uctx *u = &current->uctx;
	uint64_t val;

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= TASK_SIZE_MAX)
			return -EPERM;
		if (code == ARCH_SET_FS)
			u->fs_base = addr;
		else
			u->gs_base = addr;
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		val = code == ARCH_GET_FS ? u->fs_base : u->gs_base;
		if (copy_to_user(addr, &val, sizeof(val)))
			return -EFAULT;
		return 0;
	default:
		return -EINVAL;
	}
}

/* prctl's get-an-int options write through a pointer in arg2. */
static long put_int(unsigned long uptr, int v)
{
	return copy_to_user(uptr, &v, sizeof(v)) ? -EFAULT : 0;
}

/* partial: the name is kept per process; seccomp, memory-management,
 * speculation and other options beyond those below return -EINVAL. */
long sys_prctl(int option, unsigned long arg2, unsigned long arg3,
	       unsigned long arg4, unsigned long arg5)
{
	struct task *task = current->task;
	char name[PR_NAME_LEN];
	long n;

	switch (option) {
	case PR_SET_NAME:
		/* Up to 15 bytes are taken; a longer name is cut. */
		n = strncpy_from_user(name, arg2, sizeof(name));
		if (n == -ENAMETOOLONG) {
			if (copy_from_user(name, arg2, sizeof(name) - 1))
				return -EFAULT;
			name[sizeof(name) - 1] = '\0';
		} else if (n < 0) {
			return -EFAULT;
		}
		kstrlcpy(task->comm, name, sizeof(task->comm));
		return 0;
	case PR_GET_NAME:
		memset(name, 0, sizeof(name));
		kstrlcpy(name, task->comm, sizeof(name));
		if (copy_to_user(arg2, name, sizeof(name)))
			return -EFAULT;
		return 0;
	case PR_SET_PDEATHSIG:
		if (arg2 > NSIG)
			return -EINVAL;
		task->pdeath_signal = (int)arg2;
		return 0;
	case PR_GET_PDEATHSIG:
		return put_int(arg2, task->pdeath_signal);
	case PR_SET_CHILD_SUBREAPER:
		task->subreaper = arg2 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return put_int(arg2, task->subreaper);
	case PR_SET_DUMPABLE:
		if (arg2 > 1)
			return -EINVAL;
		task->dumpable = (int)arg2;
		return 0;
	case PR_GET_DUMPABLE:
		return task->dumpable;
	case PR_SET_KEEPCAPS:
		if (arg2 > 1)
			return -EINVAL;
		task->keepcaps = arg2;
		return 0;
	case PR_GET_KEEPCAPS:
		return task->keepcaps;
	case PR_SET_NO_NEW_PRIVS:
		if (arg2 != 1 || arg3 || arg4 || arg5)
			return -EINVAL;
		task->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return task->no_new_privs;
	case PR_SET_TIMERSLACK:
		/* 0 restores the default. */
		task->timerslack_ns = arg2 ? arg2 : 50000;
		return 0;
	case PR_GET_TIMERSLACK:
		return (long)task->timerslack_ns;
	case PR_CAPBSET_READ:
		/* Every capability Linux 6.1 knows is in the bounding set. */
		if (arg2 > 40)
			return -EINVAL;
		return 1;
	case PR_GET_SECCOMP:
		return 0;
	default:
		return -EINVAL;
	}
}

/* Linux's cap on one getrandom call. */
#define GETRANDOM_MAX (32U * 1024 * 1024 - 1)

long sys_getrandom(uaddr_t buf, size_t buflen, unsigned long flags)
{
	unsigned char chunk[256];
	size_t done = 0;

	if (flags &
	    ~(unsigned long)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	if (buflen > GETRANDOM_MAX)
		buflen = GETRANDOM_MAX;
	while (done < buflen) {
		size_t n = MIN(buflen - done, sizeof(chunk));

		hal_entropy(chunk, n);
		if (copy_to_user(buf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}
