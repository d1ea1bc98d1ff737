// SPDX-License-Identifier: MIT
/* bytes.c: the byte-string escape and its reverse (schema/bytes.h). */
#include <errno.h>
#include <string.h>

#include "bytes.h"

static const char hexdig[] = "0123456789abcdef";

size_t tr_bytes__escape(char *out, const void *p, size_t len)
{
	const uint8_t *s = p;
	char *o = out;
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (s[i] == '\\') {
			*o++ = '\\';
			*o++ = '\\';
			i++;
		} else if ((n = tr_utf8__seq(s + i, len - i))) {
			memcpy(o, s + i, n);
			o += n;
			i += n;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hexdig[s[i] >> 4];
			*o++ = hexdig[s[i] & 15];
			i++;
		}
	}
	*o = '\0';
	return (size_t)(o - out);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tr_bytes__unescape(char *out, size_t *outlen, const char *s, size_t n)
{
	char *o = out;
	size_t i = 0;

	while (i < n) {
		int hi, lo;

		if (s[i] != '\\') {
			*o++ = s[i++];
		} else if (i + 1 < n && s[i + 1] == '\\') {
			*o++ = '\\';
			i += 2;
		} else if (i + 3 < n && s[i + 1] == 'x' && (hi = hexval(s[i + 2])) >= 0 &&
			   (lo = hexval(s[i + 3])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			i += 4;
		} else {
			return -EILSEQ;
		}
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return 0;
}
