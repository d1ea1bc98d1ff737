// SPDX-License-Identifier: MIT
/*
 * hooking.c: TRC-1020 proc_fops_hooking and TRC-1030
 * syscall_table_hooking, rootkit hooks found by inspecting kernel memory.
 *
 * Tracee finds them by reading kernel symbols through kprobes, which this
 * kernel does not allow us (DESIGN.md 5): live recordings never carry
 * hooked_proc_fops or hooked_syscall. The signatures fire on a Tracee
 * JSON log that has them, and --list-signatures says so.
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static int on_fops(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const struct tr_arg_val *a = tr_view__arg(v, "hooked_fops_pointers", TR_WIRE_BIT(TR_T_JSON) | TR_WIRES_STR);
	struct tr_kv data[1] = { TR_KV_BYTES("hooked_fops_pointers", a ? a->b.p : (const void *)"", a ? a->b.len : 0) };

	return tr_sig__report(ctx, v, NULL, data, 1);
}

static int on_syscall(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	static const char *const keys[] = { "syscall", "address", "function", "owner" };
	struct tr_kv data[4];

	for (size_t i = 0; i < 4; i++) {
		const uint8_t *p;
		uint32_t len;

		if (!tr_view__str(v, keys[i], &p, &len))
			p = (const uint8_t *)"", len = 0;
		data[i] = TR_KV_BYTES(keys[i], p, len);
	}
	return tr_sig__report(ctx, v, NULL, data, 4);
}

const struct tr_signature tr_sig_proc_fops_hooking = {
	.id = "TRC-1020",
	.event_id = 6120,
	.name = "proc_fops_hooking",
	.description = "The file operations of /proc were hooked in kernel memory, as rootkits do to hide "
		       "processes",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1014",
	.mitre_name = "Rootkit",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "rootkit"),
	TR_SIG_EVENTS("hooked_proc_fops"),
	TR_SIG_ARGS({ "hooked_proc_fops", "hooked_fops_pointers", TR_WIRE_BIT(TR_T_JSON) | TR_WIRES_STR }),
	.on_event = on_fops,
};

const struct tr_signature tr_sig_syscall_table_hooking = {
	.id = "TRC-1030",
	.event_id = 6130,
	.name = "syscall_table_hooking",
	.description = "An entry of the system call table points outside the kernel's text: a rootkit hook",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1014",
	.mitre_name = "Rootkit",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "rootkit"),
	TR_SIG_EVENTS("hooked_syscall"),
	TR_SIG_ARGS({ "hooked_syscall", "syscall", TR_WIRES_STR }, { "hooked_syscall", "address", TR_WIRES_STR },
		    { "hooked_syscall", "function", TR_WIRES_STR }, { "hooked_syscall", "owner", TR_WIRES_STR }),
	.on_event = on_syscall,
};
