// SPDX-License-Identifier: MIT
/*
 * tracee-analyze: the responder's desk on top of the replay pipeline:
 * index a recording into SQLite, query it, list its detections.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "index.h"
#include "sigrun.h"
#include "query.h"
#include "questions.h"
#include "bundle.h"
#include "report.h"
#include "store/store.h"
#include "fleet.h"

#define PROG "tracee-analyze"

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *help;	/* USAGE, OPTIONS, EXAMPLES */
};

static int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag__verror(PROG, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '" PROG " %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return 2;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* The subcommand running, for its help and messages. */
static const struct cmd *current;

static int show_help(const struct cmd *c)
{
	fputs(c->help, stdout);
	return 0;
}

/* ---- index ---- */

static int cmd_index(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "detections-only", no_argument, NULL, 'D' },
		{ "batch", required_argument, NULL, 'B' },
		TR_SIGRUN_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tr_index_opts o = { .prog = PROG, .diag = stderr, .stop = &stop };
	struct sigaction sa = { .sa_handler = on_signal };
	struct tr_index_stats st;
	struct tr_store *store = NULL;
	struct tr_sigrun_opts so = { .prog = PROG };
	struct tr_sigrun *sr = NULL;
	const char *db = NULL;
	int c, force = 0, rc = 0, damaged = 0, fresh, indexed = 0;
	char err[1024];

	while ((c = getopt_long(argc, argv, "o:fs:h", opts, NULL)) != -1) {
		int taken = tr_sigrun__option(&so, c, optarg, err, sizeof(err));

		if (taken < 0)
			return usage_error("index", "%s", err);
		if (taken)
			continue;
		switch (c) {
		case 'o': db = optarg; break;
		case 'f': force = 1; break;
		case 'D': o.detections_only = 1; break;
		case 'B': o.batch_rows = strtoul(optarg, NULL, 10); break;
		case 'h': return show_help(current);
		default: return usage_error("index", "bad option");
		}
	}
	if (argc == optind)
		return usage_error("index", "no recording directory given");
	if (!db)
		return usage_error("index", "no database given (-o DB)");
	if (isatty(STDERR_FILENO)) {
		o.progress = tr_replay__progress_tty;
		o.progress_ctx = (void *)PROG;
	}
	/* A signal stops indexing; the recording being indexed is taken out. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* The signatures to run: the built-ins, plugins and Sigma rules, as
	 * tracee-replay takes them (replay/sigrun.h). */
	if (tr_sigrun__load(&sr, &so))
		return 1;
	o.sigs = tr_sigrun__sigs(sr, &o.nsigs);
	o.suppress = tr_sigrun__suppress(sr, &o.suppress_ctx);

	if (force && unlink(db) && errno != ENOENT) {
		tr_diag__error(PROG, "%s: cannot remove: %s", db, strerror(errno));
		tr_sigrun__free(sr);
		return 1;
	}
	fresh = access(db, F_OK) != 0;
	if (tr_store__open(&store, db, TR_STORE_WRITE, err, sizeof(err))) {
		tr_diag__error(PROG, "%s", err);
		tr_sigrun__free(sr);
		return 1;
	}
	for (int i = optind; i < argc && !rc; i++) {
		rc = tr_index__recording(store, argv[i], &o, &st, err, sizeof(err));
		if (rc) {
			tr_diag__error(PROG, "%s", err);
			break;
		}
		damaged |= st.damaged;
		indexed++;
		printf("%s: %s: recording %lld%s: %llu event%s replayed, %llu detection%s, %llu process%s, "
		       "%llu gap%s, %llu rows\n", db, argv[i], (long long)st.recording_id,
		       st.replaced ? " (replaced)" : "",
		       (unsigned long long)st.replayed, st.replayed == 1 ? "" : "s",
		       (unsigned long long)st.detections, st.detections == 1 ? "" : "s",
		       (unsigned long long)st.processes, st.processes == 1 ? "" : "es",
		       (unsigned long long)st.gaps, st.gaps == 1 ? "" : "s", (unsigned long long)st.rows);
	}
	if (store->ops->finish(store)) {
		tr_diag__error(PROG, "%s", store->err);
		rc = -EIO;
	}
	tr_store__close(store);
	tr_sigrun__summary(sr, stderr);
	tr_sigrun__free(sr);
	if (rc && fresh && !indexed) {
		/* Nothing in it: leave no database made for nothing. */
		unlink(db);
	}
	return rc ? 1 : damaged ? 3 : 0;
}

