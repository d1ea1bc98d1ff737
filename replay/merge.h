/* SPDX-License-Identifier: MIT */
/*
 * merge.h: the merge of per-CPU batches into one order.
 *
 * The recorder drains per-CPU buffers in rounds and writes a watermark T
 * after each round: every event stamped before T has been written. So the
 * merge holds EVENT, RETVAL and GAP records back until a watermark, sorts
 * what it holds by (ts, cpu, seq) and releases what lies before T; the rest
 * waits for the next watermark, or for the end. Memory is bounded by one
 * drain round. A record that arrives stamped before the last watermark
 * (a broken promise, which should not happen) is released at once, in
 * arrival order, and counted: never dropped.
 */
#ifndef TR_MERGE_H
#define TR_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "src.h"
#include "tr_format.h"

/* Receives released records in order. rec is 8-byte aligned and valid only
 * during the call. Returning non-zero stops the merge with that value. */
typedef int (*tr_release_fn)(void *ctx, const struct tr_rec_hdr *rec, const struct tr_src *src);

struct tr_merge_stats {
	uint64_t pushed;
	uint64_t late;		/* arrived stamped before the last watermark */
	uint64_t watermarks;
	uint64_t max_pending;	/* most records held at once */
};

struct tr_merge;

struct tr_merge *tr_merge__new(tr_release_fn fn, void *ctx);
void tr_merge__free(struct tr_merge *m);
/* Hold a record (rec->size bytes are copied). 0 or -errno. */
int tr_merge__push(struct tr_merge *m, const struct tr_rec_hdr *rec, const struct tr_src *src);
/* A watermark: release what was stamped before ts. */
int tr_merge__watermark(struct tr_merge *m, uint64_t ts);
/* The end of the stream: release everything held. */
int tr_merge__drain(struct tr_merge *m);
size_t tr_merge__pending(const struct tr_merge *m);
const struct tr_merge_stats *tr_merge__stats(const struct tr_merge *m);

#endif /* TR_MERGE_H */
