/* SPDX-License-Identifier: MIT */
/*
 * derive.h: the derive stage. Events computed from recorded ones, after
 * enrichment and before delivery, with Tracee v0.24.1's ids, names and
 * arguments (security_file_open, magic_write, socket_dup, ...).
 *
 * One table (derive.c) lists each derived event, the events it consumes
 * and the function that makes it; a function sees the source event with
 * its enrichment (absolute paths, fd entries, the process) and fills the
 * derived event's arguments. A derived event carries its source's task
 * context and position in the recording (findings on it point at the
 * record it came from), and follows its source in the output.
 */
#ifndef TR_DERIVE_H
#define TR_DERIVE_H

#include "enrich.h"
#include "view.h"

struct tr_derive;

/* Called for each derived event; 0 or -errno to stop. */
typedef int (*tr_derive_emit_fn)(void *ctx, struct tr_event_view *v);

/* want(ctx, id): whether derived event id is wanted (NULL: all are). */
int tr_derive__new(struct tr_derive **out, const struct tr_catalog *catalog, const struct tr_enrich *en,
		   int (*want)(void *ctx, uint32_t id), tr_derive_emit_fn emit, void *ctx);
void tr_derive__free(struct tr_derive *d);
/* Run the derivations that consume src's event. */
int tr_derive__event(struct tr_derive *d, const struct tr_event_view *src);
/* The derived events this build makes, for --list-events and tests: the
 * name of the i-th table row and of its sources (NULL past the end). */
const char *tr_derive__row(size_t i, const char *const **sources);

#endif /* TR_DERIVE_H */
