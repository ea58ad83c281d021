#!/usr/bin/env python3
"""Malformed executables and archives against `ember run` and the fuzz
harnesses (ctest robust.malformed_elf):

    malformed.py EMBER FUZZ_ELF|- FUZZ_CPIO|- [FUZZ_EXT2|-]

Generates, with a fixed random seed (nothing binary is committed):
  - ELF files from three bases (a tiny hand-made static ELF, a static-pie
    variant, a static C program built here with gcc, and /bin/busybox when
    it is static): truncated at every interesting length, with single
    header fields made invalid (class, machine, type, program header
    table, segment sizes, offsets and addresses, entry point), and with
    random bits flipped in the headers;
  - #! scripts: empty, without an interpreter, too long, recursive;
  - hostile cpio "newc" archives: bad magic and hex, sizes past the end
    or near 2^32, names without NUL, absolute and ".." names, symlinks to
    climb through, hard links to directories, every file type, deep and
    wide trees, several archives, compressed data;
  - corrupt ext2 images made from the seed images in corpus/ext2:
    superblock, group descriptor, root inode and directory record fields
    set to hostile values, truncations and random bit flips.

Every ELF and script is run as `ember run FILE` with a 10 s limit: ember
must end by itself (no hang), with an exit status (not killed by a
signal: no crash), and print no sanitizer report or panic. Files that are
invalid by construction must be refused: a status in 1..127 and exactly
one line on stderr. Files that may still load (random bit flips, cut
section headers) only have to end cleanly: the guest may crash, the
kernel may not. Every ELF goes through the fuzz_elf harness and every
archive through fuzz_cpio (ASan/UBSan, leak checks); archives also go
through `ember run --initramfs` once the CLI has that option. Every ext2
image is attached with `ember run --disk` to a busybox guest that mounts
it, lists and reads everything, writes and removes a file (the mount may
fail with an error; ember must end cleanly), and goes through fuzz_ext2.
"""
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkseeds  # noqa: E402  (elf(), newc(), trailer())

LIMIT = 10
CRASH_WORDS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
               "runtime error:", "panic:", "Segmentation fault", "core dumped")
PT_LOAD = 1

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


# ---- ELF inputs ----

def phdrs(img):
    """(e_phoff, e_phnum, [(type, offset, filesz)]) of a well-formed image."""
    phoff, = struct.unpack_from("<Q", img, 32)
    phnum, = struct.unpack_from("<H", img, 56)
    out = []
    for i in range(phnum):
        t, = struct.unpack_from("<I", img, phoff + 56 * i)
        off, = struct.unpack_from("<Q", img, phoff + 56 * i + 8)
        fs, = struct.unpack_from("<Q", img, phoff + 56 * i + 32)
        out.append((t, off, fs))
    return phoff, phnum, out


def first_load(img):
    phoff, phnum, ph = phdrs(img)
    for i, (t, _, _) in enumerate(ph):
        if t == PT_LOAD:
            return phoff + 56 * i
    raise ValueError("no PT_LOAD")


def put(img, off, fmt, value):
    img = bytearray(img)
    struct.pack_into(fmt, img, off, value)
    return bytes(img)


