// SPDX-License-Identifier: MIT
/*
 * test_replay.c: the replay pipeline on synthetic recordings: merge order,
 * return value pairing, the process tree, JSON escaping, the built-in
 * signature, damage handling and determinism.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "bytes.h"
#include "json.h"
#include "merge.h"
#include "path.h"
#include "pipeline.h"
#include "state.h"
#include "replay_synth.h"

/* ---- helpers ---- */

static char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t;

	assert_true(asprintf(&t, "%s/test_replay.XXXXXX", base && *base ? base : "/tmp") > 0);
	assert_non_null(mkdtemp(t));
	return t;
}

/* Everything a run produced. */
struct run {
	struct tr_buf out;	/* JSON lines */
	char *diag;		/* stderr text */
	size_t diaglen;
	int rc;
	/* per event, in order */
	size_t n;
	uint32_t ids[256];
	uint64_t ts[256];
	int64_t ret[256];
	uint16_t cpu[256];
	uint64_t ordinal[256];
	int paired[256];
	uint32_t host_tid[256];
	size_t nfindings;
	char finding_path[8][256];
	uint64_t finding_ordinal[8];
	struct tr_engine_stats stats;
	size_t nodes;
	struct tr_json_host host;
};

static int rec_event(void *ctx, const struct tr_event_view *v)
{
	struct run *r = ctx;

	if (r->n < 256) {
		r->ids[r->n] = v->def->id;
		r->ts[r->n] = v->kind == TR_VIEW_EVENT ? v->ev->h.ts : v->gap->h.ts;
		r->cpu[r->n] = v->kind == TR_VIEW_EVENT ? v->ev->h.cpu : v->gap->h.cpu;
		r->ret[r->n] = v->kind == TR_VIEW_EVENT ? v->ev->retval : 0;
		r->ordinal[r->n] = v->ordinal;
		r->paired[r->n] = v->paired;
		r->host_tid[r->n] = v->kind == TR_VIEW_EVENT ? v->ev->host_tid : 0;
	}
	r->n++;
	return tr_json__event(&r->out, &r->host, v);
}

static int rec_finding(void *ctx, const struct tr_finding *f)
{
	struct run *r = ctx;

	if (r->nfindings < 8) {
		for (size_t i = 0; i < f->ndata; i++)
			if (!strcmp(f->data[i].key, "pathname"))
				snprintf(r->finding_path[r->nfindings], sizeof(r->finding_path[0]), "%.*s",
					 (int)f->data[i].s.len, (const char *)f->data[i].s.p);
		r->finding_ordinal[r->nfindings] = f->ev->ordinal;
	}
	r->nfindings++;
	return tr_json__finding(&r->out, &r->host, f);
}

/* A callback for the process tree check, run before the replay is freed. */
typedef void (*tree_check_fn)(const struct tr_proctree *t);

static void replay_dir(const char *dir, int sigs, struct run *r, tree_check_fn check)
{
	FILE *diag = open_memstream(&r->diag, &r->diaglen);
	struct tr_replay_opts o = { .prog = "tracee-replay", .diag = diag, .signatures = sigs };
	struct tr_sink sink = { .event = rec_event, .finding = rec_finding, .ctx = r };
	struct tr_replay *rp;
	char err[1024];

	assert_non_null(diag);
	r->rc = tr_replay__open(&rp, dir, &o, err, sizeof(err));
	if (!r->rc) {
		r->host = tr_replay__host(rp);
		r->rc = tr_replay__run(rp, &sink, err, sizeof(err));
		r->stats = *tr_engine__stats(tr_replay__engine(rp));
		r->nodes = tr_proctree__count(tr_engine__tree(tr_replay__engine(rp)));
		if (check)
			check(tr_engine__tree(tr_replay__engine(rp)));
		tr_replay__summary(rp);
		tr_replay__free(rp);
	} else {
		fprintf(diag, "error: %s\n", err);
	}
	fclose(diag);
}

static void run_free(struct run *r)
{
	tr_buf__free(&r->out);
	free(r->diag);
}

/* The JSON line of the i-th event (0-based), parsed. */
static json_t *line(const struct run *r, size_t i)
{
	const char *p = r->out.p, *end = r->out.p + r->out.len;
	json_error_t e;

	for (; i && p < end; i--) {
		p = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(p);
		p++;
	}
	assert_true(p < end);
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_t *j = json_loadb(p, (size_t)(nl - p), 0, &e);

		if (!j)
			fail_msg("line %zu is not JSON: %s", i, e.text);
		return j;
	}
}

static const struct synth_task bash = { .pid = 100, .ppid = 1, .start_ns = 2000000000ULL + 3456789,
					.parent_start_ns = 10000000, .comm = "bash" };

/* ---- merge ---- */

struct order { size_t n; uint64_t ts[64]; uint16_t cpu[64]; };

static int collect(void *ctx, const struct tr_rec_hdr *rec, const struct tr_src *src)
{
	struct order *o = ctx;

	assert_int_equal((uintptr_t)rec % 8, 0);
	o->ts[o->n] = rec->ts;
	o->cpu[o->n++] = rec->cpu;
	return 0;
}

static void push(struct tr_merge *m, uint16_t cpu, uint64_t ts, uint64_t seq)
{
	struct tr_gap g = { .h = { .kind = TR_REC_GAP, .cpu = cpu, .size = sizeof(g), .ts = ts, .seq = seq } };
	struct tr_src src = { .segment = "events/seg-000000.zst" };

	assert_int_equal(tr_merge__push(m, &g.h, &src), 0);
}

static void test_merge_unit(void **state)
{
	struct order o = { 0 };
	struct tr_merge *m = tr_merge__new(collect, &o, NULL);

	assert_non_null(m);
	/* round 1: CPU 1's batch comes before CPU 0's, both out of order
	 * with each other */
	push(m, 1, 30, 0);
	push(m, 1, 50, 1);
	push(m, 1, 70, 2);	/* after the watermark: must wait */
	push(m, 0, 20, 0);
	push(m, 0, 30, 1);	/* same ts as cpu 1: cpu breaks the tie */
	push(m, 0, 60, 2);
	assert_int_equal(tr_merge__watermark(m, 65), 0);
	assert_int_equal(o.n, 5);
	assert_int_equal(tr_merge__pending(m), 1);
	{
		const uint64_t ts[] = { 20, 30, 30, 50, 60 };
		const uint16_t cpu[] = { 0, 0, 1, 1, 0 };

		for (size_t i = 0; i < 5; i++) {
			assert_int_equal(o.ts[i], ts[i]);
			assert_int_equal(o.cpu[i], cpu[i]);
		}
	}
	/* round 2: a late record (stamped before 65) goes out at once */
	push(m, 2, 40, 0);
	assert_int_equal(o.n, 6);
	assert_int_equal(o.ts[5], 40);
	assert_int_equal(tr_merge__stats(m)->late, 1);
	push(m, 0, 66, 3);
	/* a watermark that moves back releases nothing new */
	assert_int_equal(tr_merge__watermark(m, 10), 0);
	assert_int_equal(o.n, 6);
	assert_int_equal(tr_merge__drain(m), 0);
	assert_int_equal(o.n, 8);
	assert_int_equal(o.ts[6], 66);
	assert_int_equal(o.ts[7], 70);
	assert_int_equal(tr_merge__pending(m), 0);
	tr_merge__free(m);
}

/* Many rounds: memory is bounded by one round (pending never grows past
 * what one round left), and the order is total. */
static void test_merge_rounds(void **state)
{
	struct order o;
	struct tr_merge *m;
	uint64_t last = 0;

	memset(&o, 0, sizeof(o));
	m = tr_merge__new(collect, &o, NULL);
	assert_non_null(m);
	for (uint64_t round = 0; round < 8; round++) {
		/* 4 CPUs, 4 records each, CPUs in reverse order */
		for (int cpu = 3; cpu >= 0; cpu--)
			for (uint64_t k = 0; k < 4; k++)
				push(m, (uint16_t)cpu, round * 100 + k * 20 + (uint64_t)cpu, round * 4 + k);
		assert_int_equal(tr_merge__watermark(m, round * 100 + 50), 0);
		/* only k = 3 (ts 60..63) of this round waits */
		assert_int_equal(tr_merge__pending(m), 4);
		for (size_t i = 0; i < o.n; i++) {
			assert_true(o.ts[i] >= last);
			last = o.ts[i];
		}
		o.n = 0;
	}
	/* one round's 16 plus the 4 the last one left */
	assert_int_equal(tr_merge__stats(m)->max_pending, 20);
	tr_merge__free(m);
}

/* Records that wait many rounds (the watermark lags their batches), CPUs
 * interleaved, and duplicates: the merge releases exactly what a plain
 * model does, a stable sort by (ts, cpu, seq) of what each watermark
 * covers, ties in arrival order. Held records are kept in place across
 * rounds and their space reclaimed now and then: this pins that. */
#define MODEL_N 6000
struct model_rec { uint64_t ts, seq; uint16_t cpu; uint32_t index; };
struct model_out { size_t n; uint32_t index[MODEL_N]; };

static int collect_index(void *ctx, const struct tr_rec_hdr *rec, const struct tr_src *src)
{
	struct model_out *o = ctx;

	assert_int_equal((uintptr_t)rec % 8, 0);
	assert_int_equal(rec->ts, (uint64_t)src->frame_offset);	/* the src stays with its record */
	assert_true(o->n < MODEL_N);
	o->index[o->n++] = src->index;
	return 0;
}

