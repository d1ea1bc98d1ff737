// SPDX-License-Identifier: MIT
/*
 * test_analyze.c: the SQLite index and its readers, on synthetic
 * recordings: rows and links, the event JSON against replay's, refusing to
 * overwrite, recording states, query output and errors, the report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "bytes.h"
#include "index.h"
#include "query.h"
#include "questions.h"
#include "replay_synth.h"

#define MS 1000000ULL

static char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t;

	assert_true(asprintf(&t, "%s/test_analyze.XXXXXX", base && *base ? base : "/tmp") > 0);
	assert_non_null(mkdtemp(t));
	return t;
}

static const struct synth_task bash = { .pid = 100, .ppid = 1, .start_ns = 2000 * MS + 5,
					.parent_start_ns = 10 * MS, .comm = "bash" };

/* snapshot (1, 100), bash forks 200 which execs /tmp/a\tb\n and /tmp/x
 * (two findings on two events), then 300 runs /usr/bin/ls; a gap. */
static void build(const char *dir, enum tr_rec_state state, int manifest)
{
	const char *const a_x[] = { "x", "-v", NULL };
	struct synth_task c = { .pid = 200, .ppid = 100, .start_ns = 5000 * MS + 7,
				.parent_start_ns = bash.start_ns, .comm = "bash" };
	struct synth_task l = { .pid = 300, .ppid = 100, .start_ns = 6000 * MS + 9,
				.parent_start_ns = bash.start_ns, .comm = "bash" };
	struct synth s;

	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_proc(&s, 1000 * MS, 1, 0, 10 * MS, "systemd", "/usr/lib/systemd/systemd", "/", NULL);
	synth_proc(&s, 1000 * MS, 100, 1, bash.start_ns, "bash", "/usr/bin/bash", "/root", NULL);
	synth_fork(&s, 0, 5000 * MS, &bash, 200, 200, c.start_ns);
	c.comm = "a\tb";
	synth_exec(&s, 1, 5001 * MS, &c, "/tmp/a\tb\n", a_x, 200);
	c.comm = "x";
	synth_exec(&s, 1, 5002 * MS, &c, "/tmp/x", a_x, 200);
	synth_gap(&s, 2, 5003 * MS, 5);
	synth_exit(&s, 1, 5004 * MS, &c, 0, 1);
	synth_watermark(&s, 5500 * MS);
	synth_fork(&s, 0, 6000 * MS, &bash, 300, 300, l.start_ns);
	l.comm = "ls";
	synth_exec(&s, 0, 6001 * MS, &l, "/usr/bin/ls", a_x, 300);
	synth_watermark(&s, 7000 * MS);
	assert_int_equal(synth_close(&s, state, manifest), 0);
}

static char *query(sqlite3 *db, const char *sql, int json)
{
	char *text = NULL, err[512];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (tr_query__run(db, sql, json, f, err, sizeof(err)))
		fail_msg("query failed: %s", err);
	fclose(f);
	return text;
}

static void expect_query(sqlite3 *db, const char *sql, const char *want)
{
	char *got = query(db, sql, 0);

	assert_string_equal(got, want);
	free(got);
}

static int do_index_opts(const char *dir, const char *db, int force, int donly, char *err, size_t errlen)
{
	struct tr_index_opts o = { .prog = "tracee-analyze", .diag = NULL, .detections_only = donly };
	struct tr_index_stats st;
	struct tr_store *s;
	int rc;

	if (force)
		unlink(db);
	rc = tr_store__open(&s, db, TR_STORE_WRITE, err, errlen);
	if (rc)
		return rc;
	rc = tr_index__recording(s, dir, &o, &st, err, errlen);
	if (s->ops->finish(s) && !rc) {
		snprintf(err, errlen, "%s", s->err);
		rc = -EIO;
	}
	tr_store__close(s);
	return rc;
}

static int do_index(const char *dir, const char *db, int force, char *err, size_t errlen)
{
	return do_index_opts(dir, db, force, 0, err, errlen);
}

/* The store's SQLite handle, read-only; the store in *sp. */
static int open_ro(const char *db, struct tr_store **sp, sqlite3 **out, char *err, size_t errlen)
{
	int rc = tr_store__open(sp, db, TR_STORE_READ, err, errlen);

	*out = rc ? NULL : tr_store_sqlite__db(*sp);
	return rc;
}

