// SPDX-License-Identifier: MIT
/*
 * fuzz_args: the argument decoder (schema/record.c) on any bytes.
 *
 * Input: byte 0 = number of wire types (low 4 bits, so up to 15: more than
 * TR_MAX_ARGS too) and, in its high bits, flags for the record heads
 * (0x10 TR_EVF_AT_ENTRY, 0x20 a reserved event flag, 0x40 the process
 * record's reserved flags, 0x80 its reserved field: a reserved bit set must
 * be rejected), byte 1 = nargs (low 4 bits: 13..15 must be rejected),
 * then that many wire types (any byte: invalid ones included), then the
 * argument bytes. They are decoded three ways: tr_args__decode on the bytes
 * alone, tr_event__args with a definition made of those wires, and
 * tr_proc__args (the fixed process wires). Each argument buffer is a heap
 * block of exactly its size, so ASan sees a read past it.
 *
 * On success every present argument must carry its index's wire, every
 * STR/STR_ARRAY/BYTES/SOCKADDR range must lie inside the arguments, exactly
 * nargs arguments are present, and their encodings add up to every byte.
 * The event path must agree with the plain one. A rejection must say why.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define check(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_args: %s:%d: broken: %s\n", __FILE__,     \
				__LINE__, #cond);                                       \
			abort();                                                        \
		}                                                                       \
	} while (0)

static int fixed(uint8_t wire)
{
	switch (wire) {
	case TR_T_INT32:
	case TR_T_UINT32:
		return 4;
	case TR_T_INT64:
	case TR_T_UINT64:
		return 8;
	default:
		return 0;
	}
}

/* The contract of a decode of p[0..len) that returned rc. */
static void check_decoded(int rc, const char *err, const uint8_t *wires, unsigned nwires,
			  const uint8_t *p, size_t len, unsigned nargs, const struct tr_arg_val *out)
{
	size_t used = 0;
	unsigned present = 0;

	if (rc) {
		check(rc == -EBADMSG);
		check(err[0]);
		return;
	}
	check(nargs <= TR_MAX_ARGS);
	for (unsigned i = 0; i < TR_MAX_ARGS; i++) {
		const struct tr_arg_val *v = &out[i];

		if (!v->present)
			continue;
		present++;
		check(i < nwires);
		check(v->wire == wires[i] && v->wire >= 1 && v->wire <= TR_T_MAX);
		if (fixed(v->wire)) {
			used += 1 + (size_t)fixed(v->wire);
			continue;
		}
		/* the range lies inside the arguments */
		check(v->b.p >= p && v->b.p <= p + len);
		check(v->b.len <= (size_t)(p + len - v->b.p));
		/* and its length is the one in front of it */
		check(v->b.p - p >= 5);
		check(!memcmp(v->b.p - 4, &v->b.len, 4));
		check(v->b.p[-5] == i);
		used += 1 + 4 + v->b.len;
	}
	check(present == nargs);
	check(used == len);
}

