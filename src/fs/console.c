/*
 * console.c: /dev/console, /dev/tty and init's fds 0-2. With a terminal on
 * the HAL's input the console is a tty (tty.c, raw HAL, input pulled at
 * once so ^C reaches a busy group, init's controlling terminal); else
 * bytes pass through to the file's HAL stream, input is read on demand
 * (a look-ahead buffer serves poll and FIONREAD) and a terminal stream
 * answers termios ioctls from stored settings.
 * Layer: driver; relies on tty.c, the HAL console, uaccess and sched.h.
 */
#include <kern/tty.h>
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

/* The console as a tty, once the HAL's input is known to be a terminal. */
static struct tty con_tty;
static bool con_ldisc;
static int con_out = HAL_CON_OUT; /* where the tty's output goes */

static int stream_of(struct file *f)
{
	return (int)(uintptr_t)f->priv;
}

static void console_pull(void);

static long con_drv_write(struct tty *t, const void *buf, size_t len)
{
	/* An error of the host side loses the bytes, as a dead line would. */
	hal_console_write(con_out, buf, len);
	return (long)len;
}

static void con_drv_input_room(struct tty *t)
{
	console_pull();
}

static int con_drv_open(struct tty *t, struct file *f)
{
	return console_open_file(f, con_out);
}

static const struct tty_ops con_tty_ops = {
	.write = con_drv_write,
	.input_room = con_drv_input_room,
	.open = con_drv_open,
};

/* Moves what the HAL has into the line discipline, as far as the queue
 * has room; arms the HAL for more. */
static void console_pull(void)
{
	static bool pulling;
	char buf[256];

	/* A ^C flushing the queue asks for more input from inside this
	 * loop: the bytes still in buf must go first. */
	if (pulling)
		return;
	pulling = true;
	while (!con_tty.input_eof) {
		size_t room = tty_input_room(&con_tty);
		long n;

		if ((con_tty.termios.c_lflag & ICANON) && room == 0)
			room = 1; /* canonical input never stalls: it drops */
		if (room == 0)
			break;
		n = hal_console_read(buf, MIN(room, sizeof(buf)));
		if (n == -EAGAIN) {
			hal_console_poll();
			break;
		}
		if (n <= 0) {
			/* End of input (the terminal went away). */
			con_tty.input_eof = true;
			waitq_wake_all(&con_tty.read_wq);
			waitq_notify(&con_tty.poll_wq, POLLIN | POLLHUP);
			break;
		}
		tty_receive(&con_tty, buf, (size_t)n);
	}
	pulling = false;
}

static void console_resize(void)
{
	unsigned short rows, cols;
	struct winsize ws;

	if (hal_console_winsize(&rows, &cols) < 0)
		return;
	ws = con_tty.winsize;
	ws.ws_row = rows;
	ws.ws_col = cols;
	tty_set_winsize(&con_tty, &ws);
}

/* Is the console a tty now? The first time the HAL says its input is a
 * terminal, the tty starts: raw host side, init's controlling terminal. */
static bool console_ldisc(void)
{
	struct task *init;
	uint32_t fl[4];
	uint8_t cc[17];

	if (con_ldisc)
		return true;
	if (!hal_console_isatty(HAL_CON_IN))
		return false;
	con_ldisc = true;
	tty_init(&con_tty, &con_tty_ops, uapi_makedev(5, 1));
	/* The host terminal's own settings (IUTF8, its erase key...), as a
	 * program started from it would find them. */
	if (hal_console_termios(fl, cc) == 0) {
		con_tty.termios.c_iflag = fl[0];
		con_tty.termios.c_oflag = fl[1];
		con_tty.termios.c_cflag = fl[2];
		con_tty.termios.c_lflag = fl[3];
		memcpy(con_tty.termios.c_cc, cc, sizeof(cc));
	}
	con_out = hal_console_isatty(HAL_CON_OUT) ? HAL_CON_OUT :
		  hal_console_isatty(HAL_CON_ERR) ? HAL_CON_ERR :
						    HAL_CON_OUT;
	console_resize();
	if (hal_console_set_raw(true) < 0)
		pr_warn("console: the host terminal stays in cooked mode");
	init = task_find(1);
	if (init && init->state == TASK_ALIVE)
		tty_set_ctty(&con_tty, init);
	console_pull();
	return true;
}

/* A console file works as the tty when its own stream is the terminal. */
static bool is_tty_file(struct file *f)
{
	int stream = stream_of(f);

	return console_ldisc() &&
	       (stream == HAL_CON_IN || hal_console_isatty(stream));
}

int console_open_file(struct file *f, int stream)
{
	f->ops = &console_fops;
	f->priv = (void *)(uintptr_t)stream;
	if (console_ldisc())
		return tty_open(&con_tty, f->flags, false);
	return 0;
}

int console_open_dev(struct file *f)
{
	return console_open_file(f, console_ldisc() ? con_out : HAL_CON_OUT);
}

int console_open_ctty(struct file *f)
{
	if (console_ldisc() || tty_of_task(cur_task()))
		return tty_open_ctty(f);
	/* Passing through: the host's terminal, if it has one, is ours. */
	if (hal_console_isatty(HAL_CON_OUT) || hal_console_isatty(HAL_CON_ERR))
		return console_open_file(f, HAL_CON_OUT);
	return -ENXIO;
}

void kern_console_event(void)
{
	if (con_ldisc)
		console_pull();
	/* Readers parked here, and poll/epoll hooks on the queue. */
	waitq_notify(&console_wq, POLLIN | POLLRDNORM);
	sched_run_pending();
}

int tty_console_fg_pgrp(void)
{
	if (con_ldisc)
		return con_tty.pgrp;
	return fg_pgrp;
}

void kern_console_resize(void)
{
	if (con_ldisc)
		console_resize();
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

	if (console_ldisc())
		return tty_read(&con_tty, f, buf, len);
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

	if (is_tty_file(f))
		return tty_write(&con_tty, f, buf, len);
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
	long n;

	if (is_tty_file(f))
		return tty_poll(&con_tty, f, wq);
	if (console_ldisc()) {
		/* Output to a redirected stream; input from the tty. */
		mask = tty_poll(&con_tty, f, wq) & (POLLIN | POLLHUP);
		return mask | FS_POLLOUT;
	}
	n = look_ahead();
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

static long console_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	bool tty = hal_console_isatty(stream_of(f));
	struct task *t = cur_task();
	unsigned short rows, cols;
	struct termios tio;
	struct winsize ws;
	int v;
	long n;

	if (is_tty_file(f))
		return tty_ioctl(&con_tty, f, cmd, arg);
	if (console_ldisc()) {
		if (cmd != FIONREAD)
			return -ENOTTY;
		return tty_ioctl(&con_tty, f, cmd, arg);
	}
	switch (cmd) {
	case TCGETS:
		if (!tty)
			return -ENOTTY;
		if (term_set)
			tio = term;
		else
			tty_default_termios(&tio);
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
