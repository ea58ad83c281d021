#!/bin/bash
# The guest suite on bare metal: every tests/guest program (built by
# tests/guest/CMakeLists.txt) in the given variants runs inside QEMU from
# one initramfs, and each one's stdout and exit status must equal its
# native run on this host (the same environment run-guest.sh gives both
# sides: fresh empty cwd, env -i with a fixed environment, stdin from
# /dev/null, RLIMIT_NOFILE 1024/4096).
#
# usage: guest_suite.sh EMBER MKINITRAMFS BUSYBOX SRCDIR GUESTDIR VARIANT...
# (GUESTDIR absolute: the guests keep their host paths in the initramfs)
#
# Inside the guest a runner script runs each program and prints, between
# "@@@" delimiter lines, its stdout in base64 (so the console's newline
# handling cannot change it), its status and its stderr (shown, never
# compared). A program that fails on bare metal is run once more under the
# hosted kernel (run-guest.sh): the suite fails when any program passes
# natively and hosted but not on bare metal, and lists those. Programs that
# also fail hosted are listed but not counted (the hosted tests report
# them). A program whose binary was not built (e.g. it needs lwIP) is
# skipped with the reason.
set -u
EMBER=$1 MKINITRAMFS=$2 BUSYBOX=$3 SRCDIR=$4 GUESTDIR=$5
shift 5
VARIANTS=$*
LIMIT=${EMBER_BOOT_SUITE_LIMIT:-600}
PER_TEST=60

