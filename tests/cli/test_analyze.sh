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
for c in index query detections; do
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
expect_rc 0 "index"
has out "$db: 17 events replayed, 1 detection, 6 processes, 1 gap" "index summarises"
has err "warning: the recording lost 12 events" "index passes replay warnings on"
[ "$(stat -c %a "$db")" = 600 ] && ok "DB is mode 0600" || bad "DB mode $(stat -c %a "$db")"
same "$(sqlite3 "$db" 'PRAGMA user_version')" 1 "schema version 1 (PRAGMA user_version)"
same "$(sqlite3 "$db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")" \
	"detections events gaps processes recordings signatures warnings" "schema tables"
run "$ANALYZE" index -o "$db" "$tmp/rec"
expect_rc 1 "index over an existing DB"
has err "tracee-analyze: error: $db: exists; use --force to replace it" "overwrite refused"
run "$ANALYZE" index --force -o "$db" "$tmp/rec"
expect_rc 0 "index --force"

# detections
run "$ANALYZE" detections "$db"
expect_rc 0 "detections"
same "$(head -1 "$tmp/out" | tr -s ' ')" "TIME SIGNATURE SEVERITY PID PROCESS EXE DATA" "detections header"
same "$(sed -n 2p "$tmp/out" | awk '{print $1, $2, $3, $4, $5, $6}')" \
	"2023-11-14T22:13:26.002000000Z TRR-1001 medium 201 payload /tmp/payload" "detections row"
empty err "detections is quiet on stderr"
run "$ANALYZE" detections -j "$db"
expect_rc 0 "detections -j"
same "$(jq -r '"\(.signatureID) \(.hostProcessId) \(.data.cmdpath)"' "$tmp/out")" "TRR-1001 201 ./payload" "detections -j"

# query
run "$ANALYZE" query "$db" "SELECT host_pid, exe, exited FROM processes WHERE parent_id = 3 ORDER BY host_pid"
expect_rc 0 "query"
same "$(cat "$tmp/out")" "$(printf 'host_pid\texe\texited\n200\t/usr/bin/curl\t1\n201\t/tmp/payload\t0\n202\t/usr/bin/ls\t1')" \
	"query prints a header and tab-separated rows"
run "$ANALYZE" query -j "$db" "SELECT host_pid, argv FROM processes WHERE host_pid = 201"
expect_rc 0 "query -j"
same "$(cat "$tmp/out")" '{"host_pid":201,"argv":"[\"./payload\",\"--quiet\"]"}' "query -j prints JSON rows"
ordinal=$(sqlite3 "$db" "SELECT ordinal FROM events")
same "$(sqlite3 "$db" "SELECT json FROM events")" "$("$REPLAY" "$tmp/rec" 2>/dev/null | sed -n "${ordinal}p")" \
	"events.json is replay's line at its ordinal"
run "$ANALYZE" query "$db" "SELECT 1; SELEC 2"
expect_rc 1 "query with an SQL error"
has err "tracee-analyze: error: $db: query: offset 10: near \"SELEC\": syntax error" "SQL error names the offset"
run "$ANALYZE" query "$db" "DELETE FROM detections"
expect_rc 1 "query cannot write"
has err "not authorized" "the index is only read: writing statements are denied"
same "$(sqlite3 "$db" 'SELECT count(*) FROM detections')" 1 "the index is untouched"
run "$ANALYZE" query "$tmp/none.db" "SELECT 1"
expect_rc 1 "query of a missing DB"
has err "tracee-analyze: error: $tmp/none.db: cannot open: No such file or directory" "missing DB named"
[ ! -e "$tmp/none.db" ] && ok "query does not create a DB" || bad "query created $tmp/none.db"
sqlite3 "$tmp/other.db" "CREATE TABLE t (x)"
run "$ANALYZE" detections "$tmp/other.db"
expect_rc 1 "detections of a non-index DB"
has err "not a tracee-analyze index of version 1 (user_version 0)" "non-index DB refused"
run "$ANALYZE" query "$db"
expect_rc 2 "query without SQL"

exit $fail
