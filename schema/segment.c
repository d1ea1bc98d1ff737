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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "segment.h"
#include "tix.h"

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
	[TR_REC_EVENT] = { sizeof(struct tr_event), false },
	[TR_REC_RETVAL] = { sizeof(struct tr_retval), true },
	[TR_REC_PROC] = { sizeof(struct tr_proc), false },
	[TR_REC_GAP] = { sizeof(struct tr_gap), true },
	[TR_REC_WATERMARK] = { sizeof(struct tr_rec_hdr), true },
};

/* NULL if a record head is right for its kind, else what is wrong. Checked
 * on write and on read, so every record handed out can be read as its
 * kind's struct without running past its end. */
static const char *tr_rec_problem(const struct tr_rec_hdr *h)
{
	if (!h->kind || h->kind > TR_REC_KIND_MAX)
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
	/* time index (FORMAT.md, "Time index"): the open frame's span, and
	 * one entry per frame written */
	char *tix_path;
	uint64_t fmin, fmax;
	uint32_t fflags;
	struct tr_tix_entry *tix;
	size_t ntix, tix_cap;
};

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
	w->tix_path = tr_tix__path(path);
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

int tr_seg_writer__flush(struct tr_seg_writer *w)
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
	h.hdr_crc = tr_hdr_crc(&h);
	memcpy(w->out, &h, TR_HDR_SIZE);
	total = TR_HDR_SIZE + comp;

	/* On failure the records stay buffered, so a retry (flush or close)
	 * writes them; dropping the partial frame keeps the file ending on a
	 * frame boundary even if nothing is retried. */
	err = tr_pwrite_all(w->fd, w->out, total, w->bytes);
	if (err) {
		/* best effort: if this fails too, readers report a truncated frame */
		(void)!ftruncate(w->fd, (off_t)w->bytes);
		return err;
	}
	/* index entry; losing it (no memory) only costs seeking */
	if (!tr_grow((uint8_t **)&w->tix, &w->tix_cap, (w->ntix + 1) * sizeof(*w->tix))) {
		w->tix[w->ntix++] = (struct tr_tix_entry){ .frame_offset = w->bytes, .first_ts = w->fmin,
							   .last_ts = w->fmax, .nrecords = w->nrec,
							   .flags = w->fflags };
	}
	w->fmin = w->fmax = 0;
	w->fflags = 0;
	w->bytes += total;
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
	const struct tr_rec_hdr *h = rec;
	int err;

	if (len < sizeof(*h) || h->size != len || tr_rec_problem(h))
		return -EINVAL;
	if (len > TR_FRAME_MAX_RAW)
		return -EMSGSIZE;
	if (w->used + len > TR_FRAME_MAX_RAW) {
		err = tr_seg_writer__flush(w);
		if (err)
			return err;
	}
	err = tr_grow(&w->buf, &w->cap, w->used + len);
	if (err)
		return err;
	memcpy(w->buf + w->used, rec, len);
	if (!w->nrec || h->ts < w->fmin)
		w->fmin = h->ts;
	if (!w->nrec || h->ts > w->fmax)
		w->fmax = h->ts;
	if (tr_rec_kind__is_state(h->kind))
		w->fflags |= TR_TIX_STATE;
	w->used += len;
	w->nrec++;
	return w->used >= w->frame_raw ? tr_seg_writer__flush(w) : 0;
}

uint64_t tr_seg_writer__bytes(const struct tr_seg_writer *w)
{
	return w->bytes;
}

uint32_t tr_seg_writer__pending(const struct tr_seg_writer *w)
{
	return w->nrec;
}

/* info describes the file as it is on disk, also when an error is returned
 * (then pending records were lost, and the error says so). */
int tr_seg_writer__close(struct tr_seg_writer *w, struct tr_seg_info *info)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	int err;

	if (!w)
		return 0;
	err = tr_seg_writer__flush(w);
	if (fsync(w->fd) && !err)
		err = -errno;
	if (close(w->fd) && !err)
		err = -errno;
	/* The index is written last, when the segment is whole; without
	 * it (killed recorder, failure) readers just read every frame. */
	if (!err && w->tix_path)
		(void)tr_tix__write(w->tix_path, w->tix, w->ntix);
	free(w->tix_path);
	free(w->tix);
	if (!EVP_DigestFinal_ex(w->sha, md, &mdlen) && !err)
		err = -EIO;
	if (info) {
		info->bytes = w->bytes;
		info->frames = w->frames;
		info->records = w->records;
		for (unsigned i = 0; i < 32; i++)
			snprintf(info->sha256 + 2 * i, 3, "%02x", i < mdlen ? md[i] : 0);
	}
	ZSTD_freeCCtx(w->cctx);
	EVP_MD_CTX_free(w->sha);
	free(w->buf);
	free(w->out);
	free(w);
	return err;
}

