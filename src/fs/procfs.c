/*
 * procfs.c: /proc, synthesized from kernel state on every lookup. Each
 * inode names (kind, pid, fd); nothing is stored. Text files are generated
 * at open into a kmalloc buffer that reads then copy from, so one open sees
 * one consistent snapshot. /proc/PID/{cwd,root,fd/N} are "magic" links
 * that the walk follows to the referenced path itself.
 * Layer: filesystem; relies on the task list, fd tables, mm (vm_read) and
 * pmm counters.
 */
#include <kern/kmalloc.h>
#include <kern/net.h>
#include <kern/pmm.h>
#include <kern/timer.h>
#include <kern/tty.h>
#include <kern/vm.h>
#include <uapi/dirent.h>
#include <uapi/resource.h>
#include <uapi/signal.h>
#include <uapi/statfs.h>

#include "internal.h"

enum proc_kind {
	P_ROOT = 1,
	P_SELF,
	P_MOUNTS_LINK,
	P_MEMINFO,
	P_VERSION,
	P_FILESYSTEMS,
	P_UPTIME,
	P_PID_DIR,
	P_EXE,
	P_CWD,
	P_ROOTLINK,
	P_FD_DIR,
	P_FD_LINK,
	P_CMDLINE,
	P_ENVIRON,
	P_COMM,
	P_STAT,
	P_STATUS,
	P_MOUNTS,
	P_MAPS,
	P_NET_DIR,  /* /proc/net (src/net/procnet.c) */
	P_NET_FILE, /* its file number fd */
	P_CPUINFO,
	P_LOADAVG,
	P_PROCSTAT,
	P_SYS_DIR,
	P_SYS_KERNEL_DIR,
	P_SYS_HOSTNAME,
	P_SYS_OSTYPE,
	P_SYS_OSRELEASE,
	P_SYS_PIDMAX,
	P_STATM,
	P_LIMITS,
	P_FDINFO_DIR,
	P_FDINFO_FILE,
};

struct proc_node {
	enum proc_kind kind;
	int pid; /* 0 for the top-level entries */
	int fd;
};

struct proc_entry {
	const char *name;
	enum proc_kind kind;
	uint32_t mode;
};

static const struct proc_entry root_entries[] = {
	{ "self", P_SELF, S_IFLNK | 0777 },
	{ "mounts", P_MOUNTS_LINK, S_IFLNK | 0777 },
	{ "meminfo", P_MEMINFO, S_IFREG | 0444 },
	{ "version", P_VERSION, S_IFREG | 0444 },
	{ "filesystems", P_FILESYSTEMS, S_IFREG | 0444 },
	{ "uptime", P_UPTIME, S_IFREG | 0444 },
	{ "net", P_NET_DIR, S_IFDIR | 0555 },
	{ "cpuinfo", P_CPUINFO, S_IFREG | 0444 },
	{ "loadavg", P_LOADAVG, S_IFREG | 0444 },
	{ "stat", P_PROCSTAT, S_IFREG | 0444 },
	{ "sys", P_SYS_DIR, S_IFDIR | 0555 },
};

static const struct proc_entry sys_entries[] = {
	{ "kernel", P_SYS_KERNEL_DIR, S_IFDIR | 0555 },
};

static const struct proc_entry sys_kernel_entries[] = {
	{ "hostname", P_SYS_HOSTNAME, S_IFREG | 0444 },
	{ "ostype", P_SYS_OSTYPE, S_IFREG | 0444 },
	{ "osrelease", P_SYS_OSRELEASE, S_IFREG | 0444 },
	{ "pid_max", P_SYS_PIDMAX, S_IFREG | 0444 },
};

static const struct proc_entry pid_entries[] = {
	{ "exe", P_EXE, S_IFLNK | 0777 },
	{ "cwd", P_CWD, S_IFLNK | 0777 },
	{ "root", P_ROOTLINK, S_IFLNK | 0777 },
	{ "fd", P_FD_DIR, S_IFDIR | 0500 },
	{ "fdinfo", P_FDINFO_DIR, S_IFDIR | 0500 },
	{ "cmdline", P_CMDLINE, S_IFREG | 0444 },
	{ "environ", P_ENVIRON, S_IFREG | 0400 },
	{ "comm", P_COMM, S_IFREG | 0444 },
	{ "stat", P_STAT, S_IFREG | 0444 },
	{ "status", P_STATUS, S_IFREG | 0444 },
	{ "mounts", P_MOUNTS, S_IFREG | 0444 },
	{ "maps", P_MAPS, S_IFREG | 0444 },
	{ "statm", P_STATM, S_IFREG | 0444 },
	{ "limits", P_LIMITS, S_IFREG | 0444 },
};

/* The fixed entries of a directory node (NULL: none). */
static const struct proc_entry *dir_table(enum proc_kind kind, size_t *n)
{
	switch (kind) {
	case P_ROOT:
		*n = ARRAY_SIZE(root_entries);
		return root_entries;
	case P_PID_DIR:
		*n = ARRAY_SIZE(pid_entries);
		return pid_entries;
	case P_SYS_DIR:
		*n = ARRAY_SIZE(sys_entries);
		return sys_entries;
	case P_SYS_KERNEL_DIR:
		*n = ARRAY_SIZE(sys_kernel_entries);
		return sys_kernel_entries;
	default:
		*n = 0;
		return NULL;
	}
}

/* readdir positions: 0 ".", 1 "..", then entries; pids from PID_POS. */
#define ENTRY_POS 2
#define PID_POS 256

static const struct inode_ops proc_dir_iops, proc_link_iops, proc_magic_iops,
	proc_file_iops;
