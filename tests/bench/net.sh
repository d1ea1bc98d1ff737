#!/usr/bin/env bash
# Packet capture under a loopback flood: a bounded, self-stopping sender
# (udpflood: N UDP datagrams to 127.0.0.1, then it stops) run bare, under
# tracee-record without packet capture, and under tracee-record --net lo,
# interleaved (bare, record, bare, record --net, bare). Each traced run is
# taken against the mean of the two bare runs beside it; the sender times
# its own loop. Prints the sender's slowdown (median, min, max over ROUNDS),
# and the packets per second captured and lost with --net lo (captured and
# lost come from the recorder's summary: pcap packets and packet gap records).
#   usage: tests/bench/net.sh [ROUNDS] [N] [SIZE]       (root; make bench-net)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
rounds=${1:-5}
n=${2:-300000}
size=${3:-64}
flood=$OUTPUT/bench/udpflood
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bare() { "$flood" "$n" 0 "$size" | cut -d' ' -f1; }
rec() { rm -rf "$tmp/rec"; "$OUTPUT/tracee-record" -o "$tmp/rec" "$@" -- "$flood" "$n" 0 "$size" 2>"$tmp/summary" | cut -d' ' -f1; }
ratio() { awk -v t="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.3f\n", 2 * t / (a + b) }'; }
stats() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
	printf "median %.2fx (min %.2fx, max %.2fx, %d rounds)", m, v[1], v[NR], NR }'; }

: >"$tmp/events" && : >"$tmp/net" && : >"$tmp/rates"
for r in $(seq "$rounds"); do
	b1=$(bare); e=$(rec); b2=$(bare); t=$(rec --net lo); b3=$(bare)
	ratio "$e" "$b1" "$b2" >>"$tmp/events"
	ratio "$t" "$b2" "$b3" >>"$tmp/net"
	# "...: P packets on 1 interface(s), L lost"
	read -r pk lost < <(sed -n 's/.* \([0-9]*\) packets on .* \([0-9]*\) lost$/\1 \2/p' "$tmp/summary")
	echo "$pk $lost $t" >>"$tmp/rates"
	awk -v r="$r" -v b1="$b1" -v e="$e" -v b2="$b2" -v t="$t" -v b3="$b3" -v pk="$pk" -v l="$lost" 'BEGIN {
		printf "round %d: bare %.3f s, record %.3f s, bare %.3f s, record --net lo %.3f s (%d captured, %d lost), bare %.3f s\n",
			r, b1 / 1e9, e / 1e9, b2 / 1e9, t / 1e9, pk, l, b3 / 1e9 }'
done
echo "loopback UDP flood, N=$n datagrams of $size bytes, $(nproc) CPUs, $(uname -r):"
echo "  sender under tracee-record (no --net):  $(stats <"$tmp/events")"
echo "  sender under tracee-record --net lo:    $(stats <"$tmp/net")"
awk '{ c += $1; l += $2; t += $3 } END {
	printf "  --net lo: %.0f packets/s captured, %.0f packets/s lost (%.2f%% of %d sent), over the sender'"'"'s time\n",
		c / (t / 1e9), l / (t / 1e9), 100 * l / (c + l), c + l }' "$tmp/rates"