/* ---- reader ---- */

struct tr_seg_reader {
	char *path;
	tr_diag_fn diag;
	void *ctx;
	const uint8_t *map;
	uint64_t size;
	uint64_t next;		/* where the next frame header is expected */
	ZSTD_DCtx *dctx;
	uint8_t *raw;		/* records of the current frame */
	size_t raw_cap;
	uint32_t raw_off;
	uint64_t (*skip)(void *ctx, uint64_t offset);
	void *skip_ctx;
	int tail, tail_stop;
	uint32_t nrec, index;
	uint64_t frame_offset;
	uint32_t frame_seq;
	uint8_t *scratch;	/* aligned copy of a record at an unaligned offset */
	size_t scratch_cap;
	struct tr_seg_stats st;
};

/* Segments are append-only and never truncated once written, so mapping
 * them is safe and keeps hundreds of MB out of the heap. */
struct tr_seg_reader *tr_seg_reader__open(const char *path, tr_diag_fn diag, void *ctx)
{
	struct tr_seg_reader *r = calloc(1, sizeof(*r));
	struct stat st;
	int fd = -1, err = -ENOMEM;

	if (!r)
		return NULL;
	r->diag = diag;
	r->ctx = ctx;
	r->path = strdup(path);
	r->dctx = ZSTD_createDCtx();
	if (!r->path || !r->dctx)
		goto fail;
	/* O_NONBLOCK: opening a FIFO for reading waits for a writer, so a
	 * FIFO under a segment's name would hang the reader before the check
	 * below could turn it away. O_NOCTTY: nor may a terminal device
	 * become our controlling terminal. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		goto fail;
	}
	/* Only a regular file can be mapped (mmap would say ENODEV). */
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -ENODEV;
		goto fail;
	}
	r->size = (uint64_t)st.st_size;
	if (r->size) {
		void *m = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m == MAP_FAILED) {
			err = -errno;
			goto fail;
		}
		madvise(m, r->size, MADV_SEQUENTIAL);
		r->map = m;
	}
	close(fd);
	return r;
fail:
	if (fd >= 0)
		close(fd);
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
	r->next = offset;
	r->index = r->nrec;
	r->tail_stop = 0;
}

void tr_seg_reader__close(struct tr_seg_reader *r)
{
	if (!r)
		return;
	if (r->map)
		munmap((void *)r->map, r->size);
	ZSTD_freeDCtx(r->dctx);
	free(r->raw);
	free(r->scratch);
	free(r->path);
	free(r);
}

const struct tr_seg_stats *tr_seg_reader__stats(const struct tr_seg_reader *r)
{
	return &r->st;
}

/* Messages say what is wrong; the file offset of the frame goes to diag
 * separately and is not repeated in them, so it is printed once. */
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
 * are checked after, so a genuine but unreadable frame is reported as such. */
static bool tr_hdr_genuine(const struct tr_frame_hdr *h)
{
	return h->skip_magic == TR_SKIP_MAGIC && h->skip_size == TR_HDR_SIZE - 8 &&
	       h->magic == TR_FRAME_MAGIC && h->hdr_crc == tr_hdr_crc(h);
}

/* The offset of the first genuine header at or after from, or the file size. */
static uint64_t tr_resync(const struct tr_seg_reader *r, uint64_t from)
{
	static const uint32_t magic = TR_SKIP_MAGIC;

	while (from + TR_HDR_SIZE <= r->size) {
		const uint8_t *p = memmem(r->map + from, r->size - from, &magic, sizeof(magic));
		struct tr_frame_hdr h;

		if (!p || (uint64_t)(p - r->map) + TR_HDR_SIZE > r->size)
			break;
		from = (uint64_t)(p - r->map);
		memcpy(&h, p, TR_HDR_SIZE);
		if (tr_hdr_genuine(&h))
			return from;
		from++;
	}
	return r->size;
}

/* Skip a damaged region that starts at off: the next frame is looked for at
 * resume, or, when the damaged header itself is unreliable, right after off. */
static void tr_skip(struct tr_seg_reader *r, uint64_t off, uint64_t resume)
{
	r->next = tr_resync(r, resume);
	r->st.frames_bad++;
	r->st.bytes_skipped += r->next - off;
}

