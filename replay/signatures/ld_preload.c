// SPDX-License-Identifier: MIT
/*
 * ld_preload.c: TRC-107 ld_preload, code injected into programs through
 * the dynamic loader: a program executed with LD_PRELOAD, LD_AUDIT or
 * LD_LIBRARY_PATH in its environment, or /etc/ld.so.preload written or
 * renamed onto (which preloads into every program on the host).
 *
 * The environment comes from sched_process_exec's env (the recorder keeps
 * these variables even without --capture env, DESIGN.md 4.6), execve's
 * envp, or security_bprm_check's envp.
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static const char *const vars[] = { "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH" };
static const char *const preload[] = { "/etc/ld.so.preload", NULL };

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const struct tr_fact *f;
	int n;

	if (v->def->id == TR_EV_SCHED_PROCESS_EXEC || v->def->id == TR_EV_EXECVE ||
	    v->def->id == TR_EV_SECURITY_BPRM_CHECK) {
		/* a failed execve ran nothing */
		if (v->def->id == TR_EV_EXECVE && v->ev->retval < 0)
			return 0;
		for (size_t i = 0; i < TR_SIGU_NELEM(vars); i++) {
			const char *val;
			size_t len;

			if (tr_sigu__env(v, vars[i], &val, &len) && len) {
				struct tr_kv data[2] = { TR_KV_CSTR("variable", vars[i]),
							 TR_KV_BYTES("value", val, len) };

				return tr_sig__report(ctx, v, NULL, data, 2);
			}
		}
		return 0;
	}
	n = tr_sigu__file_facts(v, &f);
	for (int i = 0; i < n; i++)
		if ((f[i].op & (TR_FOP_WRITE | TR_FOP_RENAME_TO)) && tr_sigu__glob_any(preload, f[i].path))
			return tr_sigu__report_fact(ctx, v, &f[i]);
	return 0;
}

const struct tr_signature tr_sig_ld_preload = {
	.id = "TRC-107",
	.event_id = 6107,
	.name = "ld_preload",
	.description = "A program ran with LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH set, or /etc/ld.so.preload "
		       "was written: code injected through the dynamic loader",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1574.006",
	.mitre_name = "Dynamic Linker Hijacking",
	.category = "persistence",
	TR_SIG_TAGS("persistence", "defense-evasion", "privilege-escalation"),
	TR_SIG_EVENTS("sched_process_exec", "execve", "security_bprm_check", TR_SIGU_OPEN_EVENTS,
		      TR_SIGU_RENAME_EVENTS),
	TR_SIG_FILE_ARGS,
	.on_event = on_event,
};
