#!/usr/bin/env bash
# tracee-replay's output formats and filters on a real recording
# (fixtures/basic): each filter's output is checked against the unfiltered
# output selected with jq, not against hard-coded counts.
. "$(dirname "$0")/../lib.sh"
R="$OUTPUT/tracee-replay"
rec=fixtures/basic
"$R" "$rec" >"$tmp/all" 2>/dev/null
"$R" -e all "$rec" >"$tmp/everything" 2>/dev/null

run "$R" --format table "$rec"
expect_rc 0 "--format table"
same "$(head -1 "$tmp/out" | awk '{print $1, $NF}')" "TIME(UTC) ARGS" "table header"
same "$(sed 1d "$tmp/out" | grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z ')" 0 "table rows start with a UTC time with ns"
has out 'flags: "O_RDONLY|O_CLOEXEC"' "table parses arguments"

run "$R" --format json-compact "$rec"
expect_rc 0 "--format json-compact"
same "$(jq -r .event "$tmp/out" | sort | uniq -c)" "$(jq -r .eventName "$tmp/all" | sort | uniq -c)" "json-compact: the same events"
run "$R" -j "$rec"
check "-j is the default JSON" cmp -s "$tmp/out" "$tmp/all"

run "$R" --parse-args "$rec"
same "$(jq -r 'select(.eventName=="sched_process_exit") | .args[0].value' "$tmp/out" | sort -u)" "exit 0" \
	"--parse-args: exit status by name"
same "$(jq -r 'select(.eventName=="openat") | .args[0].value' "$tmp/out" | sort -u)" "AT_FDCWD" "--parse-args: dirfd"
run "$R" --time-format rfc3339 "$rec"
same "$(jq -r .timestamp "$tmp/out" | grep -cvE '^[0-9-]{10}T[0-9:]{8}\.[0-9]{9}Z$')" 0 "--time-format rfc3339"

run "$R" -e execve,sched_process_exit "$rec"
same "$(wc -l <"$tmp/out")" "$(jq -c 'select(.eventName=="execve" or .eventName=="sched_process_exit")' "$tmp/all" | wc -l)" \
	"--events: names"
run "$R" --events derived "$rec"
same "$(jq -r .eventName "$tmp/out" | sort -u | tr '\n' ' ')" "security_bprm_check security_file_open " \
	"--events derived: only derived events"
same "$(jq -r 'select(.eventName=="security_file_open") | .syscall' "$tmp/out" | sort -u)" "openat" \
	"derived events name their syscall"
run "$R" -e nosuch "$rec"
expect_rc 2 "--events with an unknown name"
has err "unknown event or family 'nosuch'" "the unknown name is named"

pid=$(jq -r 'select(.eventName=="sched_process_exec" and .processName=="sh") | .hostProcessId' "$tmp/all" | head -1)
run "$R" --pid "$pid" "$rec"
same "$(jq -r .hostProcessId "$tmp/out" | sort -u)" "$pid" "--pid: that process only"
n1=$(wc -l <"$tmp/out")
run "$R" --pid "$pid" --descendants "$rec"
same "$(jq -r .processName "$tmp/out" | sort -u | tr '\n' ' ')" "cat cp ls rm sh tracee-fixture- tracee-record " \
	"--descendants: the shell's children too"
[ "$(wc -l <"$tmp/out")" -gt "$n1" ] && ok "--descendants adds events" || bad "--descendants adds nothing"
run "$R" --descendants "$rec"
expect_rc 2 "--descendants without --pid"

run "$R" --comm 'c?t' "$rec"
same "$(jq -r .processName "$tmp/out" | sort -u)" "cat" "--comm GLOB"
run "$R" --exe '/usr/bin/l*' "$rec"
same "$(jq -r .executable.path "$tmp/out" | sort -u)" "/usr/bin/ls" "--exe GLOB"
run "$R" --path '/etc/host*' -e openat "$rec"
same "$(jq -r '.args[1].value' "$tmp/out" | sort -u)" "/etc/hostname" "--path GLOB"
run "$R" --container any "$rec"
same "$(wc -l <"$tmp/out")" 0 "--container: no containers in this recording"

start=$(jq -r '.start_boot_ns + .host.boot_to_wall_ns' "$rec/manifest.json")
lo=$((start + 10000000)) hi=$((start + 12000000))
run "$R" --since +10ms --until +12ms "$rec"
expect_rc 0 "--since/--until relative"
same "$(wc -l <"$tmp/out")" "$(jq -c "select(.timestamp >= $lo and .timestamp <= $hi)" "$tmp/all" | wc -l)" \
	"the window holds exactly the events stamped in it"
iso=$(date -u -d "@$((lo / 1000000000))" +%Y-%m-%dT%H:%M:%S).$(printf %09d $((lo % 1000000000)))Z
run "$R" --since "$iso" --until +12ms "$rec"
same "$(wc -l <"$tmp/out")" "$(jq -c "select(.timestamp >= $lo and .timestamp <= $hi)" "$tmp/all" | wc -l)" \
	"--since RFC 3339"
run "$R" --since yesterday "$rec"
expect_rc 2 "--since with a bad time"
exit $fail
