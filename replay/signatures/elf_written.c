// SPDX-License-Identifier: MIT
/*
 * elf_written.c: the signatures fed by magic_write with an ELF header
 * (the first bytes written to a new file, derived by replay):
 *
 * TRC-1015 hidden_file_created: the ELF file's name starts with a dot.
 * TRC-1022 dropped_executable: an ELF file written in a container (images
 * carry their binaries; one written at run time was brought in), outside
 * the pseudo file systems. Tracee cannot know whether the file was run;
 * a replay can: the finding's triggering event is one lookup from the
 * file's later sched_process_exec, which tracee-analyze joins by path.
 */
#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static int elf_path(const struct tr_event_view *v, const uint8_t **p, uint32_t *len)
{
	const struct tr_arg_val *b = tr_view__arg(v, "bytes", TR_WIRE_BIT(TR_T_BYTES));

	if (!b || b->b.len < 4 || memcmp(b->b.p, "\x7f" "ELF", 4))
		return 0;
	return tr_view__str(v, "pathname", p, len) && *len;
}

static int on_hidden(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const uint8_t *p;
	uint32_t len;
	const char *b;
	size_t bl;

	if (!elf_path(v, &p, &len))
		return 0;
	b = tr_sigu__base((const char *)p, len, &bl);
	if (bl < 2 || b[0] != '.')
		return 0;
	{
		struct tr_kv data[1] = { TR_KV_BYTES("pathname", p, len) };

		return tr_sig__report(ctx, v, NULL, data, 1);
	}
}

static int on_dropped(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	static const char *const pseudo[] = { "/proc/*", "/sys/*", "/dev/*", "memfd:*", NULL };
	char path[TR_SIGU_PATH_MAX];
	const uint8_t *p;
	uint32_t len;

	if (!elf_path(v, &p, &len))
		return 0;
	if (len >= sizeof(path))
		len = sizeof(path) - 1;
	memcpy(path, p, len);
	path[len] = '\0';
	if (tr_sigu__glob_any(pseudo, path))
		return 0;
	{
		struct tr_kv data[1] = { TR_KV_BYTES("pathname", path, len) };

		return tr_sig__report(ctx, v, NULL, data, 1);
	}
}

const struct tr_signature tr_sig_hidden_file_created = {
	.id = "TRC-1015",
	.event_id = 6115,
	.name = "hidden_file_created",
	.description = "An executable (ELF) file whose name starts with a dot was written: a binary hidden "
		       "from a plain ls",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1564.001",
	.mitre_name = "Hidden Files and Directories",
	.category = "defense-evasion",
	TR_SIG_TAGS("defense-evasion", "files"),
	TR_SIG_EVENTS("magic_write"),
	TR_SIG_ARGS({ "magic_write", "pathname", TR_WIRES_STR }, { "magic_write", "bytes", TR_WIRE_BIT(TR_T_BYTES) }),
	.on_event = on_hidden,
};

const struct tr_signature tr_sig_dropped_executable = {
	.id = "TRC-1022",
	.event_id = 6122,
	.name = "dropped_executable",
	.description = "An executable (ELF) file was written in a container at run time, where images carry "
		       "their binaries: a tool brought in",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_CONTAINER,
	.mitre_id = "T1105",
	.mitre_name = "Ingress Tool Transfer",
	.category = "command-and-control",
	TR_SIG_TAGS("command-and-control", "files", "container"),
	TR_SIG_EVENTS("magic_write"),
	TR_SIG_ARGS({ "magic_write", "pathname", TR_WIRES_STR }, { "magic_write", "bytes", TR_WIRE_BIT(TR_T_BYTES) }),
	.on_event = on_dropped,
};
