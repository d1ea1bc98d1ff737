#!/usr/bin/env bash
# Fixtures: every checked-in recording fixtures/NAME/ must replay to exactly
# fixtures/NAME.golden.jsonl (events and findings), with exactly the
# diagnostics in fixtures/NAME.golden.stderr when that file exists. A fixture
# with diagnostics is a damaged one: replay must exit 3 ("done, but the input
# was damaged"); one without, 0.
# Regenerate after an intended change of output with: make golden
. "$(dirname "$0")/../lib.sh"
n=0
for dir in fixtures/*/; do
	name=$(basename "$dir")
	[ -f "$dir/manifest.json" ] || continue
	n=$((n + 1))
	"$OUTPUT/tracee-replay" --findings "$dir" >"$tmp/$name.jsonl" 2>"$tmp/$name.stderr"
	rc=$?
	want=0
	[ -f "fixtures/$name.golden.stderr" ] && want=3
	if [ $rc -ne $want ]; then
		echo "FAIL $name: tracee-replay exited $rc, expected $want"; cat "$tmp/$name.stderr"; fail=1; continue
	fi
	if cmp -s "$tmp/$name.jsonl" "fixtures/$name.golden.jsonl"; then
		echo "ok   $name: replay is byte-identical to its golden output"
	else
		echo "FAIL $name: replay differs from fixtures/$name.golden.jsonl"
		diff "fixtures/$name.golden.jsonl" "$tmp/$name.jsonl" | head -5; fail=1
	fi
	if [ -f "fixtures/$name.golden.stderr" ]; then
		if cmp -s "$tmp/$name.stderr" "fixtures/$name.golden.stderr"; then
			echo "ok   $name: diagnostics as expected"
		else
			echo "FAIL $name: diagnostics differ"; diff "fixtures/$name.golden.stderr" "$tmp/$name.stderr" | head -5; fail=1
		fi
	fi
done
if [ $n -eq 0 ]; then echo "FAIL no fixtures found"; fail=1; fi
exit $fail
