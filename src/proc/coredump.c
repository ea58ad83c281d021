/*
 * coredump.c: ELF core files. A fatal signal whose default action is
 * "core" (signal(7)) writes "core" into the dying process's working
 * directory when RLIMIT_CORE allows, like Linux with its default
 * core_pattern, and the wait status then carries W_COREFLAG. gdb reads
 * the file: one NT_PRSTATUS (registers) per thread, NT_PRPSINFO, and a
 * PT_LOAD per mapping in which pages never touched stay holes.
 * Layer: process core; relies on the VFS (open, the file's write op), the
 * mm's page table (vm_peek_page) and the threads' saved registers.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/resource.h>
#include <uapi/stat.h>

#include "proc_internal.h"

#define NOTE_NAME "CORE"
#define NOTE_NAMESZ 5 /* "CORE\0", padded to 8 in the file */

/* Mappings beyond this many are left out (the header's phnum is 16-bit;
 * Linux's PN_XNUM escape is not needed at this size). */
#define CORE_MAX_VMAS 4096

struct core_out {
	struct file *f;
	uint64_t limit; /* RLIMIT_CORE: nothing is written past it */
	int err;
};

static void core_put(struct core_out *o, const void *buf, size_t len,
		     uint64_t off)
{
	long r;

	if (o->err || off >= o->limit)
		return;
	len = MIN(len, (size_t)(o->limit - off));
	/* The file's own op: a dump is the kernel's write, so the guest's
	 * RLIMIT_FSIZE (and its SIGXFSZ) does not apply to it. */
	r = o->f->ops->write(o->f, buf, len, &off);
	if (r != (long)len)
		o->err = r < 0 ? (int)r : -EIO;
}

static size_t note_bytes(size_t descsz)
{
	return sizeof(struct elf64_nhdr) + 8 + ALIGN_UP(descsz, 4);
}

static char *put_note(char *p, uint32_t type, const void *desc, size_t len)
{
	struct elf64_nhdr nh = {
		.n_namesz = NOTE_NAMESZ,
		.n_descsz = (uint32_t)len,
		.n_type = type,
	};

	memcpy(p, &nh, sizeof(nh));
	p += sizeof(nh);
	memset(p, 0, 8);
	memcpy(p, NOTE_NAME, NOTE_NAMESZ);
	p += 8;
	memset(p, 0, ALIGN_UP(len, 4));
	memcpy(p, desc, len);
	return p + ALIGN_UP(len, 4);
}

static struct elf_timeval64 ns_to_tv(uint64_t ns)
{
	struct elf_timeval64 tv = {
		.tv_sec = (int64_t)(ns / 1000000000ULL),
		.tv_usec = (int64_t)(ns % 1000000000ULL / 1000),
	};

	return tv;
}

static void fill_prstatus(struct elf_prstatus64 *st, struct thread *t, int sig)
{
	struct task *task = t->task;
	const uint64_t *regs = &t->uctx.r15;

	memset(st, 0, sizeof(*st));
	st->si_signo = sig;
	st->pr_cursig = (int16_t)sig;
	st->pr_sigpend = t->sig_pending | task->sig_pending;
	st->pr_sighold = t->sigmask;
	st->pr_pid = t->tid;
	st->pr_ppid = task->parent ? task->parent->pid : 0;
	st->pr_pgrp = task->pgid;
	st->pr_sid = task->sid;
	st->pr_utime = ns_to_tv(task->usage.utime_ns);
	st->pr_stime = ns_to_tv(task->usage.stime_ns);
	st->pr_cutime = ns_to_tv(task->cusage.utime_ns);
	st->pr_cstime = ns_to_tv(task->cusage.stime_ns);
	/* hal_uctx starts with user_regs_struct's first 23 registers in the
	 * same order (r15 .. gs_base); ds, es, fs and gs stay 0. */
	for (int i = 0; i < 23; i++)
		st->pr_reg[i] = regs[i];
}

static void fill_prpsinfo(struct elf_prpsinfo64 *ps, struct task *task)
{
	struct mm *mm = task->mm;
	size_t n;

	memset(ps, 0, sizeof(*ps));
	ps->pr_state = 0;
	ps->pr_sname = 'R';
	ps->pr_uid = task->cred.uid;
	ps->pr_gid = task->cred.gid;
	ps->pr_pid = task->pid;
	ps->pr_ppid = task->parent ? task->parent->pid : 0;
	ps->pr_pgrp = task->pgid;
	ps->pr_sid = task->sid;
	memcpy(ps->pr_fname, task->comm, MIN(sizeof(ps->pr_fname) - 1,
					     strlen(task->comm)));
	/* The argument strings, NULs turned into spaces, as ps shows them. */
	n = MIN(sizeof(ps->pr_psargs) - 1, (size_t)(mm->arg_end - mm->arg_start));
	if (mm->arg_end > mm->arg_start &&
	    vm_read(mm, ps->pr_psargs, mm->arg_start, n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!ps->pr_psargs[i])
				ps->pr_psargs[i] = ' ';
		while (n && ps->pr_psargs[n - 1] == ' ')
			ps->pr_psargs[--n] = 0;
	} else {
		memset(ps->pr_psargs, 0, sizeof(ps->pr_psargs));
	}
}

