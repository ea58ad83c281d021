#!/bin/bash
# Go test: run-go.sh EMBER GO SRCDIR OUTDIR
#
# Builds SRCDIR (CGO_ENABLED=0, a static binary; the Go cache lives in
# OUTDIR so a fresh clone needs no network), runs it natively, then under
# `EMBER run`, and compares stdout and exit status. The program's own
# output is what is checked: the native run proves it is right. When
# main.go has a "GO_MODE: sigint" line, both runs get the argument
# `wait-sigint`, and once the program prints "waiting for SIGINT" this
# script sends SIGINT from outside: to the program natively, to the
# `ember run` process under Ember (which hands it to the guest).
set -u
ember=$(realpath "$1")
go=$2
src=$(realpath "$3")
out=$4
limit=180

mkdir -p "$out"
out=$(realpath "$out")
export GOCACHE="$out/gocache" GOPATH="$out/gopath" GOFLAGS=-mod=mod \
	GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0
bin="$out/prog"
(cd "$src" && "$go" build -o "$bin" .) || { echo "go build failed"; exit 1; }

args=()
sigint=0
if grep -q "GO_MODE: sigint" "$src/main.go"; then
	args=(wait-sigint)
	sigint=1
fi

# run OUTFILE CMD...: runs CMD with stdin from /dev/null in the
# background; in sigint mode, sends SIGINT once the program is waiting.
run() {
	local outf=$1
	shift
	(cd "$out" && exec timeout -s KILL $limit "$@" "${args[@]}" \
		</dev/null >"$outf" 2>"$outf.err") &
	local pid=$!
	if [ $sigint = 1 ]; then
		local i
		for i in $(seq 600); do
			grep -q "waiting for SIGINT" "$outf" 2>/dev/null && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		# The child of timeout is the program (natively) or ember.
		local target
		target=$(pgrep -P $pid | head -1)
		[ -n "$target" ] && kill -INT "$target"
	fi
	wait $pid
}

run "$out/native.out" "$bin"
nst=$?
if [ $nst -ne 0 ]; then
	echo "native run failed with status $nst:"
	cat "$out/native.out" "$out/native.out.err"
	exit 1
fi
run "$out/ember.out" "$ember" run "$bin"
est=$?
if ! cmp -s "$out/native.out" "$out/ember.out" || [ $est -ne $nst ]; then
	echo "MISMATCH: native status $nst, ember status $est"
	diff -u "$out/native.out" "$out/ember.out"
	echo "--- ember stderr:"
	cat "$out/ember.out.err"
	exit 1
fi
echo "go test $(basename "$src"): outputs match (status $est)"
cat "$out/ember.out"
