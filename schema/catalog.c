// SPDX-License-Identifier: MIT
/* catalog.c: the built-in event catalog, expanded from catalog.def. */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

#define TR_ARG(w, t, n) { TR_T_##w, t, n }
#define TR_EVENT(i, sym, n, ia, st, ...)                                          \
	{ .id = i, .name = n, .ia32 = ia, .sets = st,                             \
	  .nargs = sizeof((struct tr_arg_def[]){ __VA_ARGS__ }) / sizeof(struct tr_arg_def), \
	  .args = { __VA_ARGS__ } },
static const struct tr_event_def builtin_events[] = {
#include "catalog.def"
};
#undef TR_EVENT
#undef TR_ARG

static const struct tr_catalog builtin = {
	.n = sizeof(builtin_events) / sizeof(builtin_events[0]),
	.events = builtin_events,
};

const struct tr_catalog *tr_catalog__builtin(void)
{
	return &builtin;
}

/* A name of the built-in catalog whose id differs in c (version-1
 * recordings numbered the sched events 1002-1004) is mapped onto the
 * built-in id, unless c uses that id for something else. Events known by
 * name get this build's sets and ia32 numbers (a manifest has neither). */
static int tr_event_def_cmp(const void *a, const void *b)
{
	const struct tr_event_def *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Is id taken in c while the events listed in c->remap have moved? c is
 * sorted by the ids it came with (the remaps' "from"). */
static int tr_catalog__taken(const struct tr_catalog *c, size_t nmoved, uint32_t id)
{
	for (size_t k = 0; k < nmoved; k++)
		if (c->remap[k].to == id)
			return 1;
	for (size_t k = 0; k < nmoved; k++)
		if (c->remap[k].from == id)
			return 0;	/* its first holder moved away */
	return tr_catalog__find(c, id) != NULL;
}

int tr_catalog__canonicalize(struct tr_catalog *c)
{
	const struct tr_catalog *b = tr_catalog__builtin();
	struct tr_event_def *ev = (struct tr_event_def *)c->events;
	size_t n = 0;
	int moved = 1;

	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (!strcmp(ev[i].name, b->events[j].name)) {
				ev[i].ia32 = b->events[j].ia32;
				ev[i].sets = b->events[j].sets;
				break;
			}
	/* Move until nothing more can move, so that canonicalizing the result
	 * again (a rewritten manifest) changes nothing: an event whose id is
	 * taken by one that moves away later gets it on the next pass. */
	while (moved && n < TR_CATALOG_REMAP_MAX) {
		moved = 0;
		for (size_t i = 0; i < c->n && n < TR_CATALOG_REMAP_MAX; i++) {
			const struct tr_event_def *d = NULL;
			int done = 0;

			for (size_t k = 0; k < n; k++)
				done |= c->remap[k].from == ev[i].id;
			for (size_t j = 0; !done && !d && j < b->n; j++)
				if (!strcmp(ev[i].name, b->events[j].name))
					d = &b->events[j];
			if (done || !d || d->id == ev[i].id || tr_catalog__taken(c, n, d->id))
				continue;
			c->remap[n].from = ev[i].id;
			c->remap[n].to = d->id;
			n++;
			moved = 1;
		}
	}
	c->nremap = n;
	if (!n)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		ev[i].id = tr_catalog__canon_id(c, ev[i].id);
	qsort(ev, c->n, sizeof(*ev), tr_event_def_cmp);
	return (int)n;
}

uint32_t tr_catalog__canon_id(const struct tr_catalog *c, uint32_t id)
{
	for (size_t k = 0; k < c->nremap; k++)
		if (c->remap[k].from == id)
			return c->remap[k].to;
	return id;
}

const struct tr_event_def *tr_catalog__find(const struct tr_catalog *c, uint32_t id)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->events[mid].id == id)
			return &c->events[mid];
		if (c->events[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *const wire_names[TR_T_MAX + 1] = {
	[TR_T_INT32] = "INT32",	  [TR_T_UINT32] = "UINT32",
	[TR_T_INT64] = "INT64",	  [TR_T_UINT64] = "UINT64",
	[TR_T_STR] = "STR",	  [TR_T_STR_ARRAY] = "STR_ARRAY",
	[TR_T_BYTES] = "BYTES",	  [TR_T_SOCKADDR] = "SOCKADDR",
	[TR_T_JSON] = "JSON",
};

const char *tr_wire__name(uint8_t wire)
{
	return wire <= TR_T_MAX && wire_names[wire] ? wire_names[wire] : "?";
}

uint8_t tr_wire__from_name(const char *name)
{
	for (uint8_t i = 1; i <= TR_T_MAX; i++)
		if (!strcmp(wire_names[i], name))
			return i;
	return 0;
}
