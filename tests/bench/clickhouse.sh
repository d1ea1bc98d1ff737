#!/usr/bin/env bash
# ClickHouse export benchmark (root; issue 12). A large recording made by
# tracee-record (an open loop: N openat calls, 1M by default) is exported to a
# private local clickhouse-server (tests/lib_clickhouse.sh) with every event,
# beside the reference run on the same recording in the same script: `index`
# into SQLite. Reports events/s and rows/s (wall clock and per CPU second of
# the exporter), ClickHouse bytes per event on disk (active parts) beside the
# SQLite file's, and a cross-host detections question over a fleet of HOSTS
# hosts (the recording's rows copied under HOSTS host names, in both stores,
# by INSERT ... SELECT) timed on both stores. Bar: >= 500k events/s.
set -eu
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
n=${N:-1000000}
hosts=${HOSTS:-10}
rounds=${1:-3}
A=$OUTPUT/tracee-analyze
tmp=$(mktemp -d /var/tmp/bench-ch.XXXXXX)
chmod 755 "$tmp"
. tests/lib_clickhouse.sh
trap 'set +e; ch_stop; rm -rf "$tmp"' EXIT
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
[ -x "$OUTPUT/bench/openloop" ] || make -s "$OUTPUT/bench/openloop"
ch_start "$tmp/ch" >/dev/null || { echo "bench: clickhouse-server does not start"; exit 1; }

# the open loop, then 50 runs of a copy of true from the temp dir: detections
cp /bin/true "$tmp/payload"
"$OUTPUT/tracee-record" -q -o "$tmp/rec" -- /bin/bash -c "'$OUTPUT/bench/openloop' $n /etc/hostname; for i in \$(seq 50); do '$tmp/payload'; done" >/dev/null
now() { date +%s.%N; }
med() { sort -g | awk '{ v[NR] = $1 } END { printf "median %.0f (min %.0f, max %.0f)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

: >"$tmp/ev"; : >"$tmp/rows"; : >"$tmp/cpu"; : >"$tmp/sq"
for r in $(seq "$rounds"); do
	rm -f "$tmp/case.db"
	t0=$(now)
	"$A" index -o "$tmp/case.db" "$tmp/rec" >"$tmp/index.out" 2>/dev/null || [ $? -eq 3 ]
	t1=$(now)
	{ TIMEFORMAT='%R %U %S'; time { "$A" export --clickhouse "$CH_URL" --database bench "$tmp/rec" \
		>"$tmp/export.out" 2>"$tmp/export.err" || [ $? -eq 3 ]; }; } 2>"$tmp/time"
	t2=$(now)
	rows=$(sed -n 's/.*, \([0-9]*\) rows exported$/\1/p' "$tmp/export.out")
	events=$(ch_q "SELECT count() FROM bench.events")
	[ -n "$rows" ] || { cat "$tmp/export.err"; exit 1; }
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v rows="$rows" -v ev="$events" -v r="$r" 'BEGIN {
		printf "round %d: index (SQLite) %.2f s; export (ClickHouse) %.2f s (%d rows, %d events)\n", r, b - a, c - b, rows, ev }'
	awk -v b="$t1" -v c="$t2" -v ev="$events" 'BEGIN { print ev / (c - b) }' >>"$tmp/ev"
	awk -v b="$t1" -v c="$t2" -v rows="$rows" 'BEGIN { print rows / (c - b) }' >>"$tmp/rows"
	awk -v rows="$rows" '{ print rows / ($2 + $3) }' "$tmp/time" >>"$tmp/cpu"
	awk -v a="$t0" -v b="$t1" -v ev="$events" 'BEGIN { print ev / (b - a) }' >>"$tmp/sq"
done
ch_q "OPTIMIZE TABLE bench.events FINAL" >/dev/null 2>&1 || true
chbytes=$(ch_q "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'bench' AND active")
sqbytes=$(stat -c %s "$tmp/case.db")
echo "export, every event:          $(med <"$tmp/ev") events/s (wall clock)"
echo "                              $(med <"$tmp/rows") rows/s (wall clock)"
echo "                              $(med <"$tmp/cpu") rows per CPU second of the exporter (user + system)"
echo "  reference: index (SQLite):  $(med <"$tmp/sq") events/s"
echo "ClickHouse on disk: $chbytes bytes, $(awk -v b="$chbytes" -v e="$events" 'BEGIN { printf "%.1f", b / e }') bytes/event; SQLite: $sqbytes bytes, $(awk -v b="$sqbytes" -v e="$events" 'BEGIN { printf "%.1f", b / e }') bytes/event"

