#!/usr/bin/env bash
# Run the shell-level tests: tests/cli/test_*.sh always, tests/live/test_*.sh
# (real BPF programs in the running kernel, root only) with "all".
# Each test script exits non-zero on failure. Ends with "N passed, N failed".
set -u
mode=${1:-all}
cd "$(dirname "$0")/.."
export OUTPUT=${OUTPUT:-.output}

scripts=(tests/cli/test_*.sh)
if [ "$mode" = all ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "run.sh: error: the live tests load BPF programs and need root (run: sudo make test)" >&2
		exit 1
	fi
	scripts+=(tests/live/test_*.sh)
fi

passed=0 failed=0 failures=()
for t in "${scripts[@]}"; do
	[ -e "$t" ] || continue
	echo "== $t"
	if bash "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$t")
	fi
done
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
