/*
 * tty.c: the line discipline and controlling terminals for every terminal
 * driver (console.c, pty.c): input through termios(3) processing into a
 * ring of lines or raw bytes, output and echo through OPOST, ISIG signals,
 * SIGTTIN/SIGTTOU, SIGWINCH, hangups. A task's controlling terminal is the
 * one whose session is the task's (struct task needs no field for it).
 * Layer: driver core; relies on proc's signals, uaccess, sched.h blocking
 * (VTIME is sched_block's deadline on the core's timers).
 */
#include <kern/timer.h>
#include <kern/tty.h>
#include <kern/uaccess.h>
#include <uapi/signal.h>

#include "internal.h"

static LIST_HEAD(tty_list);

/* Non-leaders that gave up their controlling terminal (TIOCNOTTY): the
 * entry holds while the task stays in that session. */
#define NOCTTY_MAX 16
static struct {
	int pid, sid;
} noctty[NOCTTY_MAX];

#define IFLAG(t, f) (((t)->termios.c_iflag & (f)) != 0)
#define OFLAG(t, f) (((t)->termios.c_oflag & (f)) != 0)
#define LFLAG(t, f) (((t)->termios.c_lflag & (f)) != 0)

/* _POSIX_VDISABLE is '\0' on Linux: a zero c_cc entry matches nothing. */
static bool is_cc(const struct tty *t, uint8_t c, int idx)
{
	return t->termios.c_cc[idx] != 0 && t->termios.c_cc[idx] == c;
}

static bool is_ctl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_utf8_cont(const struct tty *t, uint8_t c)
{
	return IFLAG(t, IUTF8) && (c & 0xc0) == 0x80;
}

void tty_default_termios(struct termios *t)
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

void tty_init(struct tty *tty, const struct tty_ops *ops, uint64_t rdev)
{
	memset(tty, 0, sizeof(*tty));
	tty_default_termios(&tty->termios);
	tty->ops = ops;
	tty->rdev = rdev;
	waitq_init(&tty->read_wq);
	waitq_init(&tty->write_wq);
	waitq_init(&tty->poll_wq);
	list_add_tail(&tty->link, &tty_list);
}

static void wake_readers(struct tty *t)
{
	waitq_wake_all(&t->read_wq);
	waitq_notify(&t->poll_wq, POLLIN | POLLRDNORM);
}

static void wake_writers(struct tty *t)
{
	waitq_wake_all(&t->write_wq);
	waitq_notify(&t->poll_wq, POLLOUT | POLLWRNORM);
}

void tty_remove(struct tty *tty)
{
	list_del(&tty->link);
	list_init(&tty->link);
	tty->session = tty->pgrp = 0;
	tty->hung_up = true;
	wake_readers(tty);
	wake_writers(tty);
}

/* ---- sessions ---- */

static bool gave_up_ctty(const struct task *task)
{
	for (int i = 0; i < NOCTTY_MAX; i++)
		if (noctty[i].pid == task->pid && noctty[i].sid == task->sid)
			return true;
	return false;
}

static void forget_noctty(const struct task *task)
{
	for (int i = 0; i < NOCTTY_MAX; i++)
		if (noctty[i].pid == task->pid)
			noctty[i].pid = 0;
}

struct tty *tty_of_task(const struct task *task)
{
	struct tty *t;

	if (!task || task->sid <= 0 || gave_up_ctty(task))
		return NULL;
	list_for_each_entry(t, &tty_list, link) {
		if (t->session == task->sid)
			return t;
	}
	return NULL;
}

static struct tty *tty_of_session(int sid)
{
	struct tty *t;

	if (sid <= 0)
		return NULL;
	list_for_each_entry(t, &tty_list, link) {
		if (t->session == sid)
			return t;
	}
	return NULL;
}

void tty_set_ctty(struct tty *tty, struct task *task)
{
	if (!task || task->pid != task->sid || tty_of_session(task->sid) ||
	    tty->session)
		return;
	forget_noctty(task);
	tty->session = task->sid;
	tty->pgrp = task->pgid;
}

