#!/bin/bash
# Script tests with busybox-static: busybox.sh EMBER BUSYBOX CASE
#
# Each CASE runs busybox (or a malformed program) under `EMBER run` and
# checks the result against what the host computes: the same applet run
# natively, the host's own tools, or a fixed expectation that holds on
# Linux. Work files live in a fresh directory under the current directory
# (ctest runs in the build tree): the guest's /tmp is Ember's own tmpfs, so
# host files the guest must see cannot be under /tmp.
# Exit 0: pass; 1: fail (the reason is printed); 2: usage or setup error.
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 EMBER BUSYBOX CASE" >&2
	exit 2
fi
ember=$(realpath "$1")
bb=$(realpath "$2")
case_name=$3
limit=60

work=$(mktemp -d "$PWD/script-$case_name.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work" || exit 2

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# Both sides get the same environment, stdin and cwd.
host_env() {
	env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC "$@" </dev/null
}

# run_ember OUT ERR ARGS...: `ember run ARGS`, stdout to OUT, stderr to
# ERR; sets rc.
run_ember() {
	local out=$1 err=$2
	shift 2
	host_env timeout -s KILL "$limit" "$ember" run "$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" -eq 137 ]; then
		fail "ember run $*: killed after ${limit}s"
	fi
}

show_stderr() {
	if [ -s "$1" ]; then
		echo "--- ember stderr"
		cat "$1"
	fi
}

# same_as_host EXPECTED_RC EXPECTED_STDOUT|- APPLET ARGS...: the applet run
# natively and under Ember give the same stdout and exit status, and both
# are what Linux gives (EXPECTED_STDOUT - skips the fixed stdout check).
same_as_host() {
	local want_rc=$1 want_out=$2
	shift 2
	host_env "$bb" "$@" >native.out 2>native.err
	local native_rc=$?
	if [ "$native_rc" -ne "$want_rc" ]; then
		fail "natively, busybox $* exits $native_rc, expected $want_rc (test is wrong)"
		return
	fi
	if [ "$want_out" != "-" ] && [ "$(cat native.out)" != "$want_out" ]; then
		fail "natively, busybox $* prints '$(cat native.out)', expected '$want_out' (test is wrong)"
		return
	fi
	run_ember ember.out ember.err "$bb" "$@"
	show_stderr ember.err
	if [ "$rc" -ne "$native_rc" ]; then
		fail "busybox $*: exit status $rc under ember, $native_rc natively"
	fi
	if ! cmp -s native.out ember.out; then
		fail "busybox $*: stdout differs (--- native, +++ ember)"
		diff -u native.out ember.out | tail -n +3
	fi
}

# A malformed program: `ember run` must refuse it quickly with one line on
# stderr, a plain non-zero status (not a signal: no crash, no core dump),
# and no sanitizer report.
refuse() {
	local prog=$1
	local start=$SECONDS
	host_env timeout -s KILL 10 "$ember" run "$prog" >ember.out 2>ember.err
	rc=$?
	local lines
	lines=$(wc -l <ember.err)
	echo "ember run $prog: status $rc, stderr:"
	cat ember.err
	if [ "$rc" -eq 137 ]; then
		fail "not refused within 10 s"
	elif [ "$rc" -eq 0 ]; then
		fail "exit status 0"
	elif [ "$rc" -ge 128 ]; then
		fail "exit status $rc: killed by signal $((rc - 128))"
	fi
	if [ "$lines" -ne 1 ]; then
		fail "$lines lines on stderr, expected exactly 1"
	fi
	if grep -qiE 'sanitizer|runtime error|core dumped|panic' ember.err; then
		fail "crash report on stderr"
	fi
	if [ -s ember.out ]; then
		fail "unexpected stdout"
	fi
	if ls core* >/dev/null 2>&1; then
		fail "core file left behind"
	fi
	echo "($((SECONDS - start)) s)"
}

case "$case_name" in
echo)
	same_as_host 0 hello echo hello
	;;
true)
	same_as_host 0 "" true
	;;
false)
	same_as_host 1 "" false
	;;
