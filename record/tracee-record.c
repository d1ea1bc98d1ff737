// SPDX-License-Identifier: MIT
/*
 * tracee-record: record what happens on this host into a recording
 * directory (schema/FORMAT.md) that tracee-replay reads anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture.h"
#include "catalog.h"
#include "diag.h"
#include "events.skel.h"
#include "filter.h"
#include "flight.h"
#include "manifest.h"
#include "output.h"
#include "sctable.h"
#include "snapshot.h"
#include "status.h"
#include "units.h"
#include "unaligned.h"

#define PROG "tracee-record"

static const char usage[] =
	"USAGE: " PROG " -o DIR [OPTIONS] [-- COMMAND [ARGS...]]\n"
	"\n"
	"Record the whole host's process, file and network activity with eBPF into\n"
	"the recording directory DIR, until COMMAND exits, --duration passes, or\n"
	"SIGINT/SIGTERM/SIGHUP arrives. COMMAND is only the workload: every process\n"
	"on the host is recorded, except this recorder. Needs root.\n"
	"\n"
	"OPTIONS:\n"
	"  -o, --output DIR        recording directory to create, mode 0700 (an existing one\n"
	"                          must be an empty directory of ours, not a symlink)\n"
	"      --force             take over an existing empty directory of another user\n"
	"  -d, --duration SECONDS  stop after SECONDS (default: until COMMAND exits or a signal)\n"
	"      --segment-size MB   start a new segment file after MB MiB (default 256)\n"
	"      --segment-time SEC  start a new segment file after SEC seconds (default 600)\n"
	"      --buffer-size SIZE  the events' ring buffer in the kernel, shared by all\n"
	"                          CPUs, a power of 2 (default 64M; 4K to 1G): what absorbs\n"
	"                          a burst or a stalled disk before events are lost\n"
	"      --buffer-pages N    packets' perf buffer pages per CPU with --net, a power\n"
	"                          of 2 (default 1024)\n"
	"      --zstd-level N      zstd compression level, 1-19 (default 3)\n"
	"  -e, --events LIST       syscall events to record, comma-separated: default, all\n"
	"                          (every other syscall too, as raw_syscall), a set (proc,\n"
	"                          file, net, system), event names; +NAME/-NAME change the\n"
	"                          default set (e.g. --events +read)\n"
	"      --frame-records N   close a frame after N records (default 1024; 0: by size\n"
	"                          and time only): what one damaged byte can cost\n"
	"      --anchor syslog     log the hash chain head to syslog every minute, so a\n"
	"                          copy of it lives outside the recording\n"
	REC_CAPTURE_USAGE
	"      --max-size SIZE     stop cleanly when the recording's segments reach SIZE\n"
	"                          (bytes, or with K, M, G, T: 500M, 2G)\n"
	"      --pid PID,...       only these processes and their descendants (in-kernel)\n"
	"      --comm NAME,...     only tasks of these names (comm, 15 bytes)\n"
	"      --exclude-comm NAME,...  not tasks of these names\n"
	"      --uid USER|UID      only tasks of this real uid\n"
	"      --cgroup PATH       only tasks in this cgroup (v2, under /sys/fs/cgroup)\n"
	"                          or below it: a container's, a service's\n"
	"      --ring SIZE|DURATION  flight recorder: keep only the newest segments within\n"
	"                          SIZE (500M, 2G) or DURATION (90s, 15m, 2h: lowercase);\n"
	"                          the oldest are deleted and declared cut in the manifest\n"
	"      --trigger-on ID,... with --ring: the built-in signatures, run on the live\n"
	"                          stream, that freeze the ring into DIR/frozen/NNN/ (never\n"
	"                          deleted) when they fire (default: every one; none: only\n"
	"                          SIGUSR1, which freezes it too)\n"
	"      --after DURATION    with --ring: a freeze also keeps DURATION after the\n"
	"                          trigger (default 10s; 0: none)\n"
	"      --nice N            the drain loop's nice value, so a busy host does not\n"
	"                          starve it into losing events (default 0: inherited;\n"
	"                          COMMAND runs at the nice value it would have had)\n"
	"  -q, --quiet             no status line and no summary at the end (the status\n"
	"                          line is only drawn when stderr is a terminal)\n"
	"  -v, --verbose           libbpf's debug output\n"
	"  -h, --help              this help\n"
	"\n"
	"EXAMPLES:\n"
	"  " PROG " -o /var/tmp/rec -- /bin/sh -c 'ls /etc; cat /etc/hostname'\n"
	"  " PROG " -o /var/tmp/rec --duration 60      # the host, for a minute\n"
	"  " PROG " -o /var/tmp/rec --net lo --capture exec -- curl -s http://127.0.0.1:8000/\n"
	"  tracee-replay /var/tmp/rec | head           # then read it back\n";

/* How often the buffers are drained whatever the watermark, and frames
 * written: the most a crash can lose. */
