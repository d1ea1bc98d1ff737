// SPDX-License-Identifier: MIT
/*
 * dynamic_code_loading.c: TRC-104 dynamic_code_loading, memory that was
 * writable made executable (W->X), or mapped writable and executable at
 * once: code written at run time and then run, as unpackers and shellcode
 * loaders do.
 *
 * Source: mem_prot_alert (derived; Tracee's alert for a protection change
 * from W to X), read by its prot/prev_prot; and, from the raw syscall, an
 * mprotect asking for PROT_WRITE|PROT_EXEC together. JIT compilers (Java,
 * node, browsers) do this legitimately: exceptions by comm are expected.
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

#define PROT_W 0x2
#define PROT_X 0x4

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	int64_t prot = tr_view__i64(v, "prot", 0);
	int64_t prev = tr_view__i64(v, "prev_prot", 0);
	struct tr_kv data[3] = {
		TR_KV_I64("prot", prot),
		TR_KV_I64("prev_prot", prev),
		TR_KV_I64("addr", (int64_t)tr_view__u64(v, "addr", 0)),
	};

	if (!(prot & PROT_X))
		return 0;
	if (v->def->id == TR_EV_MPROTECT) {
		if (!(prot & PROT_W) || v->ev->retval < 0)
			return 0;
	} else if (!(prev & PROT_W) && !(prot & PROT_W)) {
		return 0;
	}
	return tr_sig__report(ctx, v, NULL, data, v->def->id == TR_EV_MPROTECT ? 1 : 3);
}

const struct tr_signature tr_sig_dynamic_code_loading = {
	.id = "TRC-104",
	.event_id = 6104,
	.name = "dynamic_code_loading",
	.description = "Writable memory was made executable (W to X, or W+X at once): code written at run "
		       "time and then executed",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1027.002",
	.mitre_name = "Software Packing",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "memory"),
	TR_SIG_EVENTS("mem_prot_alert", "mprotect"),
	TR_SIG_ARGS({ "mem_prot_alert", "prot", TR_WIRES_INT }, { "mem_prot_alert", "prev_prot", TR_WIRES_INT },
		    { "mem_prot_alert", "addr", TR_WIRES_INT }, { "mprotect", "prot", TR_WIRES_INT }),
	.on_event = on_event,
};
