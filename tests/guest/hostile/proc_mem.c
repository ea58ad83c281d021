/*
 * Hostile guest: /proc/PID/mem would let a process write any memory its
 * kernel lets it name. Ember has no such file: opening it for writing
 * (or at all) fails with ENOENT or EACCES, for itself and for init.
 * HOSTILE_EXPECT: exit 0
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "hostile.h"

int main(void)
{
	static const char *const paths[] = { "/proc/self/mem", "/proc/1/mem",
					     "/proc/self/task/1/mem" };
	char buf[64];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(buf, sizeof(buf), "open(%s, O_RDWR)", paths[i]);
		expect_errno(buf, open(paths[i], O_RDWR), ENOENT, EACCES, 0);
		snprintf(buf, sizeof(buf), "open(%s, O_WRONLY)", paths[i]);
		expect_errno(buf, open(paths[i], O_WRONLY), ENOENT, EACCES, 0);
	}
	int fd = open("/proc/self/mem", O_RDONLY);
	if (fd < 0)
		pass("open(/proc/self/mem, O_RDONLY): %s", strerror(errno));
	else
		failf("/proc/self/mem opens for reading");
	return hostile_exit();
}