#define DRAIN_MS 200
#define FLUSH_NS 1000000000ULL
/* Watermarks are this far behind the drain's start: an event is stamped a
 * moment before the kernel writes it into the buffer, and on a virtual
 * machine that moment can stretch when the vCPU is descheduled. Replay holds
 * back this much more; a record that still comes late is kept, not lost. */
#define WATERMARK_SLACK_NS 50000000ULL
/* A frame closes at this many records too, so a damaged byte costs at most
 * this many (the README's figures give the size this costs). */
#define FRAME_RECORDS 1024
/* How long COMMAND has after SIGTERM before SIGKILL. */
#define GRACE_NS 2000000000ULL
/* How often the hash chain head goes to syslog with --anchor syslog. */
#define ANCHOR_NS (60 * 1000000000ULL)

struct options {
	const char *dir;
	double duration;
	uint64_t seg_max_bytes;
	uint64_t seg_max_ns;
	unsigned buffer_pages;
	uint64_t buffer_size;
	int zstd_level;
	uint64_t max_size;
	struct rec_flight_opts flight;
	struct rec_filter filter;
	int nice;
	const char *events;
	int quiet;
	int verbose;
	int force;
	int anchor_syslog;
	uint32_t frame_records;
	char **command;
	struct rec_capture_opts cap;
};

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t usr1_signal;

static void on_usr1(int sig)
{
	usr1_signal = 1;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return vfprintf(stderr, fmt, args);
}

/* Without -v libbpf stays quiet: its warnings include whole verifier logs,
 * and every failure is reported once, by us. */
