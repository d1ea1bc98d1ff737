/* SPDX-License-Identifier: MIT */
/*
 * replay_synth.h: build synthetic recordings for tests, with the real
 * writers (tr_seg_writer, tr_manifest__write) and records crafted field by
 * field. Shared by the replay/analyze unit tests and tests/gen_recording.c.
 * Header-only (static functions) because the Makefile builds each
 * tests/unit/test_*.c alone.
 */
#ifndef TR_REPLAY_SYNTH_H
#define TR_REPLAY_SYNTH_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "manifest.h"
#include "record.h"
#include "segment.h"

#define SYNTH_CPUS 64
#define SYNTH_MAX_SEGS 64
#define SYNTH_BOOT_TO_WALL 1700000000000000000LL	/* 2023-11-14T22:13:20Z */

struct synth {
	char dir[PATH_MAX];
	struct tr_seg_writer *w;
	unsigned segno;
	size_t nsegs;
	struct tr_manifest_file segs[SYNTH_MAX_SEGS];
	char segpaths[SYNTH_MAX_SEGS][64];
	uint64_t seq[SYNTH_CPUS + 1];	/* per CPU; the last one for TR_CPU_NONE */
	uint32_t frame_raw;
	uint8_t chain[TR_CHAIN_LEN];	/* head of the last closed segment */
	const struct tr_catalog *catalog; /* written to the manifest; NULL: built-in */
	int err;			/* first error, sticky */
};

/* The task an event comes from. */
struct synth_task {
	uint32_t pid, tid, ppid;	/* host ids; ns ids are the same */
	uint64_t start_ns, parent_start_ns;
	uint32_t uid;
	const char *comm;
};

/* An event being built. */
struct synth_ev {
	union {
		struct tr_event ev;
		uint8_t buf[sizeof(struct tr_event) + 16 * (TR_STR_MAX + 8) * 2];
	};
	size_t off;
};

static inline uint64_t *synth_seq(struct synth *s, uint16_t cpu)
{
	return &s->seq[cpu == TR_CPU_NONE || cpu >= SYNTH_CPUS ? SYNTH_CPUS : cpu];
}

static inline int synth_open_segment(struct synth *s)
{
	char path[PATH_MAX + 64];

	if (s->nsegs >= SYNTH_MAX_SEGS)
		return s->err = -ENOSPC;
	snprintf(s->segpaths[s->nsegs], sizeof(s->segpaths[0]), "events/seg-%06u.zst", s->segno++);
	snprintf(path, sizeof(path), "%s/%s", s->dir, s->segpaths[s->nsegs]);
	s->w = tr_seg_writer__open(path, 1, s->frame_raw);
	if (!s->w)
		return s->err = -errno;
	tr_seg_writer__chain(s->w, s->chain);	/* the chain runs across segments */
	return 0;
}

static inline int synth_close_segment(struct synth *s)
{
	struct tr_manifest_file *f = &s->segs[s->nsegs];
	int err;

	if (!s->w)
		return 0;
	err = tr_seg_writer__close(s->w, &f->info);
	memcpy(s->chain, f->info.chain, TR_CHAIN_LEN);
	s->w = NULL;
	f->path = s->segpaths[s->nsegs];
	s->nsegs++;
	if (err && !s->err)
		s->err = err;
	return err;
}

/* Create dir (must not exist) with events/ and open the first segment.
 * frame_raw 0: the writer's default. */
static inline int synth_open(struct synth *s, const char *dir, uint32_t frame_raw)
{
	char ev[PATH_MAX + 16];

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->frame_raw = frame_raw;
	snprintf(ev, sizeof(ev), "%s/events", dir);
	if (mkdir(dir, 0700) || mkdir(ev, 0700))
		return s->err = -errno;
	return synth_open_segment(s);
}

/* Start a new segment file. */
static inline int synth_rotate(struct synth *s)
{
	synth_close_segment(s);
	return s->err ? s->err : synth_open_segment(s);
}

/* Close the current frame so the next records go to a new one. */
static inline int synth_flush(struct synth *s)
{
	int err = tr_seg_writer__flush(s->w);

	if (err && !s->err)
		s->err = err;
	return err;
}

static inline int synth_append(struct synth *s, void *rec)
{
	struct tr_rec_hdr *h = rec;
	int err;

	h->seq = (*synth_seq(s, h->cpu))++;
	err = tr_seg_writer__append(s->w, rec, h->size);
	if (err && !s->err)
		s->err = err;
	return err;
}

