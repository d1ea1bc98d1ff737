#!/usr/bin/env bash
# Live: executed and written files as artifacts (--capture exec, --capture
# write=PREFIX). The executed binary is copied, named by its SHA-256 and
# tied by an artifact record to its exec event and process; a script
# written to /tmp, run and deleted is recovered byte-identical, also when
# deleted while it runs; a memfd exec is captured; --artifact-max-size
# bounds what is copied, and a skip is recorded, not silent.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record
records() { python3 tests/live/tr_records.py "$1"; }
sleep_sha=$(sha256sum "$(readlink -f /usr/bin/sleep)" | cut -d' ' -f1)

# exec: a copy of sleep made unique (bytes appended: no other file on the
# host has its hash) runs until its artifact is stored, so it is read through
# /proc/PID/exe however late a busy host lets the recorder's worker come to
# it (under load the worker can be seconds behind); then it is ended.
mkdir -p "$tmp/bin"
cp /usr/bin/sleep "$tmp/bin/sleep"
printf 'tr-capture-test %s %s\n' "$$" "$RANDOM$RANDOM" >>"$tmp/bin/sleep"
mine=$tmp/bin/sleep
mine_sha=$(sha256sum "$mine" | cut -d' ' -f1)
"$rec" -o "$tmp/ex" --capture exec -- "$mine" 60.01 2>"$tmp/ex.err" & rp=$!
for _ in $(seq 1200); do [ -e "$tmp/ex/artifacts/$mine_sha" ] && break; sleep 0.1; done
pkill -P $rp -x sleep
wait $rp
check "exec: record exits 0" test $? -eq 0
check "exec: no error" test -z "$(grep -i 'error\|warning' "$tmp/ex.err")"
# exec notes (bpf/artifact.bpf.c) open executables as they run
used=$(sed -n 's/.* \([0-9]*\) of them used$/\1/p' "$tmp/ex.err")
check "exec: executables opened at exec time and used (${used:-?})" test "${used:-0}" -ge 1
records "$tmp/ex" >"$tmp/ex.rec"
# the workload's sleep, by its argv
"$OUTPUT/tracee-replay" "$tmp/ex" >"$tmp/ex.jsonl" 2>/dev/null
ev=$(jq -c --arg m "$mine" 'select(.eventName=="sched_process_exec" and (.args|map(select(.name=="argv"))[0].value==[$m,"60.01"]))' "$tmp/ex.jsonl" | head -1)
check "exec: the workload's exec event" test -n "$ev"
a=$(jq -c --argjson p "$(jq -r .hostProcessId <<<"${ev:-null}")" \
	'select(.kind=="artifact" and .source==1 and .pid==$p)' "$tmp/ex.rec" | head -1)
check "exec: an artifact record for its process" test -n "$a"
check "exec: the artifact's SHA-256 is sha256sum's" test "$(jq -r .sha256 <<<"${a:-null}")" = "$mine_sha"
check "exec: artifacts/<sha256> holds the binary" cmp -s "$tmp/ex/artifacts/$mine_sha" "$mine"
check "exec: read through /proc/PID/exe, not by path, not skipped, not a duplicate" test "$(jq -r '.flags' <<<"${a:-null}")" = 0
check "exec: the record names the binary" test "$(jq -r '.path' <<<"${a:-null}")" = "$(readlink -f "$mine")"
check "exec: the manifest lists the artifact with its hash" \
	test "$(jq -r --arg s "$mine_sha" '.artifacts[] | select(.sha256==$s) | .path' "$tmp/ex/manifest.json")" = "artifacts/$mine_sha"
check "exec: the artifact is private" test "$(stat -c %a "$tmp/ex/artifacts/$mine_sha" "$tmp/ex/artifacts" | tr '\n' ' ')" = "600 700 "
off=$(jq '.host.boot_to_wall_ns' "$tmp/ex/manifest.json")
# (jq holds numbers as doubles: 256 ns steps at today's wall-clock ns)
check "exec: the record points at the exec event's time" \
	jq -e -n --argjson t "$(jq -r .timestamp <<<"${ev:-null}")" --argjson e "$(( $(jq -r .event_ts <<<"${a:-null}") + off ))" \
	'($t - $e) | fabs < 1000' >/dev/null

# A script dropped in /tmp, run and deleted: written (captured on close),
# executed (the script itself, beside its interpreter), deleted.
drop=$tmp/drop
mkdir -p "$drop"
script=$(printf '#!/bin/sh\n# dropped %s\necho dropped\nsleep 1\n' "$RANDOM$RANDOM")
"$rec" -q -o "$tmp/wr" --capture exec --capture "write=$drop/" -- /bin/sh -c \
	"printf '%s\n' '$script' >$drop/x.sh; chmod +x $drop/x.sh; $drop/x.sh >/dev/null; rm $drop/x.sh" 2>"$tmp/wr.err"
