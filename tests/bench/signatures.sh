#!/usr/bin/env bash
# Signature throughput (make bench-signatures): events per second through
# every built-in signature and ~150 Sigma rules, on one core.
#
# 1. sigbench: decoded events (a host-like mix) straight into the engine,
#    CPU time; reference: the same loop through an empty signature set.
# 2. tracee-replay end to end on a synthetic recording (gen_recording
#    --events N): -F with every built-in and the 150 rules against a plain
#    replay of the same recording (events printed), wall time, pinned to
#    one CPU with taskset.
# Rounds are interleaved (reference, measured, reference, ...); the median
# of ROUNDS (default 3) is quoted with min and max. Bar: >= 1M events/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-.output}
ROUNDS=${1:-3}
N=${EVENTS:-2000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ~150 Sigma rules: the fixtures again and again under new ids and titles
rules=$tmp/sigma
mkdir -p "$rules"
i=0
while [ $i -lt 150 ]; do
	for f in $(find fixtures/sigma -name '*.yml' | sort); do
		[ $i -lt 150 ] || break
		sed -e "s/^id: \(.*\)/id: \1-v$i/" -e "s/^title: \(.*\)/title: \1 (variant $i)/" "$f" >"$rules/r$i.yml"
		i=$((i + 1))
	done
done
nrules=$(ls "$rules" | wc -l)

median() { sort -n | awk '{a[NR]=$1} END {printf "%.0f (min %.0f, max %.0f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
rate() { sed -n 's/.*: \([0-9]*\) events\/s.*/\1/p'; }

echo "== engine: $N decoded events, $nrules Sigma rules, CPU time"
for r in $(seq "$ROUNDS"); do
	taskset -c 0 "$OUTPUT/bench/sigbench" --events "$N" --none | rate >>"$tmp/none"
	taskset -c 0 "$OUTPUT/bench/sigbench" --events "$N" | rate >>"$tmp/builtin"
	taskset -c 0 "$OUTPUT/bench/sigbench" --events "$N" --sigma "$rules" | tee "$tmp/last" | rate >>"$tmp/all"
	taskset -c 0 "$OUTPUT/bench/sigbench" --events "$N" --none --selected | rate >>"$tmp/snone"
	taskset -c 0 "$OUTPUT/bench/sigbench" --events "$N" --sigma "$rules" --selected | rate >>"$tmp/sall"
done
echo "reference (no signatures):         $(median <"$tmp/none") events/s"
echo "every built-in signature:          $(median <"$tmp/builtin") events/s"
echo "built-ins + $nrules Sigma rules:       $(median <"$tmp/all") events/s   [$(cat "$tmp/last")]"
echo "selected-events mix (1 exec in 10), reference: $(median <"$tmp/snone") events/s"
echo "selected-events mix, built-ins + $nrules rules: $(median <"$tmp/sall") events/s"

echo "== tracee-replay end to end: gen_recording --events $N, one CPU, wall time"
"$OUTPUT/gen_recording" --events "$N" "$tmp/rec" >/dev/null
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$N / ($e - $s)" | bc -l; }
for r in $(seq "$ROUNDS"); do
	t taskset -c 0 "$OUTPUT/tracee-replay" "$tmp/rec" >>"$tmp/plain"
	t taskset -c 0 "$OUTPUT/tracee-replay" -F --signatures TRR-1001 "$tmp/rec" >>"$tmp/one"
	t taskset -c 0 "$OUTPUT/tracee-replay" -F "$tmp/rec" >>"$tmp/builtins"
	t taskset -c 0 "$OUTPUT/tracee-replay" -F --sigma "$rules" "$tmp/rec" >>"$tmp/sigs"
done
echo "replay, events printed (reference): $(median <"$tmp/plain") events/s"
echo "replay -F, one exec signature:      $(median <"$tmp/one") events/s (no derived events needed)"
echo "replay -F, every built-in:          $(median <"$tmp/builtins") events/s"
echo "replay -F, built-ins + $nrules rules:  $(median <"$tmp/sigs") events/s"