static int model_cmp(const void *a, const void *b)
{
	const struct model_rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void test_merge_model(void **state)
{
	static struct model_rec pending[MODEL_N];
	static struct model_out got, want;
	uint64_t rnd = 42, wm = 0, seq[4] = { 0 };
	size_t np = 0;
	uint32_t index = 0;
	struct tr_merge *m;

	memset(&got, 0, sizeof(got));
	memset(&want, 0, sizeof(want));
	m = tr_merge__new(collect_index, &got, NULL);
	assert_non_null(m);
	for (uint64_t round = 1; index < MODEL_N - 200; round++) {
		for (uint16_t cpu = 0; cpu < 4; cpu++) {
			uint64_t k, nrec = (rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL) >> 59;

			for (k = 0; k < nrec; k++) {
				/* stamped from the last watermark to 8 rounds ahead; every
				 * 7th a duplicate of the one before */
				uint64_t r = (rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL) >> 33;
				struct model_rec x = { .ts = wm + r % 800, .cpu = cpu, .seq = seq[cpu]++,
						       .index = index };
				struct tr_gap g;
				struct tr_src src;

				if (index % 7 == 6 && np && pending[np - 1].ts >= wm) {
					x = pending[np - 1];
					x.index = index;
				}
				g = (struct tr_gap){ .h = { .kind = TR_REC_GAP, .cpu = x.cpu, .size = sizeof(g),
							    .ts = x.ts, .seq = x.seq } };
				src = (struct tr_src){ .segment = "events/seg-000000.zst", .index = index,
						       .frame_offset = x.ts };
				assert_int_equal(tr_merge__push(m, &g.h, &src), 0);
				pending[np++] = x;
				index++;
			}
		}
		wm = round * 100;
		assert_int_equal(tr_merge__watermark(m, wm), 0);
		/* the model: what the watermark covers, sorted */
		qsort(pending, np, sizeof(*pending), model_cmp);
		{
			size_t i = 0, keep = 0;

			for (; i < np && pending[i].ts < wm; i++)
				want.index[want.n++] = pending[i].index;
			for (; i < np; i++)
				pending[keep++] = pending[i];
			np = keep;
		}
		assert_int_equal(tr_merge__pending(m), np);
		assert_int_equal(got.n, want.n);
	}
	assert_int_equal(tr_merge__drain(m), 0);
	qsort(pending, np, sizeof(*pending), model_cmp);
	for (size_t i = 0; i < np; i++)
		want.index[want.n++] = pending[i].index;
	assert_int_equal(got.n, index);
	assert_int_equal(want.n, index);
	assert_memory_equal(got.index, want.index, index * sizeof(got.index[0]));
	/* records waited several rounds: what this test is about */
	assert_true(tr_merge__stats(m)->max_pending > 100);
	tr_merge__free(m);
}

/* Past its limits the merge lets everything it holds out, in order, and
 * says so once per crossing with the record that crossed; no watermark is
 * made up, so later records are not counted late. */
struct capture {
	struct order o;		/* first: collect() takes the context as an order */
	int calls;
	size_t records[4], bytes[4];
	uint32_t index[4];
};

static void on_overflow_cb(void *ctx, const struct tr_src *src, size_t records, size_t bytes)
{
	struct capture *c = ctx;

	if (c->calls < 4) {
		c->records[c->calls] = records;
		c->bytes[c->calls] = bytes;
		c->index[c->calls] = src->index;
	}
	c->calls++;
}

static void push_idx(struct tr_merge *m, uint16_t cpu, uint64_t ts, uint64_t seq, uint32_t index)
{
	struct tr_gap g = { .h = { .kind = TR_REC_GAP, .cpu = cpu, .size = sizeof(g), .ts = ts, .seq = seq } };
	struct tr_src src = { .segment = "events/seg-000000.zst", .index = index };

	assert_int_equal(tr_merge__push(m, &g.h, &src), 0);
}

static void test_merge_cap(void **state)
{
	static const uint64_t ts[] = { 50, 40, 30, 20, 90, 80, 70, 60, 15, 5 };
	static const uint64_t want[] = { 20, 30, 40, 50, 60, 70, 80, 90, 5, 15 };
	struct tr_merge_opts mo = { .max_records = 4, .overflow = on_overflow_cb };
	struct capture c;
	struct tr_merge *m;

	memset(&c, 0, sizeof(c));
	m = tr_merge__new(collect, &c, &mo);
	assert_non_null(m);
	for (uint32_t i = 0; i < 10; i++) {
		push_idx(m, (uint16_t)(i & 1), ts[i], i / 2, i);
		/* never more than the limit held */
		assert_true(tr_merge__pending(m) < 4);
		if (i == 3 || i == 7)
			assert_int_equal(c.o.n, i + 1);
	}
	assert_int_equal(c.calls, 2);
	assert_int_equal(c.records[0], 4);
	assert_int_equal(c.index[0], 3);	/* the record that crossed */
	assert_int_equal(c.index[1], 7);
	assert_int_equal(tr_merge__pending(m), 2);
	assert_int_equal(tr_merge__drain(m), 0);
	assert_int_equal(c.o.n, 10);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(c.o.ts[i], want[i]);
	assert_int_equal(tr_merge__stats(m)->overflows, 2);
	assert_int_equal(tr_merge__stats(m)->late, 0);
	assert_int_equal(tr_merge__stats(m)->max_pending, 4);
	tr_merge__free(m);

	/* by bytes: gap records take 32 bytes each in the arena */
	memset(&c, 0, sizeof(c));
	mo = (struct tr_merge_opts){ .max_bytes = 100, .overflow = on_overflow_cb };
	m = tr_merge__new(collect, &c, &mo);
	assert_non_null(m);
	for (uint32_t i = 0; i < 3; i++)
		push_idx(m, 0, 100 - i, i, i);
	assert_int_equal(c.o.n, 0);
	push_idx(m, 0, 10, 3, 3);
	assert_int_equal(c.o.n, 4);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.bytes[0], 128);
	assert_int_equal(c.o.ts[0], 10);
	assert_int_equal(c.o.ts[3], 100);
	tr_merge__free(m);

	/* the defaults are far above a drain round */
	m = tr_merge__new(collect, &c, NULL);
	assert_non_null(m);
	memset(&c, 0, sizeof(c));
	for (uint32_t i = 0; i < 5000; i++)
		push_idx(m, 0, 5000 - i, i, i);
	assert_int_equal(tr_merge__pending(m), 5000);
	assert_int_equal(tr_merge__stats(m)->overflows, 0);
	tr_merge__free(m);
}

static int count_event(void *ctx, const struct tr_event_view *v)
{
	(*(size_t *)ctx)++;
	return 0;
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The engine warns once, naming the file and offset of the record that
 * crossed the limit, and sums up how often it happened. */
static void test_merge_cap_engine(void **state)
{
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *out = open_memstream(&buf, &len);
	struct tr_diag d = { .prog = "tracee-replay", .out = out };
	struct tr_engine_opts eo = { .diag = &d, .dir = "REC", .sink = { .event = count_event, .ctx = &n },
				     .merge_max_records = 3 };
	struct tr_engine *e;

	assert_non_null(out);
	assert_int_equal(tr_engine__new(&e, &eo), 0);
	for (uint32_t i = 0; i < 7; i++) {
		struct tr_src src = { .segment = "events/seg-000000.zst", .frame_offset = 40, .index = i };
		struct synth_ev ev;

		synth_ev_begin(&ev, 0, 1000 - i * 10, TR_EV_OPENAT, &bash);
		ev.ev.h.seq = i;
		synth_ev_u32(&ev, 0, (uint32_t)-100);
		synth_ev_str(&ev, 1, "/etc/hosts");
		ev.ev.h.size = (uint32_t)ev.off;
		assert_int_equal(tr_engine__push(e, &ev.ev.h, &src), 0);
	}
	assert_int_equal(tr_engine__finish(e), 0);
	tr_engine__summary(e);
	assert_int_equal(tr_engine__stats(e)->merge_overflows, 2);
	tr_engine__free(e);
	fclose(out);
	assert_int_equal(n, 7);
	assert_non_null(strstr(buf, "tracee-replay: warning: REC/events/seg-000000.zst: offset 40: record 2: "
				    "3 records ("));
	assert_int_equal(count_str(buf, "held without a watermark"), 1);
	assert_non_null(strstr(buf, "tracee-replay: warning: the merge reached its limit 2 times without a watermark"));
	free(buf);
}

/* The same through a recording: segments, frames, and the JSON order. */
static void test_merge_recording(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	struct synth s;
	struct run r = { 0 };
	struct synth_task t = bash;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	/* drain round 1: CPU 2 then CPU 0, then a gap, then the watermark */
	synth_openat(&s, 2, 5000, &t, "/c2-a", 3);
	synth_openat(&s, 2, 7000, &t, "/c2-b", 3);	/* held past the watermark */
	synth_openat(&s, 0, 4000, &t, "/c0-a", 3);
	synth_openat(&s, 0, 6000, &t, "/c0-b", 3);
	synth_gap(&s, 1, 5500, 7);
	synth_watermark(&s, 6500);
	synth_flush(&s);
	/* round 2 in the next segment */
	synth_rotate(&s);
	synth_openat(&s, 1, 6800, &t, "/c1-a", 3);
	synth_openat(&s, 0, 9000, &t, "/c0-c", 3);
	synth_watermark(&s, 8000);
	synth_openat(&s, 3, 8500, &t, "/c3-a", 3);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 8);
	{
		const uint64_t ts[] = { 4000, 5000, 5500, 6000, 6800, 7000, 8500, 9000 };

		for (size_t i = 0; i < 8; i++) {
			assert_int_equal(r.ts[i], ts[i]);
			assert_int_equal(r.ordinal[i], i + 1);
		}
	}
	assert_int_equal(r.ids[2], TR_EV_LOST_EVENTS);
	assert_int_equal(r.stats.lost, 7);
	assert_int_equal(r.stats.watermarks, 2);
	/* the gap line */
	{
		json_t *j = line(&r, 2);

		assert_string_equal(json_string_value(json_object_get(j, "eventId")), "9001");
		assert_string_equal(json_string_value(json_object_get(j, "eventName")), "lost_events");
		assert_int_equal(json_integer_value(json_object_get(j, "processorId")), 1);
		assert_int_equal(json_integer_value(json_object_get(j, "timestamp")), SYNTH_BOOT_TO_WALL + 5500);
		assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "args"), 1), "value")), 7);
		json_decref(j);
	}
	/* a clean recording with loss warns about the loss only */
	assert_non_null(strstr(r.diag, "lost 7 events"));
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* ---- pairing ---- */

/* A stream of entry events that never get their return values (hostile or
 * broken): the held table stays bounded, the oldest go out first, without a
 * value, every event comes out once, and it is said once. */
static void test_held_entries_bounded(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv_x[] = { "x", NULL };
	const unsigned n = 4096 + 100;
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	for (unsigned i = 0; i < n; i++) {
		struct synth_task t = { .pid = 1000 + i, .tid = 1000 + i, .ppid = 1, .start_ns = 1000000000ULL,
					.parent_start_ns = 10000000, .comm = "x" };

		synth_execve_entry(&s, 0, 1000 + i, &t, "/bin/x", argv_x);
	}
	synth_watermark(&s, 1000000);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, n);
	/* the first out is the oldest, pushed out by the 4097th */
	assert_int_equal(r.ts[0], 1000);
	assert_int_equal(r.ts[1], 1001);
	assert_false(r.paired[0]);
	assert_non_null(strstr(r.diag, "the most held"));
	assert_null(strstr(strstr(r.diag, "the most held") + 1, "the most held"));
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

