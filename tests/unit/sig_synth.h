/* SPDX-License-Identifier: MIT */
/*
 * sig_synth.h: catalog events built in memory, by name, for signature
 * tests: "openat: dirfd=-100 pathname=/etc/sudoers flags=01 @comm=vi".
 * Arguments are typed by the catalog's wire type:
 *   integers   strtoll (0x.. hex, 0.. octal)
 *   STR        the text
 *   STR_ARRAY  elements separated by '|'
 *   SOCKADDR   inet:A.B.C.D:PORT, inet6:ADDR:PORT (last colon), unix:PATH
 *   BYTES      elf (an ELF header) or the text
 * and "@" keys set the context: @comm=, @pcomm= (the parent's comm),
 * @pexe= (the parent's executable), @container (outside the initial pid
 * namespace), @ret=, @cwd=, @pid=.
 * Header-only (static functions): each tests/unit/test_*.c builds alone.
 */
#ifndef TR_SIG_SYNTH_H
#define TR_SIG_SYNTH_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "catalog.h"
#include "proctree.h"
#include "view.h"

#define SS_HOST_PID_NS 0xEFFFFFFCU

struct ss_event {
	struct tr_event ev;
	struct tr_event_view v;
	uint8_t bytes[TR_MAX_ARGS][512];
};

static inline const struct tr_event_def *ss_def(const char *name)
{
	const struct tr_catalog *c = tr_catalog__builtin();

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->events[i].name, name))
			return &c->events[i];
	fprintf(stderr, "sig_synth: no event %s\n", name);
	abort();
}

static inline int ss_argidx(const struct tr_event_def *d, const char *name)
{
	for (unsigned i = 0; i < d->nargs; i++)
		if (!strcmp(d->args[i].name, name))
			return (int)i;
	fprintf(stderr, "sig_synth: event %s has no argument %s\n", d->name, name);
	abort();
}

