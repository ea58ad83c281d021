/*
 * time.c: clocks and the one-shot timer (layer: bare-metal HAL; relies on
 * the direct map for the local APIC and on port I/O for the PIT and the
 * CMOS RTC). The TSC, calibrated once against PIT channel 2, is the
 * monotonic clock; the RTC read at boot anchors the wall clock; the local
 * APIC timer in one-shot mode, calibrated in the same window, interrupts
 * at the nearest of the core's deadline and the current time slice.
 */
#include <kern/klib.h>

#include "bm.h"

#define PIT_HZ 1193182ULL
#define CALIBRATE_TICKS 2983 /* 2.5 ms of PIT input clock */
#define CALIBRATE_ROUNDS 5

#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LVT_MASKED 0x10000

static volatile uint32_t *lapic;
static uint64_t tsc0;
static uint64_t ns_per_tsc_q32;	  /* ns per TSC tick, 32.32 fixed */
static uint64_t lapic_per_ns_q32; /* APIC timer ticks per ns, 32.32 */
static uint64_t realtime_base_ns; /* wall clock at monotonic 0 */
static uint64_t core_deadline;	  /* 0: none */

uint32_t lapic_read(uint32_t reg)
{
	return lapic[reg / 4];
}

void lapic_write(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint64_t hal_clock_monotonic_ns(void)
{
	uint64_t d = rdtsc() - tsc0;

	return (uint64_t)(((unsigned __int128)d * ns_per_tsc_q32) >> 32);
}

uint64_t hal_clock_realtime_ns(void)
{
	return realtime_base_ns + hal_clock_monotonic_ns();
}

/* ---- CMOS real-time clock ---- */

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v)
{
	return (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static uint64_t rtc_read_epoch(void)
{
	uint8_t r[7], prev[7];
	int tries = 0;

	do {
		memcpy(prev, r, sizeof(r));
		while (cmos_read(0x0a) & 0x80)
			;
		r[0] = cmos_read(0x00);
		r[1] = cmos_read(0x02);
		r[2] = cmos_read(0x04);
		r[3] = cmos_read(0x07);
		r[4] = cmos_read(0x08);
		r[5] = cmos_read(0x09);
		r[6] = cmos_read(0x32);
	} while (++tries < 2 || (memcmp(r, prev, sizeof(r)) != 0 && tries < 8));

	uint8_t b = cmos_read(0x0b);
	bool pm = !(b & 2) && (r[2] & 0x80);
	unsigned v[7];

	r[2] &= 0x7f;
	for (int i = 0; i < 7; i++)
		v[i] = (b & 4) ? r[i] : bcd(r[i]);
	if (pm)
		v[2] = (v[2] + 12) % 24;
	unsigned year = v[5] + (v[6] >= 19 && v[6] <= 99 ? v[6] * 100 : 2000);
	int64_t days = days_from_civil(year, v[4], v[3]);

	if (days < 0)
		return 0;
	return (uint64_t)days * 86400 + v[2] * 3600 + v[1] * 60 + v[0];
}

/* ---- calibration against PIT channel 2 (gate on port 0x61) ---- */

/* One window of CALIBRATE_TICKS: the TSC and APIC timer ticks in it. */
static void calibrate_once(uint64_t *tsc_ticks, uint64_t *lapic_ticks)
{
	uint64_t t0, t1;
	uint32_t left;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, CALIBRATE_TICKS & 0xff);
	outb(0x42, CALIBRATE_TICKS >> 8);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	t1 = rdtsc();
	left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	*tsc_ticks = t1 - t0;
	*lapic_ticks = 0xffffffffULL - left;
}

/*
 * Under emulation the vCPU can lose the host CPU inside a window, which
 * only ever makes it look longer: the shortest of a few windows wins.
 */
static void calibrate(void)
{
	uint64_t best_tsc = ~0ULL, best_lapic = 0, tsc_hz, lapic_hz;

	tsc0 = rdtsc();
	for (int i = 0; i < CALIBRATE_ROUNDS; i++) {
		uint64_t t, l;

		calibrate_once(&t, &l);
		if (t < best_tsc) {
			best_tsc = t;
			best_lapic = l;
		}
	}
	tsc_hz = best_tsc * PIT_HZ / CALIBRATE_TICKS;
	lapic_hz = best_lapic * PIT_HZ / CALIBRATE_TICKS;
	if (tsc_hz < 1000000)
		tsc_hz = 1000000;
	if (lapic_hz < 1000)
		lapic_hz = 1000;
	ns_per_tsc_q32 = (1000000000ULL << 32) / tsc_hz;
	lapic_per_ns_q32 = (lapic_hz << 32) / 1000000000ULL;
	if (lapic_per_ns_q32 == 0)
		lapic_per_ns_q32 = 1;
	bm_printf_debug("time: TSC %llu kHz, APIC timer %llu kHz",
			(unsigned long long)(tsc_hz / 1000),
			(unsigned long long)(lapic_hz / 1000));
}

void time_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* The APIC's global enable, then the software enable in SVR. */
	wrmsr(MSR_APIC_BASE, base | (1ULL << 11));
	lapic = bm_phys_to_virt(base & 0xffffff000ULL);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	calibrate();
	realtime_base_ns =
		rtc_read_epoch() * 1000000000ULL - hal_clock_monotonic_ns();
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot */
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void hal_timer_set(uint64_t deadline_ns)
{
	/* Programmed (and a past deadline delivered) by sched_loop before
	 * it next enters user mode or halts. */
	core_deadline = deadline_ns;
}

bool time_deadline_due(void)
{
	if (!core_deadline || hal_clock_monotonic_ns() < core_deadline)
		return false;
	core_deadline = 0;
	return true;
}

void time_program(uint64_t slice_deadline_ns)
{
	uint64_t d = core_deadline, now, count;

	if (slice_deadline_ns && (!d || slice_deadline_ns < d))
		d = slice_deadline_ns;
	if (!d) {
		lapic_write(LAPIC_TIMER_INIT, 0);
		return;
	}
	now = hal_clock_monotonic_ns();
	count = d > now ? (uint64_t)(((unsigned __int128)(d - now) *
				      lapic_per_ns_q32) >>
				     32) :
			  0;
	if (count == 0)
		count = 1;
	if (count > 0xffffffffULL)
		count = 0xffffffffULL;
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
}

void time_irq(void)
{
	/* sched_loop compares the clock with the deadline itself. */
}
