/* SPDX-License-Identifier: MIT */
/*
 * proctree.h: the process tree rebuilt during replay.
 *
 * A node is one process (thread group), identified by (host_pid, start
 * time), never by pid alone: pids are reused, and a recording can hold both
 * the old and the new owner of a pid. Start times from the /proc snapshot
 * have tick precision (USER_HZ = 100, so 10 ms) while BPF ones are exact ns,
 * so identities compare start times as floor(ns / TR_PROC_TICK_NS); the
 * kernel rounds /proc starttime down the same way.
 *
 * Nodes are never removed: exited processes stay for history (the analyze
 * index writes every node). Node indexes follow creation order, which
 * follows the recording, so they are deterministic.
 */
#ifndef TR_PROCTREE_H
#define TR_PROCTREE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define TR_PROC_TICK_NS 10000000ULL

static inline uint64_t tr_proc__tick(uint64_t ns)
{
	return ns / TR_PROC_TICK_NS;
}

/* Where a node was first learned from. */
enum tr_proc_source {
	TR_PSRC_SNAPSHOT = 1,	/* a TR_REC_PROC record */
	TR_PSRC_FORK = 2,	/* a sched_process_fork event */
	TR_PSRC_EVENT = 3,	/* the context of some other event */
};

/* Owned bytes (not text: paths from the kernel may be any bytes). p is NULL
 * when unknown; otherwise NUL-terminated for convenience, len excludes it. */
struct tr_bytes {
	char *p;
	uint32_t len;
};

struct tr_proc_node {
	uint32_t idx;		/* creation order; analyze's row id is idx + 1 */
	uint32_t host_pid;
	uint32_t host_ppid;
	uint32_t pid;		/* in its own pid namespace */
	uint32_t ppid;
	uint32_t uid;
	uint32_t gid;
	uint64_t start_ns;	/* CLOCK_BOOTTIME ns */
	uint64_t parent_start_ns; /* 0 when unknown */
	int64_t parent;		/* index of the parent node, -1 when unknown */
	int64_t older;		/* previous node with the same host_pid, -1 none */
	uint64_t cgroup_id;
	uint32_t mnt_ns;
	uint32_t pid_ns;
	char comm[17];
	struct tr_bytes exe;	/* path executed (made absolute when the cwd was known) */
	struct tr_bytes cwd;	/* absolute, or p NULL when unknown (see cwd_ns) */
	/* Boot ns from which cwd is known to hold: the snapshot's time for a
	 * cwd read from /proc, the chdir's for one set by chdir, the fork's
	 * for one inherited. Probes attach before the snapshot, so a chdir
	 * stamped before cwd_ns is already in the cwd (applying it again
	 * would resolve a relative one twice), and an event stamped before
	 * it cannot use the cwd: the process may have been elsewhere then. */
	uint64_t cwd_ns;
	struct tr_bytes argv;	/* elements each ended by NUL, as on the wire */
	struct tr_bytes cgroup;	/* cgroup v2 path */
	uint8_t source;		/* enum tr_proc_source */
	uint8_t exited;		/* the whole thread group exited */
	uint32_t nexec;		/* execs seen */
	int64_t exit_code;
	uint64_t seen_ns;	/* boot ns of the record that created the node */
	uint64_t exit_ns;
};

struct tr_proctree;

/* String bytes (exe, argv, cwd, cgroup) the tree holds at most; past it,
 * new strings are left unknown and counted (tr_proctree__bytes). */
#define TR_PROCTREE_BYTES_MAX (256U << 20)

struct tr_proctree *tr_proctree__new(void);
/* String bytes held, and how many strings were not kept for the cap. */
size_t tr_proctree__bytes(const struct tr_proctree *t, uint64_t *refused);
void tr_proctree__free(struct tr_proctree *t);

size_t tr_proctree__count(const struct tr_proctree *t);
const struct tr_proc_node *tr_proctree__node(const struct tr_proctree *t, size_t idx);
/* The node of (host_pid, start_ns), or NULL. start_ns 0 means "whichever
 * process holds the pid last". */
struct tr_proc_node *tr_proctree__find(const struct tr_proctree *t, uint32_t host_pid, uint64_t start_ns);
/* The parent node, or NULL when it is unknown. */
const struct tr_proc_node *tr_proctree__parent(const struct tr_proctree *t, const struct tr_proc_node *n);

/* Updates. Each returns 0 or -ENOMEM. */

/* A TR_REC_PROC record with its decoded arguments (TR_PROC_ARG_*). */
int tr_proctree__snapshot(struct tr_proctree *t, const struct tr_proc *p, const struct tr_arg_val *args);
/* Link snapshot nodes to their parents by ppid; called once the snapshot is
 * complete, since /proc lists children before parents when pids wrapped. */
void tr_proctree__link_snapshot(struct tr_proctree *t);
/* The node of an event's task, created from the event context if unknown. */
int tr_proctree__event(struct tr_proctree *t, const struct tr_event *ev, struct tr_proc_node **out);
/* A new process child_pid (start child_start) forked by parent, as seen in
 * ev (the parent's event). A node that already has this identity (the
 * snapshot may describe the same process) is completed, not duplicated. */
int tr_proctree__fork(struct tr_proctree *t, struct tr_proc_node *parent, const struct tr_event *ev,
		      uint32_t child_pid, uint32_t child_ns_pid, uint64_t child_start,
		      struct tr_proc_node **out);
/* n executed path (may be relative to its cwd) at ts with argv (NULL: keep). */
int tr_proctree__exec(struct tr_proctree *t, struct tr_proc_node *n, uint64_t ts, const void *path,
		      uint32_t len, const void *argv, uint32_t argvlen, const char comm[16]);
/* n changed its working directory to path (NULL: a successful chdir whose
 * path was not recorded) at ts. A path that cannot be resolved (relative
 * with the cwd unknown) leaves the cwd unknown: the old one is wrong now. */
int tr_proctree__chdir(struct tr_proctree *t, struct tr_proc_node *n, uint64_t ts, const void *path,
		       uint32_t len);
/* path[0..len) as n saw it at ts, made absolute against its cwd and
 * collapsed (replay/path.h) into out[cap]: its length, or -EINVAL when path
 * is relative and n's cwd at ts is unknown (a guess would be evidence of
 * the wrong file), -ENAMETOOLONG when out is too small. */
int tr_proctree__resolve(const struct tr_proc_node *n, uint64_t ts, const void *path, uint32_t len,
			 char *out, size_t cap);
/* The thread group of n exited. */
void tr_proctree__exit(struct tr_proctree *t, struct tr_proc_node *n, int64_t code, uint64_t ts);

#endif /* TR_PROCTREE_H */
