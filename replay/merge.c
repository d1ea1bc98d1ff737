// SPDX-License-Identifier: MIT
/* merge.c: watermark merge of per-CPU batches (replay/merge.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "unaligned.h"

/* The sort key, kept small so sorting moves little memory; slot points at
 * the record's place in the arena. */
struct merge_key {
	uint64_t ts;
	uint64_t seq;
	uint32_t cpu;
	uint32_t slot;	/* also the arrival order within the round */
};

struct merge_slot {
	size_t off;	/* in the arena */
	struct tr_src src;
};

struct arena {
	uint8_t *p;
	size_t len;
	size_t cap;
};

struct tr_merge {
	tr_release_fn fn;
	void *ctx;
	size_t max_records;
	size_t max_bytes;
	tr_overflow_fn overflow;
	uint64_t watermark;	/* highest seen */
	int have_watermark;

	struct merge_key *keys;
	struct merge_key *tmp;	/* merge sort scratch */
	struct merge_slot *slots;
	struct merge_slot *spare_slots; /* the next round's slots */
	size_t n;
	size_t cap;
	struct arena arena;
	struct arena spare;	/* the next round's arena; swapped, not freed */
	uint8_t *late;		/* aligned copy for a record released at once */
	size_t late_cap;

	struct tr_merge_stats stats;
};

struct tr_merge *tr_merge__new(tr_release_fn fn, void *ctx, const struct tr_merge_opts *o)
{
	struct tr_merge *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->fn = fn;
	m->ctx = ctx;
	m->max_records = o && o->max_records ? o->max_records : TR_MERGE_MAX_RECORDS;
	m->max_bytes = o && o->max_bytes ? o->max_bytes : TR_MERGE_MAX_BYTES;
	m->overflow = o ? o->overflow : NULL;
	return m;
}

void tr_merge__free(struct tr_merge *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->tmp);
	free(m->slots);
	free(m->spare_slots);
	free(m->arena.p);
	free(m->spare.p);
	free(m->late);
	free(m);
}

static int arena_reserve(struct arena *a, size_t n)
{
	size_t cap = a->cap ? a->cap : 1 << 16;
	uint8_t *p;

	if (a->cap - a->len >= n)
		return 0;
	while (cap - a->len < n) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	p = realloc(a->p, cap);
	if (!p)
		return -ENOMEM;
	a->p = p;
	a->cap = cap;
	return 0;
}

/* Copy rec into a at an 8-byte aligned offset, so released records can be
 * read as structs (pushed records need not be aligned: schema/unaligned.h). */
static int arena_put(struct arena *a, const struct tr_rec_hdr *rec, size_t *off)
{
	size_t size = tr_rec__size(rec), pad = (size + 7) & ~(size_t)7;
	int err = arena_reserve(a, pad);

	if (err)
		return err;
	*off = a->len;
	memcpy(a->p + a->len, rec, size);
	a->len += pad;
	return 0;
}

