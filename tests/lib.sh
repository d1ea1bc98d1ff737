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