static bool same(const struct tr_arg_val *a, const uint8_t *pa, const struct tr_arg_val *b, const uint8_t *pb)
{
	for (unsigned i = 0; i < TR_MAX_ARGS; i++) {
		if (a[i].present != b[i].present)
			return false;
		if (!a[i].present)
			continue;
		if (a[i].wire != b[i].wire)
			return false;
		if (fixed(a[i].wire) ? a[i].u != b[i].u
				     : a[i].b.len != b[i].b.len || a[i].b.p - pa != b[i].b.p - pb)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* as tr_proc__args reads them (FORMAT.md, TR_REC_PROC) */
	static const uint8_t proc_wires[TR_PROC_ARG_NARGS] = {
		[TR_PROC_ARG_EXE] = TR_T_STR, [TR_PROC_ARG_CWD] = TR_T_STR,
		[TR_PROC_ARG_ARGV] = TR_T_STR_ARRAY, [TR_PROC_ARG_CGROUP] = TR_T_STR,
		[TR_PROC_ARG_EUID] = TR_T_UINT32, [TR_PROC_ARG_EGID] = TR_T_UINT32,
		[TR_PROC_ARG_FSUID] = TR_T_UINT32, [TR_PROC_ARG_NET_NS] = TR_T_UINT32,
		[TR_PROC_ARG_USER_NS] = TR_T_UINT32, [TR_PROC_ARG_UTS_NS] = TR_T_UINT32,
		[TR_PROC_ARG_CGROUP_NS] = TR_T_UINT32,
	};
	struct tr_arg_val out[TR_MAX_ARGS], ev_out[TR_MAX_ARGS];
	struct tr_event_def def = { .id = 1, .name = "fuzz" };
	static const char *const names[TR_MAX_ARGS] = { "a0", "a1", "a2", "a3", "a4", "a5",
							"a6", "a7", "a8", "a9", "a10", "a11" };
	uint8_t wires[16], *args, *rec;
	struct tr_event *ev;
	struct tr_proc *pr;
	unsigned nwires, nargs;
	char err[256];
	size_t len;
	int rc, ev_rc;

	if (size < 2)
		return 0;
	nwires = data[0] & 15;
	nargs = data[1] & 15;
	if (size < 2 + nwires)
		return 0;
	memcpy(wires, data + 2, nwires);
	len = size - 2 - nwires;

	/* The bytes alone. */
	args = malloc(len ? len : 1);
	if (!args)
		return 0;
	memcpy(args, data + 2 + nwires, len);
	err[0] = '\0';
	rc = tr_args__decode(wires, nwires, args, len, nargs, out, err, sizeof(err));
	check_decoded(rc, err, wires, nwires, args, len, nargs, out);

	/* As an event's arguments: the record is exactly head + bytes. */
	rec = malloc(sizeof(*ev) + len);
	if (!rec)
		goto out;
	ev = (struct tr_event *)rec;
	memset(ev, 0, sizeof(*ev));
	ev->h.kind = TR_REC_EVENT;
	ev->h.size = (uint32_t)(sizeof(*ev) + len);
	ev->nargs = (uint16_t)nargs;
	ev->flags = (uint16_t)((data[0] & 0x10 ? TR_EVF_AT_ENTRY : 0) | (data[0] & 0x20 ? 0x8000 : 0));
	memcpy(rec + sizeof(*ev), args, len);
	def.nargs = (uint8_t)(nwires < TR_MAX_ARGS ? nwires : TR_MAX_ARGS);
	for (unsigned i = 0; i < def.nargs; i++)
		def.args[i] = (struct tr_arg_def){ .wire = wires[i], .type = "t", .name = names[i] };
	err[0] = '\0';
	ev_rc = tr_event__args(ev, &def, ev_out, err, sizeof(err));
	check_decoded(ev_rc, err, wires, def.nargs, rec + sizeof(*ev), len, nargs, ev_out);
	if (data[0] & 0x20) {
		check(ev_rc);
	} else {
		/* Indexes 12..14 are out of range on both paths, so the two agree. */
		check(!rc == !ev_rc);
		check(rc || same(out, args, ev_out, rec + sizeof(*ev)));
	}
	free(rec);

	/* As a process record's arguments. */
	rec = malloc(sizeof(*pr) + len);
	if (!rec)
		goto out;
	pr = (struct tr_proc *)rec;
	memset(pr, 0, sizeof(*pr));
	pr->h.kind = TR_REC_PROC;
	pr->h.size = (uint32_t)(sizeof(*pr) + len);
	pr->nargs = (uint16_t)nargs;
	pr->flags = data[0] & 0x40 ? 1 : 0;
	pr->reserved = data[0] & 0x80 ? 1 : 0;
	memcpy(rec + sizeof(*pr), args, len);
	err[0] = '\0';
	rc = tr_proc__args(pr, out, err, sizeof(err));
	check_decoded(rc, err, proc_wires, sizeof(proc_wires), rec + sizeof(*pr), len, nargs, out);
	check(!(data[0] & 0xc0) || rc);
	free(rec);
out:
	free(args);
	return 0;
}
