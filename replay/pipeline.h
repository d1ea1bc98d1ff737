/* SPDX-License-Identifier: MIT */
/*
 * pipeline.h: the replay pipeline, shared by tracee-replay, tracee-analyze
 * and (later) tracee-record's live mode.
 *
 *   records ─► engine: PROC ─► process tree (at read time)
 *                      EVENT/RETVAL/GAP ─► merge (watermarks) ─► pairing
 *                      ─► enrichment (process tree) ─► sink ─► signatures ─► sink
 *
 * The process tree follows fork, exec, chdir and exit; it is updated from
 * each event before the event goes to the sink.
 *
 * The engine takes records from any source through tr_engine__push (a live
 * recorder pushes what it drains); tr_replay drives it from a recording
 * directory. Everything the sink receives depends only on the records, so
 * the same recording gives the same calls, in the same order, everywhere.
 *
 * Pairing: an event sent at syscall entry (TR_EVF_AT_ENTRY, e.g. execve,
 * whose argv is gone after the exec) is held per host_tid until its
 * TR_REC_RETVAL is released, then emitted with that return value and its
 * own entry timestamp (so output is in release order, not strictly in
 * timestamp order). A sched_process_exec whose old_pid differs from its
 * tid moves the held event to the new tid (a non-leader thread that execs
 * takes the leader's tid). If another entry event of the same thread, the
 * thread's exit, or the end comes first, the held event is emitted without
 * a return value (0, view.paired = 0).
 */
#ifndef TR_PIPELINE_H
#define TR_PIPELINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "json.h"
#include "proctree.h"
#include "recording.h"
#include "signature.h"
#include "view.h"

/* Where the output goes. Each callback returns 0, or -errno to stop. */
struct tr_sink {
	/* every event and gap, in replay order (NULL: not wanted) */
	int (*event)(void *ctx, const struct tr_event_view *v);
	/* every finding, right after its triggering event went to event() */
	int (*finding)(void *ctx, const struct tr_finding *f);
	void *ctx;
};

struct tr_engine_stats {
	uint64_t records;	/* pushed */
	uint64_t procs;		/* snapshot records applied */
	uint64_t state;		/* other state records (fd, cgroup, ...) read */
	uint64_t unknown;	/* records of kinds newer than this reader, skipped */
	uint64_t events;	/* events emitted */
	uint64_t derived;	/* derived events emitted (replay/derive/) */
	uint64_t gaps;		/* gap records emitted */
	uint64_t lost;		/* events lost, summed over gap records */
	uint64_t skipped;	/* records that could not be decoded, reported */
	uint64_t retvals_unpaired; /* return values with no held entry event */
	uint64_t entries_unpaired; /* entry events emitted without a return value */
	uint64_t late;		/* records stamped before an earlier watermark */
	uint64_t watermarks;
	uint64_t max_pending;	/* most records held by the merge at once */
	uint64_t merge_overflows; /* releases forced by the merge's limits */
	uint64_t findings;
};

struct tr_engine_opts {
	const struct tr_catalog *catalog; /* the recording's; NULL: built-in */
	struct tr_diag *diag;
	const char *dir;	/* recording directory, to name files in warnings */
	/* signatures to run (none if nsigs is 0) */
	const struct tr_signature *const *sigs;
	size_t nsigs;
	tr_suppress_fn suppress;	/* exceptions (NULL: none) */
	void *suppress_ctx;
	struct tr_sink sink;
	/* derived events (replay/derive/) go to the sink too; without it only
	 * those the signatures select are made, and only signatures see them */
	int derived;
	/* the merge's limits (replay/merge.h); 0: the defaults. For tests. */
	size_t merge_max_records;
	size_t merge_max_bytes;
};

struct tr_engine;

/* A catalog (the recording's) that types an argument the engine or the
 * built-in signatures read otherwise than they read it is reported here,
 * once per argument, through o->diag; the argument is then left out. */
