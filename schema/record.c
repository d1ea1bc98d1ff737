// SPDX-License-Identifier: MIT
/* record.c: the argument codec (schema/FORMAT.md, "Arguments"). Values are
 * little-endian and unaligned, so they are read and written with memcpy. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "arguments are little-endian");

__attribute__((format(printf, 3, 4)))
static int tr_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* Bytes of a fixed-size value, 0 for a length-prefixed one, -1 if unknown. */
static int tr_wire_fixed(uint8_t wire)
{
	switch (wire) {
	case TR_T_INT32:
	case TR_T_UINT32:
		return 4;
	case TR_T_INT64:
	case TR_T_UINT64:
		return 8;
	case TR_T_STR:
	case TR_T_STR_ARRAY:
	case TR_T_BYTES:
	case TR_T_SOCKADDR:
	case TR_T_JSON:
		return 0;
	default:
		return -1;
	}
}

/* The longest value of a wire type (FORMAT.md 5.1). */
static uint32_t tr_wire_max(uint8_t wire)
{
	switch (wire) {
	case TR_T_STR:
		return TR_STR_MAX;
	case TR_T_SOCKADDR:
		return TR_SOCKADDR_MAX;
	default:
		/* STR_ARRAY, BYTES, JSON; fixed-size wires are shorter anyway */
		return TR_ARG_BYTES_MAX;
	}
}

/* tr_args__decode, with offsets in messages counted from base, the offset of
 * buf in its record. */
static int tr_decode(const uint8_t *wires, unsigned nwires, const uint8_t *p, size_t len,
		     unsigned nargs, struct tr_arg_val out[TR_MAX_ARGS], size_t base,
		     size_t *used, char *err, size_t errlen)
{
	size_t off = 0;

	memset(out, 0, sizeof(*out) * TR_MAX_ARGS);
	if (nargs > TR_MAX_ARGS)
		return tr_bad(err, errlen, "%u arguments, at most %u", nargs, TR_MAX_ARGS);
	for (unsigned i = 0; i < nargs; i++) {
		struct tr_arg_val *v;
		uint8_t idx;
		int fixed;
		uint32_t n;

		if (off >= len)
			return tr_bad(err, errlen, "offset %zu: argument %u of %u is missing",
				      base + off, i + 1, nargs);
		idx = p[off];
		if (idx >= nwires || idx >= TR_MAX_ARGS)
			return tr_bad(err, errlen, "offset %zu: argument index %u out of range (%u defined)",
				      base + off, idx, nwires);
		v = &out[idx];
		if (v->present)
			return tr_bad(err, errlen, "offset %zu: argument index %u repeated", base + off, idx);
		fixed = tr_wire_fixed(wires[idx]);
		if (fixed < 0)
			return tr_bad(err, errlen, "offset %zu: argument index %u has unknown wire type %u",
				      base + off, idx, wires[idx]);
		off++;
		n = (uint32_t)fixed;
		if (!fixed) {
			if (len - off < sizeof(n))
				return tr_bad(err, errlen, "offset %zu: length of argument index %u cut short (%zu bytes left)",
					      base + off, idx, len - off);
			memcpy(&n, p + off, sizeof(n));
			off += sizeof(n);
		}
		if (len - off < n)
			return tr_bad(err, errlen, "offset %zu: argument index %u needs %u bytes, %zu left",
				      base + off, idx, n, len - off);
		/* the format's own limits, so a small hostile file cannot make
		 * the reader hold what no recorder writes */
		if (n > tr_wire_max(wires[idx]))
			return tr_bad(err, errlen, "offset %zu: argument index %u is %u bytes, more than its "
				      "wire type allows (%u)", base + off, idx, n, tr_wire_max(wires[idx]));
		v->present = 1;
		v->wire = wires[idx];
		switch (v->wire) {
		case TR_T_INT32: {
			int32_t x;

			memcpy(&x, p + off, sizeof(x));
			v->i = x;
			break;
		}
		case TR_T_UINT32: {
			uint32_t x;

			memcpy(&x, p + off, sizeof(x));
			v->u = x;
			break;
		}
		case TR_T_INT64:
		case TR_T_UINT64:
			memcpy(&v->u, p + off, sizeof(v->u));
			break;
		default:
			v->b.p = p + off;
			v->b.len = n;
		}
		off += n;
	}
	if (used) {
		*used = off;
		return 0;
	}
	if (off != len)
		return tr_bad(err, errlen, "offset %zu: %zu bytes left over after %u arguments",
			      base + off, len - off, nargs);
	return 0;
}

