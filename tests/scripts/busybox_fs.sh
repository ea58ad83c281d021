#!/bin/bash
# File-system workload with busybox-static: busybox_fs.sh EMBER BUSYBOX CASE
#
# One busybox shell script (ls -l, cp -a, mv, rm -r, mkdir -p, ln -s,
# find -exec, tar, gzip/gunzip, sort, uniq, sed -i, awk, grep -r, dd,
# stat -c, chmod, touch -d, df, du, ps, top -bn1, free, uptime, xargs, and
# md5sum/sha256sum of a 100 MiB file) runs natively in a host directory
# and under `EMBER run` in a directory of CASE:
#   tmpfs   the guest's /tmp (Ember's tmpfs)
#   hostfs  a host directory under the current directory (Ember's hostfs)
# The two transcripts must be equal. The script prints only what both
# sides must agree on: the outputs that name inode or device numbers,
# pids, times of day or a file system's own block accounting are cut
# down to their stable parts inside the script itself (see the comments).
# Exit 0: pass; 1: fail; 2: usage or setup error.
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 EMBER BUSYBOX CASE" >&2
	exit 2
fi
ember=$(realpath "$1")
bb=$(realpath "$2")
case_name=$3
limit=300

work=$(mktemp -d "$PWD/script-fs-$case_name.XXXXXX") || exit 2
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT INT TERM
mkdir "$work/native" "$work/hostfs" || exit 2

# The workload: run by busybox sh, $1 = busybox, $2 = the directory to
# work in (created), $3 = tmpfs or hostfs (what the Ember side is on).
cat >"$work/workload.sh" <<'EOF'
bb=$1
dir=$2
kind=$3
# Every applet through the busybox binary given, not through PATH.
for a in ls cp mv rm mkdir ln find tar gzip gunzip sort uniq sed awk grep \
	dd stat chmod touch df du ps top free uptime xargs md5sum sha256sum \
	cat echo head tail printf wc yes readlink diff tr cmp; do
	eval "$a() { \"\$bb\" $a \"\$@\"; }"
done
step() { echo "== $*"; }
mkdir -p "$dir" && cd "$dir" || exit 2

step mkdir -p, ln -s, ls -l
mkdir -p a/b/c a/d
echo hello >a/b/c/f1
printf 'x\ny\nx\nz\nx\n' >a/list
printf 'hello world\nsecond\n' >a/d/f2
ln -s b/c a/link
ln -s missing a/dangling
touch -d '2020-01-02 03:04:05' a/b/c/f1 a/list a/d/f2
chmod 640 a/b/c/f1
chmod 755 a/d/f2
# Regular files and links only: a directory's size is its file system's
# own business (4096 on ext4, something else on tmpfs).
ls -l a/b/c a/list a/d/f2 | grep -v '^total'
ls -l a | grep '^l' | awk '{print $1, $9, $10, $11}'
readlink a/link
readlink a/dangling
echo "rc=$?"

step stat -c
stat -c '%n %s %a %A %F %h %Y' a/b/c/f1 a/list a/d/f2
stat -c '%n %a %F' a/b a/link
stat -L -c '%n %F' a/link
stat -c '%y' a/list

step chmod, touch -d
chmod u+x,g-r a/list
stat -c '%A' a/list
chmod 0644 a/list
touch -d '1999-12-31 23:59:59' a/list
stat -c '%Y %y' a/list
touch -d '2021-06-01 12:00:00' a/b
stat -c '%n %Y' a/b

step cp -a, mv, diff
cp -a a copy
stat -c '%n %a %Y' copy/b/c/f1 copy/list copy/d/f2
readlink copy/link
diff -r a copy && echo same
mv copy moved
ls moved | sort
mv moved/list moved/list2
ls moved | sort
[ -e copy ] && echo "copy still there" || echo "copy gone"

step find -exec, xargs
find a -name 'f*' -exec md5sum {} \; | sort
find a -type l | sort
find a -type f | sort | xargs md5sum
find a -newer a/list -type f | sort
find a -type d | sort

step tar, gzip, gunzip
tar cf t.tar a
tar tf t.tar | sort
mkdir x
tar xf t.tar -C x
diff -r a x/a && echo "tar round trip same"
stat -c '%n %a %Y' x/a/b/c/f1
gzip -c <a/list >l.gz
md5sum <l.gz
gunzip -c l.gz
gzip a/d/f2
ls a/d
gunzip a/d/f2.gz
cat a/d/f2

