// SPDX-License-Identifier: MIT
/*
 * test_integrity.c: a recording proves it is whole (issue 5): per-CPU
 * sequence gaps that no gap record covers, declared cuts (ring rotation)
 * that are not damage, and the hash chain across segments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline.h"
#include "record.h"
#include "replay_synth.h"

static const struct synth_task task = { .pid = 100, .ppid = 1, .start_ns = 1000, .comm = "bash" };

static char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t;

	assert_true(asprintf(&t, "%s/test_integrity.XXXXXX", base && *base ? base : "/tmp") > 0);
	assert_non_null(mkdtemp(t));
	return t;
}

struct result {
	int rc;
	uint64_t damage;
	uint64_t events;
	char *diag;
	size_t diaglen;
};

static int count_event(void *ctx, const struct tr_event_view *v)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static void replay(const char *dir, struct result *res)
{
	FILE *diag = open_memstream(&res->diag, &res->diaglen);
	struct tr_replay_opts o = { .prog = "tracee-replay", .diag = diag };
	struct tr_sink sink = { .event = count_event, .ctx = &res->events };
	struct tr_replay *rp;
	char err[1024];

	assert_non_null(diag);
	res->rc = tr_replay__open(&rp, dir, &o, err, sizeof(err));
	assert_int_equal(res->rc, 0);
	res->rc = tr_replay__run(rp, &sink, err, sizeof(err));
	res->damage = tr_replay__damage(rp);
	tr_replay__summary(rp);
	tr_replay__free(rp);
	fclose(diag);
}

/* An openat on cpu with an explicit seq (the synth's own counter skipped). */
static void openat_seq(struct synth *s, uint16_t cpu, uint64_t ts, uint64_t seq)
{
	*synth_seq(s, cpu) = seq;
	synth_openat(s, cpu, ts, &task, "/etc/hosts", 3);
}

/* Records 3..4 of CPU 1 never arrive. Without a gap record that is damage;
 * with one that states the loss, it is not. */
static void test_cpu_seq_gap(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX];

	for (int covered = 0; covered < 2; covered++) {
		struct result res = { 0 };
		struct synth s;

		snprintf(dir, sizeof(dir), "%s/rec%d", tmp, covered);
		assert_int_equal(synth_open(&s, dir, 0), 0);
		for (uint64_t i = 0; i < 3; i++) {
			openat_seq(&s, 0, 100 + i, i);
			openat_seq(&s, 1, 110 + i, i);
		}
		openat_seq(&s, 1, 200, 5);
		if (covered)
			synth_gap(&s, 1, 190, 2);
		openat_seq(&s, 0, 210, 3);
		synth_watermark(&s, 1000);
		assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
		replay(dir, &res);
		assert_int_equal(res.rc, 0);
		if (covered) {
			assert_int_equal(res.damage, 0);
			assert_null(strstr(res.diag, "missing from its sequence"));
		} else {
			assert_int_equal(res.damage, 1);
			assert_non_null(strstr(res.diag, "cpu 1: 2 records missing from its sequence"));
			assert_non_null(strstr(res.diag, "gap records account for 0"));
			assert_non_null(strstr(res.diag, "/events/seg-000000.zst: offset 0: "));
		}
		free(res.diag);
	}
	synth_remove(tmp);
	free(tmp);
}

/* Three segments; the first is removed. Declared in the manifest's cuts
 * (as a ring rotation will), that is no damage; undeclared, it is. */
