#!/usr/bin/env bash
# Live: a workload in its own pid namespace. Events carry both the host ids
# and the ids the task sees in its namespace, and the namespace's inode.
. "$(dirname "$0")/../lib.sh"

"$OUTPUT/tracee-record" -q -o "$tmp/rec" -- unshare --pid --fork --mount-proc /bin/sh -c 'cat /etc/hostname >/dev/null'
check "record exits 0" test $? -eq 0
"$OUTPUT/tracee-replay" "$tmp/rec" >"$tmp/out.jsonl" 2>/dev/null
cat_open=$(jq -c 'select(.processName=="cat" and .eventName=="openat" and .args[1].value=="/etc/hostname")' "$tmp/out.jsonl" | head -1)
host_ns=$(jq -r 'select(.processName=="unshare") | .pidNamespace' "$tmp/out.jsonl" | head -1)
check "cat's open is recorded" test -n "$cat_open"
check "cat's namespace pid differs from its host pid" \
	test "$(jq -r .processId <<<"${cat_open:-null}")" != "$(jq -r .hostProcessId <<<"${cat_open:-null}")"
check "cat's parent in the namespace is its pid 1 (the sh)" test "$(jq -r .parentProcessId <<<"${cat_open:-null}")" = 1
check "cat is in another pid namespace than unshare" \
	test -n "$host_ns" -a "$(jq -r .pidNamespace <<<"${cat_open:-null}")" != "$host_ns"
exit $fail
