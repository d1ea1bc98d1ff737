// SPDX-License-Identifier: MIT
/*
 * fuzz_manifest: the manifest reader (schema/manifest.c) on any bytes.
 *
 * The input is manifest.json. tr_manifest__read reads it from a scratch
 * directory; a rejection must come with a message and leave nothing behind
 * (LeakSanitizer checks). A manifest it takes must hold what FORMAT.md
 * promises (relative paths, digests, a sorted catalog with known wires, lost
 * counts that add up), and must survive tr_manifest__write and a second
 * read unchanged: what the reader accepts, the writer can say again.
 *
 * The catalog of a manifest the reader takes drives replay: the engine is
 * started with it (it reports arguments typed otherwise than replay reads
 * them) and given one event of each of its definitions, every argument
 * present and encoded by the catalog's wire, plus a return value for those
 * sent at entry; each JSON line that comes out must parse.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "manifest.h"
#include "pipeline.h"

#define check(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_manifest: %s:%d: broken: %s\n",           \
				__FILE__, __LINE__, #cond);                             \
			abort();                                                        \
		}                                                                       \
	} while (0)

static char in_dir[PATH_MAX], out_dir[PATH_MAX];
static FILE *devnull;

static void rm_dir(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/%s", dir, TR_MANIFEST_NAME);
	unlink(p);
	snprintf(p, sizeof(p), "%s/%s.tmp", dir, TR_MANIFEST_NAME);
	unlink(p);
	rmdir(dir);
}

static void cleanup(void)
{
	rm_dir(in_dir);
	rm_dir(out_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* tmpfs when there is one: the writer fsyncs. */
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

	snprintf(in_dir, sizeof(in_dir), "%s/fuzz_manifest.XXXXXX", base);
	snprintf(out_dir, sizeof(out_dir), "%s/fuzz_manifest.XXXXXX", base);
	if (!mkdtemp(in_dir) || !mkdtemp(out_dir)) {
		perror("fuzz_manifest: mkdtemp");
		exit(1);
	}
	atexit(cleanup);
	devnull = fopen("/dev/null", "we");
	if (!devnull) {
		perror("fuzz_manifest: /dev/null");
		exit(1);
	}
	return 0;
}

static void put_file(const char *dir, const uint8_t *data, size_t size)
{
	char p[PATH_MAX + 32];
	size_t off = 0;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, TR_MANIFEST_NAME);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int path_ok(const char *p)
{
	if (!p || !*p || *p == '/')
		return 0;
	for (const char *s = p; s; s = strchr(s, '/')) {
		if (*s == '/')
			s++;
		if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || !s[2]))
			return 0;
	}
	return 1;
}

static void check_files(const struct tr_manifest_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		check(path_ok(f[i].path));
		check(strspn(f[i].info.sha256, "0123456789abcdef") == 64 && !f[i].info.sha256[64]);
		check(f[i].info.bytes <= INT64_MAX && f[i].info.frames <= INT64_MAX &&
		      f[i].info.records <= INT64_MAX);
	}
}

/* What FORMAT.md promises of a manifest a reader accepts. */
static void check_valid(const struct tr_manifest *m)
{
	const struct tr_catalog *c = m->catalog;
	uint64_t sum = 0;

	check(m->format_version >= 1 && m->format_version <= TR_FORMAT_VERSION);
	check(m->state == TR_STATE_RECORDING || m->state == TR_STATE_COMPLETE);
	check(m->tool_version && m->hostname && m->kernel_release && m->boot_id);
	for (size_t i = 0; i < m->argc; i++)
		check(m->argv[i]);
	check(m->start_boot_ns <= INT64_MAX && m->stop_boot_ns <= INT64_MAX);
	check_files(m->segments, m->nsegments);
	check_files(m->pcaps, m->npcaps);
	check_files(m->cuts, m->ncuts);
	for (size_t i = 0; i < m->nlost; i++) {
		check(m->lost_per_cpu[i] <= INT64_MAX);
		check(!__builtin_add_overflow(sum, m->lost_per_cpu[i], &sum));
	}
	check(sum <= INT64_MAX);
	check(c);
	for (size_t i = 0; i < c->n; i++) {
		const struct tr_event_def *d = &c->events[i];

		check(!i || c->events[i - 1].id < d->id);
		check(d->name && d->nargs <= TR_MAX_ARGS);
		for (unsigned j = 0; j < d->nargs; j++) {
			check(d->args[j].name && d->args[j].type);
			check(d->args[j].wire >= 1 && d->args[j].wire <= TR_T_MAX);
		}
		check(tr_catalog__find(c, d->id) == d);
	}
}

