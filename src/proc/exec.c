/*
 * exec.c: execve: loads a static ELF (or a #! script's interpreter) into
 * a new address space and replaces the calling task's image with it
 * (layer: proc; relies on elf_parse, the VFS to open and read the file,
 * the vm to build the mm, and the HAL for the new thread). Everything
 * that can fail is done on the new mm first, so a failed execve leaves
 * the caller untouched.
 */
#include <kern/elf.h>
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/auxv.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/resource.h>
#include <uapi/stat.h>

#include "proc_internal.h"

/* The initial stack: a VMA of RLIMIT_STACK (8 MiB by default; at least
 * 128 KiB, at most 1 GiB when unlimited) whose top 128 KiB are populated
 * at once; its top leaves a small gap below the end of the user range.
 * mmap allocations start 128 MiB below the stack's reach. */
#define STACK_MIN (128ULL << 10)
#define STACK_MAX (1ULL << 30)
#define STACK_POPULATE (128ULL << 10)
#define STACK_TOP (HAL_USER_VA_END - (64ULL << 10))
#define MMAP_GAP (128ULL << 20)
/* Arguments and environment: at most a quarter of RLIMIT_STACK, never
 * less than Linux's ARG_MAX and never more than 2 MiB. */
#define ARGS_MIN (128ULL << 10)
#define ARGS_MAX (2ULL << 20)
/* #! lines are read from the first 256 bytes; interpreters nest 4 deep. */
#define SCRIPT_BUF 256
#define MAX_INTERP_DEPTH 4
/* Headers beyond this are not worth reading: elf_parse rejects them. */
#define HDR_READ_MAX (64ULL << 10)

#define USER_CS 0x33
#define USER_SS 0x2b
#define USER_RFLAGS 0x202 /* IF and the always-one bit */

static const char *exec_reason;

uint64_t proc_stack_size(const struct task *task)
{
	uint64_t lim = task->rlim[RLIMIT_STACK].cur;

	return PAGE_UP(MAX(STACK_MIN, MIN(lim, STACK_MAX)));
}

void proc_set_as_limit(const struct task *task, struct mm *mm)
{
	uint64_t lim = task->rlim[RLIMIT_AS].cur;

	if (mm)
		mm->as_limit = lim == RLIM_INFINITY ? 0 : MAX(lim, 1);
}

const char *proc_exec_reason(void)
{
	return exec_reason;
}

static int noexec(const char *why)
{
	exec_reason = why;
	return -ENOEXEC;
}

/* ---- argument vectors ---- */

struct strv_size {
	int count;
	uint64_t bytes; /* strings with their NULs */
};

static struct strv_size strv_measure(char *const v[])
{
	struct strv_size s = { 0, 0 };

	for (; v && v[s.count]; s.count++)
		s.bytes += strlen(v[s.count]) + 1;
	return s;
}

static uint64_t args_limit(struct task *task)
{
	uint64_t lim = task->rlim[RLIMIT_STACK].cur / 4;

	return MAX(MIN(lim, ARGS_MAX), ARGS_MIN);
}

/* ---- reading the file ---- */

