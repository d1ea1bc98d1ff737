// SPDX-License-Identifier: MIT
/*
 * ssh_authorized_keys.c: TRR-1005 ssh_authorized_keys_modification.
 *
 * Ours: opens for writing of, and renames onto, authorized_keys files.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "*/.ssh/authorized_keys", "*/.ssh/authorized_keys2", "/etc/ssh/authorized_keys/*", NULL },
};

const struct tr_signature tr_sig_ssh_authorized_keys = {
	.id = "TRR-1005",
	.event_id = 6005,
	.name = "ssh_authorized_keys_modification",
	.description = "An SSH authorized_keys file was written or renamed onto: a key added there logs in without a password",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1098.004",
	.mitre_name = "SSH Authorized Keys",
	.category = "persistence",
	TR_SIG_TAGS("persistence", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
