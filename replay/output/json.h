/* SPDX-License-Identifier: MIT */
/*
 * json.h: the JSON lines replay prints, written by hand into a reused
 * buffer (no allocation per event, no library round trip).
 *
 * Events follow Tracee's event JSON: the same field names in the same
 * order, "timestamp" in wall-clock ns, "eventId" as a string, "args" as
 * {name, type, value}. Argument values:
 *   integers      JSON numbers; an argument of C type "bool" is true/false,
 *                 as Tracee prints it
 *   STR           a string (escaped as below)
 *   STR_ARRAY     an array of strings, split at NUL; a last element without
 *                 its NUL was cut short by the recorder and is kept as is
 *   BYTES         a base64 string (RFC 4648, padded), as Go, and so Tracee,
 *                 encodes []byte
 *   SOCKADDR      an object of strings, as Tracee prints it:
 *                 {"sa_family":"AF_INET","sin_port":"80","sin_addr":"1.2.3.4"}
 *                 {"sa_family":"AF_INET6","sin6_port":..,"sin6_flowinfo":..,
 *                  "sin6_addr":"RFC 5952 text","sin6_scope_id":..}
 *                 {"sa_family":"AF_UNIX","sun_path":..} (an abstract name is
 *                 "@" + the name, trailing NULs dropped)
 *                 {"sa_family":"<number>"} for other families; fields that
 *                 the captured bytes do not cover are left out
 * Absent arguments (the recorder could not read them) are left out, and
 * argsNum counts those printed.
 *
 * Strings from the kernel are bytes. They are escaped reversibly: valid
 * UTF-8 is kept; quote, backslash and control characters get JSON escapes;
 * a backslash in the bytes becomes two backslashes in the decoded string
 * ("\\\\" in the JSON text); a byte that is not part of valid UTF-8 becomes
 * the four characters \xHH (lowercase hex; "\\xff" in the JSON text). To get
 * the bytes back, JSON-decode, then replace "\\" by "\" and "\xHH" by the
 * byte (tr_bytes__unescape, schema/bytes.h).
 */
#ifndef TR_JSON_H
#define TR_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "signature.h"
#include "view.h"

/* What the output takes from the manifest, and how to print. */
#define TR_JSON_PARSE_ARGS 0x1	/* flags, modes, signals... by name (parse.c) */
#define TR_JSON_RFC3339 0x2	/* times as RFC 3339 strings, UTC, ns */
struct tr_json_host {
	const char *hostname;		/* "" when unknown */
	int64_t boot_to_wall_ns;	/* 0 when unknown */
	unsigned flags;			/* TR_JSON_* */
};

/* Tracee-style entity id of (host id, start boot ns); 0 when no start. */
uint32_t tr_entity_id(uint32_t id, uint64_t start_ns);
/* 2006-01-02T15:04:05.000000000Z */
void tr_text__rfc3339(struct tr_buf *b, int64_t wall_ns);
/* The JSON value of argument i of v (zero value when absent, parsed with
 * TR_JSON_PARSE_ARGS). */
void tr_json__arg_value(struct tr_buf *b, const struct tr_json_host *h, const struct tr_event_view *v, unsigned i);
/* --parse-args: argument i of v rendered by name (a JSON string) into b;
 * 0 when it has no such rendering (print the raw value). */
int tr_parse__arg(struct tr_buf *b, const struct tr_event_view *v, unsigned i);

void tr_json__u64(struct tr_buf *b, uint64_t v);
void tr_json__i64(struct tr_buf *b, int64_t v);
/* A quoted, escaped string of len bytes. */
void tr_json__str(struct tr_buf *b, const void *p, size_t len);
static inline void tr_json__cstr(struct tr_buf *b, const char *s)
{
	tr_json__str(b, s, s ? strlen(s) : 0);
}
/* An array of the NUL-ended strings in p[0..len) (STR_ARRAY). */
void tr_json__str_array(struct tr_buf *b, const void *p, size_t len);
void tr_json__base64(struct tr_buf *b, const void *p, size_t len);
void tr_json__sockaddr(struct tr_buf *b, const void *p, size_t len);
/* {"key":value,...} of a finding's data. */
void tr_json__kv(struct tr_buf *b, const struct tr_kv *kv, size_t n);

/* One event or gap line, newline included. 0 or -ENOMEM. */
int tr_json__event(struct tr_buf *b, const struct tr_json_host *h, const struct tr_event_view *v);
/* One finding line, newline included. 0 or -ENOMEM. */
int tr_json__finding(struct tr_buf *b, const struct tr_json_host *h, const struct tr_finding *f);

/* The decoded form alone, for text outside JSON (SQLite columns, tables):
 * tr_bytes__escape (schema/bytes.h) appended to b. */
void tr_text__bytes(struct tr_buf *b, const void *p, size_t len);

#endif /* TR_JSON_H */
