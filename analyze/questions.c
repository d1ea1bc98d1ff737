// SPDX-License-Identifier: MIT
/*
 * questions.c: the canned questions (analyze/questions.h).
 *
 * Each asks the store plain SELECTs (the SQL both stores speak) and does in
 * C what that SQL cannot: the process tree's walk, CIDR matching, globs
 * beyond a literal prefix.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "questions.h"
#include "rowset.h"

static int store_err(struct tr_store *s, int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", s->err);
	return rc;
}

static struct tr_val opt_text(const char *s)
{
	return s ? tr_val_cstr(s) : (struct tr_val){ 0 };
}

/* ---- joins in C (rowset.h): each SELECT a store is sent reads one table ---- */

/* Host filter on a table's recording_id, parameter ?N: */
#define HOST_IN(n) "(?" #n " IS NULL OR recording_id IN (SELECT id FROM recordings WHERE hostname = ?" #n "))"

struct look {
	struct tr_rows hosts;	/* id, hostname */
	struct tr_rows procs;	/* id, host_pid, comm, exe, entity_id */
};

static int look_load(struct look *l, struct tr_store *s, const struct tr_rows *rows, size_t proc_col)
{
	int rc = tr_rows__fetch(&l->hosts, s, "SELECT id, hostname FROM recordings", NULL, 0);

	tr_rows__sort_key(&l->hosts);
	if (!rc)
		rc = tr_rows__fetch_in(&l->procs, s, "SELECT id, host_pid, comm, exe, entity_id FROM processes "
				       "WHERE id IN (%s)", rows, proc_col);
	return rc;
}

/* The recording's row (NULL: none, as an inner JOIN drops it) */
static const struct tr_val *look_host(const struct look *l, const struct tr_val *rec)
{
	return tr_rows__find(&l->hosts, rec);
}

static const struct tr_val null_proc[5];

/* The process's row, all NULL when it is unknown (a LEFT JOIN). */
static const struct tr_val *look_proc(const struct look *l, const struct tr_val *id)
{
	const struct tr_val *p = id->type == TR_VAL_INT ? tr_rows__find(&l->procs, id) : NULL;

	return p ? p : null_proc;
}

static void look_free(struct look *l)
{
	tr_rows__free(&l->hosts);
	tr_rows__free(&l->procs);
}

/* ---- detections ---- */

static int q_detections(struct tr_store *s, const struct tr_qargs *a, char *err, size_t errlen)
{
	static const char *const names[] = { "time", "host", "signature_id", "signature", "severity", "pid",
					     "process", "exe", "entity_id", "event", "ordinal", "data" };
	static const char *const json_cols[] = { "data", NULL };
	static const char *const sev[] = { "info", "low", "medium", "high" };
	static const char sql[] =
		"SELECT time, recording_id, signature_id, severity, process_id, trigger_id, trigger_ordinal, data "
		"FROM detections WHERE severity >= ?1 AND timestamp >= ?2 AND timestamp < ?3 "
		"AND (?4 IS NULL OR signature_id IN (SELECT id FROM signatures WHERE id = ?4 OR name = ?4)) "
		"AND " HOST_IN(5) " ORDER BY timestamp, id";
	struct tr_val p[5] = { tr_val_int(a->min_severity < 0 ? 0 : a->min_severity), tr_val_int(a->since),
			       tr_val_int(a->until), opt_text(a->signature), opt_text(a->host) };
	struct tr_rows d = { 0 }, sigs = { 0 }, evs = { 0 };
	struct look l = { 0 };
	struct tr_out *out = NULL;
	int rc;

	rc = tr_rows__fetch(&d, s, sql, p, 5);
	if (!rc)
		rc = look_load(&l, s, &d, 4);
	if (!rc && !(rc = tr_rows__fetch(&sigs, s, "SELECT id, name FROM signatures", NULL, 0)))
		tr_rows__sort_key(&sigs);
	if (!rc)
		rc = tr_rows__fetch_in(&evs, s, "SELECT id, event_name FROM events WHERE id IN (%s)", &d, 5);
	if (rc) {
		store_err(s, rc, err, errlen);
		goto out;
	}
	if ((rc = tr_out__new(&out, a->fmt, a->out, names, 12, json_cols)))
		goto out;
	for (size_t i = 0; !rc && i < d.n; i++) {
		const struct tr_val *c = tr_rows__row(&d, i), *h = look_host(&l, &c[1]), *g = tr_rows__find(&sigs, &c[2]),
				    *pr = look_proc(&l, &c[4]), *e = tr_rows__find(&evs, &c[5]);

		if (!h || !g)
			continue;
		struct tr_val row[12] = { c[0], h[1], c[2], g[1], tr_val_cstr(sev[c[3].i < 0 ? 0 : c[3].i > 3 ? 3 : c[3].i]),
					  pr[1], pr[2], pr[3], pr[4], e ? e[1] : (struct tr_val){ 0 }, c[6], c[7] };

		rc = tr_out__row(out, row);
	}
	tr_out__end(out);
out:
	tr_rows__free(&d);
	tr_rows__free(&sigs);
	tr_rows__free(&evs);
	look_free(&l);
	return rc;
}

