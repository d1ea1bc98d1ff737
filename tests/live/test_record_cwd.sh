#!/usr/bin/env bash
# Live: a payload dropped in /tmp and run by a relative path after cd, the
# common way it happens. chdir is recorded, replay tracks the shell's cwd,
# the exec resolves to /tmp and the built-in signature fires on it.
. "$(dirname "$0")/../lib.sh"
drop=tracee-cwd-test-$$
trap 'rm -rf "$tmp" "/tmp/$drop"' EXIT

"$OUTPUT/tracee-record" -q -o "$tmp/rec" -- /bin/sh -c "cp /bin/true /tmp/$drop && cd /tmp && ./$drop"
check "record exits 0" test $? -eq 0
"$OUTPUT/tracee-replay" --findings "$tmp/rec" >"$tmp/out.jsonl" 2>"$tmp/err"
check "replay exits 0" test $? -eq 0
q() { jq -c "$@" "$tmp/out.jsonl"; }
check "chdir to /tmp recorded with its result" \
	test -n "$(q 'select(.eventName=="chdir" and .returnValue==0 and .args[0].value=="/tmp")')"
check "the relative exec's executable is the file in /tmp" \
	test -n "$(q --arg p "/tmp/$drop" 'select(.eventName=="sched_process_exec" and .executable.path==$p)')"
check "TRR-1001 fires on it" \
	test -n "$(q --arg p "/tmp/$drop" 'select(.metadata.Properties.signatureID=="TRR-1001" and (.args[]|select(.name=="pathname")|.value)==$p)')"
exit $fail
