// SPDX-License-Identifier: MIT
/* index.c: the SQLite indexer (analyze/index.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "index.h"
#include "tr_index_sql.h"

struct ix {
	sqlite3 *db;
	const char *dbpath;	/* for messages: the name asked for */
	sqlite3_stmt *ins_event;
	sqlite3_stmt *ins_detection;
	sqlite3_stmt *ins_gap;
	struct tr_json_host host;
	struct tr_buf json;	/* reused for every row */
	struct tr_buf data;
	uint64_t last_ordinal;	/* the event row last written, to write it once */
	sqlite3_int64 last_event_row;
	struct tr_index_stats *st;
	char *err;
	size_t errlen;
	/* warnings of the replay, for the warnings table */
	struct ix_warning *warn;
	size_t nwarn, warncap;
	int warn_nomem;
};

#define RECORDING_ID 1	/* one recording per database, for now */

static int sql_fail(struct ix *x, const char *what)
{
	snprintf(x->err, x->errlen, "%s: %s: %s", x->dbpath, what, sqlite3_errmsg(x->db));
	return -EIO;
}

static int64_t wall(const struct ix *x, uint64_t boot_ns)
{
	return (int64_t)(boot_ns + (uint64_t)x->host.boot_to_wall_ns);
}

/* Step a prepared insert once and reset it for the next row. */
static int step(struct ix *x, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(x, what);
}

static int exec(struct ix *x, const char *sql, const char *what)
{
	return sqlite3_exec(x->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : sql_fail(x, what);
}

static int prepare(struct ix *x, const char *sql, sqlite3_stmt **s)
{
	return sqlite3_prepare_v2(x->db, sql, -1, s, NULL) == SQLITE_OK ? 0 : sql_fail(x, "prepare");
}

static void bind_buf(sqlite3_stmt *s, int i, const struct tr_buf *b)
{
	sqlite3_bind_text(s, i, b->len ? b->p : "", (int)b->len, SQLITE_STATIC);
}

/* Kernel bytes in the decoded form (schema/index.sql), or NULL. */
static void bind_bytes(sqlite3_stmt *s, int i, const void *p, size_t len, struct tr_buf *tmp)
{
	if (!p) {
		sqlite3_bind_null(s, i);
		return;
	}
	tr_buf__reset(tmp);
	tr_text__bytes(tmp, p, len);
	sqlite3_bind_text(s, i, tmp->len ? tmp->p : "", (int)tmp->len, SQLITE_TRANSIENT);
}

static void bind_proc(sqlite3_stmt *s, int i, const struct tr_proc_node *p)
{
	if (p)
		sqlite3_bind_int64(s, i, (sqlite3_int64)p->idx + 1);
	else
		sqlite3_bind_null(s, i);
}

static int on_event(void *ctx, const struct tr_event_view *v)
{
	struct ix *x = ctx;
	sqlite3_stmt *s = x->ins_gap;

	x->st->replayed += v->kind == TR_VIEW_EVENT;
	if (v->kind != TR_VIEW_GAP)
		return 0;
	sqlite3_bind_int64(s, 1, RECORDING_ID);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)v->ordinal);
	sqlite3_bind_int64(s, 3, v->gap->h.cpu);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)v->gap->lost);
	sqlite3_bind_int64(s, 5, wall(x, v->gap->h.ts));
	x->st->gaps++;
	return step(x, s, "insert gap");
}

/* The triggering event's row, written on its first finding only. */
static int event_row(struct ix *x, const struct tr_event_view *v)
{
	sqlite3_stmt *s = x->ins_event;
	int err;

	if (x->last_ordinal == v->ordinal && x->last_event_row)
		return 0;
	tr_buf__reset(&x->json);
	err = tr_json__event(&x->json, &x->host, v);
	if (err)
		return err;
	x->json.len--;	/* the newline */
	sqlite3_bind_int64(s, 1, RECORDING_ID);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)v->ordinal);
	sqlite3_bind_text(s, 3, v->src.segment ? v->src.segment : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)v->src.frame_offset);
	sqlite3_bind_int64(s, 5, v->src.index);
	sqlite3_bind_int64(s, 6, wall(x, v->kind == TR_VIEW_EVENT ? v->ev->h.ts : v->gap->h.ts));
	sqlite3_bind_int64(s, 7, v->def->id);
	sqlite3_bind_text(s, 8, v->def->name, -1, SQLITE_STATIC);
	if (v->kind == TR_VIEW_EVENT) {
		sqlite3_bind_int64(s, 9, v->ev->host_pid);
		sqlite3_bind_int64(s, 10, v->ev->host_tid);
	}
	bind_proc(s, 11, v->proc);
	bind_buf(s, 12, &x->json);
	err = step(x, s, "insert event");
	if (err)
		return err;
	x->last_ordinal = v->ordinal;
	x->last_event_row = sqlite3_last_insert_rowid(x->db);
	x->st->events++;
	return 0;
}