# A fleet: the recording's rows again under hosts h1..hHOSTS (new recording
# ids, row ids shifted), made server-side in both stores.
cols() { sqlite3 "$tmp/case.db" "SELECT group_concat(name, ' ') FROM pragma_table_info('$1')"; }
# expr STORE TABLE COLUMN K: the column of host k's copy
expr() {
	local sh=$(( $4 << 40 ))
	case "$2.$3" in
	recordings.id) echo "id + $4" ;;
	recordings.uid) [ "$1" = ch ] && echo "concat('h$4/', uid)" || echo "'h$4/' || uid" ;;
	recordings.hostname) echo "'h$4'" ;;
	*.recording_id) echo "recording_id + $4" ;;
	*.id|*.trigger_id|*.process_id|*.parent_id) echo "$3 + $sh" ;;
	*) echo "$3" ;;
	esac
}
copy() {	# copy STORE TABLE K
	local c e="" l=""
	for c in $(cols "$2"); do
		l="$l${l:+, }$c"
		e="$e${e:+, }$(expr "$1" "$2" "$c" "$3")"
	done
	if [ "$1" = ch ]; then
		ch_q "INSERT INTO bench.$2 ($l) SELECT $e FROM bench.$2 WHERE $( [ "$2" = recordings ] && echo id || echo recording_id) = $rec0" | head -c 300
	else
		sqlite3 "$tmp/case.db" "INSERT INTO $2 ($l) SELECT $e FROM $2 WHERE $( [ "$2" = recordings ] && echo id || echo recording_id) = 1"
	fi
}
rec0=$(ch_q "SELECT min(id) FROM bench.recordings")
for k in $(seq 1 "$hosts"); do
	for t in recordings processes events detections; do
		copy ch $t "$k"
		copy sq $t "$k"
	done
done
fev=$(ch_q "SELECT count() FROM bench.events")
fdet=$(ch_q "SELECT count() FROM bench.detections")
[ "$fev" = "$(sqlite3 "$tmp/case.db" 'SELECT count(*) FROM events')" ] || echo "bench: warning: the fleets differ"
: >"$tmp/qch"; : >"$tmp/qsq"
for r in $(seq "$rounds"); do
	t0=$(now); "$A" detections -j --clickhouse "$CH_URL" --database bench >"$tmp/d.ch" 2>/dev/null || true; t1=$(now)
	"$A" detections -j "$tmp/case.db" >"$tmp/d.sq" 2>/dev/null || true; t2=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) * 1000 }' >>"$tmp/qch"
	awk -v b="$t1" -v c="$t2" 'BEGIN { print (c - b) * 1000 }' >>"$tmp/qsq"
done
# and a scan of every event: events per host and event name
agg="SELECT r.hostname, e.event_name, count(*) AS n FROM events e JOIN recordings r ON r.id = e.recording_id GROUP BY r.hostname, e.event_name ORDER BY r.hostname, n DESC, e.event_name"
: >"$tmp/ach"; : >"$tmp/asq"
for r in $(seq "$rounds"); do
	t0=$(now); "$A" query --clickhouse "$CH_URL" --database bench "$agg" >"$tmp/a.ch" 2>/dev/null || true; t1=$(now)
	"$A" query "$tmp/case.db" "$agg" >"$tmp/a.sq" 2>/dev/null || true; t2=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) * 1000 }' >>"$tmp/ach"
	awk -v b="$t1" -v c="$t2" 'BEGIN { print (c - b) * 1000 }' >>"$tmp/asq"
done
cmp -s "$tmp/a.ch" "$tmp/a.sq" && asame=same || asame=DIFFERENT
cmp -s "$tmp/d.ch" "$tmp/d.sq" && same=same || same=DIFFERENT
echo "cross-host detections over $((hosts + 1)) hosts, $fev events, $fdet detections (answers: $same):"
echo "  ClickHouse: $(med <"$tmp/qch") ms; SQLite: $(med <"$tmp/qsq") ms"
echo "events per host and event name over all $fev events (query, one JOIN; answers: $asame):"
echo "  ClickHouse: $(med <"$tmp/ach") ms; SQLite: $(med <"$tmp/asq") ms"
echo "load average at the end (2 cores; wall clock figures are only as good as this is low): $(cut -d' ' -f1-3 /proc/loadavg)"
