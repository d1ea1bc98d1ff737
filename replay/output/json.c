// SPDX-License-Identifier: MIT
/* json.c: hand-written JSON lines (replay/json.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bytes.h"
#include "json.h"

static const char hexdig[] = "0123456789abcdef";

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static inline unsigned digits10_32(uint32_t v)
{
	return 1 + (v >= 10) + (v >= 100) + (v >= 1000) + (v >= 10000) + (v >= 100000) + (v >= 1000000) +
	       (v >= 10000000) + (v >= 100000000) + (v >= 1000000000);
}

/* v < 10^8 as exactly 8 digits ending at p (32-bit arithmetic). */
static inline void put8(char *p, uint32_t v)
{
	for (int k = 0; k < 4; k++) {
		uint32_t r = v % 100;

		v /= 100;
		p -= 2;
		p[0] = digit_pairs[2 * r];
		p[1] = digit_pairs[2 * r + 1];
	}
}

void tr_json__u64(struct tr_buf *b, uint64_t v)
{
	char *d = tr_buf__reserve(b, 20), *p;
	uint32_t lo[2], hi;
	unsigned n, chunks = 0;

	if (!d)
		return;
	/* up to two 8-digit chunks, then the rest in 32 bits: straight into
	 * the buffer, two digits a step (this runs ~25 times a line) */
	while (v >= 100000000 && chunks < 2) {
		lo[chunks++] = (uint32_t)(v % 100000000);
		v /= 100000000;
	}
	hi = (uint32_t)v;	/* < 10^4 after two chunks of a 64-bit value */
	n = digits10_32(hi);
	p = d + n;
	while (hi >= 100) {
		uint32_t r = hi % 100;

		hi /= 100;
		p -= 2;
		p[0] = digit_pairs[2 * r];
		p[1] = digit_pairs[2 * r + 1];
	}
	if (hi >= 10) {
		p -= 2;
		p[0] = digit_pairs[2 * hi];
		p[1] = digit_pairs[2 * hi + 1];
	} else {
		*--p = (char)('0' + hi);
	}
	p = d + n;
	while (chunks) {
		put8(p + 8, lo[--chunks]);
		p += 8;
	}
	b->len += (size_t)(p - d);
}

void tr_json__i64(struct tr_buf *b, int64_t v)
{
	if (v < 0) {
		tr_buf__putc(b, '-');
		/* -(v + 1) + 1 avoids overflow at INT64_MIN. */
		tr_json__u64(b, (uint64_t)(-(v + 1)) + 1);
	} else {
		tr_json__u64(b, (uint64_t)v);
	}
}

/* The JSON text of len bytes, without quotes, into d (room for 6 * len);
 * returns the end. This is tr_bytes__escape (schema/bytes.h) and JSON's
 * escaping fused into one pass, because it runs for every string of every
 * event: in the JSON text the escape's "\\" is four backslashes and its
 * "\xHH" is "\\xHH". The unit tests hold the two to the same result. */
static char *escape_json(char *d, const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*d++ = (char)c;
			i++;
			continue;
		}
		if (c == '"') {
			*d++ = '\\';
			*d++ = '"';
		} else if (c == '\\') {
			/* decoded "\\": a literal backslash, distinct from \xHH */
			memcpy(d, "\\\\\\\\", 4);
			d += 4;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': *d++ = '\\'; *d++ = 'n'; break;
			case '\t': *d++ = '\\'; *d++ = 't'; break;
			case '\r': *d++ = '\\'; *d++ = 'r'; break;
			case '\b': *d++ = '\\'; *d++ = 'b'; break;
			case '\f': *d++ = '\\'; *d++ = 'f'; break;
			default:
				memcpy(d, "\\u00", 4);
				d[4] = hexdig[c >> 4];
				d[5] = hexdig[c & 15];
				d += 6;
			}
		} else if ((n = tr_utf8__seq(s + i, len - i))) {
			if (tr_utf8__hidden(s + i, n)) {
				/* C1 and bidi controls: the same character, but not
				 * one a terminal or an editor can act on */
				uint32_t cp = tr_utf8__cp(s + i, n);

				memcpy(d, "\\u", 2);
				d[2] = hexdig[cp >> 12];
				d[3] = hexdig[(cp >> 8) & 15];
				d[4] = hexdig[(cp >> 4) & 15];
				d[5] = hexdig[cp & 15];
				d += 6;
			} else {
				memcpy(d, s + i, n);
				d += n;
			}
			i += n;
			continue;
		} else {
			/* decoded "\xHH" for a byte that is not UTF-8 */
			memcpy(d, "\\\\x", 3);
			d[3] = hexdig[c >> 4];
			d[4] = hexdig[c & 15];
			d += 5;
		}
		i++;
	}
	return d;
}

