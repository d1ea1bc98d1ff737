// SPDX-License-Identifier: MIT
/*
 * scheduled_task_modification.c: TRC-1027 scheduled_task_modification.
 *
 * Tracee's TRC-1027 watches cron files and crontab; we add at and systemd
 * timers, which the issue asks for and serve the same purpose.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "/etc/crontab", "/etc/anacrontab", "/etc/cron.d/*", "/etc/cron.hourly/*", "/etc/cron.daily/*", "/etc/cron.weekly/*", "/etc/cron.monthly/*", "/var/spool/cron/*", "/var/spool/anacron/*", "/var/spool/at/*", "/etc/systemd/system/*.timer", "/usr/lib/systemd/system/*.timer", "/lib/systemd/system/*.timer", "/etc/systemd/user/*.timer", NULL },
	.execs = (const char *const[]){ "crontab", "at", NULL },
};

const struct tr_signature tr_sig_scheduled_task_modification = {
	.id = "TRC-1027",
	.event_id = 6127,
	.name = "scheduled_task_modification",
	.description = "A cron, at or systemd timer file was written or renamed onto, or crontab was run: scheduled-task persistence",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1053.003",
	.mitre_name = "Cron",
	.category = "persistence",
	TR_SIG_TAGS("persistence", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS, "sched_process_exec"),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