printf '%s\n' "$script" >"$tmp/want.sh"
want=$(sha256sum "$tmp/want.sh" | cut -d' ' -f1)
check "dropped script: gone from the disk" test ! -e "$drop/x.sh"
check "dropped script: recovered byte-identical" cmp -s "$tmp/wr/artifacts/$want" "$tmp/want.sh"
records "$tmp/wr" >"$tmp/wr.rec"
check "dropped script: a write artifact record names it" test -n "$(jq -c --arg s "$want" --arg p "$drop/x.sh" \
	'select(.kind=="artifact" and .source==3 and .sha256==$s and .path==$p)' "$tmp/wr.rec")"
check "dropped script: an exec artifact record for the script" test -n "$(jq -c --arg s "$want" \
	'select(.kind=="artifact" and .source==2 and .sha256==$s)' "$tmp/wr.rec")"
check "dropped script: stored once (deduplicated)" \
	test "$(jq -r --arg s "$want" '[.artifacts[] | select(.sha256==$s)] | length' "$tmp/wr/manifest.json")" = 1

# Written by a relative path (cd into the prefix first): captured too, and
# nothing outside the prefix is.
"$rec" -q -o "$tmp/rel" --capture "write=$drop/" -- /bin/sh -c \
	"cd $drop && printf 'relative %s\n' $RANDOM >r.txt && printf 'outside\n' >$tmp/outside.txt" 2>/dev/null
check "relative write: recovered byte-identical" \
	cmp -s "$tmp/rel/artifacts/$(sha256sum "$drop/r.txt" | cut -d' ' -f1)" "$drop/r.txt"
check "relative write: the record has its absolute path" test -n "$(records "$tmp/rel" | jq -c --arg p "$drop/r.txt" \
	'select(.kind=="artifact" and .source==3 and .path==$p)')"
check "write outside the prefix: not captured" \
	test ! -e "$tmp/rel/artifacts/$(sha256sum "$tmp/outside.txt" | cut -d' ' -f1)"

# Deleted while it runs, and never seen being written: the interpreter's
# open file is where it is read from.
printf '#!/bin/sh\n# running %s\nsleep 1.5\n' "$RANDOM$RANDOM" >"$drop/y.sh"
chmod +x "$drop/y.sh"
cp "$drop/y.sh" "$tmp/want-y.sh"
"$rec" -q -o "$tmp/run" --capture exec -- /bin/sh -c "$drop/y.sh & sleep 0.7; rm $drop/y.sh; wait" 2>/dev/null
check "deleted while running: recovered byte-identical" \
	cmp -s "$tmp/run/artifacts/$(sha256sum "$tmp/want-y.sh" | cut -d' ' -f1)" "$tmp/want-y.sh"

# A memfd exec: no file on any disk.
"$rec" -q -o "$tmp/memfd" --capture exec -- python3 -c '
import os
fd = os.memfd_create("tr-memfd-test", 0)
with open("/usr/bin/sleep", "rb") as f:
    os.write(fd, f.read())
os.execve("/proc/self/fd/%d" % fd, ["memfd-sleep", "1"], {})' 2>/dev/null
records "$tmp/memfd" >"$tmp/memfd.rec"
m=$(jq -c 'select(.kind=="artifact" and .source==1 and (.path|startswith("/memfd:tr-memfd-test")))' "$tmp/memfd.rec" | head -1)
check "memfd exec: an artifact record for /memfd:tr-memfd-test" test -n "$m"
check "memfd exec: its content is the binary that ran" test "$(jq -r .sha256 <<<"${m:-null}")" = "$sleep_sha"
check "memfd exec: stored" cmp -s "$tmp/memfd/artifacts/$sleep_sha" /usr/bin/sleep

# Bounded: a binary over --artifact-max-size is recorded as skipped, not copied.
"$rec" -q -o "$tmp/big" --capture exec --artifact-max-size 1K -- /usr/bin/sleep 1 2>/dev/null
records "$tmp/big" >"$tmp/big.rec"
b=$(jq -c 'select(.kind=="artifact" and .source==1 and (.path|endswith("/sleep")))' "$tmp/big.rec" | head -1)
check "max size: the skip is recorded (TR_ARTF_TOO_BIG) with the file's size" \
	test "$(jq -r '"\(.flags % 2) \(.size)"' <<<"${b:-null}")" = "1 $(stat -L -c %s /usr/bin/sleep)"
check "max size: nothing over 1K stored" test -z "$(find "$tmp/big/artifacts" -type f -size +1k)"

run "$rec" -o "$tmp/x" --capture nothing
expect_rc 2 "--capture nothing"
has err "is not exec, write, write=/ABSOLUTE/PREFIX, env or env=VAR,..." "--capture says what it takes"
run "$rec" -o "$tmp/x" --artifact-max-size 0
expect_rc 2 "--artifact-max-size 0"
exit $fail
