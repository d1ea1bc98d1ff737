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

/*
 * Characters that are valid text but that a terminal or a reader acts on:
 * C1 controls (U+0080..U+009F: U+009B is CSI on many terminals), bidi
 * controls that reorder what is shown (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069) and the line and paragraph separators
 * U+2028, U+2029. Every output escapes them (JSON as \uXXXX, which decodes
 * to the same character; a terminal display as \xHH per byte). At p, a
 * valid UTF-8 sequence of n bytes (tr_utf8__seq): 1 if it is one of them.
 */
static inline int tr_utf8__hidden(const uint8_t *p, size_t n)
{
	if (n == 2)
		return (p[0] == 0xc2 && p[1] < 0xa0) || (p[0] == 0xd8 && p[1] == 0x9c);
	if (n != 3 || p[0] != 0xe2)
		return 0;
	if (p[1] == 0x80)
		return p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xa8 && p[2] <= 0xae);
	return p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;
}

/* The code point of a valid UTF-8 sequence of n bytes. */
static inline uint32_t tr_utf8__cp(const uint8_t *p, size_t n)
{
	if (n == 1)
		return p[0];
	if (n == 2)
		return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	if (n == 3)
		return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 | (uint32_t)(p[2] & 0x3f) << 6 |
	       (p[3] & 0x3f);
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
