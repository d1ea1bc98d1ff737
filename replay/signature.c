// SPDX-License-Identifier: MIT
/* signature.c: the native signature engine (replay/signature.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "diag.h"
#include "show.h"
#include "signature.h"
#include "signatures/sigutil.h"

/* The inode number of the initial pid namespace (PROC_PID_INIT_INO), the
 * same on every kernel: a task elsewhere is in a container. */
#define TR_PID_NS_INIT 0xEFFFFFFCU

struct sig_inst {
	const struct tr_signature *sig;
	void *state;
	uint64_t findings;
	/* The last finding's thread, time and data hash: a derived event
	 * (security_file_open) comes with the same thread and time as the
	 * syscall it is made from (openat), and a signature reading both
	 * reports the same thing twice; the second is the same finding. */
	uint32_t last_tid;
	uint64_t last_ts;
	uint64_t last_hash;
	uint64_t dups;
};

/* FNV-1a over a finding's data. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* The first item names what the finding is about (a path, an fd): a
 * derived event may word the rest otherwise than its syscall (flags). */
static uint64_t data_hash(const struct tr_kv *d, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n && i < 1; i++) {
		h = fnv(h, d[i].key, strlen(d[i].key) + 1);
		if (d[i].type == TR_KV_STR)
			h = fnv(h, d[i].s.p, d[i].s.len);
		else
			h = fnv(h, &d[i].u, sizeof(d[i].u));
	}
	return h;
}

/* (event id, signature) pairs sorted by id then registration order, so the
 * signatures of one event always run in the same order; each carries what
 * dispatch reads of its signature, so running one is no pointer chase. */
struct dispatch {
	uint32_t event_id;
	uint32_t sig;
	uint8_t origin;
	unsigned fops;	/* a file rule's ops (tr_sigu__rule_ops): skipped when v has none; 0: always run */
	int (*on_event)(struct tr_sig_ctx *ctx, const struct tr_event_view *v);
	const struct tr_signature *def;
};

struct tr_sig_ctx {
	struct tr_sigset *set;
	uint32_t cur;		/* the signature running */
	const struct tr_signature *sig;	/* its table */
	uint64_t serial;	/* of the event being dispatched */
};

struct tr_sigset {
	struct sig_inst *sigs;
	size_t n;
	struct dispatch *d;
	size_t nd;
	/* d[at[id]..at[id + 1]) select event id, for ids below nat - 1 */
	uint32_t *at;
	size_t nat;
	int stale;	/* d changed since at was made (tr_sigset__shadow) */
	/* the last cgroup path tr_view__container looked at, and its answer:
	 * most events come from a few cgroups (compared by content, so a
	 * string freed and made again elsewhere is no stale hit) */
	int cg_valid;
	int cg_container;
	char cg[256];
	const struct tr_proctree *tree;
	tr_finding_fn fn;
	void *ctx;
	tr_suppress_fn suppress;
	void *suppress_ctx;
	uint64_t findings;
	uint64_t suppressed;
	struct tr_sig_ctx sctx;
};

static uint64_t generation;
static uint64_t serial;	/* events dispatched, by every set of the process */

uint64_t tr_sig__generation(void)
{
	return generation;
}

const char *tr_severity__name(uint8_t severity)
{
	static const char *const names[] = { "info", "low", "medium", "high" };

	return severity < sizeof(names) / sizeof(names[0]) ? names[severity] : "unknown";
}

const char *tr_origin__name(uint8_t origin)
{
	static const char *const names[] = { "any", "host", "container" };

	return origin < sizeof(names) / sizeof(names[0]) ? names[origin] : "unknown";
}

/* The built-in catalog by name: sorted once per process, searched in
 * O(log n) (sets are made for every replay, and a fuzzer makes thousands). */
static const struct tr_event_def **by_name;
static size_t nby_name;
static pthread_once_t by_name_once = PTHREAD_ONCE_INIT;

static int cmp_def_name(const void *a, const void *b)
{
	const struct tr_event_def *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	/* a name twice: the first in catalog order, as a linear search finds */
	return c ? c : (*x < *y ? -1 : *x > *y);
}

static void by_name_init(void)
{
	const struct tr_catalog *c = tr_catalog__builtin();

	by_name = malloc((c->n ? c->n : 1) * sizeof(*by_name));
	if (!by_name)
		return;
	for (size_t i = 0; i < c->n; i++)
		by_name[i] = &c->events[i];
	qsort(by_name, c->n, sizeof(*by_name), cmp_def_name);
	nby_name = c->n;
}

