// SPDX-License-Identifier: MIT
/* fleet.c: export to ClickHouse, and the --clickhouse option (fleet.h). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fleet.h"
#include "index.h"
#include "json.h"
#include "sigrun.h"

static char *target_of(const char *url, const char *db)
{
	char *t = NULL;

	if (!db)
		return strdup(url);
	if (asprintf(&t, "%s%sdatabase=%s", url, strchr(url, '?') ? "&" : "?", db) < 0)
		return NULL;
	return t;
}

int tr_fleet__export(int argc, char **argv, const char *prog, volatile sig_atomic_t *stop)
{
	static const struct option opts[] = {
		{ "clickhouse", required_argument, NULL, 'C' },
		{ "database", required_argument, NULL, 'd' },
		{ "detections-only", no_argument, NULL, 'D' },
		{ "batch", required_argument, NULL, 'B' },
		TR_SIGRUN_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tr_sigrun_opts so = { .prog = prog };
	struct tr_sigrun *sr = NULL;
	struct tr_index_opts o = { .prog = prog, .diag = stderr, .stop = stop };
	struct tr_index_stats st;
	struct tr_store *store = NULL;
	const char *url = NULL, *dbname = NULL;
	char err[1024], *target;
	int c, rc = 0, damaged = 0;

	optind = 1;
	/* the signature options are index's (replay/sigrun.h) */
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		int taken = tr_sigrun__option(&so, c, optarg, err, sizeof(err));

		if (taken < 0) {
			tr_diag__error(prog, "export: %s", err);
			return 2;
		}
		if (taken)
			continue;
		switch (c) {
		case 'C': url = optarg; break;
		case 'd': dbname = optarg; break;
		case 'D': o.detections_only = 1; break;
		case 'B': o.batch_rows = strtoul(optarg, NULL, 10); break;
		case 'h': return -1;
		default:
			tr_diag__error(prog, "export: bad option");
			return 2;
		}
	}
	if (argc == optind) {
		tr_diag__error(prog, "export: no recording directory given");
		return 2;
	}
	if (!url) {
		tr_diag__error(prog, "export: no server given (--clickhouse http://HOST:8123)");
		return 2;
	}
	if (tr_sigrun__load(&sr, &so))
		return 1;
	o.sigs = tr_sigrun__sigs(sr, &o.nsigs);
	o.suppress = tr_sigrun__suppress(sr, &o.suppress_ctx);
	if (!(target = target_of(url, dbname))) {
		tr_diag__error(prog, "out of memory");
		tr_sigrun__free(sr);
		return 1;
	}
	if (isatty(STDERR_FILENO)) {
		o.progress = tr_replay__progress_tty;
		o.progress_ctx = (void *)prog;
	}
	if (tr_store__open(&store, target, TR_STORE_WRITE, err, sizeof(err))) {
		tr_diag__error(prog, "%s", err);
		free(target);
		tr_sigrun__free(sr);
		return 1;
	}
	for (int i = optind; i < argc && !rc; i++) {
		rc = tr_index__recording(store, argv[i], &o, &st, err, sizeof(err));
		if (rc) {
			tr_diag__error(prog, "%s", err);
			break;
		}
		/* the last insert may still be on its way: exported only once there */
		if (store->ops->sync && (rc = store->ops->sync(store))) {
			tr_diag__error(prog, "%s: %s", argv[i], store->err);
			store->ops->recording_drop(store, st.recording_id);
			break;
		}
		damaged |= st.damaged;
		printf("%s: %s: recording %lld%s: %llu event%s replayed, %llu detection%s, %llu process%s, "
		       "%llu gap%s, %llu rows exported\n", target, argv[i], (long long)st.recording_id,
		       st.replaced ? " (replaced)" : "",
		       (unsigned long long)st.replayed, st.replayed == 1 ? "" : "s",
		       (unsigned long long)st.detections, st.detections == 1 ? "" : "s",
		       (unsigned long long)st.processes, st.processes == 1 ? "" : "es",
		       (unsigned long long)st.gaps, st.gaps == 1 ? "" : "s", (unsigned long long)st.rows);
		fflush(stdout);
	}
	if (!rc && store->ops->finish(store)) {
		tr_diag__error(prog, "%s", store->err);
		rc = -EIO;
	}
	tr_store__close(store);
	free(target);
	tr_sigrun__summary(sr, stderr);
	tr_sigrun__free(sr);
	return rc ? 1 : damaged ? 3 : 0;
}

