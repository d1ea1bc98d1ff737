// SPDX-License-Identifier: MIT
/*
 * snapshot.c: the host's state as state records (schema/FORMAT.md 4.4), so
 * that replay never needs the live host.
 *
 * A checkpoint is written at start and again at the start of every segment
 * (each segment stands alone). Each is a table of sections, read in order
 * between a CHECKPOINT begin and end; the process section writes each
 * process followed by its fds. Taken after the probes are attached, so that
 * a process either appears here or its birth is in the event stream (often
 * both: replay reconciles). Everything that vanishes while we look (a
 * process, an fd) is skipped; only a write failure is an error.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "snapshot.h"
#include "state.h"

#define ARGV_MAX 65536
#define REC_MAX (sizeof(struct tr_proc) + 4 * (5 + TR_STR_MAX) + 5 + ARGV_MAX + 16 * 5)
#define CLOCK_PERIOD_NS (10 * 1000000000ULL)

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Read a small file whole; returns its length or -errno. */
static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	n = n < 0 ? -errno : (ssize_t)len;
	close(fd);
	return n;
}

/* A whole file into a malloc'd, NUL-terminated buffer (NULL on error). */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			char *b = cap < (64U << 20) ? realloc(buf, 2 * cap + 1) : NULL;

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static uint32_t ns_inode(int pid, const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	return stat(path, &st) ? 0 : (uint32_t)st.st_ino;
}

/* ---- the clock ---- */

/* wall = boot + offset; the tightest of a few bracketed readings. */
static void clock_sample(int64_t *offset, uint64_t *mid, uint32_t *width)
{
	uint64_t best_gap = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		struct timespec b0, w, b1;
		uint64_t nb0, nb1, nw;

		clock_gettime(CLOCK_BOOTTIME, &b0);
		clock_gettime(CLOCK_REALTIME, &w);
		clock_gettime(CLOCK_BOOTTIME, &b1);
		nb0 = (uint64_t)b0.tv_sec * 1000000000ULL + b0.tv_nsec;
		nb1 = (uint64_t)b1.tv_sec * 1000000000ULL + b1.tv_nsec;
		nw = (uint64_t)w.tv_sec * 1000000000ULL + w.tv_nsec;
		if (nb1 - nb0 < best_gap) {
			best_gap = nb1 - nb0;
			*mid = nb0 + (nb1 - nb0) / 2;
			*offset = (int64_t)nw - (int64_t)*mid;
		}
	}
	*width = best_gap > UINT32_MAX ? UINT32_MAX : (uint32_t)best_gap;
}

int snapshot__clock(struct rec_output *out, uint16_t reason)
{
	struct tr_clock c = { .reason = reason };
	uint64_t mid = 0;
	int64_t offset = 0;
	uint32_t width = 0;

	clock_sample(&offset, &mid, &width);
	c.boot_to_wall_ns = offset;
	c.uncertainty_ns = width;
	return rec_output__user(out, &c, TR_REC_CLOCK, TR_CPU_NONE, sizeof(c), mid);
}

/* ---- one checkpoint's context ---- */

/* A socket found in a /proc/net table, by inode. */
struct sock_info {
	uint64_t ino;
	uint32_t net_ns;
	uint32_t type;		/* SOCK_* */
	uint32_t protocol;
	uint32_t state;
	uint32_t local_len, remote_len;
	struct sockaddr_storage local, remote;
};

/* A distinct namespace and one process in it. */
struct ns_pid {
	uint32_t ns;
	int pid;
};

struct snap {
	struct rec_output *out;
	char *rec;		/* record being built, REC_MAX bytes */
	char *argv;		/* ARGV_MAX bytes */
	uint32_t records;	/* state records of this checkpoint */
	uint64_t busy_ns;	/* when the buffers were last drained */
	unsigned nprocs, nfds;
	char cgroup2[256];	/* where the unified hierarchy is mounted, "" if nowhere */
	/* sockets of every net namespace seen so far, sorted by inode once loaded */
	struct sock_info *socks;
	size_t nsocks, sockcap;
	bool socks_sorted;
	uint32_t *netns_loaded;
	size_t nnetns;
	/* distinct mount namespaces, each with a process in it */
	struct ns_pid *mntns;
	size_t nmntns, mntcap;
};

/* Long checkpoints (a process with 20000 fds takes a second) must not
 * stop the draining of the kernel buffers: the clock is read at every
 * record (a vDSO call, far below what reading /proc costs) and every
 * BUSY_NS the recorder drains them (events then interleave with the
 * checkpoint's records, which FORMAT.md 4.4 allows). At a million events
 * a second, the per-CPU buffers fill in about 10 ms: a few ms between
 * drains keeps a rotation's checkpoint well inside that (the stretches are
 * counted as the rotation's stall: tracee-record -v). */
#define BUSY_NS 2000000ULL

static void breathe(struct snap *s)
{
	if (s->out->on_busy && boot_ns() - s->busy_ns >= BUSY_NS) {
		rec_output__busy(s->out);
		s->busy_ns = boot_ns();
	}
}

static void count(struct snap *s)
{
	s->records++;
	breathe(s);
}

/* Stamp and write the record in s->rec; off is its length. */
static int emit(struct snap *s, uint16_t kind, size_t off, uint64_t ts)
{
	int err = rec_output__user(s->out, s->rec, kind, TR_CPU_NONE, off, ts);

	if (!err)
		count(s);
	return err;
}