void tty_stat_fields(const struct task *task, int *tty_nr, int *tpgid)
{
	struct tty *t = tty_of_task(task);
	uint32_t major, minor;

	*tty_nr = 0;
	*tpgid = -1;
	if (!t)
		return;
	major = uapi_major(t->rdev);
	minor = uapi_minor(t->rdev);
	*tty_nr = (int)((minor & 0xff) | ((major & 0xfff) << 8) |
			((minor & ~0xffu) << 12));
	if (t->pgrp > 0)
		*tpgid = t->pgrp;
}

void tty_disassociate(struct tty *tty)
{
	tty->session = 0;
	tty->pgrp = 0;
}

void tty_session_leader_exit(int sid)
{
	struct tty *t = tty_of_session(sid);

	if (!t)
		return;
	if (t->pgrp > 0) {
		proc_signal_pgrp(t->pgrp, SIGHUP);
		proc_signal_pgrp(t->pgrp, SIGCONT);
	}
	tty_disassociate(t);
}

void tty_hangup(struct tty *tty)
{
	struct task *leader = tty->session ? task_find(tty->session) : NULL;

	tty->hung_up = true;
	if (leader && leader->state == TASK_ALIVE) {
		proc_signal_task(leader, SIGHUP);
		proc_signal_task(leader, SIGCONT);
	}
	tty_disassociate(tty);
	wake_readers(tty);
	wake_writers(tty);
}

/*
 * Job control before current uses t: only a task t controls is subject
 * to it. 0 to go on, -EIO, or -ERESTARTSYS once current's group stopped.
 */
static int job_check(struct tty *t, int sig)
{
	struct task *task = cur_task();

	if (!task || tty_of_task(task) != t || t->pgrp <= 0)
		return 0;
	return proc_tty_access(t->pgrp, sig);
}

static bool pgrp_exists(int pgid)
{
	for (struct task *task = task_next(1); task;
	     task = task_next(task->pid + 1)) {
		if (task->state == TASK_ALIVE && task->pgid == pgid)
			return true;
	}
	return false;
}

/* ---- output ---- */

static size_t out_room(struct tty *t)
{
	return t->ops->write_room ? t->ops->write_room(t) : (size_t)-1;
}

/* OPOST processing of c: the bytes to send (at most 2). */
static unsigned expand(const struct tty *t, uint8_t c, uint8_t out[2])
{
	if (!OFLAG(t, OPOST)) {
		out[0] = c;
		return 1;
	}
	switch (c) {
	case '\n':
		if (OFLAG(t, ONLCR)) {
			out[0] = '\r';
			out[1] = '\n';
			return 2;
		}
		break;
	case '\r':
		if (OFLAG(t, ONOCR) && t->column == 0)
			return 0;
		if (OFLAG(t, OCRNL))
			c = '\n';
		break;
	default:
		if (OFLAG(t, OLCUC) && c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 'a' + 'A');
		break;
	}
	out[0] = c;
	return 1;
}

static void track_column(struct tty *t, uint8_t c)
{
	switch (c) {
	case '\r':
		t->column = 0;
		break;
	case '\n':
		if (OFLAG(t, OPOST) && OFLAG(t, ONLRET))
			t->column = 0;
		break;
	case '\b':
		if (t->column)
			t->column--;
		break;
	case '\t':
		t->column = (t->column | 7) + 1;
		break;
	default:
		if (!is_ctl(c) && !is_utf8_cont(t, c))
			t->column++;
		break;
	}
}

/* Sends buf through OPOST to the driver as far as it has room; returns
 * the bytes of buf consumed. */
static size_t do_output(struct tty *t, const uint8_t *buf, size_t len)
{
	uint8_t stage[256];
	size_t room = out_room(t), n = 0, i;

	for (i = 0; i < len; i++) {
		uint8_t x[2];
		unsigned k = expand(t, buf[i], x);

		if (k > room)
			break;
		if (n + k > sizeof(stage)) {
			t->ops->write(t, stage, n);
			n = 0;
		}
		for (unsigned j = 0; j < k; j++) {
			stage[n++] = x[j];
			track_column(t, x[j]);
		}
		room -= k;
	}
	if (n)
		t->ops->write(t, stage, n);
	return i;
}

