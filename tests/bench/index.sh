#!/usr/bin/env bash
# Index benchmark (root): a large recording made by tracee-record (an open
# loop: N openat calls, 1M by default), indexed with every event stored.
# Reports rows/s (every row written: events, files, processes, ...) and the
# database's bytes per event, beside two reference runs on the same recording
# in the same script: the replay alone (tracee-replay --findings, the
# pipeline without a database) and `index --detections-only` (the pipeline
# and the database's fixed part). Rounds are interleaved; the median and the
# range are printed; rows per CPU second too, since the machine is shared and
# wall clock depends on the neighbours. Bar (DESIGN.md): >= 200k rows/s.
set -eu
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
n=${N:-1000000}
rounds=${1:-3}
loop=$OUTPUT/bench/openloop
tmp=$(mktemp -d /var/tmp/bench-index.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true

"$OUTPUT/tracee-record" -q -o "$tmp/rec" -- "$loop" "$n" /etc/hostname >/dev/null
now() { date +%s.%N; }
med() { sort -g | awk '{ v[NR] = $1 } END { printf "median %.0f (min %.0f, max %.0f)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

: >"$tmp/full"; : >"$tmp/donly"; : >"$tmp/replay"; : >"$tmp/cpu"
for r in $(seq "$rounds"); do
	t0=$(now); "$OUTPUT/tracee-replay" --findings "$tmp/rec" >/dev/null 2>&1; t1=$(now)
	rm -f "$tmp/full.db"
	# wall, user and system seconds of the index run (bash's time keyword)
	{ TIMEFORMAT='%R %U %S'; time { "$OUTPUT/tracee-analyze" index -o "$tmp/full.db" "$tmp/rec" \
		>"$tmp/full.out" 2>/dev/null || [ $? -eq 3 ]; }; } 2>"$tmp/time"
	t2=$(now)
	rm -f "$tmp/donly.db"
	"$OUTPUT/tracee-analyze" index --detections-only -o "$tmp/donly.db" "$tmp/rec" >/dev/null 2>&1 || [ $? -eq 3 ]
	t3=$(now)
	rows=$(sed -n 's/.*, \([0-9]*\) rows$/\1/p' "$tmp/full.out")
	events=$(sqlite3 "$tmp/full.db" 'SELECT count(*) FROM events')
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v rows="$rows" -v ev="$events" -v r="$r" 'BEGIN {
		printf "round %d: replay %.2f s; index %.2f s (%d rows, %d events); index --detections-only %.2f s\n",
			r, b - a, c - b, rows, ev, d - c }'
	awk -v b="$t1" -v c="$t2" -v rows="$rows" 'BEGIN { print rows / (c - b) }' >>"$tmp/full"
	awk -v rows="$rows" '{ print rows / ($2 + $3) }' "$tmp/time" >>"$tmp/cpu"
	awk -v a="$t0" -v b="$t1" -v ev="$events" 'BEGIN { print ev / (b - a) }' >>"$tmp/replay"
	awk -v c="$t2" -v d="$t3" -v ev="$events" 'BEGIN { print ev / (d - c) }' >>"$tmp/donly"
done
bytes=$(stat -c %s "$tmp/full.db")
echo "index, every event stored:   $(med <"$tmp/full") rows/s (wall clock)"
echo "                              $(med <"$tmp/cpu") rows per CPU second (user + system; the machine is shared)"
echo "  reference: replay alone:   $(med <"$tmp/replay") events/s"
echo "  reference: detections-only: $(med <"$tmp/donly") events/s"
echo "database: $bytes bytes, $events events, $(awk -v b="$bytes" -v e="$events" 'BEGIN { printf "%.1f", b / e }') bytes/event (recording: $(du -sb "$tmp/rec" | cut -f1) bytes)"
echo "journal_mode after indexing: $(sqlite3 "$tmp/full.db" 'PRAGMA journal_mode')"
echo "load average at the end (2 cores; wall clock figures are only as good as this is low): $(cut -d' ' -f1-3 /proc/loadavg)"