int tr_fleet__args(int *argc, char ***argv, const char *prog)
{
	const char *url = NULL, *db = NULL;
	char **nv;
	int n = 0;

	for (int i = 1; i < *argc; i++) {
		const char *a = (*argv)[i];

		if (!strcmp(a, "--")) 
			break;
		if ((!strcmp(a, "--clickhouse") || !strcmp(a, "--database")) && i + 1 >= *argc) {
			tr_diag__error(prog, "%s needs a value", a);
			return -EINVAL;
		}
		if (!strcmp(a, "--clickhouse"))
			url = (*argv)[++i];
		else if (!strncmp(a, "--clickhouse=", 13))
			url = a + 13;
		else if (!strcmp(a, "--database"))
			db = (*argv)[++i];
		else if (!strncmp(a, "--database=", 11))
			db = a + 11;
	}
	if (!url && !db)
		return 1;
	if (!url) {
		tr_diag__error(prog, "--database needs --clickhouse URL");
		return -EINVAL;
	}
	if (!(nv = calloc((size_t)*argc + 2, sizeof(*nv))))
		return -ENOMEM;
	/* command name, its options, then the target, then the rest */
	nv[n++] = (*argv)[0];
	{
		int i;
		char *t = target_of(url, db);

		if (!t)
			return -ENOMEM;
		for (i = 1; i < *argc; i++) {
			const char *a = (*argv)[i];

			if (!strcmp(a, "--clickhouse") || !strcmp(a, "--database")) {
				i++;
				continue;
			}
			if (!strncmp(a, "--clickhouse=", 13) || !strncmp(a, "--database=", 11))
				continue;
			nv[n++] = (*argv)[i];
		}
		/* first after the command name: getopt moves operands after the
		 * options in their order, so it is the first operand (DB) */
		memmove(&nv[2], &nv[1], (size_t)(n - 1) * sizeof(*nv));
		nv[1] = t;
		n++;
		(void)i;
	}
	nv[n] = NULL;
	*argc = n;
	*argv = nv;
	return 0;
}

struct qprint {
	FILE *out;
	int json, header;
	struct tr_buf b;
};

static void put_tsv(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		switch (s[i]) {
		case '\t': fputs("\\t", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\\': fputs("\\\\", out); break;
		default: fputc(s[i], out);
		}
}

static int qprint_row(void *ctx, const char *const *names, const struct tr_val *cols, size_t n)
{
	struct qprint *q = ctx;

	if (q->json) {
		tr_buf__reset(&q->b);
		tr_buf__putc(&q->b, '{');
		for (size_t i = 0; i < n; i++) {
			if (i)
				tr_buf__putc(&q->b, ',');
			tr_json__cstr(&q->b, names[i]);
			tr_buf__putc(&q->b, ':');
			if (cols[i].type == TR_VAL_INT)
				tr_json__i64(&q->b, cols[i].i);
			else if (cols[i].type == TR_VAL_TEXT)
				tr_json__str(&q->b, (const unsigned char *)cols[i].s, cols[i].len);
			else
				tr_buf__lit(&q->b, "null");
		}
		tr_buf__lit(&q->b, "}\n");
		if (q->b.err)
			return -ENOMEM;
		fwrite(q->b.p, 1, q->b.len, q->out);
		return 0;
	}
	if (!q->header) {
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputc('\t', q->out);
			put_tsv(q->out, names[i], strlen(names[i]));
		}
		fputc('\n', q->out);
		q->header = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc('\t', q->out);
		if (cols[i].type == TR_VAL_INT)
			fprintf(q->out, "%lld", (long long)cols[i].i);
		else if (cols[i].type == TR_VAL_TEXT)
			put_tsv(q->out, cols[i].s, cols[i].len);
	}
	fputc('\n', q->out);
	return 0;
}

int tr_fleet__query(struct tr_store *s, const char *sql, int json, FILE *out, char *err, size_t errlen)
{
	struct qprint q = { .out = out, .json = json };
	int rc = s->ops->select(s, sql, NULL, 0, qprint_row, &q);

	tr_buf__free(&q.b);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "query: out of memory");
	else if (rc) {
		/* the caller names the target */
		size_t tl = strlen(s->target);
		const char *m = !strncmp(s->err, s->target, tl) && !strncmp(s->err + tl, ": ", 2) ? s->err + tl + 2 : s->err;

		snprintf(err, errlen, "%s", m);
	}
	return rc;
}
