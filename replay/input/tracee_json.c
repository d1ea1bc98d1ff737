// SPDX-License-Identifier: MIT
/* tracee_json.c: Tracee JSON lines as replay input (replay/input/tracee_json.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tracee_json.h"

/* Room for one event: the head and every argument at its largest. */
#define TJ_REC_MAX (sizeof(struct tr_event) + TR_MAX_ARGS * (TR_STR_MAX * 2 + 16))

static const struct tr_event_def *by_name(const char *name)
{
	const struct tr_catalog *c = tr_catalog__builtin();
	/* the catalog is sorted by id: names are looked up linearly, but
	 * not again for a run of one name */
	static const struct tr_event_def *last;

	if (last && !strcmp(last->name, name))
		return last;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->events[i].name, name))
			return last = &c->events[i];
	return NULL;
}

static uint64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (uint64_t)json_integer_value(v);
	if (json_is_real(v))
		return (uint64_t)json_real_value(v);
	return 0;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* base64 (Go's []byte in JSON) into out; the length, or -1. */
static long b64dec(const char *s, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *s && *s != '='; s++) {
		int v = b64val((unsigned char)*s);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return (long)n;
}

static const struct { const char *name; uint16_t v; } families[] = {
	{ "AF_UNIX", 1 }, { "AF_INET", 2 }, { "AF_INET6", 10 }, { "AF_UNSPEC", 0 }, { "AF_NETLINK", 16 },
	{ "AF_PACKET", 17 },
};

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Tracee's SockAddr object back into a struct sockaddr; its length or -1. */
static long sockaddr_from(json_t *o, uint8_t *out, size_t cap)
{
	const char *fam = jstr(o, "sa_family"), *port, *addr;
	uint16_t f = 0xffff;

	if (!json_is_object(o) || !fam || cap < 28)
		return -1;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(fam, families[i].name))
			f = families[i].v;
	if (f == 0xffff) {
		char *end;
		unsigned long v = strtoul(fam, &end, 10);

		if (*end || v > 0xffff)
			return -1;
		f = (uint16_t)v;
	}
	memset(out, 0, 28);
	out[0] = (uint8_t)f;
	out[1] = (uint8_t)(f >> 8);
	if (f == 1) {
		const char *p = jstr(o, "sun_path");
		size_t l = p ? strlen(p) : 0;

		if (l + 3 > cap || l > 108)
			return -1;
		if (p && p[0] == '@') {	/* abstract: NUL then the name */
			memcpy(out + 3, p + 1, l - 1);
			return (long)(2 + l);
		}
		memcpy(out + 2, p ? p : "", l);
		return (long)(2 + l + 1);
	}
	if (f == 2 || f == 10) {
		unsigned long pv;
		char *end;

		port = jstr(o, f == 2 ? "sin_port" : "sin6_port");
		addr = jstr(o, f == 2 ? "sin_addr" : "sin6_addr");
		pv = port ? strtoul(port, &end, 10) : 0;
		if (port && (*end || pv > 0xffff))
			return -1;
		out[2] = (uint8_t)(pv >> 8);
		out[3] = (uint8_t)pv;
		if (f == 2) {
			unsigned a, b, c, d;
			char extra;

			if (addr && (sscanf(addr, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4 || a > 255 ||
				     b > 255 || c > 255 || d > 255))
				return -1;
			if (addr) {
				out[4] = (uint8_t)a; out[5] = (uint8_t)b; out[6] = (uint8_t)c; out[7] = (uint8_t)d;
			}
			return 16;
		}
		if (addr) {
			/* hex groups with one "::" (RFC 4291 text; no dotted tail) */
			uint16_t g[8] = { 0 };
			int n = 0, gap = -1;
			const char *p = addr;

			while (*p && n < 8) {
				if (p[0] == ':' && p[1] == ':') {
					if (gap >= 0)
						return -1;
					gap = n;
					p += 2;
					continue;
				}
				if (*p == ':')
					p++;
				{
					char *e;
					unsigned long v = strtoul(p, &e, 16);

					if (e == p || e - p > 4 || v > 0xffff)
						return -1;
					g[n++] = (uint16_t)v;
					p = e;
				}
			}
			if (*p || (gap < 0 && n != 8))
				return -1;
			if (gap >= 0) {
				int tail = n - gap;

				memmove(g + 8 - tail, g + gap, (size_t)tail * sizeof(g[0]));
				memset(g + gap, 0, (size_t)(8 - tail - gap) * sizeof(g[0]));
			}
			for (int i = 0; i < 8; i++) {
				out[8 + 2 * i] = (uint8_t)(g[i] >> 8);
				out[9 + 2 * i] = (uint8_t)g[i];
			}
		}
		return 28;
	}
	return 2;
}

/* Encode one argument's JSON value by the catalog's wire type. 0, or -1
 * when the value does not fit (then it is left out, reported). */
static int put_arg(uint8_t *buf, size_t cap, size_t *off, uint8_t idx, uint8_t wire, json_t *v)
{
	static uint8_t tmp[TR_STR_MAX * 2 + 16];
	long n;

	switch (wire) {
	case TR_T_INT32:
	case TR_T_UINT32:
		if (json_is_boolean(v))
			return tr_arg__put_u32(buf, cap, off, idx, json_is_true(v));
		if (!json_is_integer(v))
			return -1;
		return tr_arg__put_u32(buf, cap, off, idx, (uint32_t)json_integer_value(v));
	case TR_T_INT64:
	case TR_T_UINT64:
		if (json_is_boolean(v))
			return tr_arg__put_u64(buf, cap, off, idx, json_is_true(v));
		if (!json_is_integer(v))
			return -1;
		return tr_arg__put_u64(buf, cap, off, idx, (uint64_t)json_integer_value(v));
	case TR_T_STR:
		if (!json_is_string(v) || json_string_length(v) > TR_STR_MAX)
			return -1;
		return tr_arg__put_bytes(buf, cap, off, idx, json_string_value(v), (uint32_t)json_string_length(v));
	case TR_T_JSON: {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		int rc = -1;

		if (s && strlen(s) <= TR_STR_MAX)
			rc = tr_arg__put_bytes(buf, cap, off, idx, s, (uint32_t)strlen(s));
		free(s);
		return rc;
	}
	case TR_T_STR_ARRAY: {
		size_t k, used = 0;
		json_t *e;

		if (json_is_null(v))
			return tr_arg__put_bytes(buf, cap, off, idx, "", 0);
		if (!json_is_array(v) || json_array_size(v) > TR_ARGV_MAX)
			return -1;
		json_array_foreach(v, k, e) {
			size_t l;

			if (!json_is_string(e))
				return -1;
			l = json_string_length(e);
			if (used + l + 1 > sizeof(tmp) || memchr(json_string_value(e), '\0', l))
				return -1;
			memcpy(tmp + used, json_string_value(e), l + 1);
			used += l + 1;
		}
		return tr_arg__put_bytes(buf, cap, off, idx, tmp, (uint32_t)used);
	}
	case TR_T_SOCKADDR:
		n = sockaddr_from(v, tmp, TR_SOCKADDR_MAX);
		return n < 0 ? -1 : tr_arg__put_bytes(buf, cap, off, idx, tmp, (uint32_t)n);
	case TR_T_BYTES:
	default:
		if (json_is_string(v)) {
			n = b64dec(json_string_value(v), tmp, sizeof(tmp));
		} else if (json_is_array(v) && json_array_size(v) <= sizeof(tmp)) {
			size_t k;
			json_t *e;

			n = 0;
			json_array_foreach(v, k, e) {
				if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > 255)
					return -1;
				tmp[n++] = (uint8_t)json_integer_value(e);
			}
		} else {
			return -1;
		}
		return n < 0 ? -1 : tr_arg__put_bytes(buf, cap, off, idx, tmp, (uint32_t)n);
	}
}

