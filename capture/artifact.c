// SPDX-License-Identifier: MIT
/*
 * artifact.c: executed and written files into artifacts/ (capture/artifact.h).
 *
 * Why through /proc/PID: /proc/PID/exe opens the very file that was
 * executed, also when it was deleted since or is a memfd, and
 * /proc/PID/root/PATH resolves a container's path in the container. A
 * process is checked against the event's (pid, start time) before anything
 * is read from its /proc directory, so a reused pid is never mistaken for
 * it. Once the process is gone, the file is read by its path, and the
 * record says so (TR_ARTF_BY_PATH).
 *
 * Written files (--capture write) have no close event to go by yet: the
 * file is pinned (opened) when its open is drained and copied once the
 * writer no longer holds it (its fd is closed or points elsewhere, or the
 * process is gone), or when recording stops.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "artifact.h"
#include "artifact.skel.h"
#include "diag.h"
#include "hash.h"
#include "record.h"
#include "tr_format.h"

#define CAP_ART_QUEUE 1024	/* jobs waiting for the worker */
#define CAP_ART_PENDING 256	/* written files held open until closed */
#define CAP_ART_WAIT_MS 100
#define CAP_ART_PINS 256	/* executables opened on an exec note, awaiting their event */
#define CAP_ART_PIN_MATCH_NS 50000000ULL /* a note and its event: the same tracepoint call */
#define CAP_ART_PIN_TTL_NS 5000000000ULL

struct art_job {
	struct tr_artifact rec;	/* filled as far as known: event, process, source */
	int fdnum;		/* write: the fd the open returned */
	char *path;		/* the path the event named */
};

/* A job whose file is open (pinned) and waits to be copied. */
struct art_pinned {
	struct art_job job;
	int fd;			/* the file, -1 when it could not be opened */
	int piddir;		/* /proc/PID, -1 when the process is gone */
	struct stat st;
	char *shown;		/* the path to record */
};

/* What an exec note pinned: the exe (and script) of (pid, start_ns). */
struct art_pin {
	uint64_t ts, start_ns;
	uint32_t pid;
	int used;
	int exe_fd, script_fd;
	char *exe_link;
};

struct art_seen {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uint8_t sha[32];
};

struct art_out {
	struct art_out *next;
	size_t len;
	uint8_t rec[];
};

struct cap_art {
	struct cap_art_opts o;
	const char *prog;
	char *dir;
	int artdir;
	long clk_tck;

	/* catalog argument indexes, resolved once (-1: not in the catalog) */
	int exec_cmdpath, exec_interp, exec_interp2, open_path, open_flags, open_resolved;

	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct art_job queue[CAP_ART_QUEUE];
	size_t qhead, qlen;
	struct art_out *out_head, **out_tail;
	int stop;

	pthread_t thread;
	int thread_started;

	/* exec notes: a thread of their own pins files at once */
	struct artifact_bpf *skel;
	struct ring_buffer *rb;
	pthread_t pin_thread;
	int pin_started;
	atomic_int pin_stop;
	pthread_mutex_t pin_lock;
	struct art_pin pins[CAP_ART_PINS];
	size_t pin_next;
	_Atomic uint64_t pinned, pin_used;

	/* worker only */
	struct art_pinned pending[CAP_ART_PENDING];
	size_t npending;
	struct art_seen *seen;
	size_t nseen, cseen;
	uint64_t total;
	unsigned tmp_seq;
	struct tr_manifest_file *files;	/* stored artifacts, for the manifest */
	size_t nfiles;

	_Atomic uint64_t stored, records, skipped;
};

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- options ---- */