/* Reads exactly len bytes at off, or fails with -EIO on a short file. */
static int read_full(struct file *f, void *buf, size_t len, uint64_t off)
{
	while (len) {
		long n = vfs_pread(f, buf, len, off);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EIO;
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Opens path for exec: a regular file with execute permission. The type
 * is checked before the open, so a FIFO or a device is never opened (an
 * open could block or have effects).
 */
static struct file *open_exec(int dirfd, const char *path, unsigned lookup,
			      struct kstat *st)
{
	struct file *f;
	struct path p;
	int err;

	err = vfs_walk(dirfd, path, lookup, &p);
	if (err)
		return ERR_PTR(err);
	err = vfs_getattr(p.dentry->inode, st);
	/* execveat's AT_SYMLINK_NOFOLLOW found a link. */
	if (!err && S_ISLNK(st->mode))
		err = -ELOOP;
	if (!err && !S_ISREG(st->mode))
		err = -EACCES;
	if (!err)
		err = vfs_permission(p.dentry->inode, MAY_EXEC);
	f = err ? ERR_PTR(err) : vfs_open_path(&p, O_RDONLY | O_LARGEFILE);
	path_put(&p);
	return f;
}

/*
 * Reads the ELF header and program headers into *hdr (kmalloc'ed) and
 * parses them. The first read takes a page; headers placed further into
 * the file are read again in full.
 */
static int read_headers(struct file *f, uint64_t size, char **hdr, size_t *len,
			struct elf_info *info)
{
	size_t n = (size_t)MIN(size, PAGE_SIZE);
	const char *why;
	int err;

	*hdr = kmalloc(n ? n : 1);
	if (!*hdr)
		return -ENOMEM;
	err = read_full(f, *hdr, n, 0);
	if (err)
		return err;
	*len = n;
	if (n >= sizeof(struct elf64_ehdr)) {
		struct elf64_ehdr eh;
		uint64_t end;

		memcpy(&eh, *hdr, sizeof(eh));
		end = eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize;
		if (end > n && end <= size && end <= HDR_READ_MAX &&
		    end >= eh.e_phoff) {
			kfree(*hdr);
			*len = 0;
			*hdr = kmalloc(end);
			if (!*hdr)
				return -ENOMEM;
			err = read_full(f, *hdr, (size_t)end, 0);
			if (err)
				return err;
			*len = (size_t)end;
		}
	}
	err = elf_parse(*hdr, *len, size, info, &why);
	if (err)
		return noexec(why);
	return 0;
}

/* The program interpreter (PT_INTERP, the dynamic linker) of an image. */
struct interp_img {
	struct file *f;
	struct kstat st;
	struct elf_info info;
	char *path;
};

static void interp_release(struct interp_img *ip)
{
	if (ip->f)
		file_put(ip->f);
	kfree(ip->path);
}

/*
 * Opens the interpreter a dynamic executable f names and parses its
 * headers. Its path is an ordinary absolute or relative one, resolved
 * from the caller's cwd and root as on Linux. A missing file is -ENOENT;
 * one that is not a loadable ELF (or wants an interpreter itself) is
 * -ELIBBAD.
 */
static int open_interp(struct file *f, const struct elf_info *info,
		       struct interp_img *ip)
{
	size_t n = (size_t)info->interp_len;
	char *hdr = NULL;
	size_t len = 0;
	int err;

	ip->path = kmalloc(n);
	if (!ip->path)
		return -ENOMEM;
	err = read_full(f, ip->path, n, info->interp_off);
	if (err)
		return err;
	if (ip->path[n - 1] != '\0' || strlen(ip->path) != n - 1)
		return noexec("PT_INTERP is not one NUL-terminated path");
	ip->f = open_exec(AT_FDCWD, ip->path, LOOKUP_FOLLOW, &ip->st);
	if (IS_ERR(ip->f)) {
		err = (int)PTR_ERR(ip->f);
		ip->f = NULL;
		return err;
	}
	err = read_headers(ip->f, ip->st.size, &hdr, &len, &ip->info);
	kfree(hdr);
	if (err == -ENOEXEC || (!err && ip->info.has_interp)) {
		exec_reason = "the program interpreter is not a loadable ELF";
		return -ELIBBAD;
	}
	return err;
}

/* ---- the new address space ---- */

static void vma_set_file(struct mm *mm, uaddr_t start, uint64_t off,
			 const struct kstat *st)
{
	struct vma *vma = vm_find_vma(mm, start);

	if (vma) {
		vma->pgoff = off >> PAGE_SHIFT;
		vma->dev = st->dev;
		vma->ino = st->ino;
	}
}

/*
 * Maps every PT_LOAD at bias and fills it from the file; bss and the tail
 * of the last file page stay zero (frames come zeroed). Two segments may
 * share a page: it gets both protections.
 */
static int load_segments(struct mm *mm, struct file *f,
			 const struct elf_info *info, uint64_t bias,
			 const char *name, const struct kstat *st)
{
	uaddr_t prev_end = 0;
	unsigned prev_prot = 0;
	char *buf;
	int err = 0;

	for (int i = 0; i < info->nsegs; i++) {
		const struct elf_seg *s = &info->segs[i];
		uaddr_t start = PAGE_DOWN(s->vaddr) + bias;
		uaddr_t end = PAGE_UP(s->vaddr + s->memsz) + bias;
		unsigned last_prot = s->prot;

		if (start < prev_end) {
			unsigned both = prev_prot | s->prot;

			if (both != prev_prot) {
				err = vm_protect(mm, start, PAGE_SIZE, both);
				if (err)
					return err;
			}
			start += PAGE_SIZE;
			if (start >= end)
				last_prot = both;
		}
		if (start < end) {
			err = vm_map(mm, start, end - start, s->prot, 0, name);
			if (err)
				return err;
			vma_set_file(
				mm, start,
				PAGE_DOWN(s->offset) +
					(start - bias - PAGE_DOWN(s->vaddr)),
				st);
		}
		prev_end = MAX(prev_end, end);
		prev_prot = last_prot;
	}

	buf = kmalloc(PAGE_SIZE * 16);
	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < info->nsegs && !err; i++) {
		const struct elf_seg *s = &info->segs[i];

		for (uint64_t done = 0; done < s->filesz && !err;) {
			size_t n =
				(size_t)MIN(s->filesz - done, PAGE_SIZE * 16);

			err = read_full(f, buf, n, s->offset + done);
			if (!err)
				err = vm_write(mm, s->vaddr + bias + done, buf,
					       n, true);
			done += n;
		}
	}
	kfree(buf);
	return err;
}

/* Sequential writes into user memory through a page-sized buffer. */
struct ustream {
	struct mm *mm;
	uaddr_t dst;
	char *buf;
	size_t n;
	int err;
};

static void us_flush(struct ustream *s)
{
	if (s->n && !s->err)
		s->err = vm_write(s->mm, s->dst, s->buf, s->n, false);
	s->dst += s->n;
	s->n = 0;
}

static void us_put(struct ustream *s, const void *p, size_t len)
{
	while (len) {
		size_t k = MIN(len, PAGE_SIZE - s->n);

		memcpy(s->buf + s->n, p, k);
		s->n += k;
		p = (const char *)p + k;
		len -= k;
		if (s->n == PAGE_SIZE)
			us_flush(s);
	}
}

static void us_word(struct ustream *s, uint64_t w)
{
	us_put(s, &w, sizeof(w));
}

static uint32_t cpu_hwcap(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

struct exec_args {
	char *const *argv, *const *envp;
	struct strv_size a, e;
	const char *execfn; /* the path given to execve */
	int dirfd;	    /* where a relative path starts (execveat) */
	unsigned lookup;    /* LOOKUP_* of the walk to the file */
};

/*
 * Builds the x86_64 process entry stack (the psABI's layout), from the
 * top: 8 zero bytes, the execfn string, the environment strings, the
 * argument strings, "x86_64", 16 random bytes, then 16-aligned: argc,
 * argv[], NULL, envp[], NULL, the auxiliary vector. Returns the entry rsp
 * (rsp % 16 == 0, argc at [rsp]) or 0 with *err set.
 */
static uaddr_t setup_stack(struct mm *mm, const struct exec_args *x,
			   const struct elf_info *info, uint64_t bias,
			   uint64_t at_base, const struct creds *cred, int *err)
{
	static const char platform[] = "x86_64";
	size_t fnlen = strlen(x->execfn) + 1;
	uaddr_t execfn_at = STACK_TOP - 8 - fnlen;
	uaddr_t env_at = execfn_at - x->e.bytes;
	uaddr_t arg_at = env_at - x->a.bytes;
	uaddr_t platform_at = arg_at - sizeof(platform);
	uaddr_t random_at = ALIGN_DOWN(platform_at, 16) - 16;
	uint64_t auxv[][2] = {
		{ AT_HWCAP, cpu_hwcap() },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_CLKTCK, 100 },
		{ AT_PHDR, info->phdr_vaddr ? info->phdr_vaddr + bias : 0 },
		{ AT_PHENT, info->phentsize },
		{ AT_PHNUM, info->phnum },
		{ AT_BASE, at_base },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, info->entry + bias },
		{ AT_UID, cred->uid },
		{ AT_EUID, cred->euid },
		{ AT_GID, cred->gid },
		{ AT_EGID, cred->egid },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, random_at },
		{ AT_HWCAP2, 0 },
		{ AT_EXECFN, execfn_at },
		{ AT_PLATFORM, platform_at },
		{ AT_NULL, 0 },
	};
	uint64_t nwords = 1 + (uint64_t)x->a.count + 1 + (uint64_t)x->e.count +
			  1 + 2 * ARRAY_SIZE(auxv);
	uaddr_t sp = ALIGN_DOWN(random_at - nwords * 8, 16);
	unsigned char rnd[16];
	struct ustream s = { .mm = mm };
	uaddr_t p;

	s.buf = kmalloc(PAGE_SIZE);
	if (!s.buf) {
		*err = -ENOMEM;
		return 0;
	}
	/* The vector, from sp up. */
	s.dst = sp;
	us_word(&s, (uint64_t)x->a.count);
	p = arg_at;
	for (int i = 0; i < x->a.count; i++) {
		us_word(&s, p);
		p += strlen(x->argv[i]) + 1;
	}
	us_word(&s, 0);
	for (int i = 0; i < x->e.count; i++) {
		us_word(&s, p);
		p += strlen(x->envp[i]) + 1;
	}
	us_word(&s, 0);
	us_put(&s, auxv, sizeof(auxv));
	us_flush(&s);

	/* The strings, from random_at up. */
	hal_entropy(rnd, sizeof(rnd));
	s.dst = random_at;
	us_put(&s, rnd, sizeof(rnd));
	us_flush(&s);
	s.dst = platform_at;
	us_put(&s, platform, sizeof(platform));
	for (int i = 0; i < x->a.count; i++)
		us_put(&s, x->argv[i], strlen(x->argv[i]) + 1);
	for (int i = 0; i < x->e.count; i++)
		us_put(&s, x->envp[i], strlen(x->envp[i]) + 1);
	us_put(&s, x->execfn, fnlen);
	us_word(&s, 0);
	us_flush(&s);
	kfree(s.buf);

	if (s.err) {
		*err = s.err;
		return 0;
	}
	mm->stack_top = STACK_TOP;
	mm->arg_start = arg_at;
	mm->arg_end = env_at;
	mm->env_start = env_at;
	mm->env_end = execfn_at;
	return sp;
}

