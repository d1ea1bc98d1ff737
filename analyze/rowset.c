// SPDX-License-Identifier: MIT
/* rowset.c: rows kept from a store, and lookups by key (rowset.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rowset.h"

#define IN_CHUNK 1000

static int add_row(void *ctx, const char *const *names, const struct tr_val *cols, size_t n)
{
	struct tr_rows *r = ctx;
	struct tr_val *row;

	if (!r->ncols)
		r->ncols = n;
	if (n != r->ncols)
		return -EINVAL;
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		struct tr_val *nv = realloc(r->v, ncap * r->ncols * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		r->v = nv;
		r->cap = ncap;
	}
	row = &r->v[r->n * r->ncols];
	for (size_t i = 0; i < n; i++) {
		row[i] = cols[i];
		if (cols[i].type == TR_VAL_TEXT) {
			char *s = malloc(cols[i].len + 1);

			if (!s) {
				for (size_t j = 0; j < i; j++)
					if (row[j].type == TR_VAL_TEXT)
						free((char *)row[j].s);
				return -ENOMEM;
			}
			memcpy(s, cols[i].s, cols[i].len);
			s[cols[i].len] = '\0';
			row[i].s = s;
		}
	}
	r->n++;
	r->sorted = 0;
	return 0;
}

int tr_rows__fetch(struct tr_rows *r, struct tr_store *s, const char *sql, const struct tr_val *params,
		   size_t nparams)
{
	int rc = s->ops->select(s, sql, params, nparams, add_row, r);

	if (rc == -ENOMEM)
		snprintf(s->err, sizeof(s->err), "out of memory");
	return rc;
}

static int cmp_val(const struct tr_val *a, const struct tr_val *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type == TR_VAL_INT)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->type == TR_VAL_TEXT)
		return strcmp(a->s, b->s);
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	return cmp_val(a, b);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void tr_rows__sort_key(struct tr_rows *r)
{
	/* rows are ncols values wide: sort an index, then permute */
	struct tr_val *nv;

	if (r->sorted || r->n < 2) {
		r->sorted = 1;
		return;
	}
	nv = malloc(r->n * r->ncols * sizeof(*nv));
	if (!nv)
		return;	/* unsorted: find falls back to a scan */
	/* qsort over (key, index) pairs, then the rows in that order */
	{
		struct ki { struct tr_val k; size_t i; } *ks = malloc(r->n * sizeof(*ks));

		if (!ks) {
			free(nv);
			return;
		}
		for (size_t i = 0; i < r->n; i++) {
			ks[i].k = r->v[i * r->ncols];
			ks[i].i = i;
		}
		qsort(ks, r->n, sizeof(*ks), cmp_row);
		for (size_t i = 0; i < r->n; i++)
			memcpy(&nv[i * r->ncols], &r->v[ks[i].i * r->ncols], r->ncols * sizeof(*nv));
		free(ks);
	}
	free(r->v);
	r->v = nv;
	r->cap = r->n;
	r->sorted = 1;
}

const struct tr_val *tr_rows__find(const struct tr_rows *r, const struct tr_val *key)
{
	if (!r->sorted) {
		for (size_t i = 0; i < r->n; i++)
			if (!cmp_val(&r->v[i * r->ncols], key))
				return &r->v[i * r->ncols];
		return NULL;
	}
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_val(&r->v[mid * r->ncols], key);

		if (!c)
			return &r->v[mid * r->ncols];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int tr_rows__fetch_in(struct tr_rows *r, struct tr_store *s, const char *sql, const struct tr_rows *src,
		      size_t col)
{
	int64_t *ids = malloc((src->n ? src->n : 1) * sizeof(*ids));
	size_t n = 0, k;
	int rc = 0;

	if (!ids)
		goto nomem;
	for (size_t i = 0; i < src->n; i++)
		if (tr_rows__row(src, i)[col].type == TR_VAL_INT)
			ids[n++] = tr_rows__row(src, i)[col].i;
	qsort(ids, n, sizeof(*ids), cmp_i64);
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	for (size_t at = 0; !rc && at < k; at += IN_CHUNK) {
		size_t m = k - at < IN_CHUNK ? k - at : IN_CHUNK, len = 0;
		char *list = malloc(m * 22 + 1), *q = NULL;

		if (!list)
			goto nomem;
		for (size_t i = 0; i < m; i++)
			len += (size_t)sprintf(list + len, "%s%lld", i ? "," : "", (long long)ids[at + i]);
		list[len] = '\0';
		if (asprintf(&q, sql, list, list) < 0) {
			free(list);
			goto nomem;
		}
		free(list);
		rc = tr_rows__fetch(r, s, q, NULL, 0);
		free(q);
	}
	free(ids);
	tr_rows__sort_key(r);
	return rc;
nomem:
	free(ids);
	snprintf(s->err, sizeof(s->err), "out of memory");
	return -ENOMEM;
}

void tr_rows__free(struct tr_rows *r)
{
	for (size_t i = 0; i < r->n * r->ncols; i++)
		if (r->v[i].type == TR_VAL_TEXT)
			free((char *)r->v[i].s);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
