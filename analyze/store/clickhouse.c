// SPDX-License-Identifier: MIT
/*
 * clickhouse.c: the case database on a ClickHouse server (store/store.h),
 * schema/clickhouse.sql, over its HTTP interface with libcurl.
 *
 * Target: http://HOST:PORT[/][?database=NAME] (clickhouse://HOST:PORT is
 * taken as http://). Writing makes the database and its tables if missing.
 * Rows are buffered per table as JSONEachRow and sent at each batch() (and
 * when a table's buffer passes FLUSH_BYTES) as one gzip-compressed INSERT:
 * one numbered "batch" in the messages. A connection error is retried
 * (RETRIES times, growing pauses); a rejected insert fails, naming the batch.
 * Reading sends SELECTs with readonly=1 and the `?N` parameters spelled as
 * literals, and parses TabSeparatedWithNamesAndTypes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>

#include "store/store.h"
#include "tr_clickhouse_sql.h"

#define FLUSH_BYTES (32u << 20)
#define RETRIES 4
#define MUTATION_WAIT_S 600

struct cbuf {
	char *p;
	size_t len, cap;
};

struct conn {
	CURL *curl;
	struct cbuf resp;
};

/* An insert queued for the sender thread, sent while the next are made. */
#define NJOBS 4
struct job {
	struct cbuf raw;	/* the rows, JSONEachRow */
	struct cbuf body;	/* raw, gzip-compressed (by the sender) */
	char params[256];
	char desc[200];		/* "batch 5 (12448 rows of events, after 0 sent)" */
};

struct ch {
	struct tr_store base;
	enum tr_store_mode mode;
	char *url;		/* http://host:port/ */
	char *db;		/* database name */
	int use_db;		/* 0: before the database is known to exist */
	struct conn main, send;
	pthread_t thread;
	int thread_up, quit;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job jobs[NJOBS];
	unsigned head, tail;	/* jobs[tail % NJOBS] .. head: queued */
	int failed;		/* the first failure, not yet said: */
	char fail_desc[200], fail_why[800];
	struct cbuf rows[TR_TAB_N];
	size_t nrows[TR_TAB_N];
	uint64_t batch;		/* inserts sent */
	uint64_t sent[TR_TAB_N];
	struct cbuf q;		/* a select with its parameters bound */
	/* signature ids in this export, deleted before they are inserted */
	int sig_pending;
};

