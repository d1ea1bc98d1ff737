# A workload for test_analyze_live.sh: a DNS server on ADDR:53 (default
# 127.0.0.9) answers c2.example with 127.0.0.1, then a TCP connect to
# 127.0.0.1:PORT (default 4444; nothing listens: refused).
# Usage: analyze_dns.py [ADDR [PORT]]
import socket, sys
addr = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.9"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 4444
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind((addr, 53))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x02c2\x07example\x00\x00\x01\x00\x01"
cli.sendto(q, (addr, 53))
data, peer = srv.recvfrom(512)
ans = data[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + data[12:] + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + socket.inet_aton("127.0.0.1")
srv.sendto(ans, peer)
cli.recvfrom(512)
t = socket.socket()
try: t.connect(("127.0.0.1", port))
except OSError: pass
