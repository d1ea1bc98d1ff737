// SPDX-License-Identifier: MIT
/* filter.c: tracee-record's in-kernel filters. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "diag.h"
#include "events.skel.h"
#include "filter.h"
#include "tr_filter.h"

/* "1,2,3": each a positive pid. */
static int check_pids(const char *arg)
{
	const char *p = arg;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v <= 0 || v > 0x3fffffff || (*end && *end != ','))
			return -EINVAL;
		p = *end ? end + 1 : end;
	}
	return *arg ? 0 : -EINVAL;
}

/* Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or
 * /sys/fs/cgroup/unified beside v1 controllers), into root. */
static int cgroup2_root(char *root, size_t len)
{
	char dev[256], dir[4096], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2")) {
			snprintf(root, len, "%s", dir);
			found = 1;
		}
	fclose(f);
	return found ? 0 : -ENOENT;
}

static int cgroup_of(struct rec_filter *f, const char *arg)
{
	char root[4096], path[8192];
	struct stat st;
	size_t rl;

	if (cgroup2_root(root, sizeof(root)))
		return -ENOENT;
	rl = strlen(root);
	/* ROOT/a/b, or a/b (or /a/b) below ROOT */
	if (!strncmp(arg, root, rl) && (arg[rl] == '/' || !arg[rl]))
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "%s/%s", root, arg + (arg[0] == '/'));
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return -ENOENT;
	f->cgroup_id = st.st_ino; /* cgroup v2: the id is the directory's inode */
	f->cgroup_level = 0;
	for (const char *c = path + rl; *c; c++)
		if (*c == '/' && c[1] && c[1] != '/')
			f->cgroup_level++;
	return 0;
}

int rec_filter__option(struct rec_filter *f, const char *opt, const char *arg, const char *prog)
{
	if (!strcmp(opt, "pid")) {
		if (check_pids(arg)) {
			tr_diag__error(prog, "--pid: '%s' is not a list of pids (1234,5678)", arg);
			return 2;
		}
		f->pids = arg;
		f->flags |= TR_FILTER_PID;
	} else if (!strcmp(opt, "comm") || !strcmp(opt, "exclude-comm")) {
		if (!*arg) {
			tr_diag__error(prog, "--%s: no name given", opt);
			return 2;
		}
		if (opt[0] == 'c') {
			f->comms = arg;
			f->flags |= TR_FILTER_COMM;
		} else {
			f->excl_comms = arg;
			f->flags |= TR_FILTER_EXCL_COMM;
		}
	} else if (!strcmp(opt, "uid")) {
		struct passwd *pw = getpwnam(arg);
		char *end;
		unsigned long v = strtoul(arg, &end, 10);

		if (pw)
			f->uid = pw->pw_uid;
		else if (*arg && !*end && v < 0xffffffffUL)
			f->uid = v;
		else {
			tr_diag__error(prog, "--uid: '%s' is neither a user nor a uid", arg);
			return 2;
		}
		f->flags |= TR_FILTER_UID;
	} else if (!strcmp(opt, "cgroup")) {
		if (cgroup_of(f, arg)) {
			tr_diag__error(prog, "--cgroup: '%s' is not a cgroup (a directory of the cgroup v2 hierarchy)", arg);
			return 2;
		}
		f->cgroup = arg;
		f->flags |= TR_FILTER_CGROUP;
	}
	return 0;
}

void rec_filter__configure(const struct rec_filter *f, struct events_bpf *skel)
{
	skel->rodata->filter_flags = f->flags;
	skel->rodata->filter_uid = f->uid;
	skel->rodata->filter_cgroup = f->cgroup_id;
	skel->rodata->filter_cgroup_level = f->cgroup_level;
}

static int add_comms(int fd, const char *list, __u8 mark)
{
	char *copy = strdup(list), *tok, *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char key[TR_COMM_LEN] = {};
		__u8 v = 0;

		/* the kernel keeps the first 15 bytes of a task's name */
		strncpy(key, tok, TR_COMM_LEN - 1);
		bpf_map_lookup_elem(fd, key, &v);
		v |= mark;
		if (bpf_map_update_elem(fd, key, &v, BPF_ANY)) {
			free(copy);
			return -errno;
		}
	}
	free(copy);
	return 0;
}

/* The given pids and, through /proc's parent links, their descendants
 * alive now (later ones are added by the fork program). */
static int add_pids(int fd, const char *list)
{
	size_t n = 0, cap = 1024;
	struct { int pid, ppid; } *all = malloc(cap * sizeof(*all));
	int followed_more = 1, err = 0;
	struct dirent *de;
	const char *p = list;
	DIR *d;
	__u8 one = 1;

	if (!all)
		return -ENOMEM;
	while (*p) {
		__u32 pid = strtoul(p, (char **)&p, 10);

		if (bpf_map_update_elem(fd, &pid, &one, BPF_ANY)) {
			free(all);
			return -errno;
		}
		if (*p == ',')
			p++;
	}
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		char path[300], buf[512], *close_paren;
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (close_paren = strrchr(buf, ')'))) {
			if (n == cap) {
				void *m = realloc(all, (cap *= 2) * sizeof(*all));

				if (!m) {
					fclose(f);
					err = -ENOMEM;
					break;
				}
				all = m;
			}
			all[n].pid = atoi(de->d_name);
			all[n].ppid = atoi(close_paren + 4); /* ") S ppid" */
			n++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	while (!err && followed_more) {
		followed_more = 0;
		for (size_t i = 0; i < n; i++) {
			__u32 pid = all[i].pid, ppid = all[i].ppid;
			__u8 v;

			if (bpf_map_lookup_elem(fd, &pid, &v) && !bpf_map_lookup_elem(fd, &ppid, &v)) {
				bpf_map_update_elem(fd, &pid, &one, BPF_ANY);
				followed_more = 1;
			}
		}
	}
	free(all);
	return err;
}

int rec_filter__fill(const struct rec_filter *f, struct events_bpf *skel, const char *prog)
{
	int err = 0;

	if (f->pids)
		err = add_pids(bpf_map__fd(skel->maps.filter_tgids), f->pids);
	if (!err && f->comms)
		err = add_comms(bpf_map__fd(skel->maps.filter_comms), f->comms, TR_FILTER_COMM_IN);
	if (!err && f->excl_comms)
		err = add_comms(bpf_map__fd(skel->maps.filter_comms), f->excl_comms, TR_FILTER_COMM_OUT);
	if (err)
		tr_diag__error(prog, "filling the filter maps failed: %s", strerror(-err));
	return err;
}
