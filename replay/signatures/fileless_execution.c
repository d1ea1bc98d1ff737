// SPDX-License-Identifier: MIT
/*
 * fileless_execution.c: TRC-105 fileless_execution, a program executed
 * from memory: a memfd, /dev/shm or /run/shm (tmpfs), or a file deleted
 * since (the kernel's path then ends in " (deleted)"), or run through a
 * /proc/.../fd/N or /dev/fd/N link (fexecve of such a file).
 *
 * Source: sched_process_exec's pathname (what the kernel resolved) or, when
 * the recording lacks it, its cmdpath; security_bprm_check's pathname.
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static const char *const mem_paths[] = {
	"memfd:*", "/memfd:*", "/dev/shm/*", "/run/shm/*", "* (deleted)",
	"/proc/self/fd/*", "/proc/[0-9]*/fd/*", "/dev/fd/*", NULL,
};

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	char path[TR_SIGU_PATH_MAX];
	const uint8_t *p;
	uint32_t len;

	if (!tr_view__str(v, "pathname", &p, &len) || !len)
		if (v->def->id != TR_EV_SCHED_PROCESS_EXEC || !tr_view__str(v, "cmdpath", &p, &len) || !len)
			return 0;
	if (len >= sizeof(path))
		len = sizeof(path) - 1;
	memcpy(path, p, len);
	path[len] = '\0';
	if (!tr_sigu__glob_any(mem_paths, path))
		return 0;
	{
		struct tr_kv data[1] = { TR_KV_BYTES("pathname", path, len) };

		return tr_sig__report(ctx, v, NULL, data, 1);
	}
}

const struct tr_signature tr_sig_fileless_execution = {
	.id = "TRC-105",
	.event_id = 6105,
	.name = "fileless_execution",
	.description = "A program was executed from memory (memfd, /dev/shm) or from a deleted file, "
		       "leaving nothing on disk to find",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1620",
	.mitre_name = "Reflective Code Loading",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "execution"),
	TR_SIG_EVENTS("sched_process_exec", "security_bprm_check"),
	TR_SIG_ARGS({ "sched_process_exec", "pathname", TR_WIRES_STR }, { "sched_process_exec", "cmdpath", TR_WIRES_STR },
		    { "security_bprm_check", "pathname", TR_WIRES_STR }),
	.on_event = on_event,
};
