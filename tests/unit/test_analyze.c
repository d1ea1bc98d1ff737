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

#include "index.h"
#include "query.h"
#include "bytes.h"
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

static int do_index(const char *dir, const char *db, int force, char *err, size_t errlen)
{
	struct tr_index_opts o = { .prog = "tracee-analyze", .diag = NULL, .force = force };
	struct tr_index_stats st;

	return tr_index__build(dir, db, &o, &st, err, errlen);
}

/* The line replay prints for ordinal n. */
static char *replay_line(const char *dir, uint64_t n);

static void test_index_rows(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], dbp[PATH_MAX], err[1024], *got, *line;
	struct tr_index_opts o = { .prog = "tracee-analyze" };
	struct tr_index_stats st;
	sqlite3 *db;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
	build(dir, TR_STATE_COMPLETE, 1);
	assert_int_equal(tr_index__build(dir, dbp, &o, &st, err, sizeof(err)), 0);
	assert_int_equal(st.detections, 2);
	assert_int_equal(st.events, 2);
	assert_int_equal(st.processes, 4);
	assert_int_equal(st.gaps, 1);
	assert_int_equal(st.replayed, 6);	/* events; the gap is not one */
	assert_int_equal(stat(dbp, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	{
		char tmpdb[PATH_MAX + 8];

		snprintf(tmpdb, sizeof(tmpdb), "%s.tmp", dbp);
		assert_int_not_equal(access(tmpdb, F_OK), 0);	/* no temporary left */
	}

	assert_int_equal(tr_index__open(dbp, &db, err, sizeof(err)), 0);
	expect_query(db, "SELECT state, hostname, events, lost_total, damaged_frames FROM recordings",
		     "state\thostname\tevents\tlost_total\tdamaged_frames\ncomplete\tsynth-host\t6\t5\t0\n");
	/* processes with parent links; ids follow the tree's creation order */
	expect_query(db, "SELECT id, host_pid, parent_id, source, exited, exe, argv FROM processes ORDER BY id",
		     "id\thost_pid\tparent_id\tsource\texited\texe\targv\n"
		     "1\t1\t\tsnapshot\t0\t/usr/lib/systemd/systemd\t\n"
		     "2\t100\t1\tsnapshot\t0\t/usr/bin/bash\t\n"
		     "3\t200\t2\tfork\t1\t/tmp/x\t[\"x\",\"-v\"]\n"
		     "4\t300\t2\tfork\t0\t/usr/bin/ls\t[\"x\",\"-v\"]\n");
	/* start_ns is wall clock */
	expect_query(db, "SELECT start_ns FROM processes WHERE host_pid = 200",
		     "start_ns\n1700000005000000007\n");
	/* a process tree's activity through the parent links */
	expect_query(db, "WITH RECURSIVE t(id) AS (SELECT 2 UNION ALL SELECT p.id FROM processes p "
			 "JOIN t ON p.parent_id = t.id) SELECT count(*) FROM detections JOIN t ON process_id = t.id",
		     "count(*)\n2\n");
	/* detections point at their events and processes; TSV escapes the tab
	 * and newline of the hostile path */
	expect_query(db, "SELECT signature_id, host_pid, event_name, segment, record_index, ordinal, exe "
			 "FROM detection_report ORDER BY id",
		     "signature_id\thost_pid\tevent_name\tsegment\trecord_index\tordinal\texe\n"
		     "TRR-1001\t200\tsched_process_exec\tevents/seg-000000.zst\t3\t2\t/tmp/x\n"
		     "TRR-1001\t200\tsched_process_exec\tevents/seg-000000.zst\t4\t3\t/tmp/x\n");
	expect_query(db, "SELECT json_extract(data, '$.pathname') FROM detections WHERE id = 1",
		     "json_extract(data, '$.pathname')\n/tmp/a\\tb\\n\n");
	expect_query(db, "SELECT cpu, lost, ordinal FROM gaps", "cpu\tlost\tordinal\n2\t5\t4\n");
	expect_query(db, "SELECT id, severity, mitre_id FROM signatures", "id\tseverity\tmitre_id\nTRR-1001\t2\tT1105\n");
	/* the stored JSON is exactly replay's line */
	got = query(db, "SELECT json FROM events WHERE ordinal = 3", 1);
	line = replay_line(dir, 3);
	{
		json_error_t je;
		json_t *row = json_loads(got, 0, &je);

		const char *text;
		char *raw;
		size_t rawlen;

		assert_non_null(row);
		/* query's output escapes the stored text's bytes (a backslash
		 * doubled, FORMAT.md 8): undo that before comparing */
		text = json_string_value(json_object_get(row, "json"));
		raw = malloc(strlen(text) + 1);
		assert_non_null(raw);
		assert_int_equal(tr_bytes__unescape(raw, &rawlen, text, strlen(text)), 0);
		assert_string_equal(raw, line);
		free(raw);
		json_decref(row);
	}
	free(got);
	free(line);
	sqlite3_close(db);
	synth_remove(tmp);
	free(tmp);
}

static void test_index_refuses_overwrite(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], dbp[PATH_MAX], err[1024];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
	build(dir, TR_STATE_COMPLETE, 1);
	f = fopen(dbp, "w");
	assert_non_null(f);
	fputs("precious", f);
	fclose(f);
	assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "case.db: exists; use --force"));
	f = fopen(dbp, "r");
	{
		char buf[16] = { 0 };

		assert_non_null(fgets(buf, sizeof(buf), f));
		assert_string_equal(buf, "precious");
	}
	fclose(f);
	assert_int_equal(do_index(dir, dbp, 1, err, sizeof(err)), 0);
	{
		sqlite3 *db;

		assert_int_equal(tr_index__open(dbp, &db, err, sizeof(err)), 0);
		sqlite3_close(db);
	}
	/* a bad recording leaves neither the DB nor its temporary */
	snprintf(dbp, sizeof(dbp), "%s/other.db", tmp);
	assert_int_equal(do_index(tmp, dbp, 0, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "not a recording"));
	assert_int_not_equal(access(dbp, F_OK), 0);
	/* nor does an unwritable place */
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
		sqlite3 *db;

		snprintf(dir, sizeof(dir), "%s/rec", tmp);
		snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
		build(dir, cases[i].st, cases[i].manifest);
		assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), 0);
		assert_int_equal(tr_index__open(dbp, &db, err, sizeof(err)), 0);
		expect_query(db, "SELECT state, stop_ns FROM recordings", cases[i].want);
		/* still complete in content */
		expect_query(db, "SELECT count(*) FROM detections", "count(*)\n2\n");
		sqlite3_close(db);
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
	sqlite3 *db;

	snprintf(p, sizeof(p), "%s/missing.db", tmp);
	assert_int_equal(tr_index__open(p, &db, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.db: cannot open: No such file or directory"));
	/* an SQLite database that is not an index */
	snprintf(p, sizeof(p), "%s/other.db", tmp);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(tr_index__open(p, &db, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a tracee-analyze index of version 1 (user_version 7)"));
	/* not SQLite at all */
	snprintf(p, sizeof(p), "%s/text.db", tmp);
	{
		FILE *f = fopen(p, "w");

		fputs("this is not a database, it is text long enough to have a header", f);
		fclose(f);
	}
	assert_int_equal(tr_index__open(p, &db, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "text.db: not an SQLite database"));
	synth_remove(tmp);
	free(tmp);
}

static void test_detections_report(void **state)
{
	char *tmp = make_tmpdir(), dir[PATH_MAX], dbp[PATH_MAX], err[1024], *text = NULL;
	size_t len = 0;
	sqlite3 *db;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(dbp, sizeof(dbp), "%s/case.db", tmp);
	build(dir, TR_STATE_COMPLETE, 1);
	assert_int_equal(do_index(dir, dbp, 0, err, sizeof(err)), 0);
	assert_int_equal(tr_index__open(dbp, &db, err, sizeof(err)), 0);
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
	sqlite3_close(db);
	{
		char t[64];

		tr_query__time(-1, t, sizeof(t));
		assert_string_equal(t, "1969-12-31T23:59:59.999999999Z");
	}
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
		cmocka_unit_test(test_index_refuses_overwrite),
		cmocka_unit_test(test_index_states),
		cmocka_unit_test(test_query_output),
		cmocka_unit_test(test_open_checks),
		cmocka_unit_test(test_detections_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
