/* SPDX-License-Identifier: MIT */
/*
 * output.h: the output formats of replay, one row each:
 *   json          Tracee's event JSON, one object a line (json.h)
 *   json-compact  a short line: time, ids, names, and args as one object
 *                 {name: value} with only the arguments the record has
 *   table         aligned columns for a terminal: UTC time with ns, uid,
 *                 comm, pid, tid, return value, event, arguments parsed
 *                 (--parse-args is on by default)
 *   none          nothing (the replay still runs: damage, exit status, timing)
 */
#ifndef TR_OUTPUT_H
#define TR_OUTPUT_H

#include "json.h"

enum tr_out_format {
	TR_OUT_JSON = 0,
	TR_OUT_JSON_COMPACT = 1,
	TR_OUT_TABLE = 2,
	TR_OUT_NONE = 3,	/* nothing: read, enrich, check (exit status), run signatures */
};

/* The format called name, or -1. */
int tr_output__format(const char *name);
/* The header line of the format (table), or nothing. */
void tr_output__header(struct tr_buf *b, enum tr_out_format fmt);
int tr_output__event(struct tr_buf *b, enum tr_out_format fmt, const struct tr_json_host *h,
		     const struct tr_event_view *v);
int tr_output__finding(struct tr_buf *b, enum tr_out_format fmt, const struct tr_json_host *h,
		       const struct tr_finding *f);

#endif /* TR_OUTPUT_H */