static const struct tr_event_def *find_by_name(const char *name)
{
	const struct tr_catalog *c = tr_catalog__builtin();
	size_t lo = 0, hi;

	pthread_once(&by_name_once, by_name_init);
	if (!by_name) {	/* out of memory once: the slow way */
		for (size_t i = 0; i < c->n; i++)
			if (!strcmp(c->events[i].name, name))
				return &c->events[i];
		return NULL;
	}
	/* the first entry whose name is not below name */
	hi = nby_name;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nby_name && !strcmp(by_name[lo]->name, name) ? by_name[lo] : NULL;
}

static int arg_index(const struct tr_event_def *d, const char *name)
{
	for (unsigned i = 0; i < d->nargs && i < TR_MAX_ARGS; i++)
		if (!strcmp(d->args[i].name, name))
			return (int)i;
	return -1;
}

int tr_sig__validate(const struct tr_signature *s, char *err, size_t errlen)
{
	char a[TR_SHOW_MAX], b[TR_SHOW_MAX];

	if (!s || !s->id || !s->name || !s->on_event) {
		snprintf(err, errlen, "a signature without %s", !s ? "a table entry" : !s->id ? "an id" :
			 !s->name ? "a name" : "an on_event callback");
		return -EINVAL;
	}
	if (!s->description) {
		snprintf(err, errlen, "%s: no description", tr_show_str(a, s->id));
		return -EINVAL;
	}
	if (s->severity > TR_SEV_HIGH || s->origin > TR_ORIGIN_CONTAINER) {
		snprintf(err, errlen, "%s: severity %u or origin %u out of range", tr_show_str(a, s->id),
			 s->severity, s->origin);
		return -EINVAL;
	}
	if (!s->nevents || !s->events) {
		snprintf(err, errlen, "%s: selects no events", tr_show_str(a, s->id));
		return -EINVAL;
	}
	if ((s->ntags && !s->tags) || (s->nargs && !s->args)) {
		snprintf(err, errlen, "%s: tags or args counted but missing", tr_show_str(a, s->id));
		return -EINVAL;
	}
	for (uint32_t i = 0; i < s->ntags; i++)
		if (!s->tags[i]) {
			snprintf(err, errlen, "%s: tag %u is null", tr_show_str(a, s->id), i);
			return -EINVAL;
		}
	for (uint32_t i = 0; i < s->nevents; i++)
		if (!s->events[i] || !find_by_name(s->events[i])) {
			snprintf(err, errlen, "%s: selects %s, not an event of the catalog", tr_show_str(a, s->id),
				 s->events[i] ? tr_show_str(b, s->events[i]) : "a null name");
			return -EINVAL;
		}
	for (uint32_t i = 0; i < s->nargs; i++) {
		const struct tr_sig_arg *g = &s->args[i];
		const struct tr_event_def *d = g->event ? find_by_name(g->event) : NULL;

		if (!d || !g->arg || arg_index(d, g->arg) < 0) {
			snprintf(err, errlen, "%s: reads argument %s of %s, which the catalog does not have",
				 tr_show_str(a, s->id), g->arg ? g->arg : "(null)",
				 g->event ? tr_show_str(b, g->event) : "(null)");
			return -EINVAL;
		}
	}
	return 0;
}

const char *tr_sig__status(const struct tr_signature *s, char *buf, size_t len)
{
	size_t off = 0, nderived = 0, nexternal = 0, nlive = 0;

	for (uint32_t i = 0; i < s->nevents; i++) {
		const struct tr_event_def *d = find_by_name(s->events[i]);

		nexternal += d && (d->sets & TR_SET_EXTERNAL);
		nlive += d && !(d->sets & (TR_SET_EXTERNAL | TR_SET_DERIVED));
	}
	if (nexternal == s->nevents) {
		snprintf(buf, len, "external: live recordings cannot feed it (Tracee JSON input only)");
		return buf;
	}
	off = (size_t)snprintf(buf, len, "%s", nlive ? "live" : "needs derived:");
	for (uint32_t i = 0; i < s->nevents; i++) {
		const struct tr_event_def *d = find_by_name(s->events[i]);

		if (!d || !(d->sets & TR_SET_DERIVED) || off >= len)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", nderived ? "," : nlive ? " (+derived: " : " ",
					d->name);
		nderived++;
	}
	if (nlive && nderived && off < len)
		snprintf(buf + off, len - off, ")");
	return buf;
}

