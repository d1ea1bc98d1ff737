// SPDX-License-Identifier: MIT
/*
 * sched_debug_recon.c: TRC-1029 sched_debug_recon.
 *
 * Tracee's TRC-1029: /proc/sched_debug (and its debugfs successor) opened for reading.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_READ,
	.paths = (const char *const[]){ "/proc/sched_debug", "/sys/kernel/debug/sched/debug", NULL },
};

const struct tr_signature tr_sig_sched_debug_recon = {
	.id = "TRC-1029",
	.event_id = 6129,
	.name = "sched_debug_recon",
	.description = "A process read the scheduler's debug file, which lists every task on the host, from inside a container too",
	.severity = TR_SEV_LOW,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1082",
	.mitre_name = "System Information Discovery",
	.category = "discovery",
	TR_SIG_TAGS("discovery", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