static int on_finding(void *ctx, const struct tr_finding *f)
{
	struct ix *x = ctx;
	sqlite3_stmt *s = x->ins_detection;
	const struct tr_event_view *v = f->ev;
	int err = event_row(x, v);

	if (err)
		return err;
	tr_buf__reset(&x->data);
	tr_json__kv(&x->data, f->data, f->ndata);
	if (x->data.err)
		return x->data.err;
	sqlite3_bind_int64(s, 1, RECORDING_ID);
	sqlite3_bind_text(s, 2, f->sig->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, x->last_event_row);
	bind_proc(s, 4, f->proc);
	sqlite3_bind_int64(s, 5, wall(x, v->kind == TR_VIEW_EVENT ? v->ev->h.ts : v->gap->h.ts));
	bind_buf(s, 6, &x->data);
	x->st->detections++;
	return step(x, s, "insert detection");
}

struct ix_warning {
	int damage;
	char *file;
	int64_t offset;
	char *msg;
};

/* Warnings kept for the table, at most; the rest are counted in
 * recordings.warnings. */
#define IX_WARNINGS_MAX 10000

static void on_warning(void *ctx, int damage, const char *file, int64_t offset, const char *msg)
{
	struct ix *x = ctx;
	struct ix_warning *w;

	if (x->nwarn == IX_WARNINGS_MAX)
		return;
	if (x->nwarn == x->warncap) {
		size_t cap = x->warncap ? x->warncap * 2 : 16;

		w = realloc(x->warn, cap * sizeof(*w));
		if (!w) {
			x->warn_nomem = 1;
			return;
		}
		x->warn = w;
		x->warncap = cap;
	}
	w = &x->warn[x->nwarn];
	w->damage = damage;
	w->offset = offset;
	w->file = file ? strdup(file) : NULL;
	w->msg = strdup(msg);
	if (!w->msg || (file && !w->file)) {
		free(w->file);
		free(w->msg);
		x->warn_nomem = 1;
		return;
	}
	x->nwarn++;
}

/* "FILE: offset N: MESSAGE", as on stderr. */
static char *warning_text(const struct ix_warning *w)
{
	char *s = NULL;
	int n;

	if (w->file && w->offset >= 0)
		n = asprintf(&s, "%s: offset %lld: %s", w->file, (long long)w->offset, w->msg);
	else if (w->file)
		n = asprintf(&s, "%s: %s", w->file, w->msg);
	else
		n = asprintf(&s, "%s", w->msg);
	return n < 0 ? NULL : s;
}

static int write_warnings(struct ix *x)
{
	sqlite3_stmt *s;
	int err;

	if (x->warn_nomem)
		return -ENOMEM;
	err = prepare(x, "INSERT INTO warnings (recording_id, damage, file, offset, message) "
			 "VALUES (?, ?, ?, ?, ?)", &s);
	for (size_t i = 0; !err && i < x->nwarn; i++) {
		sqlite3_bind_int64(s, 1, RECORDING_ID);
		sqlite3_bind_int(s, 2, x->warn[i].damage);
		if (x->warn[i].file)
			sqlite3_bind_text(s, 3, x->warn[i].file, -1, SQLITE_STATIC);
		if (x->warn[i].offset >= 0)
			sqlite3_bind_int64(s, 4, x->warn[i].offset);
		sqlite3_bind_text(s, 5, x->warn[i].msg, -1, SQLITE_STATIC);
		err = step(x, s, "insert warning");
	}
	sqlite3_finalize(s);
	return err;
}

