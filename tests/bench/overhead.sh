#!/usr/bin/env bash
# Recording overhead and size on a syscall-heavy loop (open+close of one file,
# N times), tracee-record against `perf record -z -a -e raw_syscalls:*` in the
# same run. Runs are interleaved (bare, tracee, bare, perf, bare) and each
# traced run is taken against the mean of the two bare runs beside it; the
# loop times itself, so tracer start-up is not counted. Prints median, min
# and max of the ratios over ROUNDS rounds, and bytes written per syscall.
#   usage: tests/bench/overhead.sh [ROUNDS] [N]      (root; make bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
rounds=${1:-5}
n=${2:-1000000}
loop=$OUTPUT/bench/openloop
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v perf >/dev/null || { echo "overhead: error: perf is missing (apt-get install linux-perf)" >&2; exit 1; }

bare() { "$loop" "$n"; }
traced() { "$OUTPUT/tracee-record" -q -o "$tmp/rec" -- "$loop" "$n"; }
perfrec() { perf record -q -z -a -e 'raw_syscalls:*' -o "$tmp/perf.data" -- "$loop" "$n" 2>/dev/null; }
ratio() { awk -v t="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.3f\n", 2 * t / (a + b) }'; }
stats() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
	printf "median %.2fx (min %.2fx, max %.2fx, %d rounds)", m, v[1], v[NR], NR }'; }

: >"$tmp/tracee" && : >"$tmp/perf"
for r in $(seq "$rounds"); do
	rm -rf "$tmp/rec" "$tmp/perf.data"
	b1=$(bare); t=$(traced); b2=$(bare); p=$(perfrec); b3=$(bare)
	ratio "$t" "$b1" "$b2" >>"$tmp/tracee"
	ratio "$p" "$b2" "$b3" >>"$tmp/perf"
	awk -v r="$r" -v b1="$b1" -v t="$t" -v b2="$b2" -v p="$p" -v b3="$b3" 'BEGIN {
		printf "round %d: bare %.2f s, tracee-record %.2f s, bare %.2f s, perf -z %.2f s, bare %.2f s\n",
			r, b1 / 1e9, t / 1e9, b2 / 1e9, p / 1e9, b3 / 1e9 }'
done
rec_bytes=$(du -cb "$tmp"/rec/events/*.zst | tail -1 | cut -f1)
perf_bytes=$(stat -c %s "$tmp/perf.data")
echo "open+close loop, N=$n ($((2 * n)) syscalls), $(nproc) CPUs, $(uname -r):"
echo "  tracee-record:                         $(stats <"$tmp/tracee"); $(awk -v b="$rec_bytes" -v s=$((2 * n)) 'BEGIN { printf "%.2f", b / s }') bytes/syscall"
echo "  perf record -z -a -e raw_syscalls:*:   $(stats <"$tmp/perf"); $(awk -v b="$perf_bytes" -v s=$((2 * n)) 'BEGIN { printf "%.2f", b / s }') bytes/syscall"