/* ---- export (fleet.c) ---- */

static int cmd_export(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int rc;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rc = tr_fleet__export(argc, argv, PROG, &stop);
	if (rc == 2)
		fprintf(stderr, "Try '" PROG " export --help'.\n");
	return rc < 0 ? show_help(current) : rc;
}

/* ---- query, detections ---- */

static int open_db(const char *db, struct tr_store **out)
{
	char err[1024];

	if (tr_store__open(out, db, TR_STORE_READ, err, sizeof(err))) {
		tr_diag__error(PROG, "%s", err);
		return 1;
	}
	return 0;
}

static int cmd_migrate(int argc, char **argv)
{
	struct tr_store *s;
	char err[1024];

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return show_help(current);
	if (argc != 2)
		return usage_error("migrate", "expected DB");
	if (tr_store__open(&s, argv[1], TR_STORE_WRITE, err, sizeof(err))) {
		tr_diag__error(PROG, "%s", err);
		return 1;
	}
	if (s->ops->finish(s)) {
		tr_diag__error(PROG, "%s", s->err);
		tr_store__close(s);
		return 1;
	}
	tr_store__close(s);
	return 0;
}

static int cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int json = 0, c, rc;
	char err[1024];
	struct tr_store *store;
	sqlite3 *db;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': return show_help(current);
		default: return usage_error(current->name, "bad option");
		}
	}
	if (argc - optind != 2)
		return usage_error(current->name, "expected DB and SQL");
	if (open_db(argv[optind], &store))
		return 1;
	db = tr_store_sqlite__db(store);
	rc = db ? tr_query__run(db, argv[optind + 1], json, stdout, err, sizeof(err)) :
	     tr_fleet__query(store, argv[optind + 1], json, stdout, err, sizeof(err));
	tr_store__close(store);
	if (rc) {
		tr_diag__error(PROG, "%s: %s", argv[optind], err);
		return 1;
	}
	if (fflush(stdout)) {
		tr_diag__error(PROG, "standard output: write failed: %s", strerror(errno));
		return 1;
	}
	return 0;
}

/* ---- the canned questions ---- */

