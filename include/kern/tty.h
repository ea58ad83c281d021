/*
 * tty: terminals. One line discipline (termios(3): canonical editing,
 * echo, signals, output processing, raw reads with VMIN/VTIME) over small
 * drivers: the console (src/fs/console.c, fed by the HAL console) and
 * pseudo-terminals (src/fs/pty.c). Controlling terminals and foreground
 * process groups follow credentials(7) and ioctl_tty(2): a terminal
 * belongs to at most one session, the session a task is in tells which
 * terminal controls it. None of these functions blocks; the read and
 * write ones follow the sched.h protocol.
 */
#ifndef KERN_TTY_H
#define KERN_TTY_H

#include <kern/list.h>
#include <kern/sched.h>
#include <kern/types.h>
#include <uapi/termios.h>

struct file;
struct task;
struct tty;

/* The input queue: what canonical mode may hold of one line, too. */
#define TTY_BUF 4096

struct tty_ops {
	/* Takes processed output (echo included): bytes accepted, 0..len;
	 * never blocks (a short count means "full"). */
	long (*write)(struct tty *tty, const void *buf, size_t len);
	/* Bytes write would accept now; NULL: any amount. */
	size_t (*write_room)(struct tty *tty);
	/* The input queue has room again (a read or a flush): a driver that
	 * stopped feeding may go on. NULL: nothing to do. */
	void (*input_room)(struct tty *tty);
	/* TCOFLUSH: drops output not yet taken by the other side. */
	void (*flush_output)(struct tty *tty);
	/* Bytes of output not yet taken by the other side (TIOCOUTQ). */
	size_t (*output_queued)(struct tty *tty);
	/* Opens the terminal itself on f (for /dev/tty): sets f->ops and
	 * f->priv as an open of its own node would. 0 or -errno. */
	int (*open)(struct tty *tty, struct file *f);
	/* A TIOCPKT_* event (input flushed, output stopped or started, the
	 * flow-control keys changed) for a pty master in packet mode. NULL:
	 * no such mode. */
	void (*packet)(struct tty *tty, uint8_t status);
};

struct tty {
	struct termios termios;
	struct winsize winsize;
	const struct tty_ops *ops;
	void *driver_data;
	uint64_t rdev;	       /* the device number (stat of the node) */
	int session;	       /* session it controls (0: none) */
	int pgrp;	       /* foreground process group (0: none) */
	struct list_head link; /* in the list of terminals */

	/* Input queue: ring of TTY_BUF bytes, free-running indices. In
	 * canonical mode [tail, canon_head) holds complete lines and
	 * [canon_head, head) the line being edited. */
	uint8_t ibuf[TTY_BUF];
	uint8_t iflags[TTY_BUF]; /* TTY_F_* per byte */
	unsigned head, tail, canon_head;
	unsigned column;       /* output column, for erasing tabs */
	unsigned canon_column; /* column where the edited line began */
	uint64_t last_rx_ns;   /* when input last arrived (VTIME) */
	bool lnext;	       /* the next byte is literal (VLNEXT) */
	bool stopped;	       /* output stopped (VSTOP, TCOOFF) */
	bool hung_up;	       /* reads give 0, writes -EIO */
	bool input_eof;	       /* the device has no more input */
	bool exclusive;	       /* TIOCEXCL */

	struct waitq read_wq;  /* readers waiting for input */
	struct waitq write_wq; /* writers waiting for room / start */
	struct waitq poll_wq;  /* poll and epoll: every change */
};

/* iflags bits */
#define TTY_F_EOL 0x1 /* ends a canonical line */
#define TTY_F_EOF 0x2 /* the VEOF that ended a line: not delivered */

/* Sets up tty with Linux's default termios (cooked, echo, 38400 8N1)
 * and adds it to the list of terminals. */
void tty_init(struct tty *tty, const struct tty_ops *ops, uint64_t rdev);
/* Takes tty off the list (a pty going away); wakes everyone. */
void tty_remove(struct tty *tty);

/* Linux's default termios (termios(3), stty sane). */
void tty_default_termios(struct termios *t);

/*
 * Input from the device: runs each byte through the line discipline
 * (signals, editing, echo). Returns the bytes consumed: all of them,
 * except that in non-canonical mode it stops when the queue is full.
 */
size_t tty_receive(struct tty *tty, const void *buf, size_t len);
/* Room left in the input queue. */
size_t tty_input_room(const struct tty *tty);

/* The file side: read(2), write(2), ioctl(2) and poll on a terminal. The
 * ioctls are the line discipline's and the controlling terminal's;
 * drivers handle their own (TIOCGPTN) before calling tty_ioctl. */
long tty_read(struct tty *tty, struct file *f, void *buf, size_t len);
long tty_write(struct tty *tty, struct file *f, const void *buf, size_t len);
long tty_ioctl(struct tty *tty, struct file *f, unsigned cmd, uaddr_t arg);
unsigned tty_poll(struct tty *tty, struct file *f, struct waitq **wq);

/* An open of the terminal: without O_NOCTTY a session leader without a
 * controlling terminal acquires this one (as Linux, for ttys that are
 * not the console). 0 or -EBUSY (TIOCEXCL). */
int tty_open(struct tty *tty, unsigned flags, bool may_become_ctty);

/* The device hung up (the pty master closed): SIGHUP and SIGCONT to the
 * session leader, reads return 0 and writes -EIO from now on. */
void tty_hangup(struct tty *tty);
/* A session leader ended (proc's hook, task.c): SIGHUP then SIGCONT to
 * the foreground group of the terminal sid controls, which loses it. */
void tty_session_leader_exit(int sid);
/* Drops the controlling-terminal association of tty's session. */
void tty_disassociate(struct tty *tty);

/* The window size changed: records it and sends SIGWINCH to the
 * foreground group when it differs. */
void tty_set_winsize(struct tty *tty, const struct winsize *ws);

/* The controlling terminal of task (NULL: none). */
struct tty *tty_of_task(const struct task *task);
/* Makes tty the controlling terminal of task's session, which must be led
 * by task and have none (used at boot for init and the console). */
void tty_set_ctty(struct tty *tty, struct task *task);

/* The controlling terminal's device number (proc(5)'s encoding: minor
 * bits 0-7 and 20-31, major bits 8-19) and foreground group of task, for
 * /proc/PID/stat (tty_nr, tpgid); 0 and -1 without a terminal. */
void tty_stat_fields(const struct task *task, int *tty_nr, int *tpgid);

/* The console's foreground process group, 0 when none (console.c; where
 * kern_host_signal sends a signal the host gave the kernel). */
int tty_console_fg_pgrp(void);

/* ---- pseudo-terminals (pty.c) ---- */
/* Opens /dev/ptmx: a new master on f. 0, -ENOSPC or -ENOMEM. */
int pty_master_open(struct file *f);
/* Opens /dev/pts/N on f: 0, -EIO (locked, or the master is gone),
 * -ENXIO. */
int pty_slave_open(unsigned index, struct file *f);
/* The slave of a master file (TIOCGPTN), or -ENOTTY. */
int pty_index(struct file *f);
/* /dev/pts: remembers the directory (devfs calls it at mount). */
struct dentry;
void pty_set_dir(struct dentry *pts);
/* Opens the controlling terminal of current on f (/dev/tty): -ENXIO when
 * there is none. */
int tty_open_ctty(struct file *f);

#endif
