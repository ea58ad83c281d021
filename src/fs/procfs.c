/*
 * procfs.c: /proc, synthesized from kernel state on every lookup. Each
 * inode names (kind, pid, fd); nothing is stored. Text files are generated
 * at open into a kmalloc buffer that reads then copy from, so one open sees
 * one consistent snapshot. /proc/PID/{cwd,root,fd/N} are "magic" links
 * that the walk follows to the referenced path itself.
 * Layer: filesystem; relies on the task list, fd tables, mm (vm_read) and
 * pmm counters.
 */
#include <kern/pmm.h>
#include <kern/timer.h>
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
};

static const struct proc_entry pid_entries[] = {
	{ "exe", P_EXE, S_IFLNK | 0777 },
	{ "cwd", P_CWD, S_IFLNK | 0777 },
	{ "root", P_ROOTLINK, S_IFLNK | 0777 },
	{ "fd", P_FD_DIR, S_IFDIR | 0500 },
	{ "cmdline", P_CMDLINE, S_IFREG | 0444 },
	{ "environ", P_ENVIRON, S_IFREG | 0400 },
	{ "comm", P_COMM, S_IFREG | 0444 },
	{ "stat", P_STAT, S_IFREG | 0444 },
	{ "status", P_STATUS, S_IFREG | 0444 },
	{ "mounts", P_MOUNTS, S_IFREG | 0444 },
	{ "maps", P_MAPS, S_IFREG | 0444 },
};

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

	if (dn->kind == P_ROOT) {
		tab = root_entries;
		ntab = ARRAY_SIZE(root_entries);
	} else {
		t = node_task(dn);
		if (!t)
			return -ENOENT;
		if (dn->kind == P_PID_DIR) {
			tab = pid_entries;
			ntab = ARRAY_SIZE(pid_entries);
		}
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
	} else if (dn->kind == P_FD_DIR) {
		struct file *f = files_lookup(t->files, num);

		if (!f)
			return -ENOENT;
		file_put(f);
		ino = proc_inode(dir->sb, P_FD_LINK, S_IFLNK | 0700, t, num);
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
	if (n->kind == P_FD_LINK) {
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

static void gen_meminfo(struct sbuf *sb)
{
	uint64_t total = pmm_total_frames() * (PAGE_SIZE / 1024);
	uint64_t free = pmm_free_frames() * (PAGE_SIZE / 1024);

	sb_printf(sb,
		  "MemTotal:       %8llu kB\n"
		  "MemFree:        %8llu kB\n"
		  "MemAvailable:   %8llu kB\n",
		  (unsigned long long)total, (unsigned long long)free,
		  (unsigned long long)free);
	static const char *const zero[] = {
		"Buffers",     "Cached",       "SwapCached", "Active",
		"Inactive",    "SwapTotal",    "SwapFree",   "Dirty",
		"Writeback",   "AnonPages",    "Mapped",     "Shmem",
		"Slab",	       "SReclaimable", "SUnreclaim", "PageTables",
		"CommitLimit", "Committed_AS",
	};
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++) {
		char label[20];

		ksnprintf(label, sizeof(label), "%s:", zero[i]);
		sb_printf(sb, "%-15s %8d kB\n", label, 0);
	}
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
	list_for_each_entry(th, &t->threads, task_link)
		if (th->state == THREAD_RUNNING || th->state == THREAD_RUNNABLE)
			return 'R';
	return 'S';
}

static const char *state_name(char c)
{
	return c == 'R' ? "running" : c == 'Z' ? "zombie" : "sleeping";
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

static void gen_stat(struct sbuf *sb, struct task *t)
{
	typedef unsigned long long ull;
	uint64_t ign, cgt;
	uint64_t start = (t->start_ns - time_boot_ns()) / (NSEC_PER_SEC / 100);
	struct mm *mm = t->mm;

	sig_masks(t, &ign, &cgt);
	/* Fields 1-9: pid comm state ppid pgrp session tty tpgid flags. */
	sb_printf(sb, "%d (%s) %c %d %d %d 0 -1 4194560 ", t->pid, t->comm,
		  task_state_char(t), t->parent ? t->parent->pid : 0, t->pgid,
		  t->sid);
	/* 10-21: faults, times, priority 20, nice 0, threads, itrealvalue. */
	sb_printf(sb, "0 0 0 0 0 0 0 0 20 0 %d 0 ", t->nthreads);
	/* 22-25: starttime (ticks), vsize, rss, rsslim. */
	sb_printf(sb, "%llu %llu %llu 18446744073709551615 ", (ull)start,
		  (ull)vm_size(t), (ull)(mm ? mm->rss_pages : 0));
	/* 26-30: startcode endcode startstack kstkesp kstkeip. */
	sb_printf(sb, "0 0 %llu 0 0 ", (ull)(mm ? mm->stack_top : 0));
	/* 31-38: signal blocked sigignore sigcatch wchan nswap cnswap
	 * exit_signal. */
	sb_printf(sb, "%llu 0 %llu %llu 0 0 0 17 ", (ull)t->sig_pending,
		  (ull)ign, (ull)cgt);
	/* 39-46: processor rt_priority policy blkio guest cguest data. */
	sb_printf(sb, "0 0 0 0 0 0 0 0 ");
	/* 47-52: start_brk arg_start arg_end env_start env_end exit_code. */
	sb_printf(sb, "%llu %llu %llu %llu %llu 0\n",
		  (ull)(mm ? mm->brk_start : 0), (ull)(mm ? mm->arg_start : 0),
		  (ull)(mm ? mm->arg_end : 0), (ull)(mm ? mm->env_start : 0),
		  (ull)(mm ? mm->env_end : 0));
}

static void gen_status(struct sbuf *sb, struct task *t)
{
	char st = task_state_char(t);
	struct creds *c = &t->cred;
	uint64_t ign, cgt, blk = 0;
	struct thread *th;
	int fdsize = 0;

	sig_masks(t, &ign, &cgt);
	if (!list_empty(&t->threads)) {
		th = list_first_entry(&t->threads, struct thread, task_link);
		blk = th->sigmask;
	}
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
		  "SigQ:\t0/%llu\nSigPnd:\t%016llx\nShdPnd:\t%016llx\n"
		  "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		  (unsigned long long)(vm_size(t) / 1024),
		  (unsigned long long)(t->mm ? t->mm->rss_pages * 4 : 0),
		  t->nthreads,
		  (unsigned long long)t->rlim[RLIMIT_SIGPENDING].cur, 0ULL,
		  (unsigned long long)t->sig_pending, (unsigned long long)blk,
		  (unsigned long long)ign, (unsigned long long)cgt);
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
		sb_printf(sb, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu",
			  (unsigned long long)v->start,
			  (unsigned long long)v->end,
			  (v->prot & VM_READ) ? 'r' : '-',
			  (v->prot & VM_WRITE) ? 'w' : '-',
			  (v->prot & VM_EXEC) ? 'x' : '-',
			  (v->flags & VMA_SHARED) ? 's' : 'p',
			  (unsigned long long)(v->pgoff * PAGE_SIZE),
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
			      "nodev\tproc\nnodev\tsysfs\nnodev\thostfs\n");
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

	if (n->kind == P_ROOT) {
		tab = root_entries;
		ntab = ARRAY_SIZE(root_entries);
	} else {
		t = node_task(n);
		if (!t)
			return -ENOENT;
		if (n->kind == P_PID_DIR) {
			tab = pid_entries;
			ntab = ARRAY_SIZE(pid_entries);
		}
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
	} else if (n->kind == P_FD_DIR) {
		for (int fd = files_next_fd(t->files, (int)(pos - ENTRY_POS));
		     fd >= 0; fd = files_next_fd(t->files, fd + 1)) {
			ksnprintf(name, sizeof(name), "%d", fd);
			if (!dirent_emit(buf, len, &used,
					 proc_ino(n->pid, P_FD_LINK, fd),
					 ENTRY_POS + fd + 1, DT_LNK, name)) {
				full = true;
				break;
			}
			pos = ENTRY_POS + (uint64_t)fd + 1;
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