static struct mm *build_mm(struct file *f, const struct kstat *st,
			   const struct elf_info *info, const char *name,
			   const struct interp_img *ip, const struct exec_args *x,
			   const struct task *task, uaddr_t *entry, uaddr_t *sp)
{
	uint64_t bias = info->is_dyn ? ELF_DYN_BASE - info->lo : 0;
	uint64_t ibias = 0;
	unsigned sprot = VM_READ | VM_WRITE | (info->exec_stack ? VM_EXEC : 0);
	struct mm *mm = mm_create();
	uint64_t stack_size = proc_stack_size(task);
	int err;

	if (!mm)
		return ERR_PTR(-ENOMEM);
	proc_set_as_limit(task, mm);
	err = load_segments(mm, f, info, bias, name, st);
	if (err)
		goto err_mm;
	err = vm_map(mm, STACK_TOP - stack_size, stack_size, sprot,
		     VMA_STACK | VMA_GROWSDOWN, "[stack]");
	if (!err)
		err = vm_populate(mm, STACK_TOP - STACK_POPULATE,
				  STACK_POPULATE);
	if (err)
		goto err_mm;
	mm->mmap_base = STACK_TOP - stack_size - MMAP_GAP;
	*entry = info->entry + bias;
	if (ip) {
		/* The interpreter goes at the top of the mmap area, as Linux
		 * places ld.so; the program starts in it, and AT_BASE tells
		 * it where it is. */
		uaddr_t base = PAGE_DOWN(mm->mmap_base -
					 (ip->info.hi - ip->info.lo));

		ibias = ip->info.is_dyn ? base - ip->info.lo : 0;
		err = load_segments(mm, ip->f, &ip->info, ibias, ip->path,
				    &ip->st);
		if (err)
			goto err_mm;
		if (ip->info.is_dyn)
			mm->mmap_base = base;
		*entry = ip->info.entry + ibias;
	}
	*sp = setup_stack(mm, x, info, bias, ibias, &task->cred, &err);
	if (!*sp)
		goto err_mm;
	mm->brk_start = mm->brk = info->hi + bias;
	return mm;

err_mm:
	mm_put(mm);
	return ERR_PTR(err);
}

