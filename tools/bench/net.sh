#!/usr/bin/env bash
# TCP throughput benchmark (never a test): guest to guest over 127.0.0.1,
# natively and under Ember, and host to guest over a tap device in a
# network namespace made here (needs root; that part is skipped without).
# usage: tools/bench/net.sh [build-dir] [MiB]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
mib=${2:-64}
out="$build/bench" # not under /tmp: the guest has its own tmpfs there
mkdir -p "$out"
gcc -static -O2 -o "$out/tcp_bench" "$top/tools/bench/tcp_bench.c" || exit 1
ember=$build/ember

echo "loopback, $mib MiB (MB/s, MB = 10^6 bytes):"
printf '  native  %s\n' "$("$out/tcp_bench" loop "$mib" | awk '{print $2}')"
printf '  ember   %s\n' "$(timeout -s KILL 300 "$ember" run "$out/tcp_bench" loop "$mib" | awk '{print $2}')"

ns=ember-bench-$$
tap=btap$$
cleanup() {
	[ -n "${gpid:-}" ] && kill -KILL "$gpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
if ! ip netns add "$ns" 2>/dev/null; then
	echo "host to guest over a tap: skipped (cannot create a network namespace)"
	exit 0
fi
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add "$tap" mode tap
ip netns exec "$ns" ip addr add 10.78.0.1/24 dev "$tap"
ip netns exec "$ns" ip link set "$tap" up
(exec ip netns exec "$ns" "$ember" run --net "tap:$tap,ip=10.78.0.2/24" \
	"$out/tcp_bench" recv 5001 >"$out/tap_recv.txt") &
gpid=$!
for i in $(seq 40); do
	sleep 0.25
	ip netns exec "$ns" timeout 60 "$out/tcp_bench" send 10.78.0.2 5001 "$mib" \
		>"$out/tap_send.txt" 2>/dev/null && break
done
wait "$gpid"
gpid=
echo "host to guest over a tap, $mib MiB (MB/s):"
printf '  host sender   %s\n' "$(awk '{print $2}' "$out/tap_send.txt")"
printf '  guest reader  %s\n' "$(awk '{print $2}' "$out/tap_recv.txt")"
