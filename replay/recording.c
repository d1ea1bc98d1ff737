// SPDX-License-Identifier: MIT
/* recording.c: reading a recording directory (replay/recording.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "record.h"
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
	/* events/ is a directory of the recording, never a link to another */
	r->evfd = openat(r->dirfd, TR_EVENTS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = r->evfd >= 0 ? fdopendir(dup(r->evfd)) : NULL;
	if (!d) {
		rc = -errno;
		if (rc == -ENOENT && r->have_manifest) {
			tr_diag__damage(r->diag, evdir, -1, "missing; the recording has no events");
			rc = 0;
		} else if (rc == -ENOENT) {
			snprintf(err, errlen, "%s: not a recording: no %s/ and no readable %s", r->dir,
				 TR_EVENTS_DIR, TR_MANIFEST_NAME);
		} else if (rc == -ELOOP || rc == -ENOTDIR) {
			struct stat st;

			/* the recording's events cannot be read: damage, not failure */
			tr_diag__damage(r->diag, evdir, -1, "%s; not followed, no events read",
					!fstatat(r->dirfd, TR_EVENTS_DIR, &st, AT_SYMLINK_NOFOLLOW) &&
					S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
			rc = 0;
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
		} else if (!fstatat(r->evfd, base, &st, AT_SYMLINK_NOFOLLOW) && !S_ISREG(st.st_mode)) {
			/* Never followed: a link could lead anywhere, a FIFO would
			 * block the reader, a device could read forever. */
			tr_diag__damage(r->diag, file, -1, "%s; skipped",
					S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
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

/* The manifest's entry for a segment name, or NULL. */
static const struct tr_manifest_file *listed_entry(const struct tr_manifest_file *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].path, name))
			return &f[i];
	return NULL;
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
			tr_diag__damage(r->diag, NULL, -1, "%s/%s: listed in %s but missing", r->dir,
					tr_show_str(show, want), TR_MANIFEST_NAME);
	}
	for (size_t i = 0; i < r->nsegs; i++) {
		if (m->nsegments && bsearch(&r->seg_names[i], listed, m->nsegments, sizeof(*listed), cmp_str))
			continue;
		if (listed_entry(m->cuts, m->ncuts, r->seg_names[i]))
			tr_diag__warn(r->diag, r->seg_paths[i], -1, "declared cut in %s, but present; reading it",
				      TR_MANIFEST_NAME);
		else
			tr_diag__damage(r->diag, r->seg_paths[i], -1, "not listed in %s; reading it anyway",
					TR_MANIFEST_NAME);
	}
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
	r->evfd = -1;
	r->diag = diag;
	/* Every file of the recording is opened relative to this descriptor:
	 * the directory named on the command line is the one read throughout. */
	r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(-rc));
		goto fail;
	}
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
		tr_diag__damage(diag, NULL, -1, "%s; using the built-in catalog and the segments present",
				msg[0] ? msg : "manifest unreadable");
	if (r->have_manifest && r->manifest.state == TR_STATE_RECORDING) {
		r->interrupted = 1;
		/* followed while it is written: not an interruption */
		if (!(flags & TR_REC_OPEN_FOLLOW))
			tr_diag__damage(diag, NULL, -1,
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

void tr_recording__verify(struct tr_recording *r, int on)
{
	r->verify = on;
}

static void seg_diag(void *ctx, const char *path, uint64_t offset, const char *msg)
{
	tr_diag__damage(ctx, path, (int64_t)offset, "%s", msg);
}

/* SHA-256 of the open file fd, read with pread, into hex[65]. 0 or -errno. */
static int file_sha256(int fd, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[1 << 16];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	off_t off = 0;
	int rc = 0;

	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
		rc = -ENOMEM;
	while (!rc) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		else if (n == 0)
			break;
		else if (!EVP_DigestUpdate(c, buf, (size_t)n))
			rc = -ENOMEM;
		off += n;
	}
	if (!rc && (!EVP_DigestFinal_ex(c, md, &mdlen) || mdlen != 32))
		rc = -EIO;
	for (unsigned i = 0; !rc && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(c);
	return rc;
}

/* Is a segment declared cut (removed on purpose) between segment names a
 * (exclusive; NULL: the start) and b (exclusive)? */
static int cut_between(const struct tr_recording *r, const char *a, const char *b)
{
	for (size_t i = 0; i < r->manifest.ncuts; i++) {
		const char *c = r->manifest.cuts[i].path;

		if ((!a || cmp_segment(&a, &c) < 0) && cmp_segment(&c, &b) < 0)
			return 1;
	}
	return 0;
}

/* Before reading segment r->cur: where its first frame's chain starts, and
 * the manifest's size and hash for it. */
static void segment_begin(struct tr_recording *r, int fd)
{
	const struct tr_manifest_file *f = r->have_manifest ?
		listed_entry(r->manifest.segments, r->manifest.nsegments, r->seg_names[r->cur]) : NULL;
	static const uint8_t start[TR_CHAIN_LEN];
	const char *prev = r->cur ? r->seg_names[r->cur - 1] : NULL;
	struct stat st;
	char hex[65];
	int rc;

	/* The chain runs across segments; it starts from zeros at the first
	 * frame of the recording. Past a declared cut, or a segment that
	 * could not be read, where it resumes is not known. */
	if (cut_between(r, prev, r->seg_names[r->cur]))
		tr_seg_reader__chain(r->reader, NULL);
	else if (!r->cur)
		tr_seg_reader__chain(r->reader, start);
	else
		tr_seg_reader__chain(r->reader, r->chain_known ? r->chain : NULL);
	if (!f)
		return;
	if (!fstat(fd, &st) && (uint64_t)st.st_size != f->info.bytes) {
		tr_diag__damage(r->diag, r->seg_paths[r->cur], -1, "%llu bytes, %s lists %llu",
				(unsigned long long)st.st_size, TR_MANIFEST_NAME,
				(unsigned long long)f->info.bytes);
		r->stats.segments_mismatched++;
		return; /* the hash cannot match either */
	}
	if (!r->verify)
		return;
	rc = file_sha256(fd, hex);
	if (rc)
		tr_diag__damage(r->diag, r->seg_paths[r->cur], -1, "cannot hash: %s", strerror(-rc));
	else if (strcmp(hex, f->info.sha256))
		tr_diag__damage(r->diag, r->seg_paths[r->cur], -1, "sha256 %s, %s lists %s", hex,
				TR_MANIFEST_NAME, f->info.sha256);
	r->stats.segments_mismatched += rc || strcmp(hex, f->info.sha256);
}

/* After segment r->cur: its counts against the manifest (unless damage
 * already explains a difference), and the chain head for the next. */
static void segment_end(struct tr_recording *r)
{
	const struct tr_seg_stats *s = tr_seg_reader__stats(r->reader);
	const struct tr_manifest_file *f = r->have_manifest ?
		listed_entry(r->manifest.segments, r->manifest.nsegments, r->seg_names[r->cur]) : NULL;

	r->stats.segments_read++;
	r->stats.frames_ok += s->frames_ok;
	r->stats.frames_bad += s->frames_bad;
	r->stats.bytes_skipped += s->bytes_skipped;
	r->stats.records += s->records;
	r->stats.frame_seq_gaps += s->seq_gaps;
	r->stats.chain_breaks += s->chain_breaks;
	r->chain_known = tr_seg_reader__head(r->reader, r->chain);
	/* frames a time window skipped are not missing */
	if (f && !s->frames_bad && r->stats.frames_sought_past == r->seg_sought &&
	    (s->frames_ok != f->info.frames || s->records != f->info.records)) {
		tr_diag__damage(r->diag, r->seg_paths[r->cur], -1, "%llu frames and %llu records read, "
				"%s lists %llu frames and %llu records",
				(unsigned long long)s->frames_ok, (unsigned long long)s->records, TR_MANIFEST_NAME,
				(unsigned long long)f->info.frames, (unsigned long long)f->info.records);
		r->stats.segments_mismatched++;
	}
}

/* Per-CPU sequences (FORMAT.md 4.3): kernel records of one CPU come with
 * seq +1 each; a jump is records lost, and gap records must account for
 * them. Gap records and userland records take no number in a CPU's
 * sequence. */
static int cpu_seq(struct tr_recording *r, const struct tr_rec_hdr *rec, const struct tr_src *src)
{
	struct tr_rec_hdr h;
	struct tr_cpu_seq *c;

	memcpy(&h, rec, sizeof(h));
	if (h.cpu == TR_CPU_NONE || (h.kind != TR_REC_GAP && h.kind != TR_REC_EVENT && h.kind != TR_REC_RETVAL))
		return 0;
	if (h.cpu >= r->ncpus) {
		size_t n = (size_t)h.cpu + 1;
		struct tr_cpu_seq *v = realloc(r->cpus, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memset(v + r->ncpus, 0, (n - r->ncpus) * sizeof(*v));
		r->cpus = v;
		r->ncpus = n;
	}
	c = &r->cpus[h.cpu];
	if (h.kind == TR_REC_GAP) {
		struct tr_gap g;

		memcpy(&g, rec, sizeof(g));
		c->covered += g.lost;
		return 0;
	}
	if (c->seen && h.seq > c->last + 1) {
		if (!c->missing) {
			c->first_seg = src->segment;
			c->first_off = src->frame_offset;
		}
		c->missing += h.seq - c->last - 1;
	}
	c->seen = 1;
	c->last = h.seq;
	return 0;
}

static void cpu_seq_report(struct tr_recording *r)
{
	for (size_t i = 0; i < r->ncpus; i++) {
		const struct tr_cpu_seq *c = &r->cpus[i];
		char file[PATH_MAX];

		if (c->missing <= c->covered)
			continue;
		snprintf(file, sizeof(file), "%s/%s", r->dir, c->first_seg);
		tr_diag__damage(r->diag, file, (int64_t)c->first_off,
				"cpu %zu: %llu records missing from its sequence (the first jump is in this frame), "
				"gap records account for %llu", i, (unsigned long long)c->missing,
				(unsigned long long)c->covered);
		r->stats.cpu_seq_missing += c->missing - c->covered;
	}
}

/* Version 1 events are 8 bytes shorter (no euid, fsuid): readers past this
 * point see one layout. 1, 0 with a warning if the record is unusable, or
 * -ENOMEM. */
static int widen_v1(struct tr_recording *r, const struct tr_rec_hdr **rec, const struct tr_rec_pos *pos)
{
	size_t need = (*rec)->size + sizeof(struct tr_event) - TR_EVENT_V1_SIZE;
	char msg[160];

	if (r->conv_cap < need) {
		uint8_t *p = realloc(r->conv, need);

		if (!p)
			return -ENOMEM;
		r->conv = p;
		r->conv_cap = need;
	}
	if (tr_event__from_v1(*rec, (*rec)->size, r->conv, msg, sizeof(msg))) {
		tr_diag__warn(r->diag, r->seg_paths[r->cur], (int64_t)pos->frame_offset,
			      "frame %u, record %u: %s; skipped", pos->frame_seq, pos->index, msg);
		return 0;
	}
	*rec = (const struct tr_rec_hdr *)r->conv;
	return 1;
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
		int done = finalised(r), more, rc;

		/* A newer segment: this one is finished (the writer rotated). */
		more = r->cur + 1 < r->nsegs || follow_next_segment(r) > 0;
		tr_seg_reader__set_tail(r->reader, !more && !done);
		rc = tr_seg_reader__refresh(r->reader);
		if (rc)
			return rc;
		if (more || done || (r->stop && *r->stop))
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
			const char *base;

			if (r->cur >= r->nsegs) {
				if (!r->ended++)
					cpu_seq_report(r);
				return 0;
			}
			base = r->seg_names[r->cur] + sizeof(TR_EVENTS_DIR);
			r->reader = tr_seg_reader__openat(r->evfd, base, r->seg_paths[r->cur], seg_diag, r->diag);
			if (!r->reader) {
				rc = -errno;
				if (rc == -ENOMEM)
					return rc;
				/* One unreadable file is a hole, like a bad frame:
				 * the other segments are still evidence. The reader
				 * turns away what is not a regular file (it may have
				 * been replaced since the listing). */
				if (rc == -ENODEV || rc == -EISDIR)
					tr_diag__damage(r->diag, r->seg_paths[r->cur], -1,
							"not a regular file; skipped");
				else if (rc == -ELOOP)
					tr_diag__damage(r->diag, r->seg_paths[r->cur], -1,
							"a symbolic link; not followed, skipped");
				else
					tr_diag__damage(r->diag, r->seg_paths[r->cur], -1, "cannot open: %s; skipped",
							strerror(-rc));
				r->stats.segments_unreadable++;
				r->chain_known = 0;
				r->cur++;
				continue;
			}
			segment_begin(r, tr_seg_reader__fd(r->reader));
			r->seg_sought = r->stats.frames_sought_past;
			if (r->since_ns || r->until_ns)
				load_index(r);
			if (r->follow && r->cur + 1 == r->nsegs && !finalised(r))
				tr_seg_reader__set_tail(r->reader, 1);
		}
		rc = tr_seg_reader__next(r->reader, rec, &pos);
		if (rc > 0 && pos.version < TR_FORMAT_VERSION && (*rec)->kind == TR_REC_EVENT) {
			rc = widen_v1(r, rec, &pos);
			if (rc < 0)
				return rc;
			if (!rc)
				continue;
		}
		if (rc > 0) {
			src->segment = r->seg_names[r->cur];
			src->segment_index = (uint32_t)r->cur;
			src->frame_offset = pos.frame_offset;
			src->frame_seq = pos.frame_seq;
			src->index = pos.index;
			rc = cpu_seq(r, *rec, src);
			if (rc) {
				snprintf(err, errlen, "%s: offset %llu: out of memory", r->seg_paths[r->cur],
					 (unsigned long long)pos.frame_offset);
				return rc;
			}
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
		}
		segment_end(r);
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
	if (r->diag->damage)
		tr_diag__summary(r->diag, "%s: the recording is damaged or incomplete (%llu finding%s above)",
				 r->dir, (unsigned long long)r->diag->damage, r->diag->damage == 1 ? "" : "s");
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
	free(r->cpus);
	if (r->evfd >= 0)
		close(r->evfd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	free(r->conv);
	tr_manifest__free(&r->manifest);
	free(r->dir);
	free(r);
}
