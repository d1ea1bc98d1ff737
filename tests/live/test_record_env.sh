#!/usr/bin/env bash
# Live: an exec's environment (DESIGN.md 4.6). By default only the variables
# detections read reach the recording (LD_PRELOAD for TRC-107, PATH, ...):
# a secret in the environment is nowhere in the recording's files, and
# TRC-107 fires on an LD_PRELOAD exec. --capture env keeps everything,
# --capture env=VAR keeps VAR besides the defaults.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record
R=$OUTPUT/tracee-replay
pre=/tmp/tracee-env-test-$$.so	# never exists: ld.so says so and runs the program
envp() { "$R" "$1" 2>/dev/null | jq -c --arg p "$2" 'select(.eventName=="execve" and .args[0].value==$p) | .args[2].value'; }

SECRET_TOKEN=hunter2-$$ LD_PRELOAD=$pre "$rec" -q -o "$tmp/def" -- /bin/sh -c 'exec /bin/true' 2>"$tmp/err"
check "default: record exits 0" test $? -eq 0
envp "$tmp/def" /bin/true >"$tmp/out"
has out "\"LD_PRELOAD=$pre\"" "default: LD_PRELOAD is kept"
has out '"PATH=' "default: PATH is kept"
check "default: the secret is not in the event" test -z "$(grep SECRET_TOKEN "$tmp/out")"
check "default: the secret is in no file of the recording" \
	test -z "$(find "$tmp/def" -type f -name '*.zst' -exec zstd -dcq {} + | grep -a "hunter2-$$")$(grep -rl "hunter2-$$" "$tmp/def")"
"$R" "$tmp/def" 2>/dev/null | jq -c 'select(.eventName=="sched_process_exec" and .processName=="true") | .args[] | select(.name=="env") | .value' >"$tmp/out"
has out "\"LD_PRELOAD=$pre\"" "default: sched_process_exec carries the new image's environment (LD_PRELOAD)"
check "default: the secret is not in sched_process_exec's environment" test -z "$(grep SECRET_TOKEN "$tmp/out")"
"$R" -F "$tmp/def" 2>/dev/null | jq -r .metadata.Properties.signatureID >"$tmp/out"
has out "TRC-107" "default: TRC-107 fires on the LD_PRELOAD exec"

SECRET_TOKEN=hunter2-$$ "$rec" -q --capture env -o "$tmp/all" -- /bin/sh -c 'exec /bin/true'
envp "$tmp/all" /bin/true >"$tmp/out"
has out "\"SECRET_TOKEN=hunter2-$$\"" "--capture env: everything is kept"

SECRET_TOKEN=hunter2-$$ OTHER_SECRET=x "$rec" -q --capture env=SECRET_TOKEN -o "$tmp/one" -- /bin/sh -c 'exec /bin/true'
envp "$tmp/one" /bin/true >"$tmp/out"
has out "\"SECRET_TOKEN=hunter2-$$\"" "--capture env=VAR: VAR is kept"
has out '"PATH=' "--capture env=VAR: the defaults too"
check "--capture env=VAR: nothing else" test -z "$(grep OTHER_SECRET "$tmp/out")"

run "$rec" -q --capture env=A=B -o "$tmp/bad" -- /bin/true
expect_rc 2 "--capture env=A=B"
exit $fail
