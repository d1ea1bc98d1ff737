#!/usr/bin/env bash
# CLI tests of tracee-replay on synthetic recordings from gen_recording:
# output, exit codes and diagnostics, one line per check.
. "$(dirname "$0")/../lib.sh"
REPLAY=$OUTPUT/tracee-replay
GEN=$OUTPUT/gen_recording
for b in "$REPLAY" "$GEN"; do
	[ -x "$b" ] || { echo "FAIL $b is missing (run: make all $GEN)"; exit 1; }
done

"$GEN" "$tmp/rec" || { echo "FAIL gen_recording"; exit 1; }

# help and usage
run "$REPLAY" --help
expect_rc 0 "--help"
has out "USAGE: tracee-replay" "--help shows USAGE"
has out "EXAMPLES:" "--help shows EXAMPLES"
empty err "--help is quiet on stderr"
run "$REPLAY"
expect_rc 2 "no DIR"
has err "tracee-replay: error: no recording directory given" "no DIR says so"
run "$REPLAY" --bogus "$tmp/rec"
expect_rc 2 "unknown option"
run "$REPLAY" "$tmp/rec" "$tmp/rec"
expect_rc 2 "two DIRs"
run "$REPLAY" --version
expect_rc 0 "--version"
has out "tracee-replay " "--version prints the version"

# errors name the file
run "$REPLAY" "$tmp/nowhere"
expect_rc 1 "missing DIR"
has err "tracee-replay: error: $tmp/nowhere: cannot open: No such file or directory" "missing DIR is named"
empty out "missing DIR prints no events"
run "$REPLAY" "$tmp/rec/manifest.json"
expect_rc 1 "a file as DIR"
has err "manifest.json: not a directory" "a file as DIR is named"
run "$REPLAY" "$tmp"
expect_rc 1 "a directory that is no recording"
has err "$tmp: not a recording" "no recording says so"

# a clean replay
run "$REPLAY" "$tmp/rec"
expect_rc 0 "replay"
lines out 18 "replay prints every event"
cp "$tmp/out" "$tmp/events.jsonl"
if jq -e . "$tmp/out" >/dev/null 2>&1; then ok "every line is JSON"; else bad "a line is not JSON"; fi
has err "tracee-replay: warning: the recording lost 12 events (1 gap record, shown as lost_events)" "loss is summarised"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "no other diagnostics" || bad "unexpected diagnostics: $(cat "$tmp/err")"
keys=$(head -1 "$tmp/out" | jq -c keys_unsorted)
want='["timestamp","threadStartTime","processorId","processId","cgroupId","threadId","parentProcessId","hostProcessId","hostThreadId","hostParentProcessId","userId","euid","fsuid","mountNamespace","pidNamespace","processName","executable","hostName","containerId","eventId","eventName","argsNum","returnValue","syscall","threadEntityId","processEntityId","parentEntityId","args"]'
[ "$keys" = "$want" ] && ok "fields in Tracee's order (with our euid, fsuid after userId, entity ids before args)" || bad "fields: $keys"
names=$(jq -r .eventName "$tmp/out" | tr '\n' ' ')
want="sched_process_fork sched_process_exec execve connect openat openat lost_events sched_process_exit sched_process_fork sched_process_exec execve openat openat sched_process_fork execve sched_process_exec execve sched_process_exit "
[ "$names" = "$want" ] && ok "events in merge order, execve after its return value" || bad "order: $names"
[ "$(jq -r 'select(.eventName=="execve") | .returnValue' "$tmp/out" | tr '\n' ' ')" = "0 0 -2 0 " ] \
	&& ok "execve return values paired" || bad "execve return values: $(jq -r 'select(.eventName=="execve") | .returnValue' "$tmp/out" | tr '\n' ' ')"
[ "$(jq -r 'select(.eventName=="connect") | .args[1].value | "\(.sa_family) \(.sin_addr):\(.sin_port)"' "$tmp/out")" = "AF_INET 203.0.113.7:80" ] \
	&& ok "sockaddr decoded" || bad "sockaddr"
has out '"value":"/etc/shad\\xffw\\\\\u0001"' "bytes escaped reversibly (\\xff, backslash, control)"
[ "$(jq -r 'select(.hostProcessId==201 and .eventName=="openat") | .executable.path' "$tmp/out")" = "/tmp/payload" ] \
	&& ok "executable from the process tree (relative exec resolved)" || bad "executable.path of pid 201"
[ "$(jq -r 'select(.eventName=="lost_events") | "\(.processorId) \(.args[1].value)"' "$tmp/out")" = "3 12" ] \
	&& ok "gap shown as lost_events" || bad "gap line"

# determinism, here and from another path
run "$REPLAY" -f "$tmp/rec"
cp "$tmp/out" "$tmp/one"
cp -r "$tmp/rec" "$tmp/elsewhere"
run "$REPLAY" -f "$tmp/elsewhere"
cmp -s "$tmp/one" "$tmp/out" && ok "two replays are byte-identical" || bad "two replays differ"

