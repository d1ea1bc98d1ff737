/* SPDX-License-Identifier: MIT */
/* catalog.h: event ids for every reader of schema/catalog.def, and the
 * userland view of the catalog (names and argument types). */
#ifndef TR_CATALOG_H
#define TR_CATALOG_H

#include "tr_format.h"

/* Event ids: TR_EV_EXECVE, TR_EV_OPENAT, ... */
enum tr_event_id {
#define TR_ARG(wire, type, name)
#define TR_EVENT(id, sym, name, ...) TR_EV_##sym = id,
#include "catalog.def"
#undef TR_EVENT
#undef TR_ARG
};

#ifndef __VMLINUX_H__
#include <stdint.h>
#include <stddef.h>

struct tr_arg_def {
	uint8_t wire;		/* enum tr_wire_type */
	const char *type;	/* C type printed in JSON */
	const char *name;
};

struct tr_event_def {
	uint32_t id;
	const char *name;
	uint8_t nargs;
	struct tr_arg_def args[TR_MAX_ARGS];
};

/* A catalog: the built-in one, or one read back from a recording. */
struct tr_catalog {
	size_t n;
	const struct tr_event_def *events; /* sorted by id */
};

/* The catalog compiled into this build. */
const struct tr_catalog *tr_catalog__builtin(void);
/* The definition of event id, or NULL. */
const struct tr_event_def *tr_catalog__find(const struct tr_catalog *c, uint32_t id);
/* Wire type name ("STR", ...) and back; 0 for an unknown name. */
const char *tr_wire__name(uint8_t wire);
uint8_t tr_wire__from_name(const char *name);
#endif

#endif /* TR_CATALOG_H */
