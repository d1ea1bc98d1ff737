/* SPDX-License-Identifier: MIT */
/*
 * sigexcept.h: exceptions, as Falco rules have them: findings a responder
 * knows to be benign (their own tooling run from /tmp, a package manager
 * writing sudoers) are suppressed, and each suppression is counted against
 * the exception that made it, so the summary says what was left out.
 *
 * One exception per line, in a file (--exceptions FILE) or on the command
 * line (--except 'LINE'):
 *
 *   [NAME:] KEY=VALUE [KEY=VALUE ...]       # comment
 *
 * All keys of a line must match (and); a VALUE may list alternatives
 * separated by "," (or), each a glob (fnmatch(3): * ? [..]), quoted with
 * "..." when it holds spaces. Keys:
 *   signature  the signature's id or name             signature=TRR-1001
 *   exe        the process's executable path          exe=/opt/ir/bin?*
 *   comm       the process's comm                     comm=osqueryd,auditbeat
 *   ancestor   the executable of any ancestor         ancestor=/usr/sbin/cron
 *   container  host, container, or any                container=host
 *   user       the uid (root is 0)                    user=0,1000
 *   arg.KEY    a value of the finding's data          arg.pathname=/var/log/apt/?*
 * NAME defaults to FILE:LINE (or "--except N").
 */
#ifndef TR_SIGEXCEPT_H
#define TR_SIGEXCEPT_H

#include <stdint.h>
#include <stdio.h>

#include "signature.h"

struct tr_exceptions;

struct tr_exceptions *tr_exceptions__new(void);
/* Add one line; where names it in errors and is its default name. 0 (also
 * for a blank or comment line), or -EINVAL with the reason in err. */
int tr_exceptions__add(struct tr_exceptions *x, const char *line, const char *where, char *err, size_t errlen);
/* Every line of path. 0, or -errno with "FILE:LINE: reason" in err. */
int tr_exceptions__load(struct tr_exceptions *x, const char *path, char *err, size_t errlen);
size_t tr_exceptions__count(const struct tr_exceptions *x);
/* tr_suppress_fn: 1 when an exception matches f (and counts it there). */
int tr_exceptions__match(void *x, const struct tr_finding *f, const struct tr_proctree *tree);
/* One line per exception: "exception NAME suppressed N findings". */
void tr_exceptions__summary(const struct tr_exceptions *x, FILE *out, const char *prog);
uint64_t tr_exceptions__hits(const struct tr_exceptions *x, size_t i);
void tr_exceptions__free(struct tr_exceptions *x);

#endif /* TR_SIGEXCEPT_H */
