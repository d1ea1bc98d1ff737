// SPDX-License-Identifier: MIT
/*
 * fuzz_tracee_json: Tracee JSON lines (replay/input/tracee_json.c) on any
 * bytes, through the whole engine (enrichment, derived events, the built-in
 * signatures) into the JSON writer. Every line is pushed; nothing may
 * crash, leak or read out of bounds, and the output of two runs over the
 * same bytes must be identical (determinism).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pipeline.h"
#include "tracee_json.h"

static int to_json(void *ctx, const struct tr_event_view *v)
{
	struct tr_json_host h = { .hostname = "", .flags = TR_JSON_PARSE_ARGS };

	return tr_json__event(ctx, &h, v);
}

static int finding_json(void *ctx, const struct tr_finding *f)
{
	struct tr_json_host h = { .hostname = "" };

	return tr_json__finding(ctx, &h, f);
}

static void run(const uint8_t *data, size_t size, struct tr_buf *out)
{
	struct tr_diag diag = { .prog = "fuzz" };
	struct tr_engine_opts eo = { .diag = &diag, .derived = 1,
				     .sink = { .event = to_json, .finding = finding_json, .ctx = out } };
	struct tr_engine *e;
	size_t start = 0;
	uint64_t lineno = 0;

	eo.sigs = tr_signatures__builtin(&eo.nsigs);
	if (tr_engine__new(&e, &eo))
		abort();
	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (data + start)) : size - start;
		char *line = malloc(len ? len : 1);	/* exactly its size: ASan sees overreads */

		if (!line)
			abort();
		memcpy(line, data + start, len);
		if (tr_tracee_json__line(line, len, "fuzz", ++lineno, e, &diag) < 0) {
			free(line);
			break;
		}
		free(line);
		start += len + 1;
	}
	tr_engine__finish(e);
	tr_engine__free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tr_buf a = { 0 }, b = { 0 };

	run(data, size, &a);
	run(data, size, &b);
	if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len))) {
		fprintf(stderr, "fuzz_tracee_json: two runs differ\n");
		abort();
	}
	tr_buf__free(&a);
	tr_buf__free(&b);
	return 0;
}
