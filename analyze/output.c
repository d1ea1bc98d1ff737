// SPDX-License-Identifier: MIT
/* output.c: table, JSON lines, CSV (analyze/output.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "json.h"
#include "output.h"

struct tr_out {
	enum tr_out_format fmt;
	FILE *f;
	size_t n;
	const char *const *names;
	unsigned char *is_json;
	char **cells;		/* table: rows * n, display form */
	size_t rows, cap;
	struct tr_buf b;
};

char *tr_out__display(const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *o = malloc(len * 4 + 1), *d = o;

	if (!o)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t k = 0;

		/* C0 controls, DEL, and (schema/bytes.h) C1 and bidi controls */
		if (*u < 0x20 || *u == 0x7f)
			k = 1;
		else if (*u >= 0x80 && (k = tr_utf8__seq(u, len - i)) && !tr_utf8__hidden(u, k))
			k = 0;
		if (!k) {
			*d++ = (char)*u;
			continue;
		}
		for (size_t j = 0; j < k; j++) {
			*d++ = '\\';
			*d++ = 'x';
			*d++ = hex[u[j] >> 4];
			*d++ = hex[u[j] & 15];
		}
		i += k - 1;
	}
	*d = '\0';
	return o;
}

int tr_out__format(const char *name)
{
	return !strcmp(name, "table") ? TR_OUT_TABLE : !strcmp(name, "json") ? TR_OUT_JSON :
	       !strcmp(name, "csv") ? TR_OUT_CSV : -1;
}

int tr_out__new(struct tr_out **out, enum tr_out_format fmt, FILE *f, const char *const *names, size_t n,
		const char *const *json_cols)
{
	struct tr_out *o = calloc(1, sizeof(*o));

	*out = o;
	if (!o || !(o->is_json = calloc(n, 1)))
		return free(o), *out = NULL, -ENOMEM;
	o->fmt = fmt;
	o->f = f;
	o->n = n;
	o->names = names;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; json_cols && json_cols[j]; j++)
			o->is_json[i] |= !strcmp(names[i], json_cols[j]);
	if (fmt == TR_OUT_CSV) {
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s%s", i ? "," : "", names[i]);
		fputs("\r\n", f);
	}
	return 0;
}

static void csv_cell(FILE *f, const char *s, size_t len)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

int tr_out__row(struct tr_out *o, const struct tr_val *v)
{
	char num[32];

	o->rows++;
	if (o->fmt == TR_OUT_JSON) {
		tr_buf__reset(&o->b);
		tr_buf__putc(&o->b, '{');
		for (size_t i = 0; i < o->n; i++) {
			if (i)
				tr_buf__putc(&o->b, ',');
			tr_json__cstr(&o->b, o->names[i]);
			tr_buf__putc(&o->b, ':');
			if (v[i].type == TR_VAL_INT)
				tr_json__i64(&o->b, v[i].i);
			else if (v[i].type == TR_VAL_NULL)
				tr_buf__lit(&o->b, "null");
			else if (o->is_json[i])
				tr_buf__put(&o->b, v[i].s, v[i].len);
			else
				tr_json__str(&o->b, v[i].s, v[i].len);
		}
		tr_buf__lit(&o->b, "}\n");
		if (o->b.err)
			return -ENOMEM;
		fwrite(o->b.p, 1, o->b.len, o->f);
		return 0;
	}
	if (o->fmt == TR_OUT_CSV) {
		for (size_t i = 0; i < o->n; i++) {
			if (i)
				fputc(',', o->f);
			if (v[i].type == TR_VAL_INT) {
				fprintf(o->f, "%lld", (long long)v[i].i);
			} else if (v[i].type == TR_VAL_TEXT) {
				char *t = strndup(v[i].s, v[i].len);

				if (!t)
					return -ENOMEM;
				csv_cell(o->f, t, strlen(t));
				free(t);
			}
		}
		fputs("\r\n", o->f);
		return 0;
	}
	if (o->rows > o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 64;
		char **c = realloc(o->cells, ncap * o->n * sizeof(*c));

		if (!c)
			return -ENOMEM;
		o->cells = c;
		o->cap = ncap;
	}
	for (size_t i = 0; i < o->n; i++) {
		char **cell = &o->cells[(o->rows - 1) * o->n + i];

		if (v[i].type == TR_VAL_INT) {
			snprintf(num, sizeof(num), "%lld", (long long)v[i].i);
			*cell = strdup(num);
		} else if (v[i].type == TR_VAL_NULL) {
			*cell = strdup("-");
		} else {
			*cell = tr_out__display(v[i].s, v[i].len);
		}
		if (!*cell) {
			for (size_t j = i + 1; j < o->n; j++)
				o->cells[(o->rows - 1) * o->n + j] = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* Terminal columns of UTF-8 text (code points). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void pad(FILE *f, const char *s, size_t w)
{
	fputs(s, f);
	for (size_t i = width(s); i < w; i++)
		fputc(' ', f);
}

size_t tr_out__rows(const struct tr_out *o)
{
	return o->rows;
}

int tr_out__end(struct tr_out *o)
{
	size_t *w;

	if (!o)
		return 0;
	if (o->fmt == TR_OUT_TABLE && (w = calloc(o->n, sizeof(*w)))) {
		char **hdr = calloc(o->n, sizeof(*hdr));

		for (size_t c = 0; hdr && c < o->n; c++) {
			hdr[c] = strdup(o->names[c]);
			for (char *p = hdr[c]; p && *p; p++)
				*p = (char)toupper((unsigned char)*p);
			w[c] = hdr[c] ? width(hdr[c]) : 0;
			for (size_t r = 0; r < o->rows; r++) {
				const char *cell = o->cells[r * o->n + c];

				if (cell && width(cell) > w[c])
					w[c] = width(cell);
			}
		}
		for (size_t c = 0; hdr && c < o->n; c++) {
			if (c + 1 == o->n)
				fputs(hdr[c] ? hdr[c] : "", o->f);
			else
				pad(o->f, hdr[c] ? hdr[c] : "", w[c] + 2);
		}
		fputc('\n', o->f);
		for (size_t r = 0; r < o->rows; r++) {
			for (size_t c = 0; c < o->n; c++) {
				const char *cell = o->cells[r * o->n + c];

				if (c + 1 == o->n)
					fputs(cell ? cell : "", o->f);
				else
					pad(o->f, cell ? cell : "", w[c] + 2);
			}
			fputc('\n', o->f);
		}
		for (size_t c = 0; hdr && c < o->n; c++)
			free(hdr[c]);
		free(hdr);
		free(w);
	}
	for (size_t i = 0; o->cells && i < o->rows * o->n; i++)
		free(o->cells[i]);
	free(o->cells);
	free(o->is_json);
	tr_buf__free(&o->b);
	free(o);
	return 0;
}