static void check_files_same(const struct tr_manifest_file *a, const struct tr_manifest_file *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		check(same_str(a[i].path, b[i].path));
		check(a[i].info.bytes == b[i].info.bytes);
		check(a[i].info.frames == b[i].info.frames);
		check(a[i].info.records == b[i].info.records);
		check(!strcmp(a[i].info.sha256, b[i].info.sha256));
	}
}

static void check_same(const struct tr_manifest *a, const struct tr_manifest *b)
{
	/* the writer writes the files it made: always this version */
	check(b->format_version == TR_FORMAT_VERSION && a->state == b->state);
	check(same_str(a->tool_version, b->tool_version) && same_str(a->end_reason, b->end_reason));
	check(same_str(a->hostname, b->hostname) && same_str(a->kernel_release, b->kernel_release));
	check(same_str(a->boot_id, b->boot_id));
	check(a->cpu_count == b->cpu_count && a->boot_to_wall_ns == b->boot_to_wall_ns);
	check(a->argc == b->argc);
	for (size_t i = 0; i < a->argc; i++)
		check(same_str(a->argv[i], b->argv[i]));
	check(a->start_boot_ns == b->start_boot_ns && a->stop_boot_ns == b->stop_boot_ns);
	check(a->nsegments == b->nsegments && a->npcaps == b->npcaps);
	check_files_same(a->segments, b->segments, a->nsegments);
	check_files_same(a->pcaps, b->pcaps, a->npcaps);
	check(a->ncuts == b->ncuts);
	check_files_same(a->cuts, b->cuts, a->ncuts);
	check(a->nlost == b->nlost);
	check(!a->nlost || !memcmp(a->lost_per_cpu, b->lost_per_cpu, a->nlost * sizeof(*a->lost_per_cpu)));
	check(a->catalog->n == b->catalog->n);
	for (size_t i = 0; i < a->catalog->n; i++) {
		const struct tr_event_def *x = &a->catalog->events[i], *y = &b->catalog->events[i];

		check(x->id == y->id && same_str(x->name, y->name) && x->nargs == y->nargs);
		for (unsigned j = 0; j < x->nargs; j++)
			check(x->args[j].wire == y->args[j].wire && same_str(x->args[j].name, y->args[j].name) &&
			      same_str(x->args[j].type, y->args[j].type));
	}
}

static int on_event(void *ctx, const struct tr_event_view *v)
{
	static const struct tr_json_host host = { .hostname = "fuzz" };

	return tr_json__event(ctx, &host, v);
}

static int on_finding(void *ctx, const struct tr_finding *f)
{
	static const struct tr_json_host host = { .hostname = "fuzz" };

	return tr_json__finding(ctx, &host, f);
}