static void echo_raw(struct tty *t, const char *s, size_t n)
{
	do_output(t, (const uint8_t *)s, n);
}

/* Echo of one input byte: control characters as ^X with ECHOCTL. */
static void echo_char(struct tty *t, uint8_t c)
{
	if (LFLAG(t, ECHOCTL) && is_ctl(c) && c != '\t' && c != '\n') {
		uint8_t b[2] = { '^', (uint8_t)(c ^ 0100) };

		do_output(t, b, 2);
	} else {
		do_output(t, &c, 1);
	}
}

/* ---- input ---- */

static unsigned qlen(const struct tty *t)
{
	return t->head - t->tail;
}

size_t tty_input_room(const struct tty *t)
{
	return TTY_BUF - qlen(t);
}

static void put(struct tty *t, uint8_t c, uint8_t flags)
{
	t->ibuf[t->head % TTY_BUF] = c;
	t->iflags[t->head % TTY_BUF] = flags;
	t->head++;
}

static void packet_event(struct tty *t, uint8_t status)
{
	if (t->ops->packet)
		t->ops->packet(t, status);
}

static void flush_input(struct tty *t)
{
	t->tail = t->canon_head = t->head;
	t->lnext = false;
	packet_event(t, TIOCPKT_FLUSHREAD);
	if (t->ops->input_room)
		t->ops->input_room(t);
}

static void stop_output(struct tty *t)
{
	if (t->stopped)
		return;
	t->stopped = true;
	packet_event(t, TIOCPKT_STOP);
}

static void start_output(struct tty *t)
{
	if (!t->stopped)
		return;
	t->stopped = false;
	packet_event(t, TIOCPKT_START);
	wake_writers(t);
}

static void isig(struct tty *t, int sig, uint8_t c)
{
	if (!LFLAG(t, NOFLSH)) {
		flush_input(t);
		if (t->ops->flush_output)
			t->ops->flush_output(t);
	}
	if (IFLAG(t, IXON))
		start_output(t);
	if (LFLAG(t, ECHO))
		echo_char(t, c);
	if (t->pgrp > 0)
		proc_signal_pgrp(t->pgrp, sig);
}

/* Display width of the edited line up to (not including) index end,
 * starting at canon_column: where a tab being erased began. */
static unsigned line_column(const struct tty *t, unsigned end)
{
	unsigned col = t->canon_column;

	for (unsigned i = t->canon_head; i != end; i++) {
		uint8_t c = t->ibuf[i % TTY_BUF];

		if (c == '\t')
			col = (col | 7) + 1;
		else if (is_ctl(c))
			col += LFLAG(t, ECHOCTL) ? 2 : 0;
		else if (!is_utf8_cont(t, c))
			col++;
	}
	return col;
}

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

static void erase_visual(struct tty *t, uint8_t c, unsigned at)
{
	if (c == '\t') {
		unsigned col = line_column(t, at);

		/* Counted: a full output side does not move the column. */
		for (unsigned n = t->column > col ? t->column - col : 0; n; n--)
			echo_raw(t, "\b", 1);
	} else if (is_ctl(c)) {
		if (LFLAG(t, ECHOCTL))
			echo_raw(t, "\b \b\b \b", 6);
	} else {
		echo_raw(t, "\b \b", 3);
	}
}