/* Escaped bytes without quotes. */
static void put_escaped(struct tr_buf *b, const void *p, size_t len)
{
	char *d, *e;

	if (len > SIZE_MAX / 6) {
		b->err = -ENOMEM;
		return;
	}
	d = tr_buf__reserve(b, len * 6);
	if (!d)
		return;
	e = escape_json(d, p, len);
	b->len += (size_t)(e - d);
}

void tr_json__str(struct tr_buf *b, const void *p, size_t len)
{
	tr_buf__putc(b, '"');
	put_escaped(b, p, len);
	tr_buf__putc(b, '"');
}

void tr_text__bytes(struct tr_buf *b, const void *p, size_t len)
{
	char *d;

	if (len > SIZE_MAX / 4) {
		b->err = -ENOMEM;
		return;
	}
	d = tr_buf__reserve(b, TR_BYTES_ESCAPED_MAX(len));
	if (d)
		b->len += tr_bytes__escape(d, p, len);
}

void tr_json__base64(struct tr_buf *b, const void *p, size_t len)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *s = p;
	char *d, *o;
	size_t i;

	if (len > SIZE_MAX / 2) {
		b->err = -ENOMEM;
		return;
	}
	d = o = tr_buf__reserve(b, (len + 2) / 3 * 4 + 2);
	if (!d)
		return;
	*o++ = '"';
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];

		*o++ = al[v >> 18];
		*o++ = al[(v >> 12) & 63];
		*o++ = al[(v >> 6) & 63];
		*o++ = al[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;

		*o++ = al[v >> 18];
		*o++ = al[(v >> 12) & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;

		*o++ = al[v >> 18];
		*o++ = al[(v >> 12) & 63];
		*o++ = al[(v >> 6) & 63];
		*o++ = '=';
	}
	*o++ = '"';
	b->len += (size_t)(o - d);
}

/* ---- sockaddr ---- */

#define TR_AF_UNIX 1
#define TR_AF_INET 2
#define TR_AF_INET6 10

static void put_ipv4(struct tr_buf *b, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			tr_buf__putc(b, '.');
		tr_json__u64(b, a[i]);
	}
}

/* RFC 5952 text: lowercase, no leading zeros, the longest run (the first
 * of equals) of two or more zero groups as "::", IPv4-mapped addresses as
 * ::ffff:a.b.c.d. Written here rather than with inet_ntop so the output
 * does not depend on the C library of the machine replaying. */
static void put_ipv6(struct tr_buf *b, const uint8_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint16_t g[8];
	int best = -1, bestlen = 0;

	if (!memcmp(a, mapped, sizeof(mapped))) {
		tr_buf__lit(b, "::ffff:");
		put_ipv4(b, a + 12);
		return;
	}
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && !g[j])
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		char tmp[4];
		int n = 0;

		if (i == best) {
			tr_buf__lit(b, "::");
			i += bestlen - 1;
			continue;
		}
		if (i && i != best + bestlen)
			tr_buf__putc(b, ':');
		for (int shift = 12; shift >= 0; shift -= 4)
			if (n || (g[i] >> shift) & 15 || !shift)
				tmp[n++] = hexdig[(g[i] >> shift) & 15];
		tr_buf__put(b, tmp, (size_t)n);
	}
}