static int cmd_question(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "severity", required_argument, NULL, 'S' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "signature", required_argument, NULL, 'g' },
		{ "host", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const sev[] = { "info", "low", "medium", "high", "critical" };
	const struct tr_question *q = tr_question__find(current->name);
	struct tr_qargs a = { .min_severity = -1, .since = INT64_MIN, .until = INT64_MAX,
			      .fmt = TR_OUT_TABLE };
	const char *outpath = NULL;
	struct tr_store *store;
	char err[1024];
	int c, rc, damaged;
	unsigned used = 0;

	while ((c = getopt_long(argc, argv, "jo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if ((rc = tr_out__format(optarg)) < 0)
				return usage_error(current->name, "unknown format '%s' (table, json, csv)", optarg);
			a.fmt = (enum tr_out_format)rc;
			break;
		case 'j': a.fmt = TR_OUT_JSON; break;
		case 'o': outpath = optarg; break;
		case 'S':
			used |= TR_QOPT_SEVERITY;
			for (int i = 0; i < 5; i++)
				if (!strcmp(optarg, sev[i]) || (optarg[0] == '0' + i && !optarg[1]))
					a.min_severity = i > 3 ? 3 : i;
			if (a.min_severity < 0)
				return usage_error(current->name, "unknown severity '%s' (info, low, medium, high)", optarg);
			break;
		case 's':
		case 'u':
			used |= TR_QOPT_TIME;
			if (tr_question__time(optarg, c == 's' ? &a.since : &a.until))
				return usage_error(current->name, "bad time '%s' (ns since the epoch, or "
						   "YYYY-MM-DDTHH:MM:SS[.frac]Z)", optarg);
			break;
		case 'g': used |= TR_QOPT_SIGNATURE; a.signature = optarg; break;
		case 'H': used |= TR_QOPT_HOST; a.host = optarg; break;
		case 'h': return show_help(current);
		default: return usage_error(current->name, "bad option");
		}
	}
	if (used & ~q->opts)
		return usage_error(current->name, "an option given does not apply to %s", current->name);
	if (argc - optind != 1 + q->takes_arg)
		return usage_error(current->name, q->takes_arg ? "expected DB and one argument" : "expected DB");
	a.arg = q->takes_arg ? argv[optind + 1] : NULL;
	if (open_db(argv[optind], &store))
		return 1;
	a.out = stdout;
	if (outpath && !(a.out = fopen(outpath, "w"))) {
		tr_diag__error(PROG, "%s: cannot create: %s", outpath, strerror(errno));
		tr_store__close(store);
		return 1;
	}
	rc = q->run(store, &a, err, sizeof(err));
	damaged = tr_question__damage(store, stderr, PROG);
	tr_store__close(store);
	if ((fflush(a.out) || (outpath && fclose(a.out))) && !rc) {
		tr_diag__error(PROG, "%s: write failed: %s", outpath ? outpath : "standard output", strerror(errno));
		return 1;
	}
	if (rc) {
		tr_diag__error(PROG, "%s: %s", argv[optind], err);
		return 1;
	}
	return damaged > 0 ? 3 : 0;
}

/* ---- bundle, verify, extract ---- */

static int cmd_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, 'd' },
		{ "report", no_argument, NULL, 'r' },
		{ "sign", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tr_bundle_opts o = { 0 };
	const char *out = NULL;
	char err[1024], report[PATH_MAX] = "";
	int c, want_report = 0, rc;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'd': o.db = optarg; break;
		case 'r': want_report = 1; break;
		case 's': o.sign_key = optarg; break;
		case 'h': return show_help(current);
		default: return usage_error("bundle", "bad option");
		}
	}
	if (!out)
		return usage_error("bundle", "no bundle given (-o FILE.tar.zst)");
	if (argc == optind)
		return usage_error("bundle", "no recording directory given");
	if (want_report && !o.db)
		return usage_error("bundle", "--report needs --db");
	o.recordings = (const char *const *)argv + optind;
	o.nrecordings = (size_t)(argc - optind);
	if (want_report) {
		snprintf(report, sizeof(report), "%s.report.html", out);
		if (tr_report__write(o.db, report, err, sizeof(err))) {
			tr_diag__error(PROG, "%s", err);
			unlink(report);
			return 1;
		}
		o.report = report;
	}
	rc = tr_bundle__create(out, &o, err, sizeof(err));
	if (*report)
		unlink(report);
	if (rc) {
		tr_diag__error(PROG, "%s", err);
		return 1;
	}
	printf("%s: %zu recording%s%s%s%s\n", out, o.nrecordings, o.nrecordings == 1 ? "" : "s",
	       o.db ? ", database" : "", want_report ? ", report" : "", o.sign_key ? ", signed" : "");
	return 0;
}

static int verify_like(int argc, char **argv, int extract)
{
	static const struct option opts[] = {
		{ "pubkey", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *pubkey = NULL, *dir = NULL;
	char err[1024];
	int c, rc;

	while ((c = getopt_long(argc, argv, extract ? "o:h" : "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': pubkey = optarg; break;
		case 'o': dir = optarg; break;
		case 'h': return show_help(current);
		default: return usage_error(current->name, "bad option");
		}
	}
	if (argc - optind != 1)
		return usage_error(current->name, "expected one bundle");
	if (extract && !dir)
		return usage_error(current->name, "no directory given (-o DIR)");
	rc = extract ? tr_bundle__extract(argv[optind], dir, pubkey, stdout, err, sizeof(err))
		     : tr_bundle__verify(argv[optind], pubkey, stdout, err, sizeof(err));
	if (rc < 0) {
		tr_diag__error(PROG, "%s", err);
		return 1;
	}
	if (rc) {
		tr_diag__error(PROG, "%s: %s", argv[optind], extract ? "not extracted whole, or not intact (see above)"
									: "not intact (see above)");
		return 1;
	}
	printf("%s: intact%s\n", argv[optind], pubkey ? ", signature good" : "");
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	return verify_like(argc, argv, 0);
}

static int cmd_extract(int argc, char **argv)
{
	return verify_like(argc, argv, 1);
}

static int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL;
	char err[1024];
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': return show_help(current);
		default: return usage_error("report", "bad option");
		}
	}
	if (argc - optind != 1)
		return usage_error("report", "expected DB");
	if (!out)
		return usage_error("report", "no output given (-o FILE.html)");
	if (tr_report__write(argv[optind], out, err, sizeof(err))) {
		tr_diag__error(PROG, "%s", err);
		return 1;
	}
	return 0;
}

