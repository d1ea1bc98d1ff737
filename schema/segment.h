/* SPDX-License-Identifier: MIT */
/*
 * segment.h: segment files, sequences of self-contained, checksummed zstd
 * frames of records (schema/FORMAT.md, "Segments").
 */
#ifndef TR_SEGMENT_H
#define TR_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "tr_format.h"

#define TR_SEG_FRAME_RAW_DEFAULT (1U << 20) /* a frame closes at this many raw bytes */
#define TR_SEG_FRAME_RECORDS_DEFAULT 0	/* ... or records (0: no such bound) */
#define TR_SEG_WRITE_BEHIND_DEFAULT (1U << 20) /* writeback is started every this many bytes */

struct tr_seg_info {
	uint64_t bytes;		/* file size */
	uint64_t frames;
	uint64_t records;
	char sha256[65];	/* hex digest of the whole file */
	uint8_t chain[TR_CHAIN_LEN]; /* hash of its last frame: the chain head */
};

/* Lowercase hex of a chain hash into out[2 * TR_CHAIN_LEN + 1]. */
char *tr_chain__hex(char out[2 * TR_CHAIN_LEN + 1], const uint8_t h[TR_CHAIN_LEN]);

/* Writing. Records are buffered; a frame is written when the buffer reaches
 * frame_raw bytes, on tr_seg_writer__flush() and on close. Each frame's
 * time index entry goes to seg-N.tix (schema/tix.h) as it is written, and
 * the index file is brought up to date by tr_seg_writer__flush(). */
struct tr_seg_writer;

/* Create path (mode 0600, must not exist). NULL with errno set on failure. */
struct tr_seg_writer *tr_seg_writer__open(const char *path, int zstd_level, uint32_t frame_raw);
/* Append one whole record (rec->size bytes, checked against len). 0 or -errno. */
int tr_seg_writer__append(struct tr_seg_writer *w, const void *rec, size_t len);
/* Close the current frame, if it has records, and write it out; bring the
 * time index on disk up to date. 0 or -errno. */
int tr_seg_writer__flush(struct tr_seg_writer *w);
/* Bytes written to the file so far, and records buffered but not yet written. */
uint64_t tr_seg_writer__bytes(const struct tr_seg_writer *w);
uint32_t tr_seg_writer__pending(const struct tr_seg_writer *w);
uint64_t tr_seg_writer__frames(const struct tr_seg_writer *w);
/* The longest frame write so far (compress, write out), in ns. */
uint64_t tr_seg_writer__max_flush_ns(const struct tr_seg_writer *w);
/* Bound frames by records as well as by raw bytes (0: no bound). */
void tr_seg_writer__frame_records(struct tr_seg_writer *w, uint32_t max_records);
/* The hash chain: the previous frame's hash (the last segment's head) for
 * the first frame of this segment; zero (the default) starts a recording. */
void tr_seg_writer__chain(struct tr_seg_writer *w, const uint8_t prev[TR_CHAIN_LEN]);
/* The chain head: the hash of the last frame written (or of the previous
 * segment's last, as set). */
void tr_seg_writer__head(const struct tr_seg_writer *w, uint8_t out[TR_CHAIN_LEN]);
/* Start writeback of the file every chunk bytes written (sync_file_range
 * SYNC_FILE_RANGE_WRITE, not waited for), so that the fsync at close has
 * little left to write; 0: never (the default is TR_SEG_WRITE_BEHIND_DEFAULT). */
void tr_seg_writer__write_behind(struct tr_seg_writer *w, uint64_t chunk);
/* Flush, fsync and close; fills info if not NULL. Frees w (NULL is fine). 0 or -errno. */
int tr_seg_writer__close(struct tr_seg_writer *w, struct tr_seg_info *info);
/* The same in two steps, so that the slow one can run on another thread:
 * __finish writes out the last frame and fills info (the file is whole,
 * not yet durable) and frees what writing needed; after it only __sync
 * may be called, which fsyncs the segment, then its index, closes both
 * and frees w (NULL is fine). Each 0 or -errno. */
int tr_seg_writer__finish(struct tr_seg_writer *w, struct tr_seg_info *info);
int tr_seg_writer__sync(struct tr_seg_writer *w);