static void test_retval_pairing(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv_ls[] = { "ls", "-l", NULL };
	struct synth_task t = bash, thr = bash, other = { .pid = 300, .ppid = 1, .start_ns = 3000000000ULL,
							   .parent_start_ns = 10000000, .comm = "sh" };
	struct synth s;
	struct run r = { 0 };

	thr.tid = 101;	/* a second thread of bash */
	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	/* 1: paired with a failure, emitted at the retval with its entry ts */
	synth_execve_entry(&s, 0, 1000, &t, "/nope", argv_ls);
	synth_openat(&s, 1, 1100, &other, "/x", 3);
	synth_retval(&s, 0, 1200, 100, TR_EV_EXECVE, -2);
	/* 2: a second entry event of the same thread first: the first goes
	 * out without a value */
	synth_execve_entry(&s, 0, 2000, &t, "/a", argv_ls);
	synth_execve_entry(&s, 0, 2100, &t, "/usr/bin/ls", argv_ls);
	synth_retval(&s, 0, 2200, 100, TR_EV_EXECVE, 0);
	/* 3: a non-leader thread (101) execs: it takes tid 100 */
	synth_execve_entry(&s, 1, 3000, &thr, "/usr/bin/env", argv_ls);
	synth_exec(&s, 1, 3100, &t, "/usr/bin/env", argv_ls, 101);
	synth_retval(&s, 1, 3200, 100, TR_EV_EXECVE, 0);
	/* 4: a return value with nothing held */
	synth_retval(&s, 2, 3300, 300, TR_EV_EXECVE, 0);
	/* 5: never answered: out at the end, without a value */
	synth_execve_entry(&s, 2, 4000, &other, "/bin/true", argv_ls);
	synth_watermark(&s, 10000);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 7);
	/* openat(1100) was released before the retval at 1200 */
	assert_int_equal(r.ids[0], TR_EV_OPENAT);
	assert_int_equal(r.ids[1], TR_EV_EXECVE);
	assert_int_equal(r.ts[1], 1000);
	assert_int_equal(r.ret[1], -2);
	assert_true(r.paired[1]);
	assert_int_equal(r.ts[2], 2000);
	assert_int_equal(r.ret[2], 0);
	assert_false(r.paired[2]);
	assert_int_equal(r.ts[3], 2100);
	assert_true(r.paired[3]);
	/* the exec event comes out first; the execve follows it, paired */
	assert_int_equal(r.ids[4], TR_EV_SCHED_PROCESS_EXEC);
	assert_int_equal(r.ids[5], TR_EV_EXECVE);
	assert_int_equal(r.ts[5], 3000);
	assert_true(r.paired[5]);
	assert_int_equal(r.host_tid[5], 101);	/* the record says who sent it */
	/* #5 came out at the end, without a value */
	assert_int_equal(r.ts[6], 4000);
	assert_false(r.paired[6]);
	assert_int_equal(r.stats.retvals_unpaired, 1);
	assert_int_equal(r.stats.entries_unpaired, 2);
	run_free(&r);

	/* the JSON of the paired failure: returnValue and syscall */
	memset(&r, 0, sizeof(r));
	replay_dir(dir, 0, &r, NULL);
	{
		json_t *j = line(&r, 1), *args = json_object_get(j, "args");

		assert_int_equal(json_integer_value(json_object_get(j, "returnValue")), -2);
		assert_string_equal(json_string_value(json_object_get(j, "syscall")), "execve");
		assert_string_equal(json_string_value(json_object_get(j, "eventId")), "59");
		assert_int_equal(json_integer_value(json_object_get(j, "argsNum")), 3);
		assert_string_equal(json_string_value(json_object_get(json_array_get(args, 0), "value")), "/nope");
		assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(args, 1), "value"), 1)), "-l");
		assert_int_equal(json_integer_value(json_object_get(j, "timestamp")), SYNTH_BOOT_TO_WALL + 1000);
		json_decref(j);
	}
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* A thread that exits sends no return value for its held event: the event
 * comes out before the exit, not at the end. */
static void test_held_until_exit(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv[] = { "x", NULL };
	struct synth_task t = { .pid = 400, .ppid = 1, .start_ns = 3000000000ULL, .parent_start_ns = 10000000,
				.comm = "w" };
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_execve_entry(&s, 0, 100, &t, "/bin/x", argv);
	synth_openat(&s, 1, 150, &bash, "/etc/hosts", 3);
	synth_exit(&s, 0, 200, &t, 9, 1);
	synth_openat(&s, 1, 250, &bash, "/etc/hosts", 3);
	synth_watermark(&s, 1000);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ids[0], TR_EV_OPENAT);
	assert_int_equal(r.ids[1], TR_EV_EXECVE);
	assert_false(r.paired[1]);
	assert_int_equal(r.ids[2], TR_EV_SCHED_PROCESS_EXIT);
	assert_int_equal(r.ids[3], TR_EV_OPENAT);
	assert_int_equal(r.stats.entries_unpaired, 1);
	assert_non_null(strstr(r.diag, "1 entry event got no return value"));
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* Records that cannot be decoded are reported with file, offset and
 * record, skipped, and counted; the rest replays. */
static void test_bad_records(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	struct synth_ev e;
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_openat(&s, 0, 100, &bash, "/ok/1", 3);
	synth_ev_begin(&e, 0, 110, 4242, &bash);		/* not in the catalog */
	synth_ev_end(&s, &e);
	synth_ev_begin(&e, 0, 120, TR_EV_OPENAT, &bash);	/* says 2 args, has 1 */
	synth_ev_str(&e, 1, "/short");
	e.ev.nargs = 2;
	synth_ev_end(&s, &e);
	synth_ev_begin(&e, 0, 130, TR_EV_OPENAT, &bash);	/* reserved flag */
	e.ev.flags = 0x8000;
	synth_ev_end(&s, &e);
	synth_openat(&s, 0, 140, &bash, "/ok/2", 3);
	synth_watermark(&s, 1000);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.stats.skipped, 3);
	assert_non_null(strstr(r.diag, "/events/seg-000000.zst: offset 0: record 1: event id 4242 is not in the recording's catalog; skipped"));
	assert_non_null(strstr(r.diag, "/events/seg-000000.zst: offset 0: record 2: event 257 (openat): "
				       "offset 139: argument 2 of 2 is missing; skipped"));
	assert_non_null(strstr(r.diag, "record 3: event 257 (openat): offset 30: reserved event flags set (0x8000)"));
	assert_non_null(strstr(r.diag, "3 records could not be decoded and were skipped"));
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* ---- process tree ---- */

static void check_tree(const struct tr_proctree *t)
{
	const struct tr_proc_node *sh, *ls, *p, *old, *dup, *unk;

	/* 1, 100, 150 (snapshot), 200 (fork), 150 refork = same node,
	 * 400 unknown, 200 reused: 6 */
	assert_int_equal(tr_proctree__count(t), 6);

	/* fork + exec + exit of 200, parent chain 200 -> 100 -> 1 */
	old = tr_proctree__find(t, 200, 5000000000ULL);
	assert_non_null(old);
	assert_true(old->exited);
	assert_int_equal(old->exit_code, 3);
	assert_string_equal(old->exe.p, "/usr/bin/ls");
	assert_int_equal(old->argv.len, sizeof("ls\0-l"));
	assert_string_equal(old->comm, "ls");
	assert_int_equal(old->nexec, 1);
	assert_string_equal(old->cwd.p, "/home/u");	/* inherited */
	p = tr_proctree__parent(t, old);
	assert_non_null(p);
	assert_int_equal(p->host_pid, 100);
	p = tr_proctree__parent(t, p);
	assert_non_null(p);
	assert_int_equal(p->host_pid, 1);
	assert_null(tr_proctree__parent(t, p));

	/* pid 200 reused: a new node; the old one stays for history */
	ls = tr_proctree__find(t, 200, 9000000000ULL);
	assert_non_null(ls);
	assert_ptr_not_equal(ls, old);
	assert_false(ls->exited);
	assert_ptr_equal(tr_proctree__find(t, 200, 0), ls);

	/* the snapshot already had 150; the fork (exact ns vs ticks) completes it */
	dup = tr_proctree__find(t, 150, 4000000000ULL + 7654321);
	assert_non_null(dup);
	assert_int_equal(dup->source, TR_PSRC_SNAPSHOT);
	assert_string_equal(dup->exe.p, "/usr/bin/vim");	/* snapshot's, not bash's */
	sh = tr_proctree__parent(t, dup);
	assert_non_null(sh);
	assert_int_equal(sh->host_pid, 100);

	/* an unknown process, from its event context, linked to its parent */
	unk = tr_proctree__find(t, 400, 6000000000ULL);
	assert_non_null(unk);
	assert_int_equal(unk->source, TR_PSRC_EVENT);
	assert_string_equal(unk->comm, "mystery");
	assert_ptr_equal(tr_proctree__parent(t, unk), sh);
	assert_null(unk->exe.p);

	/* a thread fork made no node */
	assert_null(tr_proctree__find(t, 101, 0));
}

static void test_proctree(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv_bash[] = { "-bash", NULL }, *const argv_vim[] = { "vim", "x", NULL };
	const char *const argv_ls[] = { "ls", "-l", NULL };
	struct synth_task child = { .pid = 200, .ppid = 100, .start_ns = 5000000000ULL,
				    .parent_start_ns = bash.start_ns, .comm = "bash" };
	struct synth_task unk = { .pid = 400, .ppid = 100, .start_ns = 6000000000ULL,
				  .parent_start_ns = bash.start_ns, .comm = "mystery" };
	struct synth_task reuse = { .pid = 200, .ppid = 1, .start_ns = 9000000000ULL,
				    .parent_start_ns = 10000000, .comm = "cron" };
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	/* the snapshot lists the child before its parent (pids wrapped) */
	synth_proc(&s, 1000, 150, 100, 4000000000ULL + 7654321, "vim", "/usr/bin/vim", "/home/u", argv_vim);
	synth_proc(&s, 1000, 1, 0, 10000000, "systemd", "/usr/lib/systemd/systemd", "/", NULL);
	synth_proc(&s, 1000, 100, 1, bash.start_ns, "bash", "/usr/bin/bash", "/home/u", argv_bash);
	/* probes attached before the snapshot: the fork of 150 is seen too */
	synth_fork(&s, 0, 900, &bash, 150, 150, 4000000000ULL + 7654321);
	synth_fork(&s, 0, 5000000000ULL, &bash, 200, 200, 5000000000ULL);
	synth_fork(&s, 0, 5000000001ULL, &bash, 100, 101, 5000000001ULL);	/* a thread */
	synth_exec(&s, 1, 5000000100ULL, &(struct synth_task){ .pid = 200, .ppid = 100, .start_ns = 5000000000ULL,
				.parent_start_ns = bash.start_ns, .comm = "ls" }, "/usr/bin/ls", argv_ls, 200);
	synth_openat(&s, 2, 6000000000ULL, &unk, "/etc/passwd", 3);
	synth_exit(&s, 1, 7000000000ULL, &child, 3, 1);
	synth_openat(&s, 1, 9000000001ULL, &reuse, "/var/log/syslog", 3);
	synth_watermark(&s, 10000000000ULL);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 0, &r, check_tree);
	assert_int_equal(r.rc, 0);
	/* executable.path comes from the tree: the exec event shows the new image */
	{
		json_t *j = line(&r, 3);

		assert_string_equal(json_string_value(json_object_get(j, "eventName")), "sched_process_exec");
		assert_string_equal(json_string_value(json_object_get(json_object_get(j, "executable"), "path")),
				    "/usr/bin/ls");
		json_decref(j);
	}
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* ---- JSON ---- */

