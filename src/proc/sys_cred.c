/*
 * sys_cred.c: user and group ids, supplementary groups and capabilities
 * (layer: syscall adapters over the task's struct creds; relies on
 * uaccess). The permission rules are those of setuid(2), setreuid(2),
 * setresuid(2) and setfsuid(2), with Ember's one privilege: an effective
 * uid of 0 has every capability (capget reports the full set), any other
 * has none, as a Linux process without file capabilities.
 */
#include <kern/klib.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <syscall_protos.h>
#include <uapi/errno.h>

#include "proc_internal.h"

#define ID_KEEP ((uint32_t)-1)
#define NGROUPS_MAX 65536

/* capget(2) versions and Linux 6.1's highest capability (CAP_CHECKPOINT_
 * RESTORE = 40). */
#define CAP_VERSION_1 0x19980330U
#define CAP_VERSION_2 0x20071026U
#define CAP_VERSION_3 0x20080522U
#define CAP_LAST_CAP 40

struct cap_header {
	uint32_t version;
	int32_t pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

_Static_assert(sizeof(struct cap_header) == 8, "cap_user_header_t size");
_Static_assert(sizeof(struct cap_data) == 12, "cap_user_data_t size");

bool proc_capable(void)
{
	return current && current->task->cred.euid == 0;
}

static struct creds *cred(void)
{
	return &current->task->cred;
}

static bool one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == a || id == b || id == c;
}

long sys_setuid(unsigned int uid)
{
	struct creds *c = cred();

	if (uid == ID_KEEP)
		return -EINVAL;
	if (proc_capable()) {
		c->uid = c->euid = c->suid = c->fsuid = uid;
		return 0;
	}
	if (uid != c->uid && uid != c->suid)
		return -EPERM;
	c->euid = c->fsuid = uid;
	return 0;
}

long sys_setgid(unsigned int gid)
{
	struct creds *c = cred();

	if (gid == ID_KEEP)
		return -EINVAL;
	if (proc_capable()) {
		c->gid = c->egid = c->sgid = c->fsgid = gid;
		return 0;
	}
	if (gid != c->gid && gid != c->sgid)
		return -EPERM;
	c->egid = c->fsgid = gid;
	return 0;
}

/* setreuid/setregid: the saved id follows the new effective id when the
 * real id is set or the effective id moves away from the old real id. */
static long set_re(uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs,
		   uint32_t nr, uint32_t ne)
{
	bool cap = proc_capable();
	uint32_t old_r = *r;

	if (nr != ID_KEEP && !cap && nr != *r && nr != *e)
		return -EPERM;
	if (ne != ID_KEEP && !cap && !one_of(ne, *r, *e, *s))
		return -EPERM;
	if (nr != ID_KEEP)
		*r = nr;
	if (ne != ID_KEEP)
		*e = ne;
	if (nr != ID_KEEP || (ne != ID_KEEP && ne != old_r))
		*s = *e;
	*fs = *e;
	return 0;
}

long sys_setreuid(unsigned int ruid, unsigned int euid)
{
	struct creds *c = cred();

	return set_re(&c->uid, &c->euid, &c->suid, &c->fsuid, ruid, euid);
}

long sys_setregid(unsigned int rgid, unsigned int egid)
{
	struct creds *c = cred();

	return set_re(&c->gid, &c->egid, &c->sgid, &c->fsgid, rgid, egid);
}

static long set_res(uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs,
		    uint32_t nr, uint32_t ne, uint32_t ns)
{
	if (!proc_capable()) {
		if (nr != ID_KEEP && !one_of(nr, *r, *e, *s))
			return -EPERM;
		if (ne != ID_KEEP && !one_of(ne, *r, *e, *s))
			return -EPERM;
		if (ns != ID_KEEP && !one_of(ns, *r, *e, *s))
			return -EPERM;
	}
	if (nr != ID_KEEP)
		*r = nr;
	if (ne != ID_KEEP)
		*e = ne;
	if (ns != ID_KEEP)
		*s = ns;
	*fs = *e;
	return 0;
}

long sys_setresuid(unsigned int ruid, unsigned int euid, unsigned int suid)
{
	struct creds *c = cred();

	return set_res(&c->uid, &c->euid, &c->suid, &c->fsuid, ruid, euid,
		       suid);
}

long sys_setresgid(unsigned int rgid, unsigned int egid, unsigned int sgid)
{
	struct creds *c = cred();

	return set_res(&c->gid, &c->egid, &c->sgid, &c->fsgid, rgid, egid,
		       sgid);
}

static long get_res(uint32_t r, uint32_t e, uint32_t s, uaddr_t ur, uaddr_t ue,
		    uaddr_t us)
{
	if (copy_to_user(ur, &r, sizeof(r)) ||
	    copy_to_user(ue, &e, sizeof(e)) || copy_to_user(us, &s, sizeof(s)))
		return -EFAULT;
	return 0;
}

