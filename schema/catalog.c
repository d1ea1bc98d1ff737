// SPDX-License-Identifier: MIT
/* catalog.c: the built-in event catalog, expanded from catalog.def. */
#include <string.h>

#include "catalog.h"

#define TR_ARG(w, t, n) { TR_T_##w, t, n }
#define TR_EVENT(i, sym, n, ...)                                                  \
	{ .id = i, .name = n,                                                     \
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
