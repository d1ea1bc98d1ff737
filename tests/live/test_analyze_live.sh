#!/usr/bin/env bash
# Live: record a real shell workload (a copy of true run from a temp
# directory, files written, a refused connect to a free port of 127.0.0.1),
# index it with every event, and ask the canned questions; then a second
# host's recording (a copy whose manifest names another host: the recorder
# has no hostname override) in the same database answers a cross-host query.
. "$(dirname "$0")/../lib.sh"
A=$OUTPUT/tracee-analyze
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
w=$tmp/work
mkdir -p "$w"
# A port of 127.0.0.1 nothing listens on, this run's own (a fixed one could
# meet another run's connect in the host-wide recording), and a loopback
# address of its own for the DNS workload's server (port 53 is fixed).
cport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dnsaddr=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
# bash's /dev/tcp does a real connect(2); nothing listens, so it is refused.
"$OUTPUT/tracee-record" -q -o "$tmp/rec" --capture exec --net lo -- /bin/bash -c "
	cp /bin/true $w/payload && $w/payload
	echo secret >$w/notes.txt
	cat $w/notes.txt >/dev/null
	(exec 3<>/dev/tcp/127.0.0.1/$cport) 2>/dev/null
	true" >/dev/null 2>"$tmp/rec.err"
check "record exits 0" test $? -eq 0
db=$tmp/case.db
run "$A" index -o "$db" "$tmp/rec"
check "index exits 0 or 3" test "$rc" -eq 0 -o "$rc" -eq 3
payload_pid=$(sqlite3 "$db" "SELECT host_pid FROM processes WHERE exe = '$w/payload'")
check "the payload process is in the database" test -n "$payload_pid"
same "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE host_pid = $payload_pid AND event_name = 'sched_process_exec'")" 1 \
	"every event stored: the payload's exec"

# artifacts: the payload's binary, tied to its process and its exec event
same "$(sqlite3 "$db" "SELECT a.sha256 || ' ' || a.stored || ' ' || p.host_pid || ' ' || e.event_name FROM artifacts a
	JOIN processes p ON p.id = a.process_id JOIN events e ON e.id = (a.recording_id << 40) + a.event_ordinal
	WHERE a.path = '$w/payload'")" \
	"$(sha256sum /bin/true | cut -d' ' -f1) artifacts/$(sha256sum /bin/true | cut -d' ' -f1) $payload_pid sched_process_exec" \
	"artifact of the payload with its hash, process and exec event"

# detections: the exec from a temp directory, with its process and event
run "$A" detections -j --signature TRR-1001 "$db"
check "detections exits 0 or 3" test "$rc" -eq 0 -o "$rc" -eq 3
same "$(jq -r 'select(.exe == "'"$w/payload"'") | "\(.pid) \(.event)"' "$tmp/out" | head -1)" \
	"$payload_pid sched_process_exec" "detection of the payload with its process and triggering event"
ord=$(jq -r 'select(.exe == "'"$w/payload"'") | .ordinal' "$tmp/out" | head -1)
same "$(sqlite3 "$db" "SELECT event_name || ' ' || host_pid FROM events WHERE ordinal = ${ord:-0}")" \
	"sched_process_exec $payload_pid" "the detection's ordinal is its event's row"
run "$A" detections --severity high "$db"
check "detections --severity high leaves out the medium one" sh -c "! grep -q '$w/payload' '$tmp/out'"

# file: who wrote notes.txt, who read it
run "$A" file -j "$db" "$w/notes.txt"
same "$(jq -r '"\(.how) \(.exe | split("/") | last)"' "$tmp/out" | sort -u | tr '\n' ' ')" "open cat write bash " \
	"file: bash wrote notes.txt, cat read it"
run "$A" file -j "$db" "$w/*.txt"
check "file with a glob finds notes.txt" grep -q "$w/notes.txt" "$tmp/out"

# ip: which process connected to 127.0.0.1:$cport
run "$A" ip -j "$db" 127.0.0.1
same "$(jq -r --argjson p "$cport" 'select(.port == $p) | "\(.direction) \(.exe | split("/") | last)"' "$tmp/out" | sort -u)" "out bash" \
	"ip: bash connected to 127.0.0.1:$cport"
