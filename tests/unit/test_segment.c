// SPDX-License-Identifier: MIT
/* test_segment.c: segment writer and reader, whole and damaged. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "segment.h"
#include "tix.h"

#define NREC 3000
#define REC_MAX 600

static char tmpdir[] = "/tmp/tr-test-segment-XXXXXX";

struct diag {
	int calls;
	uint64_t offset;	/* of the first call */
	char path[512];		/* of the first call */
	char msg[4][256];	/* of the first four calls */
};

static void diag_cb(void *ctx, const char *path, uint64_t offset, const char *msg)
{
	struct diag *d = ctx;

	if (!d->calls) {
		d->offset = offset;
		snprintf(d->path, sizeof(d->path), "%s", path);
	}
	if (d->calls < 4)
		snprintf(d->msg[d->calls], sizeof(d->msg[0]), "%s", msg);
	d->calls++;
}

static char *tmp_path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

/* Record i, fully determined by i: every kind, events and processes of odd
 * sizes (so records sit at unaligned offsets), payload half random so frames
 * compress a little. */
static size_t gen_record(uint64_t i, uint8_t *buf)
{
	static const uint32_t fixed[] = {
		[TR_REC_EVENT] = sizeof(struct tr_event), [TR_REC_RETVAL] = sizeof(struct tr_retval),
		[TR_REC_PROC] = sizeof(struct tr_proc), [TR_REC_GAP] = sizeof(struct tr_gap),
		[TR_REC_WATERMARK] = sizeof(struct tr_rec_hdr),
	};
	struct tr_rec_hdr h = {
		.kind = 1 + i % TR_REC_WATERMARK, /* the kinds of version 1 */
		.cpu = i % 4,
		.ts = 1000 * i,
		.seq = i,
	};
	uint32_t x = (uint32_t)i * 2654435761U;

	h.size = fixed[h.kind];
	if (h.kind == TR_REC_EVENT || h.kind == TR_REC_PROC)
		h.size += (i * 37) % (REC_MAX - h.size);

	memcpy(buf, &h, sizeof(h));
	for (size_t j = sizeof(h); j < h.size; j++) {
		x = x * 1103515245U + 12345U;
		buf[j] = j % 2 ? (uint8_t)(x >> 16) : 'a';
	}
	return h.size;
}

static void write_segment(const char *path, unsigned n, uint32_t frame_raw, struct tr_seg_info *info)
{
	struct tr_seg_writer *w = tr_seg_writer__open(path, 3, frame_raw);
	_Alignas(8) uint8_t buf[REC_MAX + 8];

	assert_non_null(w);
	/* Records handed over at every address mod 8, as the recorder hands
	 * them straight from the perf buffer (4 past an 8-byte boundary): the
	 * writer must not read them in place (UBSan, make asan, says if so). */
	for (unsigned i = 0; i < n; i++) {
		uint8_t *rec = buf + i % 8;

		assert_int_equal(tr_seg_writer__append(w, rec, gen_record(i, rec)), 0);
	}
	assert_int_equal(tr_seg_writer__close(w, info), 0);
}

struct got {
	size_t n;
	uint64_t seq[NREC];
	struct tr_rec_pos pos[NREC];
	struct tr_seg_stats st;
	struct diag d;
};

/* Read every record of path into g, checking each is byte-identical to the
 * record it claims to be and correctly aligned. */
