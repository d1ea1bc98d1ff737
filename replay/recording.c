// SPDX-License-Identifier: MIT
/* recording.c: reading a recording directory (replay/recording.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "recording.h"
#include "show.h"

#define TR_EVENTS_DIR "events"

/* "seg-" digits ".zst": the recorder's names. The digits of a name that
 * is one, without its leading zeros, in *num and their count in *numlen. */
static int is_segment_name(const char *name, const char **num, size_t *numlen)
{
	size_t n = strlen(name), i;

	if (n < 4 + 1 + 4 || strncmp(name, "seg-", 4) || strcmp(name + n - 4, ".zst"))
		return 0;
	for (i = 4; i < n - 4; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	for (i = 4; i < n - 5 && name[i] == '0'; i++)
		;
	*num = name + i;
	*numlen = n - 4 - i;
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Segment order is record order, and it is the order of the segments'
 * numbers (FORMAT.md, section 2), not of their names: seg-1000000.zst
 * comes after seg-999999.zst, which strcmp would put the other way. The
 * numbers are compared as digit strings (fewer digits is smaller), so no
 * name is too long to compare; the same number written with other zero
 * padding (seg-1.zst, seg-000001.zst) is ordered by name, so that the
 * order stays total. */
static int cmp_segment(const void *a, const void *b)
{
	const char *x = *(char *const *)a + sizeof(TR_EVENTS_DIR), *y = *(char *const *)b + sizeof(TR_EVENTS_DIR);
	const char *nx, *ny;
	size_t lx, ly;
	int c;

	is_segment_name(x, &nx, &lx);
	is_segment_name(y, &ny, &ly);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	c = memcmp(nx, ny, lx);
	return c ? c : strcmp(x, y);
}

/* The segments present in dir/events, in segment order. Anything else in
 * events/ is reported and left alone: a name that is not a segment's (a
 * temporary file, an editor backup), or a segment name on something that
 * is not a regular file (a FIFO would block the reader, a device could
 * read forever). Reported in name order, not in the file system's. */
static int list_segments(struct tr_recording *r, char *err, size_t errlen)
{
	char *evdir, **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (asprintf(&evdir, "%s/%s", r->dir, TR_EVENTS_DIR) < 0)
		return -ENOMEM;
	d = opendir(evdir);
	if (!d) {
		rc = -errno;
		if (rc == -ENOENT && r->have_manifest) {
			tr_diag__warn(r->diag, evdir, -1, "missing; the recording has no events");
			rc = 0;
		} else if (rc == -ENOENT) {
			snprintf(err, errlen, "%s: not a recording: no %s/ and no readable %s", r->dir,
				 TR_EVENTS_DIR, TR_MANIFEST_NAME);
		} else {
			snprintf(err, errlen, "%s: cannot open: %s", evdir, strerror(-rc));
		}
		free(evdir);
		return rc;
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **v = realloc(names, ncap * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			names = v;
			cap = ncap;
		}
		if (asprintf(&names[n], "%s/%s", TR_EVENTS_DIR, de->d_name) < 0) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	if (!rc && errno) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot list: %s", evdir, strerror(-rc));
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	r->seg_names = calloc(n ? n : 1, sizeof(*r->seg_names));
	if (!rc && !r->seg_names)
		rc = -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *base = names[i] + sizeof(TR_EVENTS_DIR), *num;
		char show[TR_SHOW_MAX], file[PATH_MAX + TR_SHOW_MAX];
		size_t numlen;
		struct stat st;

		if (rc) {
			free(names[i]);
			continue;
		}
		snprintf(file, sizeof(file), "%s/%s", evdir, tr_show_str(show, base));
		if (strlen(base) > 4 && !strcmp(base + strlen(base) - 4, ".tix")) {
			free(names[i]);	/* a segment's time index (schema/tix.h) */
		} else if (!is_segment_name(base, &num, &numlen)) {
			tr_diag__warn(r->diag, file, -1, "not a segment name (seg-NNNNNN.zst); ignored");
			free(names[i]);
		} else if (!fstatat(dirfd(d), base, &st, 0) && !S_ISREG(st.st_mode)) {
			/* Following a symlink, as open would; one that leads
			 * nowhere is left for the open to report. */
			tr_diag__warn(r->diag, file, -1, "not a regular file; skipped");
			r->stats.segments_unreadable++;
			free(names[i]);
		} else {
			r->seg_names[r->nsegs++] = names[i];
		}
	}
	free(names);
	closedir(d);
	free(evdir);
	if (rc)
		return rc;
	/* segment order is record order */
	if (r->nsegs)
		qsort(r->seg_names, r->nsegs, sizeof(*r->seg_names), cmp_segment);
	r->seg_paths = calloc(r->nsegs ? r->nsegs : 1, sizeof(*r->seg_paths));
	if (!r->seg_paths)
		return -ENOMEM;
	for (size_t i = 0; i < r->nsegs; i++)
		if (asprintf(&r->seg_paths[i], "%s/%s", r->dir, r->seg_names[i]) < 0) {
			r->seg_paths[i] = NULL;
			return -ENOMEM;
		}
	return 0;
}

/* A complete manifest and the directory should agree; say where they do
 * not (an interrupted one is stale by nature, so it is not compared). */
static int check_listed(struct tr_recording *r)
{
	const struct tr_manifest *m = &r->manifest;
	char **present = NULL, **listed = NULL;
	char show[TR_SHOW_MAX];

	/* Both sides by name, to look names up in the other. */
	if (r->nsegs && !(present = malloc(r->nsegs * sizeof(*present))))
		return -ENOMEM;
	if (m->nsegments && !(listed = malloc(m->nsegments * sizeof(*listed)))) {
		free(present);
		return -ENOMEM;
	}
	if (r->nsegs)
		memcpy(present, r->seg_names, r->nsegs * sizeof(*present));
	for (size_t i = 0; i < m->nsegments; i++)
		listed[i] = m->segments[i].path;
	if (r->nsegs)
		qsort(present, r->nsegs, sizeof(*present), cmp_str);
	if (m->nsegments)
		qsort(listed, m->nsegments, sizeof(*listed), cmp_str);

	for (size_t i = 0; i < m->nsegments; i++) {
		const char *want = m->segments[i].path;

		if (!r->nsegs || !bsearch(&want, present, r->nsegs, sizeof(*present), cmp_str))
			tr_diag__warn(r->diag, NULL, -1, "%s/%s: listed in %s but missing", r->dir,
				      tr_show_str(show, want), TR_MANIFEST_NAME);
	}
	for (size_t i = 0; i < r->nsegs; i++)
		if (!m->nsegments || !bsearch(&r->seg_names[i], listed, m->nsegments, sizeof(*listed), cmp_str))
			tr_diag__warn(r->diag, r->seg_paths[i], -1, "not listed in %s; reading it anyway",
				      TR_MANIFEST_NAME);
	free(present);
	free(listed);
	return 0;
}

int tr_recording__open(struct tr_recording **out, const char *dir, struct tr_diag *diag,
		       char *err, size_t errlen)
{
	return tr_recording__open_ex(out, dir, diag, 0, err, errlen);
}

int tr_recording__open_ex(struct tr_recording **out, const char *dir, struct tr_diag *diag, unsigned flags,
			  char *err, size_t errlen)
{
	struct tr_recording *r;
	struct stat st;
	char msg[512];
	int rc;

	*out = NULL;
	if (stat(dir, &st)) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(-rc));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory (a recording is a directory)", dir);
		return -ENOTDIR;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->dir = strdup(dir))) {
		free(r);
		snprintf(err, errlen, "%s: out of memory", dir);
		return -ENOMEM;
	}
	r->diag = diag;
	/* "rec/" and "rec" name the same recording in every message */
	for (size_t n = strlen(r->dir); n > 1 && r->dir[n - 1] == '/'; n--)
		r->dir[n - 1] = '\0';

	/* The manifest: without it the records are still readable, with the
	 * catalog of this build (ids are never renumbered). */
	msg[0] = '\0';
	rc = tr_manifest__read(dir, &r->manifest, msg, sizeof(msg));
	if (rc == -ENOMEM)
		goto fail;
	r->have_manifest = !rc;
	r->catalog = tr_catalog__builtin();
	if (r->have_manifest && r->manifest.catalog)
		r->catalog = r->manifest.catalog;

	/* The segments; a directory with neither is no recording, and that
	 * is the one thing to say about it. */
	rc = list_segments(r, err, errlen);
	if (rc)
		goto fail;
	if (!r->have_manifest)
		tr_diag__warn(diag, NULL, -1, "%s; using the built-in catalog and the segments present",
			      msg[0] ? msg : "manifest unreadable");
	if (r->have_manifest && r->manifest.state == TR_STATE_RECORDING) {
		r->interrupted = 1;
		/* followed while it is written: not an interruption */
		if (!(flags & TR_REC_OPEN_FOLLOW))
			tr_diag__warn(diag, NULL, -1,
			      "%s/%s: recording was interrupted (state \"recording\"); reading every segment present",
			      dir, TR_MANIFEST_NAME);
	}
	if (r->have_manifest && !r->interrupted) {
		rc = check_listed(r);
		if (rc)
			goto fail;
	}
	*out = r;
	return 0;
