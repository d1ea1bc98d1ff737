// SPDX-License-Identifier: MIT
/* catalog.c: the built-in event catalog, expanded from catalog.def. */
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
int tr_catalog__canonicalize(struct tr_catalog *c)
{
	const struct tr_catalog *b = tr_catalog__builtin();
	struct tr_event_def *ev = (struct tr_event_def *)c->events;
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < b->n; j++) {
			if (strcmp(ev[i].name, b->events[j].name))
				continue;
			ev[i].ia32 = b->events[j].ia32;
			ev[i].sets = b->events[j].sets;
			if (ev[i].id == b->events[j].id || tr_catalog__find(c, b->events[j].id) ||
			    n == TR_CATALOG_REMAP_MAX)
				break;
			c->remap[n].from = ev[i].id;
			c->remap[n].to = b->events[j].id;
			n++;
			break;
		}
	}
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < c->n; i++)
			if (ev[i].id == c->remap[k].from) {
				ev[i].id = c->remap[k].to;
				break;
			}
	c->nremap = n;
	if (n) { /* keep the events sorted by id */
		for (size_t i = 1; i < c->n; i++)
			for (size_t k = i; k > 0 && ev[k - 1].id > ev[k].id; k--) {
				struct tr_event_def t = ev[k - 1];

				ev[k - 1] = ev[k];
				ev[k] = t;
			}
	}
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