static uint32_t vma_pflags(const struct vma *v)
{
	return ((v->prot & VM_READ) ? PF_R : 0) |
	       ((v->prot & VM_WRITE) ? PF_W : 0) |
	       ((v->prot & VM_EXEC) ? PF_X : 0);
}

/* Writes the dump through o->f; first is the thread the signal hit. */
static void write_core(struct core_out *o, struct task *task,
		       struct thread *first, int sig)
{
	struct mm *mm = task->mm;
	struct elf64_ehdr eh = { 0 };
	struct elf64_phdr ph;
	struct elf_prstatus64 st;
	struct elf_prpsinfo64 ps;
	struct thread *t;
	struct vma *v;
	size_t nvma = 0, notes_len, ph_end;
	uint64_t off, data_off, end = 0;
	char *notes, *p;

	list_for_each_entry(v, &mm->vmas, link)
		if (++nvma == CORE_MAX_VMAS)
			break;
	notes_len = note_bytes(sizeof(ps)) +
		    (size_t)task->nthreads * note_bytes(sizeof(st));
	notes = kmalloc(notes_len);
	if (!notes) {
		o->err = -ENOMEM;
		return;
	}
	fill_prpsinfo(&ps, task);
	p = put_note(notes, NT_PRPSINFO, &ps, sizeof(ps));
	/* gdb takes the first NT_PRSTATUS as the thread that crashed. */
	fill_prstatus(&st, first, sig);
	p = put_note(p, NT_PRSTATUS, &st, sizeof(st));
	list_for_each_entry(t, &task->threads, task_link) {
		if (t == first || (size_t)(p - notes) >= notes_len)
			continue;
		fill_prstatus(&st, t, sig);
		p = put_note(p, NT_PRSTATUS, &st, sizeof(st));
	}
	notes_len = (size_t)(p - notes);

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = (uint16_t)(nvma + 1);
	core_put(o, &eh, sizeof(eh), 0);

	ph_end = sizeof(eh) + (nvma + 1) * sizeof(ph);
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_NOTE;
	ph.p_offset = ph_end;
	ph.p_filesz = notes_len;
	ph.p_align = 4;
	core_put(o, &ph, sizeof(ph), sizeof(eh));
	core_put(o, notes, notes_len, ph_end);
	kfree(notes);

	off = sizeof(eh) + sizeof(ph);
	data_off = ALIGN_UP(ph_end + notes_len, PAGE_SIZE);
	nvma = 0;
	list_for_each_entry(v, &mm->vmas, link) {
		uint64_t size = v->end - v->start;
		bool dump = (v->prot & VM_READ) != 0;

		if (nvma++ == CORE_MAX_VMAS)
			break;
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_flags = vma_pflags(v);
		ph.p_offset = data_off;
		ph.p_vaddr = v->start;
		ph.p_filesz = dump ? size : 0;
		ph.p_memsz = size;
		ph.p_align = PAGE_SIZE;
		core_put(o, &ph, sizeof(ph), off);
		off += sizeof(ph);
		if (!dump)
			continue;
		for (uaddr_t va = v->start; va < v->end && !o->err &&
					     data_off < o->limit;
		     va += PAGE_SIZE, data_off += PAGE_SIZE) {
			const void *page = vm_peek_page(mm, va);

			if (page)
				core_put(o, page, PAGE_SIZE, data_off);
		}
		data_off = ph.p_offset + size;
		end = data_off;
	}
	/* Untouched pages at the end are a hole, but the size must cover
	 * them, or gdb calls the file truncated. */
	end = MIN(end, o->limit);
	if (!o->err && end > o->f->inode->size && o->f->inode->iops &&
	    o->f->inode->iops->setattr) {
		struct iattr attr = { .valid = ATTR_SIZE, .size = end };

		o->err = o->f->inode->iops->setattr(o->f->inode, &attr);
	}
}

bool proc_coredump(struct task *task, struct thread *first, int sig)
{
	struct core_out o = { 0 };
	struct thread *saved = current;
	struct file *f;

	o.limit = task->rlim[RLIMIT_CORE].cur;
	/* Linux makes no file for a limit under one page; above it, a dump
	 * cut at the limit still counts as dumped. */
	if (o.limit < PAGE_SIZE || !task->mm || !task->fs || task->nthreads == 0)
		return false;
	if (!first || first->task != task)
		first = list_first_entry(&task->threads, struct thread,
					 task_link);
	/* The dump is the dying process's own act (its cwd, its fsuid and
	 * umask), even when another process's kill ends it. Nothing below
	 * blocks, so current is put back before anything else runs. */
	current = first;
	f = vfs_openat(AT_FDCWD, "core",
		       O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (IS_ERR(f)) {
		current = saved;
		return false;
	}
	if (S_ISREG(f->inode->mode) && f->inode->nlink == 1 && f->ops &&
	    f->ops->write) {
		o.f = f;
		write_core(&o, task, first, sig);
	} else {
		o.err = -EPERM;
	}
	file_put(f);
	current = saved;
	if (o.err)
		pr_info("%s[%d]: core dump failed: error %d", task->comm,
			task->pid, o.err);
	return o.err == 0;
}
