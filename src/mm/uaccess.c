/*
 * uaccess.c: copies between the kernel and the current thread's user
 * memory (layer: mm, used by every syscall; relies on vm.c/fault.c's
 * frame-based access and on `current` from proc). A bad user pointer
 * gives -EFAULT; user memory is only ever touched through its frames.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>

static struct mm *cur_mm(void)
{
	return current && current->task ? current->task->mm : NULL;
}

int copy_from_user(void *dst, uaddr_t src, size_t n)
{
	struct mm *mm = cur_mm();

	if (!mm)
		return -EFAULT;
	return vm_read(mm, dst, src, n) ? -EFAULT : 0;
}

int copy_to_user(uaddr_t dst, const void *src, size_t n)
{
	struct mm *mm = cur_mm();

	if (!mm)
		return -EFAULT;
	return vm_write(mm, dst, src, n, false) ? -EFAULT : 0;
}

int clear_user(uaddr_t dst, size_t n)
{
	struct mm *mm = cur_mm();

	if (!mm)
		return -EFAULT;
	return vm_zero(mm, dst, n, false) ? -EFAULT : 0;
}

struct str_ctx {
	char *dst;
	size_t len; /* bytes copied before the piece */
};

#define STR_FOUND 1

static int copy_str_piece(void *kptr, size_t len, void *arg)
{
	struct str_ctx *c = arg;
	const char *nul = memchr(kptr, '\0', len);
	size_t n = nul ? (size_t)(nul - (const char *)kptr) + 1 : len;

	memcpy(c->dst + c->len, kptr, n);
	c->len += n;
	return nul ? STR_FOUND : 0;
}

long strncpy_from_user(char *dst, uaddr_t src, size_t max)
{
	struct mm *mm = cur_mm();
	struct str_ctx c = { dst, 0 };
	int r;

	if (!mm)
		return -EFAULT;
	/* vm_access stops at the NUL, so pages after the string's end are
	 * never touched: a string just before an unmapped page is fine. */
	r = vm_access(mm, src, max, false, copy_str_piece, &c);
	if (r == STR_FOUND)
		return (long)c.len - 1;
	if (r < 0)
		return -EFAULT;
	return -ENAMETOOLONG;
}

static char *getname_flags(uaddr_t upath, bool empty_ok)
{
	char *buf = kmalloc(PATH_MAX);
	long n;

	if (!buf)
		return ERR_PTR(-ENOMEM);
	n = strncpy_from_user(buf, upath, PATH_MAX);
	if (n == 0 && !empty_ok)
		n = -ENOENT;
	if (n < 0) {
		kfree(buf);
		return ERR_PTR(n);
	}
	return buf;
}

char *getname(uaddr_t upath)
{
	return getname_flags(upath, false);
}

char *getname_empty_ok(uaddr_t upath)
{
	return getname_flags(upath, true);
}
