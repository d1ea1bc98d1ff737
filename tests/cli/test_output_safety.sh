#!/usr/bin/env bash
# Output that cannot attack its reader (issue 5): recorded strings with a
# terminal title escape, a C1 CSI (U+009B) and a bidi override (U+202E)
# reach no output raw, replay's JSON, analyze's query and detections alike;
# and `query` only reads: no statement writes anywhere, no FIFO hangs it.
. "$(dirname "$0")/../lib.sh"
REPLAY=$OUTPUT/tracee-replay
ANALYZE=$OUTPUT/tracee-analyze
GEN=$OUTPUT/gen_recording
for b in "$REPLAY" "$ANALYZE" "$GEN"; do
	[ -x "$b" ] || { echo "FAIL $b is missing (run: make all $GEN)"; exit 1; }
done
"$GEN" --hostile strings "$tmp/rec" || { echo "FAIL gen_recording"; exit 1; }

# raw_count FILE: ESC, BEL, C1 CSI, RLO bytes found in FILE
raw_count() {
	python3 -c "import sys; b = open(sys.argv[1], 'rb').read(); \
print(sum(b.count(x) for x in (b'\x1b', b'\x07', b'\xc2\x9b', b'\xe2\x80\xae')))" "$1"
}
clean() { same "$(raw_count "$tmp/$1")" 0 "$2: no raw ESC, BEL, C1 or bidi control"; }

run "$REPLAY" -f "$tmp/rec"
expect_rc 0 "replay"
clean out "replay JSON"
has out '"processName":"\u202eevil"' "replay JSON: U+202E as \\u202e"
has out '\u009b31m' "replay JSON: U+009B as \\u009b"
same "$(jq -r 'select(.eventName=="sched_process_exec") | .executable.path' "$tmp/out" | od -An -tx1 | tr -d ' \n')" \
	"$(printf '/tmp/\033]0;pwned\007\302\23331m\342\200\256gpj.exe\n' | od -An -tx1 | tr -d ' \n')" \
	"replay JSON: decodes to the recorded bytes exactly"

run "$ANALYZE" index -o "$tmp/db" "$tmp/rec"
expect_rc 0 "index"
run "$ANALYZE" query "$tmp/db" 'SELECT exe, comm FROM processes'
expect_rc 0 "query"
clean out "query table"
has out '\x1b]0;pwned\x07\xc2\x9b31m\xe2\x80\xaegpj.exe' "query table: shown as \\xHH"
run "$ANALYZE" query -j "$tmp/db" 'SELECT exe FROM processes'
clean out "query JSON"
run "$ANALYZE" detections "$tmp/db"
expect_rc 0 "detections"
clean out "detections table"
has out '\xe2\x80\xaeevil' "detections table: process name shown as \\xHH"
run "$ANALYZE" detections -j "$tmp/db"
clean out "detections JSON"

# query only reads
for sql in "VACUUM INTO '$tmp/copy.db'" "ATTACH '$tmp/other.db' AS o" "INSERT INTO signatures (id, event_id, name, description, severity) VALUES ('x', 1, 'x', 'x', 0)" \
	"DELETE FROM detections" "CREATE TABLE t (a)" "PRAGMA user_version = 7" "UPDATE processes SET exe = 'x'"; do
	run "$ANALYZE" query "$tmp/db" "$sql"
	expect_rc 1 "query refuses: ${sql%% *}"
	grep -qE "not authorized|authorization denied" "$tmp/err" && ok "query refuses: ${sql%% *}: says so" || bad "query refuses: ${sql%% *}: $(cat "$tmp/err")"
done
check "query: VACUUM INTO wrote no copy" test ! -e "$tmp/copy.db"
check "query: ATTACH created no file" test ! -e "$tmp/other.db"
same "$(sqlite3 "$tmp/db" 'PRAGMA user_version; SELECT count(*) FROM detections')" "$(printf '2\n1')" "query: the index is unchanged"
run "$ANALYZE" query "$tmp/db" "PRAGMA table_info(processes)"
expect_rc 0 "query: schema questions still work"

# a FIFO as the database: refused at once, not a hang
mkfifo "$tmp/fifo.db"
run timeout 10 "$ANALYZE" query "$tmp/fifo.db" 'SELECT 1'
expect_rc 1 "query on a FIFO"
has err "$tmp/fifo.db: not a regular file" "query on a FIFO: says so"
run timeout 10 "$ANALYZE" detections "$tmp/fifo.db"
expect_rc 1 "detections on a FIFO"
exit $fail
