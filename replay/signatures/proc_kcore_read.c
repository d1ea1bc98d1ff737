// SPDX-License-Identifier: MIT
/*
 * proc_kcore_read.c: TRC-1021 proc_kcore_read.
 *
 * Tracee's TRC-1021: an open of /proc/kcore for reading.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_READ,
	.paths = (const char *const[]){ "/proc/kcore", NULL },
};

const struct tr_signature tr_sig_proc_kcore_read = {
	.id = "TRC-1021",
	.event_id = 6121,
	.name = "proc_kcore_read",
	.description = "A process opened /proc/kcore, the kernel's memory as an ELF core file, for reading",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1003",
	.mitre_name = "OS Credential Dumping",
	.category = "credential-access",
	TR_SIG_TAGS("credential-access", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
