/* SPDX-License-Identifier: MIT */
#ifndef TR_RECORD_SNAPSHOT_H
#define TR_RECORD_SNAPSHOT_H

#include <stdint.h>

#include "output.h"

/* Write one TR_REC_PROC record, stamped ts, for every process in /proc;
 * *nprocs counts them. 0 or -errno (a write failure; vanished processes are
 * skipped). */
int snapshot__write(struct rec_output *out, uint64_t ts, unsigned *nprocs);

#endif /* TR_RECORD_SNAPSHOT_H */
