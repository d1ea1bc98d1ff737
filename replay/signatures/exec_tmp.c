// SPDX-License-Identifier: MIT
/*
 * exec_tmp.c: TRR-1001, a process executes a file under a world-writable
 * temporary directory (/tmp, /var/tmp, /dev/shm).
 *
 * Any user, including a compromised service account, can write there, and
 * /dev/shm is memory-backed, so these are where downloaded payloads land
 * and run (cryptominers, BPFDoor, GobRAT). Legitimate software seldom
 * executes from them; build systems and installers that do are the usual
 * false positives.
 *
 * MITRE ATT&CK: T1105 Ingress Tool Transfer. The behaviour seen is the
 * execution, but the technique it evidences is the transfer of a tool onto
 * the host into a writable staging directory, which is what the responder
 * then goes after (where did the file come from). T1204.002 (User
 * Execution: Malicious File) needs a user opening a file, which is rarely
 * the case on servers; T1059 (Command and Scripting Interpreter, used by
 * some vendors for this rule) is about interpreters, and this matches any
 * executable.
 *
 * Source: sched_process_exec's cmdpath (the file the kernel executed, as
 * named by the caller), made absolute against the process's cwd when it is
 * relative and the cwd is known (the process tree follows chdir), with //,
 * /./ and /../ collapsed so that "/usr/../tmp/x" or "./x" run from /tmp do
 * not slip by. A relative path with the cwd unknown is not guessed at: a
 * finding names the file, and the wrong file is worse than none.
 */
#include <string.h>

#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static const char *const temp_dirs[] = { "/tmp", "/var/tmp", "/dev/shm" };

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	char path[2 * TR_STR_MAX + 2];
	const uint8_t *cmd;
	uint32_t len;
	int n;

	if (v->kind != TR_VIEW_EVENT || !tr_view__str(v, "cmdpath", &cmd, &len) || !len)
		return 0;
	n = tr_proctree__resolve(v->proc, v->ev->h.ts, cmd, len, path, sizeof(path));
	if (n < 0)
		return 0;	/* relative with no known cwd: cannot tell where */
	for (size_t i = 0; i < sizeof(temp_dirs) / sizeof(temp_dirs[0]); i++) {
		size_t dl = strlen(temp_dirs[i]);
		struct tr_kv data[3];

		if ((size_t)n <= dl + 1 || memcmp(path, temp_dirs[i], dl) || path[dl] != '/')
			continue;
		data[0] = (struct tr_kv){ .key = "pathname", .type = TR_KV_STR,
					  .s = { path, (uint32_t)n } };
		data[1] = (struct tr_kv){ .key = "cmdpath", .type = TR_KV_STR,
					  .s = { cmd, len } };
		data[2] = (struct tr_kv){ .key = "temp_dir", .type = TR_KV_STR,
					  .s = { temp_dirs[i], (uint32_t)dl } };
		return tr_sig__report(ctx, v, NULL, data, 3);
	}
	return 0;
}

const struct tr_signature tr_sig_exec_tmp = {
	.id = "TRR-1001",
	.event_id = 6001,
	.name = "exec_from_temp_dir",
	.description = "A process executed a file from a world-writable temporary directory "
		       "(/tmp, /var/tmp, /dev/shm), where dropped payloads are staged",
	.severity = TR_SEV_MEDIUM,
	.mitre_id = "T1105",
	.mitre_name = "Ingress Tool Transfer",
	.origin = TR_ORIGIN_ANY,
	.category = "command-and-control",
	TR_SIG_TAGS("command-and-control", "execution"),
	TR_SIG_EVENTS("sched_process_exec"),
	TR_SIG_ARGS({ "sched_process_exec", "cmdpath", TR_WIRES_STR }),
	.on_event = on_event,
};
