// SPDX-License-Identifier: MIT
/*
 * history_tampering.c: TRR-1004 history_file_tampering.
 *
 * Ours (Tracee has none): unlink, truncate(2) or an O_TRUNC open of a history
 * file, or a rename of or onto one (ln -sf /dev/null ~/.bash_history
 * renames onto it). Appends, as shells write, do not count. An interactive
 * bash without histappend rewrites its file with O_TRUNC on exit, which
 * fires too: an exception by comm and path is the answer there.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_UNLINK | TR_FOP_TRUNC | TR_FOP_RENAME_FROM | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "*/.bash_history", "*/.zsh_history", "*/.sh_history", "*/.ash_history", "*/.history", "*/.python_history", "*/.mysql_history", "*/.psql_history", NULL },
};

const struct tr_signature tr_sig_history_tampering = {
	.id = "TRR-1004",
	.event_id = 6004,
	.name = "history_file_tampering",
	.description = "A shell history file was deleted, truncated or renamed: a common step of covering tracks",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1070.003",
	.mitre_name = "Clear Command History",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS, TR_SIGU_UNLINK_EVENTS, TR_SIGU_TRUNC_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
