// SPDX-License-Identifier: MIT
/*
 * docker_abuse.c: TRC-1019 docker_abuse, the Docker socket opened or
 * connected to from a container: whoever talks to it can start a
 * privileged container on the host.
 */
#include <sys/socket.h>

#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static const char *const socks[] = { "*/docker.sock", NULL };

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const struct tr_fact *f;
	struct tr_sa sa;
	int32_t fd;
	int n;

	if (tr_sigu__connect(v, &sa, &fd)) {
		struct tr_kv data[2] = { TR_KV_CSTR("pathname", sa.addr), TR_KV_CSTR("operation", "connect") };

		if (sa.family != AF_UNIX || !tr_sigu__glob_any(socks, sa.addr))
			return 0;
		return tr_sig__report(ctx, v, NULL, data, 2);
	}
	n = tr_sigu__file_facts(v, &f);
	for (int i = 0; i < n; i++)
		if ((f[i].op & (TR_FOP_READ | TR_FOP_WRITE)) && tr_sigu__glob_any(socks, f[i].path))
			return tr_sigu__report_fact(ctx, v, &f[i]);
	return 0;
}

const struct tr_signature tr_sig_docker_abuse = {
	.id = "TRC-1019",
	.event_id = 6119,
	.name = "docker_abuse",
	.description = "A process in a container opened or connected to the Docker socket, through which it "
		       "can start privileged containers on the host",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_CONTAINER,
	.mitre_id = "T1611",
	.mitre_name = "Escape to Host",
	.category = "privilege-escalation",
	TR_SIG_TAGS("privilege-escalation", "container"),
	TR_SIG_EVENTS(TR_SIGU_OPEN_EVENTS, "security_socket_connect", "connect"),
	TR_SIG_FILE_ARGS,
	.on_event = on_event,
};
