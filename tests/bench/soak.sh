#!/usr/bin/env bash
# Soak: record the whole host for SECONDS (60) while PARALLEL (2) open+close
# loops run flat out (the aim: at least 200k events/s), then replay the
# recording. Reports the event rate reached, lost events, the recorder's CPU
# and RSS sampled every few seconds (is RSS flat?), bytes per event, and
# replay's speed.
#   usage: tests/bench/soak.sh [SECONDS]      (root; make soak)
#   env:   PARALLEL (loops, 2), EVERY (sampling period, 5 s), RING (a --ring
#          bound: the flight recorder, with the live signatures running),
#          RECORD_OPTS (more tracee-record options)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
secs=${1:-60}
par=${PARALLEL:-2}
every=${EVERY:-5}
tmp=$(mktemp -d /var/tmp/soak.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
for b in "$OUTPUT/bench/openloop" "$OUTPUT/tracee-record" "$OUTPUT/tracee-replay"; do
	[ -x "$b" ] || { echo "soak: error: $b is missing (make soak builds it)" >&2; exit 1; }
done
hz=$(getconf CLK_TCK)

# shellcheck disable=SC2086
"$OUTPUT/tracee-record" -q -o "$tmp/rec" -d "$secs" ${RING:+--ring "$RING"} ${RECORD_OPTS:-} & rec=$!
pids+=($rec)
sleep 1 # the probes attach and the snapshot is taken
for i in $(seq "$par"); do
	"$OUTPUT/bench/openloop" 4000000000 /etc/hostname >/dev/null & pids+=($!)
done

# Sample the recorder: CPU (user+system, % of one core) and RSS.
echo "recorder over time (every ${every} s):"
# RSS counts the kernel's ring buffer mapped into the recorder (RssFile,
# twice its size once written through); the recorder's own memory, what
# could grow, is RssAnon.
printf "  %6s %8s %10s %12s\n" "t (s)" "CPU %" "RSS (KiB)" "own (KiB)"
prev=$(awk '{ print $14 + $15 }' /proc/$rec/stat); t=0
: >"$tmp/rss"; : >"$tmp/own"
while kill -0 $rec 2>/dev/null; do
	sleep "$every"; t=$((t + every))
	cur=$(awk '{ print $14 + $15 }' /proc/$rec/stat 2>/dev/null) || break
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$rec/status 2>/dev/null) || break
	own=$(awk '/^RssAnon:/ { print $2 }' /proc/$rec/status 2>/dev/null) || break
	[ -n "$rss" ] && [ -n "$own" ] || break
	awk -v t=$t -v c=$((cur - prev)) -v hz="$hz" -v e="$every" -v r="$rss" -v o="$own" \
		'BEGIN { printf "  %6d %8.1f %10d %12d\n", t, 100 * c / hz / e, r, o }'
	echo "$rss" >>"$tmp/rss"
	echo "$own" >>"$tmp/own"
	prev=$cur
done
wait $rec || { echo "soak: error: tracee-record failed" >&2; exit 1; }
for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
pids=()

m=$tmp/rec/manifest.json
lost=$(jq '.lost.total' "$m")
bytes=$(du -cb "$tmp"/rec/events/*.zst | tail -1 | cut -f1)
start=$(date +%s%N)
[ -z "${RING:-}" ] || echo "(a ring: what is replayed is what the ring kept)"
events=$("$OUTPUT/tracee-replay" "$tmp/rec" 2>"$tmp/replay.err" | wc -l) || true
took=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
echo
echo "soak: ${secs} s${RING:+ (--ring $RING)}${RECORD_OPTS:+ ($RECORD_OPTS)}, $par open+close loops, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg):"
awk -v e="$events" -v s="$secs" -v l="$lost" -v b="$bytes" -v t="$took" 'BEGIN {
	printf "  events replayed: %d (%.0f events/s recorded)\n", e, e / s
	printf "  lost events:     %d\n", l
	printf "  bytes per event: %.2f (%d bytes of segments)\n", b / (e ? e : 1), b
	printf "  replay:          %.1f s, %.0f events/s (JSON lines out)\n", t, e / t }'
sort -n "$tmp/rss" | awk '{ v[NR] = $1 } END { if (NR) printf "  recorder RSS:    %d-%d KiB over the run (with the ring buffer mapped in)\n", v[1], v[NR] }'
sort -n "$tmp/own" | awk '{ v[NR] = $1 } END { if (NR) printf "  recorder alone:  %d-%d KiB (RssAnon) over the run (%s)\n", v[1], v[NR],
	(v[NR] - v[1] <= v[1] / 10) ? "flat: within 10%" : "NOT flat" }'
[ -s "$tmp/replay.err" ] && { echo "  replay said:"; sed 's/^/    /' "$tmp/replay.err" | head -5; }
exit 0
