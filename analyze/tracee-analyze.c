// SPDX-License-Identifier: MIT
/*
 * tracee-analyze: the responder's desk on top of the replay pipeline:
 * index a recording into SQLite, query it, list its detections.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "index.h"
#include "query.h"

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
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tr_index_opts o = { .prog = PROG, .diag = stderr, .stop = &stop };
	struct sigaction sa = { .sa_handler = on_signal };
	struct tr_index_stats st;
	const char *db = NULL;
	char err[1024];
	int c;

	while ((c = getopt_long(argc, argv, "o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': db = optarg; break;
		case 'f': o.force = 1; break;
		case 'h': return show_help(current);
		default: return usage_error("index", "bad option");
		}
	}
	if (argc - optind != 1)
		return usage_error("index", argc == optind ? "no recording directory given"
							   : "more than one recording directory given");
	if (!db)
		return usage_error("index", "no database given (-o DB)");
	if (isatty(STDERR_FILENO)) {
		o.progress = tr_replay__progress_tty;
		o.progress_ctx = (void *)PROG;
	}
	/* A signal stops indexing; the half-built database is removed. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (tr_index__build(argv[optind], db, &o, &st, err, sizeof(err))) {
		tr_diag__error(PROG, "%s", err);
		return 1;
	}
	printf("%s: %llu event%s replayed, %llu detection%s, %llu process%s, %llu gap%s\n", db,
	       (unsigned long long)st.replayed, st.replayed == 1 ? "" : "s",
	       (unsigned long long)st.detections, st.detections == 1 ? "" : "s",
	       (unsigned long long)st.processes, st.processes == 1 ? "" : "es",
	       (unsigned long long)st.gaps, st.gaps == 1 ? "" : "s");
	/* done, but the input was damaged: said on stderr and in the index */
	return st.damage ? 3 : 0;
}

/* ---- query, detections ---- */

static int open_db(const char *db, sqlite3 **out)
{
	char err[1024];

	if (tr_index__open(db, out, err, sizeof(err))) {
		tr_diag__error(PROG, "%s", err);
		return 1;
	}
	return 0;
}

static int read_cmd(int argc, char **argv, int want_sql)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int json = 0, c, rc;
	char err[1024];
	sqlite3 *db;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': return show_help(current);
		default: return usage_error(current->name, "bad option");
		}
	}
	if (argc - optind != 1 + want_sql)
		return usage_error(current->name, want_sql ? "expected DB and SQL" : "expected DB");
	if (open_db(argv[optind], &db))
		return 1;
	rc = want_sql ? tr_query__run(db, argv[optind + 1], json, stdout, err, sizeof(err))
		      : tr_query__detections(db, json, stdout, err, sizeof(err));
	sqlite3_close(db);
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

static int cmd_query(int argc, char **argv)
{
	return read_cmd(argc, argv, 1);
}

static int cmd_detections(int argc, char **argv)
{
	return read_cmd(argc, argv, 0);
}

static const struct cmd cmds[] = {
	{ "index", cmd_index, "index a recording into an SQLite database",
	  "USAGE: " PROG " index [--force] -o DB DIR\n"
	  "\n"
	  "Replay the recording in DIR with the signatures and write DB, an SQLite\n"
	  "database of schema/index.sql: the recording, every process of its process\n"
	  "tree, the detections, the events they point at, the gaps. DB is written\n"
	  "in one transaction and renamed into place (mode 0600).\n"
	  "\n"
	  "OPTIONS:\n"
	  "  -o, --output DB   the database to write\n"
	  "  -f, --force       replace DB if it exists (refused otherwise)\n"
	  "  -h, --help        print this help\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " index -o case.db rec/\n"
	  "  " PROG " index --force -o case.db rec/   # re-index with new signatures\n" },
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
	  "  " PROG " query case.db 'WITH RECURSIVE t(id) AS (SELECT 1 UNION ALL\n"
	  "      SELECT p.id FROM processes p JOIN t ON p.parent_id = t.id)\n"
	  "      SELECT p.host_pid, p.exe FROM processes p JOIN t USING (id)'\n" },
	{ "detections", cmd_detections, "list the detections in a database",
	  "USAGE: " PROG " detections [-j] DB\n"
	  "\n"
	  "Print the detections in DB, oldest first: time (UTC), signature,\n"
	  "severity, pid, process name, executable and the signature's data.\n"
	  "\n"
	  "OPTIONS:\n"
	  "  -j, --json   one JSON object per detection instead of a table\n"
	  "  -h, --help   print this help\n"
	  "\n"
	  "EXAMPLES:\n"
	  "  " PROG " detections case.db\n"
	  "  " PROG " detections -j case.db | jq -r .executable | sort | uniq -c\n" },
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
	      "EXIT STATUS: 0 success, 1 failure, 2 usage error, 3 done but the recording\n"
	      "is damaged or incomplete (index: the damage is on stderr and in the index).\n", out);
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
		/* The subcommand parses from its own name on. */
		return cmds[i].run(argc - 1, argv + 1);
	}
	return usage_error(NULL, "unknown command '%s'", name);
}
