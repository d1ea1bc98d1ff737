#!/usr/bin/env bash
# CLI: tracee-record's help and its refusals: stdout, stderr, exit codes.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record

"$rec" --help >"$tmp/out" 2>"$tmp/err"
check "--help exits 0" test $? -eq 0
check "--help teaches USAGE and EXAMPLES" grep -q EXAMPLES "$tmp/out"
check "--help prints to stdout only" test ! -s "$tmp/err"

"$rec" >"$tmp/out" 2>"$tmp/err"
check "no -o: exit 2" test $? -eq 2
check "no -o: says what is missing" grep -q "tracee-record: error: no recording directory" "$tmp/err"

"$rec" -o "$tmp/x" --duration soon 2>"$tmp/err"
check "bad --duration: exit 2" test $? -eq 2
check "bad --duration: names the value" grep -q "'soon'" "$tmp/err"

"$rec" -o "$tmp/x" --buffer-pages 3 2>"$tmp/err"
check "--buffer-pages not a power of 2: exit 2" test $? -eq 2

if [ "$(id -u)" -eq 0 ]; then
	mkdir "$tmp/full" && touch "$tmp/full/keep"
	"$rec" -o "$tmp/full" -d 1 2>"$tmp/err"
	check "non-empty output dir: exit 1" test $? -eq 1
	check "non-empty output dir: names it" grep -q "$tmp/full: cannot create the recording: it exists" "$tmp/err"
	check "non-empty output dir: nothing in it is touched" test "$(ls "$tmp/full")" = keep

	"$rec" -q -o "$tmp/dur" -d 0.5 2>"$tmp/err"
	check "--duration: exit 0" test $? -eq 0
	check "--duration: end reason" test "$(jq -r .end_reason "$tmp/dur/manifest.json")" = duration
	check "recording dir is 0700" test "$(stat -c %a "$tmp/dur")" = 700
	check "files are 0600" test "$(stat -c %a "$tmp/dur/manifest.json" "$tmp/dur/events/seg-000000.zst" | sort -u)" = 600
fi
exit $fail
