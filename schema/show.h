/* SPDX-License-Identifier: MIT */
/*
 * show.h: bytes from a recording (catalog names, manifest strings, file
 * names in events/) as a diagnostic may print them.
 *
 * They are the recorder's, or whoever wrote the recording: printed raw on a
 * terminal, a name could carry escape sequences that rewrite the screen or
 * the title, or hide the warning itself. So they go through the byte escape
 * of schema/bytes.h (tr_bytes__escape: invalid UTF-8 as \xHH, backslash
 * doubled) and then the characters that escape keeps because they are valid
 * UTF-8 but that a terminal acts on, C0 controls, DEL, C1 controls and bidi
 * controls (tr_utf8__hidden), are written as \xHH too, byte by byte. The result still decodes with tr_bytes__unescape.
 * Long strings are cut (with "...") to keep one warning on one line.
 */
#ifndef TR_SHOW_H
#define TR_SHOW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bytes.h"

#define TR_SHOW_IN 120	/* bytes shown at most */
/* Each byte shown takes at most 4 characters, plus "..." and the NUL. */
#define TR_SHOW_MAX (4 * TR_SHOW_IN + 4)

static inline const char *tr_show(char out[TR_SHOW_MAX], const void *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char esc[TR_BYTES_ESCAPED_MAX(TR_SHOW_IN)];
	size_t n = tr_bytes__escape(esc, p, len < TR_SHOW_IN ? len : TR_SHOW_IN), o = 0;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *u = (const uint8_t *)esc + i;
		uint8_t c = *u;
		size_t k = c < 0x20 || c == 0x7f ? 1 : 0;

		if (!k && c >= 0x80) {
			size_t seq = tr_utf8__seq(u, n - i);

			k = seq && tr_utf8__hidden(u, seq) ? seq : 0;
		}
		if (!k) {
			out[o++] = (char)c;
			continue;
		}
		for (size_t j = 0; j < k; j++) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[u[j] >> 4];
			out[o++] = hex[u[j] & 15];
		}
		i += k - 1;
	}
	if (len > TR_SHOW_IN) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* The same for a C string (NULL shows as ""). */
static inline const char *tr_show_str(char out[TR_SHOW_MAX], const char *s)
{
	return tr_show(out, s ? s : "", s ? strlen(s) : 0);
}

#endif /* TR_SHOW_H */