sh_exit)
	same_as_host 3 "" sh -c 'exit 3'
	;;
uname)
	# Only the system name and the machine (the second-to-last field of
	# uname -a; the last is the OS name) must agree with the host.
	run_ember ember.out ember.err "$bb" uname -a
	show_stderr ember.err
	[ "$rc" -eq 0 ] || fail "uname -a: exit status $rc"
	got=$(awk '{print $1, $(NF-1)}' ember.out)
	want="$(uname -s) $(uname -m)"
	native=$(host_env "$bb" uname -a | awk '{print $1, $(NF-1)}')
	echo "ember: $(cat ember.out)"
	[ "$native" = "$want" ] || fail "native busybox uname -a gives '$native', host '$want' (test is wrong)"
	[ "$got" = "$want" ] || fail "uname -a: sysname/machine '$got', host '$want'"
	same_as_host 0 "$want" uname -s -m
	;;
cat)
	# Text, binary (the start of busybox itself) and an empty file.
	printf 'line one\nline two\n\ttabbed\nno newline at end' >text.txt
	head -c 200000 "$bb" >binary.bin
	: >empty.txt
	for f in text.txt binary.bin empty.txt; do
		run_ember ember.out ember.err "$bb" cat "$work/$f"
		show_stderr ember.err
		[ "$rc" -eq 0 ] || fail "cat $f: exit status $rc"
		cmp ember.out "$f" || fail "cat $f: output differs from the file"
	done
	# Several files and a relative path from the guest's cwd.
	run_ember ember.out ember.err "$bb" cat text.txt empty.txt binary.bin
	cat text.txt empty.txt binary.bin >want.out
	cmp ember.out want.out || fail "cat of three files differs"
	same_as_host 1 - cat missing-file
	;;
