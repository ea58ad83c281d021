/*
 * console.c: the console as a terminal device (/dev/console, /dev/tty and
 * the first three fds of init). Output goes to the HAL stream the file was
 * opened on (OUT or ERR); input comes from hal_console_read, and a reader
 * that finds nothing parks on console_wq until kern_console_event. A small
 * buffer lets poll and FIONREAD look at input without losing it. Terminal
 * settings are stored and reported but line discipline is the host's.
 * Layer: driver; relies on the HAL console, uaccess and sched.h blocking.
 */
#include <kern/uaccess.h>
#include <uapi/termios.h>

#include "internal.h"

static struct waitq console_wq = { LIST_HEAD_INIT(console_wq.waiters) };

/* Input read ahead by poll/FIONREAD, handed out before the HAL's. */
static char in_buf[1024];
static size_t in_len, in_off;
static bool in_eof; /* the HAL reported end of input during a look-ahead */

static struct termios term;
static bool term_set;
static struct winsize winsz; /* from TIOCSWINSZ */
static int fg_pgrp;	     /* 0: the reading task's own group */

static int stream_of(struct file *f)
{
	return (int)(uintptr_t)f->priv;
}

int console_open_file(struct file *f, int stream)
{
	f->ops = &console_fops;
	f->priv = (void *)(uintptr_t)stream;
	return 0;
}

void kern_console_event(void)
{
	/* Readers parked here, and poll/epoll hooks on the queue. */
	waitq_notify(&console_wq, POLLIN | POLLRDNORM);
	sched_run_pending();
}

/* Fills in_buf from the HAL if it is empty: bytes buffered, or -EAGAIN /
 * -EIO; end of input sets in_eof. */
static long look_ahead(void)
{
	long n;

	if (in_off < in_len)
		return (long)(in_len - in_off);
	if (in_eof)
		return 0;
	n = hal_console_read(in_buf, sizeof(in_buf));
	if (n < 0)
		return n;
	in_off = 0;
	in_len = (size_t)n;
	if (n == 0)
		in_eof = true;
	return n;
}

static long console_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	long n;

	if (len == 0)
		return 0;
	if (in_off < in_len) {
		n = (long)MIN(len, in_len - in_off);
		memcpy(buf, in_buf + in_off, (size_t)n);
		in_off += (size_t)n;
		return n;
	}
	if (in_eof) {
		in_eof = false;
		return 0;
	}
	n = hal_console_read(buf, len);
	if (n != -EAGAIN)
		return n;
	/* Also for a non-blocking reader: an edge-triggered epoll waits
	 * for the event after reading until EAGAIN. */
	hal_console_poll();
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (current && current->resumed && current->wake_reason == WAKE_SIGNAL)
		return -EINTR;
	return sched_block(&console_wq, 0);
}

static long console_write(struct file *f, const void *buf, size_t len,
			  uint64_t *pos)
{
	int stream = stream_of(f);

	if (stream == HAL_CON_IN)
		stream = HAL_CON_OUT;
	if (len == 0)
		return 0;
	return hal_console_write(stream, buf, len);
}

static long console_llseek(struct file *f, int64_t off, int whence)
{
	return -ESPIPE;
}

static unsigned console_poll(struct file *f, struct waitq **wq)
{
	unsigned mask = FS_POLLOUT;
	long n = look_ahead();

	if (wq)
		*wq = &console_wq;
	if (n >= 0)
		mask |= FS_POLLIN;
	else if (n == -EAGAIN)
		hal_console_poll();
	else
		mask |= FS_POLLERR;
	return mask;
}

static void default_termios(struct termios *t)
{
	static const uint8_t cc[NCCS] = {
		[VINTR] = 003,	  [VQUIT] = 034,    [VERASE] = 0177,
		[VKILL] = 025,	  [VEOF] = 004,	    [VTIME] = 0,
		[VMIN] = 1,	  [VSWTC] = 0,	    [VSTART] = 021,
		[VSTOP] = 023,	  [VSUSP] = 032,    [VEOL] = 0,
		[VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027,
		[VLNEXT] = 026,	  [VEOL2] = 0,
	};

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN | ECHOCTL |
		     ECHOKE;
	memcpy(t->c_cc, cc, NCCS);
}

static long console_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	bool tty = hal_console_isatty(stream_of(f));
	struct task *t = cur_task();
	unsigned short rows, cols;
	struct termios tio;
	struct winsize ws;
	int v;
	long n;

	switch (cmd) {
	case TCGETS:
		if (!tty)
			return -ENOTTY;
		if (term_set)
			tio = term;
		else
			default_termios(&tio);
		return copy_to_user(arg, &tio, sizeof(tio));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (!tty)
			return -ENOTTY;
		if (copy_from_user(&tio, arg, sizeof(tio)))
			return -EFAULT;
		term = tio;
		term_set = true;
		if (cmd == TCSETSF)
			in_off = in_len = 0;
		return 0;
	case TIOCGWINSZ:
		if (!tty || hal_console_winsize(&rows, &cols) < 0)
			return -ENOTTY;
		/* The host terminal's size always wins (it changes with
		 * SIGWINCH); only the pixel sizes come from TIOCSWINSZ. */
		ws = winsz;
		ws.ws_row = rows;
		ws.ws_col = cols;
		return copy_to_user(arg, &ws, sizeof(ws));
	case TIOCSWINSZ:
		if (!tty)
			return -ENOTTY;
		if (copy_from_user(&ws, arg, sizeof(ws)))
			return -EFAULT;
		winsz = ws;
		return 0;
	case TIOCGPGRP:
		if (!tty)
			return -ENOTTY;
		v = fg_pgrp ? fg_pgrp : (t ? t->pgid : 0);
		return copy_to_user(arg, &v, sizeof(v));
	case TIOCSPGRP:
		if (!tty)
			return -ENOTTY;
		if (copy_from_user(&v, arg, sizeof(v)))
			return -EFAULT;
		if (v < 0)
			return -EINVAL;
		fg_pgrp = v;
		return 0;
	case TIOCGSID:
		if (!tty)
			return -ENOTTY;
		v = t ? t->sid : 0;
		return copy_to_user(arg, &v, sizeof(v));
	case FIONREAD:
		n = look_ahead();
		if (n == -EAGAIN)
			n = 0;
		if (n < 0)
			return n;
		v = (int)n;
		return copy_to_user(arg, &v, sizeof(v));
	case TCFLSH:
		if (!tty)
			return -ENOTTY;
		if (arg > 2)
			return -EINVAL;
		if (arg != 1) /* TCIFLUSH or TCIOFLUSH */
			in_off = in_len = 0;
		return 0;
	default:
		return -ENOTTY;
	}
}

const struct file_ops console_fops = {
	.read = console_read,
	.write = console_write,
	.llseek = console_llseek,
	.ioctl = console_ioctl,
	.poll = console_poll,
};

int console_open_stdio(void)
{
	struct path p;
	int err = vfs_walk(AT_FDCWD, "/dev/console", LOOKUP_FOLLOW, &p);

	if (err < 0)
		return err;
	for (int fd = 0; fd < 3 && err >= 0; fd++) {
		struct file *f = vfs_open_path(&p, O_RDWR | O_LARGEFILE);

		if (IS_ERR(f)) {
			err = (int)PTR_ERR(f);
			break;
		}
		if (f->ops != &console_fops)
			err = -ENXIO;
		else
			console_open_file(f, fd); /* HAL_CON_IN, OUT, ERR */
		if (err >= 0)
			err = fd_install_at(fd, f, false);
		file_put(f);
	}
	path_put(&p);
	return err < 0 ? err : 0;
}
