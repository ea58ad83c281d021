/*
 * The hosted event loop (libuv): SIGCHLD brings stub stops to ptrace.c,
 * a timerfd gives the core its one-shot timer with nanosecond precision,
 * console input readiness comes through console.c's epoll fd, and
 * SIGINT/SIGTERM/SIGHUP become kern_host_signal, and a readable tap
 * (net.c) becomes kern_net_event.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <uv.h>

#include "hosted.h"

static uv_loop_t *loop;
static uv_signal_t sigint, sigterm, sighup, sigwinch;
static uv_poll_t timer_poll, console_poll, child_poll;
static int timer_fd = -1, child_fd = -1;
static uv_idle_t defer_idle;
static bool console_deferred;

/* Events the core must see from the loop, never from inside its own call
 * into the HAL (the core is not reentrant). */
static void on_defer(uv_idle_t *h)
{
	uv_idle_stop(&defer_idle);
	ptrace_deferred();
	if (systrap_active) /* systrap hook */
		systrap_deferred();
	if (console_deferred) {
		console_deferred = false;
		kern_console_event();
	}
}

void loop_defer(void)
{
	uv_idle_start(&defer_idle, on_defer);
}

void loop_defer_console_event(void)
{
	console_deferred = true;
	loop_defer();
}

/* SIGCHLD through a signalfd rather than libuv's signal pipe: one less
 * hop on every trapped syscall. */
static void on_sigchld(uv_poll_t *h, int status, int events)
{
	struct signalfd_siginfo si[16];

	while (read(child_fd, si, sizeof(si)) > 0)
		;
	ptrace_reap();
}

static void on_host_signal(uv_signal_t *h, int signum)
{
	kern_host_signal(signum);
}

/* The host terminal was resized: the console tty tells the guest. */
static void on_winch(uv_signal_t *h, int signum)
{
	kern_console_resize();
}

static void on_timer(uv_poll_t *h, int status, int events)
{
	uint64_t n;

	if (read(timer_fd, &n, sizeof(n)) != sizeof(n))
		return;
	kern_timer_event();
}

static uv_poll_t net_poll;

static void on_net(uv_poll_t *h, int status, int events)
{
	kern_net_event((int)(intptr_t)h->data);
}

void loop_watch_net(int fd, int nic)
{
	uv_poll_init(loop, &net_poll, fd);
	net_poll.data = (void *)(intptr_t)nic;
	uv_poll_start(&net_poll, UV_READABLE, on_net);
}

/* systrap hook: the trap eventfd of --platform=systrap. */
static uv_poll_t systrap_poll;

static void on_systrap(uv_poll_t *h, int status, int events)
{
	systrap_event();
}

void loop_watch_systrap(int fd)
{
	uv_poll_init(loop, &systrap_poll, fd);
	uv_poll_start(&systrap_poll, UV_READABLE, on_systrap);
}

static void on_console(uv_poll_t *h, int status, int events)
{
	console_event_ready();
}

void hal_timer_set(uint64_t deadline_ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (deadline_ns) {
		/* 0 would disarm: a deadline at time 0 is simply "now". */
		if (deadline_ns < 1)
			deadline_ns = 1;
		its.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ULL);
		its.it_value.tv_nsec = (long)(deadline_ns % 1000000000ULL);
	}
	if (timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		perror("ember: timerfd_settime");
		hal_halt(125);
	}
}

static void watch_signal(uv_signal_t *h, int signum, uv_signal_cb cb)
{
	uv_signal_init(loop, h);
	uv_signal_start(h, cb, signum);
}

void loop_init(void)
{
	loop = uv_default_loop();
	signal(SIGPIPE, SIG_IGN);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	child_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (child_fd < 0) {
		perror("ember: signalfd");
		exit(125);
	}
	uv_poll_init(loop, &child_poll, child_fd);
	uv_poll_start(&child_poll, UV_READABLE, on_sigchld);
	watch_signal(&sigint, SIGINT, on_host_signal);
	watch_signal(&sigterm, SIGTERM, on_host_signal);
	watch_signal(&sighup, SIGHUP, on_host_signal);
	watch_signal(&sigwinch, SIGWINCH, on_winch);

	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (timer_fd < 0) {
		perror("ember: timerfd_create");
		exit(125);
	}
	uv_poll_init(loop, &timer_poll, timer_fd);
	uv_poll_start(&timer_poll, UV_READABLE, on_timer);

	uv_idle_init(loop, &defer_idle);
	console_init();
	uv_poll_init(loop, &console_poll, console_epoll_fd());
	uv_poll_start(&console_poll, UV_READABLE, on_console);
}

int loop_run(void)
{
	/* Stops that happened before the loop started. */
	ptrace_reap();
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;
}

void loop_restore_host(void)
{
	console_restore();
}
