// SPDX-License-Identifier: MIT
/* test_record.c: the argument codec, every wire type and every rejection. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"
#include "sctable.h"

static const uint8_t all_wires[] = {
	TR_T_INT32, TR_T_UINT32, TR_T_INT64, TR_T_UINT64,
	TR_T_STR, TR_T_STR_ARRAY, TR_T_BYTES, TR_T_SOCKADDR,
};
static const uint8_t sockaddr[16] = { 2, 0, 0x1f, 0x90, 127, 0, 0, 1 };

/* Every wire type, put in an order unlike the index order. */
static size_t encode_all(uint8_t *buf, size_t cap)
{
	size_t off = 0;

	assert_int_equal(tr_arg__put_bytes(buf, cap, &off, 7, sockaddr, sizeof(sockaddr)), 0);
	assert_int_equal(tr_arg__put_u32(buf, cap, &off, 0, (uint32_t)-5), 0);
	assert_int_equal(tr_arg__put_bytes(buf, cap, &off, 4, "hello", 5), 0);
	assert_int_equal(tr_arg__put_u64(buf, cap, &off, 2, (uint64_t)INT64_MIN), 0);
	assert_int_equal(tr_arg__put_u32(buf, cap, &off, 1, 0xfffffffeU), 0);
	assert_int_equal(tr_arg__put_bytes(buf, cap, &off, 5, "ls\0-l\0", 6), 0);
	assert_int_equal(tr_arg__put_u64(buf, cap, &off, 3, UINT64_MAX), 0);
	assert_int_equal(tr_arg__put_bytes(buf, cap, &off, 6, "\0\1\2", 3), 0);
	return off;
}

static void test_round_trip_every_wire(void **state)
{
	uint8_t buf[256];
	struct tr_arg_val v[TR_MAX_ARGS];
	char err[128];
	size_t len = encode_all(buf, sizeof(buf));

	assert_int_equal(len, 8 * 1 + 2 * 4 + 2 * 8 + 4 * 4 + 16 + 5 + 6 + 3);
	assert_int_equal(tr_args__decode(all_wires, 8, buf, len, 8, v, err, sizeof(err)), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(v[i].present, 1);
		assert_int_equal(v[i].wire, all_wires[i]);
	}
	for (int i = 8; i < TR_MAX_ARGS; i++)
		assert_int_equal(v[i].present, 0);
	assert_int_equal(v[0].i, -5);
	assert_int_equal(v[1].u, 0xfffffffeU);
	assert_true(v[2].i == INT64_MIN);
	assert_true(v[3].u == UINT64_MAX);
	assert_int_equal(v[4].b.len, 5);
	assert_memory_equal(v[4].b.p, "hello", 5);
	assert_int_equal(v[5].b.len, 6);
	assert_memory_equal(v[5].b.p, "ls\0-l\0", 6);
	assert_int_equal(v[6].b.len, 3);
	assert_memory_equal(v[6].b.p, "\0\1\2", 3);
	assert_int_equal(v[7].b.len, sizeof(sockaddr));
	assert_memory_equal(v[7].b.p, sockaddr, sizeof(sockaddr));
	/* values point into the buffer, not at copies */
	assert_true(v[4].b.p > buf && v[4].b.p < buf + len);
}

static void test_absent_arguments(void **state)
{
	uint8_t buf[64];
	struct tr_arg_val v[TR_MAX_ARGS];
	size_t off = 0;

	assert_int_equal(tr_arg__put_bytes(buf, sizeof(buf), &off, 4, "", 0), 0);
	assert_int_equal(tr_args__decode(all_wires, 8, buf, off, 1, v, NULL, 0), 0);
	for (int i = 0; i < TR_MAX_ARGS; i++)
		assert_int_equal(v[i].present, i == 4);
	assert_int_equal(v[4].b.len, 0);
	assert_int_equal(tr_args__decode(all_wires, 8, buf, 0, 0, v, NULL, 0), 0);
	assert_int_equal(v[4].present, 0);
}

static void test_put_no_space(void **state)
{
	uint8_t buf[8];
	size_t off = 0;

	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(tr_arg__put_u64(buf, sizeof(buf), &off, 0, 1), -ENOSPC);
	assert_int_equal(tr_arg__put_bytes(buf, sizeof(buf), &off, 0, "abcd", 4), -ENOSPC);
	assert_int_equal(off, 0);
	assert_int_equal(buf[0], 0xee);
	assert_int_equal(tr_arg__put_u32(buf, sizeof(buf), &off, 0, 1), 0);
	assert_int_equal(off, 5);
	assert_int_equal(tr_arg__put_u32(buf, sizeof(buf), &off, 1, 1), -ENOSPC);
	assert_int_equal(off, 5);
}

