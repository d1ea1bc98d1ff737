// SPDX-License-Identifier: MIT
/*
 * core_pattern_modification.c: TRC-1011 core_pattern_modification.
 *
 * Tracee's TRC-1011: core_pattern opened for writing. Tracee watches containers;
 * we watch every origin: on the host it is persistence as much as escape.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "/proc/sys/kernel/core_pattern", NULL },
};

const struct tr_signature tr_sig_core_pattern_modification = {
	.id = "TRC-1011",
	.event_id = 6111,
	.name = "core_pattern_modification",
	.description = "A process opened /proc/sys/kernel/core_pattern for writing: a pattern starting with '|' makes the kernel run a program as root on every crash",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1611",
	.mitre_name = "Escape to Host",
	.category = "privilege-escalation",
	TR_SIG_TAGS("privilege-escalation", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