static void put_ustr(struct tr_buf *b, uint64_t v)
{
	tr_buf__putc(b, '"');
	tr_json__u64(b, v);
	tr_buf__putc(b, '"');
}

void tr_json__sockaddr(struct tr_buf *b, const void *p, size_t len)
{
	const uint8_t *s = p;
	uint16_t family;

	if (len < 2) {
		tr_buf__lit(b, "{}");
		return;
	}
	/* sa_family is in host order, and recordings are little-endian;
	 * ports and addresses are in network order. */
	family = (uint16_t)(s[0] | s[1] << 8);
	switch (family) {
	case TR_AF_INET:
		tr_buf__lit(b, "{\"sa_family\":\"AF_INET\"");
		if (len >= 4) {
			tr_buf__lit(b, ",\"sin_port\":");
			put_ustr(b, (uint32_t)s[2] << 8 | s[3]);
		}
		if (len >= 8) {
			tr_buf__lit(b, ",\"sin_addr\":\"");
			put_ipv4(b, s + 4);
			tr_buf__putc(b, '"');
		}
		break;
	case TR_AF_INET6:
		tr_buf__lit(b, "{\"sa_family\":\"AF_INET6\"");
		if (len >= 4) {
			tr_buf__lit(b, ",\"sin6_port\":");
			put_ustr(b, (uint32_t)s[2] << 8 | s[3]);
		}
		if (len >= 8) {
			tr_buf__lit(b, ",\"sin6_flowinfo\":");
			put_ustr(b, (uint32_t)s[4] << 24 | (uint32_t)s[5] << 16 | (uint32_t)s[6] << 8 | s[7]);
		}
		if (len >= 24) {
			tr_buf__lit(b, ",\"sin6_addr\":\"");
			put_ipv6(b, s + 8);
			tr_buf__putc(b, '"');
		}
		if (len >= 28) {
			/* scope id is a host-order interface index */
			tr_buf__lit(b, ",\"sin6_scope_id\":");
			put_ustr(b, (uint32_t)s[24] | (uint32_t)s[25] << 8 | (uint32_t)s[26] << 16 |
					    (uint32_t)s[27] << 24);
		}
		break;
	case TR_AF_UNIX: {
		const uint8_t *path = s + 2;
		size_t n = len - 2;

		tr_buf__lit(b, "{\"sa_family\":\"AF_UNIX\",\"sun_path\":");
		if (n && path[0] == '\0') {
			/* abstract: the name is every byte after the NUL */
			while (n > 1 && path[n - 1] == '\0')
				n--;
			tr_buf__lit(b, "\"@");
			put_escaped(b, path + 1, n - 1);
			tr_buf__putc(b, '"');
		} else {
			const uint8_t *z = memchr(path, '\0', n);

			tr_json__str(b, path, z ? (size_t)(z - path) : n);
		}
		break;
	}
	default:
		tr_buf__lit(b, "{\"sa_family\":");
		put_ustr(b, family);
	}
	tr_buf__putc(b, '}');
}

/* ---- events ---- */

static inline int64_t wall_ns(const struct tr_json_host *h, uint64_t boot_ns)
{
	return (int64_t)(boot_ns + (uint64_t)h->boot_to_wall_ns);
}

static size_t comm_len(const char comm[16])
{
	const char *z = memchr(comm, '\0', 16);

	return z ? (size_t)(z - comm) : 16;
}

void tr_json__str_array(struct tr_buf *b, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i = 0;
	int first = 1;

	tr_buf__putc(b, '[');
	while (i < len) {
		const uint8_t *z = memchr(p + i, '\0', len - i);
		size_t n = z ? (size_t)(z - (p + i)) : len - i;

		if (!first)
			tr_buf__putc(b, ',');
		first = 0;
		tr_json__str(b, p + i, n);
		i += n + (z ? 1 : 0);
	}
	tr_buf__putc(b, ']');
}

