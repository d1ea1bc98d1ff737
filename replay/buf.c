// SPDX-License-Identifier: MIT
/* buf.c: growth of struct tr_buf (replay/buf.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"

char *tr_buf__grow(struct tr_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->err)
		return NULL;
	if (b->cap - b->len >= n)
		return b->p + b->len;
	if (n > SIZE_MAX / 2 - b->len) {
		b->err = -ENOMEM;
		return NULL;
	}
	/* Doubling keeps the number of reallocations logarithmic in the
	 * longest line ever written. */
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->err = -ENOMEM;
		return NULL;
	}
	b->p = p;
	b->cap = cap;
	return b->p + b->len;
}

void tr_buf__free(struct tr_buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
