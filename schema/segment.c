// SPDX-License-Identifier: MIT
/*
 * segment.c: the segment writer and reader (schema/FORMAT.md, "Segments").
 *
 * The frame header and the records are written and read as host structs: the
 * format is little-endian and so is every host we build for (asserted below).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "segment.h"
#include "tix.h"
#include "unaligned.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "segments are little-endian; this host would need byte swapping");

#define TR_HDR_SIZE sizeof(struct tr_frame_hdr)
#define TR_HDR_CRC_LEN offsetof(struct tr_frame_hdr, hdr_crc)

static uint32_t tr_crc32(const void *p, size_t len)
{
	uLong crc = crc32(0, Z_NULL, 0);

	/* zlib takes uInt lengths; frames are far below 4 GiB but stay honest. */
	for (const uint8_t *b = p; len;) {
		uInt n = len > 0x40000000 ? 0x40000000 : (uInt)len;

		crc = crc32(crc, b, n);
		b += n;
		len -= n;
	}
	return (uint32_t)crc;
}

static uint32_t tr_hdr_crc(const struct tr_frame_hdr *h)
{
	return tr_crc32(h, TR_HDR_CRC_LEN);
}

/* The fixed part of each kind; kinds without arguments have exactly it. */
static const struct {
	uint32_t min;
	bool exact;
} tr_kind_size[TR_REC_KIND_MAX + 1] = {
	[TR_REC_EVENT] = { TR_EVENT_V1_SIZE, false },	/* a version 1 frame's events are shorter */
	[TR_REC_RETVAL] = { sizeof(struct tr_retval), true },
	[TR_REC_PROC] = { sizeof(struct tr_proc), false },
	[TR_REC_GAP] = { sizeof(struct tr_gap), true },
	[TR_REC_WATERMARK] = { sizeof(struct tr_rec_hdr), true },
	[TR_REC_CLOCK] = { sizeof(struct tr_clock), true },
	[TR_REC_FD] = { sizeof(struct tr_fd), false },
	[TR_REC_CGROUP] = { sizeof(struct tr_cgroup), false },
	[TR_REC_MOUNT] = { sizeof(struct tr_mount), false },
	[TR_REC_USER] = { sizeof(struct tr_user), false },
	[TR_REC_NETIF] = { sizeof(struct tr_netif), false },
	[TR_REC_HOST] = { sizeof(struct tr_host), false },
	[TR_REC_CHECKPOINT] = { sizeof(struct tr_checkpoint), true },
	[TR_REC_PACKET_GAP] = { sizeof(struct tr_packet_gap), true },
	[TR_REC_ARTIFACT] = { sizeof(struct tr_artifact), false },
};

/* NULL if a record head is right for its kind, else what is wrong. Checked
 * on write and on read, so every record handed out can be read as its
 * kind's struct without running past its end. A reader passes on a kind
 * newer than itself (its consumer skips it with a warning); a writer never
 * writes one. */
static const char *tr_rec_problem(const struct tr_rec_hdr *h, bool reading)
{
	if (h->size > TR_REC_MAX)
		return "larger than the format allows (1 MiB)";
	if (reading && h->kind > TR_REC_KIND_MAX)
		return NULL;
	if (!h->kind || h->kind > TR_REC_KIND_MAX || !tr_kind_size[h->kind].min)
		return "unknown kind";
	if (h->size < tr_kind_size[h->kind].min ||
	    (tr_kind_size[h->kind].exact && h->size != tr_kind_size[h->kind].min))
		return "size wrong for its kind";
	return NULL;
}

/* ---- writer ---- */

struct tr_seg_writer {
	int fd;
	uint32_t frame_raw;
	uint32_t nrec;		/* records in buf */
	uint32_t frame_seq;
	uint64_t bytes;		/* file size: always ends on a frame boundary */
	uint64_t frames;
	uint64_t records;	/* records written out */
	uint8_t *buf;		/* raw records of the open frame */
	size_t used, cap;
	uint8_t *out;		/* frame header + compressed frame */
	size_t out_cap;
	ZSTD_CCtx *cctx;
	EVP_MD_CTX *sha;
	/* time index (FORMAT.md, "Time index"): the open frame's span; the
	 * entries go to the file as frames are written (NULL: no index) */
	struct tr_tix_writer *tix;
	uint64_t fmin, fmax;
	uint32_t fflags;
	/* write-behind: writeback of what is written is started every
	 * wb_chunk bytes (0: never), so that little is left to the fsync of
	 * the close; wb_off is where the next range starts */
	uint64_t wb_chunk, wb_off;
	int finished;		/* tr_seg_writer__finish() was called */
	uint32_t max_records;	/* 0: frames bounded by bytes only */
	uint8_t chain[TR_CHAIN_LEN]; /* hash of the last frame written */
	uint64_t max_flush_ns;	/* the longest frame write: compress, write */
};

