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
#              | stdin-eof | stdin-binary | disk | ext2 | net
set -u
EMBER=$1 INITRAMFS=$2 FAULTS=$3 TEST=$4
[ "$TEST" = fault ] && TEST=fault-null
LIMIT=60
OUT=$(mktemp) || exit 1
IMG=$OUT.img IMG2=$OUT.img2
trap 'rm -f "$OUT" "$IMG" "$IMG2"' EXIT
PATH=$PATH:/usr/sbin:/sbin

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
fault-seq)
	# Each fault kills only its program: the shell gets the status and
	# runs the next one.
	want=
	for m in null ud div kjump bp gp write; do
		"$FAULTS" $m 2>/dev/null
		want="$want $m=$?"
	done
	boot init=/bin/busybox sh -c 'for m in null ud div kjump bp gp write; do
		/bin/faults $m; s="$s $m=$?"; done; echo "statuses:$s"; echo next-runs'
	expect_rc 0
	grep -qx "statuses:$want" "$OUT" || fail "expected statuses:$want"
	grep -qx next-runs "$OUT" || fail "the shell did not go on"
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
stdin-eof)
	# Piped input ends: cat and wc see end of file, as on Linux.
	printf 'one\ntwo\nthree\n' |
		timeout -s KILL $LIMIT "$EMBER" boot --initramfs "$INITRAMFS" \
			-- init=/bin/busybox wc -l >"$OUT" 2>&1
	rc=$?
	expect_rc 0
	grep -qx 3 "$OUT" || fail "wc -l did not count 3 lines"
	boot init=/bin/busybox sh -c 'busybox cat; echo "cat: $?"'
	expect_rc 0
	grep -qx 'cat: 0' "$OUT" || fail "cat of /dev/null did not end"
	;;
stdin-binary)
	# Every byte value, 0xff included, arrives once and in order.
	head -c 65536 /dev/urandom >"$IMG"
	printf '\377\377\000\377' >>"$IMG"
	want=$(md5sum <"$IMG" | cut -d' ' -f1)
	timeout -s KILL $LIMIT "$EMBER" boot --initramfs "$INITRAMFS" \
		-- init=/bin/busybox md5sum <"$IMG" >"$OUT" 2>&1
	rc=$?
	expect_rc 0
	grep -q "^$want " "$OUT" || fail "md5sum of stdin is not $want"
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
disk)
	# virtio-blk: two disks in --disk order; the guest reads all of the
	# first (checksum against the host's) and writes into the second at
	# an offset with fsync; the host reads that back.
	seq 1 700000 | head -c 4194304 >"$IMG"
	truncate -s 4M "$IMG2"
	want=$(md5sum <"$IMG" | cut -d' ' -f1)
	BOOT_OPTS="--disk $IMG --disk $IMG2"
	boot init=/bin/busybox sh -c 'busybox md5sum /dev/vda;
		echo written-by-the-guest |
		busybox dd of=/dev/vdb bs=512 seek=1000 conv=sync,fsync 2>&1'
	expect_rc 0
	grep -q "^$want " "$OUT" || fail "md5sum of /dev/vda is not $want"
	got=$(dd if="$IMG2" bs=512 skip=1000 count=1 2>/dev/null | tr -d '\0')
	[ "$got" = written-by-the-guest ] ||
		fail "sector 1000 of the second disk holds '$got'"
	[ "$(tr -d '\0' <"$IMG2" | wc -c)" -eq 21 ] ||
		fail "the guest wrote elsewhere on the second disk too"
	;;
ext2)
	# An ext2 image made on the host, written by the guest through the
	# kernel's ext2 over virtio-blk, synced, powered off (no umount), and
	# checked by e2fsck and debugfs; then a second boot reads it back.
	command -v mke2fs >/dev/null && command -v e2fsck >/dev/null ||
		{ echo "SKIP: no e2fsprogs"; exit 77; }
	truncate -s 32M "$IMG"
	mke2fs -q -F -t ext2 -b 1024 "$IMG" || fail "mke2fs failed"
	BOOT_OPTS="--disk $IMG"
	boot init=/bin/busybox sh -c 'set -e
		busybox mount -t ext2 /dev/vda /mnt || exit 10
		echo hello-ext2 >/mnt/hello.txt
		busybox mkdir /mnt/dir
		busybox seq 1 30000 >/mnt/dir/numbers
		busybox ln -s hello.txt /mnt/link
		busybox mkdir /mnt/gone; busybox rmdir /mnt/gone
		busybox sync
		echo done'
	if [ "$rc" -eq 10 ] && grep -q 'No such device' "$OUT"; then
		echo "SKIP: this kernel has no ext2"
		exit 77
	fi
	expect_rc 0
	grep -qx done "$OUT" || fail "the guest script did not finish"
	e2fsck -fn "$IMG" >"$OUT.fsck" 2>&1 ||
		{ cat "$OUT.fsck" >>"$OUT"; rm -f "$OUT.fsck"; fail "e2fsck -fn failed"; }
	rm -f "$OUT.fsck"
	[ "$(debugfs -R 'cat /hello.txt' "$IMG" 2>/dev/null)" = hello-ext2 ] ||
		fail "/hello.txt is wrong on the image"
	[ "$(debugfs -R 'cat /dir/numbers' "$IMG" 2>/dev/null | md5sum)" = \
	  "$(seq 1 30000 | md5sum)" ] || fail "/dir/numbers is wrong on the image"
	boot init=/bin/busybox sh -c 'busybox mount -t ext2 /dev/vda /mnt &&
		busybox cat /mnt/hello.txt && busybox readlink /mnt/link &&
		busybox md5sum /mnt/dir/numbers'
	expect_rc 0
	want=$(seq 1 30000 | md5sum | cut -d' ' -f1)
	grep -qx hello-ext2 "$OUT" && grep -qx hello.txt "$OUT" &&
		grep -q "^$want " "$OUT" || fail "the second boot read it wrong"
	;;
net)
	# virtio-net on QEMU's user network: the guest (address by DHCP from
	# slirp, which ember boot asks for with ip=dhcp) fetches a file from an HTTP server on this host, which slirp
	# shows the guest as 10.0.2.2.
	command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
	mkdir "$OUT.www" && head -c 30000 /dev/urandom | od -An -tx1 >"$OUT.www/f"
	port=$((20000 + $$ % 30000))
	python3 -m http.server $port --bind 127.0.0.1 -d "$OUT.www" \
		>/dev/null 2>&1 &
	srv=$!
	trap 'kill $srv 2>/dev/null; rm -rf "$OUT" "$OUT.www" "$IMG" "$IMG2"' EXIT
	want=$(md5sum <"$OUT.www/f" | cut -d' ' -f1)
	BOOT_OPTS="--net user"
	# The server may still be starting: the guest tries a few times.
	boot init=/bin/busybox sh -c "
		for i in 1 2 3 4 5 6 7 8 9 10; do
			busybox wget -q -O /f http://10.0.2.2:$port/f && break
			busybox sleep 0.5
		done
		busybox md5sum /f; busybox ifconfig eth0"
	expect_rc 0
	grep -q "^$want " "$OUT" || fail "the file did not arrive intact"
	grep -q 'inet addr:10\.0\.2\.15 ' "$OUT" || fail "no DHCP address"
	;;
*)
	echo "unknown test $TEST" >&2
	exit 2
	;;
esac
exit 0
