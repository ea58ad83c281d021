/*
 * sys_exit.c: ending a thread or a whole process (layer: syscall adapters
 * over task.c's thread_exit and task_exit; collecting children is
 * sys_wait.c's).
 */
#include <kern/proc.h>
#include <syscall_protos.h>
#include <uapi/wait.h>

long sys_exit(int status)
{
	thread_exit(current, W_EXITCODE(status));
	return 0;
}

long sys_exit_group(int status)
{
	task_exit(current->task, W_EXITCODE(status));
	return 0;
}
