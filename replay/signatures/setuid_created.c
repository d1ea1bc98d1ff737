// SPDX-License-Identifier: MIT
/*
 * setuid_created.c: TRR-1006 setuid_binary_created, a file made setuid or
 * setgid (chmod u+s / g+s): a way back to root for whoever planted it.
 * chmod and fchmodat name the file; fchmod only its fd. Package managers
 * (dpkg, rpm) install setuid programs by design and are exempt.
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

#define MODE_SETID 06000

static const char *const exempt[] = { "dpkg", "rpm", "apt", "apt-get", NULL };

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const struct tr_fact *f;
	uint64_t mode = tr_view__u64(v, "mode", 0);

	if (!(mode & MODE_SETID) || v->ev->retval < 0 || tr_sigu__comm_in(v->ev->comm, exempt))
		return 0;
	if (v->def->id == TR_EV_FCHMOD) {
		struct tr_kv data[2] = { TR_KV_I64("fd", tr_view__i64(v, "fd", -1)), TR_KV_I64("mode", mode) };

		return tr_sig__report(ctx, v, NULL, data, 2);
	}
	if (tr_sigu__file_facts(v, &f) < 1)
		return 0;
	return tr_sigu__report_fact(ctx, v, &f[0]);
}

const struct tr_signature tr_sig_setuid_created = {
	.id = "TRR-1006",
	.event_id = 6006,
	.name = "setuid_binary_created",
	.description = "A file was made setuid or setgid (chmod u+s, g+s): whoever runs it gets its owner's rights",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1548.001",
	.mitre_name = "Setuid and Setgid",
	.category = "privilege-escalation",
	TR_SIG_TAGS("privilege-escalation", "persistence", "files"),
	TR_SIG_EVENTS(TR_SIGU_CHMOD_EVENTS, "fchmod"),
	.args = tr_sigu_file_args,
	.nargs = TR_SIGU_NFILE_ARGS,
	.on_event = on_event,
};
