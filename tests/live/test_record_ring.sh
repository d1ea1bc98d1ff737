#!/usr/bin/env bash
# Live: the flight recorder. --ring keeps the newest segments within its
# bound, deletes the oldest and declares them cut, so what is left replays
# whole. A TRR-1001 behaviour (a copy of /bin/true run from /tmp) fires the
# signature on the live stream and freezes the window, the ring's past and
# --after more, into DIR/frozen/NNN: a recording of its own, holding events
# from before the trigger, that rotation never deletes. SIGUSR1 does the same.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record
replay=$OUTPUT/tracee-replay
name=flttrue$$
cp /bin/true "$tmp/$name"
before=$tmp/before-trigger-$$
before2=$tmp/before-usr1-$$
: >"$before"
: >"$before2"

# opens of the marker, the exec from /tmp 1.5 s later, then long enough for
# the 4 s ring to rotate segments out
"$rec" -q -o "$tmp/ring" --ring 4s --after 1s --trigger-on TRR-1001 -- /bin/sh -c \
	": <$before; sleep 1.5; $tmp/$name; sleep 6" 2>"$tmp/ring.err" </dev/null
check "ring: exit 0" test $? -eq 0
m=$tmp/ring/manifest.json
check "ring: oldest segments deleted and declared cut" test "$(jq '.cuts | length' "$m")" -gt 0
first_cut=$(jq -r '.cuts[0].path' "$m")
check "ring: a cut segment is gone, with its time index" \
	test ! -e "$tmp/ring/$first_cut" -a ! -e "$tmp/ring/${first_cut%.zst}.tix"
span=$(jq '.segments | length' "$m")
check "ring: what is left is within the bound ($span segments of ~1 s for 4 s)" test "$span" -le 7
"$replay" --verify "$tmp/ring" >/dev/null 2>"$tmp/ring.replay"
check "ring: what is left replays whole (the cuts are declared)" test $? -eq 0

frozen=
for t in "$tmp"/ring/frozen/*/trigger.json; do
	[ -e "$t" ] && grep -q "TRR-1001.*$name" "$t" && frozen=$(dirname "$t") && break
done
check "trigger: the signature froze a recording naming it ($(sed 's/^/ /' "$tmp/ring.err" | head -3))" test -n "$frozen"
if [ -n "$frozen" ]; then
	check "frozen: its manifest says why" test "$(jq '.end_reason | startswith("frozen: signature TRR-1001")' "$frozen/manifest.json")" = true
	"$replay" --verify "$frozen" >"$tmp/frozen.jsonl" 2>"$tmp/frozen.err"
	check "frozen: replays whole ($(head -2 "$tmp/frozen.err" | tr '\n' ' '))" test $? -eq 0
	trig=$(jq -r '.trigger_boot_ns + .boot_to_wall_ns' "$frozen/trigger.json")
	marker=$(jq -c --arg p "$before" 'select(.eventName == "openat" and any(.args[]; .value == $p)) | .timestamp' \
		"$tmp/frozen.jsonl" | head -1)
	check "frozen: holds an event from before the trigger (the marker's open)" \
		test -n "$marker" -a "${marker:-0}" -lt "${trig%.*}"
	check "frozen: holds the exec that fired it" \
		test -n "$(jq -c --arg n "$name" 'select(.eventName == "sched_process_exec" and .processName == $n)' "$tmp/frozen.jsonl")"
	seg=$(jq -r '.segments[0].path' "$frozen/manifest.json")
	check "frozen: rotation never deletes it (its first segment, cut from the ring, is still there)" \
		test -e "$frozen/$seg" -a ! -e "$tmp/ring/$seg"
fi

# SIGUSR1: the same, without a signature (--trigger-on none).
# The signal goes once the workload has run (loading can take seconds on a
# busy host, and a SIGUSR1 before the handler is set would end the recorder).
"$rec" -q -o "$tmp/usr1" --ring 20s --after 1s --trigger-on none -- /bin/sh -c \
	": <$before2; : >$tmp/usr1-ran; sleep 6" 2>"$tmp/usr1.err" </dev/null & pid=$!
for _ in $(seq 600); do [ -e "$tmp/usr1-ran" ] && break; sleep 0.1; done
sleep 1
kill -USR1 $pid
wait $pid
check "usr1: exit 0" test $? -eq 0
t=$tmp/usr1/frozen/001/trigger.json
check "usr1: froze a recording" test "$(jq -r .reason "$t" 2>/dev/null)" = SIGUSR1
check "usr1: only one (no signature ran)" test ! -e "$tmp/usr1/frozen/002"
"$replay" --verify "$tmp/usr1/frozen/001" >"$tmp/usr1.jsonl" 2>/dev/null
check "usr1: the frozen recording replays whole" test $? -eq 0
trig=$(jq -r '.trigger_boot_ns + .boot_to_wall_ns' "$t")
marker=$(jq -c --arg p "$before2" 'select(.eventName == "openat" and any(.args[]; .value == $p)) | .timestamp' \
	"$tmp/usr1.jsonl" | head -1)
check "usr1: holds an event from before the signal" test -n "$marker" -a "${marker:-0}" -lt "${trig%.*}"

run "$rec" -o "$tmp/bad" --ring 100
expect_rc 2 "ring: a bare number"
has err "--ring: '100' is neither a size" "ring: the bad bound is named"
run "$rec" -o "$tmp/bad2" --after 5s
expect_rc 2 "--after without --ring"
run "$rec" -o "$tmp/bad3" --ring 1G --trigger-on TRR-9999
expect_rc 1 "--trigger-on an unknown signature"
has err "'TRR-9999' is not a built-in signature" "--trigger-on: the unknown id is named"
exit $fail
