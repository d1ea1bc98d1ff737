#!/usr/bin/env bash
# The event catalog against Tracee v0.24.1's (schema/tracee-v0.24.1-events.tsv):
# every event that Tracee has keeps Tracee's id, name, and its arguments'
# types, names and order (ours may only follow Tracee's); syscalls say so.
. "$(dirname "$0")/../lib.sh"
REPLAY=$OUTPUT/tracee-replay
ref=schema/tracee-v0.24.1-events.tsv

run "$REPLAY" --list-events
expect_rc 0 "--list-events"
# id -> "name<TAB>type name, type name" from the reference
awk -F'\t' '!/^#/ && $1 != "id" {
	a = $6; gsub(/; /, ", ", a); sub(/;$/, "", a); print $1 "\t" $2 "\t" a }' "$ref" >"$tmp/ref"
n=0 mismatched=0 ours=0
while IFS=$'\t' read -r id name args; do
	n=$((n + 1))
	want=$(awk -F'\t' -v id="$id" '$1 == id' "$tmp/ref")
	if [ -z "$want" ]; then
		# not Tracee's: our own ids only
		[ "$id" -ge 9000 ] || { bad "event $id ($name) is neither Tracee's nor in our range"; mismatched=1; }
		ours=$((ours + 1))
		continue
	fi
	wname=$(cut -f2 <<<"$want") wargs=$(cut -f3 <<<"$want")
	[ "$name" = "$wname" ] || { bad "event $id: name $name, Tracee's is $wname"; mismatched=1; }
	case "$args" in
	"$wargs" | "$wargs, "*) ;;
	*) { bad "event $id ($name): arguments '$args', Tracee's are '$wargs'"; mismatched=1; } ;;
	esac
done <"$tmp/out"
[ "$n" -gt 100 ] && ok "the catalog has $n events" || bad "the catalog has $n events"
[ "$mismatched" -eq 0 ] && ok "every Tracee event matches Tracee v0.24.1 ($((n - ours)) of them), $ours of our own"
same "$(awk -F'\t' '$2 == "sched_process_exec" {print $1}' "$tmp/out")" 715 "sched_process_exec is 715"

exit $fail