static void put_value(struct tr_buf *b, const struct tr_arg_def *d, const struct tr_arg_val *v)
{
	int is_bool = d->type && d->type[0] == 'b' && !strcmp(d->type, "bool");

	switch (v->wire) {
	case TR_T_INT32:
	case TR_T_INT64:
		if (is_bool)
			tr_buf__puts(b, v->i ? "true" : "false");
		else
			tr_json__i64(b, v->i);
		break;
	case TR_T_UINT32:
	case TR_T_UINT64:
		if (is_bool)
			tr_buf__puts(b, v->u ? "true" : "false");
		else
			tr_json__u64(b, v->u);
		break;
	case TR_T_STR:
	case TR_T_JSON:	/* text from the recording: printed as a string, never spliced in raw */
		tr_json__str(b, v->b.p, v->b.len);
		break;
	case TR_T_STR_ARRAY:
		tr_json__str_array(b, v->b.p, v->b.len);
		break;
	case TR_T_SOCKADDR:
		tr_json__sockaddr(b, v->b.p, v->b.len);
		break;
	case TR_T_BYTES:
	default:
		tr_json__base64(b, v->b.p, v->b.len);
	}
}

static void put_zero(struct tr_buf *b, const struct tr_arg_def *d);

/* Argument i of d is a time.Time, by this build's catalog (a version-1
 * recording's catalog typed them "unsigned long"). */
static int is_time(const struct tr_event_def *d, unsigned i)
{
	const struct tr_event_def *ours = tr_catalog__find(tr_catalog__builtin(), d->id);

	if (d->args[i].type && !strcmp(d->args[i].type, "time.Time"))
		return 1;
	if (!ours || ours == d)
		return 0;
	for (unsigned k = 0; k < ours->nargs; k++)
		if (!strcmp(ours->args[k].name, d->args[i].name))
			return !strcmp(ours->args[k].type, "time.Time");
	return 0;
}
static void put_time(struct tr_buf *b, const struct tr_json_host *h, uint64_t boot_ns);

void tr_json__arg_value(struct tr_buf *b, const struct tr_json_host *h, const struct tr_event_view *v, unsigned i)
{
	const struct tr_arg_def *d = &v->def->args[i];

	if (!v->args[i].present)
		put_zero(b, d);
	else if ((h->flags & TR_JSON_PARSE_ARGS) && tr_parse__arg(b, v, i))
		;
	else if (v->args[i].wire == TR_T_UINT64 && v->args[i].u &&
		 (v->info ? (int)((v->info->time_args >> i) & 1) : is_time(v->def, i)))
		/* a boot-time stamp: wall-clock ns, like timestamp and
		 * threadStartTime (Tracee prints time.Time arguments so) */
		put_time(b, h, v->args[i].u);
	else
		put_value(b, d, &v->args[i]);
}

/* The zero value of an argument's type, for one the record left out. */
static void put_zero(struct tr_buf *b, const struct tr_arg_def *d)
{
	switch (d->wire) {
	case TR_T_STR:
	case TR_T_JSON:
	case TR_T_BYTES:
		tr_buf__lit(b, "\"\"");
		break;
	case TR_T_STR_ARRAY:
		tr_buf__lit(b, "[]");
		break;
	case TR_T_SOCKADDR:
		tr_buf__lit(b, "{}");
		break;
	default:
		if (d->type && !strcmp(d->type, "bool"))
			tr_buf__lit(b, "false");
		else
			tr_buf__putc(b, '0');
	}
}

uint32_t tr_entity_id(uint32_t id, uint64_t start_ns)
{
	uint32_t x = 2166136261U;	/* FNV-1a over the id and start time, little-endian */

	if (!start_ns)
		return 0;
	for (int i = 0; i < 4; i++)
		x = (x ^ ((id >> (8 * i)) & 0xff)) * 16777619U;
	for (int i = 0; i < 8; i++)
		x = (x ^ ((start_ns >> (8 * i)) & 0xff)) * 16777619U;
	return x;
}