/* comm as the kernel keeps it: NUL-padded, not always NUL-ended. */
static inline void synth_comm(char dst[16], const char *src)
{
	size_t n = strlen(src);

	memset(dst, 0, 16);
	memcpy(dst, src, n < 16 ? n : 16);
}

static inline void synth_ev_begin(struct synth_ev *e, uint16_t cpu, uint64_t ts, uint32_t id,
				  const struct synth_task *t)
{
	memset(&e->ev, 0, sizeof(e->ev));
	e->ev.h.kind = TR_REC_EVENT;
	e->ev.h.cpu = cpu;
	e->ev.h.ts = ts;
	e->ev.event_id = id;
	e->ev.start_ns = t->start_ns;
	e->ev.parent_start_ns = t->parent_start_ns;
	e->ev.host_pid = e->ev.pid = t->pid;
	e->ev.host_tid = e->ev.tid = t->tid ? t->tid : t->pid;
	e->ev.host_ppid = e->ev.ppid = t->ppid;
	e->ev.uid = e->ev.gid = t->uid;
	e->ev.euid = e->ev.fsuid = t->uid;
	e->ev.mnt_ns = 4026531841U;
	e->ev.pid_ns = 4026531836U;
	e->ev.cgroup_id = 1;
	if (t->comm)
		synth_comm(e->ev.comm, t->comm);
	e->off = sizeof(e->ev);
}

static inline void synth_ev_u32(struct synth_ev *e, uint8_t idx, uint32_t v)
{
	if (!tr_arg__put_u32(e->buf, sizeof(e->buf), &e->off, idx, v))
		e->ev.nargs++;
}

static inline void synth_ev_u64(struct synth_ev *e, uint8_t idx, uint64_t v)
{
	if (!tr_arg__put_u64(e->buf, sizeof(e->buf), &e->off, idx, v))
		e->ev.nargs++;
}

static inline void synth_ev_bytes(struct synth_ev *e, uint8_t idx, const void *p, uint32_t len)
{
	if (!tr_arg__put_bytes(e->buf, sizeof(e->buf), &e->off, idx, p, len))
		e->ev.nargs++;
}

static inline void synth_ev_str(struct synth_ev *e, uint8_t idx, const char *s)
{
	synth_ev_bytes(e, idx, s, (uint32_t)strlen(s));
}

/* argv NULL-terminated; each element gets its NUL, as on the wire. */
static inline void synth_ev_argv(struct synth_ev *e, uint8_t idx, const char *const *argv)
{
	char tmp[8192];
	size_t n = 0;

	for (; *argv; argv++) {
		size_t l = strlen(*argv) + 1;

		if (n + l > sizeof(tmp))
			break;
		memcpy(tmp + n, *argv, l);
		n += l;
	}
	synth_ev_bytes(e, idx, tmp, (uint32_t)n);
}

/* An argument-info trailer entry (after the last argument): flags
 * TR_ARGF_*, and the real length of a cut value. */
static inline void synth_ev_arginfo(struct synth_ev *e, uint8_t idx, uint8_t flags, uint32_t orig_len)
{
	struct tr_arg_info ai = { .idx = idx, .flags = flags, .orig_len = orig_len };

	if (e->off + sizeof(ai) > sizeof(e->buf))
		return;
	memcpy(e->buf + e->off, &ai, sizeof(ai));
	e->off += sizeof(ai);
	e->ev.flags |= (flags & TR_ARGF_TRUNC ? TR_EVF_TRUNC : 0) | (flags & TR_ARGF_AT_EXIT ? TR_EVF_ARG_AT_EXIT : 0);
}

static inline int synth_ev_end(struct synth *s, struct synth_ev *e)
{
	e->ev.h.size = (uint32_t)e->off;
	return synth_append(s, e->buf);
}

/* The wire index of argument name of catalog event id: synthetic events
 * follow the catalog, whatever order it gives its arguments. */
static inline unsigned synth_arg(uint32_t id, const char *name)
{
	const struct tr_event_def *d = tr_catalog__find(tr_catalog__builtin(), id);

	for (unsigned i = 0; d && i < d->nargs; i++)
		if (!strcmp(d->args[i].name, name))
			return i;
	fprintf(stderr, "synth: event %u has no argument %s\n", id, name);
	abort();
}

