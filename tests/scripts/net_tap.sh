#!/bin/bash
# Network over a tap device: net_tap.sh EMBER BUSYBOX
#
# Makes its own network namespace with a tap device in it (host side
# 10.77.0.1/24) and runs `ember run --net tap:...` guests there (guest
# 10.77.0.2/24):
#   httpd  a guest `busybox httpd` serves a file that the host fetches
#   wget   a guest `busybox wget` fetches a file from a host web server
#   nc     host nc and guest nc exchange a line each way, both directions
#   ping   the host pings the guest; the guest's ping reaches the host
# Every step has a time limit; the namespace (and the tap with it) is
# removed on any exit. Exit 0: pass; 1: fail; 77: skipped (no permission
# to make a namespace or a tap here); 2: usage or setup error.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 EMBER BUSYBOX" >&2
	exit 2
fi
ember=$(realpath "$1")
bb=$(realpath "$2")
ns=ember-net-$$
tap=etap$$
host_ip=10.77.0.1
guest_ip=10.77.0.2
net="tap:$tap,ip=$guest_ip/24,gw=$host_ip"

work=$(mktemp -d "$PWD/net-tap.XXXXXX") || exit 2
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
cd "$work" || exit 2

if ! ip netns add "$ns" 2>/dev/null; then
	echo "SKIP: cannot create a network namespace (needs CAP_SYS_ADMIN)"
	exit 77
fi
inns() { ip netns exec "$ns" "$@"; }
if ! inns ip link set lo up ||
	! inns ip tuntap add "$tap" mode tap 2>/dev/null ||
	! inns ip addr add "$host_ip/24" dev "$tap" ||
	! inns ip link set "$tap" up; then
	echo "SKIP: cannot create a tap device in the namespace"
	exit 77
fi

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
# guest ARGS...: ember in the namespace with the tap, bounded in time.
guest() {
	inns timeout -s KILL 30 "$ember" run --net "$net" "$@"
}
# bg_guest ARGS...: the same in the background; $! is ember itself (ip
# netns exec executes it in place), so stop_bg can end it by its pid.
bg_guest() {
	(exec ip netns exec "$ns" "$ember" run --net "$net" "$@") 0<&0 &
	pids+=($!)
}
stop_bg() {
	kill -TERM "${pids[-1]}" 2>/dev/null
	for ((i = 0; i < 20; i++)); do
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "${pids[-1]}" 2>/dev/null
	wait "${pids[-1]}" 2>/dev/null
}
# retry N CMD...: runs CMD until it succeeds, at most N times 0.5 s apart.
retry() {
	local n=$1
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.5
	done
	return 1
}

mkdir www
head -c 100000 /dev/urandom | base64 >www/data.txt
echo "hello from the host" >www/hello.txt

echo "-- httpd: host fetches from a guest server"
bg_guest "$bb" httpd -f -p 8080 -h "$work/www" >httpd.out 2>&1
if command -v curl >/dev/null; then
	fetch() { inns timeout 10 curl -sS -m 8 -o "$2" "$1"; }
else
	fetch() { inns timeout 10 "$bb" wget -q -O "$2" "$1"; }
fi
if retry 20 fetch "http://$guest_ip:8080/data.txt" got-httpd.txt &&
	cmp -s got-httpd.txt www/data.txt; then
	echo "httpd: ok ($(wc -c <got-httpd.txt) bytes)"
else
	fail "httpd: the host did not get data.txt from the guest"
	cat httpd.out
fi
stop_bg

echo "-- wget: guest fetches from a host server"
if command -v python3 >/dev/null; then
	(cd www && exec ip netns exec "$ns" python3 -m http.server \
		--bind "$host_ip" 8000) >pyhttp.out 2>&1 &
	pids+=($!)
	retry 20 inns timeout 2 bash -c "exec 3<>/dev/tcp/$host_ip/8000" 2>/dev/null
	guest "$bb" wget -q -O - "http://$host_ip:8000/data.txt" \
		>got-wget.txt 2>wget.err
	if cmp -s got-wget.txt www/data.txt; then
		echo "wget: ok"
	else
		fail "wget: the guest did not get data.txt ($(cat wget.err))"
	fi
	stop_bg
else
	fail "wget: python3 is not installed on the host"
fi

echo "-- nc: guest connects to the host"
(echo from-host; sleep 2) | inns timeout 15 "$bb" nc -l -p 9000 >host-got.txt &
pids+=($!)
sleep 0.5
(echo from-guest; sleep 2) | guest "$bb" nc "$host_ip" 9000 >guest-got.txt
wait "${pids[-1]}" 2>/dev/null
if [ "$(cat host-got.txt)" = from-guest ] &&
	[ "$(cat guest-got.txt)" = from-host ]; then
	echo "nc guest->host: ok"
else
	fail "nc guest->host: host got '$(cat host-got.txt)', guest got '$(cat guest-got.txt)'"
fi

echo "-- nc: host connects to the guest"
bg_guest "$bb" nc -l -p 9001 >guest-got2.txt < <(echo from-guest2; sleep 3)
ok=0
for ((i = 0; i < 20; i++)); do
	sleep 0.5
	if (echo from-host2; sleep 1) |
		inns timeout 5 "$bb" nc "$guest_ip" 9001 >host-got2.txt 2>/dev/null &&
		[ -s host-got2.txt ]; then
		ok=1
		break
	fi
done
sleep 0.5
stop_bg
if [ $ok = 1 ] && [ "$(cat host-got2.txt)" = from-guest2 ] &&
	[ "$(cat guest-got2.txt)" = from-host2 ]; then
	echo "nc host->guest: ok"
else
	fail "nc host->guest: host got '$(cat host-got2.txt 2>/dev/null)', guest got '$(cat guest-got2.txt)'"
fi

echo "-- ping: host to guest"
bg_guest "$bb" sleep 8
if retry 10 inns timeout 5 "$bb" ping -c 2 -W 2 "$guest_ip" >ping1.out 2>&1; then
	echo "ping host->guest: ok"
else
	fail "ping host->guest: $(tail -3 ping1.out)"
fi
stop_bg

echo "-- ping: guest to host"
if guest "$bb" ping -c 2 -W 3 "$host_ip" >ping2.out 2>&1 &&
	grep -q "2 packets received" ping2.out; then
	echo "ping guest->host: ok"
else
	fail "ping guest->host: $(tail -3 ping2.out)"
fi

if [ $failures -ne 0 ]; then
	echo "net_tap: $failures failure(s)"
	exit 1
fi
echo "net_tap: all exchanges passed"
exit 0
