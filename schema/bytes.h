/* SPDX-License-Identifier: MIT */
/*
 * bytes.h: the reversible escape of byte strings (schema/FORMAT.md, "Byte
 * strings in JSON output"). Kernel strings are bytes, JSON and SQLite text
 * want valid UTF-8: valid UTF-8 is kept, a backslash is doubled, and every
 * byte that is not part of valid UTF-8 becomes \xHH (lowercase hex).
 *
 * This is the decoded form, the string value before any JSON escaping; the
 * manifest hands it to jansson, replay's hot path writes the JSON text of it
 * in one pass (replay/json.c).
 */
#ifndef TR_BYTES_H
#define TR_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* The most tr_bytes__escape writes for len bytes, its NUL included. */
#define TR_BYTES_ESCAPED_MAX(len) (4 * (size_t)(len) + 1)

/* The length of the valid UTF-8 sequence (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF) at p[0..n), n > 0; 0 if none.
 * Inline: replay calls it for every non-ASCII character it prints. */
static inline size_t tr_utf8__seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2)		/* continuation byte, or overlong 2-byte lead */
		return 0;
	if (c < 0xe0)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c < 0xf0) {
		uint8_t lo = c == 0xe0 ? 0xa0 : 0x80;	/* no overlongs */
		uint8_t hi = c == 0xed ? 0x9f : 0xbf;	/* no surrogates */

		return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c < 0xf5) {
		uint8_t lo = c == 0xf0 ? 0x90 : 0x80;	/* no overlongs */
		uint8_t hi = c == 0xf4 ? 0x8f : 0xbf;	/* nothing past U+10FFFF */

		return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 &&
		       (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/* The escaped form of p[0..len) into out, which has room for
 * TR_BYTES_ESCAPED_MAX(len) bytes; NUL-terminated. Returns its length
 * (without the NUL). */
size_t tr_bytes__escape(char *out, const void *p, size_t len);

/* The reverse: the bytes of the escaped form s[0..n) into out, which has
 * room for n + 1 bytes (the bytes never outnumber their escape);
 * NUL-terminated, the length in *outlen. Uppercase hex is accepted, and so
 * is \x00: a caller that keeps C strings rejects a NUL in the result.
 * 0, or -EILSEQ for a backslash that starts neither "\\" nor "\xHH". */
int tr_bytes__unescape(char *out, size_t *outlen, const char *s, size_t n);

#endif /* TR_BYTES_H */