/* ---- replacing the image ---- */

static void reset_registers(struct hal_uctx *u, uaddr_t entry, uaddr_t sp)
{
	memset(u, 0, offsetof(struct hal_uctx, fpu));
	u->rip = entry;
	u->rsp = sp;
	u->cs = USER_CS;
	u->ss = USER_SS;
	u->rflags = USER_RFLAGS;
	/* The HAL gives the thread a fresh FPU state. */
	u->fpu_valid = false;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The point of no return: nothing below can fail. */
static void commit_exec(struct thread *t, struct mm *mm, struct hal_thread *ht,
			char *exe_path, const char *execfn, uaddr_t entry,
			uaddr_t sp)
{
	struct task *task = t->task;
	struct mm *old = task->mm;

	task_kill_other_threads(task, t);
	/* The old image's robust futexes and tid word, as at an exit. */
	if (old)
		futex_thread_exit(t);
	t->tid = task->pid;
	if (t->ht)
		hal_thread_destroy(t->ht);
	t->ht = ht;
	task->mm = mm;
	if (old)
		mm_put(old);
	reset_registers(&t->uctx, entry, sp);

	if (task->files)
		files_close_on_exec(task->files);
	kfree(task->exe_path);
	task->exe_path = exe_path;
	kstrlcpy(task->comm, basename_of(execfn), TASK_COMM_LEN);
	signal_reset_on_exec(task);
	t->altstack_sp = 0;
	t->altstack_size = 0;
	t->altstack_flags = 0;
	t->robust_list = 0;
	t->robust_len = 0;
	t->clear_child_tid = 0;
	t->restore_sigmask = false;
	task->did_exec = true;
	task->keepcaps = false;
	task->dumpable = 1;
	itimer_exec(task);
	/* A vfork parent gets its memory back now. */
	proc_vfork_done(task);
}

static char *exe_path_of(struct file *f, const char *path)
{
	char *buf = kmalloc(PATH_MAX);

	if (!buf)
		return NULL;
	if (vfs_path_name(&f->path, buf, PATH_MAX) < 0)
		kstrlcpy(buf, path, PATH_MAX);
	return buf;
}

static int exec_file(struct thread *t, const char *path,
		     const struct exec_args *x, int depth);

/*
 * A "#!interpreter [arg]" script: runs the interpreter with argv
 * interpreter, [arg], the script's path, then the original argv[1..].
 */
static int exec_script(struct thread *t, const char *path, const char *hdr,
		       size_t len, const struct exec_args *x, int depth)
{
	char line[SCRIPT_BUF];
	char *interp, *arg = NULL, *end;
	char **argv;
	struct exec_args sx = *x;
	int n = 0, err;

	len = MIN(len, SCRIPT_BUF - 1);
	memcpy(line, hdr, len);
	line[len] = '\0';
	end = memchr(line, '\n', len);
	if (end)
		*end = '\0';
	else if (len == SCRIPT_BUF - 1)
		return noexec("#! line too long");
	for (end = line + strlen(line);
	     end > line + 2 && (end[-1] == ' ' || end[-1] == '\t'); end--)
		end[-1] = '\0';
	interp = line + 2;
	while (*interp == ' ' || *interp == '\t')
		interp++;
	if (!*interp)
		return noexec("#! line names no interpreter");
	for (end = interp; *end && *end != ' ' && *end != '\t'; end++)
		;
	if (*end) {
		*end++ = '\0';
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end)
			arg = end;
	}

	/* interp, arg, path, argv[1..], NULL: count + 4 covers argc == 0. */
	argv = kmalloc(sizeof(*argv) * (size_t)(x->a.count + 4));
	if (!argv)
		return -ENOMEM;
	argv[n++] = interp;
	if (arg)
		argv[n++] = arg;
	argv[n++] = (char *)path;
	for (int i = 1; i < x->a.count; i++)
		argv[n++] = x->argv[i];
	argv[n] = NULL;
	sx.argv = argv;
	sx.a = strv_measure(argv);
	/* The interpreter is an ordinary path, whatever named the script. */
	sx.dirfd = AT_FDCWD;
	sx.lookup = LOOKUP_FOLLOW;
	err = exec_file(t, interp, &sx, depth + 1);
	kfree(argv);
	return err;
}

