/*
 * net: the socket layer's interface to the rest of the core: anonymous
 * socket files (sockfs) and the network stack's boot hook.
 */
#ifndef KERN_NET_H
#define KERN_NET_H

#include <kern/types.h>

struct file;
struct file_ops;

/*
 * A new open file on a fresh anonymous socket inode (S_IFSOCK, 0777, in
 * the sockfs pseudo filesystem) with ops and priv, O_RDWR plus the
 * O_NONBLOCK of flags. Returns the file (refcount 1) or ERR_PTR(-ENOMEM).
 * The file's release op runs when the last reference goes.
 */
struct file *sockfs_alloc_file(const struct file_ops *ops, void *priv,
			       unsigned flags);

/* Is f a socket made by sockfs_alloc_file? */
bool sockfs_is_socket(const struct file *f);

struct iovec;
/* readv/writev on a socket f: the user vector (total bytes in all) moves
 * as one message, as recvmsg/sendmsg without flags would (SIGPIPE on a
 * broken stream). Returns bytes or -errno; may block (sched.h). */
long sock_rw_iov(struct file *f, const struct iovec *iov, int iovcnt,
		 size_t total, bool write);

/*
 * Brings networking up at boot: lwIP with lo, and one Ethernet interface
 * ethN per HAL NIC, eth0 configured from the command line's ip= word
 * (Linux's form ip=CLIENT::GW:NETMASK::eth0:off, or ip=dhcp). Never fails
 * (a NIC that cannot be set up is logged and left out).
 */
void net_init(const char *cmdline);

/* /proc/net (procnet.c, for procfs): the name of file i, NULL past the
 * last one; the index of a name or -ENOENT; the text of file i in a
 * kmalloc'd buffer (*len bytes) that the caller kfrees, NULL when out of
 * memory or i is out of range. */
const char *procnet_name(int i);
int procnet_lookup(const char *name);
char *procnet_generate(int i, size_t *len);

#endif