/* Decoding buf[0..len) must fail with a message that contains want. */
static void assert_rejected(const uint8_t *wires, unsigned nwires, const uint8_t *buf, size_t len,
			    unsigned nargs, const char *want)
{
	struct tr_arg_val v[TR_MAX_ARGS];
	char err[160] = "";

	assert_int_equal(tr_args__decode(wires, nwires, buf, len, nargs, v, err, sizeof(err)), -EBADMSG);
	if (!strstr(err, want))
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
}

static void test_rejects_index_out_of_range(void **state)
{
	uint8_t buf[16];
	size_t off = 0;

	tr_arg__put_u32(buf, sizeof(buf), &off, 0, 1);
	tr_arg__put_u32(buf, sizeof(buf), &off, 4, 1);
	assert_rejected(all_wires, 4, buf, off, 2, "offset 5: argument index 4 out of range");
}

static void test_rejects_duplicate_index(void **state)
{
	uint8_t buf[16];
	size_t off = 0;

	tr_arg__put_u32(buf, sizeof(buf), &off, 1, 1);
	tr_arg__put_u32(buf, sizeof(buf), &off, 1, 2);
	assert_rejected(all_wires, 8, buf, off, 2, "offset 5: argument index 1 repeated");
}

static void test_rejects_unknown_wire(void **state)
{
	static const uint8_t zero[] = { 0 }, big[] = { TR_T_MAX + 1 };
	uint8_t buf[16];
	size_t off = 0;

	tr_arg__put_u32(buf, sizeof(buf), &off, 0, 1);
	assert_rejected(zero, 1, buf, off, 1, "offset 0: argument index 0 has unknown wire type 0");
	assert_rejected(big, 1, buf, off, 1, "unknown wire type 10");
}

static void test_rejects_length_past_end(void **state)
{
	uint8_t buf[32];
	size_t off = 0;

	tr_arg__put_bytes(buf, sizeof(buf), &off, 4, "hello", 5);
	assert_rejected(all_wires, 8, buf, off - 1, 1, "offset 5: argument index 4 needs 5 bytes, 4 left");
	assert_rejected(all_wires, 8, buf, 3, 1, "offset 1: length of argument index 4 cut short");
	off = 0;
	tr_arg__put_u64(buf, sizeof(buf), &off, 3, 1);
	assert_rejected(all_wires, 8, buf, off - 1, 1, "offset 1: argument index 3 needs 8 bytes, 7 left");
	/* a huge length must not wrap around */
	buf[0] = 4;
	memset(buf + 1, 0xff, 4);
	assert_rejected(all_wires, 8, buf, 9, 1, "needs 4294967295 bytes");
}

static void test_rejects_leftover_bytes(void **state)
{
	uint8_t buf[16];
	size_t off = 0;

	tr_arg__put_u32(buf, sizeof(buf), &off, 0, 1);
	tr_arg__put_u32(buf, sizeof(buf), &off, 1, 1);
	assert_rejected(all_wires, 8, buf, off, 1, "offset 5: 5 bytes left over after 1 arguments");
}

static void test_rejects_missing_argument(void **state)
{
	uint8_t buf[16];
	size_t off = 0;

	tr_arg__put_u32(buf, sizeof(buf), &off, 0, 1);
	assert_rejected(all_wires, 8, buf, off, 2, "offset 5: argument 2 of 2 is missing");
}

static void test_rejects_too_many_arguments(void **state)
{
	uint8_t buf[16] = { 0 };

	assert_rejected(all_wires, 8, buf, sizeof(buf), TR_MAX_ARGS + 1, "25 arguments, at most 24");
}

/* The catalog: ids strictly increasing (tr_catalog__find bisects), names
 * and argument names unique, wire types known, syscalls flagged as such. */
