#!/usr/bin/env bash
# tools/fuzz.sh HARNESS [SECONDS] [JOBS]: a longer fuzzing run.
#
# HARNESS is syscalls, elf, cpio or ext2 (tests/fuzz/fuzz_HARNESS.c). Builds the
# fuzzers (build/tests/fuzz/build, clang) and runs HARNESS for SECONDS
# (default 600) with JOBS processes (default 1), keeping the grown corpus
# in build/fuzz-corpus/HARNESS so that the next run starts from it.
# Findings land in build/fuzz-artifacts/ with the command to reproduce
# them. tests/fuzz/README.md describes the harnesses and input formats.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# Explore: a random seed unless one is given (CI runs use a fixed one).
export FUZZ_SEED=${FUZZ_SEED:-0}
h=${1:?usage: tools/fuzz.sh syscalls|elf|cpio|ext2 [SECONDS] [JOBS]}
secs=${2:-600}
jobs=${3:-1}
case "$h" in
syscalls | elf | cpio | ext2) ;;
*)
	echo "unknown harness '$h' (syscalls, elf, cpio, ext2)" >&2
	exit 2
	;;
esac
cd "$top"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target ember_fuzzers -j"$(nproc)"
mkdir -p "build/fuzz-corpus/$h"
cd build
FUZZ_SECONDS=$secs FUZZ_JOBS=$jobs FUZZ_CORPUS="$top/build/fuzz-corpus/$h" \
	"$top/tests/fuzz/run-fuzz.sh" "$top/build/tests/fuzz/build/fuzz_$h" \
	"$top/tests/fuzz/corpus/$h" "$top/tests/fuzz/$h.dict" \
	"$top/tests/fuzz/$h.options"