static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* wall = boot + offset; the tightest of a few bracketed readings. */
static int64_t boot_to_wall_offset(void)
{
	int64_t best = 0;
	uint64_t best_gap = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t b0 = now_ns(CLOCK_BOOTTIME), w = now_ns(CLOCK_REALTIME), b1 = now_ns(CLOCK_BOOTTIME);

		if (b1 - b0 < best_gap) {
			best_gap = b1 - b0;
			best = (int64_t)w - (int64_t)(b0 + (b1 - b0) / 2);
		}
	}
	return best;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_SEG_SIZE = 256, OPT_SEG_TIME, OPT_PAGES, OPT_BUFSIZE, OPT_LEVEL, OPT_FORCE, OPT_FRAME_RECORDS, OPT_ANCHOR,
	       OPT_MAX_SIZE, OPT_RING, OPT_AFTER, OPT_TRIGGER_ON,
	       OPT_PID, OPT_COMM, OPT_EXCL_COMM, OPT_UID, OPT_CGROUP, OPT_NICE };
	/* the filters' option names, in the order of their OPT_ values */
	static const char *const filter_names[] = { "pid", "comm", "exclude-comm", "uid", "cgroup" };
	struct tr_evsel sel;
	char msg[256];
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "segment-size", required_argument, NULL, OPT_SEG_SIZE },
		{ "segment-time", required_argument, NULL, OPT_SEG_TIME },
		{ "buffer-pages", required_argument, NULL, OPT_PAGES },
		{ "buffer-size", required_argument, NULL, OPT_BUFSIZE },
		{ "zstd-level", required_argument, NULL, OPT_LEVEL },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "events", required_argument, NULL, 'e' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "frame-records", required_argument, NULL, OPT_FRAME_RECORDS },
		{ "anchor", required_argument, NULL, OPT_ANCHOR },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "exclude-comm", required_argument, NULL, OPT_EXCL_COMM },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "ring", required_argument, NULL, OPT_RING },
		{ "nice", required_argument, NULL, OPT_NICE },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "trigger-on", required_argument, NULL, OPT_TRIGGER_ON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		REC_CAPTURE_LONGOPTS,
		{},
	};
	char *end;
	int c;

	*o = (struct options){ .seg_max_bytes = 256ULL << 20, .seg_max_ns = 600 * FLUSH_NS,
			       .buffer_pages = 1024, .buffer_size = 64ULL << 20, .zstd_level = 3, .frame_records = FRAME_RECORDS,
			       .nice = 0 };
	o->events = "default";
	while ((c = getopt_long(argc, argv, "+o:d:e:qvh", longopts, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 'o':
			o->dir = optarg;
			break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end || o->duration <= 0) {
				tr_diag__error(PROG, "--duration: '%s' is not a positive number of seconds", optarg);
				return 2;
			}
			break;
		case OPT_SEG_SIZE:
			o->seg_max_bytes = strtoull(optarg, &end, 10) << 20;
			if (*end || !o->seg_max_bytes) {
				tr_diag__error(PROG, "--segment-size: '%s' is not a positive number of MiB", optarg);
				return 2;
			}
			break;
		case OPT_SEG_TIME:
			o->seg_max_ns = strtoull(optarg, &end, 10) * FLUSH_NS;
			if (*end || !o->seg_max_ns) {
				tr_diag__error(PROG, "--segment-time: '%s' is not a positive number of seconds", optarg);
				return 2;
			}
			break;
		case OPT_PAGES:
			o->buffer_pages = strtoul(optarg, &end, 10);
			if (*end || !o->buffer_pages || (o->buffer_pages & (o->buffer_pages - 1))) {
				tr_diag__error(PROG, "--buffer-pages: '%s' is not a power of 2", optarg);
				return 2;
			}
			break;
		case OPT_BUFSIZE:
			if (rec_units__size(optarg, &o->buffer_size) || o->buffer_size < 4096 ||
			    o->buffer_size > (1ULL << 30) || (o->buffer_size & (o->buffer_size - 1))) {
				tr_diag__error(PROG, "--buffer-size: '%s' is not a power of 2 from 4K to 1G", optarg);
				return 2;
			}
			break;
		case OPT_LEVEL:
			o->zstd_level = strtol(optarg, &end, 10);
			if (*end || o->zstd_level < 1 || o->zstd_level > 19) {
				tr_diag__error(PROG, "--zstd-level: '%s' is not a level from 1 to 19", optarg);
				return 2;
			}
			break;
		case OPT_MAX_SIZE:
			if (rec_units__size(optarg, &o->max_size)) {
				tr_diag__error(PROG, "--max-size: '%s' is not a size (bytes, or 500M, 2G)", optarg);
				return 2;
			}
			break;
		case 'e':
			if (tr_evsel__parse(&sel, tr_catalog__builtin(), optarg, msg, sizeof(msg))) {
				tr_diag__error(PROG, "%s", msg);
				return 2;
			}
			o->events = optarg;
			break;
		case OPT_FORCE:
			o->force = 1;
			break;
		case OPT_FRAME_RECORDS: {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !*optarg || v > UINT32_MAX) {
				tr_diag__error(PROG, "--frame-records: '%s' is not a number of records", optarg);
				return 2;
			}
			o->frame_records = (uint32_t)v;
			break;
		}
		case OPT_ANCHOR:
			if (strcmp(optarg, "syslog")) {
				tr_diag__error(PROG, "--anchor: '%s' is not a place to anchor to (syslog)", optarg);
				return 2;
			}
			o->anchor_syslog = 1;
			break;
		case OPT_PID:
		case OPT_COMM:
		case OPT_EXCL_COMM:
		case OPT_UID:
		case OPT_CGROUP:
			if (rec_filter__option(&o->filter, filter_names[c - OPT_PID], optarg, PROG))
				return 2;
			break;
		case OPT_NICE:
			o->nice = strtol(optarg, &end, 10);
			if (*end || !*optarg || o->nice < -20 || o->nice > 19) {
				tr_diag__error(PROG, "--nice: '%s' is not a nice value from -20 to 19", optarg);
				return 2;
			}
			break;
		case OPT_RING:
			o->flight.ring = optarg;
			break;
		case OPT_AFTER:
			o->flight.after = optarg;
			break;
		case OPT_TRIGGER_ON:
			o->flight.trigger_on = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case REC_CAP_OPT_NET ... REC_CAP_OPT_LAST:
			if (rec_capture__option(&o->cap, c, optarg, PROG))
				return 2;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc)
		o->command = argv + optind;
	o->cap.net.buffer_pages = o->buffer_pages;
	if (!o->dir) {
		tr_diag__error(PROG, "no recording directory: give -o DIR (see --help)");
		return 2;
	}
	return rec_flight__parse(&o->flight, PROG);
}

