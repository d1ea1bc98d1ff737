/* SPDX-License-Identifier: MIT */
/*
 * output.h: rows as the questions print them: an aligned table for people,
 * JSON lines or CSV (RFC 4180) for programs. Column names are the JSON
 * keys; the table shows them in capitals. A column named in json_cols
 * holds JSON already (argv, data) and goes into JSON output as it is.
 *
 * A table is for a terminal: control characters (C0, DEL, C1) in values
 * are written as \xHH, so a crafted exe name cannot move the cursor, set
 * the title or end a line. JSON and CSV escape by their own rules.
 */
#ifndef TR_OUTPUT_H
#define TR_OUTPUT_H

#include <stdio.h>

#include "store/store.h"

enum tr_out_format {
	TR_OUT_TABLE = 0,
	TR_OUT_JSON = 1,
	TR_OUT_CSV = 2,
};

struct tr_out;

/* 0 or -ENOMEM. */
int tr_out__new(struct tr_out **out, enum tr_out_format fmt, FILE *f, const char *const *names, size_t n,
		const char *const *json_cols);
/* One row of n values (copied). 0 or -ENOMEM. */
int tr_out__row(struct tr_out *o, const struct tr_val *vals);
/* Print what is held (tables are held whole for their widths) and free. */
int tr_out__end(struct tr_out *o);
size_t tr_out__rows(const struct tr_out *o);
/* "table", "json", "csv" to a format; -1 for another name. */
int tr_out__format(const char *name);

/* Text shown on a terminal, control characters as \xHH; malloc'd. */
char *tr_out__display(const char *s, size_t len);

#endif /* TR_OUTPUT_H */
