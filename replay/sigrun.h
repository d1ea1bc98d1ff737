/* SPDX-License-Identifier: MIT */
/*
 * sigrun.h: the signatures of one run, as the command line asks for them:
 * the built-ins, out-of-tree plugins (--signatures-dir), Sigma rules
 * (--sigma), a selection among them (--signatures) and exceptions
 * (--exceptions, --except). Shared by tracee-replay and tracee-analyze.
 */
#ifndef TR_SIGRUN_H
#define TR_SIGRUN_H

#include <stdio.h>

#include "signature.h"

#define TR_SIGRUN_MAX_PATHS 64

struct tr_sigrun_opts {
	const char *prog;		/* for messages */
	const char *select;		/* --signatures LIST, NULL: all */
	const char *dirs[TR_SIGRUN_MAX_PATHS];	/* --signatures-dir */
	size_t ndirs;
	const char *sigma[TR_SIGRUN_MAX_PATHS];	/* --sigma DIR|FILE */
	size_t nsigma;
	const char *exc_files[TR_SIGRUN_MAX_PATHS]; /* --exceptions FILE */
	size_t nexc_files;
	const char *exc_rules[TR_SIGRUN_MAX_PATHS]; /* --except RULE */
	size_t nexc_rules;
};

/* The command-line options that name them, the same in every tool that
 * runs signatures: rows for a getopt_long table (<getopt.h>), whose codes
 * tr_sigrun__option takes. */
#define TR_SIGRUN_OPT_SELECT 's'	/* --signatures LIST */
#define TR_SIGRUN_OPT_DIR 'S'		/* --signatures-dir DIR */
#define TR_SIGRUN_OPT_SIGMA 'G'		/* --sigma DIR|FILE */
#define TR_SIGRUN_OPT_EXC_FILE 'E'	/* --exceptions FILE */
#define TR_SIGRUN_OPT_EXC_RULE 'X'	/* --except RULE */
#define TR_SIGRUN_LONGOPTS \
	{ "signatures", required_argument, NULL, TR_SIGRUN_OPT_SELECT }, \
	{ "signatures-dir", required_argument, NULL, TR_SIGRUN_OPT_DIR }, \
	{ "sigma", required_argument, NULL, TR_SIGRUN_OPT_SIGMA }, \
	{ "exceptions", required_argument, NULL, TR_SIGRUN_OPT_EXC_FILE }, \
	{ "except", required_argument, NULL, TR_SIGRUN_OPT_EXC_RULE }

/* Option c (a getopt_long code) with its argument into o: 1 when c names
 * signatures (--signatures, --signatures-dir, --sigma), 2 when it is an
 * exception (--exceptions, --except), 0 when c is none of these (o left
 * alone); -E2BIG past TR_SIGRUN_MAX_PATHS of one option, with
 * "too many --sigma options" in err. arg is kept, not copied. */
int tr_sigrun__option(struct tr_sigrun_opts *o, int c, const char *arg, char *err, size_t errlen);

struct tr_sigrun;

/* Load everything o names. Errors (a plugin refused, an exceptions file
 * that does not parse, an unknown signature in the selection) are printed
 * as "PROG: error: ..." on stderr; then -errno. Sigma rules that use what
 * we do not support are refused one by one with their reason, and the run
 * goes on (summarised by tr_sigrun__summary). */
int tr_sigrun__load(struct tr_sigrun **out, const struct tr_sigrun_opts *o);
/* The selected signatures, in table order. */
const struct tr_signature *const *tr_sigrun__sigs(const struct tr_sigrun *r, size_t *n);
/* Every loaded signature (selected or not), one per line: id, severity,
 * origin, MITRE, name, events, status; tab-separated. */
void tr_sigrun__list(const struct tr_sigrun *r, FILE *f);
/* The exceptions' filter, for tr_replay_opts.suppress (NULL when none). */
tr_suppress_fn tr_sigrun__suppress(struct tr_sigrun *r, void **ctx);
/* Summary lines on stderr: Sigma rules loaded and refused (by reason),
 * findings suppressed per exception. */
void tr_sigrun__summary(const struct tr_sigrun *r, FILE *f);
void tr_sigrun__free(struct tr_sigrun *r);

#endif /* TR_SIGRUN_H */