/* Our pid as the kernel's BPF helpers see it: in the initial pid namespace.
 * Inside a pid namespace getpid() is another number; /proc/self/status's
 * NSpid line starts with the pid in the namespace /proc was mounted from. */
static pid_t host_tgid(void)
{
	char line[256];
	pid_t pid = getpid();
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6)) {
			pid = strtol(line + 6, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return pid;
}

static char *read_line(const char *path)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	return strdup(buf);
}

static void manifest_init(struct tr_manifest *m, int argc, char **argv)
{
	struct utsname u;

	uname(&u);
	memset(m, 0, sizeof(*m));
	m->format_version = TR_FORMAT_VERSION;
	m->tool_version = strdup(TR_VERSION);
	m->state = TR_STATE_RECORDING;
	m->hostname = strdup(u.nodename);
	m->kernel_release = strdup(u.release);
	m->boot_id = read_line("/proc/sys/kernel/random/boot_id");
	m->cpu_count = libbpf_num_possible_cpus();
	m->boot_to_wall_ns = boot_to_wall_offset();
	m->argc = argc;
	m->argv = calloc(argc + 1, sizeof(char *));
	for (int i = 0; m->argv && i < argc; i++)
		m->argv[i] = strdup(argv[i]);
	m->start_boot_ns = now_ns(CLOCK_BOOTTIME);
	m->nlost = m->cpu_count;
	m->lost_per_cpu = calloc(m->cpu_count, sizeof(uint64_t));
	m->catalog = tr_catalog__builtin();
}

/* The syscall table from the catalog and the --events selection, into
 * the BPF maps (schema/sctable.h). */
static int load_syscall_table(const struct events_bpf *skel, const char *events)
{
	static struct tr_sc_desc table[TR_SC_SLOTS];
	static uint32_t ia32[TR_SC_NR_MAX];
	struct tr_evsel sel;
	char msg[256];
	int err;

	if ((err = tr_evsel__parse(&sel, tr_catalog__builtin(), events, msg, sizeof(msg))) ||
	    (err = tr_sctable__build(tr_catalog__builtin(), &sel, table, ia32, msg, sizeof(msg)))) {
		tr_diag__error(PROG, "%s", msg);
		return err;
	}
	for (__u32 i = 0; i < TR_SC_SLOTS; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.sc_table), &i, &table[i], BPF_ANY))
			return -errno;
	for (__u32 i = 0; i < TR_SC_NR_MAX; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.sc_ia32), &i, &ia32[i], BPF_ANY))
			return -errno;
	return 0;
}

/* The recorder's state while draining. */
struct recorder {
	struct rec_output out;
	struct tr_manifest manifest;
	int write_err;		/* first error writing the recording */
	uint64_t samples;
	uint64_t events;	/* catalog events, as replay counts them */
	uint64_t retvals;	/* return values sent apart from their events */
	uint64_t last_due;	/* --max-size: bytes due after the last round */
	uint64_t lost;
	struct rec_status status;
	uint64_t discarded;	/* drained after a write error, so not written */
	struct rec_capture cap;
	const struct rec_env *env;	/* what of an exec's environment is kept */
	size_t envlen;
	uint8_t envbuf[1 << 16];	/* an exec event without the rest: a record is < 64 KiB */
};

static void note_write_error(struct recorder *r, int err)
{
	if (err && !r->write_err) {
		char reason[128];

		r->write_err = err;
		/* the recording says why it ended */
		snprintf(reason, sizeof(reason), "write error: %s", strerror(-err));
		free(r->manifest.end_reason);
		r->manifest.end_reason = strdup(reason);
		tr_diag__error(PROG, "%s: writing the recording failed: %s; stopping", r->out.dir,
			       strerror(-err));
	}
}

/* Lost events on cpu: counted in the manifest and written as a gap record. */
static void write_gap(struct recorder *r, int cpu, uint64_t lost)
{
	struct tr_gap gap = { .lost = lost };

	r->lost += lost;
	if ((size_t)cpu < r->manifest.nlost)
		r->manifest.lost_per_cpu[cpu] += lost;
	if (!r->write_err)
		note_write_error(r, rec_output__user(&r->out, &gap, TR_REC_GAP, cpu, sizeof(gap),
						     now_ns(CLOCK_BOOTTIME)));
}

