/*
 * sys_socket.c: the socket system calls: they copy addresses, buffers,
 * iovecs and control messages between user memory and kernel buffers,
 * handle SOL_SOCKET options, and call the family's proto_ops.
 * Layer: syscalls; relies on socket.c, uaccess and the fd table.
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/proc.h>
#include <kern/timer.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <syscall_protos.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/time.h>
#include <uapi/uio.h>

#include "net_internal.h"

/* The most one call moves through a kernel buffer (a stream send or
 * receive of more returns a short count). */
#define SOCK_IO_MAX (256 * 1024)
/* Linux's optmem_max: the largest control buffer of a send. */
#define SOCK_CTL_MAX 20480

static int copy_addr_in(struct sockaddr_storage *ss, uaddr_t uaddr,
			unsigned len)
{
	if (len > sizeof(*ss))
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (len && copy_from_user(ss, uaddr, len))
		return -EFAULT;
	return 0;
}

/* Writes an address out like Linux's move_addr_to_user: the length
 * word gets the full length, the buffer at most what it holds. */
static long copy_addr_out(const void *addr, int alen, uaddr_t uaddr,
			  uaddr_t ulen)
{
	int len;

	if (!ulen)
		return 0;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (len > alen)
		len = alen;
	if (len && copy_to_user(uaddr, addr, (size_t)len))
		return -EFAULT;
	if (copy_to_user(ulen, &alen, sizeof(alen)))
		return -EFAULT;
	return 0;
}

