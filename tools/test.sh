#!/usr/bin/env bash
# Builds Ember and runs every test: unit (Check, sanitized), guest
# (differential: Linux first, then Ember), scripts (busybox) and boot
# (QEMU). Ends with ctest's summary; exits non-zero on any failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/build.sh"
cd "$top/build"
ctest --output-on-failure -j"$(nproc)" --timeout 600
