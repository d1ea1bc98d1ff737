/* SPDX-License-Identifier: MIT */
/* query.h: reading an index: arbitrary SQL, and the detections report. */
#ifndef TR_QUERY_H
#define TR_QUERY_H

#include <stdio.h>

#include <sqlite3.h>

/*
 * Run every statement of sql on db and print the rows to out.
 * Text: per statement that returns columns, a header line of column names,
 * then one line per row, values tab-separated; NULL is empty; a tab,
 * newline, carriage return or backslash inside a value is written \t, \n,
 * \r, \\ (as in PostgreSQL's COPY text format), so one row is one line.
 * JSON (json = 1): one object per row, {"column": value}; integers and
 * reals as numbers, NULL as null, blobs as base64.
 * 0 or -errno with a message in err ("query: offset N: ..." for SQL errors,
 * N counted in bytes from the start of sql).
 */
int tr_query__run(sqlite3 *db, const char *sql, int json, FILE *out, char *err, size_t errlen);

/* The detections, oldest first: a table aligned for reading (time in UTC,
 * signature, severity, pid, process, exe, data), or JSON lines. */
int tr_query__detections(sqlite3 *db, int json, FILE *out, char *err, size_t errlen);

/* Wall-clock ns as "2006-01-02T15:04:05.123456789Z" into buf (>= 32 bytes). */
void tr_query__time(long long ns, char *buf, size_t len);

#endif /* TR_QUERY_H */
