/*
 * fdtable.c: file descriptor tables. A table maps small integers to
 * referenced open files plus a close-on-exec bit each; it grows on demand
 * up to the task's RLIMIT_NOFILE and is shared by CLONE_FILES threads.
 * Layer: VFS core; relies on kmalloc, file references and current.
 */
#include <uapi/resource.h>

#include "internal.h"

/* Linux's default fs.nr_open: no table grows beyond it. */
#define FD_HARD_MAX (1 << 20)

struct files {
	int refcount;
	int size;	      /* slots allocated */
	struct file **fd;     /* NULL: free */
	unsigned char *flags; /* FD_CLOEXEC_FLAG */
};

struct files *files_create(void)
{
	struct files *fs = kzalloc(sizeof(*fs));

	if (fs)
		fs->refcount = 1;
	return fs;
}

static int files_grow(struct files *fs, int want)
{
	int size = fs->size ? fs->size : 64;
	struct file **fd;
	unsigned char *flags;

	while (size < want)
		size *= 2;
	if (size > FD_HARD_MAX)
		size = FD_HARD_MAX;
	if (size < want)
		return -EMFILE;
	fd = kzalloc(sizeof(*fd) * (size_t)size);
	flags = kzalloc((size_t)size);
	if (!fd || !flags) {
		kfree(fd);
		kfree(flags);
		return -ENOMEM;
	}
	if (fs->size) {
		memcpy(fd, fs->fd, sizeof(*fd) * (size_t)fs->size);
		memcpy(flags, fs->flags, (size_t)fs->size);
	}
	kfree(fs->fd);
	kfree(fs->flags);
	fs->fd = fd;
	fs->flags = flags;
	fs->size = size;
	return 0;
}

struct files *files_clone(struct files *old)
{
	struct files *fs = files_create();
	int last = -1;

	if (!fs)
		return NULL;
	for (int i = 0; i < old->size; i++)
		if (old->fd[i])
			last = i;
	if (last >= 0 && files_grow(fs, last + 1) < 0) {
		kfree(fs);
		return NULL;
	}
	for (int i = 0; i <= last; i++) {
		if (!old->fd[i])
			continue;
		file_get(old->fd[i]);
		fs->fd[i] = old->fd[i];
		fs->flags[i] = old->flags[i];
	}
	return fs;
}

void files_get(struct files *fs)
{
	KASSERT(fs->refcount > 0);
	fs->refcount++;
}

void files_put(struct files *fs)
{
	if (!fs)
		return;
	KASSERT(fs->refcount > 0);
	if (--fs->refcount > 0)
		return;
	for (int i = 0; i < fs->size; i++) {
		struct file *f = fs->fd[i];

		/* Clear the slot first: a release may look at the table. */
		fs->fd[i] = NULL;
		fcntl_lock_close(fs, f);
		file_put(f);
	}
	kfree(fs->fd);
	kfree(fs->flags);
	kfree(fs);
}

void files_close_on_exec(struct files *fs)
{
	for (int i = 0; i < fs->size; i++) {
		if (fs->fd[i] && (fs->flags[i] & FD_CLOEXEC_FLAG)) {
			struct file *f = fs->fd[i];

			fs->fd[i] = NULL;
			fs->flags[i] = 0;
			fcntl_lock_close(fs, f);
			file_put(f);
		}
	}
}

static struct files *cur_files(void)
{
	struct task *t = cur_task();

	return t ? t->files : NULL;
}

/* The task's RLIMIT_NOFILE, capped to what a table can hold. */
static int fd_limit(void)
{
	struct task *t = cur_task();
	uint64_t lim = t ? t->rlim[RLIMIT_NOFILE].cur : 1024;

	return lim > FD_HARD_MAX ? FD_HARD_MAX : (int)lim;
}