/* The line replay prints for ordinal n. */
static char *replay_line(const char *dir, uint64_t n);

static void test_index_rows(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], dbp[PATH_MAX], err[1024], *got, *line;
	struct tr_index_opts o = { .prog = "tracee-analyze" };
	struct tr_index_stats st;
	struct tr_store *store;
	sqlite3 *db;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
	build(dir, TR_STATE_COMPLETE, 1);
	assert_int_equal(tr_store__open(&store, dbp, TR_STORE_WRITE, err, sizeof(err)), 0);
	assert_int_equal(tr_index__recording(store, dir, &o, &st, err, sizeof(err)), 0);
	assert_int_equal(store->ops->finish(store), 0);
	tr_store__close(store);
	assert_int_equal(st.recording_id, 1);
	assert_int_equal(st.replaced, 0);
	assert_int_equal(st.detections, 2);
	assert_int_equal(st.events, 6);		/* every event */
	assert_int_equal(st.processes, 4);
	assert_int_equal(st.gaps, 1);
	assert_int_equal(st.replayed, 6);	/* events; the gap is not one */
	assert_int_equal(stat(dbp, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	assert_int_equal(open_ro(dbp, &store, &db, err, sizeof(err)), 0);
	expect_query(db, "PRAGMA journal_mode", "journal_mode\ndelete\n");
	expect_query(db, "SELECT state, hostname, events, lost_total, damaged_frames, indexed FROM recordings",
		     "state\thostname\tevents\tlost_total\tdamaged_frames\tindexed\ncomplete\tsynth-host\t6\t5\t0\t1\n");
	/* processes with parent links; ids carry the recording: (1 << 40) + n */
	expect_query(db, "SELECT id - (1 << 40) AS n, host_pid, parent_id - (1 << 40) AS parent, source, exited, "
			 "exe, argv FROM processes ORDER BY id",
		     "n\thost_pid\tparent\tsource\texited\texe\targv\n"
		     "1\t1\t\tsnapshot\t0\t/usr/lib/systemd/systemd\t\n"
		     "2\t100\t1\tsnapshot\t0\t/usr/bin/bash\t\n"
		     "3\t200\t2\tfork\t1\t/tmp/x\t[\"x\",\"-v\"]\n"
		     "4\t300\t2\tfork\t0\t/usr/bin/ls\t[\"x\",\"-v\"]\n");
	/* start_ns is wall clock, with its UTC text; the entity id spells the identity */
	expect_query(db, "SELECT start_ns, start_time, entity_id, parent_entity_id FROM processes WHERE host_pid = 200",
		     "start_ns\tstart_time\tentity_id\tparent_entity_id\n1700000005000000007\t"
		     "2023-11-14T22:13:25.000000007Z\tsynth-host:200:1700000005000000007\t"
		     "synth-host:100:1700000002000000000\n");	/* /proc start: ticks */
	/* a process tree's activity through the parent links */
	expect_query(db, "WITH RECURSIVE t(id) AS (SELECT (1 << 40) + 2 UNION ALL SELECT p.id FROM processes p "
			 "JOIN t ON p.parent_id = t.id) SELECT count(*) FROM detections JOIN t ON process_id = t.id",
		     "count(*)\n2\n");
	/* detections point at their events and processes; TSV escapes the tab
	 * and newline of the hostile path */
	expect_query(db, "SELECT signature_id, host_pid, event_name, segment, record_index, trigger_ordinal, exe "
			 "FROM detection_report ORDER BY id",
		     "signature_id\thost_pid\tevent_name\tsegment\trecord_index\ttrigger_ordinal\texe\n"
		     "TRR-1001\t200\tsched_process_exec\tevents/seg-000000.zst\t3\t2\t/tmp/x\n"
		     "TRR-1001\t200\tsched_process_exec\tevents/seg-000000.zst\t4\t3\t/tmp/x\n");
	expect_query(db, "SELECT json_extract(data, '$.pathname') FROM detections WHERE id = (1 << 40) + 1",
		     "json_extract(data, '$.pathname')\n/tmp/a\\tb\\n\n");
	expect_query(db, "SELECT cpu, lost, ordinal FROM gaps", "cpu\tlost\tordinal\n2\t5\t4\n");
	expect_query(db, "SELECT id, severity, mitre_id, origin FROM signatures WHERE id = 'TRR-1001'",
		     "id\tseverity\tmitre_id\torigin\nTRR-1001\t2\tT1105\tbuiltin\n");
	expect_query(db, "SELECT count(*) >= 38 FROM signatures", "count(*) >= 38\n1\n");
	/* argv decoded once: a JSON array, not a string of one */
	expect_query(db, "SELECT json_extract(argv, '$[1]') FROM processes WHERE host_pid = 300",
		     "json_extract(argv, '$[1]')\n-v\n");
	/* every event, its arguments as replay prints their values */
	expect_query(db, "SELECT count(*), min(ordinal), max(ordinal) FROM events",
		     "count(*)\tmin(ordinal)\tmax(ordinal)\n6\t1\t7\n");
	got = query(db, "SELECT args FROM events WHERE ordinal = 3", 1);
	line = replay_line(dir, 3);
	{
		json_error_t je;
		json_t *row = json_loads(got, 0, &je), *args, *want = json_loads(line, 0, &je), *a;
		size_t i;

		assert_non_null(row);
		assert_non_null(want);
		args = json_loads(json_string_value(json_object_get(row, "args")), 0, &je);
		assert_non_null(args);
		/* the arguments the record has; replay prints the zero value of
		 * those it lacks, the database leaves them out */
		/* cmdpath, argv, old_pid; and prev_comm, pwd, pathname, which
		 * replay fills from its state (the recorder leaves them out) */
		assert_int_equal(json_object_size(args), 6);
		json_array_foreach(json_object_get(want, "args"), i, a) {
			json_t *mine = json_object_get(args, json_string_value(json_object_get(a, "name")));
			const char *w = json_string_value(json_object_get(a, "value"));

			/* strings with control characters are kept in the
			 * database in its own escaped text form; the rest alike */
			if (mine && json_is_string(mine) && w && strpbrk(w, "\x01\x02\x03\x04\x05\x06\x07\x08\t\n\r")) {
				assert_true(strlen(json_string_value(mine)) > strlen(w));
			} else if (mine) {
				assert_true(json_equal(mine, json_object_get(a, "value")));
			}
		}
		json_decref(row);
		json_decref(args);
		json_decref(want);
	}
	free(got);
	free(line);
	tr_store__close(store);
	synth_remove(tmp);
	free(tmp);
}

/* Indexing a recording again gives the same rows; another is added beside
 * it; --detections-only keeps only the triggering events. */
static void test_index_again(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], dir2[PATH_MAX], dbp[PATH_MAX], err[1024], *a, *b;
	const char *all = "SELECT (SELECT group_concat(id || entity_id || coalesce(exe, '')) FROM processes) || "
			  "(SELECT group_concat(id || args) FROM events) || (SELECT group_concat(id || data) "
			  "FROM detections) || (SELECT group_concat(id || path) FROM files) || "
			  "(SELECT count(*) FROM recordings)";
	struct tr_store *store;
	sqlite3 *db;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(dir2, sizeof(dir2), "%s/rec2", tmp);
	snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
	build(dir, TR_STATE_COMPLETE, 1);
	assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), 0);
	assert_int_equal(open_ro(dbp, &store, &db, err, sizeof(err)), 0);
	a = query(db, all, 0);
	tr_store__close(store);
	assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), 0);
	assert_int_equal(open_ro(dbp, &store, &db, err, sizeof(err)), 0);
	b = query(db, all, 0);
	assert_string_equal(a, b);
	tr_store__close(store);
	free(a);
	free(b);
	/* a second recording with another start time: added as recording 2 */
	{
		struct synth s;

		assert_int_equal(synth_open(&s, dir2, 0), 0);
		synth_proc(&s, 1500 * MS, 7, 1, 10 * MS, "sshd", "/usr/sbin/sshd", "/", NULL);
		synth_watermark(&s, 2000 * MS);
		assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
	}
	/* ... of another host: the manifest says so */
	{
		char mp[PATH_MAX + 16];
		json_error_t je;
		json_t *m;

		snprintf(mp, sizeof(mp), "%s/manifest.json", dir2);
		m = json_load_file(mp, 0, &je);
		assert_non_null(m);
		json_object_set_new(json_object_get(m, "host"), "hostname", json_string("other-host"));
		assert_int_equal(json_dump_file(m, mp, 0), 0);
		json_decref(m);
	}
	assert_int_equal(do_index(dir2, dbp, 0, err, sizeof(err)), 0);
	assert_int_equal(open_ro(dbp, &store, &db, err, sizeof(err)), 0);
	expect_query(db, "SELECT recording_id, count(*) FROM processes GROUP BY 1",
		     "recording_id\tcount(*)\n1\t4\n2\t1\n");
	expect_query(db, "SELECT id, hostname FROM recordings ORDER BY id", "id\thostname\n1\tsynth-host\n2\tother-host\n");
	tr_store__close(store);
	/* detections only */
	assert_int_equal(do_index_opts(dir, dbp, 1, 1, err, sizeof(err)), 0);
	assert_int_equal(open_ro(dbp, &store, &db, err, sizeof(err)), 0);
	expect_query(db, "SELECT count(*), group_concat(ordinal) FROM events", "count(*)\tgroup_concat(ordinal)\n2\t2,3\n");
	expect_query(db, "SELECT detections_only FROM recordings", "detections_only\n1\n");
	tr_store__close(store);
	synth_remove(tmp);
	free(tmp);
}

