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

/* The argument called name, or NULL if the event has none or it is absent.
 * By name, not index, so that code stays right for recordings made with a
 * catalog that grew. */
static inline const struct tr_arg_val *tr_view__arg(const struct tr_event_view *v, const char *name)
{
	for (unsigned i = 0; i < v->def->nargs && i < TR_MAX_ARGS; i++)
		if (v->args[i].present && !strcmp(v->def->args[i].name, name))
			return &v->args[i];
	return NULL;
}

#endif /* TR_VIEW_H */
