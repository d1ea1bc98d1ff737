#!/usr/bin/env bash
# Live: packets to pcap through TCX. A loopback HTTP exchange (a python
# server and curl, 127.0.0.1 only) recorded with --net lo: tshark finds the
# request in net/lo.pcap, stamped inside the recording's window; each packet
# is there once (lo passes egress and ingress); the manifest lists the pcap
# with its size and SHA-256; curl's connect record names the flow's remote
# end, and its SYN lies inside that connect. DNS is kept whole whatever the
# snap length. Then: no TC hook of ours is left after exit, SIGINT, SIGTERM
# or kill -9, and a pcap cut by kill -9 still opens.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$tmp/www" && echo "hello from the capture test" >"$tmp/www/hello.txt"
python3 -m http.server "$port" --bind 127.0.0.1 -d "$tmp/www" >/dev/null 2>&1 & srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

# Our programs: the ids of sched_cls programs named tr_tc_*, and the TCX
# links (bpftool 7.1 prints their type as 11) that hold them.
our_progs() { bpftool prog show -j | jq -r '.[] | select(.type=="sched_cls" and (.name|startswith("tr_tc_"))) | .id' | sort; }
tcx_links_to() { bpftool link show -j | jq -r --argjson ids "[${1//$'\n'/,}]" \
	'.[] | select((.type==11 or .type=="tcx") and (.prog_id as $p | $ids | index($p))) | .id'; }
before=$(our_progs)

"$rec" -q -o "$tmp/rec" --net lo -- curl -s "http://127.0.0.1:$port/hello.txt" >"$tmp/curl.out" 2>"$tmp/rec.err"
check "record exits 0" test $? -eq 0
check "curl got the page" grep -q "hello from the capture test" "$tmp/curl.out"
check "record writes no error" test ! -s "$tmp/rec.err"
m=$tmp/rec/manifest.json
check "manifest lists net/lo.pcap" test "$(jq -r '.pcaps[0].path' "$m")" = net/lo.pcap
check "manifest has the pcap's SHA-256" \
	test "$(jq -r '.pcaps[0].sha256' "$m")" = "$(sha256sum "$tmp/rec/net/lo.pcap" | cut -d' ' -f1)"
check "manifest has the pcap's size" test "$(jq -r '.pcaps[0].size' "$m")" = "$(stat -c %s "$tmp/rec/net/lo.pcap")"
check "pcap is nanosecond pcap (magic a1b23c4d)" test "$(od -An -tx4 -N4 "$tmp/rec/net/lo.pcap" | tr -d ' ')" = a1b23c4d
check "pcap and its directory are private" test "$(stat -c %a "$tmp/rec/net/lo.pcap") $(stat -c %a "$tmp/rec/net")" = "600 700"

tshark -r "$tmp/rec/net/lo.pcap" -Y "http.request and tcp.dstport==$port" -T fields \
	-e frame.time_epoch -e http.request.uri >"$tmp/req" 2>"$tmp/tshark.err"
