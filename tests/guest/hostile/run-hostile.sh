#!/bin/bash
# Hostile guest test: run-hostile.sh EMBER BINARY SOURCE
#
# Runs BINARY (a static program built from SOURCE) as
# `EMBER run --root WORK/root /bin/prog ARGS`, where WORK/root holds the
# program and a few planted symlinks (hostlink -> ../outside, abslink ->
# WORK/outside, dotdot -> .., canarylink -> the canary) and WORK/outside
# holds a canary file. The ember process also gets host fds 5, 7 and 9 on
# the canary, which the guest must not see. SOURCE's comment lines say:
#   HOSTILE_EXPECT: exit N | signal NAME...   how the guest must end
#   HOSTILE_ARGS: ...                         its arguments (@OUTSIDE@ is
#                                             WORK/outside)
#   HOSTILE_HOST: rename                      when the guest creates
#                                             /ready, the host moves
#                                             root/deep out of the root and
#                                             creates /go
# Passes when the guest ends as expected, printed at least one PASS line
# and no FAIL line, ember's stderr has no crash report, and nothing
# outside the root changed (the canary's text and times included).
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 EMBER BINARY SOURCE" >&2
	exit 2
fi
ember=$(realpath "$1")
bin=$(realpath "$2")
src=$3
name=$(basename "$bin")
limit=60

work=$(mktemp -d "$PWD/hostile-$name.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
outside=$work/outside
h=$work/harness
mkdir -p "$root/bin" "$root/deep/a/b" "$outside" "$h"
cp "$bin" "$root/bin/prog"
printf 'secret-canary\n' >"$outside/canary"
chmod 0644 "$outside/canary"
touch -d '2001-02-03 04:05:06' "$outside/canary" "$outside"
ln -s ../outside "$root/hostlink"
ln -s "$outside" "$root/abslink"
ln -s .. "$root/dotdot"
ln -s "$outside/canary" "$root/canarylink"

field() {
	sed -n "s/^ \* $1: *//p" "$src" | head -n 1
}
expect=$(field HOSTILE_EXPECT)
args=$(field HOSTILE_ARGS)
host=$(field HOSTILE_HOST)
args=${args//@OUTSIDE@/$outside}
# shellcheck disable=SC2206 # the arguments are words without spaces
argv=($args)

# Everything outside the root: path, type, size, mode, and the times of
# files (the rename test moves a directory into outside/, which changes
# that directory's own times; what it moved is left out).
snapshot() {
	find "$work" -path "$root" -prune -o -path "$h" -prune -o \
		-path "$outside/deep" -prune -o -type d -printf '%p %y %m\n' -o \
		-printf '%p %y %s %m %T@ %C@\n' | sort
}
snapshot >"$h/before"
sha_before=$(sha256sum <"$outside/canary")

(
	cd "$root" || exit 2
	exec env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC \
		timeout -s KILL "$limit" "$ember" run --root "$root" /bin/prog \
		"${argv[@]}" </dev/null 5<"$outside/canary" 7<"$outside/canary" \
		9<"$outside/canary"
) >"$h/out" 2>"$h/err" &
pid=$!

if [ "$host" = rename ]; then
	for _ in $(seq 1 500); do
		[ -e "$root/ready" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	if [ -e "$root/ready" ]; then
		mv "$root/deep" "$outside/deep"
		: >"$root/go"
	else
		echo "(the guest never said it was ready)"
	fi
fi
wait "$pid"
rc=$?

cat "$h/out"
if [ -s "$h/err" ]; then
	echo "--- ember stderr"
	cat "$h/err"
fi

fail=0
bad() {
	echo "FAIL: $name: $*"
	fail=1
}
case "$expect" in
exit\ *)
	want=${expect#exit }
	[ "$rc" -eq "$want" ] || bad "exit status $rc, expected $want"
	;;
signal\ *)
	ok=0
	for s in ${expect#signal }; do
		n=$(kill -l "$s" 2>/dev/null) || continue
		[ "$rc" -eq $((128 + n)) ] && ok=1
	done
	[ "$ok" -eq 1 ] || bad "exit status $rc, expected death by one of: ${expect#signal }"
	;;
*)
	bad "no HOSTILE_EXPECT line in $src"
	;;
esac
[ "$rc" -eq 137 ] && bad "killed after ${limit}s (or by SIGKILL)"
grep -q '^PASS:' "$h/out" || bad "no PASS line"
grep -q '^FAIL:' "$h/out" && bad "the guest reported failures"
grep -qiE 'sanitizer|runtime error|panic|core dumped' "$h/err" &&
	bad "crash report on ember's stderr"

snapshot >"$h/after"
if ! cmp -s "$h/before" "$h/after"; then
	bad "the host outside the root changed (--- before, +++ after)"
	diff -u "$h/before" "$h/after" | tail -n +3
fi
[ "$(sha256sum <"$outside/canary")" = "$sha_before" ] ||
	bad "the canary's text changed"

if [ "$fail" -eq 0 ]; then
	echo "PASS: hostile.$name ($(grep -c '^PASS:' "$h/out") checks, exit $rc)"
fi
exit "$fail"
