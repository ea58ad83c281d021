/* Linux x86_64 signalfd(2): flags and struct signalfd_siginfo. */
#ifndef UAPI_SIGNALFD_H
#define UAPI_SIGNALFD_H

#include <stdint.h>

#define SFD_CLOEXEC 02000000
#define SFD_NONBLOCK 04000

/* One record read(2) returns per signal: 128 bytes. */
struct signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};

_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo");
_Static_assert(__builtin_offsetof(struct signalfd_siginfo, ssi_ptr) == 48,
	       "ssi_ptr offset");
_Static_assert(__builtin_offsetof(struct signalfd_siginfo, ssi_addr) == 72,
	       "ssi_addr offset");
_Static_assert(__builtin_offsetof(struct signalfd_siginfo, ssi_call_addr) == 88,
	       "ssi_call_addr offset");

#endif