static void test_catalog_is_well_formed(void **state)
{
	const struct tr_catalog *c = tr_catalog__builtin();

	assert_true(c->n > 100);
	for (size_t i = 0; i < c->n; i++) {
		const struct tr_event_def *d = &c->events[i];

		if (i)
			assert_true(c->events[i - 1].id < d->id);
		assert_ptr_equal(tr_catalog__find(c, d->id), d);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->events[j].name, d->name))
				fail_msg("event name %s twice", d->name);
		assert_true(d->nargs <= TR_MAX_ARGS);
		for (unsigned a = 0; a < d->nargs; a++) {
			assert_true(d->args[a].wire >= 1 && d->args[a].wire <= TR_T_MAX);
			for (unsigned b = 0; b < a; b++)
				if (!strcmp(d->args[a].name, d->args[b].name))
					fail_msg("event %s: argument %s twice", d->name, d->args[a].name);
		}
		/* a syscall's id is its x86_64 number (below 1000); ours from 9000 */
		assert_int_equal(!!(d->sets & TR_SET_SYSCALL), d->id < 700);
		if (!(d->sets & TR_SET_SYSCALL))
			assert_int_equal(d->ia32, -1);
		/* what is derived or external is never recorded by default */
		if (d->sets & (TR_SET_DERIVED | TR_SET_EXTERNAL))
			assert_false(d->sets & TR_SET_DEFAULT);
	}
}

/* A version-1 catalog (sched events at 1002-1004) maps onto this build's
 * ids by name; an id the recording uses for something else is not taken. */
static void test_catalog_canonicalize_v1_ids(void **state)
{
	struct tr_event_def ev[] = {
		{ .id = 42, .name = "connect" },
		{ .id = 715, .name = "someone_elses" },
		{ .id = 1002, .name = "sched_process_fork" },
		{ .id = 1003, .name = "sched_process_exec" },
	};
	struct tr_catalog c = { .n = 4, .events = ev };

	assert_int_equal(tr_catalog__canonicalize(&c), 1);
	assert_int_equal(tr_catalog__canon_id(&c, 1002), TR_EV_SCHED_PROCESS_FORK);
	assert_int_equal(tr_catalog__canon_id(&c, 1003), 1003);	/* 715 is taken */
	assert_int_equal(tr_catalog__canon_id(&c, 42), 42);
	assert_string_equal(tr_catalog__find(&c, TR_EV_SCHED_PROCESS_FORK)->name, "sched_process_fork");
	assert_null(tr_catalog__find(&c, 1002));
	assert_true(tr_catalog__find(&c, 42)->sets & TR_SET_SYSCALL);
	for (size_t i = 1; i < c.n; i++)
		assert_true(ev[i - 1].id < ev[i].id);
}

/* Canonicalizing is a fixed point: an id freed by an event that moves is
 * taken by the event that wanted it, so a rewritten manifest read again maps
 * the same way (a fuzzed catalog had execve at 18 and chdir at 59). */
static void test_catalog_canonicalize_is_stable(void **state)
{
	struct tr_event_def ev[] = {
		{ .id = 18, .name = "execve" },
		{ .id = 59, .name = "chdir" },
	};
	struct tr_catalog c = { .n = 2, .events = ev };
	struct tr_catalog again;

	assert_int_equal(tr_catalog__canonicalize(&c), 2);
	assert_int_equal(tr_catalog__canon_id(&c, 18), TR_EV_EXECVE);
	assert_int_equal(tr_catalog__canon_id(&c, 59), TR_EV_CHDIR);
	assert_string_equal(tr_catalog__find(&c, TR_EV_EXECVE)->name, "execve");
	assert_string_equal(tr_catalog__find(&c, TR_EV_CHDIR)->name, "chdir");
	again = (struct tr_catalog){ .n = 2, .events = ev };
	assert_int_equal(tr_catalog__canonicalize(&again), 0);
}

/* An openat event as the BPF side would send it. */
static void make_openat(uint8_t *rec, size_t cap)
{
	struct tr_event ev = {
		.h = { .kind = TR_REC_EVENT, .cpu = 1, .ts = 42, .seq = 7 },
		.event_id = TR_EV_OPENAT,
		.nargs = 3,
		.retval = 3,
	};
	size_t off = sizeof(ev);

	assert_int_equal(tr_arg__put_u32(rec, cap, &off, 0, (uint32_t)-100), 0);
	assert_int_equal(tr_arg__put_bytes(rec, cap, &off, 1, "/etc/passwd", 11), 0);
	assert_int_equal(tr_arg__put_u32(rec, cap, &off, 2, 0x80000), 0);
	ev.h.size = (uint32_t)off;
	memcpy(rec, &ev, sizeof(ev));
}

