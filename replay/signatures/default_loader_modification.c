// SPDX-License-Identifier: MIT
/*
 * default_loader_modification.c: TRC-1012 default_loader_modification.
 *
 * Tracee's TRC-1012: security_file_open for writing or security_inode_rename onto
 * the default loader. Package upgrades replace it too (dpkg renames onto it);
 * an exception for dpkg is the usual answer on hosts that upgrade.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "*/ld-linux*.so*", "*/ld-musl*.so*", "*/ld64.so*", NULL },
};

const struct tr_signature tr_sig_default_loader_modification = {
	.id = "TRC-1012",
	.event_id = 6112,
	.name = "default_loader_modification",
	.description = "The dynamic loader (ld-linux, ld-musl) was opened for writing or replaced by a rename: every dynamically linked program runs it first",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1574",
	.mitre_name = "Hijack Execution Flow",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