char *tr_chain__hex(char out[2 * TR_CHAIN_LEN + 1], const uint8_t h[TR_CHAIN_LEN])
{
	for (unsigned i = 0; i < TR_CHAIN_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	return out;
}

/* The chain hash of a frame: SHA-256 of its bytes, truncated. */
static int tr_chain_hash(const uint8_t *hdr, size_t hlen, const uint8_t *comp, size_t clen,
			 uint8_t out[TR_CHAIN_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, hdr, hlen) &&
		 EVP_DigestUpdate(c, comp, clen) && EVP_DigestFinal_ex(c, md, &mdlen) && mdlen >= TR_CHAIN_LEN;

	EVP_MD_CTX_free(c);
	if (!ok)
		return -ENOMEM;
	memcpy(out, md, TR_CHAIN_LEN);
	return 0;
}

/* frame_raw 0 means TR_SEG_FRAME_RAW_DEFAULT; above TR_FRAME_MAX_RAW, EINVAL. */
struct tr_seg_writer *tr_seg_writer__open(const char *path, int zstd_level, uint32_t frame_raw)
{
	struct tr_seg_writer *w;
	int err = -ENOMEM;

	if (frame_raw > TR_FRAME_MAX_RAW) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = -1;
	w->frame_raw = frame_raw ? frame_raw : TR_SEG_FRAME_RAW_DEFAULT;
	w->cctx = ZSTD_createCCtx();
	w->sha = EVP_MD_CTX_new();
	if (!w->cctx || !w->sha)
		goto fail;
	err = -EINVAL;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, zstd_level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    !EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL))
		goto fail;
	w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		err = -errno;
		goto fail;
	}
	{
		char *tix = tr_tix__path(path);

		w->tix = tix ? tr_tix_writer__open(tix) : NULL; /* optional */
		free(tix);
	}
	w->wb_chunk = TR_SEG_WRITE_BEHIND_DEFAULT;
	return w;
fail:
	ZSTD_freeCCtx(w->cctx);
	EVP_MD_CTX_free(w->sha);
	free(w);
	errno = -err;
	return NULL;
}

