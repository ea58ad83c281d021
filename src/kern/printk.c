/*
 * printk.c: kernel log lines and panic (layer: klib; relies on
 * kvsnprintf and the HAL's hal_log, hal_symbolize and hal_halt).
 * Lines are formatted on the stack, so printk works before kmalloc and
 * in any state the core can be in.
 */
#include <hal.h>
#include <kern/klib.h>

int printk_level = LOG_WARN;

#define LOG_LINE_MAX 512
#define PREFIX "ember: "

static void log_line(const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = sizeof(PREFIX) - 1;
	int r;

	memcpy(line, PREFIX, n);
	r = kvsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r < 0)
		r = 0;
	n += MIN((size_t)r, sizeof(line) - n - 1);
	/* hal_log adds its own line end. */
	while (n > 0 && line[n - 1] == '\n')
		n--;
	line[n] = '\0';
	hal_log(line, n);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > printk_level)
		return;
	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

static void log_fmt(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

#define BT_MAX_FRAMES 32
/* A caller's frame lies above ours on the stack, and not absurdly far. */
#define BT_MAX_FRAME_GAP (1UL << 20)

static void backtrace(uintptr_t fp)
{
	char sym[128];

	for (int i = 0; i < BT_MAX_FRAMES; i++) {
		uintptr_t next, ret;

		if (fp == 0 || (fp & 7))
			break;
		next = ((const uintptr_t *)fp)[0];
		ret = ((const uintptr_t *)fp)[1];
		if (ret == 0)
			break;
		if (hal_symbolize(ret, sym, sizeof(sym)))
			log_fmt("  #%d %#lx %s", i, (unsigned long)ret, sym);
		else
			log_fmt("  #%d %#lx", i, (unsigned long)ret);
		if (next <= fp || next - fp > BT_MAX_FRAME_GAP)
			break;
		fp = next;
	}
}

void panic(const char *fmt, ...)
{
	static bool panicking;
	char msg[LOG_LINE_MAX - 32];
	va_list ap;

	/* A panic while panicking (say, in hal_symbolize) must still halt. */
	if (panicking)
		hal_halt(125);
	panicking = true;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_fmt("panic: %s", msg);
	log_fmt("backtrace:");
	backtrace((uintptr_t)__builtin_frame_address(0));
	hal_halt(125);
}
