// SPDX-License-Identifier: MIT
/*
 * proc_mem_access.c: TRC-1023 proc_mem_access.
 *
 * Tracee's TRC-1023: /proc/PID/mem opened for reading.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_READ,
	.paths = (const char *const[]){ "/proc/[0-9]*/mem", "/proc/self/mem", "/proc/thread-self/mem", NULL },
};

const struct tr_signature tr_sig_proc_mem_access = {
	.id = "TRC-1023",
	.event_id = 6123,
	.name = "proc_mem_access",
	.description = "A process opened another process's memory (/proc/PID/mem) for reading, as credential dumpers do",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1003.007",
	.mitre_name = "Proc Filesystem",
	.category = "credential-access",
	TR_SIG_TAGS("credential-access", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
