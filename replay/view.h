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
#include "record.h"
#include "src.h"

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

	/* TR_VIEW_EVENT. For an event sent at syscall entry, ev->retval is
	 * already the value from its TR_REC_RETVAL (paired = 1), or 0 when none
	 * came (paired = 0). */
	const struct tr_event *ev;
	uint8_t paired;
	struct tr_arg_val args[TR_MAX_ARGS];
	const struct tr_proc_node *proc; /* the task's process */

	/* TR_VIEW_GAP */
	const struct tr_gap *gap;
};

/* Wire type sets for the accessors: 1 << TR_T_* for each wire accepted. */
#define TR_WIRE_BIT(w) (1U << (w))
#define TR_WIRES_INT (TR_WIRE_BIT(TR_T_INT32) | TR_WIRE_BIT(TR_T_UINT32) | \
		      TR_WIRE_BIT(TR_T_INT64) | TR_WIRE_BIT(TR_T_UINT64))
#define TR_WIRES_STR TR_WIRE_BIT(TR_T_STR)
#define TR_WIRES_STR_ARRAY TR_WIRE_BIT(TR_T_STR_ARRAY)

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

#endif /* TR_VIEW_H */
