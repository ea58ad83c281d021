/*
 * socket.c: the generic socket layer: socket objects and their files
 * (read/write/poll/ioctl/close on a socket fd), blocking with timeouts,
 * SOL_SOCKET options, SIGPIPE, and control-message output.
 * Layer: net; relies on sockfs (src/fs/sockfs.c) for files, the sched.h
 * blocking protocol, and the families (af_unix.c, inet over lwIP).
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/timer.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/signal.h>
#include <uapi/termios.h>
#include <uapi/time.h>

#include "net_internal.h"

struct socket *sock_alloc(int family, int type, int protocol)
{
	struct socket *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->rcvbuf = SK_BUF_DEFAULT;
	s->sndbuf = SK_BUF_DEFAULT;
	s->rcvlowat = 1;
	waitq_init(&s->wq);
	return s;
}

struct socket *sock_create(int family, int type, int protocol)
{
	struct socket *s;
	int err;

	if (family == AF_UNIX) {
		if (type != SOCK_STREAM && type != SOCK_DGRAM &&
		    type != SOCK_SEQPACKET)
			return ERR_PTR(-ESOCKTNOSUPPORT);
	} else if (family == AF_INET || family == AF_INET6) {
		if (!inet_create)
			return ERR_PTR(-EAFNOSUPPORT);
	} else if (family == AF_NETLINK) {
		if (type != SOCK_RAW && type != SOCK_DGRAM)
			return ERR_PTR(-ESOCKTNOSUPPORT);
	} else {
		return ERR_PTR(-EAFNOSUPPORT);
	}
	s = sock_alloc(family, type, protocol);
	if (!s)
		return ERR_PTR(-ENOMEM);
	if (family == AF_UNIX)
		err = unix_create(s, protocol);
	else if (family == AF_NETLINK)
		err = netlink_create(s, protocol);
	else
		err = inet_create(s, protocol);
	if (err < 0) {
		kfree(s);
		return ERR_PTR(err);
	}
	return s;
}

void sock_release(struct socket *s)
{
	if (s->ops && s->ops->release)
		s->ops->release(s);
	/* Threads parked on this socket re-run and find it gone. */
	waitq_notify(&s->wq, 0);
	kfree(s);
}

long sock_wait(struct waitq *wq, uint64_t timeo_ns, bool nonblock)
{
	if (nonblock)
		return -EAGAIN;
	if (current->resumed) {
		if (current->wake_reason == WAKE_SIGNAL)
			return timeo_ns ? -EINTR : -ERESTARTSYS;
		if (current->wake_reason == WAKE_TIMEOUT && timeo_ns)
			return -EAGAIN;
	} else if (timeo_ns) {
		current->block_deadline = time_deadline_after(timeo_ns);
	}
	return sched_block(wq, timeo_ns ? current->block_deadline : 0);
}

bool sock_capable(void)
{
	return current && current->task && current->task->cred.euid == 0;
}

struct ucred sock_current_cred(void)
{
	struct ucred c = { 0, 65534, 65534 };

	if (current && current->task) {
		c.pid = current->task->pid;
		c.uid = current->task->cred.euid;
		c.gid = current->task->cred.egid;
	}
	return c;
}

bool sock_put_cmsg(struct sock_msg *m, int level, int type, const void *data,
		   size_t len)
{
	struct cmsghdr h;
	size_t space = CMSG_SPACE_OF(len);

	if (!m->ctl || m->ctl_used + space > m->ctl_len) {
		m->msg_flags |= MSG_CTRUNC;
		return false;
	}
	h.cmsg_len = CMSG_LEN_OF(len);
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy((char *)m->ctl + m->ctl_used, &h, sizeof(h));
	memcpy((char *)m->ctl + m->ctl_used + sizeof(h), data, len);
	memset((char *)m->ctl + m->ctl_used + sizeof(h) + len, 0,
	       space - sizeof(h) - len);
	m->ctl_used += space;
	return true;
}

