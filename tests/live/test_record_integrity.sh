#!/usr/bin/env bash
# What the recorder writes, and where (issue 5): -o DIR safety, a full disk
# still finalises the recording, a COMMAND that ignores SIGTERM does not hold
# --duration up, the hash chain head in the summary. Root, live BPF.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

# -o a symlink: refused, the target untouched
mkdir "$tmp/target"
ln -s "$tmp/target" "$tmp/link"
run "$rec" -q -o "$tmp/link" -d 0.2
expect_rc 1 "-o symlink"
has err "$tmp/link: cannot create the recording: it is a symbolic link; not followed" "-o symlink: refused by name"
check "-o symlink: the target is untouched" test -z "$(ls -A "$tmp/target")"

# -o an existing empty directory of another user: refused; --force takes it over
mkdir "$tmp/theirs" && chown 65534:65534 "$tmp/theirs" && chmod 0777 "$tmp/theirs"
run "$rec" -q -o "$tmp/theirs" -d 0.2
expect_rc 1 "-o another user's directory"
has err "belongs to another user (--force takes it over)" "-o another user's directory: says so"
check "-o another user's directory: nothing written" test -z "$(ls -A "$tmp/theirs")"
run "$rec" -q --force -o "$tmp/theirs" -d 0.2
expect_rc 0 "--force: takes it over"
same "$(stat -c '%u %a' "$tmp/theirs")" "0 700" "--force: now ours, mode 0700"
check "--force: a recording is in it" test -f "$tmp/theirs/manifest.json"
check "--force: the reserve is gone once finalised" test ! -e "$tmp/theirs/.reserve"

# -o an existing empty directory of ours, world-writable: made 0700
mkdir "$tmp/ours" && chmod 0777 "$tmp/ours"
run "$rec" -q -o "$tmp/ours" -d 0.2
expect_rc 0 "-o our empty directory"
same "$(stat -c %a "$tmp/ours")" 700 "-o our empty directory: mode 0700"

# the hash chain head in the summary is the hash of the last frame written
run "$rec" -o "$tmp/head" -- /bin/sh -c 'ls /etc >/dev/null'
expect_rc 0 "summary run"
head=$(sed -n 's/.*hash chain head \([0-9a-f]*\) after.*/\1/p' "$tmp/err")
want=$(python3 - "$tmp/head" <<'EOF'
import glob, hashlib, struct, sys
last = sorted(glob.glob(sys.argv[1] + '/events/seg-*.zst'))[-1]
b = open(last, 'rb').read(); o = 0; f = b''
while o < len(b):
    skip, = struct.unpack_from('<I', b, o + 4); comp, = struct.unpack_from('<I', b, o + 16)
    f = b[o:o + skip + 8 + comp]; o += len(f)
print(hashlib.sha256(f).hexdigest()[:32])
EOF
)
[ -n "$head" ] && [ "$head" = "$want" ] && ok "summary: chain head is the last frame's hash ($head)" \
	|| bad "summary: chain head '$head', last frame hashes to '$want'"

# on a terminal, a status line once a second shows the chain head
script -qec "$rec -o $tmp/tty -d 2.5" /dev/null >"$tmp/tty.out" 2>&1
check "status line on a terminal shows the chain head" \
	grep -qa "tracee-record: [0-9]* s, [0-9]* events (.*), [0-9]* lost, .* written.*, chain head [0-9a-f]\{32\} ([0-9]* frames)" "$tmp/tty.out"

# --anchor syslog: the chain head goes to syslog at the start, every minute
# and at the end; the last one is the summary's. Without a syslog daemon
# here, the test listens on /dev/log itself (and removes it after).
if [ ! -e /dev/log ]; then
	python3 - "$tmp/syslog.txt" <<'EOF' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('/dev/log'); s.settimeout(0.5)
out = open(sys.argv[1], 'wb'); end = time.time() + 20
try:
    while time.time() < end and not os.path.exists(sys.argv[1] + '.stop'):
        try:
            out.write(s.recv(4096) + b'\n'); out.flush()
        except socket.timeout:
            pass
finally:
    os.unlink('/dev/log')
