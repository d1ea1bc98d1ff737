// SPDX-License-Identifier: MIT
/* output.c: segments and manifest of a recording being written. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

/*
 * The closer: a thread that makes closed segments durable (fsync of the
 * segment and its time index) and writes the manifest, in the order the
 * drain thread asked, so that a rotation costs the drain thread only the
 * last frame's write and the manifest's rendering. A manifest is written
 * only after every segment it lists is durable: jobs run in order, and
 * after a failed fsync no manifest is written here any more (the close
 * writes the last one, which says the recording failed).
 */
struct rec_job {
	struct rec_job *next;
	struct tr_seg_writer *seg;	/* finished, to make durable; or NULL */
	char *dir, *text;		/* then this manifest into dir; or NULL */
	size_t len;
};

struct rec_closer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct rec_job *head, **tail;
	int stop;
	int err;	/* the first error, handed to the drain thread */
};

static void job_free(struct rec_job *j)
{
	free(j->dir);
	free(j->text);
	free(j);
}

static void *closer_main(void *arg)
{
	struct rec_closer *c = arg;
	struct rec_job *j;
	int err, failed;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->head && !c->stop)
			pthread_cond_wait(&c->wake, &c->lock);
		if (!c->head)
			break;
		j = c->head;
		c->head = j->next;
		if (!c->head)
			c->tail = &c->head;
		failed = c->err;
		pthread_mutex_unlock(&c->lock);
		err = tr_seg_writer__sync(j->seg);
		if (!err && !failed && j->text)
			err = tr_manifest__commit(j->dir, j->text, j->len);
		job_free(j);
		pthread_mutex_lock(&c->lock);
		if (err && !c->err)
			c->err = err;
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* NULL if the thread cannot start: then all is done inline. Signals stay
 * with the drain thread, whose poll they must interrupt. */
static struct rec_closer *closer_start(void)
{
	struct rec_closer *c = calloc(1, sizeof(*c));
	sigset_t all, old;

	if (!c)
		return NULL;
	c->tail = &c->head;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&c->thread, NULL, closer_main, c)) {
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->wake);
		free(c);
		c = NULL;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return c;
}

/* Queue a job (it is done even if queueing fails: inline). 0 or the
 * first error of the closer so far. */
static int closer_push(struct rec_closer *c, struct tr_seg_writer *seg, char *dir, char *text, size_t len)
{
	struct rec_job *j = calloc(1, sizeof(*j));
	int err;

	if (!j) {
		err = tr_seg_writer__sync(seg);
		pthread_mutex_lock(&c->lock);
		if (err && !c->err)
			c->err = err;
		pthread_mutex_unlock(&c->lock);
		free(dir);
		free(text);
		return err ? err : -ENOMEM;
	}
	*j = (struct rec_job){ .seg = seg, .dir = dir, .text = text, .len = len };
	pthread_mutex_lock(&c->lock);
	*c->tail = j;
	c->tail = &j->next;
	err = c->err;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	return err;
}

static int closer_err(struct rec_closer *c)
{
	int err;

	pthread_mutex_lock(&c->lock);
	err = c->err;
	pthread_mutex_unlock(&c->lock);
	return err;
}

/* Finish every job, end the thread. Its first error. */
static int closer_stop(struct rec_closer *c)
{
	int err;

	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	err = c->err;
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	free(c);
	return err;
}

/* The manifest m into dir, after every segment closed so far is durable:
 * rendered now, written by the closer (or now, inline). */