/* recordings.damage: a JSON array of the damage found, or NULL. */
static int bind_damage(struct ix *x, sqlite3_stmt *s, int col, struct tr_buf *b)
{
	size_t n = 0;

	tr_buf__reset(b);
	tr_buf__putc(b, '[');
	for (size_t i = 0; i < x->nwarn; i++) {
		char *t;

		if (!x->warn[i].damage)
			continue;
		t = warning_text(&x->warn[i]);
		if (!t)
			return -ENOMEM;
		if (n++)
			tr_buf__putc(b, ',');
		tr_json__str(b, t, strlen(t));
		free(t);
	}
	tr_buf__putc(b, ']');
	if (b->err)
		return b->err;
	if (n || x->st->damage)
		sqlite3_bind_text(s, col, b->p, (int)b->len, SQLITE_TRANSIENT);
	return 0;
}

static int write_signatures(struct ix *x)
{
	size_t n;
	const struct tr_signature *const *sigs = tr_signatures__builtin(&n);
	sqlite3_stmt *s;
	int err = prepare(x, "INSERT INTO signatures (id, event_id, name, description, severity, "
			     "mitre_id, mitre_name) VALUES (?, ?, ?, ?, ?, ?, ?)", &s);

	for (size_t i = 0; !err && i < n; i++) {
		sqlite3_bind_text(s, 1, sigs[i]->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, sigs[i]->event_id);
		sqlite3_bind_text(s, 3, sigs[i]->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, sigs[i]->description, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, sigs[i]->severity);
		sqlite3_bind_text(s, 6, sigs[i]->mitre_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, sigs[i]->mitre_name, -1, SQLITE_STATIC);
		err = step(x, s, "insert signature");
	}
	sqlite3_finalize(s);
	return err;
}

static const char *source_name(uint8_t src)
{
	return src == TR_PSRC_SNAPSHOT ? "snapshot" : src == TR_PSRC_FORK ? "fork" : "event";
}

static int write_processes(struct ix *x, const struct tr_proctree *t)
{
	struct tr_buf tmp = { 0 }, argv = { 0 };
	sqlite3_stmt *s;
	int err = prepare(x, "INSERT INTO processes (id, recording_id, host_pid, start_ns, pid, host_ppid, "
			     "parent_id, exe, comm, argv, cwd, cgroup, uid, gid, source, seen_ns, execs, "
			     "exited, exit_code, exit_ns) "
			     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);

	for (size_t i = 0; !err && i < tr_proctree__count(t); i++) {
		const struct tr_proc_node *n = tr_proctree__node(t, i);

		sqlite3_bind_int64(s, 1, (sqlite3_int64)n->idx + 1);
		sqlite3_bind_int64(s, 2, RECORDING_ID);
		sqlite3_bind_int64(s, 3, n->host_pid);
		sqlite3_bind_int64(s, 4, wall(x, n->start_ns));
		sqlite3_bind_int64(s, 5, n->pid);
		sqlite3_bind_int64(s, 6, n->host_ppid);
		if (n->parent >= 0)
			sqlite3_bind_int64(s, 7, n->parent + 1);
		bind_bytes(s, 8, n->exe.p, n->exe.len, &tmp);
		bind_bytes(s, 9, n->comm, strlen(n->comm), &tmp);
		if (n->argv.p) {
			tr_buf__reset(&argv);
			tr_json__str_array(&argv, n->argv.p, n->argv.len);
			sqlite3_bind_text(s, 10, argv.p, (int)argv.len, SQLITE_TRANSIENT);
		}
		bind_bytes(s, 11, n->cwd.p, n->cwd.len, &tmp);
		bind_bytes(s, 12, n->cgroup.p, n->cgroup.len, &tmp);
		sqlite3_bind_int64(s, 13, n->uid);
		sqlite3_bind_int64(s, 14, n->gid);
		sqlite3_bind_text(s, 15, source_name(n->source), -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 16, wall(x, n->seen_ns));
		sqlite3_bind_int64(s, 17, n->nexec);
		sqlite3_bind_int(s, 18, n->exited);
		if (n->exited) {
			sqlite3_bind_int64(s, 19, n->exit_code);
			sqlite3_bind_int64(s, 20, wall(x, n->exit_ns));
		}
		if (tmp.err || argv.err)
			err = -ENOMEM;
		else
			err = step(x, s, "insert process");
		x->st->processes += !err;
	}
	sqlite3_finalize(s);
	tr_buf__free(&tmp);
	tr_buf__free(&argv);
	return err;
}