static int fail(struct ch *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct ch *c, int rc, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->base.err, sizeof(c->base.err), "%s: ", c->base.target);

	va_start(ap, fmt);
	vsnprintf(c->base.err + n, sizeof(c->base.err) - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

static int cb_reserve(struct cbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return 0;
	size_t ncap = b->cap ? b->cap : 4096;

	while (ncap < b->len + more + 1)
		ncap *= 2;
	char *np = realloc(b->p, ncap);

	if (!np)
		return -ENOMEM;
	b->p = np;
	b->cap = ncap;
	return 0;
}

static int cb_add(struct cbuf *b, const void *s, size_t n)
{
	if (cb_reserve(b, n))
		return -ENOMEM;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int cb_str(struct cbuf *b, const char *s)
{
	return cb_add(b, s, strlen(s));
}

static int cb_printf(struct cbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cb_printf(struct cbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || cb_reserve(b, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* A JSON string (the rows are UTF-8 with \xHH for other bytes already;
 * control characters, quote and backslash are escaped here). */
static int cb_json_str(struct cbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *o;

	if (cb_reserve(b, n * 6 + 2))
		return -ENOMEM;
	o = b->p + b->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			*o++ = '\\';
			*o++ = (char)ch;
		} else if (ch < 0x20) {
			*o++ = '\\';
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		} else {
			*o++ = (char)ch;
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
	return 0;
}

/* A SQL string literal. */
static int cb_sql_str(struct cbuf *b, const char *s, size_t n)
{
	if (cb_add(b, "'", 1))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] == '\'' || s[i] == '\\') && cb_add(b, "\\", 1))
			return -ENOMEM;
		if (cb_add(b, s + i, 1))
			return -ENOMEM;
	}
	return cb_add(b, "'", 1);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	return cb_add(ctx, p, size * n) ? 0 : size * n;
}

static int retryable(CURLcode e)
{
	return e == CURLE_COULDNT_CONNECT || e == CURLE_SEND_ERROR || e == CURLE_RECV_ERROR ||
	       e == CURLE_GOT_NOTHING || e == CURLE_OPERATION_TIMEDOUT || e == CURLE_PARTIAL_FILE;
}

/*
 * POST body (len bytes; gzip: Content-Encoding gzip) to url?[database=]&params.
 * The answer goes to k->resp. 0, or -EIO with what went wrong in why.
 */
static int post_on(struct ch *c, struct conn *k, int with_db, const char *params, const void *body, size_t len,
		   int gzip, char *why, size_t whylen)
{
	struct curl_slist *hdr = NULL;
	char *url = NULL;
	int rc = -EIO;

	with_db = with_db && c->use_db;

	if (asprintf(&url, "%s?%s%s%s%s%s", c->url, with_db ? "database=" : "", with_db ? c->db : "",
		     with_db && params ? "&" : "", params ? params : "",
		     c->mode == TR_STORE_READ ? (with_db || params ? "&readonly=1" : "readonly=1") : "") < 0) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	if (gzip)
		hdr = curl_slist_append(hdr, "Content-Encoding: gzip");
	hdr = curl_slist_append(hdr, "Content-Type: text/plain");
	for (int attempt = 0; attempt <= RETRIES; attempt++) {
		CURLcode e;
		long status = 0;

		k->resp.len = 0;
		if (k->resp.p)
			k->resp.p[0] = '\0';
		curl_easy_setopt(k->curl, CURLOPT_URL, url);
		curl_easy_setopt(k->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(k->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(k->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(k->curl, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(k->curl, CURLOPT_WRITEDATA, &k->resp);
		e = curl_easy_perform(k->curl);
		if (e == CURLE_OK) {
			curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, &status);
			if (status == 200) {
				rc = 0;
				break;
			}
			/* the server said no: its first line says why */
			size_t l = k->resp.p ? strcspn(k->resp.p, "\n") : 0;

			snprintf(why, whylen, "the server answered HTTP %ld: %.*s", status, (int)(l > 600 ? 600 : l),
				 k->resp.p ? k->resp.p : "");
			break;
		}
		snprintf(why, whylen, "%s (after %d attempt%s)", curl_easy_strerror(e), attempt + 1, attempt ? "s" : "");
		if (!retryable(e))
			break;
		if (attempt < RETRIES)
			usleep((useconds_t)(250000u << attempt));
	}
	curl_slist_free_all(hdr);
	free(url);
	return rc;
}

static int post(struct ch *c, int with_db, const char *params, const void *body, size_t len, int gzip,
		char *why, size_t whylen)
{
	return post_on(c, &c->main, with_db, params, body, len, gzip, why, whylen);
}

static int exec(struct ch *c, int with_db, const char *sql, const char *what)
{
	char why[800];

	if (post(c, with_db, NULL, sql, strlen(sql), 0, why, sizeof(why)))
		return fail(c, -EIO, "%s: %s", what, why);
	return 0;
}

static int sender_wait(struct ch *c);

/* ---- reading ---- */

/* Unescape a TabSeparated field in place; returns its length. */
static size_t tsv_unescape(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			s[o++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 't': s[o++] = '\t'; break;
		case 'n': s[o++] = '\n'; break;
		case 'r': s[o++] = '\r'; break;
		case 'b': s[o++] = '\b'; break;
		case 'f': s[o++] = '\f'; break;
		case '0': s[o++] = '\0'; break;
		default: s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

static int is_int_type(const char *t)
{
	if (!strncmp(t, "Nullable(", 9))
		t += 9;
	return !strncmp(t, "Int", 3) || !strncmp(t, "UInt", 4);
}

/* Split a line into fields at tabs (in place). */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (char *p = line;; ) {
		char *t = strchr(p, '\t');

		if (n < max)
			f[n++] = p;
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

/* sql with each ?N (or ?) outside quotes replaced by params[N-1] as a literal. */
static int bind_params(struct ch *c, const char *sql, const struct tr_val *params, size_t nparams)
{
	size_t next = 0;
	char quote = 0;

	c->q.len = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == '\\' && p[1]) {
				if (cb_add(&c->q, p, 2))
					return -ENOMEM;
				p++;
				continue;
			}
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"' || *p == '`') {
			quote = *p;
		} else if (*p == '?') {
			size_t k = next;

			if (p[1] >= '0' && p[1] <= '9') {
				char *end;

				k = strtoul(p + 1, &end, 10) - 1;
				p = end - 1;
			}
			next = k + 1;
			if (k >= nparams)
				return fail(c, -EINVAL, "query: parameter %zu not given", k + 1);
			const struct tr_val *v = &params[k];
			int rc = v->type == TR_VAL_INT ? cb_printf(&c->q, "%lld", (long long)v->i) :
				 v->type == TR_VAL_TEXT ? cb_sql_str(&c->q, v->s, v->len) : cb_str(&c->q, "NULL");

			if (rc)
				return -ENOMEM;
			continue;
		}
		if (cb_add(&c->q, p, 1))
			return -ENOMEM;
	}
	return c->q.p ? 0 : cb_add(&c->q, "", 0);
}

static int ch_select(struct tr_store *s, const char *sql, const struct tr_val *params, size_t nparams,
		     tr_row_fn fn, void *ctx)
{
	struct ch *c = (struct ch *)s;
	char *names[TR_TAB_MAX_COLS * 2], *types[TR_TAB_MAX_COLS * 2], *f[TR_TAB_MAX_COLS * 2];
	struct tr_val cols[TR_TAB_MAX_COLS * 2];
	int isint[TR_TAB_MAX_COLS * 2];
	char why[800], *p, *end, *nl;
	size_t n, m, len;
	int rc;

	if ((rc = sender_wait(c)))
		return rc;
	if ((rc = bind_params(c, sql, params, nparams)))
		return rc == -ENOMEM ? fail(c, rc, "out of memory") : rc;
	/* trailing ; and blanks go; the format is ours */
	len = c->q.len;
	while (len && (c->q.p[len - 1] == ';' || c->q.p[len - 1] == ' ' || c->q.p[len - 1] == '\n' ||
		       c->q.p[len - 1] == '\t'))
		len--;
	c->q.len = len;
	if (cb_str(&c->q, " FORMAT TabSeparatedWithNamesAndTypes"))
		return fail(c, -ENOMEM, "out of memory");
	if (post(c, 1, NULL, c->q.p, c->q.len, 0, why, sizeof(why)))
		return fail(c, -EIO, "query: %s", why);
	p = c->main.resp.p;
	if (!p)
		return 0;
	end = p + c->main.resp.len;
	/* names, types */
	if (!(nl = memchr(p, '\n', (size_t)(end - p))))
		return fail(c, -EPROTO, "query: no column names in the answer");
	*nl = '\0';
	n = split(p, names, TR_TAB_MAX_COLS * 2);
	p = nl + 1;
	if (!(nl = memchr(p, '\n', (size_t)(end - p))))
		return fail(c, -EPROTO, "query: no column types in the answer");
	*nl = '\0';
	m = split(p, types, TR_TAB_MAX_COLS * 2);
	if (m != n)
		return fail(c, -EPROTO, "query: %zu names, %zu types", n, m);
	for (size_t i = 0; i < n; i++) {
		tsv_unescape(names[i], strlen(names[i]));
		isint[i] = is_int_type(types[i]);
	}
	p = nl + 1;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		*nl = '\0';
		m = split(p, f, TR_TAB_MAX_COLS * 2);
		if (m != n)
			return fail(c, -EPROTO, "query: a row of %zu fields, %zu columns", m, n);
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(f[i], "\\N"))
				cols[i] = (struct tr_val){ 0 };
			else if (isint[i])
				cols[i] = tr_val_int(strtoll(f[i], NULL, 10));
			else
				cols[i] = tr_val_text(f[i], tsv_unescape(f[i], strlen(f[i])));
		}
		rc = fn(ctx, (const char *const *)names, cols, n);
		if (rc)
			return rc < 0 ? rc : 0;
		p = nl + 1;
	}
	return 0;
}

/* ---- writing ---- */

static int gz(struct cbuf *out, const struct cbuf *in)
{
	z_stream z = { 0 };
	int zrc;

	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	out->len = 0;
	if (cb_reserve(out, deflateBound(&z, in->len) + 64)) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)in->p;
	z.avail_in = (uInt)in->len;
	z.next_out = (Bytef *)out->p;
	z.avail_out = (uInt)(out->cap - 1);
	zrc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return zrc == Z_STREAM_END ? 0 : -EIO;
}

