/* SPDX-License-Identifier: MIT */
/*
 * state.h: decoding the state records of format version 2 (TR_REC_CLOCK ..
 * TR_REC_CHECKPOINT, schema/FORMAT.md 4.4) and naming every record kind.
 *
 * One table describes each kind: its fixed head, whether it has encoded
 * arguments (and where its nargs field is), the wire type and name of each
 * argument, and the check of its reserved fields and enumerations. The
 * recorder writes by it, readers decode by it, tests walk it.
 *
 * Use: copy the record to aligned memory (records in a frame are packed),
 * then tr_state__args() checks and decodes it; the typed struct
 * (struct tr_fd, ...) is then safe to read, and out[TR_FD_ARG_*] holds the
 * arguments (pointers into the record).
 */
#ifndef TR_STATE_H
#define TR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* One field of a fixed head after the record header: for generic dumps. */
struct tr_state_field {
	const char *name;
	uint16_t off;
	uint8_t size;		/* 2, 4 or 8 */
	uint8_t is_signed;
};

struct tr_state_def {
	uint16_t kind;		/* enum tr_rec_kind */
	const char *name;	/* "fd", "cgroup", ... */
	uint32_t head;		/* sizeof the fixed part */
	bool exact;		/* no arguments: size == head */
	uint16_t nargs_off;	/* offset of the __u16 nargs (when !exact) */
	uint8_t nwires;		/* arguments defined */
	const uint8_t *wires;	/* enum tr_wire_type, by argument index */
	const char *const *arg_names;
	/* NULL, or what is wrong with the fixed part (reserved fields not
	 * zero, an enumeration out of range); rec is aligned and >= head */
	const char *(*check)(const void *rec, char *buf, size_t len);
	/* the fields of the head after struct tr_rec_hdr, in order, reserved
	 * ones and nargs included; they tile bytes 24..head */
	const struct tr_state_field *fields;
	uint8_t nfields;
	/* NULL, or what is wrong with the decoded arguments */
	const char *(*check_args)(const struct tr_arg_val *args, char *buf, size_t len);
};

/* The definition of a state kind (TR_REC_CLOCK .. TR_REC_CHECKPOINT), or NULL. */
const struct tr_state_def *tr_state__def(uint16_t kind);
/* Whether kind is a state record kind (including TR_REC_PROC). */
bool tr_state__is_state(uint16_t kind);

/* Decode a state record: rec (aligned, h.size bytes readable) is checked
 * against its kind's definition and its arguments decoded into out (absent
 * ones have present = 0; kinds without arguments give all absent). 0, or
 * -EBADMSG with a message in err naming the byte offset within the record,
 * -ENOENT for a kind that is not a state kind (TR_REC_PROC included: use
 * tr_proc__args). */
int tr_state__args(const struct tr_rec_hdr *rec, struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen);

/* The name of a record kind ("event", "proc", "fd", ...), NULL if unknown. */
const char *tr_rec_kind__name(uint16_t kind);

/* The name of an enumerated value, "?" when out of range. */
const char *tr_fd_kind__name(uint16_t kind);

/* TR_NETIF_ARG_ADDRS: the i-th address of an argument of len bytes; the
 * number of addresses is len / sizeof(struct tr_netif_addr). 0 or -EBADMSG
 * when len is no multiple of it (the decoder already rejects that). */
int tr_netif__addr(const struct tr_arg_val *addrs, size_t i, struct tr_netif_addr *out);

/* Writing (userland): start a state record of kind in buf (cap bytes, at
 * least the kind's head): zeroes the head; *off = head. Arguments are then
 * appended with tr_state__put_*(), which count them in nargs. The header is
 * filled in by the writer (rec_output__user). */
int tr_state__begin(void *buf, size_t cap, uint16_t kind, size_t *off);
int tr_state__put_u32(void *buf, size_t cap, size_t *off, uint8_t idx, uint32_t v);
int tr_state__put_u64(void *buf, size_t cap, size_t *off, uint8_t idx, uint64_t v);
int tr_state__put_bytes(void *buf, size_t cap, size_t *off, uint8_t idx, const void *p, uint32_t len);

#endif /* TR_STATE_H */