/* Arguments that do not fit or are too long are left out (the format's
 * rule for what could not be read); nothing else can go wrong. */
static void put_str(struct snap *s, size_t *off, uint8_t idx, const void *p, size_t len)
{
	if (len <= UINT32_MAX)
		tr_state__put_bytes(s->rec, REC_MAX, off, idx, p, (uint32_t)len);
}

static void put_cstr(struct snap *s, size_t *off, uint8_t idx, const char *p)
{
	if (p)
		put_str(s, off, idx, p, strlen(p));
}

/* ---- host ---- */

/* os-release: KEY=value lines, the value maybe quoted with shell rules. */
static size_t os_release(char *out, size_t cap)
{
	char *buf = slurp("/etc/os-release", NULL), *line, *save = NULL;
	size_t n = 0;

	if (!buf)
		buf = slurp("/usr/lib/os-release", NULL);
	if (!buf)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *v, q = 0;
		size_t klen;

		if (!eq || line[0] == '#')
			continue;
		klen = eq - line;
		if (n + klen + 1 >= cap)
			break;
		memcpy(out + n, line, klen + 1);
		n += klen + 1;
		v = eq + 1;
		if (*v == '"' || *v == '\'')
			q = *v++;
		for (; *v && n + 1 < cap; v++) {
			if (q && *v == q)
				break;
			if (q != '\'' && *v == '\\' && v[1])
				v++;
			out[n++] = *v;
		}
		out[n++] = 0;
	}
	free(buf);
	return n;
}

