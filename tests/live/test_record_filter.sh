#!/usr/bin/env bash
# Live: the in-kernel filters. --pid records the process and its
# descendants (forked after the start too) and nothing else; --comm and
# --exclude-comm by task name; --uid by real uid; --cgroup a cgroup and those
# below it. Other engineers' activity runs beside: each check names its own
# processes and asserts nobody else's events came through.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record
replay=$OUTPUT/tracee-replay
# (lost_events, made by the recorder, and events raised in no task's context --
# inet_sock_set_state from softirq -- have no process: not filtered, left out)
pids() { jq -r 'select(.eventName != "lost_events" and .hostProcessId != 0) | .hostProcessId' "$1" | sort -u; }

# --pid: a shell that forks a child that forks again; a sibling shell beside.
mkfifo "$tmp/go"
sh -c "read x <$tmp/go; sh -c 'cat /etc/hostname >/dev/null; sh -c \"cat /etc/passwd >/dev/null\"'; sleep 0.5" & tree=$!
sh -c "sleep 1.7; cat /etc/hostname >/dev/null; sleep 0.5" & sib=$!
"$rec" -q -o "$tmp/pid" --pid $tree -- sh -c "sleep 1.5; echo >$tmp/go; sleep 1.5" </dev/null
wait $tree; kill $sib 2>/dev/null; wait $sib 2>/dev/null
"$replay" "$tmp/pid" >"$tmp/pid.jsonl" 2>/dev/null
check "pid: the process itself is recorded" grep -q "\"hostProcessId\":$tree," "$tmp/pid.jsonl"
check "pid: its grandchild's open of /etc/passwd is recorded" \
	test -n "$(jq -c 'select(.eventName == "openat" and any(.args[]; .value == "/etc/passwd"))' "$tmp/pid.jsonl")"
forks=$(jq -r 'select(.eventName == "sched_process_fork") | .args[] | select(.name == "child_pid") | .value' "$tmp/pid.jsonl" | sort -u | paste -sd' ')
others=$(pids "$tmp/pid.jsonl" | grep -vxF -e "$tree" $(for f in $forks; do printf -- '-e %s ' "$f"; done) | paste -sd' ')
check "pid: nothing outside the subtree (pids: $(pids "$tmp/pid.jsonl" | paste -sd' '); outside: '$others')" test -z "$others"
check "pid: the sibling shell is not recorded" test -z "$(grep "\"hostProcessId\":$sib," "$tmp/pid.jsonl")"

# --comm and --exclude-comm: two copies of true under other names.
cp /bin/cat "$tmp/fltcatin"; cp /bin/cat "$tmp/fltcatout"
"$rec" -q -o "$tmp/comm" --comm fltcatin -- sh -c "$tmp/fltcatin /etc/hostname; $tmp/fltcatout /etc/hostname" >/dev/null </dev/null
"$replay" "$tmp/comm" >"$tmp/comm.jsonl" 2>/dev/null
names=$(jq -r 'select(.eventName != "lost_events" and .hostProcessId != 0) | .processName' "$tmp/comm.jsonl" | sort -u | paste -sd' ')
check "comm: only tasks named fltcatin ($names)" test "$names" = fltcatin
check "comm: its open is there" test -n "$(jq -c 'select(.eventName == "openat" and any(.args[]; .value == "/etc/hostname"))' "$tmp/comm.jsonl")"

"$rec" -q -o "$tmp/excl" --exclude-comm fltcatout -- sh -c "$tmp/fltcatin /etc/hostname; $tmp/fltcatout /etc/hostname" >/dev/null </dev/null
"$replay" "$tmp/excl" >"$tmp/excl.jsonl" 2>/dev/null
check "exclude-comm: the excluded name is absent" test -z "$(jq -c 'select(.processName == "fltcatout")' "$tmp/excl.jsonl")"
check "exclude-comm: the other is there" test -n "$(jq -c 'select(.processName == "fltcatin")' "$tmp/excl.jsonl")"

# --uid: nobody's process only.
nobody=$(id -u nobody)
"$rec" -q -o "$tmp/uid" --uid nobody -- sh -c "setpriv --reuid=$nobody --regid=$nobody --clear-groups cat /etc/hostname; cat /etc/hostname" >/dev/null </dev/null
"$replay" "$tmp/uid" >"$tmp/uid.jsonl" 2>/dev/null
uids=$(jq -r 'select(.eventName != "lost_events" and .hostProcessId != 0) | .userId' "$tmp/uid.jsonl" | sort -u | paste -sd' ')
check "uid: only uid $nobody ($uids)" test "$uids" = "$nobody"
check "uid: nobody's cat is there" test -n "$(jq -c 'select(.processName == "cat" and .eventName == "openat")' "$tmp/uid.jsonl")"

# --cgroup: a cgroup v2 of our own (the hierarchy may sit beside v1's), a
# process moved into it.
root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
cg=$root/flt-test-$$
if [ -n "$root" ] && mkdir "$cg" 2>/dev/null; then
	"$rec" -q -o "$tmp/cg" --cgroup "$cg" -- sh -c "sh -c 'echo \$\$ >$cg/cgroup.procs; exec $tmp/fltcatin /etc/hostname'; $tmp/fltcatout /etc/hostname" >/dev/null </dev/null
	"$replay" "$tmp/cg" >"$tmp/cg.jsonl" 2>/dev/null
	check "cgroup: the task moved in is recorded" test -n "$(jq -c 'select(.processName == "fltcatin")' "$tmp/cg.jsonl")"
	check "cgroup: one outside is not" test -z "$(jq -c 'select(.processName == "fltcatout")' "$tmp/cg.jsonl")"
	cgs=$(jq -r 'select(.eventName != "lost_events" and .hostProcessId != 0) | .cgroupId' "$tmp/cg.jsonl" | sort -u | paste -sd' ')
	check "cgroup: every event is of that cgroup ($cgs)" test "$cgs" = "$(stat -c %i "$cg")"
	rmdir "$cg"
else
	bad "cgroup: cannot make a cgroup v2 (root: '$root')"
fi

run "$rec" -o "$tmp/bad" --pid abc
expect_rc 2 "pid: not a pid"
run "$rec" -o "$tmp/bad" --cgroup no/such/cgroup
expect_rc 2 "cgroup: not a cgroup"
has err "--cgroup: 'no/such/cgroup' is not a cgroup" "cgroup: the bad path is named"
exit $fail