/* ---- the sender thread: one insert in flight while the next is made ---- */

static void *sender(void *arg)
{
	struct ch *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->quit && c->tail == c->head)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->quit)
			break;
		struct job *j = &c->jobs[c->tail % NJOBS];
		int skip = c->failed;	/* after a failure nothing more is sent */

		pthread_mutex_unlock(&c->mu);
		char why[800] = "";
		int rc = 0;

		/* compressing here keeps the replay's thread on the replay */
		if (!skip && gz(&j->body, &j->raw)) {
			rc = -ENOMEM;
			snprintf(why, sizeof(why), "cannot compress");
		}
		if (!skip && !rc)
			rc = post_on(c, &c->send, 1, j->params, j->body.p, j->body.len, 1, why, sizeof(why));

		pthread_mutex_lock(&c->mu);
		if (rc && !c->failed) {
			c->failed = 1;
			snprintf(c->fail_desc, sizeof(c->fail_desc), "%s", j->desc);
			snprintf(c->fail_why, sizeof(c->fail_why), "%s", why);
		}
		c->tail++;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* The first failure not yet said (locked), naming its batch. */
static int said_failure(struct ch *c)
{
	if (!c->failed)
		return 0;
	c->failed = 0;	/* said once */
	return fail(c, -EIO, "%s: not exported: %s", c->fail_desc, c->fail_why);
}

