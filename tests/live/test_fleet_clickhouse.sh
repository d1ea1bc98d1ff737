#!/usr/bin/env bash
# Live (issue 12): two hosts' recordings, made at the same time by the
# recorder (the second in its own UTS namespace, named fleet-b), exported to a
# real ClickHouse server this test starts on 127.0.0.1 (its own config, data
# and ports in a temp dir, as the clickhouse user). Checks: every table's row
# count and the questions' answers equal those of the SQLite index of the
# same recordings; re-export leaves the counts as they were; the cross-host
# timeline interleaves the hosts in time order; a rejected batch and a server
# killed mid-export fail with a message naming the batch.
. "$(dirname "$0")/../lib.sh"
. tests/lib_clickhouse.sh
A=$OUTPUT/tracee-analyze
if ! command -v clickhouse-server >/dev/null; then
	echo "skip: clickhouse-server is not installed (make deps installs it)"
	exit 0
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
chd=$(mktemp -d /tmp/tr-fleet-ch.XXXXXX)
chmod 755 "$chd"
trap 'ch_stop; rm -rf "$tmp" "$chd"' EXIT
if ! ch_start "$chd/server"; then
	bad "clickhouse-server starts on 127.0.0.1"
	exit 1
fi
ok "clickhouse-server answers on $CH_URL"

# Two hosts at once: each writes its files in turns with the other.
w=$tmp/work
mkdir -p "$w"
# (and runs a copy of true from the temp dir: a detection on each host)
workload() { echo "for i in 1 2 3 4 5 6; do echo \$i >$w/$1.\$i; cat $w/$1.\$i >/dev/null; sleep 0.2; done; rm -f $w/$1.1; cp /bin/true $w/pay-$1 && $w/pay-$1"; }
"$OUTPUT/tracee-record" -q -o "$tmp/recA" -- /bin/bash -c "$(workload a)" >/dev/null 2>"$tmp/a.err" &
pa=$!
unshare --uts /bin/bash -c "hostname fleet-b && exec \"$OUTPUT/tracee-record\" -q -o \"$tmp/recB\" -- /bin/bash -c '$(workload b)'" \
	>/dev/null 2>"$tmp/b.err" &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check "both recorders exit 0" test "$ra" -eq 0 -a "$rb" -eq 0
same "$(jq -r .host.hostname "$tmp/recB/manifest.json")" fleet-b "the second recording names host fleet-b"
hA=$(jq -r .host.hostname "$tmp/recA/manifest.json")
check "the hosts differ" test "$hA" != fleet-b

db=$tmp/case.db
run "$A" index -o "$db" "$tmp/recA" "$tmp/recB"
check "index exits 0 or 3" test "$rc" -eq 0 -o "$rc" -eq 3

CH="--clickhouse $CH_URL --database fleet"
run "$A" export $CH "$tmp/recA" "$tmp/recB"
check "export exits 0 or 3" test "$rc" -eq 0 -o "$rc" -eq 3
has out "rows exported" "export says what it exported"
[ "$rc" -le 3 ] || sed 's/^/    /' "$tmp/err" | head -5

tables="recordings recording_files segments processes events signatures detections files flows artifacts gaps warnings"
counts_sqlite() { for t in $tables; do echo "$t $(sqlite3 "$db" "SELECT count(*) FROM $t")"; done; }
counts_ch() { for t in $tables; do echo "$t $(ch_q "SELECT count() FROM fleet.$t")"; done; }
counts_sqlite >"$tmp/counts.sqlite"
counts_ch >"$tmp/counts.ch"
same "$(cat "$tmp/counts.ch")" "$(cat "$tmp/counts.sqlite")" "every table's row count equals SQLite's"
check "events were exported (every event)" test "$(ch_q "SELECT count() FROM fleet.events")" -gt 100
same "$(ch_q "SELECT count(DISTINCT recording_id) FROM fleet.events")" 2 "events of both recordings"
same "$(ch_q "SELECT count() FROM fleet.events e WHERE recording_id NOT IN (SELECT id FROM fleet.recordings)")" 0 \
	"every event row carries its recording's id"
# the same logical schema: every stored column of schema/index.sql, in order
for t in $tables; do
	same "$(ch_q "SELECT name FROM system.columns WHERE database = 'fleet' AND table = '$t' AND default_kind = ''" | tr '\n' ' ')" \
		"$(sqlite3 "$db" "SELECT name FROM pragma_table_info('$t')" | tr '\n' ' ')" "schema: $t stores index.sql's columns, in order"
done
run "$A" query $CH "SELECT count() AS n FROM events"
same "$(tail -1 "$tmp/out")" "$(sqlite3 "$db" "SELECT count(*) FROM events")" "query --clickhouse answers"

