// SPDX-License-Identifier: MIT
/* udpflood: the packet flood of the capture benchmark. Sends N UDP datagrams
 * of SIZE bytes to 127.0.0.1:PORT as fast as it can, then stops (bounded,
 * loopback only), and prints the loop's own wall time in ns. A receiving
 * socket bound to PORT (read by nobody) keeps the kernel from answering
 * with ICMP, so each datagram is one packet on lo. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	int port = argc > 2 ? atoi(argv[2]) : 0, size = argc > 3 ? atoi(argv[3]) : 64;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(to);
	struct timespec t0, t1;
	char buf[65536] = { 0 };
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);

	if (size < 0 || size > (int)sizeof(buf) - 28 || n <= 0) {
		fprintf(stderr, "usage: udpflood N [PORT] [SIZE]\n");
		return 2;
	}
	to.sin_port = htons((unsigned short)port);
	if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&to, sizeof(to)) ||
	    getsockname(rx, (struct sockaddr *)&to, &len)) {
		perror("udpflood: socket");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++)
		if (sendto(tx, buf, (size_t)size, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			perror("udpflood: sendto");
			return 1;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lld %d\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec),
	       ntohs(to.sin_port));
	return 0;
}
