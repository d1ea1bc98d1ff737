// SPDX-License-Identifier: MIT
/*
 * tracee-replay: replay a recording made by tracee-record, on any machine,
 * and print its events (and, on request, signature findings) as JSON lines
 * in Tracee's event format. Same recording, same output, byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "filter.h"
#include "output.h"
#include "pipeline.h"
#include "tracee_json.h"
#include "show.h"
#include "sigrun.h"

#define PROG "tracee-replay"
/* Output is written in chunks of about this size: few syscalls, and the
 * buffer is reused, so the event path does not allocate. */
#define OUT_CHUNK (256U << 10)

static const char usage[] =
"USAGE: " PROG " [OPTIONS] DIR\n"
"       " PROG " [OPTIONS] --input tracee-json FILE|-\n"
"       " PROG " --list-events [DIR]\n"
"       " PROG " --list-signatures\n"
"\n"
"Replay the recording in DIR (made by tracee-record) without the kernel that\n"
"made it: merge the per-CPU streams, rebuild the process tree, and print each\n"
"event as one JSON line in Tracee's event format. The same recording always\n"
"gives byte-identical output. Damaged frames are reported on stderr and\n"
"skipped; gaps (lost events) appear in the output as lost_events.\n"
"\n"
"OPTIONS:\n"
"  -o, --output FILE      write to FILE (created mode 0600) instead of stdout\n"
"      --format FMT       json (Tracee's event JSON, the default), json-compact\n"
"                         (time, ids, event, args as one object) or table\n"
"                         (aligned columns for a terminal, arguments parsed)\n"
"                         or none (replay and check only: exit status, timing)\n"
"  -j                     short for --format json\n"
"      --input tracee-json\n"
"                         read Tracee's JSON event lines (tracee --output json)\n"
"                         from FILE (- for stdin) instead of a recording: the\n"
"                         same enrichment, derived events and signatures; a bad\n"
"                         line is reported with its number and skipped\n"
"      --parse-args       flags, modes, signals, ptrace requests, socket\n"
"                         families, exit statuses by name, fds as \"3=/path\"\n"
"      --time-format F    ns (integer, Tracee's) or rfc3339 (strings, UTC)\n"
"\n"
"FILTERS (all given must hold):\n"
"  -e, --events LIST      event names or families, comma-separated: proc, file,\n"
"                         net, system, container, syscalls, derived (events\n"
"                         replay makes: security_file_open, socket_dup, ...),\n"
"                         recorded, all. Default: every recorded event\n"
"  -p, --pid PID          events of host pid PID (repeatable)\n"
"      --descendants      with --pid: and of its descendants\n"
"  -c, --comm NAME        processes named NAME (a glob; repeatable)\n"
"      --container ID     in the container whose id starts with ID (\"any\": any)\n"
"      --exe GLOB         processes whose executable matches GLOB\n"
"      --path GLOB        events touching a path matching GLOB (absolute\n"
"                         forms, fds' files, string arguments)\n"
"      --since T, --until T\n"
"                         a time window: RFC 3339 (2026-12-01T04:00:00Z) or\n"
"                         relative to the recording's start (+30s, +2m, +500ms);\n"
"                         frames outside it are skipped through the time index\n"
"      --follow           read a recording while it is written (like tail -f),\n"
"                         up to the last watermark; stop once it is finalised\n"
"  -f, --findings         also run the signatures; print each finding after\n"
"                         the event that triggered it\n"
"  -F, --only-findings    run the signatures, print only their findings\n"
"      --verify           also check each segment's SHA-256 against the\n"
"                         manifest (sizes, counts, frame sequence and hash\n"
"                         chain are always checked)\n"
"      --list-events      print the event catalog (the recording's with DIR):\n"
"                         id, name, arguments, tab-separated\n"
"  -s, --signatures LIST  run only these signatures: ids or names, comma-\n"
"                         separated; \"all\"; \"-ID\" takes one out (implies -f\n"
"                         unless -F is given)\n"
"      --signatures-dir DIR  load out-of-tree signatures from the *.so files\n"
"                         in DIR (ABI TR_SIG_ABI_VERSION; see examples/)\n"
"      --sigma DIR|FILE   load Sigma rules (linux process_creation,\n"
"                         file_event, file_delete, file_rename,\n"
"                         network_connection); repeatable\n"
"      --exceptions FILE  suppress findings an exception matches (format in\n"
"                         replay/sigexcept.h and the README); each counted\n"
"      --except 'RULE'    one exception on the command line, e.g.\n"
"                         'signature=TRR-1001 exe=/opt/ir/*'; repeatable\n"
"      --list-signatures  print the signatures (with the --signatures-dir and\n"
"                         --sigma ones): id, severity, origin, MITRE technique,\n"
"                         name, events it reads, status (live; derived: events\n"
"                         replay derives; external: live recordings cannot\n"
"                         feed it), tab-separated\n"
"  -V, --version          print the version\n"
"  -h, --help             print this help\n"
"\n"
"EXAMPLES:\n"
"  " PROG " rec/                          # every event, JSON lines\n"
"  " PROG " -f -o events.json rec/        # events and findings, to a file\n"
"  " PROG " -F rec/ | jq -r .metadata.Properties.signatureID\n"
"  " PROG " rec/ | jq -c 'select(.eventName == \"execve\") | .args'\n"
"  " PROG " --list-events\n"
"  " PROG " --format table -e execve,security_file_open --pid 1234 --descendants rec/\n"
"  " PROG " --since +30s --until +31s --path '/tmp/*' rec/\n"
"  " PROG " -F --signatures all,-TRR-1001 --sigma rules/ rec/\n"
"  " PROG " -F --except 'ir-tools: exe=/opt/ir/* signature=TRR-1001' rec/\n"
"\n"
"EXIT STATUS: 0 when the recording was replayed and proved whole, 1 on\n"
"failure, 2 on a usage error, 3 when it was replayed but is damaged or\n"
"incomplete (frames cut or corrupt, segments missing or not as the manifest\n"
"lists them, records missing from a CPU's sequence, an interrupted\n"
"recording): the damage is on stderr.\n";

