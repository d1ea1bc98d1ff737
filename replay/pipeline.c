// SPDX-License-Identifier: MIT
/* pipeline.c: the replay engine and its recording driver (replay/pipeline.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "enrich.h"
#include "merge.h"
#include "pipeline.h"
#include "show.h"
#include "state.h"
#include "unaligned.h"

/* An entry event waiting for its return value. The buffer stays with the
 * slot when the slot is freed, so holding allocates only for a record
 * longer than any held before in that slot. */
struct held {
	uint32_t host_tid;
	uint32_t event_id;
	struct tr_src src;
	uint8_t *rec;
	size_t cap;
};

/* Entry events held at once, at most. A real host has one per thread inside
 * execve; a stream that opens more (hostile or broken) gets the oldest
 * emitted without a return value, so memory and lookups stay bounded. */
#define TR_HELD_MAX 4096
/* ... and their bytes, at most (records are up to TR_REC_MAX each). */
#define TR_HELD_BYTES_MAX (64U << 20)

struct tr_engine {
	const struct tr_catalog *catalog;
	const struct tr_event_def *lost_def;
	int lost_cpu, lost_count;	/* argument indexes in lost_def */
	struct tr_diag *diag;
	const char *dir;
	struct tr_sink sink;
	struct tr_merge *merge;
	struct tr_proctree *tree;
	struct tr_enrich *enrich;
	struct tr_derive *derive;
	struct tr_evinfo *info;		/* by position in catalog->events */
	struct tr_evinfo lost_info;
	struct tr_sigset *sigs;
	const struct tr_signature *const *sigdefs;
	size_t nsigdefs;
	int derived;			/* derived events go to the sink */
	int link_pending;		/* snapshot records seen, parents not linked yet */
	uint64_t ordinal;

	struct held *held;
	size_t nheld;			/* in use: held[0..nheld) */
	size_t heldcap;			/* with buffers: held[0..heldcap) */
	size_t held_bytes;		/* sum of the buffers' sizes */
	int held_full_warned;
	int held_bytes_warned;

	uint8_t *proc_buf;		/* aligned copy of a snapshot record */
	size_t proc_cap;
	uint64_t warned_kinds[1024];	/* bit per record kind warned about as unknown */
	struct tr_engine_stats stats;
};

static int arg_index(const struct tr_event_def *d, const char *name)
{
	for (unsigned i = 0; i < d->nargs && i < TR_MAX_ARGS; i++)
		if (!strcmp(d->args[i].name, name))
			return (int)i;
	return -1;
}

/* The index of the integer argument called name, or -1. */
static int int_arg_index(const struct tr_event_def *d, const char *name)
{
	int i = arg_index(d, name);

	return i >= 0 && d->args[i].wire <= TR_T_MAX && (TR_WIRES_INT & TR_WIRE_BIT(d->args[i].wire)) ? i : -1;
}

__attribute__((format(printf, 3, 4)))
static void warn_rec(struct tr_engine *e, const struct tr_src *src, const char *fmt, ...)
{
	char file[4096], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e->dir)
		snprintf(file, sizeof(file), "%s/%s", e->dir, src->segment ? src->segment : "?");
	else
		snprintf(file, sizeof(file), "%s", src->segment ? src->segment : "?");
	tr_diag__warn(e->diag, file, (int64_t)src->frame_offset, "record %u: %s", src->index, msg);
}

/* The same for a record that is damaged (exit status 3). */
__attribute__((format(printf, 3, 4)))
static void damage_rec(struct tr_engine *e, const struct tr_src *src, const char *fmt, ...)
{
	char file[4096], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e->dir)
		snprintf(file, sizeof(file), "%s/%s", e->dir, src->segment ? src->segment : "?");
	else
		snprintf(file, sizeof(file), "%s", src->segment ? src->segment : "?");
	tr_diag__damage(e->diag, file, (int64_t)src->frame_offset, "record %u: %s", src->index, msg);
}

static int on_release(void *ctx, const struct tr_rec_hdr *rec, const struct tr_src *src);
static int on_finding(void *ctx, const struct tr_finding *f);

static void on_overflow(void *ctx, const struct tr_src *src, size_t records, size_t bytes)
{
	struct tr_engine *e = ctx;

	/* Once: the summary counts the others. */
	if (!e->stats.merge_overflows++)
		warn_rec(e, src, "%zu records (%zu bytes) held without a watermark, the most the merge "
			 "holds; released them in time order (records stamped earlier may follow)",
			 records, bytes);
}

