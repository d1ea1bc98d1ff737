# Sourced by the shell tests (tests/cli, tests/live): the repo root as the
# working directory, the build in $OUTPUT, a scratch directory $tmp removed
# on exit, and one line per check. A test ends with: exit $fail
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUTPUT=${OUTPUT:-.output}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
# check NAME CMD...: passes when CMD succeeds
check() { if "${@:2}"; then ok "$1"; else bad "$1"; fi; }
# run CMD...: exit code in $rc, stdout in $tmp/out, stderr in $tmp/err
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
expect_rc() { [ "$rc" -eq "$1" ] && ok "$2: exits $1" || bad "$2: exits $rc, expected $1"; }
has() { grep -qF -- "$2" "$tmp/$1" && ok "$3" || { bad "$3 (no '$2' in $1)"; sed 's/^/    /' "$tmp/$1" | head -5; }; }
empty() { [ ! -s "$tmp/$1" ] && ok "$2" || { bad "$2 ($1 not empty)"; sed 's/^/    /' "$tmp/$1" | head -5; }; }
lines() { local n; n=$(wc -l <"$tmp/$1"); [ "$n" -eq "$2" ] && ok "$3: $2 lines" || bad "$3: $n lines, expected $2"; }
same() { [ "$1" = "$2" ] && ok "$3" || bad "$3: got '$1', expected '$2'"; }
skip() { echo "skip $*"; }

# retry_on_loss FUNC: for a test whose checks need every event of its own
# workload in a host-wide recording. FUNC ATTEMPT records into
# "$tmp/rec$ATTEMPT" (adding $narrow to the recorder's options) and runs the
# checks. A busy host (another recording's flood, a build) can fill the
# buffers, and the recorder counts what it lost; when a check fails and the
# manifest counts lost events, the attempt is run again, the third time with
# --pid $$ (this test's process tree only, filtered in the kernel, so other
# processes' events cannot crowd the workload's out). A check that fails with
# no loss counted fails at once. Failing still with losses counted, the checks
# are reported as skipped, with the count: the host was too busy to tell.
retry_on_loss() {
	local a lost=0 f
	for a in 1 2 3; do
		narrow=
		[ "$a" -eq 3 ] && narrow="--pid $$"
		fail=0
		"$1" "$a" >"$tmp/attempt$a.out"
		lost=$(jq -r '.lost.total // 0' "$tmp/rec$a/manifest.json" 2>/dev/null)
		lost=${lost:-0}
		if [ "$fail" -eq 0 ] || [ "$lost" -eq 0 ]; then
			cat "$tmp/attempt$a.out"
			return
		fi
		f=$(grep '^FAIL' "$tmp/attempt$a.out" | sed 's/^FAIL //' | paste -sd';')
		echo "note attempt $a${narrow:+ ($narrow)}: $lost events lost on a busy host; failed: $f"
	done
	sed "s/^FAIL \(.*\)/skip \1 (the host was too busy: $lost events lost in each of 3 recordings)/" "$tmp/attempt3.out"
	fail=0
}
