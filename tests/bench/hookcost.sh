#!/usr/bin/env bash
# What each piece of a syscall recorder costs on this kernel, one at a
# time: the floor's sys_exit program (tests/bench/floor.bpf.c) made to do
# one thing for every syscall (floor --mode): send a 160-byte record through
# a perf buffer (per-CPU, woken at a quarter full: tracee-record until
# December 2026) or through a BPF ring buffer (copied in, or reserved and
# committed in place: tracee-record now), read the clock, get task storage,
# copy a string from user memory. For each, the open+close loop runs under
# it with kernel.bpf_stats_enabled: the program's run time per syscall, and
# what that adds beyond the part every mode shares (base). Rounds are interleaved; medians.
#   usage: tests/bench/hookcost.sh [ROUNDS] [N]      (root; make bench-hooks)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
rounds=${1:-3}
n=${2:-300000}
bench=$OUTPUT/bench
tmp=$(mktemp -d)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
trap 'rm -rf "$tmp"; sysctl -qw kernel.bpf_stats_enabled="$old_stats"' EXIT
for b in "$bench/openloop" "$bench/floor"; do
	[ -x "$b" ] || { echo "hookcost: error: $b is missing (make bench-hooks builds it)" >&2; exit 1; }
done
command -v bpftool >/dev/null || { echo "hookcost: error: bpftool is missing (make deps)" >&2; exit 1; }
modes=(empty base perf ringbuf reserve clock storage ustr)
sysctl -qw kernel.bpf_stats_enabled=1

# Run in the floor's child shell: the loop, then the sys_exit program's
# run time per run (its id from the floor's fds, $PPID).
measure() {
	"$bench/openloop" "$n" >/dev/null
	local id
	id=$(grep -h "^prog_id:" /proc/$PPID/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u |
		while read -r i; do bpftool prog show id "$i" -j; done | jq -r 'select(.name=="floor_sys_exit") | .id')
	bpftool prog show id "$id" -j | jq -r '(.run_time_ns / .run_cnt)'
}
export -f measure
export bench n

for r in $(seq "$rounds"); do
	for m in "${modes[@]}"; do
		"$bench/floor" --mode "$m" -- bash -c measure >>"$tmp/$m"
	done
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
base=$(med "$tmp/base")
echo "Cost of one piece of recording per syscall, sys_exit of the open+close loop (N=$n, $rounds rounds, median);"
echo "$(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
echo
echo "| sys_exit does | ns per run | beyond the shared part |"
echo "| --- | ---: | ---: |"
for m in "${modes[@]}"; do
	case $m in
	empty) what="nothing (the floor)";;
	base) what="the shared part: is it the loader, a per-CPU scratch lookup";;
	perf) what="bpf_perf_event_output, 160 bytes, per-CPU perf buffer";;
	ringbuf) what="bpf_ringbuf_output, 160 bytes, one ring buffer";;
	reserve) what="bpf_ringbuf_reserve + submit, 160 bytes";;
	clock) what="bpf_ktime_get_boot_ns";;
	storage) what="bpf_task_storage_get (create)";;
	ustr) what="bpf_probe_read_user_str of the path";;
	esac
	v=$(med "$tmp/$m")
	case $m in empty|base) awk -v w="$what" -v v="$v" 'BEGIN { printf "| %s | %.0f | |\n", w, v }';;
	*) awk -v w="$what" -v v="$v" -v b="$base" 'BEGIN { printf "| %s | %.0f | %+.0f |\n", w, v, v - b }';;
	esac
done
