#!/usr/bin/env bash
# CLI tests of tracee-analyze on a synthetic recording from gen_recording:
# index, query, detections; output, exit codes and diagnostics.
. "$(dirname "$0")/../lib.sh"
ANALYZE=$OUTPUT/tracee-analyze
REPLAY=$OUTPUT/tracee-replay
GEN=$OUTPUT/gen_recording
for b in "$ANALYZE" "$REPLAY" "$GEN"; do
	[ -x "$b" ] || { echo "FAIL $b is missing (run: make all $GEN)"; exit 1; }
done

"$GEN" "$tmp/rec" || { echo "FAIL gen_recording"; exit 1; }
db=$tmp/case.db

# help
run "$ANALYZE" --help
expect_rc 0 "--help"
has out "USAGE: tracee-analyze COMMAND" "--help shows USAGE"
has out "EXAMPLES:" "--help shows EXAMPLES"
for c in index migrate query detections process-tree file ip timeline summary bundle verify extract report; do
	has out "  $c " "--help lists $c"
	run "$ANALYZE" $c --help
	expect_rc 0 "$c --help"
	has out "USAGE: tracee-analyze $c" "$c --help shows USAGE"
	has out "EXAMPLES:" "$c --help shows EXAMPLES"
	cp "$tmp/out" "$tmp/help1"
	run "$ANALYZE" help $c
	cmp -s "$tmp/out" "$tmp/help1" && ok "help $c = $c --help" || bad "help $c differs"
	run "$ANALYZE" --help
done
run "$ANALYZE"
expect_rc 2 "no command"
has err "tracee-analyze: error: no command given" "no command says so"
run "$ANALYZE" frobnicate
expect_rc 2 "unknown command"
has err "unknown command 'frobnicate'" "unknown command named"

# index
run "$ANALYZE" index "$tmp/rec"
expect_rc 2 "index without -o"
has err "no database given (-o DB)" "index without -o says so"
run "$ANALYZE" index -o "$db" "$tmp/nowhere"
expect_rc 1 "index of a missing recording"
has err "tracee-analyze: error: $tmp/nowhere: cannot open: No such file or directory" "missing recording named"
[ ! -e "$db" ] && [ ! -e "$db.tmp" ] && ok "failed index leaves no file" || bad "failed index left a file"
run "$ANALYZE" index -o "$db" "$tmp/rec"
expect_rc 0 "index (a recording that states its losses is not damaged)"
has out "$db: $tmp/rec: recording 1: 17 events replayed, 1 detection, 6 processes, 1 gap, " "index summarises"
has err "warning: the recording lost 12 events" "index passes replay warnings on"
[ "$(stat -c %a "$db")" = 600 ] && ok "DB is mode 0600" || bad "DB mode $(stat -c %a "$db")"
same "$(sqlite3 "$db" 'PRAGMA user_version')" 2 "schema version 2 (PRAGMA user_version)"
same "$(sqlite3 "$db" 'PRAGMA journal_mode')" delete "journal_mode=DELETE after indexing"
same "$(sqlite3 "$db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)")" \
	"artifacts detections events files flows gaps processes recording_files recordings segments signatures warnings" "schema tables"
# the writer's column table (analyze/store/store.c) is the schema's stored columns
for t in recordings recording_files segments processes events signatures detections files flows artifacts gaps warnings; do
	cols=$(sqlite3 "$db" "SELECT group_concat(name, ' ') FROM pragma_table_xinfo('$t') WHERE hidden = 0")
	grep -q "\"$t\", COLS(" analyze/store/store.c || bad "store.c has no row for $t"
	want=$(awk -v t="\"$t\", COLS(" 'index($0, t) { on = 1 } on { printf "%s", $0 } on && /\), [01] },/ { exit }' \
		analyze/store/store.c | sed -e 's/.*COLS(//' -e 's/), [01] },.*//' -e 's/[\t"]//g' -e 's/, */ /g')
	same "$cols" "$want" "store.c columns of $t match schema/index.sql"
done
run "$ANALYZE" index -o "$db" "$tmp/rec"
expect_rc 0 "index again"
has out "recording 1 (replaced)" "index again replaces the recording"
same "$(sqlite3 "$db" 'SELECT count(*) FROM recordings')" 1 "index again: one recording"
run "$ANALYZE" index --force -o "$db" "$tmp/rec"
expect_rc 0 "index --force"
same "$(sqlite3 "$db" 'SELECT count(*) FROM events')" 17 "every event stored"

# detections and the other questions (answers on live recordings: tests/live/test_analyze_live.sh)
run "$ANALYZE" detections "$db"
expect_rc 0 "detections"
same "$(head -1 "$tmp/out" | tr -s ' ')" "TIME HOST SIGNATURE_ID SIGNATURE SEVERITY PID PROCESS EXE ENTITY_ID EVENT ORDINAL DATA" "detections header"
same "$(sed -n 2p "$tmp/out" | awk '{print $1, $2, $3, $4, $5, $6, $7, $8}')" \
	"2023-11-14T22:13:26.002000000Z synth-host TRR-1001 exec_from_temp_dir medium 201 payload /tmp/payload" "detections row"