/* ---- process-tree ---- */

struct proc {
	int64_t id, parent_id, host_pid;
	char *host, *entity, *exe, *argv, *comm, *start;
	int64_t execs, exit_code;
	int exited, has_exit;
	int64_t files[5], nflows, ndet;
	char *flows;		/* "addr:port ..." first few */
	char *dets;		/* "TRR-1001 ..." */
	int64_t parent;		/* index, -1 */
	int mark;		/* 1 ancestor, 2 match, 3 descendant */
	int depth;
};

struct tree {
	struct proc *p;
	size_t n, cap;
};

static char *dup_val(const struct tr_val *v)
{
	return v->type == TR_VAL_TEXT ? strndup(v->s, v->len) : NULL;
}

static int tree_row(void *ctx, const char *const *names, const struct tr_val *c, size_t n)
{
	struct tree *t = ctx;
	struct proc *p;

	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 256;
		struct proc *np = realloc(t->p, ncap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		t->p = np;
		t->cap = ncap;
	}
	p = &t->p[t->n++];
	memset(p, 0, sizeof(*p));
	p->id = c[0].i;
	p->parent_id = c[1].type == TR_VAL_INT ? c[1].i : 0;
	p->host = dup_val(&c[2]);
	p->entity = dup_val(&c[3]);
	p->host_pid = c[4].i;
	p->exe = dup_val(&c[5]);
	p->argv = dup_val(&c[6]);
	p->comm = dup_val(&c[7]);
	p->execs = c[8].i;
	p->exited = (int)c[9].i;
	p->has_exit = c[10].type == TR_VAL_INT;
	p->exit_code = c[10].i;
	p->start = dup_val(&c[11]);
	p->parent = -1;
	return 0;
}

static struct proc *tree_find(struct tree *t, int64_t id)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {	/* rows come ordered by id */
		size_t mid = (lo + hi) / 2;