int tr_view__container(const struct tr_event_view *v)
{
	static const char *const runtimes[] = { "docker", "containerd", "cri-o", "crio-", "libpod",
						 "kubepods", "lxc.payload", "/lxc/" };
	const struct tr_proc_node *p = v->proc;

	if (v->kind != TR_VIEW_EVENT)
		return 0;
	if (v->ev->pid_ns && v->ev->pid_ns != TR_PID_NS_INIT)
		return 1;
	if (p && p->cgroup.p)
		for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
			if (strstr(p->cgroup.p, runtimes[i]))
				return 1;
	return 0;
}

static int cmp_dispatch(const void *a, const void *b)
{
	const struct dispatch *x = a, *y = b;

	if (x->event_id != y->event_id)
		return x->event_id < y->event_id ? -1 : 1;
	return x->sig < y->sig ? -1 : x->sig > y->sig;
}

/* A recording's catalog that types an argument a signature reads otherwise
 * than the signature reads it: said once per argument. */
static void check_args(const struct tr_signature *s, const struct tr_sigset_opts *o)
{
	char a[TR_SHOW_MAX];

	if (!o || !o->catalog || o->catalog == tr_catalog__builtin())
		return;
	/* It reads arguments, and none of them is in the recording's catalog
	 * (of the events the catalog has): it cannot run at all. */
	{
		int declared = 0, present = 0;
		const struct tr_event_def *first = NULL;
		const char *missing = NULL;

		for (uint32_t i = 0; i < s->nargs; i++) {
			const struct tr_event_def *b = find_by_name(s->args[i].event);
			const struct tr_event_def *d = b ? tr_catalog__find(o->catalog, b->id) : NULL;

			if (!d)
				continue;
			declared++;
			present += arg_index(d, s->args[i].arg) >= 0;
			if (!first) {
				first = d;
				missing = s->args[i].arg;
			}
		}
		if (declared && !present)
			tr_diag__warn(o->diag, o->catalog_file ? o->catalog_file : "catalog", -1,
				      "catalog: event %u (%s) has no argument %s, which signature %s reads (nor any "
				      "other it reads); signature %s (%s) cannot run on this recording", first->id,
				      tr_show_str(a, first->name), missing, s->id, s->id, s->name);
	}
	for (uint32_t i = 0; i < s->nargs; i++) {
		const struct tr_event_def *b = find_by_name(s->args[i].event);
		const struct tr_event_def *d = b ? tr_catalog__find(o->catalog, b->id) : NULL;
		int k = d ? arg_index(d, s->args[i].arg) : -1;
		uint8_t w;

		if (k < 0)
			continue;
		w = d->args[k].wire;
		if (w <= TR_T_MAX && (s->args[i].wires & TR_WIRE_BIT(w)))
			continue;
		tr_diag__warn(o->diag, o->catalog_file ? o->catalog_file : "catalog", -1,
			      "catalog: event %u (%s): argument %s is %s where signature %s reads it otherwise; "
			      "the signature does not see it", d->id, tr_show_str(a, d->name), s->args[i].arg,
			      tr_wire__name(w), s->id);
	}
}

/* The table from event id to its dispatch entries (d sorted by id). */
static void index_fill(struct tr_sigset *s)
{
	size_t k = 0;

	for (size_t id = 0; id < s->nat; id++) {
		while (k < s->nd && s->d[k].event_id < id)
			k++;
		s->at[id] = (uint32_t)k;
	}
}

static int index_dispatch(struct tr_sigset *s)
{
	s->nat = s->nd ? (size_t)s->d[s->nd - 1].event_id + 2 : 1;
	s->at = calloc(s->nat, sizeof(*s->at));
	if (!s->at)
		return -ENOMEM;
	index_fill(s);
	return 0;
}

/* The built-in signatures, checked and their event ids found once per
 * process: a set is made for every replay (thousands under a fuzzer). */
static struct builtin_memo {
	const struct tr_signature *sig;
	int valid;
	uint32_t *ids;		/* of sig->events[] */
} *memo;
static size_t nmemo;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void memo_init(void)
{
	size_t n;
	const struct tr_signature *const *b = tr_signatures__builtin(&n);
	char msg[512];

	memo = calloc(n ? n : 1, sizeof(*memo));
	if (!memo)
		return;
	for (size_t i = 0; i < n; i++) {
		memo[nmemo].sig = b[i];
		if (tr_sig__validate(b[i], msg, sizeof(msg)))
			continue;	/* checked again where it is used, to say why */
		memo[nmemo].ids = calloc(b[i]->nevents, sizeof(uint32_t));
		if (!memo[nmemo].ids)
			continue;
		for (uint32_t j = 0; j < b[i]->nevents; j++)
			memo[nmemo].ids[j] = find_by_name(b[i]->events[j])->id;
		memo[nmemo].valid = 1;
		nmemo++;
	}
}