/*
 * Records the full ring refused, per CPU, as the BPF lost_map counts them:
 * after every drain, what the manifest does not yet count becomes a gap
 * record, so the recording states its own holes (and the CPU's sequence
 * numbers the refused records took are accounted for).
 */
static void reconcile_losses(struct recorder *r, const struct events_bpf *skel)
{
	int ncpu = r->manifest.nlost;
	__u64 vals[ncpu > 0 ? ncpu : 1];
	__u32 zero = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.lost_map), &zero, vals))
		return;
	for (int c = 0; c < ncpu; c++)
		if (vals[c] > r->manifest.lost_per_cpu[c])
			write_gap(r, c, vals[c] - r->manifest.lost_per_cpu[c]);
}

/* One record from the ring, as the BPF programs wrote it (8-byte aligned;
 * its head is still read by copy, as everywhere). */
static int on_ring_record(void *ctx, void *data, size_t size)
{
	struct recorder *r = ctx;
	struct tr_rec_hdr rec = {};

	if (r->write_err) {
		r->discarded++;
		return 0;
	}
	if (size >= sizeof(rec))
		rec = tr_rec_hdr__load(data);
	if (rec.size < sizeof(rec) || rec.size > size) {
		tr_diag__error(PROG, "malformed record of %zu bytes from the kernel, skipped", size);
		return 0;
	}
	r->samples++;
	if (rec.kind == TR_REC_EVENT)
		r->events++;
	else if (rec.kind == TR_REC_RETVAL)
		r->retvals++;
	/* an exec's environment: only what detections need reaches the disk */
	if (rec.kind == TR_REC_EVENT &&
	    (r->envlen = rec_env__filter(r->env, data, rec.size, r->envbuf, sizeof(r->envbuf)))) {
		note_write_error(r, rec_output__append(&r->out, r->envbuf, r->envlen));
		rec_capture__on_record(&r->cap, r->envbuf, r->envlen);
		return 0;
	}
	note_write_error(r, rec_output__append(&r->out, data, rec.size));
	rec_capture__on_record(&r->cap, data, rec.size);
	return 0;
}

/* Drain the ring and promise, with a watermark, that all events stamped
 * before the drain began are now written; losses are said as gap records. */
static void drain(struct recorder *r, struct ring_buffer *rb, const struct events_bpf *skel)
{
	struct tr_rec_hdr wm = {};
	uint64_t t = now_ns(CLOCK_BOOTTIME);
	int err = ring_buffer__consume(rb);

	if (err < 0 && err != -EINTR)
		tr_diag__error(PROG, "draining the ring buffer failed: %s", strerror(-err));
	reconcile_losses(r, skel);
	if (!r->write_err)
		note_write_error(r, rec_output__user(&r->out, &wm, TR_REC_WATERMARK, TR_CPU_NONE, sizeof(wm), t - WATERMARK_SLACK_NS));
	if (!r->write_err)
		note_write_error(r, rec_capture__round(&r->cap));
}

/* --max-size: weighs the segments on disk and what is still buffered, at the
 * compression reached so far, plus what the last drain round added (the
 * next is likely alike): the stop comes before the bound, not a round
 * after it. An estimate at or over the bound (the first frame has no ratio
 * yet) writes out what is pending and weighs again. */
static int max_size_reached(struct recorder *r, uint64_t max, uint64_t now)
{
	uint64_t due = rec_output__bytes_due(&r->out);
	uint64_t step = due > r->last_due ? due - r->last_due : 0;

	r->last_due = due;
	if (due + step < max)
		return 0;
	note_write_error(r, rec_output__flush(&r->out, now));
	return rec_output__bytes_due(&r->out) + step >= max;
}

/* The output's busy hook: drain while a long checkpoint is written. */
struct busy_ctx {
	struct recorder *r;
	struct ring_buffer *rb;
	const struct events_bpf *skel;
};

static void drain_busy(void *ctx)
{
	struct busy_ctx *b = ctx;

	if (!b->r->write_err)
		drain(b->r, b->rb, b->skel);
}

