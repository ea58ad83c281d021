/*
 * af_unix.c: AF_UNIX sockets (unix(7)): stream, datagram and seqpacket;
 * names in the filesystem (an S_IFSOCK node made with vfs_mknodat),
 * abstract names and autobind; socketpair; SCM_RIGHTS, SCM_CREDENTIALS
 * and SO_PEERCRED. Messages are queued on the receiver as unix_skb.
 * Layer: net; relies on socket.c (struct socket, blocking, cmsg output),
 * the VFS (name binding and lookup) and the fd table (passing files).
 */
#include <kern/klib.h>
#include <kern/kmalloc.h>
#include <kern/list.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>
#include <uapi/termios.h>

#include "net_internal.h"

/* Linux's sysctl net.unix.max_dgram_qlen default. */
#define UNIX_MAX_DGRAM_QLEN 10
#define SIOCOUTQ 0x5411

struct unix_name {
	int len; /* whole sockaddr length; 0: unnamed */
	struct sockaddr_un sun;
	/* A path name NUL-terminated: Linux takes all 108 bytes of
	 * sun_path as a path, and then len is one more than sun holds. */
	char path[UNIX_PATH_MAX + 1];
};

struct unix_skb {
	struct list_head link;
	char *data;
	size_t len, off;
	struct file **fds;
	int nfds;
	struct ucred cred;
	struct unix_name from;
};

enum unix_state {
	US_UNCONNECTED,
	US_LISTEN,
	US_CONNECTED,
};

struct unix_sock {
	struct socket *sock; /* NULL once released */
	int refcount;
	int type;
	enum unix_state state;
	bool dead;
	unsigned shutdown; /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;	   /* pending error of the connection (ECONNRESET) */
	struct unix_sock *peer; /* referenced */
	struct list_head rcvq;	/* struct unix_skb */
	size_t rcv_bytes;
	int rcv_count;
	/* Listening: connected embryos waiting for accept. */
	struct list_head accq; /* struct unix_sock.acc_link */
	struct list_head acc_link;
	int backlog, nacc;
	/* The bound name; path names also remember their inode. */
	struct unix_name name;
	struct list_head bound_link;
	bool bound;
	struct super_block *bind_sb;
	uint64_t bind_ino;
	struct ucred peercred;
	bool has_peercred;
	struct list_head all_link; /* on unix_all, for /proc/net/unix */
};

static LIST_HEAD(unix_bound);
static LIST_HEAD(unix_all);
static unsigned unix_autobind_next = 1;

static const struct proto_ops unix_stream_ops;
static const struct proto_ops unix_dgram_ops;

static struct unix_sock *usk(struct socket *s)
{
	return s->priv;
}

static bool unix_conn_type(const struct unix_sock *u)
{
	return u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET;
}

static void unix_get(struct unix_sock *u)
{
	u->refcount++;
}

static void unix_put(struct unix_sock *u)
{
	if (u && --u->refcount == 0) {
		list_del(&u->all_link);
		kfree(u);
	}
}

static void unix_wake(struct unix_sock *u)
{
	if (u && u->sock)
		waitq_notify(&u->sock->wq, 0);
}

static size_t unix_rcvbuf(struct unix_sock *u)
{
	return u->sock ? (size_t)u->sock->rcvbuf : SK_BUF_DEFAULT;
}

static void skb_free(struct unix_skb *skb)
{
	for (int i = 0; i < skb->nfds; i++)
		file_put(skb->fds[i]);
	kfree(skb->fds);
	kfree(skb->data);
	kfree(skb);
}

static void unix_purge(struct unix_sock *u)
{
	while (!list_empty(&u->rcvq)) {
		struct unix_skb *skb =
			list_first_entry(&u->rcvq, struct unix_skb, link);

		list_del(&skb->link);
		skb_free(skb);
	}
	u->rcv_bytes = 0;
	u->rcv_count = 0;
}

static void unix_unlink_skb(struct unix_sock *u, struct unix_skb *skb)
{
	list_del(&skb->link);
	u->rcv_bytes -= skb->len;
	u->rcv_count--;
	skb_free(skb);
}

/* ---- names ---- */

/* Checks a sockaddr_un; *name gets the canonical form (path names end at
 * their NUL). Returns 0, or -EINVAL. len == sizeof(sa_family_t) asks for
 * autobind (name->len 0). */
