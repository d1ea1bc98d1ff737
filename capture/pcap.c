// SPDX-License-Identifier: MIT
/* pcap.c: pcap writer and reader (capture/pcap.h). */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcap.h"

/* ---- writer ---- */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* host order: the magic tells readers which */
}

static int full_write(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!w)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int tr_pcap_writer__create(struct tr_pcap_writer *w, const char *path, uint32_t linktype, uint32_t snaplen)
{
	uint8_t h[TR_PCAP_FILE_HDR];
	uint16_t v[2] = { 2, 4 };
	int err;

	memset(w, 0, sizeof(*w));
	w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		err = -errno;
		w->fd = -1;
		return err;
	}
	put32(h, TR_PCAP_MAGIC_NSEC);
	memcpy(h + 4, v, sizeof(v));
	put32(h + 8, 0);	/* thiszone */
	put32(h + 12, 0);	/* sigfigs */
	put32(h + 16, snaplen);
	put32(h + 20, linktype);
	err = full_write(w->fd, h, sizeof(h));
	if (err) {
		close(w->fd);
		unlink(path);
		w->fd = -1;
		return err;
	}
	w->bytes = sizeof(h);
	return 0;
}

int tr_pcap_writer__add(struct tr_pcap_writer *w, uint64_t wall_ns, const void *data, uint32_t caplen, uint32_t len)
{
	size_t need = w->len + TR_PCAP_REC_HDR + caplen;
	uint8_t *p;

	if (need > w->cap) {
		size_t cap = w->cap ? w->cap : 65536;

		while (cap < need)
			cap *= 2;
		p = realloc(w->buf, cap);
		if (!p)
			return -ENOMEM;
		w->buf = p;
		w->cap = cap;
	}
	p = w->buf + w->len;
	put32(p, (uint32_t)(wall_ns / 1000000000ULL));
	put32(p + 4, (uint32_t)(wall_ns % 1000000000ULL));
	put32(p + 8, caplen);
	put32(p + 12, len < caplen ? caplen : len);
	memcpy(p + 16, data, caplen);
	w->len = need;
	w->packets++;
	return 0;
}

/* Records in buf[0..n), for counting what a failed flush dropped. */
static uint64_t count_records(const uint8_t *buf, size_t n)
{
	uint64_t c = 0;
	uint32_t caplen;

	for (size_t off = 0; off + TR_PCAP_REC_HDR <= n; off += TR_PCAP_REC_HDR + caplen, c++)
		memcpy(&caplen, buf + off + 8, 4);
	return c;
}

int tr_pcap_writer__flush(struct tr_pcap_writer *w, uint64_t *dropped)
{
	int err;

	if (dropped)
		*dropped = 0;
	if (w->fd < 0 || !w->len)
		return 0;
	err = full_write(w->fd, w->buf, w->len);
	if (err) {
		/* no half record left behind: cut back to the last whole one */
		if (ftruncate(w->fd, (off_t)w->bytes) == 0)
			lseek(w->fd, (off_t)w->bytes, SEEK_SET);
		if (dropped)
			*dropped = count_records(w->buf, w->len);
		w->packets -= count_records(w->buf, w->len);
	} else {
		w->bytes += w->len;
	}
	w->len = 0;
	return err;
}

int tr_pcap_writer__close(struct tr_pcap_writer *w)
{
	int err;

	if (!w || w->fd < 0)
		return 0;
	err = tr_pcap_writer__flush(w, NULL);
	if (fsync(w->fd) && !err)
		err = -errno;
	if (close(w->fd) && !err)
		err = -errno;
	w->fd = -1;
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	return err;
}

/* ---- reader ---- */

