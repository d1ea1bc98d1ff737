#!/usr/bin/env bash
# Recording overhead and size on three syscall-heavy workloads: an open+close
# loop, `stress-ng --open`, an exec/fork storm. Each is run bare, under the
# floor (empty BPF programs on the recorder's hooks: tests/bench/floor.bpf.c),
# under tracee-record (default event set) and under
# `perf record -z -a -e raw_syscalls:*`, interleaved: bare, floor, bare,
# tracee-record, bare, perf, bare. Each traced run is taken against the mean
# of the two bare runs beside it. The loop and the storm time themselves and
# stress-ng runs for a fixed time and reports its rate, so tracer start-up is
# not counted. Prints, per workload and tracer, the median slowdown with its
# min and max over ROUNDS rounds, bytes written per syscall on the loop, and
# the BPF run time per program on the loop (kernel.bpf_stats_enabled).
#   usage: tests/bench/overhead.sh [ROUNDS] [N]      (root; make bench)
#   env:   STORM (execs, 2000), STRESS_OPS (stress-ng --open bogo ops, 40000),
#          ONLY (loop|stress|storm)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
rounds=${1:-3}
n=${2:-1000000}
storm_n=${STORM:-2000}
stress_ops=${STRESS_OPS:-40000}
bench=$OUTPUT/bench
tmp=$(mktemp -d)
shm=$(mktemp -d /dev/shm/overhead.XXXXXX)
trap 'rm -rf "$tmp" "$shm"' EXIT
for t in perf stress-ng bpftool; do
	command -v $t >/dev/null || { echo "overhead: error: $t is missing (make deps)" >&2; exit 1; }
done
for b in "$bench/openloop" "$bench/forkexec" "$bench/floor" "$OUTPUT/tracee-record"; do
	[ -x "$b" ] || { echo "overhead: error: $b is missing (make bench builds it)" >&2; exit 1; }
done

# A workload prints its cost in ns (lower is faster).
w_loop() { "$bench/openloop" "$n"; }
w_storm() { "$bench/forkexec" "$storm_n"; }
# stress-ng's own rate (bogo ops per second over a fixed time) varied 4x
# from one bare run to the next here, and on ext4 most of its time is the
# inode allocator's scan (recently_deleted), which varies +-30% run to run:
# a fixed number of ops, timed, in a tmpfs directory varies +-7%.
w_stress() {
	local t0 t1
	t0=$(date +%s%N)
	(cd "$shm" && stress-ng --open 1 --open-ops "$stress_ops" --temp-path "$shm" >/dev/null 2>&1)
	t1=$(date +%s%N)
	echo $((t1 - t0))
}
# export them for the tracers' child shells
export -f w_loop w_storm w_stress
export n storm_n stress_ops bench tmp shm

bare() { bash -c "w_$1"; }
floor() { "$bench/floor" -- bash -c "w_$1"; }
tracee() { rm -rf "$tmp/rec.$1"; "$OUTPUT/tracee-record" -q -o "$tmp/rec.$1" -- bash -c "w_$1"; }
perfrec() { rm -f "$tmp/perf.$1"; perf record -q -z -a -e 'raw_syscalls:*' -o "$tmp/perf.$1" -- bash -c "w_$1" 2>/dev/null; }
ratio() { awk -v t="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.3f\n", 2 * t / (a + b) }'; }
stats() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
	printf "%.2fx (%.2f-%.2f)", m, v[1], v[NR] }'; }
# slowdown - 1 of tracee-record over that of the floor, per round
# (rounds where the floor measured no slowdown, within the noise, are left out)
beyond() { paste "$1" "$2" | awk '$1 > 1.005 { printf "%.2f\n", ($2 - 1) / ($1 - 1) }' | sort -n |
	awk '{ v[NR] = $1 } END { if (!NR) printf "n/a (floor within noise)"; else
		printf "%.2f (%d rounds)", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, NR }'; }