static void trim_line(char *buf, ssize_t n)
{
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static int write_host(struct snap *s)
{
	struct tr_host *h = (struct tr_host *)s->rec;
	uint64_t ts = boot_ns();
	char line[256];
	struct utsname u;
	size_t off;
	int ncpu = libbpf_num_possible_cpus();

	tr_state__begin(s->rec, REC_MAX, TR_REC_HOST, &off);
	h->cpu_count = ncpu > 0 ? ncpu : 0;
	h->clk_tck = sysconf(_SC_CLK_TCK);
	if (!uname(&u)) {
		put_cstr(s, &off, TR_HOST_ARG_HOSTNAME, u.nodename);
		put_cstr(s, &off, TR_HOST_ARG_KERNEL_RELEASE, u.release);
		put_cstr(s, &off, TR_HOST_ARG_KERNEL_VERSION, u.version);
		put_cstr(s, &off, TR_HOST_ARG_MACHINE, u.machine);
	}
	trim_line(line, read_file("/proc/sys/kernel/random/boot_id", line, sizeof(line) - 1));
	if (line[0])
		put_cstr(s, &off, TR_HOST_ARG_BOOT_ID, line);
	trim_line(line, read_file("/etc/machine-id", line, sizeof(line) - 1));
	if (line[0])
		put_cstr(s, &off, TR_HOST_ARG_MACHINE_ID, line);
	put_str(s, &off, TR_HOST_ARG_OS_RELEASE, s->argv, os_release(s->argv, ARGV_MAX));
	return emit(s, TR_REC_HOST, off, ts);
}

static int write_clock(struct snap *s)
{
	int err = snapshot__clock(s->out, TR_CLOCK_START);

	if (!err)
		s->records++;
	return err;
}

static int write_clock_segment(struct snap *s)
{
	int err = snapshot__clock(s->out, TR_CLOCK_SEGMENT);

	if (!err)
		s->records++;
	return err;
}

/* ---- namespaces ---- */

/* One process of each distinct mount namespace, in /proc order. */
static void list_mntns(struct snap *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	s->nmntns = 0;
	while (d && (de = readdir(d))) {
		int pid = atoi(de->d_name);
		uint32_t ns;
		size_t i;

		if (pid <= 0 || !(ns = ns_inode(pid, "mnt")))
			continue;
		for (i = 0; i < s->nmntns && s->mntns[i].ns != ns; i++)
			;
		if (i < s->nmntns)
			continue;
		if (s->nmntns == s->mntcap) {
			size_t cap = s->mntcap ? 2 * s->mntcap : 8;
			struct ns_pid *n = realloc(s->mntns, cap * sizeof(*n));

			if (!n)
				break;
			s->mntns = n;
			s->mntcap = cap;
		}
		s->mntns[s->nmntns++] = (struct ns_pid){ ns, pid };
	}
	if (d)
		closedir(d);
}

/* ---- mounts ---- */

/* Undo mountinfo's octal escapes (\040 for a space, ...) in place. */
static size_t unescape(char *p)
{
	char *w = p, *r = p;

	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
	return w - p;
}

static int write_mountinfo_line(struct snap *s, const struct ns_pid *n, char *line, uint64_t ts)
{
	struct tr_mount *m = (struct tr_mount *)s->rec;
	char *f[6], *save = NULL, *opt, *dash;
	size_t off;
	unsigned maj, min;
	int i;

	/* optional fields end at " - ": split there first */
	dash = strstr(line, " - ");
	if (!dash)
		return 0;
	*dash = 0;
	for (i = 0; i < 6 && (f[i] = strtok_r(i ? NULL : line, " ", &save)); i++)
		;
	if (i < 6 || sscanf(f[2], "%u:%u", &maj, &min) != 2)
		return 0;
	opt = save ? save : (char *)"";
	tr_state__begin(s->rec, REC_MAX, TR_REC_MOUNT, &off);
	m->mnt_ns = n->ns;
	m->host_pid = n->pid;
	m->mount_id = strtoul(f[0], NULL, 10);
	m->parent_id = strtoul(f[1], NULL, 10);
	m->dev_major = maj;
	m->dev_minor = min;
	put_str(s, &off, TR_MOUNT_ARG_ROOT, f[3], unescape(f[3]));
	put_str(s, &off, TR_MOUNT_ARG_POINT, f[4], unescape(f[4]));
	put_str(s, &off, TR_MOUNT_ARG_OPTIONS, f[5], strlen(f[5]));
	put_str(s, &off, TR_MOUNT_ARG_OPTIONAL, opt, strlen(opt));
	/* after " - ": fstype source super_options */
	save = NULL;
	for (i = 0; i < 3 && (f[i] = strtok_r(i ? NULL : dash + 3, " ", &save)); i++)
		;
	if (i > 0)
		put_str(s, &off, TR_MOUNT_ARG_FSTYPE, f[0], unescape(f[0]));
	if (i > 1)
		put_str(s, &off, TR_MOUNT_ARG_SOURCE, f[1], unescape(f[1]));
	if (i > 2)
		put_str(s, &off, TR_MOUNT_ARG_SUPER_OPTIONS, f[2], strlen(f[2]));
	return emit(s, TR_REC_MOUNT, off, ts);
}

static int write_mounts(struct snap *s)
{
	int err = 0;

	for (size_t i = 0; !err && i < s->nmntns; i++) {
		char path[64], *buf, *line, *save = NULL;
		uint64_t ts = boot_ns();

		snprintf(path, sizeof(path), "/proc/%d/mountinfo", s->mntns[i].pid);
		buf = slurp(path, NULL);
		if (!buf)
			continue;
		for (line = strtok_r(buf, "\n", &save); !err && line; line = strtok_r(NULL, "\n", &save))
			err = write_mountinfo_line(s, &s->mntns[i], line, ts);
		free(buf);
	}
	return err;
}

/* ---- users and groups ---- */

/* Split a colon-separated line into at most n fields (the last takes the rest). */
static int split_colons(char *line, char **f, int n)
{
	int i = 0;

	f[i++] = line;
	while (i < n && (line = strchr(line, ':'))) {
		*line++ = 0;
		f[i++] = line;
	}
	return i;
}

static int write_etc(struct snap *s, const struct ns_pid *n, const char *file, uint16_t kind)
{
	char path[96], *buf, *line, *save = NULL;
	uint64_t ts = boot_ns();
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/root/etc/%s", n->pid, file);
	buf = slurp(path, NULL);
	if (!buf)
		return 0;
	for (line = strtok_r(buf, "\n", &save); !err && line; line = strtok_r(NULL, "\n", &save)) {
		struct tr_user *u = (struct tr_user *)s->rec;
		char *f[7], *end;
		size_t off;
		int nf;

		if (line[0] == '#' || line[0] == '+' || line[0] == '-')
			continue;	/* comments, NIS compat entries */
		nf = split_colons(line, f, kind == TR_USER_USER ? 7 : 4);
		if (nf < (kind == TR_USER_USER ? 7 : 4))
			continue;
		tr_state__begin(s->rec, REC_MAX, TR_REC_USER, &off);
		u->kind = kind;
		u->mnt_ns = n->ns;
		u->id = strtoul(f[2], &end, 10);
		if (end == f[2])
			continue;
		put_cstr(s, &off, TR_USER_ARG_NAME, f[0]);
		if (kind == TR_USER_USER) {
			u->gid = strtoul(f[3], NULL, 10);
			put_cstr(s, &off, TR_USER_ARG_GECOS, f[4]);
			put_cstr(s, &off, TR_USER_ARG_HOME, f[5]);
			put_cstr(s, &off, TR_USER_ARG_SHELL, f[6]);
		} else if (f[3][0]) {
			/* "a,b,c" -> "a\0b\0c\0", the STR_ARRAY form */
			size_t len = strlen(f[3]);

			for (char *c = f[3]; *c; c++)
				if (*c == ',')
					*c = 0;
			put_str(s, &off, TR_USER_ARG_MEMBERS, f[3], len + 1);
		}
		err = emit(s, TR_REC_USER, off, ts);
	}
	free(buf);
	return err;
}

static int write_users(struct snap *s)
{
	int err = 0;

	for (size_t i = 0; !err && i < s->nmntns; i++) {
		err = write_etc(s, &s->mntns[i], "passwd", TR_USER_USER);
		if (!err)
			err = write_etc(s, &s->mntns[i], "group", TR_USER_GROUP);
	}
	return err;
}

/* ---- network interfaces ---- */

static int write_netifs(struct snap *s)
{
	struct ifaddrs *ifa, *a;
	uint32_t net_ns = ns_inode(getpid(), "net");
	uint64_t ts = boot_ns();
	int err = 0, sock;

	if (getifaddrs(&ifa))
		return 0;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* one record per interface: its AF_PACKET entry (every interface has
	 * one) gathers the addresses of the entries with the same name */
	for (a = ifa; !err && a; a = a->ifa_next) {
		struct tr_netif *n = (struct tr_netif *)s->rec;
		struct tr_netif_addr addrs[64];
		struct ifreq ifr = {};
		size_t off, na = 0;

		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_PACKET)
			continue;
		tr_state__begin(s->rec, REC_MAX, TR_REC_NETIF, &off);
		n->ifindex = if_nametoindex(a->ifa_name);
		n->if_flags = a->ifa_flags;
		n->net_ns = net_ns;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", a->ifa_name);
		if (sock >= 0 && !ioctl(sock, SIOCGIFMTU, &ifr))
			n->mtu = ifr.ifr_mtu;
		put_cstr(s, &off, TR_NETIF_ARG_NAME, a->ifa_name);
		{
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)a->ifa_addr;

			if (ll->sll_halen && ll->sll_halen <= sizeof(ll->sll_addr))
				put_str(s, &off, TR_NETIF_ARG_HWADDR, ll->sll_addr, ll->sll_halen);
		}
		for (struct ifaddrs *b = ifa; b && na < sizeof(addrs) / sizeof(addrs[0]); b = b->ifa_next) {
			struct tr_netif_addr *x = &addrs[na];
			unsigned prefix = 0;

			if (!b->ifa_addr || strcmp(b->ifa_name, a->ifa_name) ||
			    (b->ifa_addr->sa_family != AF_INET && b->ifa_addr->sa_family != AF_INET6))
				continue;
			memset(x, 0, sizeof(*x));
			x->family = b->ifa_addr->sa_family;
			if (x->family == AF_INET) {
				memcpy(x->addr, &((struct sockaddr_in *)b->ifa_addr)->sin_addr, 4);
				if (b->ifa_netmask)
					prefix = __builtin_popcount(((struct sockaddr_in *)b->ifa_netmask)->sin_addr.s_addr);
			} else {
				memcpy(x->addr, &((struct sockaddr_in6 *)b->ifa_addr)->sin6_addr, 16);
				for (int i = 0; b->ifa_netmask && i < 16; i++)
					prefix += __builtin_popcount(((struct sockaddr_in6 *)b->ifa_netmask)->sin6_addr.s6_addr[i]);
			}
			x->prefix_len = prefix;
			na++;
		}
		if (na)
			put_str(s, &off, TR_NETIF_ARG_ADDRS, addrs, na * sizeof(addrs[0]));
		err = emit(s, TR_REC_NETIF, off, ts);
	}
	if (sock >= 0)
		close(sock);
	freeifaddrs(ifa);
	return err;
}

