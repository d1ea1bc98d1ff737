#!/usr/bin/env bash
# tracee-replay --input tracee-json: Tracee's JSON event lines through the
# same enrichment, derived events and signatures. fixtures/tracee-json.jsonl
# is written in Tracee's documented event shape, with one line that is not
# JSON and one event Tracee's catalog does not have.
. "$(dirname "$0")/../lib.sh"
R="$OUTPUT/tracee-replay"
fx=fixtures/tracee-json.jsonl

run "$R" --input tracee-json --findings -e all "$fx"
expect_rc 3 "bad lines: replayed, exit 3"
check "byte-identical to its golden output" cmp -s "$tmp/out" fixtures/tracee-json.golden.jsonl
check "the same warnings as the golden stderr" cmp -s "$tmp/err" fixtures/tracee-json.golden.stderr
has err "tracee-json.jsonl:9: not JSON" "a bad line is named by its number"
has err "tracee-json.jsonl:10: event no_such_event is not in the catalog" "an unknown event is named"
same "$(jq -r 'select(.metadata.Properties.signatureID) | .metadata.Properties.signatureID' "$tmp/out")" "TRR-1001" \
	"the exec from /tmp fires TRR-1001"
same "$(jq -r 'select(.eventName=="socket_dup") | [.args[1].value, .args[2].value.sin_addr] | @tsv' "$tmp/out")" \
	"$(printf '0\t10.0.0.5')" "socket_dup derived from Tracee's socket/connect/dup2 lines"
same "$(jq -r 'select(.eventName=="connect") | .args[1].value.sin6_addr // .args[1].value.sin_addr' "$tmp/out" | tr '\n' ' ')" \
	"10.0.0.5 2001:db8::1 " "sockaddrs read back from Tracee's SockAddr objects"
same "$(jq -r 'select(.eventName=="magic_write") | .args[1].value' "$tmp/out")" "f0VMRgIBAQAAAAAAAAAAAAMAPgA=" \
	"[]byte read back from base64"

run "$R" --input tracee-json --findings -e all - <"$fx"
sed -i 's|"segment":"standard input"|"segment":"fixtures/tracee-json.jsonl"|' "$tmp/out"
check "stdin (-) gives the same output" cmp -s "$tmp/out" fixtures/tracee-json.golden.jsonl
has err "standard input:9: not JSON" "stdin's lines are numbered too"
run "$R" --input tracee-json
expect_rc 2 "--input without FILE"
run "$R" --input nosuch "$fx"
expect_rc 2 "--input of an unknown kind"
run "$R" --input tracee-json "$tmp/missing.jsonl"
expect_rc 1 "a missing FILE"

# Round trip: a recording's own Tracee-shaped output, read back as Tracee
# JSON, fires the same findings on the same events.
"$R" --findings fixtures/basic >"$tmp/rec.jsonl" 2>/dev/null
jq -c 'select(.metadata == null or .metadata.Properties == null)' "$tmp/rec.jsonl" >"$tmp/events.jsonl"
run "$R" --input tracee-json --findings "$tmp/events.jsonl"
expect_rc 0 "our own JSON lines read back: no damage"
want=$(jq -r 'select(.metadata.Properties.signatureID) | [.metadata.Properties.signatureID, .hostProcessId, .args[0].value] | @tsv' "$tmp/rec.jsonl")
got=$(jq -r 'select(.metadata.Properties.signatureID) | [.metadata.Properties.signatureID, .hostProcessId, .args[0].value] | @tsv' "$tmp/out")
[ -n "$want" ] && same "$got" "$want" "the same findings from the recording and from its JSON lines"
exit $fail
