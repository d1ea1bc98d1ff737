// SPDX-License-Identifier: MIT
/* live.c: signatures on the live stream (the ring mode's trigger). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "unaligned.h"

static int on_finding(void *ctx, const struct tr_finding *f)
{
	struct rec_live *l = ctx;

	l->findings++;
	if (!l->fired[0])
		snprintf(l->fired, sizeof(l->fired), "signature %s (%s) on %s, pid %u", f->sig->id, f->sig->name,
			 f->proc ? f->proc->comm : "?", f->proc ? (unsigned)f->proc->host_pid : 0);
	return 0;
}

/* The ids asked for, each one a built-in signature. */
static int select_sigs(struct rec_live *l, const char *ids, char *msg, size_t msglen)
{
	size_t n;
	const struct tr_signature *const *all = tr_signatures__builtin(&n);
	char *copy, *tok, *save = NULL;

	l->sigs = calloc(n ? n : 1, sizeof(*l->sigs));
	if (!l->sigs)
		return -ENOMEM;
	if (ids && !strcmp(ids, "none"))
		return 0; /* SIGUSR1 only */
	if (!ids) {
		memcpy(l->sigs, all, n * sizeof(*all));
		l->nsigs = n;
		return 0;
	}
	copy = strdup(ids);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < n && strcmp(all[i]->id, tok); i++)
			;
		if (i == n) {
			snprintf(msg, msglen, "--trigger-on: '%s' is not a built-in signature (see tracee-replay --list-signatures)", tok);
			free(copy);
			return -EINVAL;
		}
		if (l->nsigs < n)
			l->sigs[l->nsigs++] = all[i];
	}
	free(copy);
	if (!l->nsigs) {
		snprintf(msg, msglen, "--trigger-on: no signature given");
		return -EINVAL;
	}
	return 0;
}

int rec_live__open(struct rec_live *l, const char *ids, char *msg, size_t msglen)
{
	struct tr_engine_opts eo = {};
	int err;

	memset(l, 0, sizeof(*l));
	/* the recorder has its own words for trouble; the engine's warnings
	 * about the live stream (nothing the recording lacks) go nowhere */
	l->diag = (struct tr_diag){ .prog = "tracee-record", .out = NULL };
	err = select_sigs(l, ids, msg, msglen);
	if (err || !l->nsigs)
		return err; /* no signatures: no engine */
	eo.diag = &l->diag;
	eo.dir = "live";
	eo.sigs = l->sigs;
	eo.nsigs = l->nsigs;
	eo.sink = (struct tr_sink){ .finding = on_finding, .ctx = l };
	err = tr_engine__new(&l->eng, &eo);
	if (err)
		snprintf(msg, msglen, "starting the live signatures failed: %s", strerror(-err));
	return err;
}

void rec_live__push(void *ctx, const void *rec, size_t len)
{
	struct rec_live *l = ctx;
	struct tr_src src = { .segment = "live" };

	if (l->err || !l->eng)
		return;
	if (l->cap < len) {
		size_t cap = len < 4096 ? 4096 : len;
		uint8_t *b = realloc(l->buf, cap);

		if (!b) {
			l->err = -ENOMEM;
			return;
		}
		l->buf = b;
		l->cap = cap;
	}
	/* records come from the ring buffer, whose memory the next drain reuses; the engine reads
	 * them in place */
	memcpy(l->buf, rec, len);
	src.frame_offset = l->pushed >> 32;
	src.index = (uint32_t)l->pushed++;
	l->err = tr_engine__push(l->eng, (const struct tr_rec_hdr *)l->buf, &src);
}

int rec_live__take(struct rec_live *l, char *out, size_t outlen)
{
	if (!l->fired[0])
		return 0;
	snprintf(out, outlen, "%s", l->fired);
	l->fired[0] = 0;
	return 1;
}

void rec_live__close(struct rec_live *l)
{
	if (l->eng)
		tr_engine__finish(l->eng);
	tr_engine__free(l->eng);
	free(l->sigs);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}
