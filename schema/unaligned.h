/* SPDX-License-Identifier: MIT */
/*
 * unaligned.h: reading a record's head where it lies, at any address.
 *
 * Records are 8-byte structs (struct tr_rec_hdr holds __u64s), but the
 * buffers they arrive in do not keep them aligned: a perf-buffer sample puts
 * its u32 size before the record, so the record sits 4 bytes past an 8-byte
 * boundary; a decompressed frame packs records back to back. Reading such a
 * record through a struct pointer is undefined (UBSan stops on it, a
 * stricter CPU faults). Whoever reads a record from a buffer it did not
 * place reads the head with these, and copies the record to aligned memory
 * before reading it as its kind's struct.
 */
#ifndef TR_UNALIGNED_H
#define TR_UNALIGNED_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tr_format.h"

/* The head of the record at p, copied out. */
static inline struct tr_rec_hdr tr_rec_hdr__load(const void *p)
{
	struct tr_rec_hdr h;

	memcpy(&h, p, sizeof(h));
	return h;
}

/* The size field alone, for walking packed records. */
static inline uint32_t tr_rec__size(const void *p)
{
	uint32_t size;

	memcpy(&size, (const uint8_t *)p + offsetof(struct tr_rec_hdr, size), sizeof(size));
	return size;
}

/* Whether p may be read as a record struct in place. */
static inline int tr_rec__aligned(const void *p)
{
	return (uintptr_t)p % _Alignof(struct tr_rec_hdr) == 0;
}

#endif /* TR_UNALIGNED_H */
