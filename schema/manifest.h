/* SPDX-License-Identifier: MIT */
/* manifest.h: manifest.json, the recording's table of contents
 * (schema/FORMAT.md, "Manifest"). Written at start, replaced atomically
 * (write to manifest.json.tmp, fsync, rename) whenever it changes. */
#ifndef TR_MANIFEST_H
#define TR_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "segment.h"

#define TR_MANIFEST_NAME "manifest.json"
#define TR_MANIFEST_FORMAT "tracee-recording"
#define TR_MANIFEST_MAX (64 << 20)	/* bytes a reader accepts */

enum tr_rec_state {
	TR_STATE_RECORDING = 0,	/* written at start; read back, the recorder did not finish */
	TR_STATE_COMPLETE = 1,	/* finalised */
};

struct tr_manifest_file {
	char *path;		/* relative to the recording directory */
	struct tr_seg_info info; /* frames/records are 0 for non-segments */
};

struct tr_manifest {
	uint32_t format_version;	/* TR_FORMAT_VERSION */
	char *tool_version;
	enum tr_rec_state state;
	char *end_reason;	/* "duration", "command exited", "signal SIGINT", ...; NULL while recording */

	/* host */
	char *hostname;
	char *kernel_release;
	char *boot_id;
	uint32_t cpu_count;
	int64_t boot_to_wall_ns;	/* wall-clock ns = boot ns + this */

	/* options: the recorder's argv, as given */
	size_t argc;
	char **argv;

	uint64_t start_boot_ns;
	uint64_t stop_boot_ns;		/* 0 while recording */

	size_t nsegments;
	struct tr_manifest_file *segments;	/* events/seg-NNNNNN.zst, in order */
	size_t npcaps;
	struct tr_manifest_file *pcaps;
	/* segments removed on purpose (ring rotation): readers do not call
	 * their absence damage. Optional key "cuts"; since 2. */
	size_t ncuts;
	struct tr_manifest_file *cuts;
	size_t nartifacts;			/* artifacts/<sha256>; optional in the file */
	struct tr_manifest_file *artifacts;

	/* losses: per-CPU counts of lost events (the same as the gap records) */
	size_t nlost;
	uint64_t *lost_per_cpu;
	/* events the recorder took but could not write (a write error, e.g. a
	 * full disk): in no gap record. Optional key lost.unwritten; since 2. */
	uint64_t lost_unwritten;

	/* the catalog the recording was made with; owned by the manifest when
	 * read back (catalog_owned), else points at the built-in one */
	const struct tr_catalog *catalog;
	int catalog_owned;
};

/* Write dir/manifest.json atomically, mode 0600. 0 or -errno. */
int tr_manifest__write(const char *dir, const struct tr_manifest *m);
/* The same in two steps, so that the slow one (fsync, rename, fsync of
 * dir) can run on another thread: m as the text of manifest.json (*text
 * malloc'd, *len bytes), then that text written to dir/manifest.json
 * atomically. Each 0 or -errno. */
int tr_manifest__render(const struct tr_manifest *m, char **text, size_t *len);
int tr_manifest__commit(const char *dir, const char *text, size_t len);
/* Read dir/manifest.json into m (zeroed first). 0, or -errno / -EBADMSG with
 * a message in err naming the file and, for JSON errors, line and column. */
int tr_manifest__read(const char *dir, struct tr_manifest *m, char *err, size_t errlen);
/* Free what tr_manifest__read or the caller allocated in m (free()-able
 * strings and arrays); m itself is not freed. NULL is fine. */
void tr_manifest__free(struct tr_manifest *m);

#endif /* TR_MANIFEST_H */