/*
 * A blocking send on a stream moves everything before it returns, as
 * Linux's does: the bytes already queued (counted from the start of the
 * caller's whole message, m->base being where this piece starts) are
 * kept in current->sys_progress across the re-runs, and a signal or
 * SO_SNDTIMEO after some progress ends the call with the count so far.
 */
static long sock_send_stream_all(struct socket *s, struct sock_msg *m,
				 int flags)
{
	size_t done = 0;
	long r;

	if (current->resumed && current->sys_progress > m->base)
		done = (size_t)MIN(current->sys_progress - m->base,
				   (uint64_t)m->len);
	for (;;) {
		struct sock_msg part = *m;

		part.buf = (char *)m->buf + done;
		part.len = m->len - done;
		if (done) {
			part.ctl = NULL;
			part.ctl_len = 0;
		}
		r = s->ops->sendmsg(s, &part, flags, done > 0);
		if (r > 0) {
			done += (size_t)r;
			if (done >= m->len)
				return (long)done;
			continue;
		}
		if (done == 0) {
			current->sys_progress = m->base;
			return r;
		}
		if (r != -EAGAIN && r != 0)
			return (long)done;
		if (current->resumed && (current->wake_reason == WAKE_SIGNAL ||
					 current->wake_reason == WAKE_TIMEOUT))
			return (long)done;
		current->sys_progress = m->base + done;
		return sock_wait(&s->wq, s->sndtimeo_ns, false);
	}
}

long sock_sendmsg(struct socket *s, struct sock_msg *m, int flags,
		  bool nonblock)
{
	long r;

	if (!s->ops->sendmsg)
		return -EOPNOTSUPP;
	nonblock = nonblock || (flags & MSG_DONTWAIT);
	if (s->type == SOCK_STREAM && !nonblock && current && m->len)
		r = sock_send_stream_all(s, m, flags);
	else
		r = s->ops->sendmsg(s, m, flags, nonblock);
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL) && current)
		proc_signal_thread(current, SIGPIPE);
	return r;
}

long sock_recvmsg(struct socket *s, struct sock_msg *m, int flags,
		  bool nonblock)
{
	if (!s->ops->recvmsg)
		return -EOPNOTSUPP;
	return s->ops->recvmsg(s, m, flags, nonblock || (flags & MSG_DONTWAIT));
}

/* ---- the socket file ---- */

static long sock_file_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct socket *s = f->priv;
	struct sock_msg m = { .buf = buf, .len = len };

	return sock_recvmsg(s, &m, 0, f->flags & O_NONBLOCK);
}

static long sock_file_write(struct file *f, const void *buf, size_t len,
			    uint64_t *pos)
{
	struct socket *s = f->priv;
	struct sock_msg m = { .buf = (void *)buf, .len = len };

	return sock_sendmsg(s, &m, 0, f->flags & O_NONBLOCK);
}

static unsigned sock_file_poll(struct file *f, struct waitq **wq)
{
	struct socket *s = f->priv;

	if (wq)
		*wq = &s->wq;
	return s->ops->poll ? s->ops->poll(s) : 0;
}

static long sock_file_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct socket *s = f->priv;

	/* Interface requests go to the device layer whatever the family. */
	if (net_is_dev_ioctl(cmd))
		return net_dev_ioctl(cmd, arg);
	if (s->ops->ioctl)
		return s->ops->ioctl(s, cmd, arg);
	return -ENOTTY;
}

static long sock_file_llseek(struct file *f, int64_t off, int whence)
{
	return -ESPIPE;
}

static void sock_file_release(struct file *f)
{
	struct socket *s = f->priv;

	s->file = NULL;
	sock_release(s);
}

static const struct file_ops sock_fops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.llseek = sock_file_llseek,
	.ioctl = sock_file_ioctl,
	.poll = sock_file_poll,
	.release = sock_file_release,
};

struct file *sock_attach_file(struct socket *s, unsigned flags)
{
	struct file *f = sockfs_alloc_file(&sock_fops, s, flags);

	if (!IS_ERR(f))
		s->file = f;
	return f;
}

struct socket *sock_from_fd(int fd, struct file **fp, long *err)
{
	struct file *f = fd_get(fd);

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &sock_fops) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return f->priv;
}
