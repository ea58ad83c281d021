/*
 * Guest: the smallest program. printf and puts go through stdio's buffer
 * (stdout is a file or pipe under the runner, so fully buffered), and
 * exit(0) must flush it before exit_group.
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("hello, %s %d %.2f %x\n", "world", 42, 3.25, 0xbeefu);
	puts("puts adds a newline");
	printf("no newline before exit");
	exit(0);
}
