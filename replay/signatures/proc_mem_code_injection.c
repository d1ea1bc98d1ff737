// SPDX-License-Identifier: MIT
/*
 * proc_mem_code_injection.c: TRC-1024 proc_mem_code_injection.
 *
 * Tracee's TRC-1024: /proc/PID/mem opened with write flags.
 * Read through the file helpers (sigutil.h): the derived security_* event
 * and the syscalls it is made from, successful ones only.
 */
#include "builtin.h"
#include "sigutil.h"

static const struct tr_file_rule rule = {
	.ops = TR_FOP_WRITE,
	.paths = (const char *const[]){ "/proc/[0-9]*/mem", "/proc/self/mem", "/proc/thread-self/mem", NULL },
};

const struct tr_signature tr_sig_proc_mem_code_injection = {
	.id = "TRC-1024",
	.event_id = 6124,
	.name = "proc_mem_code_injection",
	.description = "A process opened /proc/PID/mem for writing, which writes into that process's memory, code included",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1055.009",
	.mitre_name = "Proc Memory",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "files"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS),
	TR_SIG_FILE_ARGS,
	.priv = &rule,
	.on_event = tr_sigu__file_rule,
};
