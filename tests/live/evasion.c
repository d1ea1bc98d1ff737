// SPDX-License-Identifier: MIT
/*
 * evasion: the tricks an attacker uses to hide from a syscall recorder, one
 * per subcommand, for the live tests (tests/live/test_record_evasion.sh).
 *
 *   ia32 DIR        int 0x80 (32-bit ABI) openat of DIR/ia32-file, chdir DIR,
 *                   then a fork that execve's /bin/true with 32-bit argv
 *   swap DIR        openat of DIR/fifo-real while a second thread rewrites
 *                   the path buffer to DIR/decoy (openat blocks on the FIFO)
 *   fexecve         exec of a memfd (fexecve): "/memfd:tr-payload (deleted)"
 *   forkexec        fork, then execve of string literals in .rodata
 *   fchdir DIR      fchdir into DIR
 *   bigargv         exec of /bin/true with 100 arguments, one of 5000 bytes
 *   opens DIR       open(2), creat(2) and openat2(2) of files in DIR
 *   uring DIR       an io_uring IORING_OP_OPENAT of DIR/uring-file and a NOP
 *   atexit DIR      openat of a path held in a file mapping never touched:
 *                   not resident at sys_enter, so read at sys_exit
 *   bpf             bpf(BPF_PROG_LOAD) of a kprobe program and a
 *                   bpf(BPF_LINK_DETACH), both refused (nothing is loaded)
 *   net             TCP connect and accept on 127.0.0.1, an fd passed with
 *                   SCM_RIGHTS, a UDP sendmmsg with an address
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A 32-bit syscall from 64-bit code: int 0x80 takes its number in eax and
 * its arguments in ebx, ecx, edx, esi, edi; pointers must be below 4 GiB. */
static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

#define IA32_EXIT	1
#define IA32_EXECVE	11
#define IA32_CHDIR	12
#define IA32_SOCKETCALL	102
#define IA32_OPENAT	295

static int do_ia32(const char *dir)
{
	char *low = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	uint32_t *argv32;
	char *path, *exe, *a1;
	long fd;
	pid_t pid;
	int st;

	if (low == MAP_FAILED || (uintptr_t)low + 8192 > 0xffffffffUL) {
		perror("evasion: mmap MAP_32BIT");
		return 1;
	}
	path = low;
	snprintf(path, 1024, "%s/ia32-file", dir);	/* the test creates it */
	fd = int80(IA32_OPENAT, AT_FDCWD, (long)(uintptr_t)path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "evasion: ia32 openat: %s\n", strerror((int)-fd));
		return 1;
	}
	close((int)fd);
	exe = low + 1024;
	strcpy(exe, "/bin/true");
	a1 = low + 1100;
	strcpy(a1, "ia32-argument");
	argv32 = (uint32_t *)(low + 2048);
	argv32[0] = (uint32_t)(uintptr_t)exe;
	argv32[1] = (uint32_t)(uintptr_t)a1;
	argv32[2] = 0;
	snprintf(low + 4096, 1024, "%s", dir);
	if (int80(IA32_CHDIR, (long)(uintptr_t)(low + 4096), 0, 0)) {
		fprintf(stderr, "evasion: ia32 chdir failed\n");
		return 1;
	}
	/* socketcall: socket(AF_INET, SOCK_STREAM), connect to 127.0.0.1:9 */
	{
		uint32_t *sargs = (uint32_t *)(low + 3072);
		struct sockaddr_in *sin = (struct sockaddr_in *)(low + 3200);
		long s;

		sargs[0] = AF_INET;
		sargs[1] = SOCK_STREAM;
		sargs[2] = 0;
		s = int80(IA32_SOCKETCALL, 1 /* SYS_SOCKET */, (long)(uintptr_t)sargs, 0);
		if (s < 0)
			return 1;
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sargs[0] = (uint32_t)s;
		sargs[1] = (uint32_t)(uintptr_t)sin;
		sargs[2] = sizeof(*sin);
		int80(IA32_SOCKETCALL, 3 /* SYS_CONNECT */, (long)(uintptr_t)sargs, 0);
		close((int)s);
	}
	pid = fork();
	if (!pid) {
		int80(IA32_EXECVE, (long)(uintptr_t)exe, (long)(uintptr_t)argv32, (long)(uintptr_t)(argv32 + 2));
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : 1;
}

