#!/usr/bin/env bash
# Live: what the recorder says while it runs. On a terminal (a pseudo-terminal
# from script(1)) a status line is redrawn in place each second; not on a
# terminal, nothing but the summary. The summary counts events as replay
# counts them (return values sent apart are not events).
. "$(dirname "$0")/../lib.sh"
rec=$(realpath "$OUTPUT/tracee-record")

# Under a pseudo-terminal: the status line, redrawn, then the summary.
script -qfec "$rec -o $tmp/tty -d 3.5 -- /bin/sh -c 'for i in 1 2 3; do cat /etc/hostname; sleep 1; done >/dev/null'" /dev/null \
	>"$tmp/tty.out" 2>&1
check "tty: exit 0" test $? -eq 0
n=$(tr '\r' '\n' <"$tmp/tty.out" | grep -c 'events/s), [0-9]* lost, .* written')
check "tty: the status line is drawn at least twice ($n)" test "$n" -ge 2
check "tty: redrawn in place (carriage return, erase line)" grep -q $'\r\033\[K' "$tmp/tty.out"
check "tty: the status gives elapsed time and the compression ratio" \
	grep -qE 'tracee-record: [0-9]+ s, [0-9]+ events .*x compressed\)' "$tmp/tty.out"
check "tty: the summary follows" grep -q "tracee-record: $tmp/tty: [0-9]* events, [0-9]* lost" "$tmp/tty.out"

# Not a terminal: only the summary, one line.
run "$rec" -o "$tmp/pipe" -- /bin/sh -c 'cat /etc/hostname >/dev/null; sleep 1.5'
expect_rc 0 "pipe"
check "pipe: no status line" test -z "$(grep -e 'events/s' -e $'\r' "$tmp/err")"
check "pipe: stderr is the summary alone" test -z "$(grep -v "^tracee-record: $tmp/pipe: " "$tmp/err")"

# The summary's count is replay's: every event, no return values counted.
said=$(sed -n 's/.*: \([0-9]*\) events, .*/\1/p' "$tmp/err")
"$OUTPUT/tracee-replay" "$tmp/pipe" >"$tmp/pipe.jsonl" 2>/dev/null
replayed=$(jq -c 'select(.eventName != "lost_events")' "$tmp/pipe.jsonl" | wc -l)
check "summary: $said events, as replay counts them ($replayed)" test "${said:-x}" = "$replayed"

# -q: neither.
run script -qfec "$rec -q -o $tmp/quiet -- /bin/true" /dev/null
check "quiet on a terminal: nothing" test -z "$(grep -e 'events' "$tmp/out")"
exit $fail