/* One event of definition d, every argument present, into rec. */
static size_t make_event(uint8_t *rec, const struct tr_event_def *d, uint32_t tid, uint64_t ts, int entry)
{
	static const uint8_t inet[8] = { 2, 0, 0, 80, 127, 0, 0, 1 };
	struct tr_event ev = {
		.h = { .kind = TR_REC_EVENT, .ts = ts, .seq = ts },
		.event_id = d->id,
		.flags = entry ? TR_EVF_AT_ENTRY : 0,
		.start_ns = 1000, .host_tid = tid, .host_pid = 100, .host_ppid = 1,
		.tid = tid, .pid = 100, .ppid = 1, .comm = "fuzz",
	};
	size_t off = sizeof(ev);

	for (unsigned j = 0; j < d->nargs && j < TR_MAX_ARGS; j++) {
		size_t cap = 1024;

		switch (d->args[j].wire) {
		case TR_T_INT32:
		case TR_T_UINT32:
			tr_arg__put_u32(rec, cap, &off, (uint8_t)j, 101 + j);
			break;
		case TR_T_INT64:
		case TR_T_UINT64:
			tr_arg__put_u64(rec, cap, &off, (uint8_t)j, (uint64_t)-2);
			break;
		case TR_T_STR:
			tr_arg__put_bytes(rec, cap, &off, (uint8_t)j, "/tmp/x", 6);
			break;
		case TR_T_STR_ARRAY:
			tr_arg__put_bytes(rec, cap, &off, (uint8_t)j, "a\0-b\0c", 6);
			break;
		case TR_T_BYTES:
			tr_arg__put_bytes(rec, cap, &off, (uint8_t)j, "\0\xff\\x", 4);
			break;
		default:
			tr_arg__put_bytes(rec, cap, &off, (uint8_t)j, inet, sizeof(inet));
		}
		ev.nargs++;
	}
	ev.h.size = (uint32_t)off;
	memcpy(rec, &ev, sizeof(ev));
	return off;
}

static void check_lines(const struct tr_buf *b)
{
	const char *p = b->p, *end;

	if (!b->len)
		return;
	for (end = p + b->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_t *j;

		check(nl);
		j = json_loadb(p, (size_t)(nl - p), JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
		check(j && json_is_object(j));
		json_decref(j);
		p = nl + 1;
	}
}

/* Replay one event of each definition of the catalog (the first 64). */
static void replay_catalog(const struct tr_catalog *c)
{
	_Alignas(8) uint8_t rec[1024];
	struct tr_diag diag = { .prog = "fuzz_manifest", .out = devnull };
	struct tr_buf out = { 0 };
	struct tr_engine_opts eo = {
		.catalog = c,
		.diag = &diag,
		.dir = "fuzz",
		.sink = { .event = on_event, .finding = on_finding, .ctx = &out },
	};
	struct tr_src src = { .segment = "events/seg-000000.zst" };
	struct tr_engine *e;

	eo.sigs = tr_signatures__builtin(&eo.nsigs);
	check(!tr_engine__new(&e, &eo));
	for (size_t i = 0; i < c->n && i < 64; i++, src.index++) {
		const struct tr_event_def *d = &c->events[i];
		int entry = i & 1;

		make_event(rec, d, 100 + (uint32_t)(i % 3), i + 1, entry);
		check(!tr_engine__push(e, (const struct tr_rec_hdr *)rec, &src));
		if (entry) {
			struct tr_retval rv = {
				.h = { .kind = TR_REC_RETVAL, .size = sizeof(rv), .ts = i + 1, .seq = i + 1 },
				.event_id = d->id, .host_tid = 100 + (uint32_t)(i % 3),
			};

			check(!tr_engine__push(e, &rv.h, &src));
		}
	}
	check(!tr_engine__finish(e));
	tr_engine__summary(e);
	tr_engine__free(e);
	check(!out.err);
	check_lines(&out);
	tr_buf__free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tr_manifest m, again;
	char err[1024];
	int rc;

	put_file(in_dir, data, size);
	err[0] = '\0';
	rc = tr_manifest__read(in_dir, &m, err, sizeof(err));
	if (rc) {
		static const struct tr_manifest zero;

		check(rc == -EBADMSG);
		check(err[0] && memchr(err, '\0', sizeof(err)));
		check(!memcmp(&m, &zero, sizeof(m)));
		tr_manifest__free(&m);
		return 0;
	}
	check_valid(&m);
	replay_catalog(m.catalog);

	/* Round trip: write what was read, read it back, compare. */
	rc = tr_manifest__write(out_dir, &m);
	if (rc == -EINVAL)
		fprintf(stderr, "fuzz_manifest: the writer refuses a manifest the reader took\n");
	check(rc != -EINVAL);
	if (!rc) {
		rc = tr_manifest__read(out_dir, &again, err, sizeof(err));
		if (rc)
			fprintf(stderr, "fuzz_manifest: written manifest unreadable: %s\n", err);
		check(!rc);
		check_same(&m, &again);
		tr_manifest__free(&again);
	}
	tr_manifest__free(&m);
	return 0;
}