static int unix_mkname(const void *addr, int len, struct unix_name *name)
{
	const struct sockaddr_un *sun = addr;

	memset(name, 0, sizeof(*name));
	if (len < (int)sizeof(sa_family_t) ||
	    len > (int)sizeof(struct sockaddr_un) || sun->sun_family != AF_UNIX)
		return -EINVAL;
	if (len == sizeof(sa_family_t))
		return 0;
	memcpy(&name->sun, sun, (size_t)len);
	if (sun->sun_path[0] == '\0') {
		name->len = len;
	} else {
		size_t n = strnlen(name->sun.sun_path, (size_t)len - 2);

		memcpy(name->path, name->sun.sun_path, n);
		name->path[n] = '\0';
		if (n < UNIX_PATH_MAX)
			name->sun.sun_path[n] = '\0';
		name->len =
			(int)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

/* Writes a bound name into a sockaddr_storage; returns its length (a
 * 108-byte path gets its NUL one byte past sockaddr_un, as on Linux). */
static int name_out(const struct unix_name *n, void *addr)
{
	size_t len = MIN((size_t)n->len, sizeof(struct sockaddr_un));

	memcpy(addr, &n->sun, len);
	if ((size_t)n->len > len)
		((char *)addr)[len] = '\0';
	return n->len;
}

static bool name_is_abstract(const struct unix_name *n)
{
	return n->len > 2 && n->sun.sun_path[0] == '\0';
}

static struct unix_sock *unix_find_abstract(const struct unix_name *n)
{
	struct unix_sock *u;

	list_for_each_entry(u, &unix_bound, bound_link) {
		if (!u->bind_sb && u->name.len == n->len &&
		    memcmp(&u->name.sun, &n->sun, (size_t)n->len) == 0)
			return u;
	}
	return NULL;
}

/* The socket a name refers to, for a connect or send of type. */
static int unix_find(const struct unix_name *n, int type,
		     struct unix_sock **out)
{
	struct unix_sock *u;
	struct path p;
	struct inode *ino;
	int err;

	*out = NULL;
	if (name_is_abstract(n)) {
		u = unix_find_abstract(n);
		if (!u || u->dead)
			return -ECONNREFUSED;
		if (u->type != type)
			return -EPROTOTYPE;
		*out = u;
		return 0;
	}
	err = vfs_walk(AT_FDCWD, n->path, LOOKUP_FOLLOW, &p);
	if (err < 0)
		return err;
	ino = p.dentry->inode;
	err = vfs_permission(ino, MAY_WRITE);
	if (err < 0)
		goto out;
	err = -ECONNREFUSED;
	if (!S_ISSOCK(ino->mode))
		goto out;
	list_for_each_entry(u, &unix_bound, bound_link) {
		if (u->bind_sb == ino->sb && u->bind_ino == ino->ino &&
		    !u->dead) {
			err = u->type == type ? 0 : -EPROTOTYPE;
			if (!err)
				*out = u;
			break;
		}
	}
out:
	path_put(&p);
	return err;
}

static int unix_autobind(struct unix_sock *u)
{
	struct unix_name n;

	for (unsigned tries = 0; tries < 0x100000; tries++) {
		memset(&n, 0, sizeof(n));
		n.sun.sun_family = AF_UNIX;
		ksnprintf(n.sun.sun_path + 1, sizeof(n.sun.sun_path) - 1,
			  "%05x", unix_autobind_next & 0xfffff);
		unix_autobind_next++;
		n.len = (int)(offsetof(struct sockaddr_un, sun_path) + 6);
		if (unix_find_abstract(&n))
			continue;
		u->name = n;
		u->bound = true;
		list_add_tail(&u->bound_link, &unix_bound);
		return 0;
	}
	return -ENOSPC;
}

static int unix_bind(struct socket *s, const void *addr, int len)
{
	struct unix_sock *u = usk(s);
	struct unix_name n;
	struct path p;
	int err;

	err = unix_mkname(addr, len, &n);
	if (err < 0)
		return err;
	if (n.len == 0 || name_is_abstract(&n)) {
		if (u->bound)
			return -EINVAL;
		if (n.len == 0)
			return unix_autobind(u);
		if (unix_find_abstract(&n))
			return -EADDRINUSE;
	} else {
		/* Linux makes the node first: a taken path is EADDRINUSE
		 * even for a socket that already has a name. */
		err = vfs_mknodat(AT_FDCWD, n.path, S_IFSOCK | 0777, 0);
		if (err == -EEXIST)
			return -EADDRINUSE;
		if (err < 0)
			return err;
		if (u->bound) {
			vfs_unlinkat(AT_FDCWD, n.path);
			return -EINVAL;
		}
		err = vfs_walk(AT_FDCWD, n.path, 0, &p);
		if (err < 0)
			return err;
		u->bind_sb = p.dentry->inode->sb;
		u->bind_ino = p.dentry->inode->ino;
		path_put(&p);
	}
	u->name = n;
	u->bound = true;
	list_add_tail(&u->bound_link, &unix_bound);
	return 0;
}

static int unix_getname(struct socket *s, void *addr, bool peer)
{
	struct unix_sock *u = usk(s);
	struct sockaddr_un *sun = addr;

	if (peer) {
		if (!u->peer || (unix_conn_type(u) && u->state != US_CONNECTED))
			return -ENOTCONN;
		u = u->peer;
	}
	if (!u->name.len) {
		sun->sun_family = AF_UNIX;
		return sizeof(sa_family_t);
	}
	return name_out(&u->name, addr);
}

/* ---- control messages ---- */

struct unix_scm {
	struct file **fds;
	int nfds;
	struct ucred cred;
};

static void scm_destroy(struct unix_scm *scm)
{
	for (int i = 0; i < scm->nfds; i++)
		file_put(scm->fds[i]);
	kfree(scm->fds);
	scm->fds = NULL;
	scm->nfds = 0;
}

static bool cred_allowed(const struct ucred *c)
{
	struct task *t = current->task;

	if (sock_capable())
		return true;
	return c->pid == t->pid &&
	       (c->uid == t->cred.uid || c->uid == t->cred.euid ||
		c->uid == t->cred.suid) &&
	       (c->gid == t->cred.gid || c->gid == t->cred.egid ||
		c->gid == t->cred.sgid);
}

/* Parses the control messages of a send (cmsg(3) layout). */
static int scm_parse(const struct sock_msg *m, struct unix_scm *scm)
{
	size_t off = 0;
	int err;

	scm->fds = NULL;
	scm->nfds = 0;
	scm->cred = sock_current_cred();
	while (m->ctl && off + sizeof(struct cmsghdr) <= m->ctl_len) {
		struct cmsghdr h;
		const char *data =
			(const char *)m->ctl + off + sizeof(struct cmsghdr);
		size_t dlen;

		memcpy(&h, (const char *)m->ctl + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > m->ctl_len - off) {
			err = -EINVAL;
			goto err;
		}
		dlen = h.cmsg_len - sizeof(h);
		if (h.cmsg_level != SOL_SOCKET) {
			/* Linux ignores other levels on AF_UNIX. */
		} else if (h.cmsg_type == SCM_RIGHTS) {
			int n = (int)(dlen / sizeof(int));

			if (scm->nfds || n <= 0 || n > SCM_MAX_FD) {
				err = -EINVAL;
				goto err;
			}
			scm->fds = kzalloc((size_t)n * sizeof(struct file *));
			if (!scm->fds) {
				err = -ENOMEM;
				goto err;
			}
			for (int i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, data + (size_t)i * sizeof(int),
				       sizeof(fd));
				scm->fds[i] = fd_get(fd);
				if (!scm->fds[i] ||
				    (scm->fds[i]->flags & O_PATH)) {
					if (scm->fds[i])
						file_put(scm->fds[i]);
					err = -EBADF;
					goto err;
				}
				scm->nfds = i + 1;
			}
		} else if (h.cmsg_type == SCM_CREDENTIALS) {
			struct ucred c;

			if (dlen != sizeof(c)) {
				err = -EINVAL;
				goto err;
			}
			memcpy(&c, data, sizeof(c));
			if (!cred_allowed(&c)) {
				err = -EPERM;
				goto err;
			}
			scm->cred = c;
		} else {
			err = -EINVAL;
			goto err;
		}
		off += CMSG_ALIGN_UP(h.cmsg_len);
	}
	return 0;
err:
	scm_destroy(scm);
	return err;
}

/* Installs the files of skb in current as SCM_RIGHTS (all of them, or
 * as many as the control buffer holds; the rest are closed). */
static void scm_recv_fds(struct sock_msg *m, struct unix_skb *skb, bool peek)
{
	int fds[SCM_MAX_FD];
	size_t room;
	int n = 0, max;

	if (!skb->nfds)
		return;
	room = m->ctl && m->ctl_len > m->ctl_used + sizeof(struct cmsghdr) ?
		       m->ctl_len - m->ctl_used - sizeof(struct cmsghdr) :
		       0;
	max = (int)MIN(room / sizeof(int), (size_t)skb->nfds);
	for (int i = 0; i < max; i++) {
		int fd = fd_install(skb->fds[i], 0, m->cloexec);

		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	if (n < skb->nfds)
		m->msg_flags |= MSG_CTRUNC;
	if (n) {
		/* The cmsg is sized for what fits, so it cannot fail. */
		size_t save = m->ctl_len;

		m->ctl_len = m->ctl_used + CMSG_SPACE_OF(n * sizeof(int));
		if (m->ctl_len > save)
			m->ctl_len = save; /* last one unpadded: Linux too */
		if (m->ctl_used + CMSG_LEN_OF(n * sizeof(int)) <= m->ctl_len) {
			struct cmsghdr h = { CMSG_LEN_OF(n * sizeof(int)),
					     SOL_SOCKET, SCM_RIGHTS };
			char *p = (char *)m->ctl + m->ctl_used;

			memcpy(p, &h, sizeof(h));
			memcpy(p + sizeof(h), fds, n * sizeof(int));
			m->ctl_used = MIN(
				m->ctl_used + CMSG_SPACE_OF(n * sizeof(int)),
				save);
		}
		m->ctl_len = save;
	}
	if (!peek) {
		for (int i = 0; i < skb->nfds; i++)
			file_put(skb->fds[i]);
		kfree(skb->fds);
		skb->fds = NULL;
		skb->nfds = 0;
	}
}

static struct unix_skb *skb_new(const void *data, size_t len,
				struct unix_scm *scm, struct unix_sock *from)
{
	struct unix_skb *skb = kzalloc(sizeof(*skb));

	if (!skb)
		return NULL;
	skb->data = kmalloc(len ? len : 1);
	if (!skb->data) {
		kfree(skb);
		return NULL;
	}
	memcpy(skb->data, data, len);
	skb->len = len;
	skb->cred = scm->cred;
	if (from)
		skb->from = from->name;
	/* The files move into the message. */
	skb->fds = scm->fds;
	skb->nfds = scm->nfds;
	scm->fds = NULL;
	scm->nfds = 0;
	return skb;
}

static void unix_queue(struct unix_sock *to, struct unix_skb *skb)
{
	list_add_tail(&skb->link, &to->rcvq);
	to->rcv_bytes += skb->len;
	to->rcv_count++;
	unix_wake(to);
}

static void put_creds(struct sock_msg *m, struct unix_sock *u,
		      const struct unix_skb *skb)
{
	if (u->sock && u->sock->passcred)
		sock_put_cmsg(m, SOL_SOCKET, SCM_CREDENTIALS, &skb->cred,
			      sizeof(skb->cred));
}

static void put_from(struct sock_msg *m, const struct unix_skb *skb)
{
	if (!m->addr)
		return;
	m->addrlen = skb->from.len ? name_out(&skb->from, m->addr) : 0;
}

/* ---- connection-oriented: stream and seqpacket ---- */

static struct unix_sock *unix_alloc(struct socket *s, int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));

	if (!u)
		return NULL;
	u->sock = s;
	u->refcount = 1;
	u->type = type;
	list_init(&u->rcvq);
	list_init(&u->accq);
	list_init(&u->acc_link);
	list_init(&u->bound_link);
	list_add_tail(&u->all_link, &unix_all);
	s->priv = u;
	s->ops = type == SOCK_DGRAM ? &unix_dgram_ops : &unix_stream_ops;
	return u;
}

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = usk(s);

	if (!unix_conn_type(u))
		return -EOPNOTSUPP;
	if (!u->bound || u->state == US_CONNECTED)
		return -EINVAL;
	u->backlog = backlog;
	if (u->state != US_LISTEN) {
		u->state = US_LISTEN;
		u->peercred = sock_current_cred();
		u->has_peercred = true;
	}
	unix_wake(u);
	return 0;
}

