/* SPDX-License-Identifier: MIT */
/*
 * report.h: one self-contained HTML file about a case database: the
 * recordings, the timeline of detections and key events, the process tree
 * of the processes involved (drawn in SVG, collapsible), artifacts, flows,
 * gaps. Inline CSS, JavaScript and data; it fetches nothing. The rows come
 * from the canned questions (questions.h) and the store, so the report
 * says what the questions say.
 */
#ifndef TR_REPORT_H
#define TR_REPORT_H

#include <stddef.h>

/* Write the report of db to out (mode 0600). 0 or -errno with a message. */
int tr_report__write(const char *db, const char *out, char *err, size_t errlen);

#endif /* TR_REPORT_H */