/* Arguments followed by the argument-info trailer (FORMAT.md 4.2): each
 * entry names a present argument, once; the entries' flags together are the
 * event's TR_EVF_ARGINFO flags. */
static int tr_event_arginfo(const struct tr_event *ev, const uint8_t *wires, unsigned nwires,
			    struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)ev + sizeof(*ev);
	size_t len = ev->h.size - sizeof(*ev), used, base;
	uint16_t seen = 0;
	int rc;

	rc = tr_decode(wires, nwires, p, len, ev->nargs, out, sizeof(*ev), &used, err, errlen);
	if (rc)
		return rc;
	base = sizeof(*ev) + used;
	if (len - used == 0 || (len - used) % sizeof(struct tr_arg_info))
		return tr_bad(err, errlen, "offset %zu: argument-info trailer of %zu bytes, not a positive multiple of %zu",
			      base, len - used, sizeof(struct tr_arg_info));
	for (size_t off = used; off < len; off += sizeof(struct tr_arg_info)) {
		struct tr_arg_info ai;
		struct tr_arg_val *v;

		memcpy(&ai, p + off, sizeof(ai));
		if (ai.idx >= TR_MAX_ARGS || !out[ai.idx].present)
			return tr_bad(err, errlen, "offset %zu: argument info for index %u, which is not in the record",
				      sizeof(*ev) + off, ai.idx);
		v = &out[ai.idx];
		if (v->flags)
			return tr_bad(err, errlen, "offset %zu: argument info for index %u repeated",
				      sizeof(*ev) + off, ai.idx);
		if (!ai.flags || (ai.flags & ~TR_ARGF_KNOWN) || ai.reserved ||
		    (ai.orig_len && !(ai.flags & TR_ARGF_TRUNC)))
			return tr_bad(err, errlen, "offset %zu: argument info for index %u has reserved bits set "
				      "(flags 0x%02x, reserved 0x%04x)", sizeof(*ev) + off, ai.idx, ai.flags, ai.reserved);
		v->flags = ai.flags;
		v->orig_len = ai.orig_len;
		seen |= (ai.flags & TR_ARGF_TRUNC ? TR_EVF_TRUNC : 0) | (ai.flags & TR_ARGF_AT_EXIT ? TR_EVF_ARG_AT_EXIT : 0);
	}
	if (seen != (ev->flags & TR_EVF_ARGINFO))
		return tr_bad(err, errlen, "offset %zu: event flags 0x%04x disagree with its argument-info trailer",
			      offsetof(struct tr_event, flags), ev->flags);
	return 0;
}

int tr_args__decode(const uint8_t *wires, unsigned nwires, const void *buf, size_t len,
		    unsigned nargs, struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen)
{
	return tr_decode(wires, nwires, buf, len, nargs, out, 0, NULL, err, errlen);
}

int tr_args__decode_at(const uint8_t *wires, unsigned nwires, const void *buf, size_t len,
		       unsigned nargs, struct tr_arg_val out[TR_MAX_ARGS], size_t base,
		       char *err, size_t errlen)
{
	return tr_decode(wires, nwires, buf, len, nargs, out, base, NULL, err, errlen);
}

int tr_event__args(const struct tr_event *ev, const struct tr_event_def *def,
		   struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen)
{
	uint8_t wires[TR_MAX_ARGS];
	unsigned nwires = def->nargs < TR_MAX_ARGS ? def->nargs : TR_MAX_ARGS;

	if (ev->h.size < sizeof(*ev))
		return tr_bad(err, errlen, "offset %zu: record size %u is less than the event head (%zu)",
			      offsetof(struct tr_rec_hdr, size), ev->h.size, sizeof(*ev));
	if (ev->flags & ~TR_EVF_KNOWN)
		return tr_bad(err, errlen, "offset %zu: reserved event flags set (0x%04x)",
			      offsetof(struct tr_event, flags), ev->flags);
	for (unsigned i = 0; i < nwires; i++)
		wires[i] = def->args[i].wire;
	if (!(ev->flags & TR_EVF_ARGINFO))
		return tr_decode(wires, nwires, (const uint8_t *)ev + sizeof(*ev), ev->h.size - sizeof(*ev),
				 ev->nargs, out, sizeof(*ev), NULL, err, errlen);
	return tr_event_arginfo(ev, wires, nwires, out, err, errlen);
}

