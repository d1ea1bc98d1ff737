/* SPDX-License-Identifier: MIT */
/*
 * view.h: one item of replay output, as the pipeline hands it to its sink
 * and to signatures: a catalog event with its decoded arguments and
 * enrichment, or a gap (events lost on a CPU).
 */
#ifndef TR_VIEW_H
#define TR_VIEW_H

#include <stdint.h>
#include <string.h>

#include "proctree.h"
#include "fdtable.h"
#include "record.h"
#include "src.h"

/* Wire type sets for the accessors: 1 << TR_T_* for each wire accepted. */
#define TR_WIRE_BIT(w) (1U << (w))
#define TR_WIRES_INT (TR_WIRE_BIT(TR_T_INT32) | TR_WIRE_BIT(TR_T_UINT32) | \
		      TR_WIRE_BIT(TR_T_INT64) | TR_WIRE_BIT(TR_T_UINT64))
#define TR_WIRES_STR TR_WIRE_BIT(TR_T_STR)
#define TR_WIRES_STR_ARRAY TR_WIRE_BIT(TR_T_STR_ARRAY)

/* Argument keys (argkey.def): TR_AK_FD, TR_AK_PATHNAME, ... */
enum tr_argkey {
#define TR_ARGKEY(sym, name, wires) TR_AK_##sym,
#include "argkey.def"
#undef TR_ARGKEY
	TR_AK_MAX,
};

/* What the engine knows of one event type of the recording's catalog,
 * computed once when it starts: where each argument key sits (-1: the
 * event has no such argument of a readable wire type). */
struct tr_evinfo {
	const struct tr_event_def *def;
	int8_t idx[TR_AK_MAX];
	uint32_t bool_args;	/* bit i: argument i is a "bool" */
	uint32_t time_args;	/* bit i: a "time.Time" (by this build's catalog, for old recordings) */
	void *cache;		/* the JSON writer's constant text of this type (json.c);
				 * whoever owns the evinfo calls tr_evinfo__fini */
};

void tr_evinfo__free_cache(void *cache);

static inline void tr_evinfo__fini(struct tr_evinfo *info)
{
	tr_evinfo__free_cache(info->cache);
	info->cache = NULL;
}

enum tr_view_kind {
	TR_VIEW_EVENT = 1,
	TR_VIEW_GAP = 2,
};

struct tr_event_view {
	enum tr_view_kind kind;
	uint64_t ordinal;	/* 1-based position in replay order: the line
				 * number in tracee-replay's event output */
	struct tr_src src;	/* where the record is in the recording */
	const struct tr_event_def *def; /* from the recording's catalog */
	const struct tr_evinfo *info;	/* def's argument keys */
	uint8_t derived;		/* made by the derive stage (replay/derive/) */
	const struct tr_event_def *origin; /* derived: the event it was made from */

	/* TR_VIEW_EVENT. For an event sent at syscall entry, ev->retval is
	 * already the value from its TR_REC_RETVAL (paired = 1), or 0 when none
	 * came (paired = 0). */
	const struct tr_event *ev;
	uint8_t paired;
	struct tr_arg_val args[TR_MAX_ARGS];
	const struct tr_proc_node *proc; /* the task's process */

	/* Enrichment of this event (replay/enrich/), as of just before it
	 * took effect: valid during the sink and signature calls only. */
	uint64_t thread_start_ns;	/* the thread's own start (boot ns), 0: unknown */
	const struct tr_container *container; /* NULL: not in a container */
	const char *user;		/* the uid's name (USER records), NULL: unknown */
	/* The absolute forms of the event's path arguments (dirfd and cwd
	 * applied; p NULL when they cannot be known). */
	struct tr_view_path {
		int8_t arg;		/* argument index, -1: none */
		const char *p;
		uint32_t len;
	} path[2];
	/* What the event's fd arguments referred to (NULL: unknown). */
	struct tr_view_fd {
		int8_t arg;
		const struct tr_fdent *f;
	} fd[2];

	/* TR_VIEW_GAP */
	const struct tr_gap *gap;
};


/* The argument called name if it is present and its wire type is one of
 * wires (TR_WIRES_*), else NULL. By name, not index, so that code stays
 * right for recordings made with a catalog that grew; and by type too,
 * because the catalog comes from the recording: one that retypes an
 * argument (child_pid as a STR) must not make code read the union member
 * it expects (a pointer read as a pid). The engine reports such catalogs
 * once, when it starts (pipeline.c). */
static inline const struct tr_arg_val *tr_view__arg(const struct tr_event_view *v, const char *name,
						    unsigned wires)
{
	for (unsigned i = 0; i < v->def->nargs && i < TR_MAX_ARGS; i++)
		if (v->args[i].present && !strcmp(v->def->args[i].name, name))
			return v->args[i].wire <= TR_T_MAX && (wires & TR_WIRE_BIT(v->args[i].wire))
			       ? &v->args[i] : NULL;
	return NULL;
}

