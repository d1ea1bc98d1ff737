/* SPDX-License-Identifier: MIT */
/*
 * tracee_json.h: Tracee's JSON event lines (tracee --output json) as an
 * input of the replay engine. Each line's eventName is mapped onto this
 * build's catalog by name; its context (timestamp, processId, threadId,
 * hostProcessId, threadStartTime, processName, userId, cgroupId, ...) fills
 * a TR_REC_EVENT and its args ([{name, type, value}]) are encoded by the
 * catalog's wire types, so the events go through the same enrichment,
 * derivation and signatures as a recording's. Times stay Tracee's
 * wall-clock ns (boot_to_wall 0).
 *
 * A line that is not JSON, not an object, has no known eventName, or an
 * argument whose value does not fit its type is reported with its line
 * number (FILE:LINE) as damage and skipped; the rest is read.
 */
#ifndef TR_TRACEE_JSON_H
#define TR_TRACEE_JSON_H

#include <stdio.h>

#include "pipeline.h"

struct tr_tj_stats {
	uint64_t lines;
	uint64_t events;
	uint64_t bad;		/* reported and skipped */
};

/* Read every line of in (named name in messages) into e, then finish it.
 * 0 or -errno (from the engine or reading). stop: set to stop early. */
int tr_tracee_json__run(FILE *in, const char *name, struct tr_engine *e, struct tr_diag *diag,
			const volatile sig_atomic_t *stop, struct tr_tj_stats *st);
/* One line (no newline needed), for tests and the fuzz target: 1 pushed,
 * 0 skipped (reported), -errno. */
int tr_tracee_json__line(const char *line, size_t len, const char *name, uint64_t lineno,
			 struct tr_engine *e, struct tr_diag *diag);

#endif /* TR_TRACEE_JSON_H */
