/* SPDX-License-Identifier: MIT */
/* path.h: lexical path resolution for paths recorded from syscalls, which
 * may be relative to the process's working directory. */
#ifndef TR_PATH_H
#define TR_PATH_H

#include <stddef.h>

/*
 * Write the absolute form of path[0..len) to out: a relative path is taken
 * against cwd[0..cwdlen) (which must be absolute), then "//", "/./" and
 * "/../" are collapsed lexically ("/.." stays "/"). This is what a responder
 * reads, not what the kernel resolved: symlinks cannot be followed offline.
 * out needs cwdlen + len + 2 bytes; it is NUL-terminated.
 * Returns the length written, -EINVAL for a relative path without a usable
 * cwd (cwd NULL, empty or relative), -ENAMETOOLONG if cap is too small.
 */
int tr_path__resolve(const char *cwd, size_t cwdlen, const char *path, size_t len,
		     char *out, size_t cap);

#endif /* TR_PATH_H */
