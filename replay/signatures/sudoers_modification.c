// SPDX-License-Identifier: MIT
/*
 * sudoers_modification.c: TRC-1028 sudoers_modification.
 *
 * Tracee's TRC-1028: security_file_open with write flags or security_inode_rename
 * onto sudoers.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "/etc/sudoers", "/etc/sudoers.d/*", "/private/etc/sudoers", NULL },
};

const struct tr_signature tr_sig_sudoers_modification = {
	.id = "TRC-1028",
	.event_id = 6128,
	.name = "sudoers_modification",
	.description = "The sudoers file or a file in /etc/sudoers.d was written or renamed onto: who may become root changed",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1548.003",
	.mitre_name = "Sudo and Sudo Caching",
	.category = "privilege-escalation",
	TR_SIG_TAGS("privilege-escalation", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