static void test_event_args(void **state)
{
	const struct tr_event_def *def = tr_catalog__find(tr_catalog__builtin(), TR_EV_OPENAT);
	_Alignas(8) uint8_t rec[256];
	struct tr_event *ev = (struct tr_event *)rec;
	struct tr_arg_val v[TR_MAX_ARGS];
	char err[160] = "";

	assert_non_null(def);
	make_openat(rec, sizeof(rec));
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), 0);
	assert_int_equal(v[0].i, -100);
	assert_int_equal(v[1].b.len, 11);
	assert_memory_equal(v[1].b.p, "/etc/passwd", 11);
	assert_int_equal(v[2].u, 0x80000);
	assert_int_equal(v[3].present, 0);

	/* offsets in messages count from the start of the record */
	ev->nargs = 2;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "offset 149: 5 bytes left over"));
	ev->nargs = 3;
	rec[sizeof(*ev)] = 9;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "offset 128: argument index 9 out of range"));
	rec[sizeof(*ev)] = 0;
	ev->flags = 0x8000;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "reserved event flags"));
	ev->flags = TR_EVF_AT_ENTRY;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), 0);
	ev->h.size = sizeof(*ev) - 1;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "less than the event head"));
}

/* Version 2's argument-info trailer: flags and real length of a cut
 * argument; readers of records without it never look. */
static void test_event_arginfo(void **state)
{
	const struct tr_event_def *def = tr_catalog__find(tr_catalog__builtin(), TR_EV_OPENAT);
	_Alignas(8) uint8_t rec[256];
	struct tr_event *ev = (struct tr_event *)rec;
	struct tr_arg_val v[TR_MAX_ARGS];
	struct tr_arg_info ai = { .idx = 1, .flags = TR_ARGF_TRUNC | TR_ARGF_AT_EXIT, .orig_len = 5000 };
	char err[160] = "";
	size_t end;

	make_openat(rec, sizeof(rec));
	end = ev->h.size;
	memcpy(rec + end, &ai, sizeof(ai));
	ev->h.size += sizeof(ai);
	ev->flags = TR_EVF_TRUNC | TR_EVF_ARG_AT_EXIT;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), 0);
	assert_int_equal(v[1].flags, TR_ARGF_TRUNC | TR_ARGF_AT_EXIT);
	assert_int_equal(v[1].orig_len, 5000);
	assert_int_equal(v[0].flags, 0);
	assert_int_equal(v[2].flags, 0);

	/* the event's flags must say what the entries say */
	ev->flags = TR_EVF_TRUNC;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "disagree"));
	/* without the flags the trailer is bytes left over */
	ev->flags = 0;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "8 bytes left over"));
	/* an entry for an absent argument, a repeated one, reserved bits */
	ev->flags = TR_EVF_TRUNC | TR_EVF_ARG_AT_EXIT;
	rec[end] = 3;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "index 3, which is not in the record"));
	rec[end] = 1;
	rec[end + 2] = 1;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "reserved bits"));
	rec[end + 2] = 0;
	memcpy(rec + end + sizeof(ai), &ai, sizeof(ai));
	ev->h.size += sizeof(ai);
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "repeated"));
	/* a trailer that is not whole entries */
	ev->h.size -= 3;
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not a positive multiple of 8"));
}

/* A version 1 event (120-byte head) widens to this layout: same fields,
 * same arguments, euid/fsuid unknown. */
