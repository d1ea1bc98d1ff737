#!/usr/bin/env bash
# Evidence integrity (issue 5): a recording proves it is whole, or replay and
# index say where it is not and exit 3 ("done, but the input was damaged").
# Frames are cut, reordered and swapped in from another recording with a few
# lines of Python, as an attacker would.
. "$(dirname "$0")/../lib.sh"
REPLAY=$OUTPUT/tracee-replay
ANALYZE=$OUTPUT/tracee-analyze
GEN=$OUTPUT/gen_recording
for b in "$REPLAY" "$ANALYZE" "$GEN"; do
	[ -x "$b" ] || { echo "FAIL $b is missing (run: make all $GEN)"; exit 1; }
done

# frames SEG OP ARGS: rewrite a segment frame by frame (header sizes from
# the header itself: skip_size + 8, then comp_size bytes).
frames() {
	python3 - "$@" <<'EOF'
import struct, sys
seg, op = sys.argv[1], sys.argv[2]
def split(path):
    b = open(path, 'rb').read()
    out, o = [], 0
    while o < len(b):
        skip, = struct.unpack_from('<I', b, o + 4)
        comp, = struct.unpack_from('<I', b, o + 16)
        n = skip + 8 + comp
        out.append(b[o:o + n]); o += n
    return out
f = split(seg)
if op == 'cut':
    del f[int(sys.argv[3])]
elif op == 'swap':
    i, j = int(sys.argv[3]), int(sys.argv[4]); f[i], f[j] = f[j], f[i]
elif op == 'graft':
    f[int(sys.argv[4])] = split(sys.argv[3])[int(sys.argv[4])]
elif op == 'count':
    print(len(f)); sys.exit(0)
open(seg, 'wb').write(b''.join(f))
EOF
}
fresh() { rm -rf "$tmp/$1"; "$GEN" "${@:2}" "$tmp/$1" || { echo "FAIL gen_recording"; exit 1; }; }

# the reference: whole, exit 0, and the index says so
fresh rec
run "$REPLAY" "$tmp/rec"
expect_rc 0 "whole recording"
cp "$tmp/out" "$tmp/whole.jsonl"
[ "$(frames "$tmp/rec/events/seg-000000.zst" count)" -ge 3 ] && ok "fixture has several frames per segment" \
	|| bad "too few frames to cut"
run "$ANALYZE" index -o "$tmp/whole.db" "$tmp/rec"
expect_rc 0 "index of a whole recording"
same "$(sqlite3 "$tmp/whole.db" "SELECT state, damage IS NULL FROM recordings")" "complete|1" "whole: damage is NULL"
same "$(sqlite3 "$tmp/whole.db" "SELECT count(*) FROM warnings WHERE damage = 1")" 0 "whole: no damage rows"

# a whole frame cut out of a finalised recording
fresh rec
frames "$tmp/rec/events/seg-000000.zst" cut 1
run "$REPLAY" "$tmp/rec"
expect_rc 3 "frame cut out"
has err "seg-000000.zst: offset" "frame cut: names the segment and offset"
has err "frame_seq 2 where 1 was expected: 1 frame missing" "frame cut: frame_seq gap"
has err "hash chain broken" "frame cut: hash chain broken"
has err "manifest.json lists" "frame cut: size differs from the manifest"
has err "the recording is damaged or incomplete" "frame cut: summary says damaged"
[ "$(wc -l <"$tmp/out")" -lt "$(wc -l <"$tmp/whole.jsonl")" ] && ok "frame cut: the rest still replays" \
	|| bad "frame cut: output not shorter"
run "$ANALYZE" index -o "$tmp/cut.db" "$tmp/rec"
expect_rc 3 "index of a cut recording"
has err "frame_seq 2 where 1 was expected" "index: damage on stderr"
same "$(sqlite3 "$tmp/cut.db" "SELECT damage IS NOT NULL AND json_valid(damage) AND json_array_length(damage) > 0 FROM recordings")" \
	1 "index: recordings.damage lists the damage"
sqlite3 "$tmp/cut.db" "SELECT damage FROM recordings" | grep -q "frame_seq 2 where 1" \
	&& ok "index: recordings.damage names the gap" || bad "index: damage column lacks the gap"
[ "$(sqlite3 "$tmp/cut.db" "SELECT count(*) FROM warnings WHERE damage = 1 AND file LIKE '%seg-000000.zst' AND offset IS NOT NULL")" -ge 1 ] \
	&& ok "index: warning rows with file and offset" || bad "index: no damage warning rows"

