/* SPDX-License-Identifier: MIT */
/* builtin.h: the built-in signatures, one file each in replay/signatures/. */
#ifndef TR_SIG_BUILTIN_H
#define TR_SIG_BUILTIN_H

#include "signature.h"

extern const struct tr_signature tr_sig_exec_tmp;	/* TRR-1001 */

#endif /* TR_SIG_BUILTIN_H */
