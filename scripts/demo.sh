#!/usr/bin/env bash
# The main job end to end (as root), in seconds: record an attack scenario and
# a loopback HTTP exchange on this host (events, packets, executed binaries),
# replay it through the signatures and the Sigma rules, index it into a case
# database, show the detections, pack an evidence bundle, verify it, and write
# the HTML report. Everything lands in demo/ (or the directory given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
OUTPUT=${OUTPUT:-.output}
out=${1:-demo}
start=$(date +%s%N)
say() { printf '\n\033[1mdemo: %s\033[0m\n' "$*"; }

mkdir -p "$out"
rm -rf "$out/rec" "$out/events.jsonl" "$out/findings.jsonl" "$out/case.db" "$out/case.tar.zst" \
	"$out/report.html"

# The workload: the scenario program performs each behaviour the signatures
# detect, safely (private mount and network namespaces, tmpfs and overlays
# over what it touches); then a copy of true runs from /tmp, and a client
# fetches a page from a server on 127.0.0.1.
port=$(( 20000 + RANDOM % 20000 ))
drop=/tmp/tracee-demo-$$
work="$OUTPUT/scenario >/dev/null
cp /bin/true $drop && $drop; rm -f $drop
python3 -m http.server -b 127.0.0.1 $port -d /usr/share/doc >/dev/null 2>&1 & srv=\$!
for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.2; done
kill \$srv"

say "record: tracee-record --net lo --capture exec -o $out/rec -- (scenario, /tmp exec, HTTP on lo)"
"$OUTPUT/tracee-record" -o "$out/rec" --net lo --capture exec -- /bin/sh -c "$work"

say "replay: Tracee JSON lines, then the findings of the built-in signatures and fixtures/sigma"
"$OUTPUT/tracee-replay" "$out/rec" >"$out/events.jsonl" || [ $? -eq 3 ]
echo "$(wc -l <"$out/events.jsonl") events in $out/events.jsonl"
"$OUTPUT/tracee-replay" --only-findings --sigma fixtures/sigma "$out/rec" >"$out/findings.jsonl" \
	2> >(grep -v '^tracee-replay: warning' >&2) || [ $? -eq 3 ]
jq -r '.metadata.Properties.signatureName' "$out/findings.jsonl" | sort | uniq -c | sort -rn |
	awk '{ n++; f += $1; c = $1; $1 = ""; printf "%s%s%s", (n > 1 ? "," : ""), (n % 4 == 1 ? "\n " : ""), $0 }
	     END { printf "\n%d findings from %d signatures and Sigma rules\n", f, n }'

say "packets: tshark -r $out/rec/net/*.pcap (the HTTP request)"
tshark -r "$out"/rec/net/*.pcap -Y http.request -T fields -e frame.time_epoch -e ip.src -e tcp.srcport \
	-e ip.dst -e tcp.dstport -e http.request.method -e http.request.uri 2>/dev/null | head -3

say "artifacts: executed binaries, by SHA-256"
ls "$out/rec/artifacts" | grep -v '\.' | head -3
echo "... $(ls "$out/rec/artifacts" | grep -vc '\.') artifacts; $(sha256sum /bin/true | cut -c1-16)... is /bin/true"

say "index: tracee-analyze index -o $out/case.db"
"$OUTPUT/tracee-analyze" index -f -o "$out/case.db" "$out/rec" || [ $? -eq 3 ]

say "detections (high severity)"
"$OUTPUT/tracee-analyze" detections --severity high "$out/case.db" | cut -c1-160 | head -12 || [ $? -eq 3 ]

say "bundle and verify: $out/case.tar.zst"
"$OUTPUT/tracee-analyze" bundle --db "$out/case.db" --report -o "$out/case.tar.zst" "$out/rec"
"$OUTPUT/tracee-analyze" verify "$out/case.tar.zst"

say "report: $out/report.html"
"$OUTPUT/tracee-analyze" report -o "$out/report.html" "$out/case.db" || [ $? -eq 3 ]

say "done in $(( ($(date +%s%N) - start) / 1000000 )) ms; try: $OUTPUT/tracee-analyze process-tree $out/case.db PID, or open $out/report.html"