static void test_index_refuses(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], dbp[PATH_MAX], err[1024];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
	build(dir, TR_STATE_COMPLETE, 1);
	/* a file that is not ours is left alone */
	f = fopen(dbp, "w");
	assert_non_null(f);
	fputs("precious, and long enough to look like a database header of some kind", f);
	fclose(f);
	assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "case.db: not a tracee-analyze database"));
	f = fopen(dbp, "r");
	{
		char buf[16] = { 0 };

		assert_non_null(fgets(buf, 9, f));
		assert_string_equal(buf, "precious");
	}
	fclose(f);
	assert_int_equal(do_index(dir, dbp, 1, err, sizeof(err)), 0);
	/* a bad recording leaves no rows of it */
	assert_int_equal(do_index(tmp, dbp, 0, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "not a recording"));
	/* an unwritable place */
	snprintf(dbp, sizeof(dbp), "%s/no/such/dir.db", tmp);
	assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot create"));
	synth_remove(tmp);
	free(tmp);
}

static void test_index_states(void **state)
{
	static const struct { enum tr_rec_state st; int manifest; const char *want; } cases[] = {
		{ TR_STATE_RECORDING, 1, "state\tstop_ns\ninterrupted\t\n" },
		{ TR_STATE_COMPLETE, 0, "state\tstop_ns\nunknown\t\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tmp = make_tmpdir(), dir[PATH_MAX], dbp[PATH_MAX], err[1024];
		struct tr_store *store;
		sqlite3 *db;

		snprintf(dir, sizeof(dir), "%s/rec", tmp);
		snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
		build(dir, cases[i].st, cases[i].manifest);
		assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), 0);
		assert_int_equal(open_ro(dbp, &store, &db, err, sizeof(err)), 0);
		expect_query(db, "SELECT state, stop_ns FROM recordings", cases[i].want);
		/* still complete in content */
		expect_query(db, "SELECT count(*) FROM detections", "count(*)\n2\n");
		tr_store__close(store);
		synth_remove(tmp);
		free(tmp);
	}
}

