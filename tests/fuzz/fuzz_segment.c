// SPDX-License-Identifier: MIT
/*
 * fuzz_segment: the segment reader (schema/segment.c) on any bytes.
 *
 * The input is a segment file's bytes. It is read twice: as it is, and
 * with the CRCs of every frame header made right (the header's own and that
 * of its zstd bytes), so that mutations reach past the checksums into the
 * frame's checks and the record walk. Seeds with stored (raw-block) zstd
 * frames without content checksum let the mutated bytes be the records.
 *
 * Every record handed out must keep the contract of segment.h: size >= 24,
 * a kind >= 1 of the right size if known, wholly inside its frame (the records of a
 * frame tile its raw_size, and there are nrecords of them), and aligned for
 * reading as its struct. Every byte of it is read, so ASan sees a record
 * that runs past the reader's buffer. A violation aborts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include "segment.h"

#define check(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_segment: %s:%d: contract broken: %s\n",   \
				__FILE__, __LINE__, #cond);                             \
			abort();                                                        \
		}                                                                       \
	} while (0)

static int memfd = -1;
static char path[64];

static const uint32_t fixed_size[TR_REC_KIND_MAX + 1] = {
	[TR_REC_RETVAL] = sizeof(struct tr_retval),
	[TR_REC_GAP] = sizeof(struct tr_gap),
	[TR_REC_WATERMARK] = sizeof(struct tr_rec_hdr),
	[TR_REC_PACKET_GAP] = sizeof(struct tr_packet_gap),
	[TR_REC_CLOCK] = sizeof(struct tr_clock),
	[TR_REC_CHECKPOINT] = sizeof(struct tr_checkpoint),
};
static const uint32_t min_size[TR_REC_KIND_MAX + 1] = {
	[TR_REC_EVENT] = TR_EVENT_V1_SIZE,	/* version 1 events are shorter */
	[TR_REC_RETVAL] = sizeof(struct tr_retval),
	[TR_REC_PROC] = sizeof(struct tr_proc),
	[TR_REC_GAP] = sizeof(struct tr_gap),
	[TR_REC_WATERMARK] = sizeof(struct tr_rec_hdr),
	[TR_REC_PACKET_GAP] = sizeof(struct tr_packet_gap),
	[TR_REC_ARTIFACT] = sizeof(struct tr_artifact),
	[TR_REC_CLOCK] = sizeof(struct tr_clock),
	[TR_REC_FD] = sizeof(struct tr_fd),
	[TR_REC_CGROUP] = sizeof(struct tr_cgroup),
	[TR_REC_MOUNT] = sizeof(struct tr_mount),
	[TR_REC_USER] = sizeof(struct tr_user),
	[TR_REC_NETIF] = sizeof(struct tr_netif),
	[TR_REC_HOST] = sizeof(struct tr_host),
	[TR_REC_CHECKPOINT] = sizeof(struct tr_checkpoint),
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The reader takes a path: one memory file, rewritten for each input. */
	memfd = memfd_create("fuzz_segment", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("fuzz_segment: memfd_create");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void diag(void *ctx, const char *p, uint64_t offset, const char *msg)
{
	size_t size = *(size_t *)ctx;

	check(p && !strcmp(p, path));
	check(offset <= size);
	check(msg && *msg);
}

static void put_file(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (ftruncate(memfd, 0))
		abort();
	while (off < size) {
		ssize_t n = pwrite(memfd, data + off, size - off, (off_t)off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

/* The frame that records are being handed out of, as its header says. */
struct frame {
	bool open;
	uint64_t offset;
	uint32_t raw_size, nrecords, used, next_index;
};

static void frame_done(const struct frame *f)
{
	/* the records handed out tile the frame */
	if (f->open) {
		check(f->used == f->raw_size);
		check(f->next_index == f->nrecords);
	}
}

static void read_all(const uint8_t *data, size_t size)
{
	struct tr_seg_reader *r;
	const struct tr_rec_hdr *rec;
	struct tr_rec_pos pos;
	struct frame f = { 0 };
	uint64_t records = 0;
	volatile uint8_t sink = 0;
	int rc;

	put_file(data, size);
	r = tr_seg_reader__open(path, diag, &size);
	check(r);
	while ((rc = tr_seg_reader__next(r, &rec, &pos)) == 1) {
		struct tr_frame_hdr h;
		uint32_t rsize;

		if (!f.open || pos.frame_offset != f.offset) {
			frame_done(&f);
			/* frames come in file order, each wholly in the file */
			check(!f.open || pos.frame_offset > f.offset);
			/* either layout: version 1 (40 bytes) or 2 (56); they
			 * share the fields up to comp_crc */
			check(pos.frame_offset + sizeof(struct tr_frame_hdr_v1) <= size);
			memset(&h, 0, sizeof(h));
			memcpy(&h, data + pos.frame_offset,
			       size - pos.frame_offset < sizeof(h) ? size - pos.frame_offset : sizeof(h));
			check(h.skip_magic == TR_SKIP_MAGIC && h.magic == TR_FRAME_MAGIC);
			check(h.skip_size == 32 || h.skip_size == 48);
			check(pos.frame_offset + h.skip_size + 8 + h.comp_size <= size);
			check(h.frame_seq == pos.frame_seq);
			f = (struct frame){ .open = true, .offset = pos.frame_offset,
					    .raw_size = h.raw_size, .nrecords = h.nrecords };
		}
		check(pos.index == f.next_index);
		f.next_index++;
		check(((uintptr_t)rec % _Alignof(struct tr_event)) == 0);
		rsize = rec->size;
		check(rsize >= sizeof(struct tr_rec_hdr));
		check(rec->kind >= 1);
		/* a kind newer than the reader is handed out for its consumer to skip */
		check(rec->kind > TR_REC_KIND_MAX || rsize >= min_size[rec->kind]);
		check(rec->kind > TR_REC_KIND_MAX || !fixed_size[rec->kind] || rsize == fixed_size[rec->kind]);
		check(rsize <= f.raw_size - f.used);
		f.used += rsize;
		/* touch every byte: ASan catches a record past the buffer */
		for (uint32_t i = 0; i < rsize; i++)
			sink ^= ((const uint8_t *)rec)[i];
		records++;
	}
	check(rc == 0);
	frame_done(&f);
	check(tr_seg_reader__stats(r)->records == records);
	check(tr_seg_reader__stats(r)->bytes_skipped <= size);
	tr_seg_reader__close(r);
	(void)sink;
}

static uint32_t crc(const void *p, size_t len)
{
	return (uint32_t)crc32(crc32(0, Z_NULL, 0), p, (uInt)len);
}

/* Make the CRCs of every frame header right, walking the file as the reader
 * would if they were. false if nothing changed. */
static bool fix_crcs(uint8_t *d, size_t size)
{
	static const uint32_t magic = TR_SKIP_MAGIC;
	bool changed = false;
	size_t off = 0;

	while (off + sizeof(struct tr_frame_hdr_v1) <= size) {
		const uint8_t *p = memmem(d + off, size - off, &magic, sizeof(magic));
		uint8_t h[sizeof(struct tr_frame_hdr)];
		uint32_t skip, magic2, comp, c;
		size_t at, hlen;

		if (!p || (size_t)(p - d) + sizeof(struct tr_frame_hdr_v1) > size)
			break;
		at = (size_t)(p - d);
		memcpy(&skip, p + 4, 4);
		memcpy(&magic2, p + 8, 4);
		hlen = (size_t)skip + 8;
		if ((skip != 32 && skip != 48) || magic2 != TR_FRAME_MAGIC || at + hlen > size) {
			off = at + 1;
			continue;
		}
		memcpy(h, p, hlen);
		memcpy(&comp, h + 16, 4);
		if (comp <= size - at - hlen) {
			c = crc(d + at + hlen, comp);
			memcpy(h + 32, &c, 4);
		}
		c = crc(h, hlen - 4);
		memcpy(h + hlen - 4, &c, 4);
		if (memcmp(h, p, hlen)) {
			memcpy(d + at, h, hlen);
			changed = true;
		}
		if (comp > size - at - hlen)
			break;
		off = at + hlen + comp;
	}
	return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	read_all(data, size);
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (fix_crcs(copy, size))
		read_all(copy, size);
	free(copy);
	return 0;
}
