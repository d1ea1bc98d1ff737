// SPDX-License-Identifier: MIT
/* dns_workload: what tests/live/test_replay_dns.sh records. A tiny resolver
 * on 127.0.0.77:53 (a child) answers c2.evil.example with 127.0.0.1; the
 * parent asks it, then opens a TCP connection to a listener of its own on
 * 127.0.0.1 and closes it. Prints the listener's port. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char qname[] = "\x02" "c2" "\x04" "evil" "\x07" "example";

int main(void)
{
	struct sockaddr_in ns = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(lo);
	uint8_t q[512], r[512];
	int u, l, c, a, status;
	size_t qlen;
	pid_t kid;

	inet_pton(AF_INET, "127.0.0.77", &ns.sin_addr);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	if (u < 0 || bind(u, (struct sockaddr *)&ns, sizeof(ns)))
		return 1;
	kid = fork();
	if (kid == 0) {	/* the resolver: one answer */
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(u, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		static const uint8_t ans[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1 };

		if (n < 12)
			_exit(1);
		memcpy(r, q, (size_t)n);
		r[2] = 0x81; r[3] = 0x80;	/* a response, no error */
		r[6] = 0; r[7] = 1;		/* one answer */
		memcpy(r + n, ans, sizeof(ans));
		_exit(sendto(u, r, (size_t)n + sizeof(ans), 0, (struct sockaddr *)&from, fl) < 0);
	}
	close(u);
	memset(q, 0, 12);
	q[0] = 0x12; q[1] = 0x34; q[2] = 0x01; q[5] = 1;	/* id, RD, one question */
	memcpy(q + 12, qname, sizeof(qname));	/* with its final NUL */
	qlen = 12 + sizeof(qname);
	q[qlen++] = 0; q[qlen++] = 1; q[qlen++] = 0; q[qlen++] = 1;	/* A, IN */
	u = socket(AF_INET, SOCK_DGRAM, 0);
	if (u < 0 || sendto(u, q, qlen, 0, (struct sockaddr *)&ns, sizeof(ns)) < 0 || recv(u, r, sizeof(r), 0) < 12)
		return 2;
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&lo, sizeof(lo)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&lo, &alen))
		return 3;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&lo, sizeof(lo)) || (a = accept(l, NULL, NULL)) < 0)
		return 4;
	if (write(c, "x", 1) != 1 || close(c) || close(a) || close(l))
		return 5;
	waitpid(kid, &status, 0);
	printf("%d\n", ntohs(lo.sin_port));
	usleep(300 * 1000);	/* let the last packets drain */
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 6;
}
