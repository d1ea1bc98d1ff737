// SPDX-License-Identifier: MIT
/* merge.c: watermark merge of per-CPU batches (replay/merge.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "unaligned.h"

/* The sort key, kept small so sorting moves little memory. off is the
 * record's place in the arena, which also orders arrivals: records are
 * appended, and a compaction copies the held ones in sorted order (which
 * keeps equal keys in arrival order) before anything newer comes. */
struct merge_key {
	uint64_t ts;
	uint64_t seq;
	uint32_t cpu;
	uint32_t pad;
	uint64_t off;
};

/* In the arena, each record follows its source position (8-byte aligned). */
struct arena {
	uint8_t *p;
	size_t len;
	size_t cap;
};

/*
 * Held records stay where they were put until released: a round releases
 * a sorted prefix of keys[head..n) and leaves the rest in place (still
 * sorted), so a record waiting several rounds for its watermark is neither
 * copied nor sorted again. Released space is reclaimed once it outweighs
 * what is held (the keys' prefix, the arena's dead bytes): amortized, each
 * record is copied at most twice.
 */
struct tr_merge {
	tr_release_fn fn;
	void *ctx;
	size_t max_records;
	size_t max_bytes;
	tr_overflow_fn overflow;
	uint64_t watermark;	/* highest seen */
	int have_watermark;