/* Reading. Damage never stops the reader: a frame whose header, checksum or
 * content is bad is reported through diag with the file and byte offset and
 * skipped; the reader resynchronises on the next valid frame header. A
 * truncated last frame is reported and ends the segment. */
typedef void (*tr_diag_fn)(void *ctx, const char *path, uint64_t offset, const char *msg);

struct tr_rec_pos {
	uint64_t frame_offset;	/* byte offset of the frame header in the file */
	uint32_t frame_seq;	/* frame_seq from that header */
	uint32_t index;		/* 0-based record index within the frame */
	uint16_t version;	/* format version of the frame: how its records are laid out */
};

struct tr_seg_stats {
	uint64_t frames_ok;
	uint64_t frames_bad;	/* reported and skipped */
	uint64_t frames_v1;	/* of frames_ok: version 1, without the hash chain */
	uint64_t seq_gaps;	/* frame_seq jumps not explained by reported damage */
	uint64_t chain_breaks;	/* frames whose prev_hash is not the previous frame's hash */
	uint64_t bytes_skipped;	/* bytes not read because of damage */
	uint64_t records;
};

struct tr_seg_reader;

/* NULL with errno set if the file cannot be opened. diag may be NULL. The
 * file is read with pread, never mapped: a file that shrinks while it is
 * read is reported as truncated. Only a regular file is read (-ENODEV,
 * -EISDIR). */
struct tr_seg_reader *tr_seg_reader__open(const char *path, tr_diag_fn diag, void *ctx);
/* The same for name relative to the directory dirfd, never through a
 * symlink (-ELOOP); path names it in messages. */
struct tr_seg_reader *tr_seg_reader__openat(int dirfd, const char *name, const char *path,
					    tr_diag_fn diag, void *ctx);
/* What the first frame's prev_hash must be: the previous segment's chain
 * head, zeros for the first segment of a recording, NULL when unknown (the
 * previous segment is missing or declared cut): then it is not checked. */
void tr_seg_reader__chain(struct tr_seg_reader *r, const uint8_t prev[TR_CHAIN_LEN]);
/* After the end: 1 and the hash of the last frame read if it is known
 * (no damage after it), else 0. */
int tr_seg_reader__head(const struct tr_seg_reader *r, uint8_t out[TR_CHAIN_LEN]);
/* 1 and *rec (valid until the next call) for a record, 0 at the end,
 * -errno on an I/O error. Every returned record has size >= 24, a kind >= 1,
 * the size of its kind if the kind is known (<= TR_REC_KIND_MAX; a newer
 * kind is handed out as it is, for the consumer to skip), and lies wholly
 * inside its frame. pos may be NULL. */
int tr_seg_reader__next(struct tr_seg_reader *r, const struct tr_rec_hdr **rec, struct tr_rec_pos *pos);
const struct tr_seg_stats *tr_seg_reader__stats(const struct tr_seg_reader *r);
/* Seeking: before each frame, skip(ctx, offset) gives the offset of the
 * next frame to read (offset itself to read this one, the file size or
 * more to stop). Frames passed over are not read, not reported. */
void tr_seg_reader__set_skip(struct tr_seg_reader *r, uint64_t (*skip)(void *ctx, uint64_t offset), void *ctx);
/* Tail mode, for a segment still being written: a truncated frame at the
 * end is where the writer is, not damage; the reader stops before it. */
void tr_seg_reader__set_tail(struct tr_seg_reader *r, int tail);
/* Where the next frame starts (to reopen a growing file there). */
uint64_t tr_seg_reader__offset(const struct tr_seg_reader *r);
/* Read on from offset (a frame start); frames passed over are not
 * checked for sequence or chain. */
void tr_seg_reader__seek(struct tr_seg_reader *r, uint64_t offset);
/* A file being written grew: take its new size. 1 when there is more to
 * read, 0 when not, -errno. */
int tr_seg_reader__refresh(struct tr_seg_reader *r);
/* The open file (to stat or hash it; read it with pread only). */
int tr_seg_reader__fd(const struct tr_seg_reader *r);
void tr_seg_reader__close(struct tr_seg_reader *r);

#endif /* TR_SEGMENT_H */
