#!/usr/bin/env bash
# What a state checkpoint costs on this host (make bench-checkpoint, root).
# A real recording is forced to rotate every second, so it holds a start
# checkpoint and several rotation checkpoints (FORMAT.md 4.4). For each:
# the processes and fds it restates, its state records, their raw bytes,
# and those bytes compressed on their own by zstd at the recorder's default
# level (3). Beside it, the reference: its process records alone, compressed
# the same way (what version 1's start snapshot held), and the whole
# recording's compressed bytes per second of recording. "ms" is the time
# from the checkpoint's begin to its end (the recorder drains the kernel
# buffers meanwhile).
#
#   tests/bench/checkpoint.sh [SECONDS]     (default 6)
set -u
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
secs=${1:-6}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$OUTPUT/tracee-record" -q -o "$tmp/rec" --segment-time 1 -d "$secs" || exit 1
mkdir "$tmp/raw"
"$OUTPUT/dump_state" --raw "$tmp/raw" "$tmp"/rec/events/seg-*.zst >"$tmp/state.jsonl" || exit 1
zsize() { zstd -q -3 -c "$1" | wc -c; }

printf '%-3s %-8s %6s %6s %8s %9s %9s %14s %8s\n' id reason procs fds records raw zstd-3 procs-only-zstd ms
for raw in $(ls "$tmp"/raw/ckpt-*.raw | grep -v '\.proc\.raw$' | sort -V); do
	id=$(basename "$raw" .raw | sed 's/ckpt-//')
	q() { jq -s --argjson id "$id" "$1" "$tmp/state.jsonl"; }
	reason=$(q 'map(select(.record=="checkpoint" and .in_checkpoint==$id))[0].reason | if .==1 then "start" else "rotation" end' | tr -d '"')
	procs=$(q 'map(select(.record=="proc" and .in_checkpoint==$id)) | length')
	fds=$(q 'map(select(.record=="fd" and .in_checkpoint==$id)) | length')
	records=$(q 'map(select(.in_checkpoint==$id)) | length')
	ms=$(q 'map(select(.record=="checkpoint" and .in_checkpoint==$id)) | (.[1].ts - .[0].ts) / 1e6 | floor')
	printf '%-3s %-8s %6s %6s %8s %9s %9s %14s %8s\n' "$id" "$reason" "$procs" "$fds" "$records" \
		"$(wc -c <"$raw")" "$(zsize "$raw")" "$(zsize "$tmp/raw/ckpt-$id.proc.raw")" "$ms"
done
total=$(jq '[.segments[].size] | add' "$tmp/rec/manifest.json")
echo "recording: $(ls "$tmp"/rec/events/seg-*.zst | wc -l) segments, $total bytes in $secs s ($((total / secs)) bytes/s with everything the host did)"
