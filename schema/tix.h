/* SPDX-License-Identifier: MIT */
/*
 * tix.h: the time index of a segment (schema/FORMAT.md, "Time index"):
 * events/seg-NNNNNN.tix, written by the segment writer as it writes the
 * segment's frames, one entry per frame with the first and last record
 * timestamps, so that a reader seeks a time window without decompressing
 * the rest. Optional: a segment without one is read whole, and so are the
 * frames a killed recorder wrote after the index's last header update.
 */
#ifndef TR_TIX_H
#define TR_TIX_H

#include <stddef.h>
#include <stdint.h>

#include "tr_format.h"

#define TR_TIX_MAGIC 0x58495254U	/* "TRIX" */
#define TR_TIX_VERSION 1
#define TR_TIX_STATE 0x1U		/* the frame holds state records (process snapshot, checkpoints) */

struct tr_tix_entry {
	uint64_t frame_offset;	/* of the frame header in the segment */
	uint64_t first_ts;	/* smallest record ts in the frame (boot ns) */
	uint64_t last_ts;	/* largest */
	uint32_t nrecords;
	uint32_t flags;		/* TR_TIX_*; other bits reserved, zero */
};

struct tr_tix_head {
	uint32_t magic;		/* TR_TIX_MAGIC */
	uint16_t version;	/* TR_TIX_VERSION */
	uint16_t reserved;	/* zero */
	uint32_t nentries;
	uint32_t crc;		/* CRC-32 of the entries */
};

_Static_assert(sizeof(struct tr_tix_entry) == 32, "tr_tix_entry layout");
_Static_assert(sizeof(struct tr_tix_head) == 16, "tr_tix_head layout");

/* Record kinds that carry state (a seek keeps their frames). */
static inline int tr_rec_kind__is_state(uint16_t kind)
{
	return kind == TR_REC_PROC || (kind >= 6 && kind <= 13);
}

/* "DIR/events/seg-N.tix" for "DIR/events/seg-N.zst" (malloc'd), or NULL. */
char *tr_tix__path(const char *segment_path);
/* Writing an index as the segment grows, in bounded memory: entries are
 * buffered TR_TIX_CHUNK at a time, and after each write of them the header
 * is rewritten to cover every entry on disk, so that the file is a valid
 * index of the frames written up to then whenever the writer stops. An
 * index is optional: after a write error the file is removed and the
 * writer does nothing more (no error reaches the segment). */
#define TR_TIX_CHUNK 128
struct tr_tix_writer;

/* Create path (mode 0600, O_EXCL) with an empty index. NULL with errno. */
struct tr_tix_writer *tr_tix_writer__open(const char *path);
/* One more frame's entry (offsets strictly increasing). */
void tr_tix_writer__add(struct tr_tix_writer *t, const struct tr_tix_entry *e);
/* Write the buffered entries and the header that covers them. */
void tr_tix_writer__sync(struct tr_tix_writer *t);
/* Entries written or buffered (0 once it failed). */
size_t tr_tix_writer__entries(const struct tr_tix_writer *t);
/* Sync, fsync and close; frees t (NULL is fine). 0, or -errno when the
 * index was given up (it is then gone). */
int tr_tix_writer__close(struct tr_tix_writer *t);

/* Read and check; *out malloc'd. 0, -ENOENT when there is none, -EBADMSG
 * when it is damaged (then ignore it), -errno. Entries after the header's
 * nentries (written after its last update by a writer that was killed)
 * are not read. */
int tr_tix__read(const char *path, struct tr_tix_entry **out, size_t *n);

#endif /* TR_TIX_H */