/* ---- cgroups ---- */

/* The unified (v2) hierarchy's mount point: /sys/fs/cgroup on most hosts,
 * /sys/fs/cgroup/unified on hybrid ones. */
static void find_cgroup2(struct snap *s)
{
	char *buf = slurp("/proc/self/mountinfo", NULL), *line, *save = NULL;

	s->cgroup2[0] = 0;
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *dash = strstr(line, " - "), point[256];

		if (!dash || strncmp(dash + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*u %*u %*u:%*u %*s %255s", point) == 1) {
			unescape(point);
			snprintf(s->cgroup2, sizeof(s->cgroup2), "%s", point);
			break;
		}
	}
	free(buf);
}

static int walk_cgroup(struct snap *s, char *path, size_t len, size_t root_len, uint32_t level)
{
	struct tr_cgroup *c = (struct tr_cgroup *)s->rec;
	uint64_t ts = boot_ns();
	struct stat st;
	struct dirent *de;
	DIR *d;
	size_t off;
	int err;

	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return 0;
	tr_state__begin(s->rec, REC_MAX, TR_REC_CGROUP, &off);
	c->cgroup_id = st.st_ino;
	c->level = level;
	if (len == root_len)
		put_str(s, &off, TR_CGROUP_ARG_PATH, "/", 1);
	else
		put_str(s, &off, TR_CGROUP_ARG_PATH, path + root_len, len - root_len);
	err = emit(s, TR_REC_CGROUP, off, ts);
	d = opendir(path);
	while (!err && d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len + 1 + n >= PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		err = walk_cgroup(s, path, len + 1 + n, root_len, level + 1);
		path[len] = 0;
	}
	if (d)
		closedir(d);
	return err;
}

static int write_cgroups(struct snap *s)
{
	char path[PATH_MAX];
	size_t len = strlen(s->cgroup2);

	if (!len)
		return 0;
	memcpy(path, s->cgroup2, len + 1);
	return walk_cgroup(s, path, len, len, 0);
}

/* ---- sockets, from the /proc/net tables of each net namespace ---- */

static int sock_cmp(const void *a, const void *b)
{
	const struct sock_info *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static struct sock_info *sock_add(struct snap *s)
{
	if (s->nsocks == s->sockcap) {
		size_t cap = s->sockcap ? 2 * s->sockcap : 256;
		struct sock_info *n = realloc(s->socks, cap * sizeof(*n));

		if (!n)
			return NULL;
		s->socks = n;
		s->sockcap = cap;
	}
	s->socks_sorted = false;
	memset(&s->socks[s->nsocks], 0, sizeof(s->socks[0]));
	return &s->socks[s->nsocks++];
}

/* "0100007F:0277" (IPv4) or 32 hex digits and a port (IPv6): each 32-bit
 * word is printed as the host-order value of its bytes in memory. */
static int parse_inet(const char *p, int family, struct sockaddr_storage *ss, uint32_t *len)
{
	unsigned port;
	uint32_t w[4];

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (sscanf(p, "%8x:%x", &w[0], &port) != 2)
			return -1;
		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, &w[0], 4);
		in->sin_port = htons(port);
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		if (sscanf(p, "%8x%8x%8x%8x:%x", &w[0], &w[1], &w[2], &w[3], &port) != 5)
			return -1;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, w, 16);
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
	}
	return 0;
}

