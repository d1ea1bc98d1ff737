/* SPDX-License-Identifier: MIT */
/*
 * artifact.h: files copied into a recording's artifacts/ (--capture exec,
 * --capture write[=PREFIX], --artifact-max-size, --artifact-max-total).
 *
 * The recorder hands every drained event to cap_art__on_event (cheap: a
 * look at the event, and a job in a bounded queue). A worker thread pins
 * the file (opens it through /proc/PID while the process lives), copies it
 * into artifacts/<sha256> once per content, and hands back one
 * TR_REC_ARTIFACT record per job, also for the ones it skipped (full queue,
 * too big, budget spent, gone), so the recording says what it lacks.
 */
#ifndef TR_CAPTURE_ARTIFACT_H
#define TR_CAPTURE_ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "manifest.h"

#define CAP_ART_MAX_SIZE_DEFAULT (64ULL << 20)
#define CAP_ART_MAX_TOTAL_DEFAULT (1ULL << 30)

struct cap_art_opts {
	int exec;		/* --capture exec */
	char **prefixes;	/* --capture write=PREFIX (write alone: "/") */
	size_t nprefixes;
	uint64_t max_size;	/* per file */
	uint64_t max_total;	/* all artifacts together */
};

/* --capture ARG: exec, write or write=PREFIX (absolute). 0 or -EINVAL. */
int cap_art__add_capture(struct cap_art_opts *o, const char *arg);
/* A size: N, NK, NM or NG (powers of 1024). 0 or -EINVAL. */
int cap_art__parse_size(const char *s, uint64_t *out);
void cap_art_opts__free(struct cap_art_opts *o);
static inline int cap_art__wanted(const struct cap_art_opts *o)
{
	return o->exec || o->nprefixes;
}

struct cap_art;

/* Create REC/artifacts/ and start the worker. The catalog's argument
 * names are resolved here, once. 0 or -errno (message printed). */
int cap_art__start(struct cap_art **out, const struct cap_art_opts *o, const char *recdir,
		   const struct tr_catalog *cat, const char *prog);
/* A record as drained from the kernel (any kind; only some events matter). */
void cap_art__on_event(struct cap_art *a, const void *rec, size_t len);
/* Finished artifact records: cb(rec, len) for each, then freed. Any thread. */
void cap_art__take_records(struct cap_art *a, void (*cb)(void *ctx, void *rec, size_t len), void *ctx);
/* Finish the queue and the files still open for writing, stop the worker. */
void cap_art__stop(struct cap_art *a);
/* Append the stored artifacts to m->artifacts. 0 or -ENOMEM. */
int cap_art__manifest(struct cap_art *a, struct tr_manifest *m);
void cap_art__stats(const struct cap_art *a, uint64_t *stored, uint64_t *records, uint64_t *skipped);
/* Files opened on an exec note, and those an exec event then used. */
void cap_art__pin_stats(const struct cap_art *a, uint64_t *pinned, uint64_t *used);
void cap_art__free(struct cap_art *a);

#endif /* TR_CAPTURE_ARTIFACT_H */
