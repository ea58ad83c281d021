#!/bin/bash
# gdb against the bare-metal kernel: `ember boot --gdb=PORT` stops QEMU
# before the first instruction; gdb in batch mode attaches, breaks on kmain
# and on the uname syscall handler, steps a line there, reads the
# handler's arguments and lets the guest finish. The test checks gdb's
# own output (breakpoints hit in the right functions, a source line
# stepped) and that the guest still exits 0.
#
# usage: gdb_test.sh EMBER INITRAMFS
set -u
qpid=
EMBER=$1 INITRAMFS=$2
KERNEL=$(dirname "$EMBER")/ember-kernel
command -v gdb >/dev/null || { echo "SKIP: no gdb"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'kill $qpid 2>/dev/null; rm -rf "$work"' EXIT

fail() {
	echo "FAIL: $*" >&2
	echo "--- gdb" >&2
	cat "$work/gdb.out" >&2
	echo "--- ember boot" >&2
	cat "$work/boot.out" >&2
	exit 1
}

# A port of our own (several tests may run at once).
port=$((20000 + $$ % 30000))
timeout -s KILL 120 "$EMBER" boot --gdb=$port --initramfs "$INITRAMFS" \
	-- init=/bin/busybox uname -s >"$work/boot.out" 2>&1 </dev/null &
qpid=$!
# gdb retries the connection while QEMU starts (tcp auto-retry, 15 s);
# a probe of our own would count as a debugger coming and going.
timeout -s KILL 90 gdb -nx -batch \
	-ex 'set pagination off' -ex 'set confirm off' \
	-ex 'set tcp auto-retry on' -ex 'set tcp connect-timeout 30' \
	-ex "file $KERNEL" \
	-ex "target remote 127.0.0.1:$port" \
	-ex 'break kmain' -ex 'continue' \
	-ex 'bt 3' \
	-ex 'break sys_uname' -ex 'continue' \
	-ex 'next' -ex 'info frame' \
	-ex 'delete' -ex 'continue' \
	>"$work/gdb.out" 2>&1
wait $qpid
rc=$?

grep -q 'Breakpoint 1, kmain' "$work/gdb.out" || fail "no stop at kmain"
grep -q 'hal_start' "$work/gdb.out" || fail "kmain's caller hal_start not in bt"
grep -q 'Breakpoint 2, sys_uname' "$work/gdb.out" ||
	fail "no stop at sys_uname"
grep -q 'rip = 0x[0-9a-f]* in sys_uname' "$work/gdb.out" ||
	fail "next did not stay in sys_uname"
[ "$rc" -eq 0 ] || fail "ember boot exited $rc after gdb let it go"
grep -qx 'Linux' "$work/boot.out" || fail "the guest's uname output is missing"
cat "$work/gdb.out"
echo "PASS: gdb stopped at kmain and sys_uname, stepped, detached"
exit 0