static int tr_grow(uint8_t **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

static int tr_pwrite_all(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static uint64_t tr_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int tr_seg_writer_flush(struct tr_seg_writer *w);

/* Timed: what a frame write keeps the writer's caller waiting. */
static int tr_seg_writer_frame(struct tr_seg_writer *w)
{
	uint64_t t0;
	int err;

	if (!w->nrec)
		return 0;
	t0 = tr_mono_ns();
	err = tr_seg_writer_flush(w);
	t0 = tr_mono_ns() - t0;
	if (t0 > w->max_flush_ns)
		w->max_flush_ns = t0;
	return err;
}

int tr_seg_writer__flush(struct tr_seg_writer *w)
{
	int err = tr_seg_writer_frame(w);

	tr_tix_writer__sync(w->tix);
	return err;
}

void tr_seg_writer__write_behind(struct tr_seg_writer *w, uint64_t chunk)
{
	w->wb_chunk = chunk;
}

uint64_t tr_seg_writer__max_flush_ns(const struct tr_seg_writer *w)
{
	return w->max_flush_ns;
}

static int tr_seg_writer_flush(struct tr_seg_writer *w)
{
	struct tr_frame_hdr h = {
		.skip_magic = TR_SKIP_MAGIC,
		.skip_size = TR_HDR_SIZE - 8,
		.magic = TR_FRAME_MAGIC,
		.version = TR_FORMAT_VERSION,
		.raw_size = (uint32_t)w->used,
		.nrecords = w->nrec,
		.frame_seq = w->frame_seq,
	};
	uint8_t head[TR_CHAIN_LEN];
	size_t comp, total;
	int err;

	if (!w->nrec)
		return 0;
	err = tr_grow(&w->out, &w->out_cap, TR_HDR_SIZE + ZSTD_compressBound(w->used));
	if (err)
		return err;
	comp = ZSTD_compress2(w->cctx, w->out + TR_HDR_SIZE, w->out_cap - TR_HDR_SIZE, w->buf, w->used);
	if (ZSTD_isError(comp))
		return -EIO; /* cannot happen with a compressBound-sized buffer */
	h.comp_size = (uint32_t)comp;
	h.comp_crc = tr_crc32(w->out + TR_HDR_SIZE, comp);
	memcpy(h.prev_hash, w->chain, TR_CHAIN_LEN);
	h.hdr_crc = tr_hdr_crc(&h);
	memcpy(w->out, &h, TR_HDR_SIZE);
	total = TR_HDR_SIZE + comp;
	err = tr_chain_hash(w->out, TR_HDR_SIZE, w->out + TR_HDR_SIZE, comp, head);
	if (err)
		return err;

	/* On failure the records stay buffered, so a retry (flush or close)
	 * writes them; dropping the partial frame keeps the file ending on a
	 * frame boundary even if nothing is retried. */
	err = tr_pwrite_all(w->fd, w->out, total, w->bytes);
	if (err) {
		/* best effort: if this fails too, readers report a truncated frame */
		(void)!ftruncate(w->fd, (off_t)w->bytes);
		return err;
	}
	/* index entry; losing the index (a write error) only costs seeking */
	if (w->tix)
		tr_tix_writer__add(w->tix, &(struct tr_tix_entry){ .frame_offset = w->bytes, .first_ts = w->fmin,
								   .last_ts = w->fmax, .nrecords = w->nrec,
								   .flags = w->fflags });
	w->fmin = w->fmax = 0;
	w->fflags = 0;
	w->bytes += total;
	/* Start writeback now and then, without waiting for it: the disk
	 * works while we go on, and the close's fsync finds little dirty.
	 * Advice only: an error here changes nothing written. */
	if (w->wb_chunk && w->bytes - w->wb_off >= w->wb_chunk) {
		(void)sync_file_range(w->fd, (off_t)w->wb_off, (off_t)(w->bytes - w->wb_off), SYNC_FILE_RANGE_WRITE);
		w->wb_off = w->bytes;
	}
	memcpy(w->chain, head, TR_CHAIN_LEN);
	w->frames++;
	w->frame_seq++;
	w->records += w->nrec;
	w->nrec = 0;
	w->used = 0;
	return EVP_DigestUpdate(w->sha, w->out, total) ? 0 : -EIO;
}

/*
 * A record that does not validate is refused (-EINVAL, -EMSGSIZE): the
 * reader would reject its whole frame. Once taken, a record is never
 * dropped: if writing its full frame fails, the error is returned, the
 * record stays pending and the next flush or close retries. The buffer never
 * grows past TR_FRAME_MAX_RAW: while writes keep failing, further records
 * are refused with the write error.
 */
int tr_seg_writer__append(struct tr_seg_writer *w, const void *rec, size_t len)
{
	struct tr_rec_hdr h;
	int err;

	/* rec may lie anywhere (a perf sample puts it 4 bytes past an 8-byte
	 * boundary): read its head by copy, never in place. */
	if (len < sizeof(h))
		return -EINVAL;
	h = tr_rec_hdr__load(rec);
	if (h.size != len || tr_rec_problem(&h, false))
		return -EINVAL;
	if (len > TR_FRAME_MAX_RAW)
		return -EMSGSIZE;
	if (w->used + len > TR_FRAME_MAX_RAW) {
		err = tr_seg_writer_frame(w);
		if (err)
			return err;
	}
	err = tr_grow(&w->buf, &w->cap, w->used + len);
	if (err)
		return err;
	memcpy(w->buf + w->used, rec, len);
	if (!w->nrec || h.ts < w->fmin)
		w->fmin = h.ts;
	if (!w->nrec || h.ts > w->fmax)
		w->fmax = h.ts;
	if (tr_rec_kind__is_state(h.kind))
		w->fflags |= TR_TIX_STATE;
	w->used += len;
	w->nrec++;
	return w->used >= w->frame_raw || (w->max_records && w->nrec >= w->max_records) ?
	       tr_seg_writer_frame(w) : 0;
}

void tr_seg_writer__frame_records(struct tr_seg_writer *w, uint32_t max_records)
{
	w->max_records = max_records;
}

void tr_seg_writer__chain(struct tr_seg_writer *w, const uint8_t prev[TR_CHAIN_LEN])
{
	memcpy(w->chain, prev, TR_CHAIN_LEN);
}

void tr_seg_writer__head(const struct tr_seg_writer *w, uint8_t out[TR_CHAIN_LEN])
{
	memcpy(out, w->chain, TR_CHAIN_LEN);
}

uint64_t tr_seg_writer__bytes(const struct tr_seg_writer *w)
{
	return w->bytes;
}

uint32_t tr_seg_writer__pending(const struct tr_seg_writer *w)
{
	return w->nrec;
}

uint64_t tr_seg_writer__frames(const struct tr_seg_writer *w)
{
	return w->frames;
}

/* info describes the file as it is on disk, also when an error is returned
 * (then pending records were lost, and the error says so). What is needed
 * only to write frames is freed now; the rest waits for __sync. */
int tr_seg_writer__finish(struct tr_seg_writer *w, struct tr_seg_info *info)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	int err;

	if (w->finished)
		return -EINVAL;
	err = tr_seg_writer__flush(w);
	w->finished = 1;
	if (!EVP_DigestFinal_ex(w->sha, md, &mdlen) && !err)
		err = -EIO;
	if (info) {
		info->bytes = w->bytes;
		info->frames = w->frames;
		info->records = w->records;
		for (unsigned i = 0; i < 32; i++)
			snprintf(info->sha256 + 2 * i, 3, "%02x", i < mdlen ? md[i] : 0);
		memcpy(info->chain, w->chain, TR_CHAIN_LEN);
	}
	ZSTD_freeCCtx(w->cctx);
	w->cctx = NULL;
	EVP_MD_CTX_free(w->sha);
	w->sha = NULL;
	free(w->buf);
	w->buf = NULL;
	free(w->out);
	w->out = NULL;
	w->used = w->cap = w->out_cap = 0;
	return err;
}

/* The index is made durable after the segment. Its entries are of frames
 * written whole, so it stays even if the fsync fails (the recording says
 * the write failed; the reader checks every frame it reads). */
int tr_seg_writer__sync(struct tr_seg_writer *w)
{
	int err = 0;

	if (!w)
		return 0;
	if (!w->finished)
		err = tr_seg_writer__finish(w, NULL);
	if (fsync(w->fd) && !err)
		err = -errno;
	if (close(w->fd) && !err)
		err = -errno;
	(void)tr_tix_writer__close(w->tix); /* optional: its failure costs seeking only */
	free(w);
	return err;
}

int tr_seg_writer__close(struct tr_seg_writer *w, struct tr_seg_info *info)
{
	int err, serr;

	if (!w)
		return 0;

	err = tr_seg_writer__finish(w, info);
	serr = tr_seg_writer__sync(w);
	return err ? err : serr;
}

/* ---- reader ---- */

/* The frame header of either version, as read. */
struct tr_any_hdr {
	uint32_t len;		/* 40 (version 1 layout) or 56 (version 2) */
	uint16_t version, flags;
	uint32_t comp_size, raw_size, nrecords, frame_seq, comp_crc;
	uint8_t bytes[sizeof(struct tr_frame_hdr)]; /* as on disk, for the chain hash */
	uint8_t prev[TR_CHAIN_LEN];	/* version 2 */
};

#define TR_HDR_MIN sizeof(struct tr_frame_hdr_v1)
/* The largest zstd frame of a raw_size TR_FRAME_MAX_RAW can take. */
#define TR_COMP_MAX ZSTD_COMPRESSBOUND(TR_FRAME_MAX_RAW)
/* Bytes read at once while resynchronising. */
#define TR_RESYNC_WINDOW (64U << 10)

struct tr_seg_reader {
	char *path;
	tr_diag_fn diag;
	void *ctx;
	int fd;
	uint64_t size;		/* at open: a file that grows later is read to here */
	uint64_t next;		/* where the next frame header is expected */
	ZSTD_DCtx *dctx;
	uint8_t *comp;		/* zstd bytes of the current frame */
	size_t comp_cap;
	uint8_t *raw;		/* records of the current frame */
	size_t raw_cap;
	uint32_t raw_off;
	uint64_t (*skip)(void *ctx, uint64_t offset);
	void *skip_ctx;
	int tail, tail_stop;
	uint32_t nrec, index;
	uint64_t frame_offset;
	uint32_t frame_seq;
	uint16_t frame_version;
	uint8_t *scratch;	/* aligned copy of a record at an unaligned offset */
	size_t scratch_cap;
	/* frame_seq: the next one expected, unless damage was reported since */
	uint32_t expect_seq;
	int damaged_since;
	/* the hash chain: what the next frame's prev_hash must be, if known */
	uint8_t prev[TR_CHAIN_LEN];
	int prev_known;
	int prev_is_start;	/* prev is the start of the recording (zeros) */
	struct tr_seg_stats st;
};

/* Up to len bytes at off; fewer only at the end of the file (a file that
 * shrank). The count, or -errno. */
static ssize_t tr_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static struct tr_seg_reader *tr_seg_reader_open(int dirfd, const char *name, const char *path, int nofollow,
						 tr_diag_fn diag, void *ctx)
{
	struct tr_seg_reader *r = calloc(1, sizeof(*r));
	struct stat st;
	int err = -ENOMEM;

	if (!r)
		return NULL;
	r->fd = -1;
	r->diag = diag;
	r->ctx = ctx;
	r->path = strdup(path);
	r->dctx = ZSTD_createDCtx();
	if (!r->path || !r->dctx)
		goto fail;
	/* O_NOFOLLOW: a segment is a file of the recording, never a link to
	 * one elsewhere. O_NONBLOCK: opening a FIFO for reading waits for a
	 * writer, so a FIFO under a segment's name would hang the reader
	 * before the check below could turn it away. O_NOCTTY: nor may a
	 * terminal device become our controlling terminal. */
	r->fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | nofollow);
	if (r->fd < 0 || fstat(r->fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV;
		goto fail;
	}
	r->size = (uint64_t)st.st_size;
	posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return r;
fail:
	tr_seg_reader__close(r);
	errno = -err;
	return NULL;
}

void tr_seg_reader__set_skip(struct tr_seg_reader *r, uint64_t (*skip)(void *ctx, uint64_t offset), void *ctx)
{
	r->skip = skip;
	r->skip_ctx = ctx;
}

void tr_seg_reader__set_tail(struct tr_seg_reader *r, int tail)
{
	r->tail = tail;
}

uint64_t tr_seg_reader__offset(const struct tr_seg_reader *r)
{
	return r->next;
}

void tr_seg_reader__seek(struct tr_seg_reader *r, uint64_t offset)
{
	if (offset != r->next) {
		/* frames passed over: their sequence and chain are not checked */
		r->damaged_since = 1;
		r->prev_known = 0;
	}
	r->next = offset;
	r->index = r->nrec;
	r->tail_stop = 0;
}

int tr_seg_reader__refresh(struct tr_seg_reader *r)
{
	struct stat st;

	if (fstat(r->fd, &st))
		return -errno;
	if ((uint64_t)st.st_size > r->size)
		r->size = (uint64_t)st.st_size;
	r->tail_stop = 0;
	return r->next < r->size;
}

struct tr_seg_reader *tr_seg_reader__openat(int dirfd, const char *name, const char *path,
					    tr_diag_fn diag, void *ctx)
{
	return tr_seg_reader_open(dirfd, name, path, O_NOFOLLOW, diag, ctx);
}

/* A path given as such is followed: whoever named it chose the file. */
struct tr_seg_reader *tr_seg_reader__open(const char *path, tr_diag_fn diag, void *ctx)
{
	return tr_seg_reader_open(AT_FDCWD, path, path, 0, diag, ctx);
}

void tr_seg_reader__close(struct tr_seg_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->comp);
	free(r->raw);
	free(r->scratch);
	free(r->path);
	free(r);
}

