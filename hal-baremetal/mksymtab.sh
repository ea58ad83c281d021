#!/bin/sh
# mksymtab.sh KERNEL OUT.S: the text symbols of a linked kernel as an
# assembly table for hal_symbolize (misc.c). The kernel is linked twice:
# the table lives in .rodata, after .text, so adding it moves no code.
set -e
nm -n --defined-only "$1" | awk '
BEGIN { n = 0 }
$2 ~ /^[tT]$/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .rodata"
	print "\t.p2align 3"
	print "\t.globl bm_ksym_count, bm_ksym_addr, bm_ksym_name, bm_ksym_str"
	print "bm_ksym_count:\n\t.quad " n
	print "bm_ksym_addr:"
	for (i = 0; i < n; i++)
		print "\t.quad 0x" addr[i]
	print "bm_ksym_name:"
	off = 0
	for (i = 0; i < n; i++) {
		print "\t.long " off
		off += length(name[i]) + 1
	}
	print "bm_ksym_str:"
	for (i = 0; i < n; i++)
		print "\t.asciz \"" name[i] "\""
	print "\t.section .note.GNU-stack, \"\", @progbits"
}' >"$2.tmp"
mv "$2.tmp" "$2"