static const struct file_ops proc_dir_fops, proc_file_fops;

static struct proc_node *node_of(struct inode *ino)
{
	return ino->priv;
}

/* The live task a node belongs to, or NULL. */
static struct task *node_task(const struct proc_node *n)
{
	struct task *t = task_find(n->pid);

	return t && t->state != TASK_DEAD ? t : NULL;
}

static uint64_t proc_ino(int pid, enum proc_kind kind, int fd)
{
	return ((uint64_t)pid << 32) | ((uint64_t)kind << 24) |
	       (uint64_t)(fd & 0xffffff);
}

static struct inode *proc_inode(struct super_block *sb, enum proc_kind kind,
				uint32_t mode, struct task *t, int fd)
{
	struct proc_node *n = kzalloc(sizeof(*n));
	struct inode *ino;

	if (!n)
		return NULL;
	ino = inode_alloc(sb, mode);
	if (!ino) {
		kfree(n);
		return NULL;
	}
	n->kind = kind;
	n->pid = t ? t->pid : 0;
	n->fd = fd;
	ino->priv = n;
	ino->ino = proc_ino(n->pid, kind, fd);
	ino->uid = t ? t->cred.euid : 0;
	ino->gid = t ? t->cred.egid : 0;
	if (S_ISDIR(mode)) {
		ino->iops = &proc_dir_iops;
		ino->fops = &proc_dir_fops;
		ino->nlink = 2;
	} else if (S_ISLNK(mode)) {
		bool magic = kind == P_CWD || kind == P_ROOTLINK ||
			     kind == P_FD_LINK;

		ino->iops = magic ? &proc_magic_iops : &proc_link_iops;
	} else {
		ino->iops = &proc_file_iops;
		ino->fops = &proc_file_fops;
	}
	return ino;
}

static bool parse_num(const char *s, int *out)
{
	uint64_t v = 0;

	if (!*s || (*s == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 0x7fffffff)
			return false;
	}
	*out = (int)v;
	return true;
}

/* ---- lookup ---- */

static int proc_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct proc_node *dn = node_of(dir);
	const struct proc_entry *tab = NULL;
	size_t ntab = 0;
	struct task *t = NULL;
	struct inode *ino = NULL;
	int num;

	if (dn->kind == P_NET_DIR) {
		num = procnet_lookup(name);
		if (num < 0)
			return -ENOENT;
		ino = proc_inode(dir->sb, P_NET_FILE, S_IFREG | 0444, NULL,
				 num);
		goto found;
	}
	tab = dir_table(dn->kind, &ntab);
	if (dn->pid) {
		t = node_task(dn);
		if (!t)
			return -ENOENT;
	}
	for (size_t i = 0; i < ntab; i++) {
		if (strcmp(tab[i].name, name) == 0) {
			ino = proc_inode(dir->sb, tab[i].kind, tab[i].mode, t,
					 0);
			goto found;
		}
	}
	if (!parse_num(name, &num))
		return -ENOENT;
	if (dn->kind == P_ROOT) {
		t = task_find(num);
		if (!t || t->state == TASK_DEAD)
			return -ENOENT;
		ino = proc_inode(dir->sb, P_PID_DIR, S_IFDIR | 0555, t, 0);
	} else if ((dn->kind == P_FD_DIR || dn->kind == P_FDINFO_DIR) && t) {
		struct file *f = files_lookup(t->files, num);

		if (!f)
			return -ENOENT;
		file_put(f);
		if (dn->kind == P_FD_DIR)
			ino = proc_inode(dir->sb, P_FD_LINK, S_IFLNK | 0700, t,
					 num);
		else
			ino = proc_inode(dir->sb, P_FDINFO_FILE, S_IFREG | 0400,
					 t, num);
	} else {
		return -ENOENT;
	}
found:
	if (!ino)
		return -ENOMEM;
	*out = ino;
	return 0;
}

/* A cached name is still good while its task (and fd) still exist. */
static int proc_revalidate(struct inode *dir, const char *name,
			   struct inode *cached)
{
	struct proc_node *n = node_of(cached);
	struct task *t;

	if (n->pid == 0)
		return 1;
	t = node_task(n);
	if (!t)
		return -ENOENT;
	if (n->kind == P_FD_LINK || n->kind == P_FDINFO_FILE) {
		struct file *f = files_lookup(t->files, n->fd);

		if (!f)
			return -ENOENT;
		file_put(f);
	}
	return 1;
}

static void proc_evict(struct inode *ino)
{
	kfree(ino->priv);
	ino->priv = NULL;
}

/* ---- links ---- */

static long put_text(char *buf, size_t len, const char *s)
{
	size_t n = MIN(strlen(s), len);

	memcpy(buf, s, n);
	return (long)n;
}

/* The path a magic link points at, referenced. */
static int magic_target(struct proc_node *n, struct path *out)
{
	struct task *t = node_task(n);
	struct file *f;

	if (!t)
		return -ENOENT;
	switch (n->kind) {
	case P_CWD:
	case P_ROOTLINK:
		if (!t->fs)
			return -ENOENT;
		*out = n->kind == P_CWD ? t->fs->cwd : t->fs->root;
		path_get(out);
		return 0;
	case P_FD_LINK:
		f = files_lookup(t->files, n->fd);
		if (!f)
			return -ENOENT;
		*out = f->path;
		path_get(out);
		file_put(f);
		return 0;
	default:
		return -EINVAL;
	}
}

static int proc_follow_link(struct inode *ino, struct path *out)
{
	return magic_target(node_of(ino), out);
}