const struct tr_seg_stats *tr_seg_reader__stats(const struct tr_seg_reader *r)
{
	return &r->st;
}

int tr_seg_reader__fd(const struct tr_seg_reader *r)
{
	return r->fd;
}

void tr_seg_reader__chain(struct tr_seg_reader *r, const uint8_t prev[TR_CHAIN_LEN])
{
	static const uint8_t zero[TR_CHAIN_LEN];

	r->prev_known = prev != NULL;
	if (prev)
		memcpy(r->prev, prev, TR_CHAIN_LEN);
	r->prev_is_start = prev && !memcmp(prev, zero, TR_CHAIN_LEN);
}

int tr_seg_reader__head(const struct tr_seg_reader *r, uint8_t out[TR_CHAIN_LEN])
{
	if (!r->prev_known)
		return 0;
	memcpy(out, r->prev, TR_CHAIN_LEN);
	return 1;
}

/* Messages say what is wrong; the file offset of the frame goes to diag
 * separately and is not repeated in them, so it is printed once. They
 * never quote the file's bytes: a segment may be anything. */
__attribute__((format(printf, 3, 4)))
static void tr_report(struct tr_seg_reader *r, uint64_t offset, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!r->diag)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->diag(r->ctx, r->path, offset, msg);
}

/* A header is genuine when its magics, size and CRC hold: random or damaged
 * bytes pass all four with negligible probability. Version, flags and sizes
 * are checked after, so a genuine but unreadable frame is reported as such.
 * b holds n bytes of the file from the candidate offset. */