static inline void ss_set(struct ss_event *e, const char *name, const char *val)
{
	const struct tr_event_def *d = e->v.def;
	int k = ss_argidx(d, name);
	struct tr_arg_val *a = &e->v.args[k];
	uint8_t *buf = e->bytes[k];
	size_t n = 0;

	a->present = 1;
	a->wire = d->args[k].wire;
	switch (a->wire) {
	case TR_T_INT32:
	case TR_T_INT64:
		a->i = strtoll(val, NULL, 0);
		return;
	case TR_T_UINT32:
	case TR_T_UINT64:
		a->u = strtoull(val, NULL, 0);
		return;
	case TR_T_STR_ARRAY:
		for (const char *p = val; *p && n + 1 < sizeof(e->bytes[0]); p++)
			buf[n++] = *p == '|' ? 0 : (uint8_t)*p;
		buf[n++] = 0;
		break;
	case TR_T_SOCKADDR:
		if (!strncmp(val, "inet:", 5)) {
			struct sockaddr_in sin = { .sin_family = AF_INET };
			char ip[64];
			const char *c = strrchr(val + 5, ':');

			snprintf(ip, sizeof(ip), "%.*s", (int)(c - val - 5), val + 5);
			inet_pton(AF_INET, ip, &sin.sin_addr);
			sin.sin_port = htons((uint16_t)atoi(c + 1));
			memcpy(buf, &sin, n = sizeof(sin));
		} else if (!strncmp(val, "inet6:", 6)) {
			struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
			char ip[64];
			const char *c = strrchr(val + 6, ':');

			snprintf(ip, sizeof(ip), "%.*s", (int)(c - val - 6), val + 6);
			inet_pton(AF_INET6, ip, &sin6.sin6_addr);
			sin6.sin6_port = htons((uint16_t)atoi(c + 1));
			memcpy(buf, &sin6, n = sizeof(sin6));
		} else {
			struct sockaddr_un sun = { .sun_family = AF_UNIX };

			snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", val + 5);
			n = offsetof(struct sockaddr_un, sun_path) + strlen(sun.sun_path) + 1;
			memcpy(buf, &sun, n);
		}
		break;
	case TR_T_BYTES:
		if (!strcmp(val, "elf")) {
			memcpy(buf, "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16);
			n = 16;
			break;
		}
		/* fall through */
	default:
		n = strlen(val);
		memcpy(buf, val, n);
	}
	a->b.p = buf;
	a->b.len = (uint32_t)n;
}

/* Mark with \x1f the spaces that separate arguments: those followed by a
 * word with "=" or starting with "@"; other spaces belong to a value. */
static inline void join_words(char *s)
{
	for (char *p = s; *p; p++) {
		char *end;

		if (*p != ' ')
			continue;
		end = strchr(p + 1, ' ');
		if (p[1] == '@' || memchr(p + 1, '=', end ? (size_t)(end - p - 1) : strlen(p + 1)))
			*p = '\x1f';
	}
}

struct ss_ctx {
	struct tr_proctree *tree;
	uint64_t ts;
};

/* Build e from spec "EVENT: k=v k=v ...". The process (pid 100, or @pid)
 * is created in t on first use; @pcomm gives it a parent of that comm. */
static inline void ss_build(struct ss_ctx *c, struct ss_event *e, const char *spec)
{
	char buf[2048], *save = NULL, *tok, *colon;
	struct tr_proc_node *n = NULL;
	const char *comm = "proc", *pcomm = NULL, *pexe = NULL, *cwd = NULL;
	uint32_t pid = 100;

	memset(e, 0, sizeof(*e));
	snprintf(buf, sizeof(buf), "%s", spec);
	colon = strchr(buf, ':');
	*colon = '\0';
	e->v.kind = TR_VIEW_EVENT;
	e->v.def = ss_def(buf);
	e->v.ev = &e->ev;
	e->v.paired = 1;
	e->ev.h.kind = TR_REC_EVENT;
	e->ev.h.ts = c->ts += 1000;
	e->ev.event_id = e->v.def->id;
	e->ev.pid_ns = SS_HOST_PID_NS;
	e->ev.mnt_ns = 4026531841U;
	join_words(colon + 1);
	for (tok = strtok_r(colon + 1, "\x1f", &save); tok; tok = strtok_r(NULL, "\x1f", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq++ = '\0';
		if (!strcmp(tok, "@comm"))
			comm = eq;
		else if (!strcmp(tok, "@pcomm"))
			pcomm = eq;
		else if (!strcmp(tok, "@pexe"))
			pexe = eq;
		else if (!strcmp(tok, "@container"))
			e->ev.pid_ns = 4026532999U;
		else if (!strcmp(tok, "@ret"))
			e->ev.retval = strtoll(eq, NULL, 0);
		else if (!strcmp(tok, "@cwd"))
			cwd = eq;
		else if (!strcmp(tok, "@pid"))
			pid = (uint32_t)atoi(eq);
		else
			ss_set(e, tok, eq ? eq : "");
	}
	e->ev.host_pid = e->ev.host_tid = e->ev.pid = e->ev.tid = pid;
	e->ev.host_ppid = e->ev.ppid = 50;
	e->ev.start_ns = 5000;
	e->ev.parent_start_ns = 4000;
	memset(e->ev.comm, 0, sizeof(e->ev.comm));
	strncpy(e->ev.comm, comm, sizeof(e->ev.comm) - 1);
	if ((pcomm || pexe) && !tr_proctree__find(c->tree, 50, 0)) {
		struct tr_event pev = e->ev;
		struct tr_proc_node *p, *child;

		pev.host_pid = pev.host_tid = pev.pid = pev.tid = 50;
		pev.host_ppid = pev.ppid = 1;
		pev.start_ns = 4000;
		memset(pev.comm, 0, sizeof(pev.comm));
		strncpy(pev.comm, pcomm ? pcomm : "parent", sizeof(pev.comm) - 1);
		tr_proctree__event(c->tree, &pev, &p);
		if (pexe)
			tr_proctree__exec(c->tree, p, 1, pexe, (uint32_t)strlen(pexe), NULL, 0, NULL);
		tr_proctree__fork(c->tree, p, &pev, pid, pid, 5000, &child);
	}
	tr_proctree__event(c->tree, &e->ev, &n);
	if (cwd)
		tr_proctree__chdir(c->tree, n, 1, cwd, (uint32_t)strlen(cwd));
	e->v.proc = n;
}

#endif /* TR_SIG_SYNTH_H */