static int unix_stream_connect(struct socket *s, const void *addr, int len,
			       bool nonblock)
{
	struct unix_sock *u = usk(s), *other, *nu;
	struct socket *ns;
	struct unix_name n;
	int err;

	err = unix_mkname(addr, len, &n);
	if (err < 0)
		return err;
	if (n.len == 0)
		return -EINVAL;
	if (u->state == US_CONNECTED)
		return -EISCONN;
	if (u->state == US_LISTEN)
		return -EINVAL;
	if (s->passcred && !u->bound) {
		err = unix_autobind(u);
		if (err < 0)
			return err;
	}
	err = unix_find(&n, u->type, &other);
	if (err < 0)
		return err;
	if (other->state != US_LISTEN || (other->shutdown & RCV_SHUTDOWN))
		return -ECONNREFUSED;
	if (other->nacc > other->backlog) {
		long r = sock_wait(&other->sock->wq, s->sndtimeo_ns, nonblock);

		return (int)r;
	}
	ns = sock_create(AF_UNIX, u->type, 0);
	if (IS_ERR(ns))
		return (int)PTR_ERR(ns);
	nu = usk(ns);
	nu->state = US_CONNECTED;
	nu->name = other->name;
	nu->peercred = sock_current_cred();
	nu->has_peercred = true;
	ns->passcred = other->sock->passcred;
	nu->peer = u;
	unix_get(u);
	u->peer = nu;
	unix_get(nu);
	u->state = US_CONNECTED;
	u->peercred = other->peercred;
	u->has_peercred = true;
	list_add_tail(&nu->acc_link, &other->accq);
	other->nacc++;
	unix_wake(other);
	unix_wake(u);
	return 0;
}