static void test_event_from_v1(void **state)
{
	const struct tr_event_def *def = tr_catalog__find(tr_catalog__builtin(), TR_EV_OPENAT);
	_Alignas(8) uint8_t v2[256], v1[256], out[256];
	struct tr_event *ev = (struct tr_event *)out;
	struct tr_arg_val v[TR_MAX_ARGS];
	uint32_t size;
	char err[160] = "";

	make_openat(v2, sizeof(v2));
	memcpy(&size, v2 + offsetof(struct tr_rec_hdr, size), sizeof(size));
	/* the same record as version 1 wrote it */
	memcpy(v1, v2, TR_EVENT_V1_SIZE);
	memcpy(v1 + TR_EVENT_V1_SIZE, v2 + sizeof(struct tr_event), size - sizeof(struct tr_event));
	size -= sizeof(struct tr_event) - TR_EVENT_V1_SIZE;
	memcpy(v1 + offsetof(struct tr_rec_hdr, size), &size, sizeof(size));

	assert_int_equal(tr_event__from_v1(v1, size, out, err, sizeof(err)), 0);
	assert_int_equal(ev->h.size, size + 8);
	assert_int_equal(ev->euid, TR_ID_UNKNOWN);
	assert_int_equal(ev->fsuid, TR_ID_UNKNOWN);
	assert_int_equal(ev->retval, 3);
	assert_int_equal(tr_event__args(ev, def, v, err, sizeof(err)), 0);
	assert_memory_equal(v[1].b.p, "/etc/passwd", 11);
	/* flags version 1 did not have make it invalid */
	((struct tr_event *)v1)->flags = TR_EVF_TRUNC;
	assert_int_equal(tr_event__from_v1(v1, size, out, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "reserved in version 1"));
	assert_int_equal(tr_event__from_v1(v1, TR_EVENT_V1_SIZE - 1, out, err, sizeof(err)), -EBADMSG);
}

/* The BPF syscall table comes from the catalog: every syscall row is
 * expressible, arguments read as their wire type and rules say, ia32
 * numbers land on the same events, and --events is the enabled column. */
