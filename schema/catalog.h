/* SPDX-License-Identifier: MIT */
/* catalog.h: event ids for every reader of schema/catalog.def, and the
 * userland view of the catalog (names and argument types). */
#ifndef TR_CATALOG_H
#define TR_CATALOG_H

#include "tr_format.h"

/* Event ids: TR_EV_EXECVE, TR_EV_OPENAT, ... */
enum tr_event_id {
#define TR_ARG(wire, type, name)
#define TR_EVENT(id, sym, name, ia32, sets, ...) TR_EV_##sym = id,
#include "catalog.def"
#undef TR_EVENT
#undef TR_ARG
};

/* Event sets (tr_event_def.sets, the catalog's fifth column). */
#define TR_SET_DEFAULT	 0x0001U /* recorded by default */
#define TR_SET_DERIVED	 0x0002U /* made by replay from other events, never recorded */
#define TR_SET_EXTERNAL	 0x0004U /* only read from other tools' logs (Tracee JSON) */
#define TR_SET_SYSCALL	 0x0008U /* a syscall: id is its x86_64 number */
#define TR_SET_PROC	 0x0010U /* processes: life, ids, memory, signals */
#define TR_SET_FILE	 0x0020U /* files, directories, fds, pipes */
#define TR_SET_NET	 0x0040U /* sockets, packets, flows */
#define TR_SET_SYSTEM	 0x0080U /* modules, bpf, kexec, kernel integrity */
#define TR_SET_CONTAINER 0x0100U /* containers and cgroups */

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
	int16_t ia32;		/* 32-bit syscall number, -1: none */
	uint16_t sets;		/* TR_SET_* */
	uint8_t nargs;
	struct tr_arg_def args[TR_MAX_ARGS];
};

#define TR_CATALOG_REMAP_MAX 8

/* A catalog: the built-in one, or one read back from a recording. */
struct tr_catalog {
	size_t n;
	const struct tr_event_def *events; /* sorted by id */
	/* A recording's ids that tr_catalog__canonicalize moved to this
	 * build's (records carry the old ones). */
	size_t nremap;
	struct { uint32_t from, to; } remap[TR_CATALOG_REMAP_MAX];
};

/* The catalog compiled into this build. */
const struct tr_catalog *tr_catalog__builtin(void);
/* The definition of event id, or NULL. */
const struct tr_event_def *tr_catalog__find(const struct tr_catalog *c, uint32_t id);
/* Map a recording's catalog onto this build's ids by name (version 1
 * numbered the sched events 1002-1004); returns how many moved. */
int tr_catalog__canonicalize(struct tr_catalog *c);
/* The id a record's event_id stands for after tr_catalog__canonicalize. */
uint32_t tr_catalog__canon_id(const struct tr_catalog *c, uint32_t id);
/* Wire type name ("STR", ...) and back; 0 for an unknown name. */
const char *tr_wire__name(uint8_t wire);
uint8_t tr_wire__from_name(const char *name);
#endif

#endif /* TR_CATALOG_H */
