/* SPDX-License-Identifier: MIT */
/*
 * diag.h: warnings about the input, printed as
 *   PROG: warning: FILE: offset N: MESSAGE
 * Damage in a recording is reported and skipped, never fatal, so the
 * library needs one place that prints and counts it; the summary at the end
 * of a run comes from the counts.
 */
#ifndef TR_DIAG_H
#define TR_DIAG_H

#include <stdint.h>
#include <stdio.h>

/* Past this many printed warnings the rest are only counted, so a shredded
 * recording does not bury the summary. */
#define TR_DIAG_MAX_PRINTED 1000

struct tr_diag {
	const char *prog;	/* program name for the prefix */
	FILE *out;		/* usually stderr; NULL prints nothing */
	uint64_t warnings;	/* reported so far (printed or not) */
};

/* offset < 0: no offset part. file may be NULL. */
__attribute__((format(printf, 4, 5)))
void tr_diag__warn(struct tr_diag *d, const char *file, int64_t offset, const char *fmt, ...);

/* The same prefix for a final note ("PROG: warning: ..."), never suppressed. */
__attribute__((format(printf, 2, 3)))
void tr_diag__summary(struct tr_diag *d, const char *fmt, ...);

#endif /* TR_DIAG_H */
