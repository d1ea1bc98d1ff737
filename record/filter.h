/* SPDX-License-Identifier: MIT */
/* filter.h: tracee-record's in-kernel filters (bpf/filter.bpf.h): --pid
 * (with descendants), --comm, --exclude-comm, --uid, --cgroup. */
#ifndef TR_RECORD_FILTER_H
#define TR_RECORD_FILTER_H

#include <stdint.h>

struct events_bpf;

struct rec_filter {
	uint32_t flags;		/* TR_FILTER_* (schema/filter.h) */
	const char *pids, *comms, *excl_comms, *cgroup;
	uint32_t uid;
	uint64_t cgroup_id;
	uint32_t cgroup_level;
};

/* One option: opt is "pid", "comm", "exclude-comm", "uid" or "cgroup".
 * 0, or 2 (a usage error, said on stderr). */
int rec_filter__option(struct rec_filter *f, const char *opt, const char *arg, const char *prog);
/* Before load: the flags and values in the programs' read-only data. */
void rec_filter__configure(const struct rec_filter *f, struct events_bpf *skel);
/* After load: the maps (the pids given and their descendants alive now,
 * the comms). 0 or -errno (said on stderr). */
int rec_filter__fill(const struct rec_filter *f, struct events_bpf *skel, const char *prog);

#endif /* TR_RECORD_FILTER_H */