# the flow's local end, protocol, bytes and packets from the pcap, as tshark reads it
flow=$(sqlite3 "$db" "SELECT proto, src_port, bytes_out, bytes_in, packets FROM flows WHERE dst_port = $cport AND dst_addr = '127.0.0.1'")
sport=$(cut -d'|' -f2 <<<"$flow")
out_bytes=$(tshark -r "$tmp/rec/net/lo.pcap" -Y "tcp.srcport == ${sport:-0} && tcp.dstport == $cport" -T fields -e frame.len 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
in_bytes=$(tshark -r "$tmp/rec/net/lo.pcap" -Y "tcp.dstport == ${sport:-0} && tcp.srcport == $cport" -T fields -e frame.len 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
n=$(tshark -r "$tmp/rec/net/lo.pcap" -Y "tcp.port == ${sport:-0} && tcp.port == $cport" 2>/dev/null | wc -l)
same "$flow" "tcp|$sport|$out_bytes|$in_bytes|$n" "flow from the pcap: tcp, local port, bytes each way and packets as tshark counts them"
check "the refused connect: a SYN out and a RST back" test "${n:-0}" -ge 2
run "$A" ip -j "$db" 127.0.0.0/8
check "ip with a CIDR finds it too" grep -q "\"port\":$cport" "$tmp/out"
run "$A" ip -j "$db" 10.0.0.0/8
check "ip of another network finds nothing" test ! -s "$tmp/out"

# process-tree: the payload's ancestors up to the recorded bash
run "$A" process-tree -j "$db" "$payload_pid"
same "$(jq -r 'select(.role == "match") | .process' "$tmp/out" | sed 's/^[ \\_]*//')" "$w/payload" "process-tree: the match"
check "process-tree: bash is an ancestor" test -n "$(jq -r 'select(.role == "ancestor" and (.process | endswith("/bash")))' "$tmp/out")"
check "process-tree: the match shows its detection" test -n "$(jq -r 'select(.role == "match" and (.detections // "" | contains("TRR-1001")))' "$tmp/out")"
bash_ent=$(jq -r 'select(.role == "ancestor" and (.process | endswith("/bash"))) | .entity_id' "$tmp/out" | tail -1)
run "$A" process-tree -j "$db" "$bash_ent"
check "process-tree by entity id: the payload is a descendant" \
	test -n "$(jq -r 'select(.role == "descendant" and (.process | endswith("/payload")))' "$tmp/out")"
check "process-tree by entity id: the connect shows in the flows of bash or its subshell" \
	test -n "$(jq -r --arg f "127.0.0.1:$cport" 'select(.role != "ancestor" and (.flows // "" | contains($f)))' "$tmp/out")"

# timeline and summary
run "$A" timeline -j "$db"
check "timeline has the detection" test -n "$(jq -r 'select(.kind == "detection" and (.what | startswith("TRR-1001")))' "$tmp/out")"
check "timeline has the connect" test -n "$(jq -r --arg f "127.0.0.1:$cport" 'select(.kind == "flow" and .detail == $f)' "$tmp/out")"
check "timeline is in time order" test "$(jq -r .time "$tmp/out" | sort -c && echo sorted)" = sorted
run "$A" summary -j "$db"
same "$(jq -r '"\(.recording) \(.host) \(.detections_medium >= 1)"' "$tmp/out")" "1 $(hostname) true" "summary"

# A second host: a copy of the recording whose manifest names another host.
cp -a "$tmp/rec" "$tmp/rec2"
# (sed, not jq: jq would round the manifest's 19-digit integers)
sed '0,/"hostname": *"[^"]*"/s||"hostname": "other-host"|' "$tmp/rec/manifest.json" >"$tmp/rec2/manifest.json"
same "$(jq -r .host.hostname "$tmp/rec2/manifest.json")" other-host "the copy names another host"
run "$A" index -o "$db" "$tmp/rec2"
has out "recording 2:" "the other host's recording is added as recording 2"
run "$A" ip -j "$db" 127.0.0.1
same "$(jq -r --argjson p "$cport" 'select(.port == $p) | .host' "$tmp/out" | sort -u | tr '\n' ' ')" "$(printf '%s\n' "$(hostname)" other-host | sort | tr '\n' ' ')" \
	"cross-host: both hosts' connects to 127.0.0.1:$cport"
run "$A" detections -j --host other-host "$db"
same "$(jq -r .host "$tmp/out" | sort -u)" "other-host" "detections --host keeps one host"
same "$(sqlite3 "$db" "SELECT count(DISTINCT entity_id) = count(*) FROM processes")" 1 "entity ids differ across hosts"
# DNS names: an answer in the pcap names the address a flow went to
"$OUTPUT/tracee-record" -q -o "$tmp/dnsrec" --net lo -- python3 tests/live/analyze_dns.py "$dnsaddr" "$cport" >/dev/null 2>&1
check "record of the DNS workload exits 0" test $? -eq 0
"$A" index -o "$tmp/dns.db" "$tmp/dnsrec" >/dev/null 2>&1
run "$A" ip -j "$tmp/dns.db" 127.0.0.1
same "$(jq -r --argjson p "$cport" 'select(.port == $p) | "\(.dns_name) \(.process)"' "$tmp/out")" "c2.example python3" \
	"ip: the flow's DNS name from the answer in the pcap"

# and indexing the first again changes nothing
before=$(sqlite3 "$db" "SELECT count(*), sum(id) FROM events")
run "$A" index -o "$db" "$tmp/rec"
has out "recording 1 (replaced)" "re-index replaces"
same "$(sqlite3 "$db" "SELECT count(*), sum(id) FROM events")" "$before" "re-index: same rows"
exit $fail
