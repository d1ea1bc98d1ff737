/* SPDX-License-Identifier: MIT */
/*
 * ring.h: the flight-recorder mode (--ring SIZE|DURATION). The recording
 * keeps only its newest segments within the bound: rotation deletes the
 * oldest and declares each one cut in the manifest ("cuts"), so what is left
 * proves whole. A trigger (a signature fired on the live stream, SIGUSR1)
 * freezes the window -- the ring's past and --after more -- into a
 * recording of its own, DIR/frozen/NNN/, that rotation never deletes: its
 * segments are hard links of the ring's, so freezing copies nothing.
 */
#ifndef TR_RECORD_RING_H
#define TR_RECORD_RING_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

struct rec_ring {
	uint64_t max_bytes;	/* keep at most this many segment bytes (0: by time) */
	uint64_t max_ns;	/* keep at least this long a past, no more (0: by size) */
	uint64_t after_ns;	/* a trigger freezes this much after it too */
	/* closed segments still in the ring: number (seg-NNNNNN) and start */
	size_t nkept;
	struct { size_t num; uint64_t start_ns; } *kept;
	size_t nclosed;		/* segments closed so far (kept or cut) */
	uint64_t open_start_ns;	/* start of the segment being written */
	/* a freeze in progress */
	int freezing;
	uint64_t trigger_ns;	/* when it was triggered */
	uint64_t freeze_at;	/* when its --after ends */
	char *reason;		/* "signature TRR-1001 (...)", "SIGUSR1" */
	char *frozen_dir;	/* DIR/frozen/NNN */
	uint64_t frozen_start_ns; /* start of its first segment */
	struct tr_manifest_file *fsegs;	/* its segments, linked so far */
	size_t nfsegs;
	struct tr_manifest_file *fcuts;	/* the ring's cuts before it */
	size_t nfcuts;
	size_t linked_upto;	/* segments numbered below this are linked */
	unsigned nfrozen;	/* freezes done */
};

/* "--ring 2G" (a size: K, M, G, T) or "--ring 15m" (a duration: s, m, h, d,
 * lowercase). 0 or -EINVAL. */
int rec_ring__parse(struct rec_ring *ring, const char *arg);
/* Segment bounds for the ring: an eighth of it, so rotation keeps close to
 * the bound (never larger than what was asked). */
void rec_ring__segment_bounds(const struct rec_ring *ring, uint64_t *seg_bytes, uint64_t *seg_ns);
/* After rec_output__open: the first segment started at now. */
void rec_ring__start(struct rec_ring *ring, const struct rec_output *o, uint64_t now_ns);
/* After each flush (a rotation may have happened): note new segments,
 * delete the oldest beyond the bound (declared cut), finish a freeze whose
 * --after has passed. 0 or -errno. */
int rec_ring__tick(struct rec_ring *ring, struct rec_output *o, uint64_t now_ns);
/* Freeze the window now (plus --after). reason is copied. A trigger while
 * a freeze is in progress joins it. 1 if a freeze started, 0 if joined,
 * -errno. */
int rec_ring__trigger(struct rec_ring *ring, struct rec_output *o, uint64_t now_ns, const char *reason);
/* At stop: finish a freeze in progress (the last segment is closed by
 * then, so it is included). 0 or -errno. */
int rec_ring__stop(struct rec_ring *ring, struct rec_output *o, uint64_t now_ns);
void rec_ring__free(struct rec_ring *ring);

#endif /* TR_RECORD_RING_H */
