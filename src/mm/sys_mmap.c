/*
 * sys_mmap.c: mmap, munmap, mprotect, brk and madvise (layer: syscall
 * adapters over vm.c; rely on `current`'s mm, and on the VFS for
 * file-backed private mappings). Arguments are checked in the order
 * Linux checks them, so the errno matches mmap(2) and friends.
 */
/* First: its struct stat has a field named __unused, which kern/types.h
 * defines as a macro. */
#include <uapi/stat.h>

#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>

#include "vm_internal.h"

#define PROT_RWX (PROT_READ | PROT_WRITE | PROT_EXEC)
/* PROT_SEM: accepted and meaningless on x86, as on Linux. */
#define PROT_SEM 0x8

static struct mm *cur_mm(void)
{
	return current->task->mm;
}

static bool user_range_ok(uaddr_t addr, size_t len)
{
	return addr >= HAL_USER_VA_START && addr < HAL_USER_VA_END &&
	       len <= HAL_USER_VA_END - addr;
}

struct fill_ctx {
	struct file *f;
	uint64_t off;
	long err;
};

static int fill_piece(void *kptr, size_t len, void *arg)
{
	struct fill_ctx *c = arg;
	long n = vfs_pread(c->f, kptr, len, c->off);

	if (n < 0) {
		c->err = n;
		return 1;
	}
	/* Past the end of the file the fresh frame stays zero. */
	c->off += len;
	return 0;
}

/* MAP_SHARED of a file: the VMA maps the file's own pages (its
 * vm_object_ops), so writes through it are the file's bytes. */
static long map_file_shared(struct mm *mm, uaddr_t addr, size_t len,
			    unsigned prot, unsigned vflags, struct file *f,
			    int64_t off)
{
	struct kstat st;
	struct vma *v;
	char *name;
	long r;

	r = vfs_getattr(f->inode, &st);
	if (r < 0)
		return r;
	name = kmalloc(PATH_MAX);
	if (!name)
		return -ENOMEM;
	r = vfs_path_name(&f->path, name, PATH_MAX);
	if (r >= 0)
		r = vm_map(mm, addr, len, prot, vflags, name);
	kfree(name);
	if (r < 0)
		return r;
	r = vm_set_object(mm, addr, f->ops->vm_ops, f->inode,
			  (uint64_t)off >> PAGE_SHIFT);
	if (r < 0) {
		vm_unmap(mm, addr, len);
		return r;
	}
	v = vm_find_vma(mm, addr);
	v->dev = st.dev;
	v->ino = st.ino;
	return 0;
}

/* Records the file on the VMA(s) of [addr, addr+len) for /proc/PID/maps
 * and copies the file's bytes into freshly allocated frames. */
static long map_file_private(struct mm *mm, uaddr_t addr, size_t len,
			     unsigned prot, unsigned vflags, struct file *f,
			     int64_t off)
{
	struct fill_ctx c = { f, (uint64_t)off, 0 };
	struct kstat st;
	char *name;
	struct vma *v;
	uint64_t avail;
	long r;

	r = vfs_getattr(f->inode, &st);
	if (r < 0)
		return r;
	name = kmalloc(PATH_MAX);
	if (!name)
		return -ENOMEM;
	r = vfs_path_name(&f->path, name, PATH_MAX);
	if (r < 0)
		goto out_free_name;
	r = vm_map(mm, addr, len, prot, vflags, name);
	if (r < 0)
		goto out_free_name;
	v = vm_find_vma(mm, addr);
	v->pgoff = (uint64_t)off >> PAGE_SHIFT;
	v->dev = st.dev;
	v->ino = st.ino;

	/* Only the pages that hold file bytes are filled now; the rest of
	 * the mapping is demand-zero like anonymous memory. */
	avail = st.size > (uint64_t)off ? st.size - (uint64_t)off : 0;
	avail = MIN(avail, (uint64_t)len);
	if (avail) {
		r = vm_access_range(mm, addr, PAGE_UP(avail), true, true,
				    fill_piece, &c);
		if (r) {
			vm_unmap(mm, addr, len);
			r = c.err ? c.err : -ENOMEM;
			goto out_free_name;
		}
	}
	r = 0;
out_free_name:
	kfree(name);
	return r;
}