/* The catalog comes with the recording: one that types an argument the
 * stages read (argkey.def) otherwise than this build does is reported here,
 * once per argument; the keyed accessors (view.h) leave it out. Which
 * signature cannot run without an argument, the signatures say (they
 * declare what they read: tr_sigset__new_opts). */
static void check_catalog(struct tr_engine *e)
{
	const struct tr_catalog *b = tr_catalog__builtin();
	char file[4096];

	if (e->catalog == b)
		return;
	snprintf(file, sizeof(file), "%s/%s", e->dir ? e->dir : ".", TR_MANIFEST_NAME);
	for (size_t i = 0; i < e->catalog->n; i++) {
		const struct tr_event_def *d = &e->catalog->events[i];
		const struct tr_event_def *ours = tr_catalog__find(b, d->id);
		struct tr_evinfo mine;

		if (!ours)
			continue;
		tr_evinfo__init(&mine, ours);
		for (unsigned k = 0; k < TR_AK_MAX; k++) {
			char name[TR_SHOW_MAX];
			const char *cons;
			int j = mine.idx[k], w;

			if (j < 0 || e->info[i].idx[k] >= 0)
				continue;
			/* signatures say what they cannot run without themselves
			 * (tr_sigset__new_opts) */
			cons = NULL;
			/* ours reads it; the recording's has it under that name, retyped */
			for (w = 0; w < d->nargs; w++)
				if (!strcmp(d->args[w].name, ours->args[j].name))
					break;
			if (w == d->nargs) {
				if (cons)
					tr_diag__warn(e->diag, file, -1, "catalog: event %u (%s) has no argument %s, "
						      "which replay reads; %s", d->id, tr_show_str(name, d->name),
						      ours->args[j].name, cons);
				continue;
			}
			tr_diag__warn(e->diag, file, -1, "catalog: event %u (%s): argument %s is %s where replay "
				      "reads %s; %s",
				      d->id, tr_show_str(name, d->name), ours->args[j].name,
				      tr_wire__name(d->args[w].wire),
				      TR_WIRES_INT & TR_WIRE_BIT(ours->args[j].wire) ? "an integer"
				      : tr_wire__name(ours->args[j].wire),
				      cons ? cons : "it is not used for enrichment or signatures");
		}
	}
}

static int on_derived(void *ctx, struct tr_event_view *v);

/* A derived event is made when the sink wants them, or a signature selects it. */
static int want_derived(void *ctx, uint32_t id)
{
	struct tr_engine *e = ctx;

	if (e->derived)
		return 1;
	return tr_sigs__selects(e->sigdefs, e->nsigdefs, id);
}

int tr_engine__new(struct tr_engine **out, const struct tr_engine_opts *o)
{
	struct tr_engine *e = calloc(1, sizeof(*e));
	int err = -ENOMEM;

	*out = NULL;
	if (!e)
		return -ENOMEM;
	e->catalog = o->catalog ? o->catalog : tr_catalog__builtin();
	e->diag = o->diag;
	e->dir = o->dir;
	e->sink = o->sink;
	e->derived = o->derived;
	e->sigdefs = o->sigs;
	e->nsigdefs = o->nsigs;
	/* Gap records are shown as the reader-made lost_events event; an old
	 * catalog without it (or with other argument names) gets ours. */
	e->lost_def = tr_catalog__find(e->catalog, TR_EV_LOST_EVENTS);
	if (!e->lost_def || int_arg_index(e->lost_def, "cpu") < 0 || int_arg_index(e->lost_def, "lost") < 0)
		e->lost_def = tr_catalog__find(tr_catalog__builtin(), TR_EV_LOST_EVENTS);
	e->lost_cpu = int_arg_index(e->lost_def, "cpu");
	e->lost_count = int_arg_index(e->lost_def, "lost");
	e->merge = tr_merge__new(on_release, e, &(struct tr_merge_opts){
		.max_records = o->merge_max_records,
		.max_bytes = o->merge_max_bytes,
		.overflow = on_overflow,
	});
	e->tree = tr_proctree__new();
	e->info = calloc(e->catalog->n ? e->catalog->n : 1, sizeof(*e->info));
	if (!e->merge || !e->tree || !e->info)
		goto fail;
	for (size_t i = 0; i < e->catalog->n; i++)
		tr_evinfo__init_shared(&e->info[i], &e->catalog->events[i]);
	tr_evinfo__init_shared(&e->lost_info, e->lost_def);
	if (tr_enrich__new(&e->enrich, e->tree, e->catalog) ||
	    tr_derive__new(&e->derive, e->catalog, e->enrich, want_derived, on_derived, e))
		goto fail;
	check_catalog(e);
	if (o->nsigs) {
		char file[4096];
		struct tr_sigset_opts so = { .catalog = e->catalog, .diag = e->diag, .catalog_file = file,
					     .suppress = o->suppress, .suppress_ctx = o->suppress_ctx };

		snprintf(file, sizeof(file), "%s/%s", e->dir ? e->dir : ".", TR_MANIFEST_NAME);
		err = tr_sigset__new_opts(&e->sigs, o->sigs, o->nsigs, e->tree, on_finding, e, &so);
		if (err)
			goto fail;
		/* What the derive stage makes (a signature selecting it makes it
		 * wanted), signatures get once: derived, not also raw. */
		for (size_t i = 0;; i++) {
			const char *const *src;
			const char *d = tr_derive__row(i, &src);

			if (!d)
				break;
			for (size_t k = 0; k < 8 && src[k]; k++)
				tr_sigset__shadow(e->sigs, d, src[k]);
		}
	}
	*out = e;
	return 0;
fail:
	tr_engine__free(e);
	return err;
}

