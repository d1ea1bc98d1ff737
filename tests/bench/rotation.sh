#!/usr/bin/env bash
# Rotation: how long the recorder's output keeps its drain thread away from
# the kernel buffers, while PARALLEL (2) open+close loops run flat out and
# small segments (--segment-size SEG_MB, 32) rotate every few seconds. Each
# round records SECONDS (30) twice, interleaved: the output as it is (segment
# fsync, index and manifest on a background thread, write-behind), and the
# reference, TR_OUTPUT_INLINE=1 (all of it on the drain thread, as before).
# Reports per run: the longest stall in a rotation, in a 1-s flush and in
# one frame write (tracee-record -v prints them), lost events, segments, and
# the recorder's own memory (RssAnon: VmRSS also counts the kernel's ring
# buffer mapped in) sampled every second: first, last, largest.
#   usage: tests/bench/rotation.sh [SECONDS] [ROUNDS]     (root)
#   env:   PARALLEL (loops, 2), SEG_MB (32), NICE (the loops' nice value, 0),
#          MODES ("bg inline": which runs, in order), RECORD_OPTS (more
#          tracee-record options: --nice -10 keeps a busy host's scheduler
#          out of the figures, which then weigh the output's own work)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
secs=${1:-30}
rounds=${2:-1}
par=${PARALLEL:-2}
seg=${SEG_MB:-32}
tmp=$(mktemp -d /var/tmp/rotation.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
for b in "$OUTPUT/bench/openloop" "$OUTPUT/tracee-record"; do
	[ -x "$b" ] || { echo "rotation: error: $b is missing (make all $OUTPUT/bench/openloop)" >&2; exit 1; }
done

# one run: mode (bg or inline) -> a line of figures
run() {
	local mode=$1 dir=$tmp/rec-$1 rec rss first="" last=0 max=0 stalls lost nseg
	rm -rf "$dir"
	if [ "$mode" = inline ]; then export TR_OUTPUT_INLINE=1; else unset TR_OUTPUT_INLINE; fi
	# shellcheck disable=SC2086
	"$OUTPUT/tracee-record" -q -v -o "$dir" -d "$secs" --segment-size "$seg" ${RECORD_OPTS:-} 2>"$tmp/err-$mode" & rec=$!
	pids=($rec)
	unset TR_OUTPUT_INLINE
	for i in $(seq 100); do [ -e "$dir/events/seg-000000.zst" ] && break; sleep 0.1; done
	sleep 1 # the snapshot
	for i in $(seq "$par"); do
		nice -n "${NICE:-0}" "$OUTPUT/bench/openloop" 4000000000 /etc/hostname >/dev/null & pids+=($!)
	done
	while kill -0 "$rec" 2>/dev/null; do
		rss=$(awk '/^RssAnon:/ { print $2 }' /proc/$rec/status 2>/dev/null) || break
		[ -n "$rss" ] || break
		[ -n "$first" ] || first=$rss
		last=$rss
		[ "$rss" -le "$max" ] || max=$rss
		sleep 1
	done
	wait "$rec" || { echo "rotation: error: tracee-record failed:" >&2; tail -5 "$tmp/err-$mode" >&2; exit 1; }
	for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	pids=()
	stalls=$(grep -o 'at most .*' "$tmp/err-$mode" | tail -1)
	lost=$(jq '.lost.total' "$dir/manifest.json")
	nseg=$(jq '.segments | length' "$dir/manifest.json")
	printf '  %-7s %-s\n          lost %s, %s segments, recorder RssAnon %s KiB at start, %s at the end, %s at most\n' \
		"$mode" "$stalls" "$lost" "$nseg" "$first" "$last" "$max"
	rm -rf "$dir"
}

echo "rotation: ${secs} s per run, $par open+close loops, --segment-size $seg${RECORD_OPTS:+ $RECORD_OPTS}, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
	echo "round $r:"
	for mode in ${MODES:-bg inline}; do
		run "$mode"
	done
done
