#!/usr/bin/env bash
# Live: record under load, LOAD_RUNS times (3 by default; the sanitizer pass,
# make asan, runs 20), and require every run to succeed. A busy loop keeps
# the CPUs contended for the whole test, and each recorded workload moves
# thousands of events: an open/close loop (tests/bench/openloop) beside a
# fork/exec storm of /bin/true. Each run's recording is replayed and indexed,
# so the events go through the recorder's drain and segment writer, the
# reader, the merge, the engine, the JSON writer and the indexer; under the
# sanitizer build any finding on that path (UBSan, ASan, leaks) makes the
# program exit non-zero and write its report, and the run fails.
# Per run: the recorder exits 0 and says nothing, the manifest is complete,
# replay and index exit 0 without sanitizer output, and every open and exec
# of the workload is in the replay (or the manifest counts lost events).
. "$(dirname "$0")/../lib.sh"

runs=${LOAD_RUNS:-3}
opens=${LOAD_OPENS:-5000}
execs=${LOAD_EXECS:-200}
openloop=$OUTPUT/bench/openloop
if [ ! -x "$openloop" ]; then
	bad "no $openloop: build it first (make $openloop)"
	exit 1
fi
target=$tmp/target
: >"$target"

# The background load: one busy loop per CPU, until the test exits.
busy=()
for _ in $(seq "$(nproc)"); do
	(while :; do :; done) &
	busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT

sanitizer_said() { grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer' "$1"; }

# one_run N: 0 when run N passes, else 1 with the reason printed.
one_run() {
	local d=$tmp/run$1 why=() lost nopen nexec sh_pid
	mkdir -p "$d"
	"$OUTPUT/tracee-record" -q -o "$d/rec" -- /bin/sh -c \
		'"$1" "$2" "$3" >/dev/null & i=0; while [ $i -lt "$4" ]; do /bin/true; i=$((i + 1)); done; wait' \
		sh "$openloop" "$opens" "$target" "$execs" >"$d/rec.out" 2>"$d/rec.err"
	rc=$?
	[ "$rc" -eq 0 ] || why+=("record exits $rc")
	[ -s "$d/rec.err" ] && why+=("record wrote to stderr")
	[ "$(jq -r .state "$d/rec/manifest.json" 2>/dev/null)" = complete ] || why+=("manifest not complete")

	"$OUTPUT/tracee-replay" "$d/rec" >"$d/out.jsonl" 2>"$d/replay.err"
	rc=$?
	[ "$rc" -eq 0 ] || why+=("replay exits $rc")
	sanitizer_said "$d/replay.err" && why+=("replay: sanitizer report")
	"$OUTPUT/tracee-analyze" index -o "$d/case.db" "$d/rec" >/dev/null 2>"$d/index.err"
	rc=$?
	[ "$rc" -eq 0 ] || why+=("index exits $rc")
	sanitizer_said "$d/index.err" && why+=("index: sanitizer report")

	lost=$(jq -r '.lost.total // 0' "$d/rec/manifest.json" 2>/dev/null)
	nopen=$(jq -c --arg p "$target" 'select(.eventName=="openat" and .processName=="openloop" and
		.args[1].value==$p and .returnValue>=0)' "$d/out.jsonl" | wc -l)
	# the workload's sh (its argv names $target), and the execs it made:
	# other tests on the host may run /bin/true too
	sh_pid=$(jq -r --arg t "$target" 'select(.eventName=="execve" and .returnValue==0 and
		(.args[1].value|tostring|contains($t))) | .hostProcessId' "$d/out.jsonl" | head -1)
	nexec=$(jq -c --argjson p "${sh_pid:-0}" 'select(.eventName=="execve" and .returnValue==0 and
		.args[0].value=="/bin/true" and .hostParentProcessId==$p)' "$d/out.jsonl" | wc -l)
	# Every open and exec is there, unless the kernel dropped events; then
	# at most the dropped number is missing.
	[ "$nopen" -le "$opens" ] && [ $((nopen + ${lost:-0})) -ge "$opens" ] ||
		why+=("$nopen of $opens opens replayed, $lost lost")
	[ "$nexec" -le "$execs" ] && [ $((nexec + ${lost:-0})) -ge "$execs" ] ||
		why+=("$nexec of $execs execs replayed, $lost lost")
	events=$(wc -l <"$d/out.jsonl")

	if [ "${#why[@]}" -eq 0 ]; then
		echo "     run $1: $events events ($nopen opens, $nexec execs of the workload, $lost lost)"
		rm -rf "$d"
		return 0
	fi
	echo "     run $1: $(IFS=';'; echo "${why[*]}")"
	cat "$d/rec.err" "$d/replay.err" "$d/index.err" 2>/dev/null | grep -m8 -E . | sed 's/^/       /'
	return 1
}

failures=0
for i in $(seq "$runs"); do
	one_run "$i" || failures=$((failures + 1))
done
check "$runs recordings under load, $failures failed" test "$failures" -eq 0
exit $fail
