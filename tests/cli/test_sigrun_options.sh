#!/usr/bin/env bash
# The signature options (--signatures, --signatures-dir, --sigma,
# --exceptions, --except) are one parser (tr_sigrun__option,
# replay/sigrun.c) behind tracee-replay, tracee-analyze index and
# tracee-analyze export: each takes all five, says the same thing about
# too many of one, and hands them to the same loader.
. "$(dirname "$0")/../lib.sh"
R="$OUTPUT/tracee-replay"
A="$OUTPUT/tracee-analyze"
rec=fixtures/basic
many=()
for i in $(seq 65); do many+=(--except "signature=TRR-1001 comm=x$i"); done
ch=(--clickhouse http://127.0.0.1:1)

# too many of one option: a usage error naming the option, in each tool
run "$R" "${many[@]}" "$rec"
expect_rc 2 "replay: 65 --except"
has err "tracee-replay: error: too many --except options" "replay: too many --except named"
run "$A" index "${many[@]}" -o "$tmp/x.db" "$rec"
expect_rc 2 "index: 65 --except"
has err "tracee-analyze: error: too many --except options" "index: too many --except named"
run "$A" export "${ch[@]}" "${many[@]}" "$rec"
expect_rc 2 "export: 65 --except"
has err "tracee-analyze: error: export: too many --except options" "export: too many --except named"
sig=()
for i in $(seq 65); do sig+=(--sigma fixtures/sigma); done
run "$R" "${sig[@]}" "$rec"
has err "too many --sigma options" "replay: too many --sigma named"
run "$A" index "${sig[@]}" -o "$tmp/x.db" "$rec"
has err "too many --sigma options" "index: too many --sigma named"

# 64 are fine
run "$R" -F "${many[@]:0:128}" "$rec"
expect_rc 0 "replay: 64 --except"

# each option reaches the loader, in every tool: an unknown signature in
# the selection, a missing plugin directory, an exceptions file that is not
# there (export fails on them before it connects)
for t in replay index export; do
	case $t in
	replay) cmd=("$R" -F) ;;
	index) cmd=("$A" index -o "$tmp/$t.db") ;;
	export) cmd=("$A" export "${ch[@]}") ;;
	esac
	run "${cmd[@]}" --signatures TRR-NOSUCH "$rec"
	has err "no signature with id or name 'TRR-NOSUCH'" "$t: --signatures reaches the selection"
	run "${cmd[@]}" --signatures-dir "$tmp/nodir" "$rec"
	has err "--signatures-dir: " "$t: --signatures-dir reaches the plugin loader"
	run "${cmd[@]}" --exceptions "$tmp/noexc" "$rec"
	has err "$tmp/noexc" "$t: --exceptions reaches the exceptions loader"
	run "${cmd[@]}" --except 'nosuchkey=1' "$rec"
	check "$t: --except reaches the exceptions parser (exit $rc)" [ "$rc" -ne 0 ]
done

# --signatures, --signatures-dir and --sigma imply -f in replay; the
# exceptions do not
run "$R" --signatures TRR-1001 "$rec"
check "replay: --signatures implies -f" grep -q '"signatureID"' "$tmp/out"
run "$R" --sigma fixtures/sigma "$rec"
check "replay: --sigma implies -f" grep -q '"signatureID"' "$tmp/out"
run "$R" --except 'signature=TRR-1001' "$rec"
check "replay: --except alone prints no findings" bash -c "! grep -q '\"signatureID\"' '$tmp/out'"
exit $fail