static const struct builtin_memo *builtin_memo(const struct tr_signature *s)
{
	pthread_once(&memo_once, memo_init);
	for (size_t i = 0; i < nmemo; i++)
		if (memo[i].sig == s)
			return &memo[i];
	return NULL;
}

int tr_sigset__new_opts(struct tr_sigset **out, const struct tr_signature *const *sigs, size_t n,
			const struct tr_proctree *tree, tr_finding_fn fn, void *ctx,
			const struct tr_sigset_opts *o)
{
	struct tr_sigset *s = calloc(1, sizeof(*s));
	char msg[512];
	size_t nd = 0;
	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	generation++;
	s->tree = tree;
	s->fn = fn;
	s->ctx = ctx;
	s->sctx.set = s;
	if (o) {
		s->suppress = o->suppress;
		s->suppress_ctx = o->suppress_ctx;
	}
	for (size_t i = 0; i < n; i++) {
		if (!builtin_memo(sigs[i]) && tr_sig__validate(sigs[i], msg, sizeof(msg))) {
			if (o && o->diag)
				tr_diag__warn(o->diag, "signatures", -1, "%s", msg);
			free(s);
			return -EINVAL;
		}
		nd += sigs[i]->nevents;
	}
	s->sigs = calloc(n ? n : 1, sizeof(*s->sigs));
	s->d = calloc(nd ? nd : 1, sizeof(*s->d));
	if (!s->sigs || !s->d) {
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
		check_args(sigs[i], o);
		const struct builtin_memo *bm = builtin_memo(sigs[i]);

		for (uint32_t j = 0; j < sigs[i]->nevents; j++) {
			uint32_t id = bm ? bm->ids[j] : find_by_name(sigs[i]->events[j])->id;

			s->d[s->nd++] = (struct dispatch){ id, (uint32_t)i, sigs[i]->origin,
							    tr_sigu__rule_ops(sigs[i], id), sigs[i]->on_event,
							    sigs[i] };
		}
	}
	qsort(s->d, s->nd, sizeof(*s->d), cmp_dispatch);
	if (index_dispatch(s)) {
		tr_sigset__free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

int tr_sigset__new(struct tr_sigset **out, const struct tr_signature *const *sigs, size_t n,
		   const struct tr_proctree *tree, tr_finding_fn fn, void *ctx)
{
	return tr_sigset__new_opts(out, sigs, n, tree, fn, ctx, NULL);
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
	free(s->at);
	free(s);
}

/* tr_view__container, remembering the last cgroup's answer. */
static int container_cached(struct tr_sigset *s, const struct tr_event_view *v)
{
	const struct tr_proc_node *p = v->proc;
	size_t len;
	int c;

	if (v->kind != TR_VIEW_EVENT || (v->ev->pid_ns && v->ev->pid_ns != TR_PID_NS_INIT) ||
	    !p || !p->cgroup.p)
		return tr_view__container(v);
	if (s->cg_valid && !strcmp(s->cg, p->cgroup.p))
		return s->cg_container;
	c = tr_view__container(v);
	len = strlen(p->cgroup.p);
	s->cg_valid = len < sizeof(s->cg);
	if (s->cg_valid) {
		memcpy(s->cg, p->cgroup.p, len + 1);
		s->cg_container = c;
	}
	return c;
}

int tr_sigset__event(struct tr_sigset *s, const struct tr_event_view *v)
{
	uint32_t id = v->def->id;
	const struct dispatch *d, *end;
	int container = -1, fops = -1, err;

	if (s->stale) {
		index_fill(s);	/* ids only went away: the table is large enough */
		s->stale = 0;
	}
	if (id + (size_t)1 >= s->nat)
		return 0;
	d = s->d + s->at[id];
	end = s->d + s->at[id + 1];
	if (d == end)
		return 0;
	s->sctx.serial = ++serial;
	for (; d < end; d++) {
		/* a file rule only where the event's file accesses may meet it;
		 * the facts are computed once per event, for every rule */
		if (d->fops) {
			if (fops < 0)
				fops = (int)tr_sigu__fact_ops(v);
			if (!(d->fops & (unsigned)fops))
				continue;
		}
		if (d->origin != TR_ORIGIN_ANY) {
			if (container < 0)
				container = container_cached(s, v);
			if (container != (d->origin == TR_ORIGIN_CONTAINER))
				continue;
		}
		s->sctx.cur = d->sig;
		s->sctx.sig = d->def;
		err = d->on_event(&s->sctx, v);
		if (err)
			return err;
	}
	return 0;
}

static int selects(const struct tr_signature *sig, const char *name)
{
	for (uint32_t k = 0; k < sig->nevents; k++)
		if (!strcmp(sig->events[k], name))
			return 1;
	return 0;
}

void tr_sigset__shadow(struct tr_sigset *s, const char *derived, const char *source)
{
	const struct tr_event_def *src = find_by_name(source);
	size_t o = 0;

	if (!s || !src || !find_by_name(derived))
		return;
	for (size_t i = 0; i < s->nd; i++) {
		const struct tr_signature *sig = s->sigs[s->d[i].sig].sig;

		if (s->d[i].event_id == src->id && selects(sig, derived))
			continue;
		s->d[o++] = s->d[i];
	}
	if (o == s->nd)
		return;
	s->nd = o;	/* still sorted: entries were only taken out */
	s->stale = 1;	/* the table is made again before the next event */
}

uint64_t tr_sigset__findings(const struct tr_sigset *s)
{
	return s->findings;
}

uint64_t tr_sigset__suppressed(const struct tr_sigset *s)
{
	return s->suppressed;
}

const struct tr_proctree *tr_sig__tree(const struct tr_sig_ctx *ctx)
{
	return ctx->set->tree;
}

void *tr_sig__state(const struct tr_sig_ctx *ctx)
{
	return ctx->set->sigs[ctx->cur].state;
}

uint64_t tr_sig__serial(const struct tr_sig_ctx *ctx)
{
	return ctx->serial;
}

const struct tr_signature *tr_sig__self(const struct tr_sig_ctx *ctx)
{
	return ctx->sig;
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

	if (v->kind == TR_VIEW_EVENT) {
		struct sig_inst *si = &s->sigs[ctx->cur];
		uint64_t h = data_hash(data, ndata);

		if (si->findings + si->dups && si->last_tid == v->ev->host_tid && si->last_ts == v->ev->h.ts &&
		    si->last_hash == h) {
			si->dups++;
			return 0;
		}
		si->last_tid = v->ev->host_tid;
		si->last_ts = v->ev->h.ts;
		si->last_hash = h;
	}
	if (s->suppress && s->suppress(s->suppress_ctx, &f, s->tree)) {
		s->suppressed++;
		return 0;
	}
	s->findings++;
	s->sigs[ctx->cur].findings++;
	return s->fn ? s->fn(s->ctx, &f) : 0;
}

int tr_sigs__selects(const struct tr_signature *const *sigs, size_t n, uint32_t id)
{
	const struct tr_event_def *d = tr_catalog__find(tr_catalog__builtin(), id);

	for (size_t i = 0; d && i < n; i++)
		for (uint32_t k = 0; k < sigs[i]->nevents; k++)
			if (sigs[i]->events[k] && !strcmp(sigs[i]->events[k], d->name))
				return 1;
	return 0;
}

/* ---- selection ---- */

static int sig_matches(const struct tr_signature *s, const char *w, size_t len)
{
	return (strlen(s->id) == len && !strncasecmp(s->id, w, len)) ||
	       (strlen(s->name) == len && !strncmp(s->name, w, len));
}

int tr_sigs__select(const struct tr_signature *const *sigs, size_t n, const char *spec,
		    const struct tr_signature **out, size_t *nout, char *err, size_t errlen)
{
	unsigned char *on = calloc(n ? n : 1, 1);
	const char *p = spec;

	if (!on)
		return -ENOMEM;
	if (*p == '-')
		memset(on, 1, n);
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int neg = *p == '-', found = 0;
		const char *w = p + neg;
		size_t wl = len - (size_t)neg;

		if (wl == 3 && !strncmp(w, "all", 3)) {
			memset(on, !neg, n);
			found = 1;
		}
		for (size_t i = 0; !found && i < n; i++)
			if (sig_matches(sigs[i], w, wl)) {
				on[i] = !neg;
				found = 1;
			}
		/* a name may stand for several (Sigma rules share none, but
		 * plugins could): all of them */
		for (size_t i = 0; found && i < n; i++)
			if (sig_matches(sigs[i], w, wl))
				on[i] = !neg;
		if (!found && wl) {
			snprintf(err, errlen, "no signature with id or name '%.*s' (see --list-signatures)",
				 (int)(wl > 200 ? 200 : wl), w);
			free(on);
			return -ENOENT;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*nout = 0;
	for (size_t i = 0; i < n; i++)
		if (on[i])
			out[(*nout)++] = sigs[i];
	free(on);
	return 0;
}