struct out {
	int fd;
	const char *path;	/* for messages */
	struct tr_buf buf;
	struct tr_json_host host;
	enum tr_out_format fmt;
	struct tr_filter filter;
	struct tr_replay *r;
	int events;		/* print events */
	int err;		/* first write error, -errno */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int usage_error(const char *msg)
{
	tr_diag__error(PROG, "%s", msg);
	fprintf(stderr, "Try '" PROG " --help'.\n");
	return 2;
}

static int out_flush(struct out *o)
{
	size_t off = 0;

	while (!o->err && off < o->buf.len) {
		ssize_t n = write(o->fd, o->buf.p + off, o->buf.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			o->err = -errno;
		else
			off += (size_t)n;
	}
	o->buf.len = 0;
	return o->err;
}

static int out_line_done(struct out *o)
{
	if (o->buf.err) {
		o->err = o->buf.err;
		return o->err;
	}
	return o->buf.len >= OUT_CHUNK ? out_flush(o) : 0;
}

static int on_event(void *ctx, const struct tr_event_view *v)
{
	struct out *o = ctx;

	if (!o->events)
		return 0;
	if (!o->filter.tree && o->r)
		o->filter.tree = tr_engine__tree(tr_replay__engine(o->r));
	if (!o->filter.has_events && v->derived)
		return 0;
	if (!tr_filter__match(&o->filter, v, 1))
		return 0;
	tr_output__event(&o->buf, o->fmt, &o->host, v);
	return out_line_done(o);
}

static int on_finding(void *ctx, const struct tr_finding *f)
{
	struct out *o = ctx;

	if (!o->filter.tree && o->r)
		o->filter.tree = tr_engine__tree(tr_replay__engine(o->r));
	if (!tr_filter__match(&o->filter, f->ev, 0))
		return 0;
	tr_output__finding(&o->buf, o->fmt, &o->host, f);
	return out_line_done(o);
}

static int list_events(const char *dir)
{
	const struct tr_catalog *c = tr_catalog__builtin();
	struct tr_replay_opts ro = { .prog = PROG, .diag = stderr };
	struct tr_replay *r = NULL;
	char err[1024];

	if (dir) {
		if (tr_replay__open(&r, dir, &ro, err, sizeof(err))) {
			tr_diag__error(PROG, "%s", err);
			return 1;
		}
		c = tr_replay__recording(r)->catalog;
	}
	/* A recording's catalog is the recording's: its names are shown
	 * escaped, so that none can drive the terminal. */
	for (size_t i = 0; i < c->n; i++) {
		const struct tr_event_def *d = &c->events[i];
		char a[TR_SHOW_MAX], b[TR_SHOW_MAX];

		printf("%u\t%s\t", d->id, tr_show_str(a, d->name));
		for (unsigned j = 0; j < d->nargs && j < TR_MAX_ARGS; j++)
			printf("%s%s %s", j ? ", " : "", tr_show_str(a, d->args[j].type),
			       tr_show_str(b, d->args[j].name));
		putchar('\n');
	}
	tr_replay__free(r);
	return 0;
}

/* --input tracee-json: Tracee's JSON lines through the same engine. */
static int run_tracee_json(const char *path, const char *output, struct out *o, const struct tr_sink *sink,
			   const struct tr_replay_opts *ro)
{
	struct tr_diag diag = { .prog = PROG, .out = stderr };
	struct tr_engine_opts eo = { .diag = &diag, .dir = NULL, .sink = *sink, .derived = ro->derived };
	struct tr_engine *e = NULL;
	struct tr_tj_stats st;
	FILE *in = strcmp(path, "-") ? fopen(path, "re") : stdin;
	const char *name = strcmp(path, "-") ? path : "standard input";
	int err, rc = 1;

	if (!in) {
		tr_diag__error(PROG, "%s: cannot open: %s", path, strerror(errno));
		return 1;
	}
	o->host.hostname = "";
	o->host.boot_to_wall_ns = 0;	/* Tracee's times are wall-clock already */
	o->filter.boot_to_wall = 0;
	if (output) {
		o->fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (o->fd < 0) {
			tr_diag__error(PROG, "%s: cannot create: %s", output, strerror(errno));
			goto out;
		}
		o->path = output;
	}
	if (ro->signatures && ro->sigs) {
		eo.sigs = ro->sigs;
		eo.nsigs = ro->nsigs;
	} else if (ro->signatures) {
		eo.sigs = tr_signatures__builtin(&eo.nsigs);
	}
	eo.suppress = ro->suppress;
	eo.suppress_ctx = ro->suppress_ctx;
	err = tr_engine__new(&e, &eo);
	if (err) {
		tr_diag__error(PROG, "cannot start the engine: %s", strerror(-err));
		goto out;
	}
	o->filter.tree = tr_engine__tree(e);
	tr_output__header(&o->buf, o->fmt);
	err = tr_tracee_json__run(in, name, e, &diag, &stop, &st);
	if (!err || err == -EINTR) {
		int ferr = out_flush(o);

		err = err ?: ferr;
	}
	if (err) {
		if (o->err)
			tr_diag__error(PROG, "%s: write failed: %s", o->path, strerror(-o->err));
		else
			tr_diag__error(PROG, "%s: %s", name, err == -EINTR ? "interrupted" : strerror(-err));
		goto out;
	}
	tr_engine__summary(e);
	if (st.bad)
		tr_diag__summary(&diag, "%s: %llu of %llu lines could not be read and were skipped", name,
				 (unsigned long long)st.bad, (unsigned long long)st.lines);
	rc = diag.damage ? 3 : 0;
out:
	if (output && o->fd >= 0 && close(o->fd) && !rc) {
		tr_diag__error(PROG, "%s: close failed: %s", output, strerror(errno));
		rc = 1;
	}
	if (in != stdin)
		fclose(in);
	tr_engine__free(e);
	tr_buf__free(&o->buf);
	return rc;
}

int main(int argc, char **argv)
{
	enum { OPT_LIST_EVENTS = 256, OPT_LIST_SIGS, OPT_FORMAT, OPT_PARSE_ARGS, OPT_TIME_FORMAT,
	       OPT_DESCENDANTS, OPT_CONTAINER, OPT_EXE, OPT_PATH, OPT_SINCE, OPT_UNTIL, OPT_FOLLOW,
	       OPT_VERIFY, OPT_INPUT };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "parse-args", no_argument, NULL, OPT_PARSE_ARGS },
		{ "time-format", required_argument, NULL, OPT_TIME_FORMAT },
		{ "events", required_argument, NULL, 'e' },
		{ "event", required_argument, NULL, 'e' },
		{ "pid", required_argument, NULL, 'p' },
		{ "descendants", no_argument, NULL, OPT_DESCENDANTS },
		{ "comm", required_argument, NULL, 'c' },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "exe", required_argument, NULL, OPT_EXE },
		{ "path", required_argument, NULL, OPT_PATH },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "findings", no_argument, NULL, 'f' },
		{ "only-findings", no_argument, NULL, 'F' },
		{ "list-events", no_argument, NULL, OPT_LIST_EVENTS },
		{ "list-signatures", no_argument, NULL, OPT_LIST_SIGS },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		TR_SIGRUN_LONGOPTS,
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tr_replay_opts ro = { .prog = PROG, .diag = stderr, .stop = &stop };
	struct sigaction sa = { .sa_handler = on_signal };
	struct out o = { .fd = STDOUT_FILENO, .path = "standard output", .events = 1 };
	const char *output = NULL, *dir, *since = NULL, *until = NULL;
	int input_tj = 0, findings = 0, only = 0, list_ev = 0, list_sig = 0, c, rc = 1, err, parse_args = 0, fmt_set = 0;
	struct tr_filter *fl = &o.filter;
	char *end;
	struct tr_sink sink = { .event = on_event, .ctx = &o };
	struct tr_replay *r = NULL;
	struct tr_sigrun_opts so = { .prog = PROG };
	struct tr_sigrun *sr = NULL;
	char msg[1024];

	/* Options. */
	while ((c = getopt_long(argc, argv, "o:fFs:Vhje:p:c:", longopts, NULL)) != -1) {
		/* the signature options (replay/sigrun.h); naming signatures
		 * implies -f */
		err = tr_sigrun__option(&so, c, optarg, msg, sizeof(msg));
		if (err < 0)
			return usage_error(msg);
		findings |= err == 1;
		if (err)
			continue;
		switch (c) {
		case 'o': output = optarg; break;
		case 'j': o.fmt = TR_OUT_JSON; fmt_set = 1; break;
		case OPT_FORMAT:
			if (tr_output__format(optarg) < 0)
				return usage_error("--format takes json, json-compact, table or none");
			o.fmt = (enum tr_out_format)tr_output__format(optarg);
			fmt_set = 1;
			break;
		case OPT_PARSE_ARGS: parse_args = 1; break;
		case OPT_TIME_FORMAT:
			if (!strcmp(optarg, "rfc3339"))
				o.host.flags |= TR_JSON_RFC3339;
			else if (strcmp(optarg, "ns"))
				return usage_error("--time-format takes ns or rfc3339");
			break;
		case 'e':
			if (tr_filter__events(fl, optarg, msg, sizeof(msg)))
				return usage_error(msg);
			break;
		case 'p':
			if (fl->npids == TR_FILTER_MAX)
				return usage_error("too many --pid");
			errno = 0;
			fl->pids[fl->npids++] = (uint32_t)strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg)
				return usage_error("--pid takes a process id");
			break;
		case OPT_DESCENDANTS: fl->descendants = 1; break;
		case 'c':
			if (fl->ncomms == TR_FILTER_MAX)
				return usage_error("too many --comm");
			fl->comms[fl->ncomms++] = optarg;
			break;
		case OPT_CONTAINER:
			if (fl->ncontainers == TR_FILTER_MAX)
				return usage_error("too many --container");
			fl->containers[fl->ncontainers++] = optarg;
			break;
		case OPT_EXE:
			if (fl->nexes == TR_FILTER_MAX)
				return usage_error("too many --exe");
			fl->exes[fl->nexes++] = optarg;
			break;
		case OPT_PATH:
			if (fl->npaths == TR_FILTER_MAX)
				return usage_error("too many --path");
			fl->paths[fl->npaths++] = optarg;
			break;
		case OPT_SINCE: since = optarg; break;
		case OPT_UNTIL: until = optarg; break;
		case OPT_FOLLOW: ro.follow = 1; break;
		case OPT_INPUT:
			if (strcmp(optarg, "tracee-json"))
				return usage_error("--input takes tracee-json");
			input_tj = 1;
			break;
		case 'f': findings = 1; break;
		case 'F': only = 1; break;
		case OPT_LIST_EVENTS: list_ev = 1; break;
		case OPT_LIST_SIGS: list_sig = 1; break;
		case OPT_VERIFY: ro.verify = 1; break;
		case 'V': printf(PROG " %s\n", TR_VERSION); return 0;
		case 'h': fputs(usage, stdout); return 0;
		default:
			fprintf(stderr, "Try '" PROG " --help'.\n");
			return 2;
		}
	}
	if (list_sig) {
		if (optind != argc)
			return usage_error("--list-signatures takes no DIR");
		if (tr_sigrun__load(&sr, &so))
			return 1;
		tr_sigrun__list(sr, stdout);
		tr_sigrun__summary(sr, stderr);
		tr_sigrun__free(sr);
		return 0;
	}
	if (list_ev)
		return argc - optind <= 1 ? list_events(optind < argc ? argv[optind] : NULL)
					  : usage_error("--list-events takes at most one DIR");
	if (argc - optind != 1 && input_tj)
		return usage_error(argc == optind ? "--input tracee-json needs FILE (- for stdin)" : "more than one FILE given");
	if (argc - optind != 1)
		return usage_error(argc == optind ? "no recording directory given" : "more than one DIR given");
	dir = argv[optind];
	if (findings || only) {
		void *sctx;

		if (tr_sigrun__load(&sr, &so))
			return 1;
		ro.signatures = 1;
		ro.sigs = tr_sigrun__sigs(sr, &ro.nsigs);
		ro.suppress = tr_sigrun__suppress(sr, &sctx);
		ro.suppress_ctx = sctx;
		sink.finding = on_finding;
	}
	if (fl->descendants && !fl->npids)
		return usage_error("--descendants needs --pid");
	o.events = !only;
	if (!fmt_set && o.fmt == TR_OUT_JSON)
		o.fmt = TR_OUT_JSON;
	if (parse_args || o.fmt == TR_OUT_TABLE)
		o.host.flags |= TR_JSON_PARSE_ARGS;
	ro.derived = fl->derived;
	if (isatty(STDERR_FILENO)) {
		ro.progress = tr_replay__progress_tty;
		ro.progress_ctx = (void *)PROG;
	}

	/* A signal stops the replay between two records; what was replayed
	 * so far is still written out, whole lines only. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (input_tj) {
		rc = run_tracee_json(dir, output, &o, &sink, &ro);
		if (sr)
			tr_sigrun__summary(sr, stderr);
		tr_sigrun__free(sr);
		return rc;
	}

	/* Open the recording, then the output (so a bad DIR leaves no file). */
	if (tr_replay__open(&r, dir, &ro, msg, sizeof(msg))) {
		tr_diag__error(PROG, "%s", msg);
		return 1;
	}
	{
		unsigned flags = o.host.flags;

		o.host = tr_replay__host(r);
		o.host.flags = flags;
	}
	o.r = r;
	fl->boot_to_wall = o.host.boot_to_wall_ns;
	if (since || until) {
		int64_t start = tr_replay__start_wall(r);

		if (since && tr_filter__time(since, start, &fl->since_wall)) {
			tr_replay__free(r);
			return usage_error("--since takes RFC 3339 (2026-12-01T04:00:00Z) or +DURATION (+30s)");
		}
		if (until && tr_filter__time(until, start, &fl->until_wall)) {
			tr_replay__free(r);
			return usage_error("--until takes RFC 3339 (2026-12-01T04:00:00Z) or +DURATION (+30s)");
		}
		tr_replay__window(r, fl->since_wall ? (uint64_t)(fl->since_wall - o.host.boot_to_wall_ns) : 0,
				  fl->until_wall ? (uint64_t)(fl->until_wall - o.host.boot_to_wall_ns) : 0);
	}
	tr_output__header(&o.buf, o.fmt);
	if (output) {
		o.fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (o.fd < 0) {
			tr_diag__error(PROG, "%s: cannot create: %s", output, strerror(errno));
			goto cleanup;
		}
		o.path = output;
	}

	/* Replay. */
	err = tr_replay__run(r, &sink, msg, sizeof(msg));
	if (!err || err == -EINTR) {
		int ferr = out_flush(&o);

		err = err ?: ferr;
	}
	if (err) {
		if (err == -EINTR)
			tr_diag__error(PROG, "%s; the output is incomplete", msg);
		else if (o.err)
			tr_diag__error(PROG, "%s: write failed: %s", o.path, strerror(-o.err));
		else
			tr_diag__error(PROG, "%s", msg[0] ? msg : strerror(-err));
		goto cleanup;
	}
	if (output && close(o.fd)) {
		tr_diag__error(PROG, "%s: close failed: %s", output, strerror(errno));
		o.fd = -1;
		goto cleanup;
	}
	o.fd = -1;
	/* done, but the input was damaged (the damage is on stderr) */
	rc = tr_replay__damage(r) ? 3 : 0;

cleanup:
	if (output && o.fd >= 0)
		close(o.fd);
	if (r)
		tr_replay__summary(r);
	if (sr)
		tr_sigrun__summary(sr, stderr);
	tr_replay__free(r);
	tr_sigrun__free(sr);
	tr_buf__free(&o.buf);
	return rc;
}
