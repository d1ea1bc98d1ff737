// SPDX-License-Identifier: MIT
/* store.c: the table definitions and the store chooser (store/store.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

#define T(...) { __VA_ARGS__ }
#define COLS(...) .ncols = sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *), \
		  .cols = { __VA_ARGS__ }

/* The stored columns of schema/index.sql, in its order (the CLI test
 * checks them against the schema). */
const struct tr_table_def tr_tables[TR_TAB_N] = {
	[TR_TAB_RECORDINGS] = { "recordings", COLS("id", "uid", "path", "hostname", "kernel", "boot_id",
		"cpu_count", "format_version", "tool_version", "options", "boot_to_wall_ns", "start_ns",
		"stop_ns", "state", "end_reason", "events", "lost_total", "damaged_frames", "warnings",
		"manifest_sha256", "detections_only", "indexed", "indexed_by", "indexed_ns", "damage"), 1 },
	[TR_TAB_RECORDING_FILES] = { "recording_files", COLS("recording_id", "kind", "path", "bytes",
		"sha256"), 1 },
	[TR_TAB_SEGMENTS] = { "segments", COLS("recording_id", "segment_index", "path"), 1 },
	[TR_TAB_PROCESSES] = { "processes", COLS("id", "recording_id", "entity_id", "host_pid", "start_ns",
		"pid", "host_ppid", "parent_id", "parent_entity_id", "exe", "comm", "argv", "cwd", "cgroup",
		"container_id", "uid", "user", "gid", "source", "seen_ns", "execs", "exited", "exit_code",
		"exit_ns"), 1 },
	[TR_TAB_EVENTS] = { "events", COLS("id", "recording_id", "ordinal", "timestamp", "event_id",
		"event_name", "host_pid", "host_tid", "process_id", "retval", "args", "segment_index",
		"frame_offset", "record_index"), 1 },
	[TR_TAB_SIGNATURES] = { "signatures", COLS("id", "event_id", "name", "description", "severity",
		"mitre_id", "mitre_name", "origin", "version", "rule_sha256"), 0 },
	[TR_TAB_DETECTIONS] = { "detections", COLS("id", "recording_id", "signature_id", "trigger_id",
		"trigger_ordinal", "process_id", "severity", "timestamp", "data"), 1 },
	[TR_TAB_FILES] = { "files", COLS("id", "recording_id", "event_ordinal", "process_id", "timestamp",
		"how", "path", "new_path", "flags", "retval"), 1 },
	[TR_TAB_FLOWS] = { "flows", COLS("id", "recording_id", "event_ordinal", "process_id", "timestamp",
		"direction", "family", "proto", "src_addr", "src_port", "dst_addr", "dst_port", "dns_name",
		"bytes_out", "bytes_in", "packets", "retval"), 1 },
	[TR_TAB_ARTIFACTS] = { "artifacts", COLS("id", "recording_id", "sha256", "path", "stored", "bytes",
		"process_id", "event_ordinal", "timestamp"), 1 },
	[TR_TAB_GAPS] = { "gaps", COLS("id", "recording_id", "ordinal", "cpu", "lost", "timestamp"), 1 },
	[TR_TAB_WARNINGS] = { "warnings", COLS("id", "recording_id", "damage", "file", "offset", "message"), 1 },
};

int tr_store__open(struct tr_store **out, const char *target, enum tr_store_mode mode, char *err,
		   size_t errlen)
{
	*out = NULL;
	if (!strncmp(target, "clickhouse://", 13) || !strncmp(target, "http://", 7))
		return tr_store_clickhouse.open(out, target, mode, err, errlen);
	return tr_store_sqlite.open(out, target, mode, err, errlen);
}

void tr_store__close(struct tr_store *s)
{
	if (s)
		s->ops->close(s);
}

struct one_int {
	int64_t v;
	int got;
};

static int one_int_row(void *ctx, const char *const *names, const struct tr_val *cols, size_t n)
{
	struct one_int *o = ctx;

	if (n && cols[0].type == TR_VAL_INT)
		o->v = cols[0].i;
	o->got = n && cols[0].type == TR_VAL_INT;
	return 1;
}

int tr_store__int(struct tr_store *s, const char *sql, const struct tr_val *params, size_t nparams,
		  int64_t dflt, int64_t *out)
{
	struct one_int o = { .v = dflt };
	int rc = s->ops->select(s, sql, params, nparams, one_int_row, &o);

	*out = o.got ? o.v : dflt;
	return rc < 0 ? rc : 0;
}
