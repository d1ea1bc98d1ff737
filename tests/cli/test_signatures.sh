#!/usr/bin/env bash
# CLI tests of the signature options of tracee-replay: selection
# (--signatures), exceptions (--exceptions, --except) and their counts,
# out-of-tree plugins (--signatures-dir) and Sigma rules (--sigma), on the
# synthetic recording of gen_recording (one exec of /tmp/payload by pid 201).
. "$(dirname "$0")/../lib.sh"
REPLAY=$OUTPUT/tracee-replay
"$OUTPUT/gen_recording" "$tmp/rec" || { echo "FAIL gen_recording"; exit 1; }

# selection
run "$REPLAY" -F --signatures TRR-1001 "$tmp/rec"
expect_rc 0 "--signatures TRR-1001"
lines out 1 "--signatures TRR-1001 finds the exec"
run "$REPLAY" -F --signatures all,-exec_from_temp_dir "$tmp/rec"
expect_rc 0 "--signatures all,-NAME"
lines out 0 "--signatures all,-NAME leaves it out"
run "$REPLAY" -F --signatures TRC-4242 "$tmp/rec"
expect_rc 1 "--signatures with an unknown id"
has err "tracee-replay: error: --signatures: no signature with id or name 'TRC-4242'" "unknown id is named"
run "$REPLAY" --signatures TRR-1001 "$tmp/rec"
[ "$(grep -c '"signatureID"' "$tmp/out")" = 1 ] && [ "$(wc -l <"$tmp/out")" -gt 1 ] \
	&& ok "--signatures implies --findings" || bad "--signatures without -f: $(wc -l <"$tmp/out") lines"

# exceptions: counted per exception, never silent
run "$REPLAY" -F --except 'signature=TRR-1001 exe=/tmp/pay*' "$tmp/rec"
expect_rc 0 "--except"
lines out 0 "--except suppresses the finding"
has err "tracee-replay: exception --except 1 suppressed 1 finding" "--except is counted"
has err "tracee-replay: 1 finding suppressed by 1 exception" "--except total"
cat >"$tmp/exc" <<'X'
# responder's tools
ir-tools: comm=nothing-like-it signature=TRR-1001
payload: signature=exec_from_temp_dir,TRC-102 user=0,1000 container=host arg.pathname="/tmp/pay*"
X
run "$REPLAY" -F --exceptions "$tmp/exc" "$tmp/rec"
expect_rc 0 "--exceptions FILE"
lines out 0 "--exceptions FILE suppresses"
has err "exception ir-tools suppressed 0 findings" "an exception that matched nothing is listed"
has err "exception payload suppressed 1 finding" "the matching exception is counted"
run "$REPLAY" -F --except 'signature=TRR-1001 container=container' "$tmp/rec"
lines out 1 "an exception for containers leaves a host finding"
run "$REPLAY" -F --except 'signature=TRR-1001 ancestor=/nowhere/*' "$tmp/rec"
lines out 1 "an ancestor that is not one leaves the finding"
printf 'ok: signature=TRR-1001\nbad: colour=blue\n' >"$tmp/exc2"
run "$REPLAY" -F --exceptions "$tmp/exc2" "$tmp/rec"
expect_rc 1 "a bad exceptions file"
has err "tracee-replay: error: --exceptions: $tmp/exc2:2: unknown key 'colour'" "the bad line is named"
empty out "a bad exceptions file replays nothing"
run "$REPLAY" -F --except 'user=alice' "$tmp/rec"
expect_rc 1 "a bad --except"
has err "user=alice: a uid (or root)" "a bad --except says why"
run "$REPLAY" -F --exceptions "$tmp/none" "$tmp/rec"
expect_rc 1 "a missing exceptions file"
has err "$tmp/none: cannot open: No such file or directory" "a missing exceptions file is named"

exit $fail
