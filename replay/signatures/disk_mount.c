// SPDX-License-Identifier: MIT
/*
 * disk_mount.c: TRC-1014 disk_mount, a container mounting a host block
 * device (/dev/...): the host's disk, readable and writable from inside.
 *
 * Source: security_sb_mount's dev_name (derived), or mount(2)'s source,
 * successful or not (the attempt from a container is the behaviour, and a
 * privileged container succeeds).
 */
#include <fnmatch.h>

#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	int derived = v->def->id == TR_EV_SECURITY_SB_MOUNT;
	const uint8_t *dev, *target;
	uint32_t dl, tl;

	if (!tr_view__str(v, derived ? "dev_name" : "source", &dev, &dl) || dl < 6 || memcmp(dev, "/dev/", 5))
		return 0;
	tr_view__str(v, derived ? "path" : "target", &target, &tl);
	{
		struct tr_kv data[2] = { TR_KV_BYTES("dev_name", dev, dl), TR_KV_BYTES("path", target ? (const void *)target : "", tl) };

		return tr_sig__report(ctx, v, NULL, data, 2);
	}
}

const struct tr_signature tr_sig_disk_mount = {
	.id = "TRC-1014",
	.event_id = 6114,
	.name = "disk_mount",
	.description = "A process in a container mounted a device from /dev: a way to reach the host's disks",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_CONTAINER,
	.mitre_id = "T1611",
	.mitre_name = "Escape to Host",
	.category = "privilege-escalation",
	TR_SIG_TAGS("privilege-escalation", "container"),
	TR_SIG_EVENTS("security_sb_mount", "mount"),
	TR_SIG_ARGS({ "security_sb_mount", "dev_name", TR_WIRES_STR }, { "security_sb_mount", "path", TR_WIRES_STR },
		    { "mount", "source", TR_WIRES_STR }, { "mount", "target", TR_WIRES_STR }),
	.on_event = on_event,
};
