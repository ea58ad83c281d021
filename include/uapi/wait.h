/* wait4(2)/waitid(2) options and the wait status encoding (wait(2)). */
#ifndef UAPI_WAIT_H
#define UAPI_WAIT_H

#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define WSTOPPED WUNTRACED
#define WEXITED 0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT 0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000

#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3

/* Status words as wait4 stores them: exit code in bits 8..15; a fatal
 * signal in bits 0..6 with 0x80 when a core was dumped. */
#define W_EXITCODE(code) (((code)&0xff) << 8)
#define W_SIGNALED(sig) ((sig)&0x7f)
#define W_COREFLAG 0x80

#endif
