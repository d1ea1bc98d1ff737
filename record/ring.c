// SPDX-License-Identifier: MIT
/* ring.c: the flight-recorder mode: rotation within a bound, freezes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring.h"
#include "tix.h"
#include "units.h"

/* Segments no smaller than this, nor shorter than a second (frames are
 * flushed, and rotation weighed, once a second). */
#define RING_SEG_MIN_BYTES (64ULL << 10)
#define RING_SEG_MIN_NS 1000000000ULL
/* Triggers during a freeze extend it, up to this long after the first. */
#define RING_JOIN_MAX_NS (120 * 1000000000ULL)

int rec_ring__parse(struct rec_ring *ring, const char *arg)
{
	size_t n = strlen(arg);

	/* a duration ends in a lowercase time unit; anything else is a size */
	if (n && strchr("smhd", arg[n - 1]))
		return rec_units__duration(arg, &ring->max_ns);
	if (n && strchr("0123456789.", arg[n - 1]))
		return -EINVAL; /* a bare number: say which */
	return rec_units__size(arg, &ring->max_bytes);
}

void rec_ring__segment_bounds(const struct rec_ring *ring, uint64_t *seg_bytes, uint64_t *seg_ns)
{
	if (ring->max_bytes) {
		uint64_t b = ring->max_bytes / 8;

		if (b < RING_SEG_MIN_BYTES)
			b = RING_SEG_MIN_BYTES;
		if (b < *seg_bytes)
			*seg_bytes = b;
	}
	if (ring->max_ns) {
		uint64_t t = ring->max_ns / 8;

		if (t < RING_SEG_MIN_NS)
			t = RING_SEG_MIN_NS;
		if (t < *seg_ns)
			*seg_ns = t;
	}
}

void rec_ring__start(struct rec_ring *ring, const struct rec_output *o, uint64_t now_ns)
{
	ring->nclosed = rec_output__segment_num(o);
	ring->open_start_ns = now_ns;
}

static const struct tr_manifest_file *entry(const struct tr_manifest *m, size_t num)
{
	char path[64];

	snprintf(path, sizeof(path), "events/seg-%06zu.zst", num);
	for (size_t i = 0; i < m->nsegments; i++)
		if (!strcmp(m->segments[i].path, path))
			return &m->segments[i];
	return NULL;
}

static int files_push(struct tr_manifest_file **v, size_t *n, const struct tr_manifest_file *f)
{
	struct tr_manifest_file *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = *f;
	nv[*n].path = strdup(f->path);
	if (!nv[*n].path)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void files_free(struct tr_manifest_file **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i].path);
	free(*v);
	*v = NULL;
	*n = 0;
}

/* Delete the oldest segment of the ring; its manifest entry moves to the
 * declared cuts. */