int rec_output__manifest(struct rec_output *o, const char *dir, const struct tr_manifest *m)
{
	char *text, *d;
	size_t len;
	int err;

	if (!o->closer)
		return tr_manifest__write(dir, m);
	err = tr_manifest__render(m, &text, &len);
	if (err)
		return err;
	d = strdup(dir);
	if (!d) {
		free(text);
		return -ENOMEM;
	}
	return closer_push(o->closer, NULL, d, text, len);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A stretch of output work on the drain thread begins (nested calls, a
 * rotation inside a flush, count as one). */
static void away_begin(struct rec_output *o)
{
	if (o->away_depth++)
		return;
	o->away_t0 = mono_ns();
	o->away_max = 0;
	o->away_rotated = 0;
}

static void away_piece(struct rec_output *o)
{
	uint64_t d = mono_ns() - o->away_t0;

	if (d > o->away_max)
		o->away_max = d;
}

static void stall_note(struct rec_stall *s, uint64_t ns, uint64_t segment)
{
	s->count++;
	s->total_ns += ns;
	if (ns > s->max_ns) {
		s->max_ns = ns;
		s->max_segment = segment;
	}
}

static void away_end(struct rec_output *o)
{
	if (--o->away_depth)
		return;
	away_piece(o);
	stall_note(o->away_rotated ? &o->stall_rotate : &o->stall_flush, o->away_max,
		   rec_output__segment_num(o) - (size_t)o->away_rotated);
}

void rec_output__busy(struct rec_output *o)
{
	if (!o->on_busy)
		return;
	if (o->away_depth)
		away_piece(o);
	o->on_busy(o->busy_ctx);
	if (o->away_depth)
		o->away_t0 = mono_ns();
}

void rec_output__stalls(const struct rec_output *o, char *buf, size_t len)
{
	const struct rec_stall *f = &o->stall_flush, *r = &o->stall_rotate;
	uint64_t frame = o->stall_frame.max_ns;

	if (o->seg && tr_seg_writer__max_flush_ns(o->seg) > frame)
		frame = tr_seg_writer__max_flush_ns(o->seg);

	snprintf(buf, len, "the drain waited on the output at most %.1f ms in a segment rotation "
		 "(of %llu, at seg-%06llu; %.1f ms on average), %.1f ms in a flush (of %llu; %.2f ms on "
		 "average), %.1f ms writing a frame", r->max_ns / 1e6, (unsigned long long)r->count,
		 (unsigned long long)r->max_segment, r->count ? r->total_ns / 1e6 / r->count : 0.0,
		 f->max_ns / 1e6, (unsigned long long)f->count, f->count ? f->total_ns / 1e6 / f->count : 0.0,
		 frame / 1e6);
}

/* 1 if the directory open as fd holds nothing, 0 if it holds something,
 * -errno. */
static int dir_is_empty(int fd)
{
	DIR *d = fdopendir(dup(fd));
	struct dirent *de;
	int empty = 1;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/* The recording directory is ours alone: another user who could write in
 * it could swap the manifest or a segment under the recorder. */
static int make_dir(const char *dir, int force)
{
	struct stat st;
	int fd, err = 0;

	if (!mkdir(dir, 0700))
		return 0;
	if (errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR && !lstat(dir, &st) && S_ISLNK(st.st_mode) ? -ELOOP : -errno;
	if (fstat(fd, &st))
		err = -errno;
	else if (st.st_uid != geteuid() && !force)
		err = -EPERM;
	else if ((st.st_uid != geteuid() && fchown(fd, geteuid(), getegid())) || fchmod(fd, 0700))
		err = -errno;
	else if (dir_is_empty(fd) != 1)
		err = -EEXIST;
	close(fd);
	return err;
}

/* Room for the final manifest: twice the first one, and more for the
 * segments it will list. */
static int reserve(const char *dir)
{
	char path[4096];
	struct stat st;
	off_t size = 256 << 10;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, TR_MANIFEST_NAME);
	if (!stat(path, &st))
		size += 2 * st.st_size;
	snprintf(path, sizeof(path), "%s/%s", dir, REC_RESERVE_NAME);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	err = posix_fallocate(fd, 0, size);
	if (close(fd) && !err)
		err = errno;
	if (err)
		unlink(path);
	return -err;
}

static void unreserve(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, REC_RESERVE_NAME);
	unlink(path);
}

static int segment_open(struct rec_output *o, uint64_t now_ns)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/events/seg-%06zu.zst", o->dir, rec_output__segment_num(o));
	o->seg = tr_seg_writer__open(path, o->zstd_level, TR_SEG_FRAME_RAW_DEFAULT);
	if (!o->seg)
		return -errno;
	tr_seg_writer__frame_records(o->seg, o->frame_records);
	if (o->inline_close)
		tr_seg_writer__write_behind(o->seg, 0);
	/* the hash chain runs across segments */
	if (o->manifest->nsegments)
		tr_seg_writer__chain(o->seg, o->manifest->segments[o->manifest->nsegments - 1].info.chain);
	else if (o->manifest->ncuts) /* a ring cut every closed segment */
		tr_seg_writer__chain(o->seg, o->manifest->cuts[o->manifest->ncuts - 1].info.chain);
	o->seg_opened_ns = now_ns;
	return 0;
}