static void test_query_output(void **state)
{
	sqlite3 *db;
	char *got, err[512];
	FILE *devnull = fopen("/dev/null", "w");

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	got = query(db, "SELECT 1 AS a, 'x\ty\\z' AS b, NULL AS c, 2.5 AS d, x'00ff' AS e; SELECT 'two'", 0);
	assert_string_equal(got, "a\tb\tc\td\te\n1\tx\\ty\\\\z\t\t2.5\t00ff\n'two'\ntwo\n");
	free(got);
	got = query(db, "SELECT 1 AS a, 'x\ty\\z' AS b, NULL AS c, 2.5 AS d, x'00ff' AS e", 1);
	assert_string_equal(got, "{\"a\":1,\"b\":\"x\\ty\\\\\\\\z\",\"c\":null,\"d\":2.5,\"e\":\"AP8=\"}\n");
	free(got);
	/* comments and trailing blanks are not statements */
	got = query(db, "SELECT 3; -- done\n  ", 0);
	assert_string_equal(got, "3\n3\n");
	free(got);
	/* errors say where */
	assert_int_equal(tr_query__run(db, "SELECT 1; SELEC 2", 0, devnull, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "query: offset 10: near \"SELEC\": syntax error");
	assert_int_equal(tr_query__run(db, "SELECT * FROM nowhere", 0, devnull, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no such table: nowhere"));
	sqlite3_close(db);
	fclose(devnull);
}

static void test_open_checks(void **state)
{
	char *tmp = make_tmpdir(), p[PATH_MAX], err[512];
	struct tr_store *st;
	sqlite3 *db;

	snprintf(p, sizeof(p), "%s/missing.db", tmp);
	assert_int_equal(tr_store__open(&st, p, TR_STORE_READ, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.db: cannot open: No such file or directory"));
	assert_int_not_equal(access(p, F_OK), 0);	/* reading creates nothing */
	/* an SQLite database that is not ours */
	snprintf(p, sizeof(p), "%s/other.db", tmp);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(tr_store__open(&st, p, TR_STORE_READ, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a tracee-analyze database (application_id 0, user_version 7)"));
	assert_int_equal(tr_store__open(&st, p, TR_STORE_WRITE, err, sizeof(err)), -EINVAL);
	/* ours, but newer */
	snprintf(p, sizeof(p), "%s/newer.db", tmp);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 1414677336; PRAGMA user_version = 3; "
				      "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(tr_store__open(&st, p, TR_STORE_READ, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "made by a newer tracee-analyze (schema version 3; this one reads up to 2)"));
	/* not SQLite at all */
	snprintf(p, sizeof(p), "%s/text.db", tmp);
	{
		FILE *f = fopen(p, "w");

		fputs("this is not a database, it is text long enough to have a header", f);
		fclose(f);
	}
	assert_int_equal(tr_store__open(&st, p, TR_STORE_READ, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "text.db: not a tracee-analyze database"));
	synth_remove(tmp);
	free(tmp);
}

static void test_detections_report(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], dbp[PATH_MAX], err[1024], *text = NULL;
	size_t len = 0;
	struct tr_store *store;
	sqlite3 *db;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
	build(dir, TR_STATE_COMPLETE, 1);
	assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), 0);
	assert_int_equal(open_ro(dbp, &store, &db, err, sizeof(err)), 0);
	f = open_memstream(&text, &len);
	assert_int_equal(tr_query__detections(db, 0, f, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(text,
		"TIME                            SIGNATURE  SEVERITY  PID  PROCESS  EXE     DATA\n"
		"2023-11-14T22:13:25.001000000Z  TRR-1001   medium    200  x        /tmp/x  "
		"{\"pathname\":\"/tmp/a\\tb\\n\",\"cmdpath\":\"/tmp/a\\tb\\n\",\"temp_dir\":\"/tmp\"}\n"
		"2023-11-14T22:13:25.002000000Z  TRR-1001   medium    200  x        /tmp/x  "
		"{\"pathname\":\"/tmp/x\",\"cmdpath\":\"/tmp/x\",\"temp_dir\":\"/tmp\"}\n");
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	assert_int_equal(tr_query__detections(db, 1, f, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(text, "{\"timestamp\":1700000005001000000,\"time\":\"2023-11-14T22:13:25.001000000Z\","
				     "\"signatureID\":\"TRR-1001\",\"signature\":\"exec_from_temp_dir\","
				     "\"severity\":\"medium\",\"hostProcessId\":200,"));
	free(text);
	tr_store__close(store);
	{
		char t[64];

		tr_query__time(-1, t, sizeof(t));
		assert_string_equal(t, "1969-12-31T23:59:59.999999999Z");
	}
	synth_remove(tmp);
	free(tmp);
}

/* A table goes to a terminal: an exe name with escape sequences must not
 * reach it raw; JSON keeps the name (escaped by JSON's rules). */
static void test_questions_escape(void **state)
{
	const char *const argv0[] = { "evil", NULL };
	char *tmp = make_tmpdir(), dir[PATH_MAX], dbp[PATH_MAX], err[1024], *text = NULL;
	struct synth_task c = { .pid = 200, .ppid = 100, .start_ns = 5000 * MS + 7,
				.parent_start_ns = bash.start_ns, .comm = "bash" };
	struct tr_qargs a = { .arg = "200", .min_severity = -1, .since = INT64_MIN, .until = INT64_MAX };
	struct tr_store *store;
	struct synth s;
	size_t len = 0;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_proc(&s, 1000 * MS, 100, 1, bash.start_ns, "bash", "/usr/bin/bash", "/root", NULL);
	synth_fork(&s, 0, 5000 * MS, &bash, 200, 200, c.start_ns);
	synth_exec(&s, 1, 5001 * MS, &c, "/tmp/\x1b]0;owned\x07\x1b[2J\xc2\x9b\xe2\x80\xae" "evil", argv0, 200);
	synth_watermark(&s, 7000 * MS);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
	assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), 0);
	assert_int_equal(tr_store__open(&store, dbp, TR_STORE_READ, err, sizeof(err)), 0);
	for (int fmt = TR_OUT_TABLE; fmt <= TR_OUT_CSV; fmt++) {
		a.fmt = (enum tr_out_format)fmt;
		a.out = open_memstream(&text, &len);
		assert_int_equal(tr_question__find("process-tree")->run(store, &a, err, sizeof(err)), 0);
		fclose(a.out);
		if (fmt == TR_OUT_TABLE) {
			assert_null(strchr(text, '\x1b'));
			assert_null(strchr(text, '\x07'));
			assert_null(strstr(text, "\xc2\x9b"));	/* C1 CSI */
			assert_null(strstr(text, "\xe2\x80\xae"));	/* bidi RLO */
			assert_non_null(strstr(text, "/tmp/\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b\\xe2\\x80\\xaeevil"));
		} else if (fmt == TR_OUT_JSON) {
			assert_non_null(strstr(text, "/tmp/\\u001b]0;owned\\u0007\\u001b[2J"));
		}
		free(text);
		text = NULL;
	}
	/* no such process: an error naming it */
	a.arg = "4242";
	a.fmt = TR_OUT_JSON;
	a.out = open_memstream(&text, &len);
	assert_int_equal(tr_question__find("process-tree")->run(store, &a, err, sizeof(err)), -ENOENT);
	fclose(a.out);
	free(text);
	assert_string_equal(err, "no process with pid 4242");
	tr_store__close(store);
	synth_remove(tmp);
	free(tmp);
}

/* ---- replay for comparison ---- */

struct want_line {
	uint64_t n;
	struct tr_buf b;
	struct tr_json_host host;
};

static int grab(void *ctx, const struct tr_event_view *v)
{
	struct want_line *w = ctx;

	if (v->ordinal == w->n)
		return tr_json__event(&w->b, &w->host, v);
	return 0;
}

static char *replay_line(const char *dir, uint64_t n)
{
	struct tr_replay_opts o = { .prog = "test" };
	struct want_line w = { .n = n };
	struct tr_sink sink = { .event = grab, .ctx = &w };
	struct tr_replay *r;
	char err[512], *s;

	assert_int_equal(tr_replay__open(&r, dir, &o, err, sizeof(err)), 0);
	w.host = tr_replay__host(r);
	assert_int_equal(tr_replay__run(r, &sink, err, sizeof(err)), 0);
	tr_replay__free(r);
	assert_true(w.b.len > 1);
	s = strndup(w.b.p, w.b.len - 1);
	tr_buf__free(&w.b);
	return s;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_rows),
		cmocka_unit_test(test_index_again),
		cmocka_unit_test(test_index_refuses),
		cmocka_unit_test(test_index_states),
		cmocka_unit_test(test_query_output),
		cmocka_unit_test(test_open_checks),
		cmocka_unit_test(test_detections_report),
		cmocka_unit_test(test_questions_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