/* Wait until every queued insert is answered; a failure among them. */
static int sender_wait(struct ch *c)
{
	int rc;

	if (!c->thread_up)
		return 0;
	pthread_mutex_lock(&c->mu);
	while (c->tail != c->head)
		pthread_cond_wait(&c->cv, &c->mu);
	rc = said_failure(c);
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* Queue the rows in *rows as an insert into table name (*rows gets an
 * empty buffer back; waits while the queue is full); a failure of one
 * queued before. */
static int sender_queue(struct ch *c, struct cbuf *rows, const char *name, size_t nrows, uint64_t sent)
{
	struct job *j;
	struct cbuf tmp;
	int rc;

	pthread_mutex_lock(&c->mu);
	while (c->head - c->tail == NJOBS)
		pthread_cond_wait(&c->cv, &c->mu);
	if ((rc = said_failure(c))) {
		pthread_mutex_unlock(&c->mu);
		return rc;
	}
	j = &c->jobs[c->head % NJOBS];
	tmp = j->raw;
	j->raw = *rows;
	*rows = tmp;
	rows->len = 0;
	if (rows->p)
		rows->p[0] = '\0';
	snprintf(j->params, sizeof(j->params), "query=INSERT%%20INTO%%20%s%%20FORMAT%%20JSONEachRow", name);
	snprintf(j->desc, sizeof(j->desc), "batch %llu (%zu rows of %s, after %llu sent)",
		 (unsigned long long)c->batch, nrows, name, (unsigned long long)sent);
	c->head++;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return 0;
}

static int wait_mutations(struct ch *c);

static int flush_table(struct ch *c, enum tr_tab t)
{
	const char *name = tr_tables[t].name;
	char params[256], why[800];
	int rc;

	if (!c->nrows[t])
		return 0;
	/* the signatures of a recording before must be in before they are
	 * replaced: all that is queued goes first */
	if (t == TR_TAB_SIGNATURES && (rc = sender_wait(c)))
		return rc;
	c->batch++;
	if (t == TR_TAB_SIGNATURES) {
		/* shared rows: the ids written now replace the same ids */
		struct cbuf del = { 0 };
		const char *p = c->rows[t].p;

		rc = cb_str(&del, "ALTER TABLE signatures DELETE WHERE id IN (");
		for (int first = 1; !rc && (p = strstr(p, "{\"id\":")); first = 0) {
			const char *q = p + 6, *e = q + 1;

			while (*e && *e != '"')
				e += *e == '\\' ? 2 : 1;
			rc = (first ? 0 : cb_str(&del, ", ")) ?: cb_add(&del, q, (size_t)(e + 1 - q));
			p = e;
		}
		/* a JSON string of ours is a valid SQL literal once " is ' */
		for (size_t i = 43; !rc && i < del.len; i++)
			if (del.p[i] == '"' && (del.p[i - 1] != '\\'))
				del.p[i] = '\'';
		if (!rc)
			rc = cb_str(&del, ")");
		if (rc) {
			free(del.p);
			return fail(c, -ENOMEM, "out of memory");
		}
		snprintf(why, sizeof(why), "batch %llu (%zu rows of signatures): replace the old ones",
			 (unsigned long long)c->batch, c->nrows[t]);
		rc = exec(c, 1, del.p, why);
		free(del.p);
		if (rc || (rc = wait_mutations(c)))
			return rc;
	}
	/* to the sender (a failure of one before stops the export) */
	if ((rc = sender_queue(c, &c->rows[t], name, c->nrows[t], c->sent[t])))
		return rc;
	(void)params;
	(void)why;
	c->sent[t] += c->nrows[t];
	c->nrows[t] = 0;
	c->rows[t].len = 0;
	return 0;
}

/* v in decimal at o (room for 21 bytes); its length. */
static size_t i64_str(char *o, int64_t v)
{
	char t[24];
	size_t n = 0, k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		o[k++] = '-';
	while (n)
		o[k++] = t[--n];
	return k;
}

static int ch_insert(struct tr_store *s, enum tr_tab t, const struct tr_val *row)
{
	struct ch *c = (struct ch *)s;
	const struct tr_table_def *d = &tr_tables[t];
	struct cbuf *b = &c->rows[t];
	int rc = 0;

	if (c->mode != TR_STORE_WRITE)
		return fail(c, -EROFS, "opened for reading");
	rc = cb_add(b, "{", 1);
	for (size_t i = 0; !rc && i < d->ncols; i++) {
		size_t nl = strlen(d->cols[i]);

		if ((rc = cb_reserve(b, nl + 4 + 24)))
			break;
		/* ,"name": then the value */
		if (i)
			b->p[b->len++] = ',';
		b->p[b->len++] = '"';
		memcpy(b->p + b->len, d->cols[i], nl);
		b->len += nl;
		b->p[b->len++] = '"';
		b->p[b->len++] = ':';
		switch (row[i].type) {
		case TR_VAL_INT:
			b->len += i64_str(b->p + b->len, row[i].i);
			b->p[b->len] = '\0';
			break;
		case TR_VAL_TEXT:
			rc = cb_json_str(b, row[i].s, row[i].len);
			break;
		default:
			rc = cb_add(b, "null", 4);
		}
	}
	if (!rc)
		rc = cb_add(b, "}\n", 2);
	if (rc)
		return fail(c, -ENOMEM, "out of memory");
	c->nrows[t]++;
	return b->len >= FLUSH_BYTES ? flush_table(c, t) : 0;
}

static int ch_batch(struct tr_store *s)
{
	struct ch *c = (struct ch *)s;
	int rc = 0;

	for (int t = 0; t < TR_TAB_N && !rc; t++)
		rc = flush_table(c, (enum tr_tab)t);
	return rc;
}

/* Everything inserted so far is on the server (or the failure). */
static int ch_sync(struct tr_store *s)
{
	struct ch *c = (struct ch *)s;

	return ch_batch(s) ?: sender_wait(c);
}

static int ch_finish(struct tr_store *s)
{
	return ch_sync(s);
}

/* Wait until no mutation of ours is pending (bounded). */
static int wait_mutations(struct ch *c)
{
	char sql[512];
	int64_t pending = 1;

	snprintf(sql, sizeof(sql), "SELECT count() FROM system.mutations WHERE database = '%s' AND is_done = 0",
		 c->db);
	for (int i = 0; i < MUTATION_WAIT_S * 10; i++) {
		int rc = tr_store__int(&c->base, sql, NULL, 0, 0, &pending);

		if (rc)
			return rc;
		if (!pending)
			return 0;
		usleep(i < 20 ? 10000 : 100000);
	}
	return fail(c, -ETIMEDOUT, "the deletes of the recording's old rows did not finish in %d s",
		    MUTATION_WAIT_S);
}

static int ch_recording_drop(struct tr_store *s, int64_t id)
{
	struct ch *c = (struct ch *)s;
	int any = 0;

	for (int t = 0; t < TR_TAB_N; t++) {
		const struct tr_table_def *d = &tr_tables[t];
		const char *col = t == TR_TAB_RECORDINGS ? "id" : "recording_id";
		char sql[256], what[128];
		int64_t n = 0;
		int rc;

		if (!d->per_recording)
			continue;
		/* nothing buffered of it stays */
		c->rows[t].len = 0;
		c->nrows[t] = 0;
		snprintf(sql, sizeof(sql), "SELECT count() FROM %s WHERE %s = %lld", d->name, col, (long long)id);
		if ((rc = tr_store__int(s, sql, NULL, 0, 0, &n))) {
			char prev[sizeof(s->err)];
			size_t skip = strlen(s->target) + 2;

			snprintf(prev, sizeof(prev), "%s", strlen(s->err) > skip ? s->err + skip : s->err);
			return fail(c, rc, "before batch %llu: find the recording's old rows: %s",
				    (unsigned long long)c->batch + 1, prev);
		}
		if (!n)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE %s DELETE WHERE %s = %lld", d->name, col, (long long)id);
		snprintf(what, sizeof(what), "before batch %llu: drop the recording's old rows",
			 (unsigned long long)c->batch + 1);
		if ((rc = exec(c, 1, sql, what)))
			return rc;
		any = 1;
	}
	return any ? wait_mutations(c) : 0;
}

/* The id of uid: the one it has, else one from a hash of uid (exporters of
 * different hosts need no coordination), the next free one on a clash. */
static int ch_recording_id(struct tr_store *s, const char *uid, int64_t *id, int *existed)
{
	struct tr_val p = tr_val_cstr(uid);
	uint32_t h = 2166136261u;
	int rc;

	*existed = 0;
	if ((rc = tr_store__int(s, "SELECT id FROM recordings WHERE uid = ?1 LIMIT 1", &p, 1, 0, id)))
		return rc;
	if (*id) {
		*existed = 1;
		return 0;
	}
	for (const char *q = uid; *q; q++)
		h = (h ^ (uint8_t)*q) * 16777619u;
	*id = (int64_t)(h & 0x7fffff);
	for (int i = 0; i < 1000; i++) {
		struct tr_val v = tr_val_int(*id);
		int64_t taken = 0;

		if (*id == 0)
			*id = 1;
		v = tr_val_int(*id);
		if ((rc = tr_store__int(s, "SELECT count() FROM recordings WHERE id = ?1", &v, 1, 0, &taken)))
			return rc;
		if (!taken)
			return 0;
		*id = (*id + 1) & 0x7fffff;
	}
	return fail((struct ch *)s, -ENOSPC, "no free recording id near %lld", (long long)*id);
}

static void ch_close(struct tr_store *s)
{
	struct ch *c = (struct ch *)s;

	if (!c)
		return;
	for (int t = 0; t < TR_TAB_N; t++)
		free(c->rows[t].p);
	if (c->thread_up) {
		pthread_mutex_lock(&c->mu);
		c->quit = 1;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
	}
	for (int i = 0; i < NJOBS; i++)
		free(c->jobs[i].body.p), free(c->jobs[i].raw.p);
	free(c->q.p);
	for (int i = 0; i < 2; i++) {
		struct conn *k = i ? &c->send : &c->main;

		free(k->resp.p);
		if (k->curl)
			curl_easy_cleanup(k->curl);
	}
	free(c->url);
	free(c->db);
	free(c);
}

/* Run schema/clickhouse.sql, statement by statement. */
static int make_schema(struct ch *c)
{
	char *sql = strdup(tr_clickhouse_sql), *p, *stmt;
	struct cbuf one = { 0 };
	int rc = 0;

	if (!sql)
		return fail(c, -ENOMEM, "out of memory");
	for (p = sql; !rc && (stmt = strstr(p, "CREATE ")); ) {
		char *e = strstr(stmt, ";\n");

		if (!e)
			e = stmt + strlen(stmt);
		one.len = 0;
		/* comments are lines starting with -- before a statement only */
		if (cb_add(&one, stmt, (size_t)(e - stmt)))
			rc = fail(c, -ENOMEM, "out of memory");
		else
			rc = exec(c, 1, one.p, "create the schema");
		p = *e ? e + 2 : e;
	}
	free(one.p);
	free(sql);
	return rc;
}

static int ch_open(struct tr_store **out, const char *target, enum tr_store_mode mode, char *err, size_t errlen)
{
	struct ch *c = calloc(1, sizeof(*c));
	const char *rest, *qs;
	int64_t ntab = 0;
	int rc;

	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", target);
		return -ENOMEM;
	}
	c->base.ops = &tr_store_clickhouse;
	c->base.target = target;
	c->mode = mode;
	rest = !strncmp(target, "clickhouse://", 13) ? target + 13 :
	       !strncmp(target, "http://", 7) ? target + 7 : NULL;
	if (!rest || !*rest) {
		rc = fail(c, -EINVAL, "not a ClickHouse URL (http://HOST:PORT[/?database=NAME])");
		goto bad;
	}
	qs = strchr(rest, '?');
	{
		size_t hl = qs ? (size_t)(qs - rest) : strlen(rest);

		while (hl && rest[hl - 1] == '/')
			hl--;
		if (asprintf(&c->url, "http://%.*s/", (int)hl, rest) < 0) {
			rc = fail(c, -ENOMEM, "out of memory");
			goto bad;
		}
	}
	c->db = strdup("tracee");
	if (qs && (qs = strstr(qs, "database="))) {
		size_t l = strcspn(qs + 9, "&");

		free(c->db);
		c->db = strndup(qs + 9, l);
	}
	if (!c->db) {
		rc = fail(c, -ENOMEM, "out of memory");
		goto bad;
	}
	for (const char *p = c->db; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')) {
			rc = fail(c, -EINVAL, "database name '%s': letters, digits and _ only", c->db);
			goto bad;
		}
	if (!*c->db) {
		rc = fail(c, -EINVAL, "empty database name");
		goto bad;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (int i = 0; i < 2; i++) {
		struct conn *k = i ? &c->send : &c->main;

		if (!(k->curl = curl_easy_init())) {
			rc = fail(c, -ENOMEM, "cannot start libcurl");
			goto bad;
		}
		curl_easy_setopt(k->curl, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(k->curl, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(k->curl, CURLOPT_NOSIGNAL, 1L);
	}
	if (mode == TR_STORE_WRITE) {
		char sql[256];

		snprintf(sql, sizeof(sql), "CREATE DATABASE IF NOT EXISTS %s", c->db);
		if ((rc = exec(c, 0, sql, "create the database")))
			goto bad;
		c->use_db = 1;
		if ((rc = make_schema(c)))
			goto bad;
		pthread_mutex_init(&c->mu, NULL);
		pthread_cond_init(&c->cv, NULL);
		if (pthread_create(&c->thread, NULL, sender, c)) {
			pthread_mutex_destroy(&c->mu);
			pthread_cond_destroy(&c->cv);
			rc = fail(c, -EAGAIN, "cannot start the sender thread");
			goto bad;
		}
		c->thread_up = 1;
	} else {
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT count() FROM system.tables WHERE database = '%s' AND name IN "
			 "('recordings', 'events', 'detections', 'processes')", c->db);
		rc = tr_store__int(&c->base, sql, NULL, 0, 0, &ntab);
		if (rc)
			goto bad;
		if (ntab != 4) {
			rc = fail(c, -ENOENT, "database %s: not a tracee-analyze database (export a recording into it "
				  "first)", c->db);
			goto bad;
		}
		c->use_db = 1;
	}
	*out = &c->base;
	return 0;
bad:
	snprintf(err, errlen, "%s", c->base.err);
	ch_close(&c->base);
	return rc;
}

const struct tr_store_ops tr_store_clickhouse = {
	.name = "clickhouse",
	.open = ch_open,
	.recording_id = ch_recording_id,
	.recording_drop = ch_recording_drop,
	.insert = ch_insert,
	.batch = ch_batch,
	.finish = ch_finish,
	.select = ch_select,
	.sync = ch_sync,
	.close = ch_close,
};
