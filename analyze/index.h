/* SPDX-License-Identifier: MIT */
/*
 * index.h: indexing recordings into the case database (schema/index.sql)
 * through a store (store/store.h): one replay with the signatures per
 * recording; every event, the processes of the replay's process tree, the
 * detections, files touched, network flows, artifacts, gaps.
 *
 * A recording is identified by its uid (hostname, boot id, start time):
 * indexing it again replaces its rows with the same rows (same ids), and
 * another recording, of the same host or another, is added beside it.
 */
#ifndef TR_INDEX_H
#define TR_INDEX_H

#include <stdint.h>
#include <stdio.h>

#include "pipeline.h"
#include "store/store.h"

#define TR_INDEX_VERSION 2	/* PRAGMA user_version of schema/index.sql */

struct tr_index_opts {
	const char *prog;	/* for warnings */
	FILE *diag;		/* where replay warnings go; NULL: nowhere */
	int detections_only;	/* store only the events detections point at */
	size_t batch_rows;	/* rows per transaction; 0: 100000 */
	void (*progress)(void *ctx, const struct tr_replay_progress *p);
	void *progress_ctx;
	const volatile sig_atomic_t *stop; /* see tr_replay_opts */
	/* the signatures to run (NULL: the built-ins) and their exceptions */
	const struct tr_signature *const *sigs;
	size_t nsigs;
	tr_suppress_fn suppress;
	void *suppress_ctx;
};

struct tr_index_stats {
	int64_t recording_id;
	int replaced;		/* the recording was in the database: rows replaced */
	int damaged;		/* the recording is damaged or incomplete (replay's verdict) */
	uint64_t processes;
	uint64_t events;	/* event rows */
	uint64_t detections;
	uint64_t gaps;
	uint64_t files;
	uint64_t flows;
	uint64_t artifacts;
	uint64_t rows;		/* all rows written */
	uint64_t replayed;	/* events replayed */
	uint64_t damage;	/* findings that the recording is damaged or incomplete */
};

/* Index the recording in dir into store (open for writing). 0 or -errno
 * with a message naming the file in err; on failure the recording's rows
 * are gone again. */
int tr_index__recording(struct tr_store *store, const char *dir, const struct tr_index_opts *o,
			struct tr_index_stats *stats, char *err, size_t errlen);

#endif /* TR_INDEX_H */