static int exec_file(struct thread *t, const char *path,
		     const struct exec_args *x, int depth)
{
	struct elf_info *info = NULL;
	struct interp_img *ip = NULL;
	struct hal_thread *ht;
	struct kstat st;
	struct file *f;
	struct mm *mm;
	char *hdr = NULL, *exe_path;
	size_t hdr_len = 0;
	uaddr_t entry = 0, sp = 0;
	int err;

	if (depth > MAX_INTERP_DEPTH)
		return -ELOOP;
	if (x->a.bytes + x->e.bytes +
		    8 * ((uint64_t)x->a.count + (uint64_t)x->e.count) >
	    args_limit(t->task))
		return -E2BIG;
	f = open_exec(x->dirfd, path, x->lookup, &st);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	info = kmalloc(sizeof(*info));
	if (!info) {
		err = -ENOMEM;
		goto out_file;
	}
	err = read_headers(f, st.size, &hdr, &hdr_len, info);
	if (err == -ENOEXEC && hdr_len >= 2 && hdr[0] == '#' && hdr[1] == '!') {
		/* The interpreter opens the script by the name it gets. */
		const char *name = x->dirfd != AT_FDCWD && path[0] != '/' ?
					   x->execfn :
					   path;

		err = exec_script(t, name, hdr, hdr_len, x, depth);
		goto out_file;
	}
	if (err)
		goto out_file;

	if (info->has_interp) {
		ip = kzalloc(sizeof(*ip));
		if (!ip) {
			err = -ENOMEM;
			goto out_file;
		}
		err = open_interp(f, info, ip);
		if (err)
			goto out_file;
	}
	exe_path = exe_path_of(f, path);
	if (!exe_path) {
		err = -ENOMEM;
		goto out_file;
	}
	mm = build_mm(f, &st, info, exe_path, ip, x, t->task, &entry, &sp);
	if (IS_ERR(mm)) {
		err = (int)PTR_ERR(mm);
		goto err_path;
	}
	ht = hal_thread_create(mm->as, &t->uctx);
	if (!ht) {
		err = -ENOMEM;
		goto err_mm;
	}
	commit_exec(t, mm, ht, exe_path, x->execfn, entry, sp);
	err = 0;
	goto out_file;

err_mm:
	mm_put(mm);
err_path:
	kfree(exe_path);
out_file:
	if (ip)
		interp_release(ip);
	kfree(ip);
	kfree(hdr);
	kfree(info);
	file_put(f);
	return err;
}

