#!/usr/bin/env bash
# Live: how a recording ends. SIGINT finalises it; kill -9 leaves a recording
# that says it was interrupted and still replays; a flood through tiny
# buffers loses events, and every loss is written down as a gap record.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record

# SIGINT: drained, finalised, exit 0.
"$rec" -q -o "$tmp/int" & pid=$!
sleep 1
kill -INT $pid
wait $pid
check "SIGINT: exit 0" test $? -eq 0
check "SIGINT: manifest complete" test "$(jq -r .state "$tmp/int/manifest.json")" = complete
check "SIGINT: end reason recorded" test "$(jq -r .end_reason "$tmp/int/manifest.json")" = "signal SIGINT"
check "SIGINT: segments listed with their hashes" \
	test "$(jq -r '.segments[0].sha256' "$tmp/int/manifest.json")" = "$(sha256sum "$tmp/int/events/seg-000000.zst" | cut -d' ' -f1)"

# kill -9: frames are flushed every second, so what came before survives.
"$rec" -q -o "$tmp/kill" -- /bin/sh -c 'cat /etc/hostname >/dev/null; sleep 30' & pid=$!
# loading can take seconds on a busy host: count from the recording's start
for i in $(seq 300); do [ -e "$tmp/kill/events/seg-000000.zst" ] && break; sleep 0.1; done
sleep 2.5
kill -9 $pid
wait $pid 2>/dev/null
pkill -f 'sleep 30' || true
check "kill -9: manifest still says recording" test "$(jq -r .state "$tmp/kill/manifest.json")" = recording
"$OUTPUT/tracee-replay" "$tmp/kill" >"$tmp/kill.jsonl" 2>"$tmp/kill.err"
check "kill -9: replay exits 3 (done, but the recording is incomplete)" test $? -eq 3
check "kill -9: replay says the recording was interrupted" grep -q interrupted "$tmp/kill.err"
check "kill -9: the hash chain and the per-CPU sequences hold" \
	test -z "$(grep -e 'hash chain' -e 'missing from its sequence' -e frame_seq "$tmp/kill.err")"
check "kill -9: the events before the kill replay" \
	test -n "$(jq -c 'select(.eventName=="openat" and .processName=="cat" and .args[1].value=="/etc/hostname")' "$tmp/kill.jsonl")"

# Loss: an 8 KiB ring cannot hold four finds' flood of opens; every lost
# event is in a gap record, and the gaps add up to the manifest's count.
"$rec" -q --buffer-size 8K -o "$tmp/loss" -- /bin/sh -c \
	'for i in 1 2 3 4; do find /usr /etc >/dev/null 2>&1 & done; wait'
lost=$(jq '.lost.total' "$tmp/loss/manifest.json")
check "loss: the manifest counts lost events" test "${lost:-0}" -gt 0
"$OUTPUT/tracee-replay" --verify "$tmp/loss" >"$tmp/loss.jsonl" 2>"$tmp/loss.err"
check "loss: replay exits 0 (every hole is declared, the recording is whole)" test $? -eq 0
check "loss: per-CPU sequence jumps are all covered by gap records" \
	test -z "$(grep 'missing from its sequence' "$tmp/loss.err")"
gaps=$(jq -s '[.[] | select(.eventName=="lost_events") | .args[] | select(.name=="lost") | .value] | add // 0' "$tmp/loss.jsonl")
check "loss: gap records add up to the manifest's count ($gaps = $lost)" test "$gaps" = "$lost"
exit $fail
