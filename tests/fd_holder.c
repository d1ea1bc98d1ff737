// SPDX-License-Identifier: MIT
/*
 * fd_holder: a process that holds one fd of each kind the state snapshot
 * must describe, for tests/live/test_record_state.sh:
 *   a TCP socket listening on 127.0.0.1 (ephemeral port), a TCP client
 *   connected to it and the accepted end, an AF_UNIX stream socket
 *   listening on DIR/sock, a pipe (read end, write end), DIR/held (a
 *   regular file opened O_CLOEXEC, 9 bytes written, then unlinked) and a
 *   memfd named "trtest".
 * It then prints one line, "PORT LISTEN CLIENT ACCEPTED UNIX PIPE_R PIPE_W
 * FILE MEMFD" (the port and the fd numbers), and waits until its stdin
 * closes or a signal comes.
 *
 *   fd_holder DIR
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(in);
	char path[4096], c;
	int lsn, cli, acc, ux, p[2], fd, mfd;

	if (argc != 2) {
		fputs("USAGE: fd_holder DIR\n", stderr);
		return 2;
	}
	lsn = socket(AF_INET, SOCK_STREAM, 0);
	if (lsn < 0 || bind(lsn, (struct sockaddr *)&in, sizeof(in)) || listen(lsn, 4) ||
	    getsockname(lsn, (struct sockaddr *)&in, &len))
		die("listen");
	cli = socket(AF_INET, SOCK_STREAM, 0);
	if (cli < 0 || connect(cli, (struct sockaddr *)&in, sizeof(in)))
		die("connect");
	acc = accept(lsn, NULL, NULL);
	if (acc < 0)
		die("accept");
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/sock", argv[1]);
	ux = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ux < 0 || bind(ux, (struct sockaddr *)&un, sizeof(un)) || listen(ux, 1))
		die("unix listen");
	if (pipe(p))
		die("pipe");
	snprintf(path, sizeof(path), "%s/held", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "evidence\n", 9) != 9 || unlink(path))
		die(path);
	mfd = memfd_create("trtest", 0);
	if (mfd < 0)
		die("memfd_create");
	printf("%u %d %d %d %d %d %d %d %d\n", ntohs(in.sin_port), lsn, cli, acc, ux, p[0], p[1], fd, mfd);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