static void test_declared_cut(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], path[PATH_MAX + 64];

	for (int declared = 0; declared < 2; declared++) {
		struct tr_manifest m;
		struct result res = { 0 };
		struct synth s;
		char err[256];

		snprintf(dir, sizeof(dir), "%s/rec%d", tmp, declared);
		assert_int_equal(synth_open(&s, dir, 0), 0);
		for (int seg = 0; seg < 3; seg++) {
			if (seg)
				synth_rotate(&s);
			synth_openat(&s, 0, 100 + (uint64_t)seg * 100, &task, "/etc/hosts", 3);
			synth_watermark(&s, 150 + (uint64_t)seg * 100);
		}
		assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
		/* the ring drops the oldest segment and its manifest entry */
		snprintf(path, sizeof(path), "%s/events/seg-000000.zst", dir);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(tr_manifest__read(dir, &m, err, sizeof(err)), 0);
		if (declared) {
			m.cuts = calloc(1, sizeof(*m.cuts));
			assert_non_null(m.cuts);
			m.cuts[0] = m.segments[0];
			m.cuts[0].path = strdup(m.segments[0].path);
			m.ncuts = 1;
		}
		free(m.segments[0].path);
		memmove(&m.segments[0], &m.segments[1], 2 * sizeof(m.segments[0]));
		m.nsegments = 2;
		assert_int_equal(tr_manifest__write(dir, &m), 0);
		tr_manifest__free(&m);

		/* the cut survives a round trip through the manifest */
		assert_int_equal(tr_manifest__read(dir, &m, err, sizeof(err)), 0);
		assert_int_equal(m.ncuts, (size_t)declared);
		if (declared)
			assert_string_equal(m.cuts[0].path, "events/seg-000000.zst");
		tr_manifest__free(&m);

		replay(dir, &res);
		assert_int_equal(res.rc, 0);
		assert_int_equal(res.events, 2);
		if (declared) {
			assert_int_equal(res.damage, 0);
			assert_null(strstr(res.diag, "hash chain"));
		} else {
			assert_true(res.damage >= 1);
			assert_non_null(strstr(res.diag, "seg-000001.zst: offset 0: frame 0: hash chain: names a "
						       "previous frame"));
		}
		free(res.diag);
	}
	synth_remove(tmp);
	free(tmp);
}

/* The chain runs across segments: a middle segment removed (manifest gone
 * too) is caught at the first frame of the next. */
static void test_chain_across_segments(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], path[PATH_MAX + 64];
	struct result res = { 0 };
	struct synth s;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	for (int seg = 0; seg < 3; seg++) {
		if (seg)
			synth_rotate(&s);
		synth_openat(&s, 0, 100 + (uint64_t)seg * 100, &task, "/etc/hosts", 3);
		synth_watermark(&s, 150 + (uint64_t)seg * 100);
	}
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 0), 0);
	snprintf(path, sizeof(path), "%s/events/seg-000001.zst", dir);
	assert_int_equal(unlink(path), 0);
	replay(dir, &res);
	assert_int_equal(res.rc, 0);
	assert_non_null(strstr(res.diag, "seg-000002.zst: offset 0: frame 0: hash chain broken"));
	assert_true(res.damage >= 1);
	free(res.diag);
	synth_remove(tmp);
	free(tmp);
}

/* Frames bounded by records: the writer closes a frame at the bound, so a
 * flipped byte costs that many records at most. */
static void test_frame_record_bound(void **state)
{
	char *tmp = make_tmpdir(), path[PATH_MAX + 32];
	struct tr_seg_writer *w;
	struct tr_seg_info info;
	struct synth_ev e;

	snprintf(path, sizeof(path), "%s/seg.zst", tmp);
	w = tr_seg_writer__open(path, 1, 0);
	assert_non_null(w);
	tr_seg_writer__frame_records(w, 100);
	synth_ev_begin(&e, 0, 1, TR_EV_OPENAT, &task);
	synth_ev_str(&e, 1, "/etc/hosts");
	e.ev.h.size = (uint32_t)e.off;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(tr_seg_writer__append(w, e.buf, e.off), 0);
	assert_int_equal(tr_seg_writer__close(w, &info), 0);
	assert_int_equal(info.records, 1000);
	assert_int_equal(info.frames, 10);
	synth_remove(tmp);
	free(tmp);
}