int cap_art__add_capture(struct cap_art_opts *o, const char *arg)
{
	const char *prefix;
	char **v;

	if (!strcmp(arg, "exec")) {
		o->exec = 1;
		return 0;
	}
	if (!strcmp(arg, "write"))
		prefix = "/";
	else if (!strncmp(arg, "write=", 6) && arg[6] == '/')
		prefix = arg + 6;
	else
		return -EINVAL;
	v = realloc(o->prefixes, (o->nprefixes + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->prefixes = v;
	v[o->nprefixes] = strdup(prefix);
	if (!v[o->nprefixes])
		return -ENOMEM;
	o->nprefixes++;
	return 0;
}

int cap_art__parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end || !v || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

void cap_art_opts__free(struct cap_art_opts *o)
{
	for (size_t i = 0; o && i < o->nprefixes; i++)
		free(o->prefixes[i]);
	if (o)
		free(o->prefixes);
}

/* ---- records out ---- */

/* The record of a job: its head plus the path argument. */
static void emit(struct cap_art *a, struct art_job *job, uint32_t flags, uint64_t size,
		 const uint8_t *sha, const char *path)
{
	size_t plen = path ? strnlen(path, TR_STR_MAX) : 0;
	struct art_out *o = malloc(sizeof(*o) + sizeof(struct tr_artifact) + 5 + plen);
	struct tr_artifact *r;
	size_t off = sizeof(struct tr_artifact);

	if (!o)
		return;
	r = (struct tr_artifact *)o->rec;
	*r = job->rec;
	r->h.kind = TR_REC_ARTIFACT;
	r->h.ts = boot_ns();
	r->flags = flags;
	r->size = size;
	if (sha)
		memcpy(r->sha256, sha, 32);
	r->nargs = 0;
	if (path && !tr_arg__put_bytes(o->rec, sizeof(struct tr_artifact) + 5 + plen, &off, TR_ART_ARG_PATH,
				       path, (uint32_t)plen))
		r->nargs = 1;
	r->h.size = (uint32_t)off;
	o->len = off;
	o->next = NULL;
	atomic_fetch_add(&a->records, 1);
	if (flags & TR_ARTF_SKIPPED)
		atomic_fetch_add(&a->skipped, 1);
	pthread_mutex_lock(&a->lock);
	*a->out_tail = o;
	a->out_tail = &o->next;
	pthread_mutex_unlock(&a->lock);
}

void cap_art__take_records(struct cap_art *a, void (*cb)(void *ctx, void *rec, size_t len), void *ctx)
{
	struct art_out *o, *next;

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	o = a->out_head;
	a->out_head = NULL;
	a->out_tail = &a->out_head;
	pthread_mutex_unlock(&a->lock);
	for (; o; o = next) {
		next = o->next;
		if (cb)
			cb(ctx, o->rec, o->len);
		free(o);
	}
}

/* ---- events in (the recorder's thread) ---- */

static int arg_index(const struct tr_catalog *cat, uint32_t id, const char *const names[])
{
	const struct tr_event_def *d = tr_catalog__find(cat, id);

	for (unsigned i = 0; d && i < d->nargs; i++)
		for (const char *const *n = names; *n; n++)
			if (!strcmp(d->args[i].name, *n))
				return (int)i;
	return -1;
}

static int under_prefix(const struct cap_art *a, const char *path, size_t len)
{
	for (size_t i = 0; i < a->o.nprefixes; i++) {
		size_t n = strlen(a->o.prefixes[i]);

		if (len >= n && !memcmp(path, a->o.prefixes[i], n))
			return 1;
	}
	return 0;
}

static void submit(struct cap_art *a, const struct tr_event *ev, uint16_t source, int fdnum,
		   const struct tr_arg_val *path)
{
	/* a relative path is only maybe under a prefix: no record of a skip */
	int maybe = source == TR_ART_WRITE && path->b.len && path->b.p[0] != '/';
	struct art_job job = { .fdnum = fdnum };

	job.rec.event_ts = ev->h.ts;
	job.rec.event_seq = ev->h.seq;
	job.rec.event_cpu = ev->h.cpu;
	job.rec.event_id = ev->event_id;
	job.rec.source = source;
	job.rec.host_pid = ev->host_pid;
	job.rec.start_ns = ev->start_ns;
	job.path = strndup((const char *)path->b.p, path->b.len);
	if (!job.path)
		return;
	pthread_mutex_lock(&a->lock);
	if (a->qlen < CAP_ART_QUEUE && !a->stop) {
		a->queue[(a->qhead + a->qlen++) % CAP_ART_QUEUE] = job;
		pthread_cond_signal(&a->wake);
		pthread_mutex_unlock(&a->lock);
		return;
	}
	pthread_mutex_unlock(&a->lock);
	/* a full queue is a recorded skip, never a wait */
	if (!maybe)
		emit(a, &job, TR_ARTF_QUEUE, 0, NULL, job.path);
	free(job.path);
}

void cap_art__on_event(struct cap_art *a, const void *rec, size_t len)
{
	struct tr_arg_val v[TR_MAX_ARGS];
	const struct tr_arg_val *interp;
	struct tr_event *ev;
	const struct tr_event_def *d;
	uint32_t id;
	uint16_t kind;
	char err[128];

	if (!a || len < sizeof(struct tr_event))
		return;
	/* the kernel's sample is only 4-byte aligned: copy, never cast */
	memcpy(&kind, (const uint8_t *)rec + offsetof(struct tr_rec_hdr, kind), sizeof(kind));
	if (kind != TR_REC_EVENT)
		return;
	memcpy(&id, (const uint8_t *)rec + offsetof(struct tr_event, event_id), sizeof(id));
	if (!(a->o.exec && id == TR_EV_SCHED_PROCESS_EXEC) && !(a->o.nprefixes && id == TR_EV_OPENAT))
		return;
	d = tr_catalog__find(tr_catalog__builtin(), id);
	ev = malloc(len);
	if (!ev || !d)
		goto out;
	memcpy(ev, rec, len);
	if (tr_event__args(ev, d, v, err, sizeof(err)))
		goto out;
	if (id == TR_EV_SCHED_PROCESS_EXEC) {
		if (a->exec_cmdpath < 0 || !v[a->exec_cmdpath].present)
			goto out;
		submit(a, ev, TR_ART_EXEC, -1, &v[a->exec_cmdpath]);
		/* a script: its interpreter is the exe, the script is the path */
		interp = a->exec_interp >= 0 && v[a->exec_interp].present ? &v[a->exec_interp] :
			 a->exec_interp2 >= 0 && v[a->exec_interp2].present ? &v[a->exec_interp2] : NULL;
		if (interp && (interp->b.len != v[a->exec_cmdpath].b.len ||
			       memcmp(interp->b.p, v[a->exec_cmdpath].b.p, interp->b.len)))
			submit(a, ev, TR_ART_SCRIPT, -1, &v[a->exec_cmdpath]);
	} else if (ev->retval >= 0 && !(ev->flags & TR_EVF_AT_ENTRY) && a->open_path >= 0 &&
		   a->open_flags >= 0 && v[a->open_path].present && v[a->open_flags].present &&
		   (v[a->open_flags].i & 3) /* O_WRONLY or O_RDWR */) {
		const struct tr_arg_val *p = &v[a->open_path];

		/* the kernel's own resolution of the path, when the recorder
		 * sends it: absolute, so the prefix decides here */
		if (a->open_resolved >= 0 && v[a->open_resolved].present && v[a->open_resolved].b.len &&
		    v[a->open_resolved].b.p[0] == '/')
			p = &v[a->open_resolved];
		/* relative paths are resolved (and filtered) by the worker */
		if (p->b.len && (p->b.p[0] != '/' || under_prefix(a, (const char *)p->b.p, p->b.len)))
			submit(a, ev, TR_ART_WRITE, (int)ev->retval, p);
	}
out:
	free(ev);
}

/* ---- the worker ---- */

/* /proc/PID, if it is still the process of the event (pid, start time). */
static int open_piddir(const struct cap_art *a, uint32_t pid, uint64_t start_ns)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	int dir, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u", pid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = 0;
		p = strrchr(buf, ')');
		/* starttime is field 22; field 3 follows the comm's ") " */
		for (int field = 3; p && field <= 22; field++)
			p = strchr(p + 1, ' ');
		if (p)
			start = strtoull(p + 1, NULL, 10);
	}
	if (n <= 0 || start != start_ns / (1000000000ULL / (uint64_t)a->clk_tck)) {
		close(dir);
		return -1;
	}
	return dir;
}

