// SPDX-License-Identifier: MIT
/*
 * fuzz_replay: the replay engine (replay/pipeline.c: merge, pairing,
 * process tree, signatures, JSON output) on any stream of records.
 *
 * The input is a raw record stream, as zstdcat prints a segment: records
 * back to back. Each record's h.size is fixed up so that the records chain
 * over the input (at least a head, at most what is left; a tail shorter
 * than a head is dropped), so the engine sees any kind, any size for it and
 * any content, as pushed by a reader or a live recorder. Records are pushed
 * where they lie in the input, aligned or not, as tr_recording__next may
 * hand them out. The merge's limits are set low so a small input reaches
 * its overflow path.
 *
 * The engine runs with the built-in catalog and signatures, and events and
 * findings are written as JSON lines into a buffer. Nothing may crash or
 * leak; every line must be a JSON object; and a second run over the same
 * input must give byte-identical output and diagnostics (determinism).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pipeline.h"

#define check(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_replay: %s:%d: broken: %s\n", __FILE__,   \
				__LINE__, #cond);                                       \
			abort();                                                        \
		}                                                                       \
	} while (0)

struct run {
	struct tr_buf out;
	struct tr_json_host host;
	char *diag;		/* warnings, as printed */
	size_t diaglen;
	struct tr_engine_stats stats;
};

static int on_event(void *ctx, const struct tr_event_view *v)
{
	struct run *r = ctx;

	return tr_json__event(&r->out, &r->host, v);
}

static int on_finding(void *ctx, const struct tr_finding *f)
{
	struct run *r = ctx;

	return tr_json__finding(&r->out, &r->host, f);
}

static void replay(uint8_t *data, size_t size, struct run *r)
{
	struct tr_diag diag = { .prog = "fuzz_replay" };
	struct tr_engine_opts eo = {
		.diag = &diag,
		.dir = "fuzz",
		.sink = { .event = on_event, .finding = on_finding, .ctx = r },
		.merge_max_records = 64,
		.merge_max_bytes = 1 << 16,
	};
	struct tr_src src = { .segment = "events/seg-000000.zst" };
	struct tr_engine *e;
	size_t off = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->host = (struct tr_json_host){ .hostname = "fuzz", .boot_to_wall_ns = 1700000000000000000LL };
	diag.out = open_memstream(&r->diag, &r->diaglen);
	check(diag.out);
	eo.sigs = tr_signatures__builtin(&eo.nsigs);
	rc = tr_engine__new(&e, &eo);
	check(!rc);
	while (size - off >= sizeof(struct tr_rec_hdr)) {
		const struct tr_rec_hdr *rec = (const struct tr_rec_hdr *)(data + off);
		uint32_t n;

		memcpy(&n, data + off + offsetof(struct tr_rec_hdr, size), sizeof(n));
		if (n < sizeof(struct tr_rec_hdr))
			n = sizeof(struct tr_rec_hdr);
		if (n > size - off)
			n = (uint32_t)(size - off);
		memcpy(data + off + offsetof(struct tr_rec_hdr, size), &n, sizeof(n));
		src.frame_offset = off;
		rc = tr_engine__push(e, rec, &src);
		check(!rc);	/* only the sink (no memory) may stop the run */
		src.index++;
		off += n;
	}
	rc = tr_engine__finish(e);
	check(!rc);
	check(!r->out.err);
	r->stats = *tr_engine__stats(e);
	tr_engine__summary(e);
	tr_engine__free(e);
	check(!fclose(diag.out));
}

static void free_run(struct run *r)
{
	tr_buf__free(&r->out);
	free(r->diag);
}

/* Each line of output is one JSON object. */
static void check_lines(const struct run *r)
{
	const char *p = r->out.p, *end;

	if (!r->out.len)
		return;
	end = p + r->out.len;
	check(end[-1] == '\n');
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_error_t jerr;
		json_t *j = json_loadb(p, (size_t)(nl - p), JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &jerr);

		if (!j)
			fprintf(stderr, "fuzz_replay: bad JSON line: %s: %.*s\n", jerr.text, (int)(nl - p), p);
		check(j && json_is_object(j));
		json_decref(j);
		p = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct run a, b;

	if (!copy)
		return 0;
	/* The fix-ups write to the copy; the second run starts from the
	 * same bytes. */
	memcpy(copy, data, size);
	replay(copy, size, &a);
	check_lines(&a);
	memcpy(copy, data, size);
	replay(copy, size, &b);
	check(a.out.len == b.out.len && (!a.out.len || !memcmp(a.out.p, b.out.p, a.out.len)));
	check(a.diaglen == b.diaglen && (!a.diaglen || !memcmp(a.diag, b.diag, a.diaglen)));
	check(!memcmp(&a.stats, &b.stats, sizeof(a.stats)));
	free_run(&a);
	free_run(&b);
	free(copy);
	return 0;
}