/* The workload: forked now, held on a pipe until the probes are live. */
static pid_t start_command(char **command, int *go_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		char c;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		execvp(command[0], command);
		tr_diag__error(PROG, "cannot run '%s': %s", command[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

static void get_counts(const struct recorder *r, struct rec_counts *c)
{
	const struct rec_output *o = &r->out;

	*c = (struct rec_counts){ .events = r->events, .retvals = r->retvals, .lost = r->lost,
				  .bytes = rec_output__bytes(o) };
	if (o->bytes_at_flush)
		c->ratio = (double)o->raw_at_flush / o->bytes_at_flush;
	if (o->seg || o->manifest->nsegments) {
		uint8_t head[TR_CHAIN_LEN];
		char hex[2 * TR_CHAIN_LEN + 1];

		rec_output__head(o, head, &c->frames);
		snprintf(c->head, sizeof(c->head), "%s", c->frames ? tr_chain__hex(hex, head) : "");
	}
}

/* The summary counts events as replay counts them: return values that
 * came apart from their events are not events of their own. */
static void print_summary(const struct recorder *r, const char *dir, unsigned nprocs)
{
	const struct tr_manifest *m = &r->manifest;
	char hex[2 * TR_CHAIN_LEN + 1], size[32];
	uint8_t head[TR_CHAIN_LEN];
	uint64_t bytes = 0, frames;

	for (size_t i = 0; i < m->nsegments; i++)
		bytes += m->segments[i].info.bytes;
	rec_output__head(&r->out, head, &frames);
	fprintf(stderr,
		PROG ": %s: %llu events, %llu lost, %u processes in the snapshot, %zu segment(s), "
		"%llu bytes (%s), %.2f s (%s)\n",
		dir, (unsigned long long)r->events, (unsigned long long)(r->lost + m->lost_unwritten), nprocs,
		m->nsegments, (unsigned long long)bytes, rec_status__size(size, sizeof(size), bytes),
		(m->stop_boot_ns - m->start_boot_ns) / 1e9, m->end_reason);
	if (m->lost_unwritten)
		fprintf(stderr, PROG ": %s: %llu of the lost events were taken but not written (%s); "
			"the manifest counts them as lost.unwritten\n",
			dir, (unsigned long long)m->lost_unwritten, m->end_reason);
	fprintf(stderr, PROG ": %s: hash chain head %s after %llu frames (keep it: it proves the "
		"frames before it whole)\n", dir, tr_chain__hex(hex, head), (unsigned long long)frames);
}

/* --anchor syslog: the chain head, so a copy of it lives outside the
 * recording (a syslog server, the journal). */
static void anchor(const struct rec_output *o, const char *dir, const char *when)
{
	char hex[2 * TR_CHAIN_LEN + 1];
	uint8_t head[TR_CHAIN_LEN];
	uint64_t frames;

	rec_output__head(o, head, &frames);
	syslog(LOG_NOTICE, "%s: hash chain head %s after %llu frames (%s)", dir, tr_chain__hex(hex, head),
	       (unsigned long long)frames, when);
}

/* SIGTERM to the workload; SIGKILL if it is still there after GRACE_NS,
 * said on stderr. 1 if it was running. */
static int stop_command(pid_t child, int *status, const char *name)
{
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);

	if (waitpid(child, status, WNOHANG) == child)
		return 0;
	kill(child, SIGTERM);
	while (now_ns(CLOCK_MONOTONIC) - t0 < GRACE_NS) {
		if (waitpid(child, status, WNOHANG) == child)
			return 1;
		usleep(20000);
	}
	tr_diag__error(PROG, "'%s' (pid %d) still running %.0f s after SIGTERM; sent SIGKILL", name,
		       (int)child, GRACE_NS / 1e9);
	kill(child, SIGKILL);
	waitpid(child, status, 0);
	return 1;
}

int main(int argc, char **argv)
{
	struct recorder r = {};
	struct rec_flight flight = {};
	struct busy_ctx busy;
	struct options opt;
	struct events_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t deadline = 0, last_flush, last_anchor;
	unsigned nprocs = 0;
	pid_t child = 0;
	int go_fd = -1, status = 0, err, ret = 1;
	char *dir_for_summary = NULL;

	err = parse_options(argc, argv, &opt);
	if (err)
		return err;
	r.env = &opt.cap.env;
	if (geteuid() != 0) {
		tr_diag__error(PROG, "loading eBPF programs needs root (run with sudo)");
		return 1;
	}

	/* A stop asked for while loading is honoured once draining starts:
	 * the recording is still finalised. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* the ring freezes on SIGUSR1; one sent while loading is kept */
	if (opt.flight.ring)
		sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_usr1 }, NULL);

	/* Phase 1: open, configure and load the BPF programs. */
	libbpf_set_print(opt.verbose ? libbpf_print : libbpf_quiet);
	setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY });
	skel = events_bpf__open();
	if (!skel) {
		tr_diag__error(PROG, "opening the BPF programs failed: %s", strerror(errno));
		goto cleanup;
	}
	skel->rodata->self_tgid = host_tgid();
	/* the ring's size; the recorder is woken when a quarter of it waits */
	bpf_map__set_max_entries(skel->maps.events, opt.buffer_size);
	skel->rodata->wake_bytes = opt.buffer_size / 4;
	rec_filter__configure(&opt.filter, skel);
	err = events_bpf__load(skel);
	if (err) {
		tr_diag__error(PROG, "loading the BPF programs into the kernel failed: %s (run with -v for the verifier's log)",
			       strerror(-err));
		goto cleanup;
	}

	err = rec_filter__fill(&opt.filter, skel, PROG);
	if (err)
		goto cleanup;
	err = load_syscall_table(skel, opt.events);
	if (err) {
		tr_diag__error(PROG, "filling the syscall table failed: %s", strerror(-err));
		goto cleanup;
	}

	/* Phase 2: the recording directory, its manifest and first segment. */
	manifest_init(&r.manifest, argc, argv);
	r.out.zstd_level = opt.zstd_level;
	r.out.seg_max_bytes = opt.seg_max_bytes;
	r.out.seg_max_ns = opt.seg_max_ns;
	r.out.frame_records = opt.frame_records;
	r.out.force = opt.force;
	rec_flight__bounds(&opt.flight, &r.out);
	err = rec_output__open(&r.out, opt.dir, &r.manifest);
	if (err) {
		tr_diag__error(PROG, "%s: cannot create the recording: %s", opt.dir,
			       err == -EEXIST ? "it exists and is not an empty directory" :
			       err == -ELOOP ? "it is a symbolic link; not followed" :
			       err == -EPERM ? "it exists and belongs to another user (--force takes it over)" :
			       strerror(-err));
		goto cleanup;
	}
	dir_for_summary = strdup(opt.dir);
	if (rec_flight__start(&flight, &opt.flight, &r.out, PROG, now_ns(CLOCK_BOOTTIME)))
		goto cleanup;

	/* Phase 3: buffers, then probes, then the /proc snapshot, so that
	 * nothing falls between the snapshot and the stream. */
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_ring_record, &r, NULL);
	if (!rb) {
		tr_diag__error(PROG, "creating the ring buffer failed: %s", strerror(errno));
		goto cleanup;
	}
	err = events_bpf__attach(skel);
	if (err) {
		tr_diag__error(PROG, "attaching the BPF programs failed: %s", strerror(-err));
		goto cleanup;
	}
	err = rec_capture__start(&r.cap, &opt.cap, &r.out, &r.manifest, PROG);
	if (err)
		goto cleanup;
	busy = (struct busy_ctx){ &r, rb, skel };
	r.out.on_busy = drain_busy;
	r.out.busy_ctx = &busy;
	err = snapshot__write(&r.out, &nprocs);
	if (err) {
		tr_diag__error(PROG, "%s: writing the process snapshot failed: %s", opt.dir, strerror(-err));
		goto cleanup;
	}

	/* Phase 4: the workload, the deadline. */
	if (opt.command && !stop_signal) {
		child = start_command(opt.command, &go_fd);
		if (child < 0) {
			tr_diag__error(PROG, "cannot start '%s': %s", opt.command[0], strerror(-child));
			goto cleanup;
		}
		if (write(go_fd, "g", 1) != 1)
			tr_diag__error(PROG, "cannot start '%s': %s", opt.command[0], strerror(errno));
		close(go_fd);
	}
	if (opt.duration > 0)
		deadline = now_ns(CLOCK_BOOTTIME) + (uint64_t)(opt.duration * 1e9);

	/* The drain loop before the busy host (the workload, forked already,
	 * keeps its own nice value): a recorder starved of CPU loses events. */
	errno = 0;
	if (opt.nice != getpriority(PRIO_PROCESS, 0) && setpriority(PRIO_PROCESS, 0, opt.nice))
		fprintf(stderr, PROG ": warning: --nice %d: %s; draining at the nice value inherited\n", opt.nice,
			strerror(errno));

	/* Phase 5: drain until told to stop. */
	last_flush = last_anchor = now_ns(CLOCK_BOOTTIME);
	if (opt.anchor_syslog) {
		openlog(PROG, LOG_PID, LOG_DAEMON);
		anchor(&r.out, dir_for_summary, "start");
	}
	rec_status__init(&r.status, stderr, opt.quiet, last_flush);
	while (!stop_signal && !r.write_err) {
		struct rec_counts counts;
		uint64_t now;

		err = ring_buffer__poll(rb, DRAIN_MS);
		if (err < 0 && err != -EINTR) {
			tr_diag__error(PROG, "polling the ring buffer failed: %s", strerror(-err));
			r.manifest.end_reason = strdup("poll error");
			break;
		}
		drain(&r, rb, skel);
		now = now_ns(CLOCK_BOOTTIME);
		if (now - last_flush >= FLUSH_NS) {
			note_write_error(&r, rec_output__flush(&r.out, now));
			last_flush = now;
		}
		if (opt.anchor_syslog && now - last_anchor >= ANCHOR_NS) {
			anchor(&r.out, dir_for_summary, "recording");
			last_anchor = now;
		}
		if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
			child = 0;
			r.manifest.end_reason = strdup("command exited");
			break;
		}
		if (deadline && now >= deadline) {
			r.manifest.end_reason = strdup("duration");
			break;
		}
		if (opt.max_size && max_size_reached(&r, opt.max_size, now)) {
			char size[32];

			rec_status__clear(&r.status);
			tr_diag__error(PROG, "%s: the recording reached --max-size (%s); stopping", opt.dir,
				       rec_status__size(size, sizeof(size), opt.max_size));
			r.manifest.end_reason = strdup("max size");
			break;
		}
		if (flight.on && !r.write_err) {
			if (usr1_signal || flight.live.fired[0] || flight.ring.freezing)
				rec_status__clear(&r.status); /* a trigger or freeze is said */
			note_write_error(&r, rec_flight__tick(&flight, &r.out, now, &usr1_signal));
		}
		get_counts(&r, &counts);
		rec_status__tick(&r.status, now, &counts);
	}
	rec_status__clear(&r.status);
	if (stop_signal && !r.manifest.end_reason)
		r.manifest.end_reason = strdup(stop_signal == SIGINT ? "signal SIGINT" :
					       stop_signal == SIGTERM ? "signal SIGTERM" : "signal SIGHUP");
	if (r.write_err && !r.manifest.end_reason)
		r.manifest.end_reason = strdup("write error");
	/* The workload ends before the recording does, so that what it does
	 * as it ends is recorded: SIGTERM, then SIGKILL after a grace period. */
	if (child > 0 && stop_command(child, &status, opt.command[0]))
		drain(&r, rb, skel);
	child = 0;

	/* Phase 6: detach, take what is left in the buffers, finalise. */
	events_bpf__detach(skel);
	drain(&r, rb, skel);
	if (!r.write_err)
		note_write_error(&r, rec_capture__stop(&r.cap, &r.manifest));
	if (!r.write_err)
		note_write_error(&r, snapshot__clock(&r.out, TR_CLOCK_STOP));
	r.manifest.stop_boot_ns = now_ns(CLOCK_BOOTTIME);
	r.manifest.state = TR_STATE_COMPLETE;
	if (!r.write_err)
		note_write_error(&r, rec_flight__stop(&flight, &r.out, r.manifest.stop_boot_ns));
	/* What was taken but not written is lost, and said so (the close adds
	 * the records it could not write out). */
	r.manifest.lost_unwritten = r.discarded;
	err = rec_output__close(&r.out);
	if (err && !r.write_err) {
		/* the first error came at the end: the manifest says so too
		 * (best effort: the disk may be full) */
		note_write_error(&r, err);
		tr_manifest__write(dir_for_summary, &r.manifest);
	}
	if (opt.verbose) { /* how long the output kept the drain waiting */
		char stalls[512];

		rec_output__stalls(&r.out, stalls, sizeof(stalls));
		fprintf(stderr, PROG ": %s: %s\n", dir_for_summary, stalls);
	}
	if (opt.anchor_syslog)
		anchor(&r.out, dir_for_summary, "final");
	if (!opt.quiet) {
		print_summary(&r, dir_for_summary, nprocs);
		rec_capture__summary(&r.cap, PROG, dir_for_summary);
	}
	ret = r.write_err ? 1 : 0;

cleanup:
	rec_capture__free(&r.cap, &opt.cap);
	ring_buffer__free(rb);
	events_bpf__destroy(skel);
	rec_flight__free(&flight);
	tr_manifest__free(&r.manifest);
	free(dir_for_summary);
	return ret;
}
