// SPDX-License-Identifier: MIT
/*
 * env.c: what of an exec's environment reaches the disk (record/env.h).
 *
 * The BPF side reads execve's and execveat's envp like argv, and
 * sched_process_exec's env from the new image's stack; the recorder
 * keeps, before anything is written, only the variables detections need
 * (DESIGN.md 4.6: TRC-107 reads LD_PRELOAD, TRC-1013 the Kubernetes API
 * address), unless --capture env asks for all of it. An environment holds
 * secrets (tokens, passwords): the rest never reaches the recording.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "env.h"

/* Kept without --capture env. */
static const char *const rec_env_default[] = {
	"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "LD_BIND_NOW", "LD_DEBUG",
	"KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD",
	"SUDO_USER", "SUDO_UID", "SUDO_COMMAND",
	"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY",
};

/* The events that carry an environment, and the argument that holds it. */
static const struct {
	uint32_t id;
	const char *arg;
} rec_env_args[] = {
	{ TR_EV_EXECVE, "envp" },
	{ TR_EV_EXECVEAT, "envp" },
	{ TR_EV_SCHED_PROCESS_EXEC, "env" },
};

int rec_env__option(struct rec_env *e, const char *arg)
{
	const char *p;

	if (strcmp(arg, "env") && strncmp(arg, "env=", 4))
		return -ENOENT;
	if (!arg[3]) {
		e->all = 1;
		return 0;
	}
	/* env=VAR,...: these besides the defaults */
	for (p = arg + 4; *p;) {
		size_t n = strcspn(p, ",");
		char **v;

		if (!n || memchr(p, '=', n))
			return -EINVAL;
		v = realloc(e->extra, (e->nextra + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		e->extra = v;
		if (!(v[e->nextra] = strndup(p, n)))
			return -ENOMEM;
		e->nextra++;
		p += n + (p[n] == ',');
	}
	return e->nextra ? 0 : -EINVAL;
}

void rec_env__free(struct rec_env *e)
{
	for (size_t i = 0; e && i < e->nextra; i++)
		free(e->extra[i]);
	if (e)
		free(e->extra);
}

static int keep(const struct rec_env *e, const uint8_t *s, size_t len)
{
	const uint8_t *eq = memchr(s, '=', len);
	size_t n = eq ? (size_t)(eq - s) : len;

	for (size_t i = 0; i < sizeof(rec_env_default) / sizeof(rec_env_default[0]); i++)
		if (strlen(rec_env_default[i]) == n && !memcmp(rec_env_default[i], s, n))
			return 1;
	for (size_t i = 0; i < e->nextra; i++)
		if (strlen(e->extra[i]) == n && !memcmp(e->extra[i], s, n))
			return 1;
	return 0;
}

/* Bytes of the value of wire type w at p (len bytes left), 0 if malformed. */
static size_t value_size(uint8_t w, const uint8_t *p, size_t len)
{
	uint32_t n;

	switch (w) {
	case TR_T_INT32:
	case TR_T_UINT32:
		return len >= 4 ? 4 : 0;
	case TR_T_INT64:
	case TR_T_UINT64:
		return len >= 8 ? 8 : 0;
	default:
		if (len < 4)
			return 0;
		memcpy(&n, p, 4);
		return n <= len - 4 ? 4 + (size_t)n : 0;
	}
}

size_t rec_env__filter(const struct rec_env *e, const void *rec, size_t len, uint8_t *out, size_t cap)
{
	const uint8_t *r = rec;
	const struct tr_event_def *d;
	struct tr_event ev;
	size_t off = sizeof(ev), o;
	const char *name = NULL;
	int envp = -1;

	if (e->all || len < sizeof(ev) || cap < len)
		return 0;
	memcpy(&ev, r, sizeof(ev));
	if (ev.h.kind != TR_REC_EVENT)
		return 0;
	for (size_t i = 0; i < sizeof(rec_env_args) / sizeof(rec_env_args[0]); i++)
		if (rec_env_args[i].id == ev.event_id)
			name = rec_env_args[i].arg;
	if (!name)
		return 0;
	d = tr_catalog__find(tr_catalog__builtin(), ev.event_id);
	for (unsigned i = 0; d && i < d->nargs; i++)
		if (!strcmp(d->args[i].name, name))
			envp = (int)i;
	if (envp < 0)
		return 0;
	/* find envp among the arguments; the rest is copied as it is */
	for (unsigned k = 0; k < ev.nargs; k++) {
		uint8_t idx;
		size_t vs;

		if (off >= len)
			return 0;
		idx = r[off];
		if (idx >= d->nargs)
			return 0;
		vs = value_size(d->args[idx].wire, r + off + 1, len - off - 1);
		if (!vs)
			return 0;
		if (idx != envp) {
			off += 1 + vs;
			continue;
		}
		/* copy up to the value, then the kept elements, then the rest */
		memcpy(out, r, off + 1);
		o = off + 5;
		for (size_t p = off + 5, end = off + 1 + vs; p < end;) {
			const uint8_t *z = memchr(r + p, '\0', end - p);
			size_t n = z ? (size_t)(z - (r + p)) + 1 : end - p;

			if (keep(e, r + p, n)) {
				memcpy(out + o, r + p, n);
				o += n;
			}
			p += n;
		}
		{
			uint32_t kept = (uint32_t)(o - off - 5);

			memcpy(out + off + 1, &kept, 4);
		}
		memcpy(out + o, r + off + 1 + vs, len - (off + 1 + vs));
		o += len - (off + 1 + vs);
		ev.h.size = (uint32_t)o;
		memcpy(out + offsetof(struct tr_rec_hdr, size), &ev.h.size, sizeof(ev.h.size));
		return o;
	}
	return 0;
}