/* tcp, udp, raw (and their 6): "sl local remote st ... uid timeout inode". */
static void load_inet(struct snap *s, int pid, uint32_t net_ns, const char *table, int family,
		      uint32_t type, uint32_t protocol)
{
	char path[64], *buf, *line, *save = NULL;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", pid, table);
	buf = slurp(path, NULL);
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char local[64], remote[64];
		unsigned st;
		unsigned long long ino;
		struct sock_info *si;

		if (sscanf(line, " %*u: %63s %63s %x %*x:%*x %*x:%*x %*x %*u %*u %llu", local, remote, &st, &ino) != 4 ||
		    !ino)
			continue;
		si = sock_add(s);
		if (!si)
			break;
		si->ino = ino;
		si->net_ns = net_ns;
		si->type = type;
		si->protocol = protocol;
		si->state = st;
		if (parse_inet(local, family, &si->local, &si->local_len) ||
		    parse_inet(remote, family, &si->remote, &si->remote_len)) {
			s->nsocks--;
			continue;
		}
		/* a raw socket's "port" is its protocol */
		if (type == SOCK_RAW)
			si->protocol = ntohs(family == AF_INET ? ((struct sockaddr_in *)&si->local)->sin_port
							       : ((struct sockaddr_in6 *)&si->local)->sin6_port);
	}
	free(buf);
}

/* unix: "Num RefCount Protocol Flags Type St Inode [Path]". */
static void load_unix(struct snap *s, int pid, uint32_t net_ns)
{
	char path[64], *buf, *line, *save = NULL;

	snprintf(path, sizeof(path), "/proc/%d/net/unix", pid);
	buf = slurp(path, NULL);
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		unsigned type, st;
		unsigned long long ino;
		int name_at = 0;
		struct sock_info *si;
		struct sockaddr_un *un;

		if (sscanf(line, "%*x: %*x %*x %*x %x %x %llu %n", &type, &st, &ino, &name_at) != 3 || !ino)
			continue;
		si = sock_add(s);
		if (!si)
			break;
		si->ino = ino;
		si->net_ns = net_ns;
		si->type = type;
		si->state = st;
		un = (struct sockaddr_un *)&si->local;
		un->sun_family = AF_UNIX;
		si->local_len = offsetof(struct sockaddr_un, sun_path);
		if (name_at && line[name_at]) {
			size_t n = strlen(line + name_at);

			if (n > sizeof(un->sun_path))
				n = sizeof(un->sun_path);
			memcpy(un->sun_path, line + name_at, n);
			if (un->sun_path[0] == '@')
				un->sun_path[0] = 0;	/* abstract: the kernel shows its NUL as '@' */
			si->local_len += n;
		}
	}
	free(buf);
}

/* The tables of pid's net namespace, once per namespace. */
static void load_netns(struct snap *s, int pid, uint32_t net_ns)
{
	static const struct {
		const char *table;
		int family;
		uint32_t type, protocol;
	} tables[] = {
		{ "tcp", AF_INET, SOCK_STREAM, IPPROTO_TCP },
		{ "tcp6", AF_INET6, SOCK_STREAM, IPPROTO_TCP },
		{ "udp", AF_INET, SOCK_DGRAM, IPPROTO_UDP },
		{ "udp6", AF_INET6, SOCK_DGRAM, IPPROTO_UDP },
		{ "raw", AF_INET, SOCK_RAW, 0 },
		{ "raw6", AF_INET6, SOCK_RAW, 0 },
	};
	uint32_t *n;

	for (size_t i = 0; i < s->nnetns; i++)
		if (s->netns_loaded[i] == net_ns)
			return;
	n = realloc(s->netns_loaded, (s->nnetns + 1) * sizeof(*n));
	if (!n)
		return;
	s->netns_loaded = n;
	n[s->nnetns++] = net_ns;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		load_inet(s, pid, net_ns, tables[i].table, tables[i].family, tables[i].type, tables[i].protocol);
	load_unix(s, pid, net_ns);
}

static const struct sock_info *sock_find(struct snap *s, uint64_t ino)
{
	struct sock_info key = { .ino = ino };

	if (!s->socks_sorted) {
		qsort(s->socks, s->nsocks, sizeof(*s->socks), sock_cmp);
		s->socks_sorted = true;
	}
	return s->nsocks ? bsearch(&key, s->socks, s->nsocks, sizeof(*s->socks), sock_cmp) : NULL;
}

/* ---- fds ---- */

static const char deleted_suffix[] = " (deleted)";

