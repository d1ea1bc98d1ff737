// SPDX-License-Identifier: MIT
/*
 * kernel_module_loading.c: TRC-1017 kernel_module_loading, a kernel
 * module loaded (init_module or finit_module): code running in the
 * kernel, the way rootkits install. Attempts count too: a failed load by
 * an unprivileged process is still someone trying.
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const uint8_t *p;
	uint32_t len;
	struct tr_kv data[2] = { TR_KV_CSTR("syscall", v->def->name), TR_KV_CSTR("param_values", "") };

	if (tr_view__str(v, "param_values", &p, &len))
		data[1] = TR_KV_BYTES("param_values", p, len);
	return tr_sig__report(ctx, v, NULL, data, 2);
}

const struct tr_signature tr_sig_kernel_module_loading = {
	.id = "TRC-1017",
	.event_id = 6117,
	.name = "kernel_module_loading",
	.description = "A kernel module was loaded (init_module, finit_module): code running in the kernel, "
		       "as rootkits install",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1547.006",
	.mitre_name = "Kernel Modules and Extensions",
	.category = "persistence",
	TR_SIG_TAGS("persistence", "rootkit"),
	TR_SIG_EVENTS("init_module", "finit_module"),
	TR_SIG_ARGS({ "init_module", "param_values", TR_WIRES_STR }, { "finit_module", "param_values", TR_WIRES_STR }),
	.on_event = on_event,
};