/* An integer argument (any integer wire; INT32 sign-extended, as decoded)
 * as 64 bits, or dflt when absent or not an integer. */
static inline uint64_t tr_view__u64(const struct tr_event_view *v, const char *name, uint64_t dflt)
{
	const struct tr_arg_val *a = tr_view__arg(v, name, TR_WIRES_INT);

	return a ? a->u : dflt;
}

static inline int64_t tr_view__i64(const struct tr_event_view *v, const char *name, int64_t dflt)
{
	const struct tr_arg_val *a = tr_view__arg(v, name, TR_WIRES_INT);

	return a ? a->i : dflt;
}

/* A STR argument: 1 with its bytes (not NUL-terminated), 0 when absent
 * or of another wire type. */
static inline int tr_view__str(const struct tr_event_view *v, const char *name, const uint8_t **p,
			       uint32_t *len)
{
	const struct tr_arg_val *a = tr_view__arg(v, name, TR_WIRES_STR);

	*p = a ? a->b.p : NULL;
	*len = a ? a->b.len : 0;
	return !!a;
}

/* A STR_ARRAY argument (elements each ended by a NUL), the same way. */
static inline int tr_view__strv(const struct tr_event_view *v, const char *name, const uint8_t **p,
				uint32_t *len)
{
	const struct tr_arg_val *a = tr_view__arg(v, name, TR_WIRES_STR_ARRAY);

	*p = a ? a->b.p : NULL;
	*len = a ? a->b.len : 0;
	return !!a;
}

/* Fill info for def: each key's argument index, or -1. */
static inline void tr_evinfo__init(struct tr_evinfo *info, const struct tr_event_def *def)
{
	static const struct { const char *name; unsigned wires; } keys[TR_AK_MAX] = {
#define TR_ARGKEY(sym, n, w) [TR_AK_##sym] = { n, w },
#include "argkey.def"
#undef TR_ARGKEY
	};

	info->def = def;
	info->cache = NULL;
	info->bool_args = info->time_args = 0;
	for (unsigned i = 0; def && i < def->nargs && i < TR_MAX_ARGS; i++) {
		const struct tr_event_def *ours = tr_catalog__find(tr_catalog__builtin(), def->id);
		const char *type = def->args[i].type;

		if (type && !strcmp(type, "bool"))
			info->bool_args |= 1U << i;
		if (type && !strcmp(type, "time.Time"))
			info->time_args |= 1U << i;
		for (unsigned k = 0; ours && ours != def && k < ours->nargs; k++)
			if (!strcmp(ours->args[k].name, def->args[i].name)) {
				if (!strcmp(ours->args[k].type, "time.Time"))
					info->time_args |= 1U << i;
				break;
			}
	}
	for (unsigned k = 0; k < TR_AK_MAX; k++) {
		info->idx[k] = -1;
		for (unsigned i = 0; def && i < def->nargs && i < TR_MAX_ARGS; i++)
			if (keys[k].name ? !strcmp(def->args[i].name, keys[k].name)
					 : def->args[i].wire <= TR_T_MAX &&
					   (keys[k].wires & TR_WIRE_BIT(def->args[i].wire))) {
				if (def->args[i].wire <= TR_T_MAX &&
				    (keys[k].wires & TR_WIRE_BIT(def->args[i].wire)))
					info->idx[k] = (int8_t)i;
				break;
			}
	}
}

/* The same, computed once per process for an event of the built-in
 * catalog (copied from there; cache left NULL), else as tr_evinfo__init. */
void tr_evinfo__init_shared(struct tr_evinfo *info, const struct tr_event_def *def);

/* Keyed accessors: one array look-up. NULL / dflt / 0 when the event has
 * no such argument or the record left it out. */
static inline const struct tr_arg_val *tr_view__key(const struct tr_event_view *v, enum tr_argkey k)
{
	int i = v->info ? v->info->idx[k] : -1;

	return i >= 0 && v->args[i].present ? &v->args[i] : NULL;
}

static inline int64_t tr_view__ki64(const struct tr_event_view *v, enum tr_argkey k, int64_t dflt)
{
	const struct tr_arg_val *a = tr_view__key(v, k);

	return a ? a->i : dflt;
}

static inline uint64_t tr_view__ku64(const struct tr_event_view *v, enum tr_argkey k, uint64_t dflt)
{
	const struct tr_arg_val *a = tr_view__key(v, k);

	return a ? a->u : dflt;
}

/* Bytes of a STR, STR_ARRAY, BYTES or SOCKADDR key: 1 with p/len, or 0. */
static inline int tr_view__kbytes(const struct tr_event_view *v, enum tr_argkey k, const uint8_t **p,
				  uint32_t *len)
{
	const struct tr_arg_val *a = tr_view__key(v, k);

	*p = a ? a->b.p : NULL;
	*len = a ? a->b.len : 0;
	return !!a;
}

#endif /* TR_VIEW_H */
