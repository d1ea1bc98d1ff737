// SPDX-License-Identifier: MIT
/* container.c: container ids from cgroup paths (replay/enrich/fdtable.h). */
#include <string.h>

#include "fdtable.h"

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The runtime a component's prefix names; NULL when none of them. */
static const struct {
	const char *prefix;
	const char *runtime;
} prefixes[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "crio" },
	{ "libpod-", "podman" },
	{ "", NULL },	/* a bare id: the runtime comes from the ancestors */
};

/* Ancestors that name the runtime of a bare id (cgroupfs drivers). */
static const struct {
	const char *dir;
	const char *runtime;
} ancestors[] = {
	{ "docker", "docker" },
	{ "libpod_parent", "podman" },
	{ "machine.slice", "podman" },
	{ "kubepods", "containerd" },	/* the usual CRI; cri-o uses crio- prefixes */
	{ "kubepods.slice", "containerd" },
};

/* Component s[0..n) as PREFIX ID [.scope]: the id's offset, or -1. */
static int component_id(const char *s, uint32_t n, const char **runtime)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i].prefix);
		uint32_t rest;

		if (n < pl + 64 || memcmp(s, prefixes[i].prefix, pl))
			continue;
		rest = n - (uint32_t)pl - 64;
		if (rest && !(rest == 6 && !memcmp(s + pl + 64, ".scope", 6)))
			continue;
		for (size_t k = 0; k < 64; k++)
			if (!is_hex(s[pl + k]))
				goto next;
		*runtime = prefixes[i].runtime;
		return (int)pl;
next:;
	}
	return -1;
}

int tr_container__parse(const char *path, uint32_t len, struct tr_container *c)
{
	uint32_t end = len;

	memset(c, 0, sizeof(*c));
	/* The innermost component that is a container id wins (podman puts
	 * a "container" cgroup inside libpod-ID.scope). */
	while (end > 0) {
		uint32_t start = end;
		const char *rt = NULL;
		int off;

		while (start > 0 && path[start - 1] != '/')
			start--;
		off = component_id(path + start, end - start, &rt);
		if (off >= 0) {
			memcpy(c->id, path + start + off, 64);
			c->runtime = rt;
			c->leaf = end == len;
			/* The ancestors: pod uid, and the runtime of a bare id. */
			for (uint32_t a = 0; a < start;) {
				uint32_t b = a;
				const char *comp;
				uint32_t cl;

				while (b < start && path[b] != '/')
					b++;
				comp = path + a;
				cl = b - a;
				for (size_t i = 0; !c->runtime && i < sizeof(ancestors) / sizeof(ancestors[0]); i++)
					if (cl == strlen(ancestors[i].dir) && !memcmp(comp, ancestors[i].dir, cl))
						c->runtime = ancestors[i].runtime;
				if (cl > 3) {
					/* cgroupfs: podUID; systemd: kubepods-QOS-podUID.slice, with _ for - */
					const char *p = memmem(comp, cl, "pod", 3);
					uint32_t pl;

					while (p && p + 3 < comp + cl && !is_hex(p[3]))
						p = memmem(p + 1, (size_t)(comp + cl - p - 1), "pod", 3);
					if (p) {
						p += 3;
						pl = (uint32_t)(comp + cl - p);
						if (pl > 6 && !memcmp(p + pl - 6, ".slice", 6))
							pl -= 6;
						if (pl >= 32 && pl < sizeof(c->pod_uid)) {
							for (uint32_t k = 0; k < pl; k++)
								c->pod_uid[k] = p[k] == '_' ? '-' : p[k];
							c->pod_uid[pl] = '\0';
						}
					}
				}
				a = b + 1;
			}
			if (!c->runtime)
				c->runtime = "";
			return 1;
		}
		end = start ? start - 1 : 0;
	}
	return 0;
}