/* The catalog event called name, or abort: a test naming an event that does
 * not exist is a broken test. */
static inline const struct tr_event_def *synth_def(const char *name)
{
	const struct tr_catalog *c = tr_catalog__builtin();

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->events[i].name, name))
			return &c->events[i];
	fprintf(stderr, "synth: no event %s in the catalog\n", name);
	abort();
}

/*
 * Build any catalog event from its name and (argument name, value) pairs,
 * typed by the catalog, ended by NULL:
 *
 *   synth_ev_build(&e, cpu, ts, &task, "openat", "dirfd", -100, "pathname", "/x",
 *                  "flags", 0, "@ret", (int64_t)3, NULL);
 *
 * Values by the argument's wire type: INT32/UINT32 an int; INT64/UINT64 an
 * int64_t/uint64_t (cast literals!); STR and JSON a const char *; STR_ARRAY
 * a NULL-terminated const char *const *; BYTES and SOCKADDR a const void *
 * then an unsigned length. Pseudo-arguments: "@ret" (int64_t) the return
 * value, "@flags" (int) the record flags (TR_EVF_AT_ENTRY). Arguments not
 * named are left out, as the recorder leaves out what it could not read.
 */
static inline void synth_ev_vbuild(struct synth_ev *e, uint16_t cpu, uint64_t ts, const struct synth_task *t,
				   const char *event, va_list ap)
{
	const struct tr_event_def *d = synth_def(event);
	const char *name;

	synth_ev_begin(e, cpu, ts, d->id, t);
	while ((name = va_arg(ap, const char *))) {
		unsigned i;

		if (!strcmp(name, "@ret")) {
			e->ev.retval = va_arg(ap, int64_t);
			continue;
		}
		if (!strcmp(name, "@flags")) {
			e->ev.flags = (uint16_t)va_arg(ap, int);
			continue;
		}
		for (i = 0; i < d->nargs && strcmp(d->args[i].name, name); i++)
			;
		if (i == d->nargs) {
			fprintf(stderr, "synth: event %s has no argument %s\n", event, name);
			abort();
		}
		switch (d->args[i].wire) {
		case TR_T_INT32:
		case TR_T_UINT32:
			synth_ev_u32(e, (uint8_t)i, (uint32_t)va_arg(ap, int));
			break;
		case TR_T_INT64:
		case TR_T_UINT64:
			synth_ev_u64(e, (uint8_t)i, va_arg(ap, uint64_t));
			break;
		case TR_T_STR:
		case TR_T_JSON:
			synth_ev_str(e, (uint8_t)i, va_arg(ap, const char *));
			break;
		case TR_T_STR_ARRAY:
			synth_ev_argv(e, (uint8_t)i, va_arg(ap, const char *const *));
			break;
		default: {
			const void *p = va_arg(ap, const void *);

			synth_ev_bytes(e, (uint8_t)i, p, va_arg(ap, unsigned));
		}
		}
	}
	e->ev.h.size = (uint32_t)e->off;
}

static inline void synth_ev_build(struct synth_ev *e, uint16_t cpu, uint64_t ts, const struct synth_task *t,
				  const char *event, ...)
{
	va_list ap;

	va_start(ap, event);
	synth_ev_vbuild(e, cpu, ts, t, event, ap);
	va_end(ap);
}

/* The same, appended to the recording. */
static inline int synth_event(struct synth *s, uint16_t cpu, uint64_t ts, const struct synth_task *t,
			      const char *event, ...)
{
	struct synth_ev *e = malloc(sizeof(*e));
	va_list ap;
	int err;

	if (!e)
		return s->err = -ENOMEM;
	va_start(ap, event);
	synth_ev_vbuild(e, cpu, ts, t, event, ap);
	va_end(ap);
	err = synth_append(s, e->buf);
	free(e);
	return err;
}

/* A sockaddr_in as the kernel holds it (family in host order, the rest in
 * network order), for SOCKADDR arguments. */
static inline unsigned synth_sockaddr_in(uint8_t out[16], const char *ip, uint16_t port)
{
	unsigned a, b, c, d;

	memset(out, 0, 16);
	out[0] = 2; /* AF_INET */
	out[2] = (uint8_t)(port >> 8);
	out[3] = (uint8_t)port;
	if (sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d) == 4) {
		out[4] = (uint8_t)a; out[5] = (uint8_t)b; out[6] = (uint8_t)c; out[7] = (uint8_t)d;
	}
	return 16;
}

