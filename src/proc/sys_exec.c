/*
 * sys_exec.c: execve and execveat (layer: syscall adapters over
 * proc_execveat; relies on uaccess to copy the path and the argument and
 * environment vectors into kernel memory, with Linux's limits).
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>

/* Linux's MAX_ARG_STRLEN (32 pages). */
#define ARG_STRLEN_MAX (32 * 4096)
/* Everything copied in at most (strings and pointers, so it bounds the
 * count too): exec then applies its own, lower limit (a quarter of
 * RLIMIT_STACK); this only bounds the copying. */
#define ARG_BYTES_MAX (8ULL << 20)

struct kstrv {
	char **v;
	int n, cap;
};

static void kstrv_free(struct kstrv *s)
{
	for (int i = 0; i < s->n; i++)
		kfree(s->v[i]);
	kfree(s->v);
}

/* Copies a NULL-terminated user array of strings (a NULL array is
 * empty). *bytes accumulates strings and pointers against the limit. */
static int copy_strv(struct kstrv *s, uaddr_t uv, char *scratch,
		     uint64_t *bytes)
{
	s->cap = 16;
	s->v = kmalloc(sizeof(char *) * (size_t)s->cap);
	if (!s->v)
		return -ENOMEM;
	for (; uv; s->n++) {
		uint64_t up;
		long len;

		if (copy_from_user(&up, uv + (uint64_t)s->n * 8, sizeof(up)))
			return -EFAULT;
		if (!up)
			break;
		if (s->n + 1 >= s->cap) {
			char **nv;

			nv = kmalloc(sizeof(char *) * (size_t)s->cap * 2);
			if (!nv)
				return -ENOMEM;
			memcpy(nv, s->v, sizeof(char *) * (size_t)s->n);
			kfree(s->v);
			s->v = nv;
			s->cap *= 2;
		}
		len = strncpy_from_user(scratch, up, ARG_STRLEN_MAX);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return (int)len;
		*bytes += (uint64_t)len + 1 + 8;
		if (*bytes > ARG_BYTES_MAX)
			return -E2BIG;
		s->v[s->n] = kmalloc((size_t)len + 1);
		if (!s->v[s->n])
			return -ENOMEM;
		memcpy(s->v[s->n], scratch, (size_t)len + 1);
	}
	s->v[s->n] = NULL;
	return 0;
}

static long do_execveat(int dirfd, uaddr_t pathname, uaddr_t argv, uaddr_t envp,
			int flags)
{
	struct kstrv av = { 0 }, ev = { 0 };
	uint64_t bytes = 0;
	char *path, *scratch;
	long err;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	path = (flags & AT_EMPTY_PATH) ? getname_empty_ok(pathname) :
					 getname(pathname);
	if (IS_ERR(path))
		return PTR_ERR(path);
	scratch = kmalloc(ARG_STRLEN_MAX);
	if (!scratch) {
		err = -ENOMEM;
		goto out_path;
	}
	err = copy_strv(&av, argv, scratch, &bytes);
	if (!err)
		err = copy_strv(&ev, envp, scratch, &bytes);
	kfree(scratch);
	if (!err)
		err = proc_execveat(current, dirfd, path, av.v, ev.v, flags);
	kstrv_free(&av);
	kstrv_free(&ev);
out_path:
	kfree(path);
	return err;
}

long sys_execve(uaddr_t pathname, uaddr_t argv, uaddr_t envp)
{
	return do_execveat(AT_FDCWD, pathname, argv, envp, 0);
}

long sys_execveat(int dirfd, uaddr_t pathname, uaddr_t argv, uaddr_t envp,
		  unsigned long flags)
{
	/* The kernel's flags are an int. */
	return do_execveat(dirfd, pathname, argv, envp, (int)flags);
}
