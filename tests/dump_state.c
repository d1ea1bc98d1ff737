// SPDX-License-Identifier: MIT
/*
 * dump_state: the state records of segment files (schema/FORMAT.md 3.2 and
 * 4.4) as JSON lines, one per record, for the tests: process records
 * (kind 3) and kinds 6..13, with their head fields and arguments by the
 * names of schema/state.c's tables. Other kinds are counted, not printed.
 *
 *   dump_state SEGMENT...      (in the order given)
 *   dump_state --raw DIR SEGMENT...
 *                              also write the raw bytes of each checkpoint's
 *                              state records (markers included) to
 *                              DIR/ckpt-ID.raw, and of its process records
 *                              alone to DIR/ckpt-ID.proc.raw, for measuring
 *                              what checkpoints cost (tests/bench/checkpoint.sh)
 *
 * Each line: {"file":..,"record":"fd","ts":..,FIELD:..,...,"in_checkpoint":ID,
 * "args":{..}} ("in_checkpoint" for records between a checkpoint's begin and
 * end, and for the markers themselves).
 * Exit 0, or 1 when a file cannot be read or a state record is invalid
 * (named on stderr with its segment, frame offset and record index).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "segment.h"
#include "state.h"

static int bad;
static long in_checkpoint = -1;	/* id of the checkpoint being read, -1 between */
static const char *raw_dir;
static FILE *raw_all, *raw_proc;	/* of the open checkpoint */

/* --raw: a checkpoint's records into files of their own. */
static void raw_record(const struct tr_rec_hdr *rec)
{
	if (rec->kind == TR_REC_CHECKPOINT && ((const struct tr_checkpoint *)rec)->phase == TR_CHECKPOINT_BEGIN) {
		char path[4096];
		unsigned id = ((const struct tr_checkpoint *)rec)->id;

		if (raw_all)
			fclose(raw_all);
		if (raw_proc)
			fclose(raw_proc);
		snprintf(path, sizeof(path), "%s/ckpt-%u.raw", raw_dir, id);
		raw_all = fopen(path, "wb");
		snprintf(path, sizeof(path), "%s/ckpt-%u.proc.raw", raw_dir, id);
		raw_proc = fopen(path, "wb");
		if (!raw_all || !raw_proc) {
			perror(path);
			exit(1);
		}
	}
	if (!raw_all)
		return;
	fwrite(rec, rec->size, 1, raw_all);
	if (rec->kind == TR_REC_PROC)
		fwrite(rec, rec->size, 1, raw_proc);
	if (rec->kind == TR_REC_CHECKPOINT && ((const struct tr_checkpoint *)rec)->phase == TR_CHECKPOINT_END) {
		fclose(raw_all);
		fclose(raw_proc);
		raw_all = raw_proc = NULL;
	}
}

static void on_diag(void *ctx, const char *path, uint64_t offset, const char *msg)
{
	fprintf(stderr, "dump_state: %s: offset %llu: %s\n", path, (unsigned long long)offset, msg);
	bad = 1;
}

static void put_int(struct tr_buf *b, const void *p, unsigned size, int is_signed)
{
	uint64_t u = 0;

	memcpy(&u, p, size);
	if (is_signed && size < 8 && (u >> (8 * size - 1)) & 1)
		u |= ~0ULL << (8 * size);
	if (is_signed)
		tr_json__i64(b, (int64_t)u);
	else
		tr_json__u64(b, u);
}

static void put_arg(struct tr_buf *b, const struct tr_arg_val *v)
{
	switch (v->wire) {
	case TR_T_INT32:
	case TR_T_INT64:
		tr_json__i64(b, v->i);
		break;
	case TR_T_UINT32:
	case TR_T_UINT64:
		tr_json__u64(b, v->u);
		break;
	case TR_T_STR_ARRAY:
		tr_json__str_array(b, v->b.p, v->b.len);
		break;
	case TR_T_SOCKADDR:
		tr_json__sockaddr(b, v->b.p, v->b.len);
		break;
	case TR_T_BYTES:
		tr_json__base64(b, v->b.p, v->b.len);
		break;
	default:
		tr_json__str(b, v->b.p, v->b.len);
	}
}

/* A netif's addresses as ["127.0.0.1/8", "::1/128"]. */
static void put_addrs(struct tr_buf *b, const struct tr_arg_val *v)
{
	struct tr_netif_addr a;
	char text[INET6_ADDRSTRLEN + 8];

	tr_buf__put(b, "[", 1);
	for (size_t i = 0; !tr_netif__addr(v, i, &a); i++) {
		size_t n;

		if (i)
			tr_buf__put(b, ",", 1);
		inet_ntop(a.family, a.addr, text, sizeof(text));
		n = strlen(text);
		snprintf(text + n, sizeof(text) - n, "/%u", a.prefix_len);
		tr_json__cstr(b, text);
	}
	tr_buf__put(b, "]", 1);
}

static void put_key(struct tr_buf *b, const char *k, int *first)
{
	if (!*first)
		tr_buf__put(b, ",", 1);
	*first = 0;
	tr_json__cstr(b, k);
	tr_buf__put(b, ":", 1);
}

