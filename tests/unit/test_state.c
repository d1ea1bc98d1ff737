// SPDX-License-Identifier: MIT
/* test_state.c: the state records of format version 2 (schema/state.h):
 * every kind round-trips through the writer helpers and the decoder, and
 * every kind of malformed record is rejected with the offset of the fault. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "state.h"

#define REC_CAP 1024

static _Alignas(8) uint8_t rec[REC_CAP];

/* Finish a record made with tr_state__begin/put: fill in the head. */
static struct tr_rec_hdr *finish(size_t off)
{
	struct tr_rec_hdr *h = (struct tr_rec_hdr *)rec;

	h->cpu = TR_CPU_NONE;
	h->size = (uint32_t)off;
	h->ts = 123;
	return h;
}

static void assert_rejected(const char *want)
{
	struct tr_arg_val v[TR_MAX_ARGS];
	char err[200] = "";

	assert_int_equal(tr_state__args((struct tr_rec_hdr *)rec, v, err, sizeof(err)), -EBADMSG);
	if (!strstr(err, want))
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
	for (int i = 0; i < TR_MAX_ARGS; i++)
		assert_int_equal(v[i].present, 0);
}

static void test_table_covers_every_state_kind(void **state)
{
	for (uint16_t k = TR_REC_CLOCK; k <= TR_REC_CHECKPOINT; k++) {
		const struct tr_state_def *d = tr_state__def(k);

		assert_non_null(d);
		assert_int_equal(d->kind, k);
		assert_string_equal(tr_rec_kind__name(k), d->name);
		assert_true(d->head >= sizeof(struct tr_rec_hdr));
		assert_non_null(d->check);
		/* the field table tiles the head after the record header */
		{
			unsigned at = sizeof(struct tr_rec_hdr);

			for (unsigned i = 0; i < d->nfields; i++) {
				assert_int_equal(d->fields[i].off, at);
				assert_true(d->fields[i].size == 2 || d->fields[i].size == 4 || d->fields[i].size == 8);
				if (!d->exact && !strcmp(d->fields[i].name, "nargs"))
					assert_int_equal(d->fields[i].off, d->nargs_off);
				at += d->fields[i].size;
			}
			assert_int_equal(at, d->head);
		}
		if (!d->exact) {
			assert_true(d->nwires > 0 && d->nwires <= TR_MAX_ARGS);
			assert_true(d->nargs_off + 2U <= d->head);
			for (unsigned i = 0; i < d->nwires; i++) {
				assert_true(d->wires[i] >= 1 && d->wires[i] <= TR_T_MAX);
				assert_non_null(d->arg_names[i]);
			}
		}
	}
	assert_null(tr_state__def(TR_REC_PROC));
	assert_null(tr_state__def(TR_REC_CHECKPOINT + 1));
	assert_true(tr_state__is_state(TR_REC_PROC));
	assert_false(tr_state__is_state(TR_REC_EVENT));
	assert_string_equal(tr_rec_kind__name(TR_REC_WATERMARK), "watermark");
	assert_null(tr_rec_kind__name(TR_REC_KIND_MAX + 1));
	assert_null(tr_rec_kind__name(0));
}