	struct merge_key *keys;	/* held: keys[head..n); [head..sorted) in order */
	struct merge_key *tmp;	/* merge sort scratch */
	size_t head;
	size_t sorted;
	size_t n;
	size_t cap;
	size_t held_bytes;	/* held records' sizes (8-byte padded), for the limit */
	size_t dead_bytes;	/* arena bytes of released records */
	struct arena arena;
	struct arena spare;	/* the compaction's target; swapped, not freed */
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

static inline size_t rec_pad(const struct tr_rec_hdr *rec)
{
	return ((size_t)tr_rec__size(rec) + 7) & ~(size_t)7;
}

/* Copy src and rec into a at an 8-byte aligned offset, so released records
 * can be read as structs (pushed records need not be aligned:
 * schema/unaligned.h). */
static int arena_put(struct arena *a, const struct tr_rec_hdr *rec, const struct tr_src *src, size_t *off)
{
	size_t size = tr_rec__size(rec), pad = sizeof(*src) + ((size + 7) & ~(size_t)7);
	int err = arena_reserve(a, pad);

	if (err)
		return err;
	*off = a->len;
	memcpy(a->p + a->len, src, sizeof(*src));
	memcpy(a->p + a->len + sizeof(*src), rec, size);
	a->len += pad;
	return 0;
}

_Static_assert(sizeof(struct tr_src) % 8 == 0, "records follow their tr_src 8-byte aligned");

static inline const struct tr_src *at_src(const struct tr_merge *m, uint64_t off)
{
	return (const struct tr_src *)(m->arena.p + off);
}

static inline const struct tr_rec_hdr *at_rec(const struct tr_merge *m, uint64_t off)
{
	return (const struct tr_rec_hdr *)(m->arena.p + off + sizeof(struct tr_src));
}

/* Room for one more key: the released prefix goes first, then the arrays
 * grow. */
static int grow_keys(struct tr_merge *m)
{
	size_t cap = m->cap ? m->cap * 2 : 4096;
	struct merge_key *keys, *tmp;

	if (m->head) {
		memmove(m->keys, m->keys + m->head, (m->n - m->head) * sizeof(*m->keys));
		m->n -= m->head;
		m->sorted -= m->head;
		m->head = 0;
		if (m->n < m->cap)
			return 0;
	}
	keys = realloc(m->keys, cap * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	m->keys = keys;
	tmp = realloc(m->tmp, cap * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	m->tmp = tmp;
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
	size_t off, held;
	int err;

	m->stats.pushed++;
	if (m->have_watermark && h.ts < m->watermark) {
		m->stats.late++;
		return release_late(m, rec, src);
	}
	if (m->n == m->cap) {
		err = grow_keys(m);
		if (err)
			return err;
	}
	err = arena_put(&m->arena, rec, src, &off);
	if (err)
		return err;
	m->held_bytes += rec_pad(rec);
	m->keys[m->n++] = (struct merge_key){ .ts = h.ts, .seq = h.seq, .cpu = h.cpu, .off = off };
	held = m->n - m->head;
	if (held > m->stats.max_pending)
		m->stats.max_pending = held;
	if (held < m->max_records && m->held_bytes < m->max_bytes)
		return 0;
	/* No watermark for too long: let everything out, in order. */
	m->stats.overflows++;
	if (m->overflow)
		m->overflow(m->ctx, src, held, m->held_bytes);
	return release(m, 0, 1);
}

/* The total order of the format: (ts, cpu, seq); arrival (the arena
 * offset) breaks the tie of duplicated records so that the order never
 * depends on the sort. */
static inline int key_less(const struct merge_key *a, const struct merge_key *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	if (a->cpu != b->cpu)
		return a->cpu < b->cpu;
	if (a->seq != b->seq)
		return a->seq < b->seq;
	return a->off < b->off;
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

/* Put keys[head..n) in order: the keys pushed since the last round are
 * sorted, then merged into the held ones (sorted already) from the first
 * place where they interleave. */
static void sort_held(struct tr_merge *m)
{
	struct merge_key *k = m->keys;
	size_t lo, hi, a, b, o;

	if (m->sorted < m->head)
		m->sorted = m->head;
	if (m->sorted == m->n)
		return;
	sort_keys(k + m->sorted, m->tmp + m->sorted, m->n - m->sorted);
	if (m->sorted > m->head && key_less(&k[m->sorted], &k[m->sorted - 1])) {
		/* the first held key after the new run's first */
		lo = m->head;
		hi = m->sorted;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (key_less(&k[m->sorted], &k[mid]))
				hi = mid;
			else
				lo = mid + 1;
		}
		a = lo;
		b = m->sorted;
		o = lo;
		while (a < m->sorted && b < m->n)
			m->tmp[o++] = key_less(&k[b], &k[a]) ? k[b++] : k[a++];
		while (a < m->sorted)
			m->tmp[o++] = k[a++];
		while (b < m->n)
			m->tmp[o++] = k[b++];
		memcpy(k + lo, m->tmp + lo, (m->n - lo) * sizeof(*k));
	}
	m->sorted = m->n;
}

/* Copy the held records into the spare arena in key order (which keeps
 * arrival order among equal keys, so the offsets still break ties as
 * arrival did), and make it the arena. */
static int compact(struct tr_merge *m)
{
	struct arena a;
	int err;

	m->spare.len = 0;
	for (size_t i = m->head; i < m->n; i++) {
		size_t off;

		err = arena_put(&m->spare, at_rec(m, m->keys[i].off), at_src(m, m->keys[i].off), &off);
		if (err)
			return err;
		m->keys[i].off = off;
	}
	a = m->arena;
	m->arena = m->spare;
	m->spare = a;
	m->spare.len = 0;
	m->dead_bytes = 0;
	return 0;
}

/* Release the records stamped before limit (all of them if all is set);
 * the others stay held, in order, for the next round. */
static int release(struct tr_merge *m, uint64_t limit, int all)
{
	int err;

	if (m->head == m->n)
		return 0;
	sort_held(m);
	while (m->head < m->n && (all || m->keys[m->head].ts < limit)) {
		uint64_t off = m->keys[m->head].off;
		const struct tr_rec_hdr *rec = at_rec(m, off);
		size_t pad = rec_pad(rec);

		m->head++;
		m->held_bytes -= pad;
		m->dead_bytes += pad + sizeof(struct tr_src);
		err = m->fn(m->ctx, rec, at_src(m, off));
		if (err)
			return err;
	}
	if (m->head == m->n) {
		m->head = m->sorted = m->n = 0;
		m->arena.len = 0;
		m->dead_bytes = 0;
		return 0;
	}
	/* Reclaim released space once it outweighs what is held. */
	if (m->head >= m->n - m->head) {
		memmove(m->keys, m->keys + m->head, (m->n - m->head) * sizeof(*m->keys));
		m->n -= m->head;
		m->sorted = m->n;
		m->head = 0;
	}
	if (m->dead_bytes >= m->arena.len - m->dead_bytes)
		return compact(m);
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
	return m->n - m->head;
}

const struct tr_merge_stats *tr_merge__stats(const struct tr_merge *m)
{
	return &m->stats;
}