static void eraser(struct tty *t, uint8_t c, enum erase_kind kind)
{
	bool seen_word = false;

	if (t->head == t->canon_head)
		return;
	if (kind == ERASE_LINE &&
	    (!LFLAG(t, ECHO) ||
	     !(LFLAG(t, ECHOK) && LFLAG(t, ECHOKE) && LFLAG(t, ECHOE)))) {
		t->head = t->canon_head;
		if (LFLAG(t, ECHO)) {
			echo_char(t, c);
			if (LFLAG(t, ECHOK))
				echo_raw(t, "\n", 1);
			t->canon_column = t->column;
		}
		return;
	}
	while (t->head != t->canon_head) {
		unsigned at = t->head - 1;
		uint8_t ch = t->ibuf[at % TTY_BUF];

		/* A UTF-8 character goes whole. */
		while (is_utf8_cont(t, ch) && at != t->canon_head) {
			at--;
			ch = t->ibuf[at % TTY_BUF];
		}
		if (kind == ERASE_WORD) {
			bool word = (ch >= '0' && ch <= '9') ||
				    (ch >= 'a' && ch <= 'z') ||
				    (ch >= 'A' && ch <= 'Z') || ch == '_' ||
				    ch >= 0x80;

			if (word)
				seen_word = true;
			else if (seen_word)
				break;
		}
		t->head = at;
		if (LFLAG(t, ECHO)) {
			if (LFLAG(t, ECHOE))
				erase_visual(t, ch, at);
			else
				echo_char(t, c);
		}
		if (kind == ERASE_CHAR)
			break;
	}
}

static void reprint(struct tty *t, uint8_t c)
{
	echo_char(t, c);
	echo_raw(t, "\n", 1);
	t->canon_column = t->column;
	for (unsigned i = t->canon_head; i != t->head; i++)
		echo_char(t, t->ibuf[i % TTY_BUF]);
}

static void end_line(struct tty *t, uint8_t c, uint8_t flags)
{
	put(t, c, flags | TTY_F_EOL);
	t->canon_head = t->head;
}

/* One input byte; false when it could not be taken (non-canonical mode
 * with a full queue). */
static bool receive_byte(struct tty *t, uint8_t c)
{
	bool canon = LFLAG(t, ICANON);

	if (!canon && qlen(t) >= TTY_BUF)
		return false;
	if (IFLAG(t, ISTRIP))
		c &= 0x7f;
	if (IFLAG(t, IUCLC) && LFLAG(t, IEXTEN) && c >= 'A' && c <= 'Z')
		c = (uint8_t)(c - 'A' + 'a');
	if (t->lnext) {
		t->lnext = false;
		if (LFLAG(t, ECHO) && LFLAG(t, ECHOCTL))
			echo_raw(t, "\b\b", 2); /* over the "^\b" shown */
		goto literal;
	}
	if (IFLAG(t, IXON)) {
		if (is_cc(t, c, VSTOP) && !t->stopped) {
			stop_output(t);
			return true;
		}
		if (is_cc(t, c, VSTART)) {
			start_output(t);
			return true;
		}
		if (IFLAG(t, IXANY))
			start_output(t);
	}
	if (LFLAG(t, ISIG)) {
		int sig = is_cc(t, c, VINTR) ? SIGINT :
			  is_cc(t, c, VQUIT) ? SIGQUIT :
			  is_cc(t, c, VSUSP) ? SIGTSTP :
					       0;

		if (sig) {
			isig(t, sig, c);
			return true;
		}
	}
	if (c == '\r') {
		if (IFLAG(t, IGNCR))
			return true;
		if (IFLAG(t, ICRNL))
			c = '\n';
	} else if (c == '\n' && IFLAG(t, INLCR)) {
		c = '\r';
	}
	if (canon) {
		if (is_cc(t, c, VERASE)) {
			eraser(t, c, ERASE_CHAR);
			return true;
		}
		if (is_cc(t, c, VKILL)) {
			eraser(t, c, ERASE_LINE);
			return true;
		}
		if (is_cc(t, c, VWERASE) && LFLAG(t, IEXTEN)) {
			eraser(t, c, ERASE_WORD);
			return true;
		}
		if (is_cc(t, c, VLNEXT) && LFLAG(t, IEXTEN)) {
			t->lnext = true;
			if (LFLAG(t, ECHO) && LFLAG(t, ECHOCTL))
				echo_raw(t, "^\b", 2);
			return true;
		}
		if (is_cc(t, c, VREPRINT) && LFLAG(t, ECHO) &&
		    LFLAG(t, IEXTEN)) {
			reprint(t, c);
			return true;
		}
		/* A line end needs the one slot plain bytes leave free. */
		if (c == '\n') {
			if (qlen(t) >= TTY_BUF)
				return true;
			if (LFLAG(t, ECHO) || LFLAG(t, ECHONL))
				echo_raw(t, "\n", 1);
			end_line(t, c, 0);
			return true;
		}
		if (is_cc(t, c, VEOF)) {
			if (qlen(t) < TTY_BUF)
				end_line(t, c, TTY_F_EOF);
			return true;
		}
		if (is_cc(t, c, VEOL) ||
		    (is_cc(t, c, VEOL2) && LFLAG(t, IEXTEN))) {
			if (qlen(t) >= TTY_BUF)
				return true;
			if (LFLAG(t, ECHO))
				echo_char(t, c);
			end_line(t, c, 0);
			return true;
		}
	}
literal:
	if (canon && qlen(t) >= TTY_BUF - 1) {
		/* A full line: the byte is lost, as on Linux. */
		if (IFLAG(t, IMAXBEL) && LFLAG(t, ECHO))
			echo_raw(t, "\a", 1);
		return true;
	}
	if (LFLAG(t, ECHO)) {
		if (t->head == t->canon_head)
			t->canon_column = t->column;
		if (c == '\n')
			echo_raw(t, "\n", 1);
		else
			echo_char(t, c);
	}
	put(t, c, 0);
	if (!canon)
		t->canon_head = t->head;
	return true;
}

