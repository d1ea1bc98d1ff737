// SPDX-License-Identifier: MIT
/*
 * sqlite.c: the SQLite store (store/store.h), a file of schema/index.sql.
 *
 * Writing: WAL and synchronous=NORMAL while indexing, one transaction per
 * batch, one prepared INSERT per table; finish() goes back to
 * journal_mode=DELETE, since a WAL database does not open on a read-only
 * mount, where evidence often sits. Reading: SQLITE_OPEN_READONLY, so a
 * statement that writes fails ("attempt to write a readonly database").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "tr_index_sql.h"

#define TR_DB_APPLICATION_ID 1414677336	/* "TRCX", schema/index.sql */
#define TR_DB_VERSION 2

struct sq {
	struct tr_store base;
	sqlite3 *db;
	enum tr_store_mode mode;
	int in_tx;
	sqlite3_stmt *ins[TR_TAB_N];
};

static int fail(struct sq *q, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct sq *q, int rc, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(q->base.err, sizeof(q->base.err), "%s: ", q->base.target);

	va_start(ap, fmt);
	vsnprintf(q->base.err + n, sizeof(q->base.err) - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

static int sql_fail(struct sq *q, const char *what)
{
	return fail(q, -EIO, "%s: %s", what, sqlite3_errmsg(q->db));
}

static int exec(struct sq *q, const char *sql, const char *what)
{
	return sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : sql_fail(q, what);
}

static int pragma_int(struct sq *q, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(q->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Version 1 (one recording, the events detections point at, their JSON
 * lines) to 2: the rows move over with version 2 ids. */
static const char migrate_1_2[] =
	"ALTER TABLE recordings RENAME TO v1_recordings;"
	"ALTER TABLE processes RENAME TO v1_processes;"
	"ALTER TABLE events RENAME TO v1_events;"
	"ALTER TABLE signatures RENAME TO v1_signatures;"
	"ALTER TABLE detections RENAME TO v1_detections;"
	"ALTER TABLE gaps RENAME TO v1_gaps;"
	"DROP VIEW detection_report;"
	"DROP INDEX IF EXISTS processes_parent; DROP INDEX IF EXISTS processes_identity;"
	"DROP INDEX IF EXISTS events_time; DROP INDEX IF EXISTS events_process;"
	"DROP INDEX IF EXISTS detections_time; DROP INDEX IF EXISTS detections_signature;"
	"DROP INDEX IF EXISTS detections_process; DROP INDEX IF EXISTS gaps_time;";

static const char migrate_1_2_rows[] =
	"INSERT INTO recordings (id, uid, path, hostname, kernel, boot_id, format_version, tool_version,"
	" boot_to_wall_ns, start_ns, stop_ns, state, end_reason, events, lost_total, damaged_frames, warnings,"
	" detections_only, indexed, indexed_by, indexed_ns)"
	" SELECT id, CASE WHEN hostname IS NULL THEN path ELSE hostname || '/' || coalesce(boot_id, '') || '/'"
	" || (start_ns - boot_to_wall_ns) END, path, hostname, kernel, boot_id, format_version, tool_version,"
	" boot_to_wall_ns, start_ns, stop_ns, state, end_reason, events, lost_total, damaged_frames, warnings,"
	" 1, 1, indexed_by, 0 FROM v1_recordings;"
	"INSERT INTO segments (recording_id, segment_index, path)"
	" SELECT recording_id, row_number() OVER (PARTITION BY recording_id ORDER BY length(segment), segment) - 1,"
	" segment FROM (SELECT DISTINCT recording_id, segment FROM v1_events);"
	"INSERT INTO processes (id, recording_id, entity_id, host_pid, start_ns, pid, host_ppid, parent_id,"
	" parent_entity_id, exe, comm, argv, cwd, cgroup, uid, gid, source, seen_ns, execs, exited, exit_code,"
	" exit_ns)"
	" SELECT (p.recording_id << 40) + p.id, p.recording_id, coalesce(r.hostname, '') || ':' || p.host_pid"
	" || ':' || p.start_ns, p.host_pid, p.start_ns, p.pid, p.host_ppid, (p.recording_id << 40) + p.parent_id,"
	" (SELECT coalesce(r.hostname, '') || ':' || q.host_pid || ':' || q.start_ns FROM v1_processes q"
	"  WHERE q.id = p.parent_id), p.exe, p.comm, p.argv, p.cwd, p.cgroup, p.uid, p.gid, p.source, p.seen_ns,"
	" p.execs, p.exited, p.exit_code, p.exit_ns FROM v1_processes p JOIN v1_recordings r"
	" ON r.id = p.recording_id;"
	"INSERT INTO events (id, recording_id, ordinal, timestamp, event_id, event_name, host_pid, host_tid,"
	" process_id, retval, args, segment_index, frame_offset, record_index)"
	" SELECT (e.recording_id << 40) + e.ordinal, e.recording_id, e.ordinal, e.timestamp, e.event_id,"
	" e.event_name, e.host_pid, e.host_tid, (e.recording_id << 40) + e.process_id,"
	" json_extract(e.json, '$.returnValue'),"
	" coalesce((SELECT json_group_object(a.value ->> '$.name', a.value -> '$.value')"
	"  FROM json_each(e.json, '$.args') a), '{}'),"
	" (SELECT g.segment_index FROM segments g WHERE g.recording_id = e.recording_id AND g.path = e.segment),"
	" e.frame_offset, e.record_index FROM v1_events e;"
	"INSERT INTO signatures (id, event_id, name, description, severity, mitre_id, mitre_name, origin, version)"
	" SELECT id, event_id, name, description, severity, mitre_id, mitre_name, 'builtin', 'v1 index'"
	" FROM v1_signatures;"
	"INSERT INTO detections (id, recording_id, signature_id, trigger_id, trigger_ordinal, process_id,"
	" severity, timestamp, data)"
	" SELECT (d.recording_id << 40) + d.id, d.recording_id, d.signature_id,"
	" (d.recording_id << 40) + e.ordinal, e.ordinal, (d.recording_id << 40) + d.process_id, s.severity,"
	" d.timestamp, d.data FROM v1_detections d JOIN v1_events e ON e.id = d.trigger_id"
	" JOIN v1_signatures s ON s.id = d.signature_id;"
	"INSERT INTO gaps (id, recording_id, ordinal, cpu, lost, timestamp)"
	" SELECT (recording_id << 40) + ordinal, recording_id, ordinal, cpu, lost, timestamp FROM v1_gaps;"
	"DROP TABLE v1_gaps; DROP TABLE v1_detections; DROP TABLE v1_signatures; DROP TABLE v1_events;"
	"DROP TABLE v1_processes;";

/* Version 1 databases of the integrity work also have recordings.damage and
 * a warnings table. */
static const char migrate_1_2_damage[] =
	"UPDATE recordings SET damage = (SELECT v.damage FROM v1_recordings v WHERE v.id = recordings.id);";
static const char migrate_1_2_warnings[] =
	"INSERT INTO warnings (id, recording_id, damage, file, offset, message)"
	" SELECT (recording_id << 40) + id, recording_id, damage, file, offset, message FROM v1_warnings;"
	"DROP TABLE v1_warnings;";

/* Is this file ours, of which version? Creates the schema in an empty file
 * and migrates an older one when writing. */
static int check_schema(struct sq *q)
{
	int app = 0, version = 0, ntables = 0, rc;

	if (pragma_int(q, "PRAGMA application_id", &app) || pragma_int(q, "PRAGMA user_version", &version) ||
	    pragma_int(q, "SELECT count(*) FROM sqlite_master", &ntables))
		return fail(q, -EINVAL, "not a tracee-analyze database: %s", sqlite3_errmsg(q->db));
	if (app == TR_DB_APPLICATION_ID && version == TR_DB_VERSION)
		return 0;
	if (app == TR_DB_APPLICATION_ID && version > TR_DB_VERSION)
		return fail(q, -EPROTONOSUPPORT,
			    "made by a newer tracee-analyze (schema version %d; this one reads up to %d)",
			    version, TR_DB_VERSION);
	if (app == 0 && version == 1) {
		int v1 = 0;

		pragma_int(q, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
			      "('recordings', 'processes', 'events', 'signatures', 'detections', 'gaps')", &v1);
		if (v1 != 6)
			return fail(q, -EINVAL, "not a tracee-analyze database (user_version 1 without its tables)");
		if (q->mode == TR_STORE_READ)
			return fail(q, -EPROTO, "schema version 1: migrate it to version %d with "
				    "`tracee-analyze migrate %s`", TR_DB_VERSION, q->base.target);
		int has_damage = 0, has_warnings = 0;

		pragma_int(q, "SELECT count(*) FROM pragma_table_info('recordings') WHERE name = 'damage'", &has_damage);
		pragma_int(q, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'warnings'",
			   &has_warnings);
		if ((rc = exec(q, "BEGIN", "migrate")) || (rc = exec(q, migrate_1_2, "migrate from version 1")) ||
		    (has_warnings && (rc = exec(q, "ALTER TABLE warnings RENAME TO v1_warnings", "migrate"))) ||
		    (rc = exec(q, tr_index_sql, "migrate from version 1")) ||
		    (rc = exec(q, migrate_1_2_rows, "migrate from version 1")) ||
		    (has_damage && (rc = exec(q, migrate_1_2_damage, "migrate from version 1"))) ||
		    (has_warnings && (rc = exec(q, migrate_1_2_warnings, "migrate from version 1"))) ||
		    (rc = exec(q, "DROP TABLE v1_recordings", "migrate")) ||
		    (rc = exec(q, "COMMIT", "migrate")))
			return rc;
		return 0;
	}
	if (app == 0 && version == 0 && ntables == 0 && q->mode == TR_STORE_WRITE)
		return exec(q, "PRAGMA page_size = 16384", "create the schema") ?:
		       exec(q, tr_index_sql, "create the schema");
	return fail(q, -EINVAL, "not a tracee-analyze database (application_id %d, user_version %d)", app,
		    version);
}

/* Reading never writes: not the database (it is opened read-only), and
 * not elsewhere either (VACUUM INTO '/x/copy.db' and ATTACH write a copy
 * of the evidence wherever asked). Only what a query reads is allowed;
 * every other action is denied when the statement is prepared. */
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

static int prepare_inserts(struct sq *q)
{
	for (int t = 0; t < TR_TAB_N; t++) {
		const struct tr_table_def *d = &tr_tables[t];
		char sql[2048];
		size_t n = (size_t)snprintf(sql, sizeof(sql), "INSERT %sINTO %s (",
					    d->per_recording ? "" : "OR REPLACE ", d->name);

		for (size_t c = 0; c < d->ncols; c++)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s", c ? ", " : "", d->cols[c]);
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ") VALUES (");
		for (size_t c = 0; c < d->ncols; c++)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s?", c ? ", " : "");
		snprintf(sql + n, sizeof(sql) - n, ")");
		if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q->ins[t], NULL) != SQLITE_OK)
			return sql_fail(q, "prepare");
	}
	return 0;
}

static void sq_close(struct tr_store *s)
{
	struct sq *q = (struct sq *)s;

	if (!q)
		return;
	for (int t = 0; t < TR_TAB_N; t++)
		sqlite3_finalize(q->ins[t]);
	if (q->in_tx)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(q->db);
	free(q);
}

static int sq_open(struct tr_store **out, const char *target, enum tr_store_mode mode, char *err,
		   size_t errlen)
{
	struct sq *q = calloc(1, sizeof(*q));
	struct stat st;
	int rc, fd;

	*out = NULL;
	if (!q) {
		snprintf(err, errlen, "%s: out of memory", target);
		return -ENOMEM;
	}
	q->base.ops = &tr_store_sqlite;
	q->base.target = target;
	q->mode = mode;
	/* Looked at with O_NONBLOCK first (a FIFO would wait for a writer);
	 * only a regular file is given to SQLite. */
	fd = open(target, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	rc = fd < 0 || fstat(fd, &st) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (rc) {
		if (mode == TR_STORE_READ || rc != -ENOENT) {
			snprintf(err, errlen, "%s: cannot open: %s", target, strerror(-rc));
			free(q);
			return rc;
		}
		/* A fresh file of our own, mode 0600: the database holds evidence. */
		fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: cannot create: %s", target, strerror(-rc));
			free(q);
			return rc;
		}
		close(fd);
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (a case database is an SQLite database file)", target);
		free(q);
		return -EINVAL;
	}
	if (sqlite3_open_v2(target, &q->db, (mode == TR_STORE_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = fail(q, -EIO, "cannot open: %s", q->db ? sqlite3_errmsg(q->db) : "out of memory");
		goto bad;
	}
	sqlite3_busy_timeout(q->db, 5000);
	if ((rc = check_schema(q)))
		goto bad;
	if (mode == TR_STORE_WRITE &&
	    ((rc = exec(q, "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -131072; "
			"PRAGMA wal_autocheckpoint = 20000",
			"set up")) ||
	     (rc = prepare_inserts(q)) || (rc = exec(q, "BEGIN", "begin"))))
		goto bad;
	if (mode == TR_STORE_READ)
		sqlite3_set_authorizer(q->db, read_only_authorizer, NULL);
	q->in_tx = mode == TR_STORE_WRITE;
	*out = &q->base;
	return 0;
bad:
	snprintf(err, errlen, "%s", q->base.err);
	sq_close(&q->base);
	return rc;
}

static int sq_recording_id(struct tr_store *s, const char *uid, int64_t *id, int *existed)
{
	struct tr_val p = tr_val_cstr(uid);
	int rc = tr_store__int(s, "SELECT id FROM recordings WHERE uid = ?", &p, 1, 0, id);

	if (rc)
		return rc;
	*existed = *id != 0;
	if (!*existed)
		rc = tr_store__int(s, "SELECT coalesce(max(id), 0) + 1 FROM recordings", NULL, 0, 1, id);
	return rc;
}

static int sq_recording_drop(struct tr_store *s, int64_t id)
{
	struct sq *q = (struct sq *)s;

	for (int t = 0; t < TR_TAB_N; t++) {
		const struct tr_table_def *d = &tr_tables[t];
		sqlite3_stmt *st;
		char sql[256];
		int rc;

		if (!d->per_recording)
			continue;
		/* Row ids carry the recording: a range delete on the key. */
		if (!strcmp(d->cols[0], "id") && t != TR_TAB_RECORDINGS)
			snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id >= ?1 << 40 AND id < (?1 + 1) << 40",
				 d->name);
		else
			snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?1", d->name,
				 t == TR_TAB_RECORDINGS ? "id" : "recording_id");
		if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
			return sql_fail(q, "drop the recording's rows");
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return sql_fail(q, "drop the recording's rows");
	}
	return 0;
}

static void bind(sqlite3_stmt *st, int i, const struct tr_val *v)
{
	switch (v->type) {
	case TR_VAL_INT:
		sqlite3_bind_int64(st, i, v->i);
		break;
	case TR_VAL_TEXT:
		sqlite3_bind_text(st, i, v->len ? v->s : "", (int)v->len, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

static int sq_insert(struct tr_store *s, enum tr_tab t, const struct tr_val *row)
{
	struct sq *q = (struct sq *)s;
	sqlite3_stmt *st = q->ins[t];
	int rc;

	for (size_t c = 0; c < tr_tables[t].ncols; c++)
		bind(st, (int)c + 1, &row[c]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(q, -EIO, "insert into %s: %s", tr_tables[t].name, sqlite3_errmsg(q->db));
	return 0;
}

static int sq_batch(struct tr_store *s)
{
	struct sq *q = (struct sq *)s;
	int rc = exec(q, "COMMIT", "commit");

	q->in_tx = 0;
	if (!rc && !(rc = exec(q, "BEGIN", "begin")))
		q->in_tx = 1;
	return rc;
}

static int sq_finish(struct tr_store *s)
{
	struct sq *q = (struct sq *)s;
	int rc = q->in_tx ? exec(q, "COMMIT", "commit") : 0;

	q->in_tx = 0;
	if (!rc)
		rc = exec(q, "PRAGMA optimize", "optimize");
	for (int t = 0; t < TR_TAB_N; t++) {
		sqlite3_finalize(q->ins[t]);
		q->ins[t] = NULL;
	}
	if (!rc)
		rc = exec(q, "PRAGMA journal_mode = DELETE", "leave WAL mode");
	return rc;
}

static int sq_select(struct tr_store *s, const char *sql, const struct tr_val *params, size_t nparams,
		     tr_row_fn fn, void *ctx)
{
	struct sq *q = (struct sq *)s;
	const char *names[TR_TAB_MAX_COLS * 2];
	struct tr_val cols[TR_TAB_MAX_COLS * 2];
	sqlite3_stmt *st;
	int rc, n, urc = 0;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(q, "query");
	n = sqlite3_column_count(st);
	if (n > (int)(sizeof(cols) / sizeof(cols[0]))) {
		sqlite3_finalize(st);
		return fail(q, -E2BIG, "query: %d columns", n);
	}
	for (size_t i = 0; i < nparams; i++)
		bind(st, (int)i + 1, &params[i]);
	for (int i = 0; i < n; i++)
		names[i] = sqlite3_column_name(st, i);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				cols[i] = tr_val_int(sqlite3_column_int64(st, i));
				break;
			case SQLITE_NULL:
				cols[i] = (struct tr_val){ 0 };
				break;
			default:
				cols[i] = tr_val_text((const char *)sqlite3_column_text(st, i),
						      (size_t)sqlite3_column_bytes(st, i));
			}
		}
		urc = fn(ctx, names, cols, (size_t)n);
		if (urc)
			break;
	}
	if (urc) {
		sqlite3_finalize(st);
		return urc < 0 ? urc : 0;
	}
	rc = rc == SQLITE_DONE ? 0 : sql_fail(q, "query");
	sqlite3_finalize(st);
	return rc;
}

struct sqlite3 *tr_store_sqlite__db(struct tr_store *s)
{
	return s && s->ops == &tr_store_sqlite ? ((struct sq *)s)->db : NULL;
}

const struct tr_store_ops tr_store_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.recording_id = sq_recording_id,
	.recording_drop = sq_recording_drop,
	.insert = sq_insert,
	.batch = sq_batch,
	.finish = sq_finish,
	.select = sq_select,
	.close = sq_close,
};