static long proc_readlink(struct inode *ino, char *buf, size_t len)
{
	struct proc_node *n = node_of(ino);
	struct task *self = cur_task();
	char tmp[32];
	struct task *t;
	struct path p;
	char *pbuf;
	long r;

	switch (n->kind) {
	case P_SELF:
		if (!self)
			return -ENOENT;
		ksnprintf(tmp, sizeof(tmp), "%d", self->pid);
		return put_text(buf, len, tmp);
	case P_MOUNTS_LINK:
		return put_text(buf, len, "self/mounts");
	case P_EXE:
		t = node_task(n);
		if (!t || !t->exe_path)
			return -ENOENT;
		return put_text(buf, len, t->exe_path);
	default:
		break;
	}
	r = magic_target(n, &p);
	if (r < 0)
		return r;
	pbuf = kmalloc(PATH_MAX);
	if (!pbuf) {
		path_put(&p);
		return -ENOMEM;
	}
	r = vfs_path_name(&p, pbuf, PATH_MAX);
	if (r >= 0)
		r = put_text(buf, len, pbuf);
	kfree(pbuf);
	path_put(&p);
	return r;
}

/* ---- generated text ---- */

struct sbuf {
	char *data;
	size_t len, cap;
	bool oom;
};

static bool sb_reserve(struct sbuf *sb, size_t more)
{
	size_t cap = sb->cap ? sb->cap : 256;
	char *d;

	if (sb->oom)
		return false;
	if (sb->len + more + 1 <= sb->cap)
		return true;
	while (cap < sb->len + more + 1)
		cap *= 2;
	d = kmalloc(cap);
	if (!d) {
		sb->oom = true;
		return false;
	}
	if (sb->len)
		memcpy(d, sb->data, sb->len);
	kfree(sb->data);
	sb->data = d;
	sb->cap = cap;
	return true;
}

static void sb_write(struct sbuf *sb, const void *p, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memcpy(sb->data + sb->len, p, n);
	sb->len += n;
}

static __printf(2, 3) void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	kvsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

static void gen_uptime(struct sbuf *sb)
{
	uint64_t ns = time_monotonic_ns() - time_boot_ns();
	unsigned long long s = ns / NSEC_PER_SEC;
	unsigned cs = (unsigned)(ns % NSEC_PER_SEC / 10000000ULL);

	sb_printf(sb, "%llu.%02u %llu.%02u\n", s, cs, s, cs);
}

static void gen_mounts(struct sbuf *sb, struct task *t)
{
	struct path root;
	char *buf = kmalloc(PATH_MAX);

	if (!buf) {
		sb->oom = true;
		return;
	}
	if (t->fs) {
		root = t->fs->root;
		path_get(&root);
	} else {
		mount_root_path(&root);
	}
	for (struct mount *m = mount_next(NULL); m; m = mount_next(m)) {
		struct path mp = { m, m->root };
		long n = vfs_path_name_from(&mp, &root, buf, PATH_MAX);

		if (n < 0)
			continue;
		sb_printf(sb, "%s %s %s %s,relatime 0 0\n", m->source, buf,
			  m->sb->fstype, (m->flags & MS_RDONLY) ? "ro" : "rw");
	}
	path_put(&root);
	kfree(buf);
}

/* Up to max bytes of [start, end) of t's memory (cmdline, environ). */
static void gen_user_range(struct sbuf *sb, struct task *t, uaddr_t start,
			   uaddr_t end)
{
	size_t n;

	if (!t->mm || end <= start)
		return;
	n = (size_t)MIN(end - start, (uaddr_t)(128 * 1024));
	if (!sb_reserve(sb, n))
		return;
	if (vm_read(t->mm, sb->data + sb->len, start, n) == 0)
		sb->len += n;
}

static char task_state_char(struct task *t)
{
	struct thread *th;

	if (t->state == TASK_ZOMBIE)
		return 'Z';
	if (t->stopped)
		return 'T';
	list_for_each_entry(th, &t->threads, task_link)
		if (th->state == THREAD_RUNNING || th->state == THREAD_RUNNABLE)
			return 'R';
	return 'S';
}

static const char *state_name(char c)
{
	return c == 'R'	  ? "running" :
	       c == 'Z'	  ? "zombie" :
	       c == 'T'	  ? "stopped" :
			    "sleeping";
}

static void sig_masks(struct task *t, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	for (int i = 0; i < NSIG; i++) {
		uint64_t h = t->sigactions[i].handler;

		if (h == SIG_IGN)
			*ign |= 1ULL << i;
		else if (h != SIG_DFL)
			*cgt |= 1ULL << i;
	}
}

static uint64_t vm_size(struct task *t)
{
	struct vma *v;
	uint64_t sz = 0;

	if (!t->mm)
		return 0;
	list_for_each_entry(v, &t->mm->vmas, link)
		sz += v->end - v->start;
	return sz;
}

/* Linux's USER_HZ: the unit of every time in /proc/PID/stat and /proc/stat. */
#define CLK_TCK 100

static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / (NSEC_PER_SEC / CLK_TCK);
}

/* CPU time and counts of t: ended threads plus live ones. */
static void task_usage(struct task *t, struct proc_usage *u)
{
	struct thread *th;

	*u = t->usage;
	list_for_each_entry(th, &t->threads, task_link) {
		u->utime_ns += th->usage.utime_ns;
		u->stime_ns += th->usage.stime_ns;
		u->minflt += th->usage.minflt;
		u->majflt += th->usage.majflt;
		u->nvcsw += th->usage.nvcsw;
		u->nivcsw += th->usage.nivcsw;
	}
}