void tr_text__rfc3339(struct tr_buf *b, int64_t wall_ns)
{
	char tmp[64];
	int64_t sec = wall_ns / 1000000000, ns = wall_ns % 1000000000;
	struct tm tm;
	time_t t;
	size_t n;

	if (ns < 0) {
		ns += 1000000000;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm)) {
		tr_json__i64(b, wall_ns);
		return;
	}
	n = strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tmp + n, sizeof(tmp) - n, ".%09lldZ", (long long)ns);
	tr_buf__puts(b, tmp);
}

/* The task context shared by events and findings, up to "containerId". */
static void put_time(struct tr_buf *b, const struct tr_json_host *h, uint64_t boot_ns)
{
	if (h->flags & TR_JSON_RFC3339) {
		tr_buf__putc(b, '"');
		tr_text__rfc3339(b, wall_ns(h, boot_ns));
		tr_buf__putc(b, '"');
	} else {
		tr_json__i64(b, wall_ns(h, boot_ns));
	}
}

static void put_context(struct tr_buf *b, const struct tr_json_host *h, const struct tr_event_view *v)
{
	const struct tr_event *ev = v->ev;
	const struct tr_proc_node *proc = v->proc;

	tr_buf__lit(b, "{\"timestamp\":");
	put_time(b, h, ev->h.ts);
	tr_buf__lit(b, ",\"threadStartTime\":");
	if (v->thread_start_ns)
		put_time(b, h, v->thread_start_ns);
	else
		tr_buf__putc(b, '0');
	tr_buf__lit(b, ",\"processorId\":");
	tr_json__u64(b, ev->h.cpu);
	tr_buf__lit(b, ",\"processId\":");
	tr_json__u64(b, ev->pid);
	tr_buf__lit(b, ",\"cgroupId\":");
	tr_json__u64(b, ev->cgroup_id);
	tr_buf__lit(b, ",\"threadId\":");
	tr_json__u64(b, ev->tid);
	tr_buf__lit(b, ",\"parentProcessId\":");
	tr_json__u64(b, ev->ppid);
	tr_buf__lit(b, ",\"hostProcessId\":");
	tr_json__u64(b, ev->host_pid);
	tr_buf__lit(b, ",\"hostThreadId\":");
	tr_json__u64(b, ev->host_tid);
	tr_buf__lit(b, ",\"hostParentProcessId\":");
	tr_json__u64(b, ev->host_ppid);
	tr_buf__lit(b, ",\"userId\":");
	tr_json__u64(b, ev->uid);
	/* not in Tracee's JSON: the ids file access and privilege checks use
	 * (FORMAT.md §8); absent when the record does not know them (v1) */
	if (ev->euid != TR_ID_UNKNOWN) {
		tr_buf__lit(b, ",\"euid\":");
		tr_json__u64(b, ev->euid);
	}
	if (ev->fsuid != TR_ID_UNKNOWN) {
		tr_buf__lit(b, ",\"fsuid\":");
		tr_json__u64(b, ev->fsuid);
	}
	tr_buf__lit(b, ",\"mountNamespace\":");
	tr_json__u64(b, ev->mnt_ns);
	tr_buf__lit(b, ",\"pidNamespace\":");
	tr_json__u64(b, ev->pid_ns);
	tr_buf__lit(b, ",\"processName\":");
	tr_json__str(b, ev->comm, comm_len(ev->comm));
	tr_buf__lit(b, ",\"executable\":{\"path\":");
	if (proc && proc->exe.p)
		tr_json__str(b, proc->exe.p, proc->exe.len);
	else
		tr_buf__lit(b, "\"\"");
	tr_buf__lit(b, "},\"hostName\":");
	tr_json__cstr(b, h->hostname ? h->hostname : "");
	tr_buf__lit(b, ",\"containerId\":");
	if (v->container)
		tr_json__str(b, v->container->id, 64);
	else
		tr_buf__lit(b, "\"\"");
}

/* A gap has no task: zeros and empty strings, so that readers expecting
 * every field find it. */
