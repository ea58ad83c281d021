#!/bin/bash
# run-fuzz.sh FUZZER SEED_DIR [DICT [OPTIONS]]: one bounded libFuzzer run
# (the ctests fuzz.<harness>, and tools/fuzz.sh for longer ones). OPTIONS
# is an OSS-Fuzz style .options file: "key = value" lines under
# [libfuzzer] become -key=value.
#
# Runs FUZZER for FUZZ_SECONDS (default 60) from a scratch copy of the
# seed corpus (the committed seeds are never modified; FUZZ_CORPUS names a
# directory to keep the grown corpus in instead), with a 10 s limit per
# input and 2 GiB of RSS. FUZZ_JOBS>1 runs that many fuzzing processes
# (libFuzzer's fork mode, which goes on after findings).
# Passes when libFuzzer finishes without a finding. On a finding it fails,
# prints the report, keeps the input under ./fuzz-artifacts/ and prints it
# (base64) with the command that reproduces it.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 FUZZER SEED_DIR [DICT [OPTIONS]]" >&2
	exit 2
fi
bin=$(realpath "$1")
seeds=$(realpath "$2")
dict=${3:-}
options=${4:-}
secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
name=$(basename "$bin")

if [ ! -x "$bin" ]; then
	echo "FAIL: $bin is not built"
	exit 1
fi
work=$(mktemp -d "$PWD/$name.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
corpus=${FUZZ_CORPUS:-$work/corpus}
mkdir -p "$corpus"
artifacts=$PWD/fuzz-artifacts

# A fixed seed by default (FUZZ_SEED=0 for a random one): the same
# executions in the same order on every CI run, so a run that passed here
# passes there; tools/fuzz.sh runs explore with random seeds.
args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048
	-seed="${FUZZ_SEED:-1}"
	-print_final_stats=1 -artifact_prefix="$work/")
if [ -n "$dict" ] && [ -f "$dict" ]; then
	args+=(-dict="$dict")
fi
if [ -n "$options" ] && [ -f "$options" ]; then
	while IFS= read -r opt; do
		args+=("$opt")
	done < <(awk -F '=' '/^\[/ { sec = $0; next }
		sec == "[libfuzzer]" && NF == 2 {
			gsub(/[ \t]/, "", $1); gsub(/[ \t]/, "", $2)
			print "-" $1 "=" $2 }' "$options")
fi
if [ "$jobs" -gt 1 ]; then
	# Fork mode keeps going after a finding: every reproducer is kept.
	args+=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi

echo "$name: fuzzing for ${secs}s from $seeds"
start=$SECONDS
timeout -s KILL $((secs + 300)) "$bin" "${args[@]}" "$corpus" "$seeds" \
	>"$work/log" 2>&1
rc=$?

# The last status line: executions, coverage (edges), corpus.
grep -E '^#[0-9]+(: cov|[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED))' "$work/log" | tail -n 1
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$work/log"
echo "($((SECONDS - start)) s, exit status $rc)"

found=$(find "$work" -maxdepth 1 -type f \
	\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
	-o -name 'oom-*' -o -name 'slow-unit-*' \) ! -name 'slow-unit-*')
if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
	echo "PASS: $name"
	exit 0
fi

echo "FAIL: $name found a problem (exit status $rc)"
echo "--- report"
# The sanitizer or libFuzzer report, without the shadow-byte legend
# and the coverage progress lines.
awk '/^Shadow bytes around the buggy address/ { skip = 1 }
	/^==[0-9]+==ABORTING/ { skip = 0 }
	!skip' "$work/log" |
	grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|^[[:space:]]NEW_FUNC' |
	tail -n 100
if [ "$rc" -eq 137 ]; then
	echo "killed after $((secs + 300)) s: libFuzzer itself hung"
fi
[ -n "$found" ] && mkdir -p "$artifacts"
for f in $found; do
	keep="$artifacts/$name-$(basename "$f")"
	cp "$f" "$keep"
	echo "--- reproducer: $keep ($(stat -c %s "$f") bytes)"
	echo "reproduce with: $bin $keep"
	if [ "$(stat -c %s "$f")" -le 65536 ]; then
		echo "base64 (decode with: base64 -d >input):"
		base64 -w 76 "$f"
	fi
done
exit 1