		if (t->p[mid].id == id)
			return &t->p[mid];
		if (t->p[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *const file_hows[5] = { "open", "write", "unlink", "rename", "chmod" };

static int files_row(void *ctx, const char *const *names, const struct tr_val *c, size_t n)
{
	struct proc *p = c[0].type == TR_VAL_INT ? tree_find(ctx, c[0].i) : NULL;

	for (int i = 0; p && i < 5; i++)
		if (c[1].type == TR_VAL_TEXT && !strcmp(c[1].s, file_hows[i]))
			p->files[i] += c[2].i;
	return 0;
}

/* Append " word" to *list, at most max words then "...". */
static int list_add(char **list, int64_t count, int max, const char *word)
{
	char *n;

	if (count > max)
		return 0;
	if (asprintf(&n, "%s%s%s", *list ? *list : "", *list ? " " : "", count == max ? "..." : word) < 0)
		return -ENOMEM;
	free(*list);
	*list = n;
	return 0;
}

static int flows_row(void *ctx, const char *const *names, const struct tr_val *c, size_t n)
{
	struct proc *p = c[0].type == TR_VAL_INT ? tree_find(ctx, c[0].i) : NULL;
	char w[300];

	if (!p)
		return 0;
	if (c[2].type == TR_VAL_INT)
		snprintf(w, sizeof(w), "%s%s%s:%lld", c[1].type == TR_VAL_TEXT && strchr(c[1].s, ':') ? "[" : "",
			 c[1].type == TR_VAL_TEXT ? c[1].s : "?",
			 c[1].type == TR_VAL_TEXT && strchr(c[1].s, ':') ? "]" : "", (long long)c[2].i);
	else
		snprintf(w, sizeof(w), "%s", c[1].type == TR_VAL_TEXT ? c[1].s : "?");
	return list_add(&p->flows, p->nflows++, 4, w);
}

static int dets_row(void *ctx, const char *const *names, const struct tr_val *c, size_t n)
{
	struct proc *p = c[0].type == TR_VAL_INT ? tree_find(ctx, c[0].i) : NULL;

	return p ? list_add(&p->dets, p->ndet++, 6, c[1].s) : 0;
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct proc *p = &t->p[i];

		free(p->host);
		free(p->entity);
		free(p->exe);
		free(p->argv);
		free(p->comm);
		free(p->start);
		free(p->flows);
		free(p->dets);
	}
	free(t->p);
}

struct tree_print {
	struct tree *t;
	struct tr_out *out;
	size_t *children;	/* child indexes grouped by parent */
	size_t *first, *count;
};

static int print_proc(struct tree_print *tp, size_t i, int depth)
{
	struct proc *p = &tp->t->p[i];
	char files[96], name[4096];
	int rc;

	snprintf(files, sizeof(files), "open %lld write %lld unlink %lld rename %lld chmod %lld",
		 (long long)p->files[0], (long long)p->files[1], (long long)p->files[2], (long long)p->files[3],
		 (long long)p->files[4]);
	snprintf(name, sizeof(name), "%*s%s%s", depth * 2, "", depth ? "\\_ " : "",
		 p->exe ? p->exe : p->comm ? p->comm : "?");
	{
		struct tr_val row[13] = {
			opt_text(p->host), tr_val_cstr(p->mark == 1 ? "ancestor" : p->mark == 2 ? "match" : "descendant"),
			tr_val_int(depth), tr_val_int(p->host_pid), tr_val_cstr(name), opt_text(p->argv),
			opt_text(p->entity), opt_text(p->start), tr_val_int(p->execs), tr_val_cstr(files),
			opt_text(p->flows), opt_text(p->dets),
			p->has_exit ? tr_val_int(p->exit_code) : (struct tr_val){ 0 },
		};

		if ((rc = tr_out__row(tp->out, row)))
			return rc;
	}
	/* An ancestor goes on down the path to the matches only; a match or a
	 * descendant shows all its children. */
	for (size_t k = 0; k < tp->count[i]; k++) {
		size_t c = tp->children[tp->first[i] + k];
		struct proc *cp = &tp->t->p[c];

		if (p->mark == 1 ? cp->mark == 1 || cp->mark == 2 : cp->mark != 1) {
			if (!cp->mark)
				cp->mark = 3;
			if ((rc = print_proc(tp, c, depth + 1)))
				return rc;
		}
	}
	return 0;
}

static int q_process_tree(struct tr_store *s, const struct tr_qargs *a, char *err, size_t errlen)
{
	static const char *const names[] = { "host", "role", "depth", "pid", "process", "argv", "entity_id",
					     "start", "execs", "files", "flows", "detections", "exit_code" };
	static const char *const json_cols[] = { "argv", NULL };
	struct tree t = { 0 };
	struct tree_print tp = { .t = &t };
	struct tr_val host = opt_text(a->host);
	char *end;
	long long pid = strtoll(a->arg, &end, 10);
	int by_pid = *a->arg && !*end, rc, found = 0;

	rc = s->ops->select(s, "SELECT p.id, p.parent_id, r.hostname, p.entity_id, p.host_pid, p.exe, p.argv, "
			       "p.comm, p.execs, p.exited, p.exit_code, p.start_time FROM processes p "
			       "JOIN recordings r ON r.id = p.recording_id WHERE ?1 IS NULL OR r.hostname = ?1 "
			       "ORDER BY p.id", &host, 1, tree_row, &t);
	if (!rc)
		rc = s->ops->select(s, "SELECT process_id, how, count(*) FROM files GROUP BY process_id, how",
				    NULL, 0, files_row, &t);
	if (!rc)
		rc = s->ops->select(s, "SELECT process_id, dst_addr, dst_port FROM flows ORDER BY timestamp", NULL, 0,
				    flows_row, &t);
	if (!rc)
		rc = s->ops->select(s, "SELECT process_id, signature_id FROM detections ORDER BY timestamp", NULL, 0,
				    dets_row, &t);
	if (rc) {
		if (rc != -ENOMEM)
			store_err(s, rc, err, errlen);
		goto out;
	}
	/* Links, then the matches, their ancestors and (in print) descendants. */
	for (size_t i = 0; i < t.n; i++) {
		struct proc *par = t.p[i].parent_id ? tree_find(&t, t.p[i].parent_id) : NULL;

		t.p[i].parent = par ? par - t.p : -1;
	}
	tp.first = calloc(t.n + 1, sizeof(size_t));
	tp.count = calloc(t.n + 1, sizeof(size_t));
	tp.children = calloc(t.n + 1, sizeof(size_t));
	if (!tp.first || !tp.count || !tp.children) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t.n; i++)
		if (t.p[i].parent >= 0)
			tp.count[t.p[i].parent]++;
	for (size_t i = 1; i <= t.n; i++)
		tp.first[i] = tp.first[i - 1] + tp.count[i - 1];
	memset(tp.count, 0, (t.n + 1) * sizeof(size_t));
	for (size_t i = 0; i < t.n; i++)
		if (t.p[i].parent >= 0) {
			size_t par = (size_t)t.p[i].parent;

			tp.children[tp.first[par] + tp.count[par]++] = i;
		}
	for (size_t i = 0; i < t.n; i++) {
		if (by_pid ? t.p[i].host_pid != pid : strcmp(t.p[i].entity ? t.p[i].entity : "", a->arg))
			continue;
		t.p[i].mark = 2;
		found++;
		for (int64_t up = t.p[i].parent; up >= 0; up = t.p[up].parent)
			if (!t.p[up].mark)
				t.p[up].mark = 1;
	}
	if ((rc = tr_out__new(&tp.out, a->fmt, a->out, names, 13, json_cols)))
		goto out;
	/* Print from each root of a chain that holds a match. */
	for (size_t i = 0; !rc && i < t.n; i++)
		if ((t.p[i].mark == 1 || t.p[i].mark == 2) &&
		    (t.p[i].parent < 0 || !t.p[t.p[i].parent].mark))
			rc = print_proc(&tp, i, 0);
	tr_out__end(tp.out);
	if (!rc && !found) {
		snprintf(err, errlen, "no process %s %s", by_pid ? "with pid" : "with entity id", a->arg);
		rc = -ENOENT;
	}
out:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(tp.first);
	free(tp.count);
	free(tp.children);
	tree_free(&t);
	return rc;
}

/* Rows of one table (its process_id in column 5, recording_id in column
 * 1), each made into an output row by make (host filled in here, at [1]),
 * filtered by keep, printed. */
static int joined_rows(struct tr_store *s, const struct tr_qargs *a, const char *sql, const struct tr_val *params,
		       size_t nparams, const char *const *names, size_t ncols,
		       void (*make)(const struct look *l, const struct tr_val *c, struct tr_val *row),
		       int (*keep)(void *, const struct tr_val *), void *ctx, char *err, size_t errlen)
{
	struct tr_rows r = { 0 };
	struct look l = { 0 };
	struct tr_out *out = NULL;
	struct tr_val row[TR_TAB_MAX_COLS];
	int rc = tr_rows__fetch(&r, s, sql, params, nparams);

	if (!rc)
		rc = look_load(&l, s, &r, 5);
	if (rc) {
		store_err(s, rc, err, errlen);
		goto out;
	}
	if ((rc = tr_out__new(&out, a->fmt, a->out, names, ncols, NULL)))
		goto out;
	for (size_t i = 0; !rc && i < r.n; i++) {
		const struct tr_val *c = tr_rows__row(&r, i), *h = look_host(&l, &c[1]);

		if (!h)
			continue;
		make(&l, c, row);
		row[1] = h[1];
		if (!keep || keep(ctx, row))
			rc = tr_out__row(out, row);
	}
	tr_out__end(out);
out:
	tr_rows__free(&r);
	look_free(&l);
	return rc;
}

/* ---- file ---- */

struct glob_ctx {
	const char *pattern;
};

static int glob_keep(void *ctx, const struct tr_val *c)
{
	const struct glob_ctx *g = ctx;

	return (c[3].type == TR_VAL_TEXT && !fnmatch(g->pattern, c[3].s, 0)) ||
	       (c[4].type == TR_VAL_TEXT && !fnmatch(g->pattern, c[4].s, 0));
}

/* files row -> file's columns */
static void file_row(const struct look *l, const struct tr_val *c, struct tr_val *row)
{
	const struct tr_val *pr = look_proc(l, &c[5]);
	struct tr_val r[12] = { c[0], { 0 }, c[2], c[3], c[4], pr[1], pr[2], pr[3], pr[4], c[6], c[7], c[8] };

	memcpy(row, r, sizeof(r));
}

static int q_file(struct tr_store *s, const struct tr_qargs *a, char *err, size_t errlen)
{
	static const char *const names[] = { "time", "host", "how", "path", "new_path", "pid", "process", "exe",
					     "entity_id", "flags", "retval", "ordinal" };
	/* The literal part before the first glob character bounds the rows
	 * on the path index; fnmatch decides. */
	static const char sql[] =
		"SELECT time, recording_id, how, path, new_path, process_id, flags, retval, event_ordinal FROM files "
		"WHERE ((path >= ?1 AND path < ?2) OR (new_path >= ?1 AND new_path < ?2)) "
		"AND timestamp >= ?3 AND timestamp < ?4 AND " HOST_IN(5) " ORDER BY timestamp, id";
	struct glob_ctx g = { a->arg };
	size_t lit = strcspn(a->arg, "*?[\\");
	char *lo = strndup(a->arg, lit), *hi = NULL;
	int rc;

	if (!lo || asprintf(&hi, "%s\xf4\x8f\xbf\xbf", lo) < 0) {
		free(lo);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!a->arg[lit]) {	/* no glob: exactly this path, [lo, lo "\x01") */
		free(hi);
		if (asprintf(&hi, "%s\x01", lo) < 0) {
			free(lo);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	{
		struct tr_val p[5] = { tr_val_cstr(lo), tr_val_cstr(hi), tr_val_int(a->since), tr_val_int(a->until),
				       opt_text(a->host) };

		rc = joined_rows(s, a, sql, p, 5, names, 12, file_row, a->arg[lit] ? glob_keep : NULL, &g, err, errlen);
	}
	free(lo);
	free(hi);
	return rc;
}

/* ---- ip ---- */

struct net {
	int family;
	unsigned char addr[16];
	int bits;
};

static int net_parse(const char *s, struct net *n)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	int max;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	n->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(n->family, buf, n->addr) != 1)
		return -EINVAL;
	max = n->family == AF_INET ? 32 : 128;
	n->bits = max;
	if (slash) {
		char *end;
		long b = strtol(slash + 1, &end, 10);

		if (*end || end == slash + 1 || b < 0 || b > max)
			return -EINVAL;
		n->bits = (int)b;
	}
	return 0;
}

static int net_keep(void *ctx, const struct tr_val *c)
{
	const struct net *n = ctx;
	unsigned char a[16];
	int fam;

	if (c[4].type != TR_VAL_TEXT)
		return 0;
	fam = strchr(c[4].s, ':') ? AF_INET6 : AF_INET;
	if (fam != n->family || inet_pton(fam, c[4].s, a) != 1)
		return 0;
	for (int b = 0; b < n->bits; b++)
		if ((a[b / 8] ^ n->addr[b / 8]) & (0x80 >> (b % 8)))
			return 0;
	return 1;
}

/* flows row -> ip's columns */
static void ip_row(const struct look *l, const struct tr_val *c, struct tr_val *row)
{
	const struct tr_val *pr = look_proc(l, &c[5]);
	struct tr_val r[14] = { c[0], { 0 }, c[2], c[3], c[4], c[6], c[7], c[8], c[9], pr[1], pr[2], pr[3], pr[4],
				c[10] };

	memcpy(row, r, sizeof(r));
}

static int q_ip(struct tr_store *s, const struct tr_qargs *a, char *err, size_t errlen)
{
	static const char *const names[] = { "time", "host", "direction", "family", "addr", "port", "dns_name",
					     "bytes_out", "bytes_in", "pid", "process", "exe", "entity_id", "retval" };
	static const char sql[] =
		"SELECT time, recording_id, direction, family, dst_addr, process_id, dst_port, dns_name, bytes_out, "
		"bytes_in, retval FROM flows WHERE family = ?1 AND timestamp >= ?2 AND timestamp < ?3 AND "
		HOST_IN(4) " ORDER BY timestamp, id";
	struct net n;
	struct tr_val p[4];

	if (net_parse(a->arg, &n)) {
		snprintf(err, errlen, "'%s' is not an IP address or CIDR block", a->arg);
		return -EINVAL;
	}
	p[0] = tr_val_cstr(n.family == AF_INET ? "AF_INET" : "AF_INET6");
	p[1] = tr_val_int(a->since);
	p[2] = tr_val_int(a->until);
	p[3] = opt_text(a->host);
	return joined_rows(s, a, sql, p, 4, names, 14, ip_row, net_keep, &n, err, errlen);
}

/* ---- timeline ---- */

/* One line of the timeline, from one of five tables. */
struct tl {
	int64_t ts, id;
	const struct tr_val *host;
	struct tr_val what, pid, exe, entity, detail, time;
	const char *kind;
	char *owned[2];		/* what, detail when made here */
};

static int tl_cmp(const void *pa, const void *pb)
{
	const struct tl *a = pa, *b = pb;
	int c;

	/* time first: hosts interleave; then host, then the row id */
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	c = strcmp(a->host->type == TR_VAL_TEXT ? a->host->s : "", b->host->type == TR_VAL_TEXT ? b->host->s : "");
	if (c)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int q_timeline(struct tr_store *s, const struct tr_qargs *a, char *err, size_t errlen)
{
	static const char *const names[] = { "host", "time", "kind", "what", "pid", "exe", "entity_id", "detail" };
	static const char *const json_cols[] = { NULL };
	static const char *const kinds[] = { "detection", "exec", "file", "flow", "gap" };
	/* every select: recording_id, timestamp, time, id, process_id, then its own */
#define TL_WHERE " timestamp >= ?1 AND timestamp < ?2 AND " HOST_IN(3)
	static const char *const sqls[] = {
		"SELECT recording_id, timestamp, time, id, process_id, signature_id, data FROM detections "
		"WHERE severity >= ?4 AND" TL_WHERE,
		"SELECT recording_id, timestamp, time, id, process_id, event_name, args FROM events "
		"WHERE event_name = 'sched_process_exec' AND" TL_WHERE,
		"SELECT recording_id, timestamp, time, id, process_id, how, path, new_path FROM files "
		"WHERE how != 'open' AND" TL_WHERE,
		"SELECT recording_id, timestamp, time, id, process_id, direction, dst_addr, dst_port FROM flows WHERE"
		TL_WHERE,
		"SELECT recording_id, timestamp, time, id, NULL, cpu, lost FROM gaps WHERE" TL_WHERE,
	};
#undef TL_WHERE
	struct tr_val p[4] = { tr_val_int(a->since), tr_val_int(a->until), opt_text(a->host),
			       tr_val_int(a->min_severity < 0 ? 0 : a->min_severity) };
	struct tr_rows r[5] = { { 0 } }, sigs = { 0 }, procs = { 0 };
	struct look l = { 0 };
	struct tl *t = NULL;
	size_t n = 0, cap = 0;
	struct tr_out *out = NULL;
	int rc = 0;

	for (int k = 0; k < 5 && !rc; k++)
		rc = tr_rows__fetch(&r[k], s, sqls[k], p, k ? 3 : 4);
	if (!rc && !(rc = tr_rows__fetch(&l.hosts, s, "SELECT id, hostname FROM recordings", NULL, 0)))
		tr_rows__sort_key(&l.hosts);
	if (!rc && !(rc = tr_rows__fetch(&sigs, s, "SELECT id, name FROM signatures", NULL, 0)))
		tr_rows__sort_key(&sigs);
	/* the processes of all five, one lookup */
	for (int k = 0; k < 4 && !rc; k++)
		rc = tr_rows__fetch_in(&procs, s, "SELECT id, host_pid, comm, exe, entity_id FROM processes "
				       "WHERE id IN (%s)", &r[k], 4);
	if (rc) {
		store_err(s, rc, err, errlen);
		goto out;
	}
	tr_rows__sort_key(&procs);
	l.procs = procs;
	memset(&procs, 0, sizeof(procs));
	for (int k = 0; k < 5; k++)
		cap += r[k].n;
	if (!(t = calloc(cap ? cap : 1, sizeof(*t)))) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int k = 0; k < 5; k++)
		for (size_t i = 0; i < r[k].n; i++) {
			const struct tr_val *c = tr_rows__row(&r[k], i), *h = look_host(&l, &c[0]);
			const struct tr_val *pr = look_proc(&l, &c[4]);
			struct tl *x = &t[n];
			char *w = NULL, *d = NULL;
			int m = 0;

			if (!h)
				continue;
			memset(x, 0, sizeof(*x));
			x->ts = c[1].i;
			x->id = c[3].i;
			x->host = &h[1];
			x->time = c[2];
			x->pid = pr[1];
			x->exe = pr[3];
			x->entity = pr[4];
			switch (k) {
			case 0: {	/* detection: "ID NAME", its data */
				const struct tr_val *g = tr_rows__find(&sigs, &c[5]);

				if (!g)
					continue;
				if (a->signature && strcasecmp(a->signature, c[5].s) && strcasecmp(a->signature, g[1].s))
					continue;
				m = asprintf(&w, "%s %s", c[5].s, g[1].s);
				x->detail = c[6];
				break;
			}
			case 1:		/* exec: the event, its args */
				x->what = c[5];
				x->detail = c[6];
				break;
			case 2:		/* file: how, path [-> new_path] */
				x->what = c[5];
				m = asprintf(&d, "%s%s%s", c[6].s, c[7].type == TR_VAL_TEXT ? " -> " : "",
					     c[7].type == TR_VAL_TEXT ? c[7].s : "");
				break;
			case 3:		/* flow: connect/accept, addr[:port] */
				x->what = tr_val_cstr(c[5].type == TR_VAL_TEXT && !strcmp(c[5].s, "out") ? "connect" : "accept");
				if (c[7].type == TR_VAL_INT)
					m = asprintf(&d, "%s:%lld", c[6].type == TR_VAL_TEXT ? c[6].s : "", (long long)c[7].i);
				else
					m = asprintf(&d, "%s", c[6].type == TR_VAL_TEXT ? c[6].s : "");
				break;
			default:	/* gap */
				x->what = tr_val_cstr("lost_events");
				m = asprintf(&d, "cpu %lld: %lld events lost", (long long)c[5].i, (long long)c[6].i);
			}
			if (m < 0) {
				rc = -ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			if (w) {
				x->owned[0] = w;
				x->what = tr_val_cstr(w);
			}
			if (d) {
				x->owned[1] = d;
				x->detail = tr_val_cstr(d);
			}
			x->kind = kinds[k];
			n++;
		}
	qsort(t, n, sizeof(*t), tl_cmp);
	if ((rc = tr_out__new(&out, a->fmt, a->out, names, 8, json_cols)))
		goto out;
	for (size_t i = 0; !rc && i < n; i++) {
		struct tr_val row[8] = { *t[i].host, t[i].time, tr_val_cstr(t[i].kind), t[i].what, t[i].pid, t[i].exe,
					 t[i].entity, t[i].detail };

		rc = tr_out__row(out, row);
	}
	tr_out__end(out);
out:
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].owned[0]);
		free(t[i].owned[1]);
	}
	free(t);
	for (int k = 0; k < 5; k++)
		tr_rows__free(&r[k]);
	tr_rows__free(&sigs);
	tr_rows__free(&procs);
	look_free(&l);
	return rc;
}

