/* SPDX-License-Identifier: MIT */
/* src.h: where a record came from, carried with it through the merge so that
 * findings can point at their evidence. */
#ifndef TR_SRC_H
#define TR_SRC_H

#include <stdint.h>
#include <string.h>

struct tr_src {
	const char *segment;	/* "events/seg-NNNNNN.zst", relative to the recording;
				 * owned by the reader, valid for the whole run */
	uint64_t frame_offset;	/* byte offset of the frame header in the segment */
	uint32_t frame_seq;
	uint32_t index;		/* 0-based record index within the frame */
};

/* Recording order of two positions (segment names sort as they are read). */
static inline int tr_src__cmp(const struct tr_src *a, const struct tr_src *b)
{
	int c = strcmp(a->segment ? a->segment : "", b->segment ? b->segment : "");

	if (c)
		return c;
	if (a->frame_offset != b->frame_offset)
		return a->frame_offset < b->frame_offset ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

#endif /* TR_SRC_H */