static int write_recording(struct ix *x, const struct tr_replay *r, const char *dir)
{
	const struct tr_recording *rec = tr_replay__recording(r);
	const struct tr_manifest *m = &rec->manifest;
	const struct tr_engine_stats *es = tr_engine__stats(tr_replay__engine(r));
	sqlite3_stmt *s;
	int err = prepare(x, "INSERT INTO recordings (id, path, hostname, kernel, boot_id, format_version, "
			     "tool_version, boot_to_wall_ns, start_ns, stop_ns, state, end_reason, events, "
			     "lost_total, damaged_frames, warnings, indexed_by, damage) "
			     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, RECORDING_ID);
	sqlite3_bind_text(s, 2, dir, -1, SQLITE_STATIC);
	if (rec->have_manifest) {
		sqlite3_bind_text(s, 3, m->hostname, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, m->kernel_release, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, m->boot_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, m->format_version);
		sqlite3_bind_text(s, 7, m->tool_version, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 9, wall(x, m->start_boot_ns));
		if (m->stop_boot_ns)
			sqlite3_bind_int64(s, 10, wall(x, m->stop_boot_ns));
		sqlite3_bind_text(s, 12, m->end_reason, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 8, x->host.boot_to_wall_ns);
	sqlite3_bind_text(s, 11, !rec->have_manifest ? "unknown" : rec->interrupted ? "interrupted" : "complete",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 13, (sqlite3_int64)es->events);
	sqlite3_bind_int64(s, 14, (sqlite3_int64)es->lost);
	sqlite3_bind_int64(s, 15, (sqlite3_int64)rec->stats.frames_bad);
	sqlite3_bind_int64(s, 16, (sqlite3_int64)tr_replay__warnings(r));
	sqlite3_bind_text(s, 17, "tracee-analyze " TR_VERSION, -1, SQLITE_STATIC);
	x->st->damage = tr_replay__damage(r);
	err = bind_damage(x, s, 18, &x->data);
	if (!err)
		err = step(x, s, "insert recording");
	sqlite3_finalize(s);
	return err;
}

int tr_index__build(const char *dir, const char *db, const struct tr_index_opts *o,
		    struct tr_index_stats *stats, char *err, size_t errlen)
{
	struct ix x = { .dbpath = db, .st = stats, .err = err, .errlen = errlen };
	/* The index proves the recording whole or names its damage: the
	 * hashes are always checked. */
	struct tr_replay_opts ro = { .prog = o->prog, .diag = o->diag, .signatures = 1,
				     .progress = o->progress, .progress_ctx = o->progress_ctx,
				     .stop = o->stop, .verify = 1, .warning = on_warning, .warning_ctx = &x };
	struct tr_sink sink = { .event = on_event, .finding = on_finding, .ctx = &x };
	struct tr_replay *r = NULL;
	char *tmp = NULL;
	struct stat st;
	int rc, fd;

	memset(stats, 0, sizeof(*stats));
	err[0] = '\0';
	/* Refuse before doing any work. */
	if (!o->force && !lstat(db, &st)) {
		snprintf(err, errlen, "%s: exists; use --force to replace it", db);
		return -EEXIST;
	}
	rc = tr_replay__open(&r, dir, &ro, err, errlen);
	if (rc)
		return rc;
	x.host = tr_replay__host(r);

	/* A fresh file of our own, mode 0600: the index holds evidence. */
	if (asprintf(&tmp, "%s.tmp", db) < 0) {
		tmp = NULL;
		rc = -ENOMEM;
		goto out;
	}
	if (unlink(tmp) && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot remove: %s", tmp, strerror(-rc));
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(-rc));
		goto out;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &x.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = sql_fail(&x, "cannot open");
		goto out_unlink;
	}
	x.dbpath = tmp;

	/* The file is renamed into place only when complete, so neither a
	 * journal nor syncs inside the transaction buy anything. */
	if ((rc = exec(&x, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;", "set up")) ||
	    (rc = exec(&x, tr_index_sql, "create the schema")) ||
	    (rc = exec(&x, "BEGIN", "begin")) ||
	    (rc = write_signatures(&x)) ||
	    (rc = prepare(&x, "INSERT INTO events (recording_id, ordinal, segment, frame_offset, record_index, "
			      "timestamp, event_id, event_name, host_pid, host_tid, process_id, json) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &x.ins_event)) ||
	    (rc = prepare(&x, "INSERT INTO detections (recording_id, signature_id, trigger_id, process_id, "
			      "timestamp, data) VALUES (?, ?, ?, ?, ?, ?)", &x.ins_detection)) ||
	    (rc = prepare(&x, "INSERT INTO gaps (recording_id, ordinal, cpu, lost, timestamp) "
			      "VALUES (?, ?, ?, ?, ?)", &x.ins_gap)))
		goto out_unlink;

	/* The replay, with the signatures. */
	rc = tr_replay__run(r, &sink, err, errlen);
	if (rc == -EINTR)
		snprintf(err, errlen, "%s: interrupted; %s not written", dir, db);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		goto out_unlink;
	}
	if ((rc = write_processes(&x, tr_engine__tree(tr_replay__engine(r)))) ||
	    (rc = write_recording(&x, r, dir)) ||
	    (rc = write_warnings(&x)) ||
	    (rc = exec(&x, "COMMIT", "commit")))
		goto out_unlink;
	sqlite3_finalize(x.ins_event);
	sqlite3_finalize(x.ins_detection);
	sqlite3_finalize(x.ins_gap);
	x.ins_event = x.ins_detection = x.ins_gap = NULL;
	if (sqlite3_close(x.db) != SQLITE_OK) {
		rc = sql_fail(&x, "close");
		goto out_unlink;
	}
	x.db = NULL;
	rc = tr_fsync_path(tmp);
	if (!rc && rename(tmp, db))
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "%s: cannot write: %s", db, strerror(-rc));
		goto out_unlink;
	}
	goto out;

out_unlink:
	if (rc == -ENOMEM && !err[0])
		snprintf(err, errlen, "%s: out of memory", db);
	unlink(tmp);
out:
	sqlite3_finalize(x.ins_event);
	sqlite3_finalize(x.ins_detection);
	sqlite3_finalize(x.ins_gap);
	if (x.db)
		sqlite3_close(x.db);
	if (r)
		tr_replay__summary(r);
	tr_replay__free(r);
	tr_buf__free(&x.json);
	tr_buf__free(&x.data);
	for (size_t i = 0; i < x.nwarn; i++) {
		free(x.warn[i].file);
		free(x.warn[i].msg);
	}
	free(x.warn);
	free(tmp);
	return rc;
}

/* Reading an index never writes: not the index (it is opened read-only),
 * and not elsewhere either (VACUUM INTO '/x/copy.db' and ATTACH write a
 * copy of the evidence wherever asked). Only what a query reads is
 * allowed; every other action is denied when the statement is prepared. */
static int read_only_authorizer(void *ctx, int action, const char *a, const char *b, const char *db,
				const char *trigger)
{
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		/* PRAGMA name reads; PRAGMA name = value sets, except for
		 * the schema questions that take a table or index name */
		return !b || !strcmp(a, "table_info") || !strcmp(a, "table_xinfo") || !strcmp(a, "index_list") ||
		       !strcmp(a, "index_info") || !strcmp(a, "index_xinfo") || !strcmp(a, "foreign_key_list") ?
		       SQLITE_OK : SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

int tr_index__open(const char *db, sqlite3 **out, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	struct stat st;
	int version = -1, fd;

	*out = NULL;
	/* SQLite's own "unable to open" says less than stat does. Opened
	 * first with O_NONBLOCK (a FIFO would wait for a writer) and only a
	 * regular file is given to SQLite. */
	fd = open(db, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		int rc = -errno;

		snprintf(err, errlen, "%s: cannot open: %s", db, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (an index is an SQLite database file)", db);
		return -EINVAL;
	}
	if (sqlite3_open_v2(db, out, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", db, *out ? sqlite3_errmsg(*out) : "out of memory");
		sqlite3_close(*out);
		*out = NULL;
		return -EIO;
	}
	if (sqlite3_prepare_v2(*out, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version != TR_INDEX_VERSION) {
		if (version < 0)
			snprintf(err, errlen, "%s: not an SQLite database: %s", db, sqlite3_errmsg(*out));
		else
			snprintf(err, errlen, "%s: not a tracee-analyze index of version %d (user_version %d)",
				 db, TR_INDEX_VERSION, version);
		sqlite3_close(*out);
		*out = NULL;
		return -EINVAL;
	}
	sqlite3_set_authorizer(*out, read_only_authorizer, NULL);
	return 0;
}