static bool tr_hdr_parse(const uint8_t *b, size_t n, struct tr_any_hdr *h)
{
	struct tr_frame_hdr_v1 v1;
	struct tr_frame_hdr v2;
	uint32_t w[3], crc;

	if (n < sizeof(w))
		return false;
	memcpy(w, b, sizeof(w));
	if (w[0] != TR_SKIP_MAGIC || w[2] != TR_FRAME_MAGIC ||
	    (w[1] != sizeof(v1) - 8 && w[1] != sizeof(v2) - 8) || n < w[1] + 8)
		return false;
	h->len = w[1] + 8;
	memcpy(&crc, b + h->len - 4, sizeof(crc));
	if (crc != tr_crc32(b, h->len - 4))
		return false;
	memcpy(h->bytes, b, h->len);
	if (h->len == sizeof(v1)) {
		memcpy(&v1, b, sizeof(v1));
		*h = (struct tr_any_hdr){ .len = h->len, .version = v1.version, .flags = v1.flags,
					  .comp_size = v1.comp_size, .raw_size = v1.raw_size,
					  .nrecords = v1.nrecords, .frame_seq = v1.frame_seq,
					  .comp_crc = v1.comp_crc };
		memcpy(h->bytes, b, sizeof(v1));
		return true;
	}
	memcpy(&v2, b, sizeof(v2));
	h->version = v2.version;
	h->flags = v2.flags;
	h->comp_size = v2.comp_size;
	h->raw_size = v2.raw_size;
	h->nrecords = v2.nrecords;
	h->frame_seq = v2.frame_seq;
	h->comp_crc = v2.comp_crc;
	memcpy(h->prev, v2.prev_hash, TR_CHAIN_LEN);
	return true;
}

