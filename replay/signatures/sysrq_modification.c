// SPDX-License-Identifier: MIT
/*
 * sysrq_modification.c: TRC-1031 system_request_key_config_modification.
 *
 * Tracee's TRC-1031: the sysrq configuration opened for writing; we add the
 * trigger file, the other half of the same switch.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE,
	.paths = (const char *const[]){ "/proc/sys/kernel/sysrq", "/proc/sysrq-trigger", NULL },
};

const struct tr_signature tr_sig_sysrq_modification = {
	.id = "TRC-1031",
	.event_id = 6131,
	.name = "system_request_key_config_modification",
	.description = "The magic SysRq configuration (/proc/sys/kernel/sysrq) or trigger was written: it can crash, reboot or dump the host",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1529",
	.mitre_name = "System Shutdown/Reboot",
	.category = "impact",
	TR_SIG_TAGS("impact", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
