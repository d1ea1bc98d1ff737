// SPDX-License-Identifier: MIT
/*
 * illegitimate_shell.c: TRC-1016 illegitimate_shell, a shell started by a
 * web server process: the usual outcome of a web exploit or web shell.
 *
 * Source: sched_process_exec of a shell, where the process's comm before
 * the exec (prev_comm; a forked child still carries its parent's) is a web
 * server's. Recordings whose sched_process_exec lacks prev_comm (or has it
 * empty) have the same from the successful execve: its task's comm is the
 * one before the exec. Once any exec of the recording carries prev_comm,
 * execve is not looked at (the same exec would count twice). Tracee's lists
 * of shells and web servers.
 */
#include <errno.h>
#include <stdlib.h>

#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static const char *const shells[] = { "ash", "bash", "csh", "ksh", "sh", "tcsh", "zsh", "dash", NULL };
static const char *const servers[] = { "nginx", "httpd", "httpd-foregroun", "http-nio", "lighttpd",
				       "apache", "apache2", "php-fpm", "caddy", NULL };

struct state {
	int have_prev_comm;	/* some sched_process_exec carried prev_comm */
};

static int init(void **st)
{
	*st = calloc(1, sizeof(struct state));
	return *st ? 0 : -ENOMEM;
}

static void fini(void *st)
{
	free(st);
}

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	struct state *st = tr_sig__state(ctx);
	int exec = v->def->id == TR_EV_SCHED_PROCESS_EXEC;
	const uint8_t *p, *pc;
	uint32_t len, pcl = 0;
	char prev[17] = "";
	const char *b;
	size_t bl;

	if (exec && tr_view__str(v, "prev_comm", &pc, &pcl) && pcl)
		st->have_prev_comm = 1;
	if (!exec && (st->have_prev_comm || v->ev->retval != 0 || !v->paired))
		return 0;
	if (!exec && !tr_view__str(v, "pathname", &p, &len))
		return 0;
	if (exec && (!tr_view__str(v, "pathname", &p, &len) || !len))
		if (!tr_view__str(v, "cmdpath", &p, &len) || !len)
			return 0;
	b = tr_sigu__base((const char *)p, len, &bl);
	{
		int shell = 0;

		for (const char *const *s = shells; *s; s++)
			shell |= strlen(*s) == bl && !memcmp(*s, b, bl);
		if (!shell)
			return 0;
	}
	if (!exec) {
		memcpy(prev, v->ev->comm, 16);
	} else if (pcl) {
		memcpy(prev, pc, pcl < 16 ? pcl : 16);
	} else {
		const struct tr_proc_node *parent = v->proc ? tr_proctree__parent(tr_sig__tree(ctx), v->proc) : NULL;

		if (!parent)
			return 0;
		memcpy(prev, parent->comm, 16);
	}
	if (!tr_sigu__comm_in(prev, servers))
		return 0;
	{
		struct tr_kv data[2] = { TR_KV_BYTES("pathname", b, bl), TR_KV_CSTR("prev_comm", prev) };

		return tr_sig__report(ctx, v, NULL, data, 2);
	}
}

const struct tr_signature tr_sig_illegitimate_shell = {
	.id = "TRC-1016",
	.event_id = 6116,
	.name = "illegitimate_shell",
	.description = "A web server process started a shell: the usual outcome of a web exploit or web shell",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1190",
	.mitre_name = "Exploit Public-Facing Application",
	.category = "initial-access",
	TR_SIG_TAGS("initial-access", "execution"),
	TR_SIG_EVENTS("sched_process_exec", "execve"),
	TR_SIG_ARGS({ "sched_process_exec", "pathname", TR_WIRES_STR }, { "sched_process_exec", "cmdpath", TR_WIRES_STR },
		    { "sched_process_exec", "prev_comm", TR_WIRES_STR }, { "execve", "pathname", TR_WIRES_STR }),
	.init = init,
	.fini = fini,
	.on_event = on_event,
};
