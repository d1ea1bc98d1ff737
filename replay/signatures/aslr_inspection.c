// SPDX-License-Identifier: MIT
/*
 * aslr_inspection.c: TRC-109 aslr_inspection.
 *
 * Tracee's TRC-109: an open for reading of /proc/sys/kernel/randomize_va_space.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_READ,
	.paths = (const char *const[]){ "/proc/sys/kernel/randomize_va_space", NULL },
};

const struct tr_signature tr_sig_aslr_inspection = {
	.id = "TRC-109",
	.event_id = 6109,
	.name = "aslr_inspection",
	.description = "A process read the ASLR setting (/proc/sys/kernel/randomize_va_space), which exploits check before choosing a technique",
	.severity = TR_SEV_INFO,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1068",
	.mitre_name = "Exploitation for Privilege Escalation",
	.category = "privilege-escalation",
	TR_SIG_TAGS("privilege-escalation", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