# The questions: the same answers from both stores.
ask() { "$A" "$@" >"$tmp/q.out" 2>"$tmp/q.err"; echo "rc $?"; cat "$tmp/q.out"; }
same "$(ask detections -j --clickhouse "$CH_URL" --database fleet)" "$(ask detections -j "$db")" "detections: the same as SQLite's"
check "there are detections of both hosts to compare" test "$("$A" detections -j "$db" | jq -r .host | sort -u | wc -l)" -eq 2
same "$(ask timeline -j --clickhouse "$CH_URL" --database fleet)" "$(ask timeline -j "$db")" "timeline: the same as SQLite's"
same "$(ask file -j --clickhouse "$CH_URL" --database fleet "$w/*")" "$(ask file -j "$db" "$w/*")" "file: the same as SQLite's"
check "file finds both hosts' files" test "$("$A" file -j "$db" "$w/*" | jq -r .host | sort -u | wc -l)" -eq 2
same "$(ask ip -j --clickhouse "$CH_URL" --database fleet 0.0.0.0/0)" "$(ask ip -j "$db" 0.0.0.0/0)" "ip: the same as SQLite's"
pidb=$(sqlite3 "$db" "SELECT p.host_pid FROM files f JOIN processes p ON p.id = f.process_id JOIN recordings r ON r.id = f.recording_id WHERE r.hostname = 'fleet-b' AND f.path = '$w/b.2' LIMIT 1")
check "the workload's process on fleet-b is known" test -n "$pidb"
same "$(ask process-tree -j --host fleet-b --clickhouse "$CH_URL" --database fleet "${pidb:-0}")" \
	"$(ask process-tree -j --host fleet-b "$db" "${pidb:-0}")" "process-tree: the same as SQLite's"

for h in "$hA" fleet-b; do
	same "$("$A" summary -j --host "$h" --clickhouse "$CH_URL" --database fleet | jq -c 'del(.recording)')" \
		"$("$A" summary -j --host "$h" "$db" | jq -c 'del(.recording)')" "summary of $h: the same as SQLite's (but the recording id)"
done

# Cross-host timeline: both hosts, in time order, interleaved.
"$A" timeline -j --clickhouse "$CH_URL" --database fleet >"$tmp/tl" 2>/dev/null
check "timeline is in time order" test "$(jq -r .time "$tmp/tl" | sort -c && echo sorted)" = sorted
same "$(jq -r .host "$tmp/tl" | sort -u | tr '\n' ' ')" "$(printf '%s\n' "$hA" fleet-b | sort | tr '\n' ' ')" "timeline has both hosts"
# each recording sees the whole machine: keep each host's own workload's
# files (a.* on the first, b.* on fleet-b), which ran at the same time
switches=$(jq -r --arg a "$hA" --arg w "$w" 'select(.kind == "file" and ((.host == $a and (.detail | startswith($w + "/a."))) or
	(.host == "fleet-b" and (.detail | startswith($w + "/b."))))) | .host' "$tmp/tl" | uniq | wc -l)
check "each host's own workload interleaves with the other's in the timeline ($switches runs)" test "$switches" -ge 3

# Re-export replaces: the counts stay.
run "$A" export $CH "$tmp/recA"
check "re-export exits 0 or 3" test "$rc" -eq 0 -o "$rc" -eq 3
has out "(replaced)" "re-export says the recording was replaced"
same "$(counts_ch)" "$(cat "$tmp/counts.sqlite")" "re-export leaves every count unchanged"

# --detections-only: the events detections point at, as index stores them.
run "$A" index --detections-only -o "$tmp/donly.db" "$tmp/recA"
run "$A" export --detections-only --clickhouse "$CH_URL" --database donly "$tmp/recA"
for t in events detections processes; do
	same "$(ch_q "SELECT count() FROM donly.$t")" "$(sqlite3 "$tmp/donly.db" "SELECT count(*) FROM $t")" "--detections-only: $t as index stores them"
done

# A rejected batch: a table the server will not take these rows into.
ch_q "CREATE DATABASE bad" >/dev/null
ch_q "CREATE TABLE bad.events (recording_id Int64) ENGINE = Memory" >/dev/null
run "$A" export --clickhouse "$CH_URL" --database bad "$tmp/recA"
expect_rc 1 "export into a table that rejects the rows"
has err "batch " "the message names the batch"
has err "rows of events" "the message names the table"
sed "s/^/    /" "$tmp/err" | tail -1
same "$(ch_q "SELECT count() FROM bad.recordings")" 0 "nothing of the recording is left as exported"

# A server killed mid-export: non-zero exit, the batch named.
"$A" export --batch 500 --clickhouse "$CH_URL" --database killed "$tmp/recA" "$tmp/recB" >"$tmp/kout" 2>"$tmp/kerr" &
pe=$!
for i in $(seq 1 300); do
	n=$(ch_q "SELECT count() FROM killed.events" 2>/dev/null)
	[ -n "$n" ] && [ "$n" -gt 0 ] 2>/dev/null && break
	kill -0 $pe 2>/dev/null || break
	sleep 0.1
done
kill -9 "$CH_PID" 2>/dev/null
wait "$CH_PID" 2>/dev/null
CH_PID=
wait $pe
ke=$?
check "export to a killed server exits non-zero ($ke)" test "$ke" -ne 0
# (the kill lands in a batch, or, on a fast host, between batches, while the
# exporter runs one of its queries: the message names whichever it was)
grep -qE "batch [0-9]+|: query: " "$tmp/kerr" && ok "the message names the batch or the query" ||
	{ bad "the message names the batch or the query"; sed 's/^/    /' "$tmp/kerr" | head -5; }
sed "s/^/    /" "$tmp/kerr" | tail -1
check "no recording reported as exported after the kill" test "$(grep -c 'rows exported' "$tmp/kout")" -lt 2
exit $fail