ls)
	# A fixed tree; ls -la natively and under Ember on the same directory
	# must agree on modes, links, owners, sizes and names (not times).
	mkdir lsdir lsdir/sub
	: >lsdir/empty
	printf 'hello' >lsdir/five
	head -c 12345 /dev/zero >lsdir/big
	printf '#!/bin/sh\n' >lsdir/script
	chmod 0600 lsdir/empty
	chmod 0640 lsdir/five
	chmod 0755 lsdir/script
	chmod 0700 lsdir/sub
	chmod 1777 lsdir/sub 2>/dev/null
	ln -s five lsdir/link
	ln lsdir/big lsdir/hardlink
	touch -d '2020-01-02 03:04:05' lsdir/* lsdir
	cols='{ if ($1 == "total") next; n = $1 " " $2 " " $3 " " $4 " " $5;
		for (i = 9; i <= NF; i++) n = n " " $i; print n }'
	host_env "$bb" ls -la "$work/lsdir" >native.out 2>native.err ||
		fail "native ls failed (test is wrong)"
	run_ember ember.out ember.err "$bb" ls -la "$work/lsdir"
	show_stderr ember.err
	[ "$rc" -eq 0 ] || fail "ls -la: exit status $rc"
	awk "$cols" native.out >native.cols
	awk "$cols" ember.out >ember.cols
	echo "--- ember ls -la"
	cat ember.out
	if ! cmp -s native.cols ember.cols; then
		fail "ls -la differs (--- native, +++ ember; times dropped)"
		diff -u native.cols ember.cols | tail -n +3
	fi
	# The time columns too, when the host and Ember agree on the zone.
	same_as_host 0 - ls -l --full-time "$work/lsdir"
	;;
urandom)
	host_env timeout -s KILL "$limit" "$ember" run "$bb" head -c 100 /dev/urandom \
		2>ember.err | wc -c >count.out
	status=("${PIPESTATUS[@]}")
	show_stderr ember.err
	[ "${status[0]}" -eq 0 ] || fail "head -c 100 /dev/urandom: exit status ${status[0]}"
	[ "$(tr -d ' ' <count.out)" = 100 ] || fail "head -c 100 /dev/urandom gave $(cat count.out) bytes"
	;;
root_write)
	# The guest sees only --root: busybox is copied in, and the file it
	# writes at / appears in the root directory on the host.
	mkdir -p root/bin
	cp "$bb" root/bin/busybox
	run_ember ember.out ember.err --root "$work/root" /bin/busybox sh -c 'echo data > /out.txt'
	show_stderr ember.err
	[ "$rc" -eq 0 ] || fail "sh -c 'echo data > /out.txt': exit status $rc"
	if [ ! -f root/out.txt ]; then
		fail "root/out.txt was not written"
	elif [ "$(cat root/out.txt)" != data ]; then
		fail "root/out.txt holds '$(cat root/out.txt)', expected 'data'"
	fi
	# And nothing outside the root is visible.
	run_ember ember.out ember.err --root "$work/root" /bin/busybox ls /
	show_stderr ember.err
	printf 'bin\ndev\nout.txt\nproc\nsys\ntmp\n' >want.out
	# /dev, /proc, /sys and /tmp are Ember's own mounts on the root.
	sort ember.out | grep -vx '' >got.out
	grep -qx out.txt got.out || fail "ls / under --root does not show out.txt"
	grep -qx bin got.out || fail "ls / under --root does not show bin"
	[ -z "$(comm -23 got.out want.out)" ] ||
		fail "ls / under --root shows more than the root: $(comm -23 got.out want.out | tr '\n' ' ')"
	;;
strace)
	run_ember ember.out ember.err --strace "$bb" true
	[ "$rc" -eq 0 ] || fail "--strace busybox true: exit status $rc"
	[ -s ember.out ] && fail "--strace wrote to stdout"
	echo "--- ember stderr"
	cat ember.err
	# Lines like `name(args) = result`.
	traced=$(grep -cE '^[a-z_0-9]+\(.*\) = ' ember.err)
	[ "$traced" -ge 5 ] || fail "only $traced strace lines"
	for name in brk arch_prctl getuid exit_group; do
		grep -qE "^$name\(.*\) = " ember.err || fail "no $name line"
	done
	grep -qE '^exit_group\(0\) = \?$' ember.err || fail "exit_group(0) = ? missing"
	# The initial execve is the kernel's, not a traced call.
	grep -qE '^execve\(' ember.err && fail "execve traced"
	;;
elf_truncated)
	head -c 200 "$bb" >prog
	chmod +x prog
	refuse "$work/prog"
	;;
elf_random)
	# The ELF magic followed by noise; class byte forced to 64-bit so the
	# noise reaches the header checks.
	{ printf '\177ELF\002\001\001\000'; head -c 8000 /dev/urandom; } >prog
	chmod +x prog
	refuse "$work/prog"
	;;
elf_32bit)
	cat >s32.c <<'EOF'
void _start(void)
{
	__asm__ volatile("movl $1, %%eax\n\txorl %%ebx, %%ebx\n\tint $0x80" ::: "eax", "ebx");
	for (;;)
		;
}
EOF
	if ! gcc -m32 -nostdlib -static -ffreestanding -fno-pie -no-pie -o prog s32.c 2>/dev/null; then
		# No 32-bit toolchain: a hand-made ELF32 header (class 1,
		# i386 executable, entry 0x8048054, no program headers).
		printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000' >prog
		printf '\002\000\003\000\001\000\000\000\124\200\004\010' >>prog
		printf '\064\000\000\000\000\000\000\000\000\000\000\000' >>prog
		printf '\064\000\040\000\000\000\050\000\000\000\000\000' >>prog
		printf '\061\300\100\315\200' >>prog
	fi
	chmod +x prog
	refuse "$work/prog"
	;;
empty)
	: >prog
	chmod +x prog
	refuse "$work/prog"
	;;
no_shebang)
	printf 'echo this is a shell script without a #! line\nexit 0\n' >prog
	chmod +x prog
	refuse "$work/prog"
	;;
oom)
	# A guest that allocates past the kernel's budget is killed with
	# SIGKILL and a kernel log line; the shell beside it (another guest
	# process) goes on and finishes normally.
	printf '%s\n' '#include <stdlib.h>' '#include <string.h>' \
		'int main(void) { for (;;) { char *p = malloc(16 << 20);' \
		'if (!p) return 3; memset(p, 1, 16 << 20); } }' >hog.c
	gcc -static -O1 -o hog hog.c || { fail "cannot build hog"; exit 1; }
	cp "$bb" ./busybox
	run_ember ember.out ember.err --mem 128M ./busybox sh -c \
		'./hog; echo "hog: $?"; echo beside'
	show_stderr ember.err
	[ "$rc" -eq 0 ] || fail "oom: shell exit status $rc"
	grep -qx "hog: 137" ember.out || fail "oom: hog not killed by SIGKILL"
	grep -qx "beside" ember.out || fail "oom: the shell did not go on"
	grep -q "out of memory: killed process" ember.err ||
		fail "oom: no kernel log line"
	;;
pipe_loop)
	# 2000 rounds of `echo x | wc -c` in busybox sh: a fork, a pipe and
	# an exec each time; the sum is 2 bytes per round on Linux.
	limit=300
	mkdir bin && ln -s "$bb" bin/wc && ln -s "$bb" bin/sh
	loop='i=0; n=0; while [ $i -lt 2000 ]; do n=$((n + $(echo x | wc -c))); i=$((i + 1)); done; echo "sum $n"'
	same_as_host 0 "sum 4000" sh -c "PATH=$PWD/bin; $loop"
	;;
initramfs)
	# `ember run --initramfs FILE`: the root is a tmpfs holding the cpio
	# archive (made here by busybox cpio from a host directory); nothing
	# of the host tree is visible, and the guest can write to its root.
	mkdir -p rootdir/bin rootdir/etc/deep
	cp "$bb" rootdir/bin/busybox
	echo "from the archive" >rootdir/etc/deep/motd
	ln -s deep/motd rootdir/etc/link
	(cd rootdir && find . | "$bb" cpio -o -H newc >../root.cpio 2>/dev/null) ||
		{ fail "cannot make the cpio archive"; exit 1; }
	run_ember ember.out ember.err --initramfs root.cpio /bin/busybox sh -c \
		'/bin/busybox cat /etc/link; /bin/busybox ls /etc;
		 /bin/busybox test -e /usr || echo "no host /usr";
		 echo written >/etc/new && /bin/busybox cat /etc/new'
	show_stderr ember.err
	[ "$rc" -eq 0 ] || fail "initramfs: status $rc"
	printf '%s\n' "from the archive" deep link "no host /usr" written >want.out
	cmp -s want.out ember.out || { fail "initramfs: output differs"; diff -u want.out ember.out; }
	run_ember ember.out ember.err --initramfs no-such.cpio /bin/busybox true
	[ "$rc" -eq 2 ] || fail "initramfs: a missing archive gives status $rc, not 2"
	;;
dynamic)
	# Dynamically linked programs: Ember loads the PT_INTERP interpreter
	# (glibc's ld.so) beside the program, and ld.so does the rest with
	# ordinary syscalls. A PIE and a non-PIE build of one program (dlopen
	# of libm, a thread, NSS reading /etc/hosts), then the host's own
	# dynamic tools, each run natively and under Ember, outputs compared.
	cat >dyn.c <<'EOF'
#include <dlfcn.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *thr(void *a) { return (char *)a + 1; }
int main(int argc, char **argv)
{
	void *m = dlopen("libm.so.6", RTLD_NOW);
	double (*cosp)(double) = m ? (double (*)(double))dlsym(m, "cos") : NULL;
	printf("dlopen libm: %d cos(0)=%.1f\n", m != NULL, cosp ? cosp(0.0) : -1.0);
	pthread_t t; void *r;
	pthread_create(&t, NULL, thr, "xy");
	pthread_join(t, &r);
	printf("thread returned: %s\n", (char *)r);
	struct hostent *h = gethostbyname("localhost");
	printf("localhost: %s\n", h ? "found" : "not found");
	printf("argv[1]: %s env: %s\n", argc > 1 ? argv[1] : "-", getenv("LC_ALL"));
	return 7;
}
EOF
	gcc -O1 -o dyn-pie dyn.c -ldl -pthread &&
		gcc -O1 -no-pie -o dyn-nopie dyn.c -ldl -pthread ||
		{ fail "cannot build the dynamic programs"; exit 1; }
	mkdir -p tree/sub && echo data >tree/file && ln -s file tree/link
	touch -h -d '2020-01-02 03:04:05' tree/file tree/link tree/sub tree
	compare() {
		host_env "$@" >native.out 2>native.err
		local nrc=$?
		run_ember ember.out ember.err "$@"
		show_stderr ember.err
		[ "$rc" -eq "$nrc" ] || fail "$*: status $rc under ember, $nrc natively"
		cmp -s native.out ember.out ||
			{ fail "$*: stdout differs"; diff -u native.out ember.out | tail -n +3; }
	}
	compare ./dyn-pie arg
	compare ./dyn-nopie arg
	[ -x /bin/ls ] && compare /bin/ls -la --time-style=+%F.%T tree
	[ -x /bin/bash ] && compare /bin/bash -c 'a=(1 2 3); echo ${#a[@]} $(echo x | tr x y); exit 4'
	[ -x /usr/bin/sort ] && compare /usr/bin/sort -r tree/file /etc/hostname
	# A missing interpreter: execve's ENOENT, as on Linux.
	python3 -c "d=open('dyn-pie','rb').read(); open('dyn-noint','wb').write(d.replace(b'ld-linux-x86-64.so.2', b'ld-nothere-x86-64.s2'))" &&
		chmod +x dyn-noint && compare ./dyn-noint
	;;
leak)
	# A guest that forks N processes (each exits and is reaped) and one
	# that creates and joins N threads leave the kernel's frame and
	# kmalloc counts where N=10 leaves them: `--stats` prints the counts
	# at boot and after init is gone, and nothing may grow with N.
	printf '%s\n' '#include <pthread.h>' '#include <stdio.h>' \
		'#include <stdlib.h>' '#include <sys/wait.h>' '#include <unistd.h>' \
		'static void *thr(void *a) { return a; }' \
		'int main(int c, char **v) { int n = atoi(v[2]);' \
		'for (int i = 0; i < n; i++) { if (v[1][0] == 102) {' \
		'pid_t p = fork(); if (p == 0) _exit(i & 127); if (p < 0) return 1;' \
		'int st; if (waitpid(p, &st, 0) != p || WEXITSTATUS(st) != (i & 127)) return 2;' \
		'} else { pthread_t t; if (pthread_create(&t, 0, thr, 0)) return 3;' \
		'if (pthread_join(t, 0)) return 4; } }' \
		'printf("%s %d ok\n", v[1], n); return 0; }' >churn.c
	gcc -static -O1 -pthread -o churn churn.c || { fail "cannot build churn"; exit 1; }
	for kind in fork thread; do
		for n in 10 500; do
			run_ember "$kind.$n.out" "$kind.$n.err" --stats ./churn "$kind" "$n"
			[ "$rc" -eq 0 ] || { show_stderr "$kind.$n.err"; fail "leak: $kind $n: status $rc"; }
			grep -qx "$kind $n ok" "$kind.$n.out" || fail "leak: $kind $n: no ok line"
			grep -o "end frames_used=[0-9]* kmalloc_bytes=[0-9]*" "$kind.$n.err" >"$kind.$n.end" ||
				fail "leak: $kind $n: no stats line"
		done
		if ! cmp -s "$kind.10.end" "$kind.500.end"; then
			fail "leak: $kind: 10 -> $(cat "$kind.10.end"), 500 -> $(cat "$kind.500.end")"
		fi
		echo "$kind: 10 and 500 both end with $(cat "$kind.500.end")"
	done
	;;
*)
	echo "unknown case '$case_name'" >&2
	exit 2
	;;
esac

if [ "$failures" -ne 0 ]; then
	echo "script.$case_name: $failures failure(s)"
	exit 1
fi
echo "PASS: script.$case_name"
exit 0