static int unix_accept(struct socket *s, struct socket **out, bool nonblock)
{
	struct unix_sock *u = usk(s), *nu;

	if (!unix_conn_type(u))
		return -EOPNOTSUPP;
	if (u->state != US_LISTEN)
		return -EINVAL;
	if (list_empty(&u->accq))
		return (int)sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	nu = list_first_entry(&u->accq, struct unix_sock, acc_link);
	list_del(&nu->acc_link);
	u->nacc--;
	unix_wake(u);
	*out = nu->sock;
	return 0;
}

static int unix_pair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = usk(a), *ub = usk(b);

	ua->peer = ub;
	unix_get(ub);
	ub->peer = ua;
	unix_get(ua);
	ua->peercred = ub->peercred = sock_current_cred();
	ua->has_peercred = ub->has_peercred = true;
	if (unix_conn_type(ua))
		ua->state = ub->state = US_CONNECTED;
	return 0;
}

static long unix_stream_sendmsg(struct socket *s, struct sock_msg *m, int flags,
				bool nonblock)
{
	struct unix_sock *u = usk(s), *other;
	struct unix_scm scm;
	struct unix_skb *skb;
	size_t room, len = m->len;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->addr && m->addrlen)
		return u->state == US_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (u->state != US_CONNECTED)
		return -ENOTCONN;
	other = u->peer;
	if ((u->shutdown & SEND_SHUTDOWN) || !other || other->dead ||
	    (other->shutdown & RCV_SHUTDOWN))
		return -EPIPE;
	if (u->type == SOCK_SEQPACKET && len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	room = unix_rcvbuf(other) > other->rcv_bytes ?
		       unix_rcvbuf(other) - other->rcv_bytes :
		       0;
	if (u->type == SOCK_SEQPACKET ? (room < len && other->rcv_count) :
					(room == 0 && len > 0))
		return sock_wait(&s->wq, s->sndtimeo_ns, nonblock);
	if (u->type == SOCK_STREAM && len > room)
		len = room;
	err = scm_parse(m, &scm);
	if (err < 0)
		return err;
	if (len == 0 && u->type == SOCK_STREAM && !scm.nfds) {
		scm_destroy(&scm);
		return 0;
	}
	skb = skb_new(m->buf, len, &scm, u);
	scm_destroy(&scm);
	if (!skb)
		return -ENOMEM;
	unix_queue(other, skb);
	return (long)len;
}

