#!/usr/bin/env bash
# Live: record a real shell workload with the BPF programs loaded into the
# running kernel, replay it, and find what the shell did: the execve of ls
# and cat with their argv, cat's openat of /etc/hostname, and cat's parent
# chain back to the sh. Then: two replays are byte-identical.
. "$(dirname "$0")/../lib.sh"

# (a busy host may lose events: see retry_on_loss in lib.sh)
attempt() {
	local n=$1 t0 t1
	t0=$(date +%s%N)
	"$OUTPUT/tracee-record" -q $narrow -o "$tmp/rec$n" -- /bin/sh -c 'ls /etc >/dev/null; cat /etc/hostname' \
		>"$tmp/rec$n.out" 2>"$tmp/rec$n.err"
	check "record exits 0" test $? -eq 0
	t1=$(date +%s%N)
	check "record prints only the workload's output" cmp -s "$tmp/rec$n.out" /etc/hostname
	check "record writes no error" test ! -s "$tmp/rec$n.err"
	check "manifest is complete" test "$(jq -r .state "$tmp/rec$n/manifest.json")" = complete
	check "manifest says the command exited" test "$(jq -r .end_reason "$tmp/rec$n/manifest.json")" = "command exited"

	"$OUTPUT/tracee-replay" "$tmp/rec$n" >"$tmp/a$n.jsonl" 2>"$tmp/replay.err"
	check "replay exits 0" test $? -eq 0
	all_json() { jq -e -n '[inputs] | length > 0' "$1" >/dev/null; }
	check "every line is JSON" all_json "$tmp/a$n.jsonl"

	q() { jq -c "$@" "$tmp/a$n.jsonl"; }
	sh_pid=$(q 'select(.eventName=="execve" and .returnValue==0 and (.args[1].value|tostring|test("ls /etc"))) | .hostProcessId' | head -1)
	ls_exec=$(q 'select(.eventName=="execve" and .returnValue==0 and .args[1].value==["ls","/etc"])' | head -1)
	cat_exec=$(q 'select(.eventName=="execve" and .returnValue==0 and .args[1].value==["cat","/etc/hostname"])' | head -1)
	check "execve of the sh found" test -n "$sh_pid"
	check "execve of ls with its argv" test -n "$ls_exec"
	check "execve of cat with its argv" test -n "$cat_exec"
	cat_pid=$(jq -r .hostProcessId <<<"${cat_exec:-null}")
	check "execve of cat names its executable" \
		test "$(jq -r '.args[0].value' <<<"${cat_exec:-null}" | xargs basename 2>/dev/null)" = cat
	check "openat of /etc/hostname by cat" test -n "$(q --argjson p "${cat_pid:-0}" \
		'select(.eventName=="openat" and .hostProcessId==$p and .processName=="cat" and .args[1].value=="/etc/hostname" and .returnValue>=0)')"
	check "cat's parent is the sh" test "$(jq -r .hostParentProcessId <<<"${cat_exec:-null}")" = "${sh_pid:-x}"
	check "the sh forked cat" test -n "$(q --argjson p "${sh_pid:-0}" --argjson c "${cat_pid:-0}" \
		'select(.eventName=="sched_process_fork" and .args[2].value==$p and .args[6].value==$c)')"
	check "cat's executable is enriched from the exec" test -n "$(q --argjson p "${cat_pid:-0}" \
		'select(.eventName=="openat" and .hostProcessId==$p and (.executable.path|endswith("/cat")))' | head -1)"
	check "cat exits" test -n "$(q --argjson p "${cat_pid:-0}" 'select(.eventName=="sched_process_exit" and .hostProcessId==$p)')"
	# The recorder forks the workload, and that fork is the workload's birth; any
	# other event of the recorder's own process would be it recording itself.
	rec_pid=$(q --argjson p "${sh_pid:-0}" 'select(.hostProcessId==$p and .eventName=="execve") | .hostParentProcessId' | head -1)
	check "the recorder did not record itself" test -n "$rec_pid" -a -z "$(q --argjson r "${rec_pid:-0}" \
		'select(.hostProcessId==$r and .eventName!="sched_process_fork")' | head -1)"
	ts=$(q 'select(.eventName=="execve") | .timestamp' | head -1)
	# (the wall clock around the recorder's run, 1 s of slack for the clocks;
	# not "now": on a busy host the queries above can take minutes)
	check "timestamps are wall-clock ns, inside the recorder's run" \
		test "${ts:-0}" -ge $((t0 - 1000000000)) -a "${ts:-0}" -le $((t1 + 1000000000))

	"$OUTPUT/tracee-replay" "$tmp/rec$n" >"$tmp/b$n.jsonl" 2>/dev/null
	check "two replays are byte-identical" cmp -s "$tmp/a$n.jsonl" "$tmp/b$n.jsonl"
}
retry_on_loss attempt
exit $fail
