#!/usr/bin/env bash
# Live: replay's enrichment and derived events on real recordings.
#  - a process in a container-like cgroup (docker-ID.scope) gets its
#    container id;
#  - a write through a dup'ed fd to a relative path in an fchdir'ed process
#    resolves to the absolute path; a socket dup'ed onto stdin gives
#    socket_dup; mprotect W->X gives mem_prot_alert. These need the
#    recorder to record fchdir, dup, write, socket, dup2, mmap and mprotect;
#    a part whose events are not in the recording says "skip" and why.
. "$(dirname "$0")/../lib.sh"
R="$OUTPUT/tracee-replay"
skip() { echo "skip $*"; }

# ---- containers ----
# The unified (v2) hierarchy: /sys/fs/cgroup, or mounted here for the test
# on a host that mounts only v1 controllers there (it exists all the same:
# BPF's cgroup ids and /proc/PID/cgroup's "0::" line are its).
cgroot=/sys/fs/cgroup
if [ "$(stat -fc %T "$cgroot" 2>/dev/null)" != cgroup2fs ]; then
	cgroot="$tmp/cgroup2"
	mkdir "$cgroot"
	if mount -t cgroup2 none "$cgroot" 2>/dev/null; then
		trap 'umount "$cgroot" 2>/dev/null; rm -rf "$tmp"' EXIT
	else
		rmdir "$cgroot"
	fi
fi
if [ "$(stat -fc %T "$cgroot" 2>/dev/null)" = cgroup2fs ]; then
	id=$(printf '%s' "tracee-replay-$$-$(date +%s%N)" | sha256sum | cut -c1-64)
	cg="$cgroot/docker-$id.scope"
	mkdir "$cg"
	# a process that is in the cgroup before the recording starts (the
	# snapshot shows its cgroup), and acts once it runs
	sh -c "echo \$\$ >'$cg/cgroup.procs'; while [ ! -e '$tmp/go' ]; do sleep 0.05; done; cat /etc/hostname >/dev/null; sleep 0.3" &
	inner=$!
	for _ in $(seq 100); do grep -qx "$inner" "$cg/cgroup.procs" 2>/dev/null && break; sleep 0.02; done
	"$OUTPUT/tracee-record" -q -o "$tmp/crec" -- sh -c "sleep 0.2; touch '$tmp/go'; sleep 1"
	check "record exits 0" test $? -eq 0
	wait "$inner"
	rmdir "$cg" 2>/dev/null || true
	"$R" "$tmp/crec" >"$tmp/c.jsonl" 2>/dev/null
	same "$(jq -r --argjson p "$inner" 'select(.hostParentProcessId==$p and .processName=="cat" and .eventName=="openat" and .args[1].value=="/etc/hostname") | .containerId' "$tmp/c.jsonl" | sort -u)" \
		"$id" "a process in docker-ID.scope has that container id"
	same "$(jq -r 'select(.processName=="tracee-record") | .containerId' "$tmp/c.jsonl" | sort -u)" "" \
		"a process outside it has none"
	n=$("$R" --container "${id:0:12}" -e openat "$tmp/crec" 2>/dev/null | jq -r '.args[1].value' | grep -c '^/etc/hostname$')
	[ "$n" -ge 1 ] && ok "--container ID-prefix selects it" || bad "--container selects nothing"
else
	skip "containers: no cgroup v2 hierarchy to make a container-like cgroup in"
fi

# ---- fds, sockets, memory ----
gcc -O1 -o "$tmp/workload" tests/live/enrich_workload.c || { bad "cannot build the workload"; exit $fail; }
mkdir "$tmp/w"
"$OUTPUT/tracee-record" -q -o "$tmp/rec" -- "$tmp/workload" "$tmp/w" >/dev/null
check "record of the workload exits 0" test $? -eq 0
"$R" -e all --parse-args "$tmp/rec" 2>/dev/null | jq -c 'select(.processName=="workload")' >"$tmp/w.jsonl"
has_ev() { [ -n "$(jq -r --arg e "$1" 'select(.eventName==$e) | .eventName' "$tmp/w.jsonl")" ]; }
need() { local e; for e in "$@"; do has_ev "$e" || { echo "$e"; return 1; }; done; }

if miss=$(need fchdir dup write); then
	same "$(jq -r 'select(.eventName=="write") | .args[0].value' "$tmp/w.jsonl" | head -1)" \
		"$(jq -r 'select(.eventName=="dup") | .returnValue' "$tmp/w.jsonl" | head -1)=$tmp/w/work/.x/payload" \
		"write(dup'ed fd) names $tmp/w/work/.x/payload"
	same "$(jq -r 'select(.eventName=="security_file_open" and .args[5].value==".x/payload") | .args[0].value' "$tmp/w.jsonl")" \
		"$tmp/w/work/.x/payload" "the relative open after fchdir resolves"
	if has_ev magic_write || [ "$(jq -r 'select(.eventName=="write") | .args | length' "$tmp/w.jsonl" | head -1)" -gt 3 ]; then
		same "$(jq -r 'select(.eventName=="magic_write") | .args[0].value' "$tmp/w.jsonl")" \
			"$tmp/w/work/.x/payload" "magic_write names the file"
	else
		skip "magic_write: write's first bytes are not recorded"
	fi
else
	skip "fd resolution: the recorder does not record $miss yet"
fi
if miss=$(need socket connect dup2); then
	same "$(jq -r 'select(.eventName=="socket_dup") | [.args[1].value, .args[2].value.sin_addr] | @tsv' "$tmp/w.jsonl")" \
		"$(printf '0\t127.0.0.1')" "a socket dup'ed onto stdin gives socket_dup"
else
	skip "socket_dup: the recorder does not record $miss yet"
fi
if miss=$(need mmap mprotect); then
	same "$(jq -r 'select(.eventName=="mem_prot_alert") | .args[0].value' "$tmp/w.jsonl")" "4" \
		"mprotect W->X gives mem_prot_alert (alert 4)"
else
	skip "mem_prot_alert: the recorder does not record $miss yet"
fi
skip "DNS and flows: the recording has no pcaps yet (capture work)"
exit $fail