step sort, uniq, sed -i, awk, grep -r
sort a/list
sort -u a/list
sort a/list | uniq -c
sed -i 's/x/X/g' a/list
cat a/list
awk '{n[$1]++} END {for (k in n) print k, n[k]}' a/list | sort
awk -F' ' '{print NR": "$2}' a/d/f2
grep -r hello a | sort
grep -rl x a | sort
grep -c X a/list

step dd
dd if=/dev/zero of=z bs=4096 count=10 2>dd.err
echo "rc=$?"
head -n 2 dd.err
stat -c '%s' z
dd if=a/d/f2 of=part bs=1 skip=6 count=5 2>/dev/null
cat part; echo
printf 'XY' >conv0
cp a/d/f2 conv
dd if=conv0 of=conv bs=1 seek=3 conv=notrunc 2>/dev/null
cat conv

step du
# Block counts are the file system's own: only hostfs (the host's own
# files) can match them exactly.
if [ "$kind" = hostfs ]; then
	du -s a
	du -a a | sort -k2
else
	du -s a | awk '{print $2}'
	du -a a | awk '{print $2}' | sort
fi

step df, ps, top, free, uptime
# What the system reports differs between the host and the guest (mounts,
# processes, memory, load): these check that each applet parses its /proc
# files and exits 0, and the shape of what it prints.
df . >df.out; echo "df rc=$?"
head -n 1 df.out
tail -n 1 df.out | awk '{print NF, ($2 >= $3)}'
ps >ps.out; echo "ps rc=$?"
head -n 1 ps.out
grep -c 'ps$' ps.out
ps -o pid,ppid,stat,vsz,rss,comm >pso.out; echo "ps -o rc=$?"
head -n 1 pso.out
top -bn1 >top.out; echo "top rc=$?"
awk 'NR<=3 {print $1} NR==4 {print}' top.out
free >free.out; echo "free rc=$?"
awk '{print $1}' free.out
awk 'NR==2 {print ($2 >= $3), ($2 >= $4)}' free.out
uptime >up.out; echo "uptime rc=$?"
grep -c 'load average: [0-9.]*, [0-9.]*, [0-9.]*$' up.out

step big file: md5sum, sha256sum
yes 0123456789abcdefghijklmnopqrstu | head -c 104857600 >big
echo "rc=$?"
stat -c '%s' big
md5sum big
sha256sum big
cmp big big && echo cmp same

step rm -r
rm -r a moved x big
echo "rc=$?"
ls | sort
rm -r a 2>/dev/null
echo "rm missing rc=$?"
EOF

run_native() {
	env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC \
		timeout -s KILL "$limit" "$bb" sh "$work/workload.sh" "$bb" \
		"$work/native/w" "$case_name" </dev/null >"$work/native.out" \
		2>"$work/native.err"
}

case $case_name in
tmpfs) guest_dir=/tmp/busybox_fs/w ;;
hostfs) guest_dir=$work/hostfs/w ;;
*)
	echo "unknown case $case_name" >&2
	exit 2
	;;
esac

run_native
native_rc=$?
if [ "$native_rc" -ne 0 ]; then
	echo "FAIL: the workload exits $native_rc natively (the test is wrong)"
	cat "$work/native.err"
	exit 1
fi
env -i PATH=/usr/bin:/bin HOME=/ LC_ALL=C TZ=UTC \
	timeout -s KILL "$limit" "$ember" run "$bb" sh "$work/workload.sh" \
	"$bb" "$guest_dir" "$case_name" </dev/null >"$work/ember.out" \
	2>"$work/ember.err"
rc=$?
status=0
if [ "$rc" -ne "$native_rc" ]; then
	echo "FAIL: exit status $rc under ember, $native_rc natively"
	status=1
fi
if ! cmp -s "$work/native.out" "$work/ember.out"; then
	echo "FAIL: transcripts differ (--- native, +++ ember)"
	diff -u "$work/native.out" "$work/ember.out" | tail -n +3
	status=1
fi
if [ "$status" -ne 0 ] && [ -s "$work/ember.err" ]; then
	echo "--- ember stderr"
	tail -n 30 "$work/ember.err"
fi
[ "$status" -eq 0 ] && echo "PASS: busybox_fs $case_name ($(wc -l <"$work/native.out") lines)"
exit $status
