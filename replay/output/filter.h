/* SPDX-License-Identifier: MIT */
/*
 * filter.h: which events replay prints, as a responder selects them:
 * --events (names, families, "derived", "all"), --pid (with
 * --descendants), --comm, --container, --exe, --path GLOB and a time window
 * --since/--until. All given filters must hold. The event table is a bitmap
 * by id, built once; a view is tested with look-ups, not string compares,
 * except for the globs.
 */
#ifndef TR_FILTER_H
#define TR_FILTER_H

#include <stdint.h>

#include "view.h"

#define TR_FILTER_IDS 16384	/* event ids below this can be selected */
#define TR_FILTER_MAX 64	/* values per option */

struct tr_filter {
	uint8_t has_events;
	uint8_t derived;		/* some derived event is selected */
	uint8_t ids[TR_FILTER_IDS / 8];
	uint32_t pids[TR_FILTER_MAX];
	unsigned npids;
	int descendants;
	const char *comms[TR_FILTER_MAX];
	unsigned ncomms;
	const char *containers[TR_FILTER_MAX]; /* id prefixes; "any": in any container */
	unsigned ncontainers;
	const char *exes[TR_FILTER_MAX];	/* globs */
	unsigned nexes;
	const char *paths[TR_FILTER_MAX];	/* globs */
	unsigned npaths;
	int64_t since_wall, until_wall;		/* ns; 0: open */
	int64_t boot_to_wall;
	const struct tr_proctree *tree;		/* for --descendants */
};

/* Add the comma-separated event names or families of spec ("execve,file,
 * derived", "all"). 0, or -EINVAL with the unknown name in err. */
int tr_filter__events(struct tr_filter *f, const char *spec, char *err, size_t errlen);
/* Parse a time: RFC 3339 (2026-12-01T04:00:00Z, fractions and offsets too)
 * into wall ns, or "+30s"/"+1m"/"+500ms" relative to start_wall.
 * 0 or -EINVAL. */
int tr_filter__time(const char *s, int64_t start_wall, int64_t *out);
/* Whether v passes (findings: their triggering event's view, without the
 * event-name test). */
int tr_filter__match(const struct tr_filter *f, const struct tr_event_view *v, int names);

#endif /* TR_FILTER_H */