# findings
run "$REPLAY" --findings "$tmp/rec"
expect_rc 0 "--findings"
lines out 19 "--findings adds one finding"
[ "$(jq -r .eventName "$tmp/out" | grep -n exec_from_temp_dir | cut -d: -f1)" = 11 ] \
	&& ok "finding follows its event" || bad "finding is not line 11"
run "$REPLAY" --only-findings "$tmp/rec"
expect_rc 0 "--only-findings"
lines out 1 "--only-findings prints findings only"
[ "$(jq -r '"\(.metadata.Properties.signatureID) \(.args[0].value) \(.args[3].value.ordinal) \(.args[3].value.segment)"' "$tmp/out")" \
	= "TRR-1001 /tmp/payload 10 events/seg-000001.zst" ] && ok "finding names signature, path and evidence" \
	|| bad "finding: $(cat "$tmp/out")"
[ "$(sed -n 10p "$tmp/events.jsonl" | jq -r .eventName)" = sched_process_exec ] \
	&& ok "finding's ordinal is the event's line" || bad "ordinal 10 is not the exec"

# -o FILE
run "$REPLAY" -o "$tmp/out.jsonl" "$tmp/rec"
expect_rc 0 "-o FILE"
empty out "-o FILE leaves stdout empty"
cmp -s "$tmp/out.jsonl" "$tmp/events.jsonl" && ok "-o FILE has the events" || bad "-o FILE content differs"
[ "$(stat -c %a "$tmp/out.jsonl")" = 600 ] && ok "-o FILE is mode 0600" || bad "-o FILE mode $(stat -c %a "$tmp/out.jsonl")"
run "$REPLAY" -o "$tmp/no/such/file" "$tmp/rec"
expect_rc 1 "-o into a missing directory"
has err "tracee-replay: error: $tmp/no/such/file: cannot create: No such file or directory" "-o error names the file"

# damage: reported with file and offset, the rest replays
"$GEN" --damage "$tmp/damaged" || bad "gen_recording --damage"
run "$REPLAY" "$tmp/damaged"
expect_rc 3 "damaged recording"
grep -qE "^tracee-replay: warning: $tmp/damaged/events/seg-000000.zst: offset [0-9]+: " "$tmp/err" \
	&& ok "damage named by file and offset" || { bad "damage warning"; cat "$tmp/err"; }
has err "1 damaged frame skipped" "damage summarised"
n=$(wc -l <"$tmp/out")
[ "$n" -gt 5 ] && [ "$n" -lt 18 ] && ok "damage costs one frame ($n of 18 events)" || bad "damaged replay printed $n events"

# a FIFO under a segment's name: reported and skipped, never waited on
"$GEN" "$tmp/fifo" || bad "gen_recording (fifo)"
mkfifo "$tmp/fifo/events/seg-000002.zst"
run timeout 20 "$REPLAY" "$tmp/fifo"
expect_rc 3 "a FIFO in events/"
has err "tracee-replay: warning: $tmp/fifo/events/seg-000002.zst: not a regular file; skipped" "a FIFO is named and skipped"
lines out 18 "a FIFO in events/: the segments still replay"

# interrupted and manifest-less recordings
"$GEN" --state recording "$tmp/killed" || bad "gen_recording --state recording"
run "$REPLAY" "$tmp/killed"
expect_rc 3 "interrupted recording"
has err "manifest.json: recording was interrupted" "interruption reported"
lines out 18 "interrupted: unlisted segments read too"
"$GEN" --no-manifest "$tmp/bare" || bad "gen_recording --no-manifest"
run "$REPLAY" "$tmp/bare"
expect_rc 3 "no manifest"
has err "tracee-replay: warning: $tmp/bare/manifest.json: cannot open: No such file or directory; using the built-in catalog" "missing manifest named"
lines out 18 "no manifest: events still replayed"

# catalogs
run "$REPLAY" --list-events
expect_rc 0 "--list-events"
has out "$(printf '59\texecve\tstring pathname, []string argv, []string envp')" "--list-events shows execve"
run "$REPLAY" --list-events "$tmp/rec"
expect_rc 0 "--list-events DIR"
has out "$(printf '9001\tlost_events')" "--list-events DIR reads the recording's catalog"
run "$REPLAY" --list-signatures
expect_rc 0 "--list-signatures"
has out "$(printf 'TRR-1001\tmedium\tany\tT1105 Ingress Tool Transfer\texec_from_temp_dir\tsched_process_exec\tlive')" "--list-signatures shows TRR-1001"
has out "$(printf 'TRC-1030\thigh\tany\tT1014 Rootkit\tsyscall_table_hooking\thooked_syscall\texternal: live recordings cannot feed it')" "--list-signatures: TRC-1030 cannot be fed live"
has out "$(printf 'TRC-1015\tmedium\tany\tT1564.001 Hidden Files and Directories\thidden_file_created\tmagic_write\tneeds derived: magic_write')" "--list-signatures: TRC-1015 needs a derived event"
[ "$(grep -c '^TR[CR]-' "$tmp/out")" -ge 38 ] && ok "--list-signatures lists the catalog" || bad "--list-signatures: $(grep -c '^TR[CR]-' "$tmp/out") signatures"

exit $fail
