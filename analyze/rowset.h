/* SPDX-License-Identifier: MIT */
/*
 * rowset.h: rows fetched through a store and kept (values copied), and
 * lookups by key: the joins a question needs, done in C, so the SQL each
 * store is sent reads one table (ClickHouse 18.16 takes one JOIN a query
 * and no correlated subqueries; SQLite takes anything).
 */
#ifndef TR_ROWSET_H
#define TR_ROWSET_H

#include "store/store.h"

struct tr_rows {
	size_t ncols;
	size_t n, cap;
	struct tr_val *v;	/* n * ncols values; text owned (NUL-terminated) */
	int sorted;		/* by column 0 (tr_rows__sort_key) */
};

static inline const struct tr_val *tr_rows__row(const struct tr_rows *r, size_t i)
{
	return &r->v[i * r->ncols];
}

/* Append the rows of a select to r. 0 or the store's -errno. */
int tr_rows__fetch(struct tr_rows *r, struct tr_store *s, const char *sql, const struct tr_val *params,
		   size_t nparams);

/* Fetch the rows whose key is one of the distinct non-NULL values of column
 * col of src (integers), in chunks: sql has one "%s" where the
 * comma-separated list goes, as in "SELECT id, x FROM t WHERE id IN (%s)".
 * Then sort by column 0 for tr_rows__find. */
int tr_rows__fetch_in(struct tr_rows *r, struct tr_store *s, const char *sql, const struct tr_rows *src,
		      size_t col);

/* Sort by column 0 (integer or text); tr_rows__find finds a key there. */
void tr_rows__sort_key(struct tr_rows *r);
const struct tr_val *tr_rows__find(const struct tr_rows *r, const struct tr_val *key);

void tr_rows__free(struct tr_rows *r);

#endif /* TR_ROWSET_H */