size_t tty_receive(struct tty *t, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	unsigned before_tail = t->tail, before_canon = t->canon_head;
	size_t i;

	for (i = 0; i < len; i++)
		if (!receive_byte(t, p[i]))
			break;
	if (i)
		t->last_rx_ns = time_monotonic_ns();
	if (t->canon_head != before_canon || t->tail != before_tail || i)
		wake_readers(t);
	return i;
}

/* ---- the file side ---- */

/* Bytes a read could return now (FIONREAD): canonical mode counts only
 * complete lines, without their VEOF markers. */
static unsigned readable(const struct tty *t)
{
	unsigned n = 0;

	if (!LFLAG(t, ICANON))
		return qlen(t);
	for (unsigned i = t->tail; i != t->canon_head; i++)
		if (!(t->iflags[i % TTY_BUF] & TTY_F_EOF))
			n++;
	return n;
}

static size_t canon_copy(struct tty *t, uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (t->tail != t->canon_head && n < len) {
		unsigned i = t->tail % TTY_BUF;
		uint8_t fl = t->iflags[i];

		t->tail++;
		if (fl & TTY_F_EOF)
			break;
		buf[n++] = t->ibuf[i];
		if (fl & TTY_F_EOL)
			break;
	}
	return n;
}

static size_t raw_copy(struct tty *t, uint8_t *buf, size_t len)
{
	size_t n = MIN((size_t)qlen(t), len);

	for (size_t k = 0; k < n; k++)
		buf[k] = t->ibuf[(t->tail + k) % TTY_BUF];
	t->tail += (unsigned)n;
	if (t->canon_head - t->tail > TTY_BUF) /* canon_head behind tail */
		t->canon_head = t->tail;
	return n;
}

static long after_read(struct tty *t, size_t n)
{
	if (n && t->ops->input_room)
		t->ops->input_room(t);
	return (long)n;
}

static long wait_input(struct tty *t, struct file *f, uint64_t deadline)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (fs_signal_pending())
		return -EINTR;
	if (!current)
		return -EAGAIN;
	return sched_block(&t->read_wq, deadline);
}