workloads=(loop stress storm)
[ -n "${ONLY:-}" ] && workloads=("$ONLY")
for w in "${workloads[@]}"; do
	bare $w >/dev/null # warm-up: the first run of a workload is its slowest
	: >"$tmp/$w.floor"; : >"$tmp/$w.tracee"; : >"$tmp/$w.perf"
	for r in $(seq "$rounds"); do
		b1=$(bare $w); f=$(floor $w); b2=$(bare $w); t=$(tracee $w); b3=$(bare $w); p=$(perfrec $w); b4=$(bare $w)
		ratio "$f" "$b1" "$b2" >>"$tmp/$w.floor"
		ratio "$t" "$b2" "$b3" >>"$tmp/$w.tracee"
		ratio "$p" "$b3" "$b4" >>"$tmp/$w.perf"
		awk -v w=$w -v r="$r" -v b1="$b1" -v f="$f" -v b2="$b2" -v t="$t" -v b3="$b3" -v p="$p" -v b4="$b4" 'BEGIN {
			printf "%-6s round %d (ms): bare %.2f, floor %.2f, bare %.2f, tracee-record %.2f, bare %.2f, perf -z %.2f, bare %.2f\n",
				w, r, b1 / 1e6, f / 1e6, b2 / 1e6, t / 1e6, b3 / 1e6, p / 1e6, b4 / 1e6 }' >&2
	done
done

# BPF run time per program on the loop: the programs' own counters, read
# while they are still attached (by the workload's last command).
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
progstats() {
	# $PPID: the tracer that runs this shell; its fds hold the programs
	"$bench/openloop" "$n" >/dev/null
	grep -h "^prog_id:" /proc/$PPID/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u >"$tmp/$1.ids"
	bpftool prog show -j >"$tmp/$1.json"
	jq -r --slurpfile ids <(jq -s . "$tmp/$1.ids") '.[] | select(.id as $i | $ids[0] | index($i)) |
		"\(.name)=\(if (.run_cnt // 0) > 0 then (.run_time_ns / .run_cnt | floor) else 0 end)"' "$tmp/$1.json" | paste -sd' '
}
floor_progs=$("$bench/floor" -- bash -c "$(declare -f progstats); progstats floor" 2>/dev/null || true)
rm -rf "$tmp/rec.progs"
tracee_progs=$("$OUTPUT/tracee-record" -q -o "$tmp/rec.progs" -- bash -c "$(declare -f progstats); progstats tracee" 2>/dev/null || true)
sysctl -qw kernel.bpf_stats_enabled="$old_stats"

name() { case $1 in
	loop) echo "open+close loop, N=$n";;
	stress) echo "stress-ng --open, $stress_ops ops (tmpfs)";;
	storm) echo "fork+exec storm, N=$storm_n";;
	esac; }
echo "Overhead: slowdown against the bare runs beside it, median (min-max) of $rounds rounds;"
echo "$(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
echo
echo "| workload | floor (empty BPF) | tracee-record | perf record -z | tracee-record's (slowdown-1) / floor's |"
echo "| --- | --- | --- | --- | --- |"
for w in "${workloads[@]}"; do
	echo "| $(name $w) | $(stats <"$tmp/$w.floor") | $(stats <"$tmp/$w.tracee") | $(stats <"$tmp/$w.perf") | $(beyond "$tmp/$w.floor" "$tmp/$w.tracee") |"
done
if [ -d "$tmp/rec.loop" ]; then
	rec_bytes=$(du -cb "$tmp"/rec.loop/events/*.zst | tail -1 | cut -f1)
	perf_bytes=$(stat -c %s "$tmp/perf.loop")
	echo
	awk -v r="$rec_bytes" -v p="$perf_bytes" -v s=$((2 * n)) 'BEGIN {
		printf "Size on the loop (%d syscalls): tracee-record %.2f bytes/syscall (with strings), perf -z %.2f bytes/syscall\n", s, r / s, p / s }'
fi
echo
echo "BPF run time per program on the loop (kernel.bpf_stats_enabled, ns per run):"
echo "  floor:         ${floor_progs:-(not measured)}"
echo "  tracee-record: ${tracee_progs:-(not measured)}"
