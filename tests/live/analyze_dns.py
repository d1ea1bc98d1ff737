# A workload for test_analyze_live.sh: a DNS server on 127.0.0.9:53 answers
# c2.example with 127.0.0.1, then a TCP connect to 127.0.0.1:4444 (refused).
import socket, struct
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(("127.0.0.9", 53))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x02c2\x07example\x00\x00\x01\x00\x01"
cli.sendto(q, ("127.0.0.9", 53))
data, addr = srv.recvfrom(512)
ans = data[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + data[12:] + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + socket.inet_aton("127.0.0.1")
srv.sendto(ans, addr)
cli.recvfrom(512)
t = socket.socket()
try: t.connect(("127.0.0.1", 4444))
except OSError: pass