/* ---- summary ---- */

struct top {
	char *text;
	int n;
};

static int top_row(void *ctx, const char *const *names, const struct tr_val *c, size_t n)
{
	struct top *t = ctx;
	char *s;

	if (asprintf(&s, "%s%s%s (%lld)", t->text ? t->text : "", t->text ? ", " : "",
		     c[0].type == TR_VAL_TEXT ? c[0].s : "?", (long long)c[1].i) < 0)
		return -ENOMEM;
	free(t->text);
	t->text = s;
	return ++t->n >= 5;
}

static int q_summary(struct tr_store *s, const struct tr_qargs *a, char *err, size_t errlen)
{
	static const char *const names[] = { "recording", "host", "kernel", "start", "stop", "state", "events",
					     "lost", "damaged_frames", "processes", "detections_high",
					     "detections_medium", "detections_low", "top_processes" };
	struct tr_val host = opt_text(a->host);
	struct tr_rows r = { 0 }, np = { 0 }, nd = { 0 };
	struct tr_out *out = NULL;
	int rc;

	/* counts per recording by GROUP BY, put together here */
	rc = tr_rows__fetch(&r, s, "SELECT id, hostname, kernel, start_time, stop_time, state, events, lost_total, "
			    "damaged_frames FROM recordings WHERE ?1 IS NULL OR hostname = ?1 ORDER BY id", &host, 1);
	if (!rc && !(rc = tr_rows__fetch(&np, s, "SELECT recording_id, count(*) FROM processes GROUP BY recording_id",
					 NULL, 0)))
		tr_rows__sort_key(&np);
	if (!rc)
		rc = tr_rows__fetch(&nd, s, "SELECT recording_id, severity, count(*) FROM detections "
				    "GROUP BY recording_id, severity", NULL, 0);
	if (rc) {
		store_err(s, rc, err, errlen);
		goto out;
	}
	if ((rc = tr_out__new(&out, a->fmt, a->out, names, 14, NULL)))
		goto out;
	for (size_t i = 0; !rc && i < r.n; i++) {
		const struct tr_val *c = tr_rows__row(&r, i), *pc = tr_rows__find(&np, &c[0]);
		int64_t det[3] = { 0 };
		struct tr_rows top = { 0 }, tp = { 0 };
		struct top t = { 0 };
		struct tr_val row[14];

		for (size_t k = 0; k < nd.n; k++) {
			const struct tr_val *d = tr_rows__row(&nd, k);

			if (d[0].i == c[0].i)
				det[d[1].i >= 3 ? 0 : d[1].i == 2 ? 1 : 2] += d[2].i;
		}
		/* top processes by events */
		rc = tr_rows__fetch(&top, s, "SELECT process_id, count(*) AS n FROM events WHERE recording_id = ?1 "
				    "GROUP BY process_id ORDER BY n DESC, process_id LIMIT 5", &c[0], 1);
		if (!rc)
			rc = tr_rows__fetch_in(&tp, s, "SELECT id, coalesce(exe, comm) FROM processes WHERE id IN (%s)",
					       &top, 0);
		for (size_t k = 0; !rc && k < top.n; k++) {
			const struct tr_val *e = tr_rows__row(&top, k), *pn = e[0].type == TR_VAL_INT ?
					tr_rows__find(&tp, &e[0]) : NULL;
			struct tr_val tv[2] = { pn ? pn[1] : (struct tr_val){ 0 }, e[1] };

			if (top_row(&t, NULL, tv, 2) < 0)
				rc = -ENOMEM;
		}
		if (rc) {
			if (rc != -ENOMEM)
				store_err(s, rc, err, errlen);
			else
				snprintf(err, errlen, "out of memory");
		} else {
			memcpy(row, c, 9 * sizeof(*row));
			row[9] = tr_val_int(pc ? pc[1].i : 0);
			row[10] = tr_val_int(det[0]);
			row[11] = tr_val_int(det[1]);
			row[12] = tr_val_int(det[2]);
			row[13] = opt_text(t.text);
			rc = tr_out__row(out, row);
		}
		free(t.text);
		tr_rows__free(&top);
		tr_rows__free(&tp);
	}
	tr_out__end(out);
out:
	tr_rows__free(&r);
	tr_rows__free(&np);
	tr_rows__free(&nd);
	return rc;
}