/* Common events. */
static inline int synth_openat(struct synth *s, uint16_t cpu, uint64_t ts, const struct synth_task *t,
			       const char *path, int64_t ret)
{
	struct synth_ev e;

	synth_ev_begin(&e, cpu, ts, TR_EV_OPENAT, t);
	e.ev.retval = ret;
	synth_ev_u32(&e, synth_arg(TR_EV_OPENAT, "dirfd"), (uint32_t)-100);	/* AT_FDCWD */
	synth_ev_str(&e, synth_arg(TR_EV_OPENAT, "pathname"), path);
	synth_ev_u32(&e, synth_arg(TR_EV_OPENAT, "flags"), 0);
	synth_ev_u32(&e, synth_arg(TR_EV_OPENAT, "mode"), 0);
	return synth_ev_end(s, &e);
}

static inline int synth_fork(struct synth *s, uint16_t cpu, uint64_t ts, const struct synth_task *parent,
			     uint32_t child_pid, uint32_t child_tid, uint64_t child_start)
{
	struct synth_ev e;

	synth_ev_begin(&e, cpu, ts, TR_EV_SCHED_PROCESS_FORK, parent);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "parent_tid"), parent->tid ? parent->tid : parent->pid);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "parent_ns_tid"), parent->tid ? parent->tid : parent->pid);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "parent_pid"), parent->pid);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "parent_ns_pid"), parent->pid);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_tid"), child_tid);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_ns_tid"), child_tid);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_pid"), child_pid);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "child_ns_pid"), child_pid);
	synth_ev_u64(&e, synth_arg(TR_EV_SCHED_PROCESS_FORK, "start_time"), child_start);
	return synth_ev_end(s, &e);
}

/* execve sent at entry (its retval comes in a TR_REC_RETVAL). */
static inline int synth_execve_entry(struct synth *s, uint16_t cpu, uint64_t ts, const struct synth_task *t,
				     const char *path, const char *const *argv)
{
	struct synth_ev e;

	synth_ev_begin(&e, cpu, ts, TR_EV_EXECVE, t);
	e.ev.flags = TR_EVF_AT_ENTRY;
	synth_ev_str(&e, synth_arg(TR_EV_EXECVE, "pathname"), path);
	synth_ev_argv(&e, synth_arg(TR_EV_EXECVE, "argv"), argv);
	return synth_ev_end(s, &e);
}

static inline int synth_exec(struct synth *s, uint16_t cpu, uint64_t ts, const struct synth_task *t,
			     const char *cmdpath, const char *const *argv, uint32_t old_pid)
{
	struct synth_ev e;

	synth_ev_begin(&e, cpu, ts, TR_EV_SCHED_PROCESS_EXEC, t);
	synth_ev_str(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "cmdpath"), cmdpath);
	synth_ev_argv(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "argv"), argv);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_EXEC, "old_pid"), old_pid);
	return synth_ev_end(s, &e);
}

/* chdir, sent at exit with its result like openat; path NULL: not read. */
static inline int synth_chdir(struct synth *s, uint16_t cpu, uint64_t ts, const struct synth_task *t,
			      const char *path, int64_t ret)
{
	struct synth_ev e;

	synth_ev_begin(&e, cpu, ts, TR_EV_CHDIR, t);
	e.ev.retval = ret;
	if (path)
		synth_ev_str(&e, synth_arg(TR_EV_CHDIR, "path"), path);
	return synth_ev_end(s, &e);
}

static inline int synth_exit(struct synth *s, uint16_t cpu, uint64_t ts, const struct synth_task *t,
			     int64_t code, int group)
{
	struct synth_ev e;

	synth_ev_begin(&e, cpu, ts, TR_EV_SCHED_PROCESS_EXIT, t);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_EXIT, "exit_code"), (uint32_t)code);
	synth_ev_u32(&e, synth_arg(TR_EV_SCHED_PROCESS_EXIT, "process_group_exit"), group ? 1 : 0);
	return synth_ev_end(s, &e);
}

static inline int synth_retval(struct synth *s, uint16_t cpu, uint64_t ts, uint32_t host_tid,
			       uint32_t event_id, int64_t ret)
{
	struct tr_retval r = { .h = { .kind = TR_REC_RETVAL, .cpu = cpu, .size = sizeof(r), .ts = ts },
			       .event_id = event_id, .host_tid = host_tid, .retval = ret };

	return synth_append(s, &r);
}