static int cut_oldest(struct rec_ring *ring, struct rec_output *o)
{
	struct tr_manifest *m = o->manifest;
	struct tr_manifest_file *c;
	char path[4096], *tix;
	size_t i;

	if (!ring->nkept || !m->nsegments)
		return 0;
	for (i = 0; i < m->nsegments; i++)
		if (entry(m, ring->kept[0].num) == &m->segments[i])
			break;
	if (i == m->nsegments)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", o->dir, m->segments[i].path);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	tix = tr_tix__path(path); /* its time index goes with it */
	if (tix && unlink(tix) && errno != ENOENT) {
		free(tix);
		return -errno;
	}
	free(tix);
	c = realloc(m->cuts, (m->ncuts + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	m->cuts = c;
	m->cuts[m->ncuts++] = m->segments[i];
	memmove(&m->segments[i], &m->segments[i + 1], (m->nsegments - i - 1) * sizeof(*m->segments));
	m->nsegments--;
	memmove(&ring->kept[0], &ring->kept[1], (ring->nkept - 1) * sizeof(*ring->kept));
	ring->nkept--;
	return 0;
}

/* Link the ring's closed segments not yet in the freeze into it. */
static int link_new(struct rec_ring *ring, struct rec_output *o)
{
	char from[4096], to[4096], *tix_from, *tix_to;
	int err;

	for (size_t k = 0; k < ring->nkept; k++) {
		const struct tr_manifest_file *f;

		if (ring->kept[k].num < ring->linked_upto)
			continue;
		f = entry(o->manifest, ring->kept[k].num);
		if (!f)
			return -ENOENT;
		snprintf(from, sizeof(from), "%s/%s", o->dir, f->path);
		snprintf(to, sizeof(to), "%s/%s", ring->frozen_dir, f->path);
		if (link(from, to) && errno != EEXIST)
			return -errno;
		tix_from = tr_tix__path(from);
		tix_to = tr_tix__path(to);
		err = !tix_from || !tix_to ? -ENOMEM :
		      link(tix_from, tix_to) && errno != ENOENT && errno != EEXIST ? -errno : 0;
		free(tix_from);
		free(tix_to);
		if (err)
			return err;
		err = files_push(&ring->fsegs, &ring->nfsegs, f);
		if (err)
			return err;
		if (!ring->frozen_start_ns || ring->kept[k].start_ns < ring->frozen_start_ns)
			ring->frozen_start_ns = ring->kept[k].start_ns;
		ring->linked_upto = ring->kept[k].num + 1;
	}
	return 0;
}

/* The frozen recording's manifest: the ring's, with the segments linked
 * and the cuts before them; and trigger.json, what froze it. */
static int freeze_finish(struct rec_ring *ring, struct rec_output *o, uint64_t now_ns)
{
	struct tr_manifest f = *o->manifest;
	char path[4096], reason[512];
	FILE *t;
	int err;

	err = link_new(ring, o);
	if (err)
		return err;
	snprintf(reason, sizeof(reason), "frozen: %s", ring->reason);
	f.segments = ring->fsegs;
	f.nsegments = ring->nfsegs;
	f.cuts = ring->fcuts;
	f.ncuts = ring->nfcuts;
	f.state = TR_STATE_COMPLETE;
	f.end_reason = reason;
	f.start_boot_ns = ring->frozen_start_ns ? ring->frozen_start_ns : f.start_boot_ns;
	f.stop_boot_ns = now_ns;
	err = rec_output__manifest(o, ring->frozen_dir, &f); /* once its segments are durable */
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/trigger.json", ring->frozen_dir);
	t = fopen(path, "wx");
	if (t) {
		fchmod(fileno(t), 0600);
		fprintf(t, "{\"reason\":\"");
		for (const char *p = ring->reason; *p; p++)
			fprintf(t, (*p == '"' || *p == '\\') ? "\\%c" : (unsigned char)*p < 0x20 ? "?" : "%c", *p);
		fprintf(t, "\",\"trigger_boot_ns\":%llu,\"after_ns\":%llu,\"start_boot_ns\":%llu,\"stop_boot_ns\":%llu,"
			"\"boot_to_wall_ns\":%lld}\n",
			(unsigned long long)ring->trigger_ns, (unsigned long long)(now_ns - ring->trigger_ns),
			(unsigned long long)f.start_boot_ns, (unsigned long long)now_ns,
			(long long)o->manifest->boot_to_wall_ns);
		if (fclose(t))
			return -errno;
	}
	fprintf(stderr, "tracee-record: %s: froze %zu segment(s), %.1f s before the trigger and %.1f s after (%s)\n",
		ring->frozen_dir, ring->nfsegs,
		(ring->trigger_ns - f.start_boot_ns) / 1e9, (now_ns - ring->trigger_ns) / 1e9, ring->reason);
	ring->freezing = 0;
	free(ring->reason);
	ring->reason = NULL;
	free(ring->frozen_dir);
	ring->frozen_dir = NULL;
	files_free(&ring->fsegs, &ring->nfsegs);
	files_free(&ring->fcuts, &ring->nfcuts);
	ring->frozen_start_ns = 0;
	return 0;
}

/* Note the segments closed since the last look (one per flush at most). */
static int note_closed(struct rec_ring *ring, const struct rec_output *o)
{
	size_t closed = rec_output__segment_num(o);

	while (ring->nclosed < closed) {
		void *k = realloc(ring->kept, (ring->nkept + 1) * sizeof(*ring->kept));

		if (!k)
			return -ENOMEM;
		ring->kept = k;
		ring->kept[ring->nkept].num = ring->nclosed++;
		ring->kept[ring->nkept++].start_ns = ring->open_start_ns;
		ring->open_start_ns = o->seg_opened_ns;
	}
	return 0;
}

int rec_ring__tick(struct rec_ring *ring, struct rec_output *o, uint64_t now_ns)
{
	int err, cut = 0;

	err = note_closed(ring, o);
	/* a freeze takes every closed segment before rotation may delete
	 * any; when its --after is over, the open segment is closed for it */
	if (!err && ring->freezing && now_ns >= ring->freeze_at) {
		err = rec_output__rotate(o, now_ns);
		if (!err)
			err = note_closed(ring, o);
		if (!err)
			err = freeze_finish(ring, o, now_ns);
	} else if (!err && ring->freezing) {
		err = link_new(ring, o);
	}
	if (err)
		return err;
	/* by size: the ring's segments and the open one within the bound */
	while (ring->max_bytes && ring->nkept) {
		if (rec_output__bytes(o) <= ring->max_bytes)
			break;
		if ((err = cut_oldest(ring, o)))
			return err;
		cut = 1;
	}
	/* by time: the oldest goes once the rest still covers the window */
	while (ring->max_ns && ring->nkept) {
		uint64_t next = ring->nkept > 1 ? ring->kept[1].start_ns : ring->open_start_ns;

		if (next > now_ns - ring->max_ns)
			break;
		if ((err = cut_oldest(ring, o)))
			return err;
		cut = 1;
	}
	return cut ? rec_output__manifest(o, o->dir, o->manifest) : 0;
}

int rec_ring__trigger(struct rec_ring *ring, struct rec_output *o, uint64_t now_ns, const char *reason)
{
	char path[4096];
	int err;

	if (ring->freezing) {
		/* a trigger during a freeze extends it (up to RING_JOIN_MAX_NS
		 * past the first trigger), and is named beside the first (once) */
		uint64_t until = now_ns + ring->after_ns, cap = ring->trigger_ns + RING_JOIN_MAX_NS;
		size_t n = strlen(ring->reason);
		char *r;

		ring->freeze_at = until < cap ? (until > ring->freeze_at ? until : ring->freeze_at) : cap;
		if (n < 2048 && !strstr(ring->reason, reason) &&
		    (r = realloc(ring->reason, n + strlen(reason) + 3))) {
			snprintf(r + n, strlen(reason) + 3, "; %s", reason);
			ring->reason = r;
		}
		return 0;
	}
	snprintf(path, sizeof(path), "%s/frozen", o->dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	ring->nfrozen++;
	if (asprintf(&ring->frozen_dir, "%s/frozen/%03u", o->dir, ring->nfrozen) < 0) {
		ring->frozen_dir = NULL;
		return -ENOMEM;
	}
	if (mkdir(ring->frozen_dir, 0700))
		return -errno;
	snprintf(path, sizeof(path), "%s/events", ring->frozen_dir);
	if (mkdir(path, 0700))
		return -errno;
	ring->reason = strdup(reason);
	if (!ring->reason)
		return -ENOMEM;
	ring->freezing = 1;
	ring->trigger_ns = now_ns;
	ring->freeze_at = now_ns + ring->after_ns;
	ring->linked_upto = 0;
	/* what the ring cut before the freeze is cut in it too */
	for (size_t i = 0; i < o->manifest->ncuts; i++)
		if ((err = files_push(&ring->fcuts, &ring->nfcuts, &o->manifest->cuts[i])))
			return err;
	err = link_new(ring, o);
	if (err)
		return err;
	if (!ring->after_ns && (err = rec_ring__tick(ring, o, now_ns)))
		return err;
	return 1;
}

int rec_ring__stop(struct rec_ring *ring, struct rec_output *o, uint64_t now_ns)
{
	if (!ring->freezing)
		return 0;
	ring->freeze_at = now_ns; /* the stop cuts --after short */
	return rec_ring__tick(ring, o, now_ns);
}

void rec_ring__free(struct rec_ring *ring)
{
	free(ring->kept);
	free(ring->reason);
	free(ring->frozen_dir);
	files_free(&ring->fsegs, &ring->nfsegs);
	files_free(&ring->fcuts, &ring->nfcuts);
}
