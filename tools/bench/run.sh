#!/usr/bin/env bash
# Runs the guest benchmarks natively and under Ember on both hosted
# platforms (ptrace, systrap); prints a table of ns per operation.
# usage: tools/bench/run.sh [build-dir]   (a benchmark, never a test)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
# Not under /tmp: the guest sees Ember's own tmpfs there.
out="$build/bench"
mkdir -p "$out"
gcc -static -O2 -pthread -o "$out/syscall_bench" "$top/tools/bench/syscall_bench.c"
"$out/syscall_bench" > "$out/native.txt"
for p in ptrace systrap; do
	timeout -s KILL 300 "$build/ember" run --platform=$p "$out/syscall_bench" \
		> "$out/$p.txt"
done
printf '%-18s %10s %10s %10s %8s %8s\n' benchmark native_ns ptrace_ns \
	systrap_ns ptrace_x systrap_x
join "$out/native.txt" "$out/ptrace.txt" | join - "$out/systrap.txt" |
	awk '{ printf "%-18s %10s %10s %10s %8.1f %8.1f\n", $1, $2, $3, $4,
	       $3 / ($2 + 0.5), $4 / ($2 + 0.5) }'
