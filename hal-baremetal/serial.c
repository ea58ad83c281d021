/*
 * serial.c: the console on the first 16550 UART (layer: bare-metal HAL;
 * relies on port I/O, the I/O APIC that acpi.c finds, the local APIC, and
 * boot.c's command line). Output is polled; input arrives by interrupt
 * into a ring the core reads without blocking. Whether the other end is a
 * terminal is what `ember boot` says in the boot word ember.tty=MASK (bit 0
 * stdin, 1 stdout, 2 stderr; all when absent). There is no line discipline
 * here: input bytes go to the core exactly as they arrive (the core's tty
 * does ICRNL, echo, ^C). ember.onlcr=1 says the other end does not turn
 * "\n" into "\r\n" (a real serial line, or `ember boot` on a terminal,
 * which clears the host's ONLCR): the HAL then sends "\r\n" itself for
 * its log lines always, and for console output until the core takes the
 * output processing over with hal_console_set_raw(true).
 *
 * A serial line has no end of input and no window size. `ember boot`
 * adds both in band: with the boot word ember.stdin=escaped, 0xff 0xff is
 * a data byte 0xff, 0xff 0x00 the end of input (hal_console_read returns
 * 0 once the bytes before it are read), and 0xff "W" ROWS ";" COLS "w"
 * (decimal digits) a new terminal size, for which the core hears
 * kern_console_resize. No escape contains 0x01: QEMU's mux would take it
 * for its Ctrl-A. The escapes are undone as bytes leave the UART.
 * When the ring is full, input stays in the UART and its interrupt is off
 * until the core reads: QEMU holds the rest back, so nothing is dropped.
 */
#include <kern/klib.h>
#include <uapi/errno.h>

#include "bm.h"

#define COM1 0x3f8
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define COM1_IRQ 4 /* ISA */

static uint8_t rx_ring[4096];
static size_t rx_head, rx_tail; /* head: next to read; tail: next free */
static bool rx_armed;
static bool rx_escaped;	   /* ember.stdin=escaped */
static bool rx_eof;	   /* the escaped end of input came in */
static bool rx_irq;	   /* serial_init_irq routed the interrupt */
static unsigned esc_state; /* 0, 1 after 0xff, 2 rows, 3 cols */
static unsigned esc_rows, esc_cols;
static bool resize_due;
static unsigned tty_mask = 7;
static bool onlcr;
static bool raw; /* the core's line discipline processes the output */
static unsigned short win_rows, win_cols;

static void drain(void);

void serial_early_init(void)
{
	/* Input may wait from before boot: it stays in the UART until the
	 * boot words say how to read it (serial_init_irq). The FIFO mode is
	 * left as the firmware set it: switching it clears the receiver, and
	 * QEMU holds further input back while the receive register is full. */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x80); /* divisor latch */
	outb(COM1 + 0, 1);	     /* 115200 baud */
	outb(COM1 + 1, 0);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (the IRQ line) */
}

void serial_putc_raw(char c)
{
	/* A missing UART reads 0xff: do not spin forever on it. */
	for (int i = 0; i < 1000000; i++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_THR, (uint8_t)c);
}

static void serial_put(const char *s, size_t len, bool crlf)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' && crlf)
			serial_putc_raw('\r');
		serial_putc_raw(s[i]);
	}
}

void serial_flush(void)
{
	for (int i = 0; i < 1000000; i++)
		if (inb(COM1 + UART_LSR) & LSR_TEMT)
			break;
}

/* One byte from the line, escapes undone, into the ring (which has room). */
static void receive(uint8_t c)
{
	if (!rx_escaped || rx_eof) {
		if (!rx_eof)
			rx_ring[rx_tail++ % sizeof(rx_ring)] = c;
		return;
	}
	switch (esc_state) {
	case 0:
		if (c == 0xff)
			esc_state = 1;
		else
			rx_ring[rx_tail++ % sizeof(rx_ring)] = c;
		return;
	case 1:
		esc_state = 0;
		if (c == 0xff)
			rx_ring[rx_tail++ % sizeof(rx_ring)] = c;
		else if (c == 0x00)
			rx_eof = true;
		else if (c == 'W') {
			esc_state = 2;
			esc_rows = esc_cols = 0;
		}
		return;
	default:
		if (c >= '0' && c <= '9') {
			unsigned *v = esc_state == 2 ? &esc_rows : &esc_cols;

			*v = *v * 10 + (unsigned)(c - '0');
			if (*v > 0xffff)
				*v = 0xffff;
		} else if (c == ';' && esc_state == 2) {
			esc_state = 3;
		} else {
			if (c == 'w' && esc_state == 3) {
				win_rows = (unsigned short)esc_rows;
				win_cols = (unsigned short)esc_cols;
				resize_due = true;
			}
			esc_state = 0;
		}
		return;
	}
}

