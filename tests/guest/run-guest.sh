#!/bin/bash
# Differential guest test: run-guest.sh EMBER BINARY [ARGS...]
#
# Runs BINARY natively, then as `EMBER run BINARY ARGS...`, both in the
# same fresh working directory, with stdin from /dev/null, the same small
# fixed environment and the same RLIMIT_NOFILE (Linux's boot defaults,
# 1024/4096, which Ember's first process also starts with). The native run
# must succeed (exit 0), otherwise the guest program itself is wrong. The
# test passes when Ember's stdout is byte for byte the native stdout and
# the exit statuses are equal. Stderr is shown, never compared.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 EMBER BINARY [ARGS...]" >&2
	exit 2
fi
ember=$(realpath "$1")
bin=$(realpath "$2")
shift 2
limit=60

# Not under /tmp: the guest's /tmp is Ember's own tmpfs, so the shared cwd
# lives in the current directory (ctest runs in the build tree).
work=$(mktemp -d "$PWD/run-$(basename "$bin").XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/cwd"

# Both runs: the same cwd, environment, stdin and fd limits. ulimit runs in
# a subshell so the caller keeps its own limits.
run() {
	(
		cd "$work/cwd" || exit 2
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
		done
		ulimit -Sn 1024 2>/dev/null
		ulimit -Hn 4096 2>/dev/null
		exec env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC \
			EMBER_GUEST_VAR='value with spaces' \
			timeout -s KILL "$limit" "$@" </dev/null
	)
}

name=$(basename "$bin")
run "$bin" "$@" >"$work/native.out" 2>"$work/native.err"
native_rc=$?
if [ "$native_rc" -ne 0 ]; then
	echo "FAIL: $name exits $native_rc natively (expected 0): the test is wrong" >&2
	echo "--- native stdout" >&2
	cat "$work/native.out" >&2
	echo "--- native stderr" >&2
	cat "$work/native.err" >&2
	exit 1
fi

run "$ember" run "$bin" "$@" >"$work/ember.out" 2>"$work/ember.err"
ember_rc=$?

if [ -s "$work/ember.err" ]; then
	echo "--- ember stderr (not compared)"
	cat "$work/ember.err"
fi

fail=0
if [ "$ember_rc" -eq 137 ]; then
	echo "FAIL: $name under ember: killed after ${limit}s (or by SIGKILL)"
	fail=1
elif [ "$ember_rc" -ne "$native_rc" ]; then
	echo "FAIL: $name: exit status $ember_rc under ember, $native_rc natively"
	fail=1
fi
if ! cmp -s "$work/native.out" "$work/ember.out"; then
	echo "FAIL: $name: stdout differs (--- native, +++ ember)"
	diff -u "$work/native.out" "$work/ember.out" |
		sed -e "1s|$work/||" -e "2s|$work/||"
	fail=1
fi
if [ "$fail" -eq 0 ]; then
	echo "PASS: $name ($(wc -l <"$work/native.out") lines of output agree, exit $native_rc)"
fi
exit "$fail"