static uint16_t fd_kind(const char *link, const struct stat *st, bool have_st)
{
	static const struct {
		const char *prefix;
		uint16_t kind;
	} by_name[] = {
		{ "socket:[", TR_FD_SOCKET },
		{ "pipe:[", TR_FD_PIPE },
		{ "anon_inode:", TR_FD_ANON },
		{ "/memfd:", TR_FD_MEMFD },
	};

	for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
		if (!strncmp(link, by_name[i].prefix, strlen(by_name[i].prefix)))
			return by_name[i].kind;
	if (!have_st)
		return TR_FD_OTHER;
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		return TR_FD_FILE;
	case S_IFDIR:
		return TR_FD_DIR;
	case S_IFCHR:
		return TR_FD_CHR;
	case S_IFBLK:
		return TR_FD_BLK;
	case S_IFIFO:
		return TR_FD_FIFO;
	default:
		return TR_FD_OTHER;
	}
}

/* pos, flags and mnt_id from /proc/PID/fdinfo/N. */
static bool read_fdinfo(int pid, int fd, struct tr_fd *f)
{
	char path[64], buf[512], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = 0;
	if ((p = strstr(buf, "pos:")))
		f->pos = strtoull(p + 4, NULL, 10);
	if ((p = strstr(buf, "flags:")))
		f->open_flags = strtoul(p + 6, NULL, 8);
	if ((p = strstr(buf, "mnt_id:")))
		f->mnt_id = strtoul(p + 7, NULL, 10);
	return true;
}

static int write_fd(struct snap *s, int pid, uint64_t start_ns, uint32_t net_ns, int fd)
{
	struct tr_fd *f = (struct tr_fd *)s->rec;
	char path[64], link[TR_STR_MAX];
	uint64_t ts = boot_ns();
	struct stat st;
	bool have_st;
	ssize_t n;
	size_t off;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;	/* closed meanwhile */
	link[n] = 0;
	have_st = !stat(path, &st);
	tr_state__begin(s->rec, REC_MAX, TR_REC_FD, &off);
	f->host_pid = pid;
	f->fd = fd;
	f->start_ns = start_ns;
	f->kind = fd_kind(link, &st, have_st);
	if (have_st) {
		f->flags |= TR_FDF_STAT;
		f->ino = st.st_ino;
		f->dev_major = major(st.st_dev);
		f->dev_minor = minor(st.st_dev);
		f->mode = st.st_mode;
		/* unlinked: the kernel appends " (deleted)" to the path */
		if (st.st_nlink == 0 && (size_t)n > sizeof(deleted_suffix) - 1 &&
		    !strcmp(link + n - (sizeof(deleted_suffix) - 1), deleted_suffix) &&
		    f->kind != TR_FD_SOCKET && f->kind != TR_FD_PIPE && f->kind != TR_FD_ANON) {
			f->flags |= TR_FDF_DELETED;
			n -= sizeof(deleted_suffix) - 1;
		}
	}
	if (read_fdinfo(pid, fd, f))
		f->flags |= TR_FDF_FDINFO;
	put_str(s, &off, TR_FD_ARG_PATH, link, n);
	if (f->kind == TR_FD_SOCKET && have_st) {
		const struct sock_info *si;

		load_netns(s, pid, net_ns);
		si = sock_find(s, st.st_ino);
		if (si) {
			put_str(s, &off, TR_FD_ARG_LOCAL, &si->local, si->local_len);
			if (si->remote_len)
				put_str(s, &off, TR_FD_ARG_REMOTE, &si->remote, si->remote_len);
			tr_state__put_u32(s->rec, REC_MAX, &off, TR_FD_ARG_SOCK_TYPE, si->type);
			tr_state__put_u32(s->rec, REC_MAX, &off, TR_FD_ARG_PROTOCOL, si->protocol);
			tr_state__put_u32(s->rec, REC_MAX, &off, TR_FD_ARG_SOCK_STATE, si->state);
			tr_state__put_u32(s->rec, REC_MAX, &off, TR_FD_ARG_NET_NS, si->net_ns);
		}
	}
	s->nfds++;
	return emit(s, TR_REC_FD, off, ts);
}

static int fd_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Every fd of pid, in fd order. */
static int write_fds(struct snap *s, int pid, uint64_t start_ns, uint32_t net_ns)
{
	char path[64];
	struct dirent *de;
	int *fds = NULL, err = 0;
	size_t n = 0, cap = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			int *f = realloc(fds, (cap = cap ? 2 * cap : 64) * sizeof(*f));

			if (!f)
				break;
			fds = f;
		}
		fds[n++] = atoi(de->d_name);
	}
	closedir(d);
	if (fds)
		qsort(fds, n, sizeof(*fds), fd_cmp);
	for (size_t i = 0; !err && i < n; i++)
		err = write_fd(s, pid, start_ns, net_ns, fds[i]);
	free(fds);
	return err;
}

/* ---- processes ---- */

/* Append one variable-length argument and count it in the record. */
static int put_proc(char *rec, size_t *off, uint8_t idx, const void *v, size_t len)
{
	int err = tr_arg__put_bytes(rec, REC_MAX, off, idx, v, len);

	if (!err)
		((struct tr_proc *)rec)->nargs++;
	return err;
}

static int put_proc_u32(char *rec, size_t *off, uint8_t idx, uint32_t v)
{
	int err = tr_arg__put_u32(rec, REC_MAX, off, idx, v);

	if (!err)
		((struct tr_proc *)rec)->nargs++;
	return err;
}

