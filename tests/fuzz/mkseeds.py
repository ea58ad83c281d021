#!/usr/bin/env python3
"""Writes the seed corpora of the fuzzers: tests/fuzz/mkseeds.py [OUTDIR]

OUTDIR defaults to tests/fuzz/corpus; it gets syscalls/, elf/ and cpio/.
The syscall seeds are small programs in fuzz_syscalls.c's input format;
syscall numbers and argument kinds come from src/syscall/syscalls.tbl and
the path vocabulary from fuzz_syscalls.c itself, so the seeds follow both.
The ELF seeds are tiny static executables (ET_EXEC, ET_DYN, a #! script);
the cpio seeds are small newc archives. The files are committed; run this
again after changing the input format and commit the result.
"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))

# ---- the table and the vocabulary ----

NR = {}
KINDS = {}
for line in open(os.path.join(TOP, "src/syscall/syscalls.tbl")):
    line = line.split("#", 1)[0].split()
    if len(line) < 3:
        continue
    nr, name = int(line[0]), line[1]
    NR[name] = nr
    KINDS[name] = [a.split(":", 1)[0].split("@", 1)[0] for a in line[3:]]

src = open(os.path.join(HERE, "fuzz_syscalls.c")).read()
body = re.search(r"vocab\[\] = \{(.*?)\};", src, re.S).group(1)
VOCAB = re.findall(r'"((?:[^"\\]|\\.)*)"', body)


def V(path):
    return VOCAB.index(path)


# ---- records ----

HDR_STRACE, HDR_TTY = 1, 2
M64 = (1 << 64) - 1


def rec(op, thread=0, nr=0, sel=(), aux=(), val=()):
    sel = list(sel) + [0] * (6 - len(sel))
    aux = list(aux) + [0] * (6 - len(aux))
    val = [v & M64 for v in val] + [0] * (6 - len(val))
    return struct.pack("<BBH6B6B6Q", op, thread, nr, *sel, *aux, *val)


class A:
    """One argument: selector, value, modifier (see the dec_* functions)."""

    def __init__(self, sel, val=0, aux=0):
        self.sel, self.val, self.aux = sel, val, aux


# Raw selectors per kind: the decoder passes the value through.
RAW_SEL = {
    "int": 4, "uint": 4, "long": 4, "ulong": 4, "hex": 4, "size": 5,
    "off": 3, "fd": 6, "dirfd": 6, "pid": 7, "mode": 3, "oflags": 2,
    "prot": 3, "mflags": 3, "signo": 0,
}


def fd(k=0):            # the k-th newest open fd
    return A(0, k)


CWD = A(7, 0)            # dirfd: AT_FDCWD


def path(p):
    return A(0, V(p))


def join(a, b):          # two vocabulary words joined by '/'
    return A(3, V(a) | V(b) << 16)


def buf(off=0):          # the RW data area
    return A(0, off)


def ro(off=0):
    return A(2, off)


NULL = A(3, 0)            # a NULL pointer (call() picks the selector per kind)
NULL_SEL = {"path": 6, "str": 6, "strv": 4}


def bad(i=0):
    return A(4, i)


def straddle(v=0):
    return A(5, v)


def stack(off=0):
    return A(6, off)


def lastaddr(k=0):       # the k-th newest address a call returned
    return A(7, k)


def fit():               # a size that fits the preceding buffer
    return A(0, 1)


def strv(*names, env=False):
    v = len(names)
    for i, n in enumerate(names):
        v |= V(n) << (8 * (i + 1))
    return A(0, v, 1 if env else 0)


def longpath(i=2, aux=0):
    return A(7, i, aux)


def newest_pid(k=0):
    return A(0, k)


def call(name, *args, thread=0):
    kinds = KINDS[name]
    sel, aux, val = [], [], []
    for i, a in enumerate(args):
        if not isinstance(a, A):
            a = A(RAW_SEL.get(kinds[i], 4), a)
        elif a is NULL:
            a = A(NULL_SEL.get(kinds[i], 3), 0)
        sel.append(a.sel)
        aux.append(a.aux)
        val.append(a.val)
    return rec(0, thread, NR[name], sel, aux, val)


def mem_bytes(off, data):
    data = bytes(data)
    assert 1 <= len(data) <= 48
    words = struct.unpack("<6Q", data.ljust(48, b"\0"))
    return rec(9, 0, off, [len(data) - 1, 0], (), words)


def mem_ptr(off, ptr):
    return rec(9, 0, off, [0, 1, ptr.sel], (), [ptr.val])


def mem_iov(off, ptr, size):
    return rec(9, 0, off, [0, 3, ptr.sel, 5], (), [ptr.val, size])


def mem_str(off, p):
    return rec(9, 0, off, [0, 4], (), [V(p)])


def advance(mode=0, ns=0):
    return rec(11, 0, 0, [mode], (), [ns])


def console(data=b"", eof=False):
    if eof:
        return rec(12, 0, 0, [3])
    words = struct.unpack("<6Q", bytes(data).ljust(48, b"\0"))
    return rec(12, 0, 0, [0, len(data) - 1], (), words)


def pagefault(ptr, access=0, thread=0):
    return rec(13, thread, 0, [0, ptr.sel, access], (), [ptr.val])


def ksignal(sig, thread=0, how=0):
    return rec(14, thread, 0, [how, 0], (), [sig])


def program(*recs, flags=0):
    return bytes([flags]) + bytes(7) + b"".join(recs)


# Linux constants the seeds use (uapi/*.h values).
O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND = 0, 1, 2, 0o100, 0o200, 0o1000, 0o2000
O_NONBLOCK, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_PATH = 0o4000, 0o200000, 0o400000, 0o2000000, 0o10000000
O_TMPFILE = 0o20200000
PROT_R, PROT_W, PROT_X = 1, 2, 4
MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANON, MAP_POPULATE = 1, 2, 0x10, 0x20, 0x8000
SIGHUP, SIGINT, SIGKILL, SIGUSR1, SIGSEGV, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGSTOP = 1, 2, 9, 10, 11, 14, 15, 17, 18, 19
AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH = 0x200, 0x100, 0x1000
CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK = 0x100, 0x200, 0x400, 0x800, 0x10000, 0x4000
CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID = 0x80000, 0x100000, 0x200000
DATA = 0x100000000
STACK_TOP = DATA + 32 * 4096


def syscall_seeds():
    s = {}
    s["read_file"] = program(
        call("open", path("/tmp/file"), O_RDONLY, 0),
        call("read", fd(), buf(0), 64),
        call("lseek", fd(), 0, 0),
        call("pread64", fd(), buf(256), fit(), 3),
        call("fstat", fd(), buf(512)),
        call("close", fd()))
    s["write_new"] = program(
        call("openat", CWD, path("/tmp/new"), O_CREAT | O_RDWR | O_TRUNC, 0o644),
        mem_bytes(0, b"some bytes to write\n"),
        call("write", fd(), buf(0), 20),
        call("pwrite64", fd(), buf(0), 5, 4096),
        call("ftruncate", fd(), 100),
        call("fsync", fd()),
        call("newfstatat", CWD, path("/tmp/new"), buf(1024), 0),
        call("close", fd()),
        call("truncate", path("/tmp/new"), 0),
        call("unlink", path("/tmp/new")))
    s["dirs"] = program(
        call("mkdir", path("/tmp/new"), 0o755),
        call("chdir", path("/tmp/new")),
        call("getcwd", buf(0), 256),
        call("mkdirat", CWD, path("sub"), 0o700),
        call("rename", path("/tmp/new"), path("/tmp/new2")),
        call("getcwd", buf(0), 256),
        call("chdir", path("/")),
        call("unlinkat", CWD, join("/tmp/new2", "sub"), AT_REMOVEDIR),
        call("rmdir", path("/tmp/new2")))
    s["links"] = program(
        call("symlink", path("/tmp/file"), path("/tmp/new")),
        call("readlink", path("/tmp/new"), buf(0), 64),
        call("link", path("/tmp/file"), path("/tmp/new2")),
        call("lstat", path("/tmp/loop"), buf(256)),
        call("stat", path("/tmp/loop"), buf(256)),
        call("readlinkat", CWD, path("/tmp/dangling"), buf(0), 4),
        call("renameat2", CWD, path("/tmp/new"), CWD, path("/tmp/new2"), 2),
        call("linkat", CWD, path("/tmp/link"), CWD, path("/tmp/dir/new"), 0x400))
    s["getdents"] = program(
        call("openat", CWD, path("/tmp"), O_RDONLY | O_DIRECTORY, 0),
        call("getdents64", fd(), buf(0), 4096),
        call("getdents64", fd(), buf(0), 24),
        call("openat", CWD, path("/proc/self/fd"), O_RDONLY | O_DIRECTORY, 0),
        call("getdents64", fd(), buf(4096), 100),
        call("fchdir", fd(1)),
        call("openat", fd(1), path("file"), O_RDONLY, 0))
    s["proc_files"] = program(
        call("open", path("/proc/self/maps"), O_RDONLY, 0),
        call("read", fd(), buf(0), 8192),
        call("open", path("/proc/self/status"), O_RDONLY, 0),
        call("read", fd(), buf(0), 8192),
        call("readlink", path("/proc/self/exe"), buf(0), 256),
        call("readlink", path("/proc/self/fd/0"), buf(0), 256),
        call("open", path("/proc/mounts"), O_RDONLY, 0),
        call("read", fd(), straddle(0), 4096),
        call("open", path("/proc/self/mem"), O_RDWR, 0))
    s["devices"] = program(
        call("open", path("/dev/zero"), O_RDONLY, 0),
        call("read", fd(), buf(0), 8192),
        call("open", path("/dev/full"), O_WRONLY, 0),
        call("write", fd(), buf(0), 10),
        call("open", path("/dev/urandom"), O_RDONLY, 0),
        call("read", fd(), straddle(1), 300),
        call("open", path("/dev/null"), O_RDWR, 0),
        call("write", fd(), bad(3), 10),
        call("getrandom", buf(0), 64, 0))
    s["mmap"] = program(
        call("mmap", 0, 3 * 4096, PROT_R | PROT_W, MAP_PRIVATE | MAP_ANON, -1, 0),
        pagefault(lastaddr(0), 2),
        call("mprotect", lastaddr(0), 4096, PROT_R),
        pagefault(lastaddr(0), 2 | 8),
        call("madvise", lastaddr(0), 8192, 4),
        call("munmap", lastaddr(0), 4096),
        call("mmap", DATA + 0x40000, 4096, PROT_R | PROT_W, MAP_PRIVATE | MAP_ANON | MAP_FIXED | MAP_POPULATE, -1, 0),
        call("brk", 0),
        call("brk", 0x10000000))
    s["mmap_file"] = program(
        call("open", path("/tmp/file"), O_RDWR, 0),
        call("mmap", 0, 8192, PROT_R | PROT_W, MAP_SHARED, fd(), 0),
        pagefault(lastaddr(0), 1),
        call("write", 1, lastaddr(0), 12),
        call("mmap", 0, 4096, PROT_R, MAP_PRIVATE, fd(), 4096),
        call("munmap", lastaddr(1), 8192))
    s["dup_fcntl"] = program(
        call("open", path("/tmp/file"), O_RDONLY, 0),
        call("dup", fd()),
        call("dup2", fd(), 10),
        call("dup3", fd(), 20, O_CLOEXEC),
        call("fcntl", fd(), 0, 100),          # F_DUPFD
        call("fcntl", fd(), 1030, 0),         # F_DUPFD_CLOEXEC
        call("fcntl", fd(), 1, 0),            # F_GETFD
        call("fcntl", fd(), 4, O_NONBLOCK),   # F_SETFL
        call("close", 10),
        call("close", A(6, 1023)))
    s["ids_limits"] = program(
        call("getpid"), call("gettid"), call("getppid"), call("getuid"),
        call("getrlimit", 7, buf(0)),
        mem_bytes(64, struct.pack("<QQ", 16, 64)),
        call("prlimit64", 0, 7, buf(64), buf(128)),
        call("uname", buf(256)),
        call("sysinfo", buf(1024)),
        call("umask", 0o77),
        call("getpgid", 0), call("getsid", 0))
    s["time"] = program(
        call("clock_gettime", 1, buf(0)),
        call("clock_getres", 0, buf(16)),
        call("gettimeofday", buf(32), NULL),
        call("time", buf(64)),
        mem_bytes(128, struct.pack("<qq", 0, 5000000)),
        call("nanosleep", buf(128), buf(144)),
        advance(0),
        call("clock_nanosleep", 1, 0, buf(128), NULL),
        advance(2))
    s["signals"] = program(
        mem_bytes(0, struct.pack("<QQQQ", DATA + 32 * 4096, 0x04000000, DATA + 32 * 4096, 0)),
        call("rt_sigaction", SIGUSR1, buf(0), buf(64), 8),
        call("kill", 0, SIGUSR1),
        call("rt_sigreturn"),
        mem_bytes(128, struct.pack("<Q", 1 << (SIGUSR1 - 1))),
        call("rt_sigprocmask", 0, buf(128), buf(136), 8),
        call("tgkill", newest_pid(), A(2, 0), SIGUSR1),
        call("rt_sigprocmask", 1, buf(128), NULL, 8),
        call("rt_sigreturn"),
        call("sigaltstack", NULL, buf(256)))
    s["signal_segv"] = program(
        mem_bytes(0, struct.pack("<QQQQ", DATA + 32 * 4096, 0x04000000 | 0x40000000, DATA + 32 * 4096, 0)),
        call("rt_sigaction", SIGSEGV, buf(0), NULL, 8),
        pagefault(bad(11), 1),
        call("rt_sigreturn"),
        pagefault(bad(0), 2))
    s["fork_wait"] = program(
        call("fork"),
        call("getpid", thread=1),
        call("exit_group", 3, thread=1),
        call("wait4", -1, buf(0), 0, buf(64)),
        call("vfork"),
        call("execve", path("/bin/prog"), strv("/bin/prog", "new"), strv("/tmp", env=True), thread=1),
        call("wait4", newest_pid(), buf(0), 1, NULL))
    s["clone_thread"] = program(
        call("clone", CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_CHILD_CLEARTID,
             STACK_TOP - 4096, buf(0), buf(8), 0),
        call("gettid", thread=1),
        call("futex", buf(8), 0, 0, NULL, NULL, 0),
        call("exit", 0, thread=1),
        advance(1))
    s["execve"] = program(
        call("execve", path("/bin/prog"), strv("/bin/prog", "file", "dir"), strv("/tmp", "/dev", env=True)),
        call("getpid"),
        call("execve", path("/bin/script"), strv("/bin/script"), NULL),
        call("execve", path("/bin/noexec"), strv("new"), NULL),
        call("execve", path("/tmp/file"), A(3, 700), NULL),
        call("execve", path("/bin/prog"), A(6, 2), NULL))
    # Regression: a #! script exec'd with argv NULL overflowed the
    # interpreter's argv (src/proc/exec.c, exec_script).
    s["execve_script_noargv"] = program(
        call("execve", path("/bin/script"), NULL, NULL))
    # Regression: a child kills its own process group while its parent
    # waits: the parent's wait4, woken inside the kill, reaps the task and
    # the dispatcher's strace line then read the freed task.
    s["self_kill_while_waited"] = program(
        call("fork"),
        call("setpgid", 0, 0, thread=1),
        call("wait4", -1, buf(0), 0, NULL),   # init blocks: the child is
        call("kill", 0, SIGKILL, thread=0),   # now the only running thread
        call("getpid"),
        flags=HDR_STRACE)
    # Regression: MAP_POPULATE of a huge range scanned every page of it
    # before allocating the first one (src/mm/fault.c vm_populate): the
    # single-threaded kernel hung for hours.
    s["mmap_populate_huge"] = program(
        call("mmap", 0, 1 << 46, PROT_R | PROT_W, MAP_PRIVATE | MAP_ANON | MAP_POPULATE, -1, 0),
        call("getpid"))
    s["futex"] = program(
        mem_bytes(0, struct.pack("<I", 7)),
        call("futex", buf(0), 1, 1, NULL, NULL, 0),
        mem_bytes(64, struct.pack("<qq", 0, 1000000)),
        call("futex", buf(0), 0, 7, buf(64), NULL, 0),
        advance(0),
        call("set_robust_list", buf(128), 24),
        call("set_tid_address", buf(256)))
    s["console"] = program(
        call("read", 0, buf(0), 100),
        console(b"typed line\n"),
        call("ioctl", 0, 0x5401, buf(256)),
        call("ioctl", 1, 0x5413, buf(512)),
        call("read", 0, buf(0), 100),
        console(eof=True),
        call("write", 2, ro(64), 10),
        flags=HDR_TTY)
    s["pipes"] = program(
        call("pipe2", buf(0), O_NONBLOCK),
        call("pipe", buf(8)),
        call("write", fd(0), ro(0), 100),
        call("read", fd(1), buf(64), 100),
        call("close", fd(0)),
        call("read", fd(0), buf(64), 100),
        call("write", fd(2), buf(64), 10))
    s["poll"] = program(
        call("pipe", buf(0)),
        mem_bytes(64, struct.pack("<ihhihh", 3, 1, 0, 4, 4, 0)),
        call("poll", buf(64), 2, 10),
        call("ppoll", buf(64), 2, NULL, NULL, 8),
        advance(0))
    s["iovec"] = program(
        call("open", path("/tmp/file"), O_RDONLY, 0),
        mem_iov(0, buf(256), 5),
        mem_iov(16, straddle(2), 300),
        call("readv", fd(), buf(0), 2),
        call("writev", 1, buf(0), 2),
        call("preadv", fd(), buf(0), 2, 0))
    s["bad_pointers"] = program(
        call("open", bad(3), O_RDONLY, 0),
        call("open", A(5, 1), O_RDONLY, 0),
        call("stat", path("/tmp/file"), bad(8)),
        call("read", 0, bad(9), 10),
        call("uname", ro(0)),
        call("getcwd", straddle(0), 4096),
        call("open", longpath(3), O_RDONLY, 0),
        call("open", longpath(1, 1), O_CREAT | O_WRONLY, 0o600),
        call("execve", path("/bin/prog"), A(7, 3), NULL),
        call("clock_gettime", 0, NULL))
    s["strace"] = program(
        call("open", path("/tmp/file"), O_RDONLY | O_CLOEXEC, 0),
        call("read", fd(), buf(0), 32),
        call("write", 1, straddle(1), 64),
        call("execve", path("/bin/prog"), strv("/bin/prog", "file"), strv("/tmp", env=True)),
        call("mmap", 0, 4096, 3, 0x22, -1, 0),
        call("kill", 1, 0),
        flags=HDR_STRACE)
    s["kill_children"] = program(
        call("fork"),
        call("fork", thread=1),
        ksignal(SIGSTOP, 1, 0),
        ksignal(SIGCONT, 1, 0),
        call("kill", newest_pid(), SIGKILL),
        call("wait4", -1, buf(0), 0x40000000, NULL),
        call("setpgid", 0, 0, thread=1),
        call("kill", -2, SIGTERM))
    s["tmpfile_access"] = program(
        call("openat", CWD, path("/tmp"), O_TMPFILE | O_RDWR, 0o600),
        call("access", path("/tmp/ro"), 2),
        call("faccessat2", CWD, path("/tmp/ro"), 4, 0x200),
        call("chmod", path("/tmp/file"), 0o4755),
        call("fchmodat", CWD, path("/tmp/link"), 0o600),
        call("statx", CWD, path("/tmp/file"), AT_SYMLINK_NOFOLLOW, 0xfff, buf(0)),
        call("openat", CWD, path("/tmp/fifo"), O_RDONLY | O_NONBLOCK, 0),
        call("openat", CWD, path("/tmp/link"), O_RDONLY | O_NOFOLLOW, 0),
        call("openat", CWD, path("/tmp/dir"), O_PATH, 0),
        call("newfstatat", fd(), path(""), buf(256), AT_EMPTY_PATH))
    s["prctl_arch"] = program(
        call("prctl", 15, ro(64), 0, 0, 0),    # PR_SET_NAME
        call("prctl", 16, buf(0), 0, 0, 0),    # PR_GET_NAME
        call("arch_prctl", 0x1002, DATA),      # ARCH_SET_FS
        call("arch_prctl", 0x1003, buf(64)),   # ARCH_GET_FS
        call("sched_getaffinity", 0, 128, buf(128)),
        call("sched_yield"))
    return s


# ---- ELF seeds ----

def elf(dyn=False, entry_off=0x100, segs=None, phdrs_extra=(), code=b"\x0f\x05\xf4"):
    """A tiny static ELF: program headers right after the ELF header, code
    at entry_off, "DATA-SEGMENT-OK" at 0x200. segs: (type, flags, offset,
    vaddr, filesz, memsz) tuples; the file is as long as they need."""
    base = 0 if dyn else 0x400000
    if segs is None:
        segs = [(1, 5, 0, base, 0x200, 0x200),            # text: R+X
                (1, 6, 0x200, base + 0x1200, 0x10, 0x2000)]  # data + bss
    phdrs = list(segs) + list(phdrs_extra)
    eh = struct.pack("<4sBBBB8xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0,
                     3 if dyn else 2, 62, 1, base + entry_off, 64, 0, 0,
                     64, 56, len(phdrs), 64, 0, 0)
    ph = b"".join(struct.pack("<IIQQQQQQ", t, f, off, va, va, fs, ms, 0x1000)
                  for (t, f, off, va, fs, ms) in phdrs)
    if 64 + len(ph) > entry_off:
        raise ValueError("program headers run into the code")
    size = max([0x210, entry_off + len(code)] +
               [off + fs for (t, f, off, va, fs, ms) in segs if fs < 2**32])
    img = bytearray(size)
    img[:len(eh)] = eh
    img[64:64 + len(ph)] = ph
    if 64 + len(ph) <= 0x200:
        img[0x200:0x210] = b"DATA-SEGMENT-OK\0"
    img[entry_off:entry_off + len(code)] = code
    return bytes(img)


def elf_seeds():
    s = {}
    s["static"] = elf()
    s["static_pie"] = elf(dyn=True)
    s["gnu_stack_x"] = elf(phdrs_extra=[(0x6474e551, 7, 0, 0, 0, 0)])
    s["phdr_interp"] = elf(entry_off=0x180, phdrs_extra=[(6, 4, 64, 0x400040, 56 * 3, 56 * 3),
                                        (3, 4, 0x1f0, 0x4001f0, 8, 8)])
    s["script"] = b"#!/tmp/prog -a b\n"
    s["script_loop"] = b"#! /tmp/prog\n"
    s["bss_only"] = elf(segs=[(1, 5, 0, 0x400000, 0x200, 0x200),
                              (1, 6, 0x1000, 0x500000, 0, 0x10000)])
    return s


# ---- cpio seeds ----

def newc(name, mode, data=b"", ino=1, nlink=1, rdev=(0, 0), mtime=1700000000):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08x" % v for v in (
        ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, rdev[0], rdev[1],
        len(name_b), 0))
    out = hdr.encode() + name_b
    out += b"\0" * ((4 - len(out) % 4) % 4)
    out += data
    out += b"\0" * ((4 - len(out) % 4) % 4)
    return out


def trailer():
    return newc("TRAILER!!!", 0)


def cpio_seeds():
    s = {}
    s["tree"] = (newc(".", 0o40755, ino=1) + newc("bin", 0o40755, ino=2) +
                 newc("bin/sh", 0o100755, b"#!/bin/sh\n", ino=3) +
                 newc("etc", 0o40755, ino=4) +
                 newc("etc/passwd", 0o100644, b"root:x:0:0::/:/bin/sh\n", ino=5) +
                 newc("link", 0o120777, b"etc/passwd", ino=6) + trailer())
    s["hardlinks"] = (newc("a", 0o100644, b"", ino=9, nlink=2) +
                      newc("b", 0o100644, b"shared data", ino=9, nlink=2) + trailer())
    s["devices"] = (newc("dev", 0o40755, ino=1) +
                    newc("dev/null2", 0o20666, ino=2, rdev=(1, 3)) +
                    newc("dev/fifo", 0o10644, ino=3) +
                    newc("dev/sda", 0o60660, ino=4, rdev=(8, 0)) + trailer())
    s["two_archives"] = (newc("x", 0o100600, b"first", ino=1) + trailer() +
                         b"\0" * 512 + newc("x", 0o100600, b"second", ino=1) + trailer())
    s["deep"] = b"".join(newc("/".join(["d"] * i), 0o40700, ino=i)
                         for i in range(1, 30)) + trailer()
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    for sub, seeds in (("syscalls", syscall_seeds()), ("elf", elf_seeds()),
                       ("cpio", cpio_seeds())):
        d = os.path.join(out, sub)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (d, len(seeds)))


if __name__ == "__main__":
    main()