long sys_socket(int domain, int type, int protocol)
{
	struct socket *s;
	struct file *f;
	int flags = type & ~SOCK_TYPE_MASK;
	int fd;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	s = sock_create(domain, type & SOCK_TYPE_MASK, protocol);
	if (IS_ERR(s))
		return PTR_ERR(s);
	f = sock_attach_file(s, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (IS_ERR(f)) {
		sock_release(s);
		return PTR_ERR(f);
	}
	fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
	file_put(f);
	return fd;
}

long sys_socketpair(int domain, int type, int protocol, uaddr_t sv)
{
	int flags = type & ~SOCK_TYPE_MASK;
	unsigned fflags = (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
	struct socket *a, *b = NULL;
	struct file *fa = NULL, *fb = NULL;
	int fds[2] = { -1, -1 };
	long err;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	a = sock_create(domain, type & SOCK_TYPE_MASK, protocol);
	if (IS_ERR(a))
		return PTR_ERR(a);
	if (!a->ops->pair) {
		sock_release(a);
		return -EOPNOTSUPP;
	}
	b = sock_create(domain, type & SOCK_TYPE_MASK, protocol);
	if (IS_ERR(b)) {
		sock_release(a);
		return PTR_ERR(b);
	}
	err = a->ops->pair(a, b);
	if (err < 0)
		goto err_socks;
	fa = sock_attach_file(a, fflags);
	if (IS_ERR(fa)) {
		err = PTR_ERR(fa);
		goto err_socks;
	}
	fb = sock_attach_file(b, fflags);
	if (IS_ERR(fb)) {
		err = PTR_ERR(fb);
		file_put(fa);
		sock_release(b);
		return err;
	}
	err = fds[0] = fd_install(fa, 0, flags & SOCK_CLOEXEC);
	if (err < 0)
		goto err_files;
	err = fds[1] = fd_install(fb, 0, flags & SOCK_CLOEXEC);
	if (err < 0)
		goto err_fd0;
	if (copy_to_user(sv, fds, sizeof(fds))) {
		err = -EFAULT;
		fd_close(fds[1]);
		goto err_fd0;
	}
	file_put(fa);
	file_put(fb);
	return 0;
err_fd0:
	fd_close(fds[0]);
err_files:
	file_put(fa);
	file_put(fb);
	return err;
err_socks:
	sock_release(a);
	sock_release(b);
	return err;
}

long sys_bind(int sockfd, uaddr_t addr, unsigned int addrlen)
{
	struct sockaddr_storage ss;
	struct file *f;
	struct socket *s;
	long err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	err = copy_addr_in(&ss, addr, addrlen);
	if (!err)
		err = s->ops->bind ? s->ops->bind(s, &ss, (int)addrlen) :
				     -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_connect(int sockfd, uaddr_t addr, unsigned int addrlen)
{
	struct sockaddr_storage ss;
	struct file *f;
	struct socket *s;
	long err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	err = copy_addr_in(&ss, addr, addrlen);
	if (!err)
		err = s->ops->connect ? s->ops->connect(s, &ss, (int)addrlen,
							f->flags & O_NONBLOCK) :
					-EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_listen(int sockfd, int backlog)
{
	struct file *f;
	struct socket *s;
	long err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (backlog < 0 || backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	err = s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_accept4(int sockfd, uaddr_t addr, uaddr_t addrlen, unsigned long flags)
{
	struct sockaddr_storage ss;
	struct socket *s, *ns = NULL;
	struct file *f, *nf;
	long err;
	int alen, fd;

	if (flags & ~(unsigned long)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (!s->ops->accept) {
		err = -EOPNOTSUPP;
		goto out;
	}
	err = s->ops->accept(s, &ns, f->flags & O_NONBLOCK);
	if (err < 0)
		goto out;
	nf = sock_attach_file(ns, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (IS_ERR(nf)) {
		sock_release(ns);
		err = PTR_ERR(nf);
		goto out;
	}
	if (addr) {
		memset(&ss, 0, sizeof(ss));
		alen = ns->ops->getname(ns, &ss, true);
		if (alen < 0)
			alen = 0;
		err = copy_addr_out(&ss, alen, addr, addrlen);
		if (err < 0) {
			file_put(nf);
			goto out;
		}
	}
	fd = fd_install(nf, 0, flags & SOCK_CLOEXEC);
	file_put(nf);
	err = fd;
out:
	file_put(f);
	return err;
}

long sys_accept(int sockfd, uaddr_t addr, uaddr_t addrlen)
{
	return sys_accept4(sockfd, addr, addrlen, 0);
}

static long do_getname(int sockfd, uaddr_t addr, uaddr_t addrlen, bool peer)
{
	struct sockaddr_storage ss;
	struct file *f;
	struct socket *s;
	long err;
	int len;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (copy_from_user(&len, addrlen, sizeof(len))) {
		err = -EFAULT;
		goto out;
	}
	if (len < 0) {
		err = -EINVAL;
		goto out;
	}
	memset(&ss, 0, sizeof(ss));
	err = s->ops->getname(s, &ss, peer);
	if (err >= 0)
		err = copy_addr_out(&ss, (int)err, addr, addrlen);
out:
	file_put(f);
	return err;
}

long sys_getsockname(int sockfd, uaddr_t addr, uaddr_t addrlen)
{
	return do_getname(sockfd, addr, addrlen, false);
}

long sys_getpeername(int sockfd, uaddr_t addr, uaddr_t addrlen)
{
	return do_getname(sockfd, addr, addrlen, true);
}

long sys_shutdown(int sockfd, int how)
{
	struct file *f;
	struct socket *s;
	long err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (how < SHUT_RD || how > SHUT_RDWR)
		err = -EINVAL;
	else
		err = s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/* ---- data ---- */

/* A user message: its iovecs copied in and its total length. */
struct umsg {
	struct iovec *iov;
	size_t iovlen;
	size_t total;
};

static long umsg_load_iov(struct umsg *u, uaddr_t uiov, uint64_t iovlen)
{
	u->iov = NULL;
	u->iovlen = 0;
	u->total = 0;
	if (iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	if (iovlen == 0)
		return 0;
	u->iov = kmalloc(iovlen * sizeof(struct iovec));
	if (!u->iov)
		return -ENOMEM;
	if (copy_from_user(u->iov, uiov, iovlen * sizeof(struct iovec))) {
		kfree(u->iov);
		u->iov = NULL;
		return -EFAULT;
	}
	u->iovlen = iovlen;
	for (size_t i = 0; i < iovlen; i++) {
		if ((int64_t)u->iov[i].iov_len < 0 ||
		    u->total + u->iov[i].iov_len > 0x7ffff000UL) {
			kfree(u->iov);
			u->iov = NULL;
			return -EINVAL;
		}
		u->total += u->iov[i].iov_len;
	}
	return 0;
}

/* Gathers len bytes of the user iovecs, from byte off of the whole
 * vector on, into kbuf. */
static long umsg_gather(const struct umsg *u, void *kbuf, size_t off,
			size_t len)
{
	size_t done = 0;

	for (size_t i = 0; i < u->iovlen && done < len; i++) {
		size_t skip = MIN(off, (size_t)u->iov[i].iov_len);
		size_t n = MIN(u->iov[i].iov_len - skip, len - done);

		off -= skip;
		if (n && copy_from_user((char *)kbuf + done,
					u->iov[i].iov_base + skip, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}

static long umsg_scatter(const struct umsg *u, const void *kbuf, size_t len)
{
	size_t done = 0;

	for (size_t i = 0; i < u->iovlen && done < len; i++) {
		size_t n = MIN(u->iov[i].iov_len, len - done);

		if (n && copy_to_user(u->iov[i].iov_base,
				      (const char *)kbuf + done, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}

static long do_send(struct socket *s, struct file *f, struct umsg *u,
		    uaddr_t uaddr, unsigned addrlen, uaddr_t uctl,
		    size_t ctllen, unsigned flags)
{
	struct sockaddr_storage ss;
	struct sock_msg m = { 0 };
	size_t len = u->total, off = 0, piece;
	void *ctl = NULL;
	bool blocking;
	long err;

	if (uaddr && addrlen) {
		err = copy_addr_in(&ss, uaddr, addrlen);
		if (err < 0)
			return err;
		m.addr = &ss;
		m.addrlen = (int)addrlen;
	}
	if (ctllen > SOCK_CTL_MAX)
		return -ENOBUFS;
	if (ctllen) {
		if (ctllen < sizeof(struct cmsghdr))
			return -EINVAL;
		ctl = kmalloc(ctllen);
		if (!ctl)
			return -ENOMEM;
		if (copy_from_user(ctl, uctl, ctllen)) {
			err = -EFAULT;
			goto out;
		}
	}
	if (len > SOCK_IO_MAX && s->type != SOCK_STREAM) {
		err = -EMSGSIZE;
		goto out;
	}
	/* A stream moves through a bounce buffer a piece at a time; a
	 * blocking send goes on until all is sent, resuming (re-runs) at
	 * the offset sock_sendmsg keeps in current->sys_progress. */
	blocking = s->type == SOCK_STREAM && !(f->flags & O_NONBLOCK) &&
		   !(flags & MSG_DONTWAIT) && current;
	if (blocking && current->resumed)
		off = (size_t)MIN(current->sys_progress, (uint64_t)len);
	m.buf = kmalloc(MAX(MIN(len, (size_t)SOCK_IO_MAX), (size_t)1));
	if (!m.buf) {
		err = -ENOMEM;
		goto out;
	}
	do {
		piece = MIN(len - off, (size_t)SOCK_IO_MAX);
		m.len = piece;
		m.base = off;
		/* Control messages ride with the first byte only. */
		m.ctl = off ? NULL : ctl;
		m.ctl_len = off ? 0 : ctllen;
		err = umsg_gather(u, m.buf, off, piece);
		if (err == 0)
			err = sock_sendmsg(s, &m, (int)flags,
					   f->flags & O_NONBLOCK);
		if (err < 0) {
			/* Parked (-EKBLOCK): the progress is saved. */
			if (off && err != -EKBLOCK)
				err = (long)off;
			break;
		}
		off += (size_t)err;
		err = (long)off;
	} while (blocking && off < len && (size_t)err - m.base == piece);
out:
	kfree(m.buf);
	kfree(ctl);
	return err;
}

/* Receives into the user iovecs; fills the name and control outputs of
 * the kernel message for the caller to copy out. */
static long do_recv(struct socket *s, struct file *f, struct umsg *u,
		    struct sock_msg *m, unsigned flags)
{
	size_t len = MIN(u->total, (size_t)SOCK_IO_MAX);
	long r;

	m->buf = kmalloc(len ? len : 1);
	if (!m->buf)
		return -ENOMEM;
	m->len = len;
	m->cloexec = flags & MSG_CMSG_CLOEXEC;
	r = sock_recvmsg(s, m, (int)flags, f->flags & O_NONBLOCK);
	if (r > 0 && umsg_scatter(u, m->buf, MIN((size_t)r, len)) < 0)
		r = -EFAULT;
	kfree(m->buf);
	m->buf = NULL;
	return r;
}

long sock_rw_iov(struct file *f, const struct iovec *iov, int iovcnt,
		 size_t total, bool write)
{
	struct umsg u = { (struct iovec *)iov, (size_t)iovcnt, total };
	struct sock_msg m = { 0 };
	struct socket *s = f->priv;

	if (!write && total == 0)
		return 0; /* Linux: no message is consumed */
	if (write)
		return do_send(s, f, &u, 0, 0, 0, 0, 0);
	return do_recv(s, f, &u, &m, 0);
}

long sys_sendto(int sockfd, uaddr_t buf, size_t len, unsigned long flags,
		uaddr_t dest_addr, unsigned int addrlen)
{
	struct iovec iov = { buf, len };
	struct umsg u = { &iov, 1, len };
	struct file *f;
	struct socket *s;
	long err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (len > 0x7ffff000UL)
		u.total = iov.iov_len = 0x7ffff000UL;
	err = do_send(s, f, &u, dest_addr, addrlen, 0, 0, (unsigned)flags);
	file_put(f);
	return err;
}

long sys_recvfrom(int sockfd, uaddr_t buf, size_t len, unsigned long flags,
		  uaddr_t src_addr, uaddr_t addrlen)
{
	struct iovec iov = { buf, len };
	struct umsg u = { &iov, 1, len };
	struct sockaddr_storage ss;
	struct sock_msg m = { 0 };
	struct file *f;
	struct socket *s;
	long r, err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (len > 0x7ffff000UL)
		u.total = iov.iov_len = 0x7ffff000UL;
	m.addr = &ss;
	r = do_recv(s, f, &u, &m, (unsigned)flags & ~MSG_CMSG_CLOEXEC);
	if (r >= 0 && src_addr) {
		err = copy_addr_out(&ss, m.addrlen, src_addr, addrlen);
		if (err < 0)
			r = err;
	}
	file_put(f);
	return r;
}

static long do_sendmsg(int sockfd, uaddr_t umsgp, unsigned flags)
{
	struct user_msghdr h;
	struct umsg u;
	struct file *f;
	struct socket *s;
	long err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (copy_from_user(&h, umsgp, sizeof(h))) {
		err = -EFAULT;
		goto out;
	}
	err = umsg_load_iov(&u, h.msg_iov, h.msg_iovlen);
	if (err < 0)
		goto out;
	err = do_send(s, f, &u, h.msg_name, h.msg_namelen, h.msg_control,
		      h.msg_controllen, flags);
	kfree(u.iov);
out:
	file_put(f);
	return err;
}

long sys_sendmsg(int sockfd, uaddr_t msg, unsigned long flags)
{
	return do_sendmsg(sockfd, msg, (unsigned)flags);
}

static long do_recvmsg(int sockfd, uaddr_t umsgp, unsigned flags)
{
	struct sockaddr_storage ss;
	struct sock_msg m = { 0 };
	struct user_msghdr h;
	struct umsg u;
	struct file *f;
	struct socket *s;
	long r, err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (copy_from_user(&h, umsgp, sizeof(h))) {
		r = -EFAULT;
		goto out;
	}
	if ((int)h.msg_namelen < 0) {
		r = -EINVAL;
		goto out;
	}
	r = umsg_load_iov(&u, h.msg_iov, h.msg_iovlen);
	if (r < 0)
		goto out;
	m.addr = &ss;
	/* Linux reports MSG_CMSG_CLOEXEC back in msg_flags. */
	m.msg_flags = (int)(flags & MSG_CMSG_CLOEXEC);
	if (h.msg_control && h.msg_controllen) {
		m.ctl_len = MIN(h.msg_controllen, (uint64_t)SOCK_CTL_MAX);
		m.ctl = kzalloc(m.ctl_len);
		if (!m.ctl) {
			r = -ENOMEM;
			goto out_iov;
		}
	}
	r = do_recv(s, f, &u, &m, flags);
	if (r < 0)
		goto out_ctl;
	h.msg_namelen =
		h.msg_name ? (uint32_t)MIN((uint32_t)m.addrlen, h.msg_namelen) :
			     0;
	if (h.msg_namelen && copy_to_user(h.msg_name, &ss, h.msg_namelen)) {
		r = -EFAULT;
		goto out_ctl;
	}
	h.msg_namelen = h.msg_name ? (uint32_t)m.addrlen : 0;
	if (m.ctl_used && copy_to_user(h.msg_control, m.ctl, m.ctl_used)) {
		r = -EFAULT;
		goto out_ctl;
	}
	h.msg_controllen = m.ctl_used;
	h.msg_flags = m.msg_flags;
	if (copy_to_user(umsgp, &h, sizeof(h)))
		r = -EFAULT;
out_ctl:
	kfree(m.ctl);
out_iov:
	kfree(u.iov);
out:
	file_put(f);
	return r;
}

long sys_recvmsg(int sockfd, uaddr_t msg, unsigned long flags)
{
	return do_recvmsg(sockfd, msg, (unsigned)flags);
}

long sys_sendmmsg(int sockfd, uaddr_t msgvec, unsigned int vlen,
		  unsigned long flags)
{
	unsigned i;
	long r = 0;

	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (i = 0; i < vlen; i++) {
		uaddr_t um = msgvec + i * sizeof(struct user_mmsghdr);
		uint32_t len;

		/* Only the first message may wait: later ones would re-run
		 * the earlier sends when the thread woke. */
		r = do_sendmsg(sockfd, um,
			       (unsigned)flags | (i ? MSG_DONTWAIT : 0));
		if (r < 0)
			break;
		len = (uint32_t)r;
		if (copy_to_user(um + offsetof(struct user_mmsghdr, msg_len),
				 &len, sizeof(len))) {
			r = -EFAULT;
			break;
		}
	}
	return i ? (long)i : r;
}

long sys_recvmmsg(int sockfd, uaddr_t msgvec, unsigned int vlen,
		  unsigned long flags, uaddr_t timeout)
{
	unsigned i;
	long r = 0;

	/* The timeout is checked, but (partial) never extends the call:
	 * only the first message may wait, the rest are taken if queued. */
	if (timeout) {
		struct linux_timespec ts;

		if (copy_from_user(&ts, timeout, sizeof(ts)))
			return -EFAULT;
		if (!timespec_valid(&ts))
			return -EINVAL;
	}
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	for (i = 0; i < vlen; i++) {
		uaddr_t um = msgvec + i * sizeof(struct user_mmsghdr);
		uint32_t len;

		r = do_recvmsg(sockfd, um,
			       (unsigned)flags | (i ? MSG_DONTWAIT : 0));
		if (r < 0)
			break;
		len = (uint32_t)r;
		if (copy_to_user(um + offsetof(struct user_mmsghdr, msg_len),
				 &len, sizeof(len))) {
			r = -EFAULT;
			break;
		}
		if (flags & 0x10000 /* MSG_WAITFORONE */)
			flags |= MSG_DONTWAIT;
	}
	return i ? (long)i : r;
}

/* ---- options ---- */

static uint64_t timeval_to_timeo(const struct linux_timeval *tv, long *err)
{
	*err = 0;
	if (tv->tv_usec < 0 || tv->tv_usec >= 1000000) {
		*err = -EDOM;
		return 0;
	}
	if (tv->tv_sec < 0)
		return 0;
	if ((uint64_t)tv->tv_sec > UINT64_MAX / NSEC_PER_SEC / 2)
		return 0;
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC +
	       (uint64_t)tv->tv_usec * 1000;
}

static long sol_socket_set(struct socket *s, int name, const void *val,
			   unsigned len)
{
	int v = 0;
	long err;

	switch (name) {
	case SO_RCVTIMEO:
	case SO_SNDTIMEO: {
		struct linux_timeval tv;
		uint64_t t;

		if (len < sizeof(tv))
			return -EINVAL;
		memcpy(&tv, val, sizeof(tv));
		t = timeval_to_timeo(&tv, &err);
		if (err < 0)
			return err;
		if (name == SO_RCVTIMEO)
			s->rcvtimeo_ns = t;
		else
			s->sndtimeo_ns = t;
		return 0;
	}
	case SO_LINGER:
		if (len < sizeof(struct linger))
			return -EINVAL;
		memcpy(&s->linger, val, sizeof(s->linger));
		s->linger.l_onoff = s->linger.l_onoff != 0;
		return 0;
	default:
		break;
	}
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_DEBUG:
		s->debug = v != 0;
		return 0;
	case SO_REUSEADDR:
		s->reuseaddr = v != 0;
		return 0;
	case SO_REUSEPORT:
		s->reuseport = v != 0;
		return 0;
	case SO_KEEPALIVE:
		s->keepalive = v != 0;
		return 0;
	case SO_BROADCAST:
		s->broadcast = v != 0;
		return 0;
	case SO_DONTROUTE:
		s->dontroute = v != 0;
		return 0;
	case SO_OOBINLINE:
		s->oobinline = v != 0;
		return 0;
	case SO_PASSCRED:
		s->passcred = v != 0;
		return 0;
	case SO_PRIORITY:
		if ((v < 0 || v > 6) && !sock_capable())
			return -EPERM;
		s->priority = v;
		return 0;
	case SO_RCVLOWAT:
		s->rcvlowat = v < 0 ? 0x7fffffff : (v ? v : 1);
		return 0;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		if (name == SO_SNDBUFFORCE && !sock_capable())
			return -EPERM;
		/* Linux doubles the value for its bookkeeping overhead. */
		v = (int)MIN((unsigned)v, (unsigned)SK_BUF_MAX);
		s->sndbuf = MAX(v * 2, SK_SNDBUF_MIN);
		return 0;
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		if (name == SO_RCVBUFFORCE && !sock_capable())
			return -EPERM;
		v = (int)MIN((unsigned)v, (unsigned)SK_BUF_MAX);
		s->rcvbuf = MAX(v * 2, SK_RCVBUF_MIN);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* Fills val (at most 16 bytes); returns its length or -errno. */
static long sol_socket_get(struct socket *s, int name, void *val)
{
	int v;

	switch (name) {
	case SO_RCVTIMEO:
	case SO_SNDTIMEO: {
		uint64_t t = name == SO_RCVTIMEO ? s->rcvtimeo_ns :
						   s->sndtimeo_ns;
		struct linux_timeval tv = { (int64_t)(t / NSEC_PER_SEC),
					    (int64_t)(t % NSEC_PER_SEC /
						      1000) };

		memcpy(val, &tv, sizeof(tv));
		return sizeof(tv);
	}
	case SO_LINGER:
		memcpy(val, &s->linger, sizeof(s->linger));
		return sizeof(s->linger);
	case SO_TYPE:
		v = s->type;
		break;
	case SO_PROTOCOL:
		v = s->protocol;
		break;
	case SO_DOMAIN:
		v = s->family;
		break;
	case SO_ERROR:
		v = s->err;
		s->err = 0;
		break;
	case SO_DEBUG:
		v = s->debug;
		break;
	case SO_REUSEADDR:
		v = s->reuseaddr;
		break;
	case SO_REUSEPORT:
		v = s->reuseport;
		break;
	case SO_KEEPALIVE:
		v = s->keepalive;
		break;
	case SO_BROADCAST:
		v = s->broadcast;
		break;
	case SO_DONTROUTE:
		v = s->dontroute;
		break;
	case SO_OOBINLINE:
		v = s->oobinline;
		break;
	case SO_PASSCRED:
		v = s->passcred;
		break;
	case SO_PRIORITY:
		v = s->priority;
		break;
	case SO_RCVLOWAT:
		v = s->rcvlowat;
		break;
	case SO_SNDLOWAT:
		v = 1;
		break;
	case SO_SNDBUF:
		v = s->sndbuf;
		break;
	case SO_RCVBUF:
		v = s->rcvbuf;
		break;
	default:
		return -ENOPROTOOPT;
	}
	memcpy(val, &v, sizeof(v));
	return sizeof(v);
}

long sys_setsockopt(int sockfd, int level, int optname, uaddr_t optval,
		    unsigned int optlen)
{
	char kval[64];
	struct file *f;
	struct socket *s;
	long err;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if ((int)optlen < 0) {
		err = -EINVAL;
		goto out;
	}
	memset(kval, 0, sizeof(kval));
	if (copy_from_user(kval, optval, MIN(optlen, sizeof(kval)))) {
		err = -EFAULT;
		goto out;
	}
	if (level == SOL_SOCKET)
		err = sol_socket_set(s, optname, kval, optlen);
	else if (s->ops->setsockopt)
		err = s->ops->setsockopt(s, level, optname, kval,
					 (int)MIN(optlen, sizeof(kval)));
	else
		err = -EOPNOTSUPP;
out:
	file_put(f);
	return err;
}

long sys_getsockopt(int sockfd, int level, int optname, uaddr_t optval,
		    uaddr_t optlen)
{
	char kval[64];
	struct file *f;
	struct socket *s;
	long err;
	int len, vlen;

	s = sock_from_fd(sockfd, &f, &err);
	if (!s)
		return err;
	if (copy_from_user(&len, optlen, sizeof(len))) {
		err = -EFAULT;
		goto out;
	}
	if (len < 0) {
		err = -EINVAL;
		goto out;
	}
	memset(kval, 0, sizeof(kval));
	vlen = (int)sizeof(kval);
	err = -ENOPROTOOPT;
	/* The family answers first: SO_PEERCRED, SO_ACCEPTCONN and its
	 * own levels. */
	if (s->ops->getsockopt)
		err = s->ops->getsockopt(s, level, optname, kval, &vlen);
	if (err == -ENOPROTOOPT && level == SOL_SOCKET) {
		err = sol_socket_get(s, optname, kval);
		vlen = (int)err;
	}
	if (err < 0)
		goto out;
	len = MIN(len, vlen);
	if ((len && copy_to_user(optval, kval, (size_t)len)) ||
	    copy_to_user(optlen, &len, sizeof(len)))
		err = -EFAULT;
	else
		err = 0;
out:
	file_put(f);
	return err;
}
