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
 *
 * A stream without watermarks (damaged, or crafted) would be held whole, so
 * the merge also holds at most a fixed number of records and bytes. The
 * record that crosses either limit is held, then everything held is
 * released in order, as a watermark above all of them would; no promise
 * is recorded, so what comes after is held and sorted as usual. This
 * depends only on the records, so it is as deterministic as the rest.
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

/* The limits: one drain round of the recorder (every 200 ms) holds what
 * the per-CPU buffers held, by default 1 MiB per CPU, so a real recording
 * needs a machine of hundreds of CPUs with full buffers in every round to
 * come near them. Past them the index alone costs about 100 bytes a record. */
#define TR_MERGE_MAX_RECORDS (1U << 21)
#define TR_MERGE_MAX_BYTES (512U << 20)

/* Called each time the limits are crossed, with the record that crossed
 * them, before anything is released. */
typedef void (*tr_overflow_fn)(void *ctx, const struct tr_src *src, size_t records, size_t bytes);

struct tr_merge_opts {
	size_t max_records;	/* 0: TR_MERGE_MAX_RECORDS */
	size_t max_bytes;	/* held record bytes; 0: TR_MERGE_MAX_BYTES */
	tr_overflow_fn overflow; /* NULL: not told */
};

struct tr_merge_stats {
	uint64_t pushed;
	uint64_t late;		/* arrived stamped before the last watermark */
	uint64_t watermarks;
	uint64_t max_pending;	/* most records held at once */
	uint64_t overflows;	/* releases forced by the limits */
};

struct tr_merge;

/* o may be NULL (the default limits). */
struct tr_merge *tr_merge__new(tr_release_fn fn, void *ctx, const struct tr_merge_opts *o);
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
