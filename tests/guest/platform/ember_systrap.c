/*
 * ember-systrap: `ember` on the systrap platform, for the guest-systrap.*,
 * hostile-systrap.*, go-systrap.* and script-systrap.* tests, which hand
 * it to the usual runners in place of ember. `ember-systrap run ARGS`
 * executes `ember run --platform=systrap ARGS`, where ember is the binary
 * next to this one; the environment, fds and pid stay exactly the same
 * (a shell wrapper would add PWD and reorder the guest's environment).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char self[PATH_MAX], ember[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char **args = calloc((size_t)argc + 2, sizeof(*args));

	if (n <= 0 || !args) {
		perror("ember-systrap");
		return 125;
	}
	self[n] = 0;
	char *slash = strrchr(self, '/');
	*slash = 0;
	snprintf(ember, sizeof(ember), "%s/ember", self);
	int j = 0;
	args[j++] = ember;
	for (int i = 1; i < argc; i++) {
		args[j++] = argv[i];
		if (i == 1 && strcmp(argv[1], "run") == 0)
			args[j++] = "--platform=systrap";
	}
	args[j] = NULL;
	execv(ember, args);
	perror("ember-systrap: exec ember");
	return 125;
}