static void read_all(const char *path, struct got *g)
{
	struct tr_seg_reader *r;
	const struct tr_rec_hdr *rec;
	uint8_t want[REC_MAX];
	int rc;

	memset(g, 0, sizeof(*g));
	r = tr_seg_reader__open(path, diag_cb, &g->d);
	assert_non_null(r);
	while ((rc = tr_seg_reader__next(r, &rec, &g->pos[g->n])) == 1) {
		assert_true(g->n < NREC);
		assert_int_equal((uintptr_t)rec % 8, 0);
		assert_true(rec->seq < NREC);
		assert_int_equal(rec->size, gen_record(rec->seq, want));
		assert_memory_equal(rec, want, rec->size);
		g->seq[g->n++] = rec->seq;
	}
	assert_int_equal(rc, 0);
	g->st = *tr_seg_reader__stats(r);
	tr_seg_reader__close(r);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The frame headers of a well-formed segment, walked by the spec. */
static size_t frames_of(const char *path, uint64_t *off, struct tr_frame_hdr *hdr, size_t max)
{
	size_t len, n = 0;
	uint8_t *buf = slurp(path, &len);

	for (uint64_t o = 0; o < len; n++) {
		assert_true(n < max);
		off[n] = o;
		memcpy(&hdr[n], buf + o, sizeof(*hdr));
		assert_int_equal(hdr[n].skip_magic, TR_SKIP_MAGIC);
		o += sizeof(*hdr) + hdr[n].comp_size;
	}
	free(buf);
	return n;
}

static void flip_byte(const char *path, uint64_t off)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x5a;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

/* Records of frames [0, n) of a segment of NREC records: seqs 0..count-1. */
static uint64_t records_before(const struct tr_frame_hdr *hdr, size_t n)
{
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += hdr[i].nrecords;
	return c;
}

static void test_round_trip(void **state)
{
	const char *path = tmp_path("round.zst");
	struct tr_seg_info info;
	struct tr_frame_hdr hdr[64];
	uint64_t off[64];
	unsigned char md[32];
	char hex[65];
	size_t nframes, len;
	uint8_t *file;
	struct got *g = malloc(sizeof(*g));

	write_segment(path, NREC, 64 << 10, &info);
	nframes = frames_of(path, off, hdr, 64);
	assert_true(nframes >= 5);
	assert_int_equal(info.frames, nframes);
	assert_int_equal(info.records, NREC);

	/* info describes the file: size and SHA-256 */
	file = slurp(path, &len);
	assert_int_equal(info.bytes, len);
	assert_int_equal(EVP_Digest(file, len, md, NULL, EVP_sha256(), NULL), 1);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	assert_string_equal(info.sha256, hex);
	free(file);

	read_all(path, g);
	assert_int_equal(g->n, NREC);
	assert_int_equal(g->d.calls, 0);
	assert_int_equal(g->st.frames_ok, nframes);
	assert_int_equal(g->st.frames_bad, 0);
	assert_int_equal(g->st.bytes_skipped, 0);
	assert_int_equal(g->st.records, NREC);
	for (size_t i = 0; i < g->n; i++) {
		const struct tr_rec_pos *p = &g->pos[i], *q = i ? &g->pos[i - 1] : NULL;

		assert_int_equal(g->seq[i], i);
		if (!i) {
			assert_int_equal(p->frame_offset, 0);
			assert_int_equal(p->index, 0);
		} else if (p->frame_offset == q->frame_offset) {
			assert_int_equal(p->index, q->index + 1);
			assert_int_equal(p->frame_seq, q->frame_seq);
		} else {
			assert_true(p->frame_offset > q->frame_offset);
			assert_int_equal(p->index, 0);
			assert_int_equal(p->frame_seq, q->frame_seq + 1);
			assert_int_equal(p->frame_offset, off[p->frame_seq]);
		}
	}
	free(g);
}

static void test_truncated_last_frame(void **state)
{
	const char *path = tmp_path("trunc.zst");
	struct tr_frame_hdr hdr[64];
	uint64_t off[64], cut;
	size_t n;
	struct got *g = malloc(sizeof(*g));

	write_segment(path, NREC, 64 << 10, NULL);
	n = frames_of(path, off, hdr, 64);
	cut = off[n - 1] + sizeof(*hdr) + hdr[n - 1].comp_size / 2;
	assert_int_equal(truncate(path, (off_t)cut), 0);

	read_all(path, g);
	assert_int_equal(g->n, records_before(hdr, n - 1));
	for (size_t i = 0; i < g->n; i++)
		assert_int_equal(g->seq[i], i);
	assert_int_equal(g->d.calls, 1);
	assert_int_equal(g->d.offset, off[n - 1]);
	assert_string_equal(g->d.path, path);
	assert_non_null(strstr(g->d.msg[0], "truncated frame"));
	assert_int_equal(g->st.frames_bad, 1);
	assert_int_equal(g->st.bytes_skipped, cut - off[n - 1]);
	free(g);
}

/* Every record but those of frame bad comes back, in order. */
static void assert_all_but_frame(const struct got *g, const struct tr_frame_hdr *hdr, size_t nframes, size_t bad)
{
	uint64_t lo = records_before(hdr, bad), hi = lo + hdr[bad].nrecords;

	assert_int_equal(g->n, NREC - hdr[bad].nrecords);
	for (size_t i = 0; i < g->n; i++)
		assert_int_equal(g->seq[i], i < lo ? i : i + (hi - lo));
	assert_int_equal(g->st.frames_ok, nframes - 1);
	assert_int_equal(g->st.frames_bad, 1);
}

static void test_flipped_payload_byte(void **state)
{
	const char *path = tmp_path("flip-payload.zst");
	struct tr_frame_hdr hdr[64];
	uint64_t off[64];
	size_t n, mid;
	struct got *g = malloc(sizeof(*g));

	write_segment(path, NREC, 64 << 10, NULL);
	n = frames_of(path, off, hdr, 64);
	mid = n / 2;
	flip_byte(path, off[mid] + sizeof(*hdr) + hdr[mid].comp_size / 2);

	read_all(path, g);
	assert_all_but_frame(g, hdr, n, mid);
	assert_int_equal(g->d.calls, 1);
	assert_int_equal(g->d.offset, off[mid]);
	assert_non_null(strstr(g->d.msg[0], "checksum mismatch"));
	assert_int_equal(g->st.bytes_skipped, off[mid + 1] - off[mid]);
	free(g);
}

static void test_flipped_header_byte(void **state)
{
	const char *path = tmp_path("flip-header.zst");
	struct tr_frame_hdr hdr[64];
	uint64_t off[64];
	size_t n, mid;
	struct got *g = malloc(sizeof(*g));

	write_segment(path, NREC, 64 << 10, NULL);
	n = frames_of(path, off, hdr, 64);
	mid = n / 2;
	flip_byte(path, off[mid] + offsetof(struct tr_frame_hdr, comp_size));

	read_all(path, g);
	assert_all_but_frame(g, hdr, n, mid);
	assert_int_equal(g->d.calls, 1);
	assert_int_equal(g->d.offset, off[mid]);
	assert_non_null(strstr(g->d.msg[0], "bad frame header"));
	assert_int_equal(g->st.bytes_skipped, off[mid + 1] - off[mid]);
	free(g);
}

static void test_empty_file(void **state)
{
	const char *path = tmp_path("empty.zst");
	struct got *g = malloc(sizeof(*g));

	close(open(path, O_CREAT | O_WRONLY, 0600));
	read_all(path, g);
	assert_int_equal(g->n, 0);
	assert_int_equal(g->d.calls, 0);
	assert_int_equal(g->st.frames_ok + g->st.frames_bad + g->st.bytes_skipped, 0);
	free(g);
}

static void test_garbage_file(void **state)
{
	const char *path = tmp_path("garbage.zst");
	FILE *f = fopen(path, "wb");
	struct got *g = malloc(sizeof(*g));
	uint32_t x = 1;

	assert_non_null(f);
	for (int i = 0; i < 100000; i++) {
		x = x * 1103515245U + 12345U;
		fputc(x >> 16, f);
	}
	fclose(f);
	read_all(path, g);
	assert_int_equal(g->n, 0);
	assert_int_equal(g->d.calls, 1);
	assert_int_equal(g->d.offset, 0);
	assert_int_equal(g->st.frames_bad, 1);
	assert_int_equal(g->st.bytes_skipped, 100000);
	free(g);
}

static void test_missing_file(void **state)
{
	assert_null(tr_seg_reader__open(tmp_path("nonexistent.zst"), NULL, NULL));
	assert_int_equal(errno, ENOENT);
}

/* What is not a regular file is turned away at once: a FIFO under a
 * segment's name must not block the reader (waiting for a writer that
 * never comes), a directory must not be mistaken for an empty segment. */
static void test_not_regular_file(void **state)
{
	char fifo[256], dir[256];

	snprintf(fifo, sizeof(fifo), "%s", tmp_path("seg-000001.zst"));
	snprintf(dir, sizeof(dir), "%s", tmp_path("seg-000002.zst"));
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	alarm(10);	/* a hang fails the test instead of stalling make */
	errno = 0;
	assert_null(tr_seg_reader__open(fifo, NULL, NULL));
	assert_int_equal(errno, ENODEV);
	errno = 0;
	assert_null(tr_seg_reader__open(dir, NULL, NULL));
	assert_int_equal(errno, EISDIR);
	alarm(0);
}

static void test_writer_refuses_existing_path(void **state)
{
	const char *path = tmp_path("exists.zst");
	struct tr_seg_writer *w;
	struct stat st;

	w = tr_seg_writer__open(path, 3, 0);
	assert_non_null(w);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(tr_seg_writer__close(w, NULL), 0);

	assert_null(tr_seg_writer__open(path, 3, 0));
	assert_int_equal(errno, EEXIST);
}

static void test_append_rejects_bad_records(void **state)
{
	struct tr_seg_writer *w = tr_seg_writer__open(tmp_path("bad-append.zst"), 3, 0);
	struct tr_seg_info info;
	uint8_t rec[REC_MAX];
	size_t len = gen_record(7, rec);
	struct tr_rec_hdr *h = (struct tr_rec_hdr *)rec;

	assert_non_null(w);
	assert_int_equal(tr_seg_writer__append(w, rec, len - 1), -EINVAL);
	assert_int_equal(tr_seg_writer__append(w, rec, len + 1), -EINVAL);
	assert_int_equal(tr_seg_writer__append(w, rec, 16), -EINVAL);
	h->kind = 0;
	assert_int_equal(tr_seg_writer__append(w, rec, len), -EINVAL);
	h->kind = TR_REC_KIND_MAX + 1;
	assert_int_equal(tr_seg_writer__append(w, rec, len), -EINVAL);
	h->kind = TR_REC_GAP;	/* a gap is exactly 32 bytes */
	assert_int_equal(tr_seg_writer__append(w, rec, len), -EINVAL);
	assert_int_equal(tr_seg_writer__pending(w), 0);
	h->kind = TR_REC_EVENT;
	assert_int_equal(tr_seg_writer__append(w, rec, len), 0);
	assert_int_equal(tr_seg_writer__pending(w), 1);
	assert_int_equal(tr_seg_writer__bytes(w), 0);
	assert_int_equal(tr_seg_writer__flush(w), 0);
	assert_int_equal(tr_seg_writer__pending(w), 0);
	assert_true(tr_seg_writer__bytes(w) > sizeof(struct tr_frame_hdr));
	assert_int_equal(tr_seg_writer__close(w, &info), 0);
	assert_int_equal(info.records, 1);
	assert_int_equal(info.frames, 1);
}

/* A write that fails (here: the file size limit) loses nothing: the records
 * stay pending, the file keeps ending on a frame boundary, a retry writes
 * them. */
static void test_write_error_keeps_records(void **state)
{
	const char *path = tmp_path("efbig.zst");
	struct tr_seg_writer *w = tr_seg_writer__open(path, 3, 4096);
	struct rlimit old, lim;
	struct got *g = malloc(sizeof(*g));
	uint8_t rec[REC_MAX];
	struct stat st;
	unsigned i = 0;
	int rc;

	assert_non_null(w);
	while (!tr_seg_writer__bytes(w))
		assert_int_equal(tr_seg_writer__append(w, rec, gen_record(i++, rec)), 0);

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = tr_seg_writer__bytes(w) + 16;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	do
		rc = tr_seg_writer__append(w, rec, gen_record(i++, rec));
	while (!rc && i < NREC);
	assert_int_equal(rc, -EFBIG);
	assert_true(tr_seg_writer__pending(w) > 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((uint64_t)st.st_size, tr_seg_writer__bytes(w));
	assert_int_equal(tr_seg_writer__flush(w), -EFBIG);

	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(tr_seg_writer__flush(w), 0);
	assert_int_equal(tr_seg_writer__pending(w), 0);
	assert_int_equal(tr_seg_writer__close(w, NULL), 0);

	read_all(path, g);
	assert_int_equal(g->n, i);
	assert_int_equal(g->d.calls, 0);
	free(g);
}

/* Frames made from the spec alone, not by the writer: the reader takes
 * them, and rejects whole a frame whose checksums hold but whose records
 * do not (a writer bug), keeping its neighbours. */
static void put_frame(FILE *f, const uint8_t *raw, uint32_t len, uint32_t nrec, uint32_t seq)
{
	size_t cap = ZSTD_compressBound(len), comp;
	uint8_t *out = malloc(cap);
	struct tr_frame_hdr_v1 h = {
		.skip_magic = TR_SKIP_MAGIC, .skip_size = 32, .magic = TR_FRAME_MAGIC,
		.version = 1, .raw_size = len, .nrecords = nrec, .frame_seq = seq,
	};

	comp = ZSTD_compress(out, cap, raw, len, 1);
	assert_false(ZSTD_isError(comp));
	h.comp_size = (uint32_t)comp;
	h.comp_crc = (uint32_t)crc32(0, out, (uInt)comp);
	h.hdr_crc = (uint32_t)crc32(0, (const Bytef *)&h, 36);
	assert_int_equal(fwrite(&h, sizeof(h), 1, f), 1);
	assert_int_equal(fwrite(out, comp, 1, f), 1);
	free(out);
}

static void test_bad_records_reject_frame(void **state)
{
	const char *path = tmp_path("handmade.zst");
	FILE *f = fopen(path, "wb");
	uint8_t raw[3 * REC_MAX];
	struct got *g = malloc(sizeof(*g));
	uint32_t len;

	assert_non_null(f);
	for (uint32_t frame = 0; frame < 5; frame++) {
		/* the kind of the frame's second record (records are unaligned) */
		uint8_t *kind = raw + gen_record(3 * frame, raw) + offsetof(struct tr_rec_hdr, kind);
		uint16_t bad = frame == 1 ? 0 /* no kind */
				          : TR_REC_EVENT;	/* shorter than struct tr_event */

		len = 0;
		for (uint64_t i = 3 * frame; i < 3 * frame + 3; i++)
			len += (uint32_t)gen_record(i, raw + len);
		if (frame == 1 || frame == 4)
			memcpy(kind, &bad, sizeof(bad));
		put_frame(f, raw, len, frame == 3 ? 4 : 3, frame);
	}
	fclose(f);

	read_all(path, g);
	assert_int_equal(g->n, 6);
	assert_int_equal(g->seq[2], 2);
	assert_int_equal(g->seq[3], 6);
	assert_int_equal(g->seq[5], 8);
	assert_int_equal(g->d.calls, 3);
	assert_string_equal(g->d.msg[0], "frame 1: record 1 at raw offset 32: unknown kind (kind 0, size 24)");
	assert_string_equal(g->d.msg[1], "frame 3: 3 records, header says 4");
	assert_string_equal(g->d.msg[2], "frame 4: record 1 at raw offset 540: size wrong for its kind (kind 1, size 32)");
	assert_int_equal(g->st.frames_ok, 2);
	assert_int_equal(g->st.frames_bad, 3);
	free(g);
}

/* A kind newer than the reader (DESIGN.md 4.6) does not cost its frame: it
 * is handed out as it is, between its neighbours, for the consumer to skip
 * with a warning; the writer still refuses to write one. */
static void test_unknown_kind_passes(void **state)
{
	const char *path = tmp_path("newkind.zst");
	FILE *f = fopen(path, "wb");
	uint8_t raw[3 * REC_MAX], newer[30] = { 0 };
	struct tr_rec_hdr *h = (struct tr_rec_hdr *)newer;
	const struct tr_rec_hdr *rec;
	struct tr_seg_reader *r;
	struct diag d = { 0 };
	uint16_t kinds[4];
	uint32_t len = 0;
	int n = 0;

	assert_non_null(f);
	*h = (struct tr_rec_hdr){ .kind = TR_REC_KIND_MAX + 1, .cpu = 1, .size = sizeof(newer), .ts = 5 };
	len += (uint32_t)gen_record(4, raw);
	memcpy(raw + len, newer, sizeof(newer));
	len += sizeof(newer);
	len += (uint32_t)gen_record(5, raw + len);
	put_frame(f, raw, len, 3, 0);
	fclose(f);

	r = tr_seg_reader__open(path, diag_cb, &d);
	assert_non_null(r);
	while (tr_seg_reader__next(r, &rec, NULL) == 1 && n < 4)
		kinds[n++] = rec->kind;
	tr_seg_reader__close(r);
	assert_int_equal(d.calls, 0);
	assert_int_equal(n, 3);
	assert_int_equal(kinds[0], 1 + 4 % TR_REC_WATERMARK);
	assert_int_equal(kinds[1], TR_REC_KIND_MAX + 1);
	assert_int_equal(kinds[2], 1 + 5 % TR_REC_WATERMARK);
}

/* A frame whose payload is no ordinary zstd frame (empty, or a skippable
 * frame, which zstd would decode to nothing) is damage, not an empty frame. */
static void test_payload_not_zstd_frame(void **state)
{
	const char *path = tmp_path("notzstd.zst");
	FILE *f = fopen(path, "wb");
	const uint8_t skippable[8] = { 0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0 };
	uint8_t raw[REC_MAX];
	struct got *g = malloc(sizeof(*g));
	uint32_t len = (uint32_t)gen_record(0, raw);

	assert_non_null(f);
	put_frame(f, raw, len, 1, 0);
	for (uint32_t seq = 1; seq <= 2; seq++) {
		struct tr_frame_hdr_v1 h = {
			.skip_magic = TR_SKIP_MAGIC, .skip_size = 32, .magic = TR_FRAME_MAGIC,
			.version = 1, .frame_seq = seq,
			.comp_size = seq == 1 ? 0 : sizeof(skippable),
		};

		h.comp_crc = (uint32_t)crc32(0, skippable, h.comp_size);
		h.hdr_crc = (uint32_t)crc32(0, (const Bytef *)&h, 36);
		assert_int_equal(fwrite(&h, sizeof(h), 1, f), 1);
		if (h.comp_size)
			assert_int_equal(fwrite(skippable, h.comp_size, 1, f), 1);
	}
	put_frame(f, raw, len, 1, 3);
	fclose(f);

	read_all(path, g);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->d.calls, 2);
	assert_string_equal(g->d.msg[0], "frame 1: payload is not a zstd frame");
	assert_string_equal(g->d.msg[1], "frame 2: payload is not a zstd frame");
	assert_int_equal(g->st.frames_ok, 2);
	assert_int_equal(g->st.frames_bad, 2);
	free(g);
}

/* ---- time index, written as the segment grows ---- */

#define MAXF 2048

struct frames {
	size_t n;
	uint64_t off[MAXF];
	struct tr_frame_hdr hdr[MAXF];
};

/* The index at path describes a prefix of the frames of the segment: the
 * same offsets and record counts, in order, and each entry's span holds
 * its frame's records (records are stamped 1000 * seq). Its length. */
static size_t check_index(const char *seg, const char *tix, struct frames *fr)
{
	struct tr_tix_entry *e;
	size_t n;
	uint64_t first = 0;

	fr->n = frames_of(seg, fr->off, fr->hdr, MAXF);
	assert_int_equal(tr_tix__read(tix, &e, &n), 0);
	assert_true(n <= fr->n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(e[i].frame_offset, fr->off[i]);
		assert_int_equal(e[i].nrecords, fr->hdr[i].nrecords);
		assert_int_equal(e[i].first_ts, 1000 * first);
		first += fr->hdr[i].nrecords;
		assert_int_equal(e[i].last_ts, 1000 * (first - 1));
	}
	free(e);
	return n;
}

static struct tr_seg_writer *append_n(struct tr_seg_writer *w, unsigned from, unsigned to)
{
	_Alignas(8) uint8_t buf[REC_MAX + 8];

	for (unsigned i = from; i < to; i++)
		assert_int_equal(tr_seg_writer__append(w, buf, gen_record(i, buf)), 0);
	return w;
}

/* The writer keeps no index in memory: entries reach the file in chunks
 * while the segment is open, and after each flush the index on disk covers
 * every frame written, so a recorder killed then leaves a usable index. */
static void test_index_streamed(void **state)
{
	const char *path = tmp_path("stream.zst");
	char *tix = tr_tix__path(path);
	struct frames *fr = malloc(sizeof(*fr));
	struct tr_seg_writer *w = tr_seg_writer__open(path, 3, 1024);
	struct tr_seg_info info;
	size_t n, before;

	assert_non_null(w);
	assert_int_equal(access(tix, F_OK), 0);		/* there from the start */
	assert_int_equal(check_index(path, tix, fr), 0);	/* empty, valid */
	append_n(w, 0, NREC / 2);
	assert_int_equal(tr_seg_writer__flush(w), 0);
	n = check_index(path, tix, fr);
	assert_true(fr->n > TR_TIX_CHUNK);		/* more than one chunk went out */
	assert_int_equal(n, fr->n);			/* the flush covered them all */
	before = n;
	/* frames written since: the file has some (a chunk filled) or none of
	 * them, never a wrong one */
	append_n(w, NREC / 2, NREC);
	n = check_index(path, tix, fr);
	assert_true(n >= before);
	assert_true(fr->n - n < TR_TIX_CHUNK + 2);	/* at most a chunk and the open frame behind */
	assert_int_equal(tr_seg_writer__close(w, &info), 0);
	n = check_index(path, tix, fr);
	assert_int_equal(n, info.frames);
	assert_int_equal(n, fr->n);
	free(fr);
	free(tix);
}

/* kill -9 of a writer: the index left behind is valid and matches the
 * frames on disk up to the last flush at least. */
static void test_index_after_kill(void **state)
{
	const char *path = tmp_path("killed.zst");
	char *tix = tr_tix__path(path);
	struct frames *fr = malloc(sizeof(*fr));
	int pfd[2], status;
	uint64_t flushed = 0;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct tr_seg_writer *w = tr_seg_writer__open(path, 3, 1024);

		if (!w)
			_exit(1);
		append_n(w, 0, 2000);
		tr_seg_writer__flush(w);
		flushed = tr_seg_writer__frames(w);
		if (write(pfd[1], &flushed, sizeof(flushed)) != sizeof(flushed))
			_exit(1);
		append_n(w, 2000, 2900);	/* not flushed: some frames, some buffered */
		raise(SIGKILL);
		_exit(1);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &flushed, sizeof(flushed)), sizeof(flushed));
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(flushed > TR_TIX_CHUNK);
	assert_true(check_index(path, tix, fr) >= flushed);
	assert_true(fr->n > flushed);
	free(fr);
	free(tix);
}