static void test_fd_round_trip(void **state)
{
	struct tr_fd *f = (struct tr_fd *)rec;
	struct tr_arg_val v[TR_MAX_ARGS];
	const uint8_t local[16] = { 2, 0, 0x1f, 0x90, 127, 0, 0, 1 };
	char err[160] = "";
	size_t off;

	assert_int_equal(tr_state__begin(rec, REC_CAP, TR_REC_FD, &off), 0);
	assert_int_equal(off, sizeof(struct tr_fd));
	f->host_pid = 42;
	f->fd = 3;
	f->start_ns = 990000000;
	f->ino = 12345;
	f->kind = TR_FD_SOCKET;
	f->flags = TR_FDF_FDINFO | TR_FDF_STAT;
	f->open_flags = 02000002;
	assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, TR_FD_ARG_PATH, "socket:[12345]", 14), 0);
	assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, TR_FD_ARG_LOCAL, local, sizeof(local)), 0);
	assert_int_equal(tr_state__put_u32(rec, REC_CAP, &off, TR_FD_ARG_SOCK_STATE, 10), 0);
	assert_int_equal(f->nargs, 3);
	finish(off);
	assert_int_equal(tr_state__args((struct tr_rec_hdr *)rec, v, err, sizeof(err)), 0);
	assert_int_equal(v[TR_FD_ARG_PATH].present, 1);
	assert_memory_equal(v[TR_FD_ARG_PATH].b.p, "socket:[12345]", 14);
	assert_int_equal(v[TR_FD_ARG_LOCAL].wire, TR_T_SOCKADDR);
	assert_memory_equal(v[TR_FD_ARG_LOCAL].b.p, local, sizeof(local));
	assert_int_equal(v[TR_FD_ARG_SOCK_STATE].u, 10);
	assert_int_equal(v[TR_FD_ARG_REMOTE].present, 0);
	assert_string_equal(tr_fd_kind__name(f->kind), "socket");
	assert_string_equal(tr_fd_kind__name(0), "?");

	/* rejections, each undone after */
	f->kind = TR_FD_KIND_MAX + 1;
	assert_rejected("offset 76: fd kind 11 unknown");
	f->kind = TR_FD_FILE;
	f->flags = 0x8;
	assert_rejected("offset 78: reserved fd flags set (0x0008)");
	f->flags = 0;
	f->reserved2 = 1;
	assert_rejected("offset 82: reserved fields not zero");
	f->reserved2 = 0;
	f->fd = -1;
	assert_rejected("offset 28: fd -1 is negative");
	f->fd = 3;
	f->nargs = 4;
	assert_rejected("argument 4 of 4 is missing");
	f->nargs = 2;
	assert_rejected("bytes left over after 2 arguments");
	f->nargs = 3;
	f->h.size = sizeof(struct tr_fd) - 1;
	assert_rejected("offset 4: fd record of 87 bytes, its head is 88");
	f->h.size = (uint32_t)off;
	rec[sizeof(struct tr_fd)] = TR_FD_ARG_NARGS;	/* first argument's index */
	assert_rejected("offset 88: argument index 7 out of range (7 defined)");
	rec[sizeof(struct tr_fd)] = TR_FD_ARG_LOCAL;
	assert_rejected("offset 107: argument index 1 repeated");
}

static void test_put_checks_wire_and_kind(void **state)
{
	size_t off;
	uint8_t big[TR_STR_MAX + 1] = { 0 };

	assert_int_equal(tr_state__begin(rec, REC_CAP, TR_REC_EVENT, &off), -EINVAL);
	assert_int_equal(tr_state__begin(rec, 10, TR_REC_FD, &off), -ENOSPC);
	assert_int_equal(tr_state__begin(rec, REC_CAP, TR_REC_FD, &off), 0);
	/* a STR argument as u32, a u32 argument as bytes, an index past the table */
	assert_int_equal(tr_state__put_u32(rec, REC_CAP, &off, TR_FD_ARG_PATH, 1), -EINVAL);
	assert_int_equal(tr_state__put_u64(rec, REC_CAP, &off, TR_FD_ARG_SOCK_TYPE, 1), -EINVAL);
	assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, TR_FD_ARG_SOCK_TYPE, "x", 1), -EINVAL);
	assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, TR_FD_ARG_NARGS, "x", 1), -EINVAL);
	assert_int_equal(tr_state__put_bytes(rec, sizeof(rec), &off, TR_FD_ARG_PATH, big, sizeof(big)), -E2BIG);
	assert_int_equal(tr_state__put_bytes(rec, sizeof(struct tr_fd) + 4, &off, TR_FD_ARG_PATH, "abc", 3),
			 -ENOSPC);
	assert_int_equal(((struct tr_fd *)rec)->nargs, 0);
	assert_int_equal(off, sizeof(struct tr_fd));
	/* kinds without arguments take none */
	assert_int_equal(tr_state__begin(rec, REC_CAP, TR_REC_CLOCK, &off), 0);
	assert_int_equal(tr_state__put_u32(rec, REC_CAP, &off, 0, 1), -EINVAL);
}