static bool same_cred(const struct ucred *a, const struct ucred *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

static long unix_stream_recvmsg(struct socket *s, struct sock_msg *m, int flags,
				bool nonblock)
{
	struct unix_sock *u = usk(s);
	struct unix_skb *skb, *next, *first;
	size_t copied = 0, want = m->len, avail;
	bool peek = flags & MSG_PEEK;
	bool eof;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->state != US_CONNECTED)
		return -EINVAL;
	if (m->addr)
		m->addrlen = 0;
	eof = (u->shutdown & RCV_SHUTDOWN) || !u->peer || u->peer->dead;
	if (list_empty(&u->rcvq)) {
		if (u->err) {
			int e = u->err;

			u->err = 0;
			return -e;
		}
		if (eof || want == 0)
			return 0;
		return sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	}
	avail = u->rcv_bytes;
	if (!nonblock && !eof && (flags & MSG_WAITALL) &&
	    avail < MIN(want, unix_rcvbuf(u))) {
		/* Wait for all of it before taking anything: a re-run
		 * call cannot keep what it already took. More than the
		 * queue holds comes back short rather than never. */
		first = list_first_entry(&u->rcvq, struct unix_skb, link);
		if (!first->nfds)
			return sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	}
	first = list_first_entry(&u->rcvq, struct unix_skb, link);
	put_from(m, first);
	put_creds(m, u, first);
	list_for_each_entry_safe(skb, next, &u->rcvq, link) {
		size_t n;

		if (copied >= want && !(copied == 0 && want == 0))
			break;
		if (skb != first &&
		    (skb->nfds ||
		     (s->passcred && !same_cred(&skb->cred, &first->cred))))
			break;
		if (skb->nfds)
			scm_recv_fds(m, skb, peek);
		n = MIN(want - copied, skb->len - skb->off);
		memcpy((char *)m->buf + copied, skb->data + skb->off, n);
		copied += n;
		if (peek)
			continue;
		skb->off += n;
		if (skb->off == skb->len) {
			unix_unlink_skb(u, skb);
		} else {
			/* The bytes taken are no longer queued. */
			skb->len -= skb->off;
			u->rcv_bytes -= skb->off;
			memmove(skb->data, skb->data + skb->off, skb->len);
			skb->off = 0;
		}
		if (want == 0)
			break;
	}
	if (!peek)
		unix_wake(u->peer);
	return (long)copied;
}

