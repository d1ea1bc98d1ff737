// SPDX-License-Identifier: MIT
/* tix.c: segment time indexes (schema/tix.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tix.h"

char *tr_tix__path(const char *seg)
{
	size_t n = strlen(seg);
	char *p;

	if (n < 4 || strcmp(seg + n - 4, ".zst"))
		return NULL;
	p = strdup(seg);
	if (p)
		memcpy(p + n - 4, ".tix", 4);
	return p;
}

struct tr_tix_writer {
	int fd;
	char *path;
	uint32_t ondisk;	/* entries in the file, covered by its header */
	uint32_t nbuf;		/* entries in buf, not yet written */
	uint32_t crc;		/* CRC-32 of the entries on disk */
	struct tr_tix_entry buf[TR_TIX_CHUNK];
};

static int tr_tix_pwrite(int fd, const void *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p = (const char *)p + n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int tr_tix_head_write(struct tr_tix_writer *t)
{
	struct tr_tix_head h = { .magic = TR_TIX_MAGIC, .version = TR_TIX_VERSION,
				 .nentries = t->ondisk, .crc = t->crc };

	return tr_tix_pwrite(t->fd, &h, sizeof(h), 0);
}

/* Give the index up: a partial one that could mislead is removed. */
static void tr_tix_fail(struct tr_tix_writer *t)
{
	if (t->fd < 0)
		return;
	unlink(t->path);
	close(t->fd);
	t->fd = -1;
	t->ondisk = t->nbuf = 0;
}

struct tr_tix_writer *tr_tix_writer__open(const char *path)
{
	struct tr_tix_writer *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return NULL;
	t->path = strdup(path);
	t->fd = t->path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
	if (t->fd < 0) {
		err = errno;
		free(t->path);
		free(t);
		errno = err;
		return NULL;
	}
	t->crc = (uint32_t)crc32(0, Z_NULL, 0);
	if ((err = tr_tix_head_write(t))) {
		tr_tix_fail(t);
		free(t->path);
		free(t);
		errno = -err;
		return NULL;
	}
	return t;
}

void tr_tix_writer__sync(struct tr_tix_writer *t)
{
	size_t len;

	if (!t || t->fd < 0 || !t->nbuf)
		return;
	len = t->nbuf * sizeof(*t->buf);
	/* entries first, then the header that covers them: the file is a
	 * valid index at every moment a killed writer could leave it */
	if (tr_tix_pwrite(t->fd, t->buf, len, (off_t)(sizeof(struct tr_tix_head) + t->ondisk * sizeof(*t->buf)))) {
		tr_tix_fail(t);
		return;
	}
	t->crc = (uint32_t)crc32(t->crc, (const Bytef *)t->buf, (uInt)len);
	t->ondisk += t->nbuf;
	t->nbuf = 0;
	if (tr_tix_head_write(t))
		tr_tix_fail(t);
}

void tr_tix_writer__add(struct tr_tix_writer *t, const struct tr_tix_entry *e)
{
	if (t->fd < 0 || t->ondisk + t->nbuf == UINT32_MAX)
		return;
	t->buf[t->nbuf++] = *e;
	if (t->nbuf == TR_TIX_CHUNK)
		tr_tix_writer__sync(t);
}

size_t tr_tix_writer__entries(const struct tr_tix_writer *t)
{
	return t->fd < 0 ? 0 : (size_t)t->ondisk + t->nbuf;
}

int tr_tix_writer__close(struct tr_tix_writer *t)
{
	int err = 0;

	if (!t)
		return 0;
	tr_tix_writer__sync(t);
	if (t->fd < 0) {
		err = -EIO;
	} else if (fsync(t->fd)) {
		err = -errno;
		tr_tix_fail(t);
	}
	if (t->fd >= 0 && close(t->fd) && !err) {
		err = -errno;
		unlink(t->path);
	}
	free(t->path);
	free(t);
	return err;
}

int tr_tix__read(const char *path, struct tr_tix_entry **out, size_t *n)
{
	struct tr_tix_head h;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	size_t len;

	*out = NULL;
	*n = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || read(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    h.magic != TR_TIX_MAGIC || h.version != TR_TIX_VERSION || h.reserved ||
	    (uint64_t)st.st_size < sizeof(h) + (uint64_t)h.nentries * sizeof(**out)) {
		close(fd);
		return -EBADMSG;
	}
	len = (size_t)h.nentries * sizeof(**out);
	*out = malloc(len ? len : 1);
	if (!*out) {
		close(fd);
		return -ENOMEM;
	}
	if ((len && read(fd, *out, len) != (ssize_t)len) || (uint32_t)crc32(0, (const Bytef *)*out, (uInt)len) != h.crc)
		err = -EBADMSG;
	for (size_t i = 0; !err && i < h.nentries; i++)
		if ((*out)[i].flags & ~TR_TIX_STATE || (*out)[i].first_ts > (*out)[i].last_ts ||
		    (i && (*out)[i].frame_offset <= (*out)[i - 1].frame_offset))
			err = -EBADMSG;
	close(fd);
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	*n = h.nentries;
	return 0;
}
