/* SPDX-License-Identifier: MIT */
/*
 * recording.h: a recording directory opened for reading: its manifest (if
 * readable) and the records of every segment in events/, in the order of
 * the segments' numbers (seg-999999.zst before seg-1000000.zst).
 *
 * The segments read are the ones present, not the ones the manifest lists:
 * a recorder killed with -9 leaves the manifest in state "recording" with a
 * stale list, and the segments written after it are still evidence.
 * Damage inside segments is reported through the diag and skipped.
 */
#ifndef TR_RECORDING_H
#define TR_RECORDING_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "manifest.h"
#include "src.h"
#include "tix.h"

struct tr_recording_stats {
	uint64_t segments_read;
	uint64_t segments_mismatched;	/* size, frames, records or sha256 other than listed */
	uint64_t frame_seq_gaps;
	uint64_t chain_breaks;
	uint64_t cpu_seq_missing;	/* records missing from per-CPU sequences, no gap record for them */
	uint64_t segments_unreadable;	/* could not be opened, or not regular files */
	uint64_t frames_ok;
	uint64_t frames_bad;		/* damaged, reported, skipped */
	uint64_t bytes_skipped;
	uint64_t records;
	uint64_t frames_sought_past;	/* frames the time index let us skip */
	uint64_t segments_indexed;	/* segments with a usable time index */
};

struct tr_recording {
	char *dir;
	struct tr_manifest manifest;	/* zeroed when have_manifest is 0 */
	int have_manifest;
	int interrupted;		/* manifest state "recording" */
	const struct tr_catalog *catalog; /* the recording's, or the built-in one */

	size_t nsegs;
	char **seg_names;		/* "events/seg-NNNNNN.zst", by number */
	char **seg_paths;		/* dir/events/seg-NNNNNN.zst */

	struct tr_recording_stats stats;
	struct tr_diag *diag;
	int verify;			/* check each segment's sha256 against the manifest */
	int dirfd, evfd;		/* the directory and events/, opened once */

	/* iteration */
	size_t cur;
	struct tr_seg_reader *reader;

	/* seeking (tr_recording__window) and following */
	uint64_t since_ns, until_ns;	/* boot ns; 0: open */
	struct tr_tix_entry *tix;	/* the current segment's index */
	size_t ntix;
	uint64_t seg_sought;		/* frames_sought_past when the segment began */
	int follow;			/* tail a recording being written */
	const volatile int *stop;	/* set: stop following */
	uint8_t chain[TR_CHAIN_LEN];	/* head of the last segment read */
	int chain_known;
	int ended;
	uint8_t *conv;			/* a version 1 event widened to this version's layout */
	size_t conv_cap;

	/* per-CPU sequences: records missing, and gap records' losses */
	struct tr_cpu_seq *cpus;
	size_t ncpus;
};

struct tr_cpu_seq {
	uint64_t last;		/* seq of the last kernel record */
	uint64_t missing;	/* sum of forward jumps */
	uint64_t covered;	/* lost, from gap records */
	int seen;
	const char *first_seg;	/* where the first jump was */
	uint64_t first_off;
};

/* Read only what a time window [since, until] (boot ns, 0: open) needs:
 * frames whose records all lie outside it are skipped through each
 * segment's time index, except frames that carry state (the process
 * snapshot, checkpoints), so enrichment inside the window starts from it. */
void tr_recording__window(struct tr_recording *r, uint64_t since_ns, uint64_t until_ns);
/* Follow a recording being written: at the end of the last segment, wait
 * for more (or the next segment) until the manifest says it is complete. */
void tr_recording__follow(struct tr_recording *r, const volatile int *stop);

/* Open dir. A missing or corrupt manifest is a warning (the built-in
 * catalog is used); a directory with neither a manifest nor events/ is an
 * error. 0 or -errno with a message naming the file in err. */
int tr_recording__open(struct tr_recording **out, const char *dir, struct tr_diag *diag,
		       char *err, size_t errlen);
/* The same; TR_REC_OPEN_FOLLOW: a manifest in state "recording" is being
 * written, not interrupted (no warning). */
#define TR_REC_OPEN_FOLLOW 0x1U
int tr_recording__open_ex(struct tr_recording **out, const char *dir, struct tr_diag *diag, unsigned flags,
			  char *err, size_t errlen);
/* Also check each segment's SHA-256 against the manifest (reads it twice). */
void tr_recording__verify(struct tr_recording *r, int on);
/* 1 with the next record (valid until the next call; not necessarily
 * aligned) and where it came from, 0 at the end, -errno on an I/O error
 * (message in err). */
int tr_recording__next(struct tr_recording *r, const struct tr_rec_hdr **rec, struct tr_src *src,
		       char *err, size_t errlen);
/* Print the damage summary, if there was damage. */
void tr_recording__summary(const struct tr_recording *r);
void tr_recording__close(struct tr_recording *r);

#endif /* TR_RECORDING_H */
