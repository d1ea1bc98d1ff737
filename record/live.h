/* SPDX-License-Identifier: MIT */
/* live.h: the built-in signatures run on the live stream, through the
 * replay engine (replay/pipeline.h), as the ring mode's trigger. Every
 * record the recorder writes is pushed as it is written; a finding is kept
 * for the recorder's loop to act on. */
#ifndef TR_RECORD_LIVE_H
#define TR_RECORD_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "pipeline.h"

struct rec_live {
	struct tr_engine *eng;
	struct tr_diag diag;
	const struct tr_signature **sigs;
	size_t nsigs;
	uint8_t *buf;		/* an aligned copy of the record being pushed */
	size_t cap;
	uint64_t pushed;
	uint64_t findings;
	char fired[256];	/* the first finding not yet taken ("" if none) */
	int err;		/* the engine failed: no more pushes */
};

/* ids: "TRR-1001,TRR-1002" (only those), "none", or NULL (every built-in).
 * 0, or -EINVAL with the unknown id in msg, or -errno. */
int rec_live__open(struct rec_live *l, const char *ids, char *msg, size_t msglen);
/* rec_output's on_append hook. */
void rec_live__push(void *ctx, const void *rec, size_t len);
/* The first finding since the last call, copied into out; 0 if none. */
int rec_live__take(struct rec_live *l, char *out, size_t outlen);
void rec_live__close(struct rec_live *l);

#endif /* TR_RECORD_LIVE_H */