static const struct cmd cmds[] = {
	{ "export", cmd_export, "export recordings into ClickHouse (a fleet's case database)",
	  "USAGE: " PROG " export [OPTIONS] --clickhouse URL REC...\n"
	  "\n"
	  "Replay each recording as `index` does and send the same rows (every\n"
	  "event, by default) to a ClickHouse server over HTTP, in gzip-compressed\n"
	  "batches (schema/clickhouse.sql; the database and tables are made if\n"
	  "missing). Exporting a recording again replaces its rows. Then ask the\n"
	  "questions there: `" PROG " detections --clickhouse URL`.\n"
	  "\n"
	  "OPTIONS:\n"
	  "      --clickhouse URL   the server, http://HOST:8123\n"
	  "      --database NAME    the database (default tracee)\n"
	  "      --detections-only  only the events detections point at\n"
	  "      --batch N          rows between inserts (default 100000)\n"
	  "  -s, --signatures LIST, --sigma DIR|FILE, --signatures-dir DIR,\n"
	  "      --exceptions FILE, --except RULE   the signatures, as for index\n"
	  "  -h, --help             print this help\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " export --clickhouse http://collector:8123 /var/lib/rec/*\n"
	  "  " PROG " timeline --clickhouse http://collector:8123\n"
	  "\n"
	  "EXIT STATUS: 0 exported, 1 failed (the message names the batch the server\n"
	  "did not take; that recording's rows are taken out), 2 usage error, 3\n"
	  "exported, but a recording is damaged.\n" },
	{ "index", cmd_index, "index recordings into a case database",
	  "USAGE: " PROG " index [--detections-only] [--force] [--signatures LIST] [--sigma DIR]\n"
	  "       [--signatures-dir DIR] [--exceptions FILE] [--except RULE] -o DB DIR...\n"
	  "\n"
	  "Replay each recording DIR with the signatures and add it to DB, a case\n"
	  "database of schema/index.sql (created mode 0600 if missing): the\n"
	  "recording, every event, every process of its process tree, the\n"
	  "detections, files touched, network flows, artifacts, gaps. A recording\n"
	  "already in DB (same host, boot and start) is replaced by the same rows;\n"
	  "others are added beside it, of any host. A version 1 DB is migrated.\n"
	  "\n"
	  "OPTIONS:\n"
	  "  -o, --output DB       the database to write (or add to)\n"
	  "      --detections-only store only the events detections point at\n"
	  "  -f, --force           start DB afresh (remove it first)\n"
	  "      --batch N         rows per transaction (default 100000)\n"
	  "  -s, --signatures LIST run only these signatures: ids or names, comma-\n"
	  "                        separated, 'all', '-ID' to leave one out\n"
	  "      --sigma DIR|FILE  run these Sigma rules too (repeatable)\n"
	  "      --signatures-dir DIR  load out-of-tree signatures (*.so) too\n"
	  "      --exceptions FILE suppress findings these exceptions match (counted)\n"
	  "      --except RULE     one exception, as a line of such a file\n"
	  "  -h, --help            print this help\n"
	  "\n"
	  "EXIT STATUS: 0 indexed, 1 failed, 2 usage error, 3 indexed, but a\n"
	  "recording is damaged or incomplete (on stderr, and in recordings.damage\n"
	  "and the warnings table).\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " index -o case.db rec/\n"
	  "  " PROG " index -o case.db host1-rec/ host2-rec/\n"
	  "  " PROG " index --force -o case.db rec/   # start afresh\n"
	  "  " PROG " index --sigma rules/linux -o case.db rec/\n" },
	{ "migrate", cmd_migrate, "migrate a database to this schema version",
	  "USAGE: " PROG " migrate DB\n"
	  "\n"
	  "Bring DB, a case database of an older schema version (1), to this one\n"
	  "in place, keeping its rows. A database of this version is left as is.\n"
	  "\n"
	  "OPTIONS:\n"
	  "  -h, --help   print this help\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " migrate old-case.db\n" },
	{ "query", cmd_query, "run SQL on a database (read-only)",
	  "USAGE: " PROG " query [-j] DB SQL\n"
	  "\n"
	  "Run SQL (one or more statements) on DB, opened read-only, and print the\n"
	  "rows: a header line of column names, then tab-separated values (NULL is\n"
	  "empty; tab, newline, CR and backslash inside a value as \\t \\n \\r \\\\).\n"
	  "\n"
	  "OPTIONS:\n"
	  "  -j, --json   one JSON object per row instead\n"
	  "  -h, --help   print this help\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " query case.db 'SELECT host_pid, exe FROM processes WHERE exited = 0'\n"
	  "  " PROG " query -j case.db 'SELECT * FROM detection_report' | jq .exe\n"
	  "  " PROG " query case.db 'WITH RECURSIVE t(id) AS (SELECT id FROM processes WHERE host_pid = 1 UNION ALL\n"
	  "      SELECT p.id FROM processes p JOIN t ON p.parent_id = t.id)\n"
	  "      SELECT p.host_pid, p.exe FROM processes p JOIN t USING (id)'\n" },
#define FORMAT_OPTIONS \
	"  -F, --format FMT  table (default), json (JSON lines) or csv\n" \
	"  -j                short for --format json\n" \
	"  -o, --output FILE write there instead of standard output\n" \
	"  -h, --help        print this help\n"
#define QUESTION_EXIT \
	"\nEXIT STATUS: 0 answered, 1 failed (no such process, bad database), 2 usage\n" \
	"error, 3 answered, but a recording in DB is damaged or incomplete (named on\n" \
	"stderr).\n"
	{ "detections", cmd_question, "list the detections, filtered",
	  "USAGE: " PROG " detections [OPTIONS] DB\n"
	  "\n"
	  "The detections in DB, oldest first: time (UTC), host, signature, severity,\n"
	  "pid, process, executable, entity id, triggering event and its position,\n"
	  "and the signature's data.\n"
	  "\n"
	  "OPTIONS:\n"
	  "      --severity S  at least S: info, low, medium, high\n"
	  "      --since T     at or after T (UTC 2026-12-01T04:00:00Z, or ns)\n"
	  "      --until T     before T\n"
	  "      --signature S by signature id (TRR-1001) or name\n"
	  "      --host H      of host H only\n"
	  FORMAT_OPTIONS QUESTION_EXIT
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " detections case.db\n"
	  "  " PROG " detections --severity high --host web1 case.db\n"
	  "  " PROG " detections -j case.db | jq -r .exe | sort | uniq -c\n" },
	{ "process-tree", cmd_question, "a process's ancestors and descendants, and what each did",
	  "USAGE: " PROG " process-tree [OPTIONS] DB PID|ENTITY\n"
	  "\n"
	  "The processes with host pid PID (every one that held it, on every host) or\n"
	  "with entity id ENTITY (HOST:PID:START_NS), their ancestors and their\n"
	  "descendants, drawn as a tree, each with what it did: execs, files touched\n"
	  "by kind, flows (first few peers), detections.\n"
	  "\n"
	  "OPTIONS:\n"
	  "      --host H      of host H only\n"
	  FORMAT_OPTIONS QUESTION_EXIT
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " process-tree case.db 4242\n"
	  "  " PROG " process-tree case.db web1:4242:1764561906120000000\n" },
	{ "file", cmd_question, "who touched a file, how and when",
	  "USAGE: " PROG " file [OPTIONS] DB PATH-or-GLOB\n"
	  "\n"
	  "Every open, write, unlink, rename (either name) and chmod of PATH, or of\n"
	  "the paths GLOB matches (fnmatch: * ? [...]; * also matches /), oldest\n"
	  "first, with the process.\n"
	  "\n"
	  "OPTIONS:\n"
	  "      --since T, --until T, --host H   as for detections\n"
	  FORMAT_OPTIONS QUESTION_EXIT
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " file case.db /etc/passwd\n"
	  "  " PROG " file case.db '/tmp/*'\n" },
	{ "ip", cmd_question, "who talked to an address or network",
	  "USAGE: " PROG " ip [OPTIONS] DB ADDR|CIDR\n"
	  "\n"
	  "Every connect to and accept from ADDR (IPv4 or IPv6) or a network\n"
	  "(10.0.0.0/8), oldest first, with the process, DNS name and bytes where\n"
	  "the recording has them.\n"
	  "\n"
	  "OPTIONS:\n"
	  "      --since T, --until T, --host H   as for detections\n"
	  FORMAT_OPTIONS QUESTION_EXIT
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " ip case.db 127.0.0.1\n"
	  "  " PROG " ip -j case.db 203.0.113.0/24\n" },
	{ "timeline", cmd_question, "detections and key events in order, per host",
	  "USAGE: " PROG " timeline [OPTIONS] DB\n"
	  "\n"
	  "Detections, execs, file writes, unlinks, renames and chmods, connects and\n"
	  "accepts, and gaps, per host in time order.\n"
	  "\n"
	  "OPTIONS:\n"
	  "      --severity S, --since T, --until T, --signature S, --host H\n"
	  "                    as for detections (severity and signature filter the\n"
	  "                    detections only)\n"
	  FORMAT_OPTIONS QUESTION_EXIT
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " timeline --since 2026-12-01T04:00:00Z case.db\n" },
	{ "summary", cmd_question, "per recording: host, span, top processes, detections",
	  "USAGE: " PROG " summary [OPTIONS] DB\n"
	  "\n"
	  "One row per recording: host, kernel, time span, how it ended, events,\n"
	  "losses, damage, processes, detections by severity, and the five\n"
	  "processes with the most events.\n"
	  "\n"
	  "OPTIONS:\n"
	  "      --host H      of host H only\n"
	  FORMAT_OPTIONS QUESTION_EXIT
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " summary case.db\n" },
	{ "bundle", cmd_bundle, "pack recordings, database and report into one evidence file",
	  "USAGE: " PROG " bundle [--db DB [--report]] [--sign KEY] -o FILE.tar.zst DIR...\n"
	  "\n"
	  "Write one zstd-compressed tar holding the recordings DIR... (under\n"
	  "recordings/NAME/), the database DB as case.db, a report made from it as\n"
	  "report.html, and BUNDLE.json: the SHA-256 and size of every file, and\n"
	  "custody metadata (who, when, which host, which tool, which recordings).\n"
	  "With --sign, BUNDLE.json.sig: an Ed25519 signature of BUNDLE.json.\n"
	  "\n"
	  "OPTIONS:\n"
	  "  -o, --output FILE  the bundle to write (mode 0600)\n"
	  "      --db DB        add the case database\n"
	  "      --report       add a report of DB (report.html)\n"
	  "      --sign KEY     sign with this PEM Ed25519 private key\n"
	  "                     (openssl genpkey -algorithm ed25519 -out key.pem)\n"
	  "  -h, --help         print this help\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " bundle --db case.db --report -o case.tar.zst rec/\n"
	  "  " PROG " bundle --sign key.pem -o case.tar.zst rec1/ rec2/\n" },
	{ "verify", cmd_verify, "check an evidence bundle against its BUNDLE.json",
	  "USAGE: " PROG " verify [--pubkey KEY] FILE.tar.zst\n"
	  "\n"
	  "Recompute the SHA-256 of every file in the bundle and compare with\n"
	  "BUNDLE.json. Each problem is one line on standard output: changed: PATH,\n"
	  "missing: PATH, added: PATH, damaged: PATH (the archive itself is\n"
	  "damaged there), bad signature.\n"
	  "\n"
	  "OPTIONS:\n"
	  "      --pubkey KEY  check BUNDLE.json.sig with this PEM Ed25519 public key\n"
	  "                    (a bundle without a signature then fails)\n"
	  "  -h, --help        print this help\n"
	  "\n"
	  "EXIT STATUS: 0 intact, 1 changed, missing or added files (each named) or\n"
	  "unreadable, 2 usage error.\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " verify case.tar.zst\n"
	  "  " PROG " verify --pubkey pub.pem case.tar.zst\n" },
	{ "extract", cmd_extract, "unpack an evidence bundle safely, then verify it",
	  "USAGE: " PROG " extract [--pubkey KEY] -o DIR FILE.tar.zst\n"
	  "\n"
	  "Unpack the bundle into DIR (created, or empty), refusing absolute paths,\n"
	  "\"..\", hard links, symbolic links that point outside, and device files\n"
	  "(a refusal removes DIR again), then verify the files written as verify\n"
	  "does.\n"
	  "\n"
	  "OPTIONS:\n"
	  "  -o, --output DIR  where to unpack\n"
	  "      --pubkey KEY  as for verify\n"
	  "  -h, --help        print this help\n"
	  "\n"
	  "EXIT STATUS: 0 extracted and intact, 1 refused, damaged or not intact,\n"
	  "2 usage error.\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " extract -o case/ case.tar.zst\n" },
	{ "report", cmd_report, "write a self-contained HTML report of a database",
	  "USAGE: " PROG " report -o FILE.html DB\n"
	  "\n"
	  "One HTML file (inline CSS, JavaScript and SVG; it fetches nothing) with\n"
	  "the recordings, the timeline of detections and key events, the process\n"
	  "tree of the processes involved (drawn, collapsible), artifacts with\n"
	  "hashes, network flows and the recordings' gaps.\n"
	  "\n"
	  "OPTIONS:\n"
	  "  -o, --output FILE  the report to write\n"
	  "  -h, --help         print this help\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " report -o report.html case.db\n" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *out)
{
	fputs("USAGE: " PROG " COMMAND [OPTIONS] ARGS\n"
	      "       " PROG " COMMAND --help\n"
	      "\n"
	      "Index recordings made by tracee-record into SQLite and read the index.\n"
	      "\n"
	      "COMMANDS:\n", out);
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(out, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\n"
	      "OPTIONS:\n"
	      "  -V, --version   print the version\n"
	      "  -h, --help      print this help\n"
	      "\n"
	      "EXAMPLES:\n"
	      "  " PROG " index -o case.db rec/\n"
	      "  " PROG " detections case.db\n"
	      "  " PROG " query case.db 'SELECT count(*) FROM detections'\n"
	      "\n"
	      "EXIT STATUS: 0 success, 1 failure, 2 usage error.\n", out);
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2)
		return usage_error(NULL, "no command given");
	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
		printf(PROG " %s\n", TR_VERSION);
		return 0;
	}
	if (!strcmp(name, "help")) {
		for (size_t i = 0; argc > 2 && i < NCMDS; i++)
			if (!strcmp(argv[2], cmds[i].name))
				return show_help(&cmds[i]);
		if (argc > 2)
			return usage_error(NULL, "unknown command '%s'", argv[2]);
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCMDS; i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		current = &cmds[i];
		if (cmds[i].run != cmd_export) {
			/* --clickhouse URL [--database NAME] stands for DB */
			int argc1 = argc - 1;
			char **argv1 = argv + 1;

			if (tr_fleet__args(&argc1, &argv1, PROG) < 0)
				return 2;
			return cmds[i].run(argc1, argv1);
		}
		/* The subcommand parses from its own name on. */
		return cmds[i].run(argc - 1, argv + 1);
	}
	return usage_error(NULL, "unknown command '%s'", name);
}