/* Check that the records of the decompressed frame tile it exactly. */
static bool tr_walk_records(struct tr_seg_reader *r, const struct tr_frame_hdr *h, uint64_t off)
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
		problem = tr_rec_problem(&rh);
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

/*
 * Load the frame at r->next into r->raw. 1 when loaded, 0 when it was bad
 * (reported, skipped), -ENOMEM. A frame whose records do not tile it is
 * rejected whole: its checksums held, so the writer made it wrong and no
 * record of it can be trusted.
 */
static int tr_load_frame(struct tr_seg_reader *r)
{
	uint64_t off = r->next, left = r->size - off;
	struct tr_frame_hdr h;
	const uint8_t *comp;
	uint32_t crc, magic = 0;
	size_t n;

	if (left < TR_HDR_SIZE && r->tail) {
		r->tail_stop = 1;
		return 0;
	}
	if (left < TR_HDR_SIZE) {
		tr_report(r, off, "truncated frame header: %zu bytes needed, %llu remain",
			  TR_HDR_SIZE, (unsigned long long)left);
		tr_skip(r, off, r->size);
		return 0;
	}
	memcpy(&h, r->map + off, TR_HDR_SIZE);
	if (!tr_hdr_genuine(&h)) {
		tr_report(r, off, "bad frame header (magic 0x%08x, crc stored 0x%08x, computed 0x%08x)",
			  h.skip_magic, h.hdr_crc, tr_hdr_crc(&h));
		tr_skip(r, off, off + 1);
		return 0;
	}
	left -= TR_HDR_SIZE;
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
	r->next = off + TR_HDR_SIZE + h.comp_size;
	if (h.version != TR_FORMAT_VERSION || h.flags || h.raw_size > TR_FRAME_MAX_RAW) {
		tr_report(r, off, "frame %u: unsupported header (version %u, flags 0x%04x, raw size %u)",
			  h.frame_seq, h.version, h.flags, h.raw_size);
		goto bad;
	}
	comp = r->map + off + TR_HDR_SIZE;
	crc = tr_crc32(comp, h.comp_size);
	if (crc != h.comp_crc) {
		tr_report(r, off, "frame %u: checksum mismatch (stored 0x%08x, computed 0x%08x)",
			  h.frame_seq, h.comp_crc, crc);
		goto bad;
	}
	/* exactly one ordinary zstd frame (a skippable one, or nothing, would
	 * pass below as an empty frame) */
	if (h.comp_size >= 4)
		memcpy(&magic, comp, sizeof(magic)); /* little-endian host, as the header */
	if (h.comp_size < 4 || magic != ZSTD_MAGICNUMBER) {
		tr_report(r, off, "frame %u: payload is not a zstd frame", h.frame_seq);
		goto bad;
	}
	n = ZSTD_findFrameCompressedSize(comp, h.comp_size);
	if (!ZSTD_isError(n) && n != h.comp_size) {
		tr_report(r, off, "frame %u: zstd frame is %zu bytes, header says %u", h.frame_seq, n, h.comp_size);
		goto bad;
	}
	if (tr_grow(&r->raw, &r->raw_cap, h.raw_size ? h.raw_size : 1)) {
		r->next = off;	/* a retry reads this frame again */
		return -ENOMEM;
	}
	n = ZSTD_decompressDCtx(r->dctx, r->raw, h.raw_size, comp, h.comp_size);
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
	r->st.frames_ok++;
	r->frame_offset = off;
	r->frame_seq = h.frame_seq;
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
				r->next = to;
		}
		if (r->next >= r->size || r->tail_stop)
			return 0;
		err = tr_load_frame(r);
		if (err < 0)
			return err;
	}
	p = r->raw + r->raw_off;
	memcpy(&size, p + offsetof(struct tr_rec_hdr, size), sizeof(size));
	/* Records are packed; callers read them as structs, so hand out an
	 * aligned copy when one sits at an unaligned offset. */
	if ((uintptr_t)p % _Alignof(struct tr_event)) {
		if (tr_grow(&r->scratch, &r->scratch_cap, size))
			return -ENOMEM;
		p = memcpy(r->scratch, p, size);
	}
	*rec = (const struct tr_rec_hdr *)p;
	if (pos) {
		pos->frame_offset = r->frame_offset;
		pos->frame_seq = r->frame_seq;
		pos->index = r->index;
	}
	r->raw_off += size;
	r->index++;
	r->st.records++;
	return 1;
}
