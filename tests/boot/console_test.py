#!/usr/bin/env python3
"""An interactive busybox sh on the serial console, driven through a pty
as a person at a terminal would: `ember boot` sees a terminal on stdin and
stdout (raw QEMU stdio, the kernel's tty line discipline on top). Checks
the prompt, a command, line editing (backspace, cursor left, insert),
Ctrl-C interrupting a foreground sleep, Ctrl-D ending cat's input, the
window size at boot and after a resize, and the exit status of the shell
coming back out of QEMU.

usage: console_test.py EMBER INITRAMFS
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

EMBER, INITRAMFS = sys.argv[1], sys.argv[2]
PROMPT = b"/ # "
log = bytearray()


def fail(why):
    sys.stderr.write("FAIL: %s\n--- terminal output ---\n" % why)
    sys.stderr.write(log.decode("utf-8", "replace"))
    sys.stderr.write("\n")
    sys.exit(1)


pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 90, 0, 0))
    os.environ["TERM"] = "vt100"
    os.execvp(EMBER, [EMBER, "boot", "--initramfs", INITRAMFS, "--",
                      "init=/bin/busybox", "sh", "-i"])

reaped = False
mark = 0  # log offset where the next expect starts looking


def expect(what, timeout=20.0):
    """Waits until `what` appears after the previous match."""
    global mark
    end = time.monotonic() + timeout
    while True:
        i = log.find(what, mark)
        if i >= 0:
            mark = i + len(what)
            return
        left = end - time.monotonic()
        if left <= 0:
            fail("timed out waiting for %r" % what)
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                fail("the terminal closed while waiting for %r" % what)
            log.extend(data)


def send(data, pause=0.3):
    os.write(fd, data)
    time.sleep(pause)


try:
    expect(PROMPT, 60)
    send(b"echo hel''lo there\r")
    expect(b"hello there\r\n")
    expect(PROMPT)
    # Backspace removes X; two cursor-lefts and an insert give "Yab".
    send(b"echo abX\x7f\x1b[D\x1b[DY\r")
    expect(b"Yab\r\n")
    expect(PROMPT)
    send(b"sleep 30; echo not-interrupted\r", 1.0)
    send(b"\x03")
    expect(PROMPT, 10)
    if b"\nnot-interrupted" in log:
        fail("Ctrl-C did not stop the sleep")
    send(b"cat\r", 1.0)
    send(b"typed line\r")
    expect(b"typed line\r\n")  # the echo
    expect(b"typed line\r\n")  # cat's copy
    send(b"\x04")
    expect(PROMPT, 10)
    send(b"stty size\r")
    expect(b"\n30 90\r\n")
    expect(PROMPT)
    # A resize of the host terminal reaches the guest's tty.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    time.sleep(1.0)
    send(b"stty size\r")
    expect(b"\n40 120\r\n")
    expect(PROMPT)
    send(b"exit 5\r")
    _, status = os.waitpid(pid, 0)
    reaped = True
    # Drain what is left for the log.
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        log.extend(data)
finally:
    if not reaped:
        # SIGHUP: ember ends QEMU too (hal-hosted/boot.c on_signal).
        os.kill(pid, 1)
        time.sleep(0.5)
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        os.waitpid(pid, 0)

if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 5:
    fail("ember boot ended with wait status %d, not exit 5" % status)
print("PASS: prompt, echo, editing, Ctrl-C, Ctrl-D, window size, resize "
      "and exit status on the "
      "serial console")
