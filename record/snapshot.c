// SPDX-License-Identifier: MIT
/*
 * snapshot.c: the process table at start, as TR_REC_PROC state records.
 * Taken after the probes are attached, so that a process either appears
 * here or its birth is in the event stream (often both: replay reconciles).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "snapshot.h"

#define ARGV_MAX 65536
#define PROC_REC_MAX (sizeof(struct tr_proc) + 3 * (5 + TR_STR_MAX) + 5 + ARGV_MAX)

/* Read a small /proc file whole; returns its length or -errno. */
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

/* Append one variable-length argument and count it in the record. */
static int put(char *rec, size_t *off, uint8_t idx, const void *v, size_t len)
{
	int err = tr_arg__put_bytes(rec, PROC_REC_MAX, off, idx, v, len);

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
	return put(rec, off, idx, target, n);
}

static uint64_t ns_inode(int pid, const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	return stat(path, &st) ? 0 : st.st_ino;
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

/* Uid, Gid and the pid as seen in its own namespace, from /proc/PID/status. */
static void parse_status(int pid, struct tr_proc *p)
{
	char path[64], buf[4096], *line;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return;
	buf[n] = 0;
	for (line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, "Uid:", 4))
			p->uid = strtoul(line + 4, NULL, 10);
		else if (!strncmp(line, "Gid:", 4))
			p->gid = strtoul(line + 4, NULL, 10);
		else if (!strncmp(line, "NSpid:", 6)) {
			char *end = strchr(line, '\n'), *last = line + 6;

			for (char *c = line + 6; c < (end ? end : line + strlen(line)); c++)
				if (isspace((unsigned char)*c) && isdigit((unsigned char)c[1]))
					last = c + 1;
			p->pid = strtoul(last, NULL, 10);
		}
	}
}

/* The cgroup v2 path ("0::/path") and its id, the inode of its directory. */
static int put_cgroup(int pid, char *rec, size_t *off, struct tr_proc *p)
{
	char path[64], buf[TR_STR_MAX], dir[TR_STR_MAX + 32], *v2, *end;
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = 0;
	v2 = strstr(buf, "0::");
	if (!v2)
		return 0;
	v2 += 3;
	end = strchr(v2, '\n');
	if (end)
		*end = 0;
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", v2);
	if (!stat(dir, &st))
		p->cgroup_id = st.st_ino;
	return put(rec, off, TR_PROC_ARG_CGROUP, v2, strlen(v2));
}

/* One process; -ENOENT/-ESRCH if it went away meanwhile. */
static int snapshot_one(struct rec_output *out, int pid, uint64_t ts, char *rec, char *argv)
{
	struct tr_proc *p = (struct tr_proc *)rec;
	char path[64];
	size_t off = sizeof(*p);
	ssize_t n;
	int err;

	memset(p, 0, sizeof(*p));
	p->host_pid = pid;
	p->pid = pid;
	err = parse_stat(pid, p);
	if (err)
		return err;
	parse_status(pid, p);
	p->ppid = p->pid == (uint32_t)pid ? p->host_ppid : 0;
	p->mnt_ns = ns_inode(pid, "mnt");
	p->pid_ns = ns_inode(pid, "pid");

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	err = put_link(rec, &off, TR_PROC_ARG_EXE, path);
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	if (!err)
		err = put_link(rec, &off, TR_PROC_ARG_CWD, path);
	/* cmdline is already NUL-ended elements, the STR_ARRAY wire form. */
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_file(path, argv, ARGV_MAX);
	if (!err && n > 0)
		err = put(rec, &off, TR_PROC_ARG_ARGV, argv, n);
	if (!err)
		err = put_cgroup(pid, rec, &off, p);
	if (err)
		return err;
	return rec_output__user(out, rec, TR_REC_PROC, TR_CPU_NONE, off, ts);
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int snapshot__write(struct rec_output *out, unsigned *nprocs)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char *rec, *argv;
	int err = 0;

	*nprocs = 0;
	if (!d)
		return -errno;
	rec = malloc(PROC_REC_MAX);
	argv = malloc(ARGV_MAX);
	if (!rec || !argv)
		err = -ENOMEM;
	while (!err && (de = readdir(d))) {
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		/* stamped as it is read: replay applies only later events on
		 * top of it (a chdir during a long scan is not applied twice) */
		err = snapshot_one(out, pid, boot_ns(), rec, argv);
		if (err == -ENOENT || err == -ESRCH)
			err = 0; /* exited while we looked */
		else if (!err)
			(*nprocs)++;
	}
	free(argv);
	free(rec);
	closedir(d);
	return err;
}