static int put_link(char *rec, size_t *off, uint8_t idx, const char *path)
{
	char target[TR_STR_MAX];
	ssize_t n = readlink(path, target, sizeof(target));

	if (n < 0)
		return 0; /* kernel threads have no exe; gone processes nothing */
	return put_proc(rec, off, idx, target, n);
}

/* /proc/PID/stat: comm in parentheses (may hold spaces and parentheses),
 * then the fields; ppid is the 4th field, starttime the 22nd. */
static int parse_stat(int pid, struct tr_proc *p)
{
	char path[64], buf[1024], *open_paren, *close_paren, *f;
	unsigned long long starttime = 0;
	ssize_t n;
	int ppid = 0, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return n;
	buf[n] = 0;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EBADMSG;
	n = close_paren - open_paren - 1;
	memcpy(p->comm, open_paren + 1, n < 15 ? n : 15);
	f = close_paren + 2;
	for (field = 3; f && *f; field++) {
		if (field == 4)
			ppid = atoi(f);
		if (field == 22) {
			starttime = strtoull(f, NULL, 10);
			break;
		}
		f = strchr(f, ' ');
		if (f)
			f++;
	}
	p->host_ppid = ppid;
	p->start_ns = starttime * (1000000000ULL / sysconf(_SC_CLK_TCK));
	return 0;
}

struct ids {
	uint32_t euid, egid, fsuid;
	bool have_uid, have_gid;
};

/* Uid, Gid (real, effective, saved, fs) and the pid as seen in its own
 * namespace, from /proc/PID/status. */
static void parse_status(int pid, struct tr_proc *p, struct ids *ids)
{
	char path[64], buf[4096], *line;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return;
	buf[n] = 0;
	for (line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		unsigned r, e, sv, fs;

		if (!strncmp(line, "Uid:", 4) && sscanf(line + 4, "%u %u %u %u", &r, &e, &sv, &fs) == 4) {
			p->uid = r;
			ids->euid = e;
			ids->fsuid = fs;
			ids->have_uid = true;
		} else if (!strncmp(line, "Gid:", 4) && sscanf(line + 4, "%u %u", &r, &e) == 2) {
			p->gid = r;
			ids->egid = e;
			ids->have_gid = true;
		} else if (!strncmp(line, "NSpid:", 6)) {
			char *end = strchr(line, '\n'), *last = line + 6;

			for (char *c = line + 6; c < (end ? end : line + strlen(line)); c++)
				if (isspace((unsigned char)*c) && isdigit((unsigned char)c[1]))
					last = c + 1;
			p->pid = strtoul(last, NULL, 10);
		}
	}
}

/* The cgroup v2 path ("0::/path") and its id, the inode of its directory. */
static int put_cgroup(struct snap *s, int pid, char *rec, size_t *off, struct tr_proc *p)
{
	char path[64], buf[TR_STR_MAX], dir[TR_STR_MAX + 300], *v2, *end;
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = 0;
	v2 = strstr(buf, "0::");
	if (!v2 || (v2 != buf && v2[-1] != '\n'))
		return 0;
	v2 += 3;
	end = strchr(v2, '\n');
	if (end)
		*end = 0;
	snprintf(dir, sizeof(dir), "%s%s", s->cgroup2, v2);
	if (s->cgroup2[0] && !stat(dir, &st))
		p->cgroup_id = st.st_ino;
	return put_proc(rec, off, TR_PROC_ARG_CGROUP, v2, strlen(v2));
}

/* One process, then its fds; -ENOENT/-ESRCH if it went away meanwhile. */
static int write_proc(struct snap *s, int pid, uint64_t ts)
{
	static const struct {
		const char *name;
		uint8_t idx;
	} nss[] = {
		{ "net", TR_PROC_ARG_NET_NS },
		{ "user", TR_PROC_ARG_USER_NS },
		{ "uts", TR_PROC_ARG_UTS_NS },
		{ "cgroup", TR_PROC_ARG_CGROUP_NS },
	};
	struct tr_proc *p = (struct tr_proc *)s->rec;
	char *rec = s->rec, path[64];
	struct ids ids = {};
	size_t off = sizeof(*p);
	uint32_t net_ns = 0;
	ssize_t n;
	int err;

	memset(p, 0, sizeof(*p));
	p->host_pid = pid;
	p->pid = pid;
	err = parse_stat(pid, p);
	if (err)
		return err;
	parse_status(pid, p, &ids);
	p->ppid = p->pid == (uint32_t)pid ? p->host_ppid : 0;
	p->mnt_ns = ns_inode(pid, "mnt");
	p->pid_ns = ns_inode(pid, "pid");

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	err = put_link(rec, &off, TR_PROC_ARG_EXE, path);
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	if (!err)
		err = put_link(rec, &off, TR_PROC_ARG_CWD, path);
	/* cmdline is already NUL-ended elements, the STR_ARRAY wire form.
	 * Reading it waits for the process's memory map lock: a busy
	 * process can take milliseconds, so drain before it if it is time. */
	breathe(s);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_file(path, s->argv, ARGV_MAX);
	breathe(s);
	if (!err && n > 0)
		err = put_proc(rec, &off, TR_PROC_ARG_ARGV, s->argv, n);
	if (!err)
		err = put_cgroup(s, pid, rec, &off, p);
	if (!err && ids.have_uid)
		err = put_proc_u32(rec, &off, TR_PROC_ARG_EUID, ids.euid);
	if (!err && ids.have_gid)
		err = put_proc_u32(rec, &off, TR_PROC_ARG_EGID, ids.egid);
	if (!err && ids.have_uid)
		err = put_proc_u32(rec, &off, TR_PROC_ARG_FSUID, ids.fsuid);
	for (size_t i = 0; !err && i < sizeof(nss) / sizeof(nss[0]); i++) {
		uint32_t ino = ns_inode(pid, nss[i].name);

		if (nss[i].idx == TR_PROC_ARG_NET_NS)
			net_ns = ino;
		if (ino)
			err = put_proc_u32(rec, &off, nss[i].idx, ino);
	}
	if (err)
		return err;
	err = rec_output__user(s->out, rec, TR_REC_PROC, TR_CPU_NONE, off, ts);
	if (err)
		return err;
	count(s);
	s->nprocs++;
	return write_fds(s, pid, p->start_ns, net_ns);
}

