#!/bin/bash
# check-globals.sh LIBFUZZ_CORE.a: every writable global of the fuzz build
# of the core must sit in ember_data or ember_bss (fuzz_sections.h), the
# sections fuzz_kernel.c puts back to their load-time values before each
# input. A global elsewhere (a thread-local, an explicit section, a common
# symbol) would carry state from one input to the next and make crashes
# irreproducible. Compiler-made objects (ASan/UBSan descriptors, coverage
# tables) are not kernel state and are ignored.
set -u
lib=${1:?usage: $0 libfuzz_core.a}
if [ ! -f "$lib" ]; then
	echo "FAIL: $lib is not built"
	exit 1
fi
syms=$(mktemp) || exit 2
trap 'rm -f "$syms"' EXIT
objdump -t "$lib" >"$syms" || exit 2
# objdump -t: 16-digit value, 7 flag characters, section<TAB>size name.
# Data symbols are those flagged neither d(ebug/section), f(ile) nor
# F(unction); the only sections they may live in are the read-only ones
# and the two reset ones.
bad=$(awk '
	/file format/ { obj = $1; sub(/:$/, "", obj); next }
	length($0) > 26 && $0 ~ /^[0-9a-f]+ / {
		flags = substr($0, 18, 7)
		if (flags ~ /[dfF]/) next
		rest = substr($0, 26)
		split(rest, part, "\t")
		sec = part[1]
		n = split(part[2], sz, " ")
		name = sz[n]
		if (name ~ /^(__unnamed_|__sancov_|__asan_|__ubsan_|\.L|___asan)/) next
		if (sec ~ /^\.(rodata|data\.rel\.ro)($|\.)/ || sec ~ /^\*(UND|ABS)\*$/) next
		if (sec == "ember_data" || sec == "ember_bss") next
		print obj " " name " in " sec
	}' "$syms")
kept=$(grep -cE ' O (ember_data|ember_bss)	' "$syms")
if [ -n "$bad" ]; then
	echo "FAIL: writable core globals outside ember_data/ember_bss:"
	echo "$bad"
	exit 1
fi
echo "PASS: $kept writable core globals, all in the reset sections"