static void put_gap_context(struct tr_buf *b, const struct tr_json_host *h, const struct tr_gap *g)
{
	tr_buf__lit(b, "{\"timestamp\":");
	put_time(b, h, g->h.ts);
	tr_buf__lit(b, ",\"threadStartTime\":0,\"processorId\":");
	tr_json__u64(b, g->h.cpu);
	tr_buf__lit(b, ",\"processId\":0,\"cgroupId\":0,\"threadId\":0,\"parentProcessId\":0,"
		       "\"hostProcessId\":0,\"hostThreadId\":0,\"hostParentProcessId\":0,\"userId\":0,"
		       "\"mountNamespace\":0,\"pidNamespace\":0,\"processName\":\"\","
		       "\"executable\":{\"path\":\"\"},\"hostName\":");
	tr_json__cstr(b, h->hostname ? h->hostname : "");
	tr_buf__lit(b, ",\"containerId\":\"\"");
}

static void put_event_id(struct tr_buf *b, uint32_t id)
{
	tr_buf__lit(b, ",\"eventId\":\"");
	tr_json__u64(b, id);
	tr_buf__putc(b, '"');
}

/* The constant parts of an event type's line, escaped once per event type
 * and kept in its tr_evinfo (owned by the engine, freed with it): the
 * event's id, name and argsNum, and each argument's {"name":..,"type":..,
 * "value": prefix. Without an evinfo (or memory) they are written the slow
 * way. */
struct line_parts {
	struct tr_buf text;
	uint32_t off[TR_MAX_ARGS + 2];	/* [0]: the head's end; [i+1]: arg i's end */
};

void tr_evinfo__free_cache(void *cache)
{
	struct line_parts *p = cache;

	if (p) {
		tr_buf__free(&p->text);
		free(p);
	}
}

static const struct line_parts *line_parts(const struct tr_event_view *v)
{
	struct tr_evinfo *info = (struct tr_evinfo *)v->info;	/* its cache is the output's */
	const struct tr_event_def *d = v->def;
	unsigned nargs = d->nargs < TR_MAX_ARGS ? d->nargs : TR_MAX_ARGS;
	struct line_parts *p;

	if (!info || info->def != d)
		return NULL;
	if (info->cache)
		return info->cache;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	put_event_id(&p->text, d->id);
	tr_buf__lit(&p->text, ",\"eventName\":");
	tr_json__cstr(&p->text, d->name);
	tr_buf__lit(&p->text, ",\"argsNum\":");
	tr_json__u64(&p->text, nargs);
	p->off[0] = (uint32_t)p->text.len;
	for (unsigned i = 0; i < nargs; i++) {
		tr_buf__lit(&p->text, "{\"name\":");
		tr_json__cstr(&p->text, d->args[i].name);
		tr_buf__lit(&p->text, ",\"type\":");
		tr_json__cstr(&p->text, d->args[i].type);
		tr_buf__lit(&p->text, ",\"value\":");
		p->off[i + 1] = (uint32_t)p->text.len;
	}
	if (p->text.err) {
		tr_evinfo__free_cache(p);
		return NULL;
	}
	info->cache = p;
	return p;
}

