#!/usr/bin/env bash
# The main job end to end (as root): record a short workload on this host,
# replay it to JSON lines, index it into SQLite and show the detections.
# Everything lands in demo/ (or the directory given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
OUTPUT=${OUTPUT:-.output}
out=${1:-demo}
start=$(date +%s%N)

mkdir -p "$out"
rm -rf "$out/rec" "$out/events.jsonl" "$out/index.db"
# The workload runs a copy of true from /tmp: the built-in signature for
# execution from a world-writable directory should fire on it.
drop=/tmp/tracee-demo-$$
"$OUTPUT/tracee-record" -o "$out/rec" -- /bin/sh -c \
	"cp /bin/true $drop && $drop; ls /etc >/dev/null; cat /etc/hostname >/dev/null; rm -f $drop"
"$OUTPUT/tracee-replay" "$out/rec" >"$out/events.jsonl"
echo "demo: replayed $(wc -l <"$out/events.jsonl") events into $out/events.jsonl"
# exit 3: done, but the recording lost events (said on stderr)
"$OUTPUT/tracee-analyze" index "$out/rec" -o "$out/index.db" || [ $? -eq 3 ]
"$OUTPUT/tracee-analyze" detections "$out/index.db" || [ $? -eq 3 ]
echo "demo: done in $(( ($(date +%s%N) - start) / 1000000 )) ms; try: $OUTPUT/tracee-analyze query $out/index.db 'SELECT * FROM detections'"