long sys_mmap(uaddr_t addr, size_t length, unsigned long prot,
	      unsigned long flags, int fd, int64_t offset)
{
	struct mm *mm = cur_mm();
	unsigned long type = flags & MAP_TYPE;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	struct file *f = NULL;
	unsigned vflags = 0;
	size_t len;
	long r;

	if (offset & (int64_t)(PAGE_SIZE - 1))
		return -EINVAL;
	if (length == 0)
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (fixed && !IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	if (flags & MAP_HUGETLB)
		return -EINVAL;
	len = PAGE_UP(length);
	if (len == 0 || len > HAL_USER_VA_END - HAL_USER_VA_START)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS) &&
	    (uint64_t)offset + len < (uint64_t)offset)
		return -EOVERFLOW;
	if (fixed && !user_range_ok(addr, len))
		return addr < HAL_USER_VA_START ? -EPERM : -ENOMEM;

	if (type != MAP_PRIVATE)
		vflags |= VMA_SHARED;
	if (flags & MAP_GROWSDOWN)
		vflags |= VMA_GROWSDOWN;
	prot &= PROT_RWX;

	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		r = -EACCES;
		if ((f->flags & O_ACCMODE) == O_WRONLY)
			goto out_put_file;
		if (type != MAP_PRIVATE && (prot & PROT_WRITE) &&
		    (f->flags & O_ACCMODE) != O_RDWR)
			goto out_put_file;
		/* Shared file mappings map the file's own frames (tmpfs);
		 * a filesystem without them refuses, as one without mmap
		 * support does on Linux. */
		r = -ENODEV;
		if (!S_ISREG(f->inode->mode) ||
		    (type != MAP_PRIVATE && (!f->ops || !f->ops->vm_ops)))
			goto out_put_file;
	}

	if (flags & MAP_FIXED_NOREPLACE) {
		r = -EEXIST;
		if (!vm_range_is_free(mm, addr, len))
			goto out_put_file;
	} else if (!fixed) {
		addr = vm_find_free(mm, len, addr);
		r = -ENOMEM;
		if (!addr)
			goto out_put_file;
	}

	if (f && type != MAP_PRIVATE) {
		r = map_file_shared(mm, addr, len, (unsigned)prot, vflags, f,
				    offset);
		if (r < 0)
			goto out_put_file;
	} else if (f) {
		r = map_file_private(mm, addr, len, (unsigned)prot, vflags, f,
				     offset);
		if (r < 0)
			goto out_put_file;
	} else {
		r = vm_map(mm, addr, len, (unsigned)prot, vflags, NULL);
		if (r < 0)
			goto out_put_file;
	}
	/* A failed populate leaves the mapping, as on Linux: pages will be
	 * faulted in (or not) later. */
	if (flags & MAP_POPULATE)
		vm_populate(mm, addr, len);
	r = (long)addr;
out_put_file:
	if (f)
		file_put(f);
	return r;
}

long sys_munmap(uaddr_t addr, size_t len)
{
	if (!IS_PAGE_ALIGNED(addr) || len == 0)
		return -EINVAL;
	len = PAGE_UP(len);
	if (len == 0 || !user_range_ok(addr, len))
		return -EINVAL;
	return vm_unmap(cur_mm(), addr, len);
}

long sys_mprotect(uaddr_t addr, size_t len, unsigned long prot)
{
	size_t plen;

	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	if (prot & ~(unsigned long)(PROT_RWX | PROT_SEM | PROT_GROWSDOWN |
				    PROT_GROWSUP))
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	if (len == 0)
		return 0;
	plen = PAGE_UP(len);
	if (plen == 0 || !user_range_ok(addr, plen))
		return -ENOMEM;
	return vm_protect(cur_mm(), addr, plen, (unsigned)(prot & PROT_RWX));
}

long sys_brk(uaddr_t brk)
{
	struct mm *mm = cur_mm();
	uaddr_t old_end = PAGE_UP(mm->brk), new_end = PAGE_UP(brk);

	/* brk never fails visibly: a refused change returns the old break. */
	if (brk < mm->brk_start || !mm->brk_start || brk >= HAL_USER_VA_END)
		return (long)mm->brk;
	if (new_end < old_end) {
		if (vm_unmap(mm, new_end, old_end - new_end) < 0)
			return (long)mm->brk;
	} else if (new_end > old_end) {
		/* The heap may not grow over another mapping. */
		if (!vm_range_is_free(mm, old_end, new_end - old_end))
			return (long)mm->brk;
		if (vm_map(mm, old_end, new_end - old_end, VM_READ | VM_WRITE,
			   VMA_HEAP, NULL) < 0)
			return (long)mm->brk;
	}
	mm->brk = brk;
	return (long)brk;
}

/*
 * msync(2): a shared file mapping maps the file's own frames (tmpfs), and
 * private and anonymous memory has nothing to write back, so after Linux's
 * checks of the flags and the range there is nothing left to do.
 */
long sys_msync(uaddr_t addr, size_t length, unsigned long flags)
{
	struct mm *mm = cur_mm();
	uaddr_t end, va;

	if (flags & ~(unsigned long)(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	end = PAGE_UP(addr + length);
	if (end < addr)
		return -ENOMEM;
	for (va = addr; va < end;) {
		struct vma *v = vm_find_vma(mm, va);

		if (!v)
			return -ENOMEM;
		va = v->end;
	}
	return 0;
}

long sys_madvise(uaddr_t addr, size_t length, int advice)
{
	struct mm *mm = cur_mm();
	size_t len;

	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
		break;
	default:
		/* MADV_REMOVE needs shared file memory Ember lacks. */
		return -EINVAL;
	}
	if (length == 0)
		return 0;
	len = PAGE_UP(length);
	if (len == 0 || !user_range_ok(addr, len))
		return -ENOMEM;

	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		/* Freeing now is one of the outcomes MADV_FREE allows. */
		return vm_discard(mm, addr, len);
	case MADV_DONTFORK:
		return vm_set_flags(mm, addr, len, VMA_DONTFORK, 0);
	case MADV_DOFORK:
		return vm_set_flags(mm, addr, len, 0, VMA_DONTFORK);
	case MADV_WIPEONFORK: {
		struct vma *v;

		/* Only private anonymous memory can be wiped on fork. */
		for (v = vm_find_vma(mm, addr); v && v->start < addr + len;
		     v = vm_find_vma(mm, v->end))
			if ((v->flags & VMA_SHARED) || v->name)
				return -EINVAL;
		return vm_set_flags(mm, addr, len, VMA_WIPEONFORK, 0);
	}
	default: {
		/* Hints: nothing to do, but unmapped parts still fail. */
		uaddr_t a = addr;
		struct vma *v;

		while (a < addr + len) {
			v = vm_find_vma(mm, a);
			if (!v)
				return -ENOMEM;
			a = v->end;
		}
		return 0;
	}
	}
}
