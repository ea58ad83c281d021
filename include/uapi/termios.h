/*
 * Linux x86_64 terminal ioctls and the termios layout the KERNEL's TCGETS
 * and TCSETS* copy (NCCS = 19, 36 bytes; the 60-byte struct of glibc and
 * musl is a user-space type that libc converts or over-allocates), from
 * termios(3), ioctl_tty(2) and TIOCGWINSZ in ioctl_tty(2).
 */
#ifndef UAPI_TERMIOS_H
#define UAPI_TERMIOS_H

#include <stddef.h>
#include <stdint.h>

#define NCCS 19

struct termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};
_Static_assert(sizeof(struct termios) == 36, "kernel struct termios size");
_Static_assert(offsetof(struct termios, c_line) == 16, "c_line");
_Static_assert(offsetof(struct termios, c_cc) == 17, "c_cc");

/* TCGETS2/TCSETS2: the same plus explicit speeds. */
struct termios2 {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
	uint32_t c_ispeed;
	uint32_t c_ospeed;
};
_Static_assert(sizeof(struct termios2) == 44, "struct termios2 size");
_Static_assert(offsetof(struct termios2, c_ispeed) == 36, "c_ispeed");

struct winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};
_Static_assert(sizeof(struct winsize) == 8, "struct winsize size");

/* c_cc indices */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSWTC 7
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

/* c_iflag */
#define IGNBRK 0000001
#define BRKINT 0000002
#define IGNPAR 0000004
#define PARMRK 0000010
#define INPCK 0000020
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IUCLC 0001000
#define IXON 0002000
#define IXANY 0004000
#define IXOFF 0010000
#define IMAXBEL 0020000
#define IUTF8 0040000

/* c_oflag */
#define OPOST 0000001
#define OLCUC 0000002
#define ONLCR 0000004
#define OCRNL 0000010
#define ONOCR 0000020
#define ONLRET 0000040

/* c_cflag */
#define CBAUD 0010017
#define B0 0000000
#define B9600 0000015
#define B38400 0000017
#define CSIZE 0000060
#define CS5 0000000
#define CS6 0000020
#define CS7 0000040
#define CS8 0000060
#define CSTOPB 0000100
#define CREAD 0000200
#define PARENB 0000400
#define PARODD 0001000
#define HUPCL 0002000
#define CLOCAL 0004000

/* c_lflag */
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define ECHOCTL 0001000
#define ECHOPRT 0002000
#define ECHOKE 0004000
#define FLUSHO 0010000
#define PENDIN 0040000
#define IEXTEN 0100000

/* ioctl numbers */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCSBRK 0x5409
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCINQ FIONREAD
#define FIONBIO 0x5421
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429
#define TCGETS2 0x802C542A
#define TCSETS2 0x402C542B
#define TCSETSW2 0x402C542C
#define TCSETSF2 0x402C542D
#define TIOCEXCL 0x540C
#define TIOCNXCL 0x540D
#define TIOCSTI 0x5412
#define TIOCPKT 0x5420
#define TIOCSETD 0x5423
#define TIOCGETD 0x5424
#define TCSBRKP 0x5425
#define TIOCVHANGUP 0x5437
#define TIOCGPTN 0x80045430   /* _IOR('T', 0x30, unsigned int) */
#define TIOCSPTLCK 0x40045431 /* _IOW('T', 0x31, int) */
#define TIOCGPKT 0x80045438   /* _IOR('T', 0x38, int) */
#define TIOCGPTLCK 0x80045439 /* _IOR('T', 0x39, int) */
#define TIOCGEXCL 0x80045440  /* _IOR('T', 0x40, int) */
#define TIOCGPTPEER 0x5441    /* _IO('T', 0x41) */
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define FIOASYNC 0x5452

/* TCFLSH and TCXONC arguments */
#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2
#define TCOOFF 0
#define TCOON 1
#define TCIOFF 2
#define TCION 3

/* TIOCPKT status bytes (ioctl_tty(2)) */
#define TIOCPKT_DATA 0
#define TIOCPKT_FLUSHREAD 1
#define TIOCPKT_FLUSHWRITE 2
#define TIOCPKT_STOP 4
#define TIOCPKT_START 8
#define TIOCPKT_NOSTOP 16
#define TIOCPKT_DOSTOP 32

#endif
