#!/bin/sh
# Boot tests: run the bare-metal kernel in QEMU through `ember boot` and
# check what Linux would give. Expected fault statuses come from running
# the same guest on this (Linux) host first.
#
# usage: boot_test.sh EMBER INITRAMFS FAULTS TEST
#   EMBER      the ember binary (ember-kernel beside it)
#   INITRAMFS  an archive with /bin/busybox and /bin/faults
#   FAULTS     the faults guest, to run natively
#   TEST       hello | hello-cpumax | exit3 | fault (NULL) | fault-MODE
#              (see faults.S) | fpu | procs | stdin | sleep | clock | panic
set -u
EMBER=$1 INITRAMFS=$2 FAULTS=$3 TEST=$4
[ "$TEST" = fault ] && TEST=fault-null
LIMIT=60
OUT=$(mktemp) || exit 1
trap 'rm -f "$OUT"' EXIT

fail() {
	echo "FAIL: $TEST: $*" >&2
	echo "--- guest output ---" >&2
	cat "$OUT" >&2
	exit 1
}

# boot [ARGS...]: boots with the kernel args, output in $OUT, status in $rc.
# $BOOT_OPTS (ember boot options) go first.
BOOT_OPTS=
boot() {
	timeout -s KILL $LIMIT "$EMBER" boot $BOOT_OPTS \
		--initramfs "$INITRAMFS" -- "$@" >"$OUT" 2>&1 </dev/null
	rc=$?
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1"
}

case $TEST in
hello | hello-cpumax)
	# 'max' has FSGSBASE, SMEP/SMAP, RDRAND, XSAVE and 1 GiB pages.
	[ "$TEST" = hello-cpumax ] && BOOT_OPTS="--cpu max"
	boot init=/bin/busybox sh -c 'echo hello; uname -a'
	expect_rc 0
	grep -qx 'hello' "$OUT" || fail "no 'hello' line"
	grep -q '^Linux ' "$OUT" || fail "no uname line starting with 'Linux '"
	;;
exit3)
	boot init=/bin/busybox sh -c 'exit 3'
	expect_rc 3
	;;
fault-*)
	mode=${TEST#fault-}
	"$FAULTS" "$mode" 2>/dev/null
	want=$?
	[ "$want" -gt 128 ] || fail "the guest does not fault natively ($want)"
	boot init=/bin/faults "$mode"
	expect_rc "$want"
	;;
fpu)
	# SSE/x87 arithmetic in the guest gives what it gives on the host.
	prog='BEGIN { x = 1.5; for (i = 0; i < 20000; i++) s += i * x / 7;
		printf "%.6f %.10g\n", s, x / 3 }'
	want=$(busybox awk "$prog") || fail "no busybox on the host"
	boot init=/bin/busybox awk "$prog"
	expect_rc 0
	grep -qxF "$want" "$OUT" || fail "expected '$want'"
	;;
procs)
	# fork/exec/wait, background jobs, and a CPU-bound child that only
	# the timer interrupt can take the CPU from.
	script='for i in 1 2 3 4 5; do /bin/busybox true; done; echo forked
		sleep 1 & sleep 1 & wait; echo waited
		(while :; do :; done) & sleep 0.3; kill $!; wait; echo killed'
	want=$(busybox sh -c "$script") || fail "the script fails on the host"
	boot init=/bin/busybox sh -c "$script"
	expect_rc 0
	[ "$(cat "$OUT")" = "$want" ] || fail "expected: $want"
	;;
stdin)
	printf 'echo hi from stdin\nexit 7\n' |
		timeout -s KILL $LIMIT "$EMBER" boot --initramfs "$INITRAMFS" \
			-- init=/bin/busybox sh >"$OUT" 2>&1
	rc=$?
	expect_rc 7
	grep -qx 'hi from stdin' "$OUT" || fail "the script on stdin did not run"
	;;
sleep)
	start=$(date +%s%N)
	boot init=/bin/busybox sleep 1
	end=$(date +%s%N)
	expect_rc 0
	[ $(((end - start) / 1000000)) -ge 1000 ] ||
		fail "sleep 1 returned after $(((end - start) / 1000000)) ms"
	;;
clock)
	host=$(date +%s)
	boot init=/bin/busybox date +%s
	expect_rc 0
	guest=$(tr -d '\r' <"$OUT" | grep -E '^[0-9]+$' | tail -n 1)
	[ -n "$guest" ] || fail "no time printed"
	d=$((guest - host))
	[ "$d" -ge -5 ] && [ "$d" -le 10 ] ||
		fail "guest time $guest is ${d}s away from the host's $host"
	;;
panic)
	boot ember.test_panic=1
	expect_rc 125
	grep -q '^panic: page fault' "$OUT" || fail "no panic message"
	grep -q '^backtrace:' "$OUT" || fail "no backtrace"
	grep -q 'hal_start' "$OUT" || fail "the backtrace does not name hal_start"
	;;
*)
	echo "unknown test $TEST" >&2
	exit 2
	;;
esac
exit 0
