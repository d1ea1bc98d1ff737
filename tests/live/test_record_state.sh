#!/usr/bin/env bash
# Live: the state snapshot (FORMAT.md 4.4). A process started before the
# recording holds a TCP listener on 127.0.0.1, a connected TCP pair, a unix
# listener, a pipe, a deleted file and a memfd: each is in the recording's
# start checkpoint as an fd record with the right path, 5-tuple and flags,
# next to the host, clock, users, mounts, interfaces and cgroups.
. "$(dirname "$0")/../lib.sh"
for tool in dump_state fd_holder; do
	[ -x "$OUTPUT/$tool" ] || { echo "FAIL $OUTPUT/$tool is not built (make test builds it)"; exit 1; }
done
mkfifo "$tmp/hold"
"$OUTPUT/fd_holder" "$tmp" <"$tmp/hold" >"$tmp/port" &
holder=$!
exec 9>"$tmp/hold"
trap 'exec 9>&-; wait $holder 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 300); do [ -s "$tmp/port" ] && break; sleep 0.1; done
read -r port lsn cli acc ux pr pw file mfd <"$tmp/port"
check "fd_holder is ready" test -n "$mfd"

"$OUTPUT/tracee-record" -q -o "$tmp/rec" -- true
check "record exits 0" test $? -eq 0
"$OUTPUT/dump_state" "$tmp"/rec/events/seg-*.zst >"$tmp/state.jsonl" 2>"$tmp/err"
check "every state record decodes" test $? -eq 0
empty err "no decoding errors"
q() { jq -c --argjson pid "$holder" --argjson port "$port" --arg dir "$tmp" "$@" "$tmp/state.jsonl"; }
fd() { q "select(.record==\"fd\" and .host_pid==\$pid and .fd==$1)"; }

check "the holder's process record" test -n "$(q 'select(.record=="proc" and .host_pid==$pid and (.args.exe|endswith("/fd_holder")))')"
check "TCP listener on 127.0.0.1:port, state LISTEN" test -n "$(fd $lsn | jq 'select(.fd_kind=="socket" and .args.protocol==6 and .args.sock_type==1 and .args.sock_state==10 and .args.local.sin_addr=="127.0.0.1" and (.args.local.sin_port|tonumber)==$port)' --argjson port "$port")"
check "TCP client, ESTABLISHED, peer 127.0.0.1:port" test -n "$(fd $cli | jq 'select(.args.sock_state==1 and .args.remote.sin_addr=="127.0.0.1" and (.args.remote.sin_port|tonumber)==$port and .args.local.sin_addr=="127.0.0.1")' --argjson port "$port")"
check "the accepted end, local port = listener's, peer = client's" test -n "$(fd $acc | jq 'select(.args.sock_state==1 and (.args.local.sin_port|tonumber)==$port and .args.remote.sin_port==$cport)' --arg cport "$(fd $cli | jq -r .args.local.sin_port)" --argjson port "$port")"
check "the socket inode is the one in the path" test -n "$(fd $lsn | jq 'select(.args.path==("socket:[" + (.ino|tostring) + "]"))')"
check "unix listener with its path" test -n "$(fd $ux | jq --arg p "$tmp/sock" 'select(.fd_kind=="socket" and .args.local.sun_path==$p and .args.sock_type==1 and .args.protocol==0)')"
pipe_r=$(fd $pr | jq -r 'select(.fd_kind=="pipe")|.ino')
check "the two ends of one pipe" test -n "$pipe_r" -a "$pipe_r" = "$(fd $pw | jq -r 'select(.fd_kind=="pipe")|.ino')"
check "the write end is opened O_WRONLY" test -n "$(fd $pw | jq 'select(.open_flags % 4 == 1)')"
check "the deleted file, flagged, path without the suffix" test -n "$(fd $file | jq --arg p "$tmp/held" 'select(.fd_kind=="file" and .args.path==$p and (.flags % 2)==1)')"
check "O_CLOEXEC in its open flags, position after the write" test -n "$(fd $file | jq 'select((.open_flags / 524288 | floor) % 2 == 1 and .pos == 9)')"
check "the memfd, flagged deleted" test -n "$(fd $mfd | jq 'select(.fd_kind=="memfd" and .args.path=="/memfd:trtest" and (.flags % 2)==1)')"
check "fd 0: the fifo, by its path" test -n "$(fd 0 | jq --arg p "$tmp/hold" 'select(.fd_kind=="fifo" and .args.path==$p)')"
check "no path flagged deleted keeps the suffix" test -z "$(q 'select(.record=="fd" and .fd_kind=="file" and (.flags % 2)==1 and (.args.path|endswith(" (deleted)")))')"
check "the fds come right after their process" test -n "$(jq -s --argjson pid "$holder" 'map(select(.host_pid==$pid and (.record=="proc" or .record=="fd"))) | select(.[0].record=="proc" and (.[1:]|map(.record=="fd")|all))' "$tmp/state.jsonl")"

