/* SPDX-License-Identifier: MIT */
/* record.h: encoding and decoding of the arguments that follow tr_event and
 * tr_proc (schema/FORMAT.md, "Arguments"). */
#ifndef TR_RECORD_H
#define TR_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

struct tr_arg_val {
	uint8_t present;	/* 0: not in the record */
	uint8_t wire;		/* enum tr_wire_type */
	uint8_t flags;		/* TR_ARGF_* from the record's argument-info trailer */
	uint32_t orig_len;	/* with TR_ARGF_TRUNC: the real length, 0 if unknown */
	union {
		int64_t i;	/* INT32, INT64 (sign-extended) */
		uint64_t u;	/* UINT32, UINT64 */
		struct {
			const uint8_t *p; /* points into the record */
			uint32_t len;
		} b;		/* STR, STR_ARRAY, BYTES, SOCKADDR */
	};
};

/* Decode nargs arguments from buf[0..len) typed by wires[0..nwires). Fills
 * out[0..TR_MAX_ARGS) (absent ones have present = 0). 0, or -EBADMSG with a
 * message in err naming the byte offset within buf of what is wrong: an index
 * out of range or repeated, a length past the end, bytes left over. */
int tr_args__decode(const uint8_t *wires, unsigned nwires, const void *buf, size_t len,
		    unsigned nargs, struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen);

/* The same, for arguments that start at byte base of their record: the
 * offsets in messages count from the record's start. */
int tr_args__decode_at(const uint8_t *wires, unsigned nwires, const void *buf, size_t len,
		       unsigned nargs, struct tr_arg_val out[TR_MAX_ARGS], size_t base,
		       char *err, size_t errlen);

/* Decode the arguments of a TR_REC_EVENT record with def (from the
 * recording's catalog); wraps tr_args__decode. */
int tr_event__args(const struct tr_event *ev, const struct tr_event_def *def,
		   struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen);
/* Widen a version 1 event record (size bytes at v1) into out, which has
 * room for size + (sizeof(struct tr_event) - TR_EVENT_V1_SIZE) bytes: euid
 * and fsuid become TR_ID_UNKNOWN. 0, or -EBADMSG (message in err) if it is
 * shorter than the v1 head or has flags version 1 did not define. */
int tr_event__from_v1(const void *rec, size_t size, void *out, char *err, size_t errlen);
/* The same for a TR_REC_PROC record (indexes TR_PROC_ARG_*). */
int tr_proc__args(const struct tr_proc *p, struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen);

/* Encoding, for userland writers (the BPF side encodes inline). Appends to
 * buf at *off, up to cap; -ENOSPC if it does not fit (nothing written). */
int tr_arg__put_u32(void *buf, size_t cap, size_t *off, uint8_t idx, uint32_t v);
int tr_arg__put_u64(void *buf, size_t cap, size_t *off, uint8_t idx, uint64_t v);
int tr_arg__put_bytes(void *buf, size_t cap, size_t *off, uint8_t idx, const void *p, uint32_t len);

#endif /* TR_RECORD_H */