static void test_clock_and_checkpoint(void **state)
{
	struct tr_clock *c = (struct tr_clock *)rec;
	struct tr_checkpoint *k = (struct tr_checkpoint *)rec;
	struct tr_arg_val v[TR_MAX_ARGS];
	size_t off;

	assert_int_equal(tr_state__begin(rec, REC_CAP, TR_REC_CLOCK, &off), 0);
	c->boot_to_wall_ns = -5;
	c->reason = TR_CLOCK_PERIODIC;
	finish(off);
	assert_int_equal(tr_state__args((struct tr_rec_hdr *)rec, v, NULL, 0), 0);
	c->reason = 0;
	assert_rejected("offset 36: clock reason 0 unknown");
	c->reason = TR_CLOCK_STOP;
	c->reserved = 1;
	assert_rejected("reserved fields not zero");
	c->reserved = 0;
	c->h.size = sizeof(*c) + 1;
	assert_rejected("clock record of 49 bytes, its head is 48 and it has no arguments");

	assert_int_equal(tr_state__begin(rec, REC_CAP, TR_REC_CHECKPOINT, &off), 0);
	k->phase = TR_CHECKPOINT_END;
	k->reason = TR_CHECKPOINT_ROTATION;
	k->records = 70;
	finish(off);
	assert_int_equal(tr_state__args((struct tr_rec_hdr *)rec, v, NULL, 0), 0);
	k->phase = TR_CHECKPOINT_BEGIN;
	assert_rejected("offset 36: a checkpoint begin counts 70 records");
	k->records = 0;
	k->reason = 3;
	assert_rejected("offset 34: checkpoint reason 3 unknown");
	k->reason = TR_CHECKPOINT_START;
	k->phase = 0;
	assert_rejected("offset 32: checkpoint phase 0 unknown");
}

static void test_netif_addresses(void **state)
{
	struct tr_netif_addr a[2] = {
		{ .family = 2, .prefix_len = 8, .addr = { 127, 0, 0, 1 } },
		{ .family = 10, .prefix_len = 128, .addr = { [15] = 1 } },
	}, got;
	struct tr_arg_val v[TR_MAX_ARGS];
	char err[160] = "";
	size_t off, addrs_at;

	assert_int_equal(tr_state__begin(rec, REC_CAP, TR_REC_NETIF, &off), 0);
	((struct tr_netif *)rec)->ifindex = 1;
	assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, TR_NETIF_ARG_NAME, "lo", 2), 0);
	addrs_at = off + 1 + 4;
	assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, TR_NETIF_ARG_ADDRS, a, sizeof(a)), 0);
	finish(off);
	assert_int_equal(tr_state__args((struct tr_rec_hdr *)rec, v, err, sizeof(err)), 0);
	assert_int_equal(v[TR_NETIF_ARG_ADDRS].b.len, 40);
	assert_int_equal(tr_netif__addr(&v[TR_NETIF_ARG_ADDRS], 1, &got), 0);
	assert_int_equal(got.family, 10);
	assert_int_equal(got.addr[15], 1);
	assert_int_equal(tr_netif__addr(&v[TR_NETIF_ARG_ADDRS], 2, &got), -EBADMSG);
	rec[addrs_at + 3] = 1;	/* the first entry's reserved byte */
	assert_rejected("netif record: address 0: family 2, reserved 0x01");
	rec[addrs_at + 3] = 0;
	rec[addrs_at] = 17;	/* AF_PACKET */
	assert_rejected("address 0: family 17");
	rec[addrs_at] = 2;

	/* addresses of a length no multiple of 20 */
	assert_int_equal(tr_state__begin(rec, REC_CAP, TR_REC_NETIF, &off), 0);
	assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, TR_NETIF_ARG_ADDRS, a, 21), 0);
	finish(off);
	assert_rejected("addresses of 21 bytes, not a multiple of 20");
}