/* The first executable mapping: /proc/PID/stat's startcode/endcode. */
static void code_range(struct task *t, uint64_t *start, uint64_t *end)
{
	struct vma *v;

	*start = *end = 0;
	if (!t->mm)
		return;
	list_for_each_entry(v, &t->mm->vmas, link)
		if ((v->prot & VM_EXEC) && v->name) {
			*start = v->start;
			*end = v->end;
			return;
		}
}

static struct thread *first_thread(struct task *t)
{
	if (list_empty(&t->threads))
		return NULL;
	return list_first_entry(&t->threads, struct thread, task_link);
}

static void gen_stat(struct sbuf *sb, struct task *t)
{
	typedef unsigned long long ull;
	struct thread *th = first_thread(t);
	uint64_t ign, cgt, scode, ecode;
	uint64_t start = ns_to_ticks(t->start_ns - time_boot_ns());
	struct mm *mm = t->mm;
	struct proc_usage u;
	char st = task_state_char(t);
	int tty_nr, tpgid;

	task_usage(t, &u);
	sig_masks(t, &ign, &cgt);
	code_range(t, &scode, &ecode);
	tty_stat_fields(t, &tty_nr, &tpgid);
	/* 1-9: pid (comm) state ppid pgrp session tty_nr tpgid flags. */
	sb_printf(sb, "%d (%s) %c %d %d %d %d %d 4194560 ", t->pid, t->comm,
		  st, t->parent ? t->parent->pid : 0, t->pgid, t->sid, tty_nr,
		  tpgid);
	/* 10-17: minflt cminflt majflt cmajflt utime stime cutime cstime. */
	sb_printf(sb, "%llu %llu %llu %llu %llu %llu %llu %llu ", (ull)u.minflt,
		  (ull)t->cusage.minflt, (ull)u.majflt, (ull)t->cusage.majflt,
		  (ull)ns_to_ticks(u.utime_ns), (ull)ns_to_ticks(u.stime_ns),
		  (ull)ns_to_ticks(t->cusage.utime_ns),
		  (ull)ns_to_ticks(t->cusage.stime_ns));
	/* 18-21: priority nice num_threads itrealvalue. */
	sb_printf(sb, "%d %d %d 0 ", 20 + (th ? th->nice : 0),
		  th ? th->nice : 0, t->nthreads);
	/* 22-25: starttime (ticks after boot), vsize, rss (pages), rsslim. */
	sb_printf(sb, "%llu %llu %llu %llu ", (ull)start, (ull)vm_size(t),
		  (ull)(mm ? mm->rss_pages : 0), (ull)t->rlim[RLIMIT_RSS].cur);
	/* 26-30: startcode endcode startstack kstkesp kstkeip. */
	sb_printf(sb, "%llu %llu %llu 0 0 ", (ull)scode, (ull)ecode,
		  (ull)(mm ? mm->stack_top : 0));
	/* 31-35: signal blocked sigignore sigcatch wchan; 36-37 nswap
	 * cnswap; 38 exit_signal; 39 processor. */
	sb_printf(sb, "%llu %llu %llu %llu 0 0 0 %d 0 ",
		  (ull)(t->sig_pending | (th ? th->sig_pending : 0)),
		  (ull)(th ? th->sigmask : 0), (ull)ign, (ull)cgt,
		  t->exit_signal);
	/* 40-44: rt_priority policy blkio_ticks guest_time cguest_time. */
	sb_printf(sb, "%d %d 0 0 0 ", th ? th->sched_priority : 0,
		  th ? th->sched_policy : 0);
	/* 45-52: start_data end_data start_brk arg_start arg_end env_start
	 * env_end exit_code. */
	sb_printf(sb, "%llu %llu %llu %llu %llu %llu %llu %d\n", (ull)ecode,
		  (ull)(mm ? mm->brk_start : 0), (ull)(mm ? mm->brk_start : 0),
		  (ull)(mm ? mm->arg_start : 0), (ull)(mm ? mm->arg_end : 0),
		  (ull)(mm ? mm->env_start : 0), (ull)(mm ? mm->env_end : 0),
		  t->state == TASK_ZOMBIE ? t->exit_code : 0);
}

/* /proc/PID/fdinfo/N in Linux's format: the position, the open flags in
 * octal (O_CLOEXEC from the fd table), the mount's id and the inode. */
static void gen_fdinfo(struct sbuf *sb, struct task *t, int fd)
{
	struct file *f = files_lookup(t->files, fd);
	unsigned flags;
	int mnt_id = 0, i = 1;

	if (!f)
		return;
	flags = f->flags;
	if (files_get_cloexec(t->files, fd) == 1)
		flags |= O_CLOEXEC;
	for (struct mount *m = mount_next(NULL); m; m = mount_next(m), i++)
		if (m == f->path.mnt)
			mnt_id = i;
	sb_printf(sb, "pos:\t%llu\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
		  (unsigned long long)f->pos, flags, mnt_id,
		  (unsigned long long)(f->inode ? f->inode->ino : 0));
	file_put(f);
}

static void gen_statm(struct sbuf *sb, struct task *t)
{
	uint64_t scode, ecode;
	uint64_t rss = t->mm ? t->mm->rss_pages : 0;

	code_range(t, &scode, &ecode);
	/* size resident shared text lib data dt, in pages; Ember does not
	 * tell file pages from anonymous ones: shared is 0. */
	sb_printf(sb, "%llu %llu 0 %llu 0 %llu 0\n",
		  (unsigned long long)(vm_size(t) / PAGE_SIZE),
		  (unsigned long long)rss,
		  (unsigned long long)((ecode - scode) / PAGE_SIZE),
		  (unsigned long long)((vm_size(t) - (ecode - scode)) /
				       PAGE_SIZE));
}