long tty_read(struct tty *t, struct file *f, void *buf, size_t len)
{
	unsigned vmin = t->termios.c_cc[VMIN], vtime = t->termios.c_cc[VTIME];
	uint64_t tick = (uint64_t)vtime * (NSEC_PER_SEC / 10);
	bool first = !current || !current->resumed;
	size_t avail, need;
	int err;

	err = job_check(t, SIGTTIN);
	if (err)
		return err;
	if (len == 0)
		return 0;
	if (LFLAG(t, ICANON)) {
		if (t->tail != t->canon_head)
			return after_read(t, canon_copy(t, buf, len));
		if (t->hung_up || t->input_eof)
			return 0;
		return wait_input(t, f, 0);
	}
	avail = qlen(t);
	if (vmin == 0 && vtime == 0)
		return after_read(t, raw_copy(t, buf, len));
	if (avail && (f->flags & O_NONBLOCK))
		return after_read(t, raw_copy(t, buf, len));
	if (t->hung_up || t->input_eof)
		return after_read(t, raw_copy(t, buf, len));
	if (vmin == 0) {
		/* A read timer from the start of the call. */
		if (avail)
			return after_read(t, raw_copy(t, buf, len));
		if (current && first)
			current->block_deadline = time_deadline_after(tick);
		if (!current ||
		    (current->resumed &&
		     current->wake_reason == WAKE_TIMEOUT) ||
		    time_monotonic_ns() >= current->block_deadline)
			return 0;
		return wait_input(t, f, current->block_deadline);
	}
	need = MIN((size_t)vmin, len);
	if (avail >= need)
		return after_read(t, raw_copy(t, buf, len));
	if (avail && vtime) {
		/* An inter-byte timer, restarted by each byte. */
		uint64_t deadline = t->last_rx_ns + tick;

		if (time_monotonic_ns() >= deadline)
			return after_read(t, raw_copy(t, buf, len));
		return wait_input(t, f, deadline);
	}
	return wait_input(t, f, 0);
}

long tty_write(struct tty *t, struct file *f, const void *buf, size_t len)
{
	size_t n;
	int err;

	if (t->hung_up)
		return -EIO;
	if (LFLAG(t, TOSTOP)) {
		err = job_check(t, SIGTTOU);
		if (err)
			return err;
	}
	if (len == 0)
		return 0;
	if (!t->stopped) {
		n = do_output(t, buf, len);
		if (n)
			return (long)n;
	}
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (fs_signal_pending())
		return -EINTR;
	if (!current)
		return -EAGAIN;
	return sched_block(&t->write_wq, 0);
}

unsigned tty_poll(struct tty *t, struct file *f, struct waitq **wq)
{
	unsigned mask = 0;

	if (wq)
		*wq = &t->poll_wq;
	if (t->hung_up)
		return POLLIN | POLLOUT | POLLERR | POLLHUP;
	if (LFLAG(t, ICANON)) {
		if (t->tail != t->canon_head)
			mask |= POLLIN;
	} else {
		unsigned vmin = t->termios.c_cc[VMIN];
		unsigned want = (!t->termios.c_cc[VTIME] && vmin) ? vmin : 1;

		if (qlen(t) >= want)
			mask |= POLLIN;
	}
	if (t->input_eof)
		mask |= POLLIN | POLLHUP;
	if (!t->stopped && out_room(t) > 0)
		mask |= POLLOUT;
	return mask;
}

/*
 * Was the open O_NOCTTY? vfs_openat keeps only the F_GETFL flags in the
 * ones it hands to the device (Linux drops O_NOCTTY only after the
 * driver's open), so for the open calls the flag is read from the call's
 * own arguments; other callers (TIOCGPTPEER) pass it in flags.
 */
static bool opened_noctty(unsigned flags)
{
	struct thread *t = current;
	uint64_t how_flags;

	if (flags & O_NOCTTY)
		return true;
	if (!t)
		return false;
	switch (t->sys_nr) {
	case 2: /* open */
		return t->sys_args[1] & O_NOCTTY;
	case 257: /* openat */
		return t->sys_args[2] & O_NOCTTY;
	case 437: /* openat2: struct open_how starts with the flags */
		if (copy_from_user(&how_flags, t->sys_args[2],
				   sizeof(how_flags)))
			return true;
		return how_flags & O_NOCTTY;
	default:
		return false;
	}
}

int tty_open(struct tty *t, unsigned flags, bool may_become_ctty)
{
	struct task *task = cur_task();

	if (t->exclusive && !proc_capable())
		return -EBUSY;
	if (may_become_ctty && !opened_noctty(flags) && task &&
	    task->pid == task->sid && !tty_of_task(task) && !t->session) {
		forget_noctty(task);
		t->session = task->sid;
		t->pgrp = task->pgid;
	}
	return 0;
}

