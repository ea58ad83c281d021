/*
 * lwip_port.c: what lwIP needs from its platform inside the core: memory
 * (kmalloc), the millisecond clock (sys_now), random numbers, and its
 * timeouts driven by one kernel timer; plus the loopback pump that the
 * socket layer calls after each lwIP operation (NO_SYS: nothing else
 * delivers looped packets).
 * Layer: net; relies on kmalloc, kern/timer.h and lwIP's raw core.
 */
/* Builds that do not put lwIP on the include path (a core without
 * networking) compile this file to nothing. */
#if __has_include("lwip/init.h")
#include <kern/kmalloc.h>
#include <kern/timer.h>

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"

#include "net_internal.h"

bool lwip_port_busy;
static bool lwip_started;
static struct ktimer lwip_timer;
static uint64_t rand_state;

void *lwip_port_malloc(size_t size)
{
	return kmalloc(size ? size : 1);
}

void lwip_port_free(void *p)
{
	kfree(p);
}

void *lwip_port_calloc(size_t n, size_t size)
{
	size_t total;

	if (size && n > (size_t)-1 / size)
		return NULL;
	total = n * size;
	return kzalloc(total ? total : 1);
}

uint32_t lwip_port_rand(void)
{
	/* xorshift64*: TCP sequence numbers and ports need variety, not
	 * secrecy, on a loopback. */
	if (!rand_state)
		rand_state = time_monotonic_ns() | 1;
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return (uint32_t)((rand_state * 0x2545F4914F6CDD1DULL) >> 32);
}

u32_t sys_now(void)
{
	return (u32_t)(time_monotonic_ns() / 1000000ULL);
}

static void lwip_timer_fn(struct ktimer *t)
{
	lwip_port_busy = true;
	sys_check_timeouts();
	lwip_port_busy = false;
	lwip_port_kick();
}

static bool loop_pending(void)
{
	struct netif *n;

	NETIF_FOREACH(n)
	{
		if (n->loop_first)
			return true;
	}
	return false;
}

void lwip_port_kick(void)
{
	u32_t sleep;

	/* Each pass may queue replies (SYN-ACK, ACK, data): bounded so a
	 * storm cannot hang the kernel; the timer picks up the rest. */
	lwip_port_busy = true;
	for (int i = 0; i < 64 && loop_pending(); i++)
		netif_poll_all();
	lwip_port_busy = false;
	sleep = sys_timeouts_sleeptime();
	if (loop_pending())
		sleep = 0;
	if (sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		timer_cancel(&lwip_timer);
	else
		timer_arm(&lwip_timer,
			  time_monotonic_ns() + (uint64_t)sleep * 1000000ULL,
			  lwip_timer_fn);
	/* Last: the woken calls may use lwIP (and kick) again. */
	inet_run_deferred_wakes();
}

void lwip_port_init(void)
{
	if (lwip_started)
		return;
	lwip_started = true;
	lwip_init();
	lwip_port_kick();
}

#endif
