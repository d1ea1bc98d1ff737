/* SPDX-License-Identifier: MIT */
/*
 * store.h: where the case database lives, behind one small interface.
 *
 * The indexer writes rows (one table of table definitions, below, names
 * every column in schema/index.sql's order) and the questions read rows back
 * through select(): a parameterised SELECT in the SQL both stores speak
 * (plain SELECT, JOIN, WHERE, GROUP BY, ORDER BY, LIMIT; `?` parameters).
 * What a store's SQL cannot express (a recursive process tree, CIDR
 * matching) a question computes in C over the rows it fetched, so each
 * question has one implementation for every store.
 *
 *   store/sqlite.c      the SQLite file (schema/index.sql)
 *   store/clickhouse.c  (issue 12) a ClickHouse server
 *
 * Every function returns 0 or -errno with the reason in s->err.
 */
#ifndef TR_STORE_H
#define TR_STORE_H

#include <stddef.h>
#include <stdint.h>

enum tr_tab {
	TR_TAB_RECORDINGS,
	TR_TAB_RECORDING_FILES,
	TR_TAB_SEGMENTS,
	TR_TAB_PROCESSES,
	TR_TAB_EVENTS,
	TR_TAB_SIGNATURES,
	TR_TAB_DETECTIONS,
	TR_TAB_FILES,
	TR_TAB_FLOWS,
	TR_TAB_ARTIFACTS,
	TR_TAB_GAPS,
	TR_TAB_WARNINGS,
	TR_TAB_N,
};

#define TR_TAB_MAX_COLS 32

/* A table as the indexer writes it: its stored columns, in order
 * (generated columns are the store's business). */
struct tr_table_def {
	const char *name;
	size_t ncols;
	const char *cols[TR_TAB_MAX_COLS];
	/* 1: rows belong to one recording (recording_id column; dropped
	 * with it); 0: shared (signatures: insert or replace by key) */
	int per_recording;
};

extern const struct tr_table_def tr_tables[TR_TAB_N];

/* Ids: (recording_id << TR_ID_SHIFT) + n, n < 2^40 (schema/index.sql). */
#define TR_ID_SHIFT 40
static inline int64_t tr_row_id(int64_t rec, uint64_t n)
{
	return (int64_t)(((uint64_t)rec << TR_ID_SHIFT) | n);
}

enum tr_val_type {
	TR_VAL_NULL = 0,
	TR_VAL_INT = 1,
	TR_VAL_TEXT = 2,
};

/* One value of a row or a parameter. Text is len bytes (not necessarily
 * NUL-terminated when written; NUL-terminated when read back). */
struct tr_val {
	uint8_t type;
	int64_t i;
	const char *s;
	size_t len;
};

static inline struct tr_val tr_val_int(int64_t i)
{
	return (struct tr_val){ .type = TR_VAL_INT, .i = i };
}

static inline struct tr_val tr_val_text(const char *s, size_t len)
{
	return s ? (struct tr_val){ .type = TR_VAL_TEXT, .s = s, .len = len } : (struct tr_val){ 0 };
}

static inline struct tr_val tr_val_cstr(const char *s)
{
	return tr_val_text(s, s ? __builtin_strlen(s) : 0);
}

/* One row of a select: names[i] and cols[i] for i < n, valid during the
 * call. Return 0 to go on, 1 to stop early, -errno to fail. */
typedef int (*tr_row_fn)(void *ctx, const char *const *names, const struct tr_val *cols, size_t n);

enum tr_store_mode {
	TR_STORE_READ = 0,	/* read-only: a write fails */
	TR_STORE_WRITE = 1,	/* create if missing, migrate an older schema */
};

struct tr_store;

struct tr_store_ops {
	const char *name;
	int (*open)(struct tr_store **out, const char *target, enum tr_store_mode mode, char *err,
		    size_t errlen);
	/* Writing. The id of the recording uid, existing or new (*existed). */
	int (*recording_id)(struct tr_store *s, const char *uid, int64_t *id, int *existed);
	/* Remove every row of recording id (before it is indexed again). */
	int (*recording_drop)(struct tr_store *s, int64_t id);
	/* One row of table t, values in tr_tables[t].cols order. May be
	 * buffered until batch(). */
	int (*insert)(struct tr_store *s, enum tr_tab t, const struct tr_val *row);
	/* Make what was inserted so far durable (one transaction a batch). */
	int (*batch)(struct tr_store *s);
	/* Indexing is over: leave the store as readers want it. */
	int (*finish)(struct tr_store *s);
	/* Reading. */
	int (*select)(struct tr_store *s, const char *sql, const struct tr_val *params, size_t nparams,
		      tr_row_fn fn, void *ctx);
	void (*close)(struct tr_store *s);
	/* Optional (NULL: batch() is synchronous): wait until every row
	 * inserted so far is stored, or say which batch was not. */
	int (*sync)(struct tr_store *s);
};

struct tr_store {
	const struct tr_store_ops *ops;
	const char *target;	/* for messages */
	char err[1024];
};

extern const struct tr_store_ops tr_store_sqlite;
extern const struct tr_store_ops tr_store_clickhouse;

/* Open target with the store it names (a path: SQLite; http://HOST:PORT
 * or clickhouse://HOST:PORT, with ?database=NAME: ClickHouse). */
int tr_store__open(struct tr_store **out, const char *target, enum tr_store_mode mode, char *err,
		   size_t errlen);
void tr_store__close(struct tr_store *s);

/* The SQLite handle of a SQLite store (for `query`), else NULL. */
struct sqlite3 *tr_store_sqlite__db(struct tr_store *s);

/* One integer from a select's first row and column (dflt without rows). */
int tr_store__int(struct tr_store *s, const char *sql, const struct tr_val *params, size_t nparams,
		  int64_t dflt, int64_t *out);

#endif /* TR_STORE_H */
