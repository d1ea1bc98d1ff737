// SPDX-License-Identifier: MIT
/*
 * log_tampering.c: TRR-1007 log_file_tampering.
 *
 * Ours: unlink, truncate(2), O_TRUNC opens and renames away under /var/log,
 * except by logrotate and the logging daemons (which rotate by design).
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_UNLINK | TR_FOP_TRUNC | TR_FOP_RENAME_FROM,
	.paths = (const char *const[]){ "/var/log/*", NULL },
	.exempt = (const char *const[]){ "logrotate", "rsyslogd", "systemd-journal", "syslog-ng", "journald", NULL },
};

const struct tr_signature tr_sig_log_tampering = {
	.id = "TRR-1007",
	.event_id = 6007,
	.name = "log_file_tampering",
	.description = "A file under /var/log was deleted, truncated or renamed away by a process other than the log rotators and daemons",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1070.002",
	.mitre_name = "Clear Linux or Mac System Logs",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS, TR_SIGU_UNLINK_EVENTS, TR_SIGU_TRUNC_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
