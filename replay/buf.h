/* SPDX-License-Identifier: MIT */
/*
 * buf.h: a growable byte buffer for output that is built by hand (JSON lines,
 * SQL text). The buffer is reused from one event to the next, so the hot
 * path allocates only when a line is longer than any before it.
 *
 * Errors are sticky: a failed allocation sets err, later writes are dropped,
 * and the caller checks err once per line instead of after every append.
 */
#ifndef TR_BUF_H
#define TR_BUF_H

#include <stddef.h>
#include <string.h>

struct tr_buf {
	char *p;
	size_t len;
	size_t cap;
	int err;	/* 0 or -ENOMEM, sticky until tr_buf__reset */
};

/* Make room for n more bytes; returns NULL (and sets err) if that fails. */
char *tr_buf__grow(struct tr_buf *b, size_t n);
void tr_buf__free(struct tr_buf *b);

static inline char *tr_buf__reserve(struct tr_buf *b, size_t n)
{
	if (b->cap - b->len >= n && !b->err)
		return b->p + b->len;
	return tr_buf__grow(b, n);
}

static inline void tr_buf__put(struct tr_buf *b, const void *p, size_t n)
{
	char *d = tr_buf__reserve(b, n);

	if (d) {
		memcpy(d, p, n);
		b->len += n;
	}
}

static inline void tr_buf__putc(struct tr_buf *b, char c)
{
	char *d = tr_buf__reserve(b, 1);

	if (d) {
		*d = c;
		b->len++;
	}
}

/* Append a string literal without strlen. */
#define tr_buf__lit(b, s) tr_buf__put((b), (s), sizeof(s) - 1)

static inline void tr_buf__puts(struct tr_buf *b, const char *s)
{
	tr_buf__put(b, s, strlen(s));
}

/* Empty the buffer and clear the error, keeping the memory. */
static inline void tr_buf__reset(struct tr_buf *b)
{
	b->len = 0;
	b->err = 0;
}

#endif /* TR_BUF_H */