static void expect_json_str(const void *p, size_t len, const char *want)
{
	struct tr_buf b = { 0 };

	tr_json__str(&b, p, len);
	tr_buf__putc(&b, '\0');
	assert_int_equal(b.err, 0);
	assert_string_equal(b.p, want);
	tr_buf__free(&b);
}

/* JSON-decode: must give the byte escape of schema/bytes.h, whose reverse
 * gives the bytes back. */
static void expect_roundtrip(const void *p, size_t len)
{
	struct tr_buf b = { 0 };
	char *want = malloc(TR_BYTES_ESCAPED_MAX(len)), *back;
	size_t wantlen, backlen;
	json_error_t e;
	json_t *j;

	tr_json__str(&b, p, len);
	j = json_loadb(b.p, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	assert_non_null(j);
	assert_non_null(want);
	wantlen = tr_bytes__escape(want, p, len);
	assert_int_equal(json_string_length(j), wantlen);
	assert_memory_equal(json_string_value(j), want, wantlen);
	back = malloc(json_string_length(j) + 1);
	assert_non_null(back);
	assert_int_equal(tr_bytes__unescape(back, &backlen, json_string_value(j), json_string_length(j)), 0);
	assert_int_equal(backlen, len);
	assert_memory_equal(back, p, len);
	free(back);
	free(want);
	json_decref(j);
	tr_buf__free(&b);
}

static void test_json_escape(void **state)
{
	static const struct { const char *in; size_t len; const char *want; } cases[] = {
		{ "plain /usr/bin/ls", 17, "\"plain /usr/bin/ls\"" },
		{ "a\\b", 3, "\"a\\\\\\\\b\"" },			/* decoded: a\\b */
		{ "q\"t", 3, "\"q\\\"t\"" },
		{ "\xff", 1, "\"\\\\xff\"" },				/* decoded: \xff */
		{ "a\nb\tc\x01\x7f", 7, "\"a\\nb\\tc\\u0001\\u007f\"" },
		{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"" },		/* valid UTF-8 kept */
		{ "\xc3(", 2, "\"\\\\xc3(\"" },				/* truncated sequence */
		{ "\xed\xa0\x80", 3, "\"\\\\xed\\\\xa0\\\\x80\"" },	/* a surrogate is not UTF-8 */
		{ "\xc0\xaf", 2, "\"\\\\xc0\\\\xaf\"" },		/* overlong */
		{ "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"" },	/* 4-byte emoji */
		{ "z\0z", 3, "\"z\\u0000z\"" },
		{ "\\xff", 4, "\"\\\\\\\\xff\"" },			/* literal text \xff */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_json_str(cases[i].in, cases[i].len, cases[i].want);
		expect_roundtrip(cases[i].in, cases[i].len);
	}
	/* every byte value, in every position of a sequence */
	{
		uint8_t all[512];

		for (int i = 0; i < 256; i++)
			all[i] = (uint8_t)i, all[511 - i] = (uint8_t)i;
		expect_roundtrip(all, sizeof(all));
	}
	/* the decoded form for text columns (schema's, test_bytes.c), appended */
	{
		struct tr_buf b = { 0 };

		tr_buf__lit(&b, "v=");
		tr_text__bytes(&b, "a\\\xff\n", 4);
		assert_int_equal(b.err, 0);
		assert_int_equal(b.len, 10);
		assert_memory_equal(b.p, "v=a\\\\\\xff\n", 10);
		tr_buf__free(&b);
	}
}

static void expect_sockaddr(const void *p, size_t len, const char *want)
{
	struct tr_buf b = { 0 };

	tr_json__sockaddr(&b, p, len);
	tr_buf__putc(&b, '\0');
	assert_string_equal(b.p, want);
	tr_buf__free(&b);
}

static void test_json_values(void **state)
{
	const uint8_t in4[16] = { 2, 0, 0, 80, 1, 2, 3, 4 };
	const uint8_t in6[28] = { 10, 0, 0x01, 0xbb, 0, 0, 0, 5, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				  0, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0 };
	const uint8_t mapped[28] = { 10, 0, 0, 53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
				     10, 0, 0, 1, 0, 0, 0, 0 };
	const uint8_t un[] = { 1, 0, '/', 'r', 'u', 'n', '/', 's', 0, 'j', 'u', 'n', 'k' };
	const uint8_t abs[] = { 1, 0, 0, 'x', '\xff', 0, 0 };
	const uint8_t nl[] = { 16, 0, 1, 2 };
	struct tr_buf b = { 0 };

	expect_sockaddr(in4, sizeof(in4), "{\"sa_family\":\"AF_INET\",\"sin_port\":\"80\",\"sin_addr\":\"1.2.3.4\"}");
	expect_sockaddr(in4, 4, "{\"sa_family\":\"AF_INET\",\"sin_port\":\"80\"}");
	expect_sockaddr(in6, sizeof(in6),
			"{\"sa_family\":\"AF_INET6\",\"sin6_port\":\"443\",\"sin6_flowinfo\":\"5\","
			"\"sin6_addr\":\"2001:db8::1\",\"sin6_scope_id\":\"3\"}");
	expect_sockaddr(mapped, sizeof(mapped),
			"{\"sa_family\":\"AF_INET6\",\"sin6_port\":\"53\",\"sin6_flowinfo\":\"0\","
			"\"sin6_addr\":\"::ffff:10.0.0.1\",\"sin6_scope_id\":\"0\"}");
	expect_sockaddr(un, sizeof(un), "{\"sa_family\":\"AF_UNIX\",\"sun_path\":\"/run/s\"}");
	expect_sockaddr(abs, sizeof(abs), "{\"sa_family\":\"AF_UNIX\",\"sun_path\":\"@x\\\\xff\"}");
	expect_sockaddr(nl, sizeof(nl), "{\"sa_family\":\"16\"}");
	expect_sockaddr(nl, 1, "{}");

	/* RFC 5952: the longest zero run, the first of equal ones */
	{
		const uint8_t a[28] = { 10, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
		const uint8_t z[28] = { 10, 0 };

		expect_sockaddr(a, 24, "{\"sa_family\":\"AF_INET6\",\"sin6_port\":\"0\",\"sin6_flowinfo\":\"0\","
				       "\"sin6_addr\":\"2001:0:0:1::1\"}");
		expect_sockaddr(z, 24, "{\"sa_family\":\"AF_INET6\",\"sin6_port\":\"0\",\"sin6_flowinfo\":\"0\","
				       "\"sin6_addr\":\"::\"}");
	}
	tr_json__base64(&b, "ab", 2);
	tr_json__base64(&b, "abc", 3);
	tr_json__base64(&b, "abcd", 4);
	tr_json__base64(&b, "", 0);
	tr_json__i64(&b, INT64_MIN);
	tr_buf__putc(&b, '\0');
	assert_string_equal(b.p, "\"YWI=\"\"YWJj\"\"YWJjZA==\"\"\"-9223372036854775808");
	tr_buf__free(&b);
}

/* An event with hostile strings, through the whole pipeline. */
static void test_json_event(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	struct synth_task t = bash;
	struct synth_ev e;
	struct synth s;
	struct run r = { 0 };
	const char bad[] = "/tmp/\xff\\x\n";

	t.comm = "b\"sh";
	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_openat(&s, 0, 100, &t, bad, -13);
	/* argv cut short: the last element has no NUL */
	synth_ev_begin(&e, 0, 200, TR_EV_SCHED_PROCESS_EXEC, &t);
	synth_ev_str(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "cmdpath"), "/bin/sh");
	synth_ev_bytes(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "argv"), "sh\0-c\0ec", 8);
	synth_ev_arginfo(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "argv"), TR_ARGF_TRUNC, 9000);
	synth_ev_arginfo(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "cmdpath"), TR_ARGF_AT_EXIT, 0);
	synth_ev_end(&s, &e);
	synth_watermark(&s, 1000);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	{
		const char *want =
			"{\"timestamp\":1700000000000000100,\"threadStartTime\":1700000002003456789,"
			"\"processorId\":0,\"processId\":100,\"cgroupId\":1,\"threadId\":100,"
			"\"parentProcessId\":1,\"hostProcessId\":100,\"hostThreadId\":100,"
			"\"hostParentProcessId\":1,\"userId\":0,\"euid\":0,\"fsuid\":0,\"mountNamespace\":4026531841,"
			"\"pidNamespace\":4026531836,\"processName\":\"b\\\"sh\",\"executable\":{\"path\":\"\"},"
			"\"hostName\":\"synth-host\",\"containerId\":\"\",\"eventId\":\"257\","
			"\"eventName\":\"openat\",\"argsNum\":5,\"returnValue\":-13,\"syscall\":\"openat\","
			"\"threadEntityId\":3878726998,\"processEntityId\":3878726998,\"parentEntityId\":688905862,"
			"\"args\":[{\"name\":\"dirfd\",\"type\":\"int32\",\"value\":-100},"
			"{\"name\":\"pathname\",\"type\":\"string\",\"value\":\"/tmp/\\\\xff\\\\\\\\x\\n\"},"
			"{\"name\":\"flags\",\"type\":\"int32\",\"value\":0},"
			"{\"name\":\"mode\",\"type\":\"uint16\",\"value\":0},"
			"{\"name\":\"resolved_path\",\"type\":\"string\",\"value\":\"\"}]}\n";
		const char *nl = memchr(r.out.p, '\n', r.out.len);

		assert_non_null(nl);
		assert_int_equal((size_t)(nl - r.out.p) + 1, strlen(want));
		assert_memory_equal(r.out.p, want, strlen(want));
	}
	{
		/* every catalog argument, in catalog order: argv keeps its index
		 * whatever the record left out */
		json_t *j = line(&r, 1), *argv = json_object_get(json_array_get(json_object_get(j, "args"),
						synth_arg(TR_EV_SCHED_PROCESS_EXEC, "argv")), "value");

		assert_int_equal(json_integer_value(json_object_get(j, "argsNum")), 19);
		assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "args"), 6),
								     "value")), "");	/* interpreter_pathname, absent */
		assert_int_equal(json_array_size(argv), 3);
		assert_string_equal(json_string_value(json_array_get(argv, 2)), "ec");
		assert_string_equal(json_string_value(json_object_get(j, "syscall")), "");
		/* the argument-info trailer: cut short (and how long), read at exit */
		{
			json_t *a = json_array_get(json_object_get(j, "args"), synth_arg(TR_EV_SCHED_PROCESS_EXEC, "argv"));
			json_t *c = json_array_get(json_object_get(j, "args"), synth_arg(TR_EV_SCHED_PROCESS_EXEC, "cmdpath"));

			assert_true(json_is_true(json_object_get(a, "truncated")));
			assert_int_equal(json_integer_value(json_object_get(a, "length")), 9000);
			assert_null(json_object_get(a, "readAtExit"));
			assert_true(json_is_true(json_object_get(c, "readAtExit")));
			assert_null(json_object_get(c, "truncated"));
		}
		json_decref(j);
	}
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* ---- signature ---- */

