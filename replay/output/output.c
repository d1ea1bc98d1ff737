// SPDX-License-Identifier: MIT
/* output.c: json-compact and table (replay/output/output.h). */
#include <stdio.h>
#include <string.h>

#include "output.h"

static const char *const names[] = {
	[TR_OUT_JSON] = "json",
	[TR_OUT_JSON_COMPACT] = "json-compact",
	[TR_OUT_TABLE] = "table",
	[TR_OUT_NONE] = "none",
};

int tr_output__format(const char *name)
{
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

void tr_output__header(struct tr_buf *b, enum tr_out_format fmt)
{
	char tmp[160];

	if (fmt != TR_OUT_TABLE)
		return;
	snprintf(tmp, sizeof(tmp), "%-30s %-8s %-16s %-7s %-7s %-6s %-24s %s\n", "TIME(UTC)", "UID", "COMM", "PID",
		 "TID", "RET", "EVENT", "ARGS");
	tr_buf__puts(b, tmp);
}

static size_t comm_len(const char comm[16])
{
	const char *z = memchr(comm, '\0', 16);

	return z ? (size_t)(z - comm) : 16;
}

/* Pad b from mark to width columns (bytes; escapes count as they print). */
static void pad(struct tr_buf *b, size_t mark, size_t width)
{
	size_t n = b->len - mark;

	do
		tr_buf__putc(b, ' ');
	while (++n < width + 1);
}

static void put_args_text(struct tr_buf *b, const struct tr_json_host *h, const struct tr_event_view *v)
{
	struct tr_json_host hp = *h;
	struct tr_buf t = { 0 };
	int first = 1;

	hp.flags |= TR_JSON_PARSE_ARGS;
	for (unsigned i = 0; i < v->def->nargs && i < TR_MAX_ARGS; i++) {
		if (!v->args[i].present)
			continue;
		if (!first)
			tr_buf__lit(b, ", ");
		first = 0;
		tr_buf__puts(b, v->def->args[i].name);
		tr_buf__lit(b, ": ");
		tr_buf__reset(&t);
		tr_json__arg_value(&t, &hp, v, i);
		if (!t.err)
			tr_buf__put(b, t.p, t.len);
	}
	tr_buf__free(&t);
}

static int table_row(struct tr_buf *b, const struct tr_json_host *h, const struct tr_event_view *v,
		     const char *name, const struct tr_finding *f)
{
	const struct tr_event *ev = v->kind == TR_VIEW_EVENT ? v->ev : NULL;
	uint64_t ts = ev ? ev->h.ts : v->gap->h.ts;
	size_t mark;
	char tmp[64];

	tr_text__rfc3339(b, (int64_t)(ts + (uint64_t)h->boot_to_wall_ns));
	tr_buf__putc(b, ' ');
	mark = b->len;
	if (v->user) {
		tr_text__bytes(b, v->user, strlen(v->user));
	} else {
		snprintf(tmp, sizeof(tmp), "%u", ev ? ev->uid : 0);
		tr_buf__puts(b, tmp);
	}
	pad(b, mark, 8);
	mark = b->len;
	if (ev)
		tr_text__bytes(b, ev->comm, comm_len(ev->comm));
	pad(b, mark, 16);
	snprintf(tmp, sizeof(tmp), "%-7u %-7u %-6lld ", ev ? ev->host_pid : 0, ev ? ev->host_tid : 0,
		 (long long)(ev && !f ? ev->retval : 0));
	tr_buf__puts(b, tmp);
	mark = b->len;
	tr_buf__puts(b, name);
	pad(b, mark, 24);
	if (f) {
		tr_buf__lit(b, "FINDING ");
		tr_buf__puts(b, f->sig->id);
		tr_buf__lit(b, " severity ");
		tr_buf__puts(b, tr_severity__name(f->sig->severity));
		for (size_t i = 0; i < f->ndata; i++) {
			tr_buf__lit(b, ", ");
			tr_buf__puts(b, f->data[i].key);
			tr_buf__lit(b, ": ");
			if (f->data[i].type == TR_KV_STR)
				tr_text__bytes(b, f->data[i].s.p, f->data[i].s.len);
			else if (f->data[i].type == TR_KV_INT)
				tr_json__i64(b, f->data[i].i);
			else
				tr_json__u64(b, f->data[i].u);
		}
	} else {
		put_args_text(b, h, v);
	}
	tr_buf__putc(b, '\n');
	return b->err;
}

static int compact(struct tr_buf *b, const struct tr_json_host *h, const struct tr_event_view *v)
{
	const struct tr_event *ev = v->kind == TR_VIEW_EVENT ? v->ev : NULL;
	uint64_t ts = ev ? ev->h.ts : v->gap->h.ts;
	int first = 1;

	tr_buf__lit(b, "{\"time\":");
	if (h->flags & TR_JSON_RFC3339) {
		tr_buf__putc(b, '"');
		tr_text__rfc3339(b, (int64_t)(ts + (uint64_t)h->boot_to_wall_ns));
		tr_buf__putc(b, '"');
	} else {
		tr_json__i64(b, (int64_t)(ts + (uint64_t)h->boot_to_wall_ns));
	}
	tr_buf__lit(b, ",\"pid\":");
	tr_json__u64(b, ev ? ev->host_pid : 0);
	tr_buf__lit(b, ",\"tid\":");
	tr_json__u64(b, ev ? ev->host_tid : 0);
	tr_buf__lit(b, ",\"comm\":");
	tr_json__str(b, ev ? ev->comm : "", ev ? comm_len(ev->comm) : 0);
	if (v->container) {
		tr_buf__lit(b, ",\"container\":");
		tr_json__str(b, v->container->id, 12);
	}
	tr_buf__lit(b, ",\"event\":");
	tr_json__cstr(b, v->def->name);
	tr_buf__lit(b, ",\"ret\":");
	tr_json__i64(b, ev ? ev->retval : 0);
	tr_buf__lit(b, ",\"args\":{");
	for (unsigned i = 0; i < v->def->nargs && i < TR_MAX_ARGS; i++) {
		if (!v->args[i].present)
			continue;
		if (!first)
			tr_buf__putc(b, ',');
		first = 0;
		tr_json__cstr(b, v->def->args[i].name);
		tr_buf__putc(b, ':');
		tr_json__arg_value(b, h, v, i);
	}
	tr_buf__lit(b, "}}\n");
	return b->err;
}

int tr_output__event(struct tr_buf *b, enum tr_out_format fmt, const struct tr_json_host *h,
		     const struct tr_event_view *v)
{
	switch (fmt) {
	case TR_OUT_NONE:
		return 0;
	case TR_OUT_JSON_COMPACT:
		return compact(b, h, v);
	case TR_OUT_TABLE:
		return table_row(b, h, v, v->def->name, NULL);
	case TR_OUT_JSON:
	default:
		return tr_json__event(b, h, v);
	}
}

int tr_output__finding(struct tr_buf *b, enum tr_out_format fmt, const struct tr_json_host *h,
		       const struct tr_finding *f)
{
	if (fmt == TR_OUT_NONE)
		return 0;
	if (fmt == TR_OUT_TABLE)
		return table_row(b, h, f->ev, f->sig->name, f);
	return tr_json__finding(b, h, f);
}