void tr_engine__free(struct tr_engine *e)
{
	if (!e)
		return;
	tr_merge__free(e->merge);
	tr_derive__free(e->derive);
	tr_enrich__free(e->enrich);
	tr_proctree__free(e->tree);
	for (size_t i = 0; e->info && i < e->catalog->n; i++)
		tr_evinfo__fini(&e->info[i]);
	tr_evinfo__fini(&e->lost_info);
	free(e->info);
	tr_sigset__free(e->sigs);
	for (size_t i = 0; i < e->heldcap; i++)
		free(e->held[i].rec);
	free(e->held);
	free(e->proc_buf);
	free(e);
}

const struct tr_proctree *tr_engine__tree(const struct tr_engine *e)
{
	return e->tree;
}

const struct tr_engine_stats *tr_engine__stats(const struct tr_engine *e)
{
	return &e->stats;
}

static int on_finding(void *ctx, const struct tr_finding *f)
{
	struct tr_engine *e = ctx;

	e->stats.findings++;
	return e->sink.finding ? e->sink.finding(e->sink.ctx, f) : 0;
}

/* ---- emission: enrichment, sink, signatures ---- */

static int emit_event(struct tr_engine *e, struct tr_event *ev, const struct tr_src *src,
		      const struct tr_event_def *def, int paired);

static struct held *held_find(struct tr_engine *e, uint32_t host_tid)
{
	for (size_t i = 0; i < e->nheld; i++)
		if (e->held[i].host_tid == host_tid)
			return &e->held[i];
	return NULL;
}

/* Free slot h, keeping its buffer for later (it moves past the slots in
 * use). The others keep their order, which tr_engine__finish relies on. */
static void held_drop(struct tr_engine *e, struct held *h)
{
	struct held gone = *h;
	size_t i = (size_t)(h - e->held);

	memmove(h, h + 1, (e->nheld - i - 1) * sizeof(*h));
	e->held[--e->nheld] = gone;
}

/* Emit the held event of h, with the return value of its TR_REC_RETVAL
 * (paired) or without one, and free the slot. */
static int held_emit(struct tr_engine *e, struct held *h, int paired, int64_t retval)
{
	struct tr_event *ev = (struct tr_event *)h->rec;
	const struct tr_event_def *def = tr_catalog__find(e->catalog, h->event_id);
	size_t i = (size_t)(h - e->held);
	struct tr_src src = h->src;
	int err;

	ev->retval = paired ? retval : 0;
	if (!paired)
		e->stats.entries_unpaired++;
	/* Take the slot out first: emission may look at the table again. The
	 * record stays where it is until the slot is reused. */
	held_drop(e, &e->held[i]);
	err = emit_event(e, ev, &src, def, paired);
	return err;
}

/* A non-leader thread that execs takes the leader's tid: its held execve
 * follows it, so the return value (sent from the new tid) finds it. */