int tr_tracee_json__line(const char *line, size_t len, const char *name, uint64_t lineno,
			 struct tr_engine *e, struct tr_diag *diag)
{
	static uint8_t *buf;
	struct tr_src src = { .segment = name, .frame_seq = (uint32_t)lineno, .frame_offset = lineno };
	char where[4096 + 32];
	struct tr_event *ev;
	const struct tr_event_def *d;
	json_error_t jerr;
	json_t *j, *args, *a;
	const char *evname, *comm;
	size_t off, k;
	uint8_t seen[TR_MAX_ARGS] = { 0 };
	int rc;

	snprintf(where, sizeof(where), "%s:%llu", name, (unsigned long long)lineno);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len)
		return 0;	/* blank lines are no events */
	if (!buf && !(buf = malloc(TJ_REC_MAX)))
		return -ENOMEM;
	j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		tr_diag__damage(diag, where, -1, "not JSON (column %d): %s; line skipped", jerr.column, jerr.text);
		return 0;
	}
	evname = jstr(j, "eventName");
	if (!json_is_object(j) || !evname) {
		tr_diag__damage(diag, where, -1, "not a Tracee event (no eventName); line skipped");
		json_decref(j);
		return 0;
	}
	d = by_name(evname);
	if (!d) {
		char show[64];

		snprintf(show, sizeof(show), "%.40s", evname);
		for (char *p = show; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		tr_diag__damage(diag, where, -1, "event %s is not in the catalog; line skipped", show);
		json_decref(j);
		return 0;
	}
	ev = (struct tr_event *)buf;
	memset(ev, 0, sizeof(*ev));
	ev->h.kind = TR_REC_EVENT;
	ev->h.cpu = (uint16_t)jint(j, "processorId");
	ev->h.ts = jint(j, "timestamp");
	ev->h.seq = lineno;
	ev->event_id = d->id;
	ev->retval = (int64_t)jint(j, "returnValue");
	ev->start_ns = jint(j, "threadStartTime");
	ev->cgroup_id = jint(j, "cgroupId");
	ev->host_tid = (uint32_t)jint(j, "hostThreadId");
	ev->host_pid = (uint32_t)jint(j, "hostProcessId");
	ev->host_ppid = (uint32_t)jint(j, "hostParentProcessId");
	ev->tid = (uint32_t)jint(j, "threadId");
	ev->pid = (uint32_t)jint(j, "processId");
	ev->ppid = (uint32_t)jint(j, "parentProcessId");
	ev->uid = (uint32_t)jint(j, "userId");
	ev->mnt_ns = (uint32_t)jint(j, "mountNamespace");
	ev->pid_ns = (uint32_t)jint(j, "pidNamespace");
	if (!ev->host_pid)
		ev->host_pid = ev->pid;
	if (!ev->host_tid)
		ev->host_tid = ev->tid ? ev->tid : ev->host_pid;
	comm = jstr(j, "processName");
	if (comm)
		memcpy(ev->comm, comm, strnlen(comm, 16));
	off = sizeof(*ev);
	args = json_object_get(j, "args");
	json_array_foreach(args, k, a) {
		const char *an = jstr(a, "name");
		unsigned i;

		if (!an)
			continue;
		for (i = 0; i < d->nargs && strcmp(d->args[i].name, an); i++)
			;
		if (i == d->nargs || seen[i])
			continue;	/* an argument this catalog does not have */
		seen[i] = 1;
		if (put_arg(buf, TJ_REC_MAX, &off, (uint8_t)i, d->args[i].wire, json_object_get(a, "value"))) {
			char show[64];

			snprintf(show, sizeof(show), "%.40s", an);
			tr_diag__warn(diag, where, -1, "%s: argument %s does not fit type %s; left out", d->name, show,
				      d->args[i].type);
			continue;
		}
		ev->nargs++;
	}
	ev->h.size = (uint32_t)off;
	json_decref(j);
	rc = tr_engine__push(e, &ev->h, &src);
	if (!rc) {
		struct tr_rec_hdr wm = { .kind = TR_REC_WATERMARK, .cpu = TR_CPU_NONE, .size = sizeof(wm),
					 .ts = ev->h.ts };

		rc = tr_engine__push(e, &wm, &src);
	}
	return rc ? rc : 1;
}

int tr_tracee_json__run(FILE *in, const char *name, struct tr_engine *e, struct tr_diag *diag,
			const volatile sig_atomic_t *stop, struct tr_tj_stats *st)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	while ((n = getline(&line, &cap, in)) >= 0) {
		if (stop && *stop) {
			rc = -EINTR;
			break;
		}
		st->lines++;
		rc = tr_tracee_json__line(line, (size_t)n, name, st->lines, e, diag);
		if (rc < 0)
			break;
		if (rc)
			st->events++;
		else if (n > 1)
			st->bad++;
		rc = 0;
	}
	if (!rc && ferror(in))
		rc = -EIO;
	free(line);
	return rc ? rc : tr_engine__finish(e);
}