static void gen_status(struct sbuf *sb, struct task *t)
{
	char st = task_state_char(t);
	struct creds *c = &t->cred;
	struct thread *th = first_thread(t);
	uint64_t ign, cgt;
	int fdsize = 0;

	sig_masks(t, &ign, &cgt);
	for (int fd = files_next_fd(t->files, 0); fd >= 0;
	     fd = files_next_fd(t->files, fd + 1))
		fdsize = fd + 1;
	sb_printf(sb,
		  "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\n"
		  "Ngid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
		  "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		  "FDSize:\t%d\nGroups:\t",
		  t->comm, t->umask, st, state_name(st), t->pid, t->pid,
		  t->parent ? t->parent->pid : 0, c->uid, c->euid, c->suid,
		  c->fsuid, c->gid, c->egid, c->sgid, c->fsgid,
		  fdsize < 64 ? 64 : fdsize);
	for (uint32_t i = 0; i < c->ngroups && i < 32; i++)
		sb_printf(sb, "%u ", c->groups[i]);
	sb_printf(sb,
		  "\nVmSize:\t%8llu kB\nVmRSS:\t%8llu kB\nThreads:\t%d\n"
		  "SigQ:\t%u/%llu\nSigPnd:\t%016llx\nShdPnd:\t%016llx\n"
		  "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		  (unsigned long long)(vm_size(t) / 1024),
		  (unsigned long long)(t->mm ? t->mm->rss_pages * 4 : 0),
		  t->nthreads, t->sig_queued,
		  (unsigned long long)t->rlim[RLIMIT_SIGPENDING].cur,
		  (unsigned long long)(th ? th->sig_pending : 0),
		  (unsigned long long)t->sig_pending,
		  (unsigned long long)(th ? th->sigmask : 0),
		  (unsigned long long)ign, (unsigned long long)cgt);
}

static void gen_limits(struct sbuf *sb, struct task *t)
{
	static const struct {
		const char *name, *unit;
	} lim[RLIM_NLIMITS] = {
		{ "Max cpu time", "seconds" },
		{ "Max file size", "bytes" },
		{ "Max data size", "bytes" },
		{ "Max stack size", "bytes" },
		{ "Max core file size", "bytes" },
		{ "Max resident set", "bytes" },
		{ "Max processes", "processes" },
		{ "Max open files", "files" },
		{ "Max locked memory", "bytes" },
		{ "Max address space", "bytes" },
		{ "Max file locks", "locks" },
		{ "Max pending signals", "signals" },
		{ "Max msgqueue size", "bytes" },
		{ "Max nice priority", NULL },
		{ "Max realtime priority", NULL },
		{ "Max realtime timeout", "us" },
	};

	sb_printf(sb, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		  "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		char v[2][24];

		for (int k = 0; k < 2; k++) {
			uint64_t x = k ? t->rlim[i].max : t->rlim[i].cur;

			if (x == RLIM_INFINITY)
				kstrlcpy(v[k], "unlimited", sizeof(v[k]));
			else
				ksnprintf(v[k], sizeof(v[k]), "%llu",
					  (unsigned long long)x);
		}
		sb_printf(sb, "%-25s %-20s %-20s ", lim[i].name, v[0], v[1]);
		if (lim[i].unit)
			sb_printf(sb, "%-10s", lim[i].unit);
		sb_write(sb, "\n", 1);
	}
}

/* ---- system-wide files ---- */

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	uint32_t a = leaf, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	r[0] = a;
	r[1] = b;
	r[2] = c;
	r[3] = d;
}

/* The CPU Ember shows: one processor (sched_getaffinity's view), named
 * by cpuid; flags for the cpuid leaf 1 bits. */
static void gen_cpuinfo(struct sbuf *sb)
{
	static const char *const edx_flags[32] = {
		"fpu", "vme",  "de",   "pse",	"tsc", "msr",	  "pae",
		"mce", "cx8",  "apic", NULL,	"sep", "mtrr",	  "pge",
		"mca", "cmov", "pat",  "pse36", NULL,  "clflush", NULL,
		"dts", "acpi", "mmx",  "fxsr",	"sse", "sse2",	  "ss",
		"ht",  "tm",   NULL,   "pbe",
	};
	static const char *const ecx_flags[32] = {
		"pni",	  "pclmulqdq",	NULL,	  "monitor", NULL,    NULL,
		NULL,	  NULL,		NULL,	  "ssse3",   NULL,    NULL,
		"fma",	  "cx16",	NULL,	  NULL,	     NULL,    "pcid",
		NULL,	  "sse4_1",	"sse4_2", "x2apic",  "movbe", "popcnt",
		NULL,	  "aes",	"xsave",  NULL,	     "avx",   "f16c",
		"rdrand", "hypervisor",
	};
	uint32_t r[4], vendor[4], brand[13];
	unsigned family, model, stepping, level;

	cpuid(0, r);
	level = r[0];
	vendor[0] = r[1];
	vendor[1] = r[3];
	vendor[2] = r[2];
	vendor[3] = 0;
	memset(brand, 0, sizeof(brand));
	cpuid(0x80000000, r);
	if (r[0] >= 0x80000004)
		for (uint32_t i = 0; i < 3; i++)
			cpuid(0x80000002 + i, &brand[i * 4]);
	cpuid(1, r);
	family = (r[0] >> 8) & 0xf;
	model = (r[0] >> 4) & 0xf;
	stepping = r[0] & 0xf;
	if (family == 0xf)
		family += (r[0] >> 20) & 0xff;
	if (family >= 6)
		model |= ((r[0] >> 16) & 0xf) << 4;
	const char *name = (const char *)brand;
	while (*name == ' ')
		name++;
	sb_printf(sb,
		  "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\n"
		  "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
		  "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\n"
		  "cpu cores\t: 1\napicid\t\t: 0\nfpu\t\t: yes\n"
		  "fpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n"
		  "flags\t\t:",
		  (const char *)vendor, family, model, *name ? name : "unknown",
		  stepping, level);
	for (int i = 0; i < 32; i++)
		if ((r[3] & (1u << i)) && edx_flags[i])
			sb_printf(sb, " %s", edx_flags[i]);
	for (int i = 0; i < 32; i++)
		if ((r[2] & (1u << i)) && ecx_flags[i])
			sb_printf(sb, " %s", ecx_flags[i]);
	sb_printf(sb,
		  "\nbogomips\t: 0.00\nclflush size\t: 64\n"
		  "cache_alignment\t: 64\naddress sizes\t: 48 bits physical, "
		  "48 bits virtual\npower management:\n\n");
}

