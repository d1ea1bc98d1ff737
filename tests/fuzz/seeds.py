#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of the fuzz targets, tests/fuzz/corpus/TARGET/,
from the fixtures (and a few hand-made inputs). Run from the top of the tree:

    python3 tests/fuzz/seeds.py

Needs only the standard library and the zstd command (to read segments).
The seeds it makes are rewritten, the same bytes each time; nothing else in
the corpus is touched. An input that `make fuzz` found to crash a reader
goes into the corpus as regress-NAME once fixed, made here if it can be
written as plainly as the others (as regress-merge-unaligned.rec is).
"""
import json
import os
import struct
import subprocess
import zlib

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(TOP, "tests", "fuzz", "corpus")
FIX = os.path.join(TOP, "fixtures")

SKIP_MAGIC = 0x184D2A5A
FRAME_MAGIC = 0x31465254
WIRES = {"INT32": 1, "UINT32": 2, "INT64": 3, "UINT64": 4, "STR": 5,
         "STR_ARRAY": 6, "BYTES": 7, "SOCKADDR": 8}
EVENT_HEAD, PROC_HEAD = 120, 96


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def raw_records(fixture):
    seg = os.path.join(FIX, fixture, "events", "seg-000000.zst")
    return subprocess.run(["zstd", "-dc", seg], check=True, capture_output=True).stdout


def split(raw):
    """The records of a raw stream, as (kind, bytes)."""
    out, off = [], 0
    while off + 24 <= len(raw):
        kind, _cpu, size = struct.unpack_from("<HHI", raw, off)
        out.append((kind, raw[off:off + size]))
        off += size
    return out


def stored_zstd(raw):
    """One zstd frame holding raw in stored (raw) blocks, with the content
    size and no checksum: its bytes are the records, so a mutation of them
    is a mutation of the records."""
    # Frame_Header_Descriptor: FCS 4 bytes (flag 2), no single segment, no
    # checksum, no dictionary; then Window_Descriptor (2^(10+7) = 128 KiB).
    out = struct.pack("<IBB", 0xFD2FB528, 0x80, 7 << 3) + struct.pack("<I", len(raw))
    blocks = [raw[i:i + (1 << 17)] for i in range(0, len(raw), 1 << 17)] or [b""]
    for i, b in enumerate(blocks):
        last = 1 if i == len(blocks) - 1 else 0
        out += struct.pack("<I", last | (0 << 1) | (len(b) << 3))[:3] + b
    return out


def frame(recs, seq):
    raw = b"".join(r for _k, r in recs)
    comp = stored_zstd(raw)
    hdr = struct.pack("<IIIHHIIIII", SKIP_MAGIC, 32, FRAME_MAGIC, 1, 0, len(comp), len(raw),
                      len(recs), seq, zlib.crc32(comp))
    return hdr + struct.pack("<I", zlib.crc32(hdr)) + comp


def segment_seeds():
    for fx in ("basic", "corrupt-frame", "truncated"):
        with open(os.path.join(FIX, fx, "events", "seg-000000.zst"), "rb") as f:
            put("fuzz_segment", fx + ".seg", f.read())
    recs = split(raw_records("basic"))
    # Stored frames: a few procs, events and a return value, a watermark.
    pick = recs[0:3] + recs[66:72]
    put("fuzz_segment", "stored-3-frames.seg",
        frame(pick[:3], 0) + frame(pick[3:6], 1) + frame(pick[6:], 2))
    # A lone watermark, and two frames with garbage between them.
    wm = [r for r in recs if r[0] == 5][:1]
    put("fuzz_segment", "stored-watermark.seg", frame(wm, 0))
    put("fuzz_segment", "stored-resync.seg", frame(wm, 0) + b"\x5a\x2a\x4d\x18junk" + frame(wm, 1))


def manifest_seeds():
    with open(os.path.join(FIX, "basic", "manifest.json"), "rb") as f:
        text = f.read()
    put("fuzz_manifest", "basic.json", text)
    m = json.loads(text)
    # Without a catalog (the reader's built-in one is used), compact.
    small = dict(m)
    del small["catalog"]
    put("fuzz_manifest", "no-catalog.json", json.dumps(small, sort_keys=True).encode())
    # A recording that did not finish, with escaped bytes in its strings,
    # and a two-event catalog.
    rec = dict(small)
    rec.update(state="recording", end_reason=None, stop_boot_ns=0,
               tool_version="0.1.0-caf\\xe9", options={"argv": ["a\\\\b", "\\xed\\xa0\\x80", "x\ny"]},
               pcaps=[], lost={"per_cpu": [0, 3, 4], "total": 7},
               catalog=[e for e in m["catalog"] if e["id"] in (59, 1003)])
    rec["host"] = dict(m["host"], hostname="h\\x01st")
    put("fuzz_manifest", "recording-escapes.json", json.dumps(rec, sort_keys=True, indent=1).encode())


def args_seed(wires, nargs, argbytes):
    return bytes([len(wires), nargs]) + bytes(wires) + argbytes


def args_seeds():
    with open(os.path.join(FIX, "basic", "manifest.json")) as f:
        cat = {e["id"]: [WIRES[a["wire"]] for a in e["args"]] for e in json.load(f)["catalog"]}
    seen = set()
    for kind, r in split(raw_records("basic")):
        if kind == 1:
            eid, nargs = struct.unpack_from("<IH", r, 24)
            if eid in seen:
                continue
            seen.add(eid)
            put("fuzz_args", "event-%d" % eid, args_seed(cat[eid], nargs, r[EVENT_HEAD:]))
        elif kind == 3 and "proc" not in seen and len(r) > 300:
            seen.add("proc")
            nargs, = struct.unpack_from("<H", r, 72)
            put("fuzz_args", "proc", args_seed([5, 5, 6, 5], nargs, r[PROC_HEAD:]))
    # Every wire type once, in reverse index order.
    w = list(range(1, 9))
    b = b"".join([
        bytes([7]) + struct.pack("<I", 16) + bytes(range(16)),
        bytes([6]) + struct.pack("<I", 6) + b"a\0bc\0d",
        bytes([5]) + struct.pack("<I", 3) + b"abc",
        bytes([4]) + struct.pack("<I", 2) + b"\x02\x00",
        bytes([3]) + struct.pack("<Q", 1 << 63),
        bytes([2]) + struct.pack("<q", -1),
        bytes([1]) + struct.pack("<I", 0xffffffff),
        bytes([0]) + struct.pack("<i", -2),
    ])
    put("fuzz_args", "all-wires", args_seed(w, 8, b))


def unescape_seeds():
    for name, s in [("plain", b"/tmp/a b"), ("utf8", "café".encode()), ("backslash", b"a\\\\b"),
                    ("latin1", b"caf\\xe9"), ("surrogate", b"\\xed\\xa0\\x80"),
                    ("upper-hex", b"\\xE9\\x00"), ("bad-escape", b"a\\qb"), ("cut-short", b"ab\\x4"),
                    ("raw-bytes", b"\xff\xfe\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80\\")]:
        put("fuzz_unescape", name, s)


def event(eid, tid, args, ts, flags=0, pid=None, seq=0, cpu=0, retval=0, comm=b"fuzz"):
    """A TR_REC_EVENT: args is [(index, wire, value)]."""
    body = b""
    for idx, wire, v in args:
        if wire in (1, 2):
            body += bytes([idx]) + struct.pack("<i" if wire == 1 else "<I", v)
        elif wire in (3, 4):
            body += bytes([idx]) + struct.pack("<q" if wire == 3 else "<Q", v)
        else:
            body += bytes([idx]) + struct.pack("<I", len(v)) + v
    pid = tid if pid is None else pid
    head = struct.pack("<HHIQQIHHqQQQ10I16s", 1, cpu, EVENT_HEAD + len(body), ts, seq, eid, len(args),
                       flags, retval, 1000, 0, 1, tid, pid, 1, tid, pid, 1, 0, 0, 1, 1, comm)
    return head + body


def retval(eid, tid, ts, value, seq=0, cpu=0):
    return struct.pack("<HHIQQIIq", 2, cpu, 40, ts, seq, eid, tid, value)


def replay_seeds():
    raw = raw_records("basic")
    recs = split(raw)
    put("fuzz_replay", "basic.rec", raw)
    # The exec from /tmp that the signature reports, with its context.
    put("fuzz_replay", "exec-tmp.rec", b"".join(r for _k, r in recs[0:1] + recs[118:150]))
    # Odd streams: a watermark ahead of everything, then late records, an
    # unpaired return value, a gap, and an entry event that never returns.
    wm = bytearray(next(r for k, r in recs if k == 5))
    struct.pack_into("<Q", wm, 8, 1 << 62)
    gap = struct.pack("<HHIQQQ", 4, 1, 32, 5, 9, 17)
    rv = next(r for k, r in recs if k == 2)
    entry = next(r for k, r in recs if k == 1 and struct.unpack_from("<H", r, 30)[0] & 1)
    put("fuzz_replay", "odd.rec", bytes(wm) + gap + rv + entry + recs[70][1])
    # connect with each sockaddr family the JSON output knows, cut short too.
    v6 = struct.pack("<H", 10) + b"\x00\x50" + b"\0\0\0\1" + bytes.fromhex("20010db8000000000000000000000001") + b"\2\0\0\0"
    addrs = [struct.pack("<H", 2) + b"\x00\x50\x7f\x00\x00\x01", v6, v6[:10],
             struct.pack("<H", 10) + b"\0\0" * 3 + bytes(10) + b"\xff\xff\x0a\x00\x00\x01",
             struct.pack("<H", 1) + b"/run/x.sock\0\0", struct.pack("<H", 1) + b"\0abstract\0\0",
             struct.pack("<H", 17) + b"\1\2", b"\2"]
    put("fuzz_replay", "connect.rec", b"".join(
        event(42, 300, [(0, 1, 3), (1, 8, a)], 100 + i, seq=i) for i, a in enumerate(addrs)))
    # A non-leader thread (tid 201) execs while the leader (200) has an
    # execve held too: the exec moves 201's held execve to 200.
    put("fuzz_replay", "exec-thread.rec", b"".join([
        event(59, 200, [(0, 5, b"/bin/a"), (1, 6, b"a\0")], 10, flags=1, pid=200, seq=0),
        event(59, 201, [(0, 5, b"/tmp/b"), (1, 6, b"b\0-x\0")], 11, flags=1, pid=200, seq=1),
        event(1003, 200, [(0, 5, b"/tmp/b"), (2, 6, b"b\0-x"), (3, 1, 201)], 12, pid=200, seq=2),
        retval(59, 200, 13, 0, seq=3),
        event(1004, 200, [(0, 3, 0), (1, 2, 1)], 14, pid=200, seq=4),
    ]))
    # Regression (replay/merge.c read rec->size of unaligned records): an
    # unknown kind of 26 bytes puts what follows off 8-byte alignment; a gap
    # goes into the merge, a watermark releases it, a late gap is released
    # at once.
    unknown = struct.pack("<HHIQQ", 9, 0, 26, 1, 0) + b"\0\0"
    put("fuzz_replay", "regress-merge-unaligned.rec",
        unknown + struct.pack("<HHIQQQ", 4, 0, 32, 100, 1, 1) + struct.pack("<HHIQQ", 5, 0xffff, 24, 1000, 0)
        + struct.pack("<HHIQQQ", 4, 0, 32, 5, 2, 1))


def pcap_seeds():
    """pcap files as tracee-record writes them (nanosecond, little-endian),
    the other byte order, microseconds, and the damage a reader must name."""
    def head(magic=0xA1B23C4D, order="<", linktype=1):
        return struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)

    def rec(sec, frac, data, order="<", orig=None):
        return struct.pack(order + "IIII", sec, frac, len(data), orig or len(data)) + data

    eth = bytes(12) + b"\x08\x00"
    ip = bytes.fromhex("450000281234400040060000" "7f000001" "7f000001")
    tcp = struct.pack(">HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
    pkt = eth + ip + tcp
    put("fuzz_pcap", "nsec.pcap", head() + rec(1764561234, 999999999, pkt) + rec(1764561235, 1, pkt[:20], orig=1500))
    put("fuzz_pcap", "swapped-usec.pcap", head(0xA1B2C3D4, ">") + rec(1, 999999, pkt, ">"))
    put("fuzz_pcap", "raw-ip.pcap", head(linktype=101) + rec(5, 5, ip + tcp))
    put("fuzz_pcap", "empty.pcap", head())
    put("fuzz_pcap", "truncated-head.pcap", head() + rec(1, 1, pkt)[:10])
    put("fuzz_pcap", "truncated-data.pcap", head() + rec(1, 1, pkt)[:30])
    put("fuzz_pcap", "bad-fraction.pcap", head() + rec(1, 1000000000, pkt))
    put("fuzz_pcap", "huge-caplen.pcap", head() + struct.pack("<IIII", 1, 1, 0x7fffffff, 0x7fffffff))
    put("fuzz_pcap", "pcapng.pcap", struct.pack("<II", 0x0A0D0D0A, 28) + bytes(20))


if __name__ == "__main__":
    segment_seeds()
    manifest_seeds()
    args_seeds()
    unescape_seeds()
    replay_seeds()
    pcap_seeds()