/* The offset of the first genuine header at or after from, or the file
 * size. Read in windows with pread; a read error or a file that shrank
 * ends the scan (the next read reports it). */
static uint64_t tr_resync(struct tr_seg_reader *r, uint64_t from)
{
	static const uint32_t magic = TR_SKIP_MAGIC;

	if (tr_grow(&r->scratch, &r->scratch_cap, TR_RESYNC_WINDOW))
		return r->size;
	while (from + TR_HDR_MIN <= r->size) {
		uint64_t want = r->size - from < TR_RESYNC_WINDOW ? r->size - from : TR_RESYNC_WINDOW;
		ssize_t n = tr_pread_full(r->fd, r->scratch, (size_t)want, from);
		const uint8_t *p = r->scratch;

		if (n < (ssize_t)sizeof(magic))
			break;
		while ((p = memmem(p, (size_t)n - (size_t)(p - r->scratch), &magic, sizeof(magic)))) {
			uint64_t q = from + (uint64_t)(p - r->scratch);
			uint8_t b[sizeof(struct tr_frame_hdr)];
			struct tr_any_hdr h;
			ssize_t m;

			if (q + TR_HDR_MIN > r->size)
				return r->size;
			m = tr_pread_full(r->fd, b, sizeof(b), q);
			if (m > 0 && tr_hdr_parse(b, (size_t)m, &h))
				return q;
			p++;
		}
		if ((uint64_t)n < want)
			break;
		/* the magic may straddle two windows */
		from += (uint64_t)n - (sizeof(magic) - 1);
	}
	return r->size;
}

/* Skip a damaged region that starts at off: the next frame is looked for at
 * resume, or, when the damaged header itself is unreliable, right after off.
 * Past damage, the next frame's place in the chain and in frame_seq is
 * unknown. */
static void tr_skip(struct tr_seg_reader *r, uint64_t off, uint64_t resume)
{
	r->next = resume >= r->size ? r->size : tr_resync(r, resume);
	r->st.frames_bad++;
	r->st.bytes_skipped += r->next - off;
	r->damaged_since = 1;
	r->prev_known = 0;
}

/* Check that the records of the decompressed frame tile it exactly. */
static bool tr_walk_records(struct tr_seg_reader *r, const struct tr_any_hdr *h, uint64_t off)
{
	uint32_t pos = 0, n = 0;

	while (pos < h->raw_size) {
		uint32_t left = h->raw_size - pos;
		struct tr_rec_hdr rh;
		const char *problem;

		if (left < sizeof(rh)) {
			tr_report(r, off, "frame %u: record %u at raw offset %u: %u bytes left, a record head needs %zu",
				  h->frame_seq, n, pos, left, sizeof(rh));
			return false;
		}
		memcpy(&rh, r->raw + pos, sizeof(rh));
		if (rh.size < sizeof(rh) || rh.size > left) {
			tr_report(r, off, "frame %u: record %u at raw offset %u: size %u out of range (%u bytes left in frame)",
				  h->frame_seq, n, pos, rh.size, left);
			return false;
		}
		problem = tr_rec_problem(&rh, true);
		if (problem) {
			tr_report(r, off, "frame %u: record %u at raw offset %u: %s (kind %u, size %u)",
				  h->frame_seq, n, pos, problem, rh.kind, rh.size);
			return false;
		}
		pos += rh.size;
		n++;
	}
	if (n != h->nrecords) {
		tr_report(r, off, "frame %u: %u records, header says %u", h->frame_seq, n, h->nrecords);
		return false;
	}
	return true;
}