static void test_path_resolve(void **state)
{
	static const struct { const char *cwd, *path, *want; } cases[] = {
		{ NULL, "/usr/bin/ls", "/usr/bin/ls" },
		{ NULL, "//usr///bin/./ls", "/usr/bin/ls" },
		{ NULL, "/usr/../tmp/x", "/tmp/x" },
		{ NULL, "/../../tmp/./x/", "/tmp/x" },
		{ "/tmp", "./x", "/tmp/x" },
		{ "/home/u", "../../tmp/y", "/tmp/y" },
		{ "/", "..", "/" },
		{ "/a/b", "c/../../d", "/a/d" },
	};
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = tr_path__resolve(cases[i].cwd, cases[i].cwd ? strlen(cases[i].cwd) : 0, cases[i].path,
					 strlen(cases[i].path), out, sizeof(out));

		assert_true(n > 0);
		assert_string_equal(out, cases[i].want);
		assert_int_equal((size_t)n, strlen(cases[i].want));
	}
	assert_int_equal(tr_path__resolve(NULL, 0, "x", 1, out, sizeof(out)), -EINVAL);
	assert_int_equal(tr_path__resolve("rel", 3, "x", 1, out, sizeof(out)), -EINVAL);
	assert_int_equal(tr_path__resolve("/a", 2, "bbbb", 4, out, 5), -ENAMETOOLONG);
}

static void test_signature_exec_tmp(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv[] = { "x", NULL };
	struct synth_task t = bash, in_tmp = { .pid = 500, .ppid = 1, .start_ns = 8000000000ULL,
					       .parent_start_ns = 10000000, .comm = "sh" };
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_proc(&s, 1, 500, 1, in_tmp.start_ns, "sh", "/bin/sh", "/tmp", NULL);
	synth_exec(&s, 0, 100, &t, "/usr/bin/ls", argv, 100);		/* no */
	synth_exec(&s, 0, 200, &t, "/tmp/payload", argv, 100);		/* yes */
	synth_exec(&s, 0, 300, &t, "/tmpfoo/x", argv, 100);		/* no */
	synth_exec(&s, 0, 400, &t, "/usr/../dev/shm/.x", argv, 100);	/* yes */
	synth_exec(&s, 0, 500, &in_tmp, "./run.sh", argv, 500);		/* yes: cwd /tmp */
	synth_exec(&s, 0, 600, &t, "/var/tmp", argv, 100);		/* no: the dir itself */
	synth_exec(&s, 0, 700, &t, "//var//tmp/./y", argv, 100);	/* yes */
	synth_openat(&s, 0, 800, &t, "/tmp/not-an-exec", 3);		/* no: not selected */
	synth_watermark(&s, 1000);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 1, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nfindings, 4);
	assert_string_equal(r.finding_path[0], "/tmp/payload");
	assert_int_equal(r.finding_ordinal[0], 2);
	assert_string_equal(r.finding_path[1], "/dev/shm/.x");
	assert_string_equal(r.finding_path[2], "/tmp/run.sh");
	assert_string_equal(r.finding_path[3], "/var/tmp/y");
	/* the finding line follows its event's line */
	{
		json_t *j = line(&r, 2), *md, *trig;

		assert_string_equal(json_string_value(json_object_get(j, "eventName")), "exec_from_temp_dir");
		assert_string_equal(json_string_value(json_object_get(j, "eventId")), "6001");
		md = json_object_get(j, "metadata");
		assert_string_equal(json_string_value(json_object_get(json_object_get(md, "Properties"), "signatureID")),
				    "TRR-1001");
		assert_string_equal(json_string_value(json_object_get(json_object_get(md, "Properties"), "external_id")),
				    "T1105");
		assert_int_equal(json_integer_value(json_object_get(json_object_get(md, "process"), "hostProcessId")), 100);
		trig = json_object_get(json_array_get(json_object_get(j, "args"), 3), "value");
		assert_int_equal(json_integer_value(json_object_get(trig, "ordinal")), 2);
		assert_string_equal(json_string_value(json_object_get(trig, "segment")), "events/seg-000000.zst");
		assert_int_equal(json_integer_value(json_object_get(trig, "recordIndex")), 2);
		assert_int_equal(json_integer_value(json_object_get(trig, "frameOffset")), 0);
		json_decref(j);
	}
	run_free(&r);

	/* without signatures, no findings */
	memset(&r, 0, sizeof(r));
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.nfindings, 0);
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* ---- working directory ---- */

/* The JSON executable.path of line i. */
static void expect_exe(const struct run *r, size_t i, const char *event, const char *want)
{
	json_t *j = line(r, i);

	assert_string_equal(json_string_value(json_object_get(j, "eventName")), event);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "executable"), "path")), want);
	json_decref(j);
}

static void check_cd_tmp(const struct tr_proctree *t)
{
	const struct tr_proc_node *sh = tr_proctree__find(t, 300, 0), *x = tr_proctree__find(t, 301, 0);

	assert_non_null(sh);
	assert_non_null(x);
	assert_string_equal(sh->cwd.p, "/tmp");
	assert_string_equal(x->cwd.p, "/tmp");
	assert_string_equal(x->exe.p, "/tmp/x");
	assert_ptr_equal(tr_proctree__parent(t, x), sh);
	/* the parent stays where it was */
	assert_string_equal(tr_proctree__parent(t, sh)->cwd.p, "/home/u");
}

/* sh -c 'cd /tmp && ./x' from a shell in /home/u: the sh forks, moves to
 * /tmp, forks and execs ./x, which is /tmp/x, not /home/u/x. */
static void test_chdir_cd_tmp(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv_x[] = { "./x", NULL };
	struct synth_task sh = { .pid = 300, .ppid = 100, .start_ns = 5000000000ULL,
				 .parent_start_ns = bash.start_ns, .comm = "sh" };
	struct synth_task x = { .pid = 301, .ppid = 300, .start_ns = 5000000200ULL,
				.parent_start_ns = sh.start_ns, .comm = "sh" };
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_proc(&s, 1000, 100, 1, bash.start_ns, "bash", "/usr/bin/bash", "/home/u", NULL);
	synth_fork(&s, 0, 5000000000ULL, &bash, 300, 300, sh.start_ns);
	synth_chdir(&s, 1, 5000000100ULL, &sh, "/nope", -2);	/* failed: stays */
	synth_chdir(&s, 1, 5000000110ULL, &sh, "/tmp", 0);
	synth_fork(&s, 1, 5000000200ULL, &sh, 301, 301, x.start_ns);
	synth_exec(&s, 2, 5000000300ULL, &x, "./x", argv_x, 301);
	synth_watermark(&s, 6000000000ULL);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 1, &r, check_cd_tmp);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diaglen, 0);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(r.finding_path[0], "/tmp/x");
	assert_int_equal(r.finding_ordinal[0], 5);
	expect_exe(&r, 4, "sched_process_exec", "/tmp/x");
	{
		json_t *j = line(&r, 2), *arg = json_array_get(json_object_get(j, "args"), 0);

		assert_string_equal(json_string_value(json_object_get(j, "eventName")), "chdir");
		assert_string_equal(json_string_value(json_object_get(j, "syscall")), "chdir");
		assert_string_equal(json_string_value(json_object_get(arg, "name")), "path");
		assert_string_equal(json_string_value(json_object_get(arg, "value")), "/tmp");
		json_decref(j);
	}
	{
		json_t *j = line(&r, 5);

		assert_string_equal(json_string_value(json_object_get(j, "eventName")), "exec_from_temp_dir");
		assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "args"), 1),
								      "value")), "./x");
		json_decref(j);
	}
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

static void check_overlap(const struct tr_proctree *t)
{
	const struct tr_proc_node *sh = tr_proctree__find(t, 300, 0), *x = tr_proctree__find(t, 301, 0);
	const struct tr_proc_node *early = tr_proctree__find(t, 302, 0);

	assert_non_null(sh);
	assert_non_null(x);
	assert_non_null(early);
	assert_string_equal(sh->cwd.p, "/home/u/sub/deeper");
	assert_string_equal(x->exe.p, "/home/u/sub/x");
	/* forked before the snapshot read the parent's cwd: where the parent
	 * was at the fork is not known, so neither is the child's cwd */
	assert_null(early->cwd.p);
	assert_string_equal(early->exe.p, "./y");
}

/* Probes attach before the /proc snapshot: a chdir stamped before it is
 * already in the snapshot's cwd and must not be applied again. */