int tty_open_ctty(struct file *f)
{
	struct tty *t = tty_of_task(cur_task());

	if (!t || !t->ops->open)
		return -ENXIO;
	return t->ops->open(t, f);
}

void tty_set_winsize(struct tty *t, const struct winsize *ws)
{
	if (!memcmp(&t->winsize, ws, sizeof(*ws)))
		return;
	t->winsize = *ws;
	if (t->pgrp > 0)
		proc_signal_pgrp(t->pgrp, SIGWINCH);
}

/* TCSETS*: the new settings, and what a change of mode does to the
 * queue (as Linux's n_tty: entering canonical mode makes what is there
 * one line). */
/* Does the terminal stop and start output on ^S and ^Q (TIOCPKT_DOSTOP)? */
static bool std_flow(const struct tty *t)
{
	return IFLAG(t, IXON) && t->termios.c_cc[VSTOP] == 023 &&
	       t->termios.c_cc[VSTART] == 021;
}

static void set_termios(struct tty *t, const struct termios *tio)
{
	bool was_canon = LFLAG(t, ICANON), was_flow = std_flow(t);

	t->termios = *tio;
	if (was_canon != LFLAG(t, ICANON)) {
		if (LFLAG(t, ICANON) && qlen(t)) {
			t->iflags[(t->head - 1) % TTY_BUF] |= TTY_F_EOL;
			t->canon_head = t->head;
		} else {
			t->canon_head = LFLAG(t, ICANON) ? t->tail : t->head;
		}
		t->lnext = false;
	}
	if (!IFLAG(t, IXON))
		start_output(t);
	if (was_flow != std_flow(t))
		packet_event(t, std_flow(t) ? TIOCPKT_DOSTOP : TIOCPKT_NOSTOP);
	wake_readers(t);
	wake_writers(t);
}

static long ioctl_set_termios(struct tty *t, unsigned cmd, uaddr_t arg,
			      bool two)
{
	struct termios2 t2;
	struct termios tio;
	int err;

	if (two) {
		if (copy_from_user(&t2, arg, sizeof(t2)))
			return -EFAULT;
		memcpy(&tio, &t2, sizeof(tio));
	} else if (copy_from_user(&tio, arg, sizeof(tio))) {
		return -EFAULT;
	}
	err = job_check(t, SIGTTOU);
	if (err)
		return err;
	if (cmd == TCSETSF || cmd == TCSETSF2)
		flush_input(t);
	set_termios(t, &tio);
	return 0;
}

