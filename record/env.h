/* SPDX-License-Identifier: MIT */
/* env.h: the part of an exec's environment a recording keeps (DESIGN.md 4.6):
 * an allowlist of what detections read by default, everything with
 * --capture env, the allowlist and named variables with --capture env=VAR,... */
#ifndef TR_RECORD_ENV_H
#define TR_RECORD_ENV_H

#include <stddef.h>
#include <stdint.h>

struct rec_env {
	int all;		/* --capture env: keep everything */
	char **extra;		/* --capture env=VAR,...: kept besides the defaults */
	size_t nextra;
};

/* Take "env" or "env=VAR,..."; -ENOENT for another --capture, -EINVAL for a
 * malformed list. */
int rec_env__option(struct rec_env *e, const char *arg);
void rec_env__free(struct rec_env *e);
/* If rec (len bytes) is an execve/execveat event whose envp holds variables
 * e does not keep, write it without them to out (cap >= len) and return its
 * new length; 0: write rec as it is. */
size_t rec_env__filter(const struct rec_env *e, const void *rec, size_t len, uint8_t *out, size_t cap);

#endif /* TR_RECORD_ENV_H */