int tr_engine__new(struct tr_engine **out, const struct tr_engine_opts *o);
/* One record, in stream order. src names it in warnings and findings.
 * 0 or -errno (from the sink, or -ENOMEM). Damaged records are reported
 * and skipped, not errors. */
int tr_engine__push(struct tr_engine *e, const struct tr_rec_hdr *rec, const struct tr_src *src);
/* The end of the stream: release everything held. */
int tr_engine__finish(struct tr_engine *e);
const struct tr_proctree *tr_engine__tree(const struct tr_engine *e);
const struct tr_engine_stats *tr_engine__stats(const struct tr_engine *e);
/* Warnings for what was odd in the stream as a whole (late records,
 * unpaired return values, releases forced by the merge's limits); nothing
 * for a clean stream. */
void tr_engine__summary(const struct tr_engine *e);
void tr_engine__free(struct tr_engine *e);

/* Replaying a recording directory. */
struct tr_replay_progress {
	uint64_t records;
	size_t segment;		/* 0-based index of the segment being read */
	size_t nsegments;
	int done;
};

/* A progress callback for a terminal: "PROG: segment i/n, N records" on one
 * line rewritten in place, cleared when done. ctx is the program name. */
void tr_replay__progress_tty(void *prog, const struct tr_replay_progress *p);

struct tr_replay_opts {
	const char *prog;	/* for warnings: "tracee-replay" */
	FILE *diag;		/* where warnings go; NULL: nowhere */
	int signatures;		/* run the built-in signatures (sigs NULL) or sigs */
	const struct tr_signature *const *sigs;
	size_t nsigs;
	/* exceptions: return 1 to suppress a finding (signature.h) */
	tr_suppress_fn suppress;
	void *suppress_ctx;
	int derived;		/* derived events go to the sink too (tr_engine_opts) */
	int follow;		/* tail a recording being written (tr_recording__follow) */
	/* called now and then while reading (NULL: never) */
	void (*progress)(void *ctx, const struct tr_replay_progress *p);
	void *progress_ctx;
	/* set (by a signal handler) to stop the run with -EINTR; NULL: never */
	const volatile sig_atomic_t *stop;
	/* check every segment's SHA-256 against the manifest */
	int verify;
	/* every warning also goes here (see struct tr_diag); NULL: nowhere */
	void (*warning)(void *ctx, int damage, const char *file, int64_t offset, const char *msg);
	void *warning_ctx;
};

struct tr_replay;

/* Open dir (see tr_recording__open). 0 or -errno with a message in err. */
int tr_replay__open(struct tr_replay **out, const char *dir, const struct tr_replay_opts *o,
		    char *err, size_t errlen);
/* Run the whole recording through the engine into sink. Once only.
 * 0 or -errno with a message in err (empty if the sink stopped the run:
 * the sink knows what went wrong). -EINTR when opts.stop was set: what the
 * sink got so far is whole events, but not all of them. */
int tr_replay__run(struct tr_replay *r, const struct tr_sink *sink, char *err, size_t errlen);
/* Seek to a time window (boot ns, 0: open) through the time index; the
 * sink still gets events outside it (whole frames), so filter there too. */
void tr_replay__window(struct tr_replay *r, uint64_t since_ns, uint64_t until_ns);
/* Wall-clock ns of the recording's start (manifest), or 0. */
int64_t tr_replay__start_wall(const struct tr_replay *r);
/* Print the warnings summary (damage, oddities of the stream). */
void tr_replay__summary(const struct tr_replay *r);
/* What JSON output takes from the manifest. */
struct tr_json_host tr_replay__host(const struct tr_replay *r);
const struct tr_recording *tr_replay__recording(const struct tr_replay *r);
/* Valid after tr_replay__run. */
const struct tr_engine *tr_replay__engine(const struct tr_replay *r);
uint64_t tr_replay__warnings(const struct tr_replay *r);
/* Of those, findings that the input is damaged or incomplete (exit 3). */
uint64_t tr_replay__damage(const struct tr_replay *r);
void tr_replay__free(struct tr_replay *r);

#endif /* TR_PIPELINE_H */