static void drain(void)
{
	uint8_t lsr;

	while (rx_tail - rx_head < sizeof(rx_ring) &&
	       ((lsr = inb(COM1 + UART_LSR)) & LSR_DR)) {
		if (lsr == 0xff)
			break; /* no UART */
		receive(inb(COM1 + UART_RBR));
	}
	if (rx_irq)
		outb(COM1 + UART_IER,
		     rx_tail - rx_head < sizeof(rx_ring) ? 0x01 : 0x00);
}

static void ioapic_write(uint64_t phys, uint32_t reg, uint32_t v)
{
	volatile uint32_t *io = bm_phys_to_virt(phys);

	io[0] = reg;
	io[4] = v;
}

static uint32_t ioapic_read(uint64_t phys, uint32_t reg)
{
	volatile uint32_t *io = bm_phys_to_virt(phys);

	io[0] = reg;
	return io[4];
}

static void parse_console_words(void)
{
	const char *v = bm_cmdline_get("tty");

	if (v && *v >= '0' && *v <= '7')
		tty_mask = (unsigned)(*v - '0');
	v = bm_cmdline_get("onlcr");
	onlcr = v && *v == '1';
	v = bm_cmdline_get("stdin");
	rx_escaped = v && strncmp(v, "escaped", 7) == 0;
	v = bm_cmdline_get("winsize");
	if (v) {
		const char *end;

		win_rows = (unsigned short)kstrtou64(v, &end, 10);
		if (*end == 'x')
			win_cols = (unsigned short)kstrtou64(end + 1, NULL, 10);
	}
}

void serial_init_irq(void)
{
	uint32_t gsi, pin;
	uint64_t ioapic;
	bool level, active_low;
	unsigned pins;

	parse_console_words();
	/* The 8259s: remapped away from the exception vectors, all masked. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, VEC_PIC_BASE);
	outb(0xa1, VEC_PIC_BASE + 8);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);

	acpi_isa_irq(COM1_IRQ, &gsi, &level, &active_low);
	if (!acpi_ioapic_for(gsi, &ioapic, &pin)) {
		bm_printf("ember: no I/O APIC for the serial port (GSI %u)",
			  gsi);
		return;
	}
	pins = ((ioapic_read(ioapic, 1) >> 16) & 0xff) + 1;
	for (unsigned i = 0; i < pins; i++) {
		ioapic_write(ioapic, 0x10 + 2 * i, 0x10000);
		ioapic_write(ioapic, 0x11 + 2 * i, 0);
	}
	/* Fixed delivery to this CPU, physical destination. */
	ioapic_write(ioapic, 0x11 + 2 * pin, lapic_id() << 24);
	ioapic_write(ioapic, 0x10 + 2 * pin,
		     VEC_COM1 | (level ? 1u << 15 : 0) |
			     (active_low ? 1u << 13 : 0));
	rx_irq = true;
	drain(); /* and "received data available" on */
}

void serial_irq(void)
{
	drain();
}

bool serial_event_due(void)
{
	if (!rx_armed)
		return false;
	drain();
	if (rx_head == rx_tail && !rx_eof)
		return false;
	rx_armed = false;
	return true;
}

bool serial_resize_due(void)
{
	bool due = resize_due;

	resize_due = false;
	return due;
}

void hal_log(const char *msg, size_t len)
{
	serial_put(msg, len, onlcr);
	if (len == 0 || msg[len - 1] != '\n')
		serial_put("\n", 1, onlcr);
}

long hal_console_write(int stream, const void *buf, size_t len)
{
	serial_put(buf, len, onlcr && !raw);
	return (long)len;
}

long hal_console_read(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t n = 0;

	drain();
	while (n < len && rx_head != rx_tail)
		p[n++] = rx_ring[rx_head++ % sizeof(rx_ring)];
	drain(); /* room again: input held in the UART comes in */
	if (n)
		return (long)n;
	return rx_eof ? 0 : -EAGAIN;
}

void hal_console_poll(void)
{
	rx_armed = true;
}

int hal_console_set_raw(bool on)
{
	/* Input is always raw here; only output processing changes hands. */
	if (!(tty_mask & 1))
		return -ENOTTY;
	raw = on;
	return 0;
}

bool hal_console_isatty(int stream)
{
	if (stream < 0 || stream > 2)
		return false;
	return tty_mask & (1u << stream);
}

/* The UART has no line discipline of its own: it is always raw. */
int hal_console_winsize(unsigned short *rows, unsigned short *cols)
{
	if (!tty_mask)
		return -ENOTTY;
	/* A serial line has no size of its own: Linux reports 0x0. */
	*rows = win_rows;
	*cols = win_cols;
	return 0;
}

/* A serial line has no settings to hand over: the core's defaults. */
int hal_console_termios(uint32_t flags[4], uint8_t cc[17])
{
	return -ENOTTY;
}
