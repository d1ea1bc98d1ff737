#!/usr/bin/env bash
# Hostile recordings (issue 5): symlinks and FIFOs under the recording's
# names, and small files built to exhaust a reader's memory. Replay and
# index never follow, never hang, never print the bytes of a file that is
# not ours, and stay within the format's bounds.
. "$(dirname "$0")/../lib.sh"
REPLAY=$OUTPUT/tracee-replay
ANALYZE=$OUTPUT/tracee-analyze
GEN=$OUTPUT/gen_recording
for b in "$REPLAY" "$ANALYZE" "$GEN"; do
	[ -x "$b" ] || { echo "FAIL $b is missing (run: make all $GEN)"; exit 1; }
done
fresh() { rm -rf "$tmp/$1"; "$GEN" "${@:2}" "$tmp/$1" || { echo "FAIL gen_recording"; exit 1; }; }

# A secret file elsewhere: its bytes must never reach stderr.
printf 'SECRET\001\002\003-do-not-print-me-%.0s' 1 2 3 4 >"$tmp/secret"
secret_hex=$(od -An -tx4 -N8 "$tmp/secret" | awk '{print "0x" $1}')

# a segment that is a symlink to another file
fresh rec
ln -s "$tmp/secret" "$tmp/rec/events/seg-000002.zst"
run timeout 20 "$REPLAY" "$tmp/rec"
expect_rc 3 "symlinked segment"
has err "seg-000002.zst: a symbolic link; skipped" "symlinked segment: refused by name"
! grep -q -e SECRET -e "$secret_hex" "$tmp/err" && ok "symlinked segment: none of its bytes printed" \
	|| bad "symlinked segment: its bytes were printed"
lines out 18 "symlinked segment: the real segments still replay"

# events/ that is a symlink to another recording's events
fresh rec
fresh other
rm -rf "$tmp/rec/events"
ln -s "$tmp/other/events" "$tmp/rec/events"
run timeout 20 "$REPLAY" "$tmp/rec"
expect_rc 3 "symlinked events/"
has err "events: a symbolic link; not followed" "symlinked events/: refused by name"
lines out 0 "symlinked events/: nothing read through it"

# a FIFO as the manifest: no hang (replay and index), reported
fresh rec
rm "$tmp/rec/manifest.json"
mkfifo "$tmp/rec/manifest.json"
run timeout 20 "$REPLAY" "$tmp/rec"
expect_rc 3 "FIFO manifest: replay"
has err "manifest.json: not a regular file" "FIFO manifest: says so"
run timeout 20 "$ANALYZE" index -o "$tmp/fifo.db" "$tmp/rec"
expect_rc 3 "FIFO manifest: index"

# a symlinked manifest (another user could point it anywhere)
fresh rec
mv "$tmp/rec/manifest.json" "$tmp/elsewhere.json"
ln -s "$tmp/elsewhere.json" "$tmp/rec/manifest.json"
run timeout 20 "$REPLAY" "$tmp/rec"
expect_rc 3 "symlinked manifest"
has err "manifest.json: cannot open: a symbolic link; not followed" "symlinked manifest: refused"

# Memory: small recordings that made replay take gigabytes (1.3 GB and
# 280 MB before the bounds). 250 MB of address space is far above what a
# bounded reader needs and far below what an unbounded one takes.
# Under ASan (make asan) the shadow memory needs a huge address space: the
# bound is then not applied (the plain run checks it).
if grep -q __asan_init "$REPLAY" 2>/dev/null; then
	limited() { "$@"; }
else
	limited() { (ulimit -v 250000; "$@"); }
fi

# one snapshot process with a 64 KiB argv, then 20000 forks of it: shared,
# not copied (1.3 GB before)
fresh rec --hostile forks
[ "$(du -k "$tmp/rec/events" | cut -f1)" -lt 2048 ] && ok "forks: the recording is small" || bad "forks: not small"
run limited "$REPLAY" "$tmp/rec"
expect_rc 0 "forks: replay within 250 MB "
lines out 20000 "forks: every fork replayed"

# 4096 threads each inside an execve with a 64 KiB argv: held bytes capped
# (280 MB before)
fresh rec --hostile held
run limited "$REPLAY" "$tmp/rec"
expect_rc 0 "held: replay within 250 MB"
lines out 4096 "held: every entry event still emitted"
has err "the most held; the oldest goes out without one" "held: the cap is said"

# a value over the format's limit is damage, named with file and offset
fresh rec --hostile bigarg
run "$REPLAY" "$tmp/rec"
expect_rc 3 "argument over the format's limit"
has err "seg-000000.zst: offset 0: record 0: process record: offset 101: argument index 2 is 200000 bytes, more than its wire type allows (65536)" \
	"argument over the limit: file, offset, limit"

exit $fail