static void test_chdir_snapshot_overlap(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv[] = { "x", NULL };
	struct synth_task sh = { .pid = 300, .ppid = 1, .start_ns = 1000000000ULL,
				 .parent_start_ns = 10000000, .comm = "sh" };
	struct synth_task x = { .pid = 301, .ppid = 300, .start_ns = 4000000000ULL,
				.parent_start_ns = sh.start_ns, .comm = "sh" };
	struct synth_task early = { .pid = 302, .ppid = 300, .start_ns = 2950000000ULL,
				    .parent_start_ns = sh.start_ns, .comm = "sh" };
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_proc(&s, 3000000000ULL, 300, 1, sh.start_ns, "sh", "/bin/sh", "/home/u/sub", NULL);
	synth_chdir(&s, 0, 2900000000ULL, &sh, "sub", 0);	/* from /home/u, before the snapshot */
	synth_fork(&s, 0, 2950000000ULL, &sh, 302, 302, early.start_ns);
	synth_exec(&s, 1, 2960000000ULL, &early, "./y", argv, 302);
	/* the snapshot's cwd is known from its time on, not before */
	synth_exec(&s, 0, 2970000000ULL, &sh, "./z", argv, 300);
	synth_fork(&s, 0, 4000000000ULL, &sh, 301, 301, x.start_ns);
	synth_exec(&s, 1, 4000000100ULL, &x, "./x", argv, 301);
	synth_chdir(&s, 0, 5000000000ULL, &sh, "deeper", 0);	/* after: applied once */
	synth_chdir(&s, 0, 5000000001ULL, &sh, "../deeper//./", 0);
	synth_watermark(&s, 6000000000ULL);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 1, &r, check_overlap);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 8);
	assert_int_equal(r.nfindings, 0);
	expect_exe(&r, 2, "sched_process_exec", "./y");
	expect_exe(&r, 3, "sched_process_exec", "./z");
	expect_exe(&r, 5, "sched_process_exec", "/home/u/sub/x");
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* A state record of kind (schema/state.h) with its fixed part from head
 * (head bytes, record header included) and no arguments. */
static void synth_state(struct synth *s, uint64_t ts, const void *head, size_t len)
{
	_Alignas(8) uint8_t buf[256];

	memcpy(buf, head, len);
	((struct tr_rec_hdr *)buf)->cpu = TR_CPU_NONE;
	((struct tr_rec_hdr *)buf)->size = (uint32_t)len;
	((struct tr_rec_hdr *)buf)->ts = ts;
	assert_int_equal(synth_append(s, buf), 0);
}

static void check_sh_once(const struct tr_proctree *t)
{
	const struct tr_proc_node *sh = tr_proctree__find(t, 300, 0);

	assert_int_equal(tr_proctree__count(t), 2);	/* sh and its child, sh once */
	assert_non_null(sh);
	assert_int_equal(sh->source, TR_PSRC_SNAPSHOT);
	assert_string_equal(sh->exe.p, "/home/u/a");	/* the exec event's, not the checkpoint's */
	assert_string_equal(sh->cwd.p, "/home/u");
	assert_int_equal(sh->cwd_ns, 1000);		/* known since the first snapshot */
}

/* Every segment opens with a checkpoint that restates the processes
 * (FORMAT.md 4.4): a process already known is updated, not duplicated; an
 * exec seen in the stream keeps its path; a cwd that did not change keeps
 * serving events stamped before the checkpoint that come after it in the
 * file. The other state records pass without a word. */
static void test_checkpoint_restates(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv[] = { "x", NULL };
	struct synth_task sh = { .pid = 300, .ppid = 1, .start_ns = 1000000000ULL,
				 .parent_start_ns = 10000000, .comm = "sh" };
	struct synth_task child = { .pid = 301, .ppid = 300, .start_ns = 2900000000ULL,
				    .parent_start_ns = 1000000000ULL, .comm = "sh" };
	struct tr_checkpoint begin = { .h.kind = TR_REC_CHECKPOINT, .phase = TR_CHECKPOINT_BEGIN,
				       .reason = TR_CHECKPOINT_START };
	struct tr_checkpoint end = { .h.kind = TR_REC_CHECKPOINT, .phase = TR_CHECKPOINT_END,
				     .reason = TR_CHECKPOINT_START, .records = 2 };
	struct tr_fd fd = { .h.kind = TR_REC_FD, .host_pid = 300, .fd = 0, .start_ns = 1000000000ULL,
			    .kind = TR_FD_CHR };
	struct tr_clock clk = { .h.kind = TR_REC_CLOCK, .reason = TR_CLOCK_SEGMENT };
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_state(&s, 1000, &begin, sizeof(begin));
	synth_proc(&s, 1000, 300, 1, sh.start_ns, "sh", "/bin/sh", "/home/u", NULL);
	synth_state(&s, 1000, &fd, sizeof(fd));
	synth_state(&s, 1000, &end, sizeof(end));
	synth_exec(&s, 0, 2000000000ULL, &sh, "./a", argv, 300);
	synth_watermark(&s, 2500000000ULL);
	assert_int_equal(synth_rotate(&s), 0);
	begin.id = end.id = 1;
	begin.segment = end.segment = 1;
	begin.reason = end.reason = TR_CHECKPOINT_ROTATION;
	end.records = 3;
	synth_state(&s, 3000000000ULL, &begin, sizeof(begin));
	synth_state(&s, 3000000000ULL, &clk, sizeof(clk));
	synth_proc(&s, 3000000000ULL, 300, 1, sh.start_ns, "sh2", "/usr/bin/dash", "/home/u", NULL);
	synth_state(&s, 3000000000ULL, &fd, sizeof(fd));
	synth_state(&s, 3000000000ULL, &end, sizeof(end));
	/* stamped before the checkpoint, in the file after it: the child
	 * inherits the cwd the checkpoint confirmed */
	synth_fork(&s, 0, 2900000000ULL, &sh, 301, 301, child.start_ns);
	synth_exec(&s, 1, 2950000000ULL, &child, "./b", argv, 301);
	synth_openat(&s, 0, 3500000000ULL, &sh, "/etc/hosts", 3);
	synth_watermark(&s, 4000000000ULL);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 0, &r, check_sh_once);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diaglen, 0);
	assert_int_equal(r.stats.procs, 2);
	assert_int_equal(r.stats.state, 7);
	assert_int_equal(r.stats.skipped, 0);
	assert_int_equal(r.nodes, 2);
	assert_int_equal(r.n, 4);
	expect_exe(&r, 0, "sched_process_exec", "/home/u/a");
	expect_exe(&r, 2, "sched_process_exec", "/home/u/b");
	expect_exe(&r, 3, "openat", "/home/u/a");	/* the exec's path, not /proc's */
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* A record kind newer than the reader is skipped with one warning naming
 * it, however often it comes; a malformed state record is reported and
 * skipped; neither stops the events around them. */
static void test_unknown_and_bad_state_kinds(void **state)
{
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *out = open_memstream(&buf, &len);
	struct tr_diag d = { .prog = "tracee-replay", .out = out };
	struct tr_engine_opts eo = { .diag = &d, .dir = "REC", .sink = { .event = count_event, .ctx = &n } };
	struct tr_src src = { .segment = "events/seg-000001.zst", .frame_offset = 40 };
	_Alignas(8) uint8_t newer[40] = { 0 };
	struct tr_fd bad = { .h = { .kind = TR_REC_FD, .cpu = TR_CPU_NONE, .size = sizeof(bad), .ts = 5 },
			     .kind = 0 };
	struct tr_engine *e;
	struct synth_ev ev;

	assert_non_null(out);
	assert_int_equal(tr_engine__new(&e, &eo), 0);
	*(struct tr_rec_hdr *)newer = (struct tr_rec_hdr){ .kind = TR_REC_KIND_MAX + 7, .size = sizeof(newer), .ts = 3 };
	for (uint32_t i = 0; i < 3; i++) {
		src.index = i;
		assert_int_equal(tr_engine__push(e, (struct tr_rec_hdr *)newer, &src), 0);
	}
	src.index = 3;
	assert_int_equal(tr_engine__push(e, &bad.h, &src), 0);
	synth_ev_begin(&ev, 0, 1000, TR_EV_OPENAT, &bash);
	synth_ev_u32(&ev, 0, (uint32_t)-100);
	synth_ev_str(&ev, 1, "/etc/hosts");
	ev.ev.h.size = (uint32_t)ev.off;
	src.index = 4;
	assert_int_equal(tr_engine__push(e, &ev.ev.h, &src), 0);
	assert_int_equal(tr_engine__finish(e), 0);
	assert_int_equal(tr_engine__stats(e)->unknown, 3);
	assert_int_equal(tr_engine__stats(e)->skipped, 1);
	assert_int_equal(tr_engine__stats(e)->state, 0);
	tr_engine__free(e);
	fclose(out);
	assert_int_equal(n, 1);
	assert_int_equal(count_str(buf, "is newer than this reader"), 1);
	{
		char want[160];

		snprintf(want, sizeof(want), "tracee-replay: warning: REC/events/seg-000001.zst: offset 40: record 0: "
			 "record kind %u is newer than this reader", TR_REC_KIND_MAX + 7);
		assert_non_null(strstr(buf, want));
	}
	assert_non_null(strstr(buf, "record 3: fd record: offset 76: fd kind 0 unknown; skipped"));
	free(buf);
}

/* A process whose cwd is unknown (no snapshot, no parent known) keeps
 * relative paths relative: a guessed absolute path would name the wrong
 * file in the evidence, and claim a temp dir it cannot know. */
