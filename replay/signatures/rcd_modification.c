// SPDX-License-Identifier: MIT
/*
 * rcd_modification.c: TRC-1026 rcd_modification.
 *
 * Tracee's TRC-1026: writes and renames onto rc files, and exec of update-rc.d.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "/etc/rc.local", "/etc/init.d/*", "/etc/rc.d/*", "/etc/rc[0-6S].d/*", NULL },
	.execs = (const char *const[]){ "update-rc.d", NULL },
};

const struct tr_signature tr_sig_rcd_modification = {
	.id = "TRC-1026",
	.event_id = 6126,
	.name = "rcd_modification",
	.description = "An rc.d/init.d script or rc.local was written or renamed onto, or update-rc.d was run: boot-time persistence",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1037.004",
	.mitre_name = "RC Scripts",
	.category = "persistence",
	TR_SIG_TAGS("persistence", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS, "sched_process_exec"),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
