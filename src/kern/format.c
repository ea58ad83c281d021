/*
 * format.c: kvsnprintf/ksnprintf, the core's printf (layer: klib; relies
 * on nothing but <stdarg.h>). Output follows C99 snprintf for the subset
 * kern/klib.h documents, so tests can compare it with the host's.
 */
#include <kern/klib.h>

struct out {
	char *buf;
	size_t size;
	size_t pos; /* length of the full output so far */
};

static void put_char(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		put_char(o, c);
}

static void put_str(struct out *o, const char *s, size_t n)
{
	while (n--)
		put_char(o, *s++);
}

#define F_LEFT 0x01
#define F_ZERO 0x02
#define F_PLUS 0x04
#define F_SPACE 0x08
#define F_ALT 0x10

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: none */
};

/* Lays out sign/prefix, zero padding, digits and width padding. */
static void put_number(struct out *o, const struct spec *sp, uint64_t v,
		       bool negative, unsigned base, bool upper, bool is_signed,
		       bool is_ptr)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0;
	char prefix[3];
	int np = 0;
	int zeros = 0;
	int len;

	while (v) {
		tmp[nd++] = digits[v % base];
		v /= base;
	}
	/* Precision 0 and value 0 print no digits; otherwise at least one. */
	if (nd == 0 && sp->prec != 0)
		tmp[nd++] = '0';

	if (is_signed) {
		if (negative)
			prefix[np++] = '-';
		else if (sp->flags & F_PLUS)
			prefix[np++] = '+';
		else if (sp->flags & F_SPACE)
			prefix[np++] = ' ';
	}
	if (is_ptr || ((sp->flags & F_ALT) && base == 16 && nd &&
		       !(nd == 1 && tmp[0] == '0'))) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}

	if (sp->prec > nd)
		zeros = sp->prec - nd;
	/* "%#o" makes the first digit a zero, through precision if needed. */
	if ((sp->flags & F_ALT) && base == 8 && zeros == 0 &&
	    (nd == 0 || tmp[nd - 1] != '0'))
		zeros = 1;

	len = np + zeros + nd;
	if (!(sp->flags & F_LEFT) && (sp->flags & F_ZERO) && sp->prec < 0 &&
	    sp->width > len) {
		zeros += sp->width - len;
		len = sp->width;
	}
	if (!(sp->flags & F_LEFT))
		put_repeat(o, ' ', sp->width - len);
	put_str(o, prefix, (size_t)np);
	put_repeat(o, '0', zeros);
	while (nd)
		put_char(o, tmp[--nd]);
	if (sp->flags & F_LEFT)
		put_repeat(o, ' ', sp->width - len);
}

static void put_padded(struct out *o, const struct spec *sp, const char *s,
		       size_t n)
{
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!(sp->flags & F_LEFT))
		put_repeat(o, ' ', pad);
	put_str(o, s, n);
	if (sp->flags & F_LEFT)
		put_repeat(o, ' ', pad);
}

enum length { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE };

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		struct spec sp = { 0, 0, -1 };
		enum length len = L_INT;
		unsigned base = 10;
		bool upper = false;
		uint64_t v;
		int64_t sv;

		if (*fmt != '%') {
			put_char(&o, *fmt++);
			continue;
		}
		fmt++;

		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= F_LEFT;
			else if (*fmt == '0')
				sp.flags |= F_ZERO;
			else if (*fmt == '+')
				sp.flags |= F_PLUS;
			else if (*fmt == ' ')
				sp.flags |= F_SPACE;
			else if (*fmt == '#')
				sp.flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(args, int);
			if (sp.width < 0) {
				sp.flags |= F_LEFT;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(args, int);
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
			}
		}

		switch (*fmt) {
		case 'h':
			fmt++;
			len = L_SHORT;
			if (*fmt == 'h') {
				fmt++;
				len = L_CHAR;
			}
			break;
		case 'l':
			fmt++;
			len = L_LONG;
			if (*fmt == 'l') {
				fmt++;
				len = L_LLONG;
			}
			break;
		case 'z':
		case 't':
		case 'j':
			fmt++;
			len = L_SIZE;
			break;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			switch (len) {
			case L_CHAR:
				sv = (signed char)va_arg(args, int);
				break;
			case L_SHORT:
				sv = (short)va_arg(args, int);
				break;
			case L_LONG:
				sv = va_arg(args, long);
				break;
			case L_LLONG:
				sv = va_arg(args, long long);
				break;
			case L_SIZE:
				sv = va_arg(args, long);
				break;
			default:
				sv = va_arg(args, int);
				break;
			}
			/* Negate in unsigned arithmetic so INT64_MIN works. */
			v = sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv;
			put_number(&o, &sp, v, sv < 0, 10, false, true, false);
			break;
		case 'X':
			upper = true;
			/* fallthrough */
		case 'x':
			base = 16;
			goto unsigned_conv;
		case 'o':
			base = 8;
			goto unsigned_conv;
		case 'u':
unsigned_conv:
			switch (len) {
			case L_CHAR:
				v = (unsigned char)va_arg(args, unsigned);
				break;
			case L_SHORT:
				v = (unsigned short)va_arg(args, unsigned);
				break;
			case L_LONG:
				v = va_arg(args, unsigned long);
				break;
			case L_LLONG:
				v = va_arg(args, unsigned long long);
				break;
			case L_SIZE:
				v = va_arg(args, size_t);
				break;
			default:
				v = va_arg(args, unsigned);
				break;
			}
			put_number(&o, &sp, v, false, base, upper, false,
				   false);
			break;
		case 'p': {
			void *p = va_arg(args, void *);

			/* As glibc prints it, so logs read the same. */
			if (!p) {
				put_padded(&o, &sp, "(nil)", 5);
				break;
			}
			put_number(&o, &sp, (uintptr_t)p, false, 16, false,
				   false, true);
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);

			put_padded(&o, &sp, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);
			size_t n;

			if (!s)
				s = "(null)";
			n = sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) :
					   strlen(s);
			put_padded(&o, &sp, s, n);
			break;
		}
		case '%':
			put_char(&o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it and stop. */
			put_char(&o, '%');
			fmt--;
			break;
		default:
			/* Unknown conversion: show it rather than guess. */
			put_char(&o, '%');
			put_char(&o, *fmt);
			break;
		}
		fmt++;
	}
	va_end(args);

	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return (int)o.pos;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