/* Seqpacket receive: one record per call, like a datagram. */
static long unix_seqpacket_recvmsg(struct socket *s, struct sock_msg *m,
				   int flags, bool nonblock)
{
	struct unix_sock *u = usk(s);
	struct unix_skb *skb;
	size_t n;
	long r;

	if (u->state != US_CONNECTED)
		return -EINVAL;
	if (list_empty(&u->rcvq)) {
		if (u->err) {
			int e = u->err;

			u->err = 0;
			return -e;
		}
		if ((u->shutdown & RCV_SHUTDOWN) || !u->peer || u->peer->dead)
			return 0;
		return sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	}
	skb = list_first_entry(&u->rcvq, struct unix_skb, link);
	n = MIN(m->len, skb->len);
	memcpy(m->buf, skb->data, n);
	if (n < skb->len)
		m->msg_flags |= MSG_TRUNC;
	m->msg_flags |= MSG_EOR;
	if (m->addr)
		m->addrlen = 0;
	put_creds(m, u, skb);
	scm_recv_fds(m, skb, flags & MSG_PEEK);
	r = (flags & MSG_TRUNC) ? (long)skb->len : (long)n;
	if (!(flags & MSG_PEEK)) {
		unix_unlink_skb(u, skb);
		unix_wake(u->peer);
	}
	return r;
}

static long unix_conn_recvmsg(struct socket *s, struct sock_msg *m, int flags,
			      bool nonblock)
{
	if (s->type == SOCK_SEQPACKET)
		return unix_seqpacket_recvmsg(s, m, flags, nonblock);
	return unix_stream_recvmsg(s, m, flags, nonblock);
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = usk(s), *other = u->peer;
	unsigned mode = (unsigned)how + 1; /* SHUT_RD 1, WR 2, RDWR 3 */

	u->shutdown |= mode;
	unix_wake(u);
	if (other && unix_conn_type(u)) {
		unsigned peer_mode = 0;

		if (mode & RCV_SHUTDOWN)
			peer_mode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			peer_mode |= RCV_SHUTDOWN;
		other->shutdown |= peer_mode;
		unix_wake(other);
	}
	return 0;
}

static unsigned unix_conn_poll(struct socket *s)
{
	struct unix_sock *u = usk(s), *other = u->peer;
	unsigned mask = 0;

	if (u->state == US_LISTEN)
		return list_empty(&u->accq) ? 0 : SK_POLLIN | SK_POLLRDNORM;
	if (u->err)
		mask |= SK_POLLERR;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= SK_POLLRDHUP | SK_POLLIN | SK_POLLRDNORM;
	if (u->shutdown == SHUTDOWN_MASK || u->state != US_CONNECTED)
		mask |= SK_POLLHUP;
	if (!list_empty(&u->rcvq))
		mask |= SK_POLLIN | SK_POLLRDNORM;
	if (u->state != US_CONNECTED ||
	    (other && unix_rcvbuf(other) > other->rcv_bytes) || !other ||
	    other->dead)
		mask |= SK_POLLOUT | SK_POLLWRNORM | SK_POLLWRBAND;
	return mask;
}

/* ---- datagram ---- */