static inline int synth_gap(struct synth *s, uint16_t cpu, uint64_t ts, uint64_t lost)
{
	struct tr_gap g = { .h = { .kind = TR_REC_GAP, .cpu = cpu, .size = sizeof(g), .ts = ts },
			    .lost = lost };

	return synth_append(s, &g);
}

static inline int synth_watermark(struct synth *s, uint64_t ts)
{
	struct tr_rec_hdr h = { .kind = TR_REC_WATERMARK, .cpu = TR_CPU_NONE, .size = sizeof(h), .ts = ts };

	return synth_append(s, &h);
}

/* A snapshot process. start_ns is rounded down to a tick, as /proc gives it. */
static inline int synth_proc(struct synth *s, uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start_ns,
			     const char *comm, const char *exe, const char *cwd, const char *const *argv)
{
	union {
		struct tr_proc p;
		uint8_t buf[sizeof(struct tr_proc) + 3 * (TR_STR_MAX + 8)];
	} u;
	size_t off = sizeof(u.p);

	memset(&u.p, 0, sizeof(u.p));
	u.p.h.kind = TR_REC_PROC;
	u.p.h.cpu = TR_CPU_NONE;
	u.p.h.ts = ts;
	u.p.host_pid = u.p.pid = pid;
	u.p.host_ppid = u.p.ppid = ppid;
	u.p.start_ns = start_ns / 10000000 * 10000000;
	u.p.mnt_ns = 4026531841U;
	u.p.pid_ns = 4026531836U;
	synth_comm(u.p.comm, comm);
	if (exe && !tr_arg__put_bytes(u.buf, sizeof(u.buf), &off, TR_PROC_ARG_EXE, exe, (uint32_t)strlen(exe)))
		u.p.nargs++;
	if (cwd && !tr_arg__put_bytes(u.buf, sizeof(u.buf), &off, TR_PROC_ARG_CWD, cwd, (uint32_t)strlen(cwd)))
		u.p.nargs++;
	if (argv) {
		char tmp[4096];
		size_t n = 0;

		for (; *argv && n + strlen(*argv) + 1 <= sizeof(tmp); argv++) {
			memcpy(tmp + n, *argv, strlen(*argv) + 1);
			n += strlen(*argv) + 1;
		}
		if (!tr_arg__put_bytes(u.buf, sizeof(u.buf), &off, TR_PROC_ARG_ARGV, tmp, (uint32_t)n))
			u.p.nargs++;
	}
	u.p.h.size = (uint32_t)off;
	return synth_append(s, u.buf);
}

/* Write the manifest as it stands (segments closed so far). */
static inline int synth_write_manifest(struct synth *s, enum tr_rec_state state)
{
	static char *argv[] = { "tracee-record", "-o", "rec" };
	struct tr_manifest m = {
		.format_version = TR_FORMAT_VERSION,
		.tool_version = "0.1.0-test",
		.state = state,
		.end_reason = state == TR_STATE_COMPLETE ? "duration" : NULL,
		.hostname = "synth-host",
		.kernel_release = "6.18.0-test",
		.boot_id = "00000000-1111-2222-3333-444444444444",
		.cpu_count = 4,
		.boot_to_wall_ns = SYNTH_BOOT_TO_WALL,
		.argc = 3,
		.argv = argv,
		.start_boot_ns = 1000000000ULL,
		.stop_boot_ns = state == TR_STATE_COMPLETE ? 100000000000ULL : 0,
		.catalog = s->catalog ? s->catalog : tr_catalog__builtin(),
	};

	m.nsegments = state == TR_STATE_COMPLETE ? s->nsegs : (s->nsegs ? 1 : 0);
	m.segments = s->segs;
	return tr_manifest__write(s->dir, &m);
}

/* Close the last segment and write the manifest (unless write_manifest
 * is 0). state TR_STATE_RECORDING leaves it as a killed recorder would. */
static inline int synth_close(struct synth *s, enum tr_rec_state state, int write_manifest)
{
	synth_close_segment(s);
	if (s->err)
		return s->err;
	if (!write_manifest)
		return 0;
	return synth_write_manifest(s, state);
}

/* rm -r of a synthetic recording (two levels, nothing else). */
static inline void synth_remove(const char *dir)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "synth: could not remove %s\n", dir);
}

#endif /* TR_REPLAY_SYNTH_H */