int tr_event__from_v1(const void *rec, size_t size, void *out, char *err, size_t errlen)
{
	const size_t grow = sizeof(struct tr_event) - TR_EVENT_V1_SIZE;
	struct tr_event *ev = out;
	uint32_t unknown = TR_ID_UNKNOWN;

	if (size < TR_EVENT_V1_SIZE || size > UINT32_MAX - grow)
		return tr_bad(err, errlen, "offset %zu: version 1 event of %zu bytes, its head has %u",
			      offsetof(struct tr_rec_hdr, size), size, TR_EVENT_V1_SIZE);
	memcpy(out, rec, TR_EVENT_V1_SIZE);
	if (ev->flags & ~TR_EVF_KNOWN_V1)
		return tr_bad(err, errlen, "offset %zu: event flags 0x%04x reserved in version 1",
			      offsetof(struct tr_event, flags), ev->flags);
	memcpy(&ev->euid, &unknown, sizeof(unknown));
	memcpy(&ev->fsuid, &unknown, sizeof(unknown));
	memcpy((uint8_t *)out + sizeof(struct tr_event), (const uint8_t *)rec + TR_EVENT_V1_SIZE,
	       size - TR_EVENT_V1_SIZE);
	ev->h.size = (uint32_t)(size + grow);
	return 0;
}

int tr_proc__args(const struct tr_proc *p, struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen)
{
	static const uint8_t wires[TR_PROC_ARG_NARGS] = {
		[TR_PROC_ARG_EXE] = TR_T_STR,
		[TR_PROC_ARG_CWD] = TR_T_STR,
		[TR_PROC_ARG_ARGV] = TR_T_STR_ARRAY,
		[TR_PROC_ARG_CGROUP] = TR_T_STR,
		[TR_PROC_ARG_EUID] = TR_T_UINT32,
		[TR_PROC_ARG_EGID] = TR_T_UINT32,
		[TR_PROC_ARG_FSUID] = TR_T_UINT32,
		[TR_PROC_ARG_NET_NS] = TR_T_UINT32,
		[TR_PROC_ARG_USER_NS] = TR_T_UINT32,
		[TR_PROC_ARG_UTS_NS] = TR_T_UINT32,
		[TR_PROC_ARG_CGROUP_NS] = TR_T_UINT32,
	};

	if (p->h.size < sizeof(*p))
		return tr_bad(err, errlen, "offset %zu: record size %u is less than the process head (%zu)",
			      offsetof(struct tr_rec_hdr, size), p->h.size, sizeof(*p));
	if (p->flags || p->reserved)
		return tr_bad(err, errlen, "offset %zu: reserved fields not zero (flags 0x%04x, reserved 0x%08x)",
			      offsetof(struct tr_proc, flags), p->flags, p->reserved);
	return tr_decode(wires, sizeof(wires), (const uint8_t *)p + sizeof(*p), p->h.size - sizeof(*p),
			 p->nargs, out, sizeof(*p), NULL, err, errlen);
}

/* Append idx, then the n bytes of v, then the len bytes of p (if any). */
static int tr_put(void *buf, size_t cap, size_t *off, uint8_t idx, const void *v, size_t n,
		  const void *p, size_t len)
{
	uint8_t *b = buf;

	if (*off > cap || cap - *off < 1 + n + len)
		return -ENOSPC;
	b[*off] = idx;
	memcpy(b + *off + 1, v, n);
	if (len)
		memcpy(b + *off + 1 + n, p, len);
	*off += 1 + n + len;
	return 0;
}

int tr_arg__put_u32(void *buf, size_t cap, size_t *off, uint8_t idx, uint32_t v)
{
	return tr_put(buf, cap, off, idx, &v, sizeof(v), NULL, 0);
}

int tr_arg__put_u64(void *buf, size_t cap, size_t *off, uint8_t idx, uint64_t v)
{
	return tr_put(buf, cap, off, idx, &v, sizeof(v), NULL, 0);
}

int tr_arg__put_bytes(void *buf, size_t cap, size_t *off, uint8_t idx, const void *p, uint32_t len)
{
	return tr_put(buf, cap, off, idx, &len, sizeof(len), p, len);
}
