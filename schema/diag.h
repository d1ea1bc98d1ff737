/* SPDX-License-Identifier: MIT */
/*
 * diag.h: what the programs print on stderr about a failure or the input.
 *
 * Errors, printed as
 *   PROG: error: MESSAGE
 * are the one funnel of the three programs' failures.
 *
 * Warnings about the input, printed as
 *   PROG: warning: FILE: offset N: MESSAGE
 * Damage in a recording is reported and skipped, never fatal, so the
 * library needs one place that prints and counts it; the summary at the end
 * of a run comes from the counts.
 */
#ifndef TR_DIAG_H
#define TR_DIAG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* "PROG: error: MESSAGE\n" on stderr. */
__attribute__((format(printf, 2, 3)))
void tr_diag__error(const char *prog, const char *fmt, ...);
/* The same with a va_list, for a printer of its own (a usage error). */
__attribute__((format(printf, 2, 0)))
void tr_diag__verror(const char *prog, const char *fmt, va_list ap);

/* Past this many printed warnings the rest are only counted, so a shredded
 * recording does not bury the summary. */
#define TR_DIAG_MAX_PRINTED 1000

struct tr_diag {
	const char *prog;	/* program name for the prefix */
	FILE *out;		/* usually stderr; NULL prints nothing */
	uint64_t warnings;	/* reported so far (printed or not) */
	uint64_t damage;	/* of those, damage to the input: exit status 3 */
	/* every warning, printed or not, also goes here (NULL: nowhere) */
	void (*hook)(void *ctx, int damage, const char *file, int64_t offset, const char *msg);
	void *hook_ctx;
};

/* offset < 0: no offset part. file may be NULL. */
__attribute__((format(printf, 4, 5)))
void tr_diag__warn(struct tr_diag *d, const char *file, int64_t offset, const char *fmt, ...);

/* A warning that the input is damaged or incomplete: the run still does
 * its job, and ends with exit status 3 (DESIGN.md, exit codes). */
__attribute__((format(printf, 4, 5)))
void tr_diag__damage(struct tr_diag *d, const char *file, int64_t offset, const char *fmt, ...);

/* The same prefix for a final note ("PROG: warning: ..."), never suppressed. */
__attribute__((format(printf, 2, 3)))
void tr_diag__summary(struct tr_diag *d, const char *fmt, ...);

#endif /* TR_DIAG_H */
