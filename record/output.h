/* SPDX-License-Identifier: MIT */
/* output.h: the recording directory as the recorder writes it: segments
 * that rotate by size and age, and the manifest that lists them. */
#ifndef TR_RECORD_OUTPUT_H
#define TR_RECORD_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "segment.h"

/* How long the drain thread was kept away from the kernel buffers by the
 * output: each time the output runs for a while (a flush, a rotation), the
 * longest stretch between two drains (on_busy splits a long one). */
struct rec_stall {
	uint64_t count;		/* times the output ran */
	uint64_t max_ns;	/* the longest stretch */
	uint64_t total_ns;	/* all of them */
	uint64_t max_segment;	/* the segment number open when it happened */
};

struct rec_output {
	char *dir;
	int zstd_level;
	uint64_t seg_max_bytes;		/* rotate when a segment reaches this size */
	uint64_t seg_max_ns;		/* ... or this age */
	struct tr_seg_writer *seg;
	uint64_t seg_opened_ns;
	uint64_t user_seq;		/* sequence of records made in userland */
	uint64_t records;
	uint64_t raw_bytes;		/* bytes of records appended, before compression */
	uint64_t raw_at_flush;		/* ... as of the last flush: all written out then */
	uint64_t bytes_at_flush;	/* segment bytes on disk as of the last flush */
	uint32_t frame_records;		/* a frame closes at this many records (0: bytes and time only) */
	uint64_t unwritten;		/* records taken but lost to a write error at close */
	int force;			/* take over an existing empty directory that is not ours */
	struct tr_manifest *manifest;	/* segments are appended as they close */
	/* every record appended also goes here (NULL: nowhere): the live
	 * signatures of the ring mode */
	void (*on_append)(void *ctx, const void *rec, size_t len);
	void *append_ctx;
	/* Hooks (NULL: none), each 0 or -errno: after a new segment opened
	 * (segment: its number), to write the state it starts with; at each
	 * flush, for periodic records. */
	int (*on_segment)(struct rec_output *o, void *ctx, uint32_t segment);
	int (*on_flush)(struct rec_output *o, void *ctx, uint64_t now_ns);
	void *hook_ctx;
	/* Called now and then by long work in between records (a checkpoint
	 * of a host with many fds), to drain the kernel buffers meanwhile. */
	void (*on_busy)(void *ctx);
	void *busy_ctx;
	/* the drain thread's stalls: 1-s flushes, rotations (close, open,
	 * the next segment's checkpoint, manifest), and frame writes */
	struct rec_stall stall_flush, stall_rotate, stall_frame;
	/* closed segments are made durable, and the manifest written, by a
	 * thread of their own (NULL: here, inline, as with TR_OUTPUT_INLINE=1
	 * in the environment, which also turns write-behind off: the
	 * reference of tests/bench/rotation.sh) */
	struct rec_closer *closer;
	int inline_close;
	uint64_t away_t0, away_max;	/* the stretch under way */
	int away_depth, away_rotated;
};

/* Space kept in the recording directory for the final manifest, so that a
 * full disk still gets a finalised recording (released just before it is
 * written). Readers ignore the file; a recorder killed with -9 leaves it. */
#define REC_RESERVE_NAME ".reserve"

/* Create dir (mode 0700) and write the manifest in its "recording" state,
 * reserve the space of the final one, and open the first segment. An
 * existing dir is used only if it is a directory (not a symlink: -ELOOP),
 * ours (-EPERM; with o->force one of another user's is taken over: chown,
 * chmod 0700) and empty (-EEXIST), checked after it is made ours. 0 or
 * -errno. */
int rec_output__open(struct rec_output *o, const char *dir, struct tr_manifest *m);
/* Append a record as it came from the kernel. 0 or -errno. */
int rec_output__append(struct rec_output *o, const void *rec, size_t len);
/* Append a record made here: fills in its head (seq from our own sequence;
 * cpu is TR_CPU_NONE, or the CPU a gap is about). */
int rec_output__user(struct rec_output *o, void *rec, uint16_t kind, uint16_t cpu, size_t len, uint64_t ts);
/* Bytes of records appended so far, before compression. */
static inline uint64_t rec_output__raw_bytes(const struct rec_output *o)
{
	return o->raw_bytes;
}
/* Write out the current frame; rotate the segment if it is due. */
int rec_output__flush(struct rec_output *o, uint64_t now_ns);
/* Write the manifest m into dir (the recording's, or a frozen copy's)
 * once every segment closed so far is durable: rendered now, written by
 * the closer thread, or now if there is none. 0 or -errno (also an earlier
 * error of the closer). */
int rec_output__manifest(struct rec_output *o, const char *dir, const struct tr_manifest *m);
/* Close the current segment and open the next, now. 0 or -errno. */
int rec_output__rotate(struct rec_output *o, uint64_t now_ns);
/* The number of the segment being written (seg-NNNNNN): segments closed,
 * kept or cut. */
size_t rec_output__segment_num(const struct rec_output *o);
/* Segment bytes on disk so far, closed segments and the open one. */
uint64_t rec_output__bytes(const struct rec_output *o);
/* Those bytes plus an estimate of what the records not yet written out will
 * take compressed (at the ratio reached so far): what --max-size weighs. */
uint64_t rec_output__bytes_due(const struct rec_output *o);
/* The hash chain head: the hash of the last frame written, into out. */
void rec_output__head(const struct rec_output *o, uint8_t out[TR_CHAIN_LEN], uint64_t *frames);
/* For long work on the drain thread (a checkpoint): drain the kernel
 * buffers now (o->on_busy), and count the time since the last drain as a
 * stall of the flush or rotation under way. */
void rec_output__busy(struct rec_output *o);
/* The stalls, as a line for -v (no newline). */
void rec_output__stalls(const struct rec_output *o, char *buf, size_t len);
/* Close the last segment and write the final manifest (releasing the
 * reserve first); records it could not write out are added to
 * manifest->lost_unwritten. 0 or -errno. */
int rec_output__close(struct rec_output *o);

#endif /* TR_RECORD_OUTPUT_H */