static int unix_dgram_connect(struct socket *s, const void *addr, int len,
			      bool nonblock)
{
	struct unix_sock *u = usk(s), *other = NULL;
	struct unix_name n;
	int err;

	if (len >= (int)sizeof(sa_family_t) &&
	    ((const struct sockaddr *)addr)->sa_family == AF_UNSPEC) {
		/* Dissolves the association. */
		unix_put(u->peer);
		u->peer = NULL;
		unix_wake(u);
		return 0;
	}
	err = unix_mkname(addr, len, &n);
	if (err < 0)
		return err;
	if (n.len == 0)
		return -EINVAL;
	if (s->passcred && !u->bound) {
		err = unix_autobind(u);
		if (err < 0)
			return err;
	}
	err = unix_find(&n, u->type, &other);
	if (err < 0)
		return err;
	unix_get(other);
	unix_put(u->peer);
	u->peer = other;
	unix_wake(u);
	return 0;
}

static bool dgram_full(struct unix_sock *u, struct unix_sock *other, size_t len)
{
	if (other->rcv_count && other->rcv_bytes + len > unix_rcvbuf(other))
		return true;
	return other->peer != u && other->rcv_count > UNIX_MAX_DGRAM_QLEN;
}

static long unix_dgram_sendmsg(struct socket *s, struct sock_msg *m, int flags,
			       bool nonblock)
{
	struct unix_sock *u = usk(s), *other;
	struct unix_scm scm;
	struct unix_skb *skb;
	struct unix_name n;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->addr && m->addrlen) {
		err = unix_mkname(m->addr, m->addrlen, &n);
		if (err < 0)
			return err;
		if (n.len == 0)
			return -EINVAL;
	}
	if (u->shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	if (m->len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	if (s->passcred && !u->bound) {
		err = unix_autobind(u);
		if (err < 0)
			return err;
	}
	if (m->addr && m->addrlen) {
		err = unix_find(&n, u->type, &other);
		if (err < 0)
			return err;
	} else {
		other = u->peer;
		if (!other)
			return -ENOTCONN;
		if (other->dead) {
			unix_put(u->peer);
			u->peer = NULL;
			return -ECONNREFUSED;
		}
	}
	if (other->peer && other->peer != u && !other->peer->dead)
		return -EPERM;
	if (other->shutdown & RCV_SHUTDOWN)
		return -EPIPE;
	if (dgram_full(u, other, m->len))
		return sock_wait(other->sock ? &other->sock->wq : NULL,
				 s->sndtimeo_ns, nonblock);
	err = scm_parse(m, &scm);
	if (err < 0)
		return err;
	skb = skb_new(m->buf, m->len, &scm, u);
	scm_destroy(&scm);
	if (!skb)
		return -ENOMEM;
	unix_queue(other, skb);
	return (long)m->len;
}

static long unix_dgram_recvmsg(struct socket *s, struct sock_msg *m, int flags,
			       bool nonblock)
{
	struct unix_sock *u = usk(s);
	struct unix_skb *skb;
	size_t n;
	long r;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (list_empty(&u->rcvq)) {
		if (u->shutdown & RCV_SHUTDOWN)
			return 0;
		return sock_wait(&s->wq, s->rcvtimeo_ns, nonblock);
	}
	skb = list_first_entry(&u->rcvq, struct unix_skb, link);
	n = MIN(m->len, skb->len);
	memcpy(m->buf, skb->data, n);
	if (n < skb->len)
		m->msg_flags |= MSG_TRUNC;
	put_from(m, skb);
	put_creds(m, u, skb);
	scm_recv_fds(m, skb, flags & MSG_PEEK);
	r = (flags & MSG_TRUNC) ? (long)skb->len : (long)n;
	if (!(flags & MSG_PEEK)) {
		unix_unlink_skb(u, skb);
		/* Senders wait on the receiver's queue. */
		unix_wake(u);
	}
	return r;
}

static unsigned unix_dgram_poll(struct socket *s)
{
	struct unix_sock *u = usk(s), *other = u->peer;
	unsigned mask = 0;

	if (u->err)
		mask |= SK_POLLERR;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= SK_POLLRDHUP | SK_POLLIN | SK_POLLRDNORM;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= SK_POLLHUP;
	if (!list_empty(&u->rcvq))
		mask |= SK_POLLIN | SK_POLLRDNORM;
	if (!other || other->dead || !dgram_full(u, other, 0))
		mask |= SK_POLLOUT | SK_POLLWRNORM | SK_POLLWRBAND;
	return mask;
}

/* ---- shared ---- */

static long unix_ioctl(struct socket *s, unsigned cmd, uaddr_t arg)
{
	struct unix_sock *u = usk(s);
	int v = 0;

	switch (cmd) {
	case FIONREAD:
		if (u->state == US_LISTEN)
			return -EINVAL;
		if (u->type == SOCK_STREAM) {
			v = (int)u->rcv_bytes;
		} else if (!list_empty(&u->rcvq)) {
			v = (int)list_first_entry(&u->rcvq, struct unix_skb,
						  link)
				    ->len;
		}
		break;
	case SIOCOUTQ:
		if (u->state == US_LISTEN)
			return -EINVAL;
		v = u->peer && !u->peer->dead && unix_conn_type(u) ?
			    (int)u->peer->rcv_bytes :
			    0;
		break;
	default:
		return -ENOTTY;
	}
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static int unix_setsockopt(struct socket *s, int level, int name,
			   const void *val, int len)
{
	return level == SOL_SOCKET ? -ENOPROTOOPT : -EOPNOTSUPP;
}

static int unix_getsockopt(struct socket *s, int level, int name, void *val,
			   int *len)
{
	struct unix_sock *u = usk(s);
	int v;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	switch (name) {
	case SO_PEERCRED: {
		struct ucred c = { 0, 65534, 65534 };

		if (u->has_peercred && unix_conn_type(u))
			c = u->peercred;
		else if (u->has_peercred && u->peer)
			c = u->peercred;
		memcpy(val, &c, sizeof(c));
		*len = sizeof(c);
		return 0;
	}
	case SO_ACCEPTCONN:
		v = u->state == US_LISTEN;
		memcpy(val, &v, sizeof(v));
		*len = sizeof(v);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static void unix_release(struct socket *s)
{
	struct unix_sock *u = usk(s), *other = u->peer;

	u->dead = true;
	u->shutdown = SHUTDOWN_MASK;
	if (u->bound) {
		list_del(&u->bound_link);
		u->bound = false;
	}
	if (other && unix_conn_type(u)) {
		/* Unread data makes the peer's next read fail, as on
		 * Linux. */
		if (!list_empty(&u->rcvq))
			other->err = ECONNRESET;
		other->shutdown = SHUTDOWN_MASK;
	}
	unix_wake(other);
	/* Embryos nobody accepted: their connectors see a reset. */
	while (!list_empty(&u->accq)) {
		struct unix_sock *nu =
			list_first_entry(&u->accq, struct unix_sock, acc_link);

		list_del(&nu->acc_link);
		u->nacc--;
		if (nu->peer)
			nu->peer->err = ECONNRESET;
		sock_release(nu->sock);
	}
	/* Wake datagram senders blocked on this queue, and then forget it. */
	unix_purge(u);
	u->peer = NULL;
	u->sock = NULL;
	s->priv = NULL;
	unix_put(other);
	unix_put(u);
}

static const struct proto_ops unix_stream_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_conn_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.poll = unix_conn_poll,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.ioctl = unix_ioctl,
	.pair = unix_pair,
	.release = unix_release,
};

static int unix_dgram_listen(struct socket *s, int backlog)
{
	return -EOPNOTSUPP;
}

static int unix_dgram_accept(struct socket *s, struct socket **out,
			     bool nonblock)
{
	return -EOPNOTSUPP;
}

static const struct proto_ops unix_dgram_ops = {
	.bind = unix_bind,
	.connect = unix_dgram_connect,
	.listen = unix_dgram_listen,
	.accept = unix_dgram_accept,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.poll = unix_dgram_poll,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.ioctl = unix_ioctl,
	.pair = unix_pair,
	.release = unix_release,
};

void unix_foreach(void (*fn)(void *ctx, const struct unix_info *ui), void *ctx)
{
	struct unix_sock *u;

	list_for_each_entry(u, &unix_all, all_link) {
		struct unix_info ui;

		if (!u->sock)
			continue;
		memset(&ui, 0, sizeof(ui));
		ui.refcount = u->refcount;
		ui.type = u->type;
		ui.listening = u->state == US_LISTEN;
		ui.connected = u->state == US_CONNECTED;
		ui.ino = u->sock->file ? u->sock->file->inode->ino : 0;
		if (u->bound && u->name.len > (int)sizeof(sa_family_t)) {
			size_t n = (size_t)u->name.len - sizeof(sa_family_t);

			if (u->name.sun.sun_path[0] == 0) {
				/* Abstract names show with a leading '@'. */
				ui.path[0] = '@';
				memcpy(ui.path + 1, u->name.sun.sun_path + 1,
				       MIN(n - 1, sizeof(ui.path) - 2));
			} else {
				kstrlcpy(ui.path, u->name.path,
					 sizeof(ui.path));
			}
		}
		fn(ctx, &ui);
	}
}

int unix_create(struct socket *s, int protocol)
{
	if (protocol != 0 && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (!unix_alloc(s, s->type))
		return -ENOMEM;
	return 0;
}