fail:
	if (rc == -ENOMEM && err && errlen && !err[0])
		snprintf(err, errlen, "%s: out of memory", dir);
	tr_recording__close(r);
	return rc;
}

static void seg_diag(void *ctx, const char *path, uint64_t offset, const char *msg)
{
	tr_diag__warn(ctx, path, (int64_t)offset, "%s", msg);
}

static void add_stats(struct tr_recording *r)
{
	const struct tr_seg_stats *s = tr_seg_reader__stats(r->reader);

	r->stats.segments_read++;
	r->stats.frames_ok += s->frames_ok;
	r->stats.frames_bad += s->frames_bad;
	r->stats.bytes_skipped += s->bytes_skipped;
	r->stats.records += s->records;
}

void tr_recording__window(struct tr_recording *r, uint64_t since_ns, uint64_t until_ns)
{
	r->since_ns = since_ns;
	r->until_ns = until_ns;
}

void tr_recording__follow(struct tr_recording *r, const volatile int *stop)
{
	r->follow = 1;
	r->stop = stop;
}

/* The reader's skip callback: the next frame at or after offset that the
 * window needs, by the segment's time index. */
static uint64_t window_skip(void *ctx, uint64_t offset)
{
	struct tr_recording *r = ctx;
	size_t lo = 0, hi = r->ntix;

	while (lo < hi) {	/* first entry at or after offset */
		size_t mid = lo + (hi - lo) / 2;

		if (r->tix[mid].frame_offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->ntix || r->tix[lo].frame_offset != offset)
		return offset;	/* not indexed (damage, a tail): read it */
	for (; lo < r->ntix; lo++) {
		const struct tr_tix_entry *e = &r->tix[lo];

		if ((e->flags & TR_TIX_STATE) || !((r->since_ns && e->last_ts < r->since_ns) ||
						   (r->until_ns && e->first_ts > r->until_ns)))
			return e->frame_offset;
		r->stats.frames_sought_past++;
	}
	return UINT64_MAX;
}

static void load_index(struct tr_recording *r)
{
	char *path = tr_tix__path(r->seg_paths[r->cur]);

	free(r->tix);
	r->tix = NULL;
	r->ntix = 0;
	if (!path)
		return;
	if (!tr_tix__read(path, &r->tix, &r->ntix)) {
		r->stats.segments_indexed++;
		tr_seg_reader__set_skip(r->reader, window_skip, r);
	}
	free(path);
}

/* The next segment of a recording being written, if it has appeared. */
static int follow_next_segment(struct tr_recording *r)
{
	const char *name = r->seg_names[r->cur] + sizeof(TR_EVENTS_DIR);
	char next[64], *n = NULL, *p = NULL;
	unsigned long num;
	struct stat st;
	char **v;

	if (sscanf(name, "seg-%lu.zst", &num) != 1)
		return 0;
	snprintf(next, sizeof(next), "seg-%06lu.zst", num + 1);
	if (asprintf(&p, "%s/%s/%s", r->dir, TR_EVENTS_DIR, next) < 0)
		return -ENOMEM;
	if (stat(p, &st) || !S_ISREG(st.st_mode) || asprintf(&n, "%s/%s", TR_EVENTS_DIR, next) < 0) {
		free(p);
		return 0;
	}
	v = realloc(r->seg_names, (r->nsegs + 1) * sizeof(*v));
	if (v)
		r->seg_names = v;
	v = v ? realloc(r->seg_paths, (r->nsegs + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(n);
		free(p);
		return -ENOMEM;
	}
	r->seg_paths = v;
	r->seg_names[r->nsegs] = n;
	r->seg_paths[r->nsegs] = p;
	r->nsegs++;
	return 1;
}

static int finalised(const struct tr_recording *r)
{
	struct tr_manifest m;
	char err[256];
	int done;

	if (tr_manifest__read(r->dir, &m, err, sizeof(err)))
		return 0;
	done = m.state == TR_STATE_COMPLETE;
	tr_manifest__free(&m);
	return done;
}

/* At the end of the last segment while following: 1 when the reader has
 * more now (reopened further on, or the next segment), 0 at the real end. */
static int follow_wait(struct tr_recording *r)
{
	for (;;) {
		uint64_t off = tr_seg_reader__offset(r->reader);
		int done = finalised(r), more;
		struct stat st;

		/* A newer segment: this one is finished (the writer rotated). */
		more = r->cur + 1 < r->nsegs || follow_next_segment(r) > 0;
		if (!stat(r->seg_paths[r->cur], &st) && (uint64_t)st.st_size > off) {
			struct tr_seg_reader *nr = tr_seg_reader__open(r->seg_paths[r->cur], seg_diag, r->diag);

			if (nr) {
				add_stats(r);
				tr_seg_reader__close(r->reader);
				r->reader = nr;
				tr_seg_reader__set_tail(nr, !more && !done);
				tr_seg_reader__seek(nr, off);
				return 1;
			}
		}
		if (more)
			return 2;
		if (done || (r->stop && *r->stop))
			return 0;
		usleep(100 * 1000);
	}
}

int tr_recording__next(struct tr_recording *r, const struct tr_rec_hdr **rec, struct tr_src *src,
		       char *err, size_t errlen)
{
	struct tr_rec_pos pos;
	int rc;

	for (;;) {
		if (!r->reader) {
			if (r->cur >= r->nsegs)
				return 0;
			r->reader = tr_seg_reader__open(r->seg_paths[r->cur], seg_diag, r->diag);
			if (!r->reader) {
				rc = -errno;
				if (rc == -ENOMEM)
					return rc;
				/* One unreadable file is a hole, like a bad frame:
				 * the other segments are still evidence. The reader
				 * turns away what is not a regular file (it may have
				 * been replaced since the listing). */
				if (rc == -ENODEV || rc == -EISDIR)
					tr_diag__warn(r->diag, r->seg_paths[r->cur], -1,
						      "not a regular file; skipped");
				else
					tr_diag__warn(r->diag, r->seg_paths[r->cur], -1, "cannot open: %s; skipped",
						      strerror(-rc));
				r->stats.segments_unreadable++;
				r->cur++;
				continue;
			}
			if (r->since_ns || r->until_ns)
				load_index(r);
			if (r->follow && r->cur + 1 == r->nsegs && !finalised(r))
				tr_seg_reader__set_tail(r->reader, 1);
		}
		rc = tr_seg_reader__next(r->reader, rec, &pos);
		if (rc > 0) {
			src->segment = r->seg_names[r->cur];
			src->segment_index = (uint32_t)r->cur;
			src->frame_offset = pos.frame_offset;
			src->frame_seq = pos.frame_seq;
			src->index = pos.index;
			return 1;
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s: read failed: %s", r->seg_paths[r->cur], strerror(-rc));
			return rc;
		}
		if (r->follow && r->cur + 1 >= r->nsegs) {
			int w = follow_wait(r);

			if (w < 0)
				return w;
			if (w == 1)
				continue;
			if (w == 0 && r->cur + 1 >= r->nsegs) {
				add_stats(r);
				tr_seg_reader__close(r->reader);
				r->reader = NULL;
				r->cur++;
				return 0;
			}
		}
		add_stats(r);
		tr_seg_reader__close(r->reader);
		r->reader = NULL;
		r->cur++;
	}
}

void tr_recording__summary(const struct tr_recording *r)
{
	const struct tr_recording_stats *s = &r->stats;

	if (s->frames_bad)
		tr_diag__summary(r->diag, "%s: %llu damaged frame%s skipped (%llu bytes); the rest was read",
				 r->dir, (unsigned long long)s->frames_bad, s->frames_bad == 1 ? "" : "s",
				 (unsigned long long)s->bytes_skipped);
	if (s->segments_unreadable)
		tr_diag__summary(r->diag, "%s: %llu segment%s could not be opened", r->dir,
				 (unsigned long long)s->segments_unreadable,
				 s->segments_unreadable == 1 ? "" : "s");
}

void tr_recording__close(struct tr_recording *r)
{
	if (!r)
		return;
	tr_seg_reader__close(r->reader);
	free(r->tix);
	for (size_t i = 0; i < r->nsegs; i++) {
		free(r->seg_names[i]);
		if (r->seg_paths)
			free(r->seg_paths[i]);
	}
	free(r->seg_names);
	free(r->seg_paths);
	tr_manifest__free(&r->manifest);
	free(r->dir);
	free(r);
}
