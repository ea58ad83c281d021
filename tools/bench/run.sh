#!/usr/bin/env bash
# Runs the guest benchmarks natively and under Ember; prints a table.
# usage: tools/bench/run.sh [build-dir]   (a benchmark, never a test)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
# Not under /tmp: the guest sees Ember's own tmpfs there.
out="$build/bench"
mkdir -p "$out"
gcc -static -O2 -o "$out/syscall_bench" "$top/tools/bench/syscall_bench.c"
"$out/syscall_bench" > "$out/native.txt"
timeout -s KILL 300 "$build/ember" run "$out/syscall_bench" > "$out/ember.txt"
printf '%-18s %12s %12s %8s\n' benchmark native_ns ember_ns ratio
join "$out/native.txt" "$out/ember.txt" |
	awk '{ printf "%-18s %12s %12s %8.1f\n", $1, $2, $3, $3 / ($2 + 0.5) }'
