#!/bin/bash
# examples/ as a user builds them: each network example, built static,
# runs natively and then under `ember run`; stdout and status must match.
# usage: examples.sh EMBER SRCDIR
set -u
ember=$(realpath "$1")
src=$(realpath "$2")
work=$(mktemp -d "$PWD/examples.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work" || exit 2
failures=0
for prog in hello tcp_echo udp_ping; do
	gcc -static -O2 -o "$prog" "$src/examples/$prog.c" ||
		{ echo "FAIL: cannot build $prog"; exit 1; }
done
check() {
	env -i PATH=/usr/bin:/bin LC_ALL=C timeout -s KILL 60 "$@" </dev/null \
		>native.out 2>native.err
	local nrc=$?
	env -i PATH=/usr/bin:/bin LC_ALL=C timeout -s KILL 60 "$ember" run "$@" \
		</dev/null >ember.out 2>ember.err
	local erc=$?
	if [ $nrc -ne $erc ] || ! cmp -s native.out ember.out; then
		echo "FAIL: $*: native status $nrc, ember status $erc"
		diff -u native.out ember.out
		cat ember.err
		failures=$((failures + 1))
	else
		echo "ok: $* (status $erc, $(wc -l <ember.out) lines)"
	fi
}
check ./tcp_echo demo
check ./udp_ping
# hello prints the kernel's uname, which differs by design: compare the rest.
env -i ./hello one two | tail -n +2 >native.out
"$ember" run ./hello one two </dev/null | tail -n +2 >ember.out
cmp -s native.out ember.out || { echo "FAIL: hello"; failures=$((failures + 1)); }
[ $failures -eq 0 ] && echo "PASS: examples"
exit $((failures > 0))
