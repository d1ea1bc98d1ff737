#!/usr/bin/env bash
# Live: events made whole at sys_exit (nothing to read at entry: close, dup,
# mmap, ...) carry the right task, arguments and result; exit and
# exit_group, which never return, are sent at entry with their status; a
# call that changes the caller's ids (setresuid) carries the context from
# before the call, and what follows carries the new ids.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record
R=$OUTPUT/tracee-replay

"$rec" -q -o "$tmp/rec" -- /bin/sh -c 'exec 7</etc/hostname; exec 7<&-;
	setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -c "exit 3"; exit 5'
check "record exits 0" test $? -eq 0
"$R" "$tmp/rec" >"$tmp/all.jsonl" 2>"$tmp/err"
check "replay exits 0" test $? -eq 0
top=$(jq -r 'select(.eventName=="sched_process_exec" and (.args[] | select(.name=="argv") | .value[0]) == "/bin/sh") | .hostProcessId' "$tmp/all.jsonl" | head -1)
check "the workload's shell is found ($top)" test -n "$top"
sel() { jq -c --argjson p "$top" "$1" "$tmp/all.jsonl"; }

sel 'select(.hostProcessId==$p and .eventName=="close" and .args[0].value==7)' >"$tmp/close"
check "close(7) is recorded once" test "$(wc -l <"$tmp/close")" -eq 1
has close '"returnValue":0' "close(7): its result"
has close '"processName":"sh"' "close(7): its task"
has close '"userId":0' "close(7): its user"
sel 'select(.hostProcessId==$p and .eventName=="exit_group")' >"$tmp/exit"
check "exit_group of the shell is recorded" test "$(wc -l <"$tmp/exit")" -eq 1
has exit '"name":"status","type":"int32","value":5' "exit_group: its status"
jq -c 'select(.eventName=="exit_group" and .userId==65534)' "$tmp/all.jsonl" >"$tmp/exit2"
has exit2 '"value":3' "exit_group of the inner shell: its status, under its new user"
jq -c 'select((.eventName=="setresuid" or .eventName=="setreuid" or .eventName=="setuid") and .processName=="setpriv")' \
	"$tmp/all.jsonl" >"$tmp/setuid"
check "setpriv's uid change is recorded" test -s "$tmp/setuid"
has setuid '"userId":0' "the uid change carries the caller's ids from before the call"
jq -c 'select(.eventName=="execve" and .processName=="setpriv")' "$tmp/all.jsonl" | tail -1 >"$tmp/exec"
has exec '"userId":65534' "the exec after it carries the new ids"
exit $fail