/* Each kind with arguments: every argument present, read back intact. */
static void test_every_kind_round_trips(void **state)
{
	for (uint16_t k = TR_REC_CLOCK; k <= TR_REC_CHECKPOINT; k++) {
		const struct tr_state_def *d = tr_state__def(k);
		struct tr_arg_val v[TR_MAX_ARGS];
		char err[160] = "";
		size_t off;

		assert_int_equal(tr_state__begin(rec, REC_CAP, k, &off), 0);
		/* the enumerations of the fixed parts at a valid value */
		if (k == TR_REC_FD)
			((struct tr_fd *)rec)->kind = TR_FD_FILE;
		if (k == TR_REC_USER)
			((struct tr_user *)rec)->kind = TR_USER_GROUP;
		if (k == TR_REC_CLOCK)
			((struct tr_clock *)rec)->reason = TR_CLOCK_START;
		if (k == TR_REC_CHECKPOINT)
			*(struct tr_checkpoint *)rec = (struct tr_checkpoint){ .h.kind = k, .phase = 1, .reason = 1 };
		for (unsigned i = 0; !d->exact && i < d->nwires; i++) {
			if (d->wires[i] == TR_T_UINT32)
				assert_int_equal(tr_state__put_u32(rec, REC_CAP, &off, (uint8_t)i, 1000 + i), 0);
			else if (d->wires[i] == TR_T_UINT64)
				assert_int_equal(tr_state__put_u64(rec, REC_CAP, &off, (uint8_t)i, 1000 + i), 0);
			else if (k == TR_REC_NETIF && i == TR_NETIF_ARG_ADDRS)
				assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, (uint8_t)i, "", 0), 0);
			else
				assert_int_equal(tr_state__put_bytes(rec, REC_CAP, &off, (uint8_t)i, d->arg_names[i],
								 (uint32_t)strlen(d->arg_names[i])), 0);
		}
		finish(off);
		if (tr_state__args((struct tr_rec_hdr *)rec, v, err, sizeof(err)))
			fail_msg("kind %s: %s", d->name, err);
		for (unsigned i = 0; !d->exact && i < d->nwires; i++) {
			assert_int_equal(v[i].present, 1);
			assert_int_equal(v[i].wire, d->wires[i]);
			if (d->wires[i] == TR_T_UINT32 || d->wires[i] == TR_T_UINT64)
				assert_int_equal(v[i].u, 1000 + i);
			else if (!(k == TR_REC_NETIF && i == TR_NETIF_ARG_ADDRS))
				assert_memory_equal(v[i].b.p, d->arg_names[i], strlen(d->arg_names[i]));
		}
	}
}

static void test_not_a_state_kind(void **state)
{
	struct tr_arg_val v[TR_MAX_ARGS];
	char err[160] = "";
	struct tr_rec_hdr h = { .kind = TR_REC_PROC, .size = sizeof(struct tr_proc) };

	assert_int_equal(tr_state__args(&h, v, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "record kind 3 is not a state kind"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_covers_every_state_kind),
		cmocka_unit_test(test_fd_round_trip),
		cmocka_unit_test(test_put_checks_wire_and_kind),
		cmocka_unit_test(test_clock_and_checkpoint),
		cmocka_unit_test(test_netif_addresses),
		cmocka_unit_test(test_every_kind_round_trips),
		cmocka_unit_test(test_not_a_state_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
