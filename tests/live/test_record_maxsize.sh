#!/usr/bin/env bash
# Live: --max-size bounds the whole recording. A flood of opens fills it; the
# recorder stops cleanly with a clear message, the manifest is finalised
# with end reason "max size", and the recording replays whole.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record

run "$rec" -o "$tmp/max" --max-size 300K -d 60 -- "$OUTPUT/bench/openloop" 100000000
expect_rc 0 "max-size"
has err "the recording reached --max-size (300.0 KiB); stopping" "max-size: a clear message"
m=$tmp/max/manifest.json
check "max-size: manifest complete" test "$(jq -r .state "$m")" = complete
check "max-size: end reason recorded" test "$(jq -r .end_reason "$m")" = "max size"
bytes=$(jq '[.segments[].size] | add' "$m")
# the last frame is written at stop: within a few percent of the bound
check "max-size: segments hold $bytes bytes, near 300 KiB" test "$bytes" -le $((300 * 1024 * 11 / 10)) -a "$bytes" -ge $((300 * 1024 / 2))
"$OUTPUT/tracee-replay" --verify "$tmp/max" >/dev/null 2>"$tmp/replay.err"
check "max-size: the recording replays whole" test $? -eq 0

run "$rec" -o "$tmp/bad" --max-size 12Q
expect_rc 2 "max-size: a bad size"
has err "--max-size: '12Q' is not a size" "max-size: the bad size is named"
exit $fail
