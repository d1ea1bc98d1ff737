// SPDX-License-Identifier: MIT
/*
 * cgroup_notify_on_release.c: TRC-106 cgroup_notify_on_release.
 *
 * Tracee's TRC-106: security_file_open of a file named notify_on_release with
 * write flags, from a container. Also renames onto such a file.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "*/notify_on_release", NULL },
};

const struct tr_signature tr_sig_cgroup_notify_on_release = {
	.id = "TRC-106",
	.event_id = 6106,
	.name = "cgroup_notify_on_release",
	.description = "A process in a container opened a cgroup notify_on_release file for writing: with release_agent, the classic way to run a command on the host",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_CONTAINER,
	.mitre_id = "T1611",
	.mitre_name = "Escape to Host",
	.category = "privilege-escalation",
	TR_SIG_TAGS("privilege-escalation", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, TR_SIGU_RENAME_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