static int write_procs(struct snap *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		/* stamped as it is read: replay applies only later events on
		 * top of it (a chdir during a long scan is not applied twice) */
		err = write_proc(s, pid, boot_ns());
		if (err == -ENOENT || err == -ESRCH || err == -EBADMSG)
			err = 0; /* exited while we looked */
	}
	closedir(d);
	return err;
}

/* ---- checkpoints ---- */

/* What each checkpoint holds, in order (FORMAT.md 4.4). */
static const struct section {
	const char *name;
	int (*write)(struct snap *s);
	bool at_start, at_rotation;
} sections[] = {
	{ "host", write_host, true, true },
	{ "clock", write_clock, true, false },
	{ "clock", write_clock_segment, false, true },
	{ "users", write_users, true, false },
	{ "mounts", write_mounts, true, false },
	{ "interfaces", write_netifs, true, false },
	{ "cgroups", write_cgroups, true, true },
	{ "processes", write_procs, true, true },
};

static unsigned checkpoints;	/* written so far: the next one's id */
static uint64_t last_clock_ns;

static int marker(struct rec_output *out, uint32_t id, uint32_t segment, uint16_t phase, uint16_t reason,
		  uint32_t records)
{
	struct tr_checkpoint c = { .id = id, .segment = segment, .phase = phase, .reason = reason,
				   .records = phase == TR_CHECKPOINT_END ? records : 0 };

	return rec_output__user(out, &c, TR_REC_CHECKPOINT, TR_CPU_NONE, sizeof(c), boot_ns());
}

int snapshot__checkpoint(struct rec_output *out, uint16_t reason, uint32_t segment,
			 struct snapshot_stats *stats)
{
	struct snap s = { .out = out };
	uint32_t id = checkpoints++;
	uint64_t bytes0 = rec_output__raw_bytes(out);
	int err;

	s.rec = malloc(REC_MAX);
	s.argv = malloc(ARGV_MAX);
	if (!s.rec || !s.argv) {
		err = -ENOMEM;
		goto out;
	}
	find_cgroup2(&s);
	if (reason == TR_CHECKPOINT_START)
		list_mntns(&s);
	err = marker(out, id, segment, TR_CHECKPOINT_BEGIN, reason, 0);
	for (size_t i = 0; !err && i < sizeof(sections) / sizeof(sections[0]); i++)
		if (reason == TR_CHECKPOINT_START ? sections[i].at_start : sections[i].at_rotation)
			err = sections[i].write(&s);
	if (!err)
		err = marker(out, id, segment, TR_CHECKPOINT_END, reason, s.records);
	last_clock_ns = boot_ns();
	if (stats) {
		stats->procs = s.nprocs;
		stats->fds = s.nfds;
		stats->records = s.records;
		stats->raw_bytes = rec_output__raw_bytes(out) - bytes0;
	}
out:
	free(s.rec);
	free(s.argv);
	free(s.socks);
	free(s.netns_loaded);
	free(s.mntns);
	return err;
}

/* rec_output's hooks: a checkpoint at the start of every later segment, a
 * clock record every CLOCK_PERIOD_NS. */
static int on_segment(struct rec_output *out, void *ctx, uint32_t segment)
{
	struct snapshot_stats *total = ctx, st;
	int err = snapshot__checkpoint(out, TR_CHECKPOINT_ROTATION, segment, &st);

	if (total) {
		total->checkpoints++;
		total->raw_bytes += st.raw_bytes;
	}
	return err;
}

static int on_flush(struct rec_output *out, void *ctx, uint64_t now_ns)
{
	if (now_ns - last_clock_ns < CLOCK_PERIOD_NS)
		return 0;
	last_clock_ns = now_ns;
	return snapshot__clock(out, TR_CLOCK_PERIODIC);
}

int snapshot__write(struct rec_output *out, unsigned *nprocs)
{
	static struct snapshot_stats rotations;
	struct snapshot_stats st = {};
	int err = snapshot__checkpoint(out, TR_CHECKPOINT_START, 0, &st);

	*nprocs = st.procs;
	out->on_segment = on_segment;
	out->on_flush = on_flush;
	out->hook_ctx = &rotations;
	return err;
}
