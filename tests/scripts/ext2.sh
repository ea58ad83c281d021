#!/bin/bash
# ext2 script tests: ext2.sh EMBER BUSYBOX CASE
#
# A host image made by mke2fs is given to `ember run --disk`; a busybox
# guest mounts it (mount -t ext2 /dev/vda /mnt) and works on it. The
# oracles are all host tools: `e2fsck -fn` must find the image clean, and
# the files in it (read back with debugfs rdump) must equal what the same
# script produces when busybox runs it natively on a host directory.
# Cases:
#   stress   1000 files in nested directories, half deleted, the rest
#            appended to, some renamed across directories; sync; umount
#   kill     a file written with fsync, then a writer killed by SIGKILL
#            mid-write; ember exits without umount (the shutdown writes
#            everything back and marks the filesystem clean)
#   hostkill the same with the writer's stub process killed by SIGKILL
#            from the host (the guest sees its child die)
#   applets  ls, cp -a, mv, rm -r, mkdir -p, ln -s, find -exec, tar,
#            dd, stat, df, du, touch -d, chmod on the mount, output
#            compared with the same commands run natively
# Exit 0: pass; 1: fail (the reason is printed); 2: usage or setup error.
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 EMBER BUSYBOX CASE" >&2
	exit 2
fi
ember=$(realpath "$1")
bb=$(realpath "$2")
case_name=$3
limit=${EXT2_LIMIT:-240}
PATH=$PATH:/sbin:/usr/sbin
for tool in mke2fs e2fsck debugfs dumpe2fs; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP: $tool not found (install e2fsprogs)"
		exit 0
	fi
done

# The guest's /tmp is Ember's tmpfs: work files live under the build tree.
work=$(mktemp -d "$PWD/ext2-$case_name.XXXXXX") || exit 2
[ -n "${EXT2_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM
cd "$work" || exit 2

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

host_env() {
	env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC "$@" </dev/null
}

# run_guest SCRIPT [ARGS]: busybox sh SCRIPT under ember with the image as
# /dev/vda; stdout to guest.out, stderr to guest.err; sets rc.
run_guest() {
	host_env timeout -s KILL "$limit" "$ember" run --disk img \
		"$bb" sh "$@" >guest.out 2>guest.err
	rc=$?
	if [ "$rc" -eq 137 ]; then
		fail "ember run: killed after ${limit}s"
	fi
	if [ "$rc" -ne 0 ]; then
		fail "guest script exited $rc"
		echo "--- guest stdout"; tail -n 20 guest.out
		echo "--- guest stderr"; tail -n 20 guest.err
	fi
}

fsck_clean() {
	if ! e2fsck -fn img >fsck.out 2>&1; then
		fail "e2fsck -fn finds the image damaged"
		cat fsck.out
	fi
}

# same_tree NATIVE: the image's files (debugfs rdump) equal NATIVE's.
same_tree() {
	rm -rf dump && mkdir dump
	debugfs -R "rdump / dump" img >/dev/null 2>&1
	rm -rf dump/lost+found
	if ! diff -r "$1" dump >tree.diff 2>&1; then
		fail "files in the image differ from the native run"
		head -n 40 tree.diff
	fi
}

mke2fs -q -t ext2 -F img 64M >/dev/null 2>&1 || { echo "mke2fs failed"; exit 2; }

case $case_name in
stress)
	# ROOT is the directory the script works in: /mnt in the guest.
	cat >work.sh <<'EOF'
ROOT=$1
i=0
while [ $i -lt 70 ]; do
	mkdir -p $ROOT/d$((i % 10))/s$((i % 7))
	i=$((i + 1))
done
i=0
while [ $i -lt 1000 ]; do
	echo "file $i created" >$ROOT/d$((i % 10))/s$((i % 7))/f$i
	i=$((i + 1))
done
list=
i=0
while [ $i -lt 1000 ]; do
	list="$list $ROOT/d$((i % 10))/s$((i % 7))/f$i"
	i=$((i + 2))
done
rm $list
i=1
while [ $i -lt 1000 ]; do
	echo "appended to $i" >>$ROOT/d$((i % 10))/s$((i % 7))/f$i
	i=$((i + 2))
done
mkdir $ROOT/moved
i=1
while [ $i -lt 1000 ]; do
	mv $ROOT/d$((i % 10))/s$((i % 7))/f$i $ROOT/moved/m$i
	i=$((i + 10))
done
mv $ROOT/d9 $ROOT/moved/d9
EOF
	cat >guest.sh <<'EOF'
set -e
mount -t ext2 /dev/vda /mnt
sh ./work.sh /mnt
sync
umount /mnt
echo done
EOF
	mkdir native
	host_env "$bb" sh ./work.sh "$work/native" || fail "native run failed"
	run_guest ./guest.sh
	fsck_clean
	same_tree native
	;;
kill)
	head -c 1048576 /dev/urandom >payload
	cat >guest.sh <<'EOF'