static void test_sctable(void **state)
{
	static struct tr_sc_desc t[TR_SC_SLOTS];
	static uint32_t ia32[TR_SC_NR_MAX];
	const struct tr_catalog *c = tr_catalog__builtin();
	struct tr_evsel sel;
	char err[256] = "";

	assert_int_equal(tr_evsel__parse(&sel, c, "default", err, sizeof(err)), 0);
	assert_int_equal(tr_sctable__build(c, &sel, t, ia32, err, sizeof(err)), 0);
	/* write: fd, buf, count, and our first 64 bytes of buf */
	assert_int_equal(t[TR_EV_WRITE].event_id, TR_EV_WRITE);
	assert_true(t[TR_EV_WRITE].enabled);
	assert_int_equal(t[TR_EV_WRITE].args[0].read, TR_RD_REG);
	assert_int_equal(t[TR_EV_WRITE].args[3].read, TR_RD_UBYTES);
	assert_int_equal(t[TR_EV_WRITE].args[3].reg, 1);
	assert_int_equal(t[TR_EV_WRITE].args[3].len_reg, 2);
	/* openat: the path read at entry, the resolved path at exit from the fd returned */
	assert_int_equal(t[TR_EV_OPENAT].args[1].read, TR_RD_USTR);
	assert_int_equal(t[TR_EV_OPENAT].args[4].read, TR_RD_FD_PATH | TR_RD_AT_EXIT);
	assert_int_equal(t[TR_EV_OPENAT].args[4].reg, TR_REG_RET);
	/* connect's sockaddr with its length; accept's filled in by the kernel */
	assert_int_equal(t[TR_EV_CONNECT].args[1].read, TR_RD_USOCKADDR);
	assert_int_equal(t[TR_EV_CONNECT].args[1].len_reg, 2);
	assert_int_equal(t[TR_EV_ACCEPT4].args[1].read, TR_RD_USOCKADDR_PLEN | TR_RD_AT_EXIT);
	/* exec at entry; envp read like argv (the recorder keeps only an
	 * allowlist of it, record/env.c); kill flags the recorder */
	assert_true(t[TR_EV_EXECVE].flags & TR_SCF_AT_ENTRY);
	assert_int_equal(t[TR_EV_EXECVE].args[2].read, TR_RD_UARGV);
	assert_true(t[TR_EV_KILL].flags & TR_SCF_SIGNAL);
	/* ia32 numbers onto the same slots; socketcall only that way */
	assert_int_equal(ia32[5], TR_EV_OPEN);
	assert_int_equal(ia32[11], TR_EV_EXECVE);
	assert_int_equal(ia32[295], TR_EV_OPENAT);
	assert_int_equal(ia32[102], TR_EV_SOCKETCALL);
	assert_true(t[TR_EV_SOCKETCALL].flags & TR_SCF_IA32_ONLY);
	/* read is opt-in; nothing raw by default */
	assert_false(t[TR_EV_READ].enabled);
	assert_false(t[TR_SC_RAW].enabled);
	assert_false(t[1].event_id != TR_EV_WRITE);
	assert_int_equal(ia32[400], TR_SC_NONE);

	assert_int_equal(tr_evsel__parse(&sel, c, "+read,-write", err, sizeof(err)), 0);
	assert_int_equal(tr_sctable__build(c, &sel, t, ia32, err, sizeof(err)), 0);
	assert_true(t[TR_EV_READ].enabled);
	assert_false(t[TR_EV_WRITE].enabled);
	assert_true(t[TR_EV_OPENAT].enabled);

	/* all: every catalog syscall, the rest as raw_syscall */
	assert_int_equal(tr_evsel__parse(&sel, c, "all", err, sizeof(err)), 0);
	assert_int_equal(tr_sctable__build(c, &sel, t, ia32, err, sizeof(err)), 0);
	assert_true(t[TR_EV_READ].enabled);
	assert_int_equal(t[4].event_id, TR_EV_RAW_SYSCALL);	/* stat: no row */
	assert_true(t[4].enabled);
	assert_int_equal(t[4].args[0].read, TR_RD_NR);
	assert_int_equal(ia32[400], TR_SC_RAW);

	/* a set alone */
	assert_int_equal(tr_evsel__parse(&sel, c, "net", err, sizeof(err)), 0);
	assert_int_equal(tr_sctable__build(c, &sel, t, ia32, err, sizeof(err)), 0);
	assert_true(t[TR_EV_CONNECT].enabled);
	assert_false(t[TR_EV_OPENAT].enabled);

	assert_int_equal(tr_evsel__parse(&sel, c, "+nosuchcall", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'nosuchcall' is neither an event nor a set"));
	assert_int_equal(tr_evsel__parse(&sel, c, "default,,", err, sizeof(err)), 0);
	assert_int_equal(tr_evsel__parse(&sel, c, "+", err, sizeof(err)), -EINVAL);
}

static void test_proc_args(void **state)
{
	_Alignas(8) uint8_t rec[256];
	struct tr_proc *p = (struct tr_proc *)rec;
	struct tr_arg_val v[TR_MAX_ARGS];
	char err[160] = "";
	size_t off = sizeof(*p);

	memset(rec, 0, sizeof(*p));
	assert_int_equal(tr_arg__put_bytes(rec, sizeof(rec), &off, TR_PROC_ARG_ARGV, "sh\0-c\0", 6), 0);
	assert_int_equal(tr_arg__put_bytes(rec, sizeof(rec), &off, TR_PROC_ARG_EXE, "/bin/sh", 7), 0);
	p->h.kind = TR_REC_PROC;
	p->h.size = (uint32_t)off;
	p->nargs = 2;
	assert_int_equal(tr_proc__args(p, v, err, sizeof(err)), 0);
	assert_int_equal(v[TR_PROC_ARG_EXE].wire, TR_T_STR);
	assert_memory_equal(v[TR_PROC_ARG_EXE].b.p, "/bin/sh", 7);
	assert_int_equal(v[TR_PROC_ARG_ARGV].wire, TR_T_STR_ARRAY);
	assert_int_equal(v[TR_PROC_ARG_ARGV].b.len, 6);
	assert_int_equal(v[TR_PROC_ARG_CWD].present, 0);

	rec[sizeof(*p)] = TR_PROC_ARG_NARGS;
	assert_int_equal(tr_proc__args(p, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "offset 96: argument index 11 out of range"));
	rec[sizeof(*p)] = TR_PROC_ARG_ARGV;
	p->reserved = 1;
	assert_int_equal(tr_proc__args(p, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "reserved fields not zero"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_wire),
		cmocka_unit_test(test_absent_arguments),
		cmocka_unit_test(test_put_no_space),
		cmocka_unit_test(test_rejects_index_out_of_range),
		cmocka_unit_test(test_rejects_duplicate_index),
		cmocka_unit_test(test_rejects_unknown_wire),
		cmocka_unit_test(test_rejects_length_past_end),
		cmocka_unit_test(test_rejects_leftover_bytes),
		cmocka_unit_test(test_rejects_missing_argument),
		cmocka_unit_test(test_rejects_too_many_arguments),
		cmocka_unit_test(test_event_args),
		cmocka_unit_test(test_event_arginfo),
		cmocka_unit_test(test_event_from_v1),
		cmocka_unit_test(test_sctable),
		cmocka_unit_test(test_catalog_is_well_formed),
		cmocka_unit_test(test_catalog_canonicalize_v1_ids),
		cmocka_unit_test(test_catalog_canonicalize_is_stable),
		cmocka_unit_test(test_proc_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
