/*
 * The smallest program to run on Ember: build it static, then
 * `build/ember run ./hello` (see README.md).
 */
#include <stdio.h>
#include <sys/utsname.h>

int main(int argc, char **argv)
{
	struct utsname u;

	uname(&u);
	printf("hello from %s %s on %s\n", u.sysname, u.release, u.machine);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	return 0;
}