/* Close the current segment and list it in the manifest, even if closing
 * failed: what reached the disk is still part of the recording. With
 * closing, it is only finished (its last frame written), and *closing is
 * left to make durable; else it is made durable now. */
static int segment_close(struct rec_output *o, struct tr_seg_writer **closing)
{
	struct tr_manifest *m = o->manifest;
	struct tr_manifest_file *f;
	struct tr_seg_info info = {};
	int err;

	if (tr_seg_writer__max_flush_ns(o->seg) > o->stall_frame.max_ns) {
		o->stall_frame.max_ns = tr_seg_writer__max_flush_ns(o->seg);
		o->stall_frame.max_segment = rec_output__segment_num(o);
	}
	err = tr_seg_writer__finish(o->seg, &info);
	if (closing) {
		*closing = o->seg;
	} else {
		int serr = tr_seg_writer__sync(o->seg);

		err = err ? err : serr;
	}
	o->seg = NULL;
	f = realloc(m->segments, (m->nsegments + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	m->segments = f;
	f = &m->segments[m->nsegments];
	if (asprintf(&f->path, "events/seg-%06zu.zst", rec_output__segment_num(o)) < 0)
		return -ENOMEM;
	f->info = info;
	m->nsegments++;
	return err;
}

int rec_output__open(struct rec_output *o, const char *dir, struct tr_manifest *m)
{
	char path[4096];
	int err;

	o->manifest = m;
	o->dir = strdup(dir);
	if (!o->dir)
		return -ENOMEM;
	err = make_dir(dir, o->force);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/events", dir);
	if (mkdir(path, 0700))
		return -errno;
	err = tr_manifest__write(dir, m);
	if (!err)
		err = reserve(dir);
	if (err)
		return err;
	o->inline_close = getenv("TR_OUTPUT_INLINE") && *getenv("TR_OUTPUT_INLINE");
	err = segment_open(o, m->start_boot_ns);
	if (!err && !o->inline_close)
		o->closer = closer_start();
	return err;
}

int rec_output__append(struct rec_output *o, const void *rec, size_t len)
{
	uint64_t before;
	int err;

	if (!o->seg)
		return -EIO; /* a rotation failed: nothing more can be written */
	before = tr_seg_writer__bytes(o->seg);
	o->records++;
	o->raw_bytes += len;
	if (o->on_append)
		o->on_append(o->append_ctx, rec, len);
	err = tr_seg_writer__append(o->seg, rec, len);
	if (tr_seg_writer__bytes(o->seg) != before) {
		/* a frame was written out: every record so far is on disk */
		o->raw_at_flush = o->raw_bytes;
		o->bytes_at_flush = rec_output__bytes(o);
	}
	return err;
}

int rec_output__user(struct rec_output *o, void *rec, uint16_t kind, uint16_t cpu, size_t len, uint64_t ts)
{
	struct tr_rec_hdr *h = rec;

	h->kind = kind;
	h->cpu = cpu;
	h->size = len;
	h->ts = ts;
	h->seq = o->user_seq++;
	return rec_output__append(o, rec, len);
}

static int rotate(struct rec_output *o, uint64_t now_ns)
{
	struct tr_seg_writer *closing = NULL;
	int err, werr = 0;

	if (!o->seg)
		return -EIO;
	o->away_rotated = 1;
	/* the manifest lists the closed segment whether or not the next opens */
	err = segment_close(o, o->closer ? &closing : NULL);
	if (closing) {
		/* made durable, then listed, while the next segment starts */
		char *text = NULL, *dir = strdup(o->dir);
		size_t len = 0;

		werr = dir ? tr_manifest__render(o->manifest, &text, &len) : -ENOMEM;
		if (werr) {
			free(dir);
			dir = NULL;
		}
		if (closer_push(o->closer, closing, dir, text, len) && !werr)
			werr = closer_err(o->closer);
	}
	if (!err)
		err = segment_open(o, now_ns);
	/* each segment stands alone: it opens with the state as of now */
	if (!err && o->on_segment)
		err = o->on_segment(o, o->hook_ctx, (uint32_t)rec_output__segment_num(o));
	if (!closing)
		werr = tr_manifest__write(o->dir, o->manifest);
	return err ? err : werr;
}

int rec_output__rotate(struct rec_output *o, uint64_t now_ns)
{
	int err;

	away_begin(o);
	err = rotate(o, now_ns);
	away_end(o);
	return err;
}

static int flush(struct rec_output *o, uint64_t now_ns)
{
	int err;

	if (!o->seg)
		return -EIO;
	if (o->closer && (err = closer_err(o->closer)))
		return err; /* a closed segment could not be made durable */
	err = tr_seg_writer__flush(o->seg);
	if (!err && o->on_flush)
		err = o->on_flush(o, o->hook_ctx, now_ns);
	if (err)
		return err;
	o->raw_at_flush = o->raw_bytes;
	o->bytes_at_flush = rec_output__bytes(o);
	if (tr_seg_writer__bytes(o->seg) < o->seg_max_bytes && now_ns - o->seg_opened_ns < o->seg_max_ns)
		return 0;
	return rotate(o, now_ns);
}

int rec_output__flush(struct rec_output *o, uint64_t now_ns)
{
	int err;

	away_begin(o);
	err = flush(o, now_ns);
	away_end(o);
	return err;
}

size_t rec_output__segment_num(const struct rec_output *o)
{
	return o->manifest->nsegments + o->manifest->ncuts;
}

uint64_t rec_output__bytes(const struct rec_output *o)
{
	uint64_t bytes = o->seg ? tr_seg_writer__bytes(o->seg) : 0;

	for (size_t i = 0; o->manifest && i < o->manifest->nsegments; i++)
		bytes += o->manifest->segments[i].info.bytes;
	return bytes;
}

uint64_t rec_output__bytes_due(const struct rec_output *o)
{
	uint64_t pending = o->raw_bytes - o->raw_at_flush;

	/* no ratio yet: count pending records at their raw size */
	if (o->bytes_at_flush && o->raw_at_flush > o->bytes_at_flush)
		pending = pending * o->bytes_at_flush / o->raw_at_flush;
	return rec_output__bytes(o) + pending;
}

void rec_output__head(const struct rec_output *o, uint8_t out[TR_CHAIN_LEN], uint64_t *frames)
{
	const struct tr_manifest *m = o->manifest;

	*frames = 0;
	for (size_t i = 0; i < m->nsegments; i++)
		*frames += m->segments[i].info.frames;
	memset(out, 0, TR_CHAIN_LEN);
	if (o->seg) {
		tr_seg_writer__head(o->seg, out);
		*frames += tr_seg_writer__frames(o->seg);
	} else if (m->nsegments) {
		memcpy(out, m->segments[m->nsegments - 1].info.chain, TR_CHAIN_LEN);
	}
}

int rec_output__close(struct rec_output *o)
{
	int err = 0, werr;

	/* The manifest is written even if the segment failed: it says so.
	 * The reserve makes room for it on a full disk. */
	if (o->closer) {
		err = closer_stop(o->closer);
		o->closer = NULL;
	}
	if (o->seg) {
		uint32_t pending = tr_seg_writer__pending(o->seg);
		int cerr = segment_close(o, NULL);

		if (cerr) {
			o->unwritten += pending;
			o->manifest->lost_unwritten += pending;
		}
		err = err ? err : cerr;
	}
	unreserve(o->dir);
	werr = tr_manifest__write(o->dir, o->manifest);
	free(o->dir);
	o->dir = NULL;
	return err ? err : werr;
}