check "tshark reads the pcap" test $? -eq 0
check "tshark finds the HTTP request" grep -q "/hello.txt" "$tmp/req"
ns() { local s=${1%%.*} f=${1#*.}; f=${f}000000000; echo $((10#$s * 1000000000 + 10#${f:0:9})); }
t=$(ns "$(head -1 "$tmp/req" | cut -f1)")
off=$(jq '.host.boot_to_wall_ns' "$m")
t0=$(($(jq '.start_boot_ns' "$m") + off)) t1=$(($(jq '.stop_boot_ns' "$m") + off))
check "the request's timestamp lies inside the recording's window" test "$t" -ge "$t0" -a "$t" -le "$t1"
syns=$(tshark -r "$tmp/rec/net/lo.pcap" -Y "tcp.flags.syn==1 and tcp.flags.ack==0 and tcp.dstport==$port" 2>/dev/null | wc -l)
check "lo: each packet once (one SYN, not two)" test "$syns" -eq 1

# The connect record (its remote address) and the pcap flow: the same
# remote end, the SYN sent inside curl's connect (stamped at its return).
python3 tests/live/tr_records.py "$tmp/rec" >"$tmp/records"
conn=$(jq -c --argjson p "$port" 'select(.kind=="connect" and .port==$p)' "$tmp/records" | head -1)
check "curl's connect record names 127.0.0.1:$port" test "$(jq -r .addr <<<"${conn:-null}")" = 127.0.0.1
tshark -r "$tmp/rec/net/lo.pcap" -Y "tcp.flags.syn==1 and tcp.flags.ack==0 and tcp.dstport==$port" -T fields \
	-e frame.time_epoch -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport 2>/dev/null | head -1 >"$tmp/syn"
check "the SYN goes to the connect's address and port" \
	test "$(cut -f4,5 "$tmp/syn")" = "$(printf '127.0.0.1\t%s' "$port")"
syn_t=$(ns "$(cut -f1 "$tmp/syn")")
conn_t=$(( $(jq -r .ts <<<"${conn:-null}" 2>/dev/null || echo 0) + off ))
check "the SYN lies inside the connect (at most 1 s before its return)" \
	test "$syn_t" -le "$conn_t" -a $((conn_t - syn_t)) -lt 1000000000
check "the flow's 5-tuple: the SYN's source is 127.0.0.1 and a port" \
	test "$(cut -f2 "$tmp/syn")" = 127.0.0.1 -a -n "$(cut -f3 "$tmp/syn")"

# Snap length: headers (128 bytes) cuts the HTTP response; a DNS query to
# port 53 on 127.0.0.1 is kept whole (no server needed: the packet is sent).
"$rec" -q -o "$tmp/dns" --net lo -- python3 -c '
import socket
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + b"\x3f" + b"a" * 63 + b"\x3f" + b"b" * 63 + b"\x07example\x00\x00\x01\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(q, ("127.0.0.1", 53))' 2>/dev/null
tshark -r "$tmp/dns/net/lo.pcap" -Y "udp.dstport==53" -T fields -e frame.len -e frame.cap_len >"$tmp/dnslen" 2>/dev/null
check "DNS kept whole past the 128-byte snap length" \
	awk -F'\t' 'NR==1 { exit !($1 > 128 && $1 == $2) }' "$tmp/dnslen"
check "HTTP cut at the snap length" test -n "$(tshark -r "$tmp/rec/net/lo.pcap" -Y "frame.cap_len==128" 2>/dev/null | head -1)"

# No TC hook of ours left behind, whatever ends the recorder.
for how in exit INT TERM KILL; do
	d=$tmp/hook-$how
	if [ $how = exit ]; then
		"$rec" -q -o "$d" --net lo -- sleep 3 & pid=$!
	else
		"$rec" -q -o "$d" --net lo & pid=$!
	fi
	# loading takes a while on a busy machine: wait for the links
	for _ in $(seq 100); do
		during=$(comm -13 <(echo "$before") <(our_progs))
		links=$(tcx_links_to "$during" | wc -l)
		[ "$links" -ge 1 ] && break
		sleep 0.1
	done
	check "$how: TCX link on lo while recording" test "$links" -ge 1
	[ $how = exit ] || kill -$how $pid
	wait $pid 2>/dev/null
	# the kernel frees links and programs in deferred work: give it a moment
	for _ in $(seq 50); do
		[ -z "$(comm -12 <(echo "$during") <(our_progs))" ] && [ -z "$(tcx_links_to "$during")" ] && break
		sleep 0.1
	done
	check "$how: no TCX link of ours left (bpftool link)" test -z "$(tcx_links_to "$during")"
	check "$how: no program of ours left (bpftool prog)" test -z "$(comm -12 <(echo "$during") <(our_progs))"
	check "$how: nothing of ours in bpftool net" test -z "$(bpftool net -j | grep -o 'tr_tc_[a-z]*')"
done

# kill -9 in the middle of traffic: the pcap holds whole packets only.
"$rec" -q -o "$tmp/cut" --net lo & pid=$!
# attached once the pcap exists; the snapshot after it takes a moment more
for _ in $(seq 150); do [ -e "$tmp/cut/net/lo.pcap" ] && break; sleep 0.1; done
sleep 0.5
for _ in $(seq 15); do curl -s -o /dev/null "http://127.0.0.1:$port/hello.txt"; sleep 0.1; done
kill -9 $pid
wait $pid 2>/dev/null
tshark -r "$tmp/cut/net/lo.pcap" >"$tmp/cut.txt" 2>"$tmp/cut.err"
check "kill -9: tshark opens the pcap as it is" test $? -eq 0
check "kill -9: tshark says nothing is cut short" test ! -s "$tmp/cut.err" -o -z "$(grep -iv 'running as user' "$tmp/cut.err")"
check "kill -9: the requests before the kill are in it" test "$(grep -c 'GET /hello.txt' "$tmp/cut.txt")" -ge 5
# A restart on the same interface works (nothing stale in the way).
"$rec" -q -o "$tmp/again" --net lo -- curl -s -o /dev/null "http://127.0.0.1:$port/hello.txt"
check "kill -9 + restart: records again" test "$(tshark -r "$tmp/again/net/lo.pcap" -Y http.request 2>/dev/null | wc -l)" -ge 1

# --net all picks up an interface that comes up while recording: a tun
# device (no link-layer header: raw-IP pcap), sent a few datagrams.
tun=trcap$$
"$rec" -q -o "$tmp/all" --net all -- sh -c "sleep 1; ip tuntap add dev $tun mode tun &&
	ip addr add 169.254.77.1/30 dev $tun && ip link set $tun up && sleep 2 &&
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b\"tr-all\", (\"169.254.77.2\", 9)) for _ in range(5)]';
	sleep 0.5; ip link del $tun" 2>"$tmp/all.err"
ip link del "$tun" 2>/dev/null
check "--net all: lo is captured too" test -f "$tmp/all/net/lo.pcap"
check "--net all: the new interface has its pcap, listed in the manifest" \
	test "$(jq -r --arg p "net/$tun.pcap" '.pcaps[] | select(.path==$p) | .path' "$tmp/all/manifest.json")" = "net/$tun.pcap"
check "--net all: its datagrams are in it (raw IP)" test "$(tshark -r "$tmp/all/net/$tun.pcap" -Y 'udp.dstport==9 and ip.dst==169.254.77.2' 2>/dev/null | wc -l)" -eq 5

# Loss: a flood through a tiny packet buffer (--buffer-pages 4: 4 pages per
# CPU) loses packets; every one is either in the pcap or in a packet gap
# record, and the gap records add up to the recorder's count.
n=100000
"$rec" -o "$tmp/loss" --buffer-pages 4 --net lo -- "$OUTPUT/bench/udpflood" $n >"$tmp/flood.out" 2>"$tmp/loss.err"
fport=$(cut -d' ' -f2 "$tmp/flood.out")
lost=$(sed -n 's/.* packets on .* \([0-9]*\) lost$/\1/p' "$tmp/loss.err")
gaps=$(python3 tests/live/tr_records.py "$tmp/loss" | jq -s '[.[] | select(.kind=="packet_gap") | .lost] | add // 0')
got=$(tshark -r "$tmp/loss/net/lo.pcap" -Y "udp.dstport==${fport:-0}" 2>/dev/null | wc -l)
check "loss: packets were lost (${lost:-?})" test "${lost:-0}" -gt 0
check "loss: packet gap records add up to the count ($gaps = ${lost:-?})" test "$gaps" = "${lost:-x}"
check "loss: captured + lost covers every datagram ($got + $gaps >= $n)" test $((got + gaps)) -ge $n

# Usage errors.
run "$rec" -o "$tmp/x" --net no-such-if0
expect_rc 2 "--net of a missing interface"
has err "no interface 'no-such-if0'" "--net names the missing interface"
run "$rec" -o "$tmp/x" --snaplen lots
expect_rc 2 "--snaplen lots"
exit $fail
