#!/usr/bin/env python3
"""tr_records.py REC: the capture records of a recording (schema/FORMAT.md,
kinds 14 and 15) as JSON lines, read independently of the C codec: each
segment through zstdcat (which skips the frame headers), then the records
one by one. Also the connect events (kind 1, id 42) with their sockaddr, so
the live tests can compare them with the pcaps."""
import glob, json, socket, struct, subprocess, sys

rec = sys.argv[1]
# the event's fixed part: 120 bytes in version 1, 128 since 2 (euid, fsuid)
EVENT_HEAD = 120 if json.load(open(rec + "/manifest.json"))["format_version"] < 2 else 128
for seg in sorted(glob.glob(rec + "/events/seg-*.zst")):
    raw = subprocess.run(["zstdcat", "-q", seg], capture_output=True).stdout
    off = 0
    while off + 24 <= len(raw):
        kind, cpu, size, ts, seq = struct.unpack_from("<HHIQQ", raw, off)
        if size < 24 or off + size > len(raw):
            break
        body = raw[off:off + size]
        if kind == 14:
            lost, ifindex = struct.unpack_from("<QI", body, 24)
            print(json.dumps({"kind": "packet_gap", "cpu": cpu, "ts": ts, "lost": lost, "ifindex": ifindex}))
        elif kind == 15:
            (ets, eseq, ecpu, source, eid, pid, flags, start, fsize) = struct.unpack_from("<QQHHIIIQQ", body, 24)
            sha = body[72:104].hex()
            nargs = struct.unpack_from("<H", body, 104)[0]
            path = None
            if nargs:
                n = struct.unpack_from("<I", body, 113)[0]
                path = body[117:117 + n].decode("utf-8", "backslashreplace")
            print(json.dumps({"kind": "artifact", "ts": ts, "event_ts": ets, "event_cpu": ecpu,
                              "event_seq": eseq, "event_id": eid, "source": source, "pid": pid,
                              "start_ns": start, "flags": flags, "size": fsize, "sha256": sha,
                              "path": path}))
        elif kind == 1 and struct.unpack_from("<I", body, 24)[0] == 42:
            nargs = struct.unpack_from("<H", body, 28)[0]
            retval = struct.unpack_from("<q", body, 32)[0]
            pid = struct.unpack_from("<I", body, 68)[0]
            p, args = EVENT_HEAD, {}
            for _ in range(nargs):
                idx = body[p]
                if idx != 1:  # sockfd, addrlen: int32
                    p += 5
                else:
                    n = struct.unpack_from("<I", body, p + 1)[0]
                    args["addr"] = body[p + 5:p + 5 + n]; p += 5 + n
            out = {"kind": "connect", "ts": ts, "pid": pid, "retval": retval}
            a = args.get("addr", b"")
            if len(a) >= 8 and struct.unpack_from("<H", a, 0)[0] == socket.AF_INET:
                out["port"] = struct.unpack_from(">H", a, 2)[0]
                out["addr"] = socket.inet_ntoa(a[4:8])
            print(json.dumps(out))
        off += size