/* frame_seq counts frames in a segment from 0: a jump that no reported
 * damage explains means frames were cut out or moved. */
static void tr_check_seq(struct tr_seg_reader *r, const struct tr_any_hdr *h, uint64_t off)
{
	if (h->frame_seq != r->expect_seq && !r->damaged_since) {
		if (h->frame_seq > r->expect_seq)
			tr_report(r, off, "frame_seq %u where %u was expected: %u frame%s missing",
				  h->frame_seq, r->expect_seq, h->frame_seq - r->expect_seq,
				  h->frame_seq - r->expect_seq == 1 ? "" : "s");
		else
			tr_report(r, off, "frame_seq %u where %u was expected: frames out of order or repeated",
				  h->frame_seq, r->expect_seq);
		r->st.seq_gaps++;
	}
	r->expect_seq = h->frame_seq + 1;
	r->damaged_since = 0;
}

/* The hash chain of a version 2 frame whose content checked out. */
static int tr_check_chain(struct tr_seg_reader *r, const struct tr_any_hdr *h, uint64_t off)
{
	uint8_t hash[TR_CHAIN_LEN];
	char a[2 * TR_CHAIN_LEN + 1], b[2 * TR_CHAIN_LEN + 1];
	int err;

	if (h->len != sizeof(struct tr_frame_hdr)) {
		r->st.frames_v1++;
		r->prev_known = 0;
		return 0;
	}
	if (r->prev_known && memcmp(h->prev, r->prev, TR_CHAIN_LEN)) {
		if (r->prev_is_start)
			tr_report(r, off, "frame %u: hash chain: names a previous frame (%s) but is the first "
				  "frame of the recording read; frames or segments before it are missing",
				  h->frame_seq, tr_chain__hex(a, h->prev));
		else
			tr_report(r, off, "frame %u: hash chain broken: names previous frame %s, the frame read "
				  "before it is %s (frames removed, reordered or from another recording)",
				  h->frame_seq, tr_chain__hex(a, h->prev), tr_chain__hex(b, r->prev));
		r->st.chain_breaks++;
	}
	err = tr_chain_hash(h->bytes, h->len, r->comp, h->comp_size, hash);
	if (err)
		return err;
	memcpy(r->prev, hash, TR_CHAIN_LEN);
	r->prev_known = 1;
	r->prev_is_start = 0;
	return 0;
}

/*
 * Load the frame at r->next into r->raw. 1 when loaded, 0 when it was bad
 * (reported, skipped), -errno. A frame whose records do not tile it is
 * rejected whole: its checksums held, so the writer made it wrong and no
 * record of it can be trusted.
 */