static void test_chdir_unknown_cwd(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv[] = { "x", NULL };
	struct synth_task w = { .pid = 700, .ppid = 1, .start_ns = 7000000000ULL, .parent_start_ns = 10000000,
				.comm = "w" };
	struct synth s;
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_exec(&s, 0, 7000000100ULL, &w, "./x", argv, 700);	/* unknown */
	synth_chdir(&s, 0, 7000000200ULL, &w, "tmp", 0);		/* relative to the unknown */
	synth_exec(&s, 0, 7000000300ULL, &w, "./x", argv, 700);	/* still unknown */
	synth_chdir(&s, 0, 7000000400ULL, &w, "/tmp", 0);		/* now known */
	synth_exec(&s, 0, 7000000500ULL, &w, "./y", argv, 700);
	synth_chdir(&s, 0, 7000000600ULL, &w, NULL, 0);		/* moved, path not read */
	synth_exec(&s, 0, 7000000700ULL, &w, "./z", argv, 700);
	synth_watermark(&s, 8000000000ULL);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 1, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(r.finding_path[0], "/tmp/y");
	expect_exe(&r, 0, "sched_process_exec", "./x");
	expect_exe(&r, 2, "sched_process_exec", "./x");
	expect_exe(&r, 4, "sched_process_exec", "/tmp/y");
	expect_exe(&r, 7, "sched_process_exec", "./z");
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* ---- damage, manifests ---- */

static void build_basic(const char *dir, enum tr_rec_state state, int manifest)
{
	const char *const argv[] = { "x", NULL };
	struct synth_task t = bash;
	struct synth s;

	assert_int_equal(synth_open(&s, dir, 256), 0);	/* small frames */
	for (int round = 0; round < 6; round++) {
		for (int i = 0; i < 4; i++)
			synth_openat(&s, (uint16_t)(i & 1), (uint64_t)round * 1000 + (uint64_t)i * 10, &t, "/etc/hosts", 3);
		synth_exec(&s, 1, (uint64_t)round * 1000 + 500, &t, "/tmp/x", argv, 100);
		synth_watermark(&s, (uint64_t)round * 1000 + 900);
		synth_flush(&s);
		if (round == 2)
			synth_rotate(&s);
	}
	assert_int_equal(synth_close(&s, state, manifest), 0);
}

static void test_damaged_frame(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], seg[PATH_MAX + 32];
	struct run clean = { 0 }, r = { 0 };
	FILE *f;
	long size;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	build_basic(dir, TR_STATE_COMPLETE, 1);
	replay_dir(dir, 0, &clean, NULL);
	assert_int_equal(clean.rc, 0);
	assert_int_equal(clean.n, 30);
	assert_int_equal(clean.diaglen, 0);

	/* flip a byte in the middle of the first segment */
	snprintf(seg, sizeof(seg), "%s/events/seg-000000.zst", dir);
	f = fopen(seg, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size / 2, SEEK_SET);
	{
		int c = fgetc(f);

		fseek(f, size / 2, SEEK_SET);
		fputc(c ^ 0x55, f);
	}
	fclose(f);
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(r.n < 30);
	assert_true(r.n >= 20);	/* one frame lost, not the rest */
	assert_non_null(strstr(r.diag, "tracee-replay: warning: "));
	assert_non_null(strstr(r.diag, "/events/seg-000000.zst: offset "));
	assert_non_null(strstr(r.diag, "damaged frame"));
	run_free(&clean);
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

static void test_interrupted(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	struct run r = { 0 };

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	build_basic(dir, TR_STATE_RECORDING, 1);	/* lists only the first segment */
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 30);	/* the second segment is read too */
	assert_non_null(strstr(r.diag, "recording was interrupted"));
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

static void test_no_manifest(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], path[PATH_MAX + 32];
	struct run r = { 0 };
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	build_basic(dir, TR_STATE_COMPLETE, 0);
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 30);
	assert_non_null(strstr(r.diag, "manifest.json: cannot open"));
	assert_non_null(strstr(r.diag, "built-in catalog"));
	/* no manifest: no wall clock offset, no host name */
	{
		json_t *j = line(&r, 0);

		assert_int_equal(json_integer_value(json_object_get(j, "timestamp")), 0);
		assert_string_equal(json_string_value(json_object_get(j, "hostName")), "");
		json_decref(j);
	}
	run_free(&r);

	/* a corrupt one */
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"format\": \"tracee-recording\",", f);
	fclose(f);
	memset(&r, 0, sizeof(r));
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 30);
	assert_non_null(strstr(r.diag, "manifest.json:"));
	run_free(&r);

	/* not a recording at all */
	memset(&r, 0, sizeof(r));
	replay_dir(tmp, 0, &r, NULL);
	assert_int_equal(r.rc, -ENOENT);
	assert_non_null(strstr(r.diag, "not a recording"));
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

static void touch(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static void rename_seg(const char *dir, const char *from, const char *to)
{
	char a[PATH_MAX + 64], b[PATH_MAX + 64];

	snprintf(a, sizeof(a), "%s/events/%s", dir, from);
	snprintf(b, sizeof(b), "%s/events/%s", dir, to);
	assert_int_equal(rename(a, b), 0);
}

/* Segments are read in the order of their numbers (seg-1000000 after
 * seg-999999); what is not a segment name, or not a regular file, is
 * reported and left alone, and a FIFO never blocks the replay. */
static void test_segment_listing(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], path[PATH_MAX + 64], err[1024], *buf = NULL;
	static const char *const want[] = { "events/seg-0000002.zst", "events/seg-2.zst",
					     "events/seg-999999.zst", "events/seg-1000000.zst" };
	struct tr_recording *rec;
	struct tr_diag d = { .prog = "tracee-replay" };
	const struct tr_rec_hdr *h;
	struct tr_src src;
	struct run r = { 0 };
	struct synth s;
	size_t len = 0;
	int rc;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_openat(&s, 0, 100, &bash, "/first", 3);
	synth_watermark(&s, 500);
	synth_rotate(&s);
	synth_openat(&s, 0, 50, &bash, "/second", 3);	/* late, if read second */
	synth_watermark(&s, 1000);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 0), 0);
	rename_seg(dir, "seg-000000.zst", "seg-999999.zst");
	rename_seg(dir, "seg-000001.zst", "seg-1000000.zst");
	touch(dir, "seg-2.zst");
	touch(dir, "seg-0000002.zst");		/* the same number: by name */
	touch(dir, "notes.txt");
	touch(dir, "seg-\x1b[2J.zst");
	snprintf(path, sizeof(path), "%s/events/seg-000010.zst", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/events/seg-000011.zst", dir);
	assert_int_equal(mkdir(path, 0700), 0);

	d.out = open_memstream(&buf, &len);
	assert_non_null(d.out);
	assert_int_equal(tr_recording__open(&rec, dir, &d, err, sizeof(err)), 0);
	fclose(d.out);
	assert_int_equal(rec->nsegs, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(rec->seg_names[i], want[i]);
	assert_non_null(strstr(buf, "/events/notes.txt: not a segment name (seg-NNNNNN.zst); ignored"));
	assert_non_null(strstr(buf, "/events/seg-\\x1b[2J.zst: not a segment name"));
	assert_non_null(strstr(buf, "/events/seg-000010.zst: not a regular file; skipped"));
	assert_non_null(strstr(buf, "/events/seg-000011.zst: not a regular file; skipped"));
	assert_null(memchr(buf, '\x1b', len));
	free(buf);
	buf = NULL;

	/* a segment replaced by a FIFO after the listing: the reader turns it
	 * away at once (alarm: a hang fails the test instead of stalling) */
	snprintf(path, sizeof(path), "%s/events/seg-2.zst", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	d.out = open_memstream(&buf, &len);
	assert_non_null(d.out);
	alarm(20);
	while ((rc = tr_recording__next(rec, &h, &src, err, sizeof(err))) > 0)
		;
	alarm(0);
	fclose(d.out);
	assert_int_equal(rc, 0);
	assert_int_equal(rec->stats.records, 4);
	assert_int_equal(rec->stats.segments_unreadable, 3);
	assert_non_null(strstr(buf, "/events/seg-2.zst: not a regular file; skipped"));
	free(buf);
	tr_recording__close(rec);

	/* the whole replay: seg-999999's records come first, so seg-1000000's
	 * one, stamped before seg-999999's watermark, comes late */
	alarm(20);
	replay_dir(dir, 0, &r, NULL);
	alarm(0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ts[0], 100);
	assert_int_equal(r.ts[1], 50);
	assert_int_equal(r.stats.late, 1);
	assert_non_null(strstr(r.diag, "3 segments could not be opened"));
	run_free(&r);
	synth_remove(tmp);
	free(tmp);
}

/* Strings from a manifest are quoted escaped in messages: a manifest
 * cannot send the terminal escape sequences. */
static void test_manifest_escapes(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], path[PATH_MAX + 32], *text;
	struct run r = { 0 };
	FILE *f;
	long size;
	char *at;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	build_basic(dir, TR_STATE_COMPLETE, 1);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 64);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	at = strstr(text, "\"state\": \"complete\"");
	assert_non_null(at);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%.*s\"state\": \"\\u001b]0;owned\\u0007\\u009b2J\"%s", (int)(at - text), text,
		at + strlen("\"state\": \"complete\""));
	fclose(f);
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.diag, "state: \"\\x1b]0;owned\\x07\\xc2\\x9b2J\", expected"));
	assert_null(memchr(r.diag, '\x1b', r.diaglen));
	assert_null(memchr(r.diag, '\x07', r.diaglen));
	assert_null(strstr(r.diag, "\xc2\x9b"));
	run_free(&r);

	/* a syntax error: jansson quotes the bytes near it */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"format\": \x1b[2J", f);
	fclose(f);
	memset(&r, 0, sizeof(r));
	replay_dir(dir, 0, &r, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.diag, "manifest.json:1:"));
	assert_null(memchr(r.diag, '\x1b', r.diaglen));
	run_free(&r);
	free(text);
	synth_remove(tmp);
	free(tmp);
}

/* ---- hostile input ---- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Records with valid heads and random bodies (what a frame that passed its
 * checksum but was written by a buggy or hostile recorder holds): replay
 * must report and go on, never crash, and stay deterministic. */