# the rest of the start checkpoint
check "one start checkpoint, its end counts the records between" test "$(jq -s '[.[]|select(.record=="checkpoint")] as $c | ($c|length)==2 and $c[0].phase==1 and $c[1].phase==2 and $c[0].reason==1 and $c[1].records==([.[]|select(.record!="checkpoint" and .ts>=$c[0].ts and .ts<=$c[1].ts)]|length)' "$tmp/state.jsonl")" = true
check "host: hostname, boot id, os-release" test -n "$(q --arg h "$(uname -n)" --arg b "$(cat /proc/sys/kernel/random/boot_id)" 'select(.record=="host" and .args.hostname==$h and .args.boot_id==$b and (.args.os_release|map(startswith("ID="))|any))')"
check "clock: the offset at start and at stop" test "$(q 'select(.record=="clock")|.reason' | sort | tr '\n' ' ')" = "1 4 "
check "users: root is uid 0 with home /root" test -n "$(q 'select(.record=="user" and .kind==1 and .id==0 and .args.name=="root" and .args.home=="/root")')"
check "groups: root is gid 0" test -n "$(q 'select(.record=="user" and .kind==2 and .id==0 and .args.name=="root")')"
check "mounts: / of the holder's mount namespace" test -n "$(q --argjson ns "$(stat -Lc %i /proc/$holder/ns/mnt)" 'select(.record=="mount" and .mnt_ns==$ns and .args.mount_point=="/")')"
check "interfaces: lo with 127.0.0.1/8" test -n "$(q 'select(.record=="netif" and .args.name=="lo" and (.if_flags % 16) >= 8 and (.args.addrs|index("127.0.0.1/8")))')"
cg2=$(awk '$3=="cgroup2"{print $2; exit}' /proc/self/mounts)
check "cgroups: the cgroup2 root, id = its inode" test -n "$(q --argjson ino "$(stat -c %i "$cg2")" 'select(.record=="cgroup" and .cgroup_id==$ino and .args.path=="/" and .level==0)')"
check "the holder's cgroup id is a cgroup in the map" test -n "$(jq -s --argjson pid "$holder" '(map(select(.record=="proc" and .host_pid==$pid))[0].cgroup_id) as $id | map(select(.record=="cgroup" and .cgroup_id==$id)) | select(length==1)' "$tmp/state.jsonl")"

# replay takes the recording without a warning about the new kinds
# (losses on a busy host are warned about: fine)
"$OUTPUT/tracee-replay" "$tmp/rec" >"$tmp/out.jsonl" 2>"$tmp/rerr"
check "replay exits 0" test $? -eq 0
grep -E "skipped|could not be decoded|newer than this reader|state" "$tmp/rerr" >"$tmp/rbad"
empty rbad "replay says nothing about the state records"
exit $fail
