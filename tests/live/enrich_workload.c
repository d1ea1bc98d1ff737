// SPDX-License-Identifier: MIT
/* enrich_workload: what tests/live/test_replay_enrich.sh records. In DIR:
 * fchdir into DIR/work, open .x/payload by a relative path, write an ELF
 * header through a dup of that fd; connect a TCP socket to a listener of
 * its own on 127.0.0.1 and dup2 it onto stdin; map memory read-write and
 * make it executable. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char elf[16] = "\x7f" "ELF\2\1\1";
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int dir, f, g, l, s;
	void *m;

	if (argc != 2 || chdir(argv[1]) || mkdir("work", 0700) || mkdir("work/.x", 0700))
		return 1;
	dir = open("work", O_RDONLY | O_DIRECTORY);
	if (dir < 0 || chdir("/") || fchdir(dir))
		return 2;
	f = open(".x/payload", O_WRONLY | O_CREAT | O_TRUNC, 0700);
	g = dup(f);
	if (f < 0 || g < 0 || close(f) || write(g, elf, sizeof(elf)) != sizeof(elf) || close(g))
		return 3;
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		return 4;
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) || dup2(s, 0) != 0)
		return 5;
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m, 4096, PROT_READ | PROT_EXEC))
		return 6;
	printf("%d\n", ntohs(a.sin_port));
	return 0;
}