int fd_install(struct file *f, int min_fd, bool cloexec)
{
	struct files *fs = cur_files();
	int limit = fd_limit(), fd;

	if (!fs)
		return -EMFILE;
	if (min_fd < 0)
		min_fd = 0;
	for (fd = min_fd; fd < limit; fd++)
		if (fd >= fs->size || !fs->fd[fd])
			break;
	if (fd >= limit)
		return -EMFILE;
	if (fd >= fs->size) {
		int err = files_grow(fs, fd + 1);

		if (err < 0)
			return err;
	}
	file_get(f);
	fs->fd[fd] = f;
	fs->flags[fd] = cloexec ? FD_CLOEXEC_FLAG : 0;
	return fd;
}

int fd_install_at(int fd, struct file *f, bool cloexec)
{
	struct files *fs = cur_files();
	struct file *old;

	if (!fs || fd < 0 || fd >= fd_limit())
		return -EBADF;
	if (fd >= fs->size) {
		int err = files_grow(fs, fd + 1);

		if (err < 0)
			return err;
	}
	file_get(f);
	old = fs->fd[fd];
	fs->fd[fd] = f;
	fs->flags[fd] = cloexec ? FD_CLOEXEC_FLAG : 0;
	fcntl_lock_close(fs, old);
	file_put(old);
	return fd;
}

struct file *files_lookup(struct files *fs, int fd)
{
	if (!fs || fd < 0 || fd >= fs->size || !fs->fd[fd])
		return NULL;
	file_get(fs->fd[fd]);
	return fs->fd[fd];
}

int files_next_fd(struct files *fs, int from)
{
	if (!fs)
		return -1;
	for (int fd = from < 0 ? 0 : from; fd < fs->size; fd++)
		if (fs->fd[fd])
			return fd;
	return -1;
}

struct file *fd_get(int fd)
{
	return files_lookup(cur_files(), fd);
}

int fd_close(int fd)
{
	struct files *fs = cur_files();
	struct file *f;

	if (!fs || fd < 0 || fd >= fs->size || !fs->fd[fd])
		return -EBADF;
	f = fs->fd[fd];
	fs->fd[fd] = NULL;
	fs->flags[fd] = 0;
	fcntl_lock_close(fs, f);
	file_put(f);
	return 0;
}

int files_get_cloexec(struct files *fs, int fd)
{
	if (!fs || fd < 0 || fd >= fs->size || !fs->fd[fd])
		return -EBADF;
	return fs->flags[fd] & FD_CLOEXEC_FLAG ? 1 : 0;
}

int fd_get_cloexec(int fd)
{
	struct files *fs = cur_files();

	if (!fs || fd < 0 || fd >= fs->size || !fs->fd[fd])
		return -EBADF;
	return fs->flags[fd] & FD_CLOEXEC_FLAG ? 1 : 0;
}

int fd_set_cloexec(int fd, bool on)
{
	struct files *fs = cur_files();

	if (!fs || fd < 0 || fd >= fs->size || !fs->fd[fd])
		return -EBADF;
	if (on)
		fs->flags[fd] |= FD_CLOEXEC_FLAG;
	else
		fs->flags[fd] &= (unsigned char)~FD_CLOEXEC_FLAG;
	return 0;
}

int fd_table_size(void)
{
	struct files *fs = cur_files();

	return fs && fs->size > 64 ? fs->size : 64;
}

int fd_close_range(unsigned first, unsigned last, unsigned flags)
{
	struct task *t = cur_task();
	struct files *fs = cur_files();

	if (!fs)
		return 0;
	if ((flags & CLOSE_RANGE_UNSHARE) && fs->refcount > 1) {
		struct files *copy = files_clone(fs);

		if (!copy)
			return -ENOMEM;
		t->files = copy;
		files_put(fs);
		fs = copy;
	}
	/* A release may run other calls (wake-ups) that grow the table:
	 * look at fs->fd afresh for every descriptor. */
	for (unsigned fd = first; fd <= last && fd < (unsigned)fs->size; fd++) {
		struct file *f = fs->fd[fd];

		if (!f)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC) {
			fs->flags[fd] |= FD_CLOEXEC_FLAG;
			continue;
		}
		fs->fd[fd] = NULL;
		fs->flags[fd] = 0;
		fcntl_lock_close(fs, f);
		file_put(f);
	}
	return 0;
}