/* Threads that are running or may run now, and all threads. */
static void count_threads(unsigned *running, unsigned *total)
{
	*running = *total = 0;
	for (struct task *t = task_next(1); t; t = task_next(t->pid + 1)) {
		struct thread *th;

		if (t->state != TASK_ALIVE)
			continue;
		list_for_each_entry(th, &t->threads, task_link) {
			(*total)++;
			if (th->state == THREAD_RUNNING ||
			    th->state == THREAD_RUNNABLE)
				(*running)++;
		}
	}
}

/*
 * Load averages as Linux's: exponentially decaying averages of the
 * runnable thread count with 1, 5 and 15 minute time constants, sampled
 * every 5 s. Ember has no periodic tick for it, so the samples that fell
 * due since the last read are applied at the next read, each with the
 * count seen now (less the reader): exact while the count does not
 * change between reads.
 * Fixed point with 11 fractional bits; the factors are exp(-5/60),
 * exp(-5/300), exp(-5/900) in that format.
 */
static void gen_loadavg(struct sbuf *sb)
{
	static const uint64_t fexp[3] = { 1884, 2014, 2037 };
	static uint64_t avg[3], next_ns;
	const uint64_t one = 1 << 11, period = 5 * NSEC_PER_SEC;
	uint64_t now = time_monotonic_ns();
	unsigned running, total, sampled;
	uint64_t created;
	int last;

	count_threads(&running, &total);
	proc_pid_counts(&last, &created);
	/* The reader itself is not load: Linux samples at its timer tick,
	 * when an idle system's reader is not running. */
	sampled = running;
	if (current && sampled &&
	    (current->state == THREAD_RUNNING ||
	     current->state == THREAD_RUNNABLE))
		sampled--;
	if (!next_ns)
		next_ns = time_boot_ns() + period;
	for (int n = 0; now >= next_ns && n < 1000; n++) {
		for (int i = 0; i < 3; i++)
			avg[i] = (avg[i] * fexp[i] +
				  (uint64_t)sampled * one * (one - fexp[i])) >>
				 11;
		next_ns += period;
	}
	if (now >= next_ns)
		next_ns = now + period;
	for (int i = 0; i < 3; i++) {
		uint64_t v = avg[i] + one / 200; /* round to 0.01 */

		sb_printf(sb, "%llu.%02llu ", (unsigned long long)(v >> 11),
			  (unsigned long long)(((v & (one - 1)) * 100) >> 11));
	}
	sb_printf(sb, "%u/%u %d\n", running, total, last);
}

static void gen_procstat(struct sbuf *sb)
{
	typedef unsigned long long ull;
	uint64_t now = time_monotonic_ns(), boot = time_boot_ns();
	uint64_t up = ns_to_ticks(now - boot), user = 0, sys = 0, ctxt = 0;
	uint64_t btime = (time_realtime_ns() - (now - boot)) / NSEC_PER_SEC;
	unsigned running, total;
	uint64_t created;
	int last;

	/* Every task's own time plus what it collected from children it
	 * reaped: each ended task counts once, in its reaper. */
	for (struct task *t = task_next(1); t; t = task_next(t->pid + 1)) {
		struct proc_usage u;

		task_usage(t, &u);
		user += u.utime_ns + t->cusage.utime_ns;
		sys += u.stime_ns + t->cusage.stime_ns;
		ctxt += u.nvcsw + u.nivcsw + t->cusage.nvcsw + t->cusage.nivcsw;
	}
	user = ns_to_ticks(user);
	sys = ns_to_ticks(sys);
	uint64_t idle = up > user + sys ? up - user - sys : 0;
	count_threads(&running, &total);
	proc_pid_counts(&last, &created);
	for (int i = 0; i < 2; i++)
		sb_printf(sb, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n",
			  i ? "cpu0" : "cpu ", (ull)user, (ull)sys, (ull)idle);
	sb_printf(sb,
		  "intr 0\nctxt %llu\nbtime %llu\nprocesses %llu\n"
		  "procs_running %u\nprocs_blocked 0\n"
		  "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
		  (ull)ctxt, (ull)btime, (ull)created, running);
}

