// SPDX-License-Identifier: MIT
/*
 * ptrace_sigs.c: TRC-102 anti_debugging_ptraceme and TRC-103
 * ptrace_code_injection, both read off the ptrace syscall's request.
 *
 * TRC-102: PTRACE_TRACEME, which a program calls on itself so that no
 * debugger (or tracer such as strace) can attach: malware does it to resist
 * analysis. TRC-103: PTRACE_POKETEXT/POKEDATA, writing into another
 * process's memory. Both count whatever the result: the attempt is the
 * behaviour (Tracee reads the request at entry too).
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

#define PTRACE_TRACEME_REQ 0
#define PTRACE_POKETEXT_REQ 4
#define PTRACE_POKEDATA_REQ 5

static int on_traceme(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	struct tr_kv data[1] = { TR_KV_CSTR("request", "PTRACE_TRACEME") };

	if (tr_view__i64(v, "request", -1) != PTRACE_TRACEME_REQ)
		return 0;
	return tr_sig__report(ctx, v, NULL, data, 1);
}

static int on_poke(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	int64_t req = tr_view__i64(v, "request", -1);
	struct tr_kv data[2] = {
		TR_KV_CSTR("request", req == PTRACE_POKETEXT_REQ ? "PTRACE_POKETEXT" : "PTRACE_POKEDATA"),
		TR_KV_I64("pid", tr_view__i64(v, "pid", -1)),
	};

	if (req != PTRACE_POKETEXT_REQ && req != PTRACE_POKEDATA_REQ)
		return 0;
	return tr_sig__report(ctx, v, NULL, data, 2);
}

const struct tr_signature tr_sig_anti_debugging = {
	.id = "TRC-102",
	.event_id = 6102,
	.name = "anti_debugging_ptraceme",
	.description = "A process called ptrace(PTRACE_TRACEME), which keeps debuggers and tracers from "
		       "attaching to it: an anti-analysis technique",
	.severity = TR_SEV_LOW,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1622",
	.mitre_name = "Debugger Evasion",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "ptrace"),
	TR_SIG_EVENTS("ptrace"),
	TR_SIG_ARGS({ "ptrace", "request", TR_WIRES_INT }),
	.on_event = on_traceme,
};

const struct tr_signature tr_sig_ptrace_code_injection = {
	.id = "TRC-103",
	.event_id = 6103,
	.name = "ptrace_code_injection",
	.description = "A process wrote into another process's memory with ptrace(PTRACE_POKETEXT or "
		       "PTRACE_POKEDATA): code injection",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1055.008",
	.mitre_name = "Ptrace System Calls",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "privilege-escalation", "ptrace"),
	TR_SIG_EVENTS("ptrace"),
	TR_SIG_ARGS({ "ptrace", "request", TR_WIRES_INT }, { "ptrace", "pid", TR_WIRES_INT }),
	.on_event = on_poke,
};
