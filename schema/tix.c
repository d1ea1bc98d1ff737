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

int tr_tix__write(const char *path, const struct tr_tix_entry *e, size_t n)
{
	struct tr_tix_head h = { .magic = TR_TIX_MAGIC, .version = TR_TIX_VERSION, .nentries = (uint32_t)n };
	size_t len = n * sizeof(*e);
	int fd, err = 0;

	h.crc = (uint32_t)crc32(0, (const Bytef *)e, (uInt)len);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) || (len && write(fd, e, len) != (ssize_t)len))
		err = errno ? -errno : -EIO;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		unlink(path);
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
	    (uint64_t)st.st_size != sizeof(h) + (uint64_t)h.nentries * sizeof(**out)) {
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