__attribute__((format(printf, 5, 6)))
static int bad(const struct tr_pcap_reader *r, size_t off, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err && errlen) {
		n = snprintf(err, errlen, "%s: offset %zu: ", r->name, off);
		if (n >= 0 && (size_t)n < errlen) {
			va_start(ap, fmt);
			vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return -EBADMSG;
}

static uint32_t get32(const struct tr_pcap_reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t get16(const struct tr_pcap_reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swapped ? __builtin_bswap16(v) : v;
}

int tr_pcap_reader__init(struct tr_pcap_reader *r, const char *name, const void *data, size_t len,
			 char *err, size_t errlen)
{
	const uint8_t *p = data;
	uint32_t magic;

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->data = data;
	r->len = len;
	if (len < TR_PCAP_FILE_HDR)
		return bad(r, 0, err, errlen, "%zu bytes, shorter than a pcap file header (%d)", len,
			   TR_PCAP_FILE_HDR);
	memcpy(&magic, p, 4);
	if (magic == TR_PCAP_MAGIC_USEC || magic == TR_PCAP_MAGIC_NSEC) {
		r->swapped = 0;
	} else if (__builtin_bswap32(magic) == TR_PCAP_MAGIC_USEC ||
		   __builtin_bswap32(magic) == TR_PCAP_MAGIC_NSEC) {
		r->swapped = 1;
		magic = __builtin_bswap32(magic);
	} else {
		return bad(r, 0, err, errlen, "magic 0x%08x is not a pcap file's (pcapng is not read)", magic);
	}
	r->nsec = magic == TR_PCAP_MAGIC_NSEC;
	if (get16(r, p + 4) != 2)
		return bad(r, 4, err, errlen, "version %u.%u, expected 2.4", get16(r, p + 4), get16(r, p + 6));
	r->snaplen = get32(r, p + 16);
	/* the link type's low 16 bits; the rest are FCS flags */
	r->linktype = get32(r, p + 20) & 0xffff;
	r->off = TR_PCAP_FILE_HDR;
	return 0;
}

int tr_pcap_reader__next(struct tr_pcap_reader *r, struct tr_pcap_packet *pkt, char *err, size_t errlen)
{
	const uint8_t *p;
	uint32_t sec, frac, caplen, len;
	size_t left;

	if (r->off >= r->len)
		return 0;
	left = r->len - r->off;
	if (left < TR_PCAP_REC_HDR)
		return bad(r, r->off, err, errlen, "packet %llu: truncated record head (%zu of %d bytes)",
			   (unsigned long long)r->index, left, TR_PCAP_REC_HDR);
	p = r->data + r->off;
	sec = get32(r, p);
	frac = get32(r, p + 4);
	caplen = get32(r, p + 8);
	len = get32(r, p + 12);
	if (frac >= (r->nsec ? 1000000000U : 1000000U))
		return bad(r, r->off + 4, err, errlen, "packet %llu: fraction of a second %u out of range",
			   (unsigned long long)r->index, frac);
	if (caplen > TR_PCAP_MAX_CAPLEN)
		return bad(r, r->off + 8, err, errlen, "packet %llu: captured length %u is over %u",
			   (unsigned long long)r->index, caplen, TR_PCAP_MAX_CAPLEN);
	if (caplen > left - TR_PCAP_REC_HDR)
		return bad(r, r->off, err, errlen, "packet %llu: truncated (%u bytes captured, %zu left)",
			   (unsigned long long)r->index, caplen, left - TR_PCAP_REC_HDR);
	pkt->ts_ns = (uint64_t)sec * 1000000000ULL + (r->nsec ? frac : (uint64_t)frac * 1000);
	pkt->caplen = caplen;
	pkt->len = len < caplen ? caplen : len;
	pkt->data = p + TR_PCAP_REC_HDR;
	pkt->offset = r->off;
	r->off += TR_PCAP_REC_HDR + caplen;
	r->index++;
	return 1;
}

int tr_pcap_reader__open(struct tr_pcap_reader *r, const char *path, char *err, size_t errlen)
{
	struct stat st;
	void *map = NULL;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			rc = -errno;
			snprintf(err, errlen, "%s: cannot map: %s", path, strerror(-rc));
			close(fd);
			return rc;
		}
	}
	close(fd);
	rc = tr_pcap_reader__init(r, path, map, (size_t)st.st_size, err, errlen);
	r->map = map;
	r->map_len = (size_t)st.st_size;
	if (rc)
		tr_pcap_reader__close(r);
	return rc;
}

void tr_pcap_reader__close(struct tr_pcap_reader *r)
{
	if (r && r->map)
		munmap(r->map, r->map_len);
	if (r) {
		r->map = NULL;
		r->data = NULL;
		r->len = 0;
	}
}