static int grow_slots(struct tr_merge *m)
{
	size_t cap = m->cap ? m->cap * 2 : 4096;
	struct merge_key *keys, *tmp;
	struct merge_slot *slots;

	if (cap > UINT32_MAX)
		return -ENOMEM;
	keys = realloc(m->keys, cap * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	m->keys = keys;
	tmp = realloc(m->tmp, cap * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	m->tmp = tmp;
	slots = realloc(m->slots, cap * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	m->slots = slots;
	slots = realloc(m->spare_slots, cap * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	m->spare_slots = slots;
	m->cap = cap;
	return 0;
}

static int release(struct tr_merge *m, uint64_t limit, int all);

static int release_late(struct tr_merge *m, const struct tr_rec_hdr *rec, const struct tr_src *src)
{
	size_t size = tr_rec__size(rec);

	if (m->late_cap < size) {
		size_t cap = (size + 4095) & ~(size_t)4095;
		uint8_t *p = realloc(m->late, cap);

		if (!p)
			return -ENOMEM;
		m->late = p;
		m->late_cap = cap;
	}
	memcpy(m->late, rec, size);
	return m->fn(m->ctx, (const struct tr_rec_hdr *)m->late, src);
}

int tr_merge__push(struct tr_merge *m, const struct tr_rec_hdr *rec, const struct tr_src *src)
{
	struct tr_rec_hdr h = tr_rec_hdr__load(rec);
	size_t off;
	int err;

	m->stats.pushed++;
	if (m->have_watermark && h.ts < m->watermark) {
		m->stats.late++;
		return release_late(m, rec, src);
	}
	if (m->n == m->cap) {
		err = grow_slots(m);
		if (err)
			return err;
	}
	err = arena_put(&m->arena, rec, &off);
	if (err)
		return err;
	m->keys[m->n] = (struct merge_key){ .ts = h.ts, .seq = h.seq, .cpu = h.cpu, .slot = (uint32_t)m->n };
	m->slots[m->n] = (struct merge_slot){ .off = off, .src = *src };
	m->n++;
	if (m->n > m->stats.max_pending)
		m->stats.max_pending = m->n;
	if (m->n < m->max_records && m->arena.len < m->max_bytes)
		return 0;
	/* No watermark for too long: let everything out, in order. */
	m->stats.overflows++;
	if (m->overflow)
		m->overflow(m->ctx, src, m->n, m->arena.len);
	return release(m, 0, 1);
}

/* The total order of the format: (ts, cpu, seq); arrival breaks the tie of
 * duplicated records so that the order never depends on the sort. */
static inline int key_less(const struct merge_key *a, const struct merge_key *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	if (a->cpu != b->cpu)
		return a->cpu < b->cpu;
	if (a->seq != b->seq)
		return a->seq < b->seq;
	return a->slot < b->slot;
}

/* Bottom-up merge sort: O(n log n) worst case, and each CPU's batch
 * arrives already in order, so the insertion-sorted runs are long. */
static void sort_keys(struct merge_key *k, struct merge_key *tmp, size_t n)
{
	const size_t run = 16;

	for (size_t lo = 0; lo < n; lo += run) {
		size_t hi = lo + run < n ? lo + run : n;

		for (size_t i = lo + 1; i < hi; i++) {
			struct merge_key x = k[i];
			size_t j = i;

			while (j > lo && key_less(&x, &k[j - 1])) {
				k[j] = k[j - 1];
				j--;
			}
			k[j] = x;
		}
	}
	for (size_t width = run; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, b = mid, o = lo;

			/* Already in order: skip the copy. */
			if (mid >= hi || !key_less(&k[mid], &k[mid - 1]))
				continue;
			while (a < mid && b < hi)
				tmp[o++] = key_less(&k[b], &k[a]) ? k[b++] : k[a++];
			while (a < mid)
				tmp[o++] = k[a++];
			while (b < hi)
				tmp[o++] = k[b++];
			memcpy(k + lo, tmp + lo, (hi - lo) * sizeof(*k));
		}
	}
}

/* Release the records stamped before limit (all of them if all is set),
 * and move the others into the spare arena for the next round, so the
 * arena never holds more than one round. */
static int release(struct tr_merge *m, uint64_t limit, int all)
{
	size_t i, keep = 0;
	struct merge_slot *slots;
	struct arena a;
	int err;

	if (!m->n)
		return 0;
	sort_keys(m->keys, m->tmp, m->n);
	for (i = 0; i < m->n && (all || m->keys[i].ts < limit); i++) {
		const struct merge_slot *s = &m->slots[m->keys[i].slot];

		err = m->fn(m->ctx, (const struct tr_rec_hdr *)(m->arena.p + s->off), &s->src);
		if (err)
			return err;
	}
	/* The rest wait, re-numbered in sorted order: they all arrived before
	 * anything pushed later, so the arrival tie-break stays true. */
	m->spare.len = 0;
	for (; i < m->n; i++, keep++) {
		const struct merge_slot *s = &m->slots[m->keys[i].slot];
		size_t off;

		err = arena_put(&m->spare, (const struct tr_rec_hdr *)(m->arena.p + s->off), &off);
		if (err)
			return err;
		m->spare_slots[keep] = (struct merge_slot){ .off = off, .src = s->src };
		m->tmp[keep] = m->keys[i];
		m->tmp[keep].slot = (uint32_t)keep;
	}
	memcpy(m->keys, m->tmp, keep * sizeof(*m->keys));
	slots = m->slots;
	m->slots = m->spare_slots;
	m->spare_slots = slots;
	a = m->arena;
	m->arena = m->spare;
	m->spare = a;
	m->spare.len = 0;
	m->n = keep;
	return 0;
}

int tr_merge__watermark(struct tr_merge *m, uint64_t ts)
{
	m->stats.watermarks++;
	/* A watermark never moves back: the promise made stays made. */
	if (m->have_watermark && ts < m->watermark)
		ts = m->watermark;
	m->watermark = ts;
	m->have_watermark = 1;
	return release(m, ts, 0);
}

int tr_merge__drain(struct tr_merge *m)
{
	return release(m, 0, 1);
}

size_t tr_merge__pending(const struct tr_merge *m)
{
	return m->n;
}

const struct tr_merge_stats *tr_merge__stats(const struct tr_merge *m)
{
	return &m->stats;
}
