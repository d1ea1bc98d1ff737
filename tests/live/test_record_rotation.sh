#!/usr/bin/env bash
# Live: segments rotating under load. Closed segments are made durable and
# listed in the manifest by the recorder's closer thread, in order; each
# segment's time index is written as it grows. A finished recording lists
# every segment whole, each with its index; a recorder killed with -9 in the
# middle of rotations leaves a manifest that lists only whole segments, and
# an index of the open segment that matches its frames. -v says how long
# the output kept the drain waiting. Root, live BPF.
. "$(dirname "$0")/../lib.sh"
rec=$OUTPUT/tracee-record
loop=$OUTPUT/bench/openloop
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
[ -x "$loop" ] || { bad "$loop is not built (make test builds it)"; exit 1; }

# Every listed segment: its size and SHA-256 as the manifest says, and an
# index that covers exactly its frames (n = frames: whole; "prefix": the
# open segment of a killed recorder, covered up to its last flush).
check_segments() { # DIR MODE(whole|prefix)
	python3 - "$1" "$2" <<'EOF'
import glob, hashlib, json, os, struct, sys, zlib
d, mode = sys.argv[1], sys.argv[2]
m = json.load(open(d + '/manifest.json'))
bad = []
def frames(path):
    b = open(path, 'rb').read(); o = 0; out = []
    while o + 56 <= len(b):
        skip, = struct.unpack_from('<I', b, o + 4); comp, = struct.unpack_from('<I', b, o + 16)
        if o + skip + 8 + comp > len(b): break
        out.append(o); o += skip + 8 + comp
    return out, b
def index(path):
    b = open(path, 'rb').read()
    magic, ver, res, n, crc = struct.unpack_from('<IHHII', b, 0)
    if magic != 0x58495254 or ver != 1 or res or len(b) < 16 + 32 * n:
        return None
    if zlib.crc32(b[16:16 + 32 * n]) != crc:
        return None
    return [struct.unpack_from('<QQQII', b, 16 + 32 * i) for i in range(n)]
listed = set()
for s in m['segments']:
    p = d + '/' + s['path']; listed.add(os.path.basename(p))
    fr, b = frames(p)
    if len(b) != s['size'] or hashlib.sha256(b).hexdigest() != s['sha256']:
        bad.append('%s: not as listed' % s['path'])
    ix = index(p[:-4] + '.tix')
    if ix is None or [e[0] for e in ix] != fr or len(fr) != s['frames']:
        bad.append('%s: index does not cover its %d frames' % (s['path'], len(fr)))
unlisted = sorted(os.path.basename(p) for p in glob.glob(d + '/events/seg-*.zst') if os.path.basename(p) not in listed)
if mode == 'whole' and unlisted:
    bad.append('not listed: %s' % unlisted)
for name in unlisted: # the open segment, and one closing at the kill
    p = d + '/events/' + name
    fr, b = frames(p)
    ix = index(p[:-4] + '.tix')
    if ix is None or [e[0] for e in ix] != fr[:len(ix)]:
        bad.append('%s: its index is not a prefix of its %d frames' % (name, len(fr)))
print('%d listed, %d not' % (len(listed), len(unlisted)))
for x in bad: print(x)
sys.exit(1 if bad else 0)
EOF
}

# A finished recording: several rotations, all listed, each with its index.
run "$rec" -q -v -o "$tmp/rot" --segment-size 1 -- "$loop" 1500000 /etc/hostname
expect_rc 0 "rotating"
nseg=$(jq '.segments | length' "$tmp/rot/manifest.json")
check "rotating: several segments ($nseg)" test "${nseg:-0}" -ge 3
check "rotating: every segment listed, as on disk, with an index of its frames" \
	check_segments "$tmp/rot" whole
has err "the drain waited on the output at most" "-v: the longest stalls are said"
rot=$(sed -n 's/.* in a segment rotation (of \([0-9]*\),.*/\1/p' "$tmp/err")
check "-v: the rotations are counted ($rot of $nseg segments)" test "${rot:-0}" -eq $((nseg - 1))
run "$OUTPUT/tracee-replay" --verify --format none "$tmp/rot"
expect_rc 0 "rotating: replay --verify"

# kill -9 in the middle of rotations.
"$rec" -q -o "$tmp/kill" --segment-size 1 -- "$loop" 100000000 /etc/hostname & pid=$!
for i in $(seq 300); do [ -e "$tmp/kill/events/seg-000003.zst" ] && break; sleep 0.1; done
sleep 0.5
kids=$(pgrep -P $pid) # the workload, which outlives its recorder
kill -9 $pid
wait $pid 2>/dev/null
[ -z "$kids" ] || kill $kids 2>/dev/null
check "kill -9: rotations happened before the kill" test -e "$tmp/kill/events/seg-000003.zst"
check "kill -9: the manifest lists only whole segments; the open one's index matches its frames" \
	check_segments "$tmp/kill" prefix
run "$OUTPUT/tracee-replay" --format none "$tmp/kill"
expect_rc 3 "kill -9: replay (interrupted)"
check "kill -9: the hash chain and the frame sequences hold" \
	test -z "$(grep -e 'hash chain' -e 'missing from its sequence' -e frame_seq "$tmp/err")"
exit $fail