static char *readlink_at(int dir, const char *name)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dir, name, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = 0;
	return strdup(buf);
}

/* path as the process sees it, to open under its dir: "root/abs" or "cwd/rel". */
static void proc_rel(char *out, size_t len, const char *path)
{
	snprintf(out, len, "%s%s%s", path[0] == '/' ? "root" : "cwd", path[0] == '/' ? "" : "/", path);
}

/* A link target names path: the same, or the same and " (deleted)". */
static int names(const char *target, const char *path)
{
	size_t n = strlen(path);

	return !strncmp(target, path, n) && (!target[n] || !strcmp(target + n, " (deleted)"));
}

/* ---- exec notes ---- */

static void pin_clear(struct art_pin *e)
{
	if (e->exe_fd >= 0)
		close(e->exe_fd);
	if (e->script_fd >= 0)
		close(e->script_fd);
	free(e->exe_link);
	memset(e, 0, sizeof(*e));
	e->exe_fd = e->script_fd = -1;
}

/* The pinner thread: an exec just happened; open what it ran. */
static int on_exec_note(void *ctx, void *data, size_t size)
{
	struct cap_art *a = ctx;
	struct tr_exec_note n;
	char path[64], rel[TR_EXEC_NOTE_PATH + 8];
	struct art_pin *e;
	struct stat st;
	int dir, exe, script = -1;
	char *link = NULL;

	if (size < sizeof(n))
		return 0;
	memcpy(&n, data, sizeof(n));
	n.path[sizeof(n.path) - 1] = 0;
	snprintf(path, sizeof(path), "/proc/%u", n.pid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return 0;
	exe = openat(dir, "exe", O_RDONLY | O_CLOEXEC);
	/* the file of this exec, not of a later one */
	if (exe >= 0 && (fstat(exe, &st) || st.st_ino != n.ino ||
			 st.st_dev != makedev(n.dev >> 20, n.dev & 0xfffff))) {
		close(exe);
		exe = -1;
	}
	if (exe >= 0)
		link = readlink_at(dir, "exe");
	if (n.script && n.path[0]) {
		proc_rel(rel, sizeof(rel), n.path);
		script = openat(dir, rel, O_RDONLY | O_CLOEXEC);
	}
	close(dir);
	if (exe < 0 && script < 0)
		return 0;
	pthread_mutex_lock(&a->pin_lock);
	e = &a->pins[a->pin_next++ % CAP_ART_PINS];
	if (e->used)
		pin_clear(e);
	*e = (struct art_pin){ .ts = n.ts, .start_ns = n.start_ns, .pid = n.pid, .used = 1,
			       .exe_fd = exe, .script_fd = script, .exe_link = link };
	pthread_mutex_unlock(&a->pin_lock);
	atomic_fetch_add(&a->pinned, 1);
	return 0;
}

static void *pin_thread(void *arg)
{
	struct cap_art *a = arg;

	while (!atomic_load(&a->pin_stop)) {
		int err = ring_buffer__poll(a->rb, CAP_ART_WAIT_MS);

		if (err < 0 && err != -EINTR)
			break;
	}
	return NULL;
}

/* The fd an exec note pinned for this job (-1 if none): the note of the
 * same process closest in time to the event. Pins older than this job's
 * event by the TTL are let go: measured against the events, not the clock,
 * so a worker seconds behind on a busy host still finds its pins. */
static int pin_take(struct cap_art *a, const struct art_job *job, char **link)
{
	struct art_pin *best = NULL;
	uint64_t bestd = CAP_ART_PIN_MATCH_NS, now = job->rec.event_ts;
	int fd = -1;

	if (!a->skel)
		return -1;
	pthread_mutex_lock(&a->pin_lock);
	for (size_t i = 0; i < CAP_ART_PINS; i++) {
		struct art_pin *e = &a->pins[i];
		uint64_t d;

		if (!e->used)
			continue;
		if (now > e->ts && now - e->ts > CAP_ART_PIN_TTL_NS) {
			pin_clear(e);
			continue;
		}
		if (e->pid != job->rec.host_pid || e->start_ns != job->rec.start_ns ||
		    (job->rec.source == TR_ART_EXEC ? e->exe_fd : e->script_fd) < 0)
			continue;
		d = e->ts > job->rec.event_ts ? e->ts - job->rec.event_ts : job->rec.event_ts - e->ts;
		if (d < bestd) {
			bestd = d;
			best = e;
		}
	}
	if (best && job->rec.source == TR_ART_EXEC) {
		fd = best->exe_fd;
		best->exe_fd = -1;
		*link = best->exe_link;
		best->exe_link = NULL;
	} else if (best) {
		fd = best->script_fd;
		best->script_fd = -1;
	}
	if (best && best->exe_fd < 0 && best->script_fd < 0)
		pin_clear(best);
	pthread_mutex_unlock(&a->pin_lock);
	if (fd >= 0)
		atomic_fetch_add(&a->pin_used, 1);
	return fd;
}

static void pin(struct cap_art *a, struct art_job *job, struct art_pinned *p)
{
	char rel[PATH_MAX + 8], name[32];

	memset(p, 0, sizeof(*p));
	p->job = *job;
	p->fd = -1;
	p->piddir = -1;
	if (job->rec.source != TR_ART_WRITE)
		p->fd = pin_take(a, job, &p->shown);
	if (p->fd < 0)
		p->piddir = open_piddir(a, job->rec.host_pid, job->rec.start_ns);
	if (p->piddir >= 0) {
		switch (job->rec.source) {
		case TR_ART_EXEC:
			p->fd = openat(p->piddir, "exe", O_RDONLY | O_CLOEXEC);
			if (p->fd >= 0)
				p->shown = readlink_at(p->piddir, "exe");
			break;
		case TR_ART_WRITE:
			snprintf(name, sizeof(name), "fd/%d", job->fdnum);
			p->shown = readlink_at(p->piddir, name);
			if (p->shown && (job->path[0] != '/' || names(p->shown, job->path)))
				p->fd = openat(p->piddir, name, O_RDONLY | O_CLOEXEC);
			break;
		}
		if (p->fd < 0 && job->rec.source != TR_ART_EXEC) {
			proc_rel(rel, sizeof(rel), job->path);
			p->fd = openat(p->piddir, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (p->fd < 0)
				p->fd = openat(p->piddir, rel, O_RDONLY | O_CLOEXEC);
		}
		if (p->fd < 0 && job->rec.source == TR_ART_SCRIPT) {
			/* deleted already: the interpreter may still hold it open */
			DIR *d;
			struct dirent *e;
			int fddir = openat(p->piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			d = fddir >= 0 ? fdopendir(fddir) : NULL;
			while (d && p->fd < 0 && (e = readdir(d))) {
				ssize_t n;

				if (e->d_name[0] == '.')
					continue;
				n = readlinkat(fddir, e->d_name, rel, sizeof(rel) - 1);
				if (n <= 0)
					continue;
				rel[n] = 0;
				if (names(rel, job->path))
					p->fd = openat(fddir, e->d_name, O_RDONLY | O_CLOEXEC);
			}
			if (d)
				closedir(d);
			else if (fddir >= 0)
				close(fddir);
		}
	}
	/* by path only a real path: /proc/self/... or /dev/fd/N would be ours */
	if (p->fd < 0 && job->path[0] == '/' && strncmp(job->path, "/proc/", 6) &&
	    strncmp(job->path, "/dev/fd/", 8)) {
		p->fd = open(job->path, O_RDONLY | O_CLOEXEC);
		if (p->fd >= 0)
			p->job.rec.flags |= TR_ARTF_BY_PATH;
	}
	if (p->fd >= 0 && (fstat(p->fd, &p->st) || !S_ISREG(p->st.st_mode))) {
		close(p->fd);
		p->fd = -1;
	}
	if (!p->shown)
		p->shown = strdup(job->path);
}

static void unpin(struct art_pinned *p)
{
	if (p->fd >= 0)
		close(p->fd);
	if (p->piddir >= 0)
		close(p->piddir);
	free(p->shown);
	free(p->job.path);
	p->fd = p->piddir = -1;
	p->shown = p->job.path = NULL;
}

static struct art_seen *seen_find(struct cap_art *a, const struct stat *st)
{
	for (size_t i = 0; i < a->nseen; i++) {
		struct art_seen *s = &a->seen[i];

		if (s->dev == st->st_dev && s->ino == st->st_ino && s->size == st->st_size &&
		    s->mtime.tv_sec == st->st_mtim.tv_sec && s->mtime.tv_nsec == st->st_mtim.tv_nsec &&
		    s->ctime.tv_sec == st->st_ctim.tv_sec && s->ctime.tv_nsec == st->st_ctim.tv_nsec)
			return s;
	}
	return NULL;
}

static void seen_add(struct cap_art *a, const struct stat *st, const uint8_t sha[32])
{
	if (a->nseen == a->cseen) {
		size_t c = a->cseen ? 2 * a->cseen : 64;
		struct art_seen *v = realloc(a->seen, c * sizeof(*v));

		if (!v)
			return;
		a->seen = v;
		a->cseen = c;
	}
	a->seen[a->nseen++] = (struct art_seen){ st->st_dev, st->st_ino, st->st_size, st->st_mtim, st->st_ctim };
	memcpy(a->seen[a->nseen - 1].sha, sha, 32);
}

/* Copy the pinned file into artifacts/<sha256> (unless stored already) and
 * emit its record. */
static void copy(struct cap_art *a, struct art_pinned *p)
{
	uint32_t flags = p->job.rec.flags;
	struct cap_sha256 h;
	uint8_t buf[65536], sha[32];
	char tmp[64], hex[65];
	struct art_seen *s;
	uint64_t size = 0;
	off_t off = 0;
	int out = -1, err;
	ssize_t n;

	if (p->fd < 0) {
		emit(a, &p->job, flags | TR_ARTF_GONE, 0, NULL, p->shown);
		return;
	}
	fstat(p->fd, &p->st);
	if ((uint64_t)p->st.st_size > a->o.max_size) {
		emit(a, &p->job, flags | TR_ARTF_TOO_BIG, (uint64_t)p->st.st_size, NULL, p->shown);
		return;
	}
	s = seen_find(a, &p->st);
	if (s) {
		emit(a, &p->job, flags | TR_ARTF_DUP, (uint64_t)p->st.st_size, s->sha, p->shown);
		return;
	}
	if (a->total + (uint64_t)p->st.st_size > a->o.max_total) {
		emit(a, &p->job, flags | TR_ARTF_BUDGET, (uint64_t)p->st.st_size, NULL, p->shown);
		return;
	}
	snprintf(tmp, sizeof(tmp), ".tmp-%u", a->tmp_seq++);
	out = openat(a->artdir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	err = out < 0 ? -errno : cap_sha256__init(&h);
	while (!err && (n = pread(p->fd, buf, sizeof(buf), off)) != 0) {
		if (n < 0) {
			err = errno == EINTR ? 0 : -errno;
			continue;
		}
		off += n;
		size += (uint64_t)n;
		if (size > a->o.max_size) {
			flags |= TR_ARTF_TOO_BIG;
			err = -EFBIG;
			break;
		}
		err = cap_sha256__update(&h, buf, (size_t)n);
		if (!err && write(out, buf, (size_t)n) != n)
			err = -EIO;
	}
	if (out >= 0 && !err)
		err = cap_sha256__final(&h, sha);
	else if (out >= 0)
		cap_sha256__free(&h);
	if (out >= 0 && close(out) && !err)
		err = -errno;
	if (err) {
		if (out >= 0)
			unlinkat(a->artdir, tmp, 0);
		emit(a, &p->job, flags | (flags & TR_ARTF_TOO_BIG ? 0 : TR_ARTF_IO), size, NULL, p->shown);
		return;
	}
	cap_sha256__hex(sha, hex);
	if (!faccessat(a->artdir, hex, F_OK, 0)) {
		unlinkat(a->artdir, tmp, 0);
		flags |= TR_ARTF_DUP;
	} else if (renameat(a->artdir, tmp, a->artdir, hex)) {
		unlinkat(a->artdir, tmp, 0);
		emit(a, &p->job, flags | TR_ARTF_IO, size, NULL, p->shown);
		return;
	} else {
		struct tr_manifest_file *v = realloc(a->files, (a->nfiles + 1) * sizeof(*v));

		a->total += size;
		atomic_fetch_add(&a->stored, 1);
		if (v) {
			a->files = v;
			memset(&v[a->nfiles], 0, sizeof(v[0]));
			if (asprintf(&v[a->nfiles].path, "artifacts/%s", hex) > 0) {
				v[a->nfiles].info.bytes = size;
				memcpy(v[a->nfiles].info.sha256, hex, sizeof(hex));
				a->nfiles++;
			}
		}
	}
	if (size == (uint64_t)p->st.st_size)
		seen_add(a, &p->st, sha);
	emit(a, &p->job, flags, size, sha, p->shown);
}

/* A written file is done when its writer no longer holds it. */
static int write_done(struct art_pinned *p)
{
	char name[32];
	struct stat st;

	if (p->piddir < 0 || p->fd < 0 || p->job.fdnum < 0)
		return 1;
	snprintf(name, sizeof(name), "fd/%d", p->job.fdnum);
	if (fstatat(p->piddir, name, &st, 0))
		return 1;
	return st.st_dev != p->st.st_dev || st.st_ino != p->st.st_ino;
}

static void handle(struct cap_art *a, struct art_job *job)
{
	struct art_pinned p;

	pin(a, job, &p);
	if (job->rec.source == TR_ART_WRITE) {
		/* a relative path is only known to be under a prefix now */
		if (!p.shown || p.shown[0] != '/' || !under_prefix(a, p.shown, strlen(p.shown))) {
			unpin(&p);
			return;
		}
		if (!write_done(&p) && a->npending < CAP_ART_PENDING) {
			a->pending[a->npending++] = p;
			return;
		}
	}
	copy(a, &p);
	unpin(&p);
}

static void check_pending(struct cap_art *a, int all)
{
	for (size_t i = 0; i < a->npending;) {
		if (all || write_done(&a->pending[i])) {
			copy(a, &a->pending[i]);
			unpin(&a->pending[i]);
			a->pending[i] = a->pending[--a->npending];
		} else {
			i++;
		}
	}
}

static void *art_thread(void *arg)
{
	struct cap_art *a = arg;
	struct art_job *batch = malloc(CAP_ART_QUEUE * sizeof(*batch));
	int stop = 0;

	while (batch) {
		struct timespec until;
		size_t n = 0;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += CAP_ART_WAIT_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&a->lock);
		if (!a->qlen && !a->stop)
			pthread_cond_timedwait(&a->wake, &a->lock, &until);
		while (a->qlen) {
			batch[n++] = a->queue[a->qhead];
			a->qhead = (a->qhead + 1) % CAP_ART_QUEUE;
			a->qlen--;
		}
		stop = a->stop;
		pthread_mutex_unlock(&a->lock);
		for (size_t i = 0; i < n; i++)
			handle(a, &batch[i]);
		check_pending(a, stop);
		if (stop)
			break;
	}
	free(batch);
	return NULL;
}

/* ---- life cycle ---- */

/* Our pid as BPF sees it (the initial pid namespace): NSpid's first. */
static uint32_t host_tgid(void)
{
	char line[256];
	uint32_t pid = (uint32_t)getpid();
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6)) {
			pid = (uint32_t)strtoul(line + 6, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return pid;
}

static int exec_notes_start(struct cap_art *a, const char *prog)
{
	struct rlimit rl;
	int err;

	/* pinned files are open files: make room for them */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	a->skel = artifact_bpf__open();
	if (!a->skel) {
		err = -errno;
		tr_diag__error(prog, "opening the exec note program failed: %s", strerror(-err));
		return err;
	}
	a->skel->rodata->self_tgid = host_tgid();
	err = artifact_bpf__load(a->skel);
	if (!err)
		err = artifact_bpf__attach(a->skel);
	if (err) {
		tr_diag__error(prog, "loading the exec note program failed: %s (run with -v for the verifier's log)",
			       strerror(-err));
		return err;
	}
	a->rb = ring_buffer__new(bpf_map__fd(a->skel->maps.exec_notes), on_exec_note, a, NULL);
	if (!a->rb) {
		err = -errno;
		tr_diag__error(prog, "creating the exec note buffer failed: %s", strerror(-err));
		return err;
	}
	err = -pthread_create(&a->pin_thread, NULL, pin_thread, a);
	if (err) {
		tr_diag__error(prog, "starting the exec note thread failed: %s", strerror(-err));
		return err;
	}
	a->pin_started = 1;
	return 0;
}

int cap_art__start(struct cap_art **out, const struct cap_art_opts *o, const char *recdir,
		   const struct tr_catalog *cat, const char *prog)
{
	static const char *const cmdpath[] = { "cmdpath", "pathname", NULL };
	/* Tracee's "interp" (bprm->interp: the script's interpreter, else the
	 * file itself); recorders that fill only "interpreter_pathname" with
	 * it, when it differs from the file, do as well */
	static const char *const interp[] = { "interp", NULL };
	static const char *const interp2[] = { "interpreter_pathname", NULL };
	static const char *const pathname[] = { "pathname", NULL };
	static const char *const flags[] = { "flags", NULL };
	static const char *const resolved[] = { "resolved_path", NULL };
	struct cap_art *a = calloc(1, sizeof(*a));
	char path[PATH_MAX];
	int err;

	*out = a;
	if (!a)
		return -ENOMEM;
	a->o = *o;
	if (!a->o.max_size)
		a->o.max_size = CAP_ART_MAX_SIZE_DEFAULT;
	if (!a->o.max_total)
		a->o.max_total = CAP_ART_MAX_TOTAL_DEFAULT;
	a->prog = prog;
	a->artdir = -1;
	a->clk_tck = sysconf(_SC_CLK_TCK);
	if (a->clk_tck <= 0)
		a->clk_tck = 100;
	a->exec_cmdpath = arg_index(cat, TR_EV_SCHED_PROCESS_EXEC, cmdpath);
	a->exec_interp = arg_index(cat, TR_EV_SCHED_PROCESS_EXEC, interp);
	a->exec_interp2 = arg_index(cat, TR_EV_SCHED_PROCESS_EXEC, interp2);
	a->open_path = arg_index(cat, TR_EV_OPENAT, pathname);
	a->open_flags = arg_index(cat, TR_EV_OPENAT, flags);
	a->open_resolved = arg_index(cat, TR_EV_OPENAT, resolved);
	a->out_tail = &a->out_head;
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->pin_lock, NULL);
	for (size_t i = 0; i < CAP_ART_PINS; i++)
		a->pins[i].exe_fd = a->pins[i].script_fd = -1;
	pthread_cond_init(&a->wake, NULL);
	a->dir = strdup(recdir);
	if (!a->dir)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/artifacts", recdir);
	if (mkdir(path, 0700) && errno != EEXIST) {
		err = -errno;
		tr_diag__error(prog, "%s: cannot create: %s", path, strerror(-err));
		return err;
	}
	a->artdir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->artdir < 0) {
		err = -errno;
		tr_diag__error(prog, "%s: cannot open: %s", path, strerror(-err));
		return err;
	}
	if (a->o.exec) {
		err = exec_notes_start(a, prog);
		if (err)
			return err;
	}
	err = -pthread_create(&a->thread, NULL, art_thread, a);
	if (err) {
		tr_diag__error(prog, "starting the artifact capture thread failed: %s", strerror(-err));
		return err;
	}
	a->thread_started = 1;
	return 0;
}

void cap_art__stop(struct cap_art *a)
{
	if (a && a->pin_started) {
		/* what the notes pinned stays for the jobs still queued */
		atomic_store(&a->pin_stop, 1);
		pthread_join(a->pin_thread, NULL);
		a->pin_started = 0;
	}
	if (!a || !a->thread_started)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = 1;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	a->thread_started = 0;
}

int cap_art__manifest(struct cap_art *a, struct tr_manifest *m)
{
	struct tr_manifest_file *v;

	if (!a || !a->nfiles)
		return 0;
	v = realloc(m->artifacts, (m->nartifacts + a->nfiles) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->artifacts = v;
	for (size_t i = 0; i < a->nfiles; i++) {
		v[m->nartifacts++] = a->files[i];
		a->files[i].path = NULL;
	}
	a->nfiles = 0;
	return 0;
}

void cap_art__pin_stats(const struct cap_art *a, uint64_t *pinned, uint64_t *used)
{
	*pinned = a ? atomic_load(&a->pinned) : 0;
	*used = a ? atomic_load(&a->pin_used) : 0;
}

void cap_art__stats(const struct cap_art *a, uint64_t *stored, uint64_t *records, uint64_t *skipped)
{
	*stored = a ? atomic_load(&a->stored) : 0;
	*records = a ? atomic_load(&a->records) : 0;
	*skipped = a ? atomic_load(&a->skipped) : 0;
}

void cap_art__free(struct cap_art *a)
{
	if (!a)
		return;
	cap_art__stop(a);
	cap_art__take_records(a, NULL, NULL);
	for (size_t i = 0; i < a->qlen; i++)
		free(a->queue[(a->qhead + i) % CAP_ART_QUEUE].path);
	for (size_t i = 0; i < a->npending; i++)
		unpin(&a->pending[i]);
	for (size_t i = 0; i < a->nfiles; i++)
		free(a->files[i].path);
	free(a->files);
	free(a->seen);
	for (size_t i = 0; i < CAP_ART_PINS; i++)
		if (a->pins[i].used)
			pin_clear(&a->pins[i]);
	ring_buffer__free(a->rb);
	artifact_bpf__destroy(a->skel);
	pthread_mutex_destroy(&a->pin_lock);
	if (a->artdir >= 0)
		close(a->artdir);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->wake);
	free(a->dir);
	free(a);
}
