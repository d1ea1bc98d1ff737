// SPDX-License-Identifier: MIT
/*
 * crypto_miner.c: TRR-1003 crypto_miner_stratum, a miner talking to a
 * mining pool: a command line with a stratum URL (xmrig -o
 * stratum+tcp://pool:3333), or a connect to a port mining pools use for
 * stratum and little else uses (3333, 3334, 3357, 14433, 14444, 45560,
 * 45700). The payload is not recorded, so the protocol itself is not seen.
 */
#include <sys/socket.h>

#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static const uint16_t ports[] = { 3333, 3334, 3357, 14433, 14444, 45560, 45700 };

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	struct tr_sa sa;
	int32_t fd;

	if (v->def->id == TR_EV_SCHED_PROCESS_EXEC) {
		if (!tr_sigu__argv_has(v, "argv", "stratum+") && !tr_sigu__argv_has(v, "argv", "stratum2+"))
			return 0;
		{
			struct tr_kv data[1] = { TR_KV_CSTR("evidence", "stratum URL in the command line") };

			return tr_sig__report(ctx, v, NULL, data, 1);
		}
	}
	if (!tr_sigu__connect(v, &sa, &fd) || (sa.family != AF_INET && sa.family != AF_INET6))
		return 0;
	for (size_t i = 0; i < TR_SIGU_NELEM(ports); i++)
		if (sa.port == ports[i]) {
			struct tr_kv data[3] = { TR_KV_CSTR("evidence", "connect to a stratum port"),
						 TR_KV_CSTR("remote_ip", sa.addr), TR_KV_I64("remote_port", sa.port) };

			return tr_sig__report(ctx, v, NULL, data, 3);
		}
	return 0;
}

const struct tr_signature tr_sig_crypto_miner = {
	.id = "TRR-1003",
	.event_id = 6003,
	.name = "crypto_miner_stratum",
	.description = "A process runs with a stratum mining-pool URL or connects to a stratum port: a crypto miner",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1496",
	.mitre_name = "Resource Hijacking",
	.category = "impact",
	TR_SIG_TAGS("impact", "cryptomining", "network"),
	TR_SIG_EVENTS("sched_process_exec", "security_socket_connect", "connect"),
	TR_SIG_ARGS({ "sched_process_exec", "argv", TR_WIRES_STR_ARRAY },
		    { "security_socket_connect", "remote_addr", TR_WIRE_BIT(TR_T_SOCKADDR) },
		    { "connect", "addr", TR_WIRE_BIT(TR_T_SOCKADDR) }),
	.on_event = on_event,
};