static void gen_meminfo(struct sbuf *sb)
{
	uint64_t total = pmm_total_frames() * (PAGE_SIZE / 1024);
	uint64_t free = pmm_free_frames() * (PAGE_SIZE / 1024);
	struct kmalloc_stats ks;

	kmalloc_stats(&ks);
	sb_printf(sb,
		  "MemTotal:       %8llu kB\n"
		  "MemFree:        %8llu kB\n"
		  "MemAvailable:   %8llu kB\n",
		  (unsigned long long)total, (unsigned long long)free,
		  (unsigned long long)free);
	/* Linux's field set. Ember keeps no page cache, swap or per-kind
	 * page counts: those are 0; the kernel heap is its slab. */
	static const char *const zero[] = {
		"Buffers",   "Cached",	  "SwapCached", "Active",
		"Inactive",  "SwapTotal", "SwapFree",	"Dirty",
		"Writeback", "AnonPages", "Mapped",	"Shmem",
	};
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++) {
		char label[20];

		ksnprintf(label, sizeof(label), "%s:", zero[i]);
		sb_printf(sb, "%-15s %8d kB\n", label, 0);
	}
	uint64_t slab = ks.frames_used * (PAGE_SIZE / 1024);
	sb_printf(sb,
		  "Slab:           %8llu kB\n"
		  "SReclaimable:   %8d kB\n"
		  "SUnreclaim:     %8llu kB\n"
		  "PageTables:     %8d kB\n"
		  "CommitLimit:    %8llu kB\n"
		  "Committed_AS:   %8d kB\n"
		  /* Ember's own counts, after Linux's fields (free(1) and
		   * friends look names up and skip the rest). */
		  "EmberKmalloc:   %8llu kB\n",
		  (unsigned long long)slab, 0, (unsigned long long)slab, 0,
		  (unsigned long long)total, 0,
		  (unsigned long long)(ks.bytes_in_use / 1024));
}

static void gen_maps(struct sbuf *sb, struct task *t)
{
	struct vma *v;

	if (!t->mm)
		return;
	list_for_each_entry(v, &t->mm->vmas, link) {
		const char *name = v->name;
		size_t start = sb->len;
		int col;

		if (!name && (v->flags & VMA_HEAP))
			name = "[heap]";
		if (!name && (v->flags & VMA_STACK))
			name = "[stack]";
		/* Linux backs shared anonymous memory with an unlinked
		 * shmem file of this name. */
		if (!name && (v->flags & VMA_SHARED))
			name = "/dev/zero (deleted)";
		sb_printf(sb, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu",
			  (unsigned long long)v->start,
			  (unsigned long long)v->end,
			  (v->prot & VM_READ) ? 'r' : '-',
			  (v->prot & VM_WRITE) ? 'w' : '-',
			  (v->prot & VM_EXEC) ? 'x' : '-',
			  (v->flags & VMA_SHARED) ? 's' : 'p',
			  (unsigned long long)(v->name ? v->pgoff * PAGE_SIZE :
							 0),
			  uapi_major(v->dev), uapi_minor(v->dev),
			  (unsigned long long)v->ino);
		if (name) {
			/* Linux pads the name to column 73. */
			col = (int)(sb->len - start);
			sb_printf(sb, "%*s%s", col < 73 ? 73 - col : 1, "",
				  name);
		}
		sb_write(sb, "\n", 1);
	}
}

static int proc_generate(struct proc_node *n, struct sbuf *sb)
{
	struct task *t = NULL;

	if (n->pid) {
		t = node_task(n);
		if (!t)
			return -ESRCH;
	}
	switch (n->kind) {
	case P_MEMINFO:
		gen_meminfo(sb);
		break;
	case P_VERSION:
		sb_printf(sb, "Linux version 6.1.0-ember (ember@ember) "
			      "(Ember kernel) #1 SMP Ember\n");
		break;
	case P_FILESYSTEMS:
		sb_printf(sb, "nodev\ttmpfs\nnodev\tramfs\nnodev\tdevtmpfs\n"
			      "nodev\tproc\nnodev\tsysfs\nnodev\thostfs\n"
			      "\text2\n");
		break;
	case P_UPTIME:
		gen_uptime(sb);
		break;
	case P_CMDLINE:
		if (t->mm)
			gen_user_range(sb, t, t->mm->arg_start, t->mm->arg_end);
		break;
	case P_ENVIRON:
		if (t->mm)
			gen_user_range(sb, t, t->mm->env_start, t->mm->env_end);
		break;
	case P_COMM:
		sb_printf(sb, "%s\n", t->comm);
		break;
	case P_STAT:
		gen_stat(sb, t);
		break;
	case P_STATUS:
		gen_status(sb, t);
		break;
	case P_MOUNTS:
		gen_mounts(sb, t);
		break;
	case P_MAPS:
		gen_maps(sb, t);
		break;
	case P_STATM:
		gen_statm(sb, t);
		break;
	case P_LIMITS:
		gen_limits(sb, t);
		break;
	case P_FDINFO_FILE:
		gen_fdinfo(sb, t, n->fd);
		break;
	case P_CPUINFO:
		gen_cpuinfo(sb);
		break;
	case P_LOADAVG:
		gen_loadavg(sb);
		break;
	case P_PROCSTAT:
		gen_procstat(sb);
		break;
	case P_SYS_HOSTNAME:
		sb_printf(sb, "ember\n");
		break;
	case P_SYS_OSTYPE:
		sb_printf(sb, "Linux\n");
		break;
	case P_SYS_OSRELEASE:
		sb_printf(sb, "6.1.0-ember\n");
		break;
	case P_SYS_PIDMAX:
		sb_printf(sb, "32768\n");
		break;
	case P_NET_FILE: {
		size_t len;
		char *text = procnet_generate(n->fd, &len);

		if (!text)
			return -ENOMEM;
		sb_write(sb, text, len);
		kfree(text);
		break;
	}
	default:
		return -EINVAL;
	}
	return sb->oom ? -ENOMEM : 0;
}