long sys_getresuid(uaddr_t ruid, uaddr_t euid, uaddr_t suid)
{
	struct creds *c = cred();

	return get_res(c->uid, c->euid, c->suid, ruid, euid, suid);
}

long sys_getresgid(uaddr_t rgid, uaddr_t egid, uaddr_t sgid)
{
	struct creds *c = cred();

	return get_res(c->gid, c->egid, c->sgid, rgid, egid, sgid);
}

/* setfsuid/setfsgid always return the old value, even when refusing. */
static long set_fs(uint32_t *fs, uint32_t r, uint32_t e, uint32_t s,
		   uint32_t nfs)
{
	uint32_t old = *fs;

	if (nfs != ID_KEEP &&
	    (proc_capable() || one_of(nfs, r, e, s) || nfs == old))
		*fs = nfs;
	return old;
}

long sys_setfsuid(unsigned int fsuid)
{
	struct creds *c = cred();

	return set_fs(&c->fsuid, c->uid, c->euid, c->suid, fsuid);
}

long sys_setfsgid(unsigned int fsgid)
{
	struct creds *c = cred();

	return set_fs(&c->fsgid, c->gid, c->egid, c->sgid, fsgid);
}

long sys_getgroups(int size, uaddr_t list)
{
	struct creds *c = cred();

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if ((uint32_t)size < c->ngroups)
		return -EINVAL;
	if (c->ngroups &&
	    copy_to_user(list, c->groups, sizeof(uint32_t) * c->ngroups))
		return -EFAULT;
	return c->ngroups;
}

/* partial: at most 32 supplementary groups (Linux: 65536). */
long sys_setgroups(size_t size, uaddr_t list)
{
	struct creds *c = cred();
	uint32_t groups[ARRAY_SIZE(c->groups)];

	if (!proc_capable())
		return -EPERM;
	if (size > NGROUPS_MAX)
		return -EINVAL;
	if (size > ARRAY_SIZE(c->groups))
		return -ENOMEM;
	if (size && copy_from_user(groups, list, sizeof(uint32_t) * size))
		return -EFAULT;
	memcpy(c->groups, groups, sizeof(uint32_t) * size);
	c->ngroups = (uint32_t)size;
	return 0;
}

/* The capability sets of task: all of them for euid 0, none otherwise. */
static void caps_of(const struct task *task, struct cap_data d[2])
{
	memset(d, 0, 2 * sizeof(*d));
	if (task->cred.euid != 0)
		return;
	d[0].effective = d[0].permitted = 0xffffffffU;
	d[1].effective = d[1].permitted =
		(uint32_t)((1ULL << (CAP_LAST_CAP - 31)) - 1);
}

static int cap_words(uint32_t version)
{
	switch (version) {
	case CAP_VERSION_1:
		return 1;
	case CAP_VERSION_2:
	case CAP_VERSION_3:
		return 2;
	default:
		return 0;
	}
}

/* Reads the header; an unknown version is answered with the one Ember
 * prefers, as capget(2) describes. */
static int cap_header_in(uaddr_t hdrp, struct cap_header *h, int *words)
{
	if (copy_from_user(h, hdrp, sizeof(*h)))
		return -EFAULT;
	*words = cap_words(h->version);
	if (!*words) {
		uint32_t v = CAP_VERSION_3;

		if (copy_to_user(hdrp, &v, sizeof(v)))
			return -EFAULT;
		return -EINVAL;
	}
	if (h->pid < 0)
		return -EINVAL;
	return 0;
}

long sys_capget(uaddr_t hdrp, uaddr_t datap)
{
	struct cap_header h;
	struct cap_data d[2];
	struct task *task;
	int words, err;

	err = cap_header_in(hdrp, &h, &words);
	if (err == -EINVAL && !datap && !cap_words(h.version))
		return 0;
	if (err)
		return err;
	task = h.pid ? task_find(h.pid) : current->task;
	if (!task || task->state != TASK_ALIVE)
		return -ESRCH;
	caps_of(task, d);
	if (datap && copy_to_user(datap, d, sizeof(d[0]) * (size_t)words))
		return -EFAULT;
	return 0;
}

/* partial: Ember's capabilities follow the euid alone, so a capset can
 * only restate the sets capget reports. */
long sys_capset(uaddr_t hdrp, uaddr_t datap)
{
	struct cap_header h;
	struct cap_data want[2], have[2];
	int words, err;

	err = cap_header_in(hdrp, &h, &words);
	if (err)
		return err;
	if (h.pid && h.pid != current->task->pid)
		return -EPERM;
	memset(want, 0, sizeof(want));
	if (copy_from_user(want, datap, sizeof(want[0]) * (size_t)words))
		return -EFAULT;
	caps_of(current->task, have);
	for (int i = 0; i < words; i++) {
		if (want[i].effective != have[i].effective ||
		    want[i].permitted != have[i].permitted ||
		    want[i].inheritable != have[i].inheritable)
			return -EPERM;
	}
	return 0;
}
