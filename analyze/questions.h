/* SPDX-License-Identifier: MIT */
/*
 * questions.h: the canned questions a responder asks without SQL, one
 * implementation each, on any store (store/store.h): detections,
 * process-tree, file, ip, timeline, summary.
 */
#ifndef TR_QUESTIONS_H
#define TR_QUESTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "output.h"
#include "store/store.h"

struct tr_qargs {
	const char *arg;	/* PID|ENTITY, PATH-or-GLOB, ADDR|CIDR */
	int min_severity;	/* -1: any */
	int64_t since, until;	/* wall ns, [since, until); INT64_MIN/MAX: open */
	const char *signature;	/* id or name; NULL: any */
	const char *host;	/* hostname; NULL: any */
	enum tr_out_format fmt;
	FILE *out;
};

struct tr_question {
	const char *name;
	int (*run)(struct tr_store *s, const struct tr_qargs *a, char *err, size_t errlen);
	int takes_arg;		/* 1: one ARG after DB */
	unsigned opts;		/* TR_QOPT_*: filters it takes */
};

enum {
	TR_QOPT_SEVERITY = 1,
	TR_QOPT_TIME = 2,
	TR_QOPT_SIGNATURE = 4,
	TR_QOPT_HOST = 8,
};

extern const struct tr_question tr_questions[];
extern const size_t tr_nquestions;
const struct tr_question *tr_question__find(const char *name);

/* A time given on the command line: integer ns since the epoch, or UTC
 * "YYYY-MM-DD[THH:MM[:SS[.frac]]][Z]". 0 or -EINVAL. */
int tr_question__time(const char *s, int64_t *ns);

/* 1 when a recording in the database is damaged, lost events or was
 * interrupted (each named on diag), 0 if none, -errno. */
int tr_question__damage(struct tr_store *s, FILE *diag, const char *prog);

#endif /* TR_QUESTIONS_H */