work=$(mktemp -d "$PWD/boot-suite.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/native" "$work/cwd"

# The same fixed environment on both sides.
ENVSET="PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC"
GUESTVAR='value with spaces'

# quote WORD: WORD as one single-quoted shell word.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

spec=$work/spec
runner=$work/runner
ids=
{
	echo "dir /bin 0755"
	echo "dir /dev 0755"
	echo "dir /proc 0555"
	echo "dir /tmp 01777"
	echo "dir /w 0777"
	echo "dir /o 0777"
	echo "file /bin/busybox $BUSYBOX 0755"
	echo "slink /bin/sh busybox"
	echo "file /run-guests $runner 0755"
	# The guests sit at their host paths, so argv[0] is the same.
	d=
	for c in $(echo "$GUESTDIR" | tr / ' '); do
		d=$d/$c
		echo "dir $d 0755"
	done
	# shells.c runs bash-static when it is there.
	if [ -x /usr/bin/bash-static ]; then
		echo "dir /usr 0755"
		echo "dir /usr/bin 0755"
		echo "file /usr/bin/bash-static /usr/bin/bash-static 0755"
	fi
} >"$spec"
cat >"$runner" <<'EOF'
#!/bin/busybox sh
# Runs on Ember in QEMU: each guest program, then its output framed.
B=/bin/busybox
one() {
	id=$1
	shift
	$B mkdir -p /w/$id/cwd
	(
		cd /w/$id/cwd || exit 2
		ulimit -Sn 1024 2>/dev/null
		ulimit -Hn 4096 2>/dev/null
		exec $B env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC \
			EMBER_GUEST_VAR='value with spaces' \
			$B timeout -s KILL PER_TEST "$@" \
			</dev/null >/o/$id.out 2>/o/$id.err
	)
	rc=$?
	echo "@@@BEGIN $id"
	$B base64 /o/$id.out
	echo "@@@STATUS $id $rc"
	$B cat /o/$id.err
	echo
	echo "@@@END $id"
	$B rm -f /o/$id.out /o/$id.err
}
EOF
sed -i "s/PER_TEST/$PER_TEST/" "$runner"

skipped=0
for src in "$SRCDIR"/*.c; do
	name=$(basename "$src" .c)
	args=$(sed -n 's/.*GUEST_ARGS:[ ]*//p' "$src" | head -n 1)
	for v in $VARIANTS; do
		id=$name.$v
		bin=$GUESTDIR/$id
		if [ ! -x "$bin" ]; then
			if grep -q 'GUEST_NEEDS:.*lwip' "$src"; then
				echo "SKIP: $id (needs lwIP, not built)"
			else
				echo "SKIP: $id (not built)"
			fi
			skipped=$((skipped + 1))
			continue
		fi
		# Natively first, exactly as run-guest.sh does.
		rm -rf "$work/cwd" && mkdir "$work/cwd"
		eval "set -- $args"
		(
			cd "$work/cwd" || exit 2
			for fd in /proc/self/fd/*; do
				fd=${fd##*/}
				[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
			done
			ulimit -Sn 1024 2>/dev/null
			ulimit -Hn 4096 2>/dev/null
			exec env -i $ENVSET EMBER_GUEST_VAR="$GUESTVAR" \
				timeout -s KILL $PER_TEST "$bin" "$@" </dev/null
		) >"$work/native/$id.out" 2>/dev/null
		echo $? >"$work/native/$id.rc"
		echo "file $GUESTDIR/$id $bin 0755" >>"$spec"
		line="one $id $GUESTDIR/$id"
		for a in "$@"; do
			line="$line $(quote "$a")"
		done
		echo "$line" >>"$runner"
		ids="$ids $id"
	done
done
echo 'echo "@@@DONE"' >>"$runner"
echo 'exit 0' >>"$runner"

"$MKINITRAMFS" -o "$work/initramfs.cpio" -f "$spec" || exit 2

start=$(date +%s%N)
timeout -s KILL "$LIMIT" "$EMBER" boot --mem 1G \
	--initramfs "$work/initramfs.cpio" -- init=/bin/busybox sh /run-guests \
	>"$work/console.raw" 2>&1 </dev/null
boot_rc=$?
end=$(date +%s%N)
tr -d '\r' <"$work/console.raw" >"$work/console"
echo "QEMU ran $(((end - start) / 1000000)) ms, exit status $boot_rc"

# section ID: the lines of ID's output between two markers.
section() {
	awk -v b="$2 $1" -v e="$3 $1" '
		index($0, e) == 1 && on { exit }
		on { print }
		$0 == b { on = 1 }' "$work/console"
}

pass=0 bm_only= both= missing=
for id in $ids; do
	native_rc=$(cat "$work/native/$id.rc")
	why=
	if [ "$native_rc" -ne 0 ]; then
		echo "FAIL: $id exits $native_rc natively: the test is wrong"
		both="$both $id"
		continue
	fi
	if ! grep -qx "@@@STATUS $id [0-9]*" "$work/console"; then
		why="did not finish (the guest stopped before it)"
	else
		rc=$(sed -n "s/^@@@STATUS $id //p" "$work/console")
		section "$id" @@@BEGIN @@@STATUS | base64 -d >"$work/$id.bm" 2>/dev/null
		if [ "$rc" -ne "$native_rc" ]; then
			why="exit status $rc on bare metal, $native_rc natively"
		elif ! cmp -s "$work/native/$id.out" "$work/$id.bm"; then
			why="stdout differs"
		fi
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		continue
	fi
	echo "FAIL (bare metal): $id: $why"
	if [ -f "$work/$id.bm" ]; then
		diff -u "$work/native/$id.out" "$work/$id.bm" |
			sed -e '1s|.*|--- native|' -e '2s|.*|+++ bare metal|' | head -n 40
		echo "--- stderr on bare metal:"
		section "$id" @@@STATUS @@@END | sed 1d | head -n 20
	fi
	# Does it pass hosted? Only then is it a bare-metal failure.
	args=$(sed -n 's/.*GUEST_ARGS:[ ]*//p' "$SRCDIR/${id%%.*}.c" | head -n 1)
	eval "set -- $args"
	if bash "$SRCDIR/run-guest.sh" "$EMBER" "$GUESTDIR/$id" "$@" \
		>"$work/$id.hosted" 2>&1; then
		echo "    passes hosted: counted as a bare-metal failure"
		bm_only="$bm_only $id"
	else
		echo "    fails hosted too (see guest.$id)"
		both="$both $id"
	fi
done

grep -q '^@@@DONE' "$work/console" || {
	echo "the runner did not finish; the console's last lines:"
	grep -v '^@@@\|^[A-Za-z0-9+/=]*$' "$work/console" | tail -n 30
}
total=$(echo $ids | wc -w)
echo "bare metal: $pass of $total passed; $skipped skipped;" \
	"failing only on bare metal:${bm_only:- none};" \
	"failing hosted too:${both:- none}"
[ -z "$bm_only" ] && [ "$pass" -gt 0 ]