int tr_json__event(struct tr_buf *b, const struct tr_json_host *h, const struct tr_event_view *v)
{
	const struct line_parts *lp = line_parts(v);
	const struct tr_event_def *d = v->def;
	unsigned nargs = d->nargs < TR_MAX_ARGS ? d->nargs : TR_MAX_ARGS, n = 0, i;
	int first = 1;

	if (v->kind == TR_VIEW_GAP)
		put_gap_context(b, h, v->gap);
	else
		put_context(b, h, v);
	/* Every catalog argument, always in catalog order, as Tracee prints
	 * them: one the record left out gets its type's zero value. */
	n = nargs;
	if (lp) {
		tr_buf__put(b, lp->text.p, lp->off[0]);
	} else {
		put_event_id(b, d->id);
		tr_buf__lit(b, ",\"eventName\":");
		tr_json__cstr(b, d->name);
		tr_buf__lit(b, ",\"argsNum\":");
		tr_json__u64(b, n);
	}
	tr_buf__lit(b, ",\"returnValue\":");
	tr_json__i64(b, v->kind == TR_VIEW_EVENT ? v->ev->retval : 0);
	tr_buf__lit(b, ",\"syscall\":");
	/* The catalog says which events are syscalls (a recording's catalog
	 * learns it from this build's by name). */
	if (v->kind == TR_VIEW_EVENT && (d->sets & TR_SET_SYSCALL))
		tr_json__cstr(b, d->name);
	else if (v->kind == TR_VIEW_EVENT && v->origin && (v->origin->sets & TR_SET_SYSCALL))
		tr_json__cstr(b, v->origin->name);	/* derived: the syscall it came from */
	else
		tr_buf__lit(b, "\"\"");
	if (v->kind == TR_VIEW_EVENT && v->ev) {
		tr_buf__lit(b, ",\"threadEntityId\":");
		tr_json__u64(b, tr_entity_id(v->ev->host_tid, v->thread_start_ns));
		tr_buf__lit(b, ",\"processEntityId\":");
		tr_json__u64(b, tr_entity_id(v->ev->host_pid, v->ev->start_ns));
		tr_buf__lit(b, ",\"parentEntityId\":");
		tr_json__u64(b, tr_entity_id(v->ev->host_ppid, v->ev->parent_start_ns));
	} else {
		tr_buf__lit(b, ",\"threadEntityId\":0,\"processEntityId\":0,\"parentEntityId\":0");
	}
	/* not in Tracee's JSON (FORMAT.md §8.1): aimed at the recorder */
	if (v->kind == TR_VIEW_EVENT && v->ev && (v->ev->flags & TR_EVF_TO_RECORDER))
		tr_buf__lit(b, ",\"targetsRecorder\":true");
	tr_buf__lit(b, ",\"args\":[");
	for (i = 0; i < nargs; i++) {
		if (!first)
			tr_buf__putc(b, ',');
		first = 0;
		if (lp) {
			tr_buf__put(b, lp->text.p + lp->off[i], lp->off[i + 1] - lp->off[i]);
		} else {
			tr_buf__lit(b, "{\"name\":");
			tr_json__cstr(b, d->args[i].name);
			tr_buf__lit(b, ",\"type\":");
			tr_json__cstr(b, d->args[i].type);
			tr_buf__lit(b, ",\"value\":");
		}
		tr_json__arg_value(b, h, v, i);
		/* not in Tracee's JSON (FORMAT.md §8): the value was cut short,
		 * how long it was, and whether it was read at syscall exit */
		if (v->args[i].flags & TR_ARGF_TRUNC) {
			tr_buf__lit(b, ",\"truncated\":true");
			if (v->args[i].orig_len) {
				tr_buf__lit(b, ",\"length\":");
				tr_json__u64(b, v->args[i].orig_len);
			}
		}
		if (v->args[i].flags & TR_ARGF_AT_EXIT)
			tr_buf__lit(b, ",\"readAtExit\":true");
		tr_buf__putc(b, '}');
	}
	tr_buf__lit(b, "]}\n");
	return b->err;
}

static void put_kv_value(struct tr_buf *b, const struct tr_kv *kv)
{
	switch (kv->type) {
	case TR_KV_INT:
		tr_json__i64(b, kv->i);
		break;
	case TR_KV_UINT:
		tr_json__u64(b, kv->u);
		break;
	case TR_KV_STR:
	default:
		tr_json__str(b, kv->s.p, kv->s.len);
	}
}

void tr_json__kv(struct tr_buf *b, const struct tr_kv *kv, size_t n)
{
	tr_buf__putc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			tr_buf__putc(b, ',');
		tr_json__cstr(b, kv[i].key);
		tr_buf__putc(b, ':');
		put_kv_value(b, &kv[i]);
	}
	tr_buf__putc(b, '}');
}

static const char *kv_ctype(uint8_t type)
{
	return type == TR_KV_INT ? "long" : type == TR_KV_UINT ? "unsigned long" : "const char*";
}