static void count_diag(void *ctx, const char *path, uint64_t offset, const char *msg)
{
	char *last = ctx;

	snprintf(last, 256, "%s", msg);
}

/* A segment that shrinks while it is read (another process truncates it):
 * the rest is reported as truncated, never a SIGBUS. */
static void test_segment_shrinks(void **state)
{
	char *tmp = make_tmpdir(), path[PATH_MAX + 32], last[256] = "";
	const struct tr_rec_hdr *rec;
	struct tr_seg_reader *r;
	struct tr_seg_writer *w;
	struct tr_seg_info info;
	struct synth_ev e;
	int n = 0, rc;

	snprintf(path, sizeof(path), "%s/seg.zst", tmp);
	w = tr_seg_writer__open(path, 1, 0);
	assert_non_null(w);
	tr_seg_writer__frame_records(w, 100);
	synth_ev_begin(&e, 0, 1, TR_EV_OPENAT, &task);
	synth_ev_str(&e, 1, "/etc/hosts");
	e.ev.h.size = (uint32_t)e.off;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(tr_seg_writer__append(w, e.buf, e.off), 0);
	assert_int_equal(tr_seg_writer__close(w, &info), 0);

	r = tr_seg_reader__open(path, count_diag, last);
	assert_non_null(r);
	assert_int_equal(tr_seg_reader__next(r, &rec, NULL), 1);
	assert_int_equal(truncate(path, (off_t)(info.bytes / 2)), 0);
	while ((rc = tr_seg_reader__next(r, &rec, NULL)) > 0)
		n++;
	assert_int_equal(rc, 0);
	assert_true(n >= 99 && n < 999);
	assert_non_null(strstr(last, "shrank while it was read"));
	assert_int_equal(tr_seg_reader__stats(r)->frames_bad, 1);
	tr_seg_reader__close(r);
	synth_remove(tmp);
	free(tmp);
}

/* The format's limits on read: a value longer than its wire type allows is
 * rejected with its offset; every variable wire has a bound, and the
 * bound is not that of a fixed-size wire. */
static void test_argument_limits(void **state)
{
	static uint8_t val[TR_ARG_BYTES_MAX + 1], buf[2 * TR_ARG_BYTES_MAX];
	static const struct {
		uint8_t wire;
		uint32_t ok, bad;
	} cases[] = {
		{ TR_T_STR, TR_STR_MAX, TR_STR_MAX + 1 },
		{ TR_T_SOCKADDR, TR_SOCKADDR_MAX, TR_SOCKADDR_MAX + 1 },
		{ TR_T_STR_ARRAY, TR_ARG_BYTES_MAX, TR_ARG_BYTES_MAX + 1 },
		{ TR_T_BYTES, TR_ARG_BYTES_MAX, TR_ARG_BYTES_MAX + 1 },
		{ TR_T_JSON, TR_ARG_BYTES_MAX, TR_ARG_BYTES_MAX + 1 },
	};
	struct tr_arg_val out[TR_MAX_ARGS];
	char err[256];

	memset(val, 'a', sizeof(val));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int bad = 0; bad < 2; bad++) {
			uint32_t len = bad ? cases[i].bad : cases[i].ok;
			size_t off = 0;

			assert_int_equal(tr_arg__put_bytes(buf, sizeof(buf), &off, 0, val, len), 0);
			err[0] = '\0';
			assert_int_equal(tr_args__decode(&cases[i].wire, 1, buf, off, 1, out, err, sizeof(err)) != 0, bad);
			if (bad)
				assert_non_null(strstr(err, "more than its wire type allows"));
			else
				assert_int_equal(out[0].b.len, len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_seq_gap),
		cmocka_unit_test(test_declared_cut),
		cmocka_unit_test(test_chain_across_segments),
		cmocka_unit_test(test_frame_record_bound),
		cmocka_unit_test(test_segment_shrinks),
		cmocka_unit_test(test_argument_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
