/* SPDX-License-Identifier: MIT */
/* fleet.h: many hosts' recordings in ClickHouse (issue 12): `export`, and
 * `--clickhouse URL [--database NAME]` for `query` and the questions. */
#ifndef TR_FLEET_H
#define TR_FLEET_H

#include <signal.h>
#include <stdio.h>

#include "store/store.h"

/* `tracee-analyze export REC... --clickhouse URL [--database NAME]
 * [--detections-only] [--batch N]`; argv[0] is "export". Exit status. */
int tr_fleet__export(int argc, char **argv, const char *prog, volatile sig_atomic_t *stop);

/* If argv (from the command name on) has --clickhouse URL (and --database
 * NAME), take them out and put the store's target (URL?database=NAME) first
 * among the arguments, where the DB of SQLite goes. 0, 1 nothing to do, or
 * -EINVAL (message printed). The new argv is allocated (kept to exit). */
int tr_fleet__args(int *argc, char ***argv, const char *prog);

/* `query` on a store that is not SQLite: rows as tr_query__run prints them
 * (a header line of names, tab-separated values with \t \n \r \\ escaped,
 * NULL empty; or JSON lines). */
int tr_fleet__query(struct tr_store *s, const char *sql, int json, FILE *out, char *err, size_t errlen);

#endif /* TR_FLEET_H */
