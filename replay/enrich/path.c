// SPDX-License-Identifier: MIT
/* path.c: lexical path resolution (replay/path.h). */
#include <errno.h>
#include <string.h>

#include "path.h"

int tr_path__resolve(const char *cwd, size_t cwdlen, const char *path, size_t len,
		     char *out, size_t cap)
{
	size_t in = 0, n = 0, w = 0;

	if (len && path[0] == '/') {
		if (cap < len + 1)
			return -ENAMETOOLONG;
		memcpy(out, path, len);
		n = len;
	} else {
		if (!cwd || !cwdlen || cwd[0] != '/')
			return -EINVAL;
		if (cap < cwdlen + len + 2)
			return -ENAMETOOLONG;
		memcpy(out, cwd, cwdlen);
		out[cwdlen] = '/';
		memcpy(out + cwdlen + 1, path, len);
		n = cwdlen + 1 + len;
	}

	/* Collapse in place: the write index never passes the read index, as
	 * every component written was read first. */
	while (in < n) {
		size_t start, clen;

		while (in < n && out[in] == '/')
			in++;
		start = in;
		while (in < n && out[in] != '/')
			in++;
		clen = in - start;
		if (!clen || (clen == 1 && out[start] == '.'))
			continue;
		if (clen == 2 && out[start] == '.' && out[start + 1] == '.') {
			while (w > 0 && out[w - 1] != '/')
				w--;
			if (w > 0)
				w--;	/* drop the slash before the component */
			continue;
		}
		out[w++] = '/';
		memmove(out + w, out + start, clen);
		w += clen;
	}
	if (!w)
		out[w++] = '/';
	out[w] = '\0';
	return (int)w;
}
