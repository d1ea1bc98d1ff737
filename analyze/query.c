// SPDX-License-Identifier: MIT
/* query.c: SQL queries and the detections report (analyze/query.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bytes.h"
#include "json.h"
#include "query.h"
#include "signature.h"

/* Bytes at s[i] that must not reach a terminal as they are: C0 controls,
 * DEL, C1 and bidi controls (bytes.h). How many, or 0. */
static int hidden_at(const unsigned char *s, int i, int n)
{
	size_t seq;

	if (s[i] < 0x20 || s[i] == 0x7f)
		return 1;
	if (s[i] < 0x80)
		return 0;
	seq = tr_utf8__seq(s + i, (size_t)(n - i));
	return seq && tr_utf8__hidden(s + i, seq) ? (int)seq : 0;
}

static void put_tsv(FILE *out, const unsigned char *s, int n)
{
	for (int i = 0; i < n; i++) {
		int k;

		switch (s[i]) {
		case '\t': fputs("\\t", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\\': fputs("\\\\", out); break;
		default:
			k = hidden_at(s, i, n);
			if (!k) {
				fputc(s[i], out);
				break;
			}
			for (int j = 0; j < k; j++)
				fprintf(out, "\\x%02x", s[i + j]);
			i += k - 1;
		}
	}
}

static void put_hex(FILE *out, const unsigned char *p, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
}

/* One column value as JSON into b. */
static void json_value(struct tr_buf *b, sqlite3_stmt *s, int i)
{
	char num[64];

	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER:
		tr_json__i64(b, sqlite3_column_int64(s, i));
		break;
	case SQLITE_FLOAT:
		snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(s, i));
		tr_buf__puts(b, num);
		break;
	case SQLITE_NULL:
		tr_buf__lit(b, "null");
		break;
	case SQLITE_BLOB:
		tr_json__base64(b, sqlite3_column_blob(s, i), (size_t)sqlite3_column_bytes(s, i));
		break;
	default:
		tr_json__str(b, sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i));
	}
}

static int print_rows(sqlite3 *db, sqlite3_stmt *s, int json, FILE *out, char *err, size_t errlen)
{
	int ncol = sqlite3_column_count(s), rc;
	struct tr_buf b = { 0 };

	if (ncol && !json) {
		for (int i = 0; i < ncol; i++) {
			const char *name = sqlite3_column_name(s, i);

			if (i)
				fputc('\t', out);
			put_tsv(out, (const unsigned char *)name, (int)strlen(name));
		}
		fputc('\n', out);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (json) {
			tr_buf__reset(&b);
			tr_buf__putc(&b, '{');
			for (int i = 0; i < ncol; i++) {
				if (i)
					tr_buf__putc(&b, ',');
				tr_json__cstr(&b, sqlite3_column_name(s, i));
				tr_buf__putc(&b, ':');
				json_value(&b, s, i);
			}
			tr_buf__lit(&b, "}\n");
			if (b.err)
				break;
			fwrite(b.p, 1, b.len, out);
			continue;
		}
		for (int i = 0; i < ncol; i++) {
			if (i)
				fputc('\t', out);
			if (sqlite3_column_type(s, i) == SQLITE_BLOB)
				put_hex(out, sqlite3_column_blob(s, i), sqlite3_column_bytes(s, i));
			else if (sqlite3_column_type(s, i) != SQLITE_NULL)
				put_tsv(out, sqlite3_column_text(s, i), sqlite3_column_bytes(s, i));
		}
		fputc('\n', out);
	}
	tr_buf__free(&b);
	if (b.err) {
		snprintf(err, errlen, "query: out of memory");
		return -ENOMEM;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "query: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
}

int tr_query__run(sqlite3 *db, const char *sql, int json, FILE *out, char *err, size_t errlen)
{
	const char *p = sql;
	int rc = 0;

	while (!rc && *p) {
		sqlite3_stmt *s = NULL;
		const char *tail;

		if (sqlite3_prepare_v2(db, p, -1, &s, &tail) != SQLITE_OK) {
#if SQLITE_VERSION_NUMBER >= 3038000
			int off = sqlite3_error_offset(db);

			if (off >= 0) {
				snprintf(err, errlen, "query: offset %ld: %s", (long)(p - sql) + off, sqlite3_errmsg(db));
				return -EINVAL;
			}
#endif
			snprintf(err, errlen, "query: %s", sqlite3_errmsg(db));
			return -EINVAL;
		}
		if (s)	/* NULL for a comment or whitespace */
			rc = print_rows(db, s, json, out, err, errlen);
		sqlite3_finalize(s);
		p = tail;
	}
	return rc;
}

void tr_query__time(long long ns, char *buf, size_t len)
{
	long long sec = ns / 1000000000LL, frac = ns % 1000000000LL;
	struct tm tm;
	time_t t;
	size_t n;

	if (frac < 0) {
		frac += 1000000000LL;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm) || !(n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))) {
		snprintf(buf, len, "%lld", ns);
		return;
	}
	snprintf(buf + n, len - n, ".%09lldZ", frac);
}

/* ---- the detections report ---- */

enum { COL_TIME, COL_SIG, COL_SEV, COL_PID, COL_PROC, COL_EXE, COL_DATA, NCOLS };

static const char *const headers[NCOLS] = { "TIME", "SIGNATURE", "SEVERITY", "PID", "PROCESS", "EXE", "DATA" };

/* Text as shown on a terminal: control characters as \xHH so a crafted
 * path cannot move the cursor or end a line. */