static int proc_file_open(struct inode *ino, struct file *f)
{
	struct sbuf *sb = kzalloc(sizeof(*sb));
	int err;

	if (!sb)
		return -ENOMEM;
	err = proc_generate(node_of(ino), sb);
	if (err < 0) {
		kfree(sb->data);
		kfree(sb);
		return err;
	}
	f->ops = &proc_file_fops;
	f->priv = sb;
	return 0;
}

static long proc_file_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct sbuf *sb = f->priv;
	size_t n;

	if (*pos >= sb->len)
		return 0;
	n = (size_t)MIN((uint64_t)len, sb->len - *pos);
	memcpy(buf, sb->data + *pos, n);
	*pos += n;
	return (long)n;
}

static void proc_file_release(struct file *f)
{
	struct sbuf *sb = f->priv;

	if (sb) {
		kfree(sb->data);
		kfree(sb);
	}
}

/* ---- directories ---- */

static long proc_readdir(struct file *f, void *buf, size_t len)
{
	struct proc_node *n = node_of(f->inode);
	const struct proc_entry *tab = NULL;
	size_t ntab = 0, used = 0;
	uint64_t pos = f->pos;
	struct task *t = NULL;
	char name[16];
	bool full = false;

	tab = dir_table(n->kind, &ntab);
	if (n->pid) {
		t = node_task(n);
		if (!t)
			return -ENOENT;
	}
	if (pos == 0) {
		if (!dirent_emit(buf, len, &used, f->inode->ino, 1, DT_DIR,
				 "."))
			return -EINVAL;
		pos = 1;
	}
	if (pos == 1) {
		if (!dirent_emit(buf, len, &used,
				 f->path.dentry->parent->inode->ino, 2, DT_DIR,
				 ".."))
			goto out;
		pos = 2;
	}
	for (; pos - ENTRY_POS < ntab; pos++) {
		const struct proc_entry *e = &tab[pos - ENTRY_POS];

		if (!dirent_emit(buf, len, &used, proc_ino(n->pid, e->kind, 0),
				 (int64_t)pos + 1, DT_FROM_MODE(e->mode),
				 e->name)) {
			full = true;
			goto out;
		}
	}
	if (n->kind == P_ROOT) {
		if (pos < PID_POS)
			pos = PID_POS;
		for (struct task *p = task_next((int)(pos - PID_POS)); p;
		     p = task_next(p->pid + 1)) {
			ksnprintf(name, sizeof(name), "%d", p->pid);
			if (!dirent_emit(buf, len, &used,
					 proc_ino(p->pid, P_PID_DIR, 0),
					 PID_POS + p->pid + 1, DT_DIR, name)) {
				full = true;
				break;
			}
			pos = PID_POS + (uint64_t)p->pid + 1;
		}
	} else if ((n->kind == P_FD_DIR || n->kind == P_FDINFO_DIR) && t) {
		bool info = n->kind == P_FDINFO_DIR;

		for (int fd = files_next_fd(t->files, (int)(pos - ENTRY_POS));
		     fd >= 0; fd = files_next_fd(t->files, fd + 1)) {
			ksnprintf(name, sizeof(name), "%d", fd);
			if (!dirent_emit(buf, len, &used,
					 proc_ino(n->pid, info ? P_FDINFO_FILE :
								 P_FD_LINK,
						  fd),
					 ENTRY_POS + fd + 1,
					 info ? DT_REG : DT_LNK, name)) {
				full = true;
				break;
			}
			pos = ENTRY_POS + (uint64_t)fd + 1;
		}
	} else if (n->kind == P_NET_DIR) {
		for (const char *nm;
		     (nm = procnet_name((int)(pos - ENTRY_POS))); pos++) {
			if (!dirent_emit(buf, len, &used,
					 proc_ino(0, P_NET_FILE,
						  (int)(pos - ENTRY_POS)),
					 (int64_t)pos + 1, DT_REG, nm)) {
				full = true;
				break;
			}
		}
	}
out:
	f->pos = pos;
	if (full && used == 0)
		return -EINVAL;
	return (long)used;
}

static const struct file_ops proc_dir_fops = {
	.readdir = proc_readdir,
};

static const struct file_ops proc_file_fops = {
	.read = proc_file_read,
	.release = proc_file_release,
};

static const struct inode_ops proc_dir_iops = {
	.lookup = proc_lookup,
	.revalidate = proc_revalidate,
	.evict = proc_evict,
};

static const struct inode_ops proc_link_iops = {
	.readlink = proc_readlink,
	.evict = proc_evict,
};

static const struct inode_ops proc_magic_iops = {
	.readlink = proc_readlink,
	.follow_link = proc_follow_link,
	.evict = proc_evict,
};

static const struct inode_ops proc_file_iops = {
	.open = proc_file_open,
	.evict = proc_evict,
};

struct dentry *procfs_mount(const char *source, unsigned long flags,
			    const void *data)
{
	struct super_block *sb = sb_alloc("proc", PROC_SUPER_MAGIC);
	struct inode *root;
	struct dentry *d;

	if (!sb)
		return ERR_PTR(-ENOMEM);
	root = proc_inode(sb, P_ROOT, S_IFDIR | 0555, NULL, 0);
	if (!root) {
		kfree(sb);
		return ERR_PTR(-ENOMEM);
	}
	root->ino = 1;
	d = dentry_alloc_root(root);
	if (!d) {
		inode_put(root);
		kfree(sb);
		return ERR_PTR(-ENOMEM);
	}
	return d;
}
