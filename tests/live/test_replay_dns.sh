#!/usr/bin/env bash
# Live: DNS and flows from the recording's pcaps. A tiny resolver on
# 127.0.0.77:53 answers c2.evil.example with 127.0.0.1; the workload asks
# it, then connects to a listener of its own on 127.0.0.1. Recorded with
# --net lo, replay joins the TCP flow to the connecting process by its
# 5-tuple and names the peer from the DNS answer.
. "$(dirname "$0")/../lib.sh"
R="$OUTPUT/tracee-replay"
gcc -O1 -o "$tmp/dnswork" tests/live/dns_workload.c || { bad "cannot build the workload"; exit $fail; }
"$OUTPUT/tracee-record" -q --net lo -o "$tmp/rec" -- "$tmp/dnswork" >"$tmp/port"
check "record exits 0" test $? -eq 0
port=$(cat "$tmp/port")
"$R" -e net_flow_tcp_begin,net_flow_tcp_end "$tmp/rec" 2>/dev/null | jq -c 'select(.processName=="dnswork")' >"$tmp/f.jsonl"
same "$(jq -r --argjson p "$port" 'select(.eventName=="net_flow_tcp_begin" and .args[4].value==$p) | [.args[0].value, .args[2].value, (.args[6].value|join(","))] | @tsv' "$tmp/f.jsonl")" \
	"$(printf 'outgoing\t127.0.0.1\tc2.evil.example')" "the flow's peer is named by the DNS answer"
same "$(jq -r --argjson p "$port" 'select(.eventName=="net_flow_tcp_end" and .args[4].value==$p) | .args[0].value' "$tmp/f.jsonl")" \
	"outgoing" "the flow's end, at the socket's close"
same "$(jq -r 'select(.eventName=="net_flow_tcp_begin") | .hostProcessId' "$tmp/f.jsonl" | sort -u | wc -l)" 1 \
	"joined to the process that connected"
exit $fail