static char *display(const unsigned char *s, int n)
{
	char *o = malloc((size_t)n * 4 + 1), *d = o;

	if (!o)
		return NULL;
	for (int i = 0; i < n; i++) {
		int k = hidden_at(s, i, n);

		if (!k)
			*d++ = (char)s[i];
		for (int j = 0; j < k; j++)
			d += sprintf(d, "\\x%02x", s[i + j]);
		i += k ? k - 1 : 0;
	}
	*d = '\0';
	return o;
}

/* Width in terminal columns, counting UTF-8 code points. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void pad(FILE *out, const char *s, size_t w)
{
	fputs(s, out);
	for (size_t i = width(s); i < w; i++)
		fputc(' ', out);
}

static const char report_sql[] =
	"SELECT timestamp, signature_id, severity, host_pid, comm, exe, data, signature "
	"FROM detection_report ORDER BY timestamp, id";

static int detections_json(sqlite3 *db, sqlite3_stmt *s, FILE *out, char *err, size_t errlen)
{
	struct tr_buf b = { 0 };
	char t[64];
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		tr_buf__reset(&b);
		tr_buf__lit(&b, "{\"timestamp\":");
		tr_json__i64(&b, sqlite3_column_int64(s, 0));
		tr_query__time(sqlite3_column_int64(s, 0), t, sizeof(t));
		tr_buf__lit(&b, ",\"time\":");
		tr_json__cstr(&b, t);
		tr_buf__lit(&b, ",\"signatureID\":");
		json_value(&b, s, 1);
		tr_buf__lit(&b, ",\"signature\":");
		json_value(&b, s, 7);
		tr_buf__lit(&b, ",\"severity\":");
		tr_json__cstr(&b, tr_severity__name((uint8_t)sqlite3_column_int(s, 2)));
		tr_buf__lit(&b, ",\"hostProcessId\":");
		json_value(&b, s, 3);
		tr_buf__lit(&b, ",\"processName\":");
		json_value(&b, s, 4);
		tr_buf__lit(&b, ",\"executable\":");
		json_value(&b, s, 5);
		/* data is JSON already, written by the indexer */
		tr_buf__lit(&b, ",\"data\":");
		tr_buf__put(&b, sqlite3_column_text(s, 6), (size_t)sqlite3_column_bytes(s, 6));
		tr_buf__lit(&b, "}\n");
		if (b.err)
			break;
		fwrite(b.p, 1, b.len, out);
	}
	tr_buf__free(&b);
	if (b.err) {
		snprintf(err, errlen, "detections: out of memory");
		return -ENOMEM;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "detections: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
}

int tr_query__detections(sqlite3 *db, int json, FILE *out, char *err, size_t errlen)
{
	char **cells = NULL;
	size_t n = 0, cap = 0, w[NCOLS];
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, report_sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "detections: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	if (json) {
		rc = detections_json(db, s, out, err, errlen);
		sqlite3_finalize(s);
		return rc;
	}
	/* A table needs every width before the first line: read it all. */
	for (int c = 0; c < NCOLS; c++)
		w[c] = strlen(headers[c]);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char t[64], pid[24], *row[NCOLS];

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **v = realloc(cells, ncap * NCOLS * sizeof(*v));

			if (!v) {
				rc = SQLITE_NOMEM;
				break;
			}
			cells = v;
			cap = ncap;
		}
		tr_query__time(sqlite3_column_int64(s, 0), t, sizeof(t));
		snprintf(pid, sizeof(pid), "%lld", (long long)sqlite3_column_int64(s, 3));
		row[COL_TIME] = strdup(t);
		row[COL_SIG] = display(sqlite3_column_text(s, 1), sqlite3_column_bytes(s, 1));
		row[COL_SEV] = strdup(tr_severity__name((uint8_t)sqlite3_column_int(s, 2)));
		row[COL_PID] = strdup(sqlite3_column_type(s, 3) == SQLITE_NULL ? "-" : pid);
		row[COL_PROC] = display(sqlite3_column_text(s, 4), sqlite3_column_bytes(s, 4));
		row[COL_EXE] = sqlite3_column_type(s, 5) == SQLITE_NULL ? strdup("-") :
			       display(sqlite3_column_text(s, 5), sqlite3_column_bytes(s, 5));
		row[COL_DATA] = display(sqlite3_column_text(s, 6), sqlite3_column_bytes(s, 6));
		for (int c = 0; c < NCOLS; c++) {
			cells[n * NCOLS + c] = row[c];
			if (!row[c])
				rc = SQLITE_NOMEM;
			else if (width(row[c]) > w[c])
				w[c] = width(row[c]);
		}
		n++;
		if (rc == SQLITE_NOMEM)
			break;
	}
	if (rc == SQLITE_DONE) {
		for (int c = 0; c < NCOLS; c++) {
			if (c == NCOLS - 1)
				fputs(headers[c], out);
			else
				pad(out, headers[c], w[c] + 2);
		}
		fputc('\n', out);
		for (size_t i = 0; i < n; i++) {
			for (int c = 0; c < NCOLS; c++) {
				if (c == NCOLS - 1)
					fputs(cells[i * NCOLS + c], out);
				else
					pad(out, cells[i * NCOLS + c], w[c] + 2);
			}
			fputc('\n', out);
		}
		rc = 0;
	} else if (rc == SQLITE_NOMEM) {
		snprintf(err, errlen, "detections: out of memory");
		rc = -ENOMEM;
	} else {
		snprintf(err, errlen, "detections: %s", sqlite3_errmsg(db));
		rc = -EIO;
	}
	for (size_t i = 0; i < n * NCOLS; i++)
		free(cells[i]);
	free(cells);
	sqlite3_finalize(s);
	return rc;
}