static int held_move(struct tr_engine *e, uint32_t from, uint32_t to)
{
	struct held *h = held_find(e, from), *other;
	int err;

	if (!h)
		return 0;
	other = held_find(e, to);
	if (other) {
		/* emitting other moves slots: look "from" up again after */
		err = held_emit(e, other, 0, 0);
		if (err)
			return err;
		h = held_find(e, from);
		if (!h)
			return 0;
	}
	h->host_tid = to;
	return 0;
}

/* Free the buffers of the slots not in use. */
static void held_trim(struct tr_engine *e)
{
	for (size_t i = e->nheld; i < e->heldcap; i++) {
		e->held_bytes -= e->held[i].cap;
		free(e->held[i].rec);
		e->held[i].rec = NULL;
		e->held[i].cap = 0;
	}
}

static int hold(struct tr_engine *e, const struct tr_event *ev, const struct tr_src *src)
{
	struct held *h = held_find(e, ev->host_tid);
	int err;

	if (h) {
		/* A second entry event before the first one's return value:
		 * the first will get none. */
		err = held_emit(e, h, 0, 0);
		if (err)
			return err;
	}
	if (e->nheld == TR_HELD_MAX) {
		if (!e->held_full_warned++)
			warn_rec(e, src, "%d entry events wait for their return values, the most held; "
				 "the oldest goes out without one", TR_HELD_MAX);
		err = held_emit(e, &e->held[0], 0, 0); /* held[] is in arrival order */
		if (err)
			return err;
	}
	if (e->nheld == e->heldcap) {
		size_t cap = e->heldcap ? e->heldcap * 2 : 16;
		struct held *v = realloc(e->held, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memset(v + e->heldcap, 0, (cap - e->heldcap) * sizeof(*v));
		e->held = v;
		e->heldcap = cap;
	}
	/* Bytes are bounded as well as entries: a stream of huge entry events
	 * gets the oldest emitted without a return value. */
	while (e->held[e->nheld].cap < ev->h.size &&
	       e->held_bytes + ev->h.size - e->held[e->nheld].cap > TR_HELD_BYTES_MAX) {
		held_trim(e);
		if (e->held_bytes + ev->h.size <= TR_HELD_BYTES_MAX || !e->nheld)
			break;
		if (!e->held_bytes_warned++)
			warn_rec(e, src, "entry events waiting for their return values hold %zu bytes, the "
				 "most held; the oldest goes out without one", e->held_bytes);
		err = held_emit(e, &e->held[0], 0, 0);
		if (err)
			return err;
	}
	h = &e->held[e->nheld];
	if (h->cap < ev->h.size) {
		uint8_t *p = realloc(h->rec, ev->h.size);

		if (!p)
			return -ENOMEM;
		e->held_bytes += ev->h.size - h->cap;
		h->rec = p;
		h->cap = ev->h.size;
	}
	memcpy(h->rec, ev, ev->h.size);
	h->host_tid = ev->host_tid;
	h->event_id = ev->event_id;
	h->src = *src;
	e->nheld++;
	return 0;
}

/* What the engine itself does before enrichment: held entry events follow
 * a thread that execs from a non-leader, and go out when their thread exits
 * (it will send no return value for them). */
static int before_enrich(struct tr_engine *e, struct tr_event_view *v)
{
	const struct tr_event *ev = v->ev;
	struct held *h;

	if (v->def->id == TR_EV_SCHED_PROCESS_EXEC) {
		const struct tr_arg_val *old = tr_view__key(v, TR_AK_OLD_PID);

		if (old && (uint32_t)old->u != ev->host_tid)
			return held_move(e, (uint32_t)old->u, ev->host_tid);
	} else if (v->def->id == TR_EV_SCHED_PROCESS_EXIT) {
		h = held_find(e, ev->host_tid);
		if (h)
			return held_emit(e, h, 0, 0);
	}
	return 0;
}

static int deliver(struct tr_engine *e, struct tr_event_view *v)
{
	int err;

	/* Derived events only signatures see keep their source's ordinal:
	 * ordinals are line numbers of the sink's output. */
	if (!v->derived || e->derived)
		v->ordinal = ++e->ordinal;
	if (e->sink.event && (!v->derived || e->derived)) {
		err = e->sink.event(e->sink.ctx, v);
		if (err)
			return err;
	}
	return e->sigs ? tr_sigset__event(e->sigs, v) : 0;
}

static int on_derived(void *ctx, struct tr_event_view *v)
{
	struct tr_engine *e = ctx;

	e->stats.derived++;
	return deliver(e, v);
}

static int emit_event(struct tr_engine *e, struct tr_event *ev, const struct tr_src *src,
		      const struct tr_event_def *def, int paired)
{
	struct tr_event_view v;
	struct tr_proc_node *n;
	char msg[256];
	int err;

	v.kind = TR_VIEW_EVENT;
	v.src = *src;
	v.def = def;
	v.info = &e->info[def - e->catalog->events];
	v.derived = 0;
	v.origin = NULL;
	v.ev = ev;
	v.paired = (uint8_t)paired;
	v.gap = NULL;
	if (tr_event__args(ev, def, v.args, msg, sizeof(msg))) {
		char name[TR_SHOW_MAX];

		damage_rec(e, src, "event %u (%s): %s; skipped", def->id, tr_show_str(name, def->name), msg);
		e->stats.skipped++;
		return 0;
	}
	/* enrich ─► deliver ─► derive (each derived event delivered after
	 * its source) */
	err = tr_proctree__event(e->tree, ev, &n);
	if (!err)
		err = before_enrich(e, &v);
	if (!err)
		err = tr_enrich__event(e->enrich, &v, n);
	if (err)
		return err;
	v.proc = n;
	e->stats.events++;
	err = deliver(e, &v);
	return err ? err : tr_derive__event(e->derive, &v);
}

static int emit_gap(struct tr_engine *e, const struct tr_gap *g, const struct tr_src *src)
{
	struct tr_event_view v;

	memset(&v, 0, sizeof(v));
	v.kind = TR_VIEW_GAP;
	v.src = *src;
	v.def = e->lost_def;
	v.info = &e->lost_info;
	v.path[0].arg = v.path[1].arg = v.fd[0].arg = v.fd[1].arg = -1;
	v.gap = g;
	v.args[e->lost_cpu] = (struct tr_arg_val){ .present = 1, .wire = TR_T_UINT32, .u = g->h.cpu };
	v.args[e->lost_count] = (struct tr_arg_val){ .present = 1, .wire = TR_T_UINT64, .u = g->lost };
	e->stats.gaps++;
	e->stats.lost += g->lost;
	return deliver(e, &v);
}

/* A record the merge releases, in order. */
static int on_release(void *ctx, const struct tr_rec_hdr *rec, const struct tr_src *src)
{
	struct tr_engine *e = ctx;
	const struct tr_event_def *def;
	struct tr_event *ev;
	struct held *h;

	switch (rec->kind) {
	case TR_REC_RETVAL: {
		const struct tr_retval *rv = (const struct tr_retval *)rec;

		h = held_find(e, rv->host_tid);
		if (!h || h->event_id != tr_catalog__canon_id(e->catalog, rv->event_id)) {
			e->stats.retvals_unpaired++;
			return 0;
		}
		return held_emit(e, h, 1, rv->retval);
	}
	case TR_REC_GAP:
		return emit_gap(e, (const struct tr_gap *)rec, src);
	case TR_REC_EVENT:
		/* The merge's copy is ours until we return: safe to patch. */
		ev = (struct tr_event *)rec;
		ev->event_id = tr_catalog__canon_id(e->catalog, ev->event_id);
		def = tr_catalog__find(e->catalog, ev->event_id);
		if (!def) {
			warn_rec(e, src, "event id %u is not in the recording's catalog; skipped", ev->event_id);
			e->stats.skipped++;
			return 0;
		}
		if (ev->flags & TR_EVF_AT_ENTRY)
			return hold(e, ev, src);
		return emit_event(e, ev, src, def, 0);
	default:
		return 0;
	}
}

/* ---- input ---- */

/* The reader's records are packed back to back: copy to read the struct
 * aligned. */
static int copy_aligned(struct tr_engine *e, const struct tr_rec_hdr *rec, uint32_t size)
{
	if (e->proc_cap < size) {
		uint8_t *p = realloc(e->proc_buf, size);

		if (!p)
			return -ENOMEM;
		e->proc_buf = p;
		e->proc_cap = size;
	}
	memcpy(e->proc_buf, rec, size);
	return 0;
}

/* A state record of format version 2 (schema/state.h): checked and counted
 * here; the state it carries is the enrichment's to use. */
static int push_state(struct tr_engine *e, const struct tr_rec_hdr *rec, const struct tr_src *src, uint32_t size)
{
	struct tr_arg_val args[TR_MAX_ARGS];
	char msg[256];
	int err = copy_aligned(e, rec, size);

	if (err)
		return err;
	if (tr_state__args((const struct tr_rec_hdr *)e->proc_buf, args, msg, sizeof(msg))) {
		warn_rec(e, src, "%s; skipped", msg);
		e->stats.skipped++;
		return 0;
	}
	e->stats.state++;
	return tr_enrich__state(e->enrich, (const struct tr_rec_hdr *)e->proc_buf, args);
}

/* A kind newer than this reader: skipped, with one warning per kind. */
static int push_unknown(struct tr_engine *e, uint16_t kind, const struct tr_src *src)
{
	uint64_t bit = 1ULL << (kind % 64);

	e->stats.unknown++;
	if (!(e->warned_kinds[kind / 64] & bit)) {
		e->warned_kinds[kind / 64] |= bit;
		warn_rec(e, src, "record kind %u is newer than this reader; records of this kind are skipped", kind);
	}
	return 0;
}

static int push_proc(struct tr_engine *e, const struct tr_rec_hdr *rec, const struct tr_src *src, uint32_t size)
{
	struct tr_arg_val args[TR_MAX_ARGS];
	struct tr_proc_node *n;
	char msg[256];
	int err = copy_aligned(e, rec, size);

	if (err)
		return err;
	if (tr_proc__args((const struct tr_proc *)e->proc_buf, args, msg, sizeof(msg))) {
		damage_rec(e, src, "process record: %s; skipped", msg);
		e->stats.skipped++;
		return 0;
	}
	e->stats.procs++;
	e->link_pending = 1;
	err = tr_proctree__snapshot(e->tree, (const struct tr_proc *)e->proc_buf, args);
	if (err)
		return err;
	n = tr_proctree__find(e->tree, ((const struct tr_proc *)e->proc_buf)->host_pid,
			      ((const struct tr_proc *)e->proc_buf)->start_ns);
	return n ? tr_enrich__snapshot(e->enrich, n) : 0;
}

int tr_engine__push(struct tr_engine *e, const struct tr_rec_hdr *rec, const struct tr_src *src)
{
	struct tr_rec_hdr h = tr_rec_hdr__load(rec);
	size_t need;
	int err;

	e->stats.records++;
	if (h.kind == TR_REC_PROC) {
		if (h.size < sizeof(struct tr_proc)) {
			warn_rec(e, src, "process record of %u bytes, shorter than its head (%zu); skipped",
				 h.size, sizeof(struct tr_proc));
			e->stats.skipped++;
			return 0;
		}
		return push_proc(e, rec, src, h.size);
	}
	/* State records say what is; they interleave with the process records
	 * of a checkpoint (a process, then its fds) and end no snapshot. */
	if (tr_state__def(h.kind))
		return push_state(e, rec, src, h.size);
	if (h.kind > TR_REC_KIND_MAX)
		return push_unknown(e, h.kind, src);
	/* The snapshot is complete once anything else comes. */
	if (e->link_pending) {
		tr_proctree__link_snapshot(e->tree);
		e->link_pending = 0;
	}
	switch (h.kind) {
	case TR_REC_WATERMARK:
		e->stats.watermarks++;
		return tr_merge__watermark(e->merge, h.ts);
	case TR_REC_EVENT:
		need = sizeof(struct tr_event);
		break;
	case TR_REC_RETVAL:
		need = sizeof(struct tr_retval);
		break;
	case TR_REC_GAP:
		need = sizeof(struct tr_gap);
		break;
	case TR_REC_PACKET_GAP:
	case TR_REC_ARTIFACT:
		/* capture/'s records: read by the pcap and artifact stages */
		return 0;
	default:
		warn_rec(e, src, "unknown record kind %u; skipped", h.kind);
		e->stats.skipped++;
		return 0;
	}
	if (h.size < need) {
		warn_rec(e, src, "record of kind %u is %u bytes, shorter than its head (%zu); skipped",
			 h.kind, h.size, need);
		e->stats.skipped++;
		return 0;
	}
	err = tr_merge__push(e->merge, rec, src);
	return err;
}

static int cmp_held(const void *a, const void *b)
{
	const struct tr_rec_hdr *x = (const struct tr_rec_hdr *)((const struct held *)a)->rec;
	const struct tr_rec_hdr *y = (const struct tr_rec_hdr *)((const struct held *)b)->rec;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return tr_src__cmp(&((const struct held *)a)->src, &((const struct held *)b)->src);
}

int tr_engine__finish(struct tr_engine *e)
{
	const struct tr_merge_stats *ms;
	int err;

	if (e->link_pending) {
		tr_proctree__link_snapshot(e->tree);
		e->link_pending = 0;
	}
	err = tr_merge__drain(e->merge);
	if (err)
		return err;
	/* Entry events still waiting get no return value, in record order
	 * (the table's own order is that of arrival). */
	if (e->nheld)
		qsort(e->held, e->nheld, sizeof(*e->held), cmp_held);
	while (e->nheld) {
		err = held_emit(e, &e->held[0], 0, 0);
		if (err)
			return err;
	}
	ms = tr_merge__stats(e->merge);
	e->stats.late = ms->late;
	e->stats.max_pending = ms->max_pending;
	return 0;
}

void tr_engine__summary(const struct tr_engine *e)
{
	const struct tr_engine_stats *s = &e->stats;
	const struct tr_merge_stats *ms = tr_merge__stats(e->merge);

	if (s->skipped)
		tr_diag__summary(e->diag, "%llu record%s could not be decoded and %s skipped",
				 (unsigned long long)s->skipped, s->skipped == 1 ? "" : "s",
				 s->skipped == 1 ? "was" : "were");
	if (ms->late)
		tr_diag__summary(e->diag, "%llu record%s arrived stamped before an earlier watermark "
				 "(released in arrival order)", (unsigned long long)ms->late,
				 ms->late == 1 ? "" : "s");
	if (s->retvals_unpaired)
		tr_diag__summary(e->diag, "%llu return value%s had no entry event to pair with",
				 (unsigned long long)s->retvals_unpaired, s->retvals_unpaired == 1 ? "" : "s");
	if (s->entries_unpaired)
		tr_diag__summary(e->diag, "%llu entry event%s got no return value (returnValue 0)",
				 (unsigned long long)s->entries_unpaired, s->entries_unpaired == 1 ? "" : "s");
	if (s->merge_overflows)
		tr_diag__summary(e->diag, "the merge reached its limit %llu time%s without a watermark "
				 "(released early; the order may be off there)",
				 (unsigned long long)s->merge_overflows, s->merge_overflows == 1 ? "" : "s");
	{
		uint64_t refused;
		size_t bytes = tr_proctree__bytes(e->tree, &refused);

		if (refused)
			tr_diag__summary(e->diag, "the process tree reached its limit of %u MiB of strings "
					 "(%zu bytes held); %llu exe, argv, cwd or cgroup strings were not kept",
					 TR_PROCTREE_BYTES_MAX >> 20, bytes, (unsigned long long)refused);
	}
	if (s->lost)
		tr_diag__summary(e->diag, "the recording lost %llu event%s (%llu gap record%s, shown as lost_events)",
				 (unsigned long long)s->lost, s->lost == 1 ? "" : "s",
				 (unsigned long long)s->gaps, s->gaps == 1 ? "" : "s");
}

/* ---- the recording driver ---- */

struct tr_replay {
	struct tr_diag diag;
	struct tr_replay_opts opts;
	struct tr_recording *rec;
	struct tr_engine *eng;
	int ran;
};

int tr_replay__open(struct tr_replay **out, const char *dir, const struct tr_replay_opts *o,
		    char *err, size_t errlen)
{
	struct tr_replay *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r->opts = *o;
	r->diag.prog = o->prog;
	r->diag.out = o->diag;
	r->diag.hook = o->warning;
	r->diag.hook_ctx = o->warning_ctx;
	rc = tr_recording__open_ex(&r->rec, dir, &r->diag, o->follow ? TR_REC_OPEN_FOLLOW : 0, err, errlen);
	if (rc) {
		free(r);
		return rc;
	}
	if (o->follow)
		tr_recording__follow(r->rec, (const volatile int *)o->stop);
	tr_recording__verify(r->rec, o->verify);
	*out = r;
	return 0;
}

int tr_replay__run(struct tr_replay *r, const struct tr_sink *sink, char *err, size_t errlen)
{
	struct tr_engine_opts eo = {
		.catalog = r->rec->catalog,
		.diag = &r->diag,
		.dir = r->rec->dir,
		.sink = *sink,
		.derived = r->opts.derived,
	};
	struct tr_replay_progress pg = { .nsegments = r->rec->nsegs };
	const struct tr_rec_hdr *rec;
	struct tr_src src;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (r->ran) {
		snprintf(err, errlen, "%s: already replayed", r->rec->dir);
		return -EALREADY;
	}
	r->ran = 1;
	if (r->opts.signatures && r->opts.sigs) {
		eo.sigs = r->opts.sigs;
		eo.nsigs = r->opts.nsigs;
	} else if (r->opts.signatures) {
		eo.sigs = tr_signatures__builtin(&eo.nsigs);
	}
	eo.suppress = r->opts.suppress;
	eo.suppress_ctx = r->opts.suppress_ctx;
	rc = tr_engine__new(&r->eng, &eo);
	if (rc)
		goto out;
	{
		struct tr_net *net = NULL;

		/* DNS answers and TCP flows of the recording's pcaps */
		rc = tr_net__load(&net, r->rec->dir, &r->rec->manifest, r->rec->have_manifest, &r->diag);
		if (rc)
			goto out;
		tr_enrich__set_net(r->eng->enrich, net);
	}
	while ((rc = tr_recording__next(r->rec, &rec, &src, err, errlen)) > 0) {
		if (r->opts.stop && *r->opts.stop) {
			snprintf(err, errlen, "%s: interrupted", r->rec->dir);
			rc = -EINTR;
			goto out;
		}
		rc = tr_engine__push(r->eng, rec, &src);
		if (rc == -ENOMEM && err && errlen && !err[0])
			snprintf(err, errlen, "%s/%s: offset %llu: record %u: out of memory", r->rec->dir,
				 src.segment, (unsigned long long)src.frame_offset, src.index);
		if (rc)
			goto out;
		/* every 64Ki records: cheap enough to not show in a profile */
		if (r->opts.progress && !(++pg.records & 0xffff)) {
			pg.segment = r->rec->cur;
			r->opts.progress(r->opts.progress_ctx, &pg);
		}
	}
	if (rc < 0)
		return rc;	/* err names the file */
	rc = tr_engine__finish(r->eng);
	if (!rc && r->opts.progress) {
		pg.records = r->rec->stats.records;
		pg.segment = r->rec->nsegs;
		pg.done = 1;
		r->opts.progress(r->opts.progress_ctx, &pg);
	}
out:
	if (rc == -ENOMEM && err && errlen && !err[0])
		snprintf(err, errlen, "%s: out of memory", r->rec->dir);
	return rc;
}

void tr_replay__window(struct tr_replay *r, uint64_t since_ns, uint64_t until_ns)
{
	tr_recording__window(r->rec, since_ns, until_ns);
}

int64_t tr_replay__start_wall(const struct tr_replay *r)
{
	if (!r->rec->have_manifest)
		return 0;
	return (int64_t)(r->rec->manifest.start_boot_ns + (uint64_t)r->rec->manifest.boot_to_wall_ns);
}

void tr_replay__summary(const struct tr_replay *r)
{
	tr_recording__summary(r->rec);
	if (r->eng)
		tr_engine__summary(r->eng);
}

struct tr_json_host tr_replay__host(const struct tr_replay *r)
{
	struct tr_json_host h = { .hostname = "" };

	if (r->rec->have_manifest) {
		h.hostname = r->rec->manifest.hostname ? r->rec->manifest.hostname : "";
		h.boot_to_wall_ns = r->rec->manifest.boot_to_wall_ns;
	}
	return h;
}

const struct tr_recording *tr_replay__recording(const struct tr_replay *r)
{
	return r->rec;
}

const struct tr_engine *tr_replay__engine(const struct tr_replay *r)
{
	return r->eng;
}

uint64_t tr_replay__warnings(const struct tr_replay *r)
{
	return r->diag.warnings;
}

uint64_t tr_replay__damage(const struct tr_replay *r)
{
	return r->diag.damage;
}

void tr_replay__progress_tty(void *prog, const struct tr_replay_progress *p)
{
	if (p->done) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\r%s: segment %zu/%zu, %llu records", (const char *)prog, p->segment + 1,
		p->nsegments, (unsigned long long)p->records);
}

void tr_replay__free(struct tr_replay *r)
{
	if (!r)
		return;
	tr_engine__free(r->eng);
	tr_recording__close(r->rec);
	free(r);
}