def truncations(name, img):
    phoff, phnum, ph = phdrs(img)
    phend = phoff + 56 * phnum
    needed = max([phend] + [off + fs for (t, off, fs) in ph if t == PT_LOAD])
    lengths = {0, 1, 3, 4, 5, 16, 52, 63, 64, 65, phend - 1, phend, needed - 1,
               needed, len(img) // 2, len(img) - 1}
    for (t, off, fs) in ph:
        if t == PT_LOAD and fs:
            lengths |= {off, off + 1, off + fs - 1}
    for n in sorted(x for x in lengths if 0 <= x < len(img)):
        yield "%s.trunc%d" % (name, n), img[:n], n < needed


def field_mutations(name, img):
    ld = first_load(img)
    size = len(img)
    m = [
        ("class32", put(img, 4, "<B", 1)),
        ("class0", put(img, 4, "<B", 0)),
        ("bigendian", put(img, 5, "<B", 2)),
        ("version0", put(img, 6, "<B", 0)),
        ("machine_i386", put(img, 18, "<H", 3)),
        ("type_rel", put(img, 16, "<H", 1)),
        ("type_core", put(img, 16, "<H", 4)),
        ("type_ffff", put(img, 16, "<H", 0xffff)),
        ("phentsize32", put(img, 54, "<H", 32)),
        ("phnum0", put(img, 56, "<H", 0)),
        ("phnum_max", put(img, 56, "<H", 0xffff)),
        ("phoff_wrap", put(img, 32, "<Q", 2**64 - 8)),
        ("phoff_eof", put(img, 32, "<Q", size)),
        ("filesz_gt_memsz", put(img, ld + 32, "<Q", 2**40)),
        ("offset_huge", put(img, ld + 8, "<Q", 2**63)),
        ("offset_wrap", put(put(img, ld + 8, "<Q", 2**64 - 4096), ld + 32, "<Q", 8192)),
        ("vaddr_stub", put(img, ld + 16, "<Q", 0x7fff00000000)),
        ("vaddr_kernel", put(img, ld + 16, "<Q", 0xffff800000000000)),
        ("vaddr_zero", put(img, ld + 16, "<Q", 0)),
        ("memsz_wrap", put(img, ld + 40, "<Q", 2**64 - 4096)),
        ("not_congruent", put(img, ld + 16, "<Q",
                              struct.unpack_from("<Q", img, ld + 16)[0] + 1)),
        ("entry_outside", put(img, 24, "<Q", 0x7ffe00000000)),
    ]
    for what, data in m:
        # A static-pie has no absolute addresses: these do not apply.
        if struct.unpack_from("<H", img, 16)[0] == 3 and what in (
                "vaddr_zero", "vaddr_stub", "entry_outside"):
            continue
        yield "%s.%s" % (name, what), data, True
    # Without its first PT_LOAD a program may still load (and crash).
    yield "%s.first_load_gone" % name, put(img, ld, "<I", 0x6474e551), False


def segment_mutations():
    """Layouts no linker makes, on the tiny image."""
    text = (1, 5, 0, 0x400000, 0x200, 0x200)
    data = (1, 6, 0x200, 0x401200, 0x10, 0x2000)
    yield "tiny.unsorted", mkseeds.elf(segs=[data, text]), True
    yield "tiny.overlap", mkseeds.elf(segs=[text, (1, 6, 0x0, 0x400000, 0x10, 0x100)]), True
    big_text = (1, 5, 0, 0x400000, 0x1000, 0x1000)
    yield "tiny.17loads", mkseeds.elf(entry_off=0x800, segs=[big_text] + [
        (1, 6, 0x1000, 0x401000 + 0x2000 * i, 0x10, 0x100) for i in range(16)]), True
    yield "tiny.16loads", mkseeds.elf(entry_off=0x800, segs=[big_text] + [
        (1, 6, 0x1000, 0x401000 + 0x2000 * i, 0x10, 0x100) for i in range(15)]), False
    yield "tiny.entry_in_bss", mkseeds.elf(entry_off=0x1f00, segs=[
        text, (1, 7, 0x200, 0x401200, 0x10, 0x2000)]), False
    yield "tiny.entry_in_data", mkseeds.elf(entry_off=0x1f00), True
    yield "tiny.huge_bss", mkseeds.elf(segs=[text, (1, 6, 0x200, 0x401200, 0x10, 2**36)]), False
    yield "tiny.interp", mkseeds.elf(phdrs_extra=[(3, 4, 0x1f0, 0x4001f0, 8, 8)]), False
    yield "tiny.stack_x", mkseeds.elf(phdrs_extra=[(0x6474e551, 7, 0, 0, 0, 0)]), False


def bitflips(name, img, count, rng):
    phoff, phnum, _ = phdrs(img)
    hdr_end = min(len(img), phoff + 56 * phnum)
    for i in range(count):
        data = bytearray(img)
        span = hdr_end if i % 4 else min(len(img), 4096)
        for _ in range(1 + rng.randrange(4)):
            bit = rng.randrange(span * 8)
            data[bit // 8] ^= 1 << (bit % 8)
        yield "%s.flip%02d" % (name, i), bytes(data), False


def scripts(work):
    yield "script.empty", b"#!", True
    yield "script.blank", b"#!   \n", True
    yield "script.missing", b"#!/nonexistent/interpreter\n", True
    yield "script.toolong", b"#!/" + b"a" * 300, True
    yield "script.self", ("#!%s/script.self\n" % work).encode(), True
    yield "script.to_truncated", ("#!%s/tiny.trunc64 arg\n" % work).encode(), True


def static_program(work):
    src = os.path.join(work, "prog.c")
    out = os.path.join(work, "prog.bin")
    with open(src, "w") as f:
        f.write("int main(void) { return 0; }\n")
    gcc = shutil.which("gcc")
    if not gcc:
        return None
    r = subprocess.run([gcc, "-static", "-O1", "-o", out, src],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        return None
    with open(out, "rb") as f:
        return f.read()


def busybox():
    path = "/bin/busybox"
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        img = f.read()
    # Static only: no PT_INTERP.
    _, _, ph = phdrs(img)
    if any(t == 3 for (t, _, _) in ph):
        return None
    return img


def elf_inputs(work):
    rng = random.Random(20240601)
    bases = [("tiny", mkseeds.elf()), ("pie", mkseeds.elf(dyn=True))]
    prog = static_program(work)
    if prog:
        bases.append(("prog", prog))
    bb = busybox()
    if bb:
        bases.append(("busybox", bb))
    print("ELF bases: " + ", ".join("%s (%d bytes)" % (n, len(i)) for n, i in bases))
    for name, img in bases:
        yield from truncations(name, img)
        yield from field_mutations(name, img)
        yield from bitflips(name, img, 24 if len(img) < 100000 else 12, rng)
    yield from segment_mutations()
    yield from scripts(work)


# ---- cpio inputs ----

def newc_raw(fields, name, data=b"", magic=b"070701"):
    """A header from 13 raw 8-character fields (any bytes)."""
    out = magic + b"".join(fields) + name
    out += b"\0" * ((4 - len(out) % 4) % 4)
    out += data
    out += b"\0" * ((4 - len(out) % 4) % 4)
    return out


def hexf(*vals):
    return [("%08x" % v).encode() for v in vals]


def cpio_inputs():
    n, t = mkseeds.newc, mkseeds.trailer()
    ok = n("f", 0o100644, b"data", ino=1)
    yield "empty", b""
    yield "magic_only", b"070701"
    yield "bad_magic", b"070708" + ok[6:] + t
    yield "odc", b"070707" + b"0" * 70 + t
    yield "gzip", b"\x1f\x8b\x08\x00" + b"\0" * 100
    yield "truncated_header", ok[:50]
    yield "truncated_name", ok[:112]
    yield "truncated_data", ok[:-4]
    yield "no_trailer", ok
    yield "bad_hex", newc_raw([b"zzzzzzzz"] * 13, b"f\0")
    yield "hex_prefix", newc_raw([b"0x000001"] + hexf(0o100644, 0, 0, 1, 0, 4, 0, 0, 0, 0, 2, 0), b"f\0", b"data") + t
    yield "namesize0", newc_raw(hexf(1, 0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), b"") + t
    yield "namesize_huge", newc_raw(hexf(1, 0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xffffffff, 0), b"f\0") + t
    yield "filesize_huge", newc_raw(hexf(1, 0o100644, 0, 0, 1, 0, 0xffffffff, 0, 0, 0, 0, 2, 0), b"f\0", b"x") + t
    yield "filesize_past_end", newc_raw(hexf(1, 0o100644, 0, 0, 1, 0, 4096, 0, 0, 0, 0, 2, 0), b"f\0", b"short")
    yield "name_no_nul", newc_raw(hexf(1, 0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 0), b"abcd") + t
    yield "name_nul_inside", newc_raw(hexf(1, 0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, 6, 0), b"a\0b/c\0") + t
    yield "absolute", n("/etc/evil", 0o100644, b"x") + t
    yield "dotdot", n("../../../escape", 0o100644, b"x") + n("a/../../b", 0o100644, b"y") + t
    yield "dots", n(".", 0o40755) + n("..", 0o40755) + n("", 0o100644) + n("./x/./", 0o40755) + t
    yield "slashes", n("//a///b", 0o40755) + n("a//", 0o100644, b"x") + t
    yield "symlink_climb", (n("l", 0o120777, b"/", ino=1) + n("l/etc", 0o40755, ino=2) +
                            n("up", 0o120777, b"../../..", ino=3) + n("up/x", 0o100644, b"x", ino=4) + t)
    yield "symlink_loop", n("a", 0o120777, b"b", ino=1) + n("b", 0o120777, b"a", ino=2) + n("a/x", 0o100644, ino=3) + t
    yield "symlink_long", n("l", 0o120777, b"x" * 5000) + t
    yield "hardlink_dir", n("d", 0o40755, ino=5, nlink=2) + n("e", 0o40755, ino=5, nlink=2) + t
    yield "hardlink_missing", n("a", 0o100644, b"", ino=9, nlink=3) + t
    yield "hardlink_types", n("a", 0o120777, b"t", ino=9, nlink=2) + n("b", 0o100644, b"", ino=9, nlink=2) + t
    yield "file_over_dir", n("d", 0o40755, ino=1) + n("d/x", 0o100644, ino=2) + n("d", 0o100644, b"f", ino=3) + t
    yield "dir_over_file", n("d", 0o100644, b"f", ino=1) + n("d", 0o40755, ino=2) + n("d/x", 0o100644, ino=3) + t
    yield "every_type", b"".join(n("t%o" % m, m, ino=i + 1, rdev=(1, 3)) for i, m in enumerate(
        (0o10644, 0o20644, 0o40755, 0o60644, 0o100644, 0o120777, 0o140644, 0o170777, 0o0644, 0o7777))) + t
    yield "setuid", n("s", 0o106755, b"x") + n("d", 0o41777) + t
    yield "over_dev_proc", n("dev", 0o100644, b"x") + n("proc", 0o120777, b"/") + n("tmp", 0o100600, b"") + t
    yield "deep", b"".join(n("/".join(["d"] * i), 0o40755, ino=i) for i in range(1, 120)) + t
    yield "long_name", n("n" * 300, 0o100644) + n("d/" * 2100 + "x", 0o100644) + t
    yield "wide", b"".join(n("f%05d" % i, 0o100644, b"", ino=i + 1) for i in range(3000)) + t
    yield "many_archives", (ok + t + b"\0" * 4) * 50
    yield "garbage_after", ok + t + b"\xff" * 100
    yield "mtime_huge", n("f", 0o100644, b"x", mtime=0xffffffff) + t


# ---- ext2 images ----

EXT2_SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "corpus", "ext2", "s1k.img")
EXT2_GUEST = ("mkdir -p /tmp/m; mount -t ext2 /dev/vda /tmp/m || exit 0; "
              "ls -laR /tmp/m >/dev/null 2>&1; "
              "find /tmp/m -type f -exec cat {} + >/dev/null 2>&1; "
              "echo x >/tmp/m/new 2>/dev/null; mkdir /tmp/m/d 2>/dev/null; "
              "rm -rf /tmp/m/d /tmp/m/new 2>/dev/null; umount /tmp/m; exit 0")


def ext2_inputs():
    """(name, image) pairs: a 1 KiB-block seed broken field by field."""
    if not os.path.exists(EXT2_SEED):
        return
    base = bytearray(open(EXT2_SEED, "rb").read())
    rng = random.Random(2)
    sb = 1024
    itable, = struct.unpack_from("<I", base, 2048 + 8)
    isz, = struct.unpack_from("<H", base, sb + 88)
    root = itable * 1024 + isz          # inode 2
    rootblk, = struct.unpack_from("<I", base, root + 40)
    hostile = (0, 1, 3, 0x7fffffff, 0xffffffff)

    def mutate(name, off, fmt, value):
        img = bytearray(base)
        struct.pack_into(fmt, img, off, value & (0xffff if fmt == "<H" else 0xffffffff))
        return ("ext2_%s_%x" % (name, value), bytes(img))

    for field, off in (("inodes", 0), ("blocks", 4), ("free_blocks", 12),
                       ("free_inodes", 16), ("first_data", 20), ("log_bsize", 24),
                       ("bpg", 32), ("ipg", 40), ("rev", 76), ("first_ino", 84)):
        for v in hostile:
            yield mutate("sb_" + field, sb + off, "<I", v)
    for v in (0, 3, 100, 0xffff):
        yield mutate("sb_inode_size", sb + 88, "<H", v)
    for field, off in (("block_bitmap", 0), ("inode_bitmap", 4), ("inode_table", 8)):
        for v in hostile:
            yield mutate("gd_" + field, 2048 + off, "<I", v)
    for field, off, fmt in (("mode", 0, "<H"), ("links", 26, "<H"), ("size", 4, "<I"),
                            ("blocks", 28, "<I"), ("block0", 40, "<I"),
                            ("ind", 88, "<I"), ("dind", 92, "<I"), ("tind", 96, "<I"),
                            ("acl", 104, "<I")):
        for v in hostile:
            yield mutate("root_" + field, root + off, fmt, v)
    for field, off, fmt in (("ino", 0, "<I"), ("reclen", 4, "<H"), ("next_reclen", 16, "<H"),
                            ("namelen", 6, "<H")):
        for v in (0, 3, 255, 0xffff, 0xffffffff):
            yield mutate("dir_" + field, rootblk * 1024 + off, fmt, v)
    for cut in (0, 1024, 1100, 2048, 4096, len(base) // 2, len(base) - 512):
        yield ("ext2_cut_%d" % cut, bytes(base[:cut]))
    for n in range(20):
        img = bytearray(base)
        for _ in range(30):
            i = rng.randrange(0, min(len(img), 16384))
            img[i] ^= 1 << rng.randrange(8)
        yield ("ext2_flips_%d" % n, bytes(img))


# ---- running ----

def run_ember(ember, work, args, name):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/", "LC_ALL": "C", "TZ": "UTC"}
    try:
        r = subprocess.run([ember, "run"] + args, cwd=work, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=LIMIT)
    except subprocess.TimeoutExpired:
        fail("%s: ember did not end within %d s (hang, or a guest loop)" % (name, LIMIT))
        return None, ""
    err = r.stderr.decode(errors="replace")
    if r.returncode < 0:
        fail("%s: ember was killed by signal %d (a crash)" % (name, -r.returncode))
    for w in CRASH_WORDS:
        if w in err:
            fail("%s: '%s' on ember's stderr:\n%s" % (name, w, err[-3000:]))
            break
    return r.returncode, err


def check_elf(ember, work, name, data, must_refuse):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o755)
    rc, err = run_ember(ember, work, [path], name)
    if rc is None or not must_refuse:
        return rc
    lines = err.strip("\n").split("\n") if err.strip() else []
    if rc == 0 or rc >= 128:
        fail("%s: not refused (status %d)" % (name, rc))
    elif len(lines) != 1:
        fail("%s: refused with %d lines on stderr, expected 1:\n%s" % (name, len(lines), err))
    return rc


def run_harness(harness, corpus_dir, what):
    if harness == "-":
        print("(no fuzz harness built: the %s inputs go to ember only)" % what)
        return
    if not os.access(harness, os.X_OK):
        fail("%s is not built" % harness)
        return
    r = subprocess.run([harness, "-runs=0", "-timeout=10", "-rss_limit_mb=2048",
                        "-artifact_prefix=%s/" % corpus_dir, corpus_dir],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    out = r.stdout.decode(errors="replace")
    done = [l for l in out.split("\n") if "DONE" in l or "INITED" in l]
    print("%s: %s" % (os.path.basename(harness), done[-1] if done else "(no summary)"))
    if r.returncode != 0:
        fail("%s on the %s inputs: exit status %d\n%s" % (
            os.path.basename(harness), what, r.returncode, out[-6000:]))


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__)
        return 2
    ember, fuzz_elf, fuzz_cpio, fuzz_ext2 = (a if a == "-" else os.path.realpath(a)
                                             for a in (sys.argv[1:] + ["-"])[:4])
    # Not under /tmp: the guest's /tmp is Ember's own tmpfs.
    work = tempfile.mkdtemp(prefix="malformed.", dir=os.getcwd())
    try:
        elf_dir = os.path.join(work, "elf")
        cpio_dir = os.path.join(work, "cpio")
        os.makedirs(elf_dir)
        os.makedirs(cpio_dir)
        counts = {}
        inputs = list(elf_inputs(work))
        for name, data, must_refuse in inputs:
            rc = check_elf(ember, work, name, data, must_refuse)
            key = "refused" if rc and 0 < rc < 128 else "ran" if rc is not None else "hung"
            counts[key] = counts.get(key, 0) + 1
            with open(os.path.join(elf_dir, name), "wb") as f:
                f.write(data)
        print("ember run: %d ELF and script inputs (%s)" % (
            len(inputs), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        run_harness(fuzz_elf, elf_dir, "ELF")

        archives = list(cpio_inputs())
        for name, data in archives:
            with open(os.path.join(cpio_dir, name), "wb") as f:
                f.write(data)
        help_text = subprocess.run([ember, "run", "--help"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT).stdout.decode()
        if re.search(r"^\s+--initramfs", help_text, re.M):
            for name, _ in archives:
                run_ember(ember, work, ["--initramfs", os.path.join(cpio_dir, name),
                                        "/bin/sh", "-c", "true"], "cpio." + name)
            print("ember run --initramfs: %d archives" % len(archives))
        else:
            print("ember run has no --initramfs yet: archives only through fuzz_cpio")
        run_harness(fuzz_cpio, cpio_dir, "cpio")

        ext2_dir = os.path.join(work, "ext2")
        os.makedirs(ext2_dir)
        images = list(ext2_inputs())
        bb = "/bin/busybox"
        for name, data in images:
            path = os.path.join(ext2_dir, name)
            with open(path, "wb") as f:
                f.write(data)
            if os.path.exists(bb):
                run_ember(ember, work, ["--disk", path, bb, "sh", "-c", EXT2_GUEST],
                          name)
        print("ember run --disk: %d corrupt ext2 images" % len(images))
        run_harness(fuzz_ext2, ext2_dir, "ext2")
    finally:
        if not failures:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("inputs kept in %s" % work)
    if failures:
        print("robust.malformed_elf: %d failure(s)" % len(failures))
        return 1
    print("PASS: robust.malformed_elf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
