/* SPDX-License-Identifier: MIT */
/* src.h: where a record came from, carried with it through the merge so that
 * findings can point at their evidence. */
#ifndef TR_SRC_H
#define TR_SRC_H

#include <stdint.h>

struct tr_src {
	const char *segment;	/* "events/seg-NNNNNN.zst", relative to the recording;
				 * owned by the reader, valid for the whole run */
	uint32_t segment_index;	/* 0-based position of the segment in reading order */
	uint32_t frame_seq;
	uint64_t frame_offset;	/* byte offset of the frame header in the segment */
	uint32_t index;		/* 0-based record index within the frame */
};

/* Recording order of two positions. Segments are read in the order of
 * their numbers, which is not their names' order past 6 digits, hence
 * segment_index. */
static inline int tr_src__cmp(const struct tr_src *a, const struct tr_src *b)
{
	if (a->segment_index != b->segment_index)
		return a->segment_index < b->segment_index ? -1 : 1;
	if (a->frame_offset != b->frame_offset)
		return a->frame_offset < b->frame_offset ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

#endif /* TR_SRC_H */
