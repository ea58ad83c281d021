#!/usr/bin/env bash
# Builds Ember and runs every test: unit (Check, sanitized), guest
# (differential: Linux first, then Ember), scripts (busybox), hostile
# guests, malformed programs, fuzzers (fuzz.*, FUZZ_SECONDS each, default
# 60) and boot (QEMU). Then the hosted guest, script, hostile and
# malformed-input tests run again against an ASan+UBSan build of ember
# (build-asan/, -DEMBER_SANITIZE=ON). Ends with ctest's summaries; exits
# non-zero on any failure. EMBER_SKIP_ASAN=1 skips the second pass.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$top/tools/build.sh"
status=0
(cd "$top/build" && ctest --output-on-failure -j"$jobs" --timeout 600) || status=1

if [ "${EMBER_SKIP_ASAN:-0}" != 1 ]; then
	echo "=== the hosted tests against ember built with ASan+UBSan (build-asan/)"
	cmake -S "$top" -B "$top/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DEMBER_SANITIZE=ON -DEMBER_BAREMETAL=OFF -DEMBER_FUZZ=OFF >/dev/null
	cmake --build "$top/build-asan" -j"$jobs" --target ember ember-systrap guest_programs \
		hostile_programs
	(cd "$top/build-asan" && ctest --output-on-failure -j"$jobs" --timeout 600 \
		-L '^(guest|script|hostile|robust)$') || status=1
fi
exit "$status"