set -e
mount -t ext2 /dev/vda /mnt
dd if=payload of=/mnt/synced bs=65536 conv=fsync 2>/dev/null
(set +e; while :; do cat payload >>/mnt/growing; : >/mnt/growing; done) &
writer=$!
sleep 2
kill -9 $writer
wait $writer || true
echo killed
EOF
	run_guest ./guest.sh
	grep -q killed guest.out || fail "the guest did not get to the kill"
	# No umount: the shutdown at init's exit wrote it back and marked it.
	dumpe2fs -h img 2>/dev/null | grep -Eq '^Filesystem state: +clean$' ||
		fail "the filesystem is not marked clean after ember's exit"
	fsck_clean
	debugfs -R "dump /synced synced.out" img >/dev/null 2>&1
	cmp -s payload synced.out || fail "the fsynced file is not intact"
	debugfs -R "stat /growing" img 2>/dev/null | grep -q "Size:" ||
		fail "the killed writer's file is missing"
	;;
hostkill)
	head -c 1048576 /dev/urandom >payload
	cat >guest.sh <<'EOF'
mount -t ext2 /dev/vda /mnt || exit 1
dd if=payload of=/mnt/synced bs=65536 conv=fsync 2>/dev/null || exit 1
(while :; do cat payload >>/mnt/growing; : >/mnt/growing; done) &
writer=$!
echo >started
wait $writer
echo "writer gone: $?"
EOF
	host_env timeout -s KILL "$limit" "$ember" run --disk img "$bb" sh \
		./guest.sh >guest.out 2>guest.err &
	tpid=$!
	for _ in $(seq 100); do
		[ -e started ] && break
		sleep 0.1
	done
	sleep 1
	# Ember's children shown as "[ember]" (no readable command line: they
	# unmapped the host) are the guests' stubs. The oldest by start time
	# is init's (the script, made a second before anything else); every
	# other one is the writer subshell or a cat it runs: SIGKILL them all.
	epid=$tpid
	for _ in 1 2 3 4; do
		[ "$(ps -o comm= -p "$epid")" = ember ] && break
		epid=$(pgrep -P "$epid" | head -n 1)
		[ -n "$epid" ] || break
	done
	stubs=$(ps -o pid=,args= --ppid "${epid:-0}" |
		awk '$2 == "[ember]" { print $1 }' |
		while read -r p; do
			# /proc/PID/stat field 22 is the start time in ticks.
			st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $20 }')
			[ -n "$st" ] && echo "$st $p"
		done | sort -n | awk 'NR > 1 { print $2 }')
	if [ -z "$stubs" ]; then
		fail "no writer stub found under ember (${epid:-none})"
		kill -9 "$tpid"
	else
		kill -9 $stubs
	fi
	wait "$tpid"
	rc=$?
	[ "$rc" -eq 0 ] || fail "ember exited $rc"
	grep -q "writer gone: 137" guest.out ||
		fail "the guest did not see its writer killed: $(cat guest.out guest.err)"
	fsck_clean
	debugfs -R "dump /synced synced.out" img >/dev/null 2>&1
	cmp -s payload synced.out || fail "the fsynced file is not intact"
	;;
applets)
	cat >work.sh <<'EOF'
cd $1 || exit 1
mkdir -p a/b/c a/e
echo hello >a/b/c/f
echo world >a/e/g
ln -s b/c/f a/link
cp -a a a2
mv a2 a3
touch -d "2021-02-03 04:05:06" a3/b/c/f a3/e/g
chmod 640 a3/b/c/f
ls -ln a3/b/c/f a3/e/g
ls -1 a3 a3/b a3/e | sort
stat -c '%n %s %a %F %h %Y' a3/b/c/f a3/e/g
stat -c '%n %F %N' a3/link
readlink a3/link
find a3 -type f -exec cat {} \; | sort
find . | sort
tar cf ../t.tar a3
mkdir x
tar xf ../t.tar -C x
find x | sort
cat x/a3/b/c/f
dd if=a3/e/g of=dd.out bs=1 skip=1 count=3 2>/dev/null
cat dd.out
du -s a3 >/dev/null && echo du ok
df . >/dev/null && echo df ok
rm -r a3 x
ls
EOF
	cat >guest.sh <<'EOF'
mount -t ext2 /dev/vda /mnt || exit 1
mkdir /mnt/w
sh ./work.sh /mnt/w >applets.guest 2>&1
echo "status $?" >>applets.guest
umount /mnt
EOF
	mkdir native
	host_env "$bb" sh ./work.sh "$work/native" >applets.native 2>&1
	echo "status $?" >>applets.native
	run_guest ./guest.sh
	fsck_clean
	if ! diff -u applets.native applets.guest; then
		fail "applet output differs (--- native, +++ ember)"
	fi
	;;
*)
	echo "unknown case $case_name" >&2
	exit 2
	;;
esac

if [ "$failures" -ne 0 ]; then
	exit 1
fi
echo "PASS: ext2.$case_name"
exit 0