int proc_execveat(struct thread *t, int dirfd, const char *path,
		  char *const argv[], char *const envp[], int flags)
{
	struct exec_args x = {
		.argv = argv,
		.envp = envp,
		.a = strv_measure(argv),
		.e = strv_measure(envp),
		.execfn = path,
		.dirfd = dirfd,
		.lookup = LOOKUP_FOLLOW,
	};
	static char *const empty[] = { NULL };
	char *fdpath = NULL;
	int err;

	/* The VFS resolves the path for `current`. */
	KASSERT(t == current);
	exec_reason = NULL;
	if (!argv)
		x.argv = empty;
	if (!envp)
		x.envp = empty;
	if (flags & AT_SYMLINK_NOFOLLOW)
		x.lookup = 0;
	if (flags & AT_EMPTY_PATH)
		x.lookup |= LOOKUP_EMPTY;
	/* A file named through a descriptor is /dev/fd/N[/path] to the new
	 * program (AT_EXECFN, a script's interpreter), as on Linux. */
	if (dirfd != AT_FDCWD && path[0] != '/') {
		fdpath = kmalloc(PATH_MAX);
		if (!fdpath)
			return -ENOMEM;
		if (path[0])
			ksnprintf(fdpath, PATH_MAX, "/dev/fd/%d/%s", dirfd,
				  path);
		else
			ksnprintf(fdpath, PATH_MAX, "/dev/fd/%d", dirfd);
		x.execfn = fdpath;
	}
	err = exec_file(t, path, &x, 0);
	kfree(fdpath);
	return err;
}

int proc_execve(struct thread *t, const char *path, char *const argv[],
		char *const envp[])
{
	return proc_execveat(t, AT_FDCWD, path, argv, envp, 0);
}