int tr_json__finding(struct tr_buf *b, const struct tr_json_host *h, const struct tr_finding *f)
{
	const struct tr_signature *s = f->sig;
	const struct tr_event_view *v = f->ev;

	if (v->kind == TR_VIEW_GAP)
		put_gap_context(b, h, v->gap);
	else
		put_context(b, h, v);
	put_event_id(b, s->event_id);
	tr_buf__lit(b, ",\"eventName\":");
	tr_json__cstr(b, s->name);
	tr_buf__lit(b, ",\"argsNum\":");
	tr_json__u64(b, f->ndata + 1);
	tr_buf__lit(b, ",\"returnValue\":0,\"syscall\":\"\",\"args\":[");
	for (size_t i = 0; i < f->ndata; i++) {
		tr_buf__lit(b, "{\"name\":");
		tr_json__cstr(b, f->data[i].key);
		tr_buf__lit(b, ",\"type\":");
		tr_json__cstr(b, kv_ctype(f->data[i].type));
		tr_buf__lit(b, ",\"value\":");
		put_kv_value(b, &f->data[i]);
		tr_buf__lit(b, "},");
	}
	/* Like Tracee's, the trigger is the last argument; ours points at the
	 * record in the recording instead of repeating it. */
	tr_buf__lit(b, "{\"name\":\"triggeredBy\",\"type\":\"unknown\",\"value\":{\"id\":");
	tr_json__u64(b, v->def->id);
	tr_buf__lit(b, ",\"name\":");
	tr_json__cstr(b, v->def->name);
	tr_buf__lit(b, ",\"returnValue\":");
	tr_json__i64(b, v->kind == TR_VIEW_EVENT ? v->ev->retval : 0);
	tr_buf__lit(b, ",\"ordinal\":");
	tr_json__u64(b, v->ordinal);
	tr_buf__lit(b, ",\"segment\":");
	tr_json__cstr(b, v->src.segment ? v->src.segment : "");
	tr_buf__lit(b, ",\"frameOffset\":");
	tr_json__u64(b, v->src.frame_offset);
	tr_buf__lit(b, ",\"recordIndex\":");
	tr_json__u64(b, v->src.index);
	tr_buf__lit(b, "}}],\"metadata\":{\"Version\":\"1\",\"Description\":");
	tr_json__cstr(b, s->description);
	tr_buf__lit(b, ",\"Properties\":{\"Severity\":");
	tr_json__u64(b, s->severity);
	tr_buf__lit(b, ",\"Technique\":");
	tr_json__cstr(b, s->mitre_name ? s->mitre_name : "");
	tr_buf__lit(b, ",\"external_id\":");
	tr_json__cstr(b, s->mitre_id ? s->mitre_id : "");
	tr_buf__lit(b, ",\"signatureID\":");
	tr_json__cstr(b, s->id);
	tr_buf__lit(b, ",\"signatureName\":");
	tr_json__cstr(b, s->name);
	tr_buf__lit(b, ",\"Category\":");
	tr_json__cstr(b, s->category ? s->category : "");
	tr_buf__lit(b, ",\"Tags\":[");
	for (uint32_t i = 0; i < s->ntags; i++) {
		if (i)
			tr_buf__putc(b, ',');
		tr_json__cstr(b, s->tags[i]);
	}
	tr_buf__putc(b, ']');
	if (s->level) {	/* Sigma's own level, beside the severity it maps to */
		tr_buf__lit(b, ",\"level\":");
		tr_json__cstr(b, s->level);
	}
	tr_buf__lit(b, "},\"process\":{\"hostProcessId\":");
	tr_json__u64(b, f->proc ? f->proc->host_pid : 0);
	tr_buf__lit(b, ",\"startTime\":");
	tr_json__i64(b, f->proc && f->proc->start_ns ? wall_ns(h, f->proc->start_ns) : 0);
	tr_buf__lit(b, "}}}\n");
	return b->err;
}