static long put_int(uaddr_t arg, int v)
{
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long ioctl_sctty(struct tty *t, struct file *f, unsigned long arg)
{
	struct task *task = cur_task();

	if (!task)
		return -EPERM;
	if (task->pid == task->sid && t->session == task->sid)
		return 0;
	if (task->pid != task->sid || tty_of_task(task))
		return -EPERM;
	if (!file_readable(f) && !proc_capable())
		return -EPERM;
	if (t->session) {
		if (arg != 1 || !proc_capable())
			return -EPERM;
		tty_disassociate(t);
	}
	forget_noctty(task);
	t->session = task->sid;
	t->pgrp = task->pgid;
	return 0;
}

static long ioctl_notty(struct tty *t)
{
	struct task *task = cur_task();

	if (!task || tty_of_task(task) != t)
		return -ENOTTY;
	if (task->pid == task->sid) {
		int pgrp = t->pgrp;

		tty_disassociate(t);
		if (pgrp > 0) {
			proc_signal_pgrp(pgrp, SIGHUP);
			proc_signal_pgrp(pgrp, SIGCONT);
		}
		return 0;
	}
	for (int i = 0; i < NOCTTY_MAX; i++) {
		if (noctty[i].pid == 0 || noctty[i].pid == task->pid ||
		    !task_find(noctty[i].pid) ||
		    task_find(noctty[i].pid)->sid != noctty[i].sid) {
			noctty[i].pid = task->pid;
			noctty[i].sid = task->sid;
			return 0;
		}
	}
	return -ENOMEM;
}

static long ioctl_spgrp(struct tty *t, uaddr_t arg)
{
	struct task *task = cur_task();
	int pgrp, err;

	if (!task || tty_of_task(task) != t)
		return -ENOTTY;
	err = job_check(t, SIGTTOU);
	if (err == -EIO)
		return -ENOTTY;
	if (err)
		return err;
	if (copy_from_user(&pgrp, arg, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	if (!pgrp_exists(pgrp))
		return -ESRCH;
	if (!proc_pgrp_in_session(pgrp, task->sid))
		return -EPERM;
	t->pgrp = pgrp;
	return 0;
}

long tty_ioctl(struct tty *t, struct file *f, unsigned cmd, uaddr_t arg)
{
	struct task *task = cur_task();
	struct termios2 t2;
	struct winsize ws;
	int v, err;
	uint8_t c;

	if (t->hung_up)
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(arg, &t->termios, sizeof(t->termios)) ?
			       -EFAULT :
			       0;
	case TCGETS2:
		memcpy(&t2, &t->termios, sizeof(t->termios));
		t2.c_ispeed = t2.c_ospeed = 38400;
		return copy_to_user(arg, &t2, sizeof(t2)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return ioctl_set_termios(t, cmd, arg, false);
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2:
		return ioctl_set_termios(t, cmd, arg, true);
	case TIOCGWINSZ:
		return copy_to_user(arg, &t->winsize, sizeof(ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		if (copy_from_user(&ws, arg, sizeof(ws)))
			return -EFAULT;
		tty_set_winsize(t, &ws);
		return 0;
	case TIOCGPGRP:
		if (tty_of_task(task) != t)
			return -ENOTTY;
		return put_int(arg, t->pgrp);
	case TIOCSPGRP:
		return ioctl_spgrp(t, arg);
	case TIOCGSID:
		if (tty_of_task(task) != t || !t->session)
			return -ENOTTY;
		return put_int(arg, t->session);
	case TIOCSCTTY:
		return ioctl_sctty(t, f, arg);
	case TIOCNOTTY:
		return ioctl_notty(t);
	case FIONREAD:
		return put_int(arg, (int)readable(t));
	case TIOCOUTQ:
		return put_int(arg, t->ops->output_queued ?
					    (int)t->ops->output_queued(t) :
					    0);
	case TCFLSH:
		err = job_check(t, SIGTTOU);
		if (err)
			return err;
		if (arg > 2)
			return -EINVAL;
		if (arg != 1)
			flush_input(t);
		if (arg != 0 && t->ops->flush_output)
			t->ops->flush_output(t);
		wake_writers(t);
		return 0;
	case TCXONC:
		err = job_check(t, SIGTTOU);
		if (err)
			return err;
		if (arg > 3)
			return -EINVAL;
		if (arg == 0)
			stop_output(t);
		else if (arg == 1)
			start_output(t);
		/* TCIOFF/TCION would send VSTOP/VSTART to the other end: no
		 * driver here has flow control on its input. */
		return 0;
	case TCSBRK:
	case TCSBRKP:
		/* tcdrain: output is handed to the driver synchronously. */
		err = job_check(t, SIGTTOU);
		return err ? err : 0;
	case TIOCSTI:
		if (!proc_capable() &&
		    (tty_of_task(task) != t || !file_readable(f)))
			return -EPERM;
		if (copy_from_user(&c, arg, 1))
			return -EFAULT;
		tty_receive(t, &c, 1);
		return 0;
	case TIOCEXCL:
		t->exclusive = true;
		return 0;
	case TIOCNXCL:
		t->exclusive = false;
		return 0;
	case TIOCGEXCL:
		return put_int(arg, t->exclusive);
	case TIOCGETD:
		return put_int(arg, 0); /* N_TTY */
	case TIOCSETD:
		if (copy_from_user(&v, arg, sizeof(v)))
			return -EFAULT;
		return v == 0 ? 0 : -EINVAL;
	case TIOCVHANGUP:
		if (!proc_capable())
			return -EPERM;
		tty_hangup(t);
		return 0;
	default:
		return -ENOTTY;
	}
}
