/* struct utsname as the x86_64 uname(2) syscall fills it (uname(2)). */
#ifndef UAPI_UTSNAME_H
#define UAPI_UTSNAME_H

#define UTSNAME_LEN 65

struct new_utsname {
	char sysname[UTSNAME_LEN];
	char nodename[UTSNAME_LEN];
	char release[UTSNAME_LEN];
	char version[UTSNAME_LEN];
	char machine[UTSNAME_LEN];
	char domainname[UTSNAME_LEN];
};

_Static_assert(sizeof(struct new_utsname) == 390, "utsname size");
_Static_assert(__builtin_offsetof(struct new_utsname, machine) == 260,
	       "utsname.machine offset");

#endif
