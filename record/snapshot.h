/* SPDX-License-Identifier: MIT */
#ifndef TR_RECORD_SNAPSHOT_H
#define TR_RECORD_SNAPSHOT_H

#include <stdint.h>

#include "output.h"

/* Write one TR_REC_PROC record for every process in /proc, each stamped
 * with the time just before it was read; *nprocs counts them. 0 or -errno
 * (a write failure; vanished processes are skipped). */
int snapshot__write(struct rec_output *out, unsigned *nprocs);

#endif /* TR_RECORD_SNAPSHOT_H */