EOF
	listener=$!
	for i in $(seq 300); do [ -S /dev/log ] && break; sleep 0.1; done
	run "$rec" -o "$tmp/anchored" --anchor syslog -d 0.5
	expect_rc 0 "--anchor syslog"
	sleep 0.5
	touch "$tmp/syslog.txt.stop"
	wait $listener
	head=$(sed -n 's/.*hash chain head \([0-9a-f]*\) after.*/\1/p' "$tmp/err")
	# (the start checkpoint may already fill frames on a host with many fds)
	check "--anchor syslog: the start is logged" \
		grep -q "tracee-record\[[0-9]*\]: $tmp/anchored: hash chain head [0-9a-f]\{32\} after [0-9]* frames (start)" "$tmp/syslog.txt"
	check "--anchor syslog: the final head is logged, as in the summary ($head)" \
		grep -q "tracee-record\[[0-9]*\]: $tmp/anchored: hash chain head $head after [0-9]* frames (final)" "$tmp/syslog.txt"
else
	run "$rec" -o "$tmp/anchored" --anchor syslog -d 0.5
	expect_rc 0 "--anchor syslog"
	head=$(sed -n 's/.*hash chain head \([0-9a-f]*\) after.*/\1/p' "$tmp/err")
	sleep 1
	check "--anchor syslog: the final head is in the journal" \
		sh -c "journalctl -q -t tracee-record --since '-2min' | grep -q 'hash chain head $head'"
fi

# --duration with a COMMAND that ignores SIGTERM: SIGKILL after the grace
# (the time includes loading, seconds on a busy host: the command would
# sleep 300 s, and 60 s tells the two apart)
start=$(date +%s%N)
run "$rec" -q -o "$tmp/stubborn" -d 1 -- /bin/sh -c 'trap "" TERM; exec sleep 300'
elapsed=$((($(date +%s%N) - start) / 1000000))
expect_rc 0 "stubborn COMMAND"
[ "$elapsed" -lt 60000 ] && ok "stubborn COMMAND: stopped in ${elapsed} ms (1 s + 2 s grace + loading; it would sleep 300 s)" \
	|| bad "stubborn COMMAND: took ${elapsed} ms"
has err "still running 2 s after SIGTERM; sent SIGKILL" "stubborn COMMAND: SIGKILL said on stderr"
same "$(jq -r .end_reason "$tmp/stubborn/manifest.json")" duration "stubborn COMMAND: end reason duration"

# A full disk: the recording is still finalised, with the error as its end
# reason and the events that could not be written counted as lost.
mkdir "$tmp/small"
if mount -t tmpfs -o size=3m tmpfs "$tmp/small" 2>/dev/null; then
	trap 'umount "$tmp/small" 2>/dev/null; rm -rf "$tmp"' EXIT
	run "$rec" -o "$tmp/small/rec" --zstd-level 1 -- /bin/sh -c \
		'for i in 1 2 3 4 5 6 7 8; do find /usr /etc >/dev/null 2>&1; done'
	expect_rc 1 "disk full"
	m=$tmp/small/rec/manifest.json
	same "$(jq -r .state "$m")" complete "disk full: manifest finalised"
	same "$(jq -r .end_reason "$m")" "write error: No space left on device" "disk full: end reason is the error"
	check "disk full: segments listed" test "$(jq '.segments | length' "$m")" -ge 1
	unwritten=$(jq '.lost.unwritten // 0' "$m")
	check "disk full: unwritten events counted as lost ($unwritten)" test "$unwritten" -gt 0
	lost=$(sed -n 's/.* \([0-9]*\) lost, .*/\1/p' "$tmp/err")
	check "disk full: the summary's lost count includes them ($lost >= $unwritten)" test "${lost:-0}" -ge "$unwritten"
	has err "were taken but not written" "disk full: summary says so"
	"$OUTPUT/tracee-replay" "$tmp/small/rec" >/dev/null 2>"$tmp/replay.err"
	rc=$?
	check "disk full: the recording replays (exit $rc)" test $rc -eq 0 -o $rc -eq 3
	umount "$tmp/small"
else
	bad "disk full: cannot mount a small tmpfs"
fi
exit $fail