empty err "detections: quiet on stderr"
run "$ANALYZE" detections -j "$db"
same "$(jq -r '"\(.signature_id) \(.pid) \(.data.cmdpath)"' "$tmp/out")" "TRR-1001 201 ./payload" "detections -j"
run "$ANALYZE" detections --format csv -o "$tmp/d.csv" "$db"
expect_rc 0 "detections --format csv -o FILE"
empty out "-o: nothing on standard output"
same "$(head -1 "$tmp/d.csv" | tr -d '\r')" "time,host,signature_id,signature,severity,pid,process,exe,entity_id,event,ordinal,data" "csv header"
same "$(sed -n 2p "$tmp/d.csv" | tr -d '\r' | sed 's/.*,"{/{/')" '{""pathname"":""/tmp/payload"",""cmdpath"":""./payload"",""temp_dir"":""/tmp""}"' "csv quotes the data"
run "$ANALYZE" detections --severity high -j "$db"
empty out "detections --severity high: none"
run "$ANALYZE" detections --since 2023-11-14T22:13:26.003Z -j "$db"
empty out "detections --since after it: none"
run "$ANALYZE" detections --until 2023-11-14T22:13:26.003Z --signature exec_from_temp_dir -j "$db"
lines out 1 "detections --until after it, by signature name"
run "$ANALYZE" detections --severity extreme "$db"
expect_rc 2 "unknown severity"
run "$ANALYZE" detections --since yesterday "$db"
expect_rc 2 "bad time"
run "$ANALYZE" summary --severity high "$db"
expect_rc 2 "an option that does not apply"
run "$ANALYZE" detections --format xml "$db"
expect_rc 2 "unknown format"
run "$ANALYZE" process-tree "$db" 4242
expect_rc 1 "process-tree of a pid not there"
has err "no process with pid 4242" "process-tree says which"
run "$ANALYZE" process-tree -j "$db" 201
same "$(jq -r '"\(.role) \(.pid)"' "$tmp/out" | tr '\n' ' ')" "ancestor 1 ancestor 50 ancestor 100 match 201 " "process-tree: ancestors, then the match"
run "$ANALYZE" file "$db" '/etc/*'
has out '/etc/shad\xffw\\\x01' "file: a control character in a path is escaped in the table"
run "$ANALYZE" ip -j "$db" 203.0.113.7
same "$(jq -r '"\(.addr):\(.port) \(.pid)"' "$tmp/out")" "203.0.113.7:80 200" "ip"
run "$ANALYZE" ip "$db" 300.1.2.3
expect_rc 1 "ip of a non-address"
has err "'300.1.2.3' is not an IP address or CIDR block" "ip says why"

# query
run "$ANALYZE" query "$db" "SELECT host_pid, exe, exited FROM processes WHERE parent_id = (1 << 40) + 3 ORDER BY host_pid"
expect_rc 0 "query"
same "$(cat "$tmp/out")" "$(printf 'host_pid\texe\texited\n200\t/usr/bin/curl\t1\n201\t/tmp/payload\t0\n202\t/usr/bin/ls\t1')" \
	"query prints a header and tab-separated rows"
run "$ANALYZE" query -j "$db" "SELECT host_pid, argv FROM processes WHERE host_pid = 201"
expect_rc 0 "query -j"
same "$(cat "$tmp/out")" '{"host_pid":201,"argv":"[\"./payload\",\"--quiet\"]"}' "query -j prints JSON rows"
ordinal=$(sqlite3 "$db" "SELECT trigger_ordinal FROM detections")
same "$(sqlite3 "$db" "SELECT args FROM events WHERE ordinal = $ordinal" | jq -cS .)" \
	"$("$REPLAY" "$tmp/rec" 2>/dev/null | sed -n "${ordinal}p" |
	   jq -cS '[.args[] | select(.value != 0 and .value != "" and .value != [] and .value != false) | {(.name): .value}] | add')" \
	"events.args are replay's arguments at its ordinal (replay prints zero values for those the record lacks)"
run "$ANALYZE" query "$db" "SELECT 1; SELEC 2"
expect_rc 1 "query with an SQL error"
has err "tracee-analyze: error: $db: query: offset 10: near \"SELEC\": syntax error" "SQL error names the offset"
run "$ANALYZE" query "$db" "DELETE FROM detections"
expect_rc 1 "query cannot write"
has err "not authorized" "the index is only read: writing statements are denied"
same "$(sqlite3 "$db" 'SELECT count(*) FROM detections')" 1 "the index is untouched"
run "$ANALYZE" query "$db" "VACUUM INTO '$tmp/copy.db'"
expect_rc 1 "query cannot copy the evidence elsewhere"
[ ! -e "$tmp/copy.db" ] && ok "VACUUM INTO wrote nothing" || bad "VACUUM INTO wrote $tmp/copy.db"
run "$ANALYZE" query "$db" "ATTACH '$tmp/att.db' AS x"
expect_rc 1 "query cannot attach"
mkfifo "$tmp/fifo.db"
run timeout 10 "$ANALYZE" summary "$tmp/fifo.db"
expect_rc 1 "a FIFO is refused, not waited on"
has err "not a regular file" "the FIFO refusal says why"
run "$ANALYZE" query "$tmp/none.db" "SELECT 1"
expect_rc 1 "query of a missing DB"
has err "tracee-analyze: error: $tmp/none.db: cannot open: No such file or directory" "missing DB named"
[ ! -e "$tmp/none.db" ] && ok "query does not create a DB" || bad "query created $tmp/none.db"
sqlite3 "$tmp/other.db" "CREATE TABLE t (x)"
run "$ANALYZE" detections "$tmp/other.db"
expect_rc 1 "detections of a non-index DB"
has err "not a tracee-analyze database (application_id 0, user_version 0)" "non-index DB refused"
run "$ANALYZE" query "$db"
expect_rc 2 "query without SQL"

# migration: a version 1 index (fixtures/analyze-index-v1.db, made by the v1
# indexer from gen_recording's recording) is refused for reading with the
# way out, migrated in place, and indexing the same recording replaces it
cp fixtures/analyze-index-v1.db "$tmp/v1.db"
run "$ANALYZE" detections "$tmp/v1.db"
expect_rc 1 "detections of a version 1 DB"
has err "schema version 1: migrate it to version 2 with \`tracee-analyze migrate $tmp/v1.db\`" "version 1 refused with the way out"
run "$ANALYZE" migrate "$tmp/v1.db"
expect_rc 0 "migrate"
same "$(sqlite3 "$tmp/v1.db" 'PRAGMA user_version; PRAGMA journal_mode' | tr '\n' ' ')" "2 delete " "migrated to version 2"
same "$(sqlite3 "$tmp/v1.db" "SELECT signature_id, host_pid, entity_id, event_name, segment, json_extract(data, '\$.cmdpath') FROM detection_report")" \
	"TRR-1001|201|synth-host:201:1700000006000000022|sched_process_exec|events/seg-000001.zst|./payload" "migrated detection with its process and event"
same "$(sqlite3 "$tmp/v1.db" "SELECT json_extract(args, '\$.argv[1]') FROM events")" "--quiet" "migrated event arguments decoded"
run "$ANALYZE" index -o "$tmp/v1.db" "$tmp/rec"
has out "recording 1 (replaced)" "re-indexing a migrated recording replaces it"
same "$(sqlite3 "$tmp/v1.db" 'SELECT count(*) FROM recordings; SELECT count(*) FROM events' | tr '\n' ' ')" "1 17 " "then every event is there"

# a damaged recording: index and every question say so with exit 3
"$GEN" --damage "$tmp/bad" || bad "gen_recording --damage"
run "$ANALYZE" index -o "$tmp/bad.db" "$tmp/bad"
expect_rc 3 "index of a damaged recording"
run "$ANALYZE" summary "$tmp/bad.db"
expect_rc 3 "a question on a damaged recording"
has err "tracee-analyze: warning: recording 1 (synth-host, $tmp/bad) is damaged" "the question names the damaged recording"

# the signatures index runs are chosen as replay's are: Sigma rules beside the
# built-ins, a selection, exceptions (fixtures/basic runs a binary from /tmp)
run "$ANALYZE" index --sigma fixtures/sigma -o "$tmp/sigma.db" fixtures/basic
expect_rc 0 "index --sigma"
has err "sigma: loaded 16 rules, refused 0" "index --sigma: the rules load"
same "$(sqlite3 "$tmp/sigma.db" "SELECT s.origin, count(*) FROM detections d JOIN signatures s ON s.id = d.signature_id
	GROUP BY 1 ORDER BY 1" | tr '\n' ' ')" "builtin|2 sigma|2 " "index --sigma: the Sigma rule's detections beside the built-in's"
run "$ANALYZE" index --signatures -TRR-1001 --except 'signature=0b3f7c2e-8e51-4d55-b0a1-3c9e6f1d2a02' \
	--sigma fixtures/sigma -o "$tmp/sel.db" fixtures/basic
expect_rc 0 "index --signatures -ID --except"
same "$(sqlite3 "$tmp/sel.db" "SELECT count(*) FROM detections; SELECT count(*) FROM signatures WHERE id = 'TRR-1001'" |
	tr '\n' ' ')" "0 0 " "index: a signature left out and a rule's findings excepted"
has err "exception --except 1 suppressed 2 findings" "index: the exception's suppressions counted"

exit $fail