/* ---- the table ---- */

const struct tr_question tr_questions[] = {
	{ "detections", q_detections, 0, TR_QOPT_SEVERITY | TR_QOPT_TIME | TR_QOPT_SIGNATURE | TR_QOPT_HOST },
	{ "process-tree", q_process_tree, 1, TR_QOPT_HOST },
	{ "file", q_file, 1, TR_QOPT_TIME | TR_QOPT_HOST },
	{ "ip", q_ip, 1, TR_QOPT_TIME | TR_QOPT_HOST },
	{ "timeline", q_timeline, 0, TR_QOPT_SEVERITY | TR_QOPT_TIME | TR_QOPT_SIGNATURE | TR_QOPT_HOST },
	{ "summary", q_summary, 0, TR_QOPT_HOST },
};
const size_t tr_nquestions = sizeof(tr_questions) / sizeof(tr_questions[0]);

const struct tr_question *tr_question__find(const char *name)
{
	for (size_t i = 0; i < tr_nquestions; i++)
		if (!strcmp(tr_questions[i].name, name))
			return &tr_questions[i];
	return NULL;
}

int tr_question__time(const char *s, int64_t *ns)
{
	struct tm tm = { 0 };
	const char *p;
	char *end;
	long long v = strtoll(s, &end, 10);
	int64_t frac = 0, scale = 100000000;

	if (*s && !*end) {
		*ns = v;
		return 0;
	}
	p = strptime(s, "%Y-%m-%d", &tm);
	if (!p)
		return -EINVAL;
	if (*p == 'T' || *p == ' ') {
		const char *q = strptime(p + 1, "%H:%M", &tm);

		if (!q)
			return -EINVAL;
		p = q;
		if (*p == ':') {
			q = strptime(p + 1, "%S", &tm);
			if (!q)
				return -EINVAL;
			p = q;
			if (*p == '.')
				for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
					frac += scale ? (*p - '0') * scale : 0;
		}
	}
	if (*p == 'Z')
		p++;
	if (*p)
		return -EINVAL;
	*ns = (int64_t)timegm(&tm) * 1000000000 + frac;
	return 0;
}

static int damage_row(void *ctx, const char *const *names, const struct tr_val *c, size_t n)
{
	void **cx = ctx;
	FILE *diag = cx[0];

	*(int *)cx[2] = 1;
	if (diag)
		fprintf(diag, "%s: warning: recording %lld (%s, %s) is %s: %lld events lost, %lld damaged frames\n",
			(const char *)cx[1], (long long)c[0].i, c[1].type == TR_VAL_TEXT ? c[1].s : "no manifest",
			c[2].s, c[3].s, (long long)c[4].i, (long long)c[5].i);
	return 0;
}

int tr_question__damage(struct tr_store *s, FILE *diag, const char *prog)
{
	int found = 0;
	void *cx[3] = { diag, (void *)prog, &found };
	int rc = s->ops->select(s, "SELECT id, hostname, path, CASE WHEN state != 'complete' THEN state ELSE "
				   "'damaged' END, lost_total, damaged_frames FROM recordings WHERE "
				   "damaged_frames > 0 OR damage IS NOT NULL ORDER BY id",
				NULL, 0, damage_row, cx);

	return rc ? rc : found;
}
