/* SPDX-License-Identifier: MIT */
/*
 * sigplugin.h: out-of-tree signatures from shared objects
 * (--signatures-dir DIR). Each shared object (name ending in .so) in DIR must
 *   - be a regular file, owned by root or by us, not writable by group or
 *     others, in a directory not writable by group or others (a plugin runs
 *     with our privileges: whoever can swap it owns the replay);
 *   - export tr_sig_plugin_abi (const uint32_t) equal to TR_SIG_ABI_VERSION;
 *   - export tr_sig_plugin_table (const struct tr_signature *const *(*)(size_t *n))
 *     returning 1..TR_SIGPLUGIN_MAX signatures that pass tr_sig__validate.
 * Anything else is refused with the file and the reason. Files are loaded
 * in name order, so the table order (and output) is deterministic.
 */
#ifndef TR_SIGPLUGIN_H
#define TR_SIGPLUGIN_H

#include <stddef.h>

#include "signature.h"

#define TR_SIGPLUGIN_MAX 1024	/* signatures per shared object */

struct tr_sigplugins;

/* Load every *.so of dir; add(ctx, sig) for each signature (0 or -errno).
 * 0, or -errno with "FILE: reason" in err. */
int tr_sigplugins__load_dir(struct tr_sigplugins **pl, const char *dir,
			    int (*add)(void *ctx, const struct tr_signature *s), void *ctx, char *err, size_t errlen);
/* Close every loaded object (after the signatures are no longer used). */
void tr_sigplugins__free(struct tr_sigplugins *pl);

#endif /* TR_SIGPLUGIN_H */
