// SPDX-License-Identifier: MIT
/*
 * cgroup_release_agent.c: TRC-1010 cgroup_release_agent.
 *
 * Tracee's TRC-1010: security_file_open with write flags, or security_inode_rename
 * onto, a file named release_agent, from a container.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE | TR_FOP_RENAME_TO,
	.paths = (const char *const[]){ "*/release_agent", NULL },
};

const struct tr_signature tr_sig_cgroup_release_agent = {
	.id = "TRC-1010",
	.event_id = 6110,
	.name = "cgroup_release_agent",
	.description = "A process in a container opened or renamed onto a cgroup release_agent file: the kernel runs that program on the host",
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
