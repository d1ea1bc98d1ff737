// SPDX-License-Identifier: MIT
/* signature.c: the native signature engine (replay/signature.h). */
#include <errno.h>
#include <stdlib.h>

#include "signature.h"

struct sig_inst {
	const struct tr_signature *sig;
	void *state;
	uint64_t findings;
};

/* (event id, signature) pairs sorted by id then registration order, so the
 * signatures of one event always run in the same order. */
struct dispatch {
	uint32_t event_id;
	uint32_t sig;
};

struct tr_sig_ctx {
	struct tr_sigset *set;
	uint32_t cur;		/* the signature running */
};

struct tr_sigset {
	struct sig_inst *sigs;
	size_t n;
	struct dispatch *d;
	size_t nd;
	const struct tr_proctree *tree;
	tr_finding_fn fn;
	void *ctx;
	uint64_t findings;
	struct tr_sig_ctx sctx;
};

const char *tr_severity__name(uint8_t severity)
{
	static const char *const names[] = { "info", "low", "medium", "high" };

	return severity < sizeof(names) / sizeof(names[0]) ? names[severity] : "unknown";
}

static int cmp_dispatch(const void *a, const void *b)
{
	const struct dispatch *x = a, *y = b;

	if (x->event_id != y->event_id)
		return x->event_id < y->event_id ? -1 : 1;
	return x->sig < y->sig ? -1 : x->sig > y->sig;
}

int tr_sigset__new(struct tr_sigset **out, const struct tr_signature *const *sigs, size_t n,
		   const struct tr_proctree *tree, tr_finding_fn fn, void *ctx)
{
	struct tr_sigset *s = calloc(1, sizeof(*s));
	size_t nd = 0;
	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->tree = tree;
	s->fn = fn;
	s->ctx = ctx;
	s->sctx.set = s;
	s->sigs = calloc(n ? n : 1, sizeof(*s->sigs));
	if (!s->sigs) {
		free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		nd += sigs[i]->nselects;
	s->d = calloc(nd ? nd : 1, sizeof(*s->d));
	if (!s->d) {
		tr_sigset__free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		s->sigs[i].sig = sigs[i];
		if (sigs[i]->init) {
			err = sigs[i]->init(&s->sigs[i].state);
			if (err) {
				s->n = i;
				tr_sigset__free(s);
				return err;
			}
		}
		s->n = i + 1;
		for (uint32_t j = 0; j < sigs[i]->nselects; j++)
			s->d[s->nd++] = (struct dispatch){ sigs[i]->selects[j], (uint32_t)i };
	}
	qsort(s->d, s->nd, sizeof(*s->d), cmp_dispatch);
	*out = s;
	return 0;
}

void tr_sigset__free(struct tr_sigset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->sigs[i].sig->fini)
			s->sigs[i].sig->fini(s->sigs[i].state);
	free(s->sigs);
	free(s->d);
	free(s);
}

int tr_sigset__event(struct tr_sigset *s, const struct tr_event_view *v)
{
	uint32_t id = v->def->id;
	size_t lo = 0, hi = s->nd;
	int err;

	/* first dispatch entry with event_id >= id */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->d[mid].event_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->nd && s->d[lo].event_id == id; lo++) {
		s->sctx.cur = s->d[lo].sig;
		err = s->sigs[s->sctx.cur].sig->on_event(&s->sctx, v);
		if (err)
			return err;
	}
	return 0;
}

uint64_t tr_sigset__findings(const struct tr_sigset *s)
{
	return s->findings;
}

const struct tr_proctree *tr_sig__tree(const struct tr_sig_ctx *ctx)
{
	return ctx->set->tree;
}

void *tr_sig__state(const struct tr_sig_ctx *ctx)
{
	return ctx->set->sigs[ctx->cur].state;
}

int tr_sig__report(struct tr_sig_ctx *ctx, const struct tr_event_view *v, const struct tr_proc_node *proc,
		   const struct tr_kv *data, size_t ndata)
{
	struct tr_sigset *s = ctx->set;
	struct tr_finding f = {
		.sig = s->sigs[ctx->cur].sig,
		.ev = v,
		.proc = proc ? proc : v->proc,
		.data = data,
		.ndata = ndata,
	};

	s->findings++;
	s->sigs[ctx->cur].findings++;
	return s->fn ? s->fn(s->ctx, &f) : 0;
}
