// SPDX-License-Identifier: MIT
/*
 * k8s_api_connection.c: TRC-1013 kubernetes_api_connection, a process in
 * a container connecting to the Kubernetes API server.
 *
 * As Tracee does, the API server's address is learned from the
 * environment Kubernetes gives every container (KUBERNETES_SERVICE_HOST)
 * at exec, kept per container (its pid namespace), and a later connect
 * from that container to that address fires.
 */
#include <errno.h>
#include <stdlib.h>

#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

#define K8S_MAX 1024

struct api {
	uint32_t pid_ns;
	char ip[64];
};

struct state {
	struct api a[K8S_MAX];
	size_t n;
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
	struct state *s = tr_sig__state(ctx);
	uint32_t ns = v->ev->pid_ns;
	struct tr_sa sa;
	const char *val;
	size_t len, i;
	int32_t fd;

	for (i = 0; i < s->n && s->a[i].pid_ns != ns; i++)
		;
	if (v->def->id == TR_EV_SCHED_PROCESS_EXEC) {
		if (!tr_sigu__env(v, "KUBERNETES_SERVICE_HOST", &val, &len) || !len || len >= sizeof(s->a[0].ip))
			return 0;
		if (i == s->n) {
			if (s->n == K8S_MAX)
				return 0;
			s->n++;
		}
		s->a[i].pid_ns = ns;
		memcpy(s->a[i].ip, val, len);
		s->a[i].ip[len] = '\0';
		return 0;
	}
	if (i == s->n || !tr_sigu__connect(v, &sa, &fd) || strcmp(sa.addr, s->a[i].ip))
		return 0;
	{
		struct tr_kv data[2] = { TR_KV_CSTR("ip", sa.addr), TR_KV_I64("port", sa.port) };

		return tr_sig__report(ctx, v, NULL, data, 2);
	}
}

const struct tr_signature tr_sig_k8s_api_connection = {
	.id = "TRC-1013",
	.event_id = 6113,
	.name = "kubernetes_api_connection",
	.description = "A process in a container connected to the Kubernetes API server (the address from its "
		       "KUBERNETES_SERVICE_HOST)",
	.severity = TR_SEV_LOW,
	.origin = TR_ORIGIN_CONTAINER,
	.mitre_id = "T1613",
	.mitre_name = "Container and Resource Discovery",
	.category = "discovery",
	TR_SIG_TAGS("discovery", "kubernetes", "network"),
	TR_SIG_EVENTS("sched_process_exec", "security_socket_connect", "connect"),
	TR_SIG_ARGS({ "sched_process_exec", "env", TR_WIRES_STR_ARRAY },
		    { "security_socket_connect", "remote_addr", TR_WIRE_BIT(TR_T_SOCKADDR) },
		    { "connect", "addr", TR_WIRE_BIT(TR_T_SOCKADDR) }),
	.init = init,
	.fini = fini,
	.on_event = on_event,
};
