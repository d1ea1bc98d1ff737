// SPDX-License-Identifier: MIT
/*
 * process_vm_write.c: TRC-1025 process_vm_write_code_injection,
 * process_vm_writev into another process: its memory, code included,
 * written directly. Writing into oneself is no injection and does not
 * count (the pid argument is in the caller's pid namespace, as its own).
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	int64_t pid = tr_view__i64(v, "pid", -1);
	struct tr_kv data[1] = { TR_KV_I64("target_pid", pid) };

	if (pid <= 0 || pid == (int64_t)v->ev->pid)
		return 0;
	return tr_sig__report(ctx, v, NULL, data, 1);
}

const struct tr_signature tr_sig_process_vm_write = {
	.id = "TRC-1025",
	.event_id = 6125,
	.name = "process_vm_write_code_injection",
	.description = "A process wrote into another process's memory with process_vm_writev: code injection",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1055",
	.mitre_name = "Process Injection",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "privilege-escalation"),
	TR_SIG_EVENTS("process_vm_writev"),
	TR_SIG_ARGS({ "process_vm_writev", "pid", TR_WIRES_INT }),
	.on_event = on_event,
};
