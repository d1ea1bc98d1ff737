// SPDX-License-Identifier: MIT
/*
 * sig_example.c: an out-of-tree signature, built as a shared object and
 * loaded with tracee-replay --signatures-dir DIR. It is built by `make`
 * ($(OUTPUT)/examples/sig_example.so) and loaded by tests/cli/test_signatures.sh.
 *
 * EXA-1001 shadow_file_opened: a process other than the password tools
 * opened /etc/shadow or /etc/gshadow (the password hashes) for reading or
 * writing, by absolute path.
 *
 * What a plugin needs: include signature.h (the ABI, TR_SIG_ABI_VERSION),
 * export tr_sig_plugin_abi and tr_sig_plugin_table, give each signature an
 * id of its own prefix, select events by catalog name, declare the
 * arguments it reads, and report with tr_sig__report. Build it with
 *   cc -shared -fPIC -Ireplay -Ireplay/enrich -Ischema -o my.so my.c
 * and keep the file and its directory writable by its owner only.
 */
#include <string.h>

#include "signature.h"

static const char *const shadow[] = { "/etc/shadow", "/etc/gshadow" };
static const char *const exempt[] = { "passwd", "chpasswd", "useradd", "usermod", "unix_chkpwd", "login", "sshd" };

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const uint8_t *p;
	uint32_t len;

	if (v->ev->retval < 0 || !tr_view__str(v, "pathname", &p, &len))
		return 0;
	for (size_t i = 0; i < sizeof(exempt) / sizeof(exempt[0]); i++)
		if (!strncmp(v->ev->comm, exempt[i], 16))
			return 0;
	for (size_t i = 0; i < sizeof(shadow) / sizeof(shadow[0]); i++)
		if (len == strlen(shadow[i]) && !memcmp(p, shadow[i], len)) {
			struct tr_kv data[1] = { { .key = "pathname", .type = TR_KV_STR, .s = { p, len } } };

			return tr_sig__report(ctx, v, NULL, data, 1);
		}
	return 0;
}

static const char *const events[] = { "openat", "open", "security_file_open" };
static const char *const tags[] = { "credential-access", "example" };
static const struct tr_sig_arg args[] = {
	{ "openat", "pathname", TR_WIRES_STR },
	{ "open", "pathname", TR_WIRES_STR },
	{ "security_file_open", "pathname", TR_WIRES_STR },
};

static const struct tr_signature shadow_file_opened = {
	.id = "EXA-1001",
	.event_id = 6900,
	.name = "shadow_file_opened",
	.description = "A process other than the password tools opened /etc/shadow or /etc/gshadow",
	.severity = TR_SEV_MEDIUM,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1003.008",
	.mitre_name = "/etc/passwd and /etc/shadow",
	.category = "credential-access",
	.tags = tags,
	.ntags = sizeof(tags) / sizeof(tags[0]),
	.events = events,
	.nevents = sizeof(events) / sizeof(events[0]),
	.args = args,
	.nargs = sizeof(args) / sizeof(args[0]),
	.on_event = on_event,
};

static const struct tr_signature *const table[] = { &shadow_file_opened };

const uint32_t tr_sig_plugin_abi = TR_SIG_ABI_VERSION;

const struct tr_signature *const *tr_sig_plugin_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}