/* What a killed writer can leave: entries past the header's count (written
 * before the header that would cover them) are not read; a file shorter
 * than its header says is damaged. */
static void test_index_extra_and_short(void **state)
{
	const char *path = tmp_path("extra.tix");
	struct tr_tix_writer *t = tr_tix_writer__open(path);
	struct tr_tix_entry e = { .first_ts = 5, .last_ts = 9, .nrecords = 1 }, *out;
	uint8_t junk[40];
	size_t n;
	int fd;

	assert_non_null(t);
	for (unsigned i = 0; i < 3; i++) {
		e.frame_offset = 100 * i;
		tr_tix_writer__add(t, &e);
	}
	assert_int_equal(tr_tix_writer__entries(t), 3);
	assert_int_equal(tr_tix_writer__close(t), 0);
	memset(junk, 0xa5, sizeof(junk));
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	close(fd);
	assert_int_equal(tr_tix__read(path, &out, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[2].frame_offset, 200);
	free(out);
	assert_int_equal(truncate(path, 16 + 2 * 32), 0);
	assert_int_equal(tr_tix__read(path, &out, &n), -EBADMSG);
	assert_null(out);
	/* O_EXCL: an index is never written over another */
	assert_null(tr_tix_writer__open(path));
	assert_int_equal(errno, EEXIST);
}

/* Closing in two steps: after __finish the segment is whole and info
 * describes it (size, SHA-256 of the file, frames); __sync then makes it
 * durable and closes the index. */
static void test_finish_then_sync(void **state)
{
	const char *path = tmp_path("finish.zst");
	char *tix = tr_tix__path(path);
	struct tr_seg_writer *w = tr_seg_writer__open(path, 3, 64 << 10);
	struct frames *fr = malloc(sizeof(*fr));
	struct got *g = malloc(sizeof(*g));
	struct tr_seg_info info;
	unsigned char md[32];
	char hex[65];
	uint8_t *file;
	size_t len;

	assert_non_null(w);
	append_n(w, 0, NREC);
	assert_int_equal(tr_seg_writer__finish(w, &info), 0);
	assert_int_equal(tr_seg_writer__finish(w, &info), -EINVAL);	/* once */
	file = slurp(path, &len);
	assert_int_equal(info.bytes, len);
	assert_int_equal(EVP_Digest(file, len, md, NULL, EVP_sha256(), NULL), 1);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	assert_string_equal(info.sha256, hex);
	free(file);
	read_all(path, g);				/* whole before the fsync */
	assert_int_equal(g->n, NREC);
	assert_int_equal(g->d.calls, 0);
	assert_int_equal(check_index(path, tix, fr), info.frames);
	assert_int_equal(tr_seg_writer__sync(w), 0);
	assert_int_equal(check_index(path, tix, fr), info.frames);
	assert_int_equal(tr_seg_writer__sync(NULL), 0);
	free(g);
	free(fr);
	free(tix);
}

/* Write-behind (sync_file_range) only starts writeback: the file is the
 * same byte for byte with it, at any chunk, as without it. */
static void test_write_behind_same_bytes(void **state)
{
	static const uint64_t chunks[] = { 0, 4096, 100000, TR_SEG_WRITE_BEHIND_DEFAULT };
	uint8_t *ref = NULL;
	size_t reflen = 0;

	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		char name[64];
		const char *path;
		struct tr_seg_writer *w;
		uint8_t *file;
		size_t len;

		snprintf(name, sizeof(name), "wb-%zu.zst", c);
		path = tmp_path(name);
		w = tr_seg_writer__open(path, 3, 8192);
		assert_non_null(w);
		tr_seg_writer__write_behind(w, chunks[c]);
		append_n(w, 0, NREC);
		assert_int_equal(tr_seg_writer__close(w, NULL), 0);
		file = slurp(path, &len);
		if (!ref) {
			ref = file;
			reflen = len;
			continue;
		}
		assert_int_equal(len, reflen);
		assert_memory_equal(file, ref, len);
		free(file);
	}
	free(ref);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated_last_frame),
		cmocka_unit_test(test_flipped_payload_byte),
		cmocka_unit_test(test_flipped_header_byte),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_garbage_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_regular_file),
		cmocka_unit_test(test_writer_refuses_existing_path),
		cmocka_unit_test(test_append_rejects_bad_records),
		cmocka_unit_test(test_write_error_keeps_records),
		cmocka_unit_test(test_bad_records_reject_frame),
		cmocka_unit_test(test_unknown_kind_passes),
		cmocka_unit_test(test_payload_not_zstd_frame),
		cmocka_unit_test(test_index_streamed),
		cmocka_unit_test(test_index_after_kill),
		cmocka_unit_test(test_index_extra_and_short),
		cmocka_unit_test(test_finish_then_sync),
		cmocka_unit_test(test_write_behind_same_bytes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
