#!/usr/bin/env bash
# Live: --max-size bounds the whole recording. A flood of opens fills it; the
# recorder stops cleanly with a clear message, the manifest is finalised
# with end reason "max size", and the recording replays whole.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record

run "$rec" -o "$tmp/max" --max-size 2M -d 120 -- "$OUTPUT/bench/openloop" 1000000000
expect_rc 0 "max-size"
has err "the recording reached --max-size (2.0 MiB); stopping" "max-size: a clear message"
m=$tmp/max/manifest.json
check "max-size: manifest complete" test "$(jq -r .state "$m")" = complete
check "max-size: end reason recorded" test "$(jq -r .end_reason "$m")" = "max size"
bytes=$(jq '[.segments[].size] | add' "$m")
# the bound is weighed after each drain round (a round on a busy host can
# take a while, and the start's state checkpoint comes first): near 2 MiB
check "max-size: segments hold $bytes bytes, near 2 MiB" test "$bytes" -le $((3 * 1024 * 1024)) -a "$bytes" -ge $((1024 * 1024))
"$OUTPUT/tracee-replay" --verify "$tmp/max" >/dev/null 2>"$tmp/replay.err"
check "max-size: the recording replays whole" test $? -eq 0

run "$rec" -o "$tmp/bad" --max-size 12Q
expect_rc 2 "max-size: a bad size"
has err "--max-size: '12Q' is not a size" "max-size: the bad size is named"
exit $fail