static const char *const proc_names[TR_PROC_ARG_NARGS] = {
	"exe", "cwd", "argv", "cgroup", "euid", "egid", "fsuid", "net_ns", "user_ns", "uts_ns", "cgroup_ns",
};

static int dump(struct tr_buf *b, const char *seg, const struct tr_rec_hdr *rec, const struct tr_rec_pos *pos)
{
	const struct tr_state_def *d = tr_state__def(rec->kind);
	struct tr_arg_val v[TR_MAX_ARGS];
	const char *const *names;
	unsigned nnames;
	char err[256];
	int first = 1, rc;

	b->len = 0;
	if (rec->kind == TR_REC_PROC) {
		const struct tr_proc *p = (const struct tr_proc *)rec;

		rc = tr_proc__args(p, v, err, sizeof(err));
		names = proc_names;
		nnames = TR_PROC_ARG_NARGS;
		if (!rc) {
			tr_buf__put(b, "{", 1);
			put_key(b, "file", &first);
			tr_json__cstr(b, seg);
			put_key(b, "record", &first);
			tr_json__cstr(b, "proc");
			put_key(b, "ts", &first);
			tr_json__u64(b, rec->ts);
			put_key(b, "host_pid", &first);
			tr_json__u64(b, p->host_pid);
			put_key(b, "host_ppid", &first);
			tr_json__u64(b, p->host_ppid);
			put_key(b, "start_ns", &first);
			tr_json__u64(b, p->start_ns);
			put_key(b, "uid", &first);
			tr_json__u64(b, p->uid);
			put_key(b, "cgroup_id", &first);
			tr_json__u64(b, p->cgroup_id);
			put_key(b, "comm", &first);
			tr_json__str(b, p->comm, strnlen(p->comm, sizeof(p->comm)));
		}
	} else {
		rc = tr_state__args(rec, v, err, sizeof(err));
		names = d->arg_names;
		nnames = d->exact ? 0 : d->nwires;
		if (!rc) {
			tr_buf__put(b, "{", 1);
			put_key(b, "file", &first);
			tr_json__cstr(b, seg);
			put_key(b, "record", &first);
			tr_json__cstr(b, d->name);
			put_key(b, "ts", &first);
			tr_json__u64(b, rec->ts);
			for (unsigned i = 0; i < d->nfields; i++) {
				put_key(b, d->fields[i].name, &first);
				put_int(b, (const uint8_t *)rec + d->fields[i].off, d->fields[i].size,
					d->fields[i].is_signed);
			}
			if (rec->kind == TR_REC_FD) {
				put_key(b, "fd_kind", &first);
				tr_json__cstr(b, tr_fd_kind__name(((const struct tr_fd *)rec)->kind));
			}
		}
	}
	if (rc) {
		fprintf(stderr, "dump_state: %s: offset %llu: record %u: %s\n", seg,
			(unsigned long long)pos->frame_offset, pos->index, err);
		bad = 1;
		return 0;
	}
	if (in_checkpoint >= 0 || rec->kind == TR_REC_CHECKPOINT) {
		put_key(b, "in_checkpoint", &first);
		tr_json__u64(b, rec->kind == TR_REC_CHECKPOINT ? ((const struct tr_checkpoint *)rec)->id
							       : (uint64_t)in_checkpoint);
	}
	put_key(b, "args", &first);
	tr_buf__put(b, "{", 1);
	first = 1;
	for (unsigned i = 0; i < nnames; i++) {
		if (!v[i].present)
			continue;
		put_key(b, names[i], &first);
		if (rec->kind == TR_REC_NETIF && i == TR_NETIF_ARG_ADDRS)
			put_addrs(b, &v[i]);
		else
			put_arg(b, &v[i]);
	}
	tr_buf__put(b, "}}\n", 3);
	if (b->err)
		return b->err;
	fwrite(b->p, 1, b->len, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct tr_buf b = {};
	int first = 1;

	if (argc > 2 && !strcmp(argv[1], "--raw")) {
		raw_dir = argv[2];
		first = 3;
	}
	if (argc <= first) {
		fputs("USAGE: dump_state [--raw DIR] SEGMENT...\n", stderr);
		return 2;
	}
	for (int i = first; i < argc; i++) {
		struct tr_seg_reader *r = tr_seg_reader__open(argv[i], on_diag, NULL);
		const struct tr_rec_hdr *rec;
		struct tr_rec_pos pos;
		int rc;

		if (!r) {
			fprintf(stderr, "dump_state: %s: %s\n", argv[i], strerror(errno));
			bad = 1;
			continue;
		}
		while ((rc = tr_seg_reader__next(r, &rec, &pos)) == 1) {
			if (!tr_state__is_state(rec->kind))
				continue;
			if (rec->kind == TR_REC_CHECKPOINT)
				in_checkpoint = ((const struct tr_checkpoint *)rec)->phase == TR_CHECKPOINT_BEGIN
						? (long)((const struct tr_checkpoint *)rec)->id : -1;
			if (raw_dir)
				raw_record(rec);
			if (dump(&b, argv[i], rec, &pos))
				break;
		}
		tr_seg_reader__close(r);
	}
	tr_buf__free(&b);
	return bad;
}
