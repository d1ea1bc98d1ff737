/* SPDX-License-Identifier: MIT */
/*
 * index.h: the SQLite index of a recording (schema/index.sql): one replay
 * with the signatures, written in one transaction with prepared statements,
 * to DB.tmp first and renamed into place, so a failed run leaves no
 * half-written database under the name asked for.
 */
#ifndef TR_INDEX_H
#define TR_INDEX_H

#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "pipeline.h"

#define TR_INDEX_VERSION 1	/* PRAGMA user_version of schema/index.sql */

struct tr_index_opts {
	const char *prog;	/* for warnings */
	FILE *diag;		/* where replay warnings go; NULL: nowhere */
	int force;		/* replace an existing DB */
	void (*progress)(void *ctx, const struct tr_replay_progress *p);
	void *progress_ctx;
	const volatile sig_atomic_t *stop; /* see tr_replay_opts */
};

struct tr_index_stats {
	uint64_t processes;
	uint64_t events;	/* rows: events that detections point at */
	uint64_t detections;
	uint64_t gaps;
	uint64_t replayed;	/* events replayed */
	uint64_t damage;	/* findings that the recording is damaged or incomplete */
};

/* Index the recording in dir into db. 0 or -errno with a message naming
 * the file in err. */
int tr_index__build(const char *dir, const char *db, const struct tr_index_opts *o,
		    struct tr_index_stats *stats, char *err, size_t errlen);

/* Open db read-only and check it is an index of this version. */
int tr_index__open(const char *db, sqlite3 **out, char *err, size_t errlen);

#endif /* TR_INDEX_H */