static void test_hostile_records(void **state)
{
	static const uint32_t ids[] = { 42, 59, 80, 257, 1002, 1003, 1004, 9001, 7 };
	const uint64_t nids = sizeof(ids) / sizeof(ids[0]);
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	struct run r1 = { 0 }, r2 = { 0 };
	struct synth s;
	union {
		struct tr_rec_hdr h;
		struct tr_event ev;
		struct tr_proc p;
		uint8_t b[1024];
	} u;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 4096), 0);
	for (int i = 0; i < 3000; i++) {
		/* sizes the segment layer accepts for each kind */
		static const uint32_t min[TR_REC_KIND_MAX + 1] = {
			[TR_REC_EVENT] = sizeof(struct tr_event), [TR_REC_RETVAL] = sizeof(struct tr_retval),
			[TR_REC_PROC] = sizeof(struct tr_proc), [TR_REC_GAP] = sizeof(struct tr_gap),
			[TR_REC_WATERMARK] = 24, [TR_REC_PACKET_GAP] = sizeof(struct tr_packet_gap),
			[TR_REC_ARTIFACT] = sizeof(struct tr_artifact),
		};
		uint16_t kind = (uint16_t)(1 + rnd() % TR_REC_KIND_MAX);
		const struct tr_state_def *sd = tr_state__def(kind);
		uint32_t head = sd ? sd->head : min[kind];
		uint32_t size = kind == TR_REC_EVENT || kind == TR_REC_PROC || kind == TR_REC_ARTIFACT || (sd && !sd->exact)
				? (uint32_t)(head + rnd() % (sizeof(u) - head)) : head;

		for (size_t j = 0; j < sizeof(u); j++)
			u.b[j] = (uint8_t)rnd();
		u.h.kind = kind;
		u.h.cpu = (uint16_t)(rnd() % 4);
		u.h.size = size;
		u.h.ts = 1000 + rnd() % 100000;
		if (kind == TR_REC_EVENT) {
			u.ev.event_id = ids[rnd() % nids];
			u.ev.nargs = (uint16_t)(rnd() % 14);
			u.ev.flags = (uint16_t)(rnd() % 3 == 0);
			u.ev.host_pid = (uint32_t)(rnd() % 8);
			u.ev.host_tid = u.ev.host_pid + (uint32_t)(rnd() % 2);
			u.ev.start_ns = rnd() % 4 * 10000000;
		}
		if (kind == TR_REC_PROC) {
			u.p.flags = 0;
			u.p.reserved = 0;
			u.p.nargs = (uint16_t)(rnd() % 5);
			u.h.cpu = TR_CPU_NONE;
		}
		if (sd) {
			/* mostly nonsense; now and then a valid head */
			u.h.cpu = TR_CPU_NONE;
			if (rnd() % 2)
				memset(u.b + sizeof(u.h), 0, head - sizeof(u.h));
		}
		if (kind == TR_REC_RETVAL) {
			((struct tr_retval *)&u)->event_id = ids[rnd() % nids];
			((struct tr_retval *)&u)->host_tid = (uint32_t)(rnd() % 9);
		}
		assert_int_equal(synth_append(&s, &u), 0);
	}
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
	replay_dir(dir, 1, &r1, NULL);
	replay_dir(dir, 1, &r2, NULL);
	assert_int_equal(r1.rc, 0);
	assert_true(r1.stats.skipped > 0);	/* most were nonsense, and said so */
	assert_int_equal(r1.out.len, r2.out.len);
	assert_memory_equal(r1.out.p, r2.out.p, r1.out.len);
	/* whatever came out is JSON (random ids exceed jansson's int64, hence
	 * reals) */
	{
		const char *p = r1.out.p, *end = r1.out.p + r1.out.len;
		size_t n = 0;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			json_error_t je;
			json_t *j;

			assert_non_null(nl);
			j = json_loadb(p, (size_t)(nl - p), JSON_DECODE_INT_AS_REAL, &je);
			if (!j)
				fail_msg("line %zu is not JSON: %s", n, je.text);
			json_decref(j);
			p = nl + 1;
			n++;
		}
		assert_true(n > 0);
	}
	run_free(&r1);
	run_free(&r2);
	synth_remove(tmp);
	free(tmp);
}

/* A copy of the built-in catalog to retype (free with free()). */
static struct tr_event_def *catalog_copy(struct tr_catalog *c)
{
	const struct tr_catalog *b = tr_catalog__builtin();
	struct tr_event_def *ev = malloc(b->n * sizeof(*ev));

	assert_non_null(ev);
	memcpy(ev, b->events, b->n * sizeof(*ev));
	c->n = b->n;
	c->events = ev;
	return ev;
}

static struct tr_event_def *catalog_event(struct tr_event_def *ev, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ev[i].id == id)
			return &ev[i];
	fail_msg("event %u not in the catalog", id);
	return NULL;
}

static void check_retyped(const struct tr_proctree *t)
{
	const struct tr_proc_node *b = tr_proctree__find(t, 100, 0);

	/* bash only: no node from a child_pid that is a string */
	assert_int_equal(tr_proctree__count(t), 1);
	assert_non_null(b);
	/* cmdpath as a number changes nothing */
	assert_string_equal(b->exe.p, "/usr/bin/bash");
	assert_int_equal(b->nexec, 1);
}

/* A hostile catalog in the manifest that retypes arguments replay reads:
 * the bytes of a string must not be read as a pid (a heap address in the
 * process table), nor a number as a path. Reported once, at the start;
 * names from the catalog are shown escaped. */
static void test_retyped_catalog(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];
	const char *const argv[] = { "x", NULL };
	struct tr_catalog cat;
	struct tr_event_def *ev = catalog_copy(&cat), *fork, *exec, *lost;
	struct run r1 = { 0 }, r2 = { 0 };
	struct synth_ev e;
	struct synth s;

	fork = catalog_event(ev, cat.n, TR_EV_SCHED_PROCESS_FORK);
	fork->name = "sched_process_fork\x1b[31m";
	fork->args[synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_pid")].wire = TR_T_STR;
	exec = catalog_event(ev, cat.n, TR_EV_SCHED_PROCESS_EXEC);
	exec->args[synth_arg(TR_EV_SCHED_PROCESS_EXEC, "cmdpath")].wire = TR_T_UINT64;
	lost = catalog_event(ev, cat.n, TR_EV_LOST_EVENTS);
	lost->args[0].wire = TR_T_STR;		/* cpu: replay falls back to its own */

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	s.catalog = &cat;
	synth_proc(&s, 1000, 100, 1, bash.start_ns, "bash", "/usr/bin/bash", "/tmp", NULL);
	for (int k = 0; k < 2; k++) {
		synth_ev_begin(&e, 0, 5000000000ULL + (uint64_t)k, TR_EV_SCHED_PROCESS_FORK, &bash);
		for (uint8_t i = 0; i < 4; i++)
			synth_ev_u32(&e, i, 100);
		synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_tid"), 12345);
		synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_ns_tid"), 12345);
		synth_ev_str(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_pid"), "12345");
		synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_ns_pid"), 12345);
		synth_ev_u64(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "start_time"), 5000000000ULL);
		synth_ev_end(&s, &e);
	}
	synth_ev_begin(&e, 0, 5000000010ULL, TR_EV_SCHED_PROCESS_EXEC, &bash);
	synth_ev_u64(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "cmdpath"), 0x2f746d702f78ULL);
	synth_ev_argv(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "argv"), argv);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "old_pid"), 100);
	synth_ev_end(&s, &e);
	synth_ev_begin(&e, 0, 5000000020ULL, TR_EV_SCHED_PROCESS_FORK, &bash);	/* says 2, has 1 */
	synth_ev_u32(&e, 0, 100);
	e.ev.nargs = 2;
	synth_ev_end(&s, &e);
	synth_gap(&s, 3, 5000000030ULL, 4);
	synth_watermark(&s, 6000000000ULL);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);

	replay_dir(dir, 1, &r1, check_retyped);
	replay_dir(dir, 1, &r2, NULL);
	assert_int_equal(r1.rc, 0);
	assert_int_equal(r1.n, 4);
	assert_int_equal(r1.nfindings, 0);
	assert_int_equal(count_str(r1.diag, "catalog: event 714 (sched_process_fork\\x1b[31m): argument child_pid "
					    "is STR where replay reads an integer"), 1);
	assert_int_equal(count_str(r1.diag, "catalog: event 715 (sched_process_exec): argument cmdpath is UINT64 "
					    "where replay reads STR"), 1);
	assert_non_null(strstr(r1.diag, "/manifest.json: catalog: event 714"));
	assert_non_null(strstr(r1.diag, "record 4: event 714 (sched_process_fork\\x1b[31m): "));
	assert_null(memchr(r1.diag, '\x1b', r1.diaglen));
	/* the output shows the value as the catalog says, a string */
	{
		json_t *j = line(&r1, 0), *a = json_array_get(json_object_get(j, "args"), 7);

		/* args: 4 parents' ids, parent_start_time, child_tid, child_ns_tid, child_pid */

		assert_string_equal(json_string_value(json_object_get(a, "name")), "child_pid");
		assert_string_equal(json_string_value(json_object_get(a, "value")), "12345");
		json_decref(j);
		j = line(&r1, 3);
		a = json_array_get(json_object_get(j, "args"), 0);
		assert_string_equal(json_string_value(json_object_get(j, "eventName")), "lost_events");
		assert_string_equal(json_string_value(json_object_get(a, "name")), "cpu");
		assert_int_equal(json_integer_value(json_object_get(a, "value")), 3);
		json_decref(j);
	}
	assert_int_equal(r1.out.len, r2.out.len);
	assert_memory_equal(r1.out.p, r2.out.p, r1.out.len);
	run_free(&r1);
	run_free(&r2);
	free(ev);
	synth_remove(tmp);
	free(tmp);
}

/* ---- determinism ---- */

static void test_determinism(void **state)
{
	char *tmp = make_tmpdir(), a[PATH_MAX], b[PATH_MAX];
	struct run r1 = { 0 }, r2 = { 0 }, r3 = { 0 };

	snprintf(a, sizeof(a), "%s/one", tmp);
	snprintf(b, sizeof(b), "%s/other-name", tmp);
	build_basic(a, TR_STATE_COMPLETE, 1);
	build_basic(b, TR_STATE_COMPLETE, 1);
	replay_dir(a, 1, &r1, NULL);
	replay_dir(a, 1, &r2, NULL);
	replay_dir(b, 1, &r3, NULL);	/* where it lives must not matter */
	assert_int_equal(r1.rc, 0);
	assert_int_equal(r1.nfindings, 6);
	assert_true(r1.out.len > 0);
	assert_int_equal(r1.out.len, r2.out.len);
	assert_memory_equal(r1.out.p, r2.out.p, r1.out.len);
	assert_int_equal(r1.out.len, r3.out.len);
	assert_memory_equal(r1.out.p, r3.out.p, r1.out.len);
	run_free(&r1);
	run_free(&r2);
	run_free(&r3);
	synth_remove(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_unit),
		cmocka_unit_test(test_merge_rounds),
		cmocka_unit_test(test_merge_model),
		cmocka_unit_test(test_merge_cap),
		cmocka_unit_test(test_merge_cap_engine),
		cmocka_unit_test(test_merge_recording),
		cmocka_unit_test(test_retval_pairing),
		cmocka_unit_test(test_held_entries_bounded),
		cmocka_unit_test(test_held_until_exit),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_proctree),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_values),
		cmocka_unit_test(test_json_event),
		cmocka_unit_test(test_path_resolve),
		cmocka_unit_test(test_signature_exec_tmp),
		cmocka_unit_test(test_chdir_cd_tmp),
		cmocka_unit_test(test_chdir_snapshot_overlap),
		cmocka_unit_test(test_chdir_unknown_cwd),
		cmocka_unit_test(test_damaged_frame),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_no_manifest),
		cmocka_unit_test(test_segment_listing),
		cmocka_unit_test(test_manifest_escapes),
		cmocka_unit_test(test_hostile_records),
		cmocka_unit_test(test_checkpoint_restates),
		cmocka_unit_test(test_unknown_and_bad_state_kinds),
		cmocka_unit_test(test_retyped_catalog),
		cmocka_unit_test(test_determinism),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
