/*
 * Small hosted HAL services: the kernel log, halt, clocks, entropy and
 * symbol lookup for panic backtraces.
 */
#include <dlfcn.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hosted.h"

void hal_log(const char *msg, size_t len)
{
	char buf[1024];
	size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;

	memcpy(buf, msg, n);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	/* A raw terminal does not turn \n into \r\n for us. */
	if (console_raw_active() && n < sizeof(buf) - 2)
		buf[n++] = '\r';
	buf[n++] = '\n';
	/* One write per line so lines from the kernel do not interleave. */
	ssize_t r = write(STDERR_FILENO, buf, n);
	(void)r;
}

void hal_halt(int status)
{
	ptrace_kill_all();
	loop_restore_host();
	fflush(stdout);
	_exit(status & 0xff);
}

bool hal_symbolize(uintptr_t addr, char *buf, size_t len)
{
	Dl_info info;

	if (!dladdr((void *)addr, &info) || !info.dli_sname)
		return false;
	snprintf(buf, len, "%s+%#lx", info.dli_sname,
		 (unsigned long)(addr - (uintptr_t)info.dli_saddr));
	return true;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t hal_clock_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t hal_clock_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

void hal_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = getrandom(p, len, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("ember: getrandom");
			abort();
		}
		p += r;
		len -= (size_t)r;
	}
}
