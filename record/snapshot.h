/* SPDX-License-Identifier: MIT */
/* snapshot.h: the host's state as state records (schema/FORMAT.md 4.4):
 * checkpoints at start and at every segment start, clock records. */
#ifndef TR_RECORD_SNAPSHOT_H
#define TR_RECORD_SNAPSHOT_H

#include <stdint.h>

#include "output.h"

struct snapshot_stats {
	unsigned procs, fds;	/* of one checkpoint */
	uint32_t records;	/* state records of one checkpoint */
	uint64_t raw_bytes;	/* bytes of its records, markers included, before compression */
	unsigned checkpoints;	/* rotation checkpoints written (the hooks' running total) */
};

/* The start checkpoint (host, clock, users, mounts, interfaces, cgroups,
 * processes with their fds), then hooks out so that every later segment
 * opens with a rotation checkpoint and a clock record is written every 10 s.
 * *nprocs counts the processes. 0 or -errno (a write failure; what vanished
 * meanwhile is skipped). */
int snapshot__write(struct rec_output *out, unsigned *nprocs);
/* One checkpoint (TR_CHECKPOINT_START or _ROTATION) opening segment. */
int snapshot__checkpoint(struct rec_output *out, uint16_t reason, uint32_t segment, struct snapshot_stats *stats);
/* One TR_REC_CLOCK record (enum tr_clock_reason). */
int snapshot__clock(struct rec_output *out, uint16_t reason);

#endif /* TR_RECORD_SNAPSHOT_H */