static char swap_buf[4096];
static char swap_decoy[4096];
static volatile int swap_stop;

static void *swapper(void *arg)
{
	/* wait until the opener is inside openat (blocked on the FIFO), then
	 * make the buffer say something else */
	usleep(300000);
	memcpy(swap_buf, swap_decoy, sizeof(swap_buf));
	return NULL;
}

static int do_swap(const char *dir)
{
	char fifo[4096];
	pthread_t t;
	pid_t writer;
	int fd;

	snprintf(fifo, sizeof(fifo), "%s/fifo-real", dir);
	snprintf(swap_decoy, sizeof(swap_decoy), "%s/decoy", dir);
	mkfifo(fifo, 0600);
	strcpy(swap_buf, fifo);
	writer = fork();
	if (!writer) {
		/* the other end, after the swap: opening unblocks the reader */
		usleep(800000);
		fd = open(fifo, O_WRONLY);
		_exit(fd < 0);
	}
	pthread_create(&t, NULL, swapper, NULL);
	fd = open(swap_buf, O_RDONLY);
	pthread_join(t, NULL);
	waitpid(writer, NULL, 0);
	if (fd < 0) {
		perror("evasion: open fifo");
		return 1;
	}
	close(fd);
	return strcmp(swap_buf, swap_decoy) ? 1 : 0;
}

static int do_fexecve(void)
{
	char buf[65536];
	int src = open("/bin/true", O_RDONLY), mfd = memfd_create("tr-payload", 0);
	ssize_t n;
	char *const argv[] = { "payload", NULL };

	if (src < 0 || mfd < 0)
		return 1;
	while ((n = read(src, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n)
			return 1;
	close(src);
	fexecve(mfd, argv, environ);
	perror("evasion: fexecve");
	return 1;
}

static int do_forkexec(void)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		/* literals in .rodata the child has not touched yet */
		execl("/bin/true", "true", "LITERAL-ARGUMENT", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : 1;
}

static int do_fchdir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0 || fchdir(fd))
		return 1;
	close(fd);
	return 0;
}

static int do_bigargv(void)
{
	static char big[5001];
	char *argv[102];
	char num[100][16];

	memset(big, 'A', 5000);
	argv[0] = "true";
	argv[1] = big;
	for (int i = 0; i < 99; i++) {
		snprintf(num[i], sizeof(num[i]), "a%d", i);
		argv[2 + i] = num[i];
	}
	argv[101] = NULL;
	execv("/bin/true", argv);
	perror("evasion: execv");
	return 1;
}

static int do_opens(const char *dir)
{
	struct open_how how = { .flags = O_RDONLY };
	char p[3][4096];
	long fd[3];

	snprintf(p[0], sizeof(p[0]), "%s/opened-by-open", dir);
	snprintf(p[1], sizeof(p[1]), "%s/opened-by-creat", dir);
	snprintf(p[2], sizeof(p[2]), "%s/opened-by-openat2", dir);
	fd[0] = syscall(SYS_open, p[0], O_CREAT | O_WRONLY, 0600);
	fd[1] = syscall(SYS_creat, p[1], 0600);
	close(open(p[2], O_CREAT | O_WRONLY, 0600));
	fd[2] = syscall(SYS_openat2, AT_FDCWD, p[2], &how, sizeof(how));
	for (int i = 0; i < 3; i++) {
		if (fd[i] < 0) {
			fprintf(stderr, "evasion: open %s: %s\n", p[i], strerror(errno));
			return 1;
		}
		close((int)fd[i]);
	}
	return 0;
}

static int do_net(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s, sp[2], u;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(0x7f000002) };
	struct mmsghdr mm = { .msg_hdr = { .msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = &iov, .msg_iovlen = 1 } };

	if (l < 0 || c < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) || getsockname(l, (void *)&a, &len))
		return 1;
	if (connect(c, (void *)&a, sizeof(a)))
		return 1;
	len = sizeof(a);
	s = accept(l, (void *)&a, &len);
	if (s < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, sp))
		return 1;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &s, sizeof(int));
	if (sendmsg(sp[0], &msg, 0) != 1)
		return 1;
	msg.msg_controllen = sizeof(cbuf);
	if (recvmsg(sp[1], &msg, 0) != 1)
		return 1;
	u = socket(AF_INET, SOCK_DGRAM, 0);
	if (u < 0 || sendmmsg(u, &mm, 1, 0) != 1)
		return 1;
	return 0;
}

