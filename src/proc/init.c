/*
 * init.c: the first process (layer: proc; relies on task creation, the
 * fd table and console of the VFS, and proc_execve). A bare command name
 * is looked up in PATH the way execvp(3) does.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/vfs.h>
#include <uapi/errno.h>

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"

static const char *env_path(char *const envp[])
{
	for (int i = 0; envp && envp[i]; i++) {
		if (strncmp(envp[i], "PATH=", 5) == 0)
			return envp[i] + 5;
	}
	return DEFAULT_PATH;
}

/* execvp's search: the first directory holding an executable wins; a
 * file found but not executable is remembered as -EACCES. */
static int exec_search(struct thread *t, const char *name, char *const argv[],
		       char *const envp[])
{
	const char *dirs = env_path(envp);
	size_t nlen = strlen(name);
	char *buf = kmalloc(PATH_MAX);
	int err = -ENOENT, r;

	if (!buf)
		return -ENOMEM;
	while (*dirs) {
		const char *colon = strchr(dirs, ':');
		size_t dlen = colon ? (size_t)(colon - dirs) : strlen(dirs);

		/* An empty entry means the current directory. */
		if (dlen + 1 + nlen + 1 <= PATH_MAX) {
			if (dlen)
				memcpy(buf, dirs, dlen);
			else
				buf[dlen++] = '.';
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, name, nlen + 1);
			r = proc_execve(t, buf, argv, envp);
			if (r == 0 ||
			    (r != -ENOENT && r != -ENOTDIR && r != -EACCES)) {
				err = r;
				break;
			}
			if (r == -EACCES)
				err = r;
		}
		if (!colon)
			break;
		dirs = colon + 1;
	}
	kfree(buf);
	return err;
}

int proc_start_init(const struct boot_info *bi)
{
	static const char *const default_envp[] = { "HOME=/", "TERM=linux",
						    NULL };
	const char *path = bi->init_path;
	char *const *envp =
		(char *const *)(bi->init_envp ? bi->init_envp : default_envp);
	const char *fallback_argv[] = { path, NULL };
	char *const *argv = (char *const *)fallback_argv;
	struct task *task;
	struct thread *t;
	int err;

	if (!path)
		return -ENOENT;
	if (bi->init_argv && bi->init_argv[0])
		argv = (char *const *)bi->init_argv;
	task = task_create(NULL);
	if (!task)
		return -ENOMEM;
	t = thread_create(task);
	if (!t)
		return -ENOMEM;
	current = t;
	task->files = files_create();
	if (IS_ERR_OR_NULL(task->files)) {
		task->files = NULL;
		return -ENOMEM;
	}
	task->fs = fs_ctx_init(bi->init_cwd ? bi->init_cwd : "/");
	if (IS_ERR_OR_NULL(task->fs)) {
		err = task->fs ? (int)PTR_ERR(task->fs) : -ENOMEM;
		task->fs = NULL;
		return err;
	}
	err = console_open_stdio();
	if (err)
		return err;

	if (strchr(path, '/'))
		err = proc_execve(t, path, argv, envp);
	else
		err = exec_search(t, path, argv, envp);
	if (err)
		return err;
	sched_run(t);
	return 0;
}
