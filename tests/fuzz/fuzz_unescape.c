// SPDX-License-Identifier: MIT
/*
 * fuzz_unescape: the byte-string escape and its reverse (schema/bytes.c) on
 * any bytes.
 *
 * tr_bytes__unescape reads every string of a manifest. The input is taken
 * as an escaped string: unescaped into a heap block of exactly the n + 1
 * bytes bytes.h promises (ASan sees a write past it), and on success must
 * come back to the same bytes once escaped and unescaped again. The input
 * is also taken as raw bytes: escaping gives valid UTF-8 (jansson is the
 * independent judge, it refuses anything else) within
 * TR_BYTES_ESCAPED_MAX, and unescaping that gives the input back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bytes.h"

#define check(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_unescape: %s:%d: broken: %s\n", __FILE__, \
				__LINE__, #cond);                                       \
			abort();                                                        \
		}                                                                       \
	} while (0)

/* escape(p) then unescape: the bytes come back. The escape is valid UTF-8
 * and only uses the two backslash sequences. */
static void round_trip(const uint8_t *p, size_t len)
{
	char *esc = malloc(TR_BYTES_ESCAPED_MAX(len)), *back;
	size_t n, blen;
	json_t *j;

	if (!esc)
		return;
	n = tr_bytes__escape(esc, p, len);
	check(n < TR_BYTES_ESCAPED_MAX(len) && esc[n] == '\0');
	check(strlen(esc) == n || memchr(p, '\0', len)); /* a NUL byte stays a NUL */
	j = json_stringn(esc, n);
	check(j);	/* jansson takes only valid UTF-8 */
	json_decref(j);
	for (size_t i = 0; i < n; i++) {
		if (esc[i] != '\\')
			continue;
		check(i + 1 < n && (esc[i + 1] == '\\' || esc[i + 1] == 'x'));
		if (esc[i + 1] == 'x')
			check(i + 3 < n && strchr("0123456789abcdef", esc[i + 2]) &&
			      strchr("0123456789abcdef", esc[i + 3]) && esc[i + 2] && esc[i + 3]);
		i++;
	}
	back = malloc(n + 1);
	if (!back) {
		free(esc);
		return;
	}
	check(tr_bytes__unescape(back, &blen, esc, n) == 0);
	check(blen == len && !memcmp(back, p, len) && back[blen] == '\0');
	free(back);
	free(esc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *out;
	size_t outlen = (size_t)-1;
	int rc;

	/* The input as an escaped string, in a block of exactly its size. */
	s = malloc(size ? size : 1);
	out = malloc(size + 1);
	if (!s || !out)
		goto out;
	memcpy(s, data, size);
	rc = tr_bytes__unescape(out, &outlen, s, size);
	if (rc) {
		check(rc == -EILSEQ);
	} else {
		check(outlen <= size && out[outlen] == '\0');
		round_trip((const uint8_t *)out, outlen);
	}

	/* The input as raw bytes. */
	round_trip(data, size);
out:
	free(s);
	free(out);
	return 0;
}