# the last frame of a segment cut: only the manifest's counts can tell
fresh rec
n=$(frames "$tmp/rec/events/seg-000000.zst" count)
frames "$tmp/rec/events/seg-000000.zst" cut $((n - 1))
run "$REPLAY" "$tmp/rec"
expect_rc 3 "last frame of a segment cut"
has err "manifest.json lists" "last frame cut: manifest size/count mismatch"

# cut with no manifest to compare against (kill -9, manifest lost): the
# hash chain alone catches it
fresh rec --no-manifest
frames "$tmp/rec/events/seg-000000.zst" cut 2
run "$REPLAY" "$tmp/rec"
expect_rc 3 "frame cut, no manifest"
has err "hash chain broken" "no manifest: chain catches the cut"
# the first segment removed: the next one does not start the chain
fresh rec --state recording
rm "$tmp/rec/events/seg-000000.zst"
run "$REPLAY" "$tmp/rec"
expect_rc 3 "first segment removed from an interrupted recording"
has err "first frame of the recording read; frames or segments before it are missing" \
	"first segment removed: chain start missing"

# frames reordered
fresh rec
frames "$tmp/rec/events/seg-000000.zst" swap 1 2
run "$REPLAY" "$tmp/rec"
expect_rc 3 "frames reordered"
has err "hash chain broken" "reordered: chain broken"
has err "out of order" "reordered: frame_seq out of order"

# a frame swapped in from another recording, with the same frame_seq
fresh rec
fresh other --events 3000 --frame-raw 512
frames "$tmp/rec/events/seg-000000.zst" graft "$tmp/other/events/seg-000000.zst" 1
# make the sizes agree, so neither the size nor frame_seq can tell
python3 - "$tmp/rec" <<'EOF'
import json, os, sys
d = sys.argv[1]; m = json.load(open(d + '/manifest.json'))
s = m['segments'][0]; s['size'] = os.path.getsize(d + '/' + s['path'])
json.dump(m, open(d + '/manifest.json', 'w'))
EOF
run "$REPLAY" "$tmp/rec"
expect_rc 3 "frame from another recording"
has err "hash chain broken" "grafted frame: chain broken"
run "$REPLAY" --verify "$tmp/rec"
has err "sha256" "grafted frame: --verify names the hash mismatch"

# sha256: checked with --verify on replay, always in index
fresh rec
python3 - "$tmp/rec" <<'EOF'
import json, sys
d = sys.argv[1]; m = json.load(open(d + '/manifest.json'))
m['segments'][1]['sha256'] = '0' * 64
json.dump(m, open(d + '/manifest.json', 'w'))
EOF
run "$REPLAY" "$tmp/rec"
expect_rc 0 "sha256 not checked without --verify"
run "$REPLAY" --verify "$tmp/rec"
expect_rc 3 "--verify: sha256 mismatch"
has err "seg-000001.zst: sha256 " "--verify names the segment and both hashes"
run "$ANALYZE" index -o "$tmp/sha.db" "$tmp/rec"
expect_rc 3 "index checks sha256 always"
sqlite3 "$tmp/sha.db" "SELECT damage FROM recordings" | grep -q "sha256" \
	&& ok "index: sha256 mismatch in recordings.damage" || bad "index: sha256 mismatch not recorded"

# one flipped byte: damage changes the exit status
fresh rec --damage
run "$REPLAY" "$tmp/rec"
expect_rc 3 "one flipped byte"

# a catalog that renames an argument a signature reads: say which
# signature cannot run, on stderr and in the index
fresh rec
python3 - "$tmp/rec" <<'EOF'
import json, sys
d = sys.argv[1]; m = json.load(open(d + '/manifest.json'))
for ev in m['catalog']:
    for a in ev['args']:
        if ev['name'] == 'sched_process_exec' and a['name'] == 'cmdpath':
            a['name'] = 'command_path'
json.dump(m, open(d + '/manifest.json', 'w'))
EOF
run "$REPLAY" -F "$tmp/rec"
has err "signature TRR-1001 (exec_from_temp_dir) cannot run on this recording" "renamed argument: signature named"
has err "has no argument cmdpath" "renamed argument: the reason"
run "$ANALYZE" index -o "$tmp/cat.db" "$tmp/rec"
same "$(sqlite3 "$tmp/cat.db" "SELECT count(*) FROM warnings WHERE damage = 0 AND message LIKE '%TRR-1001%cannot run%'")" 1 \
	"renamed argument: a warning row in the index"

exit $fail
