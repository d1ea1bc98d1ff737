// SPDX-License-Identifier: MIT
/* filter.c: output filters (replay/output/filter.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter.h"

static const struct {
	const char *name;
	uint16_t sets;		/* any of these */
	uint16_t not_sets;	/* none of these */
} families[] = {
	{ "all", 0xffff, 0 },
	{ "recorded", 0xffff, TR_SET_DERIVED | TR_SET_EXTERNAL },
	{ "derived", TR_SET_DERIVED, 0 },
	{ "default", TR_SET_DEFAULT, 0 },
	{ "syscalls", TR_SET_SYSCALL, 0 },
	{ "proc", TR_SET_PROC, 0 },
	{ "process", TR_SET_PROC, 0 },
	{ "file", TR_SET_FILE, 0 },
	{ "fs", TR_SET_FILE, 0 },
	{ "net", TR_SET_NET, 0 },
	{ "network", TR_SET_NET, 0 },
	{ "system", TR_SET_SYSTEM, 0 },
	{ "container", TR_SET_CONTAINER, 0 },
};

static void set_id(struct tr_filter *f, const struct tr_event_def *d)
{
	if (d->id >= TR_FILTER_IDS)
		return;
	f->ids[d->id / 8] |= (uint8_t)(1U << (d->id % 8));
	if (d->sets & TR_SET_DERIVED)
		f->derived = 1;
}

int tr_filter__events(struct tr_filter *f, const char *spec, char *err, size_t errlen)
{
	const struct tr_catalog *c = tr_catalog__builtin();
	char *copy = strdup(spec), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	f->has_events = 1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int found = 0;

		for (size_t k = 0; k < sizeof(families) / sizeof(families[0]) && !found; k++)
			if (!strcmp(tok, families[k].name)) {
				found = 1;
				for (size_t i = 0; i < c->n; i++)
					if ((c->events[i].sets & families[k].sets) &&
					    !(c->events[i].sets & families[k].not_sets))
						set_id(f, &c->events[i]);
			}
		for (size_t i = 0; i < c->n && !found; i++)
			if (!strcmp(tok, c->events[i].name)) {
				set_id(f, &c->events[i]);
				found = 1;
			}
		if (!found) {
			snprintf(err, errlen, "unknown event or family '%s' (see --list-events)", tok);
			rc = -EINVAL;
			break;
		}
	}
	free(copy);
	return rc;
}

int tr_filter__time(const char *s, int64_t start_wall, int64_t *out)
{
	struct tm tm = { 0 };
	const char *p;
	char *end;
	int64_t frac = 0, off = 0;

	if (s[0] == '+') {
		double v = strtod(s + 1, &end);
		double mul = 1e9;

		if (end == s + 1 || v < 0)
			return -EINVAL;
		if (!strcmp(end, "ms"))
			mul = 1e6;
		else if (!strcmp(end, "us"))
			mul = 1e3;
		else if (!strcmp(end, "ns"))
			mul = 1;
		else if (!strcmp(end, "m"))
			mul = 60e9;
		else if (!strcmp(end, "h"))
			mul = 3600e9;
		else if (*end && strcmp(end, "s"))
			return -EINVAL;
		*out = start_wall + (int64_t)(v * mul);
		return 0;
	}
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		p = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		int digits = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm;

		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return -EINVAL;
		off = (int64_t)(hh * 3600 + mm * 60) * (*p == '+' ? 1 : -1);
		p += 6;
	} else if (*p) {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*out = ((int64_t)timegm(&tm) - off) * 1000000000LL + frac;
	return 0;
}

static int match_path(const struct tr_filter *f, const uint8_t *p, uint32_t len)
{
	char buf[2 * TR_STR_MAX + 2];

	if (!p || len >= sizeof(buf))
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	for (unsigned i = 0; i < f->npaths; i++)
		if (!fnmatch(f->paths[i], buf, 0))
			return 1;
	return 0;
}

static int pid_selected(const struct tr_filter *f, const struct tr_proc_node *n, uint32_t pid)
{
	for (unsigned i = 0; i < f->npids; i++)
		if (f->pids[i] == pid)
			return 1;
	if (!f->descendants || !n || !f->tree)
		return 0;
	for (unsigned depth = 0; n && depth < 4096; depth++) {
		for (unsigned i = 0; i < f->npids; i++)
			if (f->pids[i] == n->host_pid)
				return 1;
		n = tr_proctree__parent(f->tree, n);
	}
	return 0;
}

int tr_filter__match(const struct tr_filter *f, const struct tr_event_view *v, int names)
{
	const struct tr_event *ev = v->kind == TR_VIEW_EVENT ? v->ev : NULL;
	uint64_t ts = ev ? ev->h.ts : v->gap->h.ts;
	int64_t wall = (int64_t)(ts + (uint64_t)f->boot_to_wall);

	if (names && f->has_events) {
		uint32_t id = v->def->id;

		if (id >= TR_FILTER_IDS || !(f->ids[id / 8] & (1U << (id % 8))))
			return 0;
	}
	if ((f->since_wall && wall < f->since_wall) || (f->until_wall && wall > f->until_wall))
		return 0;
	if (!ev)	/* a gap has no task: only names and time select it */
		return !(f->npids || f->ncomms || f->ncontainers || f->nexes || f->npaths);
	if (f->npids && !pid_selected(f, v->proc, ev->host_pid))
		return 0;
	if (f->ncomms) {
		char comm[17];
		unsigned i;

		memcpy(comm, ev->comm, 16);
		comm[16] = '\0';
		for (i = 0; i < f->ncomms && fnmatch(f->comms[i], comm, 0); i++)
			;
		if (i == f->ncomms)
			return 0;
	}
	if (f->ncontainers) {
		unsigned i;

		for (i = 0; i < f->ncontainers; i++)
			if (v->container && (!strcmp(f->containers[i], "any") ||
					     !strncmp(v->container->id, f->containers[i], strlen(f->containers[i]))))
				break;
		if (i == f->ncontainers)
			return 0;
	}
	if (f->nexes) {
		unsigned i;

		if (!v->proc || !v->proc->exe.p)
			return 0;
		for (i = 0; i < f->nexes && fnmatch(f->exes[i], v->proc->exe.p, 0); i++)
			;
		if (i == f->nexes)
			return 0;
	}
	if (f->npaths) {
		int hit = 0;

		/* absolute forms, the strings as given, the files of fds */
		for (int s = 0; s < 2 && !hit; s++) {
			if (v->path[s].p)
				hit = match_path(f, (const uint8_t *)v->path[s].p, v->path[s].len);
			if (!hit && v->fd[s].f && v->fd[s].f->path.p)
				hit = match_path(f, (const uint8_t *)v->fd[s].f->path.p, v->fd[s].f->path.len);
		}
		for (unsigned i = 0; i < v->def->nargs && i < TR_MAX_ARGS && !hit; i++)
			if (v->args[i].present && v->args[i].wire == TR_T_STR)
				hit = match_path(f, v->args[i].b.p, v->args[i].b.len);
		if (!hit)
			return 0;
	}
	return 1;
}