/* io_uring by hand (no liburing): one ring, an open and a NOP. */
static int do_uring(const char *dir)
{
	struct io_uring_params par = { 0 };
	int ring = (int)syscall(__NR_io_uring_setup, 4, &par);
	char path[4096];
	unsigned char *sq, *cq;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned *tail, *array, *ctail, *chead, mask;
	int fd = -1;

	if (ring < 0) {
		perror("evasion: io_uring_setup");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/uring-file", dir);
	sq = mmap(NULL, par.sq_off.array + par.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, par.cq_off.cqes + par.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, par.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return 1;
	tail = (unsigned *)(sq + par.sq_off.tail);
	array = (unsigned *)(sq + par.sq_off.array);
	mask = *(unsigned *)(sq + par.sq_off.ring_mask);
	memset(sqes, 0, 2 * sizeof(*sqes));
	sqes[0].opcode = IORING_OP_OPENAT;
	sqes[0].fd = AT_FDCWD;
	sqes[0].addr = (uintptr_t)path;
	sqes[0].open_flags = O_RDONLY;
	sqes[0].user_data = 42;
	sqes[1].opcode = IORING_OP_NOP;
	sqes[1].user_data = 43;
	array[*tail & mask] = 0;
	array[(*tail + 1) & mask] = 1;
	__atomic_store_n(tail, *tail + 2, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 2, 2, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
		perror("evasion: io_uring_enter");
		return 1;
	}
	chead = (unsigned *)(cq + par.cq_off.head);
	ctail = (unsigned *)(cq + par.cq_off.tail);
	cqes = (struct io_uring_cqe *)(cq + par.cq_off.cqes);
	for (unsigned h = *chead; h != __atomic_load_n(ctail, __ATOMIC_ACQUIRE); h++)
		if (cqes[h & *(unsigned *)(cq + par.cq_off.ring_mask)].user_data == 42)
			fd = cqes[h & *(unsigned *)(cq + par.cq_off.ring_mask)].res;
	if (fd < 0) {
		fprintf(stderr, "evasion: io_uring open: %s\n", strerror(-fd));
		return 1;
	}
	return 0;
}

static int do_atexit(const char *dir)
{
	char path[4096], file[4096];
	int fd;
	char *map;

	snprintf(file, sizeof(file), "%s/pathfile", dir);
	snprintf(path, sizeof(path), "%s/ia32-file", dir);
	fd = open(file, O_CREAT | O_TRUNC | O_RDWR, 0600);
	if (fd < 0 || write(fd, path, strlen(path) + 1) < 0)
		return 1;
	/* out of the page cache's mapping for us: a fresh mapping, untouched */
	map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 1;
	fd = openat(AT_FDCWD, map, O_RDONLY);
	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

static int do_bpf(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_KPROBE;	/* no instructions: refused */
	syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	memset(&a, 0, sizeof(a));
	a.link_detach.link_fd = -1;		/* no such link: refused */
	syscall(__NR_bpf, BPF_LINK_DETACH, &a, sizeof(a));
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 2 ? argv[2] : "/tmp";

	if (argc < 2) {
		fprintf(stderr, "usage: evasion ia32|swap|fexecve|forkexec|fchdir|bigargv [DIR]\n");
		return 2;
	}
	if (!strcmp(argv[1], "ia32"))
		return do_ia32(dir);
	if (!strcmp(argv[1], "swap"))
		return do_swap(dir);
	if (!strcmp(argv[1], "fexecve"))
		return do_fexecve();
	if (!strcmp(argv[1], "forkexec"))
		return do_forkexec();
	if (!strcmp(argv[1], "fchdir"))
		return do_fchdir(dir);
	if (!strcmp(argv[1], "bigargv"))
		return do_bigargv();
	if (!strcmp(argv[1], "opens"))
		return do_opens(dir);
	if (!strcmp(argv[1], "net"))
		return do_net();
	if (!strcmp(argv[1], "uring"))
		return do_uring(dir);
	if (!strcmp(argv[1], "bpf"))
		return do_bpf();
	if (!strcmp(argv[1], "atexit"))
		return do_atexit(dir);
	fprintf(stderr, "evasion: unknown '%s'\n", argv[1]);
	return 2;
}