static int tr_load_frame(struct tr_seg_reader *r)
{
	uint64_t off = r->next, left = r->size - off;
	uint8_t b[sizeof(struct tr_frame_hdr)];
	struct tr_any_hdr h;
	uint32_t crc, magic = 0;
	ssize_t got;
	size_t n;
	int err;

	if (left < TR_HDR_MIN && r->tail) {
		r->tail_stop = 1;
		return 0;
	}
	if (left < TR_HDR_MIN) {
		tr_report(r, off, "truncated frame header: %zu bytes needed, %llu remain",
			  TR_HDR_MIN, (unsigned long long)left);
		tr_skip(r, off, r->size);
		return 0;
	}
	got = tr_pread_full(r->fd, b, left < sizeof(b) ? (size_t)left : sizeof(b), off);
	if (got < 0)
		return (int)got;
	if ((uint64_t)got < TR_HDR_MIN) {
		tr_report(r, off, "segment shrank while it was read: it now ends at offset %llu",
			  (unsigned long long)(off + (uint64_t)got));
		tr_skip(r, off, r->size);
		return 0;
	}
	if (!tr_hdr_parse(b, (size_t)got, &h)) {
		tr_report(r, off, "bad frame header (no genuine header here: magic, size or checksum wrong)");
		tr_skip(r, off, off + 1);
		return 0;
	}
	left -= h.len;
	if (h.comp_size > left && r->tail) {
		r->tail_stop = 1;
		return 0;
	}
	if (h.comp_size > left) {
		tr_report(r, off, "truncated frame %u: header says %u bytes, %llu remain",
			  h.frame_seq, h.comp_size, (unsigned long long)left);
		tr_skip(r, off, r->size);
		return 0;
	}
	/* From here on the header is genuine, so the frame's extent is known. */
	r->next = off + h.len + h.comp_size;
	tr_check_seq(r, &h, off);
	if (h.version != (h.len == sizeof(struct tr_frame_hdr) ? 2 : 1) || h.flags ||
	    h.raw_size > TR_FRAME_MAX_RAW || h.comp_size > TR_COMP_MAX) {
		tr_report(r, off, "frame %u: unsupported header (version %u, flags 0x%04x, raw size %u, zstd size %u)",
			  h.frame_seq, h.version, h.flags, h.raw_size, h.comp_size);
		goto bad;
	}
	if (tr_grow(&r->comp, &r->comp_cap, h.comp_size ? h.comp_size : 1) ||
	    tr_grow(&r->raw, &r->raw_cap, h.raw_size ? h.raw_size : 1)) {
		r->next = off;	/* a retry reads this frame again */
		return -ENOMEM;
	}
	got = tr_pread_full(r->fd, r->comp, h.comp_size, off + h.len);
	if (got < 0) {
		r->next = off;
		return (int)got;
	}
	if ((uint64_t)got < h.comp_size) {
		tr_report(r, off, "segment shrank while it was read: frame %u ends at offset %llu, the file now at %llu",
			  h.frame_seq, (unsigned long long)r->next,
			  (unsigned long long)(off + h.len + (uint64_t)got));
		tr_skip(r, off, r->size);
		return 0;
	}
	crc = tr_crc32(r->comp, h.comp_size);
	if (crc != h.comp_crc) {
		tr_report(r, off, "frame %u: checksum mismatch (stored 0x%08x, computed 0x%08x)",
			  h.frame_seq, h.comp_crc, crc);
		goto bad;
	}
	/* exactly one ordinary zstd frame (a skippable one, or nothing, would
	 * pass below as an empty frame) */
	if (h.comp_size >= 4)
		memcpy(&magic, r->comp, sizeof(magic)); /* little-endian host, as the header */
	if (h.comp_size < 4 || magic != ZSTD_MAGICNUMBER) {
		tr_report(r, off, "frame %u: payload is not a zstd frame", h.frame_seq);
		goto bad;
	}
	n = ZSTD_findFrameCompressedSize(r->comp, h.comp_size);
	if (!ZSTD_isError(n) && n != h.comp_size) {
		tr_report(r, off, "frame %u: zstd frame is %zu bytes, header says %u", h.frame_seq, n, h.comp_size);
		goto bad;
	}
	n = ZSTD_decompressDCtx(r->dctx, r->raw, h.raw_size, r->comp, h.comp_size);
	if (ZSTD_isError(n)) {
		tr_report(r, off, "frame %u: cannot decompress: %s", h.frame_seq, ZSTD_getErrorName(n));
		goto bad;
	}
	if (n != h.raw_size) {
		tr_report(r, off, "frame %u: decompressed to %zu bytes, header says %u", h.frame_seq, n, h.raw_size);
		goto bad;
	}
	if (!tr_walk_records(r, &h, off))
		goto bad;
	err = tr_check_chain(r, &h, off);
	if (err)
		return err;
	r->st.frames_ok++;
	r->frame_offset = off;
	r->frame_seq = h.frame_seq;
	r->frame_version = h.version;
	r->raw_off = 0;
	r->nrec = h.nrecords;
	r->index = 0;
	return 1;
bad:
	tr_skip(r, off, r->next);
	return 0;
}

int tr_seg_reader__next(struct tr_seg_reader *r, const struct tr_rec_hdr **rec, struct tr_rec_pos *pos)
{
	const uint8_t *p;
	uint32_t size;

	while (r->index == r->nrec) {
		int err;

		if (r->skip && r->next < r->size) {
			uint64_t to = r->skip(r->skip_ctx, r->next);

			if (to > r->next)
				tr_seg_reader__seek(r, to);
		}
		if (r->next >= r->size || r->tail_stop)
			return 0;
		err = tr_load_frame(r);
		if (err < 0)
			return err;
	}
	p = r->raw + r->raw_off;
	size = tr_rec__size(p);
	/* Records are packed; callers read them as structs, so hand out an
	 * aligned copy when one sits at an unaligned offset. */
	if (!tr_rec__aligned(p)) {
		if (tr_grow(&r->scratch, &r->scratch_cap, size))
			return -ENOMEM;
		p = memcpy(r->scratch, p, size);
	}
	*rec = (const struct tr_rec_hdr *)p;
	if (pos) {
		pos->frame_offset = r->frame_offset;
		pos->frame_seq = r->frame_seq;
		pos->index = r->index;
		pos->version = r->frame_version;
	}
	r->raw_off += size;
	r->index++;
	r->st.records++;
	return 1;
}
