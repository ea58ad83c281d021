/*
 * Guest: real shells on top of fork, exec, wait, signals and process
 * groups. busybox sh (busybox-static) runs a script with pipelines,
 * subshells, command substitution, background jobs and wait, kill and
 * trap; bash-static runs one with job control (set -m: jobs in their own
 * process groups, kill -STOP/-CONT of a job, fg, wait). The applets come
 * from a directory of links to /bin/busybox, since the host's own tools
 * may be dynamic programs. A shell's stdout goes straight to ours; its
 * exit status is printed after it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

#define BUSYBOX "/bin/busybox"
#define BASH "/usr/bin/bash-static"

static const char *const applets[] = { "sh",   "sleep", "cat", "echo",
				       "true", "false", "cut", "kill",
				       "tr",   "wc",	"seq", "expr" };

static const char busybox_script[] =
	"echo start\n"
	"echo one two three | tr ' ' '\\n' | wc -l\n"
	"x=$(echo inner; echo second) ; echo \"subst: $x\" | cat\n"
	"echo \"nested: $(echo $(echo deep))\"\n"
	"(cd /; echo \"subshell cwd: $(pwd)\"); echo \"back: $(basename $(pwd))\"\n"
	"(exit 5); echo \"subshell status: $?\"\n"
	"sleep 0.1 & p1=$!; (sleep 0.05; exit 9) & p2=$!\n"
	"wait $p2; echo \"bg status: $?\"; wait $p1; echo \"bg1: $?\"\n"
	"sleep 10 & p=$!; kill $p; wait $p; echo \"killed: $?\"\n"
	"sh -c 'kill -9 $$'; echo \"sigkill: $?\"\n"
	"trap 'echo trapped USR1' USR1; kill -USR1 $$; echo after trap\n"
	"trap 'echo exiting' EXIT\n"
	"for i in $(seq 1 5); do echo $i; done | while read n; do\n"
	"  [ $((n % 2)) -eq 0 ] && echo even $n; done\n"
	"true | false | true; echo \"pipeline: $?\"\n"
	"echo \"arith: $(expr 6 \\* 7)\"\n"
	"cat <<EOF\nhere $((1 + 2))\nEOF\n"
	"trap 'echo got INT' INT; kill -INT $$; echo after INT\n"
	"trap 'echo got TERM' TERM; kill -TERM $$; echo after TERM\n"
	"printf 'a 1\\nb 2\\nc 3\\n' > data.txt\n"
	"sum=0; while read k v; do sum=$((sum + v)); echo \"$k=$v\"; done < data.txt\n"
	"echo \"read sum: $sum\"\n"
	"exit 3\n";

static const char bash_script[] =
	"set -m\n"
	"sleep 0.3 &\n"
	"jobs\n"
	"kill -STOP %1\n"
	"sleep 0.1\n"
	"jobs\n"
	"pg() { cut -d' ' -f5 /proc/$1/stat; }\n"
	"[ \"$(pg $!)\" != \"$(pg $$)\" ] && echo \"job in its own group\"\n"
	"[ \"$(pg $!)\" = \"$!\" ] && echo \"job leads its group\"\n"
	"kill -CONT %1\n"
	"wait %1; echo \"wait: $?\"\n"
	"sleep 10 & pid=$!\n"
	"kill -TERM $pid; wait $pid; echo \"killed: $?\"\n"
	"sleep 0.1 &\n"
	"fg %1; echo \"fg: $?\"\n"
	"(exit 3) & wait $!; echo \"sub: $?\"\n"
	"echo $(echo cmdsub) | cat\n"
	"trap 'echo trapped USR1' USR1\n"
	"kill -USR1 $$\n"
	"f() { return 7; }; f; echo \"func: $?\"\n"
	"arr=(zero one two); arr+=(three); echo \"arr: ${#arr[@]} ${arr[2]} ${arr[*]: -1}\"\n"
	"declare -A m; m[k]=v; echo \"assoc: ${m[k]}\"\n"
	"sq() { echo $(( $1 * $1 )); }; echo \"sq: $(sq $(sq 3))\"\n"
	"echo \"nest: $(echo a$(echo b$(echo c)))\"\n"
	"while read l; do echo \"procsub: $l\"; done < <(echo p1; echo p2)\n"
	"cat <(echo from-procsub)\n"
	"coproc UP { tr a-z A-Z; }; echo hello >&\"${UP[1]}\"; exec {UP[1]}>&-;"
	" read -r up <&\"${UP[0]}\"; wait $UP_PID; echo \"coproc: $up\"\n"
	"sleep 10 & kill %1; wait; echo \"kill %1: done\"\n"
	"for i in 1 2 3; do echo $i; done | while read x; do echo \"got $x\"; done\n"
	"exit 4\n";

static int run_shell(const char *shell, const char *arg0, const char *script,
		     const char *path_env)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)arg0, "-c", (char *)script, NULL };
		char *envp[] = { (char *)path_env, "LC_ALL=C", NULL };

		execve(shell, argv, envp);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	char cwd[PATH_MAX], dir[PATH_MAX + 8], link[PATH_MAX + 32];
	char path_env[PATH_MAX + 16];

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	CHECK("getcwd", getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(dir, sizeof(dir), "%s/bin", cwd);
	/* The native and the Ember run share the working directory. */
	CHECK("mkdir bin", mkdir(dir, 0755) == 0 || errno == EEXIST);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		snprintf(link, sizeof(link), "%s/%s", dir, applets[i]);
		unlink(link);
		if (symlink(BUSYBOX, link) != 0) {
			printf("symlink %s: %s\n", applets[i], errname(errno));
			guest_failures++;
		}
	}
	snprintf(path_env, sizeof(path_env), "PATH=%s", dir);

	printf("busybox sh exit: %d\n",
	       run_shell(BUSYBOX, "sh", busybox_script, path_env));

	if (access(BASH, X_OK) == 0)
		printf("bash exit: %d\n",
		       run_shell(BASH, "bash", bash_script, path_env));
	else
		printf("bash-static: not installed\n");
	return guest_exit();
}
