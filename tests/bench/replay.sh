#!/usr/bin/env bash
# Replay speed on a large recording made by the recorder: tracee-record of
# an open/close loop (tests/bench/openloop.c, N opens), then, pinned to one
# core (taskset), interleaved rounds of
#   zstd -dc of the segments          the reference: decompression alone
#   tracee-replay --format none       decode + merge + enrichment + derive stage
#   tracee-replay (JSON to /dev/null) the same with Tracee JSON output
#   tracee-replay --findings --format none   with every built-in signature
#   tracee-replay --since/--until     a 1-second window, seeking by the time index
# Prints events/s (median, min, max) and the window's time against a full replay.
# Times are CPU time (user + system) of the process: the machines are shared,
# and wall-clock time there mostly measures waiting for a core.
#   usage: tests/bench/replay.sh [ROUNDS] [N]      (root; make bench-replay)
# BASE=/path/to/an/older/tracee-replay adds its rows, interleaved, on the
# same recording: before and after figures of a change side by side.
set -eu
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
rounds=${1:-3}
n=${2:-1000000}
R=$OUTPUT/tracee-replay
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpu=$(( $(nproc) - 1 ))
# CPU ns (user + system) of the command
timed() { /usr/bin/time -f '%U %S' -o "$tmp/t" taskset -c "$cpu" "$@" >/dev/null 2>&1 || [ $? -eq 3 ]
	awk '{ printf "%d\n", ($1 + $2) * 1e9 }' "$tmp/t"; }
stats() { sort -n | awk -v ev="$1" '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
	printf "%.2fM events/s (min %.2fM, max %.2fM; median %.3f s)", ev / m * 1e3, ev / v[NR] * 1e3, ev / v[1] * 1e3, m / 1e9 }'; }

"$OUTPUT/tracee-record" -q --segment-size 32 -o "$tmp/rec" -- "$OUTPUT/bench/openloop" "$n" >/dev/null
events=$("$R" -j "$tmp/rec" 2>/dev/null | wc -l)
segs=$(ls "$tmp"/rec/events/*.zst | wc -l)
: >"$tmp/zstd"; : >"$tmp/none"; : >"$tmp/json"; : >"$tmp/sigs"; : >"$tmp/win"
: >"$tmp/bnone"; : >"$tmp/bjson"; : >"$tmp/bsigs"
B=${BASE:-}
for r in $(seq "$rounds"); do
	timed sh -c "zstd -qdc $tmp/rec/events/*.zst" >>"$tmp/zstd"
	timed "$R" --format none "$tmp/rec" >>"$tmp/none"
	timed "$R" "$tmp/rec" >>"$tmp/json"
	timed "$R" --findings --format none "$tmp/rec" >>"$tmp/sigs"
	timed "$R" --since +1s --until +2s "$tmp/rec" >>"$tmp/win"
	if [ -n "$B" ]; then
		timed "$B" --format none "$tmp/rec" >>"$tmp/bnone"
		timed "$B" "$tmp/rec" >>"$tmp/bjson"
		timed "$B" --findings --format none "$tmp/rec" >>"$tmp/bsigs"
	fi
done
winev=$("$R" --since +1s --until +2s "$tmp/rec" 2>/dev/null | wc -l)
echo "replay of a recorder-made recording: $events events (N=$n opens), $segs segments, one core, $(uname -r):"
echo "  zstd -dc of the segments (reference):   $(stats "$events" <"$tmp/zstd")"
echo "  decode+merge+enrichment (--format none): $(stats "$events" <"$tmp/none")"
echo "  with Tracee JSON output:                 $(stats "$events" <"$tmp/json")"
echo "  with every built-in signature:           $(stats "$events" <"$tmp/sigs")"
if [ -n "$B" ]; then
	echo "  BASE $B, the same recording:"
	echo "    decode+merge+enrichment (--format none): $(stats "$events" <"$tmp/bnone")"
	echo "    with Tracee JSON output:                 $(stats "$events" <"$tmp/bjson")"
	echo "    with every built-in signature:           $(stats "$events" <"$tmp/bsigs")"
fi
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
awk -v w="$(med <"$tmp/win")" -v f="$(med <"$tmp/json")" -v e="$winev" 'BEGIN {
	printf "  --since +1s --until +2s (%d events):    %.3f s, %.1f%% of the full JSON replay\n", e, w / 1e9, 100 * w / f }'
